"""infra/docker-compose.yml cannot run here; these checks keep it consistent with the files the tests use."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import yaml

from dashboards.panels import DATASOURCE_UID
from pipelines.observe.services import ALERTMANAGER_CONFIG, INFRA_DIR, PROMETHEUS_CONFIG

COMPOSE = yaml.safe_load((INFRA_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
GRAFANA = INFRA_DIR / "grafana" / "provisioning"


def mounts(service: str) -> dict[str, Path]:
    """Container path -> host path (resolved against infra/) of the service's bind mounts."""
    result = {}
    for volume in SERVICES[service].get("volumes", []):
        host, container = volume.split(":")[:2]
        if host.startswith("."):
            result[container] = (INFRA_DIR / host).resolve()
    return result


def host_port(target: str) -> tuple[str, int]:
    host, port = target.rsplit(":", 1)
    return host, int(port)


def test_prometheus_targets_are_compose_services():
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    targets = [t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]]
    targets += [t for am in config["alerting"]["alertmanagers"] for sc in am["static_configs"] for t in sc["targets"]]
    for target in targets:
        host, _ = host_port(target)
        assert host == "localhost" or host in SERVICES, target


def test_prometheus_mounts_the_config_and_rules_the_tests_check():
    mounted = mounts("prometheus")["/etc/prometheus"]
    assert mounted == PROMETHEUS_CONFIG.parent
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    for rule_file in config["rule_files"]:
        assert (mounted / rule_file).is_file(), rule_file
    assert "--config.file=/etc/prometheus/prometheus.yml" in SERVICES["prometheus"]["command"]


def test_alertmanager_mounts_its_config_and_the_webhook_target_exists():
    assert mounts("alertmanager")["/etc/alertmanager"] == ALERTMANAGER_CONFIG.parent
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    for receiver in config["receivers"]:
        for webhook in receiver["webhook_configs"]:
            url = urlparse(webhook["url"])
            assert url.hostname in SERVICES
            assert str(url.port) in " ".join(SERVICES[url.hostname]["command"])


def test_ingest_serves_metrics_on_the_scraped_port():
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "alignwatch_ingest"]
    host, port = host_port(job["static_configs"][0]["targets"][0])
    command = SERVICES[host]["command"]
    assert command[command.index("--metrics-port") + 1] == str(port)


def test_grafana_provisioning_matches_the_generated_dashboards():
    grafana_mounts = mounts("grafana")
    assert grafana_mounts["/etc/grafana/provisioning"] == GRAFANA
    (datasource,) = yaml.safe_load((GRAFANA / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert datasource["uid"] == DATASOURCE_UID
    assert urlparse(datasource["url"]).hostname in SERVICES
    (provider,) = yaml.safe_load((GRAFANA / "dashboards" / "alignwatch.yml").read_text())["providers"]
    dashboards_dir = grafana_mounts[provider["options"]["path"]]
    assert sorted(p.name for p in dashboards_dir.glob("*.json")) == [
        "alignwatch-drift.json",
        "alignwatch-ingest.json",
        "alignwatch-overview.json",
    ]
    home = SERVICES["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (dashboards_dir / Path(home).name).is_file()


def test_image_versions_match_the_binaries_the_tests_run():
    # The Debian packages used by the tests: Prometheus 2.42, Alertmanager 0.25, Pushgateway 1.5.
    assert SERVICES["prometheus"]["image"].startswith("prom/prometheus:v2.42")
    assert SERVICES["alertmanager"]["image"].startswith("prom/alertmanager:v0.25")
    assert SERVICES["pushgateway"]["image"].startswith("prom/pushgateway:v1.5")
