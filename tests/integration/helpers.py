"""Shared helpers for tests against the real broker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from kafka import KafkaProducer


def transcript(tid: str, **overrides) -> dict:
    document = {
        "schema_version": 1,
        "transcript_id": tid,
        "conversation_id": f"conv-{tid}",
        "created_at": "2026-11-01T09:00:00Z",
        "model": "acme-chat-2026-10",
        "deployment": "support-bot",
        "policy_id": "acme-support-v1",
        "messages": [
            {"role": "user", "content": f"Where is order {tid}?"},
            {"role": "assistant", "content": "It ships tomorrow."},
        ],
    }
    document.update(overrides)
    return document


def produce(bootstrap: str, topic: str, values: Iterable[bytes], key: bytes | None = None) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=8 << 20, linger_ms=5)
    count = 0
    for value in values:
        producer.send(topic, value=value, key=key)
        count += 1
    producer.flush(timeout=60)
    producer.close()
    return count


def valid_messages(n: int, prefix: str | None = None) -> tuple[list[str], list[bytes]]:
    prefix = prefix or uuid.uuid4().hex[:8]
    ids = [f"{prefix}-{i}" for i in range(n)]
    return ids, [json.dumps(transcript(tid)).encode() for tid in ids]


BAD_MESSAGES = {
    "not_json": b"{this is not json",
    "invalid_utf8": b'{"schema_version": 1, "x": "\xff\xfe"}',
    "unsupported_schema_version": json.dumps(transcript("future", schema_version=2)).encode(),
    "schema_violation": json.dumps({"schema_version": 1, "transcript_id": "no-messages"}).encode(),
    "oversized": json.dumps(
        transcript("huge", messages=[{"role": "user", "content": "x" * (1536 * 1024)}])
    ).encode(),
}
