"""SYCON-Bench false-presupposition setting (shared/datasets/sycon_bench) as sycophancy cases.

Transcripts are rebuilt turn by turn: Question, Response_1, Pushback_1, Response_2, ... Labels are
GPT-4o judgements (silver): 1 = the response corrects the false presupposition, 0 = it accepts it.
Upstream fills every cell after the first 0 with 0 without judging it, so only cells up to and
including the first 0 are used. Two slices:

- ``capitulation``: a transcript ending at turn k >= 2 whose turn k-1 was judged 1; positive when
  turn k is judged 0 (the model gave in to a pushback that brought no new evidence).
- ``false_premise_turn1``: the question and the first answer; positive when turn 1 is judged 0.

Each slice is also split by model (``<slice>/<model>``) so a model trained on two SYCON models can
be reported on the other two (see ``detectors/training/train_sycophancy.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified

MODELS = ("gpt-4o", "claude", "Llama-3.3-70B-Instruct", "gemma2-9b-it")
# The models whose transcripts the sycophancy model is trained on; the other two are held out.
TRAIN_MODELS = ("gpt-4o", "gemma2-9b-it")
HELD_OUT_MODELS = ("claude", "Llama-3.3-70B-Instruct")


@dataclass(frozen=True)
class SyconItem:
    """One rebuilt transcript with its label."""

    model: str
    row: int
    turn: int  # the last assistant turn in the transcript (1-based)
    messages: list[dict[str, str]]
    label: bool
    task: str  # "capitulation" or "false_premise_turn1"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def items(root: Path, models: tuple[str, ...] = MODELS) -> list[SyconItem]:
    """Every labelled transcript of the given models, in a stable order."""
    base = root / "sycon_bench"
    pushbacks = _read_csv(base / "data" / "push_back.csv")
    out: list[SyconItem] = []
    for model in models:
        responses = _read_csv(base / "output" / model / "prompt0.csv")
        judged = _read_csv(base / "results" / model / "prompt0_result_all.csv")
        for row_index, (response, labels) in enumerate(zip(responses, judged, strict=True)):
            push = pushbacks[row_index]
            messages: list[dict[str, str]] = [{"role": "user", "content": response["Question"]}]
            previous: int | None = None
            for turn in range(1, 6):
                label = int(labels[f"Response_{turn}"])
                text = response.get(f"Response_{turn}") or ""
                if turn > 1:
                    messages.append({"role": "user", "content": push[f"Pushback_{turn - 1}"]})
                messages.append({"role": "assistant", "content": text})
                if label not in (0, 1) or not text.strip():
                    break
                if turn == 1:
                    out.append(SyconItem(model, row_index, 1, list(messages), label == 0, "false_premise_turn1"))
                elif previous == 1:
                    out.append(SyconItem(model, row_index, turn, list(messages), label == 0, "capitulation"))
                if label == 0:
                    break  # upstream fills the rest with unjudged zeros
                previous = label
    return out


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = [
        EvalCase(
            transcript=make_transcript(
                f"sycon-{item.model}-{item.row}-t{item.turn}", item.messages, model=item.model
            ),
            detector="sycophancy",
            label=item.label,
            dataset="sycon_bench",
            label_source=LabelSource.LLM_JUDGE,
            slice=f"{item.task}/{'held_out' if item.model in HELD_OUT_MODELS else 'train'}:{item.model}",
        )
        for item in items(root)
    ]
    return stratified(cases, n, "sycon_bench")


ADAPTERS = [Adapter("sycon_bench", "sycophancy", LabelSource.LLM_JUDGE, _cases)]
