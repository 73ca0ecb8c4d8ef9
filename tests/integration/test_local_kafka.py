"""The local Kafka broker itself: real produce/consume, offsets across restarts, big messages."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from pipelines.testing.kafka_broker import LocalKafka, broker_is_up, create_topic

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


def _produce(bootstrap: str, topic: str, values: list[bytes], **config: object) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **config)
    try:
        for value in values:
            producer.send(topic, value=value)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)


def _consume(consumer: KafkaConsumer, want: int, timeout_s: float = 30.0) -> list:
    got: list = []
    deadline = time.monotonic() + timeout_s
    while len(got) < want and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500, max_records=want - len(got)).values():
            got.extend(records)
    return got


def _group_consumer(bootstrap: str, topic: str, group: str, **config: object) -> KafkaConsumer:
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **config,
    )


def test_produce_and_consume_50_with_consumer_group(kafka_broker, kafka_topic):
    values = [f"msg-{i:03d}".encode() for i in range(50)]
    _produce(kafka_broker.bootstrap, kafka_topic, values)

    consumer = _group_consumer(kafka_broker.bootstrap, kafka_topic, f"g-{uuid.uuid4().hex[:8]}")
    try:
        records = _consume(consumer, 50)
        assert [r.value for r in records] == values
        assert [r.offset for r in records] == list(range(50))
        consumer.commit()
        assert consumer.committed(TopicPartition(kafka_topic, 0)) == 50
    finally:
        consumer.close()


@pytest.mark.parametrize("kafka_topic", [3], indirect=True)
def test_kafka_topic_fixture_partitions(kafka_broker, kafka_topic):
    consumer = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap)
    try:
        assert consumer.partitions_for_topic(kafka_topic) == {0, 1, 2}
    finally:
        consumer.close()


@pytest.mark.slow
def test_committed_offsets_survive_restart_and_crash(kafka_broker):
    """A second broker next to the session one; stop/start and SIGKILL/start keep offsets."""
    with LocalKafka() as broker:
        assert broker.bootstrap != kafka_broker.bootstrap
        assert broker_is_up(kafka_broker.bootstrap)  # two brokers side by side

        topic = create_topic(broker.bootstrap, "restart-me")
        group = "restart-group"
        tp = TopicPartition(topic, 0)
        _produce(broker.bootstrap, topic, [f"m{i}".encode() for i in range(30)])

        consumer = _group_consumer(broker.bootstrap, topic, group, max_poll_records=20)
        try:
            first = _consume(consumer, 20)
            assert [r.offset for r in first] == list(range(20))
            consumer.commit({tp: OffsetAndMetadata(20, "", -1)})
        finally:
            consumer.close()

        port, data_dir = broker.port, broker.data_dir
        broker.restart()  # graceful: SIGTERM + start, same dir and ports
        assert (broker.port, broker.data_dir) == (port, data_dir)
        assert broker.is_running()

        consumer = _group_consumer(broker.bootstrap, topic, group)
        try:
            assert consumer.committed(tp) == 20
            rest = _consume(consumer, 10)
            assert [r.value for r in rest] == [f"m{i}".encode() for i in range(20, 30)]
            consumer.commit()
        finally:
            consumer.close()

        broker.restart(kill=True)  # crash: SIGKILL + start
        assert broker.bootstrap.endswith(f":{port}")
        _produce(broker.bootstrap, topic, [b"after-crash"])
        consumer = _group_consumer(broker.bootstrap, topic, group)
        try:
            assert consumer.committed(tp) == 30
            after = _consume(consumer, 1)
            assert [(r.offset, r.value) for r in after] == [(30, b"after-crash")]
        finally:
            consumer.close()


def test_broker_accepts_2mib_message(kafka_broker, kafka_topic):
    """The broker takes > 1 MiB records (message.max.bytes = 8 MiB), so a size limit the
    product enforces on the consumer side is what tests exercise, not a broker rejection."""
    big = os.urandom(2 * MiB)
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all", max_request_size=8 * MiB)
    try:
        meta = producer.send(kafka_topic, value=big).get(timeout=30)
        assert meta.offset == 0
        producer.send(kafka_topic, value=b"small").get(timeout=30)
    finally:
        producer.close(timeout=10)

    consumer = KafkaConsumer(
        kafka_topic,
        bootstrap_servers=kafka_broker.bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    try:
        records = _consume(consumer, 2)
        assert len(records) == 2
        assert records[0].value == big
        assert records[1].value == b"small"
    finally:
        consumer.close()


@pytest.mark.slow
def test_cli_start_prints_bootstrap_and_stops_on_sigterm(tmp_path):
    data_dir = tmp_path / "kafka"
    cli = REPO_ROOT / "infra" / "kafka" / "broker.py"
    proc = subprocess.Popen(
        [sys.executable, str(cli), "start", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 90)
        assert ready, "no output from broker.py start within 90 s"
        line = proc.stdout.readline().strip()
        assert line.startswith("KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:"), (line, proc.stderr.read())
        bootstrap = line.split("=", 1)[1]
        assert (data_dir / "bootstrap.txt").read_text().strip() == bootstrap
        assert broker_is_up(bootstrap)
        create_topic(bootstrap, "cli-topic")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not (data_dir / "bootstrap.txt").exists()
        assert not broker_is_up(bootstrap, timeout=1)
        assert (data_dir / "kraft-logs" / "cli-topic-0").is_dir()  # data dir kept
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
