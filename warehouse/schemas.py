"""Arrow schemas of the lake tables: the single source of truth for column names and types.

``messages`` and ``context`` are stored as canonical JSON text rather than nested Parquet: building
nested Arrow arrays from Python objects costs more than the rest of ingest together, and both
DuckDB (``from_json``) and polars (``str.json_decode``, see ``detectors.frame``) expand them at
read time at native speed.
"""

from __future__ import annotations

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

TRANSCRIPTS = pa.schema(
    [
        pa.field("transcript_id", pa.string(), nullable=False),
        pa.field("conversation_id", pa.string()),
        pa.field("created_at", UTC_TIMESTAMP, nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("deployment", pa.string(), nullable=False),
        pa.field("policy_id", pa.string(), nullable=False),
        pa.field("schema_version", pa.int16(), nullable=False),
        pa.field("messages", pa.string(), nullable=False),
        pa.field("context", pa.string()),
        pa.field("feedback_rating", pa.int8()),
        pa.field("feedback_comment", pa.string()),
        pa.field("metadata", pa.string()),
        pa.field("extra", pa.string()),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("partition", pa.int32(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("ingested_at", UTC_TIMESTAMP, nullable=False),
    ]
)

DEAD_LETTERS = pa.schema(
    [
        pa.field("topic", pa.string(), nullable=False),
        pa.field("partition", pa.int32(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("key", pa.binary()),
        pa.field("raw", pa.binary(), nullable=False),
        pa.field("raw_bytes", pa.int64(), nullable=False),
        pa.field("error_kind", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("ingested_at", UTC_TIMESTAMP, nullable=False),
    ]
)

DETECTIONS = pa.schema(
    [
        pa.field("transcript_id", pa.string(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
        pa.field("detector_version", pa.string(), nullable=False),
        pa.field("flagged", pa.bool_(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("evidence", pa.string()),
        pa.field("scored_at", UTC_TIMESTAMP, nullable=False),
    ]
)

JUDGE_VERDICTS = pa.schema(
    [
        pa.field("transcript_id", pa.string(), nullable=False),
        pa.field("detector", pa.string(), nullable=False),
        pa.field("detector_version", pa.string(), nullable=False),
        pa.field("fast_score", pa.float64(), nullable=False),
        pa.field("fast_flagged", pa.bool_(), nullable=False),
        pa.field("judge_model", pa.string(), nullable=False),
        pa.field("judge_flagged", pa.bool_()),
        pa.field("judge_confidence", pa.float64()),
        pa.field("judge_rationale", pa.string()),
        pa.field("judge_error", pa.string()),
        pa.field("judged_at", UTC_TIMESTAMP, nullable=False),
    ]
)
