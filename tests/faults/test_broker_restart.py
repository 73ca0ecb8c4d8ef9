"""The broker goes away in the middle of ingest and comes back: follow mode resumes on its own.

Traffic keeps arriving (a producer thread at a steady rate) while the broker is stopped, so the outage
hits polls, in-flight batches and commits alike. Afterwards the ``transcripts`` view holds exactly the
produced ids, and the raw table holds no more rows than the re-deliveries the outages allow.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import Future

import pytest
from kafka import KafkaProducer

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import KafkaSettings
from pipelines.testing.kafka_broker import LocalKafka, create_topic
from tests.faults.support import (
    Lake,
    committed_offsets,
    end_offsets,
    ingest_env,
    start_ingest,
    stop_ingest,
    wait_until,
)
from tests.integration.helpers import produce, valid_messages
from warehouse.layout import LakeLayout

pytestmark = pytest.mark.integration

MESSAGES = 3000
RATE_PER_S = 300  # ten seconds of traffic: the outage lands in the middle of it
BATCH = 200


def produce_steadily(bootstrap: str, topic: str, values: list[bytes], errors: list[BaseException]) -> None:
    # The producer retries through the outage (idempotent, delivery timeout well above the downtime).
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, delivery_timeout_ms=120_000)
    started = time.monotonic()
    try:
        for i, value in enumerate(values):
            producer.send(topic, value=value).add_errback(errors.append)
            ahead = started + i / RATE_PER_S - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        producer.flush(timeout=120)
    finally:
        producer.close(timeout=30)


def test_ingest_resumes_after_the_broker_is_killed_and_restarted(tmp_path):
    ids, values = valid_messages(MESSAGES)
    with LocalKafka() as broker:
        topic = create_topic(broker.bootstrap, f"restart-{uuid.uuid4().hex[:8]}", 2)
        lake = Lake(tmp_path / "lake")
        env = ingest_env(broker.bootstrap, topic, "restart-group", tmp_path, batch_records=BATCH)
        ingest = start_ingest(env, "--follow", log=tmp_path / "ingest.log")
        errors: list[BaseException] = []
        producer = threading.Thread(target=produce_steadily, args=(broker.bootstrap, topic, values, errors))
        try:
            producer.start()
            wait_until(lambda: lake.count() > 0, 60, "the first batch in the lake")
            time.sleep(1)
            broker.restart(kill=True, down_seconds=4)
            producer.join(timeout=150)
            assert not producer.is_alive() and not errors, errors[:3]
            wait_until(lambda: lake.count() == MESSAGES, 120, "every produced transcript in the view")
            assert ingest.poll() is None, "follow mode must survive the outage"
        finally:
            code = stop_ingest(ingest)
            producer.join(timeout=30)
        log = (tmp_path / "ingest.log").read_text()
        assert code == 0, log[-3000:]
        delivered = sum(end_offsets(broker.bootstrap, topic, 2).values())

    assert sorted(lake.ids()) == sorted(ids)
    # Each outage re-delivers at most the uncommitted batches (one written, one being polled) per partition.
    assert MESSAGES <= lake.raw_rows() <= delivered + 2 * 2 * BATCH, (lake.raw_rows(), delivered)
    assert "Where is order" not in log  # transcript text never reaches the log


def test_a_commit_that_meets_a_stopped_broker_waits_and_resumes(tmp_path):
    """Deterministic variant: the broker stops while a batch is being written, so its commit meets the outage."""
    ids, values = valid_messages(1000)
    with LocalKafka() as broker:
        topic = create_topic(broker.bootstrap, f"gate-{uuid.uuid4().hex[:8]}", 1)
        produce(broker.bootstrap, topic, values)
        limits = IngestLimits(batch_records=BATCH, retry_seconds=0.5)
        settings = KafkaSettings(bootstrap_servers=broker.bootstrap, topic=topic, group_id="gate-group")
        ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(tmp_path), limits, workers=0)
        gate = threading.Event()
        ingestor.writer = GatedWriter(ingestor.writer, gate)
        stop = threading.Event()
        reports: list = []
        follower = threading.Thread(target=lambda: reports.append(ingestor.follow(stop)))
        follower.start()
        try:
            wait_until(lambda: ingestor.writer.submitted > 0, 60, "a batch in flight")
            broker.stop()
            gate.set()  # the write completes with the broker down; the commit has nowhere to go
            time.sleep(3)
            broker.start()
            wait_until(lambda: Lake(tmp_path).count() == len(ids), 90, "every transcript in the view")
        finally:
            gate.set()
            stop.set()
            follower.join(timeout=60)
            ingestor.close()
        assert not follower.is_alive() and reports, "follow must return once stopped"
        committed = committed_offsets(broker.bootstrap, topic, "gate-group")
    assert sorted(Lake(tmp_path).ids()) == sorted(ids)
    assert committed == {0: len(ids)}
    assert Lake(tmp_path).raw_rows() <= len(ids) + 2 * BATCH


class GatedWriter:
    """Holds every write's result until ``gate`` opens: a slow disk, to line a commit up with an outage."""

    def __init__(self, writer, gate: threading.Event) -> None:
        self.writer, self.gate, self.submitted = writer, gate, 0

    def submit(self, records, ingested_at):
        inner = self.writer.submit(records, ingested_at)
        self.submitted += 1
        outer: Future = Future()

        def release() -> None:
            self.gate.wait()
            try:
                outer.set_result(inner.result())
            except Exception as exc:  # noqa: BLE001 - handed on, as the pool would
                outer.set_exception(exc)

        threading.Thread(target=release, daemon=True).start()
        return outer

    def close(self) -> None:
        self.writer.close()
