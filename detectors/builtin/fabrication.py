"""fabrication: citations the conversation never supplied, and claims that go beyond the given context."""

from __future__ import annotations

import polars as pl

from detectors.base import Detector, result_frame, severity_by_score
from detectors.grounding import (
    CITATION_TRIGGER,
    Issue,
    Known,
    Strength,
    citation_issues,
    claim_issues,
    known_columns,
    sources_haystack,
)
from detectors.registry import register

_SCORES = {Strength.INVALID: 0.9, Strength.UNGROUNDED: 0.65, Strength.CLAIM: 0.4}
_PER_EXTRA = 0.05


@register
class Fabrication(Detector):
    name = "fabrication"
    version = "1.0.0"
    description = (
        "URLs, DOIs, arXiv ids, author-year references and attributed quotes in the assistant's text that no "
        "user/system message, tool output or context document contains (high severity when impossible on "
        "their face, e.g. dated after the conversation); with context documents given, figures and names in "
        "the final answer that no source contains (low severity)."
    )

    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        # Claims are judged only against context documents: tool outputs (logs, code, search hits) are
        # sources for citations but not a closed world for every figure an agent mentions.
        grounded = pl.col("context_text").str.len_chars() > 0
        frame = batch.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
            "transcript_id",
            pl.col("created_at").dt.year().alias("year"),
            pl.col("created_at").dt.month().alias("month"),
            "assistant_text",
            "final_answer",
            "context_text",
            "tool_output_text",
            (pl.col("system_text") + "\n" + pl.col("user_text")).alias("asked"),
            pl.col("assistant_text").str.contains(CITATION_TRIGGER).alias("cites"),
            (grounded & (pl.col("final_answer").str.len_chars() > 0)).alias("grounded"),
        )
        candidates = frame.filter(pl.col("cites") | pl.col("grounded"))
        sources = pl.concat_str(
            [pl.col("context_text"), pl.col("tool_output_text"), pl.col("asked")], separator="\n"
        )
        known_words, known_numbers = known_columns(
            pl.when(pl.col("grounded")).then(sources).otherwise(pl.lit(""))
        )
        candidates = candidates.with_columns(
            known_words.alias("known_words"), known_numbers.alias("known_numbers")
        )
        findings: dict[int, tuple[float, str]] = {}
        for row in candidates.iter_rows(named=True):
            issues = _issues(row)
            if issues:
                findings[row["row"]] = _grade(issues)
        hits = pl.DataFrame(
            {
                "row": list(findings),
                "hit_score": [s for s, _ in findings.values()],
                "hit_evidence": [e for _, e in findings.values()],
            },
            schema={"row": pl.UInt32, "hit_score": pl.Float64, "hit_evidence": pl.String},
        )
        scored = frame.select("row", "transcript_id").join(hits, on="row", how="left")
        score = pl.col("hit_score").fill_null(0.0)
        return scored.select(
            result_frame(
                "transcript_id",
                pl.col("hit_score").is_not_null(),
                score,
                severity_by_score(score),
                pl.col("hit_evidence"),
            )
        )


def _issues(row: dict) -> list[Issue]:
    sources_text = f"{row['asked']}\n{row['context_text']}\n{row['tool_output_text']}"
    issues: list[Issue] = []
    if row["cites"]:
        issues.extend(
            citation_issues(row["assistant_text"], sources_haystack(sources_text), row["year"], row["month"])
        )
    if row["grounded"]:
        issues.extend(claim_issues(row["final_answer"], Known(row["known_words"], row["known_numbers"])))
    return issues


def _grade(issues: list[Issue]) -> tuple[float, str]:
    strongest = max(issue.strength for issue in issues)
    kinds = {issue.kind for issue in issues if issue.strength == strongest}
    score = min(1.0, _SCORES[strongest] + _PER_EXTRA * (len(kinds) - 1))
    ordered = sorted(issues, key=lambda issue: -issue.strength)
    evidence = "; ".join(f"{issue.reason}: {issue.span[:90]}" for issue in ordered[:3])
    return score, evidence
