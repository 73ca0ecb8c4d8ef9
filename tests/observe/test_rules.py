"""Alert rules and Alertmanager config, checked by the real promtool and amtool.

The binaries are installed by infra/install-services.sh (scripts/test.sh runs it); a missing
binary fails these tests instead of skipping them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipelines.observe.services import (
    ALERT_RULES,
    ALERTMANAGER_CONFIG,
    PROMETHEUS_CONFIG,
    find_binary,
    render_alert_rules,
    render_alertmanager_config,
    render_prometheus_config,
)

RULE_TESTS = sorted((ALERT_RULES.parent / "tests").glob("*.test.yml"))


def run(tool: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([find_binary(tool), *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)


def alert_rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERT_RULES.read_text())["groups"] for rule in group["rules"] if "alert" in rule]


def test_promtool_check_rules():
    result = run("promtool", "check", "rules", ALERT_RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_promtool_unit_tests_pass():
    assert RULE_TESTS, "no promtool test files"
    result = run("promtool", "test", "rules", *RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_firing_and_quiet_cases():
    """A rule only tested firing could fire on everything; one only tested quiet could never fire."""
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert names - firing == set(), "alerts without a firing case"
    assert names - quiet == set(), "alerts without a non-firing case"


# The labels that identify what is wrong, which each alert's text must name. A new alert must be
# added here, so nobody ships an alert that says "drift detected" without saying where.
SEGMENT_LABELS = {
    "AlignwatchOffPolicyDrift": {"deployment", "policy_id", "model", "window"},
    "AlignwatchDetectorDrift": {"detector", "deployment", "policy_id", "model", "window"},
    "AlignwatchFeatureDrift": {"feature", "deployment", "policy_id"},
    "AlignwatchDriftStale": set(),
    "AlignwatchHarmfulComplianceSpike": {"deployment", "policy_id", "model"},
    "AlignwatchJailbreakSpike": {"deployment", "policy_id", "model"},
    "AlignwatchSafetyDrift": {"detector", "deployment", "policy_id", "model", "window"},
    "AlignwatchIngestStalled": {"instance"},
    "AlignwatchIngestNoBatches": {"instance"},
    "AlignwatchIngestDown": {"instance"},
    "AlignwatchDeadLettersGrowing": {"topic", "error_kind"},
    "AlignwatchDetectionsStale": set(),
}


def test_every_alert_has_severity_and_names_its_segment():
    rules = {rule["alert"]: rule for rule in alert_rules()}
    assert rules.keys() == SEGMENT_LABELS.keys()
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, name
        assert {"summary", "description"} <= rule["annotations"].keys(), name
        text = rule["annotations"]["summary"] + rule["annotations"]["description"]
        missing = {label for label in SEGMENT_LABELS[name] if f"$labels.{label}" not in text}
        assert missing == set(), f"{name} does not name {missing}"


def test_a_changed_threshold_breaks_the_unit_tests(tmp_path):
    """The promtool tests pin the thresholds: loosening one must make them fail."""
    (tmp_path / "tests").mkdir()
    mutated = ALERT_RULES.read_text().replace('alignwatch_flag_rate{detector="harmful_compliance"} > 0.02', 'alignwatch_flag_rate{detector="harmful_compliance"} > 0.2')
    assert mutated != ALERT_RULES.read_text()
    (tmp_path / ALERT_RULES.name).write_text(mutated)
    shutil.copy(ALERT_RULES.parent / "tests" / "safety.test.yml", tmp_path / "tests")
    result = run("promtool", "test", "rules", tmp_path / "tests" / "safety.test.yml")
    assert result.returncode != 0
    assert "AlignwatchHarmfulComplianceSpike" in result.stdout + result.stderr


def test_rules_rendered_for_the_end_to_end_test_keep_everything_but_the_hold(tmp_path):
    rendered = yaml.safe_load(render_alert_rules("0s"))
    original = yaml.safe_load(ALERT_RULES.read_text())
    for new_group, old_group in zip(rendered["groups"], original["groups"], strict=True):
        for new, old in zip(new_group["rules"], old_group["rules"], strict=True):
            assert new["for"] == "0s"
            assert {k: v for k, v in new.items() if k != "for"} == {k: v for k, v in old.items() if k != "for"}
    path = tmp_path / "rendered.rules.yml"
    path.write_text(render_alert_rules("0s"))
    result = run("promtool", "check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_amtool_check_config():
    result = run("amtool", "check-config", ALERTMANAGER_CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rendered_alertmanager_config_points_the_webhook_elsewhere_and_stays_valid(tmp_path):
    text = render_alertmanager_config(webhook_url="http://127.0.0.1:9/hook", group_wait="1s", group_interval="1s")
    config = yaml.safe_load(text)
    assert [w["url"] for r in config["receivers"] for w in r["webhook_configs"]] == ["http://127.0.0.1:9/hook"]
    assert config["route"]["group_wait"] == "1s"
    # The critical route sets its own group_wait, so it is shortened too; routes and inhibitions stay.
    committed = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    assert [r["matchers"] for r in config["route"]["routes"]] == [r["matchers"] for r in committed["route"]["routes"]]
    assert config["route"]["routes"][0]["group_wait"] == "1s"
    assert config["inhibit_rules"] == committed["inhibit_rules"]
    path = tmp_path / "alertmanager.yml"
    path.write_text(text)
    result = run("amtool", "check-config", path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("rendered", [False, True], ids=["committed", "rendered"])
def test_promtool_check_config(tmp_path, rendered):
    if rendered:
        (tmp_path / "rules").mkdir()
        (tmp_path / "rules" / ALERT_RULES.name).write_text(render_alert_rules("0s"))
        config = render_prometheus_config(
            pushgateway="127.0.0.1:9091",
            alertmanager="127.0.0.1:9093",
            ingest_targets=["127.0.0.1:8000"],
            rule_files=[f"rules/{ALERT_RULES.name}"],
        )
        path = tmp_path / "prometheus.yml"
        path.write_text(config)
        parsed = yaml.safe_load(config)
        jobs = {job["job_name"]: job for job in parsed["scrape_configs"]}
        assert jobs["pushgateway"]["honor_labels"] is True
        assert jobs["alignwatch_ingest"]["static_configs"] == [{"targets": ["127.0.0.1:8000"]}]
        assert "prometheus" not in jobs
    else:
        path = PROMETHEUS_CONFIG
    result = run("promtool", "check", "config", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout
