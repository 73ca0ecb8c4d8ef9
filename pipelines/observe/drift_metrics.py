"""Drift gauges of the latest run per window kind, pushed to a Pushgateway under job ``alignwatch_drift``.

Each window kind (hourly, daily) is its own Pushgateway group (grouping key ``window``), so an hourly
push replaces the previous hourly values without touching the daily ones. Rate gauges carry the
contract's labels (detector, deployment, policy_id, window, model: the version a shift follows, or
"all"); feature gauges carry feature, deployment, policy_id (plus ``window`` from the group).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import polars as pl
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

DRIFT_JOB = "alignwatch_drift"
PUSH_TIMEOUT_S = 10.0
RATE_LABELS = ("detector", "deployment", "policy_id", "window", "model")
FEATURE_LABELS = ("feature", "deployment", "policy_id")


def _rows(rows: pl.DataFrame | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return rows.to_dicts() if isinstance(rows, pl.DataFrame) else list(rows)


def _set(gauge: Gauge, labels: tuple[str, ...], value: float | None) -> None:
    if value is not None:
        gauge.labels(*labels).set(float(value))


def drift_registry(rows: pl.DataFrame | Iterable[Mapping[str, Any]], run_at: datetime) -> CollectorRegistry:
    """The contract's drift gauges for the ``drift_reports`` rows of one run, on a fresh registry."""
    registry = CollectorRegistry()
    labels = list(RATE_LABELS)
    current = Gauge("alignwatch_drift_current_rate", "Flag rate in the window under test", labels, registry=registry)
    reference = Gauge("alignwatch_drift_reference_rate", "Flag rate in the reference window", labels, registry=registry)
    p_value = Gauge("alignwatch_drift_p_value", "One-sided p-value of a rate rise", labels, registry=registry)
    q_value = Gauge(
        "alignwatch_drift_q_value", "Benjamini-Hochberg adjusted p-value over the run's rate tests", labels, registry=registry
    )
    detected = Gauge(
        "alignwatch_drift_detected", "1 when the rate rose significantly and by at least the minimum effect", labels, registry=registry
    )
    feature_score = Gauge(
        "alignwatch_feature_drift_score", "Evidently drift score of a transcript feature", list(FEATURE_LABELS), registry=registry
    )
    feature_detected = Gauge(
        "alignwatch_feature_drift_detected", "1 when the feature's drift score reached its threshold", list(FEATURE_LABELS), registry=registry
    )
    last_run = Gauge("alignwatch_drift_last_run_timestamp_seconds", "Unix time of the last drift run", registry=registry)
    for row in _rows(rows):
        if row["kind"] == "rate":
            values = (row["subject"], row["deployment"], row["policy_id"], row["window_kind"], row["model"] or "all")
            _set(current, values, row["current_rate"])
            _set(reference, values, row["reference_rate"])
            if row["tested"]:
                _set(p_value, values, row["p_value"])
                _set(q_value, values, row["q_value"])
            detected.labels(*values).set(1.0 if row["detected"] else 0.0)
        elif row["statistic"] is not None:
            values = (row["subject"], row["deployment"], row["policy_id"])
            feature_score.labels(*values).set(float(row["statistic"]))
            feature_detected.labels(*values).set(1.0 if row["detected"] else 0.0)
    last_run.set(run_at.timestamp())
    return registry


def push_drift_metrics(
    rows: pl.DataFrame | Iterable[Mapping[str, Any]],
    gateway_url: str,
    *,
    window: str | None = None,
    run_at: datetime | None = None,
    timeout: float = PUSH_TIMEOUT_S,
) -> CollectorRegistry:
    """Replace the ``window`` group of job ``alignwatch_drift`` with the gauges of ``rows``; returns them.

    ``window`` and ``run_at`` default to the rows' ``window_kind`` and ``run_at`` (one run's rows).
    """
    rows = _rows(rows)
    kinds = {row["window_kind"] for row in rows}
    window = window or (kinds.pop() if len(kinds) == 1 else None)
    if window is None:
        raise ValueError("pass window= for rows of no run or of several window kinds")
    run_at = run_at or max((row["run_at"] for row in rows), default=None) or datetime.now(UTC)
    registry = drift_registry(rows, run_at)
    push_to_gateway(gateway_url, job=DRIFT_JOB, registry=registry, grouping_key={"window": window}, timeout=timeout)
    return registry
