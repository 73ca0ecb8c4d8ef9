"""When the feedback loop runs: cases, sample and publication hourly; datasets daily."""

import dagster as dg

from pipelines.defs.scheduling import utc_schedule

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

review_queue_schedule = utc_schedule("review_queue_schedule", review_queue_job, "15 * * * *")

feedback_dataset_schedule = utc_schedule("feedback_dataset_schedule", feedback_dataset_job, "0 2 * * *")
