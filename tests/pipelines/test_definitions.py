"""The code location's shape: asset keys, groups, the schedule and resources from the environment."""

import dagster as dg

from pipelines.definitions import defs


def test_asset_graph_and_groups():
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {
        "transcripts_topic": "ingest",
        "transcripts": "ingest",
        "transcripts_rejected": "ingest",
        "detections": "detect",
        "judge_verdicts": "detect",
        "drift_reports/hourly": "drift",
        "drift_reports/daily": "drift",
        "review_verdicts": "feedback",
        "flagged_cases": "feedback",
        "review_queue": "feedback",
        "feedback_dataset": "feedback",
        "feedback_topic": "feedback",
    }
    assert graph.get(dg.AssetKey("detections")).parent_keys == {dg.AssetKey("transcripts")}


def test_every_stage_runs_on_a_schedule():
    assert {s.name for s in defs.schedules} == {
        "ingest_schedule",
        "drift_hourly_schedule",
        "drift_daily_schedule",
        "review_queue_schedule",
        "feedback_dataset_schedule",
    }
    assert defs.resolve_schedule_def("feedback_dataset_schedule").cron_schedule.endswith("* * *")


def test_schedule_runs_ingest_and_detect_every_few_minutes():
    schedule = defs.resolve_schedule_def("ingest_schedule")
    assert schedule.cron_schedule == "*/5 * * * *"
    job = defs.resolve_job_def("ingest_and_detect_job")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} >= {"transcripts", "detections"}


def test_kafka_settings_come_from_environment_variables_not_literals(monkeypatch):
    from pipelines.environment import resources

    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "never-inline-me")
    kafka = resources()["kafka"]
    # An EnvVar is resolved at run time, so the value never lands in run config or the UI.
    assert isinstance(kafka.bootstrap_servers, dg.EnvVar)
    assert isinstance(kafka.sasl_password, dg.EnvVar)
    assert "never-inline-me" not in repr(kafka)
