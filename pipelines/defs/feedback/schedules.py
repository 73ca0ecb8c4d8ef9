"""When the feedback loop runs: cases, sample and publication hourly; datasets daily."""

import dagster as dg

review_queue_job = dg.define_asset_job(
    "review_queue_job",
    tags={"alignwatch/stage": "feedback"},
    selection=dg.AssetSelection.assets("flagged_cases", "review_queue", "feedback_topic"),
    description="Refresh flagged cases, draw the review sample for new ones, publish new verdicts.",
)

feedback_dataset_job = dg.define_asset_job(
    "feedback_dataset_job",
    tags={"alignwatch/stage": "feedback"},
    selection=dg.AssetSelection.assets("feedback_dataset"),
    description="Build the next feedback dataset version from the confirmed cases.",
)

review_queue_schedule = dg.ScheduleDefinition(
    name="review_queue_schedule",
    job=review_queue_job,
    cron_schedule="15 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    execution_timezone="UTC",
)

feedback_dataset_schedule = dg.ScheduleDefinition(
    name="feedback_dataset_schedule",
    job=feedback_dataset_job,
    cron_schedule="0 2 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    execution_timezone="UTC",
)
