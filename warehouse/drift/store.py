"""Where drift results go in the lake: one Parquet file per window, one HTML report per segment."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.windows import TimeRange, WindowKind
from warehouse.layout import LakeLayout, Table, safe_name
from warehouse.storage import LakeStorage, as_storage

HTML_DIR = "drift_html"


def window_id(kind: WindowKind, window: TimeRange) -> str:
    return f"{kind.value}-{window.start:%Y%m%dT%H%M}"


def report_file(layout: LakeLayout, kind: WindowKind, window: TimeRange) -> Path:
    """The window's Parquet file; named by the window, so a re-run replaces it."""
    return layout.run_file(Table.DRIFT_REPORTS, window.start.date(), window_id(kind, window))


def html_relpath(kind: WindowKind, window: TimeRange, deployment: str, policy_id: str) -> str:
    """Path of a segment's Evidently report, relative to the lake root (stored in ``report_html``)."""
    return f"{HTML_DIR}/{kind.value}/{window.start:%Y%m%dT%H%M}/{safe_name(deployment)}__{safe_name(policy_id)}.html"


def write_drift_reports(
    storage: LakeStorage | LakeLayout, kind: WindowKind, window: TimeRange, rows: pl.DataFrame
) -> str:
    """Durably write the rows of one window (an empty window writes an empty file, replacing stale rows).

    Returns where the file went; a layout means the lake on local disk.
    """
    storage = as_storage(storage)
    table = rows.select(DRIFT_REPORTS.names).to_arrow().cast(DRIFT_REPORTS)
    return storage.write_parquet(table, report_file(storage.layout, kind, window))
