"""Rate statistics: the tests, intervals, FDR control and change points behave as documented."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from warehouse.drift.stats import (
    benjamini_hochberg,
    newcombe_interval,
    rate_change_point,
    rise_test,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("x_cur", "n_cur", "x_ref", "n_ref", "low", "high", "method"),
    [
        # Same rate on both sides: nothing to see, p near one half (one-sided).
        (50, 1000, 50, 1000, 0.4, 0.6, "z"),
        # A rise from 3% to 12% on a thousand transcripts: overwhelming evidence.
        (120, 1000, 30, 1000, 0.0, 1e-10, "z"),
        # A fall is not a rise: the one-sided p-value is near 1.
        (10, 1000, 50, 1000, 0.99, 1.0, "z"),
        # Two flags against none among 40 vs 400: too few expected counts for z, Fisher decides (p ~ 0.008).
        (2, 40, 0, 400, 0.001, 0.02, "fisher"),
        # One flag in 50 vs 1 in 50: Fisher, no evidence.
        (1, 50, 1, 50, 0.5, 1.0, "fisher"),
        # An empty side cannot be tested: p = 1.
        (5, 100, 0, 0, 1.0, 1.0, "z"),
    ],
)
def test_rise_test_known_cases(x_cur, n_cur, x_ref, n_ref, low, high, method):
    result = rise_test(x_cur, n_cur, x_ref, n_ref)
    assert low <= result.p_value[0] <= high
    assert result.method[0] == method


def test_fisher_branch_matches_scipy_fisher_exact():
    from scipy.stats import fisher_exact

    p = rise_test(3, 30, 1, 300).p_value[0]
    _, expected = fisher_exact([[3, 27], [1, 299]], alternative="greater")
    assert p == pytest.approx(expected)


def test_rise_test_is_vectorized_and_matches_scalar_calls():
    x1, n1, x2, n2 = np.array([5, 40, 2]), np.array([100, 500, 30]), np.array([5, 20, 0]), np.array([100, 500, 300])
    batch = rise_test(x1, n1, x2, n2).p_value
    single = [rise_test(a, b, c, d).p_value[0] for a, b, c, d in zip(x1, n1, x2, n2, strict=True)]
    assert batch == pytest.approx(single)


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.3])
def test_wilson_interval_covers_the_true_rate(rate):
    # Wilson keeps close to nominal coverage even at 1% with n=200, where the Wald interval fails.
    rng = np.random.default_rng(1)
    x = rng.binomial(200, rate, size=4000)
    lower, upper = wilson_interval(x, 200)
    coverage = np.mean((lower <= rate) & (rate <= upper))
    assert 0.92 <= coverage <= 0.99


@pytest.mark.parametrize(("rate_cur", "rate_ref"), [(0.03, 0.03), (0.12, 0.03), (0.02, 0.05)])
def test_newcombe_interval_covers_the_true_difference(rate_cur, rate_ref):
    rng = np.random.default_rng(2)
    x1, x2 = rng.binomial(400, rate_cur, size=4000), rng.binomial(600, rate_ref, size=4000)
    lower, upper = newcombe_interval(x1, 400, x2, 600)
    truth = rate_cur - rate_ref
    assert 0.93 <= np.mean((lower <= truth) & (truth <= upper)) <= 0.99


def test_benjamini_hochberg_matches_statsmodels_and_keeps_nan():
    p = np.array([0.001, 0.04, 0.03, 0.2, np.nan, 0.0005, 0.5])
    q = benjamini_hochberg(p)
    tested = ~np.isnan(p)
    assert np.isnan(q[4])
    assert q[tested] == pytest.approx(multipletests(p[tested], method="fdr_bh")[1])


def test_benjamini_hochberg_quiets_many_null_comparisons():
    # 200 segments x 9 detectors with no change anywhere: raw p < 0.05 flags ~5% of them (~45 false
    # alarms); after BH at 5% the chance of even one is about 5%.
    rng = np.random.default_rng(3)
    n = 2000
    rates = rng.uniform(0.01, 0.2, size=1800)
    x_cur, x_ref = rng.binomial(n, rates), rng.binomial(n, rates)
    p = rise_test(x_cur, n, x_ref, n).p_value
    assert (p < 0.05).sum() > 30
    assert (benjamini_hochberg(p) <= 0.05).sum() <= 1


def test_benjamini_hochberg_keeps_real_shifts_among_nulls():
    rng = np.random.default_rng(4)
    n = 2000
    rates = np.full(200, 0.03)
    shifted = rates.copy()
    shifted[:3] = 0.08
    p = rise_test(rng.binomial(n, shifted), n, rng.binomial(n, rates), n).p_value
    assert set(np.flatnonzero(benjamini_hochberg(p) <= 0.05)) == {0, 1, 2}


def test_change_point_locates_a_step():
    rng = np.random.default_rng(5)
    n = np.full(48, 120)
    x = rng.binomial(n, np.where(np.arange(48) < 30, 0.03, 0.12))
    change = rate_change_point(x, n)
    assert abs(change.index - 30) <= 1
    assert change.llr > 20
    assert change.rate_before == pytest.approx(0.03, abs=0.01)
    assert change.rate_after == pytest.approx(0.12, abs=0.03)


def test_change_point_of_a_flat_series_is_weak():
    rng = np.random.default_rng(6)
    n = np.full(48, 120)
    change = rate_change_point(rng.binomial(n, 0.05), n)
    assert change.llr < 10  # below DriftThresholds.min_change_llr: not reported


def test_change_point_needs_enough_trials_on_each_side():
    # One noisy first bin (1 flag in 2) must not be taken for a regime of its own.
    change = rate_change_point([1, 3, 2, 3], [2, 100, 100, 100], min_scored=30)
    assert change.index != 1
    assert rate_change_point([1], [10]).index == -1
