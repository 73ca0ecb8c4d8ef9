#!/usr/bin/env python3
"""Local single-node Apache Kafka (KRaft) broker for alignwatch: thin CLI wrapper.

    python infra/kafka/broker.py fetch                       # only fetch jars (needs mvn)
    python infra/kafka/broker.py start --data-dir var/kafka  # foreground until Ctrl-C/SIGTERM

``start`` prints ``KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:PORT`` on stdout (flushed) once the
broker answers, and writes the same address to ``<data-dir>/bootstrap.txt`` (removed on exit).
Diagnostics go to stderr. Standard library only: any python3 >= 3.11 runs it, no venv needed.

The logic lives in ``pipelines/testing/kafka_broker.py``; it is loaded by file path so that
importing it never runs ``pipelines/__init__.py`` or needs the project installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_MODULE = Path(__file__).resolve().parents[2] / "pipelines" / "testing" / "kafka_broker.py"


def _load():
    spec = importlib.util.spec_from_file_location("alignwatch_kafka_broker", _MODULE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {_MODULE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(_load().main())
