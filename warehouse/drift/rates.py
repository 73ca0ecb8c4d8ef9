"""The rate-drift table: one row per (segment, detector), tested, corrected and attributed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from warehouse.drift.attribution import (
    ALL_MODELS,
    Attribution,
    ModelUsage,
    Reason,
    attribute_shift,
    new_models,
)
from warehouse.drift.stats import (
    benjamini_hochberg,
    newcombe_interval,
    rate_change_point,
    rise_test,
    wilson_interval,
)

SEGMENT = ("deployment", "policy_id")


@dataclass(frozen=True)
class DriftThresholds:
    """When a rate rise is reported.

    All of: the segment has enough data to test (``min_*``), the rise survives Benjamini-Hochberg
    at ``fdr`` over every (segment, detector) test of the run, and it is large enough to act on:
    at least ``min_abs_increase`` (absolute) and ``min_ratio`` times the reference rate. With a
    million transcripts a 0.1-point rise is significant; the effect floor keeps such noise quiet.
    """

    fdr: float = 0.05
    min_abs_increase: float = 0.02
    min_ratio: float = 1.25
    min_current_n: int = 100
    min_reference_n: int = 100
    min_current_flags: int = 5
    confidence: float = 0.95
    # A change point needs this log-likelihood ratio (two rates against one) to be reported; the
    # maximum over a few hundred splits of pure noise stays well below it.
    min_change_llr: float = 10.0
    change_tolerance: timedelta = timedelta(hours=6)
    min_share_increase: float = 0.05


# Attribution and change-point columns, added to the tested rates after the tests ran.
_EXTRA_SCHEMA = {
    "model": pl.String,
    "attribution": pl.String,
    "model_first_seen": pl.Datetime("us", "UTC"),
    "model_share": pl.Float64,
    "model_rate": pl.Float64,
    "new_models": pl.String,
    "change_point_at": pl.Datetime("us", "UTC"),
    "change_point_llr": pl.Float64,
    "rate_before": pl.Float64,
    "rate_after": pl.Float64,
}

RATE_COLUMNS = {
    "deployment": pl.String,
    "policy_id": pl.String,
    "detector": pl.String,
    "detector_version": pl.String,
    "current_n": pl.Int64,
    "current_flagged": pl.Int64,
    "reference_n": pl.Int64,
    "reference_flagged": pl.Int64,
    "current_rate": pl.Float64,
    "reference_rate": pl.Float64,
    "current_lower": pl.Float64,
    "current_upper": pl.Float64,
    "diff": pl.Float64,
    "diff_lower": pl.Float64,
    "diff_upper": pl.Float64,
    "statistic": pl.Float64,
    "method": pl.String,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
    "tested": pl.Boolean,
    "significant": pl.Boolean,
    "detected": pl.Boolean,
    **_EXTRA_SCHEMA,
}


def rate_drift(bins: pl.DataFrame, thresholds: DriftThresholds = DriftThresholds()) -> pl.DataFrame:
    """Test every (segment, detector) of ``warehouse.drift.aggregate.rate_bins`` output.

    Args:
        bins: flag counts per segment, model, detector, side and hour.
        thresholds: what counts as a reportable rise.

    Returns:
        One row per (deployment, policy_id, detector) with columns ``RATE_COLUMNS``.
    """
    if bins.is_empty():
        return pl.DataFrame(schema=RATE_COLUMNS)
    keys = [*SEGMENT, "detector"]
    totals = (
        bins.group_by(keys)
        .agg(
            pl.col("detector_version").first(),
            *[
                pl.col(c).filter(pl.col("side") == side).sum().alias(f"{side}_{name}")
                for side in ("current", "reference")
                for c, name in (("scored", "n"), ("flagged", "flagged"))
            ],
        )
        .sort(keys)
    )
    x1, n1 = totals["current_flagged"].to_numpy(), totals["current_n"].to_numpy()
    x2, n2 = totals["reference_flagged"].to_numpy(), totals["reference_n"].to_numpy()
    test = rise_test(x1, n1, x2, n2)
    diff_lower, diff_upper = newcombe_interval(x1, n1, x2, n2, thresholds.confidence)
    cur_lower, cur_upper = wilson_interval(x1, n1, thresholds.confidence)
    tested = (n1 >= thresholds.min_current_n) & (n2 >= thresholds.min_reference_n) & (x1 >= thresholds.min_current_flags)
    p_tested = np.where(tested, test.p_value, np.nan)
    q = benjamini_hochberg(p_tested)
    rate1 = np.divide(x1, n1, out=np.zeros(len(n1)), where=n1 > 0)
    rate2 = np.divide(x2, n2, out=np.zeros(len(n2)), where=n2 > 0)
    diff = rate1 - rate2
    large = (diff >= thresholds.min_abs_increase) & (rate1 >= thresholds.min_ratio * rate2)
    significant = tested & (np.nan_to_num(q, nan=1.0) <= thresholds.fdr)
    table = totals.with_columns(
        current_rate=rate1,
        reference_rate=rate2,
        current_lower=cur_lower,
        current_upper=cur_upper,
        diff=diff,
        diff_lower=diff_lower,
        diff_upper=diff_upper,
        statistic=test.statistic,
        method=pl.Series(test.method, dtype=pl.String),
        p_value=p_tested,
        q_value=q,
        tested=tested,
        significant=significant,
        detected=significant & large,
    )
    extra = [
        _change_and_attribution(bins, row, thresholds)
        for row in table.select(*keys, "detected").iter_rows(named=True)
    ]
    return pl.concat([table, pl.DataFrame(extra, schema=_EXTRA_SCHEMA)], how="horizontal").select(
        [pl.col(name).cast(dtype) for name, dtype in RATE_COLUMNS.items()]
    )



def _change_and_attribution(bins: pl.DataFrame, key: dict, thresholds: DriftThresholds) -> dict:
    rows = bins.filter(
        (pl.col("deployment") == key["deployment"])
        & (pl.col("policy_id") == key["policy_id"])
        & (pl.col("detector") == key["detector"])
    )
    series = rows.group_by("bin").agg(pl.col("flagged").sum(), pl.col("scored").sum()).sort("bin")
    change = rate_change_point(series["flagged"].to_numpy(), series["scored"].to_numpy())
    change_at: datetime | None = None
    if change.index >= 0 and change.llr >= thresholds.min_change_llr:
        change_at = series["bin"][change.index]
    usage = [
        ModelUsage(
            model=model["model"],
            current_n=int(model["current_n"]),
            reference_n=int(model["reference_n"]),
            first_seen=model["first_seen"],
            current_flagged=int(model["current_flagged"]),
        )
        for model in rows.group_by("model")
        .agg(
            pl.col("scored").filter(pl.col("side") == "current").sum().alias("current_n"),
            pl.col("scored").filter(pl.col("side") == "reference").sum().alias("reference_n"),
            pl.col("flagged").filter(pl.col("side") == "current").sum().alias("current_flagged"),
            pl.col("first_at").min().alias("first_seen"),
        )
        .sort("model")
        .iter_rows(named=True)
    ]
    # Only a reported shift is attributed; every other row is about all traffic of the segment.
    if key["detected"]:
        attribution = attribute_shift(usage, change_at, thresholds.change_tolerance, thresholds.min_share_increase)
    else:
        attribution = Attribution(ALL_MODELS, Reason.NONE, new_models=new_models(usage))
    return {
        "model": attribution.model,
        "attribution": attribution.reason.value if key["detected"] else None,
        "model_first_seen": attribution.first_seen,
        "model_share": attribution.current_share,
        "model_rate": attribution.current_rate,
        "new_models": ",".join(attribution.new_models) or None,
        "change_point_at": change_at,
        "change_point_llr": change.llr if change.index >= 0 else None,
        "rate_before": change.rate_before if change_at is not None else None,
        "rate_after": change.rate_after if change_at is not None else None,
    }

