"""The alignwatch Dagster code location (``dagster dev -m pipelines.definitions``).

Each stage (ingest, detect, drift, feedback) contributes its assets, jobs, schedules and sensors;
the environment module decides the resources.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.detect import definitions as detect
from pipelines.defs.drift import definitions as drift
from pipelines.defs.feedback import definitions as feedback
from pipelines.defs.ingest import definitions as ingest
from pipelines.environment import executor, resources

STAGES = (ingest, detect, drift, feedback)

defs = dg.Definitions(
    assets=[asset for stage in STAGES for asset in stage.ASSETS],
    jobs=[job for stage in STAGES for job in stage.JOBS],
    schedules=[schedule for stage in STAGES for schedule in stage.SCHEDULES],
    sensors=[sensor for stage in STAGES for sensor in stage.SENSORS],
    resources={**resources(), **drift.drift_resources(), **feedback.RESOURCES},
    executor=executor(),
)
