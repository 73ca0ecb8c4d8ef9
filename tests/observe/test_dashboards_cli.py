"""`alignwatch dashboards generate|push` through typer, push against a recording fake Grafana API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from dashboards.build import DASHBOARDS, GENERATED_DIR, generate
from pipelines.cli.dashboards import dashboards_app

TOKEN = "glsa_test-token-that-must-never-be-printed"
runner = CliRunner()


class FakeGrafana:
    """Answers the four calls publishing makes, like Grafana 10 does, and records them."""

    def __init__(self, folder_exists: bool = False, fail_dashboards: bool = False):
        self.requests: list[tuple[str, str, str | None, dict | None]] = []
        self.folder_exists = folder_exists
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> dict | None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((self.command, self.path, self.headers.get("Authorization"), body))
                return body

            def do_GET(self):
                self._record()
                if self.path == "/api/folders/alignwatch" and fake.folder_exists:
                    self._answer(200, {"uid": "alignwatch", "title": "alignwatch"})
                else:
                    self._answer(404, {"message": "folder not found"})

            def do_POST(self):
                body = self._record()
                if self.path == "/api/folders":
                    fake.folder_exists = True
                    self._answer(200, {"uid": body["uid"], "title": body["title"]})
                elif self.path == "/api/dashboards/db" and fail_dashboards:
                    self._answer(412, {"message": "version-mismatch", "status": "version-mismatch"})
                elif self.path == "/api/dashboards/db":
                    uid = body["dashboard"]["uid"]
                    self._answer(200, {"status": "success", "uid": uid, "version": 1, "url": f"/d/{uid}/x"})
                else:
                    self._answer(404, {"message": "not found"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_generate_check_passes_on_committed_files():
    result = runner.invoke(dashboards_app, ["generate", "--check", "--out", str(GENERATED_DIR)])
    assert result.exit_code == 0, result.output


def test_generate_check_fails_on_a_stale_file_and_generate_fixes_it(tmp_path):
    generate(tmp_path)
    (tmp_path / "alignwatch-overview.json").write_text("{}\n")
    result = runner.invoke(dashboards_app, ["generate", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "alignwatch-overview.json" in result.output
    assert runner.invoke(dashboards_app, ["generate", "--out", str(tmp_path)]).exit_code == 0
    assert runner.invoke(dashboards_app, ["generate", "--check", "--out", str(tmp_path)]).exit_code == 0


@pytest.mark.parametrize("folder_exists", [False, True], ids=["creates-folder", "reuses-folder"])
def test_push_publishes_every_dashboard_with_the_token_and_never_prints_it(monkeypatch, folder_exists):
    with FakeGrafana(folder_exists=folder_exists) as grafana:
        monkeypatch.setenv("GRAFANA_URL", grafana.url)
        monkeypatch.setenv("GRAFANA_API_KEY", TOKEN)
        result = runner.invoke(dashboards_app, ["push"])
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert {auth for _, _, auth, _ in grafana.requests} == {f"Bearer {TOKEN}"}
    folder_posts = [r for r in grafana.requests if r[:2] == ("POST", "/api/folders")]
    assert len(folder_posts) == (0 if folder_exists else 1)
    saved = [body for method, path, _, body in grafana.requests if (method, path) == ("POST", "/api/dashboards/db")]
    assert sorted(b["dashboard"]["uid"] for b in saved) == sorted(DASHBOARDS)
    for body in saved:
        assert body["overwrite"] is True and body["folderUid"] == "alignwatch"
        assert "id" not in body["dashboard"]  # Grafana owns the numeric id
    for uid in DASHBOARDS:
        assert uid in result.output


def test_push_failure_is_reported_without_the_token(monkeypatch):
    with FakeGrafana(folder_exists=True, fail_dashboards=True) as grafana:
        monkeypatch.setenv("GRAFANA_URL", grafana.url)
        monkeypatch.setenv("GRAFANA_API_KEY", TOKEN)
        result = runner.invoke(dashboards_app, ["push"])
    assert result.exit_code == 1
    assert "failed" in result.output and TOKEN not in result.output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        # Nothing configured: name the first missing setting.
        ({}, "GRAFANA_URL is not set"),
        # URL but no token.
        ({"GRAFANA_URL": "http://grafana:3000"}, "GRAFANA_API_KEY is not set"),
        # Credentials in the URL would end up in logs and shell history; the error must not echo them.
        ({"GRAFANA_URL": f"http://admin:{TOKEN}@grafana:3000", "GRAFANA_API_KEY": "x"}, "must not carry credentials"),
        # Not an HTTP URL.
        ({"GRAFANA_URL": "grafana:3000", "GRAFANA_API_KEY": "x"}, "must be an http(s) URL"),
    ],
)
def test_push_configuration_errors_name_the_setting_only(monkeypatch, env, message):
    monkeypatch.delenv("GRAFANA_URL", raising=False)
    monkeypatch.delenv("GRAFANA_API_KEY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(dashboards_app, ["push"])
    assert result.exit_code == 2
    assert message in result.output
    assert TOKEN not in result.output


def test_push_from_source_publishes_the_files_as_they_are(monkeypatch, tmp_path):
    # Publishing a reviewed artifact (e.g. from a release) must not re-render from the current code.
    generate(tmp_path)
    edited = json.loads((tmp_path / "alignwatch-drift.json").read_text())
    edited["title"] = "alignwatch / Drift (release 7)"
    (tmp_path / "alignwatch-drift.json").write_text(json.dumps(edited))
    with FakeGrafana(folder_exists=True) as grafana:
        monkeypatch.setenv("GRAFANA_URL", grafana.url)
        monkeypatch.setenv("GRAFANA_API_KEY", TOKEN)
        result = runner.invoke(dashboards_app, ["push", "--source", str(tmp_path)])
    assert result.exit_code == 0, result.output
    titles = {b["dashboard"]["uid"]: b["dashboard"]["title"] for m, p, _, b in grafana.requests if p == "/api/dashboards/db"}
    assert titles["alignwatch-drift"] == "alignwatch / Drift (release 7)"
    assert len(titles) == len(DASHBOARDS)
