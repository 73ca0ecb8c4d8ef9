"""A consumer-group rebalance while a batch is in flight: no loss, no duplicates in the views.

Member A holds a written-but-uncommitted batch (its writer is gated) while member B joins, so A's commit
meets the rebalance (the coordinator answers REBALANCE_IN_PROGRESS or the generation is gone). Then B
leaves again. Follow mode must ride through both and the views must hold exactly the produced set.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from kafka.errors import CommitFailedError, RebalanceInProgressError

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import KafkaSettings
from tests.faults.support import Lake, committed_offsets, end_offsets, wait_until
from tests.faults.test_broker_restart import GatedWriter
from tests.integration.helpers import produce, valid_messages
from warehouse.layout import LakeLayout

pytestmark = pytest.mark.integration

LIMITS = IngestLimits(batch_records=150, retry_seconds=0.5)


class Member:
    """One ingestor following in its own thread (it owns its consumer, as the ingestor requires)."""

    def __init__(self, bootstrap: str, topic: str, group: str, root, gate: threading.Event | None = None) -> None:
        settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=group)
        self.ingestor = TranscriptIngestor(build_consumer(settings, LIMITS), LakeLayout(root), LIMITS, workers=0)
        if gate is not None:
            self.ingestor.writer = GatedWriter(self.ingestor.writer, gate)
        self.stop = threading.Event()
        self.crashed: list[BaseException] = []
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.ingestor.follow(self.stop)
        except BaseException as exc:
            self.crashed.append(exc)
            raise

    def leave(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        self.ingestor.close()


@pytest.mark.parametrize("kafka_topic", [2], indirect=True)
def test_rebalance_with_a_batch_in_flight(kafka_broker, kafka_topic, tmp_path, caplog):
    ids, values = valid_messages(3000)
    produce(kafka_broker.bootstrap, kafka_topic, values[:2000])
    group = f"rebalance-{uuid.uuid4().hex[:8]}"
    gate = threading.Event()
    a = Member(kafka_broker.bootstrap, kafka_topic, group, tmp_path, gate)
    b = None
    try:
        wait_until(lambda: a.ingestor.writer.submitted >= 1, 60, "A to have a batch in flight")
        b = Member(kafka_broker.bootstrap, kafka_topic, group, tmp_path)
        time.sleep(3)  # B's join is pending: the group waits for A, which is blocked in its write
        gate.set()  # A's write completes now, and its commit meets the rebalance
        wait_until(lambda: len(b.ingestor.consumer.assignment()) == 1, 60, "B to get a partition")
        produce(kafka_broker.bootstrap, kafka_topic, values[2000:2500])
        wait_until(lambda: Lake(tmp_path).count() >= 2500, 60, "both members ingesting")
        b.leave()  # and the group rebalances back to A alone
        produce(kafka_broker.bootstrap, kafka_topic, values[2500:])
        wait_until(lambda: Lake(tmp_path).count() == len(ids), 90, "every transcript in the view")
        assert a.thread.is_alive() and not a.crashed and not b.crashed
        wait_until(
            lambda: committed_offsets(kafka_broker.bootstrap, kafka_topic, group, 2)
            == end_offsets(kafka_broker.bootstrap, kafka_topic, 2),
            30,
            "A to commit the end of both partitions",
        )
    finally:
        gate.set()
        a.leave()
        if b is not None and b.thread.is_alive():
            b.leave()
    assert sorted(Lake(tmp_path).ids()) == sorted(ids)
    commit_failures = [r.getMessage() for r in caplog.records if "batch not stored" in r.getMessage()]
    print(f"commit failures during the rebalance: {commit_failures}")


@pytest.mark.parametrize("error", [CommitFailedError, RebalanceInProgressError])
def test_a_rejected_commit_is_retried_from_the_last_commit(error, kafka_broker, kafka_topic, tmp_path):
    """kafka-python raises these when the group moved on under a commit; follow must neither crash nor skip."""
    ids, values = valid_messages(900)
    produce(kafka_broker.bootstrap, kafka_topic, values)
    group = f"reject-{uuid.uuid4().hex[:8]}"
    member = Member(kafka_broker.bootstrap, kafka_topic, group, tmp_path)
    real_commit = member.ingestor.consumer.commit
    rejected: list[int] = []

    def commit(offsets=None, timeout_ms=None):
        if len(rejected) < 2:  # the first two commits are refused, as after a rebalance
            rejected.append(1)
            raise error("simulated: the group rebalanced")
        return real_commit(offsets=offsets, timeout_ms=timeout_ms)

    member.ingestor.consumer.commit = commit
    try:
        wait_until(lambda: committed_offsets(kafka_broker.bootstrap, kafka_topic, group) == {0: 900}, 60, "the commit")
        assert member.thread.is_alive() and not member.crashed
    finally:
        member.leave()
    assert len(rejected) == 2
    assert sorted(Lake(tmp_path).ids()) == sorted(ids)
    assert member.ingestor.metrics.failures.labels("commit")._value.get() == 2
