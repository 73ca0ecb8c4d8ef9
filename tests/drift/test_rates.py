"""The rate-drift table: significance, effect floor, data floor and attribution together."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from warehouse.drift.aggregate import RATE_BINS_SCHEMA
from warehouse.drift.rates import DriftThresholds, rate_drift

DAY = datetime(2026, 3, 10, tzinfo=UTC)
RELEASE = DAY + timedelta(hours=5)


def bins(segments: dict[str, tuple[float, float, int]], seed: int = 0) -> pl.DataFrame:
    """Hourly bins over a reference day and a current day, per deployment: (rate before, rate after release, n per hour)."""
    rng = np.random.default_rng(seed)
    rows = []
    for deployment, (before, after, per_hour) in segments.items():
        for hour in range(-24, 24):
            start = DAY + timedelta(hours=hour)
            model = "m2" if start >= RELEASE else "m1"
            rate = after if start >= RELEASE else before
            rows.append(
                {
                    "deployment": deployment, "policy_id": "p", "model": model, "detector": "off_policy",
                    "detector_version": "1", "side": "current" if hour >= 0 else "reference", "bin": start,
                    "scored": per_hour, "flagged": int(rng.binomial(per_hour, rate)), "first_at": start + timedelta(minutes=1),
                }
            )
    return pl.DataFrame(rows, schema=RATE_BINS_SCHEMA)


def row(table: pl.DataFrame, deployment: str) -> dict:
    return table.filter(pl.col("deployment") == deployment).row(0, named=True)


def test_planted_shift_is_detected_dated_and_attributed():
    table = rate_drift(bins({"shifted": (0.03, 0.12, 300), "flat": (0.03, 0.03, 300)}))
    shifted = row(table, "shifted")
    assert shifted["detected"] and shifted["model"] == "m2" and shifted["attribution"] == "first_seen_at_change_point"
    assert abs(shifted["change_point_at"] - RELEASE) <= timedelta(hours=1)
    assert shifted["diff_lower"] > 0
    flat = row(table, "flat")
    assert not flat["detected"] and flat["model"] == "all" and flat["attribution"] is None


def test_significant_but_small_rise_is_not_reported():
    # 20.0% -> 20.8% on 100k transcripts a day is highly significant, yet below +2 points and x1.25.
    table = rate_drift(bins({"big": (0.200, 0.208, 5_000)}, seed=1), DriftThresholds())
    big = row(table, "big")
    assert big["significant"] and not big["detected"]


def test_too_little_data_is_not_tested():
    table = rate_drift(bins({"tiny": (0.0, 0.5, 2)}))
    tiny = row(table, "tiny")
    assert not tiny["tested"] and not tiny["detected"]
    assert tiny["q_value"] != tiny["q_value"]  # NaN: left out of the multiple-testing family


def test_null_segments_stay_quiet_after_correction():
    # 200 unchanged segments, each tested once: the BH correction and the effect floor keep them silent.
    segments = {f"seg{i:03d}": (0.05, 0.05, 60) for i in range(200)}
    table = rate_drift(bins(segments, seed=2))
    assert table.filter(pl.col("tested")).height == 200
    assert table["detected"].sum() == 0
    assert table["significant"].sum() <= 2
