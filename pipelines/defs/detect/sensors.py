"""When detection runs: a sensor starts one run per event day that gained transcript files.

It watches the lake rather than the ingest asset, so transcripts written by a long-running
``alignwatch ingest --follow`` are scored as well as those of the scheduled drain.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.defs.partitions import event_days
from pipelines.defs.scheduling import utc_schedule
from pipelines.detect.plan import SensorCursor, plan_detection
from pipelines.resources.lake import LakeResource
from warehouse.layout import Table
from warehouse.partition_files import day_fingerprints

# Days older than this are not watched (listing them every minute would cost more as the lake
# ages); transcripts that arrive later than that are scored by a backfill of their day.
LOOKBACK_DAYS = 3

detect_job = dg.define_asset_job(
    "detect_job",
    selection=dg.AssetSelection.assets("detections"),
    tags={"alignwatch/stage": "detect"},
    description="Score one event day's transcripts that lack a row for a current detector version.",
)

judge_job = dg.define_asset_job(
    "judge_job",
    selection=dg.AssetSelection.assets("judge_verdicts"),
    tags={"alignwatch/stage": "detect"},
    description="Send the fast tier's uncertain detections to the LLM judge, within its budget.",
)

judge_schedule = utc_schedule("judge_schedule", judge_job, "*/15 * * * *")


@dg.sensor(job=detect_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_transcripts_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
    """Request the ``detections`` partition of each recent day whose transcript files changed
    (and today's every few minutes without a change, so a stalled detect stage shows)."""
    now = datetime.now(UTC)
    since = now.date() - timedelta(days=LOOKBACK_DAYS)
    current = day_fingerprints(lake.warehouse.storage, Table.TRANSCRIPTS, since=since)
    plan = plan_detection(SensorCursor.loads(context.cursor), current, now, event_days.has_partition_key)
    for day in plan.out_of_range:
        context.log.warning(f"transcripts dated {day} are outside the detection partitions; not scheduled")
    context.update_cursor(plan.cursor.dumps())
    # The run key makes a re-evaluation with the same files a no-op.
    return [dg.RunRequest(partition_key=day, run_key=run_key) for day, run_key in plan.requests]
