"""The drift aggregation counts each transcript once, with its detector's latest version only."""

import json
from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa

from warehouse.detections import write_detections
from warehouse.drift.aggregate import rate_bins, sample_transcripts
from warehouse.drift.windows import TimeRange
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch

DAY = datetime(2026, 3, 10, tzinfo=UTC)
CURRENT = TimeRange(DAY, DAY + timedelta(days=1))
REFERENCE = TimeRange(DAY - timedelta(days=1), DAY)


def transcript(tid: str, created_at: datetime, model: str = "m1") -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "transcript_id": tid,
            "created_at": created_at.isoformat().replace("+00:00", "Z"),
            "model": model,
            "deployment": "support-bot",
            "policy_id": "acme-support-v1",
            "messages": [{"role": "user", "content": f"question {tid}"}, {"role": "assistant", "content": "answer"}],
        }
    ).encode()


def detection_rows(pairs: list[tuple[str, str, str, bool]], scored_at: datetime) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {"transcript_id": t, "detector": d, "detector_version": v, "flagged": f, "score": float(f),
             "severity": "medium" if f else "low", "evidence": None, "scored_at": scored_at}
            for t, d, v, f in pairs
        ]
    )


def build(tmp_path) -> Warehouse:
    layout = LakeLayout(tmp_path / "lake")
    values = [transcript(f"r{i}", DAY - timedelta(hours=12)) for i in range(4)]
    values += [transcript(f"c{i}", DAY + timedelta(hours=3, minutes=i), model="m2") for i in range(4)]
    values.append(transcript("c0", DAY + timedelta(hours=3)))  # an at-least-once re-delivery of c0
    values.append(transcript("late", DAY + timedelta(days=1, hours=1)))  # after the window: ignored
    write_batch(layout, validate_batch([RawMessage("t", 0, i, None, v) for i, v in enumerate(values)], DAY))
    first, later = DAY + timedelta(days=1, hours=2), DAY + timedelta(days=1, hours=5)
    old = [(t, "off_policy", "1", True) for t in ("r0", "r1", "r2", "r3", "c0", "c1", "c2", "c3")]
    write_detections(layout, detection_rows(old, first), "run-old", first.date())
    # Version 2 of the detector flags fewer reference transcripts; c1 is scored twice by it.
    new = [("r0", True), ("r1", False), ("r2", False), ("r3", False), ("c0", True), ("c1", True), ("c2", True), ("c3", False)]
    write_detections(layout, detection_rows([(t, "off_policy", "2", f) for t, f in new], later), "run-new", later.date())
    write_detections(layout, detection_rows([("c1", "off_policy", "2", True)], later), "run-dup", later.date())
    return Warehouse(layout)


def test_rate_bins_dedup_and_latest_version(tmp_path):
    bins = rate_bins(build(tmp_path), CURRENT, REFERENCE)
    assert set(bins["detector_version"]) == {"2"}
    totals = {side: (g["scored"].sum(), g["flagged"].sum()) for (side,), g in bins.group_by("side")}
    assert totals == {"reference": (4, 1), "current": (4, 3)}
    current = bins.filter(pl.col("side") == "current")
    assert set(current["model"]) == {"m2"}
    assert current["bin"].to_list() == [DAY + timedelta(hours=3)]
    assert current["first_at"].min() == DAY + timedelta(hours=3)


def test_sample_is_deterministic_and_bounded(tmp_path):
    warehouse = build(tmp_path)
    sizes = pl.DataFrame(
        {"deployment": ["support-bot"] * 2, "policy_id": ["acme-support-v1"] * 2, "side": ["current", "reference"], "transcripts": [4, 4]}
    )
    everything = sample_transcripts(warehouse, CURRENT, REFERENCE, sizes, per_side=10)
    assert sorted(everything.column("transcript_id").to_pylist()) == ["c0", "c1", "c2", "c3", "r0", "r1", "r2", "r3"]
    some = sample_transcripts(warehouse, CURRENT, REFERENCE, sizes, per_side=2)
    again = sample_transcripts(warehouse, CURRENT, REFERENCE, sizes, per_side=2)
    assert some.column("transcript_id").to_pylist() == again.column("transcript_id").to_pylist()
    assert some.num_rows < everything.num_rows
