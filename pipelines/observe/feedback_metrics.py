"""Feedback-loop metrics, pushed to a Pushgateway under job ``alignwatch_feedback``.

Gauges (see the metrics contract): review queue size per status, detector precision with its
Wilson 95% interval per detector version, records per kind in the latest dataset version, and
the time of the latest dataset build. Built on a fresh registry per push, so a push replaces the
previous values of the job instead of accumulating label sets of detectors that no longer exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from warehouse.feedback.datasets import DatasetsRoot, last_build, list_versions
from warehouse.feedback.precision import detector_precision
from warehouse.query import Warehouse

JOB = "alignwatch_feedback"
STATUSES = ("pending", "confirmed", "dismissed")
KINDS = ("sft", "preference", "regression")
PUSH_TIMEOUT_S = 10.0


@dataclass
class FeedbackMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.queue_cases = Gauge(
            "alignwatch_review_queue_cases",
            "Sampled cases by review status (current verdict)",
            ["status"],
            registry=r,
        )
        labels = ["detector", "detector_version"]
        self.precision = Gauge(
            "alignwatch_detector_precision",
            "Share of reviewed flags confirmed (sampling-weighted)",
            labels,
            registry=r,
        )
        self.precision_lower = Gauge(
            "alignwatch_detector_precision_lower",
            "Wilson 95% lower bound of detector precision",
            labels,
            registry=r,
        )
        self.precision_upper = Gauge(
            "alignwatch_detector_precision_upper",
            "Wilson 95% upper bound of detector precision",
            labels,
            registry=r,
        )
        self.reviewed_flags = Gauge(
            "alignwatch_detector_reviewed_flags",
            "Reviewed flags behind the precision estimate",
            labels,
            registry=r,
        )
        self.dataset_records = Gauge(
            "alignwatch_feedback_dataset_records",
            "Records per kind in the latest feedback dataset",
            ["kind"],
            registry=r,
        )
        self.last_build = Gauge(
            "alignwatch_feedback_last_build_timestamp_seconds",
            "Unix time of the latest feedback dataset build",
            registry=r,
        )


def collect_feedback_metrics(warehouse: Warehouse, datasets_root: DatasetsRoot) -> FeedbackMetrics:
    """Read the lake and the dataset versions into a fresh set of gauges."""
    metrics = FeedbackMetrics()
    with warehouse.connect() as con:
        counts = dict(
            con.sql(
                "SELECT status, count(*) FROM review_queue WHERE selected OR status <> 'pending' GROUP BY 1"
            ).fetchall()
        )
    for status in STATUSES:
        metrics.queue_cases.labels(status=status).set(counts.get(status, 0))
    for row in detector_precision(warehouse).iter_rows(named=True):
        labels = {"detector": row["detector"], "detector_version": row["detector_version"]}
        metrics.precision.labels(**labels).set(row["precision"])
        metrics.precision_lower.labels(**labels).set(row["lower"])
        metrics.precision_upper.labels(**labels).set(row["upper"])
        metrics.reviewed_flags.labels(**labels).set(row["reviewed"])
    versions = list_versions(datasets_root)
    if versions:
        for kind in KINDS:
            metrics.dataset_records.labels(kind=kind).set(versions[-1]["counts"].get(kind, 0))
    built = last_build(datasets_root)
    if built is not None:
        metrics.last_build.set(datetime.fromisoformat(built["at"]).timestamp())
    return metrics


def push_feedback_metrics(
    warehouse: Warehouse, gateway_url: str, datasets_root: DatasetsRoot, timeout: float = PUSH_TIMEOUT_S
) -> FeedbackMetrics:
    """Collect the feedback gauges and replace the ``alignwatch_feedback`` group on the Pushgateway."""
    metrics = collect_feedback_metrics(warehouse, datasets_root)
    push_to_gateway(gateway_url, job=JOB, registry=metrics.registry, timeout=timeout)
    return metrics
