"""Detector quality must not regress: a deterministic sample of every adapter, against detectors/quality.json.

The baseline is written by ``uv run python -m benchmarks.quality.run --sample 150`` (run key
``sample_150``), so this test compares like with like: the same cases, scored the same way. A
(detector, dataset, slice, labels) score may not fall more than 5 points below it. New adapters
(either detector team's) are picked up automatically; until their baseline is recorded they are
only reported.
"""

from __future__ import annotations

import json
import warnings

import pytest

from benchmarks.quality.common import shared_datasets_dir
from benchmarks.quality.run import QUALITY_JSON, evaluate, run_key_for

SAMPLE = 150
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def measured() -> dict[str, dict]:
    if not shared_datasets_dir().is_dir():
        pytest.skip(f"shared datasets not found at {shared_datasets_dir()} (set ALIGNWATCH_SHARED_DATASETS)")
    return evaluate(SAMPLE, None)


def test_no_quality_regression(measured):
    baseline = json.loads(QUALITY_JSON.read_text())["runs"][run_key_for(SAMPLE)]["metrics"]
    drops = []
    for key, values in measured.items():
        before = baseline.get(key, {}).get("regression_score")
        now = values["regression_score"]
        if before is not None and (now is None or now < before - TOLERANCE):
            drops.append(f"{key}: {before:.3f} -> {now if now is None else round(now, 3)}")
    unbaselined = sorted(set(measured) - set(baseline))
    if unbaselined:
        warnings.warn(f"no baseline yet for {len(unbaselined)} slices, e.g. {unbaselined[:3]}", stacklevel=1)
    assert not drops, "quality fell more than 5 points below detectors/quality.json:\n" + "\n".join(drops)


def test_every_baselined_slice_is_still_measured(measured):
    # A silently vanished adapter or slice would make the check above pass vacuously.
    baseline = json.loads(QUALITY_JSON.read_text())["runs"][run_key_for(SAMPLE)]["metrics"]
    missing = sorted(set(baseline) - set(measured))
    assert not missing, f"slices in the baseline but no longer measured: {missing[:10]}"
