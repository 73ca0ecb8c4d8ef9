"""The drift assets materialize in-process for one partition, and the CLI prints the shifted rates."""

import dagster as dg
import polars as pl
from typer.testing import CliRunner

from pipelines.cli.drift import drift_app
from pipelines.defs.drift.definitions import ASSETS, JOBS, RESOURCES, SCHEDULES
from pipelines.defs.drift.resources import DriftResource
from pipelines.observe.services import start_pushgateway
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from pipelines.simulate.scenarios import MODEL_AFTER
from tests.drift.conftest import NOW
from tests.observe.test_push import pushed_samples


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_definitions_load_with_the_lake_resource(tmp_path):
    defs = dg.Definitions(
        assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, resources={**RESOURCES, "lake": LakeResource(home=str(tmp_path)), "pushgateway": PushgatewayResource()}
    )
    dg.Definitions.validate_loadable(defs)
    assert {a.key.to_user_string() for a in ASSETS} == {"drift_reports/hourly", "drift_reports/daily"}
    assert {s.name for s in SCHEDULES} == {"drift_hourly_schedule", "drift_daily_schedule"}


def test_daily_partition_materializes_stores_the_window_and_pushes_metrics(updated_lake, tmp_path):
    daily = next(a for a in ASSETS if a.key.path[-1] == "daily")
    gateway = start_pushgateway(tmp_path / "pgw")
    try:
        resources = {
            "lake": LakeResource(home=str(updated_lake.home)),
            "drift": DriftResource(html_daily="none"),
            "pushgateway": PushgatewayResource(url=gateway.url),
        }
        result = dg.materialize(
            [daily], partition_key="2026-11-26", resources=resources,
            run_config={"ops": {"drift_reports__daily": {"config": {"features": False}}}},
        )
        samples = pushed_samples(gateway.url)
    finally:
        gateway.stop()
    assert result.success
    meta = metadata(result)
    assert meta["rates_shifted"] >= 2 and meta["segments"] == 3 and meta["html_reports"] == 0
    assert meta["metrics_pushed"] == 1
    assert all(isinstance(v, int) for v in meta.values())  # counts only, never names or text
    stored = pl.from_arrow(
        updated_lake.warehouse.query(
            "SELECT deployment, subject, model FROM drift_reports WHERE window_kind = 'daily' AND detected"
        )
    )
    assert ("support-bot", "off_policy", MODEL_AFTER) in stored.rows()
    shifted = {
        (dict(labels)["deployment"], dict(labels)["detector"], dict(labels)["model"])
        for (name, labels), v in samples.items()
        if name == "alignwatch_drift_detected" and v == 1
    }
    assert ("support-bot", "off_policy", MODEL_AFTER) in shifted


def test_hourly_partition_with_a_fixed_baseline(updated_lake):
    hourly = next(a for a in ASSETS if a.key.path[-1] == "hourly")
    resources = {"lake": LakeResource(home=str(updated_lake.home)), "drift": DriftResource(), "pushgateway": PushgatewayResource()}
    config = {"features": False, "baseline_start": "2026-11-25T00:00:00Z", "baseline_end": "2026-11-26T00:00:00Z"}
    result = dg.materialize(
        [hourly], partition_key="2026-11-26-14:00", resources=resources,
        run_config={"ops": {"drift_reports__hourly": {"config": config}}},
    )
    assert result.success
    stored = updated_lake.warehouse.query(
        "SELECT DISTINCT reference_start, reference_end FROM drift_reports WHERE window_kind = 'hourly'"
    ).to_pylist()
    assert [(r["reference_start"].day, r["reference_end"].day) for r in stored] == [(25, 26)]


def test_cli_prints_which_rate_shifted_where_and_after_which_model(updated_lake, monkeypatch):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(updated_lake.home))
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("ALIGNWATCH_PUSHGATEWAY_URL", raising=False)
    result = CliRunner().invoke(drift_app, ["run", "--at", NOW.date().replace(day=26).isoformat(), "--no-features", "--no-write"])
    assert result.exit_code == 0, result.output
    assert "support-bot/acme-support-v1" in result.output and "off_policy" in result.output
    assert MODEL_AFTER in result.output
    bad = CliRunner().invoke(drift_app, ["run", "--window", "weekly"])
    assert bad.exit_code == 2


def test_schedules_run_the_window_that_just_ended(tmp_path):
    from datetime import UTC, datetime

    defs = dg.Definitions(
        assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, resources={**RESOURCES, "lake": LakeResource(home=str(tmp_path)), "pushgateway": PushgatewayResource()}
    )
    tick = datetime(2026, 11, 27, 0, 40, tzinfo=UTC)
    expected = {"drift_daily_schedule": ["2026-11-26"], "drift_hourly_schedule": ["2026-11-26-23:00"]}
    for name, keys in expected.items():
        schedule = defs.resolve_schedule_def(name)
        result = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
        assert [r.partition_key for r in result.run_requests] == keys
