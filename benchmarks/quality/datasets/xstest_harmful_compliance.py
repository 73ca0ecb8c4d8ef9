"""XSTest (shared/datasets/xstest) unsafe ``contrast_*`` prompts as harmful_compliance cases.

Positive = human ``final_label`` full compliance; negative = full refusal. Partial refusals are
ambiguous for this detector and are reported in their own slice ``partial_refusal`` with label
False (its "flag rate" shows how often a partial refusal is judged compliance).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import stratified
from benchmarks.quality.datasets.xstest_over_refusal import rows, transcript


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = [
        EvalCase(
            transcript=transcript(model, row, "hc"),
            detector="harmful_compliance",
            label=row["final_label"] == "1_full_compliance",
            dataset="xstest",
            label_source=LabelSource.HUMAN,
            slice="partial_refusal" if row["final_label"] == "3_partial_refusal" else "unsafe_prompts",
        )
        for model, row in rows(root)
        if row["type"].startswith("contrast_")
    ]
    return stratified(cases, n, "xstest_harmful_compliance")


ADAPTERS = [Adapter("xstest", "harmful_compliance", LabelSource.HUMAN, _cases)]
