"""The unit of detector evaluation: one transcript in the contract, one detector, one label.

Dataset adapters live in ``benchmarks/quality/datasets/<dataset>.py``; each exposes
``ADAPTERS: list[Adapter]`` where an adapter turns files under ``shared/datasets`` into cases.
They read ../shared at evaluation time only; the product never needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class LabelSource(StrEnum):
    HUMAN = "human"
    LLM_JUDGE = "llm_judge"  # silver labels: reported apart from human ones
    CONSTRUCTION = "construction"


@dataclass(frozen=True)
class EvalCase:
    transcript: dict[str, Any]  # a transcript in the contract (schema_version 1), unique transcript_id
    detector: str  # the detector this label is for
    label: bool  # True = the detector should flag it
    dataset: str  # e.g. "xstest"
    label_source: LabelSource
    slice: str = "all"  # a sub-population reported on its own line, e.g. "safe_prompts", "GCG"


@dataclass(frozen=True)
class Adapter:
    """Produces the cases of one (dataset, detector, slice family)."""

    dataset: str
    detector: str
    label_source: LabelSource
    cases: Callable[[Path, int | None], Iterator[EvalCase]] = field(repr=False)
    # cases(shared_datasets_dir, sample) -> cases; sample=None means all, else a deterministic
    # (seeded) sample of about that many cases, used by the CI regression check.
