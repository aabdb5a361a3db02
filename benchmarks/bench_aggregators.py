"""Benchmark: boundlab's median and trimmed mean against the usual numpy/scipy baselines and a memory copy.

Run: ``python benchmarks/bench_aggregators.py [--sizes 1000x10000,100x100000] [--repeats 9]``

All contenders run in the same process on the same float64 array x of shape (m, d) (workers on
axis 0, C-contiguous, as the simulators lay messages out). Each is timed ``repeats`` times (at
least 7) after one warm-up call; the table reports the median wall time, the ratio
``baseline / boundlab`` (> 1 means boundlab is faster) and, for boundlab, its time in units of
``x.copy()`` timed in the same run. The load average is printed before and after each size.
Results are checked against the reference (np.median exactly, scipy.stats.trim_mean to 1e-12
relative) before timing.

Targets (issue 14): at m = 1000, d = 1e4 at least 3x faster than ``np.median(x, axis=0)`` and
``scipy.stats.trim_mean(x, beta, axis=0)``; at m = 100, d = 1e5 within 3x of ``x.copy()``.

Baselines
---------
* ``np.median(x, axis=0)`` and ``scipy.stats.trim_mean(x, beta, axis=0)``;
* a Flower-style trimmed mean (``flwr.server.strategy.aggregate._trim_mean``: one
  ``np.partition`` with the two cut indices along axis 0, then the mean of the middle block);
* a ByzFL-style trimmed mean (full ``np.sort`` along axis 0, then the mean of the middle block).
Both are re-implemented here in their published form (no dependency on those packages).

boundlab's three code paths are also timed: short lanes (m <= ``_SORT_MAX_M_MEDIAN`` for the
median, ``_SORT_MAX_M_TRIM`` for the trimmed mean) are sorted whole by numpy's SIMD sort; longer
lanes are partitioned with ``np.partition`` at one rank per call (once for the median, twice for
the trimmed mean), or, on a CPU where numpy's AVX-512 selection is slow (AMD Zen 4), cut into
sorted runs of 128 values and selected in a window between two samples. Forcing the other paths
shows why the thresholds and the method are where they are. boundlab splits inputs of at least
2**21 values over threads (``OMP_NUM_THREADS``, else every CPU this process may use); its
single-thread time is printed beside it. The header names the CPU, numpy's
AVX-512 dispatch and the method boundlab chose; ``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL"``
runs numpy's AVX2 code instead (baselines included).

After each size a summary line gives the figures the targets need: boundlab's time in units of
``x.copy()`` and the ratios ``np.median / boundlab`` and ``trim_mean / boundlab``.
"""

from __future__ import annotations

import argparse
import os
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


#: boundlab's three lane paths: (label, whole-lane-sort threshold, method for longer lanes)
PATHS = {
    "sort": ("whole-lane sort", 1 << 30, "partition"),
    "partition": ("partition", 0, "partition"),
    "runs": ("sorted runs", 0, "runs"),
}


def forced_path(fn: Callable[[], np.ndarray], path: str) -> Callable[[], np.ndarray]:
    """Run ``fn`` with boundlab's lanes forced onto ``path`` (a key of PATHS)."""
    _, threshold, method = PATHS[path]

    def run() -> np.ndarray:
        saved = agg._SORT_MAX_M_MEDIAN, agg._SORT_MAX_M_TRIM, agg._LONG_LANES
        agg._SORT_MAX_M_MEDIAN = agg._SORT_MAX_M_TRIM = threshold
        agg._LONG_LANES = method
        try:
            return fn()
        finally:
            agg._SORT_MAX_M_MEDIAN, agg._SORT_MAX_M_TRIM, agg._LONG_LANES = saved

    return run


def one_thread(fn: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """Run ``fn`` with boundlab's lane threads limited to one (``OMP_NUM_THREADS=1``)."""

    def run() -> np.ndarray:
        saved = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = "1"
        try:
            return fn()
        finally:
            if saved is None:
                del os.environ["OMP_NUM_THREADS"]
            else:
                os.environ["OMP_NUM_THREADS"] = saved

    return run


def path_taken(m: int, threshold: int) -> str:
    """The path boundlab takes for lanes of m values (a key of PATHS)."""
    return "sort" if m <= threshold else agg._LONG_LANES


def cpu() -> str:
    """The CPU's vendor, family and model, numpy's AVX-512 dispatch and boundlab's long-lane method."""
    fields = agg._cpu_fields()
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:
        features = {}
    return (
        f"CPU {fields.get('vendor_id', '?')} family {fields.get('cpu family', '?')} model {fields.get('model', '?')}"
        f" ({fields.get('model name', '?')}); numpy AVX512_SKX dispatch: {features.get('AVX512_SKX', '?')}; "
        f"boundlab's long lanes: {agg._LONG_LANES}"
    )


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def bench_size(m: int, d: int, beta: float, repeats: int, seed: int) -> None:
    """Print the table for one shape (m, d)."""
    x = np.random.default_rng(seed).standard_normal((m, d))
    x_before = x.copy()

    def med() -> np.ndarray:
        return agg.median(x)

    def trim() -> np.ndarray:
        return agg.trimmed_mean(x, beta)

    med_taken, trim_taken = path_taken(m, agg._SORT_MAX_M_MEDIAN), path_taken(m, agg._SORT_MAX_M_TRIM)
    groups = {
        "median": (
            (f"boundlab.median ({PATHS[med_taken][0]})", med),
            [
                ("np.median(axis=0)", lambda: np.median(x, axis=0)),
                ("boundlab.median, 1 thread", one_thread(med)),
                *[(f"boundlab.median, {PATHS[p][0]}", forced_path(med, p)) for p in PATHS if p != med_taken],
            ],
        ),
        f"trimmed mean (beta={beta})": (
            (f"boundlab.trimmed_mean ({PATHS[trim_taken][0]})", trim),
            [
                ("scipy.stats.trim_mean", lambda: scipy.stats.trim_mean(x, beta, axis=0)),
                ("Flower-style np.partition", lambda: flower_trim_mean(x, beta)),
                ("ByzFL-style np.sort", lambda: byzfl_trim_mean(x, beta)),
                ("boundlab.trimmed_mean, 1 thread", one_thread(trim)),
                *[(f"boundlab.trimmed_mean, {PATHS[p][0]}", forced_path(trim, p)) for p in PATHS if p != trim_taken],
            ],
        ),
    }
    print(f"\nfloat64 x of shape (m={m}, d={d}), C-contiguous; median of {repeats} repeats after one warm-up")
    print(f"boundlab's lane threads: {agg._lane_threads(x.size)} (the copy and the baselines: one thread)")
    print(load())
    t_copy = median_time(lambda: x.copy(), repeats)
    print(f"x.copy(): {1e3 * t_copy:.1f} ms")
    print(f"{'task':<26} {'implementation':<40} {'time [ms]':>10} {'baseline/boundlab':>18} {'/ copy':>7}")
    print("-" * 105)
    summary = []
    for task, ((ours_name, ours), others) in groups.items():
        reference = others[0][1]()
        for name, fn in [(ours_name, ours), *others]:
            if task == "median":
                np.testing.assert_array_equal(fn(), reference, err_msg=name)
            else:
                assert np.allclose(fn(), reference, rtol=1e-12, atol=1e-12), name
        t_ours = median_time(ours, repeats)
        print(f"{task:<26} {ours_name:<40} {1e3 * t_ours:>10.1f} {'1.00 (ref)':>18} {t_ours / t_copy:>6.2f}x")
        for i, (name, fn) in enumerate(others):
            t = median_time(fn, repeats)
            print(f"{'':<26} {name:<40} {1e3 * t:>10.1f} {t / t_ours:>17.2f}x")
            if i == 0:
                summary.append(f"{ours_name} {t_ours / t_copy:.2f}x the copy, {name}/boundlab {t / t_ours:.2f}x")
    np.testing.assert_array_equal(x, x_before)  # nobody modified the input
    print("targets (m = 100: <= 3x the copy; m = 1000: >= 3x the baseline): " + "; ".join(summary))
    print(load())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x10000,100x100000", help="comma-separated m x d")
    parser.add_argument("--beta", type=float, default=0.1, help="trimmed fraction at each end")
    parser.add_argument("--repeats", type=int, default=9, help="timed calls per contender (at least 7)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Gaussian input")
    args = parser.parse_args()
    repeats = max(7, args.repeats)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}")
    print(cpu())
    for size in args.sizes.split(","):
        m, d = (int(float(v)) for v in size.lower().split("x"))
        bench_size(m, d, args.beta, repeats, args.seed)


if __name__ == "__main__":
    main()
