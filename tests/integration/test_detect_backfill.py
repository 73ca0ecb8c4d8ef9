"""A detection backfill through the real Dagster daemon and run queue: one run per day, in parallel.

The instance is ``infra/dagster/dagster.yaml`` itself, so its queue limits are what is exercised.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from detectors.registry import all_detectors
from tests.faults.support import REPO, kill_group
from tests.feedback.lake import add_transcripts, transcript
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration

# Far behind today, so the new-transcripts sensor (which watches the last few days) stays out of it.
DAYS = ("2026-01-10", "2026-01-11")
PER_DAY = 150


def _start(module: str, args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """``python -m <module> ARGS -m pipelines.definitions`` in its own process group, output to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args, "-m", "pipelines.definitions"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _backfill_runs(dagster_home: Path) -> list:
    import dagster as dg  # noqa: PLC0415 - read the instance the subprocesses write
    from dagster._core.instance.ref import InstanceRef  # noqa: PLC0415 - no public way to open one by path

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        # Only the backfill's runs: the daemon's sensor may add a heartbeat run of today's partition.
        return [
            r
            for r in instance.get_run_records()
            if r.dagster_run.job_name == "detect_job" and "dagster/backfill" in r.dagster_run.tags
        ]


def test_backfill_scores_each_day_in_its_own_run_and_the_runs_overlap(tmp_path):
    for day in DAYS:
        created = datetime.fromisoformat(f"{day}T12:00:00+00:00").astimezone(UTC)
        docs = [transcript(f"{day}-{i}", "q", "a", created_at=created) for i in range(PER_DAY)]
        add_transcripts(tmp_path, docs, first_offset=DAYS.index(day) * PER_DAY)
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(REPO / "infra" / "dagster" / "dagster.yaml", dagster_home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "ALIGNWATCH_HOME": str(tmp_path)}
    log = tmp_path / "dagster.log"

    backfill = _start(
        "dagster",
        ["job", "backfill", "-j", "detect_job", "--partitions", ",".join(DAYS), "--noprompt"],
        env,
        log,
    )
    assert backfill.wait(timeout=180) == 0, log.read_text()[-3000:]
    daemon = _start("dagster._daemon", ["run"], env, log)  # the `dagster-daemon run` command
    try:
        deadline = time.monotonic() + 240
        while True:
            runs = _backfill_runs(dagster_home)
            if len(runs) == len(DAYS) and all(r.end_time for r in runs):
                break
            assert time.monotonic() < deadline, f"runs: {[(r.dagster_run.status, r.end_time) for r in runs]}"
            time.sleep(2)
    finally:
        kill_group(daemon)

    assert {r.dagster_run.status.value for r in runs} == {"SUCCESS"}, log.read_text()[-3000:]
    assert sorted(r.dagster_run.tags["dagster/partition"] for r in runs) == list(DAYS)
    assert {r.dagster_run.tags["alignwatch/stage"] for r in runs} == {"detect"}
    # Parallel, not one after the other: each run started before the other ended.
    first, second = sorted(runs, key=lambda r: r.start_time)
    assert second.start_time < first.end_time

    scored = Warehouse(LakeLayout(tmp_path / "lake")).query(
        "SELECT strftime(dt, '%Y-%m-%d') AS day, count(DISTINCT transcript_id) AS n, count(*) AS rows "
        "FROM detections GROUP BY 1 ORDER BY 1"
    )
    assert scored.to_pylist() == [
        {"day": d, "n": PER_DAY, "rows": PER_DAY * len(all_detectors())} for d in DAYS
    ]
