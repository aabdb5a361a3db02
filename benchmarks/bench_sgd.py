"""Benchmark: batched mini-batch SGD over R = 256 trials against a per-trial loop, in one run.

Logistic regression, n = 2000, d = 20, B = 16, T = 3200 gradient updates (200 iterations), DropConnect p = 0.5 on
every sampled gradient (also without a mechanism). Both sides run the same code path (``minibatch_sgd``): the
loop calls it once per trial (R = 1); the batched call carries all trials on axis 0. Median of ``--repeats``.

Run: ``/tmp/venv/bin/python benchmarks/bench_sgd.py [--trials 256] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from boundlab.montecarlo._sgd import GLMProblem, Mechanism, minibatch_sgd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, d = 2000, 20
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    y = np.where(X @ rng.standard_normal(d) > 0, 1.0, -1.0)
    prob = GLMProblem(X, y, "logistic")
    kw = dict(B=16, gamma=0.05, T=3200)
    for mech in (None, Mechanism("drop", 0.5)):

        def batched() -> np.ndarray:
            return minibatch_sgd(prob, np.zeros(d), rng=np.random.default_rng(1), R=args.trials, mechanism=mech, **kw).w

        def loop() -> np.ndarray:
            return np.concatenate(
                [
                    minibatch_sgd(prob, np.zeros(d), rng=np.random.default_rng(100 + r), R=1, mechanism=mech, **kw).w
                    for r in range(args.trials)
                ]
            )

        times = {}
        for name, fn in (("per-trial loop", loop), ("batched", batched)):
            fn()
            ts = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                out = fn()
                ts.append(time.perf_counter() - t0)
            assert out.shape == (args.trials, d) and np.all(np.isfinite(out))
            times[name] = statistics.median(ts)
        label = "no mechanism" if mech is None else f"DropConnect p = {mech.level}"
        print(
            f"{label:24s} R = {args.trials}: per-trial loop {times['per-trial loop']:.3f} s, batched "
            f"{times['batched']:.3f} s, ratio {times['per-trial loop'] / times['batched']:.1f}x"
        )


if __name__ == "__main__":
    main()
