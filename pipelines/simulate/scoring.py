"""Compare detections with the simulator's ground truth: precision and recall per detector."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.simulate.producer import read_truth


def truth_frame(path: Path) -> pl.DataFrame:
    """One row per (transcript_id, detector) that the simulator injected."""
    truths = read_truth(path)
    return pl.DataFrame(
        {"transcript_id": list(truths), "failures": [list(t.failures) for t in truths.values()]},
        schema={"transcript_id": pl.String, "failures": pl.List(pl.String)},
    )


def score_against_truth(detections: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Precision and recall per detector of ``detections`` (transcript_id, detector, flagged)."""
    expected = truth.explode("failures").drop_nulls("failures").rename({"failures": "detector"}).with_columns(
        pl.lit(True).alias("expected")
    )
    joined = (
        detections.filter(pl.col("transcript_id").is_in(truth["transcript_id"].implode()))
        .join(expected, on=["transcript_id", "detector"], how="left")
        .with_columns(pl.col("expected").fill_null(False))
    )
    return (
        joined.group_by("detector")
        .agg(
            tp=(pl.col("flagged") & pl.col("expected")).sum(),
            fp=(pl.col("flagged") & ~pl.col("expected")).sum(),
            fn=(~pl.col("flagged") & pl.col("expected")).sum(),
        )
        .with_columns(
            precision=(pl.col("tp") / (pl.col("tp") + pl.col("fp"))).round(3),
            recall=(pl.col("tp") / (pl.col("tp") + pl.col("fn"))).round(3),
        )
        .sort("detector")
    )
