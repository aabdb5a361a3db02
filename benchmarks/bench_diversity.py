"""Benchmark: gradient diversity of a GLM without materialising the n x d per-sample gradient matrix.

Logistic regression, X ~ N(0, 1/d) of shape (n, d) = (100000, 1000) float64 (800 MB), labels +-1, a random w.
All contenders run in the same process on the same X, y, w; each is timed ``--repeats`` times after one
warm-up (median wall time reported) and its peak extra memory is measured with ``tracemalloc`` (numpy
reports its allocations to it) in a separate call. Results are compared (B_D, A, S, A_q to 1e-9 relative).

* ``materialised (boundlab)``: ``diversity(glm_gradients(X, y, w))``, the n x d gradient matrix then its statistics;
* ``materialised (lean numpy)``: ``G = a[:, None] * X`` then einsum / sum / abs in plain numpy;
* ``boundlab glm_diversity``: one blocked pass over X (z, l', ||x_i||, X'a per cache-sized block);
* ``B_D only`` rows: both sides skip A_q (the l1 norms of the rows, needed only for quantization);
* ``cached row norms``: the w-independent row norms computed once (``glm_row_norms``), as when B_D is
  logged along a training run; each call then reads X once.

Run: ``/tmp/venv/bin/python benchmarks/bench_diversity.py [--n 100000] [--d 1000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

from boundlab.montecarlo import _diversity as div


def lean_materialised(X: np.ndarray, y: np.ndarray, w: np.ndarray, quant: bool = True) -> tuple[float, float, float]:
    a = -y / (1 + np.exp(y * (X @ w)))
    G = a[:, None] * X
    sq = np.einsum("ij,ij->i", G, G)
    s = G.sum(axis=0)
    return float(sq.sum()), float(s @ s), (float(np.sqrt(sq) @ np.abs(G).sum(axis=1)) if quant else float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n, args.d)) / np.sqrt(args.d)
    y = np.where(rng.random(args.n) < 0.5, 1.0, -1.0)
    w = rng.standard_normal(args.d)
    contenders = {
        "materialised (boundlab)": lambda: div.diversity(div.glm_gradients(X, y, w, "logistic")),
        "materialised (lean numpy)": lambda: lean_materialised(X, y, w),
        "boundlab glm_diversity": lambda: div.glm_diversity(X, y, w, "logistic"),
        "lean numpy, B_D only": lambda: lean_materialised(X, y, w, quant=False),
        "boundlab, B_D only": lambda: div.glm_diversity(X, y, w, "logistic", quant=False),
        "boundlab, cached row norms": lambda: div.glm_diversity(X, y, w, "logistic", row_norms=norms),
    }
    norms = div.glm_row_norms(X)  # w-independent: computed once per data set (e.g. logging B_D along training)
    ref = div.glm_diversity(X, y, w, "logistic")
    mat = div.diversity(div.glm_gradients(X, y, w, "logistic"))
    lean = lean_materialised(X, y, w)
    for a, b in (
        (ref.A, mat.A),
        (ref.S, mat.S),
        (ref.A_q, mat.A_q),
        (ref.A, lean[0]),
        (ref.S, lean[1]),
        (ref.A_q, lean[2]),
    ):
        assert abs(a - b) <= 1e-9 * abs(b), (a, b)
    print(
        f"n = {args.n}, d = {args.d}: B_D = {ref.B_D:.6g}; the gradient matrix alone is {args.n * args.d * 8 / 1e6:.0f} MB"
    )
    rows = {}
    for name, fn in contenders.items():
        fn()
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows[name] = (statistics.median(times), peak)
    base = rows["boundlab glm_diversity"][0]
    print(f"{'contender':28s} {'median s':>10s} {'peak MB':>10s} {'time / boundlab':>16s}")
    for name, (t, peak) in rows.items():
        ref_t = rows["boundlab, B_D only"][0] if "only" in name else base
        if "cached" in name:
            ref_t = t
        print(f"{name:28s} {t:10.4f} {peak / 1e6:10.1f} {t / ref_t:16.1f}")
    print(
        f"boundlab peak = {rows['boundlab glm_diversity'][1] / (args.n * args.d * 8):.4%} of the n x d matrix; "
        f"with A_q: {rows['materialised (boundlab)'][0] / base:.1f}x faster than materialised (boundlab), "
        f"{rows['materialised (lean numpy)'][0] / base:.1f}x than lean numpy; B_D only: "
        f"{rows['lean numpy, B_D only'][0] / rows['boundlab, B_D only'][0]:.1f}x than lean numpy; with cached row "
        f"norms (all of B_D, A_q): {rows['materialised (boundlab)'][0] / rows['boundlab, cached row norms'][0]:.1f}x "
        f"and {rows['materialised (lean numpy)'][0] / rows['boundlab, cached row norms'][0]:.1f}x"
    )


if __name__ == "__main__":
    main()
