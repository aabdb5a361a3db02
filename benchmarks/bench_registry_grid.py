"""Evaluate Theorem 3.1's bound on a grid of 10^6 parameter points: vectorised vs per point.

Baselines, timed in the same run:
  * per-point sympy evaluation (``expr.subs(point).evalf()``), the way one evaluates a formula
    symbolically; timed on a random sample of points and scaled to the grid (running it on all
    10^6 points would take hours);
  * a per-point Python loop over the compiled scalar function (numpy on scalars).
Reports medians over repeats. Usage: python benchmarks/bench_registry_grid.py [--points 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import sympy as sp

from boundlab.bounds import get


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=200, help="points for the per-point sympy baseline")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    thm = get("thm3.1")
    side = round(args.points ** (1 / 3))
    n = np.geomspace(1e3, 1e7, side).round()[:, None, None]
    alpha = np.linspace(0.0, 0.1, side)[None, :, None]
    m = np.geomspace(1000, 1e5, side).round()[None, None, :]
    fixed = dict(d=2, D=2.0, L_hat=2.0, V=3**0.5, S=1.5957691216057308, L_F=1.0, lambda_F=1.0, T=30, r0=1.0)
    total = side**3

    thm.evaluate(n=n, alpha=alpha, m=m, **fixed)  # compile once
    vec = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        out = thm.evaluate(n=n, alpha=alpha, m=m, **fixed)
        vec.append(time.perf_counter() - t0)
    assert out.shape == (side, side, side) and np.all(np.isfinite(out))

    rng = np.random.default_rng(0)
    idx = rng.integers(0, side, size=(args.sample, 3))
    expr = thm.expanded().rewrite(sp.erfinv)
    syms = {p.name: p.symbol for p in thm.params}
    values, _ = thm.resolve(n=n, alpha=alpha, m=m, **fixed)
    eps_grid = np.broadcast_to(values["eps"], out.shape)
    t0 = time.perf_counter()
    worst = 0.0
    for i, j, k in idx:
        point = {
            syms["n"]: float(n[i, 0, 0]),
            syms["alpha"]: float(alpha[0, j, 0]),
            syms["m"]: float(m[0, 0, k]),
            syms["eps"]: float(eps_grid[i, j, k]),
            **{syms[kk]: v for kk, v in fixed.items()},
        }
        val = float(expr.subs(point).evalf())
        worst = max(worst, abs(val - out[i, j, k]) / abs(out[i, j, k]))
    per_point_sympy = (time.perf_counter() - t0) / args.sample

    fn = thm._compiled("value", None, "numpy")
    order = [p.name for p in thm.params]
    t0 = time.perf_counter()
    for i, j, k in idx:
        point = {
            "n": float(n[i, 0, 0]),
            "alpha": float(alpha[0, j, 0]),
            "m": float(m[0, 0, k]),
            "eps": float(eps_grid[i, j, k]),
            **fixed,
        }
        fn(*[point[name] for name in order])
    per_point_loop = (time.perf_counter() - t0) / args.sample

    v = statistics.median(vec)
    print(f"grid: {total:,} points (n x alpha x m = {side}^3), Theorem 3.1 with the explicit Delta")
    print(f"vectorised boundlab evaluate (median of {args.repeats}): {v:.3f} s")
    print(
        f"per-point sympy subs+evalf: {per_point_sympy * 1e3:.2f} ms/point -> {per_point_sympy * total:,.0f} s "
        f"for the grid (scaled from {args.sample} points); max relative difference {worst:.1e}"
    )
    print(
        f"per-point loop over the compiled scalar function: {per_point_loop * 1e6:.1f} us/point -> "
        f"{per_point_loop * total:.1f} s for the grid"
    )
    print(f"ratio vs per-point sympy: {per_point_sympy * total / v:,.0f}x (target >= 1000x)")
    print(f"ratio vs per-point compiled loop: {per_point_loop * total / v:,.0f}x")


if __name__ == "__main__":
    main()
