"""Planning the detection sensor's requests: changed days, out-of-range days, the heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipelines.detect.plan import HEARTBEAT, SensorCursor, plan_detection

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
UP_TO_TODAY = lambda day: day <= "2026-11-27"  # noqa: E731 - the partitions' range


def test_changed_and_new_days_run_unchanged_do_not():
    before = SensorCursor({"2026-11-26": "a", "2026-11-27": "b"}, NOW.timestamp() - 60)
    plan = plan_detection(before, {"2026-11-25": "x", "2026-11-26": "a", "2026-11-27": "c"}, NOW, UP_TO_TODAY)
    assert plan.requests == [("2026-11-25", "detect-2026-11-25-x"), ("2026-11-27", "detect-2026-11-27-c")]
    assert plan.cursor.requested_at == NOW.timestamp()
    assert plan.cursor.fingerprints == {"2026-11-25": "x", "2026-11-26": "a", "2026-11-27": "c"}


def test_heartbeat_only_after_a_quiet_interval():
    files = {"2026-11-27": "b"}
    recent = SensorCursor(files, NOW.timestamp() - HEARTBEAT.total_seconds() + 5)
    assert plan_detection(recent, files, NOW, UP_TO_TODAY).requests == []
    assert plan_detection(recent, files, NOW, UP_TO_TODAY).cursor.requested_at == recent.requested_at

    quiet = SensorCursor(files, NOW.timestamp() - HEARTBEAT.total_seconds())
    (request,) = plan_detection(quiet, files, NOW, UP_TO_TODAY).requests
    assert request[0] == "2026-11-27" and "heartbeat" in request[1]
    # The next interval gets a new run key; within one interval the key repeats (Dagster dedupes it).
    later = plan_detection(quiet, files, NOW + HEARTBEAT, UP_TO_TODAY).requests[0][1]
    assert later != request[1]
    assert plan_detection(quiet, files, NOW + timedelta(seconds=1), UP_TO_TODAY).requests[0][1] == request[1]


def test_future_days_are_reported_not_requested():
    plan = plan_detection(SensorCursor({}, NOW.timestamp()), {"2026-11-30": "f"}, NOW, UP_TO_TODAY)
    assert plan.requests == [] and plan.out_of_range == ["2026-11-30"]
    assert plan.cursor.fingerprints == {"2026-11-30": "f"}  # reported once, not on every tick


def test_cursor_round_trips_and_garbage_starts_over():
    cursor = SensorCursor({"2026-11-27": "b"}, 123.0)
    assert SensorCursor.loads(cursor.dumps()) == cursor
    for garbage in (None, "", "not json", "[1, 2]", '{"fingerprints": 5}'):
        assert SensorCursor.loads(garbage) == SensorCursor()
