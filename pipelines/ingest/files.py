"""Load exported transcript logs (JSON Lines) through the same validation and write path as Kafka."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from pipelines.ingest.batch_writer import Row, store_rows
from pipelines.settings import bool_setting, lake_store
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES
from warehouse.layout import LakeLayout
from warehouse.records import RawMessage

FILE_BATCH_LINES = 20_000


@dataclass
class FileIngestReport:
    lines: int = 0
    transcripts: int = 0
    dead_letters: int = 0
    files: list[str] = field(default_factory=list)  # local paths, or s3:// URLs


def read_lines(path: Path) -> Iterator[RawMessage]:
    """Each line of ``path`` as a raw message; its source is ``file:<name>`` and offset the line number."""
    source = f"file:{path.name}"
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield RawMessage(source, 0, number, None, stripped)


def ingest_file(
    path: Path,
    layout: LakeLayout,
    max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    batch_lines: int = FILE_BATCH_LINES,
) -> FileIngestReport:
    """Validate and store every line; bad lines go to the dead-letter table with their line number.

    Like the Kafka ingest, ``ALIGNWATCH_LAKE_URL`` puts the files on object storage instead of under
    ``layout`` and ``ALIGNWATCH_REDACT_PII`` redacts before anything is written.
    """
    report = FileIngestReport()
    redact = bool_setting("ALIGNWATCH_REDACT_PII", False)
    store = lake_store()
    lines = read_lines(path)
    while chunk := list(islice(lines, batch_lines)):
        rows: list[Row] = [(m.topic, m.partition, m.offset, m.key, m.value) for m in chunk]
        stored = store_rows(str(layout.root), rows, datetime.now(UTC), max_bytes, redact, store)
        report.lines += len(chunk)
        report.transcripts += stored.transcripts
        report.dead_letters += stored.dead_letters
        report.files.extend(stored.paths)
    return report
