"""Benchmark: boundlab's robust aggregators and pre-aggregators against the same rules computed ByzFL's way.

Run: ``python benchmarks/bench_robust.py [--sizes 100x100000,15x1000000] [--repeats 3] [--only mda,caf]``

Every rule of :mod:`boundlab.montecarlo._robust` is timed against a baseline written here from
the rule's definition the way ByzFL's numpy path computes it (ByzFL itself needs torch, so it is
not imported): ``scipy.spatial.distance.cdist`` for distances, a Python loop over every subset
for MDA and SMEA, one power iteration per round (CAF) or per subset (SMEA), ``np.argpartition``
for neighbours, a Python loop over the rows for the clippings. Blades' DnC (``torch.svd`` of the
subsampled matrix, a loop over iterations) is the DnC baseline. Where ByzFL's form would not fit
in memory (NNM's ``vectors[indices]`` of shape (m, m - f, d): 7.9 GB at m = 100, d = 1e5) the
baseline averages the same neighbours one row at a time.

Both contenders run on the same float64 array ``x`` of shape (m, d) (Gaussian, no ties). Times are
medians of ``repeats`` calls after one warm-up call (a call slower than 5 s is timed once: the
warm-up); ``ratio = baseline / boundlab`` (> 1: boundlab
is faster). ``same`` compares the outputs (max abs difference <= 1e-12 * max(1, |x|_inf)) where the
rule is deterministic or the baseline draws the same random numbers (bucketing, DnC); CAF and
SMEA are not compared: ByzFL's single power-iteration step is a different (random) estimate from
boundlab's power iteration (CAF) or exact eigenvalue (SMEA), and ByzFL's CAF takes ``max tau``
over every worker where boundlab takes it over the workers still weighted (see ``caf``). Like
with like is ``caf (power_iters=1)``: one step per round, as the baseline; the default (20 steps)
is a better eigenvector, and on the shifted minority used here it runs more rounds. The load
average is printed before each size.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import time
from collections.abc import Callable

import numpy as np
from _timing import median_time  # benchmarks/_timing.py (scripts run from this folder)
from scipy.spatial.distance import cdist

from boundlab.montecarlo import _robust as rb

# ----------------------------------------------------------------------------------------------
# baselines: the rules computed ByzFL's way (numpy path), written from their definitions


def byzfl_centered_clipping(x: np.ndarray, tau: float, L: int) -> np.ndarray:
    v = np.zeros(x.shape[1])
    for _ in range(L):
        diff = x - v
        with np.errstate(divide="ignore"):
            factor = np.minimum(1.0, tau / np.linalg.norm(diff, axis=1))
        v = v + (diff * factor[:, None]).mean(axis=0)
    return v


def byzfl_mda(x: np.ndarray, f: int) -> np.ndarray:
    n = len(x)
    dist = cdist(x, x)
    best, best_subset = math.inf, None
    for subset in itertools.combinations(range(n), n - f):
        pairs = list(itertools.combinations(subset, 2))
        diam = dist[tuple(zip(*pairs))].max()
        if diam < best:
            best, best_subset = diam, subset
    return x[np.asarray(best_subset)].mean(axis=0)


def byzfl_monna(x: np.ndarray, f: int, idx: int) -> np.ndarray:
    dist = cdist(x, x[idx].reshape(1, -1)).reshape(-1)
    k = len(x) - f
    return x[np.argpartition(dist, k - 1)[:k]].mean(axis=0)


def byzfl_meamed(x: np.ndarray, f: int) -> np.ndarray:
    n, d = x.shape
    k = n - f
    med = np.median(x, axis=0)
    idx = np.argpartition(np.abs(x - med), k - 1, axis=0)[:k]
    return np.take(x, idx * d + np.arange(d)).mean(axis=0)


def byzfl_caf(x: np.ndarray, f: int, rng: np.random.Generator) -> np.ndarray:
    n, d = x.shape
    c = np.ones(n)
    best_lam, best_mu = math.inf, None
    while c.sum() > n - 2 * f:
        mu = (c[:, None] * x).sum(axis=0) / c.sum()
        diffs = x - mu
        v = rng.standard_normal(d)
        v /= np.linalg.norm(v)
        w = (c[:, None] * diffs * (diffs @ v)[:, None]).sum(axis=0) / c.sum()  # one power-iteration step
        v = w / np.linalg.norm(w)
        lam = v @ w
        if lam < best_lam:
            best_lam, best_mu = lam, mu
        tau = np.where(c > 0, (diffs @ v) ** 2, 0.0)
        c = c * (1 - tau / tau.max())
    return best_mu


def byzfl_smea(x: np.ndarray, f: int, rng: np.random.Generator) -> np.ndarray:
    n, d = x.shape
    best, best_subset = math.inf, None
    for subset in itertools.combinations(range(n), n - f):
        sub = x[np.asarray(subset)]
        diffs = sub - sub.mean(axis=0)
        v = rng.standard_normal(d)
        v /= np.linalg.norm(v)
        w = (diffs * (diffs @ v)[:, None]).sum(axis=0)
        lam = (w / np.linalg.norm(w)) @ w
        if lam < best:
            best, best_subset = lam, subset
    return x[np.asarray(best_subset)].mean(axis=0)


def blades_dnc(x: np.ndarray, f: int, seed: int, n_iters: int = 5, sub_dim: int = 10_000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n, d = x.shape
    good = set(range(n))
    for _ in range(n_iters):
        cols = np.sort(rng.choice(d, size=min(sub_dim, d), replace=False))
        z = x[:, cols] - x[:, cols].mean(axis=0)
        v = np.linalg.svd(z, full_matrices=False)[2][0]
        scores = (z @ v) ** 2
        good &= set(np.argsort(scores, kind="stable")[: n - f].tolist())
    return x[sorted(good)].mean(axis=0)


def byzfl_nnm(x: np.ndarray, f: int) -> np.ndarray:
    k = len(x) - f
    idx = np.argpartition(cdist(x, x), k - 1, axis=1)[:, :k]
    return np.stack([x[row].mean(axis=0) for row in idx])  # ByzFL: x[idx].mean(axis=1), (m, k, d) at once


def byzfl_bucketing(x: np.ndarray, s: int, seed: int) -> np.ndarray:
    perm = np.random.default_rng(seed).permuted(np.arange(len(x)))
    y = x[perm]
    nb = len(x) // s
    out = y[: nb * s].reshape(nb, s, -1).mean(axis=1)
    if nb * s < len(x):
        out = np.concatenate([out, y[nb * s :].mean(axis=0, keepdims=True)])
    return out


def byzfl_clipping(x: np.ndarray, c: float) -> np.ndarray:
    out = x.copy()  # ByzFL clips in place; the copy keeps the input for the next repeat
    for i in range(len(out)):
        n = np.linalg.norm(out[i])
        if n > c:
            out[i] = out[i] * (c / n)
    return out


def byzfl_arc(x: np.ndarray, f: int) -> np.ndarray:
    out = x.copy()
    mags = sorted((np.linalg.norm(v), i) for i, v in enumerate(out))
    n = len(out)
    k = int((2 * f / n) * (n - f))
    if k == 0:
        return out
    thr = mags[n - k - 1][0]
    for norm, i in mags[n - k :]:
        if norm > thr:
            out[i] = out[i] * (thr / norm)
    return out


# ----------------------------------------------------------------------------------------------


def cases(m: int) -> list[tuple[str, Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], bool]]:
    """(name, boundlab, baseline, compare) at m workers; f = 10% of m (subset rules: small f)."""
    f = max(1, m // 10)
    f_sub = 1 if m > 30 else 3  # C(m, f) subsets for MDA / SMEA
    f_mda = 2 if m > 30 else 3
    return [
        (
            "centered_clipping",
            lambda x: rb.centered_clipping(x, 10.0, 3),
            lambda x: byzfl_centered_clipping(x, 10.0, 3),
            True,
        ),
        (f"mda (f={f_mda})", lambda x: rb.mda(x, f_mda), lambda x: byzfl_mda(x, f_mda), True),
        ("monna", lambda x: rb.monna(x, f), lambda x: byzfl_monna(x, f, len(x) - 1), True),
        ("meamed", lambda x: rb.meamed(x, f), lambda x: byzfl_meamed(x, f), True),
        (
            "caf (power_iters=1)",
            lambda x: rb.caf(x, f, 0, power_iters=1),
            lambda x: byzfl_caf(x, f, np.random.default_rng(0)),
            False,
        ),
        (
            "caf (default, 20 steps)",
            lambda x: rb.caf(x, f, 0),
            lambda x: byzfl_caf(x, f, np.random.default_rng(0)),
            False,
        ),
        (
            f"smea (f={f_sub})",
            lambda x: rb.smea(x, f_sub),
            lambda x: byzfl_smea(x, f_sub, np.random.default_rng(0)),
            False,
        ),
        ("dnc", lambda x: rb.dnc(x, f, 3), lambda x: blades_dnc(x, f, 3), True),
        ("nnm", lambda x: rb.nnm(x, f=f), lambda x: byzfl_nnm(x, f), True),
        ("bucketing", lambda x: rb.bucketing(x, s=2, rng=5), lambda x: byzfl_bucketing(x, 2, 5), True),
        ("static_clipping", lambda x: rb.static_clipping(x, c=50.0), lambda x: byzfl_clipping(x, 50.0), True),
        ("arc", lambda x: rb.arc(x, f=f), lambda x: byzfl_arc(x, f), True),
    ]


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, int]:
    """Median of ``repeats`` timed calls after a warm-up; a call slower than 5 s is timed once (the warm-up)."""
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > 5.0:
        return first, 1
    return median_time(fn, repeats), repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100x100000,15x1000000", help="comma-separated m x d")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated name prefixes")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    only = [s for s in args.only.split(",") if s]
    for size in args.sizes.split(","):
        m, d = (int(float(v)) for v in size.lower().split("x"))
        x = np.random.default_rng(args.seed).standard_normal((m, d))
        x[: max(1, m // 10)] += 5.0  # a shifted minority, as an attack would send
        copy_t = median_time(lambda: x.copy(), max(args.repeats, 5))
        print(f"\nm = {m}, d = {d}: memory copy of x {copy_t * 1e3:.1f} ms; medians of {args.repeats} runs")
        print("load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
        print(f"{'rule':26s} {'boundlab ms':>12s} {'baseline ms':>12s} {'ratio':>8s}  same")
        for name, ours, base, compare in cases(m):
            if only and not any(name.startswith(o) for o in only):
                continue
            a, b = ours(x), base(x)
            if compare:
                tol = 1e-12 * max(1.0, float(np.abs(x).max()))
                same = "yes" if a.shape == b.shape and float(np.max(np.abs(a - b))) <= tol else "NO"
            else:
                same = "n/a (random)"
            t_ours, n_ours = _time(lambda: ours(x), args.repeats)
            t_base, n_base = _time(lambda: base(x), args.repeats)
            runs = "" if n_base == n_ours == args.repeats else f"  (runs: {n_ours} / {n_base})"
            print(
                f"{name:26s} {t_ours * 1e3:12.1f} {t_base * 1e3:12.1f} {t_base / t_ours:8.2f}  {same}{runs}", flush=True
            )


if __name__ == "__main__":
    main()
