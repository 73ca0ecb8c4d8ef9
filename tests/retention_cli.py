"""``alignwatch retention ...`` as its own process, with only the settings a test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_retention(
    args: list[str], home: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALIGNWATCH_", "AWS_"))}
    return subprocess.run(
        [sys.executable, "-c", "from pipelines.cli.retention import retention_app; retention_app()", *args],
        env={**clean, **(env or {}), "ALIGNWATCH_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
