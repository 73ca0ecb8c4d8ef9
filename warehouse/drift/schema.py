"""Arrow schema of the ``drift_reports`` table: one row per tested (window, segment, subject)."""

from __future__ import annotations

import pyarrow as pa

from warehouse.schemas import UTC_TIMESTAMP

DRIFT_REPORTS = pa.schema(
    [
        pa.field("run_at", UTC_TIMESTAMP, nullable=False),
        pa.field("window_kind", pa.string(), nullable=False),  # hourly | daily
        pa.field("window_start", UTC_TIMESTAMP, nullable=False),
        pa.field("window_end", UTC_TIMESTAMP, nullable=False),
        pa.field("reference_start", UTC_TIMESTAMP, nullable=False),
        pa.field("reference_end", UTC_TIMESTAMP, nullable=False),
        pa.field("deployment", pa.string(), nullable=False),
        pa.field("policy_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # rate (a detector's flag rate) | feature
        pa.field("subject", pa.string(), nullable=False),  # detector name or feature name
        pa.field("detector_version", pa.string()),
        pa.field("method", pa.string()),  # z | fisher | an Evidently stat-test name
        pa.field("statistic", pa.float64()),  # z score, or the feature's drift score
        pa.field("threshold", pa.float64()),  # feature drift: the score that counts as drift
        pa.field("p_value", pa.float64()),
        pa.field("q_value", pa.float64()),  # Benjamini-Hochberg over every rate test of the run
        pa.field("tested", pa.bool_(), nullable=False),  # enough data to test
        pa.field("significant", pa.bool_(), nullable=False),
        pa.field("detected", pa.bool_(), nullable=False),  # significant and above the minimum effect
        pa.field("current_n", pa.int64()),
        pa.field("current_flagged", pa.int64()),
        pa.field("reference_n", pa.int64()),
        pa.field("reference_flagged", pa.int64()),
        pa.field("current_rate", pa.float64()),
        pa.field("reference_rate", pa.float64()),
        pa.field("current_lower", pa.float64()),  # Wilson interval of the current rate
        pa.field("current_upper", pa.float64()),
        pa.field("diff", pa.float64()),
        pa.field("diff_lower", pa.float64()),  # Newcombe interval of the difference
        pa.field("diff_upper", pa.float64()),
        pa.field("model", pa.string(), nullable=False),  # the version the shift follows, or "all"
        pa.field("attribution", pa.string()),
        pa.field("model_first_seen", UTC_TIMESTAMP),
        pa.field("model_share", pa.float64()),
        pa.field("model_rate", pa.float64()),
        pa.field("new_models", pa.string()),  # comma-separated versions serving the window but not the reference
        pa.field("change_point_at", UTC_TIMESTAMP),
        pa.field("change_point_llr", pa.float64()),
        pa.field("rate_before", pa.float64()),
        pa.field("rate_after", pa.float64()),
        pa.field("co_flagged_with", pa.string()),  # another shifted detector flagging the same transcripts
        pa.field("co_flag_share", pa.float64()),
        pa.field("report_html", pa.string()),  # Evidently report of the segment, relative to the lake root
    ]
)
