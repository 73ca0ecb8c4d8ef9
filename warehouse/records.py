"""Turn a batch of raw messages into the Arrow tables of accepted transcripts and dead letters."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import msgspec
import numpy as np
import pyarrow as pa

from warehouse import schemas
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES, Accepted, Rejected, validate

_encoder = msgspec.json.Encoder()
# Timestamps go to Arrow as integer microseconds: converting datetime objects is 10x slower.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class LogRecord(Protocol):
    """A message with its log position; kafka-python's ConsumerRecord has this shape."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message as it came off the log (or a file), with its position: the lineage of every row."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class ValidatedBatch:
    transcripts: pa.Table
    dead_letters: pa.Table


def validate_batch(
    messages: Iterable[LogRecord], ingested_at: datetime, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> ValidatedBatch:
    """Validate every message and build the two tables; nothing is dropped.

    Args:
        messages: raw messages in log order.
        ingested_at: timezone-aware time stamped on every row of this batch.
        max_bytes: size limit per message, larger ones are dead-lettered.
    """
    columns = _TranscriptColumns()
    dead = _DeadLetterColumns()
    # Building many small objects triggers the cyclic GC repeatedly; none of them form cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for message in messages:
            value = message.value if message.value is not None else b""
            outcome = validate(value, max_bytes)
            if isinstance(outcome, Accepted):
                columns.add(outcome, message)
            else:
                dead.add(outcome, message, value)
    finally:
        if gc_was_enabled:
            gc.enable()
    return ValidatedBatch(columns.table(ingested_at), dead.table(ingested_at))


# Column order of the per-message tuples built in ``_TranscriptColumns.add``.
_ROW_COLUMNS = tuple(name for name in schemas.TRANSCRIPTS.names if name != "ingested_at")
_JSON_COLUMNS = frozenset({"messages", "context", "metadata", "extra"})


class _TranscriptColumns:
    """Rows as tuples, transposed once per batch: cheaper than one list append per field."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def add(self, accepted: Accepted, message: LogRecord) -> None:
        t = accepted.transcript
        feedback = t.feedback
        self.rows.append(
            (
                t.transcript_id,
                t.conversation_id,
                (t.created_at - _EPOCH) // _MICROSECOND,
                t.model,
                t.deployment,
                t.policy_id,
                t.schema_version,
                accepted.messages_json,
                _encoder.encode(t.context) if t.context is not None else None,
                feedback.rating if feedback is not None else None,
                feedback.comment if feedback is not None else None,
                _encoder.encode(t.metadata) if t.metadata is not None else None,
                accepted.extra_json,
                message.topic,
                message.partition,
                message.offset,
            )
        )

    def table(self, ingested_at: datetime) -> pa.Table:
        n = len(self.rows)
        columns = dict(zip(_ROW_COLUMNS, zip(*self.rows, strict=True), strict=True)) if n else {c: () for c in _ROW_COLUMNS}
        arrays = []
        for field in schemas.TRANSCRIPTS:
            if field.name == "ingested_at":
                stamp = (ingested_at - _EPOCH) // _MICROSECOND
                arrays.append(pa.array(np.full(n, stamp, dtype=np.int64)).cast(field.type))
            elif field.name == "created_at":
                arrays.append(pa.array(columns[field.name], pa.int64()).cast(field.type))
            elif field.name in _JSON_COLUMNS:
                arrays.append(pa.array(columns[field.name], pa.binary()).cast(pa.string()))
            else:
                arrays.append(pa.array(columns[field.name], field.type))
        return pa.Table.from_arrays(arrays, schema=schemas.TRANSCRIPTS)


class _DeadLetterColumns:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, rejected: Rejected, message: LogRecord, value: bytes) -> None:
        self.rows.append(
            {
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "key": message.key,
                "raw": value,
                "raw_bytes": len(value),
                "error_kind": rejected.kind.value,
                "reason": rejected.reason,
            }
        )

    def table(self, ingested_at: datetime) -> pa.Table:
        for row in self.rows:
            row["ingested_at"] = ingested_at
        return pa.Table.from_pylist(self.rows, schema=schemas.DEAD_LETTERS)
