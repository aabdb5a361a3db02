"""Benchmark: batched Algorithm 1 against a per-trial Python loop of the same algorithm, in one run.

Model R (d = 10, sigma = 1, W = ball(w*, 1)), R = 1000 trials, m = 40 machines, n = 100 samples per
machine, T = 50 iterations, the coordinate-wise median (Option I), alpha = 0.05 (q = 2) with a
deterministic "+1e6 on every coordinate" attack. Both sides use the same statistics and compute the
same recorded diagnostics; the check asserts that they give the same final iterates, bit for bit.

The batched run is timed twice: in one block of R trials, and in cache-sized trial blocks
(``trial_block="cache"``: each block's statistics stay in cache for all T iterations; the attack draws
nothing from ``rng``, so the blocks give the same numbers, checked bit for bit).

Baselines, timed in the same process (median of ``--repeats`` runs each):

* ``loop``: ``robust_gd`` called once per trial (R = 1), i.e. the same code without the trial axis;
* ``lean loop``: a minimal hand-written per-trial loop (one matrix-vector product, the median, the
  step and the projection; no diagnostics), the fastest straightforward per-trial Python code.

Run: ``python benchmarks/bench_simulators.py [--repeats 5] [--trials 1000]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np

from boundlab.montecarlo._problems import ModelR
from boundlab.montecarlo._simulators import robust_gd


def _median_aggregator():
    if importlib.util.find_spec("boundlab.montecarlo._aggregators") is not None:
        from boundlab.montecarlo._aggregators import median

        return median, "boundlab.montecarlo._aggregators.median"
    return (lambda x: np.median(x, axis=-2)), "np.median(x, axis=-2)"


def _attack(honest, q, rng, ctx):
    return np.full(honest.shape[:-2] + (q, honest.shape[-1]), 1e6)


def _lean_loop(H, b, w0, w_star, q, T, radius, aggregator):
    """Algorithm 1 for one trial: H (m, d, d), b (m, d); returns w^T."""
    m, d = b.shape
    Hh = H[q:].reshape((m - q) * d, d)
    bh = b[q:]
    byz = np.full((q, d), 1e6)
    w = w0.copy()
    for _ in range(T):
        honest = (Hh @ w).reshape(m - q, d) - bh
        g = aggregator(np.concatenate([byz, honest]))
        w = w - g
        diff = w - w_star
        nrm = np.linalg.norm(diff)
        if nrm > radius:
            w = w_star + diff * (radius / nrm)
    return w


def _timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    R, m, n, d, T, q = args.trials, 40, 100, 10, 50, 2
    aggregator, agg_name = _median_aggregator()
    p = ModelR(d=d, sigma=1.0, radius=1.0)
    stats = p.sample(np.random.default_rng(args.seed), R, m, n)
    per_trial = [stats.take(slice(r, r + 1)) for r in range(R)]
    w0 = np.full(d, 1.0 / np.sqrt(d))
    kw = dict(aggregator=aggregator, T=T, w0=w0, q=q, attack=_attack, rng=np.random.default_rng(1), radius=1.0)

    t_one, one = _timed(lambda: robust_gd(p, stats, trial_block=R, **kw), args.repeats)
    t_batch, res = _timed(lambda: robust_gd(p, stats, trial_block="cache", **kw), args.repeats)
    t_loop, finals = _timed(lambda: np.concatenate([robust_gd(p, s, **kw).w_final for s in per_trial]), args.repeats)
    t_lean, lean = _timed(
        lambda: np.stack([_lean_loop(stats.H[r], stats.b[r], w0, p.w_star, q, T, 1.0, aggregator) for r in range(R)]),
        args.repeats,
    )

    same = bool(np.array_equal(res.w_final, finals)) and all(
        np.array_equal(getattr(res, f), getattr(one, f)) for f in ("w", "dist_to_opt", "grad_error", "F_gap")
    )
    lean_diff = float(np.max(np.abs(res.w_final - lean)))
    print(
        f"Algorithm 1, Model R: R={R} m={m} n={n} d={d} T={T} q={q} (alpha={q / m}), aggregator={agg_name}, "
        f"projection radius 1, median of {args.repeats} repeats"
    )
    print(f"batched, one block of {R} trials:          {t_one:8.3f} s")
    print(f"batched, cache-sized trial blocks:         {t_batch:8.3f} s   {t_one / t_batch:.2f}x one block")
    print(f"loop: robust_gd once per trial (R=1):      {t_loop:8.3f} s   ratio {t_loop / t_batch:6.1f}x")
    print(f"lean loop: minimal per-trial numpy code:   {t_lean:8.3f} s   ratio {t_lean / t_batch:6.1f}x")
    print(f"iterates: blocks == one block == loop bit for bit: {same}; max |batched - lean loop| = {lean_diff:.2e}")
    print(f"median final error ||w^T - w*||: {float(np.median(res.dist_to_opt[:, -1])):.5f}")
    return 0 if same and lean_diff < 1e-12 else 1


if __name__ == "__main__":
    raise SystemExit(main())
