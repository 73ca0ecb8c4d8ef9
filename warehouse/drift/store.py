"""Where drift results go in the lake: one Parquet file per window, one HTML report per segment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

import polars as pl
import pyarrow.dataset as pads
import pyarrow.fs as pafs

from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.windows import TimeRange, WindowKind
from warehouse.layout import LakeLayout, Table, safe_name
from warehouse.storage import LakeStorage, as_storage

HTML_DIR = "drift_html"
_START_FORMAT = "%Y%m%dT%H%M"  # a window's start in file and folder names
_KINDS = frozenset(kind.value for kind in WindowKind)


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
    quotes_since: datetime  # the earliest event time whose prompts its reports can quote


@dataclass(frozen=True)
class WindowRows:
    """What the ``drift_reports`` rows of one window say about its reports."""

    reference_start: datetime  # the earliest of the rows
    linked: frozenset[str]  # their ``report_html`` paths


def quotes_since(
    kind: WindowKind, start: datetime, reports: Iterable[str], rows: WindowRows | None
) -> datetime:
    """The earliest event time whose prompts the reports of a window can quote.

    Evidently quotes prompts of the window and of its reference, which starts earlier; the rows of
    the run that wrote the reports say where it started. A report that no row links (a run with
    ``write=False``, or an earlier run of the window whose rows a later run replaced) is given the
    kind's default trailing reference too: a fixed baseline older than that is known only from rows.

    Args:
        kind: the window's kind.
        start: the window's start.
        reports: the reports in the window's folder, relative to the lake root.
        rows: the window's rows, if any.
    """
    since = [start]
    if rows is not None:
        since.append(rows.reference_start)
    if rows is None or any(report not in rows.linked for report in reports):
        since.append(start - kind.default_reference)
    return min(since)


def html_windows(storage: LakeStorage) -> list[HtmlWindow]:
    """Every window folder of Evidently reports in the lake, oldest first (folders of other names skipped).

    Listed from the folders, not from ``drift_reports`` rows: a run with ``write=False`` leaves reports
    that no row links. The rows give each folder's ``quotes_since``.
    """
    filesystem = storage.filesystem()
    rows = window_rows(storage)
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
            folder = f"{HTML_DIR}/{kind_dir.base_name}/{window_dir.base_name}"
            reports = [
                f"{folder}/{info.path[len(window_dir.path) :].lstrip('/')}"
                for info in filesystem.get_file_info(selector)
                if info.type == pafs.FileType.File and info.base_name.endswith(".html")
            ]
            since = quotes_since(kind, start, reports, rows.get((kind, start)))
            windows.append(
                HtmlWindow(kind, start, type(storage.layout.root)(window_dir.path), len(reports), since)
            )
    return sorted(windows, key=lambda w: (w.start, w.kind.value))


def window_rows(storage: LakeStorage) -> dict[tuple[WindowKind, datetime], WindowRows]:
    """The reference start and linked reports of each window that has ``drift_reports`` rows."""
    files = [str(path) for path in storage.files(Table.DRIFT_REPORTS)]
    if not files:
        return {}
    columns = ["window_kind", "window_start", "reference_start", "report_html"]
    dataset = pads.dataset(files, schema=DRIFT_REPORTS, format="parquet", filesystem=storage.filesystem())
    per_window = (
        pl.from_arrow(dataset.to_table(columns=columns))
        .group_by("window_kind", "window_start")
        .agg(pl.col("reference_start").min(), pl.col("report_html").drop_nulls().unique())
    )
    return {
        (WindowKind(kind), start.astimezone(UTC)): WindowRows(reference.astimezone(UTC), frozenset(linked))
        for kind, start, reference, linked in per_window.iter_rows()
        if kind in _KINDS
    }


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
