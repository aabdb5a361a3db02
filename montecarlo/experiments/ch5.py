"""Experiment module (split from the chapter's checks)."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.montecarlo import (
    Experiment,
    adversarial_margins,
    downsample2x2,
    rademacher_pair,
    register_experiment,
    upsample2x2,
)

# ---------------------------------------------------------------------------------------------
# Experiments: Figures 5.2 and 5.3 on scikit-learn's digits
# ---------------------------------------------------------------------------------------------


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # lazy: scikit-learn is only needed here

    data = load_digits()
    return data.data / 16.0, data.target.astype(int)


def _robust_ce_grad(Wm: np.ndarray, X: np.ndarray, y: np.ndarray, eps: float) -> tuple[float, np.ndarray]:
    """Robust cross-entropy with per-pair worst-case logits and its (sub)gradient.

    z~_k = (w_k - w_y)'x + eps ||w_k - w_y||_1 (k != y), z~_y = 0, loss = logsumexp(z~): each pair's logit at
    its own closed-form adversarial example x - eps sgn(w_y - w_k). Exact robust CE for K = 2, an upper bound
    (convex in W) for K > 2.
    """
    n, _K = X.shape[0], Wm.shape[0]
    idx = np.arange(n)
    s = X @ Wm.T
    diff = Wm[:, None, :] - Wm[None, :, :]  # (K, K, d): w_k - w_j
    sgn = np.sign(diff)
    l1 = np.abs(diff).sum(axis=-1)  # (K, K)
    z = s - s[idx, y][:, None] + eps * l1[:, y].T
    z[idx, y] = 0.0
    zmax = z.max(axis=1, keepdims=True)
    e = np.exp(z - zmax)
    tot = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(tot[:, 0]) + zmax[:, 0]))
    P = e / tot
    Y = np.zeros_like(P)
    Y[idx, y] = 1.0
    G = (P - Y).T @ X  # gradient of the linear part
    Mk = Y.T @ P  # Mk[j, k] = sum_{i: y_i = j} P_ik
    np.fill_diagonal(Mk, 0.0)
    G += eps * (np.einsum("jk,kjd->kd", Mk, sgn) - np.einsum("jk,kjd->jd", Mk, sgn))
    return loss, G / n


def _train(X: np.ndarray, y: np.ndarray, eps: float, lam: float, iters: int, K: int = 10) -> np.ndarray:
    """Accelerated full-batch proximal gradient (FISTA; soft thresholding for lam ||W||_1) on the robust CE."""
    Wm = np.zeros((K, X.shape[1]))
    Z = Wm.copy()
    L = 0.5 * float(np.linalg.eigvalsh(X.T @ X / X.shape[0])[-1]) + 1e-12
    lr = 1.0 / L
    t = 1.0
    for _ in range(iters):
        _, G = _robust_ce_grad(Z, X, y, eps)
        W_new = Z - lr * G
        W_new = np.sign(W_new) * np.maximum(np.abs(W_new) - lr * lam, 0.0)
        t_new = (1 + math.sqrt(1 + 4 * t * t)) / 2
        Z = W_new + (t - 1) / t_new * (W_new - Wm)
        Wm, t = W_new, t_new
    return Wm


def _adv_error(X: np.ndarray, y: np.ndarray, Wm: np.ndarray, eps: float) -> float:
    return float(np.mean(adversarial_margins(X, y, Wm, eps) <= 0))  # exact, ties = errors


def _gap_runs(
    X: np.ndarray, y: np.ndarray, eps: float, lam: float, seeds: list[int], n_train: int, iters: int
) -> dict[str, Any]:
    gaps, tr, te, l1 = [], [], [], []
    for s in seeds:
        rng = np.random.default_rng(s)
        perm = rng.permutation(X.shape[0])
        a, b = perm[:n_train], perm[n_train:]
        Wm = _train(X[a], y[a], eps, lam, iters)
        e_tr, e_te = _adv_error(X[a], y[a], Wm, eps), _adv_error(X[b], y[b], Wm, eps)
        gaps.append(e_te - e_tr)
        tr.append(e_tr)
        te.append(e_te)
        l1.append(float(np.abs(Wm).sum()))
    g = np.array(gaps)
    return {
        "gap_mean": float(g.mean()),
        "gap_std": float(g.std(ddof=1)) if g.size > 1 else 0.0,
        "adv_train_err": float(np.mean(tr)),
        "adv_test_err": float(np.mean(te)),
        "W_l1": float(np.mean(l1)),
    }


def _trend(values: list[float]) -> float:
    """Least-squares slope of values against their rank (sign = trend direction)."""
    x = np.arange(len(values), dtype=float)
    v = np.asarray(values, dtype=float)
    return float(np.polyfit(x, v, 1)[0]) if len(values) > 1 else 0.0


def _fig52(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    X, y = _digits()
    eps_grid = [0.02, 0.05, 0.1] if quick else [0.01, 0.02, 0.05, 0.1, 0.2]
    lam_grid = [0.0, 0.003, 0.01, 0.03] if quick else [0.0, 0.001, 0.003, 0.01, 0.03, 0.1]
    seeds = [seed + k for k in range(3 if quick else 10)]
    n_train, iters = 150, (300 if quick else 1000)
    rows = []
    for eps in eps_grid:
        for lam in lam_grid:
            rows.append({"eps": eps, "lambda": lam, **_gap_runs(X, y, eps, lam, seeds, n_train, iters)})
    verdicts = {}
    for eps in eps_grid:
        g = [r["gap_mean"] for r in rows if r["eps"] == eps]
        verdicts[str(eps)] = "decreases" if g[-1] < g[0] and _trend(g) < 0 else "does not decrease"
    reproduced = all(v == "decreases" for v in verdicts.values())
    figures = []
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for eps in eps_grid:
            rr = [r for r in rows if r["eps"] == eps]
            xs = [max(r["lambda"], lam_grid[1] / 3) for r in rr]
            ax.errorbar(
                xs,
                [r["gap_mean"] for r in rr],
                yerr=[r["gap_std"] for r in rr],
                marker="o",
                capsize=3,
                label=f"eps = {eps}",
            )
        ax.set_xscale("log")
        ax.set_xlabel(f"lambda (l1 penalty; lambda = 0 plotted at {lam_grid[1] / 3:.1g})")
        ax.set_ylabel("adversarial test error - adversarial train error")
        ax.set_title("Fig. 5.2 analog: digits (8x8), linear, n = 150")
        ax.legend()
        fig.tight_layout()
        path = Path(out_dir) / "fig5.2-digits.png"
        fig.savefig(path, dpi=120)
        plt.close(fig)
        figures.append(str(path))
    return {
        "analog": (
            f"scikit-learn digits (1797 images 8x8, d = 64, pixels / 16), n = {n_train} training points per "
            f"run (test = the other {1797 - n_train}), {len(seeds)} seeds; linear f(x) = Wx without bias; "
            f"accelerated full-batch proximal gradient (FISTA, {iters} steps, step 1/L) on the robust cross-entropy with per-pair "
            f"closed-form adversarial examples x - eps sgn(w_y - w_k); adversarial errors exact by (5.13)."
        ),
        "paper_claim": "Fig. 5.2 (MNIST, n = 1000, 10 runs): the adversarial generalization error decreases as lambda "
        "increases, for every eps.",
        "measured": rows,
        "trend_in_lambda": verdicts,
        "reproduced": reproduced,
        "verdict": (
            "reproduced: the gap decreases with lambda at every eps"
            if reproduced
            else "NOT reproduced at every eps in this analog: see trend_in_lambda"
        ),
        "figures": figures,
        "seconds": time.perf_counter() - t0,
    }


register_experiment(
    Experiment(
        id="fig5.2",
        title="Adversarial generalization gap vs eps and l1 regularisation (linear, digits analog)",
        source="Figure 5.2, L12628-12639",
        paper={
            "claim": "adversarial generalization error decreases as lambda increases (MNIST, d = 784, n = 1000, "
            "10 runs, error bars = std)",
            "numbers": "plotted only; no table",
        },
        runner=_fig52,
    )
)


def _fig53(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    X64, y = _digits()
    views = {16: downsample2x2(X64), 64: X64, 256: upsample2x2(X64)}
    norms_ok = bool(
        np.allclose(np.linalg.norm(views[16], axis=1), np.linalg.norm(X64, axis=1))
        and np.allclose(np.linalg.norm(views[256], axis=1), np.linalg.norm(X64, axis=1))
    )
    eps_grid = [0.02, 0.05, 0.1] if quick else [0.01, 0.02, 0.05, 0.1, 0.2]
    seeds = [seed + k for k in range(3 if quick else 10)]
    n_train, iters = 150, (300 if quick else 1000)
    rows = []
    for eps in eps_grid:
        for dim, Xd in views.items():
            rows.append({"eps": eps, "d": dim, **_gap_runs(Xd, y, eps, 0.0, seeds, n_train, iters)})
    verdicts = {}
    for eps in eps_grid:
        g = [r["gap_mean"] for r in rows if r["eps"] == eps]
        verdicts[str(eps)] = "increases" if g[0] < g[1] < g[2] else "not monotone increasing"
    reproduced = all(v == "increases" for v in verdicts.values())
    # the replication map is an eps doubling in disguise for linear models: d = 256 at eps vs d = 64 at 2 eps
    gap = {(r["eps"], r["d"]): r["gap_mean"] for r in rows}
    equivalence = [
        {"eps": e, "gap at d = 256, eps": gap[(e, 256)], "gap at d = 64, 2 eps": gap[(2 * e, 64)]}
        for e in eps_grid
        if (2 * e, 64) in gap
    ]
    # equal up to the optimiser's path (the l1 subgradient at 0 can leave range(U)): within half a point of error
    disguised = bool(equivalence) and all(
        abs(q["gap at d = 256, eps"] - q["gap at d = 64, 2 eps"]) < 0.005 for q in equivalence
    )
    # theory side: R_S(F), R_S(F~) on the same training sample at the three dimensions (exact-MC estimators)
    rng = np.random.default_rng(seed)
    a = rng.permutation(X64.shape[0])[:n_train]
    yb = np.where(y[a] % 2 == 0, 1.0, -1.0)
    theory = []
    for p in (1.0, 2.0, math.inf):
        for dim, Xd in views.items():
            r = rademacher_pair(Xd[a], yb, 0.1, 1.0, p, method="mc", draws=1000 if quick else 5000, seed=seed)
            theory.append(
                {
                    "p": p if math.isfinite(p) else "inf",
                    "d": dim,
                    "R_S(F)": r.natural.value,
                    "R_S(F~)": r.adversarial.value,
                    "excess": r.adversarial.value - r.natural.value,
                    "D_hat": r.D_hat,
                }
            )
    figures = []
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(1, 2, figsize=(10, 4))
        for dim in views:
            rr = [r for r in rows if r["d"] == dim]
            ax[0].errorbar(
                [r["eps"] for r in rr],
                [r["gap_mean"] for r in rr],
                yerr=[r["gap_std"] for r in rr],
                marker="o",
                capsize=3,
                label=f"d = {dim}",
            )
        ax[0].set_xlabel("eps")
        ax[0].set_ylabel("adversarial test - train error")
        ax[0].set_title("Fig. 5.3 analog (lambda = 0, n = 150)")
        ax[0].legend()
        for p in (1.0, 2.0, "inf"):
            tt = [t for t in theory if t["p"] == p]
            ax[1].plot([t["d"] for t in tt], [max(t["excess"], 1e-6) for t in tt], marker="o", label=f"p = {p}")
        ax[1].set_xscale("log")
        ax[1].set_yscale("log")
        ax[1].set_xlabel("d (norm-preserving down/up-sampling)")
        ax[1].set_ylabel("R_S(F~) - R_S(F), eps = 0.1")
        ax[1].set_title("Theory side (W = 1)")
        ax[1].legend()
        fig.tight_layout()
        path = Path(out_dir) / "fig5.3-digits.png"
        fig.savefig(path, dpi=120)
        plt.close(fig)
        figures.append(str(path))
    return {
        "analog": (
            f"digits at d = 16 (2x2 root-sum-square downsampling), 64 (original), 256 (each pixel -> 2x2 of "
            f"a/2); both maps preserve ||x||_2 (checked: {norms_ok}); lambda = 0, n = {n_train}, "
            f"{len(seeds)} seeds, robust-CE training as in fig5.2. Upsampling is an isometry U with "
            f"||U w||_1 = 2||w||_1: the same eps is effectively twice as strong after upsampling."
        ),
        "paper_claim": "Fig. 5.3 (MNIST at d = 196, 784, 3136): the adversarial generalization error increases with d.",
        "measured": rows,
        "trend_in_d": verdicts,
        "reproduced": reproduced,
        "verdict": (
            "reproduced: the gap increases with d at every eps"
            if reproduced
            else "NOT reproduced at every eps in this analog (small d underfits, large d saturates at large eps): "
            "see trend_in_d"
        ),
        "eps_doubling_equivalence": equivalence,
        "cause": (
            (
                "analog: for a linear model the 2x2 replication adds no direction to the data, so d = 256 at eps is "
                "d = 64 at 2 eps (measured gaps within 0.005 in eps_doubling_equivalence); the d sweep is an eps sweep in "
                "disguise and cannot test the claim (docs/reproduction-gaps.md)"
            )
            if disguised
            else "see docs/reproduction-gaps.md"
        ),
        "theory_side": theory,
        "theory_checks": {
            "excess_within_D_hat_everywhere": all(-1e-12 <= t["excess"] <= t["D_hat"] + 1e-12 for t in theory),
            "excess_increases_with_d": {
                str(p): bool(np.all(np.diff([t["excess"] for t in theory if t["p"] == p]) > 0)) for p in (2.0, "inf")
            },
        },
        "theory_note": (
            "Rademacher side on a binary (even/odd) relabelling of the same sample, eps = 0.1, W = 1: for "
            "p = 1 the excess R_S(F~) - R_S(F) is bounded by eps W E|S_n|/(2n) at every d; for p = 2 and "
            "p = inf it grows with d (d^(1/2), d)."
        ),
        "norm_preserving_maps": norms_ok,
        "figures": figures,
        "seconds": time.perf_counter() - t0,
    }


register_experiment(
    Experiment(
        id="fig5.3",
        title="Adversarial generalization gap vs input dimension (linear, digits analog)",
        source="Figure 5.3, L12641-12657",
        paper={
            "claim": "adversarial generalization error increases with d (MNIST down/up-sampled to d = 196, 784, 3136; "
            "lambda = 0)",
            "numbers": "plotted only; no table",
        },
        runner=_fig53,
    )
)
