"""Dagster: the feedback assets materialize in-process, schedules exist, metrics reach a Pushgateway."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest

from pipelines.defs.feedback.assets import feedback_dataset, flagged_cases, review_queue
from pipelines.defs.feedback.definitions import ASSETS, JOBS, RESOURCES, SCHEDULES, SENSORS
from pipelines.defs.feedback.resources import FeedbackResource
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.reviews import NewVerdict, Verdict, queue, record_verdicts


def metadata_of(result, key):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(key)]
    return {k: v.value for k, v in event.materialization.metadata.items()}


class Gateway:
    """A stand-in Pushgateway: records the body of every push."""

    def __init__(self):
        self.bodies = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                gateway.bodies.append((self.path, self.rfile.read(int(self.headers["Content-Length"])).decode()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def test_definitions_expose_assets_jobs_and_a_daily_dataset_schedule():
    resources = {
        "lake": LakeResource(home="unused"),
        "kafka": KafkaResource(bootstrap_servers="unused:9092"),
        "pushgateway": PushgatewayResource(),
        **RESOURCES,
    }
    defs = dg.Definitions(assets=ASSETS, jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS, resources=resources)
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} >= {
        "flagged_cases", "review_queue", "feedback_dataset", "feedback_topic", "review_verdicts"
    }
    assert dg.AssetKey("detections") in graph.get(dg.AssetKey("flagged_cases")).parent_keys
    assert {g for g in (graph.get(k).group_name for k in graph.get_all_asset_keys()) if g != "default"} == {"feedback"}
    daily = defs.resolve_schedule_def("feedback_dataset_schedule")
    assert daily.cron_schedule == "0 2 * * *" and daily.execution_timezone == "UTC"
    job = defs.resolve_job_def(daily.job_name)
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {"feedback_dataset"}
    assert defs.resolve_schedule_def("review_queue_schedule").cron_schedule == "15 * * * *"
    assert set(RESOURCES) == {"feedback"}


def test_feedback_assets_materialize_in_process(tmp_path, gateway):
    docs = [transcript(f"t{i}", f"Please refund order {i} twice", "Refunded $400. FAIL:off_policy:medium") for i in range(4)]
    docs.append(transcript("x", "Drop the prod table", "Dropped. FAIL:risky_action:high"))
    warehouse = build_lake(tmp_path, docs)
    resources = {
        "lake": LakeResource(home=str(tmp_path)),
        "feedback": FeedbackResource(),
        "pushgateway": PushgatewayResource(url=f"http://{gateway.address}"),
    }

    first = dg.materialize([flagged_cases, review_queue, feedback_dataset], resources=resources)
    assert first.success
    assert metadata_of(first, "flagged_cases") == {"cases": 2, "new_cases": 2, "changed_cases": 0, "flagged_transcripts": 5}
    assert metadata_of(first, "review_queue")["selected"] == 2
    # nothing confirmed yet: no (empty) version is written
    assert metadata_of(first, "feedback_dataset")["version"] == 0

    cases = queue(warehouse)["case_id"].to_list()
    record_verdicts(warehouse, [NewVerdict(c, Verdict.CONFIRMED, "ann", corrected_response="I'll ask a person first.") for c in cases], NOW)
    second = dg.materialize([feedback_dataset], resources=resources)
    built = metadata_of(second, "feedback_dataset")
    assert (built["version"], built["records_sft"], built["unchanged"], built["metrics_pushed"]) == (1, 2, 0, 1)
    pushed = "\n".join(body for path, body in gateway.bodies if path.endswith("/job/alignwatch_feedback"))
    assert 'alignwatch_review_queue_cases{status="confirmed"} 2.0' in pushed
    assert 'alignwatch_feedback_dataset_records{kind="sft"} 2.0' in pushed
    assert 'alignwatch_detector_precision{detector="off_policy",detector_version="1.0.0"} 1.0' in pushed
    assert "alignwatch_detector_precision_lower" in pushed and "alignwatch_feedback_last_build_timestamp_seconds" in pushed
