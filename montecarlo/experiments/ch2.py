"""Experiment module (split from the chapter's checks)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.montecarlo import (
    Experiment,
    GLMProblem,
    Mechanism,
    Replacement,
    SoftmaxProblem,
    b_drop,
    diversity,
    glm_lower_bound_normalized,
    minibatch_sgd,
    register_experiment,
)

# ---------------------------------------------------------------------------------------------
# Experiments (CPU analogs on scikit-learn's bundled digits; boundlab reproduce ID)
# ---------------------------------------------------------------------------------------------

COST = {"t_grad": 1.0, "t_comm": 50.0}  # communication-cost model: t_iter(B) = t_comm + (B/P) t_grad


def _digits(binary: bool = True) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import (
        load_digits,  # lazily: scikit-learn is needed by the experiments only
    )

    ds = load_digits()
    X = np.hstack([ds.data / 16.0, np.ones((ds.data.shape[0], 1))])  # pixels in [0, 1] and a bias feature
    return (X, np.where(ds.target >= 5, 1.0, -1.0)) if binary else (X, ds.target.astype(int))


def _f_star(prob: GLMProblem) -> tuple[float, np.ndarray]:
    from scipy.optimize import minimize

    res = minimize(
        lambda w: float(prob.loss(w[None])[0]),
        np.zeros(prob.dim),
        jac=lambda w: prob.full_grad(w[None])[0],
        method="L-BFGS-B",
        options={"maxiter": 5000, "gtol": 1e-10},
    )
    return float(res.fun), res.x


def _b_d_at(prob: GLMProblem, w: np.ndarray) -> float:
    g = prob.per_sample(w[None], np.arange(prob.n)[None])[0]
    return diversity(g).B_D


def _t_iter(B: int, P: int) -> float:
    return COST["t_comm"] + B / P * COST["t_grad"]


def _passes_to(
    prob: Any,
    B: int,
    gammas: np.ndarray,
    reps: int,
    max_passes: int,
    done: Any,
    rng: np.random.Generator,
    mechanism: Mechanism | None = None,
    metric: str = "loss",
) -> tuple[np.ndarray, np.ndarray]:
    """Run all step sizes (x reps) at once, pass by pass; returns (curves (passes+1, n_gamma), first pass reached)."""
    R = len(gammas) * reps
    gam = np.repeat(gammas, reps)
    w = np.zeros((R, prob.dim))
    T = (prob.n // B) * B
    evalf = prob.loss if metric == "loss" else prob.accuracy
    curves = [evalf(w).reshape(len(gammas), reps).mean(axis=1)]
    for _ in range(max_passes):
        w = minibatch_sgd(prob, w, B=B, gamma=gam, T=T, rng=rng, mechanism=mechanism).w
        val = evalf(w)
        val = np.where(np.isfinite(val), val, np.inf if metric == "loss" else 0.0)
        curves.append(val.reshape(len(gammas), reps).mean(axis=1))
    c = np.array(curves)
    hit = np.array([next((k for k in range(c.shape[0]) if done(c[k, j])), math.inf) for j in range(c.shape[1])])
    return c, hit


def _save(fig: Any, out_dir: Path | None, name: str) -> list[str]:
    if out_dir is None:
        return []
    path = Path(out_dir) / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return [str(path)]


def _fig21(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _digits()
    prob = GLMProblem(X, y, "logistic", ridge=1e-3)
    f_star, w_star = _f_star(prob)
    target = f_star + 0.05
    Bs = [1, 4, 16, 64, 256] if quick else [1, 2, 4, 8, 16, 32, 64, 128, 256]
    gammas = 2.0 ** -np.arange(0, 10)
    P, max_passes, reps = 8, (12 if quick else 40), (1 if quick else 3)
    rng = np.random.default_rng(seed)
    rows = []
    for B in Bs:
        _, hit = _passes_to(prob, B, gammas, reps, max_passes, lambda v: v <= target, rng)
        j = int(np.argmin(hit))
        passes = float(hit[j])
        per_pass = (prob.n / B) * _t_iter(B, P)
        rows.append(
            {
                "B": B,
                "best_gamma": float(gammas[j]),
                "passes_to_target": passes,
                "speedup_per_pass": (prob.n * _t_iter(1, P)) / per_pass,
                "time_to_target": passes * per_pass if math.isfinite(passes) else math.inf,
            }
        )
    t1 = rows[0]["time_to_target"]
    for r in rows:
        r["overall_speedup"] = t1 / r["time_to_target"] if math.isfinite(r["time_to_target"]) else 0.0
    best = max(rows, key=lambda r: r["overall_speedup"])
    p1 = rows[0]["passes_to_target"]
    knee = max((r["B"] for r in rows if r["passes_to_target"] <= 2 * p1), default=1)
    # B_D along a serial run: at w_0 = 0 and where serial SGD reaches the target
    w_mid = (
        minibatch_sgd(
            prob,
            np.zeros(prob.dim),
            B=1,
            gamma=rows[0]["best_gamma"],
            T=int(max(p1, 1)) * prob.n,
            rng=np.random.default_rng(seed + 1),
        ).w[0]
        if math.isfinite(p1)
        else w_star
    )
    bd = {
        "B_D(w_0)": _b_d_at(prob, np.zeros(prob.dim)),
        "B_D(w at target)": _b_d_at(prob, w_mid),
        "LB_normalized": glm_lower_bound_normalized(X),
    }
    figs: list[str] = []
    if out_dir is not None:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
        ax[0].loglog([r["B"] for r in rows], [r["speedup_per_pass"] for r in rows], "o-")
        ax[0].set(xlabel="batch size B", ylabel="speedup per pass (cost model)", title="(a) per-pass speedup")
        ax[1].semilogx([r["B"] for r in rows], [r["passes_to_target"] for r in rows], "o-")
        ax[1].axvline(bd["B_D(w at target)"], ls="--", c="gray", label="B_D at target")
        ax[1].set(xlabel="batch size B", ylabel="passes to F* + 0.05", title="(b) passes to target")
        ax[1].legend()
        figs = _save(fig, out_dir, "fig2_1_speedup.png")
        plt.close(fig)
    return {
        "title": "Figure 2.1 analog: speedup saturation vs batch size",
        "analog": (
            "binary logistic regression (digit >= 5) on scikit-learn's digits (1797 x 64 + bias), ridge 1e-3, "
            f"target F <= F* + 0.05 (F* = {f_star:.4f}); gamma tuned per B on 2^-k, k = 0..9; cost model "
            f"t_iter = {COST['t_comm']:g} + B/{P} (units of one per-sample gradient). The paper ran "
            "cuda-convnet on CIFAR-10 (no numbers printed)."
        ),
        "rows": rows,
        "B_D": bd,
        "best_B": best["B"],
        "knee_B (passes <= 2x serial)": knee,
        "comparison": (
            f"passes to target stay within 2x of serial SGD up to B = {knee}; B_D(w) is "
            f"{bd['B_D(w_0)']:.1f} at w_0 and {bd['B_D(w at target)']:.1f} where serial SGD reaches "
            f"the target; the overall speedup peaks at B = {best['B']}."
        ),
        "figures": figs,
    }


def _fig22(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X0, y0 = _digits()
    rng = np.random.default_rng(seed)
    B_small, B_large, p = 4, 64, 0.5
    gammas = 2.0 ** -np.arange(0, 8)
    passes, reps = (4 if quick else 10), (1 if quick else 3)
    rows = []
    for r in (1, 2, 4, 8):
        m = X0.shape[0] // r
        keep = rng.permutation(X0.shape[0])[:m]
        X, y = np.repeat(X0[keep], r, axis=0), np.repeat(y0[keep], r)
        prob = GLMProblem(X, y, "logistic", ridge=1e-3)
        curves = {}
        for label, B, mech in (
            ("small", B_small, None),
            ("large", B_large, None),
            ("large+DC", B_large, Mechanism("drop", p)),
        ):
            c, _ = _passes_to(prob, B, gammas, reps, passes, lambda v: False, rng, mechanism=mech)
            j = int(np.argmin(c[-1]))  # step size tuned for the lowest final loss
            curves[label] = c[1:, j]
        g0 = prob.per_sample(np.zeros((1, prob.dim)), np.arange(prob.n)[None])[0]
        s = diversity(g0)
        rows.append(
            {
                "r": r,
                "loss_ratio": float(np.mean(curves["large"] / curves["small"])),
                "loss_ratio_DC": float(np.mean(curves["large+DC"] / curves["small"])),
                "B_D(0)": s.B_D,
                "B_drop(0)": b_drop(s, p),
            }
        )
    figs: list[str] = []
    if out_dir is not None:
        fig, ax = plt.subplots(figsize=(4.5, 3.5))
        ax.plot([r["r"] for r in rows], [r["loss_ratio"] for r in rows], "o-", label=f"B = {B_large} vs {B_small}")
        ax.plot([r["r"] for r in rows], [r["loss_ratio_DC"] for r in rows], "s-", label=f"with DropConnect p = {p}")
        ax.set(xscale="log", xlabel="replication factor r", ylabel="average loss ratio", title="Figure 2.2 analog")
        ax.legend()
        figs = _save(fig, out_dir, "fig2_2_replication.png")
        plt.close(fig)
    return {
        "title": "Figure 2.2 analog: data replication vs large-batch convergence",
        "analog": (
            f"binary logistic regression on digits, r-replication of a random 1/r of the data, B = {B_small} vs "
            f"{B_large}, loss ratio (large / small) at equal gradient computations averaged over {passes} "
            f"passes, gamma tuned per run; DropConnect p = {p} on the large batch. The paper used CIFAR-10 "
            "(logistic, cuda-convnet, ResNet); r values and DC p unspecified there."
        ),
        "rows": rows,
        "comparison": (
            "paper: the gap grows with r and DropConnect helps the large batch; here B_D(0) = "
            + ", ".join(f"{r['B_D(0)']:.1f}" for r in rows)
            + " for r = 1, 2, 4, 8 (equal to B_D of the "
            "n/r distinct points: replication identity), loss ratios "
            + ", ".join(f"{r['loss_ratio']:.3f}" for r in rows)
            + "; with DC "
            + ", ".join(f"{r['loss_ratio_DC']:.3f}" for r in rows)
            + "."
        ),
        "figures": figs,
    }


def _fig23(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X0, y0 = _digits()
    rng = np.random.default_rng(seed)
    perm = rng.permutation(X0.shape[0])
    train, held = perm[:1500], perm[1500:]
    prob = GLMProblem(X0[train], y0[train], "logistic", ridge=1e-3)
    Bs = [4, 16, 64, 256]
    passes, R = (3 if quick else 8), (8 if quick else 24)
    out: dict[str, Any] = {}
    for policy in ("same gamma", "gamma * B fixed"):
        curves = {}
        for B in Bs:
            gamma = 0.05 if policy == "same gamma" else 0.05 * 4 / B
            I = rng.integers(0, prob.n, R)
            z = rng.choice(held, R)
            rep = Replacement(I, X0[z], y0[z])
            T = (prob.n // B) * B
            wa, wb = np.zeros((R, prob.dim)), np.zeros((R, prob.dim))
            dist = [0.0]
            for _ in range(passes):
                s_ = int(rng.integers(0, 2**63 - 1))
                wa = minibatch_sgd(prob, wa, B=B, gamma=gamma, T=T, rng=np.random.default_rng(s_)).w
                wb = minibatch_sgd(prob, wb, B=B, gamma=gamma, T=T, rng=np.random.default_rng(s_), replace=rep).w
                nd = np.sqrt(np.sum((wa - wb) ** 2, 1) / (np.sum(wa**2, 1) + np.sum(wb**2, 1)))
                dist.append(float(nd.mean()))
            curves[B] = dist
        out[policy] = curves
    figs: list[str] = []
    if out_dir is not None:
        fig, ax = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
        for a, (policy, curves) in zip(ax, out.items()):
            for B, c in curves.items():
                a.plot(range(len(c)), c, "o-", label=f"B = {B}")
            a.set(xlabel="passes", title=policy, yscale="log")
            a.legend()
        ax[0].set_ylabel("normalized distance")
        figs = _save(fig, out_dir, "fig2_3_stability.png")
        plt.close(fig)
    final = {p: {str(B): c[-1] for B, c in cur.items()} for p, cur in out.items()}
    return {
        "title": "Figure 2.3 analog: stability (distance of coupled runs) vs batch size",
        "analog": (
            f"binary logistic regression on 1500 digits; S and S^(i) differ in one point (replaced by a held-out "
            f"digit); coupled runs share indices; normalized distance sqrt(||w-w'||^2/(||w||^2+||w'||^2)) "
            f"after each pass, mean of {R} pairs; two step-size policies (the paper does not say which it "
            "used). The paper: cuda-convnet on CIFAR-10, distance grows with B."
        ),
        "curves": {p: {str(B): c for B, c in cur.items()} for p, cur in out.items()},
        "final": final,
        "cause": (
            "if B does not order the distances, the analog (measured in docs/reproduction-gaps.md): on this "
            "strongly convex loss the coupled runs settle at a "
            "fixed point after about one pass whose size does not order with B, in quick and in full mode; "
            "the paper's growth is for a non-convex network"
        ),
        "figures": figs,
    }


def _tab21(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    from boundlab.bounds import TABLE_2_1, table21_gains

    X, y = _digits(binary=False)
    prob = SoftmaxProblem(X, y, 10)
    P, t_comm = 2, 200.0  # 2 workers; communication of one round = 200 per-sample gradients (stated model)
    Bs = [64, 256, 512] if quick else [32, 64, 128, 256, 512]
    gammas = np.array([0.05, 0.02, 0.01]) if quick else np.array([0.1, 0.05, 0.02, 0.01, 0.005])
    reps, max_passes = (2 if quick else 5), (15 if quick else 60)
    rng = np.random.default_rng(seed)
    targets = (0.90, 0.95, 0.99)
    settings = {"vanilla": None, "p=0.4": Mechanism("drop", 0.4), "p=0.5": Mechanism("drop", 0.5)}
    best: dict[str, Any] = {}
    for name, mech in settings.items():
        cand = []
        for B in Bs:
            c, _ = _passes_to(
                prob, B, gammas, reps, max_passes, lambda v: False, rng, mechanism=mech, metric="accuracy"
            )
            iters_per_pass = prob.n // B
            for j, g in enumerate(gammas):
                times = []
                for acc in targets:
                    k = next((k for k in range(c.shape[0]) if c[k, j] >= acc), None)
                    times.append(math.inf if k is None else k * iters_per_pass * (t_comm + B / P))
                cand.append({"B": B, "gamma": float(g), "time": times})
        pick = min(cand, key=lambda r: (r["time"][1], r["time"][0]))
        best[name] = pick
    tv = best["vanilla"]["time"]
    gains = {
        k: [100 * (a - b) / a if math.isfinite(a) and math.isfinite(b) else None for a, b in zip(tv, best[k]["time"])]
        for k in ("p=0.4", "p=0.5")
    }
    return {
        "title": "Table 2.1 analog: time to training accuracy with DropConnect, 2 workers (cost model)",
        "analog": (
            "softmax regression on scikit-learn's digits (1797 x 65, 10 classes) instead of a CNN on MNIST; "
            f"per-sample DropConnect masks (no rescaling); wall-clock from the model t_iter = {t_comm:g} + "
            f"B/{P} in units of one per-sample gradient (not measured on real workers); (gamma, B) picked per "
            f"setting for the fastest time to 95%; accuracy evaluated once per pass, mean of {reps} seeds."
        ),
        "best": best,
        "time_units": "per-sample gradient computations",
        "gain_percent": gains,
        "cause": (
            (
                f"size: 99% training accuracy is missing because SGD on this softmax problem needs 29-47 passes "
                f"at B = 64-256 (docs/reproduction-gaps.md) and this run allows {max_passes}. "
                if any(not math.isfinite(b["time"][2]) for b in best.values())
                else ""
            )
            + "The time is a cost model, not a measurement on workers"
        ),
        "paper": {
            "times": {
                "vanilla": TABLE_2_1["vanilla"],
                "p=0.4": TABLE_2_1["p=0.4"]["time"],
                "p=0.5": TABLE_2_1["p=0.5"]["time"],
            },
            "gain": {"p=0.4": TABLE_2_1["p=0.4"]["gain"], "p=0.5": TABLE_2_1["p=0.5"]["gain"]},
            "gain_recomputed_from_times": table21_gains(),
            "best_B": TABLE_2_1["best_B"],
        },
        "figures": [],
    }


register_experiment(
    Experiment(
        "fig2.1",
        "Speedup saturation vs batch size, knee vs B_D (Figure 2.1)",
        "Figure 2.1, L262-277",
        {"reported": "qualitative: larger B gives per-pass speedup but needs more passes; saturation"},
        _fig21,
    )
)
register_experiment(
    Experiment(
        "fig2.2",
        "Data replication r in {1,2,4,8} with and without DropConnect (Figure 2.2)",
        "Figure 2.2, L1022-1054",
        {"reported": "the large/small-batch loss gap grows with r; DropConnect makes the large batch perform best"},
        _fig22,
    )
)
register_experiment(
    Experiment(
        "fig2.3",
        "Stability of coupled runs vs batch size (Figure 2.3)",
        "Figure 2.3, L1042-1075",
        {"reported": "the normalized distance grows with B"},
        _fig23,
    )
)
register_experiment(
    Experiment(
        "tab2.1",
        "Time to 90/95/99% training accuracy with DropConnect, 2 workers (Table 2.1)",
        "Table 2.1, L1077-1102",
        {
            "mini-batch time (s)": (46.97, 57.39, 361.52),
            "p=0.4 time (s)": (24.88, 39.12, 313.60),
            "p=0.4 gain (%)": (46.98, 31.83, 13.25),
            "p=0.5 time (s)": (29.68, 43.24, 317.79),
            "p=0.5 gain (%)": (36.76, 24.66, 12.09),
            "best B": {"vanilla": 256, "DropConnect": 512},
        },
        _tab21,
    )
)
