"""Train the jailbreak n-gram logistic model; report it on held-out data; optionally write the artifact.

    uv run python -m detectors.training.train_jailbreak [--write]

Data (all under ../shared/datasets, read at training time only), split by
``detectors/training/jailbreak_split.py``:
- positives: JailbreakBench attack prompts (PAIR, JBC, GCG, random search) whose behaviour index is
  in the training split, and GPTFuzz templates (with a question inserted) in the training split;
- negatives: WildGuard benign prompts and first user turns of HH-RLHF helpful-base dialogues in the
  training split.
Held out: the other behaviours/templates/prompts, plus NotInject, XSTest and BIPIA entirely.
The decision threshold is the lowest probability that keeps the false-positive rate on the training
negatives at or below 1% (5-fold out-of-fold predictions), so the held-out FPR is an honest estimate.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from benchmarks.quality.common import shared_datasets_dir
from benchmarks.quality.datasets import (
    gptfuzz_jailbreak,
    hh_rlhf_jailbreak,
    injecguard_jailbreak,
    jailbreakbench_jailbreak,
    xstest_jailbreak,
)
from detectors.jailbreak_model import ARTIFACT

MAX_FEATURES = 12000
TARGET_TRAIN_FPR = 0.01


def _user_text(case) -> str:
    return "\n\n".join(m["content"] for m in case.transcript["messages"] if m["role"] == "user")


def load(split: str) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts, labels and slice names of the ``train`` or ``heldout`` part."""
    root = shared_datasets_dir()
    modules = [jailbreakbench_jailbreak, gptfuzz_jailbreak, injecguard_jailbreak, hh_rlhf_jailbreak]
    if split == "heldout":
        modules.append(xstest_jailbreak)
    texts, labels, slices = [], [], []
    for module in modules:
        for adapter in module.ADAPTERS:
            for case in adapter.cases(root, None):
                trained = case.slice.endswith("/train")
                if (split == "train") != trained or case.slice.startswith("notinject") and split == "train":
                    continue
                texts.append(_user_text(case))
                labels.append(case.label)
                slices.append(f"{case.dataset}:{case.slice}")
    return texts, np.array(labels), slices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {ARTIFACT}")
    args = parser.parse_args()
    texts, labels, _ = load("train")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=3, max_features=MAX_FEATURES)
    features = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    out_of_fold = cross_val_predict(model, features, labels, cv=5, method="predict_proba")[:, 1]
    negatives = np.sort(out_of_fold[~labels])
    threshold = float(max(0.5, negatives[int(len(negatives) * (1 - TARGET_TRAIN_FPR))]))
    model.fit(features, labels)
    print(f"train: {labels.sum()} positives, {(~labels).sum()} negatives; threshold {threshold:.3f}")
    held_texts, held_labels, held_slices = load("heldout")
    probabilities = model.predict_proba(vectorizer.transform(held_texts))[:, 1]
    for name in sorted(set(held_slices)):
        mask = np.array([s == name for s in held_slices])
        rate = float((probabilities[mask] >= threshold).mean())
        kind = "recall" if held_labels[mask].all() else "FPR"
        print(f"  held-out {name:<42} n={mask.sum():>4}  {kind}={rate:.3f}")
    if args.write:
        idf = vectorizer.idf_
        vocabulary = {
            gram: [round(float(idf[i]), 5), round(float(model.coef_[0][i]), 5)]
            for gram, i in sorted(vectorizer.vocabulary_.items())
        }
        ARTIFACT.write_text(
            json.dumps(
                {
                    "trained_on": "JailbreakBench + GPTFuzz templates (positives), WildGuard benign + HH-RLHF "
                    "helpful first turns (negatives); training split of detectors/training/jailbreak_split.py",
                    "intercept": round(float(model.intercept_[0]), 5),
                    "threshold": round(threshold, 4),
                    "vocabulary": vocabulary,
                },
                separators=(",", ":"),
            )
        )
        print(f"wrote {ARTIFACT} ({ARTIFACT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
