"""``alignwatch retention``: delete transcripts older than a cutoff and the rows derived from them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from pipelines.cli.lake import cli_warehouse
from pipelines.settings import ConfigError, int_setting
from warehouse.drift.store import HTML_DIR
from warehouse.retention import apply_retention, parse_age, plan_retention

retention_app = typer.Typer(help="Retention of transcripts and their derived rows.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@retention_app.callback()
def _group() -> None:
    """Retention of transcripts and their derived rows."""


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


@retention_app.command()
def apply(
    older_than: Annotated[
        str | None,
        typer.Option(
            help="Delete transcripts whose event day is older than this (30d, 4w); default ALIGNWATCH_RETENTION_DAYS."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be deleted.")] = False,
) -> None:
    """List, then delete, expired partitions and drift reports, and the derived rows that point at them."""
    try:
        if older_than is None:
            days = int_setting("ALIGNWATCH_RETENTION_DAYS", 0, minimum=1)
            if days == 0:
                _fail("give --older-than or set ALIGNWATCH_RETENTION_DAYS")
            older_than = f"{days}d"
        age = parse_age(older_than)
    except ConfigError as exc:
        _fail(str(exc))
    except ValueError as exc:
        _fail(f"--older-than: {exc}")
    if age.days < 1:
        _fail("--older-than must be at least 1d")
    # ALIGNWATCH_LAKE_URL=s3://...: the lake on object storage; unset, on disk under ALIGNWATCH_HOME.
    storage = cli_warehouse().storage
    cutoff = (datetime.now(UTC) - age).date()
    plan = plan_retention(storage, cutoff)

    listing = RichTable(title=f"Retention: keep {cutoff.isoformat()} and later")
    for column in ("table", "what", "files", "rows"):
        listing.add_column(column)
    for part in plan.partitions:
        listing.add_row(
            part.table.value, f"partition dt={part.day.isoformat()}", str(part.files), str(part.rows)
        )
    for item in plan.derived:
        listing.add_row(
            item.table.value,
            f"{item.action} {item.path.parent.name}/{item.path.name}",
            "1",
            str(item.removed),
        )
    for window in plan.html_reports:
        listing.add_row(
            HTML_DIR, f"reports {window.kind.value}/{window.start:%Y-%m-%dT%H:%M}", str(window.files), "-"
        )
    console.print(listing)
    parts = [f"{table} {rows}" for table, rows in sorted(plan.rows_by_table().items())]
    if plan.html_reports:
        parts.append(f"{HTML_DIR} {plan.html_files()} files")
    totals = ", ".join(parts) or "nothing"
    if dry_run:
        console.print(f"dry run: would delete {totals}")
        return
    apply_retention(plan)
    console.print(f"deleted {totals}")
