"""A real single-node Apache Kafka 4.1 broker (KRaft, broker+controller in one JVM) on loopback.

Used by tests (``tests/conftest.py``), by the demo script (through ``infra/kafka/broker.py``)
and by fault-injection tests that stop/kill and restart the broker mid-ingest.

Everything here is standard library only; kafka-python is imported lazily, and only by
:func:`create_topic`. Readiness is probed with a hand-rolled ``Metadata`` v4 request, so the
CLI runs under any Python 3.11.

Layout of a data dir::

    <data_dir>/server.properties   rendered from infra/kafka/server.properties.template
    <data_dir>/kraft-logs/         Kafka's log.dirs (partitions + __cluster_metadata)
    <data_dir>/broker.out          JVM stdout/stderr
    <data_dir>/server.log          log4j2 output (WARN+), see infra/kafka/log4j2.xml
    <data_dir>/broker.json         ports + cluster id, reused by the next start of this dir
    <data_dir>/bootstrap.txt       "127.0.0.1:PORT" while the broker is up (CLI only)

Jars come from Maven Central via ``infra/kafka/pom.xml`` into ``infra/kafka/lib`` (git-ignored),
fetched once by :func:`ensure_jars`.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

__all__ = [
    "KAFKA_VERSION",
    "ExternalKafka",
    "KafkaStartError",
    "LocalKafka",
    "broker_is_up",
    "create_topic",
    "default_repo_root",
    "ensure_jars",
    "main",
    "new_cluster_id",
    "wait_for_broker",
]

KAFKA_VERSION = "4.1.1"
NODE_ID = 1
_STAMP_NAME = ".stamp.json"
_LOCK_NAME = ".fetch.lock"
_KAFKA_LOG_SUBDIR = "kraft-logs"


class KafkaStartError(RuntimeError):
    """The broker could not be fetched, formatted or started; the message has the log tail."""


# --------------------------------------------------------------------------------------------
# Locating the repo and fetching jars
# --------------------------------------------------------------------------------------------


def default_repo_root() -> Path:
    """The repo holding ``infra/kafka/pom.xml``.

    ``$ALIGNWATCH_REPO_ROOT`` wins; then this file's checkout (editable install, the normal
    ``uv sync`` case); then the current directory and its parents.
    """
    env = os.environ.get("ALIGNWATCH_REPO_ROOT")
    candidates: list[Path] = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2])
    cwd = Path.cwd().resolve()
    candidates.extend([cwd, *cwd.parents])
    for cand in candidates:
        if (cand / "infra" / "kafka" / "pom.xml").is_file():
            return cand
    raise KafkaStartError(
        "cannot find infra/kafka/pom.xml; set ALIGNWATCH_REPO_ROOT to the alignwatch checkout"
    )


def _kafka_dir(repo_root: Path | str | None) -> Path:
    root = Path(repo_root) if repo_root is not None else default_repo_root()
    return root / "infra" / "kafka"


def _pom_hash(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _stamp_ok(lib: Path, pom_hash: str) -> bool:
    try:
        stamp = json.loads((lib / _STAMP_NAME).read_text())
    except (OSError, ValueError):
        return False
    if stamp.get("pom_sha256") != pom_hash:
        return False
    jars = stamp.get("jars") or []
    return bool(jars) and all((lib / j).is_file() for j in jars)


def ensure_jars(repo_root: Path | str | None = None, *, quiet: bool = True) -> Path:
    """Return ``infra/kafka/lib``, first running Maven if it is missing or incomplete.

    A stamp file keyed by the pom's sha256 (plus the list of jars it produced) marks a
    complete fetch; a changed pom wipes the old jars. Safe to call from parallel processes
    (flock). Raises :class:`KafkaStartError` if ``mvn`` is missing or fails.
    """
    kdir = _kafka_dir(repo_root)
    pom = kdir / "pom.xml"
    lib = kdir / "lib"
    pom_hash = _pom_hash(pom)
    if _stamp_ok(lib, pom_hash):
        return lib
    lib.mkdir(parents=True, exist_ok=True)
    with open(lib / _LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _stamp_ok(lib, pom_hash):  # another process fetched while we waited
                return lib
            mvn = shutil.which("mvn")
            if mvn is None:
                raise KafkaStartError(
                    "Maven ('mvn') is not on PATH; it is needed once to fetch the Kafka jars "
                    "(apt-get install -y maven openjdk-17-jre-headless)"
                )
            for old in [*lib.glob("*.jar"), *lib.glob("*.jsa")]:
                old.unlink()
            (lib / _STAMP_NAME).unlink(missing_ok=True)
            cmd = [
                mvn,
                "-B",
                *(["-q"] if quiet else []),
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={lib}",
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise KafkaStartError(
                    f"{' '.join(cmd)} failed (exit {proc.returncode}):\n"
                    + _tail_text(proc.stdout + proc.stderr, 60)
                )
            jars = sorted(p.name for p in lib.glob("*.jar"))
            if not any(j.startswith(f"kafka_2.13-{KAFKA_VERSION}") for j in jars):
                raise KafkaStartError(f"Maven ran but {lib} has no kafka_2.13-{KAFKA_VERSION}.jar")
            tmp = lib / (_STAMP_NAME + ".tmp")
            tmp.write_text(json.dumps({"pom_sha256": pom_hash, "jars": jars}, indent=1))
            tmp.replace(lib / _STAMP_NAME)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return lib


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaStartError(
            "Java ('java') is not on PATH; Kafka 4.1 needs Java 17+ "
            "(apt-get install -y openjdk-17-jre-headless)"
        )
    return java


def _cds_archive(lib: Path, java: str) -> Path | None:
    """Where the AppCDS archive of the broker's classes lives (``None``: CDS disabled).

    Class-data sharing cuts a broker start from ~2.7 s to ~1.7 s. The first graceful stop of a
    broker dumps the archive (``-XX:ArchiveClassesAtExit``); later starts map it. The name is
    keyed by the JVM build and the jar set, so a JDK upgrade or pom change makes a new one
    (a stale archive would only be ignored by the JVM anyway: ``-Xshare:auto``).
    Set ``ALIGNWATCH_KAFKA_CDS=0`` to disable.
    """
    if os.environ.get("ALIGNWATCH_KAFKA_CDS", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    real = Path(os.path.realpath(java))
    libjvm = real.parent.parent / "lib" / "server" / "libjvm.so"
    probe = libjvm if libjvm.is_file() else real
    try:
        stamp = (lib / _STAMP_NAME).read_text()
        key = f"{probe}:{probe.stat().st_mtime_ns}:{probe.stat().st_size}:{stamp}"
    except OSError:
        return None
    return lib / f"kafka-cds-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsa"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 random bytes, base64url without padding (like
    ``kafka-storage random-uuid``; ids starting with '-' are avoided as Kafka does)."""
    while True:
        raw = uuid.uuid4().bytes
        cid = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
        if not cid.startswith("-"):
            return cid


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _free_port() -> int:
    """A currently free loopback port *below* the kernel's ephemeral range.

    Ports from ``bind(0)`` are ephemeral ones, which any outgoing connection (e.g. a client
    retrying while the broker is down for a restart) may take as its local port, making the
    restart fail with "Address already in use". Random picks below the range avoid that.
    """
    low, _high = _ephemeral_range()
    rng = random.SystemRandom()
    if low > 12000:
        for _ in range(200):
            port = rng.randrange(10000, low)
            if _port_free(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail_file(path: Path, lines: int = 40, max_bytes: int = 64 * 1024) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(missing)"
    return _tail_text(data, lines) or "(empty)"


def _split_bootstrap(bootstrap: str) -> tuple[str, int]:
    first = bootstrap.split(",", maxsplit=1)[0].strip()
    host, _, port = first.rpartition(":")
    return (host or "127.0.0.1").strip("[]"), int(port)


def _metadata_probe(host: str, port: int, timeout: float) -> list[int]:
    """Send a Metadata v4 request (no topics) and return the node ids of the brokers listed.

    Kafka only processes requests once the broker is fully started (caught up with the
    metadata log and unfenced), so a non-empty answer means "ready". Raises OSError/ValueError
    on any failure.
    """
    client_id = b"alignwatch-probe"
    correlation_id = 0x5A17
    # header v1: api_key=3 (Metadata), api_version=4, correlation_id, client_id (int16 string)
    # body v4: topics = empty array (int32 0), allow_auto_topic_creation = false
    payload = struct.pack(">hhih", 3, 4, correlation_id, len(client_id)) + client_id
    payload += struct.pack(">ib", 0, 0)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(struct.pack(">i", len(payload)) + payload)
        size = struct.unpack(">i", _recv_exact(s, 4))[0]
        if not 0 < size < 10_000_000:
            raise ValueError(f"bad response size {size}")
        body = _recv_exact(s, size)
    corr, _throttle, n_brokers = struct.unpack_from(">iii", body, 0)
    if corr != correlation_id:
        raise ValueError("correlation id mismatch")
    off = 12
    nodes = []
    for _ in range(n_brokers):
        node_id, host_len = struct.unpack_from(">ih", body, off)
        off += 6 + host_len + 4  # node_id+len, host, port
        (rack_len,) = struct.unpack_from(">h", body, off)
        off += 2 + max(rack_len, 0)
        nodes.append(node_id)
    return nodes


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        buf += chunk
    return bytes(buf)


def broker_is_up(bootstrap: str, timeout: float = 2.0) -> bool:
    """True if the broker at ``bootstrap`` ("host:port") answers a Metadata request."""
    host, port = _split_bootstrap(bootstrap)
    try:
        return bool(_metadata_probe(host, port, timeout))
    except (OSError, ValueError, struct.error):
        return False


def wait_for_broker(bootstrap: str, timeout: float = 60.0) -> None:
    """Block until :func:`broker_is_up`, or raise ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not broker_is_up(bootstrap):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Kafka broker at {bootstrap} not answering after {timeout:.0f}s")
        time.sleep(0.2)


def create_topic(
    bootstrap: str,
    name: str,
    partitions: int = 1,
    *,
    configs: Mapping[str, str] | None = None,
    exist_ok: bool = False,
    timeout_s: float = 30.0,
) -> str:
    """Create ``name`` (replication factor 1) and wait until every partition has a leader.

    ``configs`` are topic-level configs, e.g. ``{"max.message.bytes": "8388608"}``.
    Returns the topic name.
    """
    from kafka import KafkaAdminClient  # noqa: PLC0415  (lazy: keep this module stdlib-only)
    from kafka.errors import TopicAlreadyExistsError  # noqa: PLC0415

    timeout_ms = int(timeout_s * 1000)
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="alignwatch-create-topic",
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
    )
    try:
        spec = {"num_partitions": partitions, "replication_factor": 1, "configs": dict(configs or {})}
        try:
            admin.create_topics({name: spec}, timeout_ms=timeout_ms)
        except TopicAlreadyExistsError:
            if not exist_ok:
                raise
        admin.wait_for_topics([name], timeout_ms=timeout_ms)
    finally:
        admin.close()
    return name


# --------------------------------------------------------------------------------------------
# The broker
# --------------------------------------------------------------------------------------------

_LIVE: weakref.WeakSet[LocalKafka] = weakref.WeakSet()


@atexit.register
def _stop_all_at_exit() -> None:
    for broker in list(_LIVE):
        with contextlib.suppress(Exception):
            broker.close(timeout=10)


try:  # resolved in the parent: the preexec hook between fork and exec should do no loading
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: the JVM gets SIGTERM if we die


class LocalKafka:
    """A real single-node Kafka broker in a subprocess.

    >>> with LocalKafka() as kafka:            # fresh temp data dir, random free ports
    ...     produce_to(kafka.bootstrap)       # "127.0.0.1:PORT"
    ...     kafka.restart()                   # same dir + ports: topics and offsets survive

    ``data_dir=None`` makes a temp dir that :meth:`close` deletes (unless ``keep_data``).
    A given ``data_dir`` is created if needed and *reused* if it already holds a formatted
    broker (topics persist across runs; ``fresh=True`` wipes it first). Ports are picked free
    on 127.0.0.1 unless given; a reused data dir prefers the ports it had last time.

    Methods: :meth:`start`, :meth:`stop` (SIGTERM, then SIGKILL after ``timeout``),
    :meth:`kill` (SIGKILL), :meth:`restart` (``kill=True`` for a crash-restart),
    :meth:`pause`/:meth:`resume` (SIGSTOP/SIGCONT: a hung broker), :meth:`close`.
    Used as a context manager it starts on enter (if not running) and closes on exit.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        port: int | None = None,
        controller_port: int | None = None,
        repo_root: str | Path | None = None,
        heap: str = "512m",
        startup_timeout: float = 60.0,
        extra_config: Mapping[str, object] | None = None,
        format_args: Sequence[str] = (),
        fresh: bool = False,
        keep_data: bool | None = None,
    ) -> None:
        self._kafka_dir = _kafka_dir(repo_root)
        self._repo_root = self._kafka_dir.parent.parent
        self._owns_dir = data_dir is None
        if data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="alignwatch-kafka-"))
        else:
            self.data_dir = Path(data_dir).resolve()
            if fresh and self.data_dir.exists():
                shutil.rmtree(self.data_dir)
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self.keep_data = (not self._owns_dir) if keep_data is None else keep_data
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.extra_config = dict(extra_config or {})
        # Extra ``kafka-storage format`` arguments, e.g. ["--add-scram", "SCRAM-SHA-512=[name=u,password=p]"];
        # only used when the data dir is formatted (its first start).
        self.format_args = list(format_args)
        self._fixed_ports = port is not None or controller_port is not None
        self._ports_locked = False
        state = self._read_state()
        self.port: int = port or self._reusable(state.get("plaintext_port")) or _free_port()
        self.controller_port: int = (
            controller_port or self._reusable(state.get("controller_port")) or _free_port()
        )
        while self.controller_port == self.port:
            self.controller_port = _free_port()
        self.cluster_id: str | None = state.get("cluster_id")
        self._proc: subprocess.Popen[bytes] | None = None
        self._out_fh = None
        self._cds_dump: tuple[Path, Path] | None = None  # (temp dump, final archive)
        self._lock = threading.RLock()
        self.start_seconds: float | None = None  # wall time of the last successful start()

    # -- properties -----------------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        """``"127.0.0.1:PORT"`` for ``bootstrap_servers``."""
        return f"127.0.0.1:{self.port}"

    @property
    def log_dir(self) -> Path:
        """Kafka's ``log.dirs`` (partition data and the KRaft metadata log)."""
        return self.data_dir / _KAFKA_LOG_SUBDIR

    @property
    def config_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def stdout_path(self) -> Path:
        return self.data_dir / "broker.out"

    @property
    def server_log_path(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """Tail of the JVM output and of server.log (plus its last ERROR/FATAL/"Caused by"
        lines, which stack traces would otherwise push out), for error messages."""
        server_tail = _tail_file(self.server_log_path, 2000)
        key = [
            ln
            for ln in server_tail.splitlines()
            if " ERROR " in ln or " FATAL " in ln or ln.startswith("Caused by:")
        ][-12:]
        text = f"--- {self.stdout_path} ---\n{_tail_file(self.stdout_path, lines)}\n"
        if key:
            text += f"--- {self.server_log_path} (errors) ---\n" + "\n".join(key) + "\n"
        return text + f"--- {self.server_log_path} ---\n{_tail_text(server_tail, lines)}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> LocalKafka:
        """Fetch jars if needed, format the data dir on first use, launch the JVM and block
        until the broker answers (or raise :class:`KafkaStartError` with the log tail)."""
        with self._lock:
            if self.is_running():
                return self
            t0 = time.monotonic()
            lib = ensure_jars(self._repo_root)
            # Fresh auto-picked ports may be raced for by another process: retry with new ones.
            # Never after a first successful start: restart() must keep the bootstrap address.
            attempts = 1 if self._fixed_ports or self._ports_locked else 3
            for attempt in range(1, attempts + 1):
                try:
                    self._write_config()
                    if not self._formatted():
                        self._format(lib)
                    self._launch(lib)
                    self._wait_ready()
                    break
                except KafkaStartError as exc:
                    self._reap()
                    if attempt < attempts and "Address already in use" in str(exc):
                        self.port, self.controller_port = _free_port(), _free_port()
                        continue
                    raise
            self._ports_locked = True
            self._write_state()
            _LIVE.add(self)
            self.start_seconds = time.monotonic() - t0
            return self

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful stop: SIGTERM, then SIGKILL if the JVM is still alive after ``timeout``."""
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGCONT)  # in case it was pause()d
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                    self._promote_cds_dump()
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    proc.wait()
            self._reap()

    def kill(self) -> None:
        """Crash the broker: SIGKILL, no controlled shutdown (the next start recovers logs)."""
        with self._lock:
            proc = self._proc
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                proc.wait()
            self._reap()

    def pause(self) -> None:
        """Freeze the JVM (SIGSTOP): a hung broker; connections stay open but nothing answers."""
        with self._lock:
            if self.is_running():
                assert self._proc is not None
                self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Undo :meth:`pause` (SIGCONT)."""
        with self._lock:
            if self.is_running():
                assert self._proc is not None
                self._proc.send_signal(signal.SIGCONT)

    def restart(self, *, kill: bool = False, down_seconds: float = 0.0) -> LocalKafka:
        """Stop (or ``kill``) and start again with the same data dir and ports, so topics,
        data and committed offsets survive. ``down_seconds`` keeps it down that long."""
        with self._lock:
            if kill:
                self.kill()
            else:
                self.stop()
            if down_seconds > 0:
                time.sleep(down_seconds)
            return self.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the broker and delete the data dir if it is a temp dir we made."""
        self.stop(timeout=timeout)
        _LIVE.discard(self)
        if not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalKafka:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"LocalKafka({self.bootstrap}, {state}, data_dir={str(self.data_dir)!r})"

    # -- internals --------------------------------------------------------------------------

    def _reusable(self, port: object) -> int | None:
        if isinstance(port, int) and 0 < port < 65536 and _port_free(port):
            return port
        return None

    def _read_state(self) -> dict:
        try:
            return json.loads((self.data_dir / "broker.json").read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self) -> None:
        state = {
            "plaintext_port": self.port,
            "controller_port": self.controller_port,
            "cluster_id": self.cluster_id,
            "bootstrap": self.bootstrap,
            "pid": self.pid,
            "kafka_version": KAFKA_VERSION,
        }
        tmp = self.data_dir / "broker.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.data_dir / "broker.json")

    def _formatted(self) -> bool:
        return (self.log_dir / "meta.properties").is_file()

    def _write_config(self) -> None:
        text = (self._kafka_dir / "server.properties.template").read_text()
        for key, value in {
            "NODE_ID": NODE_ID,
            "PLAINTEXT_PORT": self.port,
            "CONTROLLER_PORT": self.controller_port,
            "LOG_DIR": self.log_dir,
        }.items():
            text = text.replace("{{" + key + "}}", str(value))
        if any("{{" in line for line in text.splitlines() if not line.lstrip().startswith("#")):
            raise KafkaStartError(f"unrendered placeholder left in {self.config_path}")
        if self.extra_config:
            text += "\n# extra_config from LocalKafka(...)\n"
            text += "".join(f"{k}={v}\n" for k, v in self.extra_config.items())
        self.config_path.write_text(text)

    def _format(self, lib: Path) -> None:
        if self.cluster_id is None:
            self.cluster_id = new_cluster_id()
        cmd = [
            _java(),
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            *self._cds_args(lib, dump=False),
            f"-Dlog4j2.configurationFile={self._kafka_dir / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp",
            str(lib / "*"),
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            self.cluster_id,
            "--config",
            str(self.config_path),
            *self.format_args,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=self.data_dir)
        if proc.returncode != 0 or not self._formatted():
            raise KafkaStartError(
                f"kafka-storage format failed (exit {proc.returncode}) for {self.log_dir}:\n"
                + _tail_text(proc.stdout + proc.stderr, 40)
            )

    def _cds_args(self, lib: Path, *, dump: bool) -> list[str]:
        archive = _cds_archive(lib, _java())
        if archive is None:
            return []
        quiet = "-Xlog:cds=off,cds+dynamic=off"
        if archive.is_file():
            return ["-Xshare:auto", f"-XX:SharedArchiveFile={archive}", quiet]
        if not dump:
            return []
        tmp = archive.with_name(f"{archive.name}.{os.getpid()}.{id(self):x}.tmp")
        self._cds_dump = (tmp, archive)
        return [f"-XX:ArchiveClassesAtExit={tmp}", quiet]

    def _promote_cds_dump(self) -> None:
        """After a *graceful* JVM exit, publish the class archive it dumped (atomic rename)."""
        if self._cds_dump is None:
            return
        tmp, archive = self._cds_dump
        self._cds_dump = None
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_size > 0:
                tmp.replace(archive)
        tmp.unlink(missing_ok=True)

    def _jvm_args(self) -> list[str]:
        return [
            f"-Xms{min(self.heap, '256m', key=_heap_bytes)}",
            f"-Xmx{self.heap}",
            # Serial GC: fewest threads on a 2-core box; pauses are tiny with a small heap.
            # No -XX:TieredStopAtLevel=1: it saved only ~0.3 s of a ~3 s start (measured) and
            # would cost steady-state throughput in benchmarks.
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={self.data_dir}",
            f"-Dlog4j2.configurationFile={self._kafka_dir / 'log4j2.xml'}",
        ]

    def _launch(self, lib: Path) -> None:
        self._out_fh = open(self.stdout_path, "ab")  # noqa: SIM115 (closed in _reap)
        self._out_fh.write(
            f"\n=== start {time.strftime('%Y-%m-%dT%H:%M:%S')} {self.bootstrap} ===\n".encode()
        )
        self._out_fh.flush()
        cmd = [
            _java(),
            *self._jvm_args(),
            *self._cds_args(lib, dump=True),
            "-cp",
            str(lib / "*"),
            "kafka.Kafka",
            str(self.config_path),
        ]
        in_main = threading.current_thread() is threading.main_thread()
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.data_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._out_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal must not hit the JVM directly
            # PDEATHSIG fires when the *thread* that forked exits, so only from the main thread.
            preexec_fn=_die_with_parent if (in_main and _PRCTL is not None) else None,  # noqa: PLW1509
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise KafkaStartError(
                    f"Kafka broker exited with code {code} before becoming ready "
                    f"(data dir {self.data_dir}):\n{self.log_tail()}"
                )
            try:
                if NODE_ID in _metadata_probe("127.0.0.1", self.port, timeout=2.0):
                    return
            except (OSError, ValueError, struct.error):
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise KafkaStartError(
                    f"Kafka broker on {self.bootstrap} not ready after {self.startup_timeout:.0f}s "
                    f"(data dir {self.data_dir}):\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def _reap(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            self._proc.wait()
        self._proc = None
        if self._cds_dump is not None:  # not promoted => possibly partial: drop it
            self._cds_dump[0].unlink(missing_ok=True)
            self._cds_dump = None
        if self._out_fh is not None:
            with contextlib.suppress(OSError):
                self._out_fh.close()
            self._out_fh = None


class ExternalKafka:
    """A broker someone else runs (e.g. ``$KAFKA_BOOTSTRAP_SERVERS``): same ``.bootstrap``
    attribute as :class:`LocalKafka`, but lifecycle calls raise, since we do not own it."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    def is_running(self) -> bool:
        return broker_is_up(self.bootstrap)

    def _not_ours(self, *_args: object, **_kwargs: object) -> None:
        raise RuntimeError(
            f"Kafka at {self.bootstrap} is external (KAFKA_BOOTSTRAP_SERVERS); it cannot be "
            "stopped/killed/restarted from tests. Use LocalKafka() for fault tests."
        )

    start = stop = kill = restart = pause = resume = _not_ours

    def close(self) -> None:
        """Nothing to do: we do not own the broker."""

    def __repr__(self) -> str:
        return f"ExternalKafka({self.bootstrap})"


def _heap_bytes(spec: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    spec = spec.strip().lower()
    if spec and spec[-1] in units:
        return int(spec[:-1]) * units[spec[-1]]
    return int(spec)


# --------------------------------------------------------------------------------------------
# CLI (infra/kafka/broker.py is a thin wrapper around main())
# --------------------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    stop_requested = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    with contextlib.suppress(AttributeError):
        signal.signal(signal.SIGHUP, _on_signal)

    broker = LocalKafka(
        args.data_dir,
        port=args.port,
        controller_port=args.controller_port,
        heap=args.heap,
        startup_timeout=args.timeout,
        fresh=args.fresh,
        keep_data=args.data_dir is not None,
    )
    bootstrap_file = broker.data_dir / "bootstrap.txt"
    try:
        try:
            broker.start()
        except KafkaStartError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 1
        if stop_requested.is_set():
            return 0
        bootstrap_file.write_text(broker.bootstrap + "\n")
        print(
            f"# Kafka {KAFKA_VERSION} up in {broker.start_seconds:.1f}s, data dir {broker.data_dir}, "
            f"pid {broker.pid}",
            file=sys.stderr,
            flush=True,
        )
        print(f"KAFKA_BOOTSTRAP_SERVERS={broker.bootstrap}", flush=True)
        while not stop_requested.wait(0.5):
            if not broker.is_running():
                print(f"error: Kafka broker died:\n{broker.log_tail()}", file=sys.stderr, flush=True)
                return 1
        return 0
    finally:
        bootstrap_file.unlink(missing_ok=True)
        broker.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="infra/kafka/broker.py",
        description=f"Local single-node Apache Kafka {KAFKA_VERSION} (KRaft) for alignwatch.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="only fetch the Kafka jars into infra/kafka/lib (needs mvn)")
    start = sub.add_parser(
        "start",
        help="run a broker in the foreground until SIGINT/SIGTERM; prints "
        "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT on stdout once ready",
    )
    start.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="persistent data dir (reused if formatted); default: a temp dir",
    )
    start.add_argument("--port", type=int, default=None, help="client port (default: free port)")
    start.add_argument("--controller-port", type=int, default=None)
    start.add_argument("--fresh", action="store_true", help="wipe --data-dir first")
    start.add_argument("--heap", default="512m", help="JVM max heap (default 512m)")
    start.add_argument("--timeout", type=float, default=90.0, help="startup timeout, seconds")
    args = parser.parse_args(argv)

    if args.command == "fetch":
        try:
            lib = ensure_jars(quiet=False)
        except KafkaStartError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(lib)
        return 0
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
