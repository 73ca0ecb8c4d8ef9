"""Detection gauges over the latest window of event time, pushed to a Pushgateway.

The detect job calls :func:`push_detection_metrics` after it has scored: per segment (detector,
model, deployment, policy_id) it publishes how many transcripts of the last ``window_hours`` of
event time were scored and flagged, and the flag rate, plus the time of the last success. The
window ends at the newest scored transcript rather than at the wall clock, so a backfill or a
replay shows the rates of the data it covers.

A push replaces the whole ``alignwatch_detect`` group, so a segment without traffic in the latest
window disappears instead of showing a stale rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from warehouse.query import Warehouse

DETECT_JOB = "alignwatch_detect"
SEGMENT_LABELS = ("detector", "model", "deployment", "policy_id")

# One row per (transcript, detector): the newest detector version's verdict, so a version bump that
# re-scores old transcripts does not count them twice.
_WINDOW_SQL = """
    WITH latest AS (
        SELECT d.detector, d.flagged, t.model, t.deployment, t.policy_id, t.created_at
        FROM detections d JOIN transcripts t USING (transcript_id)
        QUALIFY row_number() OVER (
            PARTITION BY d.transcript_id, d.detector ORDER BY d.scored_at DESC, d.detector_version DESC
        ) = 1
    ),
    bounds AS (SELECT max(created_at) AS window_end FROM latest)
    SELECT detector, model, deployment, policy_id,
           count(*) AS scored,
           count(*) FILTER (WHERE flagged) AS flagged,
           any_value(window_end) AS window_end
    FROM latest, bounds
    WHERE created_at > window_end - to_microseconds(CAST(? AS BIGINT))
    GROUP BY ALL
    ORDER BY ALL
"""


@dataclass(frozen=True)
class SegmentCounts:
    detector: str
    model: str
    deployment: str
    policy_id: str
    scored: int
    flagged: int

    @property
    def flag_rate(self) -> float:
        return self.flagged / self.scored if self.scored else 0.0


@dataclass(frozen=True)
class DetectionWindow:
    """Counts per segment over ``(end - hours, end]`` of event time; ``end`` is None for an empty lake."""

    hours: float
    end: datetime | None
    segments: tuple[SegmentCounts, ...]

    @property
    def start(self) -> datetime | None:
        return None if self.end is None else self.end - timedelta(hours=self.hours)


def detection_window(warehouse: Warehouse, window_hours: float = 1.0) -> DetectionWindow:
    """Scored and flagged transcripts per segment over the latest ``window_hours`` of event time."""
    if window_hours <= 0:
        raise ValueError("window_hours must be positive")
    micros = round(window_hours * 3600 * 1_000_000)
    rows = warehouse.query(_WINDOW_SQL, [micros]).to_pylist()
    segments = tuple(
        SegmentCounts(
            row["detector"], row["model"], row["deployment"], row["policy_id"], int(row["scored"]), int(row["flagged"])
        )
        for row in rows
    )
    end = rows[0]["window_end"] if rows else None
    return DetectionWindow(window_hours, end, segments)


def detection_registry(window: DetectionWindow, succeeded_at: datetime) -> CollectorRegistry:
    """The contract's detection gauges for ``window``, on a fresh registry."""
    registry = CollectorRegistry()
    labels = list(SEGMENT_LABELS)
    scored = Gauge("alignwatch_scored_transcripts", "Transcripts scored in the latest window of event time", labels, registry=registry)
    flagged = Gauge("alignwatch_flagged_transcripts", "Transcripts flagged in the latest window of event time", labels, registry=registry)
    rate = Gauge("alignwatch_flag_rate", "Flagged / scored transcripts in the latest window of event time", labels, registry=registry)
    last_success = Gauge(
        "alignwatch_detections_last_success_timestamp_seconds", "Unix time of the last successful detect run", registry=registry
    )
    for segment in window.segments:
        values = (segment.detector, segment.model, segment.deployment, segment.policy_id)
        scored.labels(*values).set(segment.scored)
        flagged.labels(*values).set(segment.flagged)
        rate.labels(*values).set(segment.flag_rate)
    last_success.set(succeeded_at.timestamp())
    return registry


def push_registry(gateway_url: str, job: str, registry: CollectorRegistry, timeout: float = 10.0) -> None:
    """Replace the ``job`` group on the Pushgateway with ``registry`` (HTTP PUT)."""
    push_to_gateway(gateway_url, job=job, registry=registry, timeout=timeout)


def push_detection_metrics(
    warehouse: Warehouse,
    gateway_url: str,
    window_hours: float = 1.0,
    *,
    succeeded_at: datetime | None = None,
    timeout: float = 10.0,
) -> DetectionWindow:
    """Push the detection gauges of the latest window under job ``alignwatch_detect``; returns the window.

    ``succeeded_at`` (default now, UTC) becomes ``alignwatch_detections_last_success_timestamp_seconds``:
    call this after the detect run has stored its rows.
    """
    window = detection_window(warehouse, window_hours)
    registry = detection_registry(window, succeeded_at or datetime.now(UTC))
    push_registry(gateway_url, DETECT_JOB, registry, timeout)
    return window
