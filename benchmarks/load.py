"""Load benchmark: 1M simulated transcripts through a 4-partition topic into two ingest processes.

Run with the project's environment: ``uv run python benchmarks/load.py [--transcripts 1000000]``.
Starts a local broker unless ``KAFKA_BOOTSTRAP_SERVERS`` is set; deletes its topic and lake at the end.

The producer runs while two ``python -m pipelines.cli ingest --follow`` processes (one consumer group)
consume, so the lag is what a reader sees in production: for every stored message, the time from its
send (the Kafka CreateTime the producer stamped) to the moment its Parquet file was renamed into the lake
(the file's mtime), i.e. the moment it became queryable. ``--rate`` caps the producer (0: as fast as it
goes; then the lag also measures the backlog the ingest could not keep up with).

Memory: the RSS of each ingest process plus its writer process, sampled every 0.5 s, printed at
25/50/75/100% of the messages committed, and the peak. The last line is machine-readable:
``msgs_per_s=<x> lag_p99_s=<y> peak_rss_mb=<m>``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARTITIONS = 4
PROCESSES = 2


class Sent:
    """Send time (ms since epoch) of every produced message, by partition and offset."""

    def __init__(self, capacity: int) -> None:
        self.stamps = [np.zeros(capacity, dtype=np.int64) for _ in range(PARTITIONS)]
        self.count = 0
        self.errors = 0

    def ok(self, metadata) -> None:
        self.stamps[metadata.partition][metadata.offset] = metadata.timestamp
        self.count += 1

    def failed(self, _exc: BaseException) -> None:
        self.errors += 1


def produce(bootstrap: str, topic: str, transcripts: int, rate: float, sent: Sent, done: threading.Event) -> None:
    from kafka import KafkaProducer

    from pipelines.simulate.traffic import SimulationConfig, generate

    config = SimulationConfig(transcripts=transcripts, bad_message_rate=0.0, duplicate_rate=0.0, seed=11)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks=1, linger_ms=20, batch_size=1 << 20, max_request_size=8 << 20
    )
    started = time.monotonic()
    try:
        for i, message in enumerate(generate(config, datetime.now(UTC))):
            # Keyed by conversation, as production traffic is: spreads over the 4 partitions.
            producer.send(topic, key=message.key, value=message.value).add_callback(sent.ok).add_errback(sent.failed)
            if rate and (ahead := started + i / rate - time.monotonic()) > 0:
                time.sleep(ahead)
        producer.flush()
    finally:
        producer.close()
        done.set()


def process_rss_mb(proc: psutil.Process) -> float:
    """RSS of one ingest process and its writer process(es), MB."""
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / (1 << 20)


def committed_total(bootstrap: str, topic: str, group: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in range(PARTITIONS))
    finally:
        consumer.close()


def lag_seconds(lake: Path, sent: Sent) -> np.ndarray:
    """Per stored message: file mtime (queryable) minus its send time, seconds."""
    lags = []
    for path in (lake / "transcripts").rglob("*.parquet"):
        queryable_ms = path.stat().st_mtime_ns // 1_000_000
        columns = pq.read_table(path, columns=["partition", "offset"]).to_pydict()
        partition = columns["partition"][0]  # one partition per file (see LakeLayout.batch_file)
        offsets = np.asarray(columns["offset"], dtype=np.int64)
        lags.append((queryable_ms - sent.stamps[partition][offsets]) / 1000.0)
    return np.concatenate(lags) if lags else np.zeros(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcripts", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=0.0, help="producer messages/s (0: unthrottled)")
    parser.add_argument("--batch-records", type=int, default=5_000)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()

    from kafka import KafkaAdminClient

    from pipelines.testing.kafka_broker import LocalKafka, create_topic

    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if not bootstrap:
        broker = LocalKafka(heap="1g").start()
        bootstrap = broker.bootstrap
    home = Path(tempfile.mkdtemp(prefix="alignwatch-load-"))
    topic = create_topic(bootstrap, f"bench.load.{uuid.uuid4().hex[:8]}", PARTITIONS)
    group = f"bench-load-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "ALIGNWATCH_TOPIC": topic,
        "ALIGNWATCH_GROUP": group,
        "ALIGNWATCH_HOME": str(home),
        "ALIGNWATCH_BATCH_RECORDS": str(args.batch_records),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "ingest", "--follow"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(home / f"ingest-{n}.log", "wb"),  # noqa: SIM115
        )
        for n in range(PROCESSES)
    ]
    watched = [psutil.Process(p.pid) for p in procs]
    sent = Sent(args.transcripts)
    produced = threading.Event()
    try:
        time.sleep(3)  # let both processes join the group, so the split is in place when traffic starts
        started = time.monotonic()
        producer = threading.Thread(
            target=produce, args=(bootstrap, topic, args.transcripts, args.rate, sent, produced), daemon=True
        )
        producer.start()
        peak = [0.0] * PROCESSES
        marks = iter((25, 50, 75, 100))
        mark = next(marks)
        committed = 0
        last_check = 0.0
        while committed < args.transcripts:
            if time.monotonic() - started > args.timeout:
                raise SystemExit(f"timed out with {committed} of {args.transcripts} committed")
            for proc in procs:
                if proc.poll() is not None:
                    raise SystemExit(f"ingest process {proc.pid} exited with {proc.returncode}; see {home}")
            rss = [process_rss_mb(p) for p in watched]
            peak = [max(a, b) for a, b in zip(peak, rss, strict=True)]
            if time.monotonic() - last_check >= 1.0:
                committed = committed_total(bootstrap, topic, group)
                last_check = time.monotonic()
                while mark is not None and committed >= args.transcripts * mark / 100:
                    print(
                        f"{mark:3d}% committed at {time.monotonic() - started:6.1f}s: RSS per ingest process "
                        f"(with its writer) {', '.join(f'{r:.0f} MB' for r in rss)}",
                        flush=True,
                    )
                    mark = next(marks, None)
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        producer.join(timeout=60)
        produced_s = sent.count
        lags = lag_seconds(home / "lake", sent)
        stored_bytes = sum(p.stat().st_size for p in (home / "lake").rglob("*.parquet"))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            admin.delete_topics([topic])
        finally:
            admin.close()
        shutil.rmtree(home, ignore_errors=True)
        if broker is not None:
            broker.close()

    rate = args.transcripts / elapsed
    print(f"produced {produced_s} transcripts ({sent.errors} send errors) into {PARTITIONS} partitions")
    print(f"ingested {args.transcripts} in {elapsed:.1f}s with {PROCESSES} processes: {rate:.0f} msgs/s; lake {stored_bytes / 1e9:.2f} GB")
    print(
        f"lag send->queryable over {lags.size} messages: p50 {np.percentile(lags, 50):.2f}s, "
        f"p99 {np.percentile(lags, 99):.2f}s, max {lags.max():.2f}s"
    )
    print(f"peak RSS per ingest process (with its writer): {', '.join(f'{p:.0f} MB' for p in peak)}")
    print(f"msgs_per_s={rate:.0f} lag_p99_s={np.percentile(lags, 99):.2f} peak_rss_mb={max(peak):.0f}")


if __name__ == "__main__":
    main()
