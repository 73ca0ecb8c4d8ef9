"""Drift gauges follow the metrics contract and land on a real Pushgateway, one group per window kind."""

from datetime import UTC, datetime

import pytest

from pipelines.observe.drift_metrics import drift_registry, push_drift_metrics
from pipelines.observe.services import start_pushgateway
from tests.observe.test_push import pushed_samples

RUN_AT = datetime(2026, 11, 27, 0, 40, tzinfo=UTC)


def rate(detector, deployment, window, *, detected, model="all", tested=True, p=0.5, q=0.9):
    return {
        "kind": "rate", "subject": detector, "deployment": deployment, "policy_id": f"{deployment}-policy",
        "window_kind": window, "model": model, "current_rate": 0.12 if detected else 0.03, "reference_rate": 0.03,
        "p_value": p, "q_value": q, "tested": tested, "detected": detected, "statistic": 4.0, "run_at": RUN_AT,
    }


def feature(name, deployment, window, score, detected):
    return {
        "kind": "feature", "subject": name, "deployment": deployment, "policy_id": f"{deployment}-policy",
        "window_kind": window, "model": "all", "statistic": score, "detected": detected, "run_at": RUN_AT,
    }


DAILY = [
    rate("off_policy", "support-bot", "daily", detected=True, model="chat-10", p=1e-20, q=1e-19),
    rate("jailbreak", "support-bot", "daily", detected=False),
    # Not enough data: rates are reported, the test statistics are not (no NaN series).
    rate("pii_leak", "coding-agent", "daily", detected=False, tested=False, p=float("nan"), q=float("nan")),
    feature("response_chars", "support-bot", "daily", 0.31, True),
    feature("user_prompt", "support-bot", "daily", None, False),  # skipped feature: no gauge
]


def value(registry, name, **labels):
    return registry.get_sample_value(name, labels)


def test_registry_has_the_contract_gauges():
    registry = drift_registry(DAILY, RUN_AT)
    labels = {"detector": "off_policy", "deployment": "support-bot", "policy_id": "support-bot-policy", "window": "daily", "model": "chat-10"}
    assert value(registry, "alignwatch_drift_detected", **labels) == 1
    assert value(registry, "alignwatch_drift_current_rate", **labels) == pytest.approx(0.12)
    assert value(registry, "alignwatch_drift_reference_rate", **labels) == pytest.approx(0.03)
    assert value(registry, "alignwatch_drift_q_value", **labels) == pytest.approx(1e-19)
    quiet = labels | {"detector": "jailbreak", "model": "all"}
    assert value(registry, "alignwatch_drift_detected", **quiet) == 0
    untested = {"detector": "pii_leak", "deployment": "coding-agent", "policy_id": "coding-agent-policy", "window": "daily", "model": "all"}
    assert value(registry, "alignwatch_drift_p_value", **untested) is None
    assert value(registry, "alignwatch_drift_current_rate", **untested) is not None
    feature_labels = {"feature": "response_chars", "deployment": "support-bot", "policy_id": "support-bot-policy"}
    assert value(registry, "alignwatch_feature_drift_score", **feature_labels) == pytest.approx(0.31)
    assert value(registry, "alignwatch_feature_drift_detected", **feature_labels) == 1
    assert value(registry, "alignwatch_feature_drift_score", **feature_labels | {"feature": "user_prompt"}) is None
    assert value(registry, "alignwatch_drift_last_run_timestamp_seconds") == RUN_AT.timestamp()


def test_window_kinds_are_separate_groups_on_a_real_pushgateway(tmp_path):
    gateway = start_pushgateway(tmp_path / "pgw")
    try:
        push_drift_metrics(DAILY, gateway.url)
        push_drift_metrics([rate("off_policy", "support-bot", "hourly", detected=False)], gateway.url)
        samples = pushed_samples(gateway.url)
        detected = {
            (dict(labels)["window"], dict(labels)["model"]): v
            for (name, labels), v in samples.items()
            if name == "alignwatch_drift_detected" and dict(labels)["detector"] == "off_policy"
        }
        assert detected == {("daily", "chat-10"): 1, ("hourly", "all"): 0}
        # The next daily run replaces the daily group only: the shift is gone, the hourly values stay.
        push_drift_metrics([rate("off_policy", "support-bot", "daily", detected=False)], gateway.url)
        samples = pushed_samples(gateway.url)
        keys = {(name, dict(labels).get("window"), dict(labels).get("model")) for name, labels in samples}
        assert ("alignwatch_drift_detected", "daily", "chat-10") not in keys
        assert ("alignwatch_drift_detected", "daily", "all") in keys
        assert ("alignwatch_drift_detected", "hourly", "all") in keys
        assert ("alignwatch_feature_drift_score", "daily", None) not in keys
    finally:
        gateway.stop()


def test_rows_of_several_windows_need_an_explicit_window():
    with pytest.raises(ValueError, match="window="):
        push_drift_metrics(DAILY + [rate("x", "y", "hourly", detected=False)], "http://127.0.0.1:9")
