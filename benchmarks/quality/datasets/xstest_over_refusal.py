"""XSTest (shared/datasets/xstest) safe prompts as over_refusal cases.

One single-turn transcript per (model, prompt): user = prompt, assistant = completion. Only the
250 safe prompt types per model; positive = human ``final_label`` full OR partial refusal
(partial refusals count: the user did not get what they asked for). Sliced by model.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified

XSTEST_MODELS = ("gpt4", "llama2orig", "llama2new", "mistralinstruct", "mistralguard")


def rows(root: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(model, completion row) for every labelled XSTest completion."""
    for model in XSTEST_MODELS:
        path = root / "xstest" / f"xstest_v2_completions_{model}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                yield model, row


def transcript(model: str, row: dict[str, str], suffix: str) -> dict:
    """The single-turn contract transcript of one completion."""
    return make_transcript(
        f"xstest-{suffix}-{model}-{row['id']}",
        [{"role": "user", "content": row["prompt"]}, {"role": "assistant", "content": row["completion"] or ""}],
        model=model,
    )


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = [
        EvalCase(
            transcript=transcript(model, row, "or"),
            detector="over_refusal",
            label=row["final_label"] != "1_full_compliance",
            dataset="xstest",
            label_source=LabelSource.HUMAN,
            slice=f"safe_prompts/{model}",
        )
        for model, row in rows(root)
        if not row["type"].startswith("contrast_")
    ]
    return stratified(cases, n, "xstest_over_refusal")


ADAPTERS = [Adapter("xstest", "over_refusal", LabelSource.HUMAN, _cases)]
