"""Which detection partitions to run now: pure planning for the new-transcripts sensor.

A day is run when its transcript files changed. With no change for ``heartbeat``, today is run
anyway: that run finds nothing to score but pushes ``alignwatch_detections_last_success_*``, so the
"detections stale" alert means "detection is not running", not "no traffic came in".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HEARTBEAT = timedelta(minutes=10)


@dataclass(frozen=True)
class SensorCursor:
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # day -> digest of its file names
    requested_at: float | None = None  # unix time of the last request

    def dumps(self) -> str:
        return json.dumps(
            {"fingerprints": dict(self.fingerprints), "requested_at": self.requested_at}, sort_keys=True
        )

    @classmethod
    def loads(cls, text: str | None) -> SensorCursor:
        """The cursor a previous tick stored; an unreadable one starts over (every recent day runs once)."""
        try:
            data = json.loads(text or "{}")
            return cls(dict(data.get("fingerprints") or {}), data.get("requested_at"))
        except (ValueError, AttributeError, TypeError):
            return cls()


@dataclass(frozen=True)
class DetectPlan:
    requests: list[tuple[str, str]]  # (partition key, run key)
    out_of_range: list[str]  # days with new files but no partition (event time in the future)
    cursor: SensorCursor


def plan_detection(
    previous: SensorCursor,
    current: Mapping[str, str],
    now: datetime,
    has_partition: Callable[[str], bool],
    heartbeat: timedelta = HEARTBEAT,
) -> DetectPlan:
    changed = sorted(day for day, digest in current.items() if previous.fingerprints.get(day) != digest)
    requests = [(day, f"detect-{day}-{current[day]}") for day in changed if has_partition(day)]
    out_of_range = [day for day in changed if not has_partition(day)]
    stale = (
        previous.requested_at is None or now.timestamp() - previous.requested_at >= heartbeat.total_seconds()
    )
    today = now.date().isoformat()
    if not requests and stale and has_partition(today):
        bucket = int(now.timestamp() // heartbeat.total_seconds())
        requests.append((today, f"detect-{today}-heartbeat-{bucket}"))
    requested_at = now.timestamp() if requests else previous.requested_at
    return DetectPlan(requests, out_of_range, SensorCursor(dict(current), requested_at))
