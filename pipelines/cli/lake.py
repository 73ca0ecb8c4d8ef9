"""The lake every CLI command reads and writes: ``ALIGNWATCH_LAKE_URL`` if set, else ``ALIGNWATCH_HOME/lake``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from pipelines.settings import ConfigError, lake_store, paths
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

_err = Console(stderr=True)


def cli_warehouse() -> Warehouse:
    """The warehouse over the configured lake; a bad setting exits with status 2 and names it.

    Sub-commands run on their own too (``retention_app()``, tests), outside ``app.main``'s handler,
    so the configuration error is turned into the CLI's usual error exit here.
    """
    try:
        store = lake_store()
    except ConfigError as exc:
        _err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    return Warehouse(LakeLayout(paths().lake), store=store)
