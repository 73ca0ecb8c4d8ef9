"""Train the sycophancy logistic model on SYCON-Bench, holding out by model.

    uv run python -m detectors.training.train_sycophancy [--write]

Trains on the transcripts of ``TRAIN_MODELS`` (gpt-4o, gemma2-9b-it), reports precision/recall/F1
on ``HELD_OUT_MODELS`` (claude, Llama-3.3-70B-Instruct) per task, and with ``--write`` stores the
weights as JSON in ``detectors/models/sycophancy_lr.json`` (loaded by the detector; no pickle).
Two models are fitted: one for multi-turn transcripts (capitulation after pushback), one for
single-turn ones (accepting the false premise). Reads ../shared/datasets at training time only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from benchmarks.quality.common import make_transcript, shared_datasets_dir
from benchmarks.quality.datasets.sycon_bench_sycophancy import HELD_OUT_MODELS, TRAIN_MODELS, items
from detectors.frame import prepare
from detectors.sycophancy_features import FEATURES, feature_frame

ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "sycophancy_lr.json"


def _frame(models: tuple[str, ...]) -> pl.DataFrame:
    rows = items(shared_datasets_dir(), models)
    transcripts = [make_transcript(f"{i.model}-{i.row}-{i.turn}", i.messages) for i in rows]
    raw = pl.DataFrame(
        {
            "transcript_id": [t["transcript_id"] for t in transcripts],
            "messages": [json.dumps(t["messages"]) for t in transcripts],
        }
    )
    features = feature_frame(prepare(raw))
    return features.with_columns(
        pl.Series("label", [i.label for i in rows]),
        pl.Series("task", [i.task for i in rows]),
        pl.Series("model", [i.model for i in rows]),
    )


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    tp = int(((y == 1) & (p == 1)).sum())
    fp = int(((y == 0) & (p == 1)).sum())
    fn = int(((y == 1) & (p == 0)).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="store the weights in the package")
    args = parser.parse_args()
    train, test = _frame(TRAIN_MODELS), _frame(HELD_OUT_MODELS)
    artifact: dict[str, object] = {"features": list(FEATURES), "trained_on": list(TRAIN_MODELS), "tasks": {}}
    for task in ("capitulation", "false_premise_turn1"):
        tr, te = train.filter(pl.col("task") == task), test.filter(pl.col("task") == task)
        x_tr, y_tr = tr.select(FEATURES).to_numpy(), tr["label"].to_numpy().astype(int)
        x_te, y_te = te.select(FEATURES).to_numpy(), te["label"].to_numpy().astype(int)
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(x_tr, y_tr)
        # The threshold is chosen on the training models only (best F1), never on the held-out ones.
        train_scores = model.predict_proba(x_tr)[:, 1]
        thresholds = np.linspace(0.2, 0.9, 71)
        best = max(thresholds, key=lambda t: _metrics(y_tr, (train_scores >= t).astype(int))["f1"])
        held_out = _metrics(y_te, (model.predict_proba(x_te)[:, 1] >= best).astype(int))
        print(f"{task}: threshold {best:.2f} train {_metrics(y_tr, (train_scores >= best).astype(int))}")
        print(f"{task}: held-out {HELD_OUT_MODELS} {held_out}")
        artifact["tasks"][task] = {  # type: ignore[index]
            "intercept": float(model.intercept_[0]),
            "weights": dict(zip(FEATURES, map(float, model.coef_[0]), strict=True)),
            "threshold": float(best),
            "held_out": held_out,
        }
    if args.write:
        ARTIFACT.write_text(json.dumps(artifact, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {ARTIFACT}")


if __name__ == "__main__":
    main()
