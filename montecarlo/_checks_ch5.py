"""Checks and experiments of Chapter 5: adversarial Rademacher complexity of linear classes.

Checks (each with a deliberately wrong variant that must fail):

* ``thm5.2/closed-form``: the corrected closed form of R_S(F~) against a brute-force supremum (vertex
  enumeration for p in {1, inf}) with all sign vectors enumerated; wrong: the printed (5.10).
* ``thm5.2/mc-vs-exact``: antithetic Monte Carlo against exact enumeration (t interval inside a 2% band);
  wrong: Monte Carlo of the printed (5.10).
* ``thm5.2/sandwich``: the printed sandwich with the valid c = 1/(2 sqrt 2), exact, over random instances and
  X = 0; wrong: the proof's c = 1/sqrt 2.
* ``thm5.2/refined-sandwich``: max{R_S(F), D^} <= R_S(F~) <= R_S(F) + D^ draw by draw for antithetic Monte
  Carlo at n = 1000 (deterministic); wrong: D^ halved on the upper side.
* ``thm5.2/dimension-p2`` and ``thm5.2/dimension-p1``: log-log slope in d of R_S(F~) - R_S(F) under zero
  padding ("dead pixels"): 1/2 for p = 2, 0 for p = 1; wrong: the printed (5.10) (slope 0 for p = 2) and
  p = 2 data claimed dimension-free.
* ``eq5.13/vertices``: (5.13) against box-vertex enumeration; wrong: the sign of the eps term flipped.
* ``lem5.2/constant`` and ``thm5.6/constant``: the explicit constants 1/(2 sqrt 2) and 1/8, exact; wrong:
  1 and 1/4.

Experiments (``boundlab reproduce``): ``fig5.2`` and ``fig5.3``, CPU analogs on scikit-learn's digits.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import Check, MCResult, chunk_rngs, register_check
from ._experiments import Experiment, register_experiment
from ._rademacher import (
    C_VALID,
    _exact_sup_brute,
    adversarial_margins,
    downsample2x2,
    rademacher_pair,
    upsample2x2,
    zero_pad,
)
from ._stats import loglog_slope, slope_series

# ---------------------------------------------------------------------------------------------
# Random instances
# ---------------------------------------------------------------------------------------------


def _instance(rng: np.random.Generator, n_max: int = 9, d_max: int = 4) -> tuple[np.ndarray, np.ndarray, float]:
    """A small random (X, y, eps): Gaussian, sparse ('dead pixels') or zero data, eps on a log scale."""
    n = int(rng.integers(1, n_max + 1))
    d = int(rng.integers(1, d_max + 1))
    kind = rng.integers(0, 4)
    X = rng.normal(size=(n, d)) * rng.choice([0.1, 0.5, 1.0])
    if kind == 1:
        X[:, rng.random(d) < 0.5] = 0.0
    elif kind == 2:
        X[:] = 0.0
    y = rng.choice([-1.0, 1.0], size=n)
    eps = float(10 ** rng.uniform(-2, 0.5))
    return X, y, eps


def _exact_rule(check: str, item: str, quantity: str, worst: float, trials: int, seed: int, note: str) -> MCResult:
    return MCResult(check=check, theorem_id=item, quantity=quantity, estimate=worst, ci_low=worst, ci_high=worst,
                    bound=1.0, rule="exact", trials=trials, seed=seed, seconds=0.0, note=note)


# ---------------------------------------------------------------------------------------------
# Theorem 5.2
# ---------------------------------------------------------------------------------------------


def _closed_form_run(trials: int, seed: int, *, form: str = "corrected") -> MCResult:
    rng = np.random.default_rng(seed)
    worst, where = 1.0, ""
    for t in range(trials):
        X, y, eps = _instance(rng) if t else (np.zeros((1, 1)), np.ones(1), 0.3)  # catalog's 1-D counterexample
        for p in (1.0, math.inf):
            brute = _exact_sup_brute(X, y, eps, 1.0, p)
            closed = rademacher_pair(X, y, eps, 1.0, p, form=form, method="exact").adversarial.value
            hi, lo = max(brute, closed), min(brute, closed)
            ratio = 1.0 if hi <= 1e-15 else (math.inf if lo <= 0 else hi / lo)
            if ratio > worst:
                worst, where = ratio, f"n={X.shape[0]}, d={X.shape[1]}, p={p}, eps={eps:.3g}: brute {brute:.6g}, " \
                                      f"closed form {closed:.6g}"
    return _exact_rule("thm5.2/closed-form", "thm5.2", "max ratio closed form / brute-force R_S(F~) (both ways)",
                       worst, trials, seed, f"{form} closed form vs vertex-enumeration supremum over {trials} "
                       f"instances x p in {{1, inf}}, all sign vectors{'; worst ' + where if where else ''}.")


register_check(Check(name="thm5.2/closed-form", theorem_id="thm5.2",
                     description="corrected closed form of R_S(F~) equals the brute-force supremum (exact)",
                     run=_closed_form_run, trials=200, quick_trials=40, wrong={"form": "printed"}))


_MC_CASE = {"n": 14, "d": 20, "eps": 0.2, "p": 2.0}


def _mc_vs_exact_run(trials: int, seed: int, *, form: str = "corrected", band: float = 0.02) -> MCResult:
    rng = np.random.default_rng(12345)
    X = rng.normal(size=(_MC_CASE["n"], _MC_CASE["d"])) * 0.3
    y = rng.choice([-1.0, 1.0], size=_MC_CASE["n"])
    exact = rademacher_pair(X, y, _MC_CASE["eps"], 1.0, _MC_CASE["p"], method="exact").adversarial.value
    mc = rademacher_pair(X, y, _MC_CASE["eps"], 1.0, _MC_CASE["p"], form=form, method="mc", draws=trials,
                         seed=seed, confidence=0.999).adversarial
    return MCResult(check="thm5.2/mc-vs-exact", theorem_id="thm5.2", quantity="Monte Carlo R_S(F~) vs exact",
                    estimate=mc.value, ci_low=mc.ci_low, ci_high=mc.ci_high, bound=exact, rule="slope",
                    tolerance=band * exact, trials=trials, seed=seed, seconds=0.0,
                    note=(f"n = 14, d = 20, p = 2, eps = 0.2: exact {exact:.6g} (2^13 antithetic pairs); {form} Monte "
                          f"Carlo {mc.value:.6g}, 99.9% t interval; pass = interval inside exact +- {band:.0%} "
                          f"(the 'slope' rule used as a two-sided agreement band)."))


register_check(Check(name="thm5.2/mc-vs-exact", theorem_id="thm5.2",
                     description="antithetic Monte Carlo of R_S(F~) agrees with exact enumeration",
                     run=_mc_vs_exact_run, trials=40_000, quick_trials=8000, wrong={"form": "printed"}))


def _sandwich_run(trials: int, seed: int, *, c: float = C_VALID) -> MCResult:
    rng = np.random.default_rng(seed)
    worst, where = 0.0, ""
    for t in range(trials):
        if t == 0:
            X, y, eps = np.zeros((2, 3)), np.ones(2), 0.5  # the extremal case
        else:
            X, y, eps = _instance(rng, n_max=10, d_max=5)
        for p in (1.0, 2.0, math.inf):
            r = rademacher_pair(X, y, eps, 1.0, p, method="exact")
            nat, adv = r.natural.value, r.adversarial.value
            term = eps * r.d_q / math.sqrt(r.n)
            lower, upper = max(nat, c * term), nat + term
            ratio = max(lower / adv if adv > 0 else (0.0 if lower <= 0 else math.inf), adv / upper if upper > 0 else 0.0)
            if ratio > worst:
                worst, where = ratio, f"n={r.n}, d={r.d}, p={p}: lower {lower:.6g}, R_S(F~) {adv:.6g}, upper {upper:.6g}"
    return _exact_rule("thm5.2/sandwich", "thm5.2", "max(lower / R_S(F~), R_S(F~) / upper)", worst, trials, seed,
                       f"c = {c:.6g}; {trials} instances x p in {{1, 2, inf}}, exact; worst: {where}.")


register_check(Check(name="thm5.2/sandwich", theorem_id="thm5.2",
                     description="Theorem 5.2's sandwich with c = 1/(2 sqrt 2), exact (X = 0 and random instances)",
                     run=_sandwich_run, trials=200, quick_trials=30, wrong={"c": 1 / math.sqrt(2)}))


def _refined_run(trials: int, seed: int, *, D_scale_upper: float = 1.0) -> MCResult:
    rng = np.random.default_rng(777)
    n, d = 1000, 64
    cases = [("X = 0", np.zeros((n, d)), 0.1, 2.0),
             ("small Gaussian, p = 2", rng.normal(size=(n, d)) * 0.02, 0.1, 2.0),
             ("sparse, p = inf", rng.normal(size=(n, d)) * (rng.random(d) < 0.3) * 0.05, 0.05, math.inf),
             ("Gaussian, p = 1", rng.normal(size=(n, d)) * 0.1, 0.3, 1.0)]
    y = rng.choice([-1.0, 1.0], size=n)
    worst, where = 0.0, ""
    for label, X, eps, p in cases:
        r = rademacher_pair(X, y, eps, 1.0, p, method="mc", draws=trials, seed=seed)
        pn, pa, pD = r.pairs_natural, r.pairs_adversarial, r.pairs_D
        low = np.maximum(pn, pD)
        up = pn + D_scale_upper * pD
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.maximum(np.where(pa > 0, low / pa, np.where(low > 0, np.inf, 0.0)),
                                np.where(up > 0, pa / up, 0.0))
        m = float(np.max(ratios))
        if m > worst:
            worst, where = m, label
    return _exact_rule("thm5.2/refined-sandwich", "thm5.2", "max over draws of the refined sandwich ratio", worst,
                       trials, seed, f"n = 1000, d = 64, antithetic pairs, per draw; worst case: {where}"
                       f"{'; upper side with D scaled by %g' % D_scale_upper if D_scale_upper != 1 else ''}.")


register_check(Check(name="thm5.2/refined-sandwich", theorem_id="thm5.2",
                     description="refined sandwich max{R_S(F), D} <= R_S(F~) <= R_S(F) + D, per antithetic draw",
                     run=_refined_run, trials=4000, quick_trials=500, wrong={"D_scale_upper": 0.5}))


_DIMS = np.array([64, 256, 1024, 4096])


def _dimension_run(p_check: float, target: float, tol: float) -> Any:
    def run(trials: int, seed: int, *, form: str = "corrected", p: float = p_check) -> MCResult:
        rng = np.random.default_rng(2024)
        n, d0, eps = 100, 8, 1.0
        X0 = rng.normal(size=(n, d0))
        X0 /= np.linalg.norm(X0, axis=1, keepdims=True)
        y = rng.choice([-1.0, 1.0], size=n)
        reps = 20
        per = max(trials // reps, 2)
        gaps = np.empty((len(_DIMS), reps))
        for i, dim in enumerate(_DIMS):
            r = rademacher_pair(zero_pad(X0, int(dim) - d0), y, eps, 1.0, p, form=form, method="mc",
                                draws=per * reps, seed=seed)
            g = (r.pairs_adversarial - r.pairs_natural).reshape(reps, per).mean(axis=1)
            gaps[i] = g
        gaps = np.maximum(gaps, 1e-300)
        slope, lo, hi, icpt = loglog_slope(_DIMS.astype(float), gaps, np.random.default_rng(seed), resamples=1000)
        return MCResult(check=f"thm5.2/dimension-p{p_check:g}", theorem_id="thm5.2",
                        quantity="log-log slope in d of R_S(F~) - R_S(F) (zero padding)", estimate=slope,
                        ci_low=lo, ci_high=hi, bound=target, rule="slope", tolerance=tol, trials=per * reps,
                        seed=seed, seconds=0.0,
                        series=slope_series(_DIMS, gaps, slope, icpt, xlabel="d",
                                            ylabel="R_S(F~) - R_S(F)"),
                        note=(f"n = 100 unit-norm rows in d0 = 8, zero-padded to d = {_DIMS.tolist()}, eps = 1, W = 1, "
                              f"p = {p:g}, {form} form; gaps {np.round(gaps.mean(axis=1), 5).tolist()}; claimed slope "
                              f"{target:g} +- {tol:g} (d^(1/q)); bootstrap over {reps} replicates."))

    return run


register_check(Check(name="thm5.2/dimension-p2", theorem_id="thm5.2",
                     description="p = 2: the adversarial excess grows like d^(1/2) under zero padding",
                     run=_dimension_run(2.0, 0.5, 0.1), trials=2000, quick_trials=400, wrong={"form": "printed"}))
register_check(Check(name="thm5.2/dimension-p1", theorem_id="thm5.2",
                     description="p = 1: the adversarial excess does not depend on d (zero padding)",
                     run=_dimension_run(1.0, 0.0, 0.1), trials=2000, quick_trials=400, wrong={"p": 2.0}))


# ---------------------------------------------------------------------------------------------
# (5.13), Lemma 5.2, Theorem 5.6
# ---------------------------------------------------------------------------------------------


def _vertices_run(trials: int, seed: int, *, eps_sign: float = 1.0) -> MCResult:
    worst = 0.0
    for size, rng in chunk_rngs(seed, trials, chunk=500):
        for _ in range(size):
            K, d = int(rng.integers(2, 5)), int(rng.integers(1, 5))
            Wm = rng.normal(size=(K, d))
            x = rng.normal(size=(1, d))
            y = np.array([int(rng.integers(0, K))])
            eps = float(rng.uniform(0, 1))
            verts = x + eps * np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T
            s = verts @ Wm.T
            other = np.delete(s, y[0], axis=1)
            brute = float(np.min(s[:, y[0]] - other.max(axis=1)))
            if eps_sign == 1.0:
                closed = float(adversarial_margins(x, y, Wm, eps)[0])
            else:  # the wrong sign: + eps ||w_y - w_y'||_1
                sc = x @ Wm.T
                l1 = np.abs(Wm[y[0]] - Wm).sum(axis=1)
                cand = sc[0, y[0]] - sc[0] + eps * l1
                cand[y[0]] = np.inf
                closed = float(cand.min())
            worst = max(worst, abs(closed - brute) / (1e-9 * (1 + abs(brute))))
    return _exact_rule("eq5.13/vertices", "eq5.13", "max |(5.13) - vertex enumeration| / (1e-9 (1 + |value|))",
                       worst, trials, seed, f"{trials} random (K <= 4, d <= 4, eps < 1) cases; the box minimum of the "
                       f"margin is attained at a vertex (the margin is a min of linear functions).")


register_check(Check(name="eq5.13/vertices", theorem_id="eq5.13",
                     description="worst-case margin (5.13) equals the minimum over the box vertices",
                     run=_vertices_run, trials=2000, quick_trials=300, wrong={"eps_sign": -1.0}))


def _lem52_run(trials: int, seed: int, *, c: float = C_VALID) -> MCResult:
    rng = np.random.default_rng(seed)
    worst, where = 0.0, ""
    for t in range(trials):
        if t == 0:
            X = np.ones((2, 3))  # n = 2 equal rows: E||sigma_1 x + sigma_2 x|| = ||X||_F / sqrt 2 (equality)
        else:
            X = rng.normal(size=(int(rng.integers(1, 11)), int(rng.integers(1, 5))))
        r = 1.0
        rs = rademacher_pair(X, None, 0.0, r / 2, 2.0, method="exact").natural.value
        claim = c * r * float(np.linalg.norm(X)) / X.shape[0]
        if claim / rs > worst:
            worst, where = claim / rs, f"n={X.shape[0]}, d={X.shape[1]}"
    return _exact_rule("lem5.2/constant", "lem5.2", "max c r ||X||_F / n / R_S(F^')", worst, trials, seed,
                       f"c = {c:.6g}; R_S of the embedded class {{<w, x>: ||w||_2 <= r/2}}, exact; worst {where}.")


register_check(Check(name="lem5.2/constant", theorem_id="lem5.2",
                     description="Lemma 5.2 with c = 1/(2 sqrt 2): R_S >= c r ||X||_F / n, exact",
                     run=_lem52_run, trials=200, quick_trials=40, wrong={"c": 1.0}))


def _thm56_run(trials: int, seed: int, *, c: float = 0.125) -> MCResult:
    rng = np.random.default_rng(seed)
    worst, where = 0.0, ""
    for t in range(trials):
        if t == 0:
            X, y, eps = np.zeros((2, 4)), np.ones(2), 0.3
        else:
            X, y, eps = _instance(rng, n_max=10, d_max=5)
        r = 1.0
        rs = rademacher_pair(X, y, eps, r / 2, 2.0, method="exact").adversarial.value
        n, d = X.shape
        claim = c * r * (float(np.linalg.norm(X)) / n + eps * math.sqrt(d / n))
        if claim / rs > worst:
            worst, where = claim / rs, f"n={n}, d={d}, eps={eps:.3g}"
    return _exact_rule("thm5.6/constant", "thm5.6", "max c r (||X||_F/n + eps sqrt(d/n)) / R_S(F~')", worst, trials,
                       seed, f"c = {c:.6g}; the embedded adversarial linear class (p = 2, W = r/2), exact; worst {where}.")


register_check(Check(name="thm5.6/constant", theorem_id="thm5.6",
                     description="Theorem 5.6 with c = 1/8 on the embedded linear class, exact",
                     run=_thm56_run, trials=200, quick_trials=40, wrong={"c": 0.25}))


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
    n, K = X.shape[0], Wm.shape[0]
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


def _gap_runs(X: np.ndarray, y: np.ndarray, eps: float, lam: float, seeds: list[int], n_train: int,
              iters: int) -> dict[str, Any]:
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
    return {"gap_mean": float(g.mean()), "gap_std": float(g.std(ddof=1)) if g.size > 1 else 0.0,
            "adv_train_err": float(np.mean(tr)), "adv_test_err": float(np.mean(te)), "W_l1": float(np.mean(l1))}


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
            ax.errorbar(xs, [r["gap_mean"] for r in rr], yerr=[r["gap_std"] for r in rr], marker="o", capsize=3,
                        label=f"eps = {eps}")
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
        "analog": (f"scikit-learn digits (1797 images 8x8, d = 64, pixels / 16), n = {n_train} training points per "
                   f"run (test = the other {1797 - n_train}), {len(seeds)} seeds; linear f(x) = Wx without bias; "
                   f"accelerated full-batch proximal gradient (FISTA, {iters} steps, step 1/L) on the robust cross-entropy with per-pair "
                   f"closed-form adversarial examples x - eps sgn(w_y - w_k); adversarial errors exact by (5.13)."),
        "paper_claim": "Fig. 5.2 (MNIST, n = 1000, 10 runs): the adversarial generalization error decreases as lambda "
                       "increases, for every eps.",
        "measured": rows,
        "trend_in_lambda": verdicts,
        "reproduced": reproduced,
        "verdict": ("reproduced: the gap decreases with lambda at every eps" if reproduced else
                    "NOT reproduced at every eps in this analog: see trend_in_lambda"),
        "figures": figures,
        "seconds": time.perf_counter() - t0,
    }


register_experiment(Experiment(
    id="fig5.2", title="Adversarial generalization gap vs eps and l1 regularisation (linear, digits analog)",
    source="Figure 5.2, L12628-12639",
    paper={"claim": "adversarial generalization error decreases as lambda increases (MNIST, d = 784, n = 1000, "
                    "10 runs, error bars = std)", "numbers": "plotted only; no table"},
    runner=_fig52,
))


def _fig53(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    X64, y = _digits()
    views = {16: downsample2x2(X64), 64: X64, 256: upsample2x2(X64)}
    norms_ok = bool(np.allclose(np.linalg.norm(views[16], axis=1), np.linalg.norm(X64, axis=1))
                    and np.allclose(np.linalg.norm(views[256], axis=1), np.linalg.norm(X64, axis=1)))
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
    # theory side: R_S(F), R_S(F~) on the same training sample at the three dimensions (exact-MC estimators)
    rng = np.random.default_rng(seed)
    a = rng.permutation(X64.shape[0])[:n_train]
    yb = np.where(y[a] % 2 == 0, 1.0, -1.0)
    theory = []
    for p in (1.0, 2.0, math.inf):
        for dim, Xd in views.items():
            r = rademacher_pair(Xd[a], yb, 0.1, 1.0, p, method="mc", draws=1000 if quick else 5000, seed=seed)
            theory.append({"p": p if math.isfinite(p) else "inf", "d": dim, "R_S(F)": r.natural.value,
                           "R_S(F~)": r.adversarial.value, "excess": r.adversarial.value - r.natural.value,
                           "D_hat": r.D_hat})
    figures = []
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(1, 2, figsize=(10, 4))
        for dim in views:
            rr = [r for r in rows if r["d"] == dim]
            ax[0].errorbar([r["eps"] for r in rr], [r["gap_mean"] for r in rr], yerr=[r["gap_std"] for r in rr],
                           marker="o", capsize=3, label=f"d = {dim}")
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
        "analog": (f"digits at d = 16 (2x2 root-sum-square downsampling), 64 (original), 256 (each pixel -> 2x2 of "
                   f"a/2); both maps preserve ||x||_2 (checked: {norms_ok}); lambda = 0, n = {n_train}, "
                   f"{len(seeds)} seeds, robust-CE training as in fig5.2. Upsampling is an isometry U with "
                   f"||U w||_1 = 2||w||_1: the same eps is effectively twice as strong after upsampling."),
        "paper_claim": "Fig. 5.3 (MNIST at d = 196, 784, 3136): the adversarial generalization error increases with d.",
        "measured": rows,
        "trend_in_d": verdicts,
        "reproduced": reproduced,
        "verdict": ("reproduced: the gap increases with d at every eps" if reproduced else
                    "NOT reproduced at every eps in this analog (small d underfits, large d saturates at large eps): "
                    "see trend_in_d"),
        "theory_side": theory,
        "theory_checks": {
            "excess_within_D_hat_everywhere": all(-1e-12 <= t["excess"] <= t["D_hat"] + 1e-12 for t in theory),
            "excess_increases_with_d": {str(p): bool(np.all(np.diff([t["excess"] for t in theory if t["p"] == p]) > 0))
                                        for p in (2.0, "inf")},
        },
        "theory_note": ("Rademacher side on a binary (even/odd) relabelling of the same sample, eps = 0.1, W = 1: for "
                        "p = 1 the excess R_S(F~) - R_S(F) is bounded by eps W E|S_n|/(2n) at every d; for p = 2 and "
                        "p = inf it grows with d (d^(1/2), d)."),
        "norm_preserving_maps": norms_ok,
        "figures": figures,
        "seconds": time.perf_counter() - t0,
    }


register_experiment(Experiment(
    id="fig5.3", title="Adversarial generalization gap vs input dimension (linear, digits analog)",
    source="Figure 5.3, L12641-12657",
    paper={"claim": "adversarial generalization error increases with d (MNIST down/up-sampled to d = 196, 784, 3136; "
                    "lambda = 0)", "numbers": "plotted only; no table"},
    runner=_fig53,
))

