"""The quality runner's arithmetic and pooling, on hand-made outcomes."""

from __future__ import annotations

import pytest

from benchmarks.quality.cases import EvalCase, LabelSource
from benchmarks.quality.metrics import Confusion
from benchmarks.quality.run import Outcome, summarize


def test_confusion_rates():
    # 3 TP, 1 FN, 1 FP, 5 TN: precision 0.75, recall 0.75, F1 0.75, FPR 1/6.
    pairs = [(True, True)] * 3 + [(True, False)] + [(False, True)] + [(False, False)] * 5
    c = Confusion.of(pairs)
    assert (c.tp, c.fn, c.fp, c.tn) == (3, 1, 1, 5)
    assert c.precision == pytest.approx(0.75) and c.recall == pytest.approx(0.75) and c.f1 == pytest.approx(0.75)
    assert c.fpr == pytest.approx(1 / 6)


def test_negative_only_slice_regresses_on_specificity():
    # F1 is undefined without positives; the regression check then uses 1 - FPR.
    c = Confusion.of([(False, True)] + [(False, False)] * 3)
    assert c.f1 is None and c.regression_score == pytest.approx(0.75)


def _outcome(slice_name: str, label: bool, flagged: bool) -> Outcome:
    case = EvalCase({"transcript_id": slice_name}, "jailbreak", label, "ds", LabelSource.CONSTRUCTION, slice_name)
    return Outcome(case, flagged)


def test_all_row_pools_held_out_slices_only():
    # A slice seen in training must not inflate the pooled "all" row.
    metrics = summarize([_outcome("PAIR", True, False), _outcome("PAIR/train", True, True), _outcome("GCG", True, True)])
    pooled = metrics["jailbreak|ds|all|construction"]
    assert (pooled["n"], pooled["tp"], pooled["fn"]) == (2, 1, 1)
