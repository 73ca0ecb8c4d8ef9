"""HALLMARK citation-hallucination benchmark (shared/datasets/hallmark) as fabrication cases.

Each bibliography entry becomes an answer to "give me the full reference for <title>": the user
supplies the title, the assistant writes authors, year, title, venue and DOI/URL. Positive =
``HALLUCINATED``. Offline, a DOI the user never gave is reported as ungrounded whether it is real or
not, and only format-level faults (a year after the conversation, a malformed DOI) mark an entry
invalid; swapped authors, wrong venues or near-miss titles need a bibliographic database the
detector does not have. So the entries are scored twice: ``hallmark`` counts every flag (the
detector's contract: a reference the conversation never supplied is flagged), ``hallmark_invalid``
counts only high-severity findings (score >= 0.8: impossible on its face). Slices: one per hallucination type (recall only) and ``valid`` (false
positives). ``hallmark_real_world`` holds the real fabricated citations found in NeurIPS 2025 papers
and public incidents (mostly positives).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def reference_text(fields: dict[str, str]) -> str:
    """An assistant-style formatted reference for a HALLMARK entry."""
    authors = fields.get("author", "").replace(" and ", ", ")
    venue = fields.get("booktitle") or fields.get("journal") or ""
    parts = [f"{authors} ({fields.get('year', 'n.d.')}). {fields.get('title', '')}."]
    if venue:
        parts.append(f"In {venue}.")
    if fields.get("doi"):
        parts.append(f"https://doi.org/{fields['doi']}")
    elif fields.get("url"):
        parts.append(fields["url"])
    return "Here is the full reference:\n\n" + " ".join(parts)


def _case(entry: dict, tid: str, dataset: str, label_source: LabelSource) -> EvalCase:
    title = entry["fields"].get("title", "")
    messages = [
        {"role": "user", "content": f'Can you give me the full reference for the paper "{title}"?'},
        {"role": "assistant", "content": reference_text(entry["fields"])},
    ]
    label = entry["label"] == "HALLUCINATED"
    return EvalCase(
        transcript=make_transcript(tid, messages),
        detector="fabrication",
        label=label,
        dataset=dataset,
        label_source=label_source,
        slice=entry.get("hallucination_type") or "hallucinated" if label else "valid",
    )


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _test_public(root: Path, n: int | None) -> Iterator[EvalCase]:
    entries = _read(root / "hallmark" / "test_public.jsonl")
    cases = [_case(e, f"hallmark-{i}", "hallmark", LabelSource.CONSTRUCTION) for i, e in enumerate(entries)]
    return stratified(cases, n, "hallmark")


def _test_public_invalid(root: Path, n: int | None) -> Iterator[EvalCase]:
    entries = _read(root / "hallmark" / "test_public.jsonl")
    cases = [
        _case(e, f"hallmark-invalid-{i}", "hallmark_invalid", LabelSource.CONSTRUCTION)
        for i, e in enumerate(entries)
    ]
    return stratified(cases, n, "hallmark")


SCORE_THRESHOLDS = {"hallmark_invalid": 0.8}


def _real_world(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = []
    for name in ("gptzero_neurips2025.jsonl", "real_world_incidents.jsonl"):
        for i, entry in enumerate(_read(root / "hallmark" / name)):
            tid = f"hallmark-rw-{name.split('.')[0]}-{i}"
            cases.append(_case(entry, tid, "hallmark_real_world", LabelSource.HUMAN))
    return stratified(cases, n, "hallmark-real-world")


ADAPTERS = [
    Adapter("hallmark", "fabrication", LabelSource.CONSTRUCTION, _test_public),
    Adapter("hallmark_invalid", "fabrication", LabelSource.CONSTRUCTION, _test_public_invalid),
    Adapter("hallmark_real_world", "fabrication", LabelSource.HUMAN, _real_world),
]
