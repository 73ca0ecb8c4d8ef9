"""What the ingest stage adds to the code location (wired in by ``pipelines/definitions.py``).

Needs the ``kafka`` and ``lake`` resources of ``pipelines.environment.resources()``.
"""

import dagster as dg

from pipelines.defs.ingest.assets import ingested_transcripts, transcripts_topic
from pipelines.defs.scheduling import utc_schedule

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets("transcripts", "transcripts_rejected"),
    description="Drain the transcripts topic into the lake (detection follows per event day).",
    # infra/dagster/dagster.yaml allows one ingest run at a time by this tag.
    tags={"alignwatch/stage": "ingest"},
)

ingest_schedule = utc_schedule("ingest_schedule", ingest_job, "*/5 * * * *")

ASSETS = [transcripts_topic, ingested_transcripts]
JOBS = [ingest_job]
SCHEDULES = [ingest_schedule]
SENSORS: list = []
