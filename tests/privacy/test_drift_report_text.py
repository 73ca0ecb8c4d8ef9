"""What Evidently's HTML drift reports hold: user prompts verbatim once the prompt topic drifts.

docs/privacy.md and retention rely on this: a report quotes prompts of its window and of its
reference, so drift_html/ expires when the reference start passes the cutoff. If Evidently stops
quoting examples, the docs should say so.
"""

from __future__ import annotations

import random
import re

import polars as pl

from pipelines.drift.features import FEATURES, PROMPT_FEATURE
from warehouse.drift.evidently_adapter import feature_drift

PROMPT_SPECS = [spec for spec in FEATURES if spec.name == PROMPT_FEATURE]
SHOPPING = "refund order shipping invoice parcel delivery voucher".split()
COOKING = "recipe garlic oven pasta tomato basil simmer".split()
REFERENCE, CURRENT = 10_000, 50_000  # canary ids: canary1xxxx on the reference side, canary5xxxx current


def prompts(words: list[str], first_id: int, n: int = 150) -> pl.DataFrame:
    """``n`` prompts from ``words``, each ending in its own canary word (one token, seen once)."""
    rng = random.Random(first_id)
    texts = [" ".join(rng.choice(words) for _ in range(12)) + f" canary{first_id + i}" for i in range(n)]
    return pl.DataFrame({PROMPT_FEATURE: texts})


def report(reference: pl.DataFrame, current: pl.DataFrame, tmp_path) -> tuple[bool, str]:
    path = tmp_path / "report.html"
    [result] = feature_drift(reference, current, PROMPT_SPECS, path)
    return result.detected, path.read_text(encoding="utf-8")


def test_a_drifted_prompt_topic_is_reported_with_example_prompts(tmp_path):
    current = prompts(COOKING, CURRENT)
    drifted, html = report(prompts(SHOPPING, REFERENCE), current, tmp_path)
    assert drifted
    quoted = [text for text in current[PROMPT_FEATURE] if text in html]
    assert quoted  # whole prompts of the window, verbatim ("characteristic examples")
    assert re.search(r"canary1\d{4}", html)  # and of the reference, which can be older than the window


def test_a_stable_prompt_topic_is_reported_without_text(tmp_path):
    drifted, html = report(prompts(SHOPPING, REFERENCE), prompts(SHOPPING, CURRENT), tmp_path)
    assert not drifted
    assert "canary" not in html and "voucher" not in html
