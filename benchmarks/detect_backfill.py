"""Scoring a backfill of several event days: one process for all days, then one process per day, N at a time.

    uv run python benchmarks/detect_backfill.py [--days 4] [--per-day 10000] [--workers 2]

Builds a lake of simulated traffic spread over ``--days`` UTC days (the production path: validate ->
Parquet), then scores it twice with every detector: sequentially in one process (``score_pending`` over
all days, as a single run would), and with ``--workers`` processes each taking one day at a time (what a
Dagster backfill of the partitioned ``detections`` asset does: one run per day, run queue allowing N).
Wall-clock time is what a backfill waits for, so the machine should be otherwise idle. The last line is
machine-readable: ``days=<d> transcripts=<n> sequential_s=<s> parallel_s=<p> speedup=<x>``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from any folder

from detectors.registry import all_detectors  # noqa: E402
from pipelines.detect.scoring import score_pending  # noqa: E402
from pipelines.simulate import SimulationConfig, generate  # noqa: E402
from warehouse.detections import transcript_days  # noqa: E402
from warehouse.lake import write_batch  # noqa: E402
from warehouse.layout import LakeLayout  # noqa: E402
from warehouse.query import Warehouse  # noqa: E402
from warehouse.records import RawMessage, validate_batch  # noqa: E402

_BATCH = 5_000


def build_lake(root: Path, days: int, per_day: int) -> int:
    """Simulated traffic over ``days`` days ending at midnight of 2026-11-01; returns transcripts written."""
    end = datetime(2026, 11, 1, tzinfo=UTC)
    config = SimulationConfig(
        transcripts=days * per_day, days=float(days), seed=11, bad_message_rate=0.0, duplicate_rate=0.0
    )
    messages = [RawMessage("bench", 0, i, m.key, m.value) for i, m in enumerate(generate(config, end))]
    layout = LakeLayout(root)
    written = 0
    for start in range(0, len(messages), _BATCH):
        batch = validate_batch(messages[start : start + _BATCH], end)
        written += batch.transcripts.num_rows
        write_batch(layout, batch)
    return written


def score_day(root: str, day: date) -> int:
    return score_pending(Warehouse(LakeLayout(Path(root))), all_detectors(), days=[day]).transcripts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="alignwatch-backfill-"))
    try:
        source = work / "source"
        transcripts = build_lake(source, args.days, args.per_day)
        days = transcript_days(Warehouse(LakeLayout(source)))
        print(f"lake: {transcripts} transcripts over {len(days)} event days ({days[0]} .. {days[-1]})")

        sequential = work / "sequential"
        shutil.copytree(source, sequential)
        started = time.perf_counter()
        scored = score_pending(Warehouse(LakeLayout(sequential)), all_detectors()).transcripts
        sequential_s = time.perf_counter() - started
        print(f"one process, all days:        {sequential_s:7.1f} s  ({scored} transcripts)")

        parallel = work / "parallel"
        shutil.copytree(source, parallel)
        started = time.perf_counter()
        # Each worker gets its share of the cores (as runs on separate machines would), set before
        # the spawned child imports polars and DuckDB.
        os.environ["POLARS_MAX_THREADS"] = str(max(1, (os.cpu_count() or 1) // args.workers))
        # spawn: forking a parent that already ran DuckDB and polars threads can deadlock the child.
        with ProcessPoolExecutor(
            max_workers=args.workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            per_day = list(pool.map(score_day, [str(parallel)] * len(days), days))
        parallel_s = time.perf_counter() - started
        print(f"{args.workers} processes, a day each:    {parallel_s:7.1f} s  ({sum(per_day)} transcripts)")
        if sum(per_day) != scored:
            raise SystemExit(f"the two runs scored different counts: {scored} vs {sum(per_day)}")
        speedup = sequential_s / parallel_s
        print(
            f"days={len(days)} transcripts={scored} sequential_s={sequential_s:.1f} "
            f"parallel_s={parallel_s:.1f} speedup={speedup:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
