"""DuckDB views of the feedback tables, registered by ``warehouse.query.Warehouse``.

Kept here so the shared query module only imports two names: the tables with their dedup keys
and schemas, and the derived views.
"""

from __future__ import annotations

from warehouse.feedback import schemas
from warehouse.layout import Table

# table -> (partition key, order: the first row per key is kept)
DEDUP_KEYS = {
    Table.FLAGGED_CASES: ("case_id", "built_at DESC"),
    Table.REVIEW_SAMPLES: ("case_id", "sampled_at, sample_day"),
    Table.REVIEW_VERDICTS: ("verdict_id", "recorded_at"),
    Table.FEEDBACK_PUBLISHED: ("case_id, case_version, topic", "published_at"),
}
SCHEMAS = {
    Table.FLAGGED_CASES: schemas.FLAGGED_CASES,
    Table.REVIEW_SAMPLES: schemas.REVIEW_SAMPLES,
    Table.REVIEW_VERDICTS: schemas.REVIEW_VERDICTS,
    Table.FEEDBACK_PUBLISHED: schemas.FEEDBACK_PUBLISHED,
}

VIEWS = {
    # The latest verdict per case is current; case_version counts the verdicts up to it (1, 2, ...).
    "current_verdicts": """
        SELECT * EXCLUDE (dt, rn) FROM (
            SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY recorded_at DESC, verdict_id DESC) AS rn,
                   count(*) OVER (PARTITION BY case_id) AS case_version
            FROM review_verdicts
        ) WHERE rn = 1
    """,
    # Every case with its sampling decision (if any) and review status.
    "review_queue": """
        SELECT c.* EXCLUDE (dt),
               coalesce(s.selected, false) AS selected, s.weight, s.inclusion_probability, s.stratum,
               s.reason AS sample_reason, s.sample_day,
               coalesce(v.verdict, 'pending') AS status, v.reviewer, v.recorded_at AS reviewed_at, v.case_version
        FROM flagged_cases c
        LEFT JOIN review_samples s USING (case_id)
        LEFT JOIN current_verdicts v USING (case_id)
    """,
}
