"""Benchmark: boundlab's median and trimmed mean against the usual numpy/scipy baselines.

Run: ``python benchmarks/bench_aggregators.py [--m 100] [--d 100000] [--repeats 9]``

All contenders run in the same process on the same float64 array x of shape (m, d) (workers on
axis 0, C-contiguous, as the simulators lay messages out). Each is timed ``repeats`` times (at
least 7) after one warm-up call; the table reports the median wall time and the ratio
``baseline / boundlab`` (> 1 means boundlab is faster). Results are checked with ``np.allclose``
against the reference (np.median, scipy.stats.trim_mean) before timing.

Baselines
---------
* ``np.median(x, axis=0)`` and ``scipy.stats.trim_mean(x, beta, axis=0)``;
* a Flower-style trimmed mean (``flwr.server.strategy.aggregate._trim_mean``: one
  ``np.partition`` with the two cut indices along axis 0, then the mean of the middle block);
* a ByzFL-style trimmed mean (full ``np.sort`` along axis 0, then the mean of the middle block).
Both are re-implemented here in their published form (no dependency on those packages).

boundlab's own two code paths are also timed: its default (blocked transpose to contiguous
lanes, then a SIMD sort of each short lane) and its partition path (single-``kth``
``np.partition`` calls on the same lanes, used for long lanes), to show why the default is
what it is.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
import scipy.stats
from _timing import median_time  # benchmarks/_timing.py (scripts run from this folder)

import boundlab.montecarlo._aggregators as agg


def flower_trim_mean(x: np.ndarray, beta: float) -> np.ndarray:
    """Flower's ``_trim_mean``: partition at (lowercut, uppercut - 1) along axis 0."""
    nobs = x.shape[0]
    lowercut = int(beta * nobs)
    uppercut = nobs - lowercut
    atmp = np.partition(x, (lowercut, uppercut - 1), axis=0)
    return np.mean(atmp[lowercut:uppercut], axis=0)


def byzfl_trim_mean(x: np.ndarray, beta: float) -> np.ndarray:
    """ByzFL-style trimmed mean: full sort along axis 0, mean of the middle block."""
    k = int(beta * x.shape[0])
    return np.sort(x, axis=0)[k : x.shape[0] - k].mean(axis=0)


def partition_path(fn: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """Run ``fn`` with boundlab forced onto its np.partition path."""

    def run() -> np.ndarray:
        saved = agg._SORT_MAX_M_MEDIAN, agg._SORT_MAX_M_TRIM
        agg._SORT_MAX_M_MEDIAN = agg._SORT_MAX_M_TRIM = 0
        try:
            return fn()
        finally:
            agg._SORT_MAX_M_MEDIAN, agg._SORT_MAX_M_TRIM = saved

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=100)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--beta", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    repeats = max(7, args.repeats)
    m, d, beta = args.m, args.d, args.beta

    x = np.random.default_rng(args.seed).standard_normal((m, d))
    x_before = x.copy()

    groups = {
        "median": (
            ("boundlab.median", lambda: agg.median(x)),
            [
                ("np.median(axis=0)", lambda: np.median(x, axis=0)),
                ("boundlab.median, partition path", partition_path(lambda: agg.median(x))),
            ],
        ),
        f"trimmed mean (beta={beta})": (
            ("boundlab.trimmed_mean", lambda: agg.trimmed_mean(x, beta)),
            [
                ("scipy.stats.trim_mean", lambda: scipy.stats.trim_mean(x, beta, axis=0)),
                ("Flower-style np.partition", lambda: flower_trim_mean(x, beta)),
                ("ByzFL-style np.sort", lambda: byzfl_trim_mean(x, beta)),
                ("boundlab.trimmed_mean, partition path", partition_path(lambda: agg.trimmed_mean(x, beta))),
            ],
        ),
    }

    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}; float64 x of shape (m={m}, d={d}), "
        f"C-contiguous; median of {repeats} repeats after one warm-up"
    )
    print(f"{'task':<26} {'implementation':<40} {'time [ms]':>10} {'ratio vs boundlab':>18}")
    print("-" * 97)
    for task, ((ours_name, ours), others) in groups.items():
        reference = others[0][1]()
        for name, fn in [(ours_name, ours), *others]:
            assert np.allclose(fn(), reference, rtol=1e-12, atol=1e-12), name
        t_ours = median_time(ours, repeats)
        print(f"{task:<26} {ours_name:<40} {1e3 * t_ours:>10.1f} {'1.00 (ref)':>18}")
        for name, fn in others:
            t = median_time(fn, repeats)
            print(f"{'':<26} {name:<40} {1e3 * t:>10.1f} {t / t_ours:>17.2f}x")
    np.testing.assert_array_equal(x, x_before)  # nobody modified the input


if __name__ == "__main__":
    main()
