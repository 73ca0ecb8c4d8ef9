"""publish() against a stand-in producer: delivery failures fail the run, a refused oversized test
message does not, and the truth file appears only after a successful flush."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from pipelines.settings import KafkaSettings
from pipelines.simulate import SimulationConfig, generate
from pipelines.simulate import producer as producer_module
from pipelines.simulate.producer import PRODUCER_TUNING, PublishError, producer_config, publish, read_truth

NOW = datetime(2026, 11, 3, 10, 30, tzinfo=UTC)
SETTINGS = KafkaSettings(bootstrap_servers="broker-1:9092, broker-2:9092", topic="transcripts")
# Enough bad messages that some are oversized (10% of bad ones).
CONFIG = SimulationConfig(transcripts=400, seed=3, bad_message_rate=0.2, duplicate_rate=0.02)


class _Future:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error

    def add_errback(self, f, *args):
        if self.error is not None:
            f(*args, self.error)
        return self


class FakeProducer:
    """Records sends; ``limit`` mimics max_request_size, ``fail_every`` an unacknowledged record."""

    instances: list[FakeProducer] = []

    def __init__(
        self, limit: int | None = None, async_limit: int | None = None, fail_every: int = 0, **config
    ):
        self.config, self.limit, self.async_limit, self.fail_every = config, limit, async_limit, fail_every
        self.sent: list[tuple[str, bytes | None, bytes]] = []
        self.flushes = 0
        self.closed = False
        FakeProducer.instances.append(self)

    def send(self, topic, key=None, value=None):
        if self.limit is not None and len(value) > self.limit:
            raise MessageSizeTooLargeError("too large for max_request_size")
        self.sent.append((topic, key, value))
        if self.async_limit is not None and len(value) > self.async_limit:
            return _Future(MessageSizeTooLargeError("broker: message.max.bytes"))
        if self.fail_every and len(self.sent) % self.fail_every == 0:
            return _Future(KafkaTimeoutError("delivery timed out"))
        return _Future(None)

    def flush(self, timeout=None):
        self.flushes += 1

    def close(self, timeout=None):
        self.closed = True


def _install(monkeypatch, **behaviour):
    FakeProducer.instances.clear()
    monkeypatch.setattr(
        producer_module, "KafkaProducer", lambda **config: FakeProducer(**behaviour, **config)
    )


def test_producer_config_combines_connection_and_tuning():
    config = producer_config(SETTINGS)
    assert config["bootstrap_servers"] == ["broker-1:9092", "broker-2:9092"]
    assert config["acks"] == "all" and config["linger_ms"] > 0 and config["batch_size"] >= 1 << 20
    assert config["max_request_size"] > 1 << 20  # room for the oversized dead-letter test messages
    assert set(PRODUCER_TUNING) <= set(config)


def test_publish_sends_everything_once_flushes_once_and_writes_truth(monkeypatch, tmp_path):
    _install(monkeypatch)
    truth_path = tmp_path / "truth.jsonl"
    report = publish(SETTINGS, CONFIG, NOW, truth_path)
    fake = FakeProducer.instances[0]
    expected = list(generate(CONFIG, NOW))
    assert [(k, v) for _, k, v in fake.sent] == [(m.key, m.value) for m in expected]
    assert {t for t, _, _ in fake.sent} == {"transcripts"}
    assert fake.flushes == 1 and fake.closed  # batching: one flush at the end, never per message
    assert report.messages == len(expected) and report.transcripts == 400 and report.oversized_refused == 0
    assert len(read_truth(truth_path)) == 400


@pytest.mark.parametrize("where", ["client", "broker"])
def test_refused_oversized_messages_are_counted_not_fatal(monkeypatch, tmp_path, where):
    # A production broker keeps the default 1 MiB message.max.bytes: the client or the broker refuses
    # the >1 MiB test messages, and the run must still succeed and say so.
    _install(monkeypatch, **({"limit": 1 << 20} if where == "client" else {"async_limit": 1 << 20}))
    report = publish(SETTINGS, CONFIG, NOW, tmp_path / "truth.jsonl")
    oversized = report.bad_messages.get("oversized", 0)
    assert oversized > 0
    assert report.oversized_refused == oversized
    assert (tmp_path / "truth.jsonl").exists()


def test_unacknowledged_records_fail_the_run_and_leave_no_truth_file(monkeypatch, tmp_path):
    _install(monkeypatch, fail_every=97)
    truth_path = tmp_path / "truth.jsonl"
    with pytest.raises(PublishError, match="not acknowledged"):
        publish(SETTINGS, CONFIG, NOW, truth_path)
    assert FakeProducer.instances[0].closed
    assert list(tmp_path.iterdir()) == []
