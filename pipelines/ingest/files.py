"""Load exported transcript logs (JSON Lines) through the same validation path as Kafka."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from pipelines.privacy.redaction import redact_batch
from pipelines.settings import bool_setting
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.records import RawMessage, validate_batch

FILE_BATCH_LINES = 20_000


@dataclass
class FileIngestReport:
    lines: int = 0
    transcripts: int = 0
    dead_letters: int = 0
    files: list[Path] = field(default_factory=list)


def read_lines(path: Path) -> Iterator[RawMessage]:
    """Each line of ``path`` as a raw message; its source is ``file:<name>`` and offset the line number."""
    source = f"file:{path.name}"
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield RawMessage(source, 0, number, None, stripped)


def ingest_file(
    path: Path, layout: LakeLayout, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES, batch_lines: int = FILE_BATCH_LINES
) -> FileIngestReport:
    """Validate and store every line; bad lines go to the dead-letter table with their line number."""
    report = FileIngestReport()
    redact = bool_setting("ALIGNWATCH_REDACT_PII", False)
    lines = read_lines(path)
    while chunk := list(islice(lines, batch_lines)):
        batch = validate_batch(chunk, datetime.now(UTC), max_bytes)
        written = write_batch(layout, redact_batch(batch) if redact else batch)
        report.lines += len(chunk)
        report.transcripts += written.transcripts
        report.dead_letters += written.dead_letters
        report.files.extend(written.paths)
    return report
