"""Drift windows as Dagster partitions: UTC hours and UTC days of event time."""

import dagster as dg

# Drift compares windows of event time; a partition exists once its window has ended.
START = "2025-01-01"

hourly_partitions = dg.HourlyPartitionsDefinition(start_date=f"{START}-00:00", timezone="UTC")
daily_partitions = dg.DailyPartitionsDefinition(start_date=START, timezone="UTC")
