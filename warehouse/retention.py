"""Retention: delete transcripts older than a cutoff and every derived row that points at them.

The rule (also in ``docs/privacy.md``):

* ``transcripts`` are partitioned by event date: partitions with ``dt`` before the cutoff are
  dropped whole.
* ``dead_letters`` (raw payloads) and ``drift_reports`` (aggregates) hold no transcript id; they are
  dropped by their own partition date.
* The Evidently HTML reports (``drift_html/<kind>/<window start>/``) can quote user prompts of the
  window and of its reference (Evidently's characteristic examples and words of a drifted text
  feature), and the reference starts before the window. A window folder is deleted whole when its
  reference starts before the cutoff day (``HtmlWindow.quotes_since``: from the window's
  ``drift_reports`` rows, read before any partition goes, else the kind's default reference).
* ``detections``, ``judge_verdicts`` and ``flagged_cases`` are partitioned by the date they were
  computed, which says nothing about their transcripts' age. A row goes when a transcript it names is
  no longer in the lake (a case when *any* of its members is gone: its evidence may quote that one;
  the next case build recreates it from the members that remain). A file whose rows all go is
  deleted; a file with some is rewritten without them, atomically under the same name.
* Review samples, review verdicts, published feedback and the feedback datasets are not touched:
  they hold case ids and the reviewed, redacted text only.

Derived rows and reports are removed before the transcripts, so a run that dies midway leaves
nothing that points at a deleted transcript, and running it again finishes the job. Everything goes
through a ``LakeStorage``, so the same rule applies to a lake on disk and on S3 (where a rewrite is
one PUT of the file's key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from pathlib import PurePath

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.drift.store import HtmlWindow, html_windows
from warehouse.layout import LakeLayout, Table
from warehouse.storage import LakeStorage, as_storage

EXPIRING_TABLES = (Table.TRANSCRIPTS, Table.DEAD_LETTERS, Table.DRIFT_REPORTS)
DERIVED_TABLES = (Table.DETECTIONS, Table.JUDGE_VERDICTS, Table.FLAGGED_CASES)

_AGE = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$")


def parse_age(text: str) -> timedelta:
    """``"30d"``, ``"4w"`` or ``"30"`` (days) as a timedelta; a ``ValueError`` otherwise."""
    match = _AGE.match(text.lower())
    if match is None:
        raise ValueError("an age is a whole number of days or weeks, like 30d or 4w")
    number, unit = int(match.group(1)), match.group(2) or "d"
    return timedelta(weeks=number) if unit == "w" else timedelta(days=number)


@dataclass(frozen=True)
class Partition:
    table: Table
    day: date
    path: PurePath
    files: int
    rows: int


@dataclass(frozen=True)
class DerivedFile:
    table: Table
    path: PurePath
    rows: int
    removed: int

    @property
    def action(self) -> str:
        return "delete" if self.removed == self.rows else "rewrite"


@dataclass
class RetentionPlan:
    """What ``apply_retention`` will do; counts and paths only, never content."""

    cutoff: date
    storage: LakeStorage = field(repr=False)  # where the plan was made, and is carried out
    partitions: list[Partition] = field(default_factory=list)
    derived: list[DerivedFile] = field(default_factory=list)
    html_reports: list[HtmlWindow] = field(default_factory=list)  # report windows quoting expired days
    # Ids of the transcripts that stay, as planned: the rewrite removes exactly the planned rows.
    kept_ids: pa.Array = field(default_factory=lambda: pa.array([], pa.string()), repr=False)

    def rows_by_table(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for part in self.partitions:
            counts[part.table.value] = counts.get(part.table.value, 0) + part.rows
        for item in self.derived:
            counts[item.table.value] = counts.get(item.table.value, 0) + item.removed
        return counts

    def html_files(self) -> int:
        """Evidently report files the plan deletes."""
        return sum(window.files for window in self.html_reports)


def plan_retention(lake: LakeStorage | LakeLayout, cutoff: date) -> RetentionPlan:
    """Partitions dated before ``cutoff``, the derived rows whose transcripts they hold, and reports quoting them.

    Args:
        lake: the lake's storage (a layout: the lake on local disk).
        cutoff: the first day kept; partitions with an earlier ``dt`` expire.
    """
    storage = as_storage(lake)
    plan = RetentionPlan(cutoff, storage)
    for table in EXPIRING_TABLES:
        for day, path in storage.partitions(table):
            if day < cutoff:
                files = storage.files(table, day)
                rows = sum(storage.row_count(f) for f in files)
                plan.partitions.append(Partition(table, day, path, len(files), rows))
    plan.html_reports = [w for w in html_windows(storage) if w.quotes_since.astimezone(UTC).date() < cutoff]
    kept = plan.kept_ids = _kept_transcript_ids(storage, cutoff)
    for table in DERIVED_TABLES:
        for file in storage.files(table):
            rows, gone = _gone_mask(storage, table, file, kept)
            removed = int(pc.sum(gone).as_py() or 0)
            if removed:
                plan.derived.append(DerivedFile(table, file, rows, removed))
    return plan


def apply_retention(plan: RetentionPlan) -> RetentionPlan:
    """Carry out ``plan``: derived rows, then reports, then whole partitions; returns the plan carried out."""
    storage = plan.storage
    storage.delete(item.path for item in plan.derived if item.action == "delete")
    for item in plan.derived:
        if item.action == "rewrite":
            table = storage.read_parquet(item.path)
            _rows, gone = _gone_mask(storage, item.table, item.path, plan.kept_ids, table)
            storage.write_parquet(table.filter(pc.invert(gone)), item.path)
    for window in plan.html_reports:
        storage.delete_partition(window.path)
    for part in plan.partitions:
        storage.delete_partition(part.path)
    return plan


def _kept_transcript_ids(storage: LakeStorage, cutoff: date) -> pa.Array:
    ids = [
        storage.read_parquet(file, columns=["transcript_id"]).column(0)
        for day, _path in storage.partitions(Table.TRANSCRIPTS)
        if day >= cutoff
        for file in storage.files(Table.TRANSCRIPTS, day)
    ]
    if not ids:
        return pa.array([], pa.string())
    return pc.unique(pa.chunked_array([c for chunked in ids for c in chunked.chunks], pa.string()))


def _gone_mask(
    storage: LakeStorage, table: Table, path: PurePath, kept: pa.Array, data: pa.Table | None = None
) -> tuple[int, pa.Array]:
    """(rows in the file, a boolean mask of the rows whose transcripts are gone)."""
    if table is Table.FLAGGED_CASES:
        columns = ["representative_transcript_id", "transcript_ids"]
        data = data if data is not None else storage.read_parquet(path, columns=columns)
        members = data.column("transcript_ids").combine_chunks()
        flat = pc.list_flatten(members)
        missing = pc.invert(pc.is_in(flat, value_set=kept))
        parents = pc.list_parent_indices(members)
        gone_parents = pc.unique(pc.filter(parents, missing))
        index = pa.array(range(data.num_rows), pa.int64())
        gone = pc.or_(
            pc.is_in(index, value_set=gone_parents.cast(pa.int64())),
            pc.invert(pc.is_in(data.column("representative_transcript_id"), value_set=kept)),
        )
        return data.num_rows, gone.combine_chunks() if isinstance(gone, pa.ChunkedArray) else gone
    data = data if data is not None else storage.read_parquet(path, columns=["transcript_id"])
    gone = pc.invert(pc.is_in(data.column("transcript_id"), value_set=kept))
    return data.num_rows, gone.combine_chunks() if isinstance(gone, pa.ChunkedArray) else gone
