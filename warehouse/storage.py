"""Where lake files are written, listed, read and deleted: a local directory or an object store.

Every writer of a lake table goes through a ``LakeStorage`` (``Warehouse.storage``), so one code path
serves both. Paths are those of ``storage.layout``: under the lake root on disk, and on S3 the same
layout relative to ``bucket/prefix`` (keys like ``bucket/prefix/detections/dt=.../<run>.parquet``).

On disk a write goes to a temp name, is fsynced and renamed into place (``warehouse.writer``). On S3
a PUT, or a completed multipart upload, is atomic per object, so the final key is written directly.
Either way a reader sees a file whole or not at all.
"""

from __future__ import annotations

import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from warehouse.layout import PARQUET_SUFFIX, TEMP_PREFIX, LakeLayout, Table
from warehouse.writer import write_atomically, write_parquet_atomically

if TYPE_CHECKING:
    from warehouse.object_store import ObjectStoreLake

_PARTITION = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")


def data_files(filesystem: pafs.FileSystem, directory: str) -> list[str]:
    """Parquet files under ``directory`` at any depth, sorted; hidden and in-flight temp files excluded."""
    selector = pafs.FileSelector(directory, recursive=True, allow_not_found=True)
    return sorted(
        info.path
        for info in filesystem.get_file_info(selector)
        if info.type == pafs.FileType.File
        and info.base_name.endswith(PARQUET_SUFFIX)
        and not info.base_name.startswith((TEMP_PREFIX, "."))
    )


def day_partitions(filesystem: pafs.FileSystem, directory: str) -> list[tuple[date, str]]:
    """``(day, path)`` of each ``dt=YYYY-MM-DD`` folder directly under ``directory``, oldest first."""
    found = []
    for info in filesystem.get_file_info(pafs.FileSelector(directory, allow_not_found=True)):
        match = _PARTITION.match(info.base_name)
        if match and info.type == pafs.FileType.Directory:
            found.append((date.fromisoformat(match.group(1)), info.path))
    return sorted(found)


class LakeStorage(ABC):
    """Writes, listing, reads and deletes of lake files, on disk or on an object store."""

    @property
    @abstractmethod
    def layout(self) -> LakeLayout:
        """The layout whose paths this storage takes and returns."""

    @abstractmethod
    def filesystem(self) -> pafs.FileSystem:
        """The pyarrow filesystem the layout's paths live on."""

    @abstractmethod
    def write_parquet(self, table: pa.Table, path: PurePath) -> str:
        """Write ``table`` at ``path``, whole and durable when this returns; returns where it went."""

    @abstractmethod
    def write_bytes(self, data: bytes, path: PurePath) -> str:
        """Write ``data`` at ``path`` (same guarantees as ``write_parquet``); returns where it went."""

    @abstractmethod
    def delete(self, paths: Iterable[PurePath]) -> None:
        """Delete files (missing ones are fine) and any partition folder they leave empty."""

    @abstractmethod
    def delete_partition(self, path: PurePath) -> None:
        """Delete a whole partition folder and every file in it (a missing one is fine)."""

    def write_run_file(self, table: Table, day: date, run_id: str, rows: pa.Table) -> str:
        """Write the rows of one run as ``<table>/dt=<day>/<run_id>.parquet``; returns where it went."""
        return self.write_parquet(rows, self.layout.run_file(table, day, run_id))

    def files(self, table: Table, day: date | None = None) -> list[PurePath]:
        """Data files of ``table`` (or of its ``day`` partition), sorted."""
        directory = self.layout.table_dir(table) if day is None else self.layout.partition_dir(table, day)
        return [self._path(p) for p in data_files(self.filesystem(), str(directory))]

    def partitions(self, table: Table) -> list[tuple[date, PurePath]]:
        """``(day, folder)`` of each day partition of ``table``, oldest first."""
        return [
            (day, self._path(p))
            for day, p in day_partitions(self.filesystem(), str(self.layout.table_dir(table)))
        ]

    def read_parquet(self, path: PurePath, columns: list[str] | None = None) -> pa.Table:
        """One file's rows (no partition column added)."""
        with self.filesystem().open_input_file(str(path)) as source:
            return pq.ParquetFile(source).read(columns=columns)

    def row_count(self, path: PurePath) -> int:
        """Rows in one file, from its footer."""
        return pq.read_metadata(str(path), filesystem=self.filesystem()).num_rows

    def _path(self, native: str) -> PurePath:
        return type(self.layout.root)(native)


@dataclass(frozen=True)
class DiskStorage(LakeStorage):
    """The lake in a local directory: temp file, fsync, atomic rename, fsync of the directory."""

    root: Path

    @property
    def layout(self) -> LakeLayout:
        return LakeLayout(self.root)

    def filesystem(self) -> pafs.FileSystem:
        return pafs.LocalFileSystem()

    def write_parquet(self, table: pa.Table, path: PurePath) -> str:
        return str(write_parquet_atomically(table, Path(path)))

    def write_bytes(self, data: bytes, path: PurePath) -> str:
        return str(write_atomically(Path(path), lambda sink: sink.write(data)))

    def delete(self, paths: Iterable[PurePath]) -> None:
        folders = set()
        for path in paths:
            Path(path).unlink(missing_ok=True)
            folders.add(Path(path).parent)
        for folder in folders:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def delete_partition(self, path: PurePath) -> None:
        shutil.rmtree(Path(path), ignore_errors=True)


@dataclass(frozen=True)
class ObjectStorage(LakeStorage):
    """The lake on S3-compatible storage: one PUT per file at its final key, no temp names."""

    store: ObjectStoreLake

    @property
    def layout(self) -> LakeLayout:
        return self.store.layout

    def filesystem(self) -> pafs.FileSystem:
        return self.store.filesystem()

    def write_parquet(self, table: pa.Table, path: PurePath) -> str:
        return self.store.write_table(table, str(path))

    def write_bytes(self, data: bytes, path: PurePath) -> str:
        with self.filesystem().open_output_stream(str(path), compression=None) as sink:
            sink.write(data)
        return f"s3://{path}"

    def delete(self, paths: Iterable[PurePath]) -> None:
        filesystem = self.filesystem()
        folders = set()
        for path in paths:
            try:
                filesystem.delete_file(str(path))
            except FileNotFoundError:
                pass
            folders.add(PurePosixPath(path).parent)
        for folder in folders:
            # pyarrow leaves a folder marker object when the last file under a prefix goes; drop it.
            if not filesystem.get_file_info(pafs.FileSelector(str(folder), allow_not_found=True)):
                self.delete_partition(folder)

    def delete_partition(self, path: PurePath) -> None:
        try:
            self.filesystem().delete_dir(str(path))
        except FileNotFoundError:
            pass


def as_storage(target: LakeLayout | LakeStorage) -> LakeStorage:
    """A storage for callers that still pass a layout (a local lake)."""
    return DiskStorage(target.root) if isinstance(target, LakeLayout) else target
