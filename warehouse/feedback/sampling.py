"""Choose which new cases a person reviews, within a daily budget, with recorded sampling weights.

High-severity cases are always reviewed (a take-all stratum), unless a daily cap on them is set,
in which case they are sampled like the others, within their own strata. The rest of the budget is spread
evenly over strata (primary detector x deployment) rather than in proportion to their size, so a
rare failure mode gets as many reviews as a common one; each case's inclusion probability within
its stratum is recorded, and its weight (1/p) lets prevalence and precision estimated from the
reviewed sample stand for every case, not just the reviewed ones (Horvitz-Thompson).

Each case gets exactly one decision, in the run that first sees it; a later run never resamples it,
so the probabilities stay those of the design that actually ran.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from warehouse.feedback import schemas
from warehouse.layout import Table
from warehouse.query import Warehouse

DEFAULT_BUDGET_PER_DAY = 50
HIGH_SEVERITY_STRATUM = "high_severity"


def _draw_key(seed: int, day: date, value: str) -> str:
    # Keyed hash instead of an RNG stream: a case's draw does not depend on the other candidates.
    return hashlib.sha256(f"{seed}:{day.isoformat()}:{value}".encode()).hexdigest()


def allocate(sizes: dict[str, int], budget: int, seed: int, day: date) -> dict[str, int]:
    """Spread ``budget`` evenly over strata, never more than a stratum holds.

    Strata that fill up give their share back to the others; the last few units (fewer than the
    open strata) go to strata in a seeded random order.

    Args:
        sizes: stratum -> number of candidate cases.
        budget: cases to select in total.
        seed: seed of the random tie-break.
        day: the sampling day (part of the seed).
    """
    allocation = dict.fromkeys(sizes, 0)
    left = min(budget, sum(sizes.values()))
    open_strata = sorted((s for s, n in sizes.items() if n > 0), key=lambda s: _draw_key(seed, day, s))
    while left > 0 and open_strata:
        share = left // len(open_strata)
        if share == 0:
            for stratum in open_strata[:left]:
                allocation[stratum] += 1
            break
        for stratum in open_strata:
            give = min(share, sizes[stratum] - allocation[stratum])
            allocation[stratum] += give
            left -= give
        open_strata = [s for s in open_strata if allocation[s] < sizes[s]]
    return allocation


def sample_for_review(
    candidates: pl.DataFrame,
    budget: int,
    day: date,
    seed: int,
    sampled_at: datetime,
    high_severity_cap: int | None = None,
) -> pl.DataFrame:
    """Decide for every candidate case whether it is reviewed.

    Args:
        candidates: columns case_id, severity, primary_detector, deployment.
        budget: reviews still available today; high-severity cases are taken even beyond it.
        day: the sampling day.
        seed: same seed and candidates, same sample.
        sampled_at: timezone-aware decision time.
        high_severity_cap: if set and there are more high-severity cases than this, they are
            sampled too (evenly over their own detector x deployment strata, with weights).

    Returns:
        One row per candidate in the ``REVIEW_SAMPLES`` schema.
    """
    if candidates.height == 0:
        return pl.from_arrow(schemas.REVIEW_SAMPLES.empty_table())
    high = pl.col("severity") == "high"
    n_high = candidates.filter(high).height
    capped = high_severity_cap is not None and n_high > high_severity_cap
    segment = pl.col("primary_detector") + "|" + pl.col("deployment")
    high_stratum = (pl.lit(HIGH_SEVERITY_STRATUM + "|") + segment) if capped else pl.lit(HIGH_SEVERITY_STRATUM)
    frame = candidates.with_columns(
        pl.when(high).then(high_stratum).otherwise(segment).alias("stratum"),
        pl.Series("draw", [_draw_key(seed, day, c) for c in candidates["case_id"]], dtype=pl.String),
    )
    sizes = dict(frame.group_by("stratum").len().iter_rows())
    high_sizes = {s: n for s, n in sizes.items() if s.startswith(HIGH_SEVERITY_STRATUM)}
    other_sizes = {s: n for s, n in sizes.items() if s not in high_sizes}
    high_taken = min(n_high, high_severity_cap) if capped and high_severity_cap is not None else n_high
    allocation = allocate(high_sizes, high_taken, seed, day) | allocate(other_sizes, max(budget - high_taken, 0), seed, day)
    rank = pl.col("draw").rank("ordinal").over("stratum")
    selected_n = pl.col("stratum").replace_strict(allocation, return_dtype=pl.Int64)
    size = pl.col("stratum").replace_strict(sizes, return_dtype=pl.Int64)
    probability = selected_n.cast(pl.Float64) / size.cast(pl.Float64)
    decided = frame.with_columns(
        size.alias("stratum_size"),
        selected_n.alias("stratum_selected"),
        probability.alias("inclusion_probability"),
        pl.when(probability > 0).then(1.0 / probability).otherwise(None).alias("weight"),
        (rank <= selected_n).alias("selected"),
    ).with_columns(
        pl.when(~pl.col("selected"))
        .then(pl.lit("not_selected"))
        .when(pl.col("stratum").str.starts_with(HIGH_SEVERITY_STRATUM))
        .then(pl.lit("high_severity"))
        .otherwise(pl.lit("stratified"))
        .alias("reason"),
        pl.lit(day).alias("sample_day"),
        pl.lit(budget).cast(pl.Int64).alias("budget"),
        pl.lit(sampled_at).cast(pl.Datetime("us", "UTC")).alias("sampled_at"),
    )
    table = decided.select(schemas.REVIEW_SAMPLES.names).sort("case_id").to_arrow().cast(schemas.REVIEW_SAMPLES)
    return pl.from_arrow(table)


@dataclass(frozen=True)
class SamplingReport:
    candidates: int
    selected: int
    high_severity: int
    budget_left: int
    file: str | None


def refresh_review_queue(
    warehouse: Warehouse,
    now: datetime,
    budget_per_day: int = DEFAULT_BUDGET_PER_DAY,
    seed: int = 0,
    max_high_severity_per_day: int | None = None,
) -> SamplingReport:
    """Make the sampling decision for every case that has none yet (and no verdict), and store it.

    Args:
        warehouse: the lake.
        now: timezone-aware decision time; its UTC date is the sampling day.
        budget_per_day: reviews per day (high-severity cases count against it but are never dropped
            for it).
        seed: sampling seed.
        max_high_severity_per_day: None (default) reviews every high-severity case; a number caps
            them per day and samples the rest with weights.
    """
    day = now.date()
    with warehouse.connect() as con:
        candidates = pl.from_arrow(
            con.sql(
                """
                SELECT case_id, severity, primary_detector, deployment FROM flagged_cases
                WHERE case_id NOT IN (SELECT case_id FROM review_samples)
                  AND case_id NOT IN (SELECT case_id FROM review_verdicts)
                ORDER BY case_id
                """
            ).to_arrow_table()
        )
        used, used_high = con.sql(
            "SELECT count(*), count(*) FILTER (WHERE reason = 'high_severity') FROM review_samples "
            "WHERE selected AND sample_day = ?",
            params=[day],
        ).fetchall()[0]
    budget = max(budget_per_day - used, 0)
    cap = None if max_high_severity_per_day is None else max(max_high_severity_per_day - used_high, 0)
    decisions = sample_for_review(candidates, budget, day, seed, now, high_severity_cap=cap)
    path = None
    if decisions.height:
        run_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        rows = decisions.to_arrow().cast(schemas.REVIEW_SAMPLES)
        path = warehouse.storage.write_run_file(Table.REVIEW_SAMPLES, day, run_id, rows)
    selected = decisions.filter("selected")
    high = selected.filter(pl.col("reason") == "high_severity").height
    return SamplingReport(
        candidates=decisions.height,
        selected=selected.height,
        high_severity=high,
        budget_left=max(budget - selected.height, 0),
        file=path,
    )
