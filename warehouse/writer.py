"""Durable Parquet writes: temp name, fsync, atomic rename, fsync of the directory.

A reader sees a file whole or not at all, and once ``write_parquet_atomically`` returns the
file survives a crash or power loss; only then may the ingest commit its Kafka offsets.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.layout import TEMP_PREFIX

# About 25k rows per row group lets DuckDB scan one file on both cores.
ROW_GROUP_ROWS = 25_000


def write_parquet_atomically(table: pa.Table, path: Path, row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    """Write ``table`` to ``path`` so that the file is complete and durable when this returns."""
    return write_atomically(
        path, lambda sink: pq.write_table(table, sink, row_group_size=row_group_rows, compression="zstd")
    )


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Let ``write`` fill a temp file next to ``path``, fsync it, rename it over ``path``, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}.tmp"
    try:
        with open(temp, "wb") as sink:
            write(sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)
    return path


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable (POSIX needs the directory fsynced too)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(root: Path, older_than_s: float = 3600.0) -> int:
    """Delete temp files left by a writer killed mid-write; returns how many.

    Only files older than ``older_than_s`` go, so a live writer in another process keeps its own.
    """
    removed = 0
    if root.exists():
        cutoff = time.time() - older_than_s
        for temp in root.rglob(f"{TEMP_PREFIX}*.tmp"):
            if temp.stat().st_mtime < cutoff:
                temp.unlink(missing_ok=True)
                removed += 1
    return removed
