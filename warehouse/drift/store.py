"""Where drift results go in the lake: one Parquet file per window, one HTML report per segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

import polars as pl
import pyarrow.fs as pafs

from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.windows import TimeRange, WindowKind
from warehouse.layout import LakeLayout, Table, safe_name
from warehouse.storage import LakeStorage, as_storage

HTML_DIR = "drift_html"
_START_FORMAT = "%Y%m%dT%H%M"  # a window's start in file and folder names


def window_id(kind: WindowKind, window: TimeRange) -> str:
    return f"{kind.value}-{window.start:{_START_FORMAT}}"


def report_file(layout: LakeLayout, kind: WindowKind, window: TimeRange) -> Path:
    """The window's Parquet file; named by the window, so a re-run replaces it."""
    return layout.run_file(Table.DRIFT_REPORTS, window.start.date(), window_id(kind, window))


def html_relpath(kind: WindowKind, window: TimeRange, deployment: str, policy_id: str) -> str:
    """Path of a segment's Evidently report, relative to the lake root (stored in ``report_html``)."""
    return f"{HTML_DIR}/{kind.value}/{window.start:{_START_FORMAT}}/{safe_name(deployment)}__{safe_name(policy_id)}.html"


@dataclass(frozen=True)
class HtmlWindow:
    """The folder of one window's Evidently reports (``drift_html/<kind>/<start>/``)."""

    kind: WindowKind
    start: datetime
    path: PurePath
    files: int


def html_windows(storage: LakeStorage) -> list[HtmlWindow]:
    """Every window folder of Evidently reports in the lake, oldest first (folders of other names skipped).

    Listed from the folders, not from ``drift_reports`` rows: a run with ``write=False`` leaves reports
    that no row links.
    """
    filesystem = storage.filesystem()
    windows = []
    for kind_dir in _folders(filesystem, str(storage.layout.root / HTML_DIR)):
        try:
            kind = WindowKind(kind_dir.base_name)
        except ValueError:
            continue
        for window_dir in _folders(filesystem, kind_dir.path):
            try:
                start = datetime.strptime(window_dir.base_name, _START_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                continue
            selector = pafs.FileSelector(window_dir.path, recursive=True, allow_not_found=True)
            files = sum(
                1
                for info in filesystem.get_file_info(selector)
                if info.type == pafs.FileType.File and info.base_name.endswith(".html")
            )
            windows.append(HtmlWindow(kind, start, type(storage.layout.root)(window_dir.path), files))
    return sorted(windows, key=lambda w: (w.start, w.kind.value))


def _folders(filesystem: pafs.FileSystem, directory: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(directory, allow_not_found=True)
    return [info for info in filesystem.get_file_info(selector) if info.type == pafs.FileType.Directory]


def write_drift_reports(
    storage: LakeStorage | LakeLayout, kind: WindowKind, window: TimeRange, rows: pl.DataFrame
) -> str:
    """Durably write the rows of one window (an empty window writes an empty file, replacing stale rows).

    Returns where the file went; a layout means the lake on local disk.
    """
    storage = as_storage(storage)
    table = rows.select(DRIFT_REPORTS.names).to_arrow().cast(DRIFT_REPORTS)
    return storage.write_parquet(table, report_file(storage.layout, kind, window))
