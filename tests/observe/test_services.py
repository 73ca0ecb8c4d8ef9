"""Starting and stopping the real services: readiness, failures with their log, clean shutdown."""

from __future__ import annotations

import socket

import pytest
from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from pipelines.observe.services import (
    ServiceError,
    find_binary,
    http_get,
    render_prometheus_config,
    start_observe_stack,
    start_prometheus,
    start_pushgateway,
)


def test_missing_binary_names_the_installer(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServiceError, match="install-services.sh"):
        find_binary("pushgateway")


def test_debian_names_are_found():
    # On Debian the daemons are prometheus-alertmanager / prometheus-pushgateway.
    for tool in ("prometheus", "promtool", "alertmanager", "amtool", "pushgateway"):
        assert find_binary(tool)


def test_a_broken_config_fails_fast_with_the_log_tail(tmp_path):
    with pytest.raises(ServiceError) as failure:
        start_prometheus(tmp_path, "global: {scrape_interval: banana}\n", ready_timeout=20)
    message = str(failure.value)
    assert "prometheus exited" in message
    assert "config" in message.lower()  # Prometheus' own complaint, from the log


def refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_stack_starts_ready_and_stops_cleanly(tmp_path):
    stack = start_observe_stack(tmp_path / "stack", webhook_url="http://127.0.0.1:9/hook")
    services = stack.services
    try:
        assert [s.name for s in services] == ["pushgateway", "alertmanager", "prometheus"]
        assert all(s.is_running() for s in services)
        config = (stack.prometheus.data_dir / "prometheus.yml").read_text()
        assert stack.pushgateway.address in config and stack.alertmanager.address in config
    finally:
        stack.close()
    assert not any(s.is_running() for s in services)
    assert all(refused(s.port) for s in services)
    # A root passed in belongs to the caller and is kept (logs stay for inspection).
    assert (tmp_path / "stack" / "prometheus" / "prometheus.log").is_file()


def test_pushgateways_do_not_share_state(tmp_path):
    # Debian's build persists every instance to /var/lib/prometheus/pushgateway.data by default, so a
    # new instance would start with what the last one held at shutdown. Each must keep to its dir.
    first = start_pushgateway(tmp_path / "a")
    try:
        push_to_gateway(first.url, job="alignwatch_detect", registry=one_gauge())
    finally:
        first.stop()  # the Pushgateway writes its persistence file on shutdown
    assert (tmp_path / "a" / "pushgateway.data").is_file()
    second = start_pushgateway(tmp_path / "b")
    try:
        _, body = http_get(f"{second.url}/metrics")
        assert b"alignwatch_test_gauge" not in body
    finally:
        second.stop()


def one_gauge() -> CollectorRegistry:
    registry = CollectorRegistry()
    Gauge("alignwatch_test_gauge", "test", registry=registry).set(1)
    return registry


def test_rendered_config_drops_jobs_without_targets():
    config = render_prometheus_config(pushgateway="127.0.0.1:1")
    assert "alignwatch_ingest" not in config and "alerting" not in config
