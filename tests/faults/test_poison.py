"""Poison at volume: 10% bad messages of five kinds; every one is dead-lettered with its reason and
the ingest rate stays within a factor of two of clean traffic.

Timing: both rates are measured here on the same broker and machine (best of two runs each, inline
writer, from the first batch polled to the last commit); the assertion allows a further 1.5x for CI noise, so it checks
poisoned >= clean / 3. The precise figures belong to ``benchmarks/ingest.py``; this test guards against
a poison path that is an order of magnitude slower (a per-message exception storm, a retry loop).
"""

from __future__ import annotations

import json
import random
import uuid

import pytest

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import KafkaSettings
from pipelines.testing.kafka_broker import create_topic
from tests.faults.support import Lake
from tests.integration.helpers import produce, transcript, valid_messages
from warehouse.layout import LakeLayout

pytestmark = pytest.mark.integration

VALID = 3600
BAD = 400  # 10% of the stream
MAX_BYTES = 64 * 1024  # a low limit keeps "oversized" poison from dominating the bytes moved
LIMITS = IngestLimits(batch_records=500, idle_seconds=3.0, max_message_bytes=MAX_BYTES)


def poison(i: int) -> tuple[str, bytes]:
    """The i-th bad message and the dead-letter kind it must get; each one is unique."""
    kind = ["not_json", "oversized", "unsupported_schema_version", "invalid_utf8", "deeply_nested"][i % 5]
    if kind == "not_json":
        return kind, b'{"schema_version": 1, "transcript_id": "bad-%d", ' % i
    if kind == "oversized":
        return kind, json.dumps(transcript(f"big-{i}", metadata={"blob": "x" * (MAX_BYTES + 100)})).encode()
    if kind == "unsupported_schema_version":
        return kind, json.dumps(transcript(f"v2-{i}", schema_version=2)).encode()
    if kind == "invalid_utf8":
        return kind, b'{"schema_version": 1, "transcript_id": "utf-%d", "model": "\xff\xfe"}' % i
    # Deep nesting inside an otherwise valid transcript: must not blow the decoder's stack.
    depth = 5000
    nested = '{"a":' * depth + "1" + "}" * depth
    document = json.dumps(transcript(f"deep-{i}"))[:-1] + f', "metadata": {nested}}}'
    return "not_json", document.encode()


def ingest_rate(bootstrap: str, topic: str, root) -> tuple[float, object]:
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=f"poison-{uuid.uuid4().hex[:8]}")
    # Inline writes: at this volume a worker process's start-up would dominate both rates.
    ingestor = TranscriptIngestor(build_consumer(settings, LIMITS), LakeLayout(root), LIMITS, workers=0)
    try:
        report = ingestor.drain()
    finally:
        ingestor.close()
    return report.messages_per_second or 0.0, report


def test_poison_is_dead_lettered_at_near_clean_speed(kafka_broker, tmp_path):
    rng = random.Random(5)
    ids, values = valid_messages(VALID)
    bad = [poison(i) for i in range(BAD)]
    stream = values + [raw for _, raw in bad]
    rng.shuffle(stream)
    poisoned = create_topic(kafka_broker.bootstrap, f"poison-{uuid.uuid4().hex[:8]}")
    clean = create_topic(kafka_broker.bootstrap, f"clean-{uuid.uuid4().hex[:8]}")
    produce(kafka_broker.bootstrap, poisoned, stream)
    produce(kafka_broker.bootstrap, clean, valid_messages(VALID + BAD)[1])

    clean_rates, poisoned_rates = [], []
    for attempt in range(2):
        clean_rates.append(ingest_rate(kafka_broker.bootstrap, clean, tmp_path / f"clean-{attempt}")[0])
        rate, report = ingest_rate(kafka_broker.bootstrap, poisoned, tmp_path / f"poisoned-{attempt}")
        poisoned_rates.append(rate)
        assert (report.transcripts, report.dead_letters) == (VALID, BAD)
    print(f"clean {max(clean_rates):.0f} msg/s, 10% poison {max(poisoned_rates):.0f} msg/s")
    assert max(poisoned_rates) >= max(clean_rates) / 2 / 1.5

    lake = Lake(tmp_path / "poisoned-0")
    assert sorted(lake.ids()) == sorted(ids)
    expected = {raw: kind for kind, raw in bad}
    dead = lake.dead_letters()
    assert len(dead) == BAD
    for row in dead:
        assert row["error_kind"] == expected[row["raw"]], row["reason"]
        assert row["reason"]
    reasons = {row["error_kind"]: row["reason"] for row in dead}
    assert "recursion" in next(r["reason"] for r in dead if r["raw"].startswith(b'{"schema_version": 1, "transcript_id": "deep'))
    assert str(MAX_BYTES) in reasons["oversized"]
