"""Confusion counts and the derived rates reported per (detector, dataset, slice, label source)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Confusion:
    n: int
    positives: int
    tp: int
    fp: int
    fn: int
    tn: int

    @classmethod
    def of(cls, pairs: Iterable[tuple[bool, bool]]) -> Confusion:
        """Counts from (label, flagged) pairs."""
        tp = fp = fn = tn = 0
        for label, flagged in pairs:
            if label and flagged:
                tp += 1
            elif label:
                fn += 1
            elif flagged:
                fp += 1
            else:
                tn += 1
        return cls(n=tp + fp + fn + tn, positives=tp + fn, tp=tp, fp=fp, fn=fn, tn=tn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.positives if self.positives else None

    @property
    def f1(self) -> float | None:
        if not self.positives:
            return None
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    @property
    def fpr(self) -> float | None:
        negatives = self.fp + self.tn
        return self.fp / negatives if negatives else None

    @property
    def regression_score(self) -> float | None:
        """F1 where the slice has positives; 1 - FPR on negative-only slices (F1 is undefined there)."""
        if self.positives:
            return self.f1
        return None if self.fpr is None else 1.0 - self.fpr

    def as_dict(self) -> dict[str, float | int | None]:
        values: dict[str, float | int | None] = asdict(self)
        for name in ("precision", "recall", "f1", "fpr", "regression_score"):
            value = getattr(self, name)
            values[name] = None if value is None else round(value, 4)
        return values
