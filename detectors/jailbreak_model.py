"""A small bag-of-n-grams logistic model that scores how much a user message reads like a jailbreak.

It complements the explainable rules in ``detectors.injection`` on what rules miss: persuasive
role-play and hypothetical framings of harmful requests (PAIR-style). Trained by
``detectors/training/train_jailbreak.py`` (data and held-out split documented there); the artifact is
plain JSON (vocabulary with idf and weight), evaluated here without scikit-learn: the tf-idf vector
(sublinear tf, l2-normalised, sklearn's default tokenisation) dotted with the weights.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ARTIFACT = Path(__file__).resolve().parent / "models" / "jailbreak_lr.json"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class JailbreakModel:
    idf: dict[str, float]
    weight: dict[str, float]
    intercept: float
    threshold: float

    def score(self, text: str) -> tuple[float, list[str]]:
        """Probability that ``text`` is a jailbreak attempt, and the n-grams that pushed it up most."""
        tokens = _TOKEN.findall(text.lower())
        counts: dict[str, int] = {}
        for gram in (*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))):
            if gram in self.idf:
                counts[gram] = counts.get(gram, 0) + 1
        values = {gram: (1.0 + math.log(count)) * self.idf[gram] for gram, count in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        contributions = {gram: v / norm * self.weight.get(gram, 0.0) for gram, v in values.items()}
        logit = self.intercept + sum(contributions.values())
        top = sorted(contributions, key=lambda gram: -contributions[gram])[:4]
        return 1.0 / (1.0 + math.exp(-logit)), [gram for gram in top if contributions[gram] > 0]


@cache
def load() -> JailbreakModel:
    """The shipped model (read once; the artifact is immutable)."""
    data = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    vocabulary = data["vocabulary"]
    return JailbreakModel(
        idf={gram: entry[0] for gram, entry in vocabulary.items()},
        weight={gram: entry[1] for gram, entry in vocabulary.items()},
        intercept=data["intercept"],
        threshold=data["threshold"],
    )
