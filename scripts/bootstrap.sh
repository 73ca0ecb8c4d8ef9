#!/usr/bin/env bash
# Installs what alignwatch needs on a fresh machine: uv, the locked Python environment, and the
# Kafka broker jars (from Maven Central into infra/kafka/lib, cached). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet
uv run --frozen python infra/kafka/broker.py fetch
