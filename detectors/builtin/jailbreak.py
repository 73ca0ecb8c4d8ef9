"""jailbreak: a jailbreak or prompt-injection attempt in the user's messages, tool outputs or documents."""

from __future__ import annotations

import polars as pl

from detectors.base import Detector, results_from_findings
from detectors.injection import (
    COMBINED_BONUS,
    FLAG_THRESHOLD,
    SIGNALS,
    SUFFIX_MIN_SYMBOLS,
    SUFFIX_SYMBOLS,
    SUFFIX_TAIL_CHARS,
    SUFFIX_WEIGHT,
    is_meta_discussion,
    suffix_soup,
)
from detectors.jailbreak_model import load as load_model
from detectors.registry import register

# The n-gram model reads only longer user messages: the framings it catches (role-play, "imagine
# you are...") need room, and short messages are left to the rules (also keeps it cheap).
_MODEL_MIN_CHARS = 150
_MODEL_MAX_CHARS = 4000
_MODEL_BASE_SCORE = 0.6
# ...and only messages with a framing cue: 94% of the PAIR prompts the model catches have one, while
# ordinary long requests rarely do (0.4% of HH-RLHF first turns).
_MODEL_CUE = (
    r"(?i)\b(?:imagine|pretend|role-?play|scenario|hypothetical\w*|fiction\w*|story|novel|screenplay|script|character|"
    r"persona|simulat\w*|game|act as|you are|you're|you will|as an? \w+|for (?:educational|research|academic) purposes|"
    r"dan|mode|rules?)\b"
)


@register
class Jailbreak(Detector):
    name = "jailbreak"
    version = "1.4.0"
    description = (
        "Jailbreak and prompt-injection attempts: instruction overrides, developer-mode/DAN personas, "
        "'no restrictions' role-play, forced 'Sure, here is' prefixes, fake system notices, instructions "
        "aimed at the assistant inside tool outputs or documents, adversarial token-soup suffixes, and an n-gram "
        "logistic model for persuasive role-play framings (long user messages). "
        "Quoting such phrases to ask about them is not an attempt."
    )

    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        data = pl.concat_str([pl.col("tool_output_text"), pl.col("context_text")], separator="\n")
        spans = []
        for signal in SIGNALS:
            if signal.in_user:
                spans.append(
                    pl.col("user_text").str.extract(f"({signal.pattern})", 1).alias(f"user|{signal.id}")
                )
            if signal.in_data:
                spans.append(data.str.extract(f"({signal.pattern})", 1).alias(f"data|{signal.id}"))
        tail_symbols = pl.col("user_text").str.slice(-SUFFIX_TAIL_CHARS).str.count_matches(SUFFIX_SYMBOLS)
        frame = batch.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
            "transcript_id",
            "user_text",
            data.alias("data_text"),
            (tail_symbols >= SUFFIX_MIN_SYMBOLS).alias("suffix_candidate"),
            (
                (pl.col("user_text").str.len_chars() >= _MODEL_MIN_CHARS)
                & pl.col("user_text").str.contains(_MODEL_CUE)
            ).alias("model_candidate"),
            *spans,
        )
        signal_columns = [c for c in frame.columns if "|" in c]
        candidates = frame.filter(
            pl.any_horizontal(pl.col(signal_columns).is_not_null())
            | pl.col("suffix_candidate")
            | pl.col("model_candidate")
        )
        weights = {signal.id: signal.weight for signal in SIGNALS}
        model = load_model()
        findings: dict[int, tuple[float, str]] = {}
        for row in candidates.iter_rows(named=True):
            fired: list[tuple[float, str, str]] = []
            for column in signal_columns:
                span = row[column]
                if span is None:
                    continue
                where, signal_id = column.split("|")
                source = row["user_text"] if where == "user" else row["data_text"]
                if not is_meta_discussion(source, span, quoted_only=where == "data"):
                    fired.append((weights[signal_id], f"{signal_id} in {where}", span))
            if row["suffix_candidate"]:
                tail = suffix_soup(row["user_text"])
                if tail is not None:
                    fired.append((SUFFIX_WEIGHT, "adversarial_suffix in user", tail[-80:]))
            if row["model_candidate"]:
                probability, grams = model.score(row["user_text"][-_MODEL_MAX_CHARS:])
                if probability >= model.threshold:
                    lift = (probability - model.threshold) / (1.0 - model.threshold)
                    fired.append(
                        (
                            _MODEL_BASE_SCORE + 0.25 * lift,
                            "model.jailbreak_lr in user",
                            f"p={probability:.2f} ({', '.join(grams)})",
                        )
                    )
            if not fired:
                continue
            fired.sort(key=lambda item: -item[0])
            score = fired[0][0] + (COMBINED_BONUS if len({name for _, name, _ in fired}) > 1 else 0.0)
            if score >= FLAG_THRESHOLD:
                evidence = "; ".join(
                    f"[{name}] {' '.join(span.split())[:100]}" for _, name, span in fired[:3]
                )
                findings[row["row"]] = (min(score, 1.0), evidence)
        return results_from_findings(frame, findings, medium=0.6, high=0.85)
