"""Settings of the feedback loop as a Dagster resource (topic, review budget, eval sets, redaction)."""
# No "from __future__ import annotations": Dagster resolves resource field types from annotations.

import os

import dagster as dg

from pipelines.feedback.publish import DEFAULT_FEEDBACK_TOPIC
from warehouse.feedback.contamination import DEFAULT_THRESHOLD, EvalSet, load_eval_set
from warehouse.feedback.sampling import DEFAULT_BUDGET_PER_DAY

_FROM_ENV = {
    "topic": "ALIGNWATCH_FEEDBACK_TOPIC",
    "review_budget_per_day": "ALIGNWATCH_REVIEW_BUDGET_PER_DAY",
    "max_high_severity_per_day": "ALIGNWATCH_REVIEW_MAX_HIGH_SEVERITY_PER_DAY",
    "eval_sets": "ALIGNWATCH_EVAL_SETS",
}


class FeedbackResource(dg.ConfigurableResource):
    """How the feedback loop samples, builds and publishes (the daily review budget, a cap on high-severity reviews).

    ``eval_sets`` is a list of paths separated by the OS path separator (``:`` on Linux); records whose
    prompts overlap them are kept out of the datasets. Metrics go through the shared ``pushgateway`` resource.
    """

    topic: str = DEFAULT_FEEDBACK_TOPIC
    review_budget_per_day: int = DEFAULT_BUDGET_PER_DAY
    max_high_severity_per_day: int | None = None  # None: every high-severity case is reviewed
    sampling_seed: int = 0
    eval_sets: str = ""
    contamination_threshold: float = DEFAULT_THRESHOLD
    redact_pii: bool = True

    def load_eval_sets(self) -> list[EvalSet]:
        return [load_eval_set(path) for path in self.eval_sets.split(os.pathsep) if path.strip()]


def feedback_resources() -> dict[str, dg.ConfigurableResource]:
    """The ``feedback`` resource with every setting present in the environment bound through ``EnvVar``."""
    from_env = {field: dg.EnvVar(var) for field, var in _FROM_ENV.items() if os.environ.get(var)}
    for field in ("review_budget_per_day", "max_high_severity_per_day"):
        if field in from_env:
            from_env[field] = dg.EnvVar.int(_FROM_ENV[field])
    return {"feedback": FeedbackResource(**from_env)}
