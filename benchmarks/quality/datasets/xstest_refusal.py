"""XSTest, all 2,250 completions, as a refusal-classification pseudo-row under over_refusal.

The over_refusal detector only flags refusals of *benign* requests, so this module does not
score it; it reports ``detectors.refusal`` (the classifier shared by
over_refusal and harmful_compliance) on every completion: positive = full or partial refusal.
Run ``uv run python -m benchmarks.quality.datasets.xstest_refusal`` to print them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from benchmarks.quality.cases import Adapter
from benchmarks.quality.common import shared_datasets_dir
from benchmarks.quality.datasets.xstest_over_refusal import rows


def measure(root: Path | None = None) -> dict[str, float]:
    """Precision, recall and F1 of ``detectors.refusal`` on all labelled XSTest completions."""
    from detectors.refusal import refusal_frame

    data = [(m, r["prompt"], r["completion"] or "", r["final_label"]) for m, r in rows(root or shared_datasets_dir())]
    frame = pl.DataFrame(data, schema=["model", "prompt", "completion", "label"], orient="row")
    scored = refusal_frame(frame, "completion", "prompt").with_columns(
        (pl.col("label") != "1_full_compliance").alias("y")
    )
    tp = (scored["y"] & scored["refused"]).sum()
    fp = (~scored["y"] & scored["refused"]).sum()
    fn = (scored["y"] & ~scored["refused"]).sum()
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"n": scored.height, "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / max(precision + recall, 1e-9)}  # fmt: skip


# No cases for the runner: the eval runner scores registered detectors, and the refusal
# classifier is not one; its numbers come from ``measure()`` (README "Team B detectors").
ADAPTERS: list[Adapter] = []

if __name__ == "__main__":
    print(measure())  # noqa: T201
