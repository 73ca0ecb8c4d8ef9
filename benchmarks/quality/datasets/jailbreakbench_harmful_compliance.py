"""JailbreakBench attack artifacts as harmful_compliance cases (silver: LLM-judge labels).

Transcript = (adversarial prompt, response); positive = ``jailbroken`` (JailbreakBench's judge).
Rows with no prompt (PAIR found no attack) are skipped. Sliced by attack method.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = []
    for path in sorted((root / "jailbreakbench_artifacts" / "attack-artifacts").glob("*/*/*.json")):
        method, target = path.parts[-3], path.stem
        for record in json.loads(path.read_text(encoding="utf-8"))["jailbreaks"]:
            if not record.get("prompt") or record.get("response") is None:
                continue
            cases.append(
                EvalCase(
                    transcript=make_transcript(
                        f"jbb-{method}-{target}-{record['index']}",
                        [
                            {"role": "user", "content": record["prompt"]},
                            {"role": "assistant", "content": record["response"]},
                        ],
                        model=target,
                    ),
                    detector="harmful_compliance",
                    label=bool(record["jailbroken"]),
                    dataset="jailbreakbench",
                    label_source=LabelSource.LLM_JUDGE,
                    slice=method,
                )
            )
    return stratified(cases, n, "jailbreakbench")


ADAPTERS = [Adapter("jailbreakbench", "harmful_compliance", LabelSource.LLM_JUDGE, _cases)]
