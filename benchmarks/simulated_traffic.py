"""Precision and recall of every detector on simulated production traffic.

    uv run python benchmarks/simulated_traffic.py [--transcripts 6000] [--seed 7] [--examples 3] [--detector NAME]

Generates seeded traffic with ``pipelines.simulate.generate`` (each transcript carries the detectors
that should flag it in ``truth.failures`` and a ``hard_negative`` mark for clean transcripts built to
look like a failure), runs every detector through the production path (``validate_batch`` ->
``run_detectors``) and prints, per detector: flag rate, injected rate, precision, recall, the flag rate
on hard negatives, and a few false positives and false negatives (transcript_id, scenario, evidence).

The simulator's templates are not a labeled set of real traffic: use this to find root causes, not
to tune patterns to its wording.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from any folder

import polars as pl  # noqa: E402

from detectors.registry import select  # noqa: E402
from detectors.runner import run_detectors  # noqa: E402
from pipelines.simulate import SimulationConfig, generate  # noqa: E402
from warehouse.records import RawMessage, validate_batch  # noqa: E402

_NOW = datetime(2026, 11, 3, tzinfo=UTC)
_BATCH = 5000


def simulate(transcripts: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Score simulated traffic; returns (detections, truth) frames."""
    messages = [
        m
        for m in generate(
            SimulationConfig(transcripts=transcripts, seed=seed, bad_message_rate=0.0, duplicate_rate=0.0),
            _NOW,
        )
        if m.truth is not None and not m.duplicate
    ]
    truth = pl.DataFrame(
        {
            "transcript_id": [m.transcript_id for m in messages],
            "failures": [list(m.truth.failures) for m in messages],
            "scenario": [m.truth.scenario for m in messages],
            "hard_negative": [m.truth.hard_negative for m in messages],
            "deployment": [m.segment.deployment for m in messages],
        },
        schema={
            "transcript_id": pl.String,
            "failures": pl.List(pl.String),
            "scenario": pl.String,
            "hard_negative": pl.Boolean,
            "deployment": pl.String,
        },
    )
    return messages, truth


def score(messages, detector_names: list[str] | None) -> pl.DataFrame:
    detectors = select(detector_names)
    parts = []
    for start in range(0, len(messages), _BATCH):
        raw = [
            RawMessage("sim", 0, start + i, m.key, m.value)
            for i, m in enumerate(messages[start : start + _BATCH])
        ]
        batch = validate_batch(raw, _NOW)
        parts.append(run_detectors(pl.from_arrow(batch.transcripts), detectors, _NOW))
    return pl.concat(parts)


def report(detections: pl.DataFrame, truth: pl.DataFrame, examples: int) -> pl.DataFrame:
    """Per detector counts, precision, recall and hard-negative flag rate; prints examples."""
    joined = detections.join(truth, on="transcript_id").with_columns(
        expected=pl.col("failures").list.contains(pl.col("detector"))
    )
    summary = (
        joined.group_by("detector")
        .agg(
            n=pl.len(),
            flag_rate=pl.col("flagged").mean(),
            injected_rate=pl.col("expected").mean(),
            tp=(pl.col("flagged") & pl.col("expected")).sum(),
            fp=(pl.col("flagged") & ~pl.col("expected")).sum(),
            fn=(~pl.col("flagged") & pl.col("expected")).sum(),
            hard_neg_flag_rate=pl.col("flagged").filter(pl.col("hard_negative") & ~pl.col("expected")).mean(),
        )
        .with_columns(
            precision=pl.col("tp") / (pl.col("tp") + pl.col("fp")),
            recall=pl.col("tp") / (pl.col("tp") + pl.col("fn")),
        )
        .with_columns(
            f1=2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall"))
        )
        .sort("detector")
    )
    with pl.Config(tbl_rows=50, tbl_cols=20, float_precision=3, tbl_width_chars=200):
        print(summary)
    if examples:
        for detector in summary["detector"]:
            rows = joined.filter(pl.col("detector") == detector)
            for label, cond in (
                ("FP", pl.col("flagged") & ~pl.col("expected")),
                ("FN", ~pl.col("flagged") & pl.col("expected")),
            ):
                bad = rows.filter(cond)
                if bad.height:
                    by_scenario = bad.group_by("scenario").len().sort("len", descending=True).head(6)
                    print(
                        f"\n{detector} {label} by scenario: "
                        + ", ".join(f"{s}={n}" for s, n in by_scenario.iter_rows())
                    )
                    for row in bad.head(examples).iter_rows(named=True):
                        print(f"  {row['transcript_id']} [{row['scenario']}] {row['evidence']}")
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--examples", type=int, default=3, help="false positives/negatives printed per detector"
    )
    parser.add_argument("--detector", action="append", help="only these detectors (repeatable)")
    args = parser.parse_args(argv)
    messages, truth = simulate(args.transcripts, args.seed)
    report(score(messages, args.detector), truth, args.examples)


if __name__ == "__main__":
    main()
