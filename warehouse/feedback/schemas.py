"""Arrow schemas of the feedback tables (flagged cases, review samples, verdicts, publications)."""

from __future__ import annotations

import pyarrow as pa

from warehouse.schemas import UTC_TIMESTAMP

CASE_FLAG = pa.struct(
    [
        pa.field("detector", pa.string()),
        pa.field("detector_version", pa.string()),
        pa.field("transcripts", pa.int64()),  # members of the case this detector version flagged
        pa.field("severity", pa.string()),  # highest over those members
        pa.field("score", pa.float64()),
        pa.field("evidence", pa.string()),  # of the highest-scoring flag
    ]
)

# One row per case and build; the view keeps the latest build of each case.
FLAGGED_CASES = pa.schema(
    [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("deployment", pa.string(), nullable=False),  # the segment
        pa.field("policy_id", pa.string(), nullable=False),
        pa.field("models", pa.list_(pa.string())),
        pa.field("representative_transcript_id", pa.string(), nullable=False),
        pa.field("transcript_ids", pa.list_(pa.string())),
        pa.field("transcripts", pa.int64(), nullable=False),  # the duplicate count
        pa.field("fingerprints", pa.list_(pa.string())),  # exact prompt fingerprints merged here
        pa.field("flags", pa.list_(CASE_FLAG)),
        pa.field("detectors", pa.list_(pa.string())),
        pa.field("primary_detector", pa.string(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("max_score", pa.float64(), nullable=False),
        pa.field("priority", pa.float64(), nullable=False),
        pa.field("first_seen", UTC_TIMESTAMP, nullable=False),
        pa.field("last_seen", UTC_TIMESTAMP, nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("built_at", UTC_TIMESTAMP, nullable=False),
    ]
)

# One sampling decision per case, made once; weights are inverse inclusion probabilities.
REVIEW_SAMPLES = pa.schema(
    [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("sample_day", pa.date32(), nullable=False),
        pa.field("stratum", pa.string(), nullable=False),
        pa.field("stratum_size", pa.int64(), nullable=False),
        pa.field("stratum_selected", pa.int64(), nullable=False),
        pa.field("inclusion_probability", pa.float64(), nullable=False),
        pa.field("weight", pa.float64()),  # null when the inclusion probability is 0
        pa.field("selected", pa.bool_(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),  # high_severity | stratified | not_selected
        pa.field("budget", pa.int64(), nullable=False),
        pa.field("sampled_at", UTC_TIMESTAMP, nullable=False),
    ]
)

# Append-only: every verdict ever given; the latest per case is the current one.
REVIEW_VERDICTS = pa.schema(
    [
        pa.field("verdict_id", pa.string(), nullable=False),
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("verdict", pa.string(), nullable=False),  # confirmed | dismissed
        pa.field("reviewer", pa.string(), nullable=False),
        pa.field("note", pa.string()),
        pa.field("corrected_response", pa.string()),
        pa.field("confirmed_detectors", pa.list_(pa.string())),  # null: every detector that fired
        pa.field("recorded_at", UTC_TIMESTAMP, nullable=False),
    ]
)

# What went to the feedback topic, so a re-run publishes nothing new.
FEEDBACK_PUBLISHED = pa.schema(
    [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("case_version", pa.int64(), nullable=False),
        pa.field("verdict_id", pa.string(), nullable=False),
        pa.field("verdict", pa.string(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("partition", pa.int32(), nullable=False),
        pa.field("offset", pa.int64(), nullable=False),
        pa.field("published_at", UTC_TIMESTAMP, nullable=False),
    ]
)
