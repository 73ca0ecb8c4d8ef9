"""The alignwatch Dagster code location (``dagster dev -m pipelines.definitions``).

Each stage (ingest, detect, drift, feedback) contributes its assets, jobs and schedules; the
environment module decides the resources.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.detect.assets import detections, judge_verdicts
from pipelines.defs.drift import definitions as drift
from pipelines.defs.feedback import definitions as feedback
from pipelines.defs.ingest.assets import ingested_transcripts, transcripts_topic
from pipelines.environment import executor, resources

ingest_and_detect_job = dg.define_asset_job(
    "ingest_and_detect_job",
    selection=dg.AssetSelection.assets("transcripts", "transcripts_rejected", "detections", "judge_verdicts"),
    description="Drain the transcripts topic into the lake, then score what is new.",
    # infra/dagster/dagster.yaml limits concurrent runs per stage by this tag.
    tags={"alignwatch/stage": "ingest"},
)

ingest_schedule = dg.ScheduleDefinition(
    name="ingest_schedule",
    job=ingest_and_detect_job,
    cron_schedule="*/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    execution_timezone="UTC",
)

defs = dg.Definitions(
    assets=[transcripts_topic, ingested_transcripts, detections, judge_verdicts, *drift.ASSETS, *feedback.ASSETS],
    jobs=[ingest_and_detect_job, *drift.JOBS, *feedback.JOBS],
    schedules=[ingest_schedule, *drift.SCHEDULES, *feedback.SCHEDULES],
    sensors=[*drift.SENSORS, *feedback.SENSORS],
    resources={**resources(), **drift.drift_resources(), **feedback.RESOURCES},
    executor=executor(),
)
