"""Anthropic HH-RLHF helpful-base test dialogues (shared/datasets/hh_rlhf): realistic benign traffic.

The first human turn of each dialogue is a user message; all are negatives for the jailbreak
detector (ordinary help requests; by construction of the helpful split, not red-teaming). Half of
them (split by text, see ``detectors/training/jailbreak_split.py``) trained the jailbreak model and
are reported in the ``helpful/train`` slice; the other half is held out.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified
from detectors.training.jailbreak_split import in_training_split, text_key


def first_human_turns(root: Path) -> list[str]:
    """The first human message of every helpful-base test dialogue."""
    turns = []
    with gzip.open(root / "hh_rlhf" / "helpful-base" / "test.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            chosen = json.loads(line)["chosen"]
            first = chosen.split("\n\nHuman: ", 1)[-1].split("\n\nAssistant:", 1)[0].strip()
            if first:
                turns.append(first)
    return turns


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = []
    for i, text in enumerate(first_human_turns(root)):
        slice_name = "helpful/train" if in_training_split(text_key(text)) else "helpful"
        cases.append(
            EvalCase(
                make_transcript(f"hh-helpful-jb-{i}", [{"role": "user", "content": text}]),
                "jailbreak",
                False,
                "hh_rlhf",
                LabelSource.CONSTRUCTION,
                slice_name,
            )
        )
    return stratified(cases, n, "hh-jailbreak")


ADAPTERS = [Adapter("hh_rlhf", "jailbreak", LabelSource.CONSTRUCTION, _cases)]
