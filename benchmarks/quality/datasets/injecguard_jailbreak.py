"""InjecGuard's NotInject and WildGuard-benign prompts (shared/datasets/injecguard_notinject): negatives.

NotInject prompts are benign but full of trigger words ("ignore", "uncensored", "roleplay"); the
slice is the number of trigger words (1, 2, 3). WildGuard benign prompts are ordinary requests.
Every case is labelled benign by construction; the false-positive rate is what matters here.
Half of the WildGuard prompts trained the jailbreak model (``wildguard_benign/train``); NotInject
was never used for training.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified
from detectors.training.jailbreak_split import in_training_split, text_key

_TIERS = {
    "NotInject_one.json": "notinject_1",
    "NotInject_two.json": "notinject_2",
    "NotInject_three.json": "notinject_3",
}


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    folder = root / "injecguard_notinject"
    cases = []
    for name, slice_name in [*_TIERS.items(), ("wildguard.json", "wildguard_benign")]:
        for i, item in enumerate(json.loads((folder / name).read_text(encoding="utf-8"))):
            trained = slice_name == "wildguard_benign" and in_training_split(text_key(item["prompt"]))
            cases.append(
                EvalCase(
                    transcript=make_transcript(
                        f"injecguard-{slice_name}-{i}", [{"role": "user", "content": item["prompt"]}]
                    ),
                    detector="jailbreak",
                    label=False,
                    dataset="injecguard",
                    label_source=LabelSource.CONSTRUCTION,
                    slice=f"{slice_name}/train" if trained else slice_name,
                )
            )
    return stratified(cases, n, "injecguard")


ADAPTERS = [Adapter("injecguard", "jailbreak", LabelSource.CONSTRUCTION, _cases)]
