"""Retention on a small lake: expired partitions go, derived rows follow their transcripts, the rest stays."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.drift.run import DriftOptions, compute_drift, write_drift
from pipelines.simulate.traffic import SimulationConfig
from tests.drift.conftest import NOW as SIM_NOW
from tests.drift.conftest import build_lake
from tests.integration.helpers import transcript
from tests.retention_cli import run_retention
from warehouse import schemas
from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.store import html_relpath, report_file
from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind, last_complete_window
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
    for kind, start, segments, reference_start, _expires in HTML_WINDOWS:
        write_reports(layout, kind, start, segments)
        if reference_start is not None:
            write_window_rows(layout, kind, start, reference_start, linked=segments)
    return layout


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


# Evidently report folders: (kind, window start, segments, the reference start the window's
# drift_reports rows name (None: no rows, so the kind's default reference is assumed), expires). A
# folder goes when its reference starts before the cutoff day: the reports quote its prompts.
HTML_WINDOWS = [
    (WindowKind.DAILY, midnight(OLD), 2, None, True),  # the window itself is before the cutoff
    (
        WindowKind.HOURLY,
        midnight(CUTOFF) - timedelta(hours=1),
        1,
        None,
        True,
    ),  # the hour before the cutoff day
    # The cutoff day's first hour: its default reference (24 h) is the day before.
    (WindowKind.HOURLY, midnight(CUTOFF), 1, None, True),
    (WindowKind.HOURLY, midnight(CUTOFF) + timedelta(days=1), 1, None, False),  # reference: the cutoff day
    # After the cutoff, with a fixed baseline before it (the default week would keep it).
    (WindowKind.DAILY, midnight(CUTOFF) + timedelta(days=10), 1, midnight(CUTOFF) - timedelta(days=5), True),
    # A 2-day trailing reference from the cutoff day's midnight (the default week would expire it).
    (WindowKind.DAILY, midnight(CUTOFF) + timedelta(days=2), 1, midnight(CUTOFF), False),
    (WindowKind.DAILY, midnight(NEW), 1, None, False),  # default reference a week back, after the cutoff
]
EXPIRED_WINDOWS = [(kind, start, segments) for kind, start, segments, _, expires in HTML_WINDOWS if expires]


def window_range(kind: WindowKind, start: datetime) -> TimeRange:
    return TimeRange(start, start + kind.length)


def write_reports(layout: LakeLayout, kind: WindowKind, start: datetime, segments: int) -> list[Path]:
    window = window_range(kind, start)
    paths = [layout.root / html_relpath(kind, window, f"bot-{i}", "policy") for i in range(segments)]
    for path in paths:
        DiskStorage(layout.root).write_bytes(b"<html>characteristic examples</html>", path)
    return paths


def write_window_rows(
    layout: LakeLayout, kind: WindowKind, start: datetime, reference_start: datetime, linked: int
) -> Path:
    """The window's drift_reports file as a run writes it: a rate and a feature row per segment, the
    first ``linked`` segments naming their report."""
    window = window_range(kind, start)
    dr = DRIFT_REPORTS
    rows = [
        row(
            dr,
            window_kind=kind.value,
            window_start=window.start,
            window_end=window.end,
            reference_start=reference_start,
            reference_end=window.start,
            deployment=f"bot-{i}",
            policy_id="policy",
            kind=row_kind,
            report_html=html_relpath(kind, window, f"bot-{i}", "policy") if i < linked else None,
        )
        for i in range(2)
        for row_kind in ("rate", "feature")
    ]
    return write_parquet_atomically(pa.Table.from_pylist(rows, schema=dr), report_file(layout, kind, window))


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
    assert [(w.kind, w.start, w.files) for w in plan.html_reports] == EXPIRED_WINDOWS
    assert plan.html_files() == 5
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
    # Rows of windows after the cutoff stay (aggregates), the expired baseline window's included.
    assert ids("SELECT count(*) FROM drift_reports_raw") == [1 + 4 + 4]
    assert ids("SELECT case_id FROM review_verdicts_raw") == ["c-old"]  # feedback is never touched
    assert not (lake.table_dir(Table.TRANSCRIPTS) / f"dt={OLD.isoformat()}").exists()
    assert report_windows(lake) == {
        (kind.value, f"{start:%Y%m%dT%H%M}")
        for kind, start, _n, _reference, expires in HTML_WINDOWS
        if not expires
    }
    assert not list(lake.root.rglob(".tmp-*"))  # rewrites left no temp files


def test_second_run_finds_nothing(lake):
    apply_retention(plan_retention(lake, CUTOFF))
    again = plan_retention(lake, CUTOFF)
    assert again.partitions == [] and again.derived == [] and again.html_reports == []


def expired_windows(layout: LakeLayout) -> set[tuple[WindowKind, datetime]]:
    return {(w.kind, w.start) for w in plan_retention(layout, CUTOFF).html_reports}


def test_a_report_no_row_links_is_given_the_default_reference(lake):
    # A later run of the window (say with --html drifted) rewrote its rows naming bot-0's report only;
    # bot-1's report is from an earlier run whose reference is unknown, so the default week is assumed.
    start = midnight(CUTOFF) + timedelta(days=3)
    write_reports(lake, WindowKind.DAILY, start, 2)
    write_window_rows(lake, WindowKind.DAILY, start, midnight(CUTOFF) + timedelta(days=1), linked=1)
    assert (WindowKind.DAILY, start) in expired_windows(lake)
    write_window_rows(lake, WindowKind.DAILY, start, midnight(CUTOFF) + timedelta(days=1), linked=2)
    assert (WindowKind.DAILY, start) not in expired_windows(lake)  # both named: their 2-day reference counts


def test_the_rows_of_a_drift_run_give_its_reports_their_reference(tmp_path):
    # What a real run writes (report_html links, reference_start) is what retention reads.
    simulated = build_lake(tmp_path, SimulationConfig(transcripts=1_500, seed=7))
    window = last_complete_window(WindowKind.DAILY, SIM_NOW)

    def expired(reference: ReferenceSpec, cutoff: date) -> tuple[list[tuple[WindowKind, datetime, int]], int]:
        """The report windows retention would delete after a run with ``reference``; the run's reports."""
        options = DriftOptions(reference=reference, sample_per_side=300)
        run = compute_drift(simulated.warehouse, WindowKind.DAILY, window, SIM_NOW, options)
        write_drift(simulated.warehouse, run)
        plan = plan_retention(simulated.warehouse.storage, cutoff)
        return [(w.kind, w.start, w.files) for w in plan.html_reports], len(run.html_files)

    # A trailing day starts on the simulation's first day: kept with that day as the cutoff (the
    # default week would expire it).
    first_day = window.start.date() - timedelta(days=1)
    windows, reports = expired(ReferenceSpec(trailing=timedelta(days=1)), cutoff=first_day)
    assert reports and windows == []
    # A fixed baseline from 10 days back: expired with a cutoff 8 days back (the default week would keep it).
    baseline = TimeRange(window.start - timedelta(days=10), window.start - timedelta(hours=12))
    windows, reports = expired(
        ReferenceSpec(baseline=baseline), cutoff=window.start.date() - timedelta(days=8)
    )
    assert windows == [(WindowKind.DAILY, window.start, reports)]


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
    return run_retention(args, home, env)


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
    # A recent window compared with a baseline that starts before the cutoff: its reports quote old prompts.
    recent = midnight(NEW) - timedelta(days=1)
    old_reports += write_reports(layout, WindowKind.DAILY, recent, 1)
    write_window_rows(layout, WindowKind.DAILY, recent, midnight(OLD), linked=1)
    new_reports = write_reports(layout, WindowKind.DAILY, midnight(NEW), 1)

    dry = run_cli(["apply", "--older-than", "30d", "--dry-run"], home)
    assert dry.returncode == 0, dry.stderr
    assert f"dt={OLD.isoformat()}" in dry.stdout and f"daily/{OLD.isoformat()}T00:00" in dry.stdout
    assert f"daily/{recent:%Y-%m-%dT%H:%M}" in dry.stdout
    assert "would delete transcripts 1, drift_html 3 files" in " ".join(dry.stdout.split())
    assert (layout.table_dir(Table.TRANSCRIPTS) / f"dt={OLD.isoformat()}").exists()
    assert all(path.exists() for path in old_reports)

    done = run_cli(["apply"], home, ALIGNWATCH_RETENTION_DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "deleted transcripts 1, drift_html 3 files" in " ".join(done.stdout.split())
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
