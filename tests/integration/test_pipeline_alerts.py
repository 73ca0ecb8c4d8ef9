"""End to end: simulated traffic -> Kafka -> ingest -> detect -> drift -> Pushgateway -> Prometheus
-> alert rules -> Alertmanager -> webhook. A model update that raises the off-policy rate must page;
the same traffic without the update must not.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from detectors.registry import all_detectors
from pipelines.detect.scoring import score_pending
from pipelines.drift.summary import drift_summary
from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.observe.drift_metrics import push_drift_metrics
from pipelines.observe.push import push_detection_metrics
from pipelines.settings import KafkaSettings
from pipelines.simulate.producer import publish
from pipelines.simulate.traffic import SimulationConfig
from tests.integration.observe_stack import describe_alerts, observe_harness
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration

QUIET_SECONDS = 8.0


def run_pipeline(bootstrap: str, topic: str, root, update: bool, pushgateway: str) -> list:
    now = datetime.now(UTC)
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, group_id=f"g-{uuid.uuid4().hex[:6]}")
    config = SimulationConfig(
        transcripts=6_000, days=2.0, seed=7, model_update_at=0.5 if update else None, bad_message_rate=0.0, duplicate_rate=0.0
    )
    publish(settings, config, now)
    limits = IngestLimits(batch_records=2_000, idle_seconds=3.0)
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(root), limits)
    try:
        assert ingestor.drain().transcripts == 6_000
    finally:
        ingestor.close()
    warehouse = Warehouse(LakeLayout(root))
    score_pending(warehouse, all_detectors())
    push_detection_metrics(warehouse, pushgateway, window_hours=24)
    summary = drift_summary(warehouse, now, "daily", write=True)
    push_drift_metrics(summary.run.rows, pushgateway)
    return summary.findings


def test_model_update_pages_and_flat_traffic_does_not(kafka_broker, tmp_path):
    from pipelines.testing.kafka_broker import create_topic

    with observe_harness(tmp_path / "stack", alerting=True) as harness:
        findings = run_pipeline(
            kafka_broker.bootstrap, create_topic(kafka_broker.bootstrap, f"t-flat-{uuid.uuid4().hex[:8]}"), tmp_path / "flat", False, harness.pushgateway_url
        )
        assert findings == []
        harness.wait_for_series('alignwatch_drift_detected{detector="off_policy"}')
        harness.wait_for_rule_evaluation(after=time.time())
        time.sleep(QUIET_SECONDS)
        assert harness.receiver.notifications == [], describe_alerts(harness.receiver.alerts())

        findings = run_pipeline(
            kafka_broker.bootstrap, create_topic(kafka_broker.bootstrap, f"t-update-{uuid.uuid4().hex[:8]}"), tmp_path / "update", True, harness.pushgateway_url
        )
        assert ("support-bot", "off_policy") in {(f.deployment, f.detector) for f in findings}
        alert = harness.wait_for_alert("AlignwatchOffPolicyDrift", timeout=60, deployment="support-bot")
        # The alert names the model version the shift follows.
        assert alert["labels"]["model"] == "acme-chat-2026-10"
        assert alert["labels"]["policy_id"] == "acme-support-v1"
        # Nothing pages for segments the simulator left unchanged.
        paged = {a["labels"].get("deployment") for a in harness.receiver.alerts("firing")}
        assert "coding-agent" not in paged, describe_alerts(harness.receiver.alerts())
