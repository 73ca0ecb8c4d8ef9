"""Kafka -> lake against a real broker: exactly-once rows in the views, dead letters with reasons."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from pipelines.ingest.consumer import (
    IngestLimits,
    NoPartitionsAssignedError,
    TranscriptIngestor,
    build_consumer,
)
from pipelines.settings import KafkaSettings
from tests.integration.helpers import BAD_MESSAGES, produce, valid_messages
from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration

LIMITS = IngestLimits(batch_records=200, idle_seconds=3.0)


def run_ingest(bootstrap: str, topic: str, group: str, root, limits: IngestLimits = LIMITS):
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=group)
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(root), limits)
    try:
        return ingestor.drain()
    finally:
        ingestor.close()


def committed_offset(bootstrap: str, topic: str, group: str) -> int | None:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return consumer.committed(TopicPartition(topic, 0))
    finally:
        consumer.close()


def test_valid_once_bad_to_dead_letters_and_duplicates_ignored(kafka_broker, kafka_topic, tmp_path):
    ids, values = valid_messages(600)
    bad = list(BAD_MESSAGES.items())
    # Interleave bad messages between valid ones, as poison arrives in real traffic.
    stream = values[:100] + [v for _, v in bad] + values[100:]
    produce(kafka_broker.bootstrap, kafka_topic, stream)
    group = f"g-{uuid.uuid4().hex[:8]}"

    report = run_ingest(kafka_broker.bootstrap, kafka_topic, group, tmp_path)
    assert report.transcripts == 600 and report.dead_letters == len(bad)
    assert committed_offset(kafka_broker.bootstrap, kafka_topic, group) == len(stream)

    wh = Warehouse(LakeLayout(tmp_path))
    stored = wh.query("SELECT transcript_id FROM transcripts").column("transcript_id").to_pylist()
    assert sorted(stored) == sorted(ids)
    dead = {
        r["error_kind"]: r
        for r in wh.query('SELECT error_kind, reason, raw, "offset" FROM dead_letters').to_pylist()
    }
    assert set(dead) == set(BAD_MESSAGES)
    for kind, raw in BAD_MESSAGES.items():
        assert dead[kind]["raw"] == raw, kind
        assert dead[kind]["reason"], kind
        assert dead[kind]["offset"] == 100 + list(BAD_MESSAGES).index(kind)

    # A producer retrying: the same transcripts again, at new offsets.
    produce(kafka_broker.bootstrap, kafka_topic, values[:250])
    again = run_ingest(kafka_broker.bootstrap, kafka_topic, group, tmp_path)
    assert again.transcripts == 250
    assert wh.query("SELECT count(*) AS n FROM transcripts").column("n")[0].as_py() == 600
    assert wh.query("SELECT count(*) AS n FROM dead_letters").column("n")[0].as_py() == len(bad)

    # Nothing new: a further run reads nothing and changes nothing.
    assert run_ingest(kafka_broker.bootstrap, kafka_topic, group, tmp_path).messages == 0


def test_sigkill_between_write_and_commit_loses_and_duplicates_nothing(kafka_broker, kafka_topic, tmp_path):
    ids, values = valid_messages(1000)
    produce(kafka_broker.bootstrap, kafka_topic, values)
    group = f"g-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap,
        "ALIGNWATCH_TOPIC": kafka_topic,
        "ALIGNWATCH_GROUP": group,
        "ALIGNWATCH_HOME": str(tmp_path),
        "ALIGNWATCH_BATCH_RECORDS": "300",
        # Static membership: the restarted process takes the killed one's place without waiting out its session.
        "ALIGNWATCH_GROUP_INSTANCE_ID": f"ingest-{group}",
    }
    command = [sys.executable, "-m", "pipelines.cli", "ingest", "--idle-seconds", "3"]

    crashed = subprocess.run(
        command, env={**env, "ALIGNWATCH_FAILPOINTS": "after_write=kill"}, capture_output=True, timeout=120
    )
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    wh = Warehouse(LakeLayout(tmp_path / "lake"))
    # The first batch reached the lake, but its offsets were never committed.
    written = wh.query("SELECT count(*) AS n FROM transcripts").column("n")[0].as_py()
    assert 0 < written <= 300
    assert committed_offset(kafka_broker.bootstrap, kafka_topic, group) is None

    finished = subprocess.run(command, env=env, capture_output=True, timeout=180)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    stored = wh.query("SELECT transcript_id FROM transcripts").column("transcript_id").to_pylist()
    assert sorted(stored) == sorted(ids)
    assert committed_offset(kafka_broker.bootstrap, kafka_topic, group) == 1000


def test_drain_that_never_gets_a_partition_fails_instead_of_reporting_drained(
    kafka_broker, kafka_topic, tmp_path
):
    """A run that could not join must not end green with nothing read (the topic is not empty)."""
    produce(kafka_broker.bootstrap, kafka_topic, valid_messages(50)[1])
    group = f"g-{uuid.uuid4().hex[:8]}"
    # Another member holds the only partition and does not poll, so the group cannot rebalance.
    holder = KafkaConsumer(
        kafka_topic, bootstrap_servers=kafka_broker.bootstrap, group_id=group, enable_auto_commit=False
    )
    try:
        while not holder.assignment():
            holder.poll(timeout_ms=200)
        limits = IngestLimits(batch_records=200, idle_seconds=1.0, join_timeout_seconds=4.0)
        with pytest.raises(NoPartitionsAssignedError, match="no partition assigned within 4 s"):
            run_ingest(kafka_broker.bootstrap, kafka_topic, group, tmp_path, limits)
    finally:
        holder.close()
    assert not Warehouse(LakeLayout(tmp_path)).has_files(Table.TRANSCRIPTS)


def test_drain_reads_to_the_end_offsets_however_short_the_idle_wait(kafka_broker, kafka_topic, tmp_path):
    """Silence shorter than a fetch round trip is not the end of the topic: the drain checks the offsets."""
    ids, values = valid_messages(3000)
    produce(kafka_broker.bootstrap, kafka_topic, values)
    limits = IngestLimits(batch_records=100, batch_seconds=0.01, idle_seconds=0.01)
    report = run_ingest(kafka_broker.bootstrap, kafka_topic, f"g-{uuid.uuid4().hex[:8]}", tmp_path, limits)
    assert report.transcripts == 3000
    stored = (
        Warehouse(LakeLayout(tmp_path)).query("SELECT transcript_id FROM transcripts").column(0).to_pylist()
    )
    assert sorted(stored) == sorted(ids)
