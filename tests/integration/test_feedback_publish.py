"""The feedback topic on the real broker: each reviewed case version arrives exactly once."""

import json
from collections import Counter

import dagster as dg
import pytest
from kafka import KafkaConsumer, TopicPartition

from pipelines.defs.feedback.assets import feedback_topic
from pipelines.defs.feedback.resources import FeedbackResource
from pipelines.feedback.publish import publish_feedback
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.settings import KafkaSettings
from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import refresh_cases
from warehouse.feedback.reviews import NewVerdict, Verdict, queue, record_verdict, record_verdicts
from warehouse.feedback.sampling import refresh_review_queue

pytestmark = pytest.mark.integration


def consume_all(bootstrap, topic, expected):
    # No consumer group: assigning the partition skips the group join and its rebalance delay.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    messages = []
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0})]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        for _ in range(40):
            for records in consumer.poll(timeout_ms=250).values():
                messages.extend(records)
            if len(messages) >= expected:
                break
        # keep reading a moment longer: a duplicate would arrive right behind
        for records in consumer.poll(timeout_ms=1000).values():
            messages.extend(records)
    finally:
        consumer.close()
    return messages


def test_each_confirmed_case_is_received_exactly_once_per_version(kafka_broker, kafka_topic, tmp_path):
    docs = [transcript(f"t{i}", f"Unique question {w} for the bot", "A FAIL:off_policy:medium")
            for i, w in enumerate(["apple", "banana", "cherry", "damson", "elder"])]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    refresh_review_queue(warehouse, NOW)
    cases = queue(warehouse)["case_id"].to_list()
    record_verdicts(warehouse, [NewVerdict(c, Verdict.CONFIRMED, "ann", corrected_response="Escalating.") for c in cases[:4]], NOW)
    record_verdict(warehouse, NewVerdict(cases[4], Verdict.DISMISSED, "ann"), NOW)
    settings = KafkaSettings(bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic)

    assert publish_feedback(warehouse, settings, kafka_topic).published == 4
    assert publish_feedback(warehouse, settings, kafka_topic).published == 0  # the re-run sends nothing
    # a revised verdict on one case is version 2 of it, published by the Dagster asset
    record_verdict(warehouse, NewVerdict(cases[0], Verdict.CONFIRMED, "bob", corrected_response="Escalating to a person."), NOW)
    resources = {
        "lake": LakeResource(home=str(tmp_path)),
        "kafka": KafkaResource(bootstrap_servers=kafka_broker.bootstrap),
        "feedback": FeedbackResource(topic=kafka_topic),
    }
    for _ in range(2):
        assert dg.materialize([feedback_topic], resources=resources).success

    messages = consume_all(kafka_broker.bootstrap, kafka_topic, expected=5)
    versions = Counter((m.key.decode(), json.loads(m.value)["case_version"]) for m in messages)
    assert set(versions.values()) == {1}, f"duplicates: {versions}"
    assert set(versions) == {(c, 1) for c in cases[:4]} | {(cases[0], 2)}
    assert all(json.loads(m.value)["case_id"] == m.key.decode() for m in messages)
    assert {dict(m.headers)["schema"] for m in messages} == {b"feedback_case.v1"}
