"""The ``drift_reports`` table as registered by ``warehouse.query.Warehouse``."""

from __future__ import annotations

from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.layout import Table

# A re-run of a window replaces its file; should two files of one window coexist, the latest run wins.
DEDUP_KEYS = {Table.DRIFT_REPORTS: ("window_kind, window_start, deployment, policy_id, kind, subject", "run_at DESC")}
SCHEMAS = {Table.DRIFT_REPORTS: DRIFT_REPORTS}
