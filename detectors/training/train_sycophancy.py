"""Train the sycophancy logistic models on SYCON-Bench, holding out by model.

    uv run python -m detectors.training.train_sycophancy [--write]

Trains on the transcripts of ``TRAIN_MODELS`` (gpt-4o, gemma2-9b-it) and reports precision, recall,
F1 and ROC AUC on ``HELD_OUT_MODELS`` (claude, Llama-3.3-70B-Instruct) per task. Two more splits are
reported, never used for the artifact: the reverse (train on the held-out pair, test on the
training pair) and a question-disjoint one (train on questions 0-99 of the training models, test on
questions 100-199 of the held-out models): all four models answer the same 200 questions, so a
by-model split alone lets question-specific words leak. Features are only generic cues (no
bag-of-words), so the leak is small; the question-disjoint line shows it.

With ``--write`` the weights go to ``detectors/models/sycophancy_lr.json`` as JSON (no pickle).
Two models are fitted: one for multi-turn transcripts (capitulation after pushback), one for
single-turn ones (accepting the false premise). Thresholds are chosen by 5-fold cross-validation
grouped by question on the training models only. Reads ../shared/datasets at training time only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from benchmarks.quality.common import make_transcript, shared_datasets_dir
from benchmarks.quality.datasets.sycon_bench_sycophancy import HELD_OUT_MODELS, TRAIN_MODELS, items
from detectors.frame import prepare
from detectors.sycophancy_features import feature_frame

ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "sycophancy_lr.json"

# Features per task. Multi-turn features are constant at turn 1, so task (b) leaves them out.
TASK_FEATURES: dict[str, tuple[str, ...]] = {
    "capitulation": (
        "concessive_open",
        "contrast_final",
        "concede_open",
        "concede_any",
        "agree_open",
        "correct_final",
        "correct_prev",
        "reversal",
        "maintain_final",
        "hedge_final",
        "pushback",
        "evidence",
        "praise",
        "prev_overlap",
        "negation_open",
        "length_ratio",
    ),
    "false_premise_turn1": (
        "concessive_open",
        "contrast_final",
        "concede_open",
        "agree_open",
        "correct_final",
        "maintain_final",
        "hedge_final",
        "praise",
        "negation_open",
        "presupposing_question",
        "explain_open",
        "correct_open",
    ),
}
C = 1.0


def load_frame() -> pl.DataFrame:
    """Features of every labelled SYCON transcript, with label, task, model and question row."""
    rows = items(shared_datasets_dir())
    transcripts = [make_transcript(f"{i.model}-{i.row}-{i.turn}", i.messages) for i in rows]
    raw = pl.DataFrame(
        {
            "transcript_id": [t["transcript_id"] for t in transcripts],
            "messages": [json.dumps(t["messages"]) for t in transcripts],
        }
    )
    return feature_frame(prepare(raw)).with_columns(
        pl.Series("label", [int(i.label) for i in rows]),
        pl.Series("task", [i.task for i in rows]),
        pl.Series("model", [i.model for i in rows]),
        pl.Series("row", [i.row for i in rows]),
    )


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    tp = int(((y == 1) & (p == 1)).sum())
    fp = int(((y == 0) & (p == 1)).sum())
    fn = int(((y == 1) & (p == 0)).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def _fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(x, y)


def fit_task(train: pl.DataFrame, features: tuple[str, ...]) -> tuple[LogisticRegression, float]:
    """The model on all of ``train`` and the best-F1 threshold of its grouped cross-validated scores."""
    x, y, groups = train.select(features).to_numpy(), train["label"].to_numpy(), train["row"].to_numpy()
    scores = np.zeros(len(y))
    for fit_rows, score_rows in GroupKFold(5).split(x, y, groups):
        scores[score_rows] = _fit(x[fit_rows], y[fit_rows]).predict_proba(x[score_rows])[:, 1]
    thresholds = np.linspace(0.1, 0.95, 86)
    best = max(thresholds, key=lambda t: _metrics(y, (scores >= t).astype(int))["f1"])
    return _fit(x, y), float(best)


def evaluate(model: LogisticRegression, threshold: float, test: pl.DataFrame, features: tuple[str, ...]) -> dict:
    y = test["label"].to_numpy()
    scores = model.predict_proba(test.select(features).to_numpy())[:, 1]
    return {**_metrics(y, (scores >= threshold).astype(int)), "auc": round(float(roc_auc_score(y, scores)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="store the weights in the package")
    args = parser.parse_args()
    frame = load_frame()
    train_models, held_out = pl.col("model").is_in(TRAIN_MODELS), pl.col("model").is_in(HELD_OUT_MODELS)
    splits = {
        "held_out": (train_models, held_out),
        "reverse": (held_out, train_models),
        "question_disjoint": (train_models & (pl.col("row") < 100), held_out & (pl.col("row") >= 100)),
    }
    artifact: dict[str, object] = {"trained_on": list(TRAIN_MODELS), "held_out_models": list(HELD_OUT_MODELS), "tasks": {}}
    for task, features in TASK_FEATURES.items():
        data = frame.filter(pl.col("task") == task)
        reports = {}
        for split, (train_rows, test_rows) in splits.items():
            model, threshold = fit_task(data.filter(train_rows), features)
            reports[split] = {"threshold": round(threshold, 2), **evaluate(model, threshold, data.filter(test_rows), features)}
            print(f"{task} {split}: {reports[split]}")
        model, threshold = fit_task(data.filter(train_models), features)
        artifact["tasks"][task] = {  # type: ignore[index]
            "intercept": float(model.intercept_[0]),
            "weights": dict(zip(features, map(float, model.coef_[0]), strict=True)),
            "threshold": threshold,
            "model_only": reports,
        }
    if args.write:
        ARTIFACT.write_text(json.dumps(artifact, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {ARTIFACT}")


if __name__ == "__main__":
    main()
