"""Replace personal data in a validated batch before it is written, so the raw text is never stored.

Redaction runs on the decoded JSON, string by string, never on the JSON text itself: a pattern
anchored on ``\\b`` would miss "...:\\n24 Clarke Avenue" in escaped JSON (``n2`` has no word
boundary), and a match must never swallow a quote of the JSON structure. All strings of a batch
are redacted in one vectorized polars call with the recognisers of ``detectors.pii``.
"""

from __future__ import annotations

from typing import Any

import msgspec
import polars as pl
import pyarrow as pa

from detectors.pii import redact_pii
from warehouse.records import ValidatedBatch

# JSON columns are walked (every string value, not keys); text columns are redacted as they are.
_JSON_COLUMNS = ("messages", "context", "metadata", "extra")
_TEXT_COLUMNS = ("feedback_comment",)

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def redact_batch(batch: ValidatedBatch) -> ValidatedBatch:
    """The same batch with PII replaced by ``[TYPE]`` in transcript text and dead-letter payloads.

    Dead letters keep their raw bytes for diagnosis, so their payload is redacted as text too
    (decoded as UTF-8 with replacement; a non-UTF-8 payload loses its undecodable bytes).
    """
    return ValidatedBatch(_redact_transcripts(batch.transcripts), _redact_dead_letters(batch.dead_letters))


def redact_texts(texts: list[str]) -> list[str]:
    """Redact many strings in one vectorized pass."""
    if not texts:
        return []
    series = pl.Series("t", texts, dtype=pl.String)
    return series.to_frame().select(redact_pii(pl.col("t"))).to_series().to_list()


def _redact_transcripts(table: pa.Table) -> pa.Table:
    if table.num_rows == 0:
        return table
    collector = _Strings()
    decoded = {name: [collector.take(_load(v)) for v in table.column(name).to_pylist()] for name in _JSON_COLUMNS}
    plain = {name: [collector.take(v) for v in table.column(name).to_pylist()] for name in _TEXT_COLUMNS}
    collector.redact()
    for name, values in decoded.items():
        encoded = [None if v is None else _encoder.encode(collector.put_back(v)).decode() for v in values]
        table = _replace(table, name, encoded)
    for name, values in plain.items():
        table = _replace(table, name, [collector.put_back(v) for v in values])
    return table


def _redact_dead_letters(table: pa.Table) -> pa.Table:
    if table.num_rows == 0:
        return table
    texts = [raw.decode("utf-8", errors="replace") for raw in table.column("raw").to_pylist()]
    redacted = [text.encode() for text in redact_texts(texts)]
    return _replace(table, "raw", redacted)


def _load(value: str | None) -> Any:
    return None if value is None else _decoder.decode(value)


def _replace(table: pa.Table, name: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(name)
    field = table.schema.field(index)
    return table.set_column(index, field, pa.array(values, field.type))


class _Strings:
    """Collects every string leaf of many JSON values, redacts them at once, and puts them back."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.cursor = 0

    def take(self, value: Any) -> Any:
        if isinstance(value, str):
            self.texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                self.take(item)
        elif isinstance(value, list):
            for item in value:
                self.take(item)
        return value

    def redact(self) -> None:
        self.texts = redact_texts(self.texts)
        self.cursor = 0

    def put_back(self, value: Any) -> Any:
        if isinstance(value, str):
            self.cursor += 1
            return self.texts[self.cursor - 1]
        if isinstance(value, dict):
            return {key: self.put_back(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.put_back(item) for item in value]
        return value
