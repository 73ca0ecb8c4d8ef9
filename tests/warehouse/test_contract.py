"""The transcript contract: what is accepted, what is dead-lettered and why."""

import json

import jsonschema
import pytest

from warehouse.contract import Accepted, Rejected, RejectionKind, validate

SCHEMA_PATH = "warehouse/json_schemas/transcript.v1.schema.json"


def transcript(**overrides):
    base = {
        "schema_version": 1,
        "transcript_id": "t-1",
        "conversation_id": "c-1",
        "created_at": "2026-11-01T09:00:00Z",
        "model": "acme-chat-2026-10",
        "deployment": "support-bot",
        "policy_id": "acme-support-v1",
        "messages": [
            {"role": "system", "content": "You are a support agent."},
            {"role": "user", "content": "Where is my order?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "shipped"},
            {"role": "assistant", "content": "It shipped yesterday."},
        ],
        "context": [{"id": "kb-1", "source": "help-center", "text": "Orders ship in 2 days."}],
        "feedback": {"rating": 1, "comment": "thanks"},
        "metadata": {"locale": "en-US", "latency_ms": 812},
    }
    base.update(overrides)
    return base


def encode(document) -> bytes:
    return json.dumps(document).encode()


@pytest.fixture(scope="module")
def json_schema():
    with open(SCHEMA_PATH) as handle:
        return json.load(handle)


# Each case: (why it exists, document, expected kind or None when accepted)
CASES = [
    ("the full contract example", transcript(), None),
    ("optional fields may be absent", {k: v for k, v in transcript().items() if k not in ("conversation_id", "context", "feedback", "metadata")}, None),
    ("unknown top-level fields are kept, not rejected", transcript(trace_id="abc", experiment={"arm": "b"}), None),
    ("unknown message fields are kept", transcript(messages=[{"role": "user", "content": "hi", "refusal": None}]), None),
    ("OpenAI content parts are accepted", transcript(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}]), None),
    ("the newer developer role is OpenAI's system", transcript(messages=[{"role": "developer", "content": "be brief"}]), None),
    ("a future schema version is not guessed at", transcript(schema_version=2), RejectionKind.UNSUPPORTED_VERSION),
    ("a missing schema version is unsupported", {k: v for k, v in transcript().items() if k != "schema_version"}, RejectionKind.UNSUPPORTED_VERSION),
    ("a missing required field", {k: v for k, v in transcript().items() if k != "model"}, RejectionKind.SCHEMA),
    ("an empty transcript id cannot be an idempotency key", transcript(transcript_id=""), RejectionKind.SCHEMA),
    ("a transcript needs at least one message", transcript(messages=[]), RejectionKind.SCHEMA),
    ("unknown roles are schema violations", transcript(messages=[{"role": "robot", "content": "x"}]), RejectionKind.SCHEMA),
    ("event time must carry a UTC offset", transcript(created_at="2026-11-01T09:00:00"), RejectionKind.SCHEMA),
    ("event time must be RFC 3339", transcript(created_at="yesterday"), RejectionKind.SCHEMA),
    ("feedback rating is -1, 0 or 1", transcript(feedback={"rating": 5}), RejectionKind.SCHEMA),
    ("a JSON array is not a transcript", [transcript()], RejectionKind.NOT_AN_OBJECT),
]


@pytest.mark.parametrize(("why", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_validation_outcome(why, document, expected, json_schema):
    outcome = validate(encode(document))
    if expected is None:
        assert isinstance(outcome, Accepted), outcome
    else:
        assert isinstance(outcome, Rejected)
        assert outcome.kind == expected
        assert outcome.reason
    # The published JSON Schema and the fast validator must agree on every case.
    schema_ok = jsonschema.Draft202012Validator(json_schema, format_checker=jsonschema.FormatChecker()).is_valid(document)
    if expected in (None, RejectionKind.SCHEMA, RejectionKind.UNSUPPORTED_VERSION, RejectionKind.NOT_AN_OBJECT):
        assert schema_ok == (expected is None)


@pytest.mark.parametrize(
    ("raw", "kind", "reason_part"),
    [
        (b"{not json", RejectionKind.NOT_JSON, "not valid JSON"),
        (b"\xff\xfe{}", RejectionKind.INVALID_UTF8, "UTF-8"),
        # Invalid UTF-8 inside a string value takes another error path in the decoder.
        (b'{"schema_version": 1, "transcript_id": "\xff\xfe"}', RejectionKind.INVALID_UTF8, "UTF-8"),
        (b"", RejectionKind.NOT_JSON, "JSON"),
        # Hostile nesting must end in a clear rejection, not a crash of the consumer.
        (b"[" * 5000 + b"]" * 5000, RejectionKind.NOT_JSON, "recursion depth"),
        (b"[" * 100 + b"]" * 100, RejectionKind.NOT_AN_OBJECT, "object"),
    ],
)
def test_raw_bytes_rejections(raw, kind, reason_part):
    outcome = validate(raw)
    assert isinstance(outcome, Rejected)
    assert outcome.kind == kind
    assert reason_part in outcome.reason


def test_oversized_messages_are_rejected_before_parsing():
    raw = encode(transcript(messages=[{"role": "user", "content": "x" * 2000}]))
    outcome = validate(raw, max_bytes=1000)
    assert isinstance(outcome, Rejected) and outcome.kind == RejectionKind.OVERSIZED
    assert str(len(raw)) in outcome.reason and "1000" in outcome.reason
    assert isinstance(validate(raw, max_bytes=len(raw)), Accepted)


def test_extras_and_content_parts_survive_in_stored_json():
    document = transcript(
        trace_id="abc",
        messages=[{"role": "user", "content": [{"type": "text", "text": "hel"}, {"type": "image_url"}, {"type": "text", "text": "lo"}], "refusal": "no"}],
    )
    outcome = validate(encode(document))
    assert isinstance(outcome, Accepted)
    assert json.loads(outcome.extra_json) == {"trace_id": "abc"}
    (message,) = json.loads(outcome.messages_json)
    assert message["content"] == "hello"
    assert message["refusal"] == "no"


def test_fast_path_normalises_content_parts_too():
    outcome = validate(encode(transcript(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])))
    assert isinstance(outcome, Accepted)
    assert json.loads(outcome.messages_json)[0]["content"] == "hi"
    assert outcome.extra_json is None


def test_a_validator_bug_dead_letters_the_message_instead_of_raising(monkeypatch):
    import warehouse.contract as contract

    def broken(raw, max_bytes):
        raise RuntimeError("bug")

    monkeypatch.setattr(contract, "_validate", broken)
    outcome = contract.validate(b"{}")
    assert isinstance(outcome, Rejected) and outcome.kind == RejectionKind.UNPROCESSABLE
    assert "RuntimeError" in outcome.reason
