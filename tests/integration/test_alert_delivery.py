"""End to end: drift gauges -> Pushgateway -> Prometheus rules -> Alertmanager -> webhook.

Real processes (Pushgateway, Prometheus with the committed rules, Alertmanager with the committed
routes) and an HTTP receiver in the test. The rules run with ``for: 0s``: their expressions,
labels and annotations are the committed ones, while the committed holds (``for: 5m`` ...) are
covered by ``promtool test rules`` in tests/observe/test_rules.py, which runs them in simulated
time. Keeping 5-minute holds here would make this test take minutes for no extra coverage.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.observe_stack import (
    DriftSample,
    FeatureDriftSample,
    describe_alerts,
    drifting,
    observe_harness,
)

# Scrape (1 s) + evaluation (1 s) + group_wait (1 s) is about 3 s; the deadline leaves room for a
# loaded CI machine without letting a broken pipeline hang the suite.
DELIVERY_TIMEOUT = 30.0
# How long a quiet stack must stay quiet once the rules have seen the data: several times the
# delivery latency measured by the firing test (typically 2-4 s).
QUIET_SECONDS = 8.0

QUIET_SEGMENTS = [
    DriftSample(),  # off_policy, support-bot, hourly: flat 2% vs 2%
    DriftSample(window="daily", current_rate=0.025, reference_rate=0.02, p_value=0.2, q_value=0.4),
    # Significant but below the minimum effect: the drift job reports detected=0, so no alert.
    DriftSample(deployment="devtools-agent", policy_id="acme-devtools-v1", current_rate=0.031,
                reference_rate=0.03, p_value=0.001, q_value=0.01),
    DriftSample(detector="jailbreak", current_rate=0.01, reference_rate=0.012, p_value=0.7, q_value=0.9),
    DriftSample(detector="harmful_compliance", current_rate=0.0, reference_rate=0.001, p_value=1.0, q_value=1.0),
]
QUIET_FEATURES = [FeatureDriftSample(), FeatureDriftSample(feature="tool_calls", deployment="devtools-agent",
                                                           policy_id="acme-devtools-v1")]


@pytest.fixture
def harness(tmp_path):
    with observe_harness(tmp_path / "stack", alerting=True) as h:
        yield h


def test_off_policy_drift_reaches_the_webhook_and_resolves(harness):
    segment = {"deployment": "support-bot", "policy_id": "acme-support-v1", "model": "acme-chat-2026-11", "window": "hourly"}
    started = time.monotonic()
    harness.push_drift([drifting(**segment), *QUIET_SEGMENTS[1:]], QUIET_FEATURES)

    alert = harness.wait_for_alert("AlignwatchOffPolicyDrift", timeout=DELIVERY_TIMEOUT, **segment)
    latency = time.monotonic() - started

    assert alert["labels"]["severity"] == "critical"
    assert alert["labels"]["detector"] == "off_policy"
    assert alert["annotations"]["summary"] == (
        "Off-policy answers rising in support-bot (acme-support-v1, model acme-chat-2026-11)"
    )
    # The description reads the segment's rates back from Prometheus.
    assert "(11% now vs 2% reference)" in alert["annotations"]["description"]
    assert latency < DELIVERY_TIMEOUT
    # Only that segment fired, and no other rule picked the drift up a second time.
    firing = harness.receiver.alerts("firing")
    assert {a["labels"]["alertname"] for a in firing} == {"AlignwatchOffPolicyDrift"}, describe_alerts(firing)
    assert {a["labels"]["deployment"] for a in firing} == {"support-bot"}

    # The next drift run finds the segment back to normal: Alertmanager sends the resolution.
    harness.push_drift(QUIET_SEGMENTS, QUIET_FEATURES)
    resolved = harness.wait_for_alert("AlignwatchOffPolicyDrift", status="resolved", timeout=DELIVERY_TIMEOUT, **segment)
    assert resolved["endsAt"] > alert["startsAt"]


def test_non_drifting_gauges_send_nothing(harness):
    harness.push_drift(QUIET_SEGMENTS, QUIET_FEATURES)
    # The rules must have seen the data, or "no alert" proves nothing.
    harness.wait_for_series('alignwatch_drift_detected{detector="off_policy", deployment="support-bot", window="hourly"}')
    seen = time.time()
    harness.wait_for_rule_evaluation(after=seen)

    time.sleep(QUIET_SECONDS)

    assert harness.query("count(alignwatch_drift_detected)")[0]["value"][1] == str(len(QUIET_SEGMENTS))
    assert harness.prometheus_alerts() == []
    assert harness.receiver.notifications == [], describe_alerts(harness.receiver.alerts())


def test_generic_detector_drift_is_delivered_with_its_own_alert(harness):
    segment = {"detector": "sycophancy", "deployment": "support-bot", "model": "acme-chat-2026-11", "window": "daily"}
    harness.push_drift([drifting(**segment), *QUIET_SEGMENTS])

    alert = harness.wait_for_alert("AlignwatchDetectorDrift", timeout=DELIVERY_TIMEOUT, **segment)

    assert alert["labels"]["severity"] == "warning"
    assert alert["annotations"]["summary"].startswith("sycophancy rate drifted up in support-bot")
