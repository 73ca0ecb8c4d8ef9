"""Reusable harness for tests against real Prometheus, Alertmanager and Pushgateway processes.

    with observe_harness(alerting=True) as h:      # ~6 s: start, then Prometheus' first scrape
        h.push_drift([drift_sample(detected=True)])
        alert = h.wait_for_alert("AlignwatchOffPolicyDrift", deployment="support-bot")

* Prometheus scrapes the Pushgateway every second (honor_labels) and, with ``ingest=True``, an
  :class:`IngestSimulator` serving the real ``IngestMetrics`` on ``/metrics`` as job ``alignwatch_ingest``.
* With ``alerting=True`` the committed rules are loaded (``for`` replaced by ``rules_for``, default
  ``0s``, evaluation every second) and Alertmanager (group_wait 1 s) posts to an in-test
  :class:`AlertReceiver`.
* Every wait has a deadline; nothing blocks without one.

The lead's full-pipeline test can push real metrics (``push_detection_metrics``, the drift job's
``push_drift_metrics``) into ``h.pushgateway_url`` and assert on ``h.receiver``.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, start_http_server

from pipelines.observe.metrics import IngestMetrics
from pipelines.observe.push import push_registry
from pipelines.observe.services import (
    ObserveStack,
    free_port,
    instant_query,
    prometheus_api,
    start_observe_stack,
    wait_until,
    wipe_pushgateway,
)
from pipelines.observe.webhook import AlertReceiver

DRIFT_JOB = "alignwatch_drift"
TOPIC = "alignwatch.transcripts"


# ----------------------------------------------------------------------------------------------
# Sample drift gauges (the contract's names; the drift job's own push will replace these)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftSample:
    detector: str = "off_policy"
    deployment: str = "support-bot"
    policy_id: str = "acme-support-v1"
    model: str = "acme-chat-2026-11"
    window: str = "hourly"
    current_rate: float = 0.02
    reference_rate: float = 0.02
    p_value: float = 0.6
    q_value: float = 0.9
    detected: bool = False

    def labels(self) -> dict[str, str]:
        return {
            "detector": self.detector,
            "deployment": self.deployment,
            "policy_id": self.policy_id,
            "model": self.model,
            "window": self.window,
        }


@dataclass(frozen=True)
class FeatureDriftSample:
    feature: str = "prompt_chars"
    deployment: str = "support-bot"
    policy_id: str = "acme-support-v1"
    score: float = 0.04
    detected: bool = False


def drifting(**overrides: Any) -> DriftSample:
    """A segment whose off-policy rate went from 2% to 11%: significant after correction."""
    values = {"current_rate": 0.11, "reference_rate": 0.02, "p_value": 1e-6, "q_value": 1e-4, "detected": True}
    return DriftSample(**{**values, **overrides})


def drift_registry(
    samples: Sequence[DriftSample], features: Sequence[FeatureDriftSample] = (), last_run: datetime | None = None
) -> CollectorRegistry:
    registry = CollectorRegistry()
    names = ["detector", "deployment", "policy_id", "model", "window"]
    gauges = {
        "current_rate": Gauge("alignwatch_drift_current_rate", "Flag rate in the current window", names, registry=registry),
        "reference_rate": Gauge("alignwatch_drift_reference_rate", "Flag rate in the reference", names, registry=registry),
        "p_value": Gauge("alignwatch_drift_p_value", "p-value of current vs reference", names, registry=registry),
        "q_value": Gauge("alignwatch_drift_q_value", "FDR-corrected p-value", names, registry=registry),
        "detected": Gauge("alignwatch_drift_detected", "1 if drift is significant and large enough", names, registry=registry),
        "last_run": Gauge("alignwatch_drift_last_run_timestamp_seconds", "Last drift run", names, registry=registry),
    }
    feature_names = ["feature", "deployment", "policy_id"]
    feature_score = Gauge("alignwatch_feature_drift_score", "Feature drift score", feature_names, registry=registry)
    feature_detected = Gauge("alignwatch_feature_drift_detected", "1 if the feature drifted", feature_names, registry=registry)
    stamp = (last_run or datetime.now(UTC)).timestamp()
    for sample in samples:
        labels = sample.labels()
        for key in ("current_rate", "reference_rate", "p_value", "q_value"):
            gauges[key].labels(**labels).set(getattr(sample, key))
        gauges["detected"].labels(**labels).set(1 if sample.detected else 0)
        gauges["last_run"].labels(**labels).set(stamp)
    for feature in features:
        labels = {"feature": feature.feature, "deployment": feature.deployment, "policy_id": feature.policy_id}
        feature_score.labels(**labels).set(feature.score)
        feature_detected.labels(**labels).set(1 if feature.detected else 0)
    return registry


# ----------------------------------------------------------------------------------------------
# A live ingest's metrics, without Kafka
# ----------------------------------------------------------------------------------------------


class IngestSimulator:
    """Serves a real ``IngestMetrics`` registry on ``/metrics`` and updates it like a busy consumer."""

    def __init__(self, tick_seconds: float = 0.2, seed: int = 7) -> None:
        self.metrics = IngestMetrics()
        self.port = free_port()
        self._server, self._server_thread = start_http_server(self.port, addr="127.0.0.1", registry=self.metrics.registry)
        self._stop = threading.Event()
        self._random = random.Random(seed)
        self._tick = tick_seconds
        self._thread = threading.Thread(target=self._run, name="ingest-simulator", daemon=True)
        # One write failure at start-up, like a full disk that was fixed; its series then exists.
        self.metrics.failures.labels("write").inc()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> IngestSimulator:
        self._thread.start()
        return self

    def _run(self) -> None:
        m, rnd = self.metrics, self._random
        while not self._stop.wait(self._tick):
            accepted = rnd.randint(200, 400)
            rejected = rnd.choice((0, 0, 0, 1, 2))
            m.messages.labels(TOPIC, "accepted").inc(accepted)
            m.messages.labels(TOPIC, "rejected").inc(rejected)
            if rejected:
                m.dead_letters.labels(TOPIC, rnd.choice(("schema_violation", "not_json"))).inc(rejected)
            m.batches.inc()
            m.batch_seconds.observe(rnd.uniform(0.04, 0.6))
            for partition in ("0", "1"):
                m.lag.labels(TOPIC, partition).set(rnd.randint(0, 500))
            m.last_success.set_to_current_time()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.shutdown()
        self._server.server_close()


# ----------------------------------------------------------------------------------------------
# The harness
# ----------------------------------------------------------------------------------------------


@dataclass
class ObserveHarness:
    stack: ObserveStack
    receiver: AlertReceiver | None = None
    ingest: IngestSimulator | None = None

    @property
    def prometheus_url(self) -> str:
        return self.stack.prometheus.url

    @property
    def pushgateway_url(self) -> str:
        return self.stack.pushgateway.url

    def query(self, expr: str) -> list[dict[str, Any]]:
        return instant_query(self.prometheus_url, expr)

    def wait_for_series(self, expr: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Poll until ``expr`` returns at least one sample (e.g. a pushed series has been scraped)."""
        return wait_until(lambda: self.query(expr), timeout, what=f"data for {expr!r}")

    def push_drift(
        self,
        samples: Sequence[DriftSample],
        features: Sequence[FeatureDriftSample] = (),
        last_run: datetime | None = None,
    ) -> None:
        push_registry(self.pushgateway_url, DRIFT_JOB, drift_registry(samples, features, last_run))

    def wipe(self) -> None:
        wipe_pushgateway(self.pushgateway_url)

    def wait_for_rule_evaluation(self, after: float, timeout: float = 15.0) -> None:
        """Wait until every rule group has been evaluated at a wall time later than ``after`` (Unix seconds)."""

        def evaluated() -> bool:
            groups = prometheus_api(self.prometheus_url, "/api/v1/rules")["groups"]
            return bool(groups) and all(_rfc3339(g["lastEvaluation"]) > after for g in groups)

        wait_until(evaluated, timeout, what="a rule evaluation of every group")

    def prometheus_alerts(self) -> list[dict[str, Any]]:
        return prometheus_api(self.prometheus_url, "/api/v1/alerts")["alerts"]

    def wait_for_alert(self, alertname: str, status: str = "firing", timeout: float = 30.0, **labels: str) -> dict[str, Any]:
        assert self.receiver is not None, "start the harness with alerting=True"

        def matches(alert: dict[str, Any]) -> bool:
            got = alert.get("labels", {})
            return (
                alert.get("status") == status
                and got.get("alertname") == alertname
                and all(got.get(k) == v for k, v in labels.items())
            )

        return self.receiver.wait_for_alert(matches, timeout)


def _rfc3339(text: str) -> float:
    # Prometheus reports nanoseconds ("2026-11-27T03:53:01.123456789Z"); Python parses microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    parsed = datetime.fromisoformat(head).replace(tzinfo=UTC)
    return parsed.timestamp() + (float(f"0.{frac}") if frac else 0.0)


@contextmanager
def observe_harness(
    root: Path | None = None, *, alerting: bool = False, ingest: bool = False, rules_for: str | None = "0s"
) -> Iterator[ObserveHarness]:
    """Start the services (and the receiver / ingest simulator asked for); stop everything on exit."""
    receiver = AlertReceiver().start() if alerting else None
    simulator = IngestSimulator().start() if ingest else None
    stack = None
    try:
        stack = start_observe_stack(
            root,
            webhook_url=receiver.url if receiver else None,
            ingest_targets=[simulator.target] if simulator else (),
            load_rules=alerting,
            rules_for=rules_for,
        )
        stack.wait_for_targets()
        yield ObserveHarness(stack, receiver, simulator)
    finally:
        if stack is not None:
            stack.close()
        if simulator is not None:
            simulator.close()
        if receiver is not None:
            receiver.close()


def describe_alerts(alerts: Sequence[dict[str, Any]]) -> str:
    """Compact text of received alerts, for assertion messages."""
    return json.dumps([{"status": a.get("status"), **a.get("labels", {})} for a in alerts], indent=1)

