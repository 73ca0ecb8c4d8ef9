"""off_policy: the answer breaks a rule of the written policy named by the transcript's policy_id.

Policies are YAML files in ``detectors/policies`` (see ``detectors.policies`` for the format and
the check kinds). Each rule is checked with polars expressions over the batch rows of that
policy; the evidence cites every rule that fired by its id. A transcript whose policy_id has no
policy file is not flagged, and its evidence says so, so the gap is reported instead of guessed.
"""

from __future__ import annotations

import re

import polars as pl

from detectors.base import Detector, result_frame
from detectors.policies import Policy, Rule, known_policies, load_policies
from detectors.refusal import normalized
from detectors.registry import register

__all__ = ["OffPolicy", "known_policies"]

_SEVERITY_SCORE = {"low": 0.55, "medium": 0.7, "high": 0.9}
_AMOUNT = r"(?:\$|us\$|usd ?|€|£)\s?\d[\d,]*(?:\.\d+)?\s?k?\b|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars|usd|eur|euros?|gbp|pounds)\b"
_SENTENCE = r"[^.!?\n]*"
_COMPARISON_OBJECT = (
    r"\b(?:than|unlike|compared (?:to|with)|versus|vs\.?|over|instead of|rather than) (?:the )?(?:{names})\b"
)


def _any(text: pl.Expr, patterns: tuple[str, ...]) -> pl.Expr:
    if not patterns:
        return pl.lit(False)
    return pl.any_horizontal([text.str.contains(p) for p in patterns])


def _first_match(text: pl.Expr, patterns: tuple[str, ...]) -> pl.Expr:
    return pl.coalesce([text.str.extract(f"({p})", 1) for p in patterns])


def _pattern_rule(rule: Rule, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    weak = _any(text, rule.patterns) & ~_any(text, rule.unless)
    hit = weak | _any(text, rule.strong_patterns)
    detail = pl.format('"{}"', _first_match(text, (*rule.strong_patterns, *rule.patterns)))
    return hit, detail


def _amount_value(match: pl.Expr) -> pl.Expr:
    amount = match.str.extract(f"({_AMOUNT})", 1)
    number = amount.str.replace_all(r"[^\d.]", "").cast(pl.Float64, strict=False)
    return pl.when(amount.str.contains(r"\dk\b|\d\s?k$")).then(number * 1000).otherwise(number)


def _amount_hits(frame: pl.DataFrame, rule: Rule, index: int) -> pl.DataFrame:
    """transcript_id -> the over-limit promise of the first assistant message that makes one, when neither
    that message nor a later one escalates.

    An escalation offered before the promise (a greeting's "I can connect you with a person") does
    not cover it: the escalation must come with the refund or after it.
    """
    window = f"[^.!?\\n]{{0,{rule.window}}}?"
    pair = f"(?:{rule.trigger}){window}(?:{_AMOUNT})|(?:{_AMOUNT}){window}(?:{rule.trigger})"
    # Only rows whose text has an over-limit pair at all are split into turns.
    scope = pl.col(f"_{rule.scope}")
    candidates = frame.filter(
        scope.str.extract_all(pair).list.eval(_amount_value(pl.element())).list.max() > rule.max_amount
    )
    messages = _assistant_turns() if rule.scope == "assistant_text" else pl.concat_list(scope)
    turns = (
        candidates.select("transcript_id", messages.alias("_turn"))
        .explode("_turn")
        .with_columns(pl.int_range(pl.len()).over("transcript_id").alias("_turn_index"))
        .with_columns(pl.col("_turn").fill_null("").str.extract_all(pair).alias("_pairs"))
        .with_columns(
            pl.col("_pairs")
            .list.eval(pl.element().filter(_amount_value(pl.element()) > rule.max_amount))
            .alias("_over"),
            _any(pl.col("_turn"), rule.unless).alias("_escalated"),
        )
    )
    promised = (
        turns.filter(pl.col("_over").list.len() > 0)
        .group_by("transcript_id")
        .agg(
            pl.col("_turn_index").min().alias("_first"),
            pl.col("_over").sort_by("_turn_index").first().list.first().alias("_promise"),
        )
    )
    escalated = (
        turns.filter("_escalated")
        .join(promised, on="transcript_id")
        .filter(pl.col("_turn_index") >= pl.col("_first"))
        .select("transcript_id")
        .unique()
    )
    return promised.join(escalated, on="transcript_id", how="anti").select(
        "transcript_id",
        pl.format(
            'amount {} above the {} limit without escalation: "{}"',
            _amount_value(pl.col("_promise")),
            pl.lit(rule.max_amount),
            pl.col("_promise"),
        ).alias(f"_amount_{index}"),
    )


def _competitor_rule(rule: Rule, text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    names = "|".join(re.escape(name.lower()) for name in rule.names)
    sentences = text.str.extract_all(f"{_SENTENCE}\\b(?:{names})\\b{_SENTENCE}")
    endorsing = sentences.list.eval(
        pl.element().filter(
            _any(pl.element(), rule.endorsement)
            & ~pl.element().str.contains(rule.negation)
            & ~pl.element().str.contains(_COMPARISON_OBJECT.format(names=names))
        )
    )
    hit = endorsing.list.len() > 0
    detail = pl.format('"{}"', endorsing.list.first().str.strip_chars())
    return hit, detail


def _words(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_all(r"[^\w$%]+", " ").str.strip_chars()


def _leak_chunks(system_texts: list[str], size: int) -> pl.DataFrame:
    # Non-overlapping chunks of `size` words: any verbatim copy of 2*size-1 words or more
    # contains at least one whole chunk, so a substring test per chunk finds it. Python runs
    # once per distinct system prompt in the batch, not per transcript.
    rows: list[tuple[str, str]] = []
    for system in system_texts:
        words = re.sub(r"[^\w$%]+", " ", system.lower()).split()
        rows.extend((system, " ".join(words[i : i + size])) for i in range(0, len(words) - size + 1, size))
    return pl.DataFrame(rows, schema={"_system": pl.String, "_chunk": pl.String}, orient="row")


def _leak_hits(frame: pl.DataFrame, rule: Rule) -> pl.DataFrame:
    """transcript_id -> the first system-prompt chunk found verbatim in the scope text."""
    candidates = frame.filter(pl.col("_system").str.len_chars() > 0).select(
        "transcript_id", "_system", _words(pl.col(f"_raw_{rule.scope}")).alias("_scope_words")
    )
    empty = pl.DataFrame(schema={"transcript_id": pl.String, "_leak": pl.String})
    if candidates.is_empty():
        return empty
    chunk_size = max(4, (rule.min_words + 1) // 2)
    chunks = _leak_chunks(candidates["_system"].unique().to_list(), chunk_size)
    if chunks.is_empty():
        return empty
    return (
        candidates.join(chunks, on="_system")
        .filter(pl.col("_scope_words").str.contains(pl.col("_chunk"), literal=True))
        .group_by("transcript_id", maintain_order=True)
        .agg(pl.col("_chunk").first().alias("_leak"))
    )


def _check_policy(policy: Policy, frame: pl.DataFrame) -> pl.DataFrame:
    hits: list[pl.Expr] = []
    details: list[pl.Expr] = []
    for index, rule in enumerate(policy.rules):
        text = pl.col(f"_{rule.scope}")
        if rule.kind == "pattern":
            hit, detail = _pattern_rule(rule, text)
        elif rule.kind == "amount_limit":
            frame = frame.join(_amount_hits(frame, rule, index), on="transcript_id", how="left")
            hit, detail = pl.col(f"_amount_{index}").is_not_null(), pl.col(f"_amount_{index}")
        elif rule.kind == "competitor_endorsement":
            hit, detail = _competitor_rule(rule, text)
        else:
            leaks = _leak_hits(frame, rule).rename({"_leak": f"_leak_{index}"})
            frame = frame.join(leaks, on="transcript_id", how="left")
            marker = _any(text, rule.markers)
            hit = pl.col(f"_leak_{index}").is_not_null() | marker
            detail = (
                pl.when(pl.col(f"_leak_{index}").is_not_null())
                .then(pl.format('system prompt copied verbatim: "{}"', pl.col(f"_leak_{index}")))
                .otherwise(pl.format('internal marker: "{}"', _first_match(text, rule.markers)))
            )
        hits.append(hit.fill_null(False).alias(f"_hit_{index}"))
        details.append(pl.format("[{}] {}", pl.lit(rule.id), detail).alias(f"_detail_{index}"))
    frame = frame.with_columns(hits).with_columns(details)
    rules = list(enumerate(policy.rules))
    flagged = pl.any_horizontal([pl.col(f"_hit_{i}") for i, _ in rules])
    score = pl.max_horizontal(
        [pl.when(pl.col(f"_hit_{i}")).then(_SEVERITY_SCORE[r.severity]).otherwise(0.0) for i, r in rules]
    )
    severity = pl.max_horizontal(
        [
            pl.when(pl.col(f"_hit_{i}")).then(("low", "medium", "high").index(r.severity)).otherwise(0)
            for i, r in rules
        ]
    )
    evidence = pl.concat_str(
        [pl.when(pl.col(f"_hit_{i}")).then(pl.col(f"_detail_{i}")) for i, _ in rules],
        separator="; ",
        ignore_nulls=True,
    )
    return frame.select(
        result_frame(
            "transcript_id",
            flagged,
            score,
            pl.when(flagged)
            .then(severity.replace_strict({0: "low", 1: "medium", 2: "high"}))
            .otherwise(pl.lit("low")),
            pl.when(flagged).then(evidence).otherwise(pl.lit(None, dtype=pl.String)),
        )
    )


@register
class OffPolicy(Detector):
    name = "off_policy"
    version = "1.1.0"
    description = (
        "The answer breaks a rule of the YAML policy named by policy_id; evidence cites the rule id."
    )

    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        policies = load_policies()
        policy_id = pl.col("policy_id") if "policy_id" in batch.columns else pl.lit(None, dtype=pl.String)
        frame = batch.select(
            pl.col("transcript_id"),
            policy_id.cast(pl.String).alias("_policy_id"),
            normalized("final_answer").alias("_final_answer"),
            normalized("assistant_text").alias("_assistant_text"),
            pl.col("final_answer").fill_null("").alias("_raw_final_answer"),
            pl.col("assistant_text").fill_null("").alias("_raw_assistant_text"),
            pl.col("system_text").fill_null("").alias("_system"),
            "msgs",
        ).with_row_index("_row")
        parts = []
        for pid in frame["_policy_id"].drop_nulls().unique().to_list():
            if pid in policies:
                rows = frame.filter(pl.col("_policy_id") == pid)
                parts.append(rows.select("_row").hstack(_check_policy(policies[pid], rows)))
        unknown = frame.filter(
            ~pl.col("_policy_id").is_in(list(policies)) | pl.col("_policy_id").is_null()
        ).select(
            "_row",
            *result_frame(
                "transcript_id",
                pl.lit(False),
                pl.lit(0.0),
                pl.lit("low"),
                pl.when(pl.col("_policy_id").is_null())
                .then(pl.lit("no policy_id on the transcript; policy not checked"))
                .otherwise(pl.format("no policy file for policy_id {}", pl.col("_policy_id"))),
            ),
        )
        parts.append(unknown)
        return pl.concat(parts, how="vertical_relaxed").sort("_row").drop("_row")


def _assistant_turns() -> pl.Expr:
    """Each assistant message's text, normalized like the scope columns, in conversation order."""
    role = pl.element().struct.field("role")
    content = pl.element().struct.field("content")
    return pl.col("msgs").list.eval(
        content.filter(role == "assistant")
        .fill_null("")
        .str.replace_all("[\u2019\u2018`]", "'")
        .str.to_lowercase()
    )
