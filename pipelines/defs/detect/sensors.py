"""When detection runs: a sensor starts one run per event day that gained transcript files.

It watches the lake rather than the ingest asset, so transcripts written by a long-running
``alignwatch ingest --follow`` are scored as well as those of the scheduled drain.
"""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.defs.partitions import event_days
from pipelines.resources.lake import LakeResource
from warehouse.layout import Table
from warehouse.partition_files import changed_days, day_fingerprints

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

judge_schedule = dg.ScheduleDefinition(
    name="judge_schedule",
    job=judge_job,
    cron_schedule="*/15 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    execution_timezone="UTC",
)


@dg.sensor(job=detect_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def new_transcripts_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
    """Request the ``detections`` partition of each recent day whose transcript files changed."""
    today = datetime.now(UTC).date()
    current = day_fingerprints(
        lake.warehouse.storage, Table.TRANSCRIPTS, since=today - timedelta(days=LOOKBACK_DAYS)
    )
    previous = json.loads(context.cursor) if context.cursor else {}
    requests = []
    for day in changed_days(previous, current):
        if not event_days.has_partition_key(day):  # event time in the future: a producer's clock is off
            context.log.warning(
                f"transcripts dated {day} are outside the detection partitions; not scheduled"
            )
            continue
        # The run key makes a re-evaluation with the same files a no-op.
        requests.append(dg.RunRequest(partition_key=day, run_key=f"detect-{day}-{current[day]}"))
    context.update_cursor(json.dumps(current, sort_keys=True))
    return requests
