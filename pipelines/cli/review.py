"""``alignwatch review``: work through the review queue from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines.cli.lake import cli_warehouse

review_app = typer.Typer(
    help="Review flagged cases: list the queue, inspect a case, record a verdict.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


@review_app.command("list")
def list_cases(
    status: Annotated[str, typer.Option(help="pending, confirmed, dismissed or all.")] = "pending",
    all_cases: Annotated[
        bool, typer.Option("--all-cases", help="Include cases the daily sample did not select.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Rows to show at most.")] = 50,
) -> None:
    """List cases by priority (highest first); by default the pending ones of the review sample."""
    from warehouse.feedback.reviews import queue

    if status not in ("pending", "confirmed", "dismissed", "all"):
        _fail("--status must be pending, confirmed, dismissed or all")
    rows = queue(
        cli_warehouse(), None if status == "all" else status, include_unsampled=all_cases, limit=limit
    )
    table = Table(title=f"review queue ({status})")
    table.add_column("case", no_wrap=True, min_width=21)  # copied into `review show`: never wrapped
    for name in ("priority", "severity", "primary", "detectors", "deployment", "count", "status", "weight"):
        table.add_column(name, overflow="fold")
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["case_id"],
            f"{r['priority']:.1f}",
            r["severity"],
            r["primary_detector"],
            ", ".join(r["detectors"] or []),
            r["deployment"],
            str(r["transcripts"]),
            r["status"],
            "" if r["weight"] is None else f"{r['weight']:.2f}",
        )
    console.print(table)
    if rows.height == 0:
        console.print("nothing to show (run `alignwatch review refresh` after detection to build cases)")


def _print_message(message: dict[str, Any], index: int) -> None:
    role = message.get("role", "?")
    console.print(f"[bold]{index:>2} {escape(role)}[/bold]")
    if message.get("content"):
        console.print(escape(message["content"]), highlight=False)
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        console.print(
            f"   [yellow]tool call[/yellow] {escape(str(function.get('name')))}({escape(str(function.get('arguments')))})"
        )


@review_app.command()
def show(case_id: Annotated[str, typer.Argument(help="The case id (see `review list`).")]) -> None:
    """Show a case: detectors with evidence, sampling, its representative transcript and verdict history."""
    from warehouse.feedback.reviews import case_detail

    detail = case_detail(cli_warehouse(), case_id)
    if detail is None:
        _fail(f"no flagged case {case_id!r}")
    console.print(
        f"[bold]{escape(detail['case_id'])}[/bold]  status={detail['status']}  severity={detail['severity']}  "
        f"priority={detail['priority']:.1f}  deployment={escape(detail['deployment'])}  policy={escape(detail['policy_id'])}"
    )
    console.print(
        f"{detail['transcripts']} flagged transcript(s), first {detail['first_seen']:%Y-%m-%d %H:%M} UTC, "
        f"last {detail['last_seen']:%Y-%m-%d %H:%M} UTC; models: {escape(', '.join(detail['models'] or []))}"
    )
    if detail["selected"]:
        console.print(
            f"sampled: {detail['sample_reason']} (stratum {escape(detail['stratum'])}, weight {detail['weight']:.2f})"
        )
    flags = Table(title="detectors that fired")
    for name in ("detector", "version", "severity", "score", "transcripts", "evidence"):
        flags.add_column(name, overflow="fold")
    for f in detail["flags"]:
        flags.add_row(
            f["detector"],
            f["detector_version"],
            f["severity"],
            f"{f['score']:.2f}",
            str(f["transcripts"]),
            escape(f["evidence"] or ""),
        )
    console.print(flags)
    transcript = detail["transcript"]
    if transcript is not None:
        console.print(
            f"\n[bold]transcript {escape(transcript['transcript_id'])}[/bold] ({escape(transcript['model'])})"
        )
        for index, message in enumerate(json.loads(transcript["messages"])):
            _print_message(message, index)
    for verdict in detail["history"]:
        console.print(
            f"\n[bold]verdict[/bold] {verdict['verdict']} by {escape(verdict['reviewer'])} at {verdict['recorded_at']:%Y-%m-%d %H:%M:%S} UTC"
            + (f": {escape(verdict['note'])}" if verdict["note"] else "")
        )
        if verdict["corrected_response"]:
            console.print(f"  corrected response: {escape(verdict['corrected_response'])}", highlight=False)


@review_app.command()
def verdict(
    case_id: Annotated[str, typer.Argument(help="The case id.")],
    confirm: Annotated[
        bool, typer.Option("--confirm", help="The flag is right: this is a real failure.")
    ] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="The flag is wrong: a false positive.")] = False,
    corrected_response: Annotated[
        str | None, typer.Option("--corrected-response", help="The response that should have been given.")
    ] = None,
    corrected_file: Annotated[
        Path | None,
        typer.Option(
            "--corrected-file",
            help="Read the corrected response from this file.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
    reviewer: Annotated[
        str | None, typer.Option(envvar="ALIGNWATCH_REVIEWER", help="Who reviews (or $ALIGNWATCH_REVIEWER).")
    ] = None,
    detector: Annotated[
        list[str] | None,
        typer.Option(
            "--detector", "-d", help="With --confirm: only these detectors were right (repeatable)."
        ),
    ] = None,
) -> None:
    """Record a verdict; earlier verdicts on the case stay in its history, the latest is current."""
    from warehouse.feedback.reviews import NewVerdict, ReviewError, Verdict, record_verdict

    if confirm == dismiss:
        _fail("give exactly one of --confirm or --dismiss")
    if corrected_response is not None and corrected_file is not None:
        _fail("give --corrected-response or --corrected-file, not both")
    if not reviewer:
        _fail("who is reviewing? pass --reviewer NAME or set ALIGNWATCH_REVIEWER")
    text = corrected_file.read_text(encoding="utf-8") if corrected_file is not None else corrected_response
    new = NewVerdict(
        case_id=case_id,
        verdict=Verdict.CONFIRMED if confirm else Verdict.DISMISSED,
        reviewer=reviewer,
        note=note,
        corrected_response=text,
        confirmed_detectors=tuple(detector) if detector else None,
    )
    try:
        verdict_id = record_verdict(cli_warehouse(), new, datetime.now(UTC))
    except ReviewError as exc:
        _fail(str(exc))
    console.print(f"recorded {new.verdict.value} on {escape(case_id)} ({verdict_id})")


@review_app.command()
def refresh(
    budget: Annotated[
        int | None, typer.Option(help="Reviews per day (default 50 or $ALIGNWATCH_REVIEW_BUDGET_PER_DAY).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = 0,
) -> None:
    """Build cases from the current flags and draw today's review sample for new ones (what the schedule does)."""
    from pipelines.settings import int_setting
    from warehouse.feedback.cases import refresh_cases
    from warehouse.feedback.sampling import DEFAULT_BUDGET_PER_DAY, refresh_review_queue

    budget = (
        budget
        if budget is not None
        else int_setting("ALIGNWATCH_REVIEW_BUDGET_PER_DAY", DEFAULT_BUDGET_PER_DAY)
    )
    now = datetime.now(UTC)
    warehouse = cli_warehouse()
    cases = refresh_cases(warehouse, now)
    sample = refresh_review_queue(warehouse, now, budget_per_day=budget, seed=seed)
    console.print(
        f"{cases.cases} cases ({cases.new} new, {cases.changed} changed) from {cases.flagged_transcripts} flagged transcripts; "
        f"sampled {sample.selected} of {sample.candidates} new cases ({sample.high_severity} high severity)"
    )


@review_app.command()
def precision() -> None:
    """Detector precision from the current verdicts (sampling-weighted) with Wilson 95% intervals."""
    from warehouse.feedback.precision import detector_precision

    rows = detector_precision(cli_warehouse())
    table = Table(title="detector precision from reviews")
    for name in ("detector", "version", "reviewed", "confirmed", "precision", "95% CI"):
        table.add_column(name)
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["detector"],
            r["detector_version"],
            str(r["reviewed"]),
            str(r["confirmed"]),
            f"{r['precision']:.2f}",
            f"{r['lower']:.2f}-{r['upper']:.2f}",
        )
    console.print(table)


@review_app.command()
def simulate(
    n: Annotated[int, typer.Option(help="Pending cases to review.")] = 40,
    seed: Annotated[int, typer.Option(help="Same seed, same verdicts.")] = 7,
) -> None:
    """Record clearly marked SIMULATED verdicts (demo only), then build a dataset version."""
    from warehouse.feedback.simulate import simulate_reviews

    result = simulate_reviews(cli_warehouse(), n, seed)
    console.print(
        f"simulated {result.reviewed} verdicts ({result.confirmed} confirmed, {result.dismissed} dismissed); "
        f"dataset {result.dataset_version or 'unchanged'}: {result.records}"
    )
