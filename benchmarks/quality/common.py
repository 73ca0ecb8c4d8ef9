"""Helpers every dataset adapter shares: where the data is, how a transcript is built, how to sample."""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.quality.cases import EvalCase

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
CREATED_AT = "2026-11-01T09:00:00Z"
SEED = 20261101


def shared_datasets_dir() -> Path:
    """``../shared/datasets`` beside the repository, or ``$ALIGNWATCH_SHARED_DATASETS``."""
    override = os.environ.get("ALIGNWATCH_SHARED_DATASETS")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "datasets"


def make_transcript(
    transcript_id: str,
    messages: list[dict[str, Any]],
    context: list[str] | None = None,
    policy_id: str = "eval-none",
    model: str = "eval-dataset",
) -> dict[str, Any]:
    """A contract transcript (schema_version 1) for an evaluation case."""
    doc: dict[str, Any] = {
        "schema_version": 1,
        "transcript_id": transcript_id,
        "created_at": CREATED_AT,
        "model": model,
        "deployment": "quality-eval",
        "policy_id": policy_id,
        "messages": messages,
    }
    if context:
        doc["context"] = [{"id": f"doc{i}", "source": "eval", "text": text} for i, text in enumerate(context)]
    return doc


def sample(items: Sequence[T], n: int | None, salt: str) -> list[T]:
    """All items when ``n`` is None, else a deterministic sample of ``min(n, len)`` in original order."""
    if n is None or n >= len(items):
        return list(items)
    rng = random.Random(f"{SEED}:{salt}")
    picked = sorted(rng.sample(range(len(items)), n))
    return [items[i] for i in picked]


def stratified(cases: Iterable[EvalCase], n: int | None, salt: str) -> Iterator[EvalCase]:
    """A deterministic sample of about ``n`` cases that keeps every (slice, label) group represented."""
    groups: dict[tuple[str, bool], list[EvalCase]] = {}
    for case in cases:
        groups.setdefault((case.slice, case.label), []).append(case)
    if n is None:
        for group in groups.values():
            yield from group
        return
    total = sum(len(group) for group in groups.values())
    for key, group in sorted(groups.items()):
        share = max(5, round(n * len(group) / max(total, 1)))
        yield from sample(group, share, f"{salt}:{key}")
