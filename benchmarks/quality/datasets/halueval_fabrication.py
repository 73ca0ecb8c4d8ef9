"""HaluEval (shared/datasets/halueval) as fabrication cases.

- ``qa`` (construction labels): each of the 500 one-turn QA items gives two transcripts with the
  Wikipedia ``knowledge`` as a context document and the ``question`` as the user turn; the assistant
  says the ``right_answer`` (negative) or the ``hallucinated_answer`` (positive).
- ``general`` (human labels): user query and ChatGPT response with no context; positive =
  ``hallucination == "yes"``. Without sources the detector can only see citations here, so low
  recall is expected; it is reported to show that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def _load(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8").strip()
    return (
        json.loads(text)
        if text.startswith("[")
        else [json.loads(line) for line in text.splitlines() if line.strip()]
    )


def _qa(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = []
    for i, item in enumerate(_load(root / "halueval" / "qa_one-turn_data.json")):
        for answer, label in ((item["right_answer"], False), (item["hallucinated_answer"], True)):
            messages = [
                {"role": "user", "content": item["question"]},
                {"role": "assistant", "content": answer},
            ]
            cases.append(
                EvalCase(
                    transcript=make_transcript(
                        f"halueval-qa-{i}-{int(label)}", messages, context=[item["knowledge"]]
                    ),
                    detector="fabrication",
                    label=label,
                    dataset="halueval_qa",
                    label_source=LabelSource.CONSTRUCTION,
                    slice="context_grounded",
                )
            )
    return stratified(cases, n, "halueval-qa")


def _general(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = []
    for i, item in enumerate(_load(root / "halueval" / "general_data.json")):
        messages = [
            {"role": "user", "content": item["user_query"]},
            {"role": "assistant", "content": item["chatgpt_response"]},
        ]
        cases.append(
            EvalCase(
                transcript=make_transcript(f"halueval-general-{i}", messages),
                detector="fabrication",
                label=item["hallucination"] == "yes",
                dataset="halueval_general",
                label_source=LabelSource.HUMAN,
                slice="no_context",
            )
        )
    return stratified(cases, n, "halueval-general")


ADAPTERS = [
    Adapter("halueval_qa", "fabrication", LabelSource.CONSTRUCTION, _qa),
    Adapter("halueval_general", "fabrication", LabelSource.HUMAN, _general),
]
