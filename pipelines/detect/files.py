"""``alignwatch detect``: score a JSON Lines file of transcripts and write the detections table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from detectors.base import Detector
from detectors.runner import run_detectors
from pipelines.ingest.files import read_lines
from warehouse import schemas
from warehouse.records import validate_batch

BATCH_LINES = 20_000


@dataclass
class DetectFileReport:
    transcripts: int = 0
    rows: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def detect_file(source: Path, output: Path, detectors: Sequence[Detector], batch_lines: int = BATCH_LINES) -> DetectFileReport:
    """Stream ``source`` in batches through validation and the detectors into ``output``."""
    report = DetectFileReport()
    scored_at = datetime.now(UTC)
    output.parent.mkdir(parents=True, exist_ok=True)
    lines = read_lines(source)
    parquet_writer = None
    with open(output, "wb") as sink:
        try:
            while chunk := list(islice(lines, batch_lines)):
                batch = validate_batch(chunk, scored_at)
                dead = batch.dead_letters
                report.invalid.extend(zip(dead.column("offset").to_pylist(), dead.column("reason").to_pylist(), strict=True))
                rows = run_detectors(pl.from_arrow(batch.transcripts), detectors, scored_at)
                report.transcripts += batch.transcripts.num_rows
                report.rows += rows.height
                if output.suffix == ".parquet":
                    table = rows.to_arrow().cast(schemas.DETECTIONS)
                    parquet_writer = parquet_writer or pq.ParquetWriter(sink, schemas.DETECTIONS, compression="zstd")
                    parquet_writer.write_table(table)
                else:
                    rows.with_columns(pl.col("scored_at").dt.to_string("%Y-%m-%dT%H:%M:%S%.6fZ")).write_ndjson(sink)
            if output.suffix == ".parquet" and parquet_writer is None:
                parquet_writer = pq.ParquetWriter(sink, schemas.DETECTIONS, compression="zstd")
        finally:
            if parquet_writer is not None:
                parquet_writer.close()
    return report
