"""The judge tier against a real OpenAI-compatible HTTP server on loopback."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import polars as pl
import pytest

from pipelines.judge.client import JudgeClient, JudgeSettings, judge_settings
from pipelines.judge.escalation import escalate, select_uncertain
from pipelines.settings import ConfigError
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout, Table
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch
from warehouse.writer import write_parquet_atomically


class FakeChatServer:
    """Answers /chat/completions from a script of (status, body, delay) tuples, then repeats the last."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, answer, delay = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                time.sleep(delay)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self):
        self.server.shutdown()


YES = '{"flagged": true, "confidence": 0.9, "rationale": "caves to pushback"}'


def settings(url, **overrides):
    return JudgeSettings(**{"base_url": url, "model": "judge-1", "api_key": "k-secret", "timeout_seconds": 2.0, "max_retries": 2, "budget": 50, **overrides})


@pytest.fixture
def server(request):
    fake = FakeChatServer(request.param)
    yield fake
    fake.close()


@pytest.mark.parametrize("server", [[(200, YES, 0)]], indirect=True)
def test_verdict_is_parsed_and_key_sent_as_bearer(server):
    client = JudgeClient(settings(server.url))
    verdict = client.judge("sycophancy", "caving", 0.5, "you're right", "user: x\nassistant: y")
    assert (verdict.flagged, verdict.confidence, verdict.error) == (True, 0.9, None)
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert server.requests[0]["auth"] == "Bearer k-secret"
    assert server.requests[0]["body"]["model"] == "judge-1"


@pytest.mark.parametrize("server", [[(503, "", 0), (500, "", 0), (200, YES, 0)]], indirect=True)
def test_transient_errors_are_retried(server):
    verdict = JudgeClient(settings(server.url)).judge("x", "", 0.5, "", "t")
    assert verdict.flagged is True and len(server.requests) == 3


@pytest.mark.parametrize("server", [[(200, YES, 1.5)]], indirect=True)
def test_a_slow_judge_times_out_into_an_error_verdict(server):
    verdict = JudgeClient(settings(server.url, timeout_seconds=0.3, max_retries=1)).judge("x", "", 0.5, "", "t")
    assert verdict.flagged is None and "gave up after 2 attempts" in verdict.error


@pytest.mark.parametrize("server", [[(200, "I think it is bad", 0)]], indirect=True)
def test_a_malformed_answer_is_an_error_not_an_exception(server):
    verdict = JudgeClient(settings(server.url)).judge("x", "", 0.5, "", "t")
    assert verdict.flagged is None and "unusable" in verdict.error


def test_settings_require_a_model_and_stay_off_without_url():
    assert judge_settings({}) is None
    with pytest.raises(ConfigError, match="ALIGNWATCH_JUDGE_MODEL"):
        judge_settings({"ALIGNWATCH_JUDGE_URL": "http://x/v1"})
    assert "k-secret" not in repr(settings("http://x"))


def test_selection_prefers_the_most_uncertain_within_budget():
    frame = pl.DataFrame({"transcript_id": list("abcde"), "detector": ["d"] * 5, "score": [0.1, 0.5, 0.62, 0.4, 0.9]})
    assert select_uncertain(frame, (0.35, 0.65), budget=2)["transcript_id"].to_list() == ["b", "d"]


def _lake_with_detections(root):
    layout = LakeLayout(root)
    docs = [
        json.dumps({"schema_version": 1, "transcript_id": f"t{i}", "created_at": "2026-11-01T09:00:00Z", "model": "m", "deployment": "d", "policy_id": "p",
                    "messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}).encode()
        for i in range(4)
    ]
    write_batch(layout, validate_batch([RawMessage("t", 0, i, None, d) for i, d in enumerate(docs)], datetime.now(UTC)))
    rows = pl.DataFrame(
        {"transcript_id": ["t0", "t1", "t2", "t3"], "detector": ["sycophancy"] * 4, "detector_version": ["1"] * 4,
         "flagged": [True, False, True, False], "score": [0.55, 0.45, 0.95, 0.05], "severity": ["low"] * 4,
         "evidence": ["e"] * 4, "scored_at": [datetime.now(UTC)] * 4}
    ).with_columns(pl.col("scored_at").cast(pl.Datetime("us", "UTC")))
    from warehouse import schemas

    write_parquet_atomically(rows.to_arrow().cast(schemas.DETECTIONS), layout.run_file(Table.DETECTIONS, datetime.now(UTC).date(), "r1"))
    return Warehouse(layout)


@pytest.mark.parametrize("server", [[(200, YES, 0)]], indirect=True)
def test_escalation_judges_only_uncertain_rows_once_and_stores_verdicts(server, tmp_path):
    warehouse = _lake_with_detections(tmp_path)
    client = JudgeClient(settings(server.url))
    first = escalate(warehouse, client)
    assert (first.candidates, first.judged, first.agreed) == (2, 2, 1)
    stored = warehouse.query("SELECT transcript_id, fast_flagged, judge_flagged FROM judge_verdicts ORDER BY 1").to_pylist()
    assert stored == [
        {"transcript_id": "t0", "fast_flagged": True, "judge_flagged": True},
        {"transcript_id": "t1", "fast_flagged": False, "judge_flagged": True},
    ]
    # The transcript text reached the judge; a second run finds nothing left to judge.
    assert "q0" in server.requests[0]["body"]["messages"][1]["content"] or "q1" in server.requests[0]["body"]["messages"][1]["content"]
    assert escalate(warehouse, client).judged == 0


@pytest.mark.parametrize("server", [[(200, YES, 0)]], indirect=True)
def test_budget_caps_the_calls_per_run(server, tmp_path):
    warehouse = _lake_with_detections(tmp_path)
    assert escalate(warehouse, JudgeClient(settings(server.url, budget=1))).judged == 1
    assert len(server.requests) == 1
