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
from warehouse.feedback.dataset_store import DatasetStore, dataset_store

datasets_app = typer.Typer(
    help="Versioned feedback datasets (SFT, preference pairs, regression evals).", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _store() -> DatasetStore:
    """The versions in the configured lake (``ALIGNWATCH_LAKE_URL``, else under ``ALIGNWATCH_HOME``)."""
    return dataset_store(cli_warehouse().storage)


@datasets_app.command("list")
def list_versions_command() -> None:
    """Every dataset version, oldest first, with record counts and content hash."""
    from warehouse.feedback.datasets import list_versions

    store = _store()
    versions = list_versions(store)
    table = Table(title=f"feedback datasets in {store.location()}")
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

    store = _store()
    try:
        manifest = read_manifest(store, version)
    except ValueError:
        manifest = None
    if manifest is None:
        err.print(f"[red]error:[/red] no dataset version {escape(version)} in {store.location()}")
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
    from warehouse.feedback.datasets import DatasetExistsError, build_dataset

    try:
        sets = [load_eval_set(path) for path in eval_set or []]
    except EvalSetError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    warehouse = cli_warehouse()
    store = dataset_store(warehouse.storage)
    try:
        result = build_dataset(
            warehouse,
            datetime.now(UTC),
            eval_sets=sets,
            redact=not no_redact,
            skip_if_unchanged=not force,
            root=store,
        )
    except DatasetExistsError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))} (another build ran at the same time; run it again)")
        raise typer.Exit(2) from None
    if result.unchanged:
        console.print(
            f"nothing new since the latest version (content {result.content_sha256[:16]}); use --force to write anyway"
        )
        return
    if result.version is None:
        console.print(
            f"nothing to build: no usable confirmed cases (excluded for eval overlap: {result.excluded})"
        )
        return
    console.print(
        f"{result.version} -> {store.location(result.version)}: {result.counts}; "
        f"excluded for eval overlap: {result.excluded}"
    )
