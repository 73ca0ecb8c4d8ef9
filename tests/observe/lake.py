"""Small lakes for the observe tests, written through the warehouse code (validate, write, views)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from warehouse.detections import write_detections
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch


@dataclass(frozen=True)
class Row:
    """One transcript and the verdicts of some detectors on it."""

    transcript_id: str
    created_at: datetime
    model: str = "acme-chat-2026-10"
    deployment: str = "support-bot"
    policy_id: str = "acme-support-v1"


def transcript_document(row: Row, messages: Sequence[dict] | None = None) -> dict:
    return {
        "schema_version": 1,
        "transcript_id": row.transcript_id,
        "created_at": row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "model": row.model,
        "deployment": row.deployment,
        "policy_id": row.policy_id,
        "messages": list(
            messages
            or [
                {"role": "user", "content": f"Where is order {row.transcript_id}?"},
                {"role": "assistant", "content": "It ships tomorrow."},
            ]
        ),
    }


def write_transcripts(root: Path, documents: Iterable[dict], topic: str = "alignwatch.transcripts") -> Warehouse:
    layout = LakeLayout(root)
    raws = [RawMessage(topic, 0, offset, None, json.dumps(doc).encode()) for offset, doc in enumerate(documents)]
    batch = validate_batch(raws, datetime.now(UTC))
    assert batch.dead_letters.num_rows == 0, batch.dead_letters.column("reason").to_pylist()
    write_batch(layout, batch)
    return Warehouse(layout)


def write_verdicts(
    warehouse: Warehouse, verdicts: Iterable[tuple[str, str, str, bool]], scored_at: datetime, run_id: str
) -> None:
    """``verdicts``: (transcript_id, detector, detector_version, flagged)."""
    rows = list(verdicts)
    table = pa.table(
        {
            "transcript_id": [r[0] for r in rows],
            "detector": [r[1] for r in rows],
            "detector_version": [r[2] for r in rows],
            "flagged": [r[3] for r in rows],
            "score": [0.9 if r[3] else 0.0 for r in rows],
            "severity": ["high" if r[3] else "low" for r in rows],
            "evidence": [None for _ in rows],
            "scored_at": pa.array([scored_at] * len(rows), pa.timestamp("us", tz="UTC")),
        }
    )
    write_detections(warehouse.layout, table, run_id, scored_at.date())
