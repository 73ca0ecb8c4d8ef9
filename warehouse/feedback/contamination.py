"""Keep evaluation prompts out of training data: exact and near-duplicate matches are excluded.

An evaluation set is given by path (a JSON Lines, JSON, Parquet or text file, or a folder of them).
Its prompts are normalised like case prompts (``similarity.normalize_expr``); a record is
contaminated when any of its user messages, or all of them joined, has the same fingerprint as an
evaluation prompt (exact) or a character-shingle Jaccard similarity at or above the threshold
(near-duplicate, found through MinHash LSH and verified exactly).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from warehouse.feedback.similarity import NearDuplicateIndex, fingerprint, normalize_texts

DEFAULT_THRESHOLD = 0.8
# Fields that hold the prompt in common evaluation formats, tried in this order.
PROMPT_FIELDS = ("prompt", "messages", "question", "input", "instruction", "query", "goal", "behavior", "text")
_SUFFIXES = (".jsonl", ".json", ".parquet", ".txt")
# Below this many characters a normalised prompt is matched exactly only: shingle overlap of very
# short texts ("hi", "thanks") says nothing.
MIN_NEAR_DUPLICATE_CHARS = 24


class EvalSetError(ValueError):
    """An evaluation set path that cannot be read."""


@dataclass(frozen=True)
class EvalSet:
    """The prompts of one evaluation set and the sha256 of its files (recorded in manifests)."""

    path: str
    sha256: str
    prompts: tuple[str, ...]


def _texts_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        users = [m.get("content") for m in value if isinstance(m, dict) and m.get("role") in ("user", None)]
        texts = [t for t in users if isinstance(t, str)]
        if not texts and all(isinstance(v, str) for v in value):
            texts = list(value)
        return texts
    return []


def prompts_of(record: Any) -> list[str]:
    """The prompt texts of one evaluation record (a string, or a dict in a common format)."""
    if isinstance(record, str):
        return [record]
    if isinstance(record, dict):
        for key in PROMPT_FIELDS:
            if key in record and record[key] is not None:
                texts = _texts_of(record[key])
                if texts:
                    return texts
    return []


def _records(path: Path) -> Iterable[Any]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)
    elif path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        yield from data if isinstance(data, list) else [data]
    elif path.suffix == ".parquet":
        yield from pl.read_parquet(path).iter_rows(named=True)
    else:
        yield from (line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def load_eval_set(path: Path) -> EvalSet:
    """Read every prompt of an evaluation set file or folder (files in sorted order)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
    elif path.is_file():
        files = [path]
    else:
        raise EvalSetError(f"evaluation set {path} does not exist")
    digest = hashlib.sha256()
    prompts: list[str] = []
    for file in files:
        digest.update(file.read_bytes())
        try:
            for record in _records(file):
                prompts.extend(prompts_of(record))
        except (ValueError, OSError) as exc:
            raise EvalSetError(f"cannot read evaluation set {file}: {exc}") from exc
    return EvalSet(str(path), digest.hexdigest(), tuple(prompts))


@dataclass
class ContaminationIndex:
    """Exact fingerprints and a near-duplicate index over evaluation prompts."""

    threshold: float = DEFAULT_THRESHOLD
    exact: set[str] = field(default_factory=set)
    near: NearDuplicateIndex | None = None

    @classmethod
    def of(cls, eval_sets: Sequence[EvalSet], threshold: float = DEFAULT_THRESHOLD) -> ContaminationIndex:
        """Index every prompt of ``eval_sets``."""
        index = cls(threshold=threshold, near=NearDuplicateIndex(threshold))
        normalized = normalize_texts([p for s in eval_sets for p in s.prompts])
        for i, text in enumerate(normalized):
            index.exact.add(fingerprint(text))
            if len(text) >= MIN_NEAR_DUPLICATE_CHARS:
                index.near.add(str(i), text)
        return index

    def match(self, texts: Sequence[str]) -> str | None:
        """``"exact"``, ``"near_duplicate"`` or None for a record's prompt texts (raw, not normalised)."""
        normalized = [t for t in normalize_texts(list(texts)) if t]
        if any(fingerprint(t) in self.exact for t in normalized):
            return "exact"
        if self.near is not None and len(self.near):
            for text in normalized:
                if len(text) >= MIN_NEAR_DUPLICATE_CHARS and self.near.best_match(text) is not None:
                    return "near_duplicate"
        return None


def prompt_texts(prompt: Sequence[dict[str, str]]) -> list[str]:
    """A record prompt's user messages, each alone and all joined: the texts checked for overlap."""
    users = [m["content"] for m in prompt if m.get("role") == "user" and m.get("content")]
    return [*users, "\n".join(users)] if len(users) > 1 else users
