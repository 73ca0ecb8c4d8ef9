"""Consume transcripts from Kafka into the lake, at least once and without duplicates in the views.

Per micro-batch: poll, validate (bad messages become dead-letter rows), write Parquet durably,
and only then commit the offsets, in log order. A crash anywhere re-delivers at most the uncommitted batch,
whose rows the warehouse views deduplicate by ``transcript_id``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import IllegalStateError, KafkaError
from kafka.structs import OffsetAndMetadata

from pipelines.failpoints import failpoint
from pipelines.ingest.batch_writer import BatchWriter, StoredBatch
from pipelines.observe.metrics import IngestMetrics
from pipelines.settings import KafkaSettings
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES
from warehouse.layout import LakeLayout
from warehouse.records import LogRecord
from warehouse.writer import remove_stale_temp_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestLimits:
    batch_records: int = 5_000  # memory is bounded by this many messages (x the message size limit)
    batch_seconds: float = 2.0  # close a partly filled batch after this long
    idle_seconds: float = 5.0  # drain mode: stop after this long without a new message
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_messages: int | None = None  # drain mode: stop after about this many messages
    retry_seconds: float = 2.0  # follow mode: wait between retries of a failed batch
    # Drain mode: how long to wait for a partition (joining a group whose previous member crashed
    # waits for that member's session to expire), or for messages known to be behind to arrive.
    join_timeout_seconds: float = 60.0


class NoPartitionsAssignedError(KafkaError):
    """The group never handed this consumer a partition, so it could not tell drained from stuck."""

    retriable = True


@dataclass
class IngestReport:
    batches: int = 0
    messages: int = 0
    transcripts: int = 0
    dead_letters: int = 0
    files: list[str] = field(default_factory=list)
    dead_letter_kinds: dict[str, int] = field(default_factory=dict)
    first_record_at: float | None = None  # time.monotonic() of the first batch polled
    finished_at: float | None = None  # time.monotonic() of the last commit

    @property
    def messages_per_second(self) -> float | None:
        if (
            self.first_record_at is None
            or self.finished_at is None
            or self.finished_at <= self.first_record_at
        ):
            return None
        return self.messages / (self.finished_at - self.first_record_at)


def build_consumer(settings: KafkaSettings, limits: IngestLimits) -> KafkaConsumer:
    """A consumer-group member that never commits on its own."""
    consumer = KafkaConsumer(
        settings.topic,
        group_id=settings.group_id,
        group_instance_id=settings.group_instance_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=limits.batch_records,
        # Fetches must be able to carry a message over the limit, so it can be dead-lettered.
        max_partition_fetch_bytes=max(8 << 20, limits.max_message_bytes * 2),
        fetch_max_bytes=64 << 20,
        # kafka-python backs off reconnects up to 30 s (Java clients: 1 s), which after a broker
        # restart left ingest idle for up to half a minute with the broker already back.
        reconnect_backoff_max_ms=2_000,
        **settings.client_config(),
    )
    # Know the topic's partitions before the first poll joins the group: a leader that assigns
    # without them hands out nothing, and kafka-python does not always rejoin when they arrive.
    if not consumer.partitions_for_topic(settings.topic):
        log.warning("topic %s has no partitions yet; waiting for it in the group", settings.topic)
    return consumer


@dataclass
class _Pending:
    """A batch handed to the writer whose offsets are not committed yet."""

    future: Future[StoredBatch]
    offsets: dict[TopicPartition, OffsetAndMetadata]
    messages: int
    topic: str
    started: float


class TranscriptIngestor:
    """Moves batches from a consumer into the lake; owns the consumer (not thread-safe).

    Batch N is validated and written (in a worker process by default) while batch N+1 is polled;
    N's offsets are committed only once its files are durable, and always in order.
    """

    def __init__(
        self,
        consumer: KafkaConsumer,
        layout: LakeLayout,
        limits: IngestLimits | None = None,
        metrics: IngestMetrics | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        workers: int = 1,
    ) -> None:
        self.consumer = consumer
        self.layout = layout
        self.limits = limits or IngestLimits()
        self.metrics = metrics or IngestMetrics()
        self.clock = clock
        remove_stale_temp_files(layout.root)
        self.writer = BatchWriter(layout.root, self.limits.max_message_bytes, workers)
        self._resubscribed = False

    def drain(self) -> IngestReport:
        """Ingest until the topic has been idle for ``idle_seconds`` (or ``max_messages``); errors propagate."""
        report = IngestReport()
        pending: _Pending | None = None
        try:
            while True:
                in_flight = pending.messages if pending else 0
                if (
                    self.limits.max_messages is not None
                    and report.messages + in_flight >= self.limits.max_messages
                ):
                    break
                records = self.poll_batch(idle_timeout=self.limits.idle_seconds, until_drained=True)
                if pending is not None:
                    self._finish(pending, report)
                    pending = None
                if not records:
                    break
                pending = self._submit(records, report)
            if pending is not None:
                self._finish(pending, report)
        except (OSError, KafkaError):
            with contextlib.suppress(KafkaError):  # best effort: the next run starts from the commit anyway
                self._rewind_to_committed()
            raise
        return report

    def follow(self, stop: threading.Event) -> IngestReport:
        """Ingest until ``stop`` is set; after a failure, resume from the last commit, never skip."""
        report = IngestReport()
        pending: _Pending | None = None
        rewound = True
        while not stop.is_set():
            try:
                if not rewound:
                    # Polling on from the current position would skip the batches that were never
                    # stored, so no poll happens until the rewind has reached the broker.
                    self._rewind_to_committed()
                    rewound = True
                records = self.poll_batch(idle_timeout=self.limits.batch_seconds)
                if pending is not None:
                    self._finish(pending, report)
                    pending = None
                if records:
                    pending = self._submit(records, report)
            except (OSError, KafkaError) as exc:
                log.error("batch not stored, resuming from the last commit: %s", describe_failure(exc))
                pending = None
                rewound = False
                stop.wait(self.limits.retry_seconds)
        if pending is not None:
            self._finish(pending, report)
        return report

    def close(self) -> None:
        self.writer.close()
        self.consumer.close(autocommit=False)

    def poll_batch(self, idle_timeout: float, until_drained: bool = False) -> list[LogRecord]:
        """Up to ``batch_records`` messages, or fewer once ``batch_seconds`` pass; [] when idle.

        With ``until_drained`` (drain mode), [] means the assigned partitions are read to their end
        offsets: silence while messages are still behind (a slow fetch, a busy broker) is waited out
        for up to ``join_timeout_seconds``, and a consumer that never gets a partition in that time
        raises ``NoPartitionsAssignedError``: either way an empty result would read as "drained".
        """
        records: list[LogRecord] = []
        started = time.monotonic()
        deadline = started + self.limits.batch_seconds
        idle_until = started + idle_timeout
        while len(records) < self.limits.batch_records:
            now = time.monotonic()
            if records and now >= deadline:
                break
            if not records and now >= idle_until:
                if not until_drained or self._drained(waited=now - started):
                    break
                idle_until = now + idle_timeout
            wait = (deadline if records else idle_until) - now
            polled = self.consumer.poll(
                timeout_ms=max(1, int(wait * 1000)), max_records=self.limits.batch_records - len(records)
            )
            for partition_records in polled.values():
                records.extend(partition_records)
        # Lag is measured on every poll, so a stalled writer shows as growing lag, not as silence.
        self._update_lag()
        return records

    def _drained(self, waited: float) -> bool:
        """Whether a drain may stop: every assigned partition read to its end, or waited too long."""
        assigned = self.consumer.assignment()
        if not assigned:
            if waited < self.limits.join_timeout_seconds / 2:
                return False  # the group is still forming
            if not self._resubscribed:
                # Half the timeout without a partition: the join may have raced the topic's metadata
                # and ended with an empty assignment; joining again (once) lets the leader assign anew.
                log.warning("no partition after %.0f s; joining the group again", waited)
                topics = sorted(self.consumer.subscription() or ())
                self.consumer.unsubscribe()  # resets the membership; nothing is assigned to commit
                self.consumer.subscribe(topics)
                self._resubscribed = True
            if waited < self.limits.join_timeout_seconds:
                return False
            raise NoPartitionsAssignedError(
                f"no partition assigned within {self.limits.join_timeout_seconds:g} s:"
                " the consumer group is still rebalancing, or every partition is taken"
            )
        ends = self.consumer.end_offsets(list(assigned))
        behind = sum(max(0, (ends.get(tp) or 0) - self.consumer.position(tp)) for tp in assigned)
        if behind and waited >= self.limits.join_timeout_seconds:
            # Transaction markers can keep a position short of the end for good: stop, but say so.
            log.warning(
                "drain stopped %d messages short of the end offsets after %.0f s of silence", behind, waited
            )
            return True
        return behind == 0

    def _submit(self, records: Sequence[LogRecord], report: IngestReport) -> _Pending:
        if report.first_record_at is None:
            report.first_record_at = time.monotonic()
        return _Pending(
            self.writer.submit(records, self.clock()),
            _next_offsets(records),
            len(records),
            records[0].topic,
            time.monotonic(),
        )

    def _finish(self, pending: _Pending, report: IngestReport) -> None:
        """Wait for the batch's files to be durable, then commit its offsets."""
        try:
            stored = pending.future.result()
        except OSError:
            self.metrics.failures.labels("write").inc()
            raise
        failpoint("after_write")
        try:
            self.consumer.commit(offsets=pending.offsets)
        except KafkaError:
            # The files are durable; a re-delivery after a failed commit is deduplicated on read.
            self.metrics.failures.labels("commit").inc()
            raise
        failpoint("after_commit")
        self._account(pending, stored, report)
        self.metrics.batch_seconds.observe(time.monotonic() - pending.started)
        report.finished_at = time.monotonic()

    def _rewind_to_committed(self) -> None:
        """Seek every assigned partition back to its last commit so nothing uncommitted is skipped.

        Raises ``KafkaError`` when the committed offsets cannot be fetched (broker unreachable);
        the caller must then retry before polling again.
        """
        for tp in self.consumer.assignment():
            committed = self.consumer.committed(tp, timeout_ms=5000)
            try:
                if committed is None:
                    self.consumer.seek_to_beginning(tp)
                else:
                    self.consumer.seek(tp, committed)
            except (IllegalStateError, AssertionError, ValueError):
                # The partition moved to another member in a rebalance; it resumes from the commit.
                pass

    def _account(self, pending: _Pending, stored: StoredBatch, report: IngestReport) -> None:
        report.batches += 1
        report.messages += pending.messages
        report.transcripts += stored.transcripts
        report.dead_letters += stored.dead_letters
        report.files.extend(stored.paths)
        for kind in stored.dead_letter_kinds:
            report.dead_letter_kinds[kind] = report.dead_letter_kinds.get(kind, 0) + 1
            self.metrics.dead_letters.labels(pending.topic, kind).inc()
        self.metrics.messages.labels(pending.topic, "accepted").inc(stored.transcripts)
        self.metrics.messages.labels(pending.topic, "rejected").inc(stored.dead_letters)
        self.metrics.batches.inc()
        self.metrics.last_success.set_to_current_time()

    def _update_lag(self) -> None:
        try:
            for tp in self.consumer.assignment():
                highwater = self.consumer.highwater(tp)
                committed = self.consumer.committed(tp, timeout_ms=1000) if highwater is not None else None
                if highwater is not None:
                    # Lag counts from the last commit: what a crash now would have to re-read.
                    self.metrics.lag.labels(tp.topic, str(tp.partition)).set(
                        max(0, highwater - (committed or 0))
                    )
        except KafkaError:
            pass  # metrics must not break ingest; the next poll retries


def describe_failure(exc: BaseException) -> str:
    """What failed and where, for the log: the error, errno and path; never message content."""
    if isinstance(exc, OSError):
        code = errno.errorcode.get(exc.errno or 0, "")
        where = f" at {exc.filename}" if exc.filename else ""
        return f"{type(exc).__name__} {code} ({exc.strerror or exc}){where}".replace(" ()", "")
    # kafka-python's errors carry protocol descriptions and node ids, not record payloads.
    return f"{type(exc).__name__}: {exc}"


def _next_offsets(records: Sequence[LogRecord]) -> dict[TopicPartition, OffsetAndMetadata]:
    last: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        last[tp] = max(last.get(tp, -1), record.offset)
    return {tp: OffsetAndMetadata(offset + 1, "", -1) for tp, offset in last.items()}
