"""Helpers for fault tests: ingest subprocesses, bounded waits, and what the warehouse holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

REPO = Path(__file__).resolve().parents[2]


def ingest_env(bootstrap: str, topic: str, group: str, home: Path, batch_records: int = 200, **extra: str) -> dict:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "ALIGNWATCH_TOPIC": topic,
        "ALIGNWATCH_GROUP": group,
        "ALIGNWATCH_HOME": str(home),
        "ALIGNWATCH_BATCH_RECORDS": str(batch_records),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_ingest(env: dict, *args: str, log: Path | None = None) -> subprocess.Popen:
    """``python -m pipelines.cli ingest ARGS`` in its own process group; output to ``log``."""
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "ingest", *args],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log is not None:
            out.close()


def stop_ingest(proc: subprocess.Popen, timeout: float = 60.0) -> int:
    """SIGTERM (follow mode finishes its batch and exits); SIGKILL the group if it overruns."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class Lake:
    """What the warehouse views show for one ALIGNWATCH_HOME."""

    def __init__(self, root: Path) -> None:
        self.warehouse = Warehouse(LakeLayout(root))

    def ids(self) -> list[str]:
        return self.warehouse.query("SELECT transcript_id FROM transcripts").column("transcript_id").to_pylist()

    def raw_rows(self) -> int:
        return self.warehouse.query("SELECT count(*) AS n FROM transcripts_raw").column("n")[0].as_py()

    def dead_letters(self) -> list[dict]:
        return self.warehouse.query('SELECT error_kind, reason, raw, "partition", "offset" FROM dead_letters').to_pylist()

    def dead_letter_rows(self) -> int:
        return self.warehouse.query("SELECT count(*) AS n FROM dead_letters_raw").column("n")[0].as_py()

    def count(self) -> int:
        try:
            return self.warehouse.query("SELECT count(*) AS n FROM transcripts").column("n")[0].as_py()
        except Exception:  # noqa: BLE001 - a file renamed while the glob ran: ask again next time
            return -1


def committed_offsets(bootstrap: str, topic: str, group: str, partitions: int = 1) -> dict[int, int | None]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        consumer.close()


def end_offsets(bootstrap: str, topic: str, partitions: int = 1) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()
