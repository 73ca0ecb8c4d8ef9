"""What the feedback stage adds to the code location (wired in by ``pipelines/definitions.py``).

Needs the ``lake``, ``kafka`` and ``pushgateway`` resources of ``pipelines.environment.resources()`` plus ``RESOURCES``.
"""

from pipelines.defs.feedback.assets import (
    feedback_dataset,
    feedback_topic,
    flagged_cases,
    review_queue,
    review_verdicts,
)
from pipelines.defs.feedback.resources import feedback_resources
from pipelines.defs.feedback.schedules import (
    feedback_dataset_job,
    feedback_dataset_schedule,
    review_queue_job,
    review_queue_schedule,
)

ASSETS = [review_verdicts, flagged_cases, review_queue, feedback_dataset, feedback_topic]
JOBS = [review_queue_job, feedback_dataset_job]
SCHEDULES = [review_queue_schedule, feedback_dataset_schedule]
SENSORS: list = []
RESOURCES = feedback_resources()
