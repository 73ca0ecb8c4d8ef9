"""The detection sensor: one run per recent event day whose transcript files changed, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs.detect.sensors import LOOKBACK_DAYS, new_transcripts_sensor
from pipelines.resources.lake import LakeResource
from tests.feedback.lake import add_transcripts, transcript

NOW = datetime.now(UTC)


def evaluate(home, cursor: str | None) -> tuple[list[dg.RunRequest], str | None]:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"lake": LakeResource(home=str(home))}, definitions=defs
    )
    result = new_transcripts_sensor.evaluate_tick(context)
    return list(result.run_requests or []), result.cursor


def test_requests_each_changed_recent_day_once(tmp_path):
    old = NOW - timedelta(days=LOOKBACK_DAYS + 2)
    add_transcripts(
        tmp_path,
        [
            transcript("y-0", "q", "a", created_at=NOW - timedelta(days=1)),
            transcript("o-0", "q", "a", created_at=old),
        ],
    )
    add_transcripts(tmp_path, [transcript("t-0", "q", "a", created_at=NOW)], first_offset=10)

    requests, cursor = evaluate(tmp_path, None)
    days = [(NOW - timedelta(days=1)).date().isoformat(), NOW.date().isoformat()]
    assert [r.partition_key for r in requests] == days  # the old day is left to a backfill
    assert len({r.run_key for r in requests}) == 2

    # Nothing new: no request. A new file for today: only today, under a new run key.
    assert evaluate(tmp_path, cursor)[0] == []
    add_transcripts(tmp_path, [transcript("t-1", "q", "a", created_at=NOW)], first_offset=20)
    again, _ = evaluate(tmp_path, cursor)
    assert [r.partition_key for r in again] == [NOW.date().isoformat()]
    assert again[0].run_key not in {r.run_key for r in requests}


def test_future_days_are_skipped_and_a_quiet_lake_gets_todays_heartbeat(tmp_path):
    add_transcripts(tmp_path, [transcript("f-0", "q", "a", created_at=NOW + timedelta(days=3))])
    requests, cursor = evaluate(tmp_path, None)
    # Nothing to run for the future day (logged); today runs once so detection shows it is alive.
    assert [r.partition_key for r in requests] == [NOW.date().isoformat()]
    assert "heartbeat" in requests[0].run_key
    assert evaluate(tmp_path, cursor)[0] == []  # not again within the heartbeat interval
