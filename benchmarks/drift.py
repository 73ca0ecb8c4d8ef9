"""Drift benchmark: time and peak memory of one daily drift run over 10k, 100k and 1M transcripts.

Run with the project's environment: ``uv run python benchmarks/drift.py [--sizes 10000,100000,1000000]``.
For each size a lake is synthesized with that many transcripts in the window under test and as many
in the reference day before it, each scored by the nine detectors (so 1M means 2M transcripts and
18M detection rows on disk). Transcripts are resampled from real simulator output with fresh ids and
times; flags are drawn per (deployment, detector, model) with one planted shift: support-bot's
off_policy rate rises from 3% to 12% when the new model starts serving, two hours into the window.

Each drift run happens in its own process, so its peak RSS is its own; the time excludes importing
Evidently and scipy (paid once per process, and the environment may not cache bytecode), which is
printed separately. The last line is machine-readable: ``seconds_1m=<s> peak_rss_mb=<m>``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DETECTORS = (
    "sycophancy", "fabrication", "over_refusal", "harmful_compliance", "off_policy",
    "jailbreak", "pii_leak", "risky_action", "instruction_violation",
)
WINDOW_START = datetime(2026, 3, 10, tzinfo=UTC)
UPDATE_AT = WINDOW_START + timedelta(hours=2)
OLD_MODEL, NEW_MODEL = "bench-model-1", "bench-model-2"
BASE_RATE = 0.03
SHIFT = {("support-bot", "off_policy"): 0.12}
CHUNK = 100_000


def synthesize(home: Path, per_window: int, seed: int = 5) -> None:
    """Write ``per_window`` transcripts in each of the reference day and the window, with detections."""
    import numpy as np
    import pyarrow as pa

    from pipelines.simulate.traffic import SimulationConfig, generate
    from warehouse import schemas
    from warehouse.layout import LakeLayout, Table
    from warehouse.records import RawMessage, validate_batch
    from warehouse.writer import write_parquet_atomically

    layout = LakeLayout(home / "lake")
    now = datetime.now(UTC)
    simulated = generate(SimulationConfig(transcripts=3_000, bad_message_rate=0.0, duplicate_rate=0.0, seed=seed), now)
    pool = validate_batch([RawMessage("pool", 0, i, m.key, m.value) for i, m in enumerate(simulated)], now).transcripts
    rng = np.random.default_rng(seed)
    deployments = np.array(pool.column("deployment").to_pylist())
    n_detectors = len(DETECTORS)
    detector_names = pa.array(np.tile(np.array(DETECTORS), CHUNK))
    offset = 0
    for day_start in (WINDOW_START - timedelta(days=1), WINDOW_START):
        for first in range(0, per_window, CHUNK):
            k = min(CHUNK, per_window - first)
            idx = rng.integers(0, pool.num_rows, size=k)
            seconds = np.sort(rng.uniform(0, 86_400, size=k))
            created = np.datetime64(day_start.replace(tzinfo=None), "us") + (seconds * 1e6).astype("timedelta64[us]")
            new_model = created >= np.datetime64(UPDATE_AT.replace(tzinfo=None), "us")
            # Random UUIDs like production ids: sequential ids would compress (and join) unrealistically well.
            ids = np.array([str(uuid.UUID(bytes=bytes(b), version=4)) for b in rng.integers(0, 256, size=(k, 16), dtype=np.uint8)])
            rows = pool.take(pa.array(idx))
            replaced = {
                "transcript_id": pa.array(ids),
                "created_at": pa.array(created, type=schemas.UTC_TIMESTAMP),
                "model": pa.array(np.where(new_model, NEW_MODEL, OLD_MODEL)),
                "offset": pa.array(np.arange(offset, offset + k), pa.int64()),
            }
            for name, column in replaced.items():
                rows = rows.set_column(rows.schema.get_field_index(name), name, column)
            write_parquet_atomically(
                rows.cast(schemas.TRANSCRIPTS), layout.batch_file(Table.TRANSCRIPTS, day_start.date(), "bench", 0, offset, offset + k - 1)
            )
            rates = np.full((k, n_detectors), BASE_RATE)
            for (deployment, detector), rate in SHIFT.items():
                hit = (deployments[idx] == deployment) & new_model
                rates[hit, DETECTORS.index(detector)] = rate
            flagged = rng.random((k, n_detectors)) < rates
            detections = pa.table(
                {
                    "transcript_id": pa.array(np.repeat(ids, n_detectors)),
                    "detector": detector_names.slice(0, k * n_detectors),
                    "detector_version": pa.array(np.full(k * n_detectors, "bench-1")),
                    "flagged": pa.array(flagged.ravel()),
                    "score": pa.array(np.where(flagged.ravel(), 0.5, 0.0) + rng.random(k * n_detectors) * 0.5),
                    "severity": pa.array(np.where(flagged.ravel(), "medium", "low")),
                    "evidence": pa.nulls(k * n_detectors, pa.string()),
                    "scored_at": pa.array(np.full(k * n_detectors, np.datetime64(now.replace(tzinfo=None), "us")), schemas.UTC_TIMESTAMP),
                },
                schema=schemas.DETECTIONS,
            )
            write_parquet_atomically(detections, layout.run_file(Table.DETECTIONS, now.date(), f"bench-{offset:012d}"))
            offset += k


def child(home: str) -> dict:
    """One daily drift run over the synthesized lake, in this process."""
    started = time.perf_counter()
    import evidently.metrics  # noqa: F401  (import cost reported apart from the run)
    import scipy.stats  # noqa: F401

    from pipelines.drift.run import DriftOptions, compute_drift, run_metadata, write_drift
    from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind
    from warehouse.layout import LakeLayout
    from warehouse.query import Warehouse

    imported = time.perf_counter() - started
    warehouse = Warehouse(LakeLayout(Path(home) / "lake"))
    window = TimeRange(WINDOW_START, WINDOW_START + timedelta(days=1))
    options = DriftOptions(reference=ReferenceSpec(trailing=timedelta(days=1)))
    started = time.perf_counter()
    run = compute_drift(warehouse, WindowKind.DAILY, window, datetime.now(UTC), options)
    write_drift(warehouse, run)
    seconds = time.perf_counter() - started
    shifted = [
        f"{r['deployment']}/{r['subject']} {r['reference_rate']:.3f}->{r['current_rate']:.3f} z={r['statistic']:.1f} after {r['model']}"
        for r in run.detected.iter_rows(named=True)
    ]
    return {
        "seconds": seconds,
        "import_seconds": imported,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "current_transcripts": run_metadata(run)["transcripts_current"],
        "shifted": shifted,
        "html_reports": len(run.html_files),
        "stages": {stage: round(value, 1) for stage, value in run.seconds.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="transcripts per window, comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        home = Path(tempfile.mkdtemp(prefix="alignwatch-bench-drift-"))
        try:
            started = time.perf_counter()
            synthesize(home, size)
            synth = time.perf_counter() - started
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(home)], capture_output=True, text=True, check=False, cwd=ROOT
            )
            if out.returncode != 0:
                raise SystemExit(f"drift run failed for {size} transcripts:\n{out.stderr[-3000:]}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(home, ignore_errors=True)
        results[size] = result
        print(
            f"{size:>9,} transcripts/window ({result['current_transcripts']:,} in window): drift run "
            f"{result['seconds']:.1f} s (+{result['import_seconds']:.1f} s imports), peak RSS "
            f"{result['peak_rss_mb']:.0f} MB, {result['html_reports']} HTML reports; synthesized in {synth:.0f} s"
        )
        print(f"    stages (s): {result['stages']}")
        for line in result["shifted"]:
            print(f"    shifted: {line}")
    largest = results[max(results)]
    key = "1m" if max(results) == 1_000_000 else f"{max(results)}"
    print(f"seconds_{key}={largest['seconds']:.1f} peak_rss_mb={largest['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
