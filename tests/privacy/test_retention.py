"""Retention on a small lake: expired partitions go, derived rows follow their transcripts, the rest stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.integration.helpers import transcript
from warehouse import schemas
from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.store import html_relpath
from warehouse.drift.windows import TimeRange, WindowKind
from warehouse.feedback.schemas import FLAGGED_CASES, REVIEW_VERDICTS
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch
from warehouse.retention import apply_retention, parse_age, plan_retention
from warehouse.storage import DiskStorage
from warehouse.writer import write_parquet_atomically

REPO = Path(__file__).resolve().parents[2]
TODAY = datetime.now(UTC).date()
OLD = TODAY - timedelta(days=40)
NEW = TODAY - timedelta(days=2)
CUTOFF = TODAY - timedelta(days=30)

_DEFAULTS = {
    pa.string(): "x",
    pa.bool_(): False,
    pa.float64(): 0.0,
    pa.int64(): 0,
    pa.int32(): 0,
    pa.date32(): TODAY,
}


def row(schema: pa.Schema, **values) -> dict:
    """A row with every column: given values, else null, else a placeholder for non-null columns."""
    out = {}
    for f in schema:
        if f.name in values:
            out[f.name] = values[f.name]
        elif f.nullable:
            out[f.name] = None
        elif pa.types.is_timestamp(f.type):
            out[f.name] = datetime.now(UTC)
        else:
            out[f.name] = _DEFAULTS[f.type]
    return out


def write(
    layout: LakeLayout, table: Table, day: date, name: str, schema: pa.Schema, rows: list[dict]
) -> Path:
    return write_parquet_atomically(
        pa.Table.from_pylist(rows, schema=schema), layout.run_file(table, day, name)
    )


def at(day: date) -> str:
    return f"{day.isoformat()}T09:00:00Z"


@pytest.fixture
def lake(tmp_path) -> LakeLayout:
    layout = LakeLayout(tmp_path)
    docs = [
        transcript("old-1", created_at=at(OLD)),
        transcript("old-2", created_at=at(OLD)),
        transcript("new-1", created_at=at(NEW)),
    ]
    raws = [RawMessage("t", 0, i, None, json.dumps(d).encode()) for i, d in enumerate(docs)]
    raws.append(RawMessage("t", 0, 99, None, b"{broken"))
    write_batch(layout, validate_batch(raws, datetime.combine(OLD, datetime.min.time(), UTC)))
    det = schemas.DETECTIONS
    # Scored recently (dt=NEW): the partition date says nothing about the transcripts' age.
    write(
        layout,
        Table.DETECTIONS,
        NEW,
        "mixed",
        det,
        [row(det, transcript_id=t) for t in ("old-1", "old-2", "new-1")],
    )
    write(layout, Table.DETECTIONS, NEW, "only-old", det, [row(det, transcript_id="old-1")])
    write(layout, Table.DETECTIONS, NEW, "only-new", det, [row(det, transcript_id="new-1")])
    jv = schemas.JUDGE_VERDICTS
    write(
        layout,
        Table.JUDGE_VERDICTS,
        NEW,
        "j",
        jv,
        [row(jv, transcript_id="old-2"), row(jv, transcript_id="new-1")],
    )
    fc = FLAGGED_CASES
    write(
        layout,
        Table.FLAGGED_CASES,
        NEW,
        "cases",
        fc,
        [
            # A case whose representative stays but one member is gone: its evidence may quote that member.
            row(
                fc,
                case_id="c-mixed",
                representative_transcript_id="new-1",
                transcript_ids=["new-1", "old-1"],
                flags=[],
            ),
            row(
                fc, case_id="c-new", representative_transcript_id="new-1", transcript_ids=["new-1"], flags=[]
            ),
        ],
    )
    dr = DRIFT_REPORTS
    write(layout, Table.DRIFT_REPORTS, OLD, "old-report", dr, [row(dr)])
    write(layout, Table.DRIFT_REPORTS, NEW, "new-report", dr, [row(dr)])
    rv = REVIEW_VERDICTS
    write(layout, Table.REVIEW_VERDICTS, OLD, "verdict", rv, [row(rv, case_id="c-old")])
    for kind, start, segments in HTML_WINDOWS:
        write_reports(layout, kind, start, segments)
    return layout


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


# Evidently reports per window (kind, start, segments): they expire with the window's drift_reports partition.
HTML_WINDOWS = [
    (WindowKind.DAILY, midnight(OLD), 2),  # expired
    (WindowKind.HOURLY, midnight(CUTOFF) - timedelta(hours=1), 1),  # last hour before the cutoff day: expired
    (WindowKind.HOURLY, midnight(CUTOFF), 1),  # first hour of the cutoff day: kept
    (WindowKind.DAILY, midnight(NEW), 1),  # kept
]


def write_reports(layout: LakeLayout, kind: WindowKind, start: datetime, segments: int) -> list[Path]:
    window = TimeRange(start, start + (timedelta(days=1) if kind is WindowKind.DAILY else timedelta(hours=1)))
    paths = [layout.root / html_relpath(kind, window, f"bot-{i}", "policy") for i in range(segments)]
    for path in paths:
        DiskStorage(layout.root).write_bytes(b"<html>characteristic examples</html>", path)
    return paths


def report_windows(layout: LakeLayout) -> set[tuple[str, str]]:
    """(kind, start folder) of every report file left in the lake."""
    return {(p.parent.parent.name, p.parent.name) for p in (layout.root / "drift_html").rglob("*.html")}


def test_plan_then_apply_removes_expired_and_derived_rows_only(lake):
    plan = plan_retention(lake, CUTOFF)
    assert {(p.table, p.day) for p in plan.partitions} == {
        (Table.TRANSCRIPTS, OLD),
        (Table.DEAD_LETTERS, OLD),  # ingested on OLD: raw payloads expire by their own date
        (Table.DRIFT_REPORTS, OLD),
    }
    actions = {(d.table, d.path.stem): (d.action, d.removed) for d in plan.derived}
    assert actions == {
        (Table.DETECTIONS, "mixed"): ("rewrite", 2),
        (Table.DETECTIONS, "only-old"): ("delete", 1),
        (Table.JUDGE_VERDICTS, "j"): ("rewrite", 1),
        (Table.FLAGGED_CASES, "cases"): ("rewrite", 1),
    }
    assert plan.rows_by_table() == {
        "transcripts": 2,
        "dead_letters": 1,
        "drift_reports": 1,
        "detections": 3,
        "judge_verdicts": 1,
        "flagged_cases": 1,
    }
    assert [(w.kind, w.start, w.files) for w in plan.html_reports] == [
        (WindowKind.DAILY, midnight(OLD), 2),
        (WindowKind.HOURLY, midnight(CUTOFF) - timedelta(hours=1), 1),
    ]
    assert plan.html_files() == 3
    # Planning alone deletes nothing.
    assert Warehouse(lake).query("SELECT count(*) AS n FROM transcripts").column(0)[0].as_py() == 3

    apply_retention(plan)
    wh = Warehouse(lake)
    ids = lambda sql: sorted(wh.query(sql).column(0).to_pylist())  # noqa: E731
    assert ids("SELECT transcript_id FROM transcripts") == ["new-1"]
    assert ids("SELECT transcript_id FROM detections_raw") == ["new-1", "new-1"]
    assert ids("SELECT transcript_id FROM judge_verdicts_raw") == ["new-1"]
    assert ids("SELECT case_id FROM flagged_cases_raw") == ["c-new"]
    assert ids("SELECT count(*) FROM dead_letters") == [0]
    assert ids("SELECT count(*) FROM drift_reports_raw") == [1]
    assert ids("SELECT case_id FROM review_verdicts_raw") == ["c-old"]  # feedback is never touched
    assert not (lake.table_dir(Table.TRANSCRIPTS) / f"dt={OLD.isoformat()}").exists()
    assert report_windows(lake) == {
        ("hourly", f"{midnight(CUTOFF):%Y%m%dT%H%M}"),
        ("daily", f"{midnight(NEW):%Y%m%dT%H%M}"),
    }
    assert not list(lake.root.rglob(".tmp-*"))  # rewrites left no temp files


def test_second_run_finds_nothing(lake):
    apply_retention(plan_retention(lake, CUTOFF))
    again = plan_retention(lake, CUTOFF)
    assert again.partitions == [] and again.derived == [] and again.html_reports == []


def test_rewritten_file_keeps_schema_and_other_rows_intact(lake):
    mixed = lake.run_file(Table.DETECTIONS, NEW, "mixed")
    before = pq.read_schema(mixed)
    apply_retention(plan_retention(lake, CUTOFF))
    after = pq.read_table(mixed)
    assert after.schema.equals(before) and after.column("transcript_id").to_pylist() == ["new-1"]


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("30", 30), ("4w", 28), (" 7D ", 7)],  # units as people type them; bare numbers are days
)
def test_parse_age(text, days):
    assert parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["30m", "-3d", "abc", ""])  # minutes, negatives and words are not ages
def test_parse_age_rejects(text):
    with pytest.raises(ValueError):
        parse_age(text)


def run_cli(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALIGNWATCH_")}
    return subprocess.run(
        [sys.executable, "-c", "from pipelines.cli.retention import retention_app; retention_app()", *args],
        env={**clean, **env, "ALIGNWATCH_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )


def test_cli_dry_run_lists_then_apply_deletes(tmp_path):
    home = tmp_path
    layout = LakeLayout(home / "lake")
    docs = [transcript("old-1", created_at=at(OLD)), transcript("new-1", created_at=at(NEW))]
    write_batch(
        layout,
        validate_batch(
            [RawMessage("t", 0, i, None, json.dumps(d).encode()) for i, d in enumerate(docs)],
            datetime.now(UTC),
        ),
    )
    old_reports = write_reports(layout, WindowKind.DAILY, midnight(OLD), 2)
    new_reports = write_reports(layout, WindowKind.DAILY, midnight(NEW), 1)

    dry = run_cli(["apply", "--older-than", "30d", "--dry-run"], home)
    assert dry.returncode == 0, dry.stderr
    assert f"dt={OLD.isoformat()}" in dry.stdout and f"daily/{OLD.isoformat()}T00:00" in dry.stdout
    assert "would delete transcripts 1, drift_html 2 files" in " ".join(dry.stdout.split())
    assert (layout.table_dir(Table.TRANSCRIPTS) / f"dt={OLD.isoformat()}").exists()
    assert all(path.exists() for path in old_reports)

    done = run_cli(["apply"], home, ALIGNWATCH_RETENTION_DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "deleted transcripts 1, drift_html 2 files" in " ".join(done.stdout.split())
    assert not (layout.table_dir(Table.TRANSCRIPTS) / f"dt={OLD.isoformat()}").exists()
    assert not any(path.exists() for path in old_reports) and all(path.exists() for path in new_reports)
    assert "old-1" not in done.stdout  # the listing names partitions and files, never transcripts


def test_cli_without_an_age_fails_naming_the_setting(tmp_path):
    result = run_cli(["apply"], tmp_path)
    assert result.returncode == 2 and "ALIGNWATCH_RETENTION_DAYS" in result.stderr
    bad = run_cli(["apply"], tmp_path, ALIGNWATCH_RETENTION_DAYS="thirty-secret")
    assert (
        bad.returncode == 2
        and "ALIGNWATCH_RETENTION_DAYS" in bad.stderr
        and "thirty-secret" not in bad.stderr
    )
