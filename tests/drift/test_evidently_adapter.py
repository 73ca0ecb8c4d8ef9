"""Feature and prompt drift through Evidently, on samples."""

import numpy as np
import polars as pl
import pytest

from pipelines.drift.features import FEATURES
from warehouse.drift.evidently_adapter import FeatureSpec, feature_drift, text_auc_threshold

SUPPORT_TOPICS = (
    "where is my order it has not arrived yet",
    "how do I return headphones that stopped working",
    "can I get a refund for a broken kettle",
    "my router keeps disconnecting from wifi",
)
BILLING_TOPICS = ("why was my credit card charged twice this month", "cancel my subscription and stop billing me")


def sample(n: int, seed: int, *, longer: bool = False, billing: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    topics = np.where(rng.random(n) < billing, rng.choice(BILLING_TOPICS, n), rng.choice(SUPPORT_TOPICS, n))
    return pl.DataFrame(
        {
            "response_chars": rng.normal(900 if longer else 600, 150, n),
            "user_turns": rng.integers(1, 4, n).astype(float),
            "refusal_score": np.where(rng.random(n) < 0.05, 0.9, 0.0),
            "tool_calls": rng.poisson(0.3, n).astype(float),
            "feedback": rng.choice(["none", "none", "none", "1", "0", "-1"], n),
            "user_prompt": [f"{t} order {rng.integers(1000, 9999)}" for t in topics],
        }
    )


def by_name(results):
    return {r.feature: r for r in results}


def test_unchanged_sample_shows_no_drift_and_a_shifted_feature_does(tmp_path):
    reference = sample(1500, seed=1)
    same = by_name(feature_drift(reference, sample(1500, seed=2), FEATURES))
    assert not any(r.detected for r in same.values()), same
    html = tmp_path / "report.html"
    longer = by_name(feature_drift(reference, sample(1500, seed=3, longer=True), FEATURES, html))
    assert longer["response_chars"].detected and longer["response_chars"].score > 1.0
    assert not longer["user_turns"].detected
    assert html.exists() and html.stat().st_size > 10_000


def test_a_new_topic_in_prompts_is_text_drift():
    # A quarter of users now ask about billing: what users ask changed, not how the model answers.
    results = by_name(feature_drift(sample(1500, seed=4), sample(1500, seed=5, billing=0.25), FEATURES))
    assert results["user_prompt"].detected
    assert results["user_prompt"].score > results["user_prompt"].threshold
    assert not results["response_chars"].detected


def test_too_few_rows_are_skipped_not_guessed():
    results = feature_drift(sample(20, seed=6), sample(20, seed=7), FEATURES)
    assert all(r.score is None and not r.detected for r in results)
    assert [r.feature for r in results] == [s.name for s in FEATURES]


def test_text_without_vocabulary_skips_only_the_text_feature():
    reference, current = sample(300, seed=8), sample(300, seed=9)
    # Stop words only: scikit-learn's vectorizer finds no vocabulary.
    blank = {"user_prompt": ["the and of"] * 300}
    results = by_name(feature_drift(reference.with_columns(**blank), current.with_columns(**blank), FEATURES))
    assert results["user_prompt"].score is None
    assert results["response_chars"].score is not None


@pytest.mark.parametrize(("n", "floor"), [(100, 0.6), (2000, 0.55), (50_000, 0.55)])
def test_text_threshold_widens_for_small_samples(n, floor):
    # With few texts a random classifier's AUC wanders far from 0.5; the threshold must follow.
    assert text_auc_threshold(n, n) >= floor


def test_specs_are_distance_like_with_positive_thresholds():
    assert all(isinstance(s, FeatureSpec) and s.threshold > 0 for s in FEATURES)
