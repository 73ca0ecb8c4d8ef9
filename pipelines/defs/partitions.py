"""Time partitions of the code location, all in UTC event time (``created_at``), not processing time."""

import dagster as dg

START = "2025-01-01"

# Drift compares windows of event time; a window's partition exists once the window has ended.
hourly_partitions = dg.HourlyPartitionsDefinition(start_date=f"{START}-00:00", timezone="UTC")
daily_partitions = dg.DailyPartitionsDefinition(start_date=START, timezone="UTC")

# Detection scores transcripts as they arrive, so today's partition exists while today is running.
event_days = dg.DailyPartitionsDefinition(start_date=START, timezone="UTC", end_offset=1)
