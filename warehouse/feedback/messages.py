"""Messages of the feedback topic (``feedback_case.v1``): confirmed cases, and retractions.

One message per (case, case version): the case version counts the verdicts recorded on the case,
so a new verdict (a changed corrected response, or a dismissal after a confirmation) is a new
version. A dismissal is published only for a case that was published before (a retraction);
every text is PII-redacted like the datasets.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import pyarrow as pa

from warehouse.feedback import schemas
from warehouse.feedback.datasets import canonical_json, redact_texts
from warehouse.feedback.records import ConfirmedCase, category_of, split_at_failure
from warehouse.layout import Table
from warehouse.query import Warehouse

SCHEMA_NAME = "feedback_case.v1"
SCHEMA_VERSION = 1
MAX_TRANSCRIPT_IDS = 1000  # keeps a message far below Kafka's default 1 MiB limit

_PENDING_SQL = """
    SELECT v.case_id, v.case_version, v.verdict_id, v.verdict, v.recorded_at, v.corrected_response,
           v.confirmed_detectors, c.flags, c.deployment, c.policy_id, c.models, c.transcripts, c.transcript_ids,
           c.severity, t.messages
    FROM current_verdicts v
    JOIN flagged_cases c USING (case_id)
    JOIN transcripts t ON t.transcript_id = c.representative_transcript_id
    WHERE (v.verdict = 'confirmed'
           OR v.case_id IN (SELECT case_id FROM feedback_published WHERE topic = ?))
      AND NOT EXISTS (SELECT 1 FROM feedback_published p
                      WHERE p.case_id = v.case_id AND p.case_version = v.case_version AND p.topic = ?)
    ORDER BY v.case_id
"""


def pending_messages(warehouse: Warehouse, topic: str) -> list[dict[str, Any]]:
    """The ``feedback_case.v1`` documents not yet published to ``topic``, in case id order."""
    rows = warehouse.query(_PENDING_SQL, [topic, topic]).to_pylist()
    documents = [_document(row) for row in rows]
    return _redact(documents)


def _document(row: dict[str, Any]) -> dict[str, Any]:
    messages = json.loads(row["messages"])
    case = ConfirmedCase(
        case_id=row["case_id"],
        verdict_id=row["verdict_id"],
        corrected_response=row["corrected_response"],
        confirmed_detectors=tuple(row["confirmed_detectors"] or ()),
        flags=tuple(row["flags"] or ()),
        deployment=row["deployment"],
        policy_id=row["policy_id"],
        transcript_ids=tuple(row["transcript_ids"] or ()),
        messages=tuple(messages),
    )
    split = split_at_failure(messages)
    prompt, production = split if split is not None else ([], None)
    ids = list(case.transcript_ids)
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "case_id": case.case_id,
        "case_version": int(row["case_version"]),
        "verdict_id": case.verdict_id,
        "verdict": row["verdict"],
        "reviewed_at": row["recorded_at"].isoformat().replace("+00:00", "Z"),
        "category": category_of(case),
        "severity": row["severity"],
        "detectors": [
            {
                "detector": f["detector"],
                "detector_version": f["detector_version"],
                "severity": f["severity"],
                "score": f["score"],
                "confirmed": row["verdict"] == "confirmed"
                and (not case.confirmed_detectors or f["detector"] in case.confirmed_detectors),
                "evidence": f["evidence"],
            }
            for f in case.flags
        ],
        "deployment": case.deployment,
        "policy_id": case.policy_id,
        "models": list(row["models"] or []),
        "transcripts": int(row["transcripts"]),
        "transcript_ids": ids[:MAX_TRANSCRIPT_IDS],
        "transcript_ids_truncated": len(ids) > MAX_TRANSCRIPT_IDS,
        "prompt": prompt,
        "production_response": production["content"] if production else None,
        "corrected_response": case.corrected_response if row["verdict"] == "confirmed" else None,
    }


def _redact(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    texts: list[str] = []
    for doc in documents:
        texts.extend(m["content"] for m in doc["prompt"])
        texts.extend(t for t in (doc["production_response"], doc["corrected_response"]) if t is not None)
        texts.extend(d["evidence"] for d in doc["detectors"] if d["evidence"] is not None)
    redacted = iter(redact_texts(texts)) if texts else iter(())
    for doc in documents:
        doc["prompt"] = [{"role": m["role"], "content": next(redacted)} for m in doc["prompt"]]
        for key in ("production_response", "corrected_response"):
            if doc[key] is not None:
                doc[key] = next(redacted)
        for d in doc["detectors"]:
            if d["evidence"] is not None:
                d["evidence"] = next(redacted)
    return documents


def encode(document: dict[str, Any]) -> bytes:
    """The message value: canonical UTF-8 JSON."""
    return canonical_json(document).encode("utf-8")


def record_published(warehouse: Warehouse, rows: list[dict[str, Any]], published_at: datetime) -> str | None:
    """Append what was published (case_id, case_version, verdict_id, verdict, topic, partition, offset)."""
    if not rows:
        return None
    table = pa.Table.from_pylist([{**row, "published_at": published_at} for row in rows], schema=schemas.FEEDBACK_PUBLISHED)
    run_id = f"{published_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    return warehouse.storage.write_run_file(Table.FEEDBACK_PUBLISHED, published_at.date(), run_id, table)
