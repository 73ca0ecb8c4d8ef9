"""``alignwatch drift``: test a window's detector rates and features against its reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipelines.cli.lake import cli_warehouse

drift_app = typer.Typer(
    help="Drift of detector flag rates and transcript features, per segment.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


@drift_app.callback()
def _group() -> None:
    """Drift of detector flag rates and transcript features, per segment."""


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"{option} must be an ISO 8601 date or time, e.g. 2026-11-26 or 2026-11-26T14:00")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@drift_app.command()
def run(
    window: Annotated[str, typer.Option(help="Window length: daily or hourly.")] = "daily",
    at: Annotated[
        str | None,
        typer.Option(help="A moment inside the window to test (UTC); default: the last complete window."),
    ] = None,
    reference_hours: Annotated[
        float | None,
        typer.Option(help="Reference: this many hours before the window (default 24 hourly, 168 daily)."),
    ] = None,
    baseline_start: Annotated[
        str | None, typer.Option(help="Reference: a fixed baseline from here (with --baseline-end).")
    ] = None,
    baseline_end: Annotated[str | None, typer.Option(help="End of the fixed baseline (exclusive).")] = None,
    html: Annotated[
        str, typer.Option(help="Evidently HTML reports for: all, drifted or none of the segments.")
    ] = "all",
    features: Annotated[
        bool, typer.Option(help="Also compare transcript features and prompts (Evidently).")
    ] = True,
    write: Annotated[bool, typer.Option(help="Store the rows in the lake's drift_reports table.")] = True,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also print every rate tested, not only the shifts.")
    ] = False,
    pushgateway: Annotated[
        str | None,
        typer.Option(envvar="ALIGNWATCH_PUSHGATEWAY_URL", help="Push the drift gauges to this Pushgateway."),
    ] = None,
) -> None:
    """Print which detector rates rose, in which segment, after which model version, with the statistics."""
    from pipelines.drift.run import DriftOptions, compute_drift, write_drift
    from pipelines.drift.summary import DriftSummary, findings_from_rows, render_drift, render_rates
    from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind, last_complete_window, window_at

    if window not in ("daily", "hourly"):
        _fail("--window must be daily or hourly")
    if html not in ("all", "drifted", "none"):
        _fail("--html must be all, drifted or none")
    if bool(baseline_start) != bool(baseline_end):
        _fail("--baseline-start and --baseline-end go together")
    kind = WindowKind(window)
    now = datetime.now(UTC)
    tested = window_at(kind, _moment(at, "--at")) if at else last_complete_window(kind, now)
    try:
        baseline = (
            TimeRange(_moment(baseline_start, "--baseline-start"), _moment(baseline_end, "--baseline-end"))
            if baseline_start and baseline_end
            else None
        )
        reference = ReferenceSpec(
            trailing=timedelta(hours=reference_hours) if reference_hours else None, baseline=baseline
        )
        reference.resolve(kind, tested)
    except ValueError as exc:
        _fail(str(exc))
    warehouse = cli_warehouse()
    options = DriftOptions(reference=reference, features=features, html=html)  # type: ignore[arg-type]
    result = compute_drift(warehouse, kind, tested, now, options)
    if write:
        err.print(f"stored: {write_drift(warehouse, result)}")
    # Findings link reports as local files; on an object store the report URLs are in result.html_files.
    lake_root = warehouse.layout.root if warehouse.store is None else None
    render_drift(console, DriftSummary(result, findings_from_rows(result.rows, lake_root)))
    if show_all:
        console.print(render_rates(result.rates))
    if pushgateway:
        from pipelines.observe.drift_metrics import push_drift_metrics

        try:
            push_drift_metrics(result.rows, pushgateway, window=kind.value, run_at=now)
        except OSError as exc:
            _fail(f"could not push to the Pushgateway: {type(exc).__name__}")
