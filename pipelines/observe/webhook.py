"""A minimal Alertmanager webhook receiver: keeps every notification and can append it to a file.

Tests start one on a free loopback port and wait for alerts to arrive; docker compose runs it as
the ``alert-receiver`` service (``python -m pipelines.observe.webhook --port 9095 --out alerts.jsonl``),
so the alert trail of a demo is a JSON Lines file next to the lake.

Alertmanager's webhook payload (version 4) is ``{"status", "receiver", "groupLabels",
"commonLabels", "alerts": [{"status", "labels", "annotations", "startsAt", ...}], ...}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_MAX_BODY = 4 << 20  # Alertmanager caps a notification at max_alerts (50); 4 MiB is ample


class AlertReceiver:
    """HTTP server on ``host:port`` (0 = a free port) that records each POSTed notification."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, out: Path | None = None) -> None:
        self.out = out
        self._notifications: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 < length <= _MAX_BODY:
                    self.send_error(413 if length else 400)
                    return
                try:
                    payload = json.loads(self.rfile.read(length))
                except ValueError:
                    self.send_error(400, "not JSON")
                    return
                receiver._record(payload)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
                return  # keep test output and service logs quiet; the payloads are the record

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="alert-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/alerts"

    def start(self) -> AlertReceiver:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until interrupted (the compose service)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> AlertReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _record(self, payload: dict[str, Any]) -> None:
        with self._changed:
            self._notifications.append(payload)
            if self.out is not None:
                with open(self.out, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(payload, sort_keys=True) + "\n")
            self._changed.notify_all()

    @property
    def notifications(self) -> list[dict[str, Any]]:
        with self._changed:
            return list(self._notifications)

    def alerts(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every alert of every notification so far, optionally only ``firing`` or ``resolved`` ones."""
        return [
            alert
            for notification in self.notifications
            for alert in notification.get("alerts", [])
            if status is None or alert.get("status") == status
        ]

    def wait_for_alert(self, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        """The first alert matching ``predicate``, waiting up to ``timeout`` seconds; else ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for notification in self._notifications:
                    for alert in notification.get("alerts", []):
                        if predicate(alert):
                            return alert
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching alert within {timeout:.0f}s")
                self._changed.wait(remaining)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Record Alertmanager webhook notifications as JSON Lines.")
    parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 (a container service: reachable by alertmanager)
    parser.add_argument("--port", type=int, default=9095)
    parser.add_argument("--out", type=Path, required=True, help="append each notification here")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(KeyboardInterrupt):
        AlertReceiver(args.host, args.port, args.out).serve_forever()


if __name__ == "__main__":
    main()
