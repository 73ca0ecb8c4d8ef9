"""The lake on S3-compatible object storage: moto's S3 server as its own process on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipelines.ingest.batch_writer import BatchWriter
from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import ConfigError, KafkaSettings, lake_store
from tests.integration.helpers import BAD_MESSAGES, produce, transcript, valid_messages
from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse
from warehouse.records import RawMessage

pytestmark = pytest.mark.integration

SECRET = f"secret-{uuid.uuid4().hex}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> dict[str, str]:
    import boto3  # noqa: PLC0415 - a moto dependency, used only to make the bucket

    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    env = {
        "ALIGNWATCH_LAKE_URL": f"s3://{bucket}/prod/lake",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
    }
    boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_ingest_writes_objects_and_duckdb_reads_them(kafka_broker, kafka_topic, s3_env, tmp_path):
    ids, values = valid_messages(120)
    produce(kafka_broker.bootstrap, kafka_topic, values[:60] + [BAD_MESSAGES["not_json"]] + values[60:])
    limits = IngestLimits(batch_records=50, idle_seconds=2.0)
    settings = KafkaSettings(bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=f"g-{uuid.uuid4().hex[:6]}")
    # The default path: validation and the write in the worker process, which must reach the store too.
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(tmp_path / "unused"), limits, workers=1)
    try:
        report = ingestor.drain()
    finally:
        ingestor.close()
    assert report.transcripts == 120 and report.dead_letters == 1
    assert all(path.startswith("s3://") for path in report.files)
    assert not (tmp_path / "unused").exists()  # nothing went to local disk

    store = lake_store()
    assert store is not None and len(store.files(Table.TRANSCRIPTS)) == 3  # 50 + 50 + 21 messages
    wh = Warehouse(LakeLayout(tmp_path / "unused"), store=store)
    stored = wh.query("SELECT transcript_id FROM transcripts").column(0).to_pylist()
    assert sorted(stored) == sorted(ids)
    day = wh.query("SELECT DISTINCT dt FROM transcripts").column(0).to_pylist()
    assert [str(d) for d in day] == ["2026-11-01"]  # the Hive partition as a DATE, as on disk
    assert wh.query("SELECT error_kind FROM dead_letters").column(0).to_pylist() == ["not_json"]
    # Tables with no objects yet still answer (empty, right shape).
    assert wh.query("SELECT count(*) FROM detections").column(0)[0].as_py() == 0


def test_redelivered_batch_replaces_its_own_object(s3_env, tmp_path):
    writer = BatchWriter(tmp_path, 1 << 20, workers=0)
    rows = [("t", 0, i, None, json.dumps(transcript(f"dup-{i}")).encode()) for i in range(5)]
    first = writer.submit([RawMessage(*r) for r in rows], datetime.now(UTC)).result()
    second = writer.submit([RawMessage(*r) for r in rows], datetime.now(UTC)).result()
    assert first.paths == second.paths  # same offsets, same key: an overwrite, not a copy
    wh = Warehouse(LakeLayout(tmp_path), store=lake_store())
    assert wh.query("SELECT count(*) FROM transcripts_raw").column(0)[0].as_py() == 5


@pytest.mark.parametrize("url", ["bucket/prefix", "s3://", "gs://bucket/x"])  # no scheme, no bucket, other clouds
def test_bad_lake_url_names_the_setting(url):
    with pytest.raises(ConfigError) as info:
        lake_store({"ALIGNWATCH_LAKE_URL": url, "AWS_SECRET_ACCESS_KEY": SECRET})
    assert "ALIGNWATCH_LAKE_URL" in str(info.value) and SECRET not in str(info.value)


def test_secret_not_in_repr(s3_env):
    store = lake_store()
    assert SECRET not in repr(store)


def test_local_disk_stays_the_default(monkeypatch):
    monkeypatch.delenv("ALIGNWATCH_LAKE_URL", raising=False)
    assert lake_store() is None
