"""The intervals of montecarlo/_stats.py, now computed by scipy.stats, match their textbook definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from boundlab.montecarlo import loglog_slope, t_interval


def test_the_t_interval_is_the_mean_plus_minus_the_t_quantile_times_the_standard_error():
    x = np.random.default_rng(0).normal(3.0, 2.0, 25)
    mean, lo, hi = t_interval(x, 0.99)
    half = stats.t.ppf(0.995, 24) * x.std(ddof=1) / math.sqrt(25)
    assert mean == pytest.approx(x.mean(), abs=1e-14)
    assert (lo, hi) == pytest.approx((x.mean() - half, x.mean() + half), rel=1e-12)


def test_a_constant_sample_has_a_zero_width_t_interval_at_its_value():
    assert t_interval(np.full(5, 0.25)) == (0.25, 0.25, 0.25)


def _hand_bootstrap(x, y, rng, resamples, confidence):
    """The former hand-written percentile bootstrap of the slope (each point's replicates resampled)."""
    lx = np.log(x)
    idx = rng.integers(0, y.shape[1], size=(resamples, *y.shape))
    means = np.take_along_axis(np.broadcast_to(y, (resamples, *y.shape)), idx, axis=2).mean(axis=2)
    ly = np.log(means)
    slopes = ((lx - lx.mean()) * (ly - ly.mean(axis=1, keepdims=True))).sum(axis=1) / ((lx - lx.mean()) ** 2).sum()
    return np.quantile(slopes, [(1 - confidence) / 2, (1 + confidence) / 2])


def test_the_slope_interval_agrees_with_the_hand_written_percentile_bootstrap_within_monte_carlo_error():
    x = np.geomspace(10, 1e4, 5)
    y = x[:, None] ** -0.5 * np.random.default_rng(1).lognormal(0, 0.3, (5, 400))
    slope, lo, hi, _ = loglog_slope(x, y, np.random.default_rng(2), resamples=4000)
    ref_lo, ref_hi = _hand_bootstrap(x, y, np.random.default_rng(3), 4000, 0.95)
    width = ref_hi - ref_lo
    assert lo < slope < hi
    assert abs(lo - ref_lo) < 0.1 * width and abs(hi - ref_hi) < 0.1 * width


def test_the_slope_interval_is_reproducible_from_the_generator_seed():
    x = np.array([10.0, 100.0, 1000.0])
    y = x[:, None] ** -1.0 * np.random.default_rng(4).lognormal(0, 0.2, (3, 50))
    assert loglog_slope(x, y, np.random.default_rng(5)) == loglog_slope(x, y, np.random.default_rng(5))


def test_one_replicate_per_point_gives_a_zero_width_slope_interval():
    x = np.array([1.0, 10.0, 100.0])
    slope, lo, hi, _ = loglog_slope(x, (x**-0.5)[:, None], np.random.default_rng(0))
    assert slope == pytest.approx(-0.5) and lo == hi == slope


def test_a_resample_without_a_log_makes_the_slope_interval_unbounded_without_a_warning():
    import warnings

    x = np.array([1.0, 10.0, 100.0])
    y = np.array([[1.0, 1.2, 0.9], [0.5, -0.4, 0.1], [0.1, 0.2, 0.05]])  # signed errors: a mean <= 0 in resamples
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        slope, lo, hi, _ = loglog_slope(x, y, np.random.default_rng(0), resamples=200)
    assert math.isfinite(slope) and (lo, hi) == (-math.inf, math.inf)
