"""Experiment module (split from the chapter's checks)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.certify import (
    certify_network,
    margins,
    network,
    sdp_constant,
)
from boundlab.montecarlo import (
    Experiment,
    register_experiment,
    verdict_record,
)

# ---------------------------------------------------------------------------------------------
# Figure 5.4 analog
# ---------------------------------------------------------------------------------------------


def _train(X: np.ndarray, y: np.ndarray, d1: int, lam: float, iters: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One-hidden-layer ReLU net without biases, full-batch Adam on cross-entropy + lam (||W1||_1 + ||W2||_1)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    K = int(y.max()) + 1
    params = [rng.standard_normal((d1, d)) * math.sqrt(2.0 / d), rng.standard_normal((K, d1)) * math.sqrt(1.0 / d1)]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    Y = np.eye(K)[y]
    lr, b1, b2 = 0.01, 0.9, 0.999
    for t in range(1, iters + 1):
        W1, W2 = params
        H = np.maximum(X @ W1.T, 0.0)
        Z = H @ W2.T
        Z -= Z.max(axis=1, keepdims=True)
        Pr = np.exp(Z)
        Pr /= Pr.sum(axis=1, keepdims=True)
        G = (Pr - Y) / n
        gW2 = G.T @ H
        gH = (G @ W2) * (H > 0)
        gW1 = gH.T @ X
        for j, g in enumerate((gW1 + lam * np.sign(W1), gW2 + lam * np.sign(W2))):
            m1[j] = b1 * m1[j] + (1 - b1) * g
            m2[j] = b2 * m2[j] + (1 - b2) * g * g
            params[j] = params[j] - lr * (m1[j] / (1 - b1**t)) / (np.sqrt(m2[j] / (1 - b2**t)) + 1e-8)
    return params[0], params[1]


def _pgd_error(net: Any, X: np.ndarray, y: np.ndarray, eps: float, steps: int, rng: np.random.Generator) -> float:
    """Adversarial 0-1 error under an l_inf PGD attack on the margin (a lower bound on the true one)."""
    if eps == 0:
        return float(np.mean(margins(net.forward(X), y) <= 0))
    Xa = X + rng.uniform(-eps, eps, X.shape)
    step = 2.5 * eps / steps
    worst = margins(net.forward(X), y) <= 0
    idx = np.arange(len(y))
    for _ in range(steps):
        S = net.forward(Xa)
        other = S.copy()
        other[idx, y] = -np.inf
        k = other.argmax(axis=1)
        H = (Xa @ net.W1.T) > 0
        v = net.W2[y] - net.W2[k]  # gradient of the margin f_y - f_k
        grad = (H * v) @ net.W1
        Xa = np.clip(Xa - step * np.sign(grad), X - eps, X + eps)
        worst |= margins(net.forward(Xa), y) <= 0
    return float(np.mean(worst))


# The eps at which the rule compares the regularised and unregularised nets: those where the adversary
# matters (the unregularised net's certified training error, mean over seeds, is at least 1%: below that
# the certified gap is the natural one) and the surrogate is not saturated (at most 90%: above that both
# errors approach 1 and the gap 0 whatever lambda). Thresholds of this analog, not of the dissertation.
FIG54_BAND = (0.01, 0.90)
FIG54_RULE = (
    "at the eps of the grid where the unregularised net's certified training error (mean over seeds) lies "
    f"in [{FIG54_BAND[0]:g}, {FIG54_BAND[1]:g}], per seed the mean over those eps of (certified test - train "
    "error at the largest lambda) - (the same at lambda = 0); reproduced when its 95% t interval over seeds "
    "lies below 0 (the adversarial generalization error decreases as lambda increases, L12659-12669), NOT "
    "reproduced when it lies above 0, inconclusive otherwise (or when no eps is in the band)"
)


def fig54_verdict(
    gaps: np.ndarray, train0: np.ndarray, eps_grid: np.ndarray | list[float], band: tuple[float, float] = FIG54_BAND
) -> dict[str, Any]:
    """Decide the Figure 5.4 claim from certified gaps, shape (seeds, lambdas, eps), lambdas ascending.

    ``train0`` (seeds, eps) is the certified training error of the unregularised net (lambda = 0), which
    picks the eps where the comparison is informative.

    Examples
    --------
    >>> eps = [0.001, 0.03, 0.1]
    >>> tr = np.array([[0.0, 0.2, 1.0]] * 3)
    >>> g = np.array([[[0.05, 0.15, 0.0], [0.06, 0.08, 0.0]], [[0.05, 0.16, 0.0], [0.06, 0.07, 0.0]],
    ...               [[0.04, 0.14, 0.0], [0.05, 0.09, 0.0]]])
    >>> fig54_verdict(g, tr, eps)["outcome"]
    'reproduced'
    >>> fig54_verdict(g[:, ::-1], tr, eps)["outcome"]
    'NOT reproduced'
    >>> h = g.copy()
    >>> h[:, 1, 1] = [0.18, 0.13, 0.15]
    >>> fig54_verdict(h, tr, eps)["outcome"]
    'inconclusive'
    """
    from boundlab.montecarlo import t_interval

    gaps, train0 = np.asarray(gaps, float), np.asarray(train0, float)
    eps_grid = np.asarray(eps_grid, float)
    level = train0.mean(axis=0)
    used = (level >= band[0]) & (level <= band[1])
    if not used.any():
        diff = [math.nan] * 3
        outcome = "inconclusive"
    else:
        per_seed = (gaps[:, -1, used] - gaps[:, 0, used]).mean(axis=1)
        diff = [float(v) for v in t_interval(per_seed, 0.95)] if per_seed.size > 1 else [float(per_seed[0])] * 3
        outcome = "reproduced" if diff[2] < 0 else "NOT reproduced" if diff[1] > 0 else "inconclusive"
    detail = (
        "certified gap at the largest lambda minus at lambda = 0, mean over eps = "
        + ", ".join(f"{e:.3g}" for e in eps_grid[used])
        + f": {diff[0]:+.4f} [{diff[1]:+.4f}, {diff[2]:+.4f}]; 95% t interval over {gaps.shape[0]} seeds"
        if used.any()
        else f"no eps of the grid has a certified training error in [{band[0]:g}, {band[1]:g}] at lambda = 0"
    )
    text = {
        "reproduced": "reproduced: the certified adversarial generalization gap decreases with lambda",
        "NOT reproduced": "NOT reproduced: the certified adversarial generalization gap increases with lambda",
        "inconclusive": "inconclusive: the intervals do not decide the sign of the change with lambda",
    }[outcome]
    return verdict_record(
        outcome,
        text,
        detail,
        {
            "eps used": [float(e) for e in eps_grid[used]],
            "gap(largest lambda) - gap(0), mean over the eps used [mean, 95% CI]": diff,
        },
    )


def _certified_gaps(
    X_all: np.ndarray, y_all: np.ndarray, seed: int, n_train: int, d1: int, lams: list[float], iters: int, eps_grid: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Certified (pairwise) test - train error per (lambda, eps) and the training error per (lambda, eps), one seed."""
    perm = np.random.default_rng(seed).permutation(len(y_all))
    tr, te = perm[:n_train], perm[n_train:]
    gaps, train = np.empty((len(lams), len(eps_grid))), np.empty((len(lams), len(eps_grid)))
    for i, lam in enumerate(lams):
        net = network(*_train(X_all[tr], y_all[tr], d1, lam, iters, seed))
        const = sdp_constant(net, pairwise=True)
        for j, e in enumerate(eps_grid):
            err = {
                split: float(
                    np.mean(
                        ~certify_network(net, X_all[idx], y_all[idx], float(e), pairwise=True, constant=const).certified
                    )
                )
                for split, idx in (("train", tr), ("test", te))
            }
            gaps[i, j], train[i, j] = err["test"] - err["train"], err["train"]
    return gaps, train


def _fig54(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    from sklearn.datasets import (
        load_digits,  # scikit-learn ships the 8x8 digits (no network)
    )

    digits = load_digits()
    X_all, y_all = digits.data / 16.0, digits.target.astype(int)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y_all))
    n_train = 500 if quick else 1000
    tr, te = perm[:n_train], perm[n_train:]
    d1 = 32
    lams = [0.0, 1e-3, 3e-3] if quick else [0.0, 3e-4, 1e-3, 3e-3, 1e-2]
    eps_grid = np.geomspace(1e-4, 1e-1, 7 if quick else 13)
    pgd_eps = [1e-3, 1e-2, 3e-2] if quick else [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {}
    for lam in lams:
        W1, W2 = _train(X_all[tr], y_all[tr], d1, lam, 300 if quick else 800, seed)
        net = network(W1, W2)
        const = sdp_constant(net, pairwise=True)
        cur: dict[str, list[float]] = {"train": [], "test": [], "train_pairwise": [], "test_pairwise": []}
        for e in eps_grid:
            for split, idx in (("train", tr), ("test", te)):
                cert = certify_network(net, X_all[idx], y_all[idx], float(e), pairwise=True, constant=const)
                cur[split].append(float(np.mean(cert.lemma51_margins <= 0)))
                cur[split + "_pairwise"].append(float(np.mean(~cert.certified)))
        pgd = {}
        sub_te = te[:300] if quick else te
        for e in pgd_eps:
            same = certify_network(net, X_all[sub_te], y_all[sub_te], e, pairwise=True, constant=const)
            pgd[str(e)] = {
                "train": _pgd_error(net, X_all[tr], y_all[tr], e, 10, rng),
                "test": _pgd_error(net, X_all[sub_te], y_all[sub_te], e, 10, rng),
                "certified_test_same_points": float(np.mean(~same.certified)),
            }
        mid = certify_network(net, X_all[tr], y_all[tr], 1e-2, gamma=1.0, constant=const)
        curves[str(lam)] = {"certified_error": cur, "pgd_error": pgd}
        rows.append(
            {
                "lambda": lam,
                "C_W": [const.lower, const.upper],
                "sdp_seconds": const.seconds,
                "clean_test_error": float(np.mean(margins(net.forward(X_all[te]), y_all[te]) <= 0)),
                "certified_gap_by_eps": {
                    f"{e:.3g}": cur["test_pairwise"][i] - cur["train_pairwise"][i] for i, e in enumerate(eps_grid)
                },
                "pgd_gap_by_eps": {k: v["test"] - v["train"] for k, v in pgd.items()},
                "thm5.8_bound_eps_0.01_gamma_1": {"printed": mid.bound["printed"], "proof": mid.bound["proof"]},
                "norms": {k: mid.bound[k] for k in ("s1", "s2", "b1", "b2")},
            }
        )
    # the decision: certified gaps over seeds at lambda = 0 and the largest lambda (the rule compares only
    # those two); the first seed is the one above, the others train and certify these two nets only
    n_seeds, iters = (3 if quick else 5), (300 if quick else 800)
    ends = [lams[0], lams[-1]]
    seed_gaps = [np.array([[r["certified_gap_by_eps"][f"{e:.3g}"] for e in eps_grid] for r in (rows[0], rows[-1])])]
    train0 = [np.array(curves[str(lams[0])]["certified_error"]["train_pairwise"])]
    for k in range(1, n_seeds):
        g, t = _certified_gaps(X_all, y_all, seed + k, n_train, d1, ends, iters, eps_grid)
        seed_gaps.append(g)
        train0.append(t[0])
    decision = fig54_verdict(np.array(seed_gaps), np.array(train0), eps_grid)
    # is the certified gap non-increasing in lambda at the eps where the certified error is informative?
    trend = {}
    for e in eps_grid:
        gaps = [r["certified_gap_by_eps"][f"{e:.3g}"] for r in rows]
        trend[f"{e:.3g}"] = bool(all(b <= a + 1e-12 for a, b in zip(gaps, gaps[1:])))
    sound = all(v["certified_test_same_points"] >= v["test"] for c in curves.values() for v in c["pgd_error"].values())
    slack = max(v["certified_test_same_points"] - v["test"] for c in curves.values() for v in c["pgd_error"].values())
    result: dict[str, Any] = {
        "setup": (
            f"CPU analog, NOT the paper's experiment: scikit-learn digits (8x8, scaled to [0,1]), n_train = "
            f"{n_train}, test = the other {len(te)}; one hidden layer (d1 = {d1}, no biases), natural training "
            f"(full-batch Adam, cross-entropy + lambda l1 on both layers); adversarial error certified by "
            f"Lemma 5.1 / Theorem 5.7 per pair with the corrected Q (an upper bound on the true adversarial "
            f"error) beside a 10-step PGD attack (a lower bound). The paper: 4-layer conv net, PGD adversarial "
            f"training on all of MNIST, PGD evaluation."
        ),
        "eps_grid": eps_grid.tolist(),
        "lambdas": lams,
        "rows": rows,
        "curves": curves,
        "certified_gap_nonincreasing_in_lambda": trend,
        "reproduced": decision["reproduced"],
        "inconclusive": decision["inconclusive"],
        "verdict": decision["verdict"],
        "decision_rule": FIG54_RULE,
        "decision_numbers": {
            "seeds": n_seeds,
            "eps used": decision["eps used"],
            "gap(largest lambda) - gap(0), mean over the eps used [mean, 95% CI]": decision[
                "gap(largest lambda) - gap(0), mean over the eps used [mean, 95% CI]"
            ],
            "lambdas compared": ends,
            "certified gap per seed, lambda (0, largest), eps": np.array(seed_gaps).tolist(),
        },
        "certified_error_at_least_pgd_error_on_the_same_points": sound,
        "largest_certified_minus_pgd_test_error": slack,
        "reading": (
            "The paper's claim is about the PGD adversarial generalization gap of a PGD-trained network; here "
            "the certified error (Theorem 5.7 per pair; an upper bound on the true adversarial error, while "
            "PGD gives a lower bound) replaces PGD. Whether its test - train gap falls with lambda is reported "
            "per eps in certified_gap_nonincreasing_in_lambda (an observation on the first seed) and decided "
            "over seeds by decision_rule; "
            "the Theorem 5.8 bound with plug-in norms is vacuous (>> 1) for these networks."
        ),
    }
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for j, lam in enumerate(lams):
            col = f"C{j}"
            cur = curves[str(lam)]["certified_error"]
            axes[0].semilogx(eps_grid, cur["test_pairwise"], "-", color=col, label=f"certified, test, lambda={lam:g}")
            axes[0].semilogx(eps_grid, cur["train_pairwise"], "--", color=col)
            pe = curves[str(lam)]["pgd_error"]
            axes[0].semilogx(pgd_eps, [pe[str(e)]["test"] for e in pgd_eps], "o", color=col)
        axes[0].set_xlabel("eps (l_inf)")
        axes[0].set_ylabel("adversarial error")
        axes[0].set_title("certified (lines; dashed = train) vs PGD (dots, test)", fontsize=9)
        axes[0].legend(fontsize=7)
        for i in range(0, len(eps_grid), max(1, len(eps_grid) // 4)):
            e = eps_grid[i]
            axes[1].plot(
                range(len(lams)), [r["certified_gap_by_eps"][f"{e:.3g}"] for r in rows], "o-", label=f"eps={e:.2g}"
            )
        axes[1].set_xticks(range(len(lams)), [f"{lam:g}" for lam in lams])
        axes[1].set_xlabel("lambda (l1)")
        axes[1].set_ylabel("certified error: test - train")
        axes[1].set_title("Fig. 5.4 analog: adversarial generalization gap vs lambda", fontsize=9)
        axes[1].legend(fontsize=7)
        fig.suptitle("CPU analog on digits (one hidden layer, certified surrogate); not the paper's setup", fontsize=9)
        fig.tight_layout()
        path = Path(out_dir) / "fig5.4-analog.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        result["figures"] = [str(path)]
    return result


register_experiment(
    Experiment(
        id="fig5.4-analog",
        title="Certified surrogate vs eps and l1 regularisation, one-hidden-layer net (digits analog)",
        source="Figure 5.4, L12659-12669 and L12680; Lemma 5.1 and Theorem 5.7 (L12420-12496)",
        paper={
            "claim": "the adversarial generalization error (PGD) decreases as the l1 coefficient lambda increases "
            "(four-layer ReLU net, 2 conv + 2 fc, PGD adversarial training on all of MNIST)",
            "numbers": "plotted only; no table",
        },
        runner=_fig54,
    )
)
