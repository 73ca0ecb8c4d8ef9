"""Validate and durably write batches, inline or in a worker process.

kafka-python's fetch and record parsing and our validation are both CPU-bound Python. In a worker
process, validation and the Parquet write of batch N overlap with the polling of batch N+1, so
ingest runs near the raw consume rate on two cores instead of at the sum of both costs.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.privacy.logs import guard_payload_loggers
from pipelines.settings import bool_setting, lake_store
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.object_store import ObjectStoreLake
from warehouse.records import LogRecord, RawMessage, validate_batch
from warehouse.storage import ObjectStorage

# (topic, partition, offset, key, value): plain tuples pickle several times faster than objects.
Row = tuple[str, int, int, bytes | None, bytes | None]


@dataclass(frozen=True)
class StoredBatch:
    transcripts: int
    dead_letters: int
    dead_letter_kinds: list[str]
    paths: list[str]


def store_rows(
    lake_root: str,
    rows: Sequence[Row],
    ingested_at: datetime,
    max_bytes: int,
    redact: bool = False,
    store: ObjectStoreLake | None = None,
) -> StoredBatch:
    """Validate ``rows`` and write them durably; returns only counts and paths, never content.

    With ``redact``, personal data is replaced before the write, so the raw text never reaches disk.
    With ``store``, files go to object storage instead of ``lake_root``.
    """
    batch = validate_batch((RawMessage(*row) for row in rows), ingested_at, max_bytes)
    if redact:
        from pipelines.privacy.redaction import redact_batch  # noqa: PLC0415 - polars only when enabled

        batch = redact_batch(batch)
    try:
        written = write_batch(ObjectStorage(store) if store else LakeLayout(Path(lake_root)), batch)
    except OSError as exc:
        if exc.filename is not None or store:
            raise
        # A failed write() or fsync (ENOSPC, EIO) names no file; name the lake, so the log says which disk.
        raise OSError(exc.errno, exc.strerror or str(exc), lake_root) from exc
    return StoredBatch(
        written.transcripts,
        written.dead_letters,
        batch.dead_letters.column("error_kind").to_pylist(),
        written.paths,
    )


def to_rows(records: Sequence[LogRecord]) -> list[Row]:
    return [(r.topic, r.partition, r.offset, r.key, r.value) for r in records]


def _worker_init() -> None:
    _exit_with_parent()
    # pyarrow imports pandas lazily on first use (~1 s); pay it at start, not in the first batch.
    validate_batch([RawMessage("warm-up", 0, 0, None, b"{}")], datetime.now(UTC))


def _exit_with_parent() -> None:
    """If the ingest process is killed, its writer must not outlive it (Linux PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


class BatchWriter:
    """Runs ``store_rows`` inline (``workers=0``) or in one worker process (``workers=1``)."""

    def __init__(self, lake_root: Path, max_bytes: int, workers: int = 1, redact: bool | None = None) -> None:
        self.lake_root = str(lake_root)
        self.max_bytes = max_bytes
        # None: ALIGNWATCH_REDACT_PII decides, so every ingest path (CLI, Dagster) honours it.
        self.redact = bool_setting("ALIGNWATCH_REDACT_PII", False) if redact is None else redact
        # Every ingest path (CLI, Dagster) builds a writer next to its consumer: payloads stay out of logs.
        guard_payload_loggers()
        # ALIGNWATCH_LAKE_URL=s3://... moves the lake to object storage; unset, lake_root on disk.
        self.store = lake_store()
        self._pool = (
            ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init)
            if workers
            else None
        )
        if self._pool is not None:
            # Start the worker now, so its imports overlap with the consumer joining its group.
            self._pool.submit(int)

    def submit(self, records: Sequence[LogRecord], ingested_at: datetime) -> Future[StoredBatch]:
        rows = to_rows(records)
        if self._pool is not None:
            return self._pool.submit(
                store_rows, self.lake_root, rows, ingested_at, self.max_bytes, self.redact, self.store
            )
        future: Future[StoredBatch] = Future()
        try:
            future.set_result(
                store_rows(self.lake_root, rows, ingested_at, self.max_bytes, self.redact, self.store)
            )
        except Exception as exc:  # noqa: BLE001 - delivered through the future, like the pool does
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
