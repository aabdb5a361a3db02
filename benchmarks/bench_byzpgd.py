"""Benchmark: ByzantinePGD on the cos-saddle with R independent trials, batched vs one trial at a time.

Run: ``python benchmarks/bench_byzpgd.py [--trials 200] [--d 2] [--Delta 1e-11] [--repeats 3]``

Both contenders run Algorithm 3 with Theorem 4.3's parameters (registry thm4.3, T_th and Q as the
integers max(1, floor(T_th)), max(1, ceil(Q))) from the saddle under the pull_to_center adversary.
The baseline is the natural loop (``byzantine_pgd_looped``: the same code with a batch of one, trial
after trial); boundlab runs all trials as one batch. The table reports median wall times over
``repeats``, the ratio looped / batched (> 1: batching is faster), and, as a sanity check, both
escape rates (fraction of outputs with lambda_min > 0) and the largest ||grad F(w~)|| / (4 Delta).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from boundlab.montecarlo._byzpgd import byzantine_pgd, byzantine_pgd_looped, cos_saddle, make_oracle, thm43_parameters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--d", type=int, default=2)
    ap.add_argument("--Delta", type=float, default=1e-11)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    p = thm43_parameters(L_F=1, rho_F=1, d=a.d, Delta=a.Delta, delta=0.1, F_gap=2)
    F = cos_saddle(a.d)
    kw = dict(eta=p["eta"], eps=p["eps"], r=p["r"], R=p["R"], Q=p["Q"], T_th=p["T_th"])
    w0 = np.zeros((a.trials, a.d))
    tb, tl = [], []
    for rep in range(a.repeats):
        t0 = time.perf_counter()
        res = byzantine_pgd(F, make_oracle("pull_to_center", F, a.Delta), w0, rng=np.random.default_rng(rep), **kw)
        tb.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        loop = byzantine_pgd_looped(
            F, lambda: make_oracle("pull_to_center", F, a.Delta), w0, rng=np.random.default_rng(rep), **kw
        )
        tl.append(time.perf_counter() - t0)
    out_l = np.vstack([r.output for r in loop])
    print(
        f"cos-saddle d = {a.d}, Delta = {a.Delta:g}, R = {a.trials} trials, T_th = {p['T_th']}, Q = {p['Q']}, "
        f"{a.repeats} repeats"
    )
    print(f"{'':>8} {'median s':>10} {'escape rate':>12} {'max |grad|/(4 Delta)':>21}")
    for name, t, out in (("looped", tl, out_l), ("batched", tb, res.output)):
        g = np.linalg.norm(F.grad(out), axis=1).max() / (4 * a.Delta)
        print(f"{name:>8} {statistics.median(t):>10.3f} {np.mean(F.lambda_min(out) > 0):>12.3f} {g:>21.3f}")
    print(f"ratio looped / batched = {statistics.median(tl) / statistics.median(tb):.1f}x")


if __name__ == "__main__":
    main()
