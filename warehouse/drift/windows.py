"""Time windows under test and the explicit reference each is compared with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class WindowKind(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"

    @property
    def length(self) -> timedelta:
        return timedelta(hours=1) if self is WindowKind.HOURLY else timedelta(days=1)

    @property
    def default_reference(self) -> timedelta:
        """Trailing reference length: a full week covers weekday cycles; an hour gets the previous day."""
        return timedelta(days=1) if self is WindowKind.HOURLY else timedelta(days=7)


@dataclass(frozen=True)
class TimeRange:
    """A half-open UTC interval ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("time ranges must be timezone-aware")
        if not self.start < self.end:
            raise ValueError(f"empty time range: {self.start} >= {self.end}")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class ReferenceSpec:
    """How the reference of a window is chosen: a fixed baseline, or the ``trailing`` span before it.

    Both are reproducible: the same window always gets the same time range (never "the last N rows",
    whose meaning changes as data arrives).
    """

    trailing: timedelta | None = None  # None: the window kind's default
    baseline: TimeRange | None = None  # takes precedence when set

    def resolve(self, kind: WindowKind, current: TimeRange) -> TimeRange:
        if self.baseline is not None:
            if self.baseline.end > current.start:
                raise ValueError("a fixed baseline must end before the window under test starts")
            return self.baseline
        span = self.trailing if self.trailing is not None else kind.default_reference
        if span <= timedelta(0):
            raise ValueError("the trailing reference must be positive")
        return TimeRange(current.start - span, current.start)


def window_at(kind: WindowKind, moment: datetime) -> TimeRange:
    """The hourly or daily window (UTC-aligned) containing ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    moment = moment.astimezone(UTC)
    if kind is WindowKind.HOURLY:
        start = moment.replace(minute=0, second=0, microsecond=0)
    else:
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return TimeRange(start, start + kind.length)


def last_complete_window(kind: WindowKind, now: datetime) -> TimeRange:
    """The most recent window that ended at or before ``now``."""
    current = window_at(kind, now)
    return TimeRange(current.start - kind.length, current.start)
