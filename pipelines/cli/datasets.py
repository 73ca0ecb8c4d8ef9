"""``alignwatch datasets``: list, inspect and build the versioned feedback datasets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.cli.lake import cli_warehouse
from pipelines.settings import paths
from warehouse.layout import LakeLayout

datasets_app = typer.Typer(
    help="Versioned feedback datasets (SFT, preference pairs, regression evals).", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _root() -> Path:
    from warehouse.feedback.datasets import datasets_root

    return datasets_root(LakeLayout(paths().lake))


@datasets_app.command("list")
def list_versions_command() -> None:
    """Every dataset version, oldest first, with record counts and content hash."""
    from warehouse.feedback.datasets import list_versions

    versions = list_versions(_root())
    table = Table(title=f"feedback datasets in {_root()}")
    for name in (
        "version",
        "created",
        "sft",
        "preference",
        "regression",
        "excluded (eval overlap)",
        "content sha256",
    ):
        table.add_column(name)
    for m in versions:
        excluded = m["contamination"]["excluded_cases"]
        table.add_row(
            m["version"],
            m["created_at"][:19],
            str(m["counts"]["sft"]),
            str(m["counts"]["preference"]),
            str(m["counts"]["regression"]),
            str(excluded["exact"] + excluded["near_duplicate"]),
            m["content_sha256"][:16],
        )
    console.print(table)
    if not versions:
        console.print("no versions yet (`alignwatch datasets build` or the daily schedule creates them)")


@datasets_app.command()
def show(
    version: Annotated[str, typer.Argument(help="v0003 or 3.")],
    records: Annotated[
        bool, typer.Option("--records", help="Print the manifest's per-record lineage too.")
    ] = False,
) -> None:
    """Print a version's manifest (counts, hashes, detector and policy versions, contamination)."""
    from warehouse.feedback.datasets import read_manifest

    try:
        manifest = read_manifest(_root(), version)
    except ValueError:
        manifest = None
    if manifest is None:
        err.print(f"[red]error:[/red] no dataset version {escape(version)} in {_root()}")
        raise typer.Exit(2)
    if not records:
        manifest = {**manifest, "records": f"{len(manifest['records'])} records (--records to list)"}
    console.print_json(json.dumps(manifest))


@datasets_app.command()
def build(
    eval_set: Annotated[
        list[Path] | None,
        typer.Option(
            "--eval-set", help="Evaluation set to keep out (file or folder; repeatable).", exists=True
        ),
    ] = None,
    no_redact: Annotated[
        bool, typer.Option("--no-redact", help="Export personal data unredacted (think twice).")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Write a new version even when the content is unchanged.")
    ] = False,
) -> None:
    """Build the next dataset version from the confirmed cases now (what the daily schedule does)."""
    from warehouse.feedback.contamination import EvalSetError, load_eval_set
    from warehouse.feedback.datasets import build_dataset

    try:
        sets = [load_eval_set(path) for path in eval_set or []]
    except EvalSetError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    result = build_dataset(
        cli_warehouse(), datetime.now(UTC), eval_sets=sets, redact=not no_redact, skip_if_unchanged=not force
    )
    if result.unchanged:
        console.print(
            f"nothing new since the latest version (content {result.content_sha256[:16]}); use --force to write anyway"
        )
        return
    console.print(
        f"{result.version} -> {result.path}: {result.counts}; excluded for eval overlap: {result.excluded}"
    )
