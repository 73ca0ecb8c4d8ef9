"""Settings of the drift runs as a Dagster resource (sampling, HTML reports)."""
# No "from __future__ import annotations": Dagster resolves resource field types from annotations.

import dagster as dg


class DriftResource(dg.ConfigurableResource):
    """How drift runs sample and report (metrics go through the shared ``pushgateway`` resource).

    ``html_hourly``/``html_daily``: which segments get an Evidently HTML report (all, drifted, none);
    hourly reports default to drifted segments only, as one report per segment and hour adds up.
    """

    sample_per_side: int = 2_000
    html_hourly: str = "drifted"
    html_daily: str = "all"


def drift_resources() -> dict[str, dg.ConfigurableResource]:
    """The ``drift`` resource with its defaults (nothing secret, nothing from the environment)."""
    return {"drift": DriftResource()}
