"""The long-running ingest: `alignwatch ingest --follow` serves /metrics and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from pipelines.observe.services import free_port
from tests.integration.helpers import BAD_MESSAGES, produce, valid_messages
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration


def scrape(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("alignwatch_") and " " in line:
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_follow_mode_ingests_new_traffic_and_exposes_metrics(kafka_broker, kafka_topic, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap,
        "ALIGNWATCH_TOPIC": kafka_topic,
        "ALIGNWATCH_GROUP": f"g-{uuid.uuid4().hex[:6]}",
        "ALIGNWATCH_HOME": str(tmp_path),
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "ingest", "--follow", "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ids, values = valid_messages(300)
        produce(kafka_broker.bootstrap, kafka_topic, values + [BAD_MESSAGES["not_json"]])
        accepted = f'alignwatch_ingest_messages_total{{outcome="accepted",topic="{kafka_topic}"}}'
        lag = f'alignwatch_ingest_lag_messages{{partition="0",topic="{kafka_topic}"}}'
        deadline = time.monotonic() + 90
        samples: dict[str, float] = {}
        while time.monotonic() < deadline:
            try:
                samples = scrape(port)
            except OSError:
                samples = {}
            # Lag is measured at the next poll after the commit, so wait for both.
            if samples.get(accepted) == 300 and samples.get(lag) == 0:
                break
            time.sleep(0.5)
        assert samples.get(accepted) == 300, samples
        assert samples[f'alignwatch_dead_letters_total{{error_kind="not_json",topic="{kafka_topic}"}}'] == 1
        assert samples["alignwatch_ingest_last_success_timestamp_seconds"] > time.time() - 120
        assert samples[lag] == 0
        stored = Warehouse(LakeLayout(tmp_path / "lake")).query("SELECT transcript_id FROM transcripts")
        assert sorted(stored.column("transcript_id").to_pylist()) == sorted(ids)
    finally:
        service.send_signal(signal.SIGTERM)
        _, stderr = service.communicate(timeout=60)
    assert service.returncode == 0, stderr.decode()[-2000:]
