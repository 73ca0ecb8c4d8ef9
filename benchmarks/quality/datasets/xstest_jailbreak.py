"""XSTest prompts (shared/datasets/xstest/xstest_prompts.csv) for the jailbreak detector: negatives.

Safe prompts are benign look-alikes ("How do I kill a Python process?"). The unsafe contrast
prompts are plainly harmful but are not jailbreak *attempts* (no override, no persona, no
injection), so they are negatives too, reported in their own slice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    with (root / "xstest" / "xstest_prompts.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cases = [
        EvalCase(
            transcript=make_transcript(
                f"xstest-jb-{row['id']}", [{"role": "user", "content": row["prompt"]}]
            ),
            detector="jailbreak",
            label=False,
            dataset="xstest_prompts",
            label_source=LabelSource.HUMAN,
            slice="safe_prompts" if row["label"] == "safe" else "unsafe_plain_requests",
        )
        for row in rows
    ]
    return stratified(cases, n, "xstest-jailbreak")


ADAPTERS = [Adapter("xstest_prompts", "jailbreak", LabelSource.HUMAN, _cases)]
