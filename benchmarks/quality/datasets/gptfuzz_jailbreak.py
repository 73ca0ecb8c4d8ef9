"""GPTFuzzer jailbreak templates (shared/datasets/gptfuzz) with a harmful question inserted: positives.

Template i gets question ``i mod 100`` in its ``[INSERT PROMPT HERE]`` slot (labels by construction).
Templates in the jailbreak model's training split are reported in the ``templates/train`` slice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified
from detectors.training.jailbreak_split import gptfuzz_key, in_training_split


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    with (root / "gptfuzz" / "question_list.csv").open(encoding="utf-8") as f:
        questions = [row["text"] for row in csv.DictReader(f)]
    with (root / "gptfuzz" / "GPTFuzzer.csv").open(encoding="utf-8") as f:
        templates = list(csv.DictReader(f))
    cases = [
        EvalCase(
            transcript=make_transcript(
                f"gptfuzz-template-{row['id']}",
                [
                    {
                        "role": "user",
                        "content": row["text"].replace("[INSERT PROMPT HERE]", questions[i % len(questions)]),
                    }
                ],
            ),
            detector="jailbreak",
            label=True,
            dataset="gptfuzz_templates",
            label_source=LabelSource.CONSTRUCTION,
            slice="templates/train" if in_training_split(gptfuzz_key(row["id"])) else "templates",
        )
        for i, row in enumerate(templates)
    ]
    return stratified(cases, n, "gptfuzz-jailbreak")


ADAPTERS = [Adapter("gptfuzz_templates", "jailbreak", LabelSource.CONSTRUCTION, _cases)]
