"""Where feedback dataset versions are kept: a folder on disk, or a prefix of the object-store lake.

A version is a folder ``vNNNN/`` holding its files and a ``manifest.json``, and it exists once its
manifest does: listings and reads skip a version folder without one.

On disk the folder is filled under a temporary name and renamed into place while a file lock on the
root is held, so a version appears whole and two builders on one machine never take the same number.

On S3 there is no rename and no lock. The files are PUT under ``vNNNN/`` first and the manifest last,
so a reader sees the version only once it is whole. The number is the next after every version folder
present, manifest or not: a builder that died leaves a folder without a manifest, which stays invisible
and whose number is not reused. Two builders that list the folders before either has written a file
would take the same number, so the object-store lake assumes a single writer: the daily
``feedback_dataset_job`` (Dagster's feedback stage). A clash that shows is still caught: the manifest key
is checked before the files are written and again before the manifest is, and an existing manifest stops
the build with ``DatasetExistsError``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pyarrow.fs as pafs

from warehouse.storage import DiskStorage, LakeStorage
from warehouse.writer import fsync_directory

DATASETS_DIR = "feedback_datasets"
MANIFEST = "manifest.json"
LAST_BUILD = "last_build.json"  # every build run, including those that found nothing new
VERSION = re.compile(r"^v(\d{4,})$")


class DatasetExistsError(FileExistsError):
    """The version already exists; versions are immutable."""


@dataclass(frozen=True)
class DatasetStore:
    """The dataset versions under ``root``, read and written through ``storage``."""

    storage: LakeStorage
    root: PurePath  # a local Path on disk; ``bucket/prefix/feedback_datasets`` on S3

    @property
    def on_disk(self) -> bool:
        return isinstance(self.storage, DiskStorage)

    def location(self, version: str | None = None) -> str:
        """The root, or a version's folder, as a person would open it (a path, or an ``s3://`` URL)."""
        path = self.root / version if version else self.root
        return str(path) if self.on_disk else f"s3://{path}"

    def manifests(self) -> list[dict[str, Any]]:
        """The manifest of every complete version, oldest first."""
        filesystem = self.storage.filesystem()
        names = sorted(self._version_folders(filesystem), key=lambda name: int(name[1:]))
        candidates = [str(self.root / name / MANIFEST) for name in names]
        present = [info.path for info in filesystem.get_file_info(candidates) if info.is_file]
        return [_read_json(filesystem, path) for path in present]

    def manifest(self, version: str) -> dict[str, Any] | None:
        """``version``'s manifest, or None when it does not exist (yet)."""
        return self.read_json(f"{version}/{MANIFEST}")

    def read_json(self, relpath: str) -> dict[str, Any] | None:
        filesystem = self.storage.filesystem()
        path = str(self.root / relpath)
        return _read_json(filesystem, path) if filesystem.get_file_info(path).is_file else None

    def write_json(self, relpath: str, value: dict[str, Any]) -> None:
        """Replace one small JSON file whole (temp and rename on disk, one PUT on S3)."""
        self.storage.write_bytes(json.dumps(value).encode(), self.root / relpath)

    def next_version(self) -> str:
        """The number after every version folder present, complete or not."""
        numbers = [int(name[1:]) for name in self._version_folders(self.storage.filesystem())]
        return f"v{max(numbers, default=0) + 1:04d}"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive among builders on this machine (disk); no lock on S3 (single writer, see above)."""
        if not self.on_disk:
            yield
            return
        root = Path(self.root)
        root.mkdir(parents=True, exist_ok=True)
        with (root / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def publish(self, version: str, files: dict[str, bytes], manifest: bytes) -> PurePath:
        """Write a new version: its files, then its manifest, which makes it exist; returns its folder.

        Raises:
            DatasetExistsError: the version already exists.
        """
        target = self.root / version
        if self.on_disk:
            return _publish_on_disk(Path(target), files, manifest)
        if self.manifest(version) is not None:
            raise DatasetExistsError(f"dataset version {version} already exists at {self.location(version)}")
        for name, data in files.items():
            self.storage.write_bytes(data, target / name)
        if self.manifest(version) is not None:
            raise DatasetExistsError(f"dataset version {version} was written by another build meanwhile")
        self.storage.write_bytes(manifest, target / MANIFEST)
        return target

    def _version_folders(self, filesystem: pafs.FileSystem) -> list[str]:
        selector = pafs.FileSelector(str(self.root), allow_not_found=True)
        return [
            info.base_name
            for info in filesystem.get_file_info(selector)
            if info.type == pafs.FileType.Directory and VERSION.match(info.base_name)
        ]


def dataset_store(storage: LakeStorage) -> DatasetStore:
    """The dataset versions of a lake: ``feedback_datasets/`` under its root, on disk or on S3."""
    return DatasetStore(storage, storage.layout.root / DATASETS_DIR)


def local_dataset_store(root: Path) -> DatasetStore:
    """Dataset versions in a local folder of any name."""
    return DatasetStore(DiskStorage(root), root)


def _read_json(filesystem: pafs.FileSystem, path: str) -> dict[str, Any]:
    with filesystem.open_input_stream(path) as source:
        return json.loads(source.read().decode("utf-8"))


def _publish_on_disk(target: Path, files: dict[str, bytes], manifest: bytes) -> Path:
    # The caller holds the lock, so the existence check and the rename cannot interleave with another build.
    if target.exists():
        raise DatasetExistsError(f"dataset version {target.name} already exists at {target}")
    staging = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        for name, data in {**files, MANIFEST: manifest}.items():
            _write_durably(staging / name, data)
        fsync_directory(staging)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_directory(target.parent)
    return target


def _write_durably(path: Path, data: bytes) -> None:
    with path.open("wb") as sink:
        sink.write(data)
        sink.flush()
        os.fsync(sink.fileno())
