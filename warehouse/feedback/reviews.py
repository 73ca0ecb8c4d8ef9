"""Review verdicts: append-only, one small Parquet file per recording, the latest per case current.

A second verdict on a case never overwrites the first; both stay in ``review_verdicts`` and the
``current_verdicts`` view picks the latest. Recording times are made strictly increasing per case,
so a verdict recorded now is always the current one even if the clock gave the same microsecond.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import polars as pl
import pyarrow as pa

from warehouse.feedback import schemas
from warehouse.layout import Table
from warehouse.query import Warehouse

_MICROSECOND = timedelta(microseconds=1)


class Verdict(StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class ReviewError(ValueError):
    """A verdict that cannot be recorded (unknown case, missing reviewer, inconsistent fields)."""


@dataclass(frozen=True)
class NewVerdict:
    """A verdict as a reviewer gives it.

    Attributes:
        confirmed_detectors: with a confirmation, the detectors whose flag was right; None means all.
    """

    case_id: str
    verdict: Verdict
    reviewer: str
    note: str | None = None
    corrected_response: str | None = None
    confirmed_detectors: tuple[str, ...] | None = None


def record_verdicts(warehouse: Warehouse, verdicts: Sequence[NewVerdict], recorded_at: datetime) -> list[str]:
    """Validate and durably append verdicts; returns their ids in order.

    Args:
        warehouse: the lake.
        verdicts: verdicts to record (several verdicts on one case are recorded in order).
        recorded_at: timezone-aware time of recording.

    Raises:
        ReviewError: an unknown case, an empty reviewer, a corrected response on a dismissal, or
            confirmed detectors that did not fire on the case.
    """
    if not verdicts:
        return []
    if recorded_at.tzinfo is None:
        raise ReviewError("recorded_at must be timezone-aware")
    ids = sorted({v.case_id for v in verdicts})
    with warehouse.connect() as con:
        known = dict(
            con.sql("SELECT case_id, detectors FROM flagged_cases WHERE list_contains(?, case_id)", params=[ids]).fetchall()
        )
        latest = dict(
            con.sql(
                "SELECT case_id, max(recorded_at) FROM review_verdicts WHERE list_contains(?, case_id) GROUP BY 1",
                params=[ids],
            ).fetchall()
        )
    rows: list[dict[str, Any]] = []
    for verdict in verdicts:
        _validate(verdict, known)
        stamp = recorded_at
        previous = latest.get(verdict.case_id)
        if previous is not None and previous >= stamp:
            stamp = previous + _MICROSECOND
        latest[verdict.case_id] = stamp
        rows.append(
            {
                "verdict_id": f"{stamp:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}",
                "case_id": verdict.case_id,
                "verdict": Verdict(verdict.verdict).value,
                "reviewer": verdict.reviewer.strip(),
                "note": verdict.note,
                "corrected_response": verdict.corrected_response,
                "confirmed_detectors": list(verdict.confirmed_detectors) if verdict.confirmed_detectors else None,
                "recorded_at": stamp,
            }
        )
    table = pa.Table.from_pylist(rows, schema=schemas.REVIEW_VERDICTS)
    warehouse.storage.write_run_file(Table.REVIEW_VERDICTS, recorded_at.date(), rows[0]["verdict_id"], table)
    return [row["verdict_id"] for row in rows]


def record_verdict(warehouse: Warehouse, verdict: NewVerdict, recorded_at: datetime) -> str:
    """Record one verdict (see ``record_verdicts``); returns its id."""
    return record_verdicts(warehouse, [verdict], recorded_at)[0]


def _validate(verdict: NewVerdict, known: dict[str, list[str]]) -> None:
    if verdict.case_id not in known:
        raise ReviewError(f"no flagged case {verdict.case_id!r}")
    if not verdict.reviewer or not verdict.reviewer.strip():
        raise ReviewError("a verdict needs a reviewer")
    if verdict.verdict not in (Verdict.CONFIRMED, Verdict.DISMISSED):
        raise ReviewError(f"verdict must be one of {[v.value for v in Verdict]}")
    if verdict.verdict == Verdict.DISMISSED and (verdict.corrected_response or verdict.confirmed_detectors):
        raise ReviewError("a dismissal takes no corrected response and no confirmed detectors")
    if verdict.corrected_response is not None and not verdict.corrected_response.strip():
        raise ReviewError("the corrected response is empty")
    unknown = sorted(set(verdict.confirmed_detectors or ()) - set(known[verdict.case_id] or ()))
    if unknown:
        raise ReviewError(f"detectors {unknown} did not flag case {verdict.case_id}")


def queue(warehouse: Warehouse, status: str | None = "pending", include_unsampled: bool = False, limit: int | None = None) -> pl.DataFrame:
    """Cases of the review queue by priority (highest first).

    Args:
        status: pending, confirmed, dismissed, or None for all.
        include_unsampled: also list cases the daily sample did not select.
        limit: at most this many rows.
    """
    where = ["TRUE"]
    params: list[Any] = []
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if not include_unsampled:
        where.append("(selected OR status <> 'pending')")
    sql = f"""
        SELECT case_id, priority, severity, primary_detector, detectors, deployment, transcripts, status,
               selected, weight, first_seen, last_seen, reviewer, reviewed_at
        FROM review_queue WHERE {" AND ".join(where)}
        ORDER BY priority DESC, first_seen, case_id
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return pl.from_arrow(warehouse.query(sql, params))


def case_detail(warehouse: Warehouse, case_id: str) -> dict[str, Any] | None:
    """A case with its sampling decision, its representative transcript and its verdict history."""
    with warehouse.connect() as con:
        case = con.sql("SELECT * FROM review_queue WHERE case_id = ?", params=[case_id]).to_arrow_table().to_pylist()
        if not case:
            return None
        detail = case[0]
        transcript = con.sql(
            "SELECT transcript_id, created_at, model, deployment, policy_id, messages, context FROM transcripts "
            "WHERE transcript_id = ?",
            params=[detail["representative_transcript_id"]],
        ).to_arrow_table().to_pylist()
        history = con.sql(
            "SELECT * EXCLUDE (dt) FROM review_verdicts WHERE case_id = ? ORDER BY recorded_at, verdict_id",
            params=[case_id],
        ).to_arrow_table().to_pylist()
    detail["transcript"] = transcript[0] if transcript else None
    detail["history"] = history
    return detail
