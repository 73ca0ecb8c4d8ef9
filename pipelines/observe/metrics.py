"""Prometheus metrics, all prefixed ``alignwatch_``.

The long-running ingest exposes them on ``/metrics``; batch jobs push theirs to a Pushgateway.
Each process builds one ``IngestMetrics`` on its own registry, so tests can read values back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class IngestMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.messages = Counter(
            "alignwatch_ingest_messages", "Messages consumed, by outcome", ["topic", "outcome"], registry=r
        )
        self.dead_letters = Counter(
            "alignwatch_dead_letters", "Messages sent to the dead-letter table, by reason", ["topic", "error_kind"], registry=r
        )
        self.batches = Counter("alignwatch_ingest_batches", "Batches durably written and committed", registry=r)
        self.failures = Counter(
            "alignwatch_ingest_failures", "Batches that failed to write or commit, by stage", ["stage"], registry=r
        )
        self.batch_seconds = Histogram(
            "alignwatch_ingest_batch_seconds",
            "Time to validate, write and commit one batch",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.lag = Gauge(
            "alignwatch_ingest_lag_messages", "Messages behind the log end, per partition", ["topic", "partition"], registry=r
        )
        self.last_success = Gauge(
            "alignwatch_ingest_last_success_timestamp_seconds", "Unix time of the last committed batch", registry=r
        )
