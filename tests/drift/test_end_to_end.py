"""Drift over simulated traffic catches the configured regression, attributes it, and nothing else."""

from datetime import timedelta

import polars as pl
import pytest
from rich.console import Console

from pipelines.drift.run import DriftOptions, compute_drift, write_drift
from pipelines.drift.summary import drift_summary, render_drift
from pipelines.simulate.scenarios import DEFAULT_UPDATE_EFFECTS, MODEL_AFTER
from tests.drift.conftest import NOW
from warehouse.drift.windows import WindowKind, last_complete_window

DAY = last_complete_window(WindowKind.DAILY, NOW)
RATES_ONLY = DriftOptions(features=False)


def shifted(run) -> set[tuple[str, str]]:
    return {(r["deployment"], r["subject"]) for r in run.detected.iter_rows(named=True)}


@pytest.fixture(scope="module")
def updated_run(updated_lake):
    return compute_drift(updated_lake.warehouse, WindowKind.DAILY, DAY, NOW, RATES_ONLY)


def test_configured_regressions_are_caught_and_attributed_to_the_new_model(updated_run, updated_lake):
    configured = set(DEFAULT_UPDATE_EFFECTS)
    assert configured <= shifted(updated_run)
    update_at = updated_lake.config.window(NOW)[0] + timedelta(days=1)
    for row in updated_run.detected.iter_rows(named=True):
        assert row["model"] == MODEL_AFTER
        assert row["new_models"] == MODEL_AFTER
        assert row["diff_lower"] > 0 and row["q_value"] <= 0.05
    off_policy = updated_run.detected.filter(pl.col("subject") == "off_policy").row(0, named=True)
    # The simulator releases the model at midnight with a canary ramp of a few hours.
    assert update_at <= off_policy["change_point_at"] <= update_at + timedelta(hours=4)
    assert off_policy["attribution"] == "first_seen_at_change_point"


def test_nothing_is_reported_where_the_simulator_changed_nothing(updated_run):
    changed_deployments = {deployment for deployment, _ in DEFAULT_UPDATE_EFFECTS}
    by_deployment = {deployment for deployment, _ in shifted(updated_run)}
    assert by_deployment <= changed_deployments  # coding-agent: new model, same behaviour, no report
    # Within a changed deployment, any other rising detector must be the same transcripts seen twice
    # (e.g. the fabrication detector also firing on competitor recommendations, an off_policy scenario).
    extra = updated_run.detected.filter(
        ~pl.struct("deployment", "subject").is_in([{"deployment": d, "subject": s} for d, s in DEFAULT_UPDATE_EFFECTS])
    )
    for row in extra.iter_rows(named=True):
        assert (row["deployment"], row["co_flagged_with"]) in DEFAULT_UPDATE_EFFECTS
        assert row["co_flag_share"] >= 0.2


def test_steady_traffic_reports_nothing(steady_lake):
    run = compute_drift(steady_lake.warehouse, WindowKind.DAILY, DAY, NOW, RATES_ONLY)
    assert run.rates.filter(pl.col("tested")).height >= 15  # the test had data to work with
    assert shifted(run) == set()
    assert set(run.rates["model"]) == {"all"}


def test_summary_writes_the_window_and_names_segment_detector_and_model(updated_lake):
    summary = drift_summary(updated_lake.warehouse, NOW, "daily")
    stored = updated_lake.warehouse.query(
        "SELECT kind, count(*) AS n FROM drift_reports WHERE window_kind = 'daily' GROUP BY kind"
    ).to_pylist()
    assert {r["kind"] for r in stored} == {"rate", "feature"}
    console = Console(record=True, width=220)
    render_drift(console, summary)
    text = console.export_text()
    assert "support-bot/acme-support-v1" in text and "off_policy" in text and MODEL_AFTER in text
    assert "no shift: coding-agent/acme-devtools-v1" in text
    first = summary.findings[0]
    assert (first.deployment, first.detector) == ("support-bot", "off_policy")
    assert "after model " + MODEL_AFTER in first.describe()
    assert first.report_html is not None and first.report_html.exists()
    # A re-run of the same window replaces its file instead of adding rows.
    write_drift(updated_lake.warehouse, summary.run)
    again = updated_lake.warehouse.query(
        "SELECT count(*) AS n FROM drift_reports_raw WHERE window_kind = 'daily' AND window_start = ?", [DAY.start]
    ).to_pylist()[0]["n"]
    assert again == summary.run.rows.height
