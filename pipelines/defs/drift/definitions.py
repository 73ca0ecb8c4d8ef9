"""What the drift stage adds to the code location (wired in by ``pipelines/definitions.py``).

Needs the ``lake`` and ``pushgateway`` resources of ``pipelines.environment.resources()`` plus ``RESOURCES``.
"""

import dagster as dg

from pipelines.defs.drift.assets import drift_reports_daily, drift_reports_hourly
from pipelines.defs.drift.resources import drift_resources

drift_hourly_job = dg.define_asset_job(
    "drift_hourly_job",
    tags={"alignwatch/stage": "drift"},
    selection=dg.AssetSelection.assets(drift_reports_hourly),
    description="Drift of the last complete hour against the previous day.",
)
drift_daily_job = dg.define_asset_job(
    "drift_daily_job",
    tags={"alignwatch/stage": "drift"},
    selection=dg.AssetSelection.assets(drift_reports_daily),
    description="Drift of the last complete day against the previous week.",
)

# Each tick runs the partition that just ended, late enough for the ingest and detect schedule
# (every 5 minutes) to have scored its last transcripts.
drift_hourly_schedule = dg.build_schedule_from_partitioned_job(
    drift_hourly_job,
    name="drift_hourly_schedule",
    minute_of_hour=20,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
drift_daily_schedule = dg.build_schedule_from_partitioned_job(
    drift_daily_job,
    name="drift_daily_schedule",
    hour_of_day=0,
    minute_of_hour=40,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

ASSETS = [drift_reports_hourly, drift_reports_daily]
JOBS = [drift_hourly_job, drift_daily_job]
SCHEDULES = [drift_hourly_schedule, drift_daily_schedule]
SENSORS: list = []
RESOURCES = drift_resources()
