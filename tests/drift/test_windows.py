"""Windows and references are explicit UTC time ranges."""

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind, last_complete_window, window_at

NOW = datetime(2026, 11, 27, 3, 47, tzinfo=UTC)


def test_windows_are_utc_aligned():
    assert window_at(WindowKind.HOURLY, NOW) == TimeRange(NOW.replace(minute=0), NOW.replace(hour=4, minute=0))
    assert last_complete_window(WindowKind.DAILY, NOW) == TimeRange(datetime(2026, 11, 26, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))


def test_trailing_reference_defaults_per_kind_and_ends_where_the_window_starts():
    day = last_complete_window(WindowKind.DAILY, NOW)
    assert ReferenceSpec().resolve(WindowKind.DAILY, day) == TimeRange(day.start - timedelta(days=7), day.start)
    hour = last_complete_window(WindowKind.HOURLY, NOW)
    assert ReferenceSpec().resolve(WindowKind.HOURLY, hour) == TimeRange(hour.start - timedelta(days=1), hour.start)
    assert ReferenceSpec(trailing=timedelta(hours=6)).resolve(WindowKind.HOURLY, hour).start == hour.start - timedelta(hours=6)


def test_fixed_baseline_is_used_as_is_and_must_precede_the_window():
    day = last_complete_window(WindowKind.DAILY, NOW)
    baseline = TimeRange(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 8, tzinfo=UTC))
    assert ReferenceSpec(baseline=baseline).resolve(WindowKind.DAILY, day) == baseline
    overlapping = TimeRange(day.start - timedelta(days=1), day.start + timedelta(hours=1))
    with pytest.raises(ValueError, match="before the window"):
        ReferenceSpec(baseline=overlapping).resolve(WindowKind.DAILY, day)


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        TimeRange(datetime(2026, 1, 1), datetime(2026, 1, 2))  # noqa: DTZ001
