"""Benchmark: boundlab's fast certified SDP path against cvxpy + SCS at its default settings.

Run: ``python benchmarks/bench_sdp.py [--repeats 5] [--scs-repeats 3] [--scs-time-limit 900] [--skip-scs]``

Problem: Phi(Q) = max <Q, P> over P PSD, diag(P) <= 1, with Q the corrected matrix of (5.7) built
from random weights W1 ~ N(0, 1/d) (d1 x d) and v ~ N(0, 1) (seeded), N = 1 + d + d1:

* N = 141 (d = 64, d1 = 76; an 8x8-digits-sized input) and N = 801 (d = 400, d1 = 400): boundlab's
  default path (``solve_sdp(Q)``: alternating products on the bipartite block, then the dual
  certificate 1'c + N lambda_max(Q - diag c) from a dense eigensolver) against
  ``cvxpy.Problem(Maximize(sum(multiply(Q, P))), [diag(P) <= 1]).solve(solver="SCS")`` with SCS's
  default settings (timed end to end, including cvxpy's compilation). Both are timed in the same
  process; the table prints medians and the ratio SCS / boundlab. SCS's objective is not a bound:
  the script reports how far it lies from boundlab's certified interval [lower, upper].
* N = 1285 (d = 784, d1 = 500; MNIST-sized): boundlab's path alone, with its wall time, the
  tracemalloc peak of Python/numpy allocations during the call and the process's peak RSS.
* The final certificate of that dual, both ways in the same run (median of ``--repeats``): the dense
  eigensolver (``certificate_route(method="eigh")``) against the Cholesky proof with the SDP factor
  (the fast path's default from N = 1000), and the two bounds' relative difference.
* ``--large D,D1`` (e.g. ``3072,4096``: N = 7169, a CIFAR-10-sized layer): the fast path at that size,
  its wall time, gap and peak RSS (minutes on a 2-core machine).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np

from boundlab.certify import build_q, solve_sdp
from boundlab.certify._sdp import certificate_route


def instance(d: int, d1: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return build_q(rng.standard_normal((d1, d)) / np.sqrt(d), rng.standard_normal(d1))


def time_fast(q, repeats: int):
    times, res = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = solve_sdp(q)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), res


def time_scs(Q: np.ndarray, repeats: int, time_limit: float):
    import cvxpy as cp

    times, value, status = [], None, None
    for _ in range(repeats):
        N = Q.shape[0]
        P = cp.Variable((N, N), PSD=True)
        prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(Q, P))), [cp.diag(P) <= 1])
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kwargs = {} if time_limit <= 0 else {"time_limit_secs": time_limit}
            prob.solve(solver="SCS", **kwargs)
        times.append(time.perf_counter() - t0)
        value, status = prob.value, prob.status
    return statistics.median(times), value, status


def median_call(fn, repeats: int):
    """Median wall time of ``fn()`` over ``repeats`` calls, and its last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def distance_outside(x: float, lo: float, hi: float) -> float:
    """Relative distance of x from the interval [lo, hi] (0 inside)."""
    if lo <= x <= hi:
        return 0.0
    return (lo - x) / abs(hi) if x < lo else (x - hi) / abs(hi)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scs-repeats", type=int, default=3, help="SCS runs at N = 141 (N = 801: one run)")
    ap.add_argument(
        "--scs-time-limit",
        type=float,
        default=900.0,
        help="seconds; SCS's only non-default setting, a safety cap (0: none). A capped run is "
        "reported as a lower bound on the ratio",
    )
    ap.add_argument("--skip-scs", action="store_true")
    ap.add_argument("--large", help="D,D1: also run the fast path at N = 1 + D + D1")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")

    # --- N = 1285: seconds and memory (first, so the peak RSS is not cvxpy's) ---
    q = instance(784, 500)
    tracemalloc.start()
    t0 = time.perf_counter()
    r = solve_sdp(q)
    t = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(
        f"\nN = 1285 (d = 784, d1 = 500): {t:.2f} s, {r.iterations} iterations, certified interval "
        f"[{r.lower:.10g}, {r.upper:.10g}], relative gap {r.rel_gap:.2e}"
    )
    print(f"  tracemalloc peak during the call {peak / 2**20:.1f} MiB; process peak RSS {rss:.0f} MiB (limit 2048)")
    factor = np.empty_like(r.factor)
    factor[q.left], factor[q.right] = r.factor[: q.left.size], r.factor[q.left.size :]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as inside solve_sdp (blas_threads=1)
        te, (ue, _) = median_call(lambda: certificate_route(q, r.dual, method="eigh"), args.repeats)
        tc, (uc, how) = median_call(lambda: certificate_route(q, r.dual, factor=factor), args.repeats)
    print(
        f"  final certificate of this dual, one BLAS thread: eigh {te:.3f} s, Cholesky proof ({how}) {tc:.3f} s: "
        f"{te / tc:.1f}x; bounds differ by {(uc - ue) / ue:+.1e} relative"
    )
    if args.large:
        d, d1 = (int(x) for x in args.large.split(","))
        ql = instance(d, d1)
        t0 = time.perf_counter()
        rl = solve_sdp(ql, time_limit=3600.0)
        tl = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\nN = {ql.N} (d = {d}, d1 = {d1}): {tl:.1f} s, {rl.iterations} iterations, relative gap "
            f"{rl.rel_gap:.1e}, process peak RSS {rss:.0f} MiB; {rl.note or 'certified'}"
        )

    # --- N = 141 and N = 801 against SCS ---
    print(
        f"\n{'N':>5} {'boundlab (s)':>13} {'SCS (s)':>10} {'ratio':>9} {'rel gap':>9} {'SCS status':>16} "
        f"{'SCS value vs certified interval':>34}"
    )
    for d, d1, reps in ((64, 76, args.scs_repeats), (400, 400, 1)):
        q = instance(d, d1)
        tf, res = time_fast(q, args.repeats)
        if args.skip_scs:
            print(f"{q.N:>5} {tf:>13.4f} {'-':>10} {'-':>9} {res.rel_gap:>9.1e}")
            continue
        ts, value, status = time_scs(q.dense(), reps, args.scs_time_limit)
        capped = status != "optimal"
        where = (
            "n/a"
            if value is None
            else (
                f"{value:.10g}: "
                + (
                    "inside"
                    if distance_outside(value, res.lower, res.upper) == 0
                    else f"{distance_outside(value, res.lower, res.upper):.2e} outside"
                )
            )
        )
        ratio = f"{'>=' if capped else ''}{ts / tf:.0f}x"
        print(f"{q.N:>5} {tf:>13.4f} {ts:>10.2f} {ratio:>9} {res.rel_gap:>9.1e} {status:>16} {where:>34}")
        print(
            f"      certified interval [{res.lower:.10g}, {res.upper:.10g}] ({res.iterations} iterations; "
            f"median of {args.repeats}; SCS median of {reps})"
        )


if __name__ == "__main__":
    main()
