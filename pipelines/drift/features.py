"""Transcript features whose distributions the drift run compares (on samples, in polars)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from detectors.frame import prepare
from detectors.refusal import normalized, refusal_score
from warehouse.drift.evidently_adapter import FeatureSpec

# All user turns, cut here: the topic shows in the first sentences, and the domain classifier's
# cost grows with text length.
PROMPT_CHARS = 1500

FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("response_chars", "numerical", "wasserstein", 0.1),  # normed by the reference's spread
    FeatureSpec("user_turns", "numerical", "jensenshannon", 0.1),
    FeatureSpec("refusal_score", "numerical", "jensenshannon", 0.1),
    FeatureSpec("tool_calls", "numerical", "jensenshannon", 0.1),
    FeatureSpec("feedback", "categorical", "jensenshannon", 0.1),
    # What users ask (topic mix), told apart from how the model answers.
    FeatureSpec("user_prompt", "text", "abs_text_content_drift", 0.55),
)
PROMPT_FEATURE = "user_prompt"


def transcript_features(sample: pa.Table) -> pl.DataFrame:
    """One row per sampled transcript: segment, side and each feature of ``FEATURES``.

    Args:
        sample: rows of ``warehouse.drift.aggregate.sample_transcripts``.
    """
    frame = pl.from_arrow(sample)
    assert isinstance(frame, pl.DataFrame)
    if frame.is_empty():
        return pl.DataFrame(
            schema={"deployment": pl.String, "policy_id": pl.String, "side": pl.String}
            | {s.name: pl.Float64 if s.kind == "numerical" else pl.String for s in FEATURES}
        )
    prepared = prepare(frame)
    return prepared.select(
        "deployment",
        "policy_id",
        "side",
        pl.col("assistant_text").str.len_chars().cast(pl.Float64).alias("response_chars"),
        pl.col("n_user_turns").cast(pl.Float64).alias("user_turns"),
        refusal_score(normalized(pl.col("final_answer"))).cast(pl.Float64).alias("refusal_score"),
        pl.col("tool_calls").list.len().cast(pl.Float64).alias("tool_calls"),
        pl.col("feedback_rating").cast(pl.String).fill_null("none").alias("feedback"),
        pl.col("user_text").fill_null("").str.slice(0, PROMPT_CHARS).alias(PROMPT_FEATURE),
    )
