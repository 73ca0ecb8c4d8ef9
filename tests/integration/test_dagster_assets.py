"""The Dagster code location loads and its assets materialize in-process against the real broker."""

from __future__ import annotations

import uuid
from datetime import timedelta

import dagster as dg
import pytest

from detectors.registry import all_detectors
from pipelines.defs.detect.assets import detections
from pipelines.defs.ingest.assets import ingested_transcripts
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from tests.integration.helpers import BAD_MESSAGES, produce, valid_messages
from warehouse.detections import transcript_days
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

    ingest = dg.materialize([ingested_transcripts], resources=resources, run_config=run_config)
    assert ingest.success
    assert metadata_of(ingest, "transcripts")["rows"] == 80
    assert metadata_of(ingest, "transcripts_rejected")["rows"] == 1

    wh = Warehouse(resources["lake"].layout)
    (day,) = transcript_days(wh)  # the helpers' transcripts share one event day
    detect = dg.materialize([detections], partition_key=day.isoformat(), resources=resources)
    assert detect.success
    n_detectors = len(all_detectors())
    assert metadata_of(detect, "detections")["rows"] == 80 * n_detectors
    scored = wh.query("SELECT detector, count(*) AS n FROM detections GROUP BY 1").to_pylist()
    assert {row["n"] for row in scored} == {80}
    assert (tmp_path / "warehouse.duckdb").exists()

    # Another day's partition has nothing to score; a second run of the same day has nothing left.
    other = dg.materialize(
        [detections], partition_key=(day - timedelta(days=1)).isoformat(), resources=resources
    )
    assert metadata_of(other, "detections")["rows"] == 0
    again = dg.materialize([ingested_transcripts], resources=resources, run_config=run_config)
    assert metadata_of(again, "transcripts")["rows"] == 0
    assert (
        metadata_of(
            dg.materialize([detections], partition_key=day.isoformat(), resources=resources), "detections"
        )["rows"]
        == 0
    )


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
    ingest = dg.materialize(
        [ingested_transcripts],
        resources=resources,
        run_config={"ops": {"ingested_transcripts": {"config": {"idle_seconds": 2.0}}}},
    )
    (day,) = transcript_days(Warehouse(resources["lake"].layout))
    detect = dg.materialize([detections], partition_key=day.isoformat(), resources=resources)
    assert ingest.success and detect.success
    for event in [*ingest.all_events, *detect.all_events]:
        assert canary not in repr(event)
