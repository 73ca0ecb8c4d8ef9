"""Detector precision from review verdicts, with Wilson 95% intervals on the effective sample size.

A reviewed flag is one (case, detector version) pair of a case with a current verdict; it counts as
confirmed when the verdict confirms the case and, if the reviewer named the detectors that were
right, this detector is among them. Cases reviewed from the daily sample carry their sampling
weight (1/inclusion probability); cases reviewed outside it count with weight 1. With unequal
weights the interval uses Kish's effective sample size ``(sum w)^2 / sum w^2``.
"""

from __future__ import annotations

import math

import polars as pl

from warehouse.query import Warehouse

Z_95 = 1.959963984540054


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n`` (``n`` may be an effective size).

    Returns:
        (lower, upper); (0, 1) when ``n`` is 0.
    """
    if n <= 0:
        return 0.0, 1.0
    p = min(max(successes / n, 0.0), 1.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def reviewed_flags(warehouse: Warehouse) -> pl.DataFrame:
    """One row per (reviewed case, detector, detector_version) with ``confirmed`` and ``weight``."""
    table = warehouse.query(
        """
        SELECT c.case_id, f.detector, f.detector_version,
               v.verdict = 'confirmed'
                 AND (v.confirmed_detectors IS NULL OR list_contains(v.confirmed_detectors, f.detector)) AS confirmed,
               CASE WHEN s.selected AND s.weight IS NOT NULL THEN s.weight ELSE 1.0 END AS weight
        FROM current_verdicts v
        JOIN (SELECT case_id, unnest(flags) AS f FROM flagged_cases) c USING (case_id)
        LEFT JOIN review_samples s USING (case_id)
        ORDER BY c.case_id, f.detector, f.detector_version
        """
    )
    return pl.from_arrow(table)


def precision_table(flags: pl.DataFrame) -> pl.DataFrame:
    """Weighted precision per detector version with its Wilson 95% interval.

    Args:
        flags: rows of ``reviewed_flags`` (columns detector, detector_version, confirmed, weight).

    Returns:
        Columns detector, detector_version, reviewed, confirmed, precision, lower, upper, effective_n.
    """
    grouped = (
        flags.group_by("detector", "detector_version")
        .agg(
            pl.len().alias("reviewed"),
            pl.col("confirmed").sum().alias("confirmed"),
            (pl.col("weight") * pl.col("confirmed").cast(pl.Float64)).sum().alias("w_confirmed"),
            pl.col("weight").sum().alias("w"),
            (pl.col("weight") ** 2).sum().alias("w2"),
        )
        .sort("detector", "detector_version")
    )
    rows = []
    for r in grouped.iter_rows(named=True):
        precision = r["w_confirmed"] / r["w"] if r["w"] > 0 else 0.0
        effective_n = r["w"] ** 2 / r["w2"] if r["w2"] > 0 else 0.0
        lower, upper = wilson_interval(precision * effective_n, effective_n)
        rows.append(
            {
                "detector": r["detector"],
                "detector_version": r["detector_version"],
                "reviewed": int(r["reviewed"]),
                "confirmed": int(r["confirmed"]),
                "precision": precision,
                "lower": lower,
                "upper": upper,
                "effective_n": effective_n,
            }
        )
    schema = {
        "detector": pl.String,
        "detector_version": pl.String,
        "reviewed": pl.Int64,
        "confirmed": pl.Int64,
        "precision": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "effective_n": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def detector_precision(warehouse: Warehouse) -> pl.DataFrame:
    """``precision_table`` over every current verdict in the lake."""
    return precision_table(reviewed_flags(warehouse))
