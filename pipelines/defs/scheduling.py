"""Schedules of the code location: cron in UTC, running as soon as the code location loads."""

import dagster as dg


def utc_schedule(name: str, job, cron: str) -> dg.ScheduleDefinition:  # job: from define_asset_job
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        execution_timezone="UTC",
    )
