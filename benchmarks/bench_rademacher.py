"""Benchmark: Monte Carlo Rademacher complexity (natural + adversarial, antithetic) vs a plain matmul.

Run: ``python benchmarks/bench_rademacher.py [--draws 10000] [--n 1000] [--d 784] [--repeats 5]``

boundlab's estimator ``rademacher_pair(X, y, eps, W, p, method="mc", draws=D)`` computes, per block of
sign vectors Sigma (draws, n), the product U = Sigma @ (y * X) (draws x n x d), then row norms of |U| -+ eps S
(the antithetic partner is free). The baseline is the bare product of the same shapes,
``np.matmul(Sigma, Z)`` on one (draws, n) float64 matrix, measured in the same run; its rate
(2 draws n d / seconds) is the machine's measured matmul rate. The script also times boundlab's pieces
(sign generation, the blocked products, the norms) to show where the time goes, and reports

* the share of boundlab's time spent in the matrix products, and
* the achieved fraction of the measured matmul rate: (2 draws n d / boundlab's time) / baseline rate.

Each timing is the median of ``repeats`` runs after one warm-up.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import median_time  # benchmarks/_timing.py (scripts run from this folder)

from boundlab.montecarlo import chunk_rngs
from boundlab.montecarlo._rademacher import _block_values, _random_signs, conjugate, rademacher_pair


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--d", type=int, default=784)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--p", type=float, default=2.0)
    ap.add_argument("--eps", type=float, default=0.1)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X = rng.random((args.n, args.d))
    y = rng.choice([-1.0, 1.0], size=args.n)
    Z = y[:, None] * X
    flops = 2.0 * args.draws * args.n * args.d
    q = conjugate(args.p)

    sig_full = _random_signs(np.random.default_rng(1), args.draws, args.n)
    t_matmul = median_time(lambda: sig_full @ Z, args.repeats)

    def boundlab_run() -> object:
        return rademacher_pair(X, y, args.eps, 1.0, args.p, method="mc", draws=args.draws, seed=0)

    t_total = median_time(boundlab_run, args.repeats)

    # where the time goes, on the same blocks (chunk_rngs: 2000 sign vectors per block)
    blocks = [(size, r) for size, r in chunk_rngs(0, args.draws)]

    def signs_only() -> list[np.ndarray]:
        return [_random_signs(np.random.default_rng(7), size, args.n) for size, _ in blocks]

    sigs = signs_only()
    t_signs = median_time(signs_only, args.repeats)
    t_products = median_time(lambda: [s @ Z for s in sigs], args.repeats)
    t_blocks = median_time(lambda: [_block_values(s, Z, args.eps, q, "corrected") for s in sigs], args.repeats)

    res = boundlab_run()
    rate = flops / t_matmul
    print(
        f"Rademacher Monte Carlo: draws = {args.draws}, n = {args.n}, d = {args.d}, p = {args.p:g}, eps = {args.eps:g} "
        f"(antithetic pairs, natural + adversarial from one product)"
    )
    print(
        f"R_S(F) = {res.natural.value:.6f} [{res.natural.ci_low:.6f}, {res.natural.ci_high:.6f}], "
        f"R_S(F~) = {res.adversarial.value:.6f} [{res.adversarial.ci_low:.6f}, {res.adversarial.ci_high:.6f}]"
    )
    print(f"{'contender':52s} {'median s':>10s} {'GFLOP/s':>9s}")
    print(f"{'baseline: one np.matmul (draws x n) @ (n x d)':52s} {t_matmul:10.4f} {rate / 1e9:9.2f}")
    print(f"{'boundlab rademacher_pair (total)':52s} {t_total:10.4f} {flops / t_total / 1e9:9.2f}")
    print(f"{'  of which: sign generation':52s} {t_signs:10.4f}")
    print(f"{'  of which: blocked products Sigma_b @ Z':52s} {t_products:10.4f} {flops / t_products / 1e9:9.2f}")
    print(f"{'  of which: products + norms (_block_values)':52s} {t_blocks:10.4f}")
    print(f"share of boundlab's time in the matrix products: {t_products / t_total:.1%}")
    print(
        f"achieved fraction of the measured matmul rate: {t_matmul / t_total:.1%} "
        f"(ratio baseline / boundlab time = {t_matmul / t_total:.3f})"
    )


if __name__ == "__main__":
    main()
