"""Score newly ingested transcripts with every registered detector version, in bounded batches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import polars as pl

from detectors.base import Detector
from detectors.runner import run_detectors
from warehouse.detections import pending_batches, transcript_days, write_detections
from warehouse.query import Warehouse


@dataclass
class ScoringReport:
    transcripts: int = 0
    rows: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def score_pending(
    warehouse: Warehouse,
    detectors: Sequence[Detector],
    batch_rows: int = 20_000,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    days: Iterable[date] | None = None,
) -> ScoringReport:
    """Run each detector on the transcripts that lack its current version's row, and store the rows.

    ``days`` limits the work to those event days (one Dagster partition each); by default every
    day in the lake. Rows are written to their transcripts' day, so days never share a file.
    """
    report = ScoringReport()
    run_id = f"{clock():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    wanted = [(d.name, d.version) for d in detectors]
    for day in transcript_days(warehouse) if days is None else days:
        for index, batch in enumerate(pending_batches(warehouse, wanted, day, batch_rows)):
            frame = pl.from_arrow(batch)
            rows = run_detectors(frame, detectors, clock())
            report.transcripts += frame.height
            report.rows += rows.height
            for name, count in rows.filter(pl.col("flagged")).group_by("detector").len().iter_rows():
                report.flagged[name] = report.flagged.get(name, 0) + count
            path = write_detections(warehouse.storage, rows.to_arrow(), f"{run_id}-{index:05d}", day)
            report.files.append(path)
    return report
