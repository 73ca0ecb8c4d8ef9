"""PII redaction before the Parquet write: unit cases on the batch, then end-to-end through the broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from detectors.registry import all_detectors
from detectors.runner import run_detectors
from pipelines.ingest.batch_writer import BatchWriter
from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.privacy.redaction import redact_batch
from pipelines.settings import ConfigError, KafkaSettings, bool_setting
from tests.integration.helpers import produce, transcript
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch

NOW = datetime(2026, 11, 2, tzinfo=UTC)

# (where the PII sits, planted value, why the case exists)
PLANTED = [
    ("user", "jane.doe@gmail.com", "emails are the most common PII in support chats"),
    ("assistant", "+1 415-555-0134", "a phone number disclosed by the assistant"),
    ("card", "4111 1111 1111 1111", "a grouped Luhn-valid card number"),
    ("ssn", "078-05-1120", "a US SSN"),
    ("tool", "GB82 WEST 1234 5698 7654 32", "an IBAN inside a tool output"),
    ("after_newline", "24 Clarke Avenue", "an address right after a newline: in escaped JSON 'n24' has no word boundary"),
    ("tool_arguments", "bob@corp-mail.io", "tool-call arguments are a JSON string inside the JSON"),
    ("context", "221 Baker Street", "context documents are stored text too"),
    ("feedback", "+44 20 7946 0958", "the free-text feedback comment"),
]


def pii_transcript(tid: str) -> dict:
    by_place = {place: value for place, value, _ in PLANTED}
    return transcript(
        tid,
        messages=[
            {"role": "system", "content": "You are a support bot."},
            {"role": "user", "content": f"My email is {by_place['user']} and SSN {by_place['ssn']}."},
            {
                "role": "assistant",
                "content": f"Call {by_place['assistant']} or pay with {by_place['card']}.\nShip to:\n{by_place['after_newline']}",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "send_mail", "arguments": json.dumps({"to": by_place["tool_arguments"]})},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": f"Refund to {by_place['tool']} done."},
        ],
        context=[{"id": "d1", "source": "crm", "text": f"Customer lives at {by_place['context']}."}],
        feedback={"rating": -1, "comment": f"call me on {by_place['feedback']}"},
    )


def planted_values() -> list[str]:
    return [value for _, value, _ in PLANTED]


def test_redact_batch_replaces_every_planted_value_and_keeps_valid_json():
    raw = json.dumps(pii_transcript("t-1")).encode()
    batch = redact_batch(validate_batch([RawMessage("t", 0, 0, None, raw)], NOW))
    row = batch.transcripts.to_pylist()[0]
    stored = json.dumps(row, default=str)
    for value in planted_values():
        assert value not in stored, value
    messages = json.loads(row["messages"])  # still the contract's JSON, with markers in place
    assert "[EMAIL_ADDRESS]" in messages[1]["content"]
    assert json.loads(messages[2]["tool_calls"][0]["function"]["arguments"]) == {"to": "[EMAIL_ADDRESS]"}
    assert messages[0]["content"] == "You are a support bot."  # text without PII is untouched
    assert json.loads(row["context"])[0]["id"] == "d1"


def test_dead_letter_payloads_are_redacted_too():
    # A transcript that breaks the contract is kept as raw bytes for diagnosis: the PII must go anyway.
    broken = json.dumps({"schema_version": 1, "note": "reach me at jane.doe@gmail.com"}).encode()
    batch = redact_batch(validate_batch([RawMessage("t", 0, 7, None, broken)], NOW))
    assert batch.transcripts.num_rows == 0
    (raw,) = batch.dead_letters.column("raw").to_pylist()
    assert b"jane.doe@gmail.com" not in raw and b"[EMAIL_ADDRESS]" in raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, False),  # unset: the default applies
        ("1", True),
        ("on", True),
        ("0", False),
        ("False", False),  # case-insensitive, as shells and compose files write it
    ],
)
def test_bool_setting(raw, expected):
    env = {} if raw is None else {"ALIGNWATCH_REDACT_PII": raw}
    assert bool_setting("ALIGNWATCH_REDACT_PII", False, env) is expected


def test_bool_setting_error_names_the_setting_not_the_value():
    with pytest.raises(ConfigError) as info:
        bool_setting("ALIGNWATCH_REDACT_PII", False, {"ALIGNWATCH_REDACT_PII": "s3cret-typo"})
    assert "ALIGNWATCH_REDACT_PII" in str(info.value) and "s3cret-typo" not in str(info.value)


def parquet_texts(root: Path) -> list[tuple[Path, bytes, str]]:
    """Each Parquet file's raw bytes (footer statistics are uncompressed) and its decoded cells."""
    files = sorted(root.rglob("*.parquet"))
    return [(f, f.read_bytes(), json.dumps(pq.read_table(f).to_pylist(), default=repr)) for f in files]


@pytest.mark.integration
def test_redacting_ingest_stores_no_planted_pii_and_detections_still_run(kafka_broker, kafka_topic, tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNWATCH_REDACT_PII", "1")
    ids = [f"pii-{uuid.uuid4().hex[:6]}-{i}" for i in range(20)]
    broken = json.dumps({"schema_version": 1, "note": "jane.doe@gmail.com"}).encode()
    produce(kafka_broker.bootstrap, kafka_topic, [json.dumps(pii_transcript(t)).encode() for t in ids] + [broken])
    limits = IngestLimits(batch_records=8, idle_seconds=2.0)
    settings = KafkaSettings(bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=f"g-{uuid.uuid4().hex[:6]}")
    # The worker process (the default path) must pick the setting up, not only the inline writer.
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(tmp_path), limits, workers=1)
    try:
        report = ingestor.drain()
    finally:
        ingestor.close()
    assert report.transcripts == 20 and report.dead_letters == 1

    files = parquet_texts(tmp_path)
    assert len(files) >= 3  # several batches and the dead-letter file
    for path, data, cells in files:
        for value in planted_values():
            assert value.encode() not in data, (path, value)
            assert value not in cells, (path, value)
        assert "[EMAIL_ADDRESS]" in cells

    frame = pl.from_arrow(Warehouse(LakeLayout(tmp_path)).query("SELECT * EXCLUDE (dt) FROM transcripts"))
    detections = run_detectors(frame, all_detectors(), NOW)
    assert detections.height == 20 * len(all_detectors())
    assert set(detections["transcript_id"]) == set(ids)


def test_batch_writer_reads_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGNWATCH_REDACT_PII", "yes")
    writer = BatchWriter(tmp_path, 1 << 20, workers=0)
    assert writer.redact is True
    assert BatchWriter(tmp_path, 1 << 20, workers=0, redact=False).redact is False
