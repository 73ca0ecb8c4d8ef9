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


def test_every_stage_runs_on_a_schedule_or_sensor():
    assert {s.name for s in defs.schedules} == {
        "ingest_schedule",
        "judge_schedule",
        "drift_hourly_schedule",
        "drift_daily_schedule",
        "review_queue_schedule",
        "feedback_dataset_schedule",
    }
    assert {s.name for s in defs.sensors} == {"new_transcripts_sensor"}
    assert defs.resolve_schedule_def("feedback_dataset_schedule").cron_schedule.endswith("* * *")


def test_ingest_every_few_minutes_and_detection_per_event_day():
    schedule = defs.resolve_schedule_def("ingest_schedule")
    assert schedule.cron_schedule == "*/5 * * * *"
    ingest = defs.resolve_job_def("ingest_job")
    assert {k.to_user_string() for k in ingest.asset_layer.executable_asset_keys} == {
        "transcripts",
        "transcripts_rejected",
    }
    detections = defs.resolve_assets_def("detections")
    # Daily event-time partitions that include today, one partition per backfill run.
    assert isinstance(detections.partitions_def, dg.DailyPartitionsDefinition)
    assert detections.partitions_def.end_offset == 1
    assert detections.backfill_policy is None  # Dagster's default: one partition per backfill run
    # Every detect run carries the stage tag the run queue limits (infra/dagster/dagster.yaml).
    assert defs.resolve_job_def("detect_job").tags["alignwatch/stage"] == "detect"


def test_kafka_settings_come_from_environment_variables_not_literals(monkeypatch):
    from pipelines.environment import resources

    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "never-inline-me")
    kafka = resources()["kafka"]
    # An EnvVar is resolved at run time, so the value never lands in run config or the UI.
    assert isinstance(kafka.bootstrap_servers, dg.EnvVar)
    assert isinstance(kafka.sasl_password, dg.EnvVar)
    assert "never-inline-me" not in repr(kafka)
