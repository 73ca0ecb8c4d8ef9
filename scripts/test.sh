#!/usr/bin/env bash
# The whole test suite, starting every service it needs (a real Kafka broker is started by the
# pytest session fixture; Prometheus, Alertmanager and Pushgateway binaries come from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
if [ -x infra/install-services.sh ]; then infra/install-services.sh; fi

uv run --frozen ruff check --quiet detectors warehouse pipelines dashboards benchmarks tests || { echo "ruff found problems"; exit 1; }
uv run --frozen pytest -q "$@"
