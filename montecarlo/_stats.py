"""Confidence intervals used by the checks: exact binomial, t, bootstrap of a log-log slope."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
from scipy import stats

from boundlab.bounds import BadInput

__all__ = ["clopper_pearson", "t_interval", "loglog_slope", "max_ci", "slope_series"]


def clopper_pearson(k: int, n: int, confidence: float = 0.999) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval for a binomial proportion k/n.

    Examples
    --------
    >>> lo, hi = clopper_pearson(0, 1000, 0.95)
    >>> lo, round(hi, 5)
    (0.0, 0.00368)
    """
    if n < 1:
        raise BadInput(f"trials ({n}) must be >= 1.", name="trials")
    if not 0 <= k <= n:
        raise BadInput(f"successes ({k}) must be in [0, {n}].", name="k")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def t_interval(x: np.ndarray, confidence: float = 0.99) -> tuple[float, float, float]:
    """Mean of ``x`` with a Student-t interval: (mean, low, high).

    Examples
    --------
    >>> m, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]), 0.95)
    >>> m, round(lo, 4), round(hi, 4)
    (2.0, -0.4841, 4.4841)
    """
    x = np.asarray(x, dtype=float).ravel()
    if x.size < 2:
        raise BadInput(f"trials ({x.size}) must be >= 2 for a t interval.", name="trials")
    mean, se = float(x.mean()), float(stats.sem(x))
    if se == 0:  # scipy answers NaN for a zero scale; a constant sample's interval is its value
        return mean, mean, mean
    lo, hi = stats.t.interval(confidence, x.size - 1, loc=mean, scale=se)
    return mean, float(lo), float(hi)


def max_ci(x: np.ndarray, confidence: float = 0.999) -> tuple[float, float, float]:
    """The largest observation, with the interval [max, max] (a sure statement about this sample)."""
    m = float(np.max(x))
    return m, m, m


def loglog_slope(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, *, resamples: int = 2000, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """Least-squares slope of log(mean y) on log(x) with a bootstrap interval over replicates.

    The interval is :func:`scipy.stats.bootstrap` with one sample per point (the replicates at each
    x are resampled independently, ``paired=False``) and the percentile method, the scheme this
    function used before it called scipy. scipy draws its resampling indices in another order than
    the former hand-written loop, so for a given ``rng`` the ends of the interval differ from those of
    boundlab 0.1.0 in the Monte Carlo error (the point estimate does not change); every check's
    verdict is the same. The percentile method (not scipy's default BCa) is kept because BCa's
    jackknife would refit the slope once per replicate at every point, and the checks only need a
    consistent interval.

    Parameters
    ----------
    x : ndarray, shape (k,)
        The varied parameter (k >= 3 points).
    y : ndarray, shape (k, R)
        R replicates of the error at each point.
    rng : numpy.random.Generator
        The stream the resampling draws from.
    resamples : int
        Bootstrap resamples.
    confidence : float
        Two-sided confidence level of the interval.

    Returns
    -------
    slope, low, high, intercept : float
        Where a resample's mean is not positive at some point (signed errors), that resample has no log
        and the interval is unbounded: ``low, high = -inf, inf``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.array([10.0, 100.0, 1000.0])
    >>> y = x[:, None] ** -0.5 * rng.lognormal(0, 0.1, (3, 200))
    >>> s, lo, hi, _ = loglog_slope(x, y, rng)
    >>> lo < -0.5 < hi
    True
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.size < 3:
        raise BadInput(f"x (size {x.size}) must have >= 3 points.", name="x")
    if y.shape[0] != x.size or y.ndim != 2:
        raise BadInput(f"y (shape {y.shape}) must have shape (len(x), replicates).", name="y")
    lx = np.log(x)
    xm = lx.mean()

    def fit(means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slope and intercept of log(means) on log(x); the points lie on the last axis."""
        ly = np.log(means)
        slope = ((lx - xm) * (ly - ly.mean(axis=-1, keepdims=True))).sum(axis=-1) / ((lx - xm) ** 2).sum()
        return slope, ly.mean(axis=-1) - slope * xm

    slope, intercept = fit(y.mean(axis=1))
    if y.shape[1] < 2:  # one replicate: nothing to resample, the interval is the estimate
        return float(slope), float(slope), float(slope), float(intercept)

    def statistic(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
        return fit(np.stack([s.mean(axis=axis) for s in samples], axis=-1))[0]

    seed_kw = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"  # scipy < 1.15
    # constant replicates: a degenerate, zero-width interval is the right answer; a resample with a mean <= 0: no log
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", getattr(stats, "DegenerateDataWarning", RuntimeWarning))
        res = stats.bootstrap(
            tuple(y),
            statistic,
            n_resamples=int(resamples),
            confidence_level=confidence,
            method="percentile",
            paired=False,
            vectorized=True,
            **{seed_kw: rng},
        )
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if math.isfinite(slope) and not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = -math.inf, math.inf
    return float(slope), lo, hi, float(intercept)


def slope_series(
    x: np.ndarray, y: np.ndarray, slope: float, intercept: float, *, xlabel: str, ylabel: str
) -> dict[str, object]:
    """What the report plots for a rate check: per-point means with +-2 standard errors and the fit.

    ``y`` has shape (len(x), replicates), as for :func:`loglog_slope`.

    Examples
    --------
    >>> s = slope_series(np.array([1.0, 10.0]), np.ones((2, 4)), 0.0, 0.0, xlabel="n", ylabel="error")
    >>> s["y"], s["y_lo"]
    ([1.0, 1.0], [1.0, 1.0])
    """
    y = np.asarray(y, dtype=float)
    mean = y.mean(axis=1)
    sem = y.std(axis=1, ddof=1) / math.sqrt(y.shape[1]) if y.shape[1] > 1 else np.zeros_like(mean)
    return {
        "x": np.asarray(x, dtype=float).tolist(),
        "y": mean.tolist(),
        "y_lo": (mean - 2 * sem).tolist(),
        "y_hi": (mean + 2 * sem).tolist(),
        "slope": float(slope),
        "intercept": float(intercept),
        "xlabel": xlabel,
        "ylabel": ylabel,
    }
