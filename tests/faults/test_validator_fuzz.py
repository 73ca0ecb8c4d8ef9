"""Fuzzing the message validator: whatever arrives on the topic, validation answers and never raises.

A raise inside validation would stop ingest on one poison message (a crash loop on the same offset),
so the properties here are: every input gets ``Accepted`` or ``Rejected`` (never the ``unprocessable``
fallback, which means the validator itself failed), a rejection always has a reason, and a valid
transcript comes out of the validator and the Arrow batch builder with its content unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.contract import Accepted, Rejected, RejectionKind, validate
from warehouse.records import RawMessage, validate_batch

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INGESTED_AT = datetime(2026, 11, 1, 12, tzinfo=UTC)

ROLES = ["system", "developer", "user", "assistant", "tool"]
ids = st.text(min_size=1, max_size=40)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
timestamps = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds; tz is drawn below
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]),
)


@st.composite
def messages(draw):
    message = {"role": draw(st.sampled_from(ROLES)), "content": draw(st.none() | st.text(max_size=200))}
    if draw(st.booleans()):
        message["tool_calls"] = [
            {"id": draw(ids), "type": "function", "function": {"name": draw(ids), "arguments": draw(st.text(max_size=50))}}
        ]
    if draw(st.booleans()):
        message["tool_call_id"] = draw(ids)
    return message


@st.composite
def transcripts(draw):
    document = {
        "schema_version": 1,
        "transcript_id": draw(ids),
        "created_at": draw(timestamps).isoformat(),
        "model": draw(ids),
        "deployment": draw(ids),
        "policy_id": draw(ids),
        "messages": draw(st.lists(messages(), min_size=1, max_size=5)),
    }
    if draw(st.booleans()):
        document["context"] = [{"id": draw(ids), "source": draw(ids), "text": draw(st.text(max_size=100))}]
    if draw(st.booleans()):
        document["feedback"] = {"rating": draw(st.sampled_from([-1, 0, 1])), "comment": draw(st.text(max_size=30))}
    if draw(st.booleans()):
        document["metadata"] = draw(st.dictionaries(st.text(max_size=10), json_values, max_size=4))
    return document


def encode(document, ascii_only: bool) -> bytes:
    return json.dumps(document, ensure_ascii=ascii_only).encode()


def assert_answered(outcome) -> None:
    assert isinstance(outcome, Accepted | Rejected)
    if isinstance(outcome, Rejected):
        assert isinstance(outcome.kind, RejectionKind)
        assert outcome.reason
        # The fallback means the validator raised internally: a bug, even though ingest survives it.
        assert outcome.kind != RejectionKind.UNPROCESSABLE, outcome.reason


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_answered(raw):
    assert_answered(validate(raw))


@FUZZ
@given(json_values)
def test_arbitrary_json_is_answered(document):
    assert_answered(validate(json.dumps(document).encode()))


@FUZZ
@given(transcripts(), st.data())
def test_structured_but_wrong_transcripts_are_rejected_with_a_reason(document, data):
    """One field of a valid transcript replaced by a wrong-typed value, or a required one dropped."""
    field = data.draw(st.sampled_from(sorted(document)))
    broken = dict(document)
    if data.draw(st.booleans()) and field not in ("conversation_id", "context", "feedback", "metadata"):
        del broken[field]
    else:
        broken[field] = data.draw(json_values.filter(lambda v, f=field: not _fits(f, v)))
    outcome = validate(encode(broken, ascii_only=True))
    assert_answered(outcome)
    assert isinstance(outcome, Rejected), (field, broken.get(field))


@FUZZ
@given(transcripts(), st.data())
def test_wrong_values_inside_messages_are_answered(document, data):
    message = dict(data.draw(st.sampled_from(document["messages"])))
    message[data.draw(st.sampled_from(["role", "content", "tool_calls", "tool_call_id", "name"]))] = data.draw(json_values)
    document["messages"] = [*document["messages"], message]
    assert_answered(validate(encode(document, ascii_only=False)))


@FUZZ
@given(transcripts(), st.booleans())
def test_valid_transcripts_round_trip(document, ascii_only):
    outcome = validate(encode(document, ascii_only))
    assert isinstance(outcome, Accepted), outcome
    t = outcome.transcript
    assert (t.transcript_id, t.model, t.deployment, t.policy_id) == (
        document["transcript_id"],
        document["model"],
        document["deployment"],
        document["policy_id"],
    )
    assert t.created_at == datetime.fromisoformat(document["created_at"])
    assert json.loads(outcome.messages_json) == [_without_nulls(m) for m in document["messages"]]


@FUZZ
@given(st.lists(transcripts(), min_size=1, max_size=8), st.lists(st.binary(max_size=300), max_size=8), st.randoms())
def test_batches_keep_every_message_and_round_trip_to_arrow(documents, junk, rng):
    values = [encode(d, ascii_only=False) for d in documents] + junk
    rng.shuffle(values)
    batch = validate_batch([RawMessage("t", 0, offset, None, v) for offset, v in enumerate(values)], INGESTED_AT)
    # Nothing is dropped: each offset is either a transcript row or a dead letter, never both.
    offsets = batch.transcripts.column("offset").to_pylist() + batch.dead_letters.column("offset").to_pylist()
    assert sorted(offsets) == list(range(len(values)))
    for row in batch.dead_letters.to_pylist():
        assert row["raw"] == values[row["offset"]] and row["reason"]
    for row in batch.transcripts.to_pylist():
        source = json.loads(values[row["offset"]])
        assert row["transcript_id"] == source["transcript_id"]
        assert row["created_at"] == datetime.fromisoformat(source["created_at"])
        if "messages" in source and isinstance(source["messages"], list) and source in documents:
            assert json.loads(row["messages"]) == [_without_nulls(m) for m in source["messages"]]
    assert batch.transcripts.schema.field("created_at").type == pa.timestamp("us", tz="UTC")


def _without_nulls(message: dict) -> dict:
    # The stored messages omit null fields (msgspec omit_defaults), which readers treat as absent.
    return {k: v for k, v in message.items() if v is not None}


def _fits(field: str, value) -> bool:
    """Whether ``value`` is still valid for ``field`` (then the mutation is not a violation)."""
    if field == "schema_version":
        return value == 1 and not isinstance(value, bool)
    if field == "messages":
        return isinstance(value, list) and bool(value)
    if field in ("conversation_id", "context", "feedback", "metadata"):
        # Optional fields: null is fine, and so is any value of the right container type
        # (the slow path keeps unknown keys), so only a wrong type is a violation.
        wanted = {"conversation_id": str, "context": list, "feedback": dict, "metadata": dict}[field]
        return value is None or isinstance(value, wanted)
    return isinstance(value, str)  # an id or created_at: any other type is wrong
