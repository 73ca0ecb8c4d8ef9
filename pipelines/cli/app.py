"""The ``alignwatch`` command line."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.cli.dashboards import dashboards_app
from pipelines.cli.datasets import datasets_app
from pipelines.cli.drift import drift_app
from pipelines.cli.lake import cli_warehouse
from pipelines.cli.retention import retention_app
from pipelines.cli.review import review_app
from pipelines.privacy.logs import guard_payload_loggers
from pipelines.settings import ConfigError, int_setting, kafka_settings, paths
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

app = typer.Typer(
    help="alignwatch: monitor production LLM transcripts for misalignment and feed failures back into training.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(
    dashboards_app, name="dashboards", help="Generate Grafana dashboards from code, or push them to Grafana."
)
app.add_typer(
    drift_app, name="drift", help="Compare windows of flag rates and features against their reference."
)
app.add_typer(review_app, name="review", help="Work through the review queue of flagged cases.")
app.add_typer(datasets_app, name="datasets", help="Versioned feedback datasets built from confirmed cases.")
app.add_typer(
    retention_app,
    name="retention",
    help="Delete transcripts older than a cutoff and the rows derived from them.",
)
# Rich falls back to 80 columns when not on a terminal (CI logs, pipes); tables need more.
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


def _layout() -> LakeLayout:
    return LakeLayout(paths().lake)


def _lake_location() -> str:
    """Where the lake is, for messages: the object-store URL or the local folder."""
    warehouse = _warehouse()
    return warehouse.store.url if warehouse.store is not None else str(warehouse.layout.root)


def _warehouse() -> Warehouse:
    """The warehouse over the local lake, or over ``ALIGNWATCH_LAKE_URL`` when that is set."""
    return cli_warehouse()


@app.command()
def ingest(
    from_file: Annotated[
        Path | None,
        typer.Option("--from-file", help="Load a JSON Lines export instead of reading Kafka.", exists=True),
    ] = None,
    follow: Annotated[
        bool, typer.Option(help="Keep consuming until interrupted (a long-running service).")
    ] = False,
    metrics_port: Annotated[
        int | None, typer.Option(help="With --follow: serve Prometheus /metrics here.")
    ] = None,
    max_messages: Annotated[int | None, typer.Option(help="Stop after about this many messages.")] = None,
    idle_seconds: Annotated[float, typer.Option(help="Stop after this long without new messages.")] = 5.0,
) -> None:
    """Validate transcripts into the lake; bad messages go to the dead-letter table with a reason."""
    from kafka.errors import KafkaError

    from pipelines.ingest.consumer import (
        IngestLimits,
        NoPartitionsAssignedError,
        TranscriptIngestor,
        build_consumer,
    )
    from pipelines.ingest.files import ingest_file

    try:
        max_bytes = int_setting("ALIGNWATCH_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES)
        batch_records = int_setting("ALIGNWATCH_BATCH_RECORDS", 5_000)
        if from_file is not None:
            report = ingest_file(from_file, _layout(), max_bytes=max_bytes)
            console.print(
                f"{report.lines} lines: {report.transcripts} transcripts, {report.dead_letters} dead letters "
                f"-> {_lake_location()}"
            )
            return
        settings = kafka_settings()
    except ConfigError as exc:
        _fail(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    limits = IngestLimits(
        batch_records=batch_records,
        idle_seconds=idle_seconds,
        max_messages=max_messages,
        max_message_bytes=max_bytes,
    )
    try:
        consumer = build_consumer(settings, limits)
    except KafkaError as exc:
        _fail(
            f"could not connect to Kafka at {settings.bootstrap_servers} over {settings.security_protocol} "
            f"({type(exc).__name__}): check KAFKA_BOOTSTRAP_SERVERS and the KAFKA_SASL_*/KAFKA_SSL_* settings"
        )
    ingestor = TranscriptIngestor(consumer, _layout(), limits)
    try:
        if follow:
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            if metrics_port is not None:
                from prometheus_client import start_http_server

                start_http_server(metrics_port, registry=ingestor.metrics.registry)
            report = ingestor.follow(stop)
        else:
            report = ingestor.drain()
    except NoPartitionsAssignedError as exc:
        _fail(f"consumer group {settings.group_id}: {exc}")
    finally:
        ingestor.close()
    console.print(
        f"{report.messages} messages in {report.batches} batches: {report.transcripts} transcripts, "
        f"{report.dead_letters} dead letters"
    )


@app.command()
def detect(
    input: Annotated[
        Path,
        typer.Option("--input", "-i", help="Transcripts in the contract, one JSON per line.", exists=True),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write detections (.parquet or .jsonl).")
    ],
    detector: Annotated[
        list[str] | None, typer.Option("--detector", "-d", help="Run only this detector (repeatable).")
    ] = None,
) -> None:
    """Run the detectors over a file of transcripts and write one row per (transcript, detector)."""
    from detectors.registry import UnknownDetectorError, select
    from pipelines.detect.files import detect_file

    if output.suffix not in (".parquet", ".jsonl"):
        _fail("--output must end in .parquet or .jsonl")
    try:
        chosen = select(detector)
    except UnknownDetectorError as exc:
        _fail(str(exc))
    report = detect_file(input, output, chosen)
    for line, reason in report.invalid[:20]:
        err.print(f"[yellow]line {line} skipped:[/yellow] {reason}")
    if len(report.invalid) > 20:
        err.print(f"[yellow]... and {len(report.invalid) - 20} more invalid lines[/yellow]")
    err.print(f"{report.transcripts} transcripts x {len(chosen)} detectors -> {report.rows} rows in {output}")
    if report.transcripts == 0 and report.invalid:
        raise typer.Exit(1)


@app.command()
def sql(
    query: Annotated[
        str,
        typer.Argument(
            help="A DuckDB SELECT over the views: transcripts, dead_letters, detections, flags, transcript_messages."
        ),
    ],
    max_rows: Annotated[int, typer.Option(help="Rows to print at most.")] = 50,
) -> None:
    """Run a query against the warehouse and print the result as a table."""
    import duckdb

    from pipelines.cli.render import arrow_table

    try:
        result = _warehouse().query(query)
    except duckdb.Error as exc:
        _fail(str(exc).splitlines()[0])
    console.print(arrow_table(result, max_rows))


@app.command()
def summary() -> None:
    """Print what the lake holds: transcripts, dead letters, flags per detector and model version."""
    from pipelines.cli.render import print_summary

    print_summary(console, _warehouse(), paths())


@app.command()
def simulate(
    transcripts: Annotated[int, typer.Option(help="Valid transcripts to publish.")] = 20_000,
    days: Annotated[float, typer.Option(help="Span of event time, ending now.")] = 2.0,
    seed: Annotated[int, typer.Option(help="Same seed, same traffic.")] = 7,
    model_update_at: Annotated[
        float | None,
        typer.Option(
            help="Fraction of the span after which the new model version serves; omit with --no-update."
        ),
    ] = 0.5,
    no_update: Annotated[
        bool, typer.Option("--no-update", help="No model release: failure rates stay flat.")
    ] = False,
    truth: Annotated[
        Path | None, typer.Option(help="Write the injected failures per transcript here (JSONL).")
    ] = None,
) -> None:
    """Publish realistic synthetic production traffic to Kafka, with a scheduled model update."""
    from datetime import UTC, datetime

    from pipelines.simulate.producer import publish
    from pipelines.simulate.traffic import SimulationConfig

    try:
        settings = kafka_settings()
    except ConfigError as exc:
        _fail(str(exc))
    config = SimulationConfig(
        transcripts=transcripts, days=days, seed=seed, model_update_at=None if no_update else model_update_at
    )
    report = publish(settings, config, datetime.now(UTC), truth_path=truth)
    console.print_json(data=report.as_dict())


@app.command()
def demo(
    transcripts: Annotated[int, typer.Option(help="Transcripts to simulate.")] = 20_000,
    days: Annotated[float, typer.Option(help="Days of traffic to simulate.")] = 2.0,
    seed: Annotated[int, typer.Option(help="Simulation seed.")] = 7,
    keep_broker: Annotated[bool, typer.Option(help="Leave the local broker running afterwards.")] = False,
) -> None:
    """Run the whole loop once on local defaults: broker, simulated traffic, ingest, detect, summary."""
    from pipelines.cli.render import print_demo_footer
    from pipelines.demo import DemoOptions, run_demo

    home = paths().home if os.environ.get("ALIGNWATCH_HOME") else Path("var/demo")
    where = run_demo(
        DemoOptions(home=home, transcripts=transcripts, days=days, seed=seed, keep_broker=keep_broker),
        console,
    )
    print_demo_footer(console, where)


def main() -> None:
    guard_payload_loggers()
    try:
        app()
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        sys.exit(2)
