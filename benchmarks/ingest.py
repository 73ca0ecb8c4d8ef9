"""Ingest benchmark: raw kafka-python consume rate vs. end-to-end ingest rate, and peak memory.

Run with the project's environment: ``uv run python benchmarks/ingest.py [--transcripts 100000]``.
Starts a local broker unless ``KAFKA_BOOTSTRAP_SERVERS`` is set. Each measurement runs in its own
process so peak RSS belongs to that measurement alone. The last line is machine-readable:
``ingest_ratio=<b/a> raw_msgs_per_s=<a> ingest_msgs_per_s=<b> peak_rss_mb=<c>``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def produce(bootstrap: str, topic: str, transcripts: int) -> tuple[int, int, float]:
    from kafka import KafkaProducer

    from pipelines.simulate.traffic import SimulationConfig, generate

    config = SimulationConfig(transcripts=transcripts, bad_message_rate=0.0, duplicate_rate=0.0, seed=11)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks=1, linger_ms=20, batch_size=1 << 20, compression_type=None, max_request_size=8 << 20
    )
    started = time.perf_counter()
    count = size = 0
    for message in generate(config, datetime.now(UTC)):
        producer.send(topic, key=message.key, value=message.value)
        count += 1
        size += len(message.value)
    producer.flush()
    producer.close()
    return count, size, time.perf_counter() - started


def child_raw(bootstrap: str, topic: str, expected: int) -> dict:
    """Consume with a fresh group and do nothing with the records."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=5_000,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )
    seen = 0
    started = None
    while seen < expected:
        for records in consumer.poll(timeout_ms=1000).values():
            started = started or time.perf_counter()
            seen += len(records)
    elapsed = time.perf_counter() - started
    consumer.close(autocommit=False)
    return {"messages": seen, "seconds": elapsed}


def child_ingest(bootstrap: str, topic: str, expected: int, batch_records: int) -> dict:
    """Consume, validate, write Parquet durably and commit, exactly as production does."""
    from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
    from pipelines.settings import KafkaSettings
    from warehouse.layout import LakeLayout

    settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=f"bench-ingest-{uuid.uuid4().hex[:6]}")
    limits = IngestLimits(batch_records=batch_records, max_messages=expected, idle_seconds=10.0)
    lake = Path(tempfile.mkdtemp(prefix="alignwatch-bench-lake-"))
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(lake), limits)
    report = ingestor.drain()
    ingestor.close()
    # Timed like (a): from the first records polled to the last commit, group join excluded.
    return {"messages": report.messages, "transcripts": report.transcripts, "seconds": report.finished_at - report.first_record_at}


def run_child(mode: str, bootstrap: str, topic: str, expected: int, batch_records: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--bootstrap", bootstrap, "--topic", topic,
         "--transcripts", str(expected), "--batch-records", str(batch_records)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transcripts", type=int, default=100_000)
    parser.add_argument("--batch-records", type=int, default=5_000)
    parser.add_argument("--child", choices=["raw", "ingest"])
    parser.add_argument("--bootstrap")
    parser.add_argument("--topic")
    args = parser.parse_args()

    if args.child:
        result = (child_raw if args.child == "raw" else child_ingest)(
            args.bootstrap, args.topic, args.transcripts, *([args.batch_records] if args.child == "ingest" else [])
        )
        # The ingest's writer runs in a child process: report the larger of the two peaks.
        peaks = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        result["peak_rss_mb"] = max(peaks) / 1024
        result["peak_rss_mb_sum"] = sum(peaks) / 1024
        print(json.dumps(result))
        return

    from pipelines.testing.kafka_broker import LocalKafka, create_topic

    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if not bootstrap:
        broker = LocalKafka(heap="1g").start()
        bootstrap = broker.bootstrap
    try:
        topic = create_topic(bootstrap, f"bench.ingest.{uuid.uuid4().hex[:8]}", 1)
        count, size, seconds = produce(bootstrap, topic, args.transcripts)
        print(f"produced {count} transcripts, mean {size / count / 1024:.1f} KiB, in {seconds:.1f}s")

        raw = run_child("raw", bootstrap, topic, count, args.batch_records)
        print(f"(a) raw consume: {raw['messages']} msgs in {raw['seconds']:.2f}s = {raw['messages'] / raw['seconds']:.0f} msgs/s, peak RSS {raw['peak_rss_mb']:.0f} MB")
        ingest = run_child("ingest", bootstrap, topic, count, args.batch_records)
        print(f"(b) ingest:      {ingest['messages']} msgs in {ingest['seconds']:.2f}s = {ingest['messages'] / ingest['seconds']:.0f} msgs/s")
        print(
            f"(c) ingest peak RSS: {ingest['peak_rss_mb']:.0f} MB per process, {ingest['peak_rss_mb_sum']:.0f} MB consumer + writer "
            f"(batch of {args.batch_records} messages)"
        )
        quarter = run_child("ingest", bootstrap, topic, count // 4, args.batch_records)
        print(f"    same ingest over a quarter of the topic: peak RSS {quarter['peak_rss_mb']:.0f} MB (flat memory: bounded by the batch, not the topic)")
        raw_rate = raw["messages"] / raw["seconds"]
        ingest_rate = ingest["messages"] / ingest["seconds"]
        print(
            f"ingest_ratio={ingest_rate / raw_rate:.3f} raw_msgs_per_s={raw_rate:.0f} "
            f"ingest_msgs_per_s={ingest_rate:.0f} peak_rss_mb={ingest['peak_rss_mb']:.0f}"
        )
    finally:
        if broker is not None:
            broker.close()


if __name__ == "__main__":
    main()
