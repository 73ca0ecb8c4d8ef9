"""A small lake built with the warehouse's own code, scored by stub detectors the tests control.

A stub detector named like a real one flags a transcript whose assistant text contains
``FAIL:<name>:<severity>``; the real detectors change under other engineers' hands, the
feedback loop's tests must not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from detectors.base import Detector, result_frame
from pipelines.detect.scoring import score_pending
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def stub(detector_name: str, detector_version: str = "1.0.0") -> Detector:
    marker = f"FAIL:{detector_name}:"

    class Stub(Detector):
        name = detector_name
        version = detector_version
        description = f"stub {detector_name}"

        def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
            found = pl.col("assistant_text").str.extract(f"{marker}(low|medium|high)", 1)
            flagged = found.is_not_null()
            score = pl.when(found == "high").then(0.95).when(found == "medium").then(0.7).otherwise(0.0)
            evidence = pl.when(flagged).then(pl.lit(f"{detector_name} rule fired")).otherwise(None)
            return batch.select(result_frame("transcript_id", flagged, score, found.fill_null("low"), evidence))

    return Stub()


DETECTOR_NAMES = ("sycophancy", "pii_leak", "risky_action", "off_policy", "fabrication", "over_refusal")
STUBS = [stub(name) for name in DETECTOR_NAMES]


def transcript(
    tid: str,
    prompt: str,
    answer: str,
    *,
    deployment: str = "support-bot",
    policy_id: str = "acme-support-v1",
    model: str = "acme-chat-2026-10",
    created_at: datetime = NOW - timedelta(hours=3),
    extra_messages: Sequence[dict] = (),
) -> dict:
    return {
        "schema_version": 1,
        "transcript_id": tid,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "model": model,
        "deployment": deployment,
        "policy_id": policy_id,
        "messages": [
            {"role": "system", "content": "You are Acme's support assistant."},
            *extra_messages,
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": answer},
        ],
    }


def add_transcripts(home: Path, documents: Iterable[dict], first_offset: int = 0) -> Warehouse:
    layout = LakeLayout(home / "lake")
    raw = [
        RawMessage("alignwatch.transcripts", 0, first_offset + i, None, json.dumps(doc).encode())
        for i, doc in enumerate(documents)
    ]
    batch = validate_batch(raw, ingested_at=NOW)
    assert batch.dead_letters.num_rows == 0, batch.dead_letters.column("reason").to_pylist()
    write_batch(layout, batch)
    return Warehouse(layout)


def build_lake(home: Path, documents: Iterable[dict], detectors: Sequence[Detector] = STUBS, first_offset: int = 0) -> Warehouse:
    warehouse = add_transcripts(home, documents, first_offset)
    score_pending(warehouse, detectors, clock=lambda: NOW)
    return warehouse
