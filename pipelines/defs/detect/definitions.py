"""What the detect stage adds to the code location (wired in by ``pipelines/definitions.py``).

Needs the ``lake``, ``judge`` and ``pushgateway`` resources of ``pipelines.environment.resources()``.
"""

from pipelines.defs.detect.assets import detections, judge_verdicts
from pipelines.defs.detect.sensors import detect_job, judge_job, judge_schedule, new_transcripts_sensor

ASSETS = [detections, judge_verdicts]
JOBS = [detect_job, judge_job]
SCHEDULES = [judge_schedule]
SENSORS = [new_transcripts_sensor]
