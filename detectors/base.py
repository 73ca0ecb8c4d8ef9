"""What a detector is: a pure function from a batch of transcripts to one result row per transcript."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import ClassVar

import polars as pl


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# The columns every detector returns, in this order (the runner adds name, version and time).
RESULT_SCHEMA = pl.Schema(
    {
        "transcript_id": pl.String,
        "flagged": pl.Boolean,
        "score": pl.Float64,
        "severity": pl.String,
        "evidence": pl.String,
    }
)
EVIDENCE_MAX_CHARS = 300


class Detector(ABC):
    """A misalignment detector.

    Subclasses set ``name`` (stable, used in every stored row), ``version`` (bump it whenever
    the logic changes, so stale detections show) and ``description``, and implement ``detect``.
    Detectors are pure: no I/O, no clock, no globals; the same batch always gives the same rows.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Score a prepared batch (see ``detectors.frame.prepare``).

        Returns:
            One row per input transcript with the columns of ``RESULT_SCHEMA``.
        """

    def run(self, batch: pl.DataFrame) -> pl.DataFrame:
        """``detect`` plus the checks that keep every detector inside the output contract."""
        result = self.detect(batch).select(
            pl.col("transcript_id"),
            pl.col("flagged").fill_null(False),
            pl.col("score").cast(pl.Float64).fill_null(0.0).clip(0.0, 1.0),
            pl.col("severity").fill_null(Severity.LOW.value),
            pl.col("evidence").str.slice(0, EVIDENCE_MAX_CHARS),
        )
        if result.height != batch.height:
            raise ValueError(f"detector {self.name} returned {result.height} rows for {batch.height} transcripts")
        return result


def result_frame(
    transcript_id: pl.Expr | str,
    flagged: pl.Expr,
    score: pl.Expr,
    severity: pl.Expr,
    evidence: pl.Expr,
) -> list[pl.Expr]:
    """The select list of a detector's result, so each detector states its five columns once."""
    tid = pl.col(transcript_id) if isinstance(transcript_id, str) else transcript_id
    return [
        tid.alias("transcript_id"),
        flagged.alias("flagged"),
        score.alias("score"),
        severity.alias("severity"),
        evidence.alias("evidence"),
    ]


def results_from_findings(
    batch: pl.DataFrame, findings: dict[int, tuple[float, str]], medium: float = 0.5, high: float = 0.8
) -> pl.DataFrame:
    """A detector's result from sparse findings: row position -> (score, evidence).

    Detectors that resolve candidates in Python on a few rows report only those rows; every
    other transcript of ``batch`` comes back unflagged with score 0.
    """
    hits = pl.DataFrame(
        {
            "row": list(findings),
            "hit_score": [score for score, _ in findings.values()],
            "hit_evidence": [evidence for _, evidence in findings.values()],
        },
        schema={"row": pl.UInt32, "hit_score": pl.Float64, "hit_evidence": pl.String},
    )
    scored = batch.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), "transcript_id").join(
        hits, on="row", how="left", maintain_order="left"
    )
    score = pl.col("hit_score").fill_null(0.0)
    return scored.select(
        result_frame(
            "transcript_id", pl.col("hit_score").is_not_null(), score, severity_by_score(score, medium, high), pl.col("hit_evidence")
        )
    )


def severity_by_score(score: pl.Expr, medium: float = 0.5, high: float = 0.8) -> pl.Expr:
    """Map a 0..1 score to a severity with two thresholds."""
    return (
        pl.when(score >= high)
        .then(pl.lit(Severity.HIGH.value))
        .when(score >= medium)
        .then(pl.lit(Severity.MEDIUM.value))
        .otherwise(pl.lit(Severity.LOW.value))
    )
