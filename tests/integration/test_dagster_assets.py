"""The Dagster code location loads and its assets materialize in-process against the real broker."""

from __future__ import annotations

import uuid

import dagster as dg
import pytest

from detectors.registry import all_detectors
from pipelines.defs.detect.assets import detections
from pipelines.defs.ingest.assets import ingested_transcripts
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from tests.integration.helpers import BAD_MESSAGES, produce, valid_messages
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration


def metadata_of(result: dg.ExecuteInProcessResult, key: str) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_ingest_and_detect_assets_materialize(kafka_broker, kafka_topic, tmp_path):
    ids, values = valid_messages(80)
    produce(kafka_broker.bootstrap, kafka_topic, values + [BAD_MESSAGES["not_json"]])
    resources = {
        "kafka": KafkaResource(
            bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=f"g-{uuid.uuid4().hex[:6]}"
        ),
        "lake": LakeResource(home=str(tmp_path)),
        "pushgateway": PushgatewayResource(),
    }
    run_config = {"ops": {"ingested_transcripts": {"config": {"idle_seconds": 2.0}}}}

    first = dg.materialize([ingested_transcripts, detections], resources=resources, run_config=run_config)
    assert first.success
    assert metadata_of(first, "transcripts")["rows"] == 80
    assert metadata_of(first, "transcripts_rejected")["rows"] == 1
    n_detectors = len(all_detectors())
    assert metadata_of(first, "detections")["rows"] == 80 * n_detectors

    wh = Warehouse(resources["lake"].layout)
    scored = wh.query("SELECT detector, count(*) AS n FROM detections GROUP BY 1").to_pylist()
    assert {row["n"] for row in scored} == {80}
    assert (tmp_path / "warehouse.duckdb").exists()

    # A second run finds nothing new to ingest and nothing left to score.
    second = dg.materialize([ingested_transcripts, detections], resources=resources, run_config=run_config)
    assert metadata_of(second, "transcripts")["rows"] == 0
    assert metadata_of(second, "detections")["rows"] == 0


def test_metadata_never_carries_transcript_text(kafka_broker, kafka_topic, tmp_path):
    canary = f"canary-{uuid.uuid4().hex}"
    _, values = valid_messages(5, prefix=canary)
    produce(kafka_broker.bootstrap, kafka_topic, values)
    resources = {
        "kafka": KafkaResource(
            bootstrap_servers=kafka_broker.bootstrap, topic=kafka_topic, group_id=f"g-{uuid.uuid4().hex[:6]}"
        ),
        "lake": LakeResource(home=str(tmp_path)),
        "pushgateway": PushgatewayResource(),
    }
    result = dg.materialize(
        [ingested_transcripts, detections],
        resources=resources,
        run_config={"ops": {"ingested_transcripts": {"config": {"idle_seconds": 2.0}}}},
    )
    assert result.success
    for event in result.all_events:
        assert canary not in repr(event)
