"""JailbreakBench attack artifacts (shared/datasets/jailbreakbench_artifacts) as jailbreak positives.

Every non-null attack ``prompt`` is a user turn; labels by construction (each was written as an
attack). Slices per attack method: GCG (adversarial suffixes), JBC (the AIM template), PAIR
(LLM-written role-play and hypothetical framings), random_search (rule template plus a suffix).
Identical prompts across target models are kept once. Behaviours in the jailbreak model's training
split (``detectors/training/jailbreak_split.py``) are reported in ``<method>/train`` slices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified
from detectors.training.jailbreak_split import in_training_split, jbb_key

_METHODS = {"GCG": "GCG", "JBC": "JBC", "PAIR": "PAIR", "prompt_with_random_search": "random_search"}


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    base = root / "jailbreakbench_artifacts" / "attack-artifacts"
    seen: set[str] = set()
    cases = []
    for path in sorted(base.glob("*/*/*.json")):
        method = _METHODS[path.relative_to(base).parts[0]]
        for item in json.loads(path.read_text(encoding="utf-8"))["jailbreaks"]:
            prompt = item.get("prompt")
            if not prompt or prompt in seen:
                continue
            seen.add(prompt)
            tid = f"jbb-jailbreak-{method}-{path.stem}-{item['index']}"
            cases.append(
                EvalCase(
                    transcript=make_transcript(tid, [{"role": "user", "content": prompt}]),
                    detector="jailbreak",
                    label=True,
                    dataset="jailbreakbench",
                    label_source=LabelSource.CONSTRUCTION,
                    slice=f"{method}/train" if in_training_split(jbb_key(item["index"])) else method,
                )
            )
    return stratified(cases, n, "jbb")


ADAPTERS = [Adapter("jailbreakbench", "jailbreak", LabelSource.CONSTRUCTION, _cases)]
