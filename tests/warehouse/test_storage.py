"""The lake on local disk through LakeStorage: what listing sees, what writes and deletes leave behind.

The same interface on S3 is exercised end to end in tests/integration/test_s3_lake.py.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse
from warehouse.storage import DiskStorage, as_storage

DAY = date(2026, 11, 1)
LATER = date(2026, 11, 3)
ROWS = pa.table({"transcript_id": ["a", "b"]})


def test_listing_skips_temp_and_hidden_files(tmp_path):
    storage = Warehouse(LakeLayout(tmp_path)).storage
    written = storage.write_run_file(Table.DETECTIONS, DAY, "run-1", ROWS)
    folder = storage.layout.partition_dir(Table.DETECTIONS, DAY)
    # A writer killed mid-write leaves a temp file; editors and OSes leave hidden ones.
    (folder / ".tmp-0123.tmp").write_bytes(b"partial")
    (folder / ".hidden.parquet").write_bytes(b"not ours")
    assert written == str(folder / "run-1.parquet")
    assert storage.files(Table.DETECTIONS) == [folder / "run-1.parquet"]
    assert storage.files(Table.DETECTIONS, LATER) == []
    assert storage.files(Table.TRANSCRIPTS) == []  # a table with no folder yet


def test_partitions_are_day_folders_oldest_first(tmp_path):
    storage = DiskStorage(tmp_path)
    storage.write_run_file(Table.DRIFT_REPORTS, LATER, "w", ROWS)
    storage.write_run_file(Table.DRIFT_REPORTS, DAY, "w", ROWS)
    (storage.layout.table_dir(Table.DRIFT_REPORTS) / "not-a-partition").mkdir()
    assert [day for day, _ in storage.partitions(Table.DRIFT_REPORTS)] == [DAY, LATER]


def test_read_gives_the_file_rows_without_a_partition_column(tmp_path):
    storage = DiskStorage(tmp_path)
    storage.write_run_file(Table.DETECTIONS, DAY, "run-1", ROWS)
    (path,) = storage.files(Table.DETECTIONS)
    assert storage.read_parquet(path).equals(ROWS)
    assert storage.read_parquet(path, columns=["transcript_id"]).num_rows == storage.row_count(path) == 2


def test_delete_removes_files_and_the_folders_they_empty(tmp_path):
    storage = as_storage(LakeLayout(tmp_path))
    storage.write_run_file(Table.DETECTIONS, DAY, "only", ROWS)
    storage.write_run_file(Table.DETECTIONS, LATER, "one", ROWS)
    storage.write_run_file(Table.DETECTIONS, LATER, "two", ROWS)
    gone, kept = (
        storage.layout.partition_dir(Table.DETECTIONS, DAY),
        storage.layout.partition_dir(Table.DETECTIONS, LATER),
    )
    storage.delete([gone / "only.parquet", kept / "one.parquet", kept / "missing.parquet"])
    assert not gone.exists()
    assert storage.files(Table.DETECTIONS) == [kept / "two.parquet"]
    storage.delete_partition(kept)
    storage.delete_partition(kept)  # already gone: nothing to do
    assert storage.files(Table.DETECTIONS) == []


def test_write_bytes_replaces_whole_and_leaves_no_temp_file(tmp_path):
    storage = DiskStorage(tmp_path)
    target = storage.layout.root / "drift_html" / "daily" / "report.html"
    storage.write_bytes(b"<html>first</html>", target)
    assert storage.write_bytes(b"<html>second</html>", target) == str(target)
    assert target.read_bytes() == b"<html>second</html>"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]
