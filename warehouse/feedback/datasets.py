"""Versioned feedback datasets: immutable folders ``<lake>/feedback_datasets/vNNNN/`` with a manifest.

A build reads the confirmed cases, builds the records (``records.py``), drops those whose prompts
overlap a given evaluation set (``contamination.py``), redacts personal data with the pii_leak
detector's recognisers, and writes each kind as Parquet (every field, with lineage) and JSON Lines
(the fields TRL reads plus ``record_id``). Content hashes cover the canonical records only (sorted
keys, records sorted by id, no timestamps), so the same inputs give the same hashes.

Versions live in the lake, on disk or on S3 (``dataset_store.py``): a version exists once its
manifest does, and an existing version is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from detectors.pii import redact_pii
from detectors.policies import POLICY_DIR
from warehouse.feedback.contamination import DEFAULT_THRESHOLD, ContaminationIndex, EvalSet, prompt_texts
from warehouse.feedback.dataset_store import (
    LAST_BUILD,
    VERSION,
    DatasetExistsError,  # noqa: F401 - callers catch it from here
    DatasetStore,
    dataset_store,
    local_dataset_store,
)
from warehouse.feedback.records import KINDS, ConfirmedCase, RecordSet, build_records, map_texts
from warehouse.query import Warehouse
from warehouse.writer import ROW_GROUP_ROWS

FORMAT = "alignwatch.feedback_dataset.v1"
# Where versions are: a store (disk or S3), or a local folder (tests, one-off exports).
DatasetsRoot = DatasetStore | Path
# The JSON Lines files carry what TRL reads; the Parquet files carry everything.
TRL_FIELDS = {
    "sft": ("record_id", "messages"),
    "preference": ("record_id", "prompt", "chosen", "rejected"),
    "regression": ("record_id", "prompt", "category", "expected_behavior", "reference_response"),
}

_MESSAGE = pa.struct([pa.field("role", pa.string()), pa.field("content", pa.string())])
_LINEAGE = [
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("case_id", pa.string(), nullable=False),
    pa.field("category", pa.string(), nullable=False),
    pa.field("detectors", pa.list_(pa.string())),
    pa.field("deployment", pa.string()),
    pa.field("policy_id", pa.string()),
    pa.field("transcript_ids", pa.list_(pa.string())),
]
PARQUET_SCHEMAS = {
    "sft": pa.schema([*_LINEAGE, pa.field("messages", pa.list_(_MESSAGE))]),
    "preference": pa.schema(
        [
            *_LINEAGE,
            pa.field("prompt", pa.list_(_MESSAGE)),
            pa.field("chosen", pa.list_(_MESSAGE)),
            pa.field("rejected", pa.list_(_MESSAGE)),
        ]
    ),
    "regression": pa.schema(
        [
            *_LINEAGE,
            pa.field("prompt", pa.list_(_MESSAGE)),
            pa.field("expected_behavior", pa.string()),
            pa.field("reference_response", pa.string()),
            pa.field("failure_response", pa.string()),
        ]
    ),
}

_CONFIRMED_SQL = """
    SELECT v.case_id, v.verdict_id, v.corrected_response, v.confirmed_detectors, v.recorded_at,
           c.flags, c.deployment, c.policy_id, c.transcript_ids, t.messages
    FROM current_verdicts v
    JOIN flagged_cases c USING (case_id)
    JOIN transcripts t ON t.transcript_id = c.representative_transcript_id
    WHERE v.verdict = 'confirmed'
    ORDER BY v.case_id
"""


def _store(root: DatasetsRoot) -> DatasetStore:
    return root if isinstance(root, DatasetStore) else local_dataset_store(root)


def canonical_json(value: Any) -> str:
    """The one JSON text of a value: sorted keys, no spaces, UTF-8 kept (what the hashes cover)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_confirmed_cases(warehouse: Warehouse) -> tuple[list[ConfirmedCase], datetime | None]:
    """Confirmed cases (current verdict) with their representative transcript; and the latest verdict time."""
    rows = warehouse.query(_CONFIRMED_SQL).to_pylist()
    cases = [
        ConfirmedCase(
            case_id=r["case_id"],
            verdict_id=r["verdict_id"],
            corrected_response=r["corrected_response"],
            confirmed_detectors=tuple(r["confirmed_detectors"] or ()),
            flags=tuple(r["flags"] or ()),
            deployment=r["deployment"],
            policy_id=r["policy_id"],
            transcript_ids=tuple(r["transcript_ids"] or ()),
            messages=tuple(json.loads(r["messages"])),
        )
        for r in rows
    ]
    latest = max((r["recorded_at"] for r in rows), default=None)
    return cases, latest


def redact_texts(texts: list[str]) -> list[str]:
    """``detectors.pii.redact_pii`` over a list of strings (one vectorized pass)."""
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    return frame.select(redact_pii(pl.col("t")))["t"].to_list()


@dataclass(frozen=True)
class Contamination:
    excluded_cases: dict[str, int]  # by match kind: exact, near_duplicate
    excluded_records: dict[str, int]  # by record kind


def exclude_contaminated(records: RecordSet, index: ContaminationIndex | None) -> Contamination:
    """Drop, in place, every record of a case whose prompt overlaps an evaluation set."""
    if index is None:
        return Contamination({"exact": 0, "near_duplicate": 0}, dict.fromkeys(KINDS, 0))
    matches: dict[str, str] = {}
    for record in records.records["regression"]:
        match = index.match(prompt_texts(record["prompt"]))
        if match is not None:
            matches[record["case_id"]] = match
    excluded_records = {}
    for kind in KINDS:
        before = len(records.records[kind])
        records.records[kind] = [r for r in records.records[kind] if r["case_id"] not in matches]
        excluded_records[kind] = before - len(records.records[kind])
    by_match = {"exact": 0, "near_duplicate": 0}
    for match in matches.values():
        by_match[match] += 1
    return Contamination(by_match, excluded_records)


@dataclass(frozen=True)
class DatasetContent:
    """The records of one build and everything the manifest says about them, before writing."""

    records: dict[str, list[dict[str, Any]]]
    record_hashes: dict[str, str]
    content_sha256: str
    contamination: Contamination
    unusable_cases: list[str]
    confirmed_cases: int
    redacted: bool


def prepare_content(
    cases: Sequence[ConfirmedCase], index: ContaminationIndex | None = None, redact: bool = True
) -> DatasetContent:
    """Build, filter and redact the records; hash their canonical form (pure, deterministic)."""
    record_set = build_records(cases)
    contamination = exclude_contaminated(record_set, index)
    records = {
        kind: map_texts(rows, redact_texts) if redact else rows for kind, rows in record_set.records.items()
    }
    record_hashes = {
        kind: sha256_bytes("".join(canonical_json(r) + "\n" for r in rows).encode())
        for kind, rows in records.items()
    }
    header = canonical_json({"format": FORMAT, "redacted": redact, "kinds": record_hashes})
    return DatasetContent(
        records=records,
        record_hashes=record_hashes,
        content_sha256=sha256_bytes(header.encode()),
        contamination=contamination,
        unusable_cases=sorted(record_set.unusable_cases),
        confirmed_cases=len(cases),
        redacted=redact,
    )


def list_versions(root: DatasetsRoot) -> list[dict[str, Any]]:
    """Every complete version (oldest first) with its manifest; a folder without a manifest is skipped."""
    return _store(root).manifests()


def read_manifest(root: DatasetsRoot, version: str) -> dict[str, Any] | None:
    """The manifest of ``version`` ("v0003" or "3"), or None."""
    name = version if version.startswith("v") else f"v{int(version):04d}"
    return _store(root).manifest(name) if VERSION.match(name) else None


@dataclass(frozen=True)
class BuildResult:
    version: str | None  # None: nothing new since the latest version
    path: PurePath | None  # the version's folder: a local Path, or bucket/prefix/... on S3
    counts: dict[str, int]
    content_sha256: str
    excluded: dict[str, int]
    unchanged: bool = False


def build_dataset(
    warehouse: Warehouse,
    created_at: datetime,
    eval_sets: Sequence[EvalSet] = (),
    redact: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    skip_if_unchanged: bool = True,
    root: DatasetsRoot | None = None,
    version: str | None = None,
) -> BuildResult:
    """Build the next dataset version from the confirmed cases in the lake.

    Args:
        warehouse: the lake.
        created_at: timezone-aware creation time (manifest only, never hashed).
        eval_sets: evaluation sets whose prompts must not appear in the records.
        redact: redact personal data from every exported text (default; disable only knowingly).
        threshold: near-duplicate Jaccard threshold of the contamination filter.
        skip_if_unchanged: write nothing when the content equals the latest version's.
        root: where versions live (default ``feedback_datasets/`` in the warehouse's lake, on disk or S3).
        version: an explicit version name (e.g. "v0007"); default: the next number.

    Raises:
        DatasetExistsError: the version already exists.
    """
    store = _store(root) if root is not None else dataset_store(warehouse.storage)
    cases, latest_verdict = load_confirmed_cases(warehouse)
    index = ContaminationIndex.of(eval_sets, threshold) if eval_sets else None
    content = prepare_content(cases, index, redact)
    counts = {kind: len(rows) for kind, rows in content.records.items()}
    excluded = dict(content.contamination.excluded_cases)
    with store.locked():
        previous = store.manifests()
        if skip_if_unchanged and previous and previous[-1]["content_sha256"] == content.content_sha256:
            _record_last_build(store, created_at, previous[-1]["version"], unchanged=True)
            return BuildResult(None, None, counts, content.content_sha256, excluded, unchanged=True)
        if not any(counts.values()) and version is None:
            # Nothing confirmed (or everything excluded): an empty version would only be noise.
            return BuildResult(None, None, counts, content.content_sha256, excluded)
        name = version or store.next_version()
        if not VERSION.match(name):
            raise ValueError(f"version must look like v0001, got {name!r}")
        data = _encode_files(content)
        files = {
            file: {
                "kind": kind,
                "records": len(content.records[kind]),
                "bytes": len(raw),
                "sha256": sha256_bytes(raw),
            }
            for file, (kind, raw) in data.items()
        }
        manifest = _manifest(name, created_at, content, files, cases, eval_sets, threshold, latest_verdict)
        target = store.publish(
            name,
            {file: raw for file, (_kind, raw) in data.items()},
            (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
        )
        _record_last_build(store, created_at, name, unchanged=False)
    return BuildResult(name, target, counts, content.content_sha256, excluded)


def last_build(root: DatasetsRoot) -> dict[str, Any] | None:
    """When the latest build ran ({"at", "version", "unchanged"}), or None before the first."""
    return _store(root).read_json(LAST_BUILD)


def _record_last_build(store: DatasetStore, at: datetime, version: str, unchanged: bool) -> None:
    store.write_json(LAST_BUILD, {"at": at.isoformat(), "version": version, "unchanged": unchanged})


def _encode_files(content: DatasetContent) -> dict[str, tuple[str, bytes]]:
    """Each file of a version (name -> (kind, bytes)): JSON Lines for TRL, Parquet with every field."""
    files: dict[str, tuple[str, bytes]] = {}
    for kind in KINDS:
        rows = content.records[kind]
        jsonl = "".join(canonical_json({k: r[k] for k in TRL_FIELDS[kind]}) + "\n" for r in rows).encode()
        sink = pa.BufferOutputStream()
        table = pa.Table.from_pylist(rows, schema=PARQUET_SCHEMAS[kind])
        pq.write_table(table, sink, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        files[f"{kind}.jsonl"] = (kind, jsonl)
        files[f"{kind}.parquet"] = (kind, sink.getvalue().to_pybytes())
    return files


def _policy_versions(policy_ids: set[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for policy_id in sorted(policy_ids):
        path = POLICY_DIR / f"{policy_id}.yaml"
        out[policy_id] = f"sha256:{sha256_file(path)}" if path.is_file() else None
    return out


def _manifest(
    name: str,
    created_at: datetime,
    content: DatasetContent,
    files: dict[str, dict[str, Any]],
    cases: Sequence[ConfirmedCase],
    eval_sets: Sequence[EvalSet],
    threshold: float,
    latest_verdict: datetime | None,
) -> dict[str, Any]:
    used = {r["case_id"] for rows in content.records.values() for r in rows}
    detector_versions: dict[str, set[str]] = {}
    for case in cases:
        if case.case_id in used:
            for flag in case.flags:
                detector_versions.setdefault(flag["detector"], set()).add(flag["detector_version"])
    by_category: dict[str, dict[str, int]] = {}
    for kind, rows in content.records.items():
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["category"]] = counts.get(r["category"], 0) + 1
        by_category[kind] = dict(sorted(counts.items()))
    return {
        "format": FORMAT,
        "version": name,
        "created_at": created_at.isoformat(),
        "content_sha256": content.content_sha256,
        "record_content_sha256": content.record_hashes,
        "counts": {kind: len(rows) for kind, rows in content.records.items()},
        "counts_by_category": by_category,
        "detector_versions": {d: sorted(v) for d, v in sorted(detector_versions.items())},
        "policy_versions": _policy_versions({c.policy_id for c in cases if c.case_id in used}),
        "files": files,
        "redaction": {"enabled": content.redacted, "recognisers": "detectors.pii.redact_pii"},
        "contamination": {
            "threshold": threshold,
            "eval_sets": [{"path": s.path, "sha256": s.sha256, "prompts": len(s.prompts)} for s in eval_sets],
            "excluded_cases": content.contamination.excluded_cases,
            "excluded_records": content.contamination.excluded_records,
        },
        "source": {
            "confirmed_cases": content.confirmed_cases,
            "unusable_cases": content.unusable_cases,
            "latest_verdict_at": latest_verdict.isoformat() if latest_verdict else None,
        },
        "records": [
            {
                "record_id": r["record_id"],
                "kind": kind,
                "case_id": r["case_id"],
                "category": r["category"],
                "transcript_ids": r["transcript_ids"],
            }
            for kind in KINDS
            for r in content.records[kind]
        ],
    }
