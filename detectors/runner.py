"""Run detectors over a batch and produce rows of the lake's detections table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from detectors.base import Detector
from detectors.frame import prepare

PENDING_COLUMN = "pending_detectors"
DETECTION_COLUMNS = (
    "transcript_id",
    "detector",
    "detector_version",
    "flagged",
    "score",
    "severity",
    "evidence",
    "scored_at",
)


def run_detectors(transcripts: pl.DataFrame, detectors: Sequence[Detector], scored_at: datetime) -> pl.DataFrame:
    """Score every transcript with every detector: one row per (transcript, detector).

    Args:
        transcripts: rows of the lake's transcripts table. If it has a ``pending_detectors`` list
            column, each detector only scores the rows that name it (incremental scoring).
        detectors: the detectors to run.
        scored_at: timezone-aware time stamped on the rows (passed in: detectors are pure).
    """
    prepared = prepare(transcripts)
    incremental = PENDING_COLUMN in prepared.columns
    parts = []
    for detector in detectors:
        rows = prepared.filter(pl.col(PENDING_COLUMN).list.contains(detector.name)) if incremental else prepared
        if rows.height:
            parts.append(
                detector.run(rows).with_columns(
                    pl.lit(detector.name).alias("detector"), pl.lit(detector.version).alias("detector_version")
                )
            )
    if not parts:
        return empty_detections()
    return pl.concat(parts).with_columns(pl.lit(scored_at).cast(pl.Datetime("us", "UTC")).alias("scored_at")).select(
        DETECTION_COLUMNS
    )


def empty_detections() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "transcript_id": pl.String,
            "detector": pl.String,
            "detector_version": pl.String,
            "flagged": pl.Boolean,
            "score": pl.Float64,
            "severity": pl.String,
            "evidence": pl.String,
            "scored_at": pl.Datetime("us", "UTC"),
        }
    )
