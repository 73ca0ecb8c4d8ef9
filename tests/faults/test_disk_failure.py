"""The lake's disk refuses writes: nothing is committed, the log says where and why, ingest recovers.

Two faults: the table directory made read-only (``chattr +i`` as root, who ignores permission bits;
``chmod`` otherwise) and a full disk (a tiny tmpfs, only where this process may mount one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import KafkaSettings
from tests.faults.support import Lake, committed_offsets, wait_until
from tests.integration.helpers import produce, valid_messages
from warehouse.layout import LakeLayout, Table

pytestmark = pytest.mark.integration

MESSAGES = 600


class ReadOnlyDir:
    """The table directory refuses new files; cleared by making it writable again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.errno_name = "EPERM" if os.geteuid() == 0 else "EACCES"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            self.directory.chmod(0o555)
        elif shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(self.directory)]).returncode:
            pytest.skip("running as root and chattr +i is not available here")

    def clear(self) -> None:
        if os.geteuid() != 0:
            self.directory.chmod(0o755)
        else:
            subprocess.run(["chattr", "-i", str(self.directory)], check=True)

    cleanup = clear


class FullDisk:
    """The lake on a 1 MiB tmpfs filled to the last byte; cleared by freeing the space."""

    errno_name = "ENOSPC"

    def __init__(self, mount_point: Path) -> None:
        self.mount_point = mount_point
        self.filler = mount_point / "filler"

    def start(self) -> None:
        self.mount_point.mkdir(parents=True, exist_ok=True)
        mount = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(self.mount_point)]
        if subprocess.run(mount, capture_output=True).returncode:
            pytest.skip("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)")
        with contextlib.suppress(OSError), open(self.filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()

    def clear(self) -> None:
        self.filler.unlink()
        subprocess.run(["mount", "-o", "remount,size=64m", str(self.mount_point)], check=True)

    def cleanup(self) -> None:
        subprocess.run(["umount", "-l", str(self.mount_point)], check=False)


@pytest.mark.parametrize("fault", ["read_only", "disk_full"])
def test_failed_lake_writes_commit_nothing_and_recover(fault, kafka_broker, kafka_topic, tmp_path, caplog):
    ids, values = valid_messages(MESSAGES)
    produce(kafka_broker.bootstrap, kafka_topic, values)
    lake_root = tmp_path / "lake"
    group = f"disk-{uuid.uuid4().hex[:8]}"
    limits = IngestLimits(batch_records=200, retry_seconds=0.5)
    settings = KafkaSettings(bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=group)

    disk = ReadOnlyDir(LakeLayout(lake_root).table_dir(Table.TRANSCRIPTS)) if fault == "read_only" else FullDisk(lake_root)
    caplog.set_level(logging.ERROR, logger="pipelines.ingest.consumer")
    stop = threading.Event()
    try:
        disk.start()
        ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(lake_root), limits)
        follower = threading.Thread(target=ingestor.follow, args=(stop,))
        follower.start()
        try:
            wait_until(lambda: _failures(caplog) >= 2, 60, "the write failure to be logged twice (retried)")
            assert committed_offsets(kafka_broker.bootstrap, kafka_topic, group) == {0: None}
            assert Lake(lake_root).count() == 0
            assert ingestor.metrics.failures.labels("write")._value.get() >= 2
            disk.clear()
            # The fault is gone: the same follow loop stores everything and commits.
            wait_until(lambda: Lake(lake_root).count() == MESSAGES, 60, "every transcript after the fault cleared")
            wait_until(
                lambda: committed_offsets(kafka_broker.bootstrap, kafka_topic, group) == {0: MESSAGES}, 30, "the commit"
            )
        finally:
            stop.set()
            follower.join(timeout=60)
            ingestor.close()
        assert sorted(Lake(lake_root).ids()) == sorted(ids)
        assert not list(lake_root.rglob("*.tmp")), "a failed write left its temp file behind"
    finally:
        disk.cleanup()

    message = next(r.getMessage() for r in caplog.records if "batch not stored" in r.getMessage())
    assert disk.errno_name in message, message
    assert str(lake_root) in message, message  # the path, so an operator knows which disk
    assert "Where is order" not in caplog.text  # never transcript text


def _failures(caplog) -> int:
    return sum("batch not stored" in r.getMessage() for r in caplog.records)
