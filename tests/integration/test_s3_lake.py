"""The lake on S3-compatible object storage: moto's S3 server as its own process on loopback.

Ingest and every derived table (detections, cases, review queue and verdicts, drift rows and their
HTML reports) write objects, retention deletes and rewrites them, and nothing lands on local disk.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from detectors.registry import all_detectors
from pipelines.cli.app import app
from pipelines.cli.datasets import datasets_app
from pipelines.cli.drift import drift_app
from pipelines.cli.review import review_app
from pipelines.detect.scoring import ScoringReport, score_pending
from pipelines.drift.run import DriftOptions, compute_drift, write_drift
from pipelines.ingest.batch_writer import BatchWriter
from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import ConfigError, KafkaSettings, lake_store
from pipelines.simulate.traffic import SimulationConfig, generate
from tests.integration.helpers import BAD_MESSAGES, produce, transcript, valid_messages
from tests.retention_cli import run_retention
from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.store import html_relpath, report_file
from warehouse.drift.windows import TimeRange, WindowKind, last_complete_window
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.dataset_store import dataset_store
from warehouse.feedback.datasets import (
    DatasetExistsError,
    build_dataset,
    last_build,
    list_versions,
    read_manifest,
)
from warehouse.feedback.reviews import NewVerdict, Verdict, record_verdict, record_verdicts
from warehouse.feedback.sampling import refresh_review_queue
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout, Table
from warehouse.object_store import ObjectStoreLake, S3Config
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch
from warehouse.storage import ObjectStorage

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SECRET = f"secret-{uuid.uuid4().hex}"
# The simulator's two days of traffic end here; its model update lands at midnight between them.
SIM_NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


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


def make_bucket(endpoint: str) -> str:
    import boto3  # noqa: PLC0415 - a moto dependency, used only to make the bucket

    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> dict[str, str]:
    env = {
        "ALIGNWATCH_LAKE_URL": f"s3://{make_bucket(s3_endpoint)}/prod/lake",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_ingest_writes_objects_and_duckdb_reads_them(kafka_broker, kafka_topic, s3_env, tmp_path):
    ids, values = valid_messages(120)
    produce(kafka_broker.bootstrap, kafka_topic, values[:60] + [BAD_MESSAGES["not_json"]] + values[60:])
    limits = IngestLimits(batch_records=50, idle_seconds=2.0)
    settings = KafkaSettings(
        bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=f"g-{uuid.uuid4().hex[:6]}"
    )
    # The default path: validation and the write in the worker process, which must reach the store too.
    ingestor = TranscriptIngestor(
        build_consumer(settings, limits), LakeLayout(tmp_path / "unused"), limits, workers=1
    )
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


# No scheme, no bucket, other clouds.
@pytest.mark.parametrize("url", ["bucket/prefix", "s3://", "gs://bucket/x"])
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


@dataclass(frozen=True)
class ScoredLake:
    warehouse: Warehouse
    store: ObjectStoreLake
    local: Path  # the lake directory the warehouse is given: nothing may appear there
    scoring: ScoringReport


def simulate_and_score(store: ObjectStoreLake, local: Path) -> ScoredLake:
    """Two days of simulated traffic ingested into the store's bucket, then scored by every detector."""
    messages = generate(SimulationConfig(transcripts=1_500, seed=7), SIM_NOW)
    raws = [RawMessage("sim", 0, offset, m.key, m.value) for offset, m in enumerate(messages)]
    write_batch(ObjectStorage(store), validate_batch(raws, SIM_NOW))
    warehouse = Warehouse(LakeLayout(local), store=store)
    scoring = score_pending(warehouse, all_detectors(), clock=lambda: SIM_NOW)
    return ScoredLake(warehouse, store, local, scoring)


@pytest.fixture(scope="module")
def scored_lake(s3_endpoint, tmp_path_factory) -> ScoredLake:
    config = S3Config(s3_endpoint, "test-key", SECRET, "us-east-1")
    store = ObjectStoreLake(f"s3://{make_bucket(s3_endpoint)}/prod/lake", config)
    return simulate_and_score(store, tmp_path_factory.mktemp("s3-lake") / "lake")


def count(warehouse: Warehouse, sql: str, parameters: list | None = None) -> int:
    return warehouse.query(sql, parameters).column(0)[0].as_py()


def test_scoring_writes_detections_to_the_bucket(scored_lake):
    lake, warehouse = scored_lake, scored_lake.warehouse
    transcripts = count(warehouse, "SELECT count(*) FROM transcripts")
    assert lake.scoring.transcripts == transcripts > 1_000
    assert all(path.startswith("s3://") for path in lake.scoring.files)
    assert sorted(lake.scoring.files) == [f"s3://{key}" for key in lake.store.files(Table.DETECTIONS)]
    # The views read the objects back: one row per transcript and detector.
    assert count(warehouse, "SELECT count(*) FROM detections") == transcripts * len(all_detectors())
    flagged = count(warehouse, "SELECT count(*) FROM detections WHERE flagged")
    assert flagged == sum(lake.scoring.flagged.values()) > 0
    # A second run reads what the first wrote and finds nothing left to score.
    assert score_pending(warehouse, all_detectors(), clock=lambda: SIM_NOW).rows == 0
    assert not lake.local.exists()


def test_cases_review_queue_and_verdicts_go_to_the_bucket(scored_lake):
    lake, warehouse = scored_lake, scored_lake.warehouse
    cases = refresh_cases(warehouse, SIM_NOW)
    assert cases.cases > 0 and cases.file is not None and cases.file.startswith("s3://")
    assert lake.store.files(Table.FLAGGED_CASES) == [cases.file.removeprefix("s3://")]
    assert count(warehouse, "SELECT count(*) FROM flagged_cases") == cases.cases

    sample = refresh_review_queue(warehouse, SIM_NOW, budget_per_day=5)
    assert sample.selected > 0 and sample.file is not None and sample.file.startswith("s3://")
    assert lake.store.files(Table.REVIEW_SAMPLES) == [sample.file.removeprefix("s3://")]
    assert count(warehouse, "SELECT count(*) FROM review_samples WHERE selected") == sample.selected

    case_id = warehouse.query("SELECT case_id FROM review_samples WHERE selected ORDER BY case_id LIMIT 1")
    verdict = NewVerdict(case_id.column(0)[0].as_py(), Verdict.DISMISSED, "alice")
    verdict_id = record_verdict(warehouse, verdict, SIM_NOW + timedelta(minutes=5))
    assert len(lake.store.files(Table.REVIEW_VERDICTS)) == 1
    assert warehouse.query("SELECT verdict_id FROM review_verdicts").column(0).to_pylist() == [verdict_id]
    assert not lake.local.exists()


def test_drift_rows_and_html_reports_go_to_the_bucket(scored_lake):
    lake, warehouse = scored_lake, scored_lake.warehouse
    window = last_complete_window(WindowKind.DAILY, SIM_NOW)
    run = compute_drift(warehouse, WindowKind.DAILY, window, SIM_NOW, DriftOptions(sample_per_side=300))
    stored = write_drift(warehouse, run)
    assert stored.startswith("s3://")
    assert lake.store.files(Table.DRIFT_REPORTS) == [stored.removeprefix("s3://")]
    assert (
        count(warehouse, "SELECT count(*) FROM drift_reports WHERE window_kind = 'daily'") == run.rows.height
    )
    assert not run.detected.is_empty()  # the simulated model update shows, read from the bucket

    # Each segment's Evidently report is an object at the key its rows name, relative to the lake.
    linked = set(run.rows["report_html"].drop_nulls())
    assert linked and {f"s3://{lake.store.base}/{relpath}" for relpath in linked} == set(run.html_files)
    filesystem = lake.store.filesystem()
    for url in run.html_files:
        with filesystem.open_input_stream(url.removeprefix("s3://")) as report:
            assert b"<html" in report.read().lower()
    assert not lake.local.exists()


def test_retention_dry_run_lists_then_apply_deletes_objects(s3_env, tmp_path):
    today = datetime.now(UTC).date()
    old, new = today - timedelta(days=40), today - timedelta(days=2)
    at = lambda day: f"{day.isoformat()}T09:00:00Z"  # noqa: E731
    documents = [
        transcript("old-1", created_at=at(old)),
        transcript("old-2", created_at=at(old)),
        transcript("new-1", created_at=at(new)),
    ]
    raws = [RawMessage("t", 0, offset, None, json.dumps(d).encode()) for offset, d in enumerate(documents)]
    raws.append(RawMessage("t", 0, 99, None, b"{broken"))
    store = lake_store()
    assert store is not None
    write_batch(ObjectStorage(store), validate_batch(raws, datetime.combine(old, datetime.min.time(), UTC)))
    warehouse = Warehouse(LakeLayout(tmp_path / "lake"), store=store)
    score_pending(warehouse, all_detectors())
    detectors = len(all_detectors())
    objects = {table: store.files(table) for table in Table}
    assert objects[Table.DETECTIONS] and objects[Table.DEAD_LETTERS]

    dry = run_retention(["apply", "--older-than", "30d", "--dry-run"], tmp_path, s3_env)
    assert dry.returncode == 0, dry.stderr
    assert f"dt={old.isoformat()}" in dry.stdout
    assert f"would delete dead_letters 1, detections {2 * detectors}, transcripts 2" in dry.stdout
    assert {table: store.files(table) for table in Table} == objects  # a dry run deletes nothing

    done = run_retention(["apply", "--older-than", "30d"], tmp_path, s3_env)
    assert done.returncode == 0, done.stderr
    assert f"deleted dead_letters 1, detections {2 * detectors}, transcripts 2" in done.stdout
    assert SECRET not in done.stdout + done.stderr + dry.stdout + dry.stderr
    assert not any(f"dt={old.isoformat()}" in key for key in store.files(Table.TRANSCRIPTS))
    assert store.files(Table.DEAD_LETTERS) == []
    ids = lambda sql: sorted(warehouse.query(sql).column(0).to_pylist())  # noqa: E731
    assert ids("SELECT transcript_id FROM transcripts") == ["new-1"]
    assert ids("SELECT transcript_id FROM detections_raw") == ["new-1"] * detectors
    assert not (tmp_path / "lake").exists()
    again = run_retention(["apply", "--older-than", "30d", "--dry-run"], tmp_path, s3_env)
    assert "would delete nothing" in again.stdout


@pytest.fixture
def cli_lake(s3_env, tmp_path, monkeypatch) -> ScoredLake:
    """A scored lake in the bucket of ``ALIGNWATCH_LAKE_URL``, with ``ALIGNWATCH_HOME`` a fresh folder."""
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    store = lake_store()
    assert store is not None
    return simulate_and_score(store, tmp_path / "lake")


def test_review_commands_follow_the_lake_url(cli_lake):
    lake, runner = cli_lake, CliRunner()
    refreshed = runner.invoke(review_app, ["refresh"])
    assert refreshed.exit_code == 0, refreshed.output
    assert (
        len(lake.store.files(Table.FLAGGED_CASES)) == 1 and len(lake.store.files(Table.REVIEW_SAMPLES)) == 1
    )
    pending = lake.warehouse.query("SELECT case_id FROM review_samples WHERE selected ORDER BY case_id")
    case_id = pending.column(0)[0].as_py()

    listed = runner.invoke(review_app, ["list", "--limit", "1000"])
    assert listed.exit_code == 0 and case_id in listed.output
    shown = runner.invoke(review_app, ["show", case_id])
    assert shown.exit_code == 0 and case_id in shown.output and "detectors that fired" in shown.output

    judged = runner.invoke(review_app, ["verdict", case_id, "--dismiss", "--reviewer", "alice"])
    assert judged.exit_code == 0, judged.output
    assert len(lake.store.files(Table.REVIEW_VERDICTS)) == 1
    assert case_id in runner.invoke(review_app, ["list", "--status", "dismissed"]).output
    assert case_id not in runner.invoke(review_app, ["list", "--limit", "1000"]).output
    assert not lake.local.exists()


def test_drift_run_follows_the_lake_url(cli_lake):
    lake = cli_lake
    ran = CliRunner().invoke(drift_app, ["run", "--window", "daily", "--at", "2026-11-26T12:00"])
    assert ran.exit_code == 0, ran.output
    [stored] = lake.store.files(Table.DRIFT_REPORTS)
    assert f"stored: s3://{stored}" in ran.output.replace("\n", "")
    assert "Detector rates that rose" in ran.output  # the simulated model update, read from the bucket
    rows = lake.warehouse.query(
        "SELECT DISTINCT report_html FROM drift_reports WHERE report_html IS NOT NULL"
    )
    reports = rows.column(0).to_pylist()
    filesystem = lake.store.filesystem()
    assert reports and all(
        filesystem.get_file_info(f"{lake.store.base}/{relpath}").is_file for relpath in reports
    )
    assert not lake.local.exists()


def test_cli_names_a_bad_lake_url_and_exits_cleanly(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("ALIGNWATCH_LAKE_URL", "gs://bucket/lake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    for sub_app, args in ((review_app, ["list"]), (drift_app, ["run"]), (datasets_app, ["build"])):
        result = CliRunner().invoke(sub_app, args)
        assert result.exit_code == 2, result.output
        assert "ALIGNWATCH_LAKE_URL" in result.output and SECRET not in result.output
        assert "error:" in result.output
    assert not (tmp_path / "lake").exists()


def test_ingest_from_file_writes_objects(s3_env, tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("ALIGNWATCH_REDACT_PII", "1")  # honoured on this path too
    export = tmp_path / "export.jsonl"
    lines = [json.dumps(transcript(f"file-{i}")) for i in range(3)]
    lines.insert(
        1, json.dumps(transcript("mail", messages=[{"role": "user", "content": "I am ann@example.com"}]))
    )
    lines.append("{broken")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    ran = CliRunner().invoke(app, ["ingest", "--from-file", str(export)])
    assert ran.exit_code == 0, ran.output
    assert "4 transcripts, 1 dead letters" in ran.output
    store = lake_store()
    assert store is not None and len(store.files(Table.TRANSCRIPTS)) == 1
    wh = Warehouse(LakeLayout(tmp_path / "lake"), store=store)
    ids = wh.query("SELECT transcript_id FROM transcripts ORDER BY transcript_id").column(0).to_pylist()
    assert ids == ["file-0", "file-1", "file-2", "mail"]
    messages = wh.query("SELECT messages FROM transcripts WHERE transcript_id = 'mail'").column(0)[0].as_py()
    assert "ann@example.com" not in messages and "[EMAIL_ADDRESS]" in messages
    # The bad line is a dead letter at its line number, as from disk.
    assert wh.query('SELECT "offset", error_kind FROM dead_letters').to_pylist() == [
        {"offset": 5, "error_kind": "not_json"}
    ]
    assert not (tmp_path / "lake").exists()


def test_retention_deletes_expired_drift_html_objects(s3_env, tmp_path):
    store = lake_store()
    assert store is not None
    storage = Warehouse(LakeLayout(tmp_path / "lake"), store=store).storage
    today = datetime.now(UTC).date()
    windows = {
        "old": TimeRange(
            *(datetime.combine(today - timedelta(days=d), datetime.min.time(), UTC) for d in (40, 39))
        ),
        "new": TimeRange(
            *(datetime.combine(today - timedelta(days=d), datetime.min.time(), UTC) for d in (2, 1))
        ),
    }
    # A recent window compared with a fixed baseline that starts before the cutoff: its reports quote
    # prompts of expired days. Retention reads that reference from the window's drift_reports row.
    windows["baseline"] = TimeRange(
        *(datetime.combine(today - timedelta(days=d), datetime.min.time(), UTC) for d in (20, 19))
    )
    keys = {
        name: [storage.layout.root / html_relpath(WindowKind.DAILY, w, f"bot-{i}", "p") for i in range(2)]
        for name, w in windows.items()
    }
    for key in keys["old"] + keys["new"] + keys["baseline"]:
        storage.write_bytes(b"<html>characteristic examples</html>", key)
    baseline = windows["baseline"]
    rows = [
        {
            "run_at": baseline.end,
            "window_kind": "daily",
            "window_start": baseline.start,
            "window_end": baseline.end,
            "reference_start": baseline.start - timedelta(days=15),
            "reference_end": baseline.start - timedelta(days=8),
            "deployment": f"bot-{i}",
            "policy_id": "p",
            "kind": "feature",
            "subject": "user_prompt",
            "tested": True,
            "significant": True,
            "detected": True,
            "model": "all",
            "report_html": html_relpath(WindowKind.DAILY, baseline, f"bot-{i}", "p"),
        }
        for i in range(2)
    ]
    storage.write_parquet(
        pa.Table.from_pylist(rows, schema=DRIFT_REPORTS),
        report_file(storage.layout, WindowKind.DAILY, baseline),
    )
    filesystem = store.filesystem()
    exists = lambda key: filesystem.get_file_info(str(key)).is_file  # noqa: E731

    dry = run_retention(["apply", "--older-than", "30d", "--dry-run"], tmp_path, s3_env)
    assert dry.returncode == 0, dry.stderr
    starts = [f"daily/{windows[name].start:%Y-%m-%dT%H:%M}" for name in ("old", "baseline")]
    assert all(start in dry.stdout for start in starts)
    assert "would delete drift_html 4 files" in " ".join(dry.stdout.split())
    assert all(exists(key) for key in keys["old"] + keys["new"] + keys["baseline"])

    done = run_retention(["apply", "--older-than", "30d"], tmp_path, s3_env)
    assert done.returncode == 0, done.stderr
    assert "deleted drift_html 4 files" in " ".join(done.stdout.split())
    assert not any(exists(key) for key in keys["old"] + keys["baseline"])
    assert all(exists(key) for key in keys["new"])
    again = run_retention(["apply", "--older-than", "30d", "--dry-run"], tmp_path, s3_env)
    assert "would delete nothing" in again.stdout
    assert not (tmp_path / "lake").exists()


def test_feedback_datasets_live_in_the_bucket_and_exist_once_their_manifest_does(cli_lake):
    lake, runner = cli_lake, CliRunner()
    refresh_cases(lake.warehouse, SIM_NOW)
    confirmed = load_cases(lake.warehouse)["case_id"].to_list()[:5]
    verdicts = [NewVerdict(c, Verdict.CONFIRMED, "ann", corrected_response="Escalating.") for c in confirmed]
    record_verdicts(lake.warehouse, verdicts, SIM_NOW)
    store = dataset_store(lake.warehouse.storage)

    built = runner.invoke(datasets_app, ["build"])
    assert built.exit_code == 0, built.output
    assert f"v0001 -> s3://{lake.store.base}/feedback_datasets/v0001" in built.output.replace("\n", "")
    manifest = read_manifest(store, "v0001")
    assert manifest is not None and manifest["source"]["confirmed_cases"] == len(confirmed)
    filesystem = lake.store.filesystem()
    for name, described in manifest["files"].items():  # every file the manifest names, byte for byte
        with filesystem.open_input_stream(f"{store.root}/v0001/{name}") as source:
            assert hashlib.sha256(source.read()).hexdigest() == described["sha256"]
    assert last_build(store)["version"] == "v0001"
    assert "nothing new" in runner.invoke(datasets_app, ["build"]).output

    # A build that died after its files and before its manifest: invisible, and its number not reused.
    filesystem.open_output_stream(f"{store.root}/v0002/sft.jsonl").close()
    assert [m["version"] for m in list_versions(store)] == ["v0001"]
    assert runner.invoke(datasets_app, ["show", "2"]).exit_code == 2
    assert "v0003 -> s3://" in runner.invoke(datasets_app, ["build", "--force"]).output
    listed = runner.invoke(datasets_app, ["list"])
    assert "v0001" in listed.output and "v0003" in listed.output and "v0002" not in listed.output
    shown = runner.invoke(datasets_app, ["show", "v0003", "--records"])
    assert json.loads(shown.output)["records"][0]["case_id"] in confirmed

    # An existing version is never overwritten.
    with pytest.raises(DatasetExistsError):
        build_dataset(lake.warehouse, SIM_NOW, version="v0003", skip_if_unchanged=False)
    assert read_manifest(store, "v0003")["created_at"] == json.loads(shown.output)["created_at"]
    assert not lake.local.exists()
