"""Settings of the drift runs as a Dagster resource (sampling, HTML reports, Pushgateway)."""
# No "from __future__ import annotations": Dagster resolves resource field types from annotations.

import os

import dagster as dg

_FROM_ENV = {"pushgateway": "ALIGNWATCH_PUSHGATEWAY"}


class DriftResource(dg.ConfigurableResource):
    """How drift runs sample and report. An empty ``pushgateway`` disables metric pushes.

    ``html_hourly``/``html_daily``: which segments get an Evidently HTML report (all, drifted, none);
    hourly reports default to drifted segments only, as one report per segment and hour adds up.
    """

    sample_per_side: int = 2_000
    html_hourly: str = "drifted"
    html_daily: str = "all"
    pushgateway: str = ""


def drift_resources() -> dict[str, dg.ConfigurableResource]:
    """The ``drift`` resource with every setting present in the environment bound through ``EnvVar``."""
    return {"drift": DriftResource(**{f: dg.EnvVar(v) for f, v in _FROM_ENV.items() if os.environ.get(v)})}
