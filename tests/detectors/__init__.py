"""Helpers for detector tests: build contract transcripts and score them through the production path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import polars as pl

from detectors.registry import get
from detectors.runner import run_detectors
from warehouse.records import RawMessage, validate_batch

SCORED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def transcript(
    *messages: dict[str, Any],
    context: list[str] | None = None,
    tid: str = "t",
    created_at: str = "2026-11-01T09:00:00Z",
    policy_id: str = "acme-support-v1",
) -> dict[str, Any]:
    """A contract transcript from messages (``user("...")``, ``assistant("...")`` ...)."""
    doc = {
        "schema_version": 1,
        "transcript_id": tid,
        "created_at": created_at,
        "model": "test-model",
        "deployment": "test",
        "policy_id": policy_id,
        "messages": list(messages),
    }
    if context is not None:
        doc["context"] = [{"id": f"d{i}", "source": "kb", "text": text} for i, text in enumerate(context)]
    return doc


def system(text: str) -> dict[str, Any]:
    return {"role": "system", "content": text}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(
    text: str | None = None, calls: list[tuple[str, dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """An assistant message, optionally with tool calls given as (function name, arguments)."""
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = [
            {"id": f"c{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(calls)
        ]
    return message


def tool(text: str, call_id: str = "c0") -> dict[str, Any]:
    return {"role": "tool", "content": text, "tool_call_id": call_id}


def score(detector_name: str, transcripts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Result rows, in input order, of one detector run over the transcripts exactly as production does."""
    raw = [
        RawMessage(
            "transcripts",
            0,
            i,
            None,
            json.dumps({**t, "transcript_id": f"{t['transcript_id']}-{i}"}).encode(),
        )
        for i, t in enumerate(transcripts)
    ]
    batch = validate_batch(raw, SCORED_AT)
    assert batch.dead_letters.num_rows == 0, batch.dead_letters.to_pylist()
    rows = run_detectors(pl.from_arrow(batch.transcripts), [get(detector_name)], SCORED_AT)
    by_id = {row["transcript_id"]: row for row in rows.iter_rows(named=True)}
    return [by_id[f"{t['transcript_id']}-{i}"] for i, t in enumerate(transcripts)]


def score_one(detector_name: str, doc: dict[str, Any]) -> dict[str, Any]:
    return score(detector_name, [doc])[0]
