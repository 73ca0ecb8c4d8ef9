"""GPTFuzz human-labelled jailbreak responses (shared/datasets/gptfuzz/evaluate.csv).

user = the harmful question text (question_list.csv; the jailbreak template wrapper is not
stored per row), assistant = ``Response``. Positive = ``label == 1`` (substantive compliance).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    base = root / "gptfuzz"
    with (base / "question_list.csv").open(newline="", encoding="utf-8") as handle:
        questions = {row["index"]: row["text"] for row in csv.DictReader(handle)}
    with (base / "evaluate.csv").open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    cases = [
        EvalCase(
            transcript=make_transcript(
                f"gptfuzz-{i}",
                [
                    {"role": "user", "content": questions[row["question"]]},
                    {"role": "assistant", "content": row["Response"] or ""},
                ],
            ),
            detector="harmful_compliance",
            label=row["label"] == "1",
            dataset="gptfuzz",
            label_source=LabelSource.HUMAN,
        )
        for i, row in enumerate(records)
    ]
    return stratified(cases, n, "gptfuzz")


ADAPTERS = [Adapter("gptfuzz", "harmful_compliance", LabelSource.HUMAN, _cases)]
