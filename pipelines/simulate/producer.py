"""Publish simulated traffic to Kafka (key = conversation_id, value = the transcript JSON) and write the
ground truth next to it.

Delivery is checked, not assumed: every send carries an errback, the run ends with one flush, and a
record the broker did not acknowledge fails the run. The exception is an oversized test message that a
broker with the common 1 MiB ``message.max.bytes`` refuses: that refusal is counted and reported, since
the dead-letter path cannot see a message the log never accepted.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from kafka import KafkaProducer
from kafka.errors import KafkaError, MessageSizeTooLargeError

from pipelines.settings import KafkaSettings
from pipelines.simulate.traffic import (
    SimulatedMessage,
    SimulationConfig,
    SimulationSummary,
    Truth,
    generate,
    truth_record,
)
from warehouse.contract import RejectionKind

MiB = 1 << 20
# Records are ~2 KB: a 1 MiB batch amortises a request over ~500 of them, and 25 ms of linger lets a
# batch fill while generation keeps up. max_request_size leaves room for the oversized (>1 MiB) test
# messages.
PRODUCER_TUNING: dict[str, Any] = {
    "acks": "all",
    "linger_ms": 25,
    "batch_size": 1 * MiB,
    "max_request_size": 4 * MiB,
    "client_id": "alignwatch-simulate",
}
FLUSH_TIMEOUT_S = 120.0
SEND_CHUNK = 2000


class PublishError(RuntimeError):
    """Some records were not acknowledged by the broker."""


@dataclass(frozen=True)
class PublishReport:
    """What was published: counts by segment, malformed messages by kind, re-sends, speed."""

    topic: str
    summary: SimulationSummary
    seconds: float
    oversized_refused: int = 0  # of the generated oversized messages, how many the client or broker refused
    truth_path: Path | None = None

    @property
    def messages(self) -> int:
        return self.summary.messages

    @property
    def transcripts(self) -> int:
        return self.summary.transcripts

    @property
    def duplicates(self) -> int:
        return self.summary.duplicates

    @property
    def bad_messages(self) -> dict[str, int]:
        return self.summary.bad_messages

    @property
    def messages_per_second(self) -> float:
        return self.summary.messages / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            **self.summary.as_dict(),
            "oversized_refused": self.oversized_refused,
            "seconds": round(self.seconds, 3),
            "messages_per_second": round(self.messages_per_second, 1),
            "truth_path": str(self.truth_path) if self.truth_path is not None else None,
        }


def producer_config(settings: KafkaSettings) -> dict[str, Any]:
    """kafka-python ``KafkaProducer`` arguments: the connection settings plus throughput tuning."""
    return {**settings.client_config(), **PRODUCER_TUNING}


class _Deliveries:
    """Collects asynchronous delivery failures from the producer's I/O thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failed = 0
        self.first_error: BaseException | None = None
        self.oversized_refused = 0

    def errback(self, kind: RejectionKind | None, exc: BaseException) -> None:
        with self._lock:
            if kind is RejectionKind.OVERSIZED and isinstance(exc, MessageSizeTooLargeError):
                self.oversized_refused += 1
                return
            self.failed += 1
            if self.first_error is None:
                self.first_error = exc


def publish(
    settings: KafkaSettings,
    config: SimulationConfig,
    now: datetime,
    truth_path: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> PublishReport:
    """Generate the simulated traffic and publish it to ``settings.topic``.

    Args:
        settings: how to reach the broker and which topic to write.
        config: what to simulate.
        now: timezone-aware reference time (the window ends at or before it).
        truth_path: if given, a JSONL file with one line per unique valid transcript (transcript_id,
            segment, injected failure, every failure that should be detected, scenario). Written to a
            temporary name and renamed once every record is acknowledged.
        progress: called with the number of records handed to the producer so far, every ``SEND_CHUNK``
            records and at the end.

    Raises:
        PublishError: a record was not acknowledged (other than a refused oversized test message).
    """
    deliveries = _Deliveries()
    summary = SimulationSummary()
    tmp_truth = truth_path.with_name(truth_path.name + ".tmp") if truth_path is not None else None
    started = time.perf_counter()
    try:
        producer = KafkaProducer(**producer_config(settings))
    except KafkaError as exc:
        raise PublishError(f"cannot reach Kafka at {settings.bootstrap_servers}: {exc!r}") from exc
    published = False
    try:
        refused_now = _send_all(
            producer, settings.topic, generate(config, now), summary, deliveries, tmp_truth, progress
        )
        if deliveries.failed:
            raise PublishError(
                f"{deliveries.failed} of {summary.messages} records to {settings.topic} were not acknowledged; "
                f"first error: {deliveries.first_error!r}"
            )
        published = True
    except KafkaError as exc:
        raise PublishError(f"publishing to {settings.topic} failed: {exc!r}") from exc
    finally:
        producer.close(timeout=10)
        if tmp_truth is not None and not published:
            tmp_truth.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    if tmp_truth is not None and truth_path is not None:
        os.replace(tmp_truth, truth_path)
    return PublishReport(
        topic=settings.topic,
        summary=summary,
        seconds=seconds,
        oversized_refused=refused_now + deliveries.oversized_refused,
        truth_path=truth_path,
    )


def _send_all(
    producer: KafkaProducer,
    topic: str,
    messages: Iterator[SimulatedMessage],
    summary: SimulationSummary,
    deliveries: _Deliveries,
    truth_path: Path | None,
    progress: Callable[[int], None] | None,
) -> int:
    """Send every message (batched by the producer), write the truth lines, flush once at the end.

    Returns how many oversized test messages the client refused before sending.
    """
    encode = msgspec.json.Encoder().encode
    refused = 0
    with open(truth_path, "wb") if truth_path is not None else _NoFile() as truth_file:
        # Generate a chunk, then send it in a tight loop: interleaving one generated record per send
        # makes the producer's I/O thread contend for the GIL and costs about a third of the throughput.
        while chunk := list(itertools.islice(messages, SEND_CHUNK)):
            for message in chunk:
                summary.add(message)
                if message.truth is not None and not message.duplicate:
                    truth_file.write(encode(truth_record(message)) + b"\n")
            for message in chunk:
                try:
                    future = producer.send(topic, key=message.key, value=message.value)
                except MessageSizeTooLargeError:
                    if message.bad_kind is not RejectionKind.OVERSIZED:
                        raise
                    refused += 1
                    continue
                future.add_errback(deliveries.errback, message.bad_kind)
            if progress is not None:
                progress(summary.messages)
        producer.flush(timeout=FLUSH_TIMEOUT_S)
    return refused


class _NoFile:
    def __enter__(self) -> _NoFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes) -> int:
        return len(data)


_truth_decoder = msgspec.json.Decoder()


def read_truth(path: Path) -> dict[str, Truth]:
    """Load a truth file written by :func:`publish`: transcript_id -> what was injected."""
    truths: dict[str, Truth] = {}
    with open(path, "rb") as handle:
        for line in handle:
            record = _truth_decoder.decode(line)
            truths[record["transcript_id"]] = Truth(
                record["injected"], tuple(record["failures"]), record["scenario"], record["hard_negative"]
            )
    return truths
