"""The transcript contract (schema_version 1) and its validator.

The JSON Schema in ``warehouse/json_schemas/transcript.v1.schema.json`` is the published contract;
the msgspec types below enforce the same rules at about 150k messages/s. A test keeps the two
in agreement.

Validation has a fast path and a slow path. The fast path decodes straight into strict types
that forbid unknown fields; almost all production traffic takes it. Anything it rejects is
re-examined on the slow path, which either keeps the unknown fields (the contract says extras
are kept, not rejected) or explains in words why the message is dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

SUPPORTED_SCHEMA_VERSIONS = (1,)
DEFAULT_MAX_MESSAGE_BYTES = 1 << 20

_Id = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
_UtcTime = Annotated[datetime, msgspec.Meta(tz=True)]
Role = Literal["system", "developer", "user", "assistant", "tool"]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class FunctionCall(_Strict):
    name: str
    arguments: str | None = None


class ToolCall(_Strict):
    function: FunctionCall
    id: str | None = None
    type: str | None = None


class ContentPart(msgspec.Struct, omit_defaults=True):
    type: str = "text"
    text: str | None = None


class Message(_Strict):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None


class ContextDocument(_Strict):
    text: str
    id: str | None = None
    source: str | None = None


class Feedback(_Strict):
    rating: Literal[-1, 0, 1] | None = None
    comment: str | None = None


class TranscriptV1(_Strict):
    schema_version: Literal[1]
    transcript_id: _Id
    created_at: _UtcTime
    model: _Id
    deployment: _Id
    policy_id: _Id
    messages: Annotated[list[Message], msgspec.Meta(min_length=1)]
    conversation_id: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    context: list[ContextDocument] | None = None
    feedback: Feedback | None = None
    metadata: dict[str, Any] | None = None


KNOWN_FIELDS = frozenset(TranscriptV1.__struct_fields__)


class RejectionKind(StrEnum):
    """Why a message went to the dead-letter table (stable values: dashboards group by them)."""

    OVERSIZED = "oversized"
    INVALID_UTF8 = "invalid_utf8"
    NOT_JSON = "not_json"
    NOT_AN_OBJECT = "not_an_object"
    UNSUPPORTED_VERSION = "unsupported_schema_version"
    SCHEMA = "schema_violation"
    UNPROCESSABLE = "unprocessable"  # the validator itself failed: kept, never allowed to stop ingest


@dataclass(frozen=True, slots=True)
class Accepted:
    """A valid transcript, its messages re-encoded as canonical JSON, and any unknown fields."""

    transcript: TranscriptV1
    messages_json: bytes
    extra_json: bytes | None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A message that broke the contract, with a reason a person can read."""

    kind: RejectionKind
    reason: str


_strict_decoder = msgspec.json.Decoder(TranscriptV1)
_any_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def validate(raw: bytes, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> Accepted | Rejected:
    """Validate one message; never raises, whatever the bytes (see ``_validate``)."""
    try:
        return _validate(raw, max_bytes)
    except Exception as exc:  # noqa: BLE001 - poison must become a dead letter, not a crash loop
        return Rejected(RejectionKind.UNPROCESSABLE, f"validator failed: {type(exc).__name__}")


def _validate(raw: bytes, max_bytes: int) -> Accepted | Rejected:
    """Validate one Kafka message value against the transcript contract.

    Args:
        raw: the message value as received (expected UTF-8 JSON).
        max_bytes: messages larger than this are rejected before parsing.

    Returns:
        ``Accepted`` with the decoded transcript, or ``Rejected`` with the reason.
    """
    if len(raw) > max_bytes:
        return Rejected(RejectionKind.OVERSIZED, f"message is {len(raw)} bytes, over the {max_bytes}-byte limit")
    try:
        transcript = _strict_decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # msgspec raises UnicodeDecodeError for invalid UTF-8 inside a string value, and
        # RecursionError for nesting deeper than its limit inside a free-form field (metadata).
        return _validate_slowly(raw)
    _flatten_content_parts(transcript.messages)
    return Accepted(transcript, _encoder.encode(transcript.messages), None)


def _validate_slowly(raw: bytes) -> Accepted | Rejected:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected(RejectionKind.INVALID_UTF8, f"not valid UTF-8 at byte {exc.start}")
    try:
        document = _any_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        return Rejected(RejectionKind.NOT_JSON, f"not valid JSON: {exc}")
    if not isinstance(document, dict):
        return Rejected(RejectionKind.NOT_AN_OBJECT, f"expected a JSON object, got {type(document).__name__}")
    version = document.get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS or isinstance(version, bool):
        supported = ", ".join(map(str, SUPPORTED_SCHEMA_VERSIONS))
        return Rejected(
            RejectionKind.UNSUPPORTED_VERSION,
            f"schema_version {version!r} is not supported (supported: {supported})",
        )
    known = {key: value for key, value in document.items() if key in KNOWN_FIELDS}
    extras = {key: value for key, value in document.items() if key not in KNOWN_FIELDS}
    try:
        transcript = msgspec.convert(_without_unknown_fields(known), TranscriptV1)
    except msgspec.ValidationError as exc:
        return Rejected(RejectionKind.SCHEMA, f"does not match transcript schema v{version}: {exc}")
    # Keep unknown per-message fields by re-encoding the original message objects.
    messages = [dict(message, content=_content_text(message.get("content"))) for message in document["messages"]]
    return Accepted(transcript, _encoder.encode(messages), _encoder.encode(extras) if extras else None)


def _without_unknown_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Drop unknown keys inside nested objects so the strict types can check the rest."""
    cleaned = dict(document)
    if isinstance(cleaned.get("messages"), list):
        cleaned["messages"] = [_strip_message(m) for m in cleaned["messages"]]
    if isinstance(cleaned.get("context"), list):
        cleaned["context"] = [_pick(d, ContextDocument) for d in cleaned["context"]]
    if isinstance(cleaned.get("feedback"), dict):
        cleaned["feedback"] = _pick(cleaned["feedback"], Feedback)
    return cleaned


def _strip_message(message: Any) -> Any:
    if not isinstance(message, dict):
        return message
    stripped = _pick(message, Message)
    if isinstance(stripped.get("tool_calls"), list):
        stripped["tool_calls"] = [
            {**_pick(call, ToolCall), "function": _pick(call.get("function"), FunctionCall)}
            if isinstance(call, dict)
            else call
            for call in stripped["tool_calls"]
        ]
    return stripped


def _pick(value: Any, struct: type[msgspec.Struct]) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: item for key, item in value.items() if key in struct.__struct_fields__}


def _content_text(content: Any) -> Any:
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict) and part.get("type", "text") == "text")
    return content


def _flatten_content_parts(messages: list[Message]) -> None:
    # OpenAI allows content as a list of parts; the lake stores text only, so readers see one type.
    for message in messages:
        if type(message.content) is list:
            message.content = "".join(part.text or "" for part in message.content if part.type == "text")
