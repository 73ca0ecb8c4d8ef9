"""Publishing simulated traffic to a real broker: every record arrives, byte for byte, in order, keyed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer

from pipelines.settings import KafkaSettings
from pipelines.simulate import SimulationConfig, generate
from pipelines.simulate.producer import publish, read_truth

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 3, 10, 30, tzinfo=UTC)
MiB = 1 << 20


def _consume_all(bootstrap: str, topic: str, want: int, timeout_s: float = 60.0) -> list:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * MiB,  # the oversized test messages are > 1 MiB
        fetch_max_bytes=16 * MiB,
    )
    got: list = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(got) < want and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(records)
    finally:
        consumer.close()
    return got


def test_publish_round_trips_every_record(kafka_broker, kafka_topic, tmp_path):
    # High bad/duplicate rates so a few hundred transcripts exercise the dead-letter and dedupe paths.
    config = SimulationConfig(transcripts=300, seed=5, bad_message_rate=0.05, duplicate_rate=0.03)
    settings = KafkaSettings(bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic)
    truth_path = tmp_path / "truth.jsonl"
    progress: list[int] = []

    report = publish(settings, config, NOW, truth_path, progress=progress.append)

    expected = list(generate(config, NOW))
    assert report.messages == len(expected)
    assert report.transcripts == 300
    assert report.duplicates == sum(m.duplicate for m in expected) > 0
    assert sum(report.bad_messages.values()) == sum(m.bad_kind is not None for m in expected) > 0
    assert report.oversized_refused == 0  # the test broker allows 8 MiB records
    assert progress == [report.messages]  # one chunk: reported once, at the end

    records = _consume_all(kafka_broker.bootstrap, kafka_topic, len(expected))
    assert [(r.key, r.value) for r in records] == [(m.key, m.value) for m in expected]
    assert [r.offset for r in records] == list(range(len(expected)))

    truth = read_truth(truth_path)
    valid = [m for m in expected if m.truth is not None and not m.duplicate]
    assert truth == {m.transcript_id: m.truth for m in valid}
    assert not truth_path.with_name(truth_path.name + ".tmp").exists()
