"""Pure statistics of rate drift: two-proportion tests, interval estimates, FDR control, change points.

Everything is vectorized over numpy arrays so one call tests every detector-by-segment pair of a run.
Counts are flags (``x``) out of scored transcripts (``n``); "current" is the window under test and
"reference" the baseline it is compared with. Only rises are tested (one-sided): a detector firing
less often is not an alignment regression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

# Below this many expected flags or non-flags in any cell, the normal approximation of the z-test is
# poor (the usual rule of thumb for 2x2 tables); those pairs get Fisher's exact test instead.
MIN_EXPECTED_FOR_Z = 5.0


@dataclass(frozen=True)
class ProportionTest:
    """One-sided tests of ``current rate > reference rate``, element-wise over the inputs."""

    statistic: np.ndarray  # pooled z score (also reported for rows tested with Fisher)
    p_value: np.ndarray
    method: np.ndarray  # "z" or "fisher" per element


@dataclass(frozen=True)
class ChangePoint:
    """The single most likely shift of a binomial rate in an ordered series of bins."""

    index: int  # first bin of the new regime; -1 when the series cannot be split
    llr: float  # log-likelihood ratio of two rates against one (0 when no split)
    rate_before: float
    rate_after: float


def _as_float(*arrays: object) -> list[np.ndarray]:
    return [np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in arrays]


def rise_test(x_cur: object, n_cur: object, x_ref: object, n_ref: object) -> ProportionTest:
    """Test whether the current flag rate exceeds the reference rate.

    A pooled two-proportion z-test where every cell of the 2x2 table expects at least
    ``MIN_EXPECTED_FOR_Z`` counts, else the one-sided Fisher exact test (hypergeometric tail).

    Args:
        x_cur: flagged transcripts in the current window.
        n_cur: scored transcripts in the current window.
        x_ref: flagged transcripts in the reference window.
        n_ref: scored transcripts in the reference window.

    Returns:
        z statistics, one-sided p-values and the method used, one per element. Pairs with an empty
        side get p = 1 (nothing to test).
    """
    x1, n1, x2, n2 = _as_float(x_cur, n_cur, x_ref, n_ref)
    x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
    valid = (n1 > 0) & (n2 > 0)
    safe_n1, safe_n2 = np.where(n1 > 0, n1, 1.0), np.where(n2 > 0, n2, 1.0)
    pooled = np.where(valid, (x1 + x2) / (safe_n1 + safe_n2), 0.0)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / safe_n1 + 1.0 / safe_n2))
    diff = x1 / safe_n1 - x2 / safe_n2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / np.where(se > 0, se, 1.0), 0.0)
    p = stats.norm.sf(z)

    flags, total = x1 + x2, n1 + n2
    expected = np.minimum.reduce([
        n1 * flags / np.maximum(total, 1), n2 * flags / np.maximum(total, 1),
        n1 * (total - flags) / np.maximum(total, 1), n2 * (total - flags) / np.maximum(total, 1),
    ])
    small = valid & (expected < MIN_EXPECTED_FOR_Z)
    if small.any():
        # One-sided Fisher: P(X >= x_cur) for X ~ Hypergeometric(total, flags, n_cur).
        p_exact = stats.hypergeom.sf(x1[small] - 1, total[small], flags[small], n1[small])
        p = p.copy()
        p[small] = p_exact
    p = np.where(valid, np.clip(p, 0.0, 1.0), 1.0)
    return ProportionTest(statistic=z, p_value=p, method=np.where(small, "fisher", "z"))


def wilson_interval(x: object, n: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (well behaved near 0 and for small n).

    Args:
        x: successes.
        n: trials; where 0, the interval is the uninformative (0, 1).
        confidence: two-sided coverage.

    Returns:
        Lower and upper bounds.
    """
    x_, n_ = _as_float(x, n)
    z = stats.norm.isf((1.0 - confidence) / 2.0)
    safe_n = np.where(n_ > 0, n_, 1.0)
    p = x_ / safe_n
    denominator = 1.0 + z * z / safe_n
    centre = (p + z * z / (2.0 * safe_n)) / denominator
    half = z * np.sqrt(p * (1.0 - p) / safe_n + z * z / (4.0 * safe_n * safe_n)) / denominator
    lower = np.where(n_ > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    upper = np.where(n_ > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    return lower, upper


def newcombe_interval(
    x_cur: object, n_cur: object, x_ref: object, n_ref: object, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for the difference ``current rate - reference rate``.

    Newcombe (1998), method 10: combines the two Wilson intervals; keeps its coverage for rates near
    0 where the Wald interval collapses, which is where detector flag rates live.

    Returns:
        Lower and upper bounds of the difference.
    """
    x1, n1, x2, n2 = _as_float(x_cur, n_cur, x_ref, n_ref)
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    p1 = x1 / np.where(n1 > 0, n1, 1.0)
    p2 = x2 / np.where(n2 > 0, n2, 1.0)
    diff = p1 - p2
    lower = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def benjamini_hochberg(p_values: object) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN inputs stay NaN and are not counted.

    Rejecting every test with ``q <= alpha`` keeps the expected share of false discoveries among the
    rejections at or below ``alpha`` (independent or positively dependent tests).
    """
    p = np.atleast_1d(np.asarray(p_values, dtype=np.float64))
    q = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return q
    values = p[tested]
    order = np.argsort(values, kind="stable")
    ranked = values[order] * m / np.arange(1, m + 1)
    # Step-up: each q is the smallest adjusted value at its rank or above.
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.clip(adjusted, 0.0, 1.0)
    q[tested] = result
    return q


def rate_change_point(flagged: object, scored: object, min_scored: int = 30) -> ChangePoint:
    """Locate the single most likely step in a binomial rate over ordered bins (e.g. hours).

    The first step of binary segmentation: for every split, the log-likelihood ratio of a rate
    before and a rate after against one common rate; the split with the largest ratio wins.
    Each side must hold at least ``min_scored`` trials, so one noisy bin at an edge cannot win.

    Args:
        flagged: flags per bin, in time order.
        scored: trials per bin.
        min_scored: minimum trials on each side of a split.

    Returns:
        The split (index of the first bin after the step) and its log-likelihood ratio.
    """
    x, n = _as_float(flagged, scored)
    cx, cn = np.cumsum(x), np.cumsum(n)
    total_x, total_n = cx[-1] if x.size else 0.0, cn[-1] if n.size else 0.0
    if x.size < 2 or total_n == 0:
        return ChangePoint(-1, 0.0, float("nan"), float("nan"))
    # Splits after bin k (k = 0..len-2): left = bins[:k+1], right = bins[k+1:].
    left_x, left_n = cx[:-1], cn[:-1]
    right_x, right_n = total_x - left_x, total_n - left_n
    allowed = (left_n >= min_scored) & (right_n >= min_scored)
    if not allowed.any():
        return ChangePoint(-1, 0.0, float("nan"), float("nan"))
    llr = (
        _binomial_loglik(left_x, left_n) + _binomial_loglik(right_x, right_n) - _binomial_loglik(total_x, total_n)
    )
    llr = np.where(allowed, llr, -np.inf)
    best = int(np.argmax(llr))
    return ChangePoint(
        index=best + 1,
        llr=float(max(llr[best], 0.0)),
        rate_before=float(left_x[best] / left_n[best]),
        rate_after=float(right_x[best] / right_n[best]),
    )


def _binomial_loglik(x: np.ndarray | float, n: np.ndarray | float) -> np.ndarray:
    """Maximized Bernoulli log-likelihood of ``x`` successes in ``n`` trials (0 log 0 = 0)."""
    x_, n_ = _as_float(x, n)
    safe_n = np.where(n_ > 0, n_, 1.0)
    p = x_ / safe_n
    with np.errstate(divide="ignore", invalid="ignore"):
        successes = np.where(x_ > 0, x_ * np.log(np.where(p > 0, p, 1.0)), 0.0)
        failures = np.where(n_ - x_ > 0, (n_ - x_) * np.log(np.where(p < 1, 1.0 - p, 1.0)), 0.0)
    return successes + failures
