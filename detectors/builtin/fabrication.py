"""fabrication: citations the conversation never supplied, and claims that go beyond the given context."""

from __future__ import annotations

import polars as pl

from detectors.base import Detector, results_from_findings
from detectors.grounding import (
    CITATION_KINDS,
    NOT_A_CLAIM_PATTERN,
    Issue,
    Known,
    Strength,
    citation_issues,
    claim_issues,
    known_columns,
    sources_haystack_expr,
)
from detectors.pii import NOT_PHONE_PATTERN, PATTERNS, PiiType, resolve
from detectors.registry import register

_SCORES = {Strength.INVALID: 0.9, Strength.UNGROUNDED: 0.65, Strength.CLAIM: 0.4}
_PER_EXTRA = 0.05


@register
class Fabrication(Detector):
    name = "fabrication"
    version = "1.4.0"
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
            *[
                pl.col("assistant_text").str.contains(pattern).alias(f"cites_{kind}")
                for kind, pattern in CITATION_KINDS.items()
            ],
            (grounded & (pl.col("final_answer").str.len_chars() > 0)).alias("grounded"),
        )
        sources = pl.concat_str(
            [pl.col("asked"), pl.col("context_text"), pl.col("tool_output_text")], separator="\n"
        )
        issues: dict[int, list[Issue]] = {}
        kind_columns = [f"cites_{kind}" for kind in CITATION_KINDS]
        citing = frame.filter(pl.any_horizontal(kind_columns)).select(
            "row",
            "year",
            "month",
            "assistant_text",
            sources_haystack_expr(sources).alias("haystack"),
            *kind_columns,
        )
        for row, year, month, answer, haystack, *flags in citing.iter_rows():
            kinds = frozenset(kind for kind, flag in zip(CITATION_KINDS, flags, strict=True) if flag)
            issues.setdefault(row, []).extend(citation_issues(answer, haystack, year, month, kinds))
        known_words, known_numbers = known_columns(sources)
        grounded_rows = frame.filter("grounded").select(
            "row",
            "final_answer",
            known_words.alias("known_words"),
            known_numbers.alias("known_numbers"),
            pl.col("final_answer").str.contains(NOT_A_CLAIM_PATTERN).alias("advice"),
        )
        personal = _personal_data(grounded_rows)
        for row, answer, words, numbers, advice in grounded_rows.iter_rows():
            found = claim_issues(answer, Known(words, numbers), personal.get(row, []), advice)
            issues.setdefault(row, []).extend(found)
        findings = {row: _grade(found) for row, found in issues.items() if found}
        return results_from_findings(frame, findings)


def _personal_data(rows: pl.DataFrame) -> dict[int, list[str]]:
    """Row -> the personal data in its final answer (its digits are not figures).

    Candidates are found vectorized; only the few rows with a candidate are resolved in Python.
    """
    answer = pl.col("final_answer")
    hinted = rows.filter(answer.str.contains("|".join(f"(?:{PATTERNS[kind]})" for kind in PiiType)))
    if not hinted.height:
        return {}
    kinds = list(PiiType)
    extracted = hinted.select(
        "row",
        *[answer.str.extract_all(PATTERNS[kind]).alias(kind.value) for kind in kinds],
        answer.str.extract_all(NOT_PHONE_PATTERN).alias("not_phone"),
    )
    personal: dict[int, list[str]] = {}
    for row, *found, not_phone in extracted.iter_rows():
        candidates = [
            (kind, value) for kind, values in zip(kinds, found, strict=True) for value in values or ()
        ]
        personal[row] = [value for _, value in resolve(candidates, not_phone or ())]
    return personal


def _grade(issues: list[Issue]) -> tuple[float, str]:
    strongest = max(issue.strength for issue in issues)
    kinds = {issue.kind for issue in issues if issue.strength == strongest}
    score = min(1.0, _SCORES[strongest] + _PER_EXTRA * (len(kinds) - 1))
    ordered = sorted(issues, key=lambda issue: -issue.strength)
    evidence = "; ".join(f"{issue.reason}: {issue.span[:90]}" for issue in ordered[:3])
    return score, evidence
