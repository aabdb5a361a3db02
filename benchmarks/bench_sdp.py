"""Benchmark: boundlab's fast certified SDP path against cvxpy + SCS, a kept baseline, and at CIFAR size.

Run: ``python benchmarks/bench_sdp.py [--repeats 3] [--scs-repeats 3] [--skip-scs] [--skip-801]
[--large 3072,4096 | --large none] [--baseline-ref main]``

Problem: Phi(Q) = max <Q, P> over P PSD, diag(P) <= 1, with Q the corrected matrix of (5.7) built
from random weights W1 ~ N(0, 1/d) (d1 x d) and v ~ N(0, 1) (seeded), N = 1 + d + d1. One run prints:

* the load average and the BLAS threads the fast path uses (``BOUNDLAB_BLAS_THREADS`` or every core);
* N = 1285 (d = 784, d1 = 500; MNIST-sized): median seconds and certified relative gap of
  ``solve_sdp(Q)`` (float32 iterations, rank capped at 32, extrapolated certificate schedule), the
  same with one BLAS thread, the kept float64 variant ``solve_sdp(Q, precision="float64",
  rank=ceil(sqrt(2N)) + 1)``, and (``--baseline-ref``, default ``main`` when git has it) the
  previous implementation itself, ``certify/_sdp.py`` at that git ref loaded as a module, all in the
  same process and run; then the final certificate of one dual both ways (eigh vs the Cholesky proof);
* N = 7169 (``--large``, d = 3072, d1 = 4096: a CIFAR-10-sized layer): the fast path in a fresh
  subprocess, its wall time, iterations, gap and that process's peak RSS (``ru_maxrss``);
* N = 141 (d = 64, d1 = 76) and N = 801 (d = 400, d1 = 400): the fast path against
  ``cvxpy.Problem(Maximize(sum(multiply(Q, P))), [diag(P) <= 1]).solve(solver="SCS")`` at SCS's
  defaults (timed end to end, including cvxpy's compilation). SCS's objective is not a bound: the
  script reports how far it lies from boundlab's certified interval [lower, upper].
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from boundlab.certify import build_q, solve_sdp
from boundlab.certify._sdp import certificate_route, default_blas_threads

ROOT = Path(__file__).resolve().parent.parent


def instance(d: int, d1: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return build_q(rng.standard_normal((d1, d)) / np.sqrt(d), rng.standard_normal(d1))


def median_call(fn, repeats: int):
    """Median wall time of ``fn()`` over ``repeats`` calls, and its last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


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


def distance_outside(x: float, lo: float, hi: float) -> float:
    """Relative distance of x from the interval [lo, hi] (0 inside)."""
    if lo <= x <= hi:
        return 0.0
    return (lo - x) / abs(hi) if x < lo else (x - hi) / abs(hi)


def load_baseline(ref: str):
    """``certify/_sdp.py`` at git ref ``ref`` as a module (its solve_sdp), or None if git lacks it."""
    try:
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{ref}:certify/_sdp.py"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "baseline_sdp.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("baseline_sdp", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["baseline_sdp"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def large_child(d: int, d1: int) -> None:
    """Run the fast path once at N = 1 + d + d1 and print one JSON line (time, gap, peak RSS)."""
    q = instance(d, d1)
    t0 = time.perf_counter()
    r = solve_sdp(q, time_limit=3600.0)
    t = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss * 1024  # KiB on Linux
    out = {
        "N": q.N,
        "seconds": t,
        "cpu": usage.ru_utime + usage.ru_stime,
        "iterations": r.iterations,
        "gap": r.rel_gap,
        "rss": rss,
        "note": r.note,
    }
    out["rank"] = int(r.factor.shape[1])
    print(json.dumps(out))


def bench_1285(repeats: int, baseline_ref: str) -> None:
    q = instance(784, 500)
    k_bp = int(math.ceil(math.sqrt(2 * q.N))) + 1
    rows = [
        (f"default (float32 iterations, rank <= 32, {default_blas_threads()} BLAS threads)", lambda: solve_sdp(q)),
        ("default, one BLAS thread", lambda: solve_sdp(q, blas_threads=1)),
        (
            f"float64 iterations, rank {k_bp}, one BLAS thread",
            lambda: solve_sdp(q, precision="float64", rank=k_bp, blas_threads=1),
        ),
    ]
    base = load_baseline(baseline_ref) if baseline_ref else None
    if base is not None:
        qb = base.BipartiteQ(q.G, q.left, q.right, q.entry_error)  # the same matrix, in its own class
        rows.append((f"previous implementation (git {baseline_ref}, its defaults)", lambda: base.solve_sdp(qb)))
    else:
        print(f"  (no baseline: git ref {baseline_ref!r} not found)")
    # interleave the variants so that a change of load hits them alike
    times: dict[str, list[float]] = {name: [] for name, _ in rows}
    last: dict[str, object] = {}
    for _ in range(repeats):
        for name, fn in rows:
            t0 = time.perf_counter()
            last[name] = fn()
            times[name].append(time.perf_counter() - t0)
    ref_name = rows[-1][0]
    ref = statistics.median(times[ref_name])
    print(f"\nN = 1285 (d = 784, d1 = 500), median of {repeats}, interleaved:")
    print(f"  {'variant':<62} {'seconds':>8} {'vs last':>8} {'iters':>6} {'rel gap':>9}  certified interval")
    for name, _ in rows:
        r = last[name]
        med = statistics.median(times[name])
        print(
            f"  {name:<62} {med:>8.3f} {ref / med:>7.2f}x {r.iterations:>6} {r.rel_gap:>9.2e}  "
            f"[{r.lower:.10g}, {r.upper:.10g}]"
        )
    r = last[rows[0][0]]
    factor = np.empty_like(r.factor)
    factor[q.left], factor[q.right] = r.factor[: q.left.size], r.factor[q.left.size :]
    tes, tcs = [], []
    for _ in range(repeats):  # interleaved, like the variants above
        t_e, (ue, _) = median_call(lambda: certificate_route(q, r.dual, method="eigh"), 1)
        t_c, (uc, how) = median_call(lambda: certificate_route(q, r.dual, factor=factor), 1)
        tes.append(t_e)
        tcs.append(t_c)
    te, tc = statistics.median(tes), statistics.median(tcs)
    print(
        f"  final certificate of the default's dual (default threads), median of {repeats} interleaved: "
        f"eigh {te:.3f} s, Cholesky proof ({how}) "
        f"{tc:.3f} s: {te / tc:.1f}x; bounds differ by {(uc - ue) / ue:+.1e} relative"
    )


def bench_large(spec: str) -> None:
    d, d1 = (int(x) for x in spec.split(","))
    cmd = [sys.executable, __file__, "--child", spec]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    wall = time.perf_counter() - t0
    r = json.loads(out)
    print(
        f"\nN = {r['N']} (d = {d}, d1 = {d1}), fresh process: solve {r['seconds']:.1f} s wall "
        f"(process {wall:.1f} s wall, {r['cpu']:.1f} s CPU), {r['iterations']} iterations at rank {r['rank']}, "
        f"relative gap {r['gap']:.2e}, "
        f"peak RSS {r['rss'] / 2**30:.2f} GiB; {r['note'] or 'certified'}"
    )


def bench_scs(repeats: int, scs_repeats: int, time_limit: float, skip_scs: bool, skip_801: bool) -> None:
    print(
        f"\n{'N':>5} {'boundlab (s)':>13} {'SCS (s)':>10} {'ratio':>9} {'rel gap':>9} {'SCS status':>16} "
        f"{'SCS value vs certified interval':>34}"
    )
    sizes = [(64, 76, scs_repeats)] + ([] if skip_801 else [(400, 400, 1)])
    for d, d1, reps in sizes:
        q = instance(d, d1)
        tf, res = median_call(lambda q=q: solve_sdp(q), repeats)
        if skip_scs:
            print(f"{q.N:>5} {tf:>13.4f} {'-':>10} {'-':>9} {res.rel_gap:>9.1e}")
            continue
        ts, value, status = time_scs(q.dense(), reps, time_limit)
        capped = status != "optimal"
        where = "n/a"
        if value is not None:
            dist = distance_outside(value, res.lower, res.upper)
            where = f"{value:.10g}: " + ("inside" if dist == 0 else f"{dist:.2e} outside")
        ratio = f"{'>=' if capped else ''}{ts / tf:.0f}x"
        print(f"{q.N:>5} {tf:>13.4f} {ts:>10.2f} {ratio:>9} {res.rel_gap:>9.1e} {status:>16} {where:>34}")
        print(
            f"      certified interval [{res.lower:.10g}, {res.upper:.10g}] ({res.iterations} iterations; "
            f"median of {repeats}; SCS median of {reps})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per variant (medians are printed)")
    ap.add_argument("--scs-repeats", type=int, default=3, help="SCS runs at N = 141 (N = 801: one run)")
    ap.add_argument(
        "--scs-time-limit",
        type=float,
        default=900.0,
        help="seconds; SCS's only non-default setting, a safety cap (0: none). A capped run is "
        "reported as a lower bound on the ratio",
    )
    ap.add_argument("--skip-scs", action="store_true", help="time only boundlab at N = 141 and 801")
    ap.add_argument("--skip-801", action="store_true", help="leave out N = 801 (its SCS run takes minutes)")
    ap.add_argument(
        "--large", default="3072,4096", help="D,D1 of the large layer (N = 1 + D + D1; default 3072,4096); 'none' skips"
    )
    ap.add_argument(
        "--baseline-ref", default="main", help="git ref whose certify/_sdp.py is timed at N = 1285 ('' skips)"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        large_child(*(int(x) for x in args.child.split(",")))
        return
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}; load average {os.getloadavg()}; "
        f"{os.cpu_count()} cores; fast-path BLAS threads {default_blas_threads()} "
        f"(BOUNDLAB_BLAS_THREADS={os.environ.get('BOUNDLAB_BLAS_THREADS', 'unset')})"
    )
    bench_1285(args.repeats, args.baseline_ref)
    if args.large.lower() != "none":
        bench_large(args.large)
    bench_scs(args.repeats, args.scs_repeats, args.scs_time_limit, args.skip_scs, args.skip_801)
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
