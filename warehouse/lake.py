"""Write validated batches into the lake, one file per (table, day, source partition, batch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.layout import LakeLayout, Table
from warehouse.records import ValidatedBatch
from warehouse.storage import LakeStorage, as_storage


@dataclass
class WrittenFiles:
    paths: list[str] = field(default_factory=list)  # local paths, or s3:// URLs
    transcripts: int = 0
    dead_letters: int = 0


def write_batch(target: LakeLayout | LakeStorage, batch: ValidatedBatch) -> WrittenFiles:
    """Durably write one validated batch (a layout: the local lake); every file is whole when this returns.

    Transcripts are partitioned by event date (``created_at``), dead letters by ingest date.
    """
    storage = as_storage(target)
    written = WrittenFiles(transcripts=batch.transcripts.num_rows, dead_letters=batch.dead_letters.num_rows)
    for table, time_column, rows in (
        (Table.TRANSCRIPTS, "created_at", batch.transcripts),
        (Table.DEAD_LETTERS, "ingested_at", batch.dead_letters),
    ):
        for day, source, partition, part in split_by_day_and_partition(rows, time_column):
            offsets = part.column("offset")
            path = storage.layout.batch_file(
                table, day, source, partition, pc.min(offsets).as_py(), pc.max(offsets).as_py()
            )
            written.paths.append(storage.write_parquet(part, path))
    return written


def split_by_day_and_partition(table: pa.Table, time_column: str) -> list[tuple[date, str, int, pa.Table]]:
    """Group rows by UTC day of ``time_column`` and by (topic, partition), keeping row order."""
    if table.num_rows == 0:
        return []
    days = pc.cast(table.column(time_column), pa.date32())
    keyed = table.append_column("__day", days)
    groups = keyed.group_by(["__day", "topic", "partition"], use_threads=False).aggregate([])
    parts = []
    for day, source, partition in zip(
        groups.column("__day").to_pylist(),
        groups.column("topic").to_pylist(),
        groups.column("partition").to_pylist(),
        strict=True,
    ):
        mask = pc.and_(
            pc.and_(pc.equal(keyed.column("__day"), pa.scalar(day, pa.date32())), pc.equal(keyed.column("topic"), source)),
            pc.equal(keyed.column("partition"), partition),
        )
        parts.append((day, source, partition, table.filter(mask)))
    return parts
