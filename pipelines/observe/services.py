"""Real Prometheus, Alertmanager and Pushgateway processes on free loopback ports.

Used by the integration tests and the local demo. Each service gets its own temp data dir, logs to
``<data_dir>/<name>.log`` and counts as started only once its ``/-/ready`` endpoint answers 200.
Configs are rendered from the committed files under ``infra/`` (the ones docker compose mounts),
so the tests exercise the same scrape jobs, rules, routes and receivers, only with loopback
targets and short intervals.

The binaries come from Debian packages (``infra/install-services.sh``); upstream tarball names
(``alertmanager``, ``pushgateway``) are accepted as well.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

INFRA_DIR = Path(__file__).resolve().parents[2] / "infra"
PROMETHEUS_CONFIG = INFRA_DIR / "prometheus" / "prometheus.yml"
ALERT_RULES = INFRA_DIR / "prometheus" / "rules" / "alignwatch.rules.yml"
ALERTMANAGER_CONFIG = INFRA_DIR / "alertmanager" / "alertmanager.yml"
INSTALL_HINT = "run infra/install-services.sh (Debian packages prometheus, prometheus-alertmanager, prometheus-pushgateway)"

# Debian renames the daemons; upstream release tarballs do not.
BINARY_NAMES: Mapping[str, tuple[str, ...]] = {
    "prometheus": ("prometheus",),
    "promtool": ("promtool",),
    "alertmanager": ("alertmanager", "prometheus-alertmanager"),
    "amtool": ("amtool",),
    "pushgateway": ("pushgateway", "prometheus-pushgateway"),
}
_START_ATTEMPTS = 3  # a port picked free can be taken before the child binds it


class ServiceError(RuntimeError):
    """A service binary is missing or a service did not become ready; carries the log tail."""


def find_binary(tool: str) -> str:
    """Path of ``tool`` (one of :data:`BINARY_NAMES`); raises :class:`ServiceError` naming the installer."""
    for name in BINARY_NAMES[tool]:
        path = shutil.which(name)
        if path:
            return path
    raise ServiceError(f"{tool} not found on PATH (tried {', '.join(BINARY_NAMES[tool])}); {INSTALL_HINT}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_LIVE: weakref.WeakSet[Service] = weakref.WeakSet()


@atexit.register
def _stop_all_at_exit() -> None:
    for service in list(_LIVE):
        with contextlib.suppress(Exception):
            service.stop()


@dataclass(eq=False)
class Service:
    """One running server process."""

    name: str
    port: int
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, the form Prometheus configs take."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if the process is still alive after ``timeout`` seconds."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait(timeout=timeout)
        _LIVE.discard(self)


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """Status and body of a GET; connection errors surface as ``OSError``."""
    request = urllib.request.Request(url, method="GET")  # noqa: S310 (loopback URLs built here)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(service: Service, timeout: float) -> None:
    """Poll ``/-/ready`` until it answers 200; raise :class:`ServiceError` on exit or deadline."""
    deadline = time.monotonic() + timeout
    while True:
        if not service.is_running():
            raise ServiceError(f"{service.name} exited with {service.process.returncode}:\n{service.log_tail()}")
        with contextlib.suppress(OSError):
            status, _ = http_get(f"{service.url}/-/ready", timeout=1.0)
            if status == 200:
                return
        if time.monotonic() > deadline:
            raise ServiceError(f"{service.name} not ready after {timeout:.0f}s:\n{service.log_tail()}")
        time.sleep(0.1)


def launch(
    name: str, argv_for_port: Callable[[int], list[str]], data_dir: Path, ready_timeout: float = 30.0
) -> Service:
    """Start ``argv_for_port(port)`` on a free port in ``data_dir`` and wait until it is ready."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"{name}.log"
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = free_port()
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                argv_for_port(port),
                cwd=data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (only sets the parent-death signal)
            )
        service = Service(name, port, data_dir, process, log_path)
        _LIVE.add(service)
        try:
            wait_ready(service, ready_timeout)
            return service
        except ServiceError:
            service.stop()
            if attempt < _START_ATTEMPTS and "address already in use" in service.log_tail().lower():
                continue
            raise
    raise AssertionError("unreachable")


def start_pushgateway(data_dir: Path, ready_timeout: float = 30.0) -> Service:
    """A Pushgateway with the admin API on (``PUT /api/v1/admin/wipe`` resets it between tests)."""
    binary = find_binary("pushgateway")
    return launch(
        "pushgateway",
        lambda port: [
            binary,
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-admin-api",
            # Debian's build defaults to /var/lib/prometheus/pushgateway.data, shared by every instance.
            f"--persistence.file={data_dir / 'pushgateway.data'}",
        ],
        data_dir,
        ready_timeout,
    )


def start_alertmanager(data_dir: Path, config_text: str, ready_timeout: float = 30.0) -> Service:
    """An Alertmanager running ``config_text``, without HA gossip (which would bind port 9094)."""
    binary = find_binary("alertmanager")
    config = data_dir / "alertmanager.yml"
    data_dir.mkdir(parents=True, exist_ok=True)
    config.write_text(config_text)
    return launch(
        "alertmanager",
        lambda port: [
            binary,
            f"--config.file={config}",
            f"--storage.path={data_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        data_dir,
        ready_timeout,
    )


def start_prometheus(
    data_dir: Path, config_text: str, rule_files: Mapping[str, str] | None = None, ready_timeout: float = 60.0
) -> Service:
    """A Prometheus running ``config_text``; ``rule_files`` maps a relative path to its text."""
    binary = find_binary("prometheus")
    data_dir.mkdir(parents=True, exist_ok=True)
    for relative, text in (rule_files or {}).items():
        path = data_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    config = data_dir / "prometheus.yml"
    config.write_text(config_text)
    return launch(
        "prometheus",
        lambda port: [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data_dir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1d",
        ],
        data_dir,
        ready_timeout,
    )


# ----------------------------------------------------------------------------------------------
# Configs rendered from the committed files
# ----------------------------------------------------------------------------------------------


def render_prometheus_config(
    *,
    pushgateway: str | None,
    alertmanager: str | None = None,
    ingest_targets: Sequence[str] = (),
    rule_files: Sequence[str] = (),
    scrape_interval: str = "1s",
    evaluation_interval: str = "1s",
) -> str:
    """``infra/prometheus/prometheus.yml`` pointed at loopback ``host:port`` targets.

    Jobs whose target is not given are dropped (the self-scrape job always is: its port is not
    known before launch); ``honor_labels`` and the job names stay as committed.
    """
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    config["global"] = {**config.get("global", {}), "scrape_interval": scrape_interval, "evaluation_interval": evaluation_interval}
    config["rule_files"] = list(rule_files)
    if alertmanager:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    else:
        config.pop("alerting", None)
    targets = {"pushgateway": [pushgateway] if pushgateway else [], "alignwatch_ingest": list(ingest_targets)}
    jobs = []
    for job in config["scrape_configs"]:
        wanted = targets.get(job["job_name"])
        if wanted:
            jobs.append({**job, "static_configs": [{"targets": wanted}]})
    config["scrape_configs"] = jobs
    return yaml.safe_dump(config, sort_keys=False)


def render_alert_rules(for_duration: str | None = None) -> str:
    """The committed alert rules; with ``for_duration`` every rule's ``for`` is replaced by it.

    The end-to-end test uses ``"0s"`` so delivery takes seconds: expressions, labels and
    annotations stay as committed, and the ``for`` semantics are covered by ``promtool test rules``.
    """
    rules = yaml.safe_load(ALERT_RULES.read_text())
    if for_duration is not None:
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    rule["for"] = for_duration
    return yaml.safe_dump(rules, sort_keys=False, width=1_000)


def render_alertmanager_config(
    *,
    webhook_url: str,
    group_wait: str | None = None,
    group_interval: str | None = None,
    repeat_interval: str | None = None,
) -> str:
    """``infra/alertmanager/alertmanager.yml`` with every webhook sent to ``webhook_url``.

    Given timings replace those of the root route and of every child route that sets its own.
    """
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    for receiver in config["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = webhook_url
    timings = {"group_wait": group_wait, "group_interval": group_interval, "repeat_interval": repeat_interval}

    def retime(route: dict[str, Any], root: bool) -> None:
        for key, value in timings.items():
            if value is not None and (root or key in route):
                route[key] = value
        for child in route.get("routes", []):
            retime(child, root=False)

    retime(config["route"], root=True)
    return yaml.safe_dump(config, sort_keys=False)


# ----------------------------------------------------------------------------------------------
# The whole stack, and the Prometheus HTTP API
# ----------------------------------------------------------------------------------------------


@dataclass
class ObserveStack:
    """Pushgateway, Prometheus and (when a webhook is given) Alertmanager under one temp root."""

    root: Path
    pushgateway: Service
    prometheus: Service
    alertmanager: Service | None = None
    owns_root: bool = True
    services: list[Service] = field(default_factory=list)

    def wait_for_targets(self, timeout: float = 30.0) -> None:
        """Block until Prometheus has scraped every target successfully once.

        Prometheus batches service-discovery updates every 5 s, so the first scrape of a fresh
        server comes about 5 s after it is ready; waiting here keeps that out of later deadlines.
        """

        def all_up() -> bool:
            active = prometheus_api(self.prometheus.url, "/api/v1/targets", {"state": "active"})["activeTargets"]
            return bool(active) and all(target["health"] == "up" for target in active)

        wait_until(all_up, timeout, what="every scrape target up")

    def close(self) -> None:
        for service in reversed(self.services):
            service.stop()
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ObserveStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_observe_stack(
    root: Path | None = None,
    *,
    webhook_url: str | None = None,
    ingest_targets: Sequence[str] = (),
    load_rules: bool = True,
    rules_for: str | None = "0s",
    scrape_interval: str = "1s",
    evaluation_interval: str = "1s",
    group_wait: str = "1s",
    group_interval: str = "1s",
    repeat_interval: str = "1h",
) -> ObserveStack:
    """Start Pushgateway, then Alertmanager (only with ``webhook_url``), then Prometheus.

    Prometheus scrapes the Pushgateway (``honor_labels``) and ``ingest_targets`` every
    ``scrape_interval``, evaluates the committed alert rules (``for`` replaced by ``rules_for``;
    ``None`` keeps the committed holds) and sends alerts to the Alertmanager.
    """
    owns_root = root is None
    root = Path(tempfile.mkdtemp(prefix="alignwatch-observe-")) if root is None else root
    started: list[Service] = []
    try:
        pushgateway = start_pushgateway(root / "pushgateway")
        started.append(pushgateway)
        alertmanager = None
        if webhook_url is not None:
            am_config = render_alertmanager_config(
                webhook_url=webhook_url,
                group_wait=group_wait,
                group_interval=group_interval,
                repeat_interval=repeat_interval,
            )
            alertmanager = start_alertmanager(root / "alertmanager", am_config)
            started.append(alertmanager)
        rules = {"rules/alignwatch.rules.yml": render_alert_rules(rules_for)} if load_rules else {}
        prom_config = render_prometheus_config(
            pushgateway=pushgateway.address,
            alertmanager=alertmanager.address if alertmanager else None,
            ingest_targets=ingest_targets,
            rule_files=list(rules),
            scrape_interval=scrape_interval,
            evaluation_interval=evaluation_interval,
        )
        prometheus = start_prometheus(root / "prometheus", prom_config, rules)
        started.append(prometheus)
    except BaseException:
        for service in reversed(started):
            service.stop()
        if owns_root:
            shutil.rmtree(root, ignore_errors=True)
        raise
    return ObserveStack(root, pushgateway, prometheus, alertmanager, owns_root, started)


class PrometheusQueryError(RuntimeError):
    """The Prometheus HTTP API answered with an error (bad PromQL, timeout)."""


def prometheus_api(base_url: str, path: str, params: Mapping[str, str] | None = None, timeout: float = 10.0) -> Any:
    """The ``data`` of a Prometheus HTTP API answer; raises :class:`PrometheusQueryError` on errors."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    status, body = http_get(f"{base_url}{path}{query}", timeout=timeout)
    try:
        answer = json.loads(body)
    except ValueError:
        raise PrometheusQueryError(f"{path}: HTTP {status}, not JSON") from None
    if status != 200 or answer.get("status") != "success":
        raise PrometheusQueryError(f"{path}: HTTP {status}: {answer.get('errorType')}: {answer.get('error')}")
    return answer["data"]


def instant_query(base_url: str, expr: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The result of an instant query (``/api/v1/query``) as a list of ``{metric, value}``."""
    data = prometheus_api(base_url, "/api/v1/query", {"query": expr}, timeout)
    result = data["result"]
    if data["resultType"] == "scalar":
        return [{"metric": {}, "value": result}]
    return result


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.2, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; raise ``TimeoutError`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)


def wipe_pushgateway(base_url: str, timeout: float = 5.0) -> None:
    """Delete every pushed group (admin API, enabled by :func:`start_pushgateway`)."""
    request = urllib.request.Request(f"{base_url}/api/v1/admin/wipe", method="PUT")  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310
        pass


__all__ = [
    "ObserveStack",
    "PrometheusQueryError",
    "Service",
    "ServiceError",
    "find_binary",
    "instant_query",
    "prometheus_api",
    "render_alert_rules",
    "render_alertmanager_config",
    "render_prometheus_config",
    "start_alertmanager",
    "start_observe_stack",
    "start_prometheus",
    "start_pushgateway",
    "wait_until",
    "wipe_pushgateway",
]

