"""Scoring by event day: each day is its own unit of work, incremental per detector version."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow.parquet as pq

from pipelines.detect.scoring import score_pending
from tests.feedback.lake import NOW, add_transcripts, stub, transcript
from warehouse.detections import transcript_days
from warehouse.layout import Table

DAY_1 = NOW - timedelta(days=1)  # 2026-11-01
DAY_2 = NOW  # 2026-11-02


def two_day_lake(tmp_path, per_day: int = 3):
    docs = [
        transcript(f"a-{i}", "q", "FAIL:pii_leak:high" if i == 0 else "fine", created_at=DAY_1)
        for i in range(per_day)
    ]
    docs += [transcript(f"b-{i}", "q", "fine", created_at=DAY_2) for i in range(per_day)]
    return add_transcripts(tmp_path, docs)


def scored(warehouse) -> dict[str, list[str]]:
    rows = warehouse.query(
        "SELECT transcript_id, detector, detector_version FROM detections ORDER BY 1, 2, 3"
    ).to_pylist()
    result: dict[str, list[str]] = {}
    for row in rows:
        result.setdefault(row["transcript_id"], []).append(f"{row['detector']}@{row['detector_version']}")
    return result


def test_one_day_scores_only_that_days_transcripts_into_that_days_partition(tmp_path):
    warehouse = two_day_lake(tmp_path)
    assert transcript_days(warehouse) == [date(2026, 11, 1), date(2026, 11, 2)]

    report = score_pending(warehouse, [stub("pii_leak")], days=[date(2026, 11, 1)], clock=lambda: NOW)

    assert report.transcripts == 3 and report.flagged == {"pii_leak": 1}
    assert sorted(scored(warehouse)) == ["a-0", "a-1", "a-2"]
    # Rows sit under the transcripts' event day, not the day they were scored on.
    partitions = {
        path.parent.name for path in (tmp_path / "lake" / Table.DETECTIONS.value).rglob("*.parquet")
    }
    assert partitions == {"dt=2026-11-01"}


def test_rerun_scores_nothing_new_version_scores_again_other_day_untouched(tmp_path):
    warehouse = two_day_lake(tmp_path)
    day = [date(2026, 11, 1)]
    score_pending(warehouse, [stub("pii_leak")], days=day, clock=lambda: NOW)

    assert score_pending(warehouse, [stub("pii_leak")], days=day, clock=lambda: NOW).rows == 0
    bumped = score_pending(
        warehouse, [stub("pii_leak", "2.0.0"), stub("off_policy")], days=day, clock=lambda: NOW
    )
    assert bumped.transcripts == 3 and bumped.rows == 6  # both detectors, for every transcript of the day
    assert scored(warehouse)["a-0"] == ["off_policy@1.0.0", "pii_leak@1.0.0", "pii_leak@2.0.0"]

    # Without days, every day with pending work is scored: only day 2 is left.
    rest = score_pending(warehouse, [stub("pii_leak", "2.0.0"), stub("off_policy")], clock=lambda: NOW)
    assert rest.transcripts == 3 and sorted(scored(warehouse)) == ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2"]


def test_a_redelivered_transcript_is_scored_once(tmp_path):
    warehouse = two_day_lake(tmp_path, per_day=2)
    add_transcripts(
        tmp_path, [transcript("a-0", "q", "FAIL:pii_leak:high", created_at=DAY_1)], first_offset=100
    )
    assert (
        warehouse.query("SELECT count(*) FROM transcripts_raw WHERE transcript_id = 'a-0'")
        .column(0)[0]
        .as_py()
        == 2
    )

    report = score_pending(warehouse, [stub("pii_leak")], days=[date(2026, 11, 1)], clock=lambda: NOW)

    assert report.transcripts == 2
    files = list((tmp_path / "lake" / Table.DETECTIONS.value).rglob("*.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in files) == 2
