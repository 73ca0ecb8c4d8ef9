"""The README's main command: broker, simulated traffic, one materialization, a summary."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from rich.console import Console

from pipelines.cli.render import print_summary, print_truth_comparison
from pipelines.defs.detect.assets import detections
from pipelines.defs.ingest.assets import ingested_transcripts
from pipelines.drift.summary import print_drift_summary
from pipelines.feedback.publish import publish_feedback
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from pipelines.settings import KafkaSettings, Paths
from pipelines.simulate.producer import publish
from pipelines.simulate.traffic import SimulationConfig
from warehouse.detections import transcript_days
from warehouse.feedback.simulate import simulate_reviews
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse


@dataclass(frozen=True)
class DemoOptions:
    home: Path
    transcripts: int = 20_000
    days: float = 2.0
    seed: int = 7
    keep_broker: bool = False


def run_demo(options: DemoOptions, console: Console) -> Paths:
    """Run the whole loop once on local defaults and print what it found."""
    where = Paths(options.home.resolve())
    if os.environ.pop("ALIGNWATCH_LAKE_URL", None):
        # The demo starts from an empty lake it may delete: never a shared bucket.
        console.print("ALIGNWATCH_LAKE_URL is ignored by the demo: its lake is local, under the demo's home")
    if where.lake.exists():
        shutil.rmtree(where.lake)
    where.dagster_home.mkdir(parents=True, exist_ok=True)
    (where.dagster_home / "dagster.yaml").touch()
    topic = f"alignwatch.demo.{datetime.now(UTC):%Y%m%dT%H%M%S}"
    with ExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
        if not bootstrap:
            bootstrap = _start_local_broker(where, options, console, stack)
        settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=f"{topic}.ingest")

        started = time.monotonic()
        config = SimulationConfig(transcripts=options.transcripts, days=options.days, seed=options.seed)
        report = publish(
            settings, config, datetime.now(UTC), truth_path=where.home / "simulation_truth.jsonl"
        )
        console.print(
            f"[bold]simulated[/bold] {report.transcripts} transcripts, {report.duplicates} re-sent duplicates and "
            f"{sum(report.bad_messages.values())} bad messages in {time.monotonic() - started:.0f}s -> topic {topic}"
        )

        started = time.monotonic()
        os.environ["DAGSTER_HOME"] = str(where.dagster_home)
        days = _ingest_and_detect(where, bootstrap, topic, settings.group_id)
        console.print(
            f"[bold]materialized[/bold] transcripts, transcripts_rejected and detections for "
            f"{len(days)} event days ({', '.join(days)}) in {time.monotonic() - started:.0f}s"
        )

        warehouse = Warehouse(LakeLayout(where.lake))
        print_summary(console, warehouse, where)
        print_truth_comparison(console, warehouse, where.home / "simulation_truth.jsonl")
        print_drift_summary(console, warehouse, datetime.now(UTC))
        _feedback_step(console, warehouse, settings, options.seed)
    return where


def _ingest_and_detect(where: Paths, bootstrap: str, topic: str, group_id: str) -> list[str]:
    """Materialize ingest, then the ``detections`` partition of each event day, as the sensor would."""
    instance = dg.DagsterInstance.get()
    resources = {
        "kafka": KafkaResource(bootstrap_servers=bootstrap, topic=topic, group_id=group_id),
        "lake": LakeResource(home=str(where.home)),
        "pushgateway": PushgatewayResource(),
    }
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    results = [
        dg.materialize(
            [ingested_transcripts],
            instance=instance,
            resources=resources,
            run_config={"ops": {"ingested_transcripts": {"config": {"idle_seconds": 3.0}}}, **quiet},
        )
    ]
    days = [day.isoformat() for day in transcript_days(resources["lake"].warehouse)]
    for day in days:
        results.append(
            dg.materialize(
                [detections], partition_key=day, instance=instance, resources=resources, run_config=quiet
            )
        )
    if not all(result.success for result in results):
        raise RuntimeError("a demo materialization failed; see the Dagster run log")
    return days


def _feedback_step(console: Console, warehouse: Warehouse, settings: KafkaSettings, seed: int) -> None:
    reviews = simulate_reviews(warehouse, n=40, seed=seed)
    console.print(
        f"\n[bold]feedback loop[/bold] (SIMULATED reviewer verdicts): {reviews.reviewed} cases reviewed, "
        f"{reviews.confirmed} confirmed, {reviews.dismissed} dismissed"
    )
    if reviews.dataset_version:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(reviews.records.items()))
        console.print(f"feedback dataset {reviews.dataset_version}: {kinds} -> {reviews.dataset_path}")
    topic = f"{settings.topic}.feedback"
    published = publish_feedback(warehouse, settings, topic)
    console.print(f"published {published.published} confirmed cases to Kafka topic {topic}")


def _start_local_broker(where: Paths, options: DemoOptions, console: Console, stack: ExitStack) -> str:
    from pipelines.testing.kafka_broker import LocalKafka

    console.print("KAFKA_BOOTSTRAP_SERVERS is not set: starting a local single-node Kafka broker")
    broker = LocalKafka(data_dir=where.home / "kafka")
    broker.start()
    if not options.keep_broker:
        stack.callback(broker.close)
    return broker.bootstrap
