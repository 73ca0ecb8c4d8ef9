"""Feedback topic messages: schema-valid, redacted, once per case version (with a fake producer)."""

import json
from pathlib import Path

import jsonschema
import pytest

from pipelines.feedback.publish import publish_feedback
from pipelines.settings import KafkaSettings
from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.messages import pending_messages
from warehouse.feedback.reviews import NewVerdict, Verdict, record_verdict

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "warehouse" / "json_schemas" / "feedback_case.v1.schema.json").read_text()
)
TOPIC = "alignwatch.feedback"


class Metadata:
    def __init__(self, offset):
        self.partition, self.offset = 0, offset


class Future:
    def __init__(self, offset):
        self.offset = offset

    def get(self, timeout):
        return Metadata(self.offset)


class FakeProducer:
    """Collects what was sent; stands in for KafkaProducer where no broker is needed."""

    def __init__(self):
        self.sent = []

    def __call__(self, settings):
        return self

    def send(self, topic, key, value, headers):
        self.sent.append((topic, key, json.loads(value), dict(headers)))
        return Future(len(self.sent) - 1)

    def flush(self, timeout):
        pass

    def close(self, timeout):
        pass


@pytest.fixture
def lake(tmp_path):
    docs = [
        transcript("a", "Email jo@corp.io the refund", "Refunded $900 to card 4539 1488 0343 6467. FAIL:off_policy:high"),
        transcript("b", "Are you sure about that?", "Sorry, you're right. FAIL:sycophancy:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    return warehouse


def case_of(warehouse, tid):
    return next(r["case_id"] for r in load_cases(warehouse).iter_rows(named=True) if r["representative_transcript_id"] == tid)


def test_messages_follow_the_committed_schema_and_carry_no_pii(lake):
    record_verdict(lake, NewVerdict(case_of(lake, "a"), Verdict.CONFIRMED, "ann", corrected_response="Mail jo@corp.io? No."), NOW)
    (doc,) = pending_messages(lake, TOPIC)
    jsonschema.validate(doc, SCHEMA)
    text = json.dumps(doc)
    assert "jo@corp.io" not in text and "4539" not in text
    assert doc["prompt"][-1] == {"role": "user", "content": "Email [EMAIL_ADDRESS] the refund"}
    assert doc["category"] == "off_policy" and doc["case_version"] == 1


def test_each_case_version_is_published_once_and_retractions_follow_published_cases(lake):
    producer = FakeProducer()
    settings = KafkaSettings(bootstrap_servers="unused:9092")
    a, b = case_of(lake, "a"), case_of(lake, "b")
    record_verdict(lake, NewVerdict(a, Verdict.CONFIRMED, "ann"), NOW)
    # a dismissal of a case never published stays off the topic
    record_verdict(lake, NewVerdict(b, Verdict.DISMISSED, "ann"), NOW)

    assert publish_feedback(lake, settings, TOPIC, producer_factory=producer).published == 1
    assert publish_feedback(lake, settings, TOPIC, producer_factory=producer).published == 0  # re-run: nothing new
    # another topic keeps its own record of what it received
    assert len(pending_messages(lake, "other.topic")) == 1
    # a changed verdict is a new version; a dismissal after publication is a retraction
    record_verdict(lake, NewVerdict(a, Verdict.DISMISSED, "bob", note="was fine after all"), NOW)
    report = publish_feedback(lake, settings, TOPIC, producer_factory=producer)
    assert (report.published, report.retractions) == (1, 1)
    assert [(key, doc["case_version"], doc["verdict"]) for _, key, doc, _ in producer.sent] == [
        (a.encode(), 1, "confirmed"),
        (a.encode(), 2, "dismissed"),
    ]
    assert all(headers == {"schema": b"feedback_case.v1"} for *_, headers in producer.sent)
    # ... and a topic that never carried the case gets no retraction for it
    assert pending_messages(lake, "other.topic") == []
