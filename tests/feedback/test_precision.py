"""Detector precision from verdicts: Wilson intervals, sampling weights, partial confirmations."""

import polars as pl
import pytest

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.precision import detector_precision, precision_table, wilson_interval
from warehouse.feedback.reviews import NewVerdict, Verdict, record_verdicts
from warehouse.feedback.sampling import refresh_review_queue


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        # textbook value (Wilson 1927 / Newcombe 1998 table): 8 of 10
        (8, 10, (0.4902, 0.9433)),
        # all confirmed: the upper bound is 1 but the lower one is far from it with few reviews
        (5, 5, (0.5655, 1.0)),
        # nothing reviewed: no information
        (0, 0, (0.0, 1.0)),
    ],
)
def test_wilson_interval(successes, n, expected):
    lower, upper = wilson_interval(successes, n)
    assert (lower, upper) == (pytest.approx(expected[0], abs=1e-4), pytest.approx(expected[1], abs=1e-4))


def test_weights_shift_the_estimate_and_shrink_the_effective_sample():
    flags = pl.DataFrame(
        {
            "detector": ["d"] * 4,
            "detector_version": ["1"] * 4,
            "confirmed": [True, True, False, False],
            "weight": [9.0, 9.0, 1.0, 1.0],
        }
    )
    (row,) = precision_table(flags).iter_rows(named=True)
    assert row["precision"] == pytest.approx(0.9)  # 18 / 20, not the unweighted 0.5
    assert row["effective_n"] == pytest.approx(20**2 / 164)
    assert row["lower"] < 0.9 < row["upper"]


def test_precision_per_detector_version_from_verdicts(tmp_path):
    docs = [
        transcript("a", "Q one about the weather", "A FAIL:sycophancy:medium FAIL:fabrication:medium"),
        transcript("b", "Q two about my invoice", "B FAIL:sycophancy:medium"),
        transcript("c", "Q three about rust traits", "C FAIL:fabrication:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    refresh_review_queue(warehouse, NOW)
    case = {r["representative_transcript_id"]: r["case_id"] for r in load_cases(warehouse).iter_rows(named=True)}
    record_verdicts(
        warehouse,
        [
            # the reviewer confirms the case but only the sycophancy flag: fabrication was a false positive
            NewVerdict(case["a"], Verdict.CONFIRMED, "ann", confirmed_detectors=("sycophancy",)),
            NewVerdict(case["b"], Verdict.CONFIRMED, "ann"),
            NewVerdict(case["c"], Verdict.DISMISSED, "ann"),
        ],
        NOW,
    )
    table = {r["detector"]: r for r in detector_precision(warehouse).iter_rows(named=True)}
    assert (table["sycophancy"]["reviewed"], table["sycophancy"]["confirmed"]) == (2, 2)
    assert (table["fabrication"]["reviewed"], table["fabrication"]["confirmed"]) == (2, 0)
    assert table["fabrication"]["precision"] == 0.0 and table["fabrication"]["upper"] < 1.0
    assert table["sycophancy"]["detector_version"] == "1.0.0"
