"""Incremental scoring support: which transcripts still lack a row for a detector version."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import pyarrow as pa

from warehouse import schemas
from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse, deduplicated
from warehouse.storage import LakeStorage, as_storage


def transcript_days(warehouse: Warehouse) -> list[date]:
    """The event days that hold transcripts, oldest first: the ``dt`` partitions, listed, not read."""
    return [
        day
        for day, _ in warehouse.storage.partitions(Table.TRANSCRIPTS)
        if warehouse.storage.files(Table.TRANSCRIPTS, day)
    ]


def pending_batches(
    warehouse: Warehouse, detectors: Sequence[tuple[str, str]], day: date, batch_rows: int = 20_000
) -> Iterator[pa.RecordBatch]:
    """Stream the transcripts of event ``day`` that lack a detection for any ``(name, version)``.

    Each batch has the transcripts table's columns plus ``pending_detectors`` (list of names), so
    every transcript is scored once per detector version, however often the job runs. Detections
    live in their transcript's ``dt`` partition, so one day's work reads only that day's files.
    """
    if not detectors:
        return
    values = ", ".join("(?, ?)" for _ in detectors)
    parameters = [item for pair in detectors for item in pair]
    sql = f"""
        WITH wanted(detector, detector_version) AS (VALUES {values}),
        day_transcripts AS ({deduplicated(Table.TRANSCRIPTS, "dt = ?")}),
        missing AS (
            SELECT t.transcript_id, w.detector
            FROM day_transcripts t CROSS JOIN wanted w
            ANTI JOIN (SELECT transcript_id, detector, detector_version FROM detections_raw WHERE dt = ?) d
              ON d.transcript_id = t.transcript_id AND d.detector = w.detector
             AND d.detector_version = w.detector_version
        ),
        pending AS (SELECT transcript_id, list(detector ORDER BY detector) AS pending_detectors FROM missing GROUP BY 1)
        SELECT t.* EXCLUDE (dt), p.pending_detectors
        FROM day_transcripts t JOIN pending p USING (transcript_id)
        ORDER BY t.created_at, t.transcript_id
    """
    with warehouse.connect() as con:
        reader = con.sql(sql, params=[*parameters, day, day]).to_arrow_reader(batch_rows)
        yield from reader


def write_detections(storage: LakeStorage | LakeLayout, rows: pa.Table, run_id: str, day: date) -> str:
    """Durably write one batch of detection rows to ``storage`` (a layout: local disk); returns where it went."""
    table = rows.select(schemas.DETECTIONS.names).cast(schemas.DETECTIONS)
    return as_storage(storage).write_run_file(Table.DETECTIONS, day, run_id, table)
