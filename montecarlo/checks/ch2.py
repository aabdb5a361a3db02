r"""Monte Carlo and exact checks of Chapter 2, and the CPU analogs of its experiments.

Checks (each with a deliberately wrong variant in ``wrong`` that the suite requires to fail):

* ``lem2.1/*``: Lemma 2.1's identity (2.5) by exact enumeration of all n^B index tuples (small n, B), the
  projected inequality, and a Monte Carlo estimate for larger n, B;
* ``thm2.7/*``: the closed forms (2.11)-(2.13) against Monte Carlo of the mechanisms, and the inequality
  B^DIM >= B_D (C >= 0) / B^DIM > n (C < 0) over random gradient sets;
* ``thm2.2``-``thm2.5``: mini-batch SGD run at the theorem's step size and T, achieved suboptimality vs the
  bound (general-gamma form, <= (1 + delta/2) eps);
* ``thm2.6``, ``prop2.4``, ``prop2.5``: the lower-bound construction f_i = (lambda/2)||w - x_i||^2,
  x_i = +-e_j;
* ``rem2.1``, ``prop2.1``-``prop2.3``: the lower bounds on random designs and conflict graphs;
* ``prop2.7``-``prop2.9``, ``thm2.9``, ``thm2.10``: coupled runs on neighbouring data sets.

The problems whose constants are exact on the whole reachable set W_T: the construction above (M^2 = 2
lambda^2 and B_D(w) = 1 + 1/||w||^2 >= 2 on the unit ball, which contains every iterate by Proposition
2.4), and logistic regression (|l'| <= 1, so M^2 = mean ||x_i||^2 everywhere; B_D >= n/sigma_max(X~)^2).
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np

from boundlab.bounds import get
from boundlab.montecarlo import (
    Check,
    GLMProblem,
    MCResult,
    Mechanism,
    PointsProblem,
    Replacement,
    apply_mechanism,
    chunk_rngs,
    conflict_graph_bound,
    diversity,
    glm_lower_bound,
    glm_lower_bound_normalized,
    loglog_slope,
    mechanism_bounds,
    minibatch_sgd,
    register_check,
    slope_series,
    t_interval,
)

CONF = 0.999


def _exact(name: str, thm: str, quantity: str, worst: float, cases: int, seed: int, note: str) -> MCResult:
    return MCResult(check=name, theorem_id=thm, quantity=quantity, estimate=worst, ci_low=worst, ci_high=worst,
                    bound=1.0, rule="exact", trials=cases, seed=seed, seconds=0.0, note=note)


def _band(name: str, thm: str, quantity: str, x: np.ndarray, target: float, tol: float, seed: int,
          note: str) -> MCResult:
    """Two-sided check of E[x] = target: the interval of mean(x)/target must lie in [1 - tol, 1 + tol]."""
    m, lo, hi = t_interval(np.asarray(x) / target, CONF)
    return MCResult(check=name, theorem_id=thm, quantity=quantity, estimate=m, ci_low=lo, ci_high=hi, bound=1.0,
                    rule="slope", trials=int(np.size(x)), seed=seed, seconds=0.0, tolerance=tol,
                    note=note + f" Two-sided band 1 +- {tol:g} on the ratio (rule 'slope' used as a band), "
                                f"{CONF:.1%} t interval.")


def _upper(name: str, thm: str, quantity: str, x: np.ndarray, bound: float, seed: int, note: str) -> MCResult:
    m, lo, hi = t_interval(np.asarray(x), CONF)
    return MCResult(check=name, theorem_id=thm, quantity=quantity, estimate=m, ci_low=lo, ci_high=hi, bound=bound,
                    rule="upper", trials=int(np.size(x)), seed=seed, seconds=0.0, note=note)


# ---------------------------------------------------------------------------------------------
# Lemma 2.1
# ---------------------------------------------------------------------------------------------

def _lemma_rhs(g: np.ndarray, w: np.ndarray, u: np.ndarray, gamma: float, B: int, pairs: str = "B(B-1)") -> float:
    n = g.shape[0]
    M2 = float(np.mean(np.sum(g * g, axis=1)))
    gbar = g.mean(axis=0)
    G = float(gbar @ gbar)
    cross = {"B(B-1)": B * (B - 1), "B^2": B * B, "0": 0}[pairs]
    return float((w - u) @ (w - u) - 2 * gamma * B * gbar @ (w - u) + gamma**2 * (B * M2 + cross * G))


def _lemma_enumeration_run(trials: int, seed: int, *, pairs: str = "B(B-1)", projected: bool = False) -> MCResult:
    """All n^B tuples for n = 5, B = 3 (125 tuples) on random instances; non-convex tanh-GLM gradients."""
    worst, cases = 0.0, 0
    n, B, d = 5, 3, 3
    tuples = np.array(list(itertools.product(range(n), repeat=B)))
    for size, rng in chunk_rngs(seed, trials):
        for _ in range(size):
            X = rng.standard_normal((n, d))
            w = rng.standard_normal(d)
            g = np.tanh(X @ w)[:, None] * X * rng.uniform(0.5, 2.0, (n, 1))  # arbitrary (non-convex) gradients
            u = rng.standard_normal(d) * 0.5
            gamma = float(rng.uniform(0.05, 0.5))
            nxt = w - gamma * g[tuples].sum(axis=1)
            if projected:  # ball of radius r around 0 containing u: non-expansive projection
                r = float(max(np.linalg.norm(u), 1e-9) * rng.uniform(1.0, 3.0))
                nrm = np.linalg.norm(nxt, axis=1, keepdims=True)
                nxt = nxt * np.minimum(1.0, r / np.maximum(nrm, 1e-300))
            lhs = float(np.mean(np.sum((nxt - u) ** 2, axis=1)))
            rhs = _lemma_rhs(g, w, u, gamma, B, pairs)
            ratio = lhs / rhs if projected else max(lhs / rhs, rhs / lhs)
            worst = max(worst, ratio)
            cases += 1
    kind = "projected: max LHS/RHS (<= 1)" if projected else "max(LHS/RHS, RHS/LHS) (= 1)"
    return _exact(f"lem2.1/{'projected' if projected else 'enumeration'}", "lem2.1", kind, worst, cases, seed,
                  f"n = 5, B = 3, all 125 index tuples, random non-convex GLM-type gradients, random reference u, "
                  f"gamma in [0.05, 0.5]; right side with {pairs} G"
                  + ("; projection onto a ball containing u." if projected else "; equality to rounding."))


def _lemma_mc_run(trials: int, seed: int, *, pairs: str = "B(B-1)") -> MCResult:
    rng0 = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    n, d, B, gamma = 200, 10, 16, 0.05
    X = rng0.standard_normal((n, d))
    w = rng0.standard_normal(d)
    g = np.tanh(X @ w)[:, None] * X + 0.3  # a common offset: C > 0
    u = w + 0.05 * rng0.standard_normal(d)
    rhs = _lemma_rhs(g, w, u, gamma, B, pairs)
    vals = []
    for size, rng in chunk_rngs(seed, trials):
        idx = rng.integers(0, n, (size, B))
        nxt = w - gamma * g[idx].sum(axis=1)
        vals.append(np.sum((nxt - u) ** 2, axis=1))
    return _band("lem2.1/monte-carlo", "lem2.1", "mean ||w+ - u||^2 / RHS(2.5)", np.concatenate(vals), rhs, 0.05,
                 seed, f"n = {n}, d = {d}, B = {B}, gamma = {gamma}, sampling with replacement; RHS with {pairs} G "
                       f"= {rhs:.5g}.")


register_check(Check("lem2.1/enumeration", "lem2.1", "Lemma 2.1's identity (2.5) by exact enumeration",
                     _lemma_enumeration_run, trials=2000, quick_trials=300, wrong={"pairs": "B^2"}))
register_check(Check("lem2.1/projected", "lem2.1", "Lemma 2.1 with projection: LHS <= RHS by exact enumeration",
                     functools.partial(_lemma_enumeration_run, projected=True),
                     trials=2000, quick_trials=300, wrong={"pairs": "0"}))
register_check(Check("lem2.1/monte-carlo", "lem2.1", "Lemma 2.1's identity by Monte Carlo (n = 200, B = 16)",
                     _lemma_mc_run, trials=100_000, quick_trials=40_000, wrong={"pairs": "B^2"}))


# ---------------------------------------------------------------------------------------------
# Theorem 2.7: closed forms and inequalities
# ---------------------------------------------------------------------------------------------

def _dim_instance(seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    return rng.standard_normal((20, 8)) + 0.4  # C > 0, dense rows (A_q well above A)


def _dim_mc_run(kind: str):  # noqa: ANN202
    def run(trials: int, seed: int, *, level_scale: float = 1.0, use_A: bool = False) -> MCResult:
        g = _dim_instance(seed)
        s = diversity(g)
        level = {"drop": 0.5, "sgld": 0.5, "quant": 0.0}[kind]
        mech = Mechanism(kind, level)
        if kind == "drop":
            closed = (1 - level * level_scale) * s.A + (1 - level * level_scale) ** 2 * s.C
        elif kind == "sgld":
            closed = s.S + s.n * s.d * (level * level_scale) ** 2
        else:
            closed = (s.A if use_A else s.A_q) + s.C
        vals = []
        for size, rng in chunk_rngs(seed, trials):
            for sub in np.array_split(np.arange(size), max(1, size // 500)):
                gd = apply_mechanism(np.broadcast_to(g, (sub.size,) + g.shape), mech, rng)
                vals.append(np.sum(gd.sum(axis=1) ** 2, axis=1))
        form = {"drop": "(1-p)A + (1-p)^2 C", "sgld": "S + n d sigma^2", "quant": "A_q + C"}[kind]
        return _band(f"thm2.7/{kind}-closed-form", "thm2.7", f"E||sum_i g_i^{kind}||^2 / ({form})",
                     np.concatenate(vals), closed, 0.03, seed,
                     f"n = 20, d = 8 Gaussian gradients + 0.4 (C = {s.C:.4g} > 0), fresh randomness per point; "
                     f"closed-form denominator of B^{kind} = {closed:.5g}"
                     + (f" (level scaled by {level_scale:g})" if level_scale != 1 else "")
                     + (" (A in place of A_q)" if use_A else "") + ".")

    return run


for _kind, _wrong in (("drop", {"level_scale": 0.5}), ("sgld", {"level_scale": 0.5}), ("quant", {"use_A": True})):
    register_check(Check(f"thm2.7/{_kind}-closed-form", "thm2.7", f"closed form of B^{_kind} vs Monte Carlo",
                         _dim_mc_run(_kind), trials=100_000, quick_trials=20_000, wrong=_wrong))


def _dim_inequality_run(trials: int, seed: int, *, factor: float = 1.0) -> MCResult:
    """Random gradient sets: C >= 0 (common offset) => B^DIM >= B_D; C < 0 (sum ~ 0) => B^DIM > n."""
    worst, cases = 0.0, 0
    for size, rng in chunk_rngs(seed, trials):
        for _ in range(size):
            n, d = int(rng.integers(2, 30)), int(rng.integers(1, 12))
            g = rng.standard_normal((n, d)) * rng.lognormal(0, 1, (n, 1))
            if rng.random() < 0.5:
                g = g + rng.standard_normal(d) * rng.uniform(0, 3)
            else:
                g = g - g.mean(axis=0) + 0.01 * rng.standard_normal(d) * rng.random()
            s = diversity(g)
            p, sig = float(rng.uniform(0.001, 0.99)), float(rng.lognormal(-2, 2))
            bd = mechanism_bounds(s, p=p, sigma=sig)
            for v in bd.values():
                ratio = factor * s.B_D / v if s.C >= 0 else n / v  # C < 0 needs B^DIM > n strictly
                if s.C < 0 and v <= n:
                    ratio = math.inf
                worst = max(worst, ratio)
            cases += 1
    return _exact("thm2.7/inequality", "thm2.7", "max factor B_D/B^DIM (C >= 0) and n/B^DIM (C < 0)", worst, cases,
                  seed, "random n in [2, 30), d in [1, 12), both regimes; p in (0, 1), sigma log-normal; "
                        + (f"claimed B^DIM >= {factor:g} B_D." if factor != 1 else "Theorem 2.7's claims."))


register_check(Check("thm2.7/inequality", "thm2.7", "B^DIM >= B_D when B_D <= n, B^DIM > n otherwise",
                     _dim_inequality_run, trials=4000, quick_trials=600, wrong={"factor": 1.5}))


# ---------------------------------------------------------------------------------------------
# The construction of Theorem 2.6 (used for Theorems 2.3-2.6, Propositions 2.4-2.5)
# ---------------------------------------------------------------------------------------------

CONSTR = {"d": 5, "lambda_": 1.0, "w0": 0.9}


def _construction() -> tuple[PointsProblem, np.ndarray]:
    d = CONSTR["d"]
    x = np.concatenate([np.eye(d), -np.eye(d)])  # n = 2d, ||x_i|| = 1, sum x_i = 0; hull = cross-polytope
    w0 = np.zeros(d)
    w0[0] = CONSTR["w0"]
    return PointsProblem(x, CONSTR["lambda_"]), w0


def _convergence_run(thm: str):  # noqa: ANN202
    def run(trials: int, seed: int, *, bound_scale: float = 1.0, eps: float = 0.05, B: int = 4) -> MCResult:
        prob, w0 = _construction()
        lam = CONSTR["lambda_"]
        D0 = float(w0 @ w0)
        common = {"M2": 2 * lam**2, "eps": eps, "B": B, "B_D": 2.0}
        if thm == "thm2.3":
            params = {**common, "beta": lam, "mu": lam, "F_gap": lam / 2 * D0}
        elif thm == "thm2.4":
            params = {**common, "D0": D0}
        else:
            params = {**common, "lambda_": lam, "D0": D0}
        ev = get(thm).assess(**params)
        gamma, T = float(ev.quantities["gamma"]), int(ev.params["T"])
        vals = []
        for size, rng in chunk_rngs(seed, trials):
            res = minibatch_sgd(prob, w0, B=B, gamma=gamma, T=T, rng=rng, R=size, average=(thm == "thm2.4"))
            w = res.w_avg if thm == "thm2.4" else res.w
            sq = np.sum(w * w, axis=1)
            vals.append(sq if thm == "thm2.5" else lam / 2 * sq)  # F(w) - F* = (lambda/2)||w||^2
        bound = float(ev.value) * bound_scale
        qty = {"thm2.3": "E[F(w_T) - F*]", "thm2.4": "E[F(w_bar) - F*]", "thm2.5": "E||w_T - w*||^2"}[thm]
        return _upper(f"{thm}/construction", thm, qty, np.concatenate(vals), bound, seed,
                      f"f_i = (lambda/2)||w - x_i||^2, x_i = +-e_j (d = {CONSTR['d']}, n = {2 * CONSTR['d']}), "
                      f"w_0 = 0.9 e_1; M^2 = 2 lambda^2 and B_D >= 2 hold on the whole hull (Proposition 2.4), "
                      f"delta = (B-1)/2; gamma = {gamma:.4g} and T = {T} as stated; general-gamma bound "
                      f"{float(ev.value):.5g} <= (1 + delta/2) eps = {float(ev.quantities['target']):.5g}"
                      + (f"; bound scaled by {bound_scale:g}" if bound_scale != 1 else "") + ".")

    return run


for _thm in ("thm2.3", "thm2.4", "thm2.5"):
    register_check(Check(f"{_thm}/construction", _thm, f"{_thm}: achieved suboptimality at the stated gamma, T",
                         _convergence_run(_thm), trials=20_000, quick_trials=4000,
                         wrong={"bound_scale": 0.01 if _thm == "thm2.4" else 0.25}))


def _logistic_data(seed: int, n: int = 200, d: int = 10) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])
    X = rng.standard_normal((n, d)) / math.sqrt(d)
    w_true = rng.standard_normal(d) * 2
    y = np.where(X @ w_true + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
    return X, y


def _smooth_run(trials: int, seed: int, *, bound_scale: float = 1.0, eps: float = 0.05, B: int = 8) -> MCResult:
    """Theorem 2.2 on unregularised logistic regression; M^2 = mean ||x_i||^2 is valid on all of R^d."""
    X, y = _logistic_data(seed)
    n = X.shape[0]
    prob = GLMProblem(X, y, "logistic")
    M2 = float(np.mean(np.sum(X * X, axis=1)))
    beta = float(np.linalg.norm(X, 2) ** 2 / (4 * n))
    B_D = glm_lower_bound_normalized(X)
    ev = get("thm2.2").assess(beta=beta, M2=M2, eps=eps, F_gap=math.log(2), B=B, B_D=B_D)
    gamma, T = float(ev.quantities["gamma"]), int(ev.params["T"])
    K = T // B
    sums = np.zeros(K + 1)
    sqs = np.zeros(K + 1)
    for size, rng in chunk_rngs(seed, trials):
        res = minibatch_sgd(prob, np.zeros(X.shape[1]), B=B, gamma=gamma, T=T, rng=rng, R=size,
                            record=lambda w: np.sum(prob.full_grad(w) ** 2, axis=1))
        sums += res.trace.sum(axis=1)
        sqs += (res.trace**2).sum(axis=1)
    means = sums / trials
    sds = np.sqrt(np.maximum(sqs / trials - means**2, 0) * trials / max(trials - 1, 1))
    from scipy import stats

    half = stats.t.ppf(0.5 + CONF / 2, trials - 1) * sds / math.sqrt(trials)
    k = int(np.argmin(means[:-1]))  # k = 0, ..., T/B - 1
    bound = float(ev.value) * bound_scale
    return MCResult(check="thm2.2/logistic", theorem_id="thm2.2", quantity="min_k E||grad F(w_kB)||^2",
                    estimate=float(means[k]), ci_low=float(np.min(means[:-1] - half[:-1])),
                    ci_high=float(np.min(means[:-1] + half[:-1])), bound=bound, rule="upper", trials=trials,
                    seed=seed, seconds=0.0,
                    note=(f"logistic regression, n = {n}, d = {X.shape[1]}, noisy labels, w_0 = 0; M^2 = "
                          f"{M2:.4g} (|l'| <= 1), beta = sigma_max^2/(4n) = {beta:.4g}, B_D >= n/sigma_max(X~)^2 = "
                          f"{B_D:.4g}, F_gap <= log 2; gamma = {gamma:.4g}, T = {T}; bound {float(ev.value):.4g}"
                          + (f" scaled by {bound_scale:g}" if bound_scale != 1 else "") + "."))


register_check(Check("thm2.2/logistic", "thm2.2", "Theorem 2.2 on logistic regression at the stated gamma, T",
                     _smooth_run, trials=8000, quick_trials=2000, wrong={"bound_scale": 0.02}))


def _lower_bound_run(trials: int, seed: int, *, bound_scale: float = 1.0, gamma: float = 0.05, B: int = 4,
                     T: int = 40) -> MCResult:
    """Theorem 2.6 on its construction: E||w_T||^2 >= the unrolled lower bound with delta* estimated."""
    prob, w0 = _construction()
    lam = CONSTR["lambda_"]
    K = T // B
    sq_T, inv_means = [], np.zeros(K)
    for size, rng in chunk_rngs(seed, trials):
        res = minibatch_sgd(prob, w0, B=B, gamma=gamma, T=T, rng=rng, R=size,
                            record=lambda w: np.sum(w * w, axis=1))
        sq_T.append(res.trace[-1])
        inv_means += np.sum(1.0 / np.maximum(res.trace[:-1], 1e-300), axis=1)
    x = np.concatenate(sq_T)
    E_BD = 1.0 + inv_means / trials  # E[B_D(w_{N_{k-1}})] = 1 + E[1/||w||^2]
    delta = (B - 1) / float(E_BD.max())
    ev = get("thm2.6").assess(lambda_=lam, gamma=gamma, B=B, T=T, delta=delta, D0=float(w0 @ w0))
    lb = float(ev.value) * bound_scale
    m, lo, hi = t_interval(x, CONF)
    return MCResult(check="thm2.6/construction", theorem_id="thm2.6", quantity="lower bound / E||w_T - w*||^2",
                    estimate=lb / m, ci_low=lb / hi, ci_high=lb / lo if lo > 0 else math.inf, bound=1.0,
                    rule="upper", trials=trials, seed=seed, seconds=0.0,
                    note=(f"construction x_i = +-e_j (d = {CONSTR['d']}), w_0 = 0.9 e_1, lambda = {lam}, gamma = "
                          f"{gamma}, B = {B}, T = {T}; delta* = (B-1)/max_k E[B_D] = {delta:.4g} (Monte Carlo); "
                          f"lower bound {float(ev.value):.5g} (paper form c'(1+delta) gamma M^2/lambda = "
                          f"{float(ev.quantities['paper_form']):.5g})"
                          + (f", scaled by {bound_scale:g}" if bound_scale != 1 else "") + "."))


register_check(Check("thm2.6/construction", "thm2.6", "Theorem 2.6's lower bound on its construction",
                     _lower_bound_run, trials=20_000, quick_trials=4000, wrong={"bound_scale": 2.0}))


def _hull_run(trials: int, seed: int, *, cap_scale: float = 1.0, gamma: float = 0.05) -> MCResult:
    """Proposition 2.4: with B <= cap_scale/(lambda gamma) the iterates stay in the cross-polytope ||w||_1 <= 1."""
    prob, w0 = _construction()
    B = int(math.floor(cap_scale / (CONSTR["lambda_"] * gamma)))
    worst = 0.0
    for size, rng in chunk_rngs(seed, trials):
        res = minibatch_sgd(prob, w0, B=B, gamma=gamma, T=20 * B, rng=rng, R=size,
                            record=lambda w: np.abs(w).sum(axis=1))
        worst = max(worst, float(res.trace.max()))
    return _exact("prop2.4/hull", "prop2.4", "max ||w_kB||_1 over all iterates (hull: <= 1)", worst, trials, seed,
                  f"x_i = +-e_j, d = {CONSTR['d']}, gamma = {gamma}, B = {B} (cap {cap_scale:g}/(lambda gamma)), "
                  "20 iterations, no projection.")


register_check(Check("prop2.4/hull", "prop2.4", "iterates stay in conv{x_i} when B <= 1/(lambda gamma)",
                     _hull_run, trials=4000, quick_trials=1000, wrong={"cap_scale": 4.0}))


def _necessity_run(trials: int, seed: int, *, factor_shift: float = -1.0) -> MCResult:
    """Proposition 2.5 by enumeration: E||w+ - w*|| >= (gamma lambda B - 1)||w - w*|| for B > 2/(gamma lambda)."""
    x = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
    lam, gamma, B = 1.0, 0.5, 5
    tuples = np.array(list(itertools.product(range(4), repeat=B)))
    sums = x[tuples].sum(axis=1)  # (4^B, 2)
    worst, cases = 0.0, 0
    for size, rng in chunk_rngs(seed, trials):
        w = rng.standard_normal((size, 2)) * rng.lognormal(0, 1.5, (size, 1))
        nxt = (1 - gamma * lam * B) * w[:, None, :] + gamma * lam * sums[None]
        mean_dist = np.linalg.norm(nxt, axis=2).mean(axis=1)
        claimed = (gamma * lam * B + factor_shift) * np.linalg.norm(w, axis=1)
        worst = max(worst, float(np.max(claimed / mean_dist)))
        cases += size
    return _exact("prop2.5/enumeration", "prop2.5", "max claimed factor x ||w - w*|| / E||w+ - w*||", worst, cases,
                  seed, f"x = {{+-e_1, +-e_2}}, lambda = 1, gamma = 0.5, B = 5 > 2/(gamma lambda) = 4, all 4^5 "
                        f"tuples; claimed factor gamma lambda B {factor_shift:+g}.")


register_check(Check("prop2.5/enumeration", "prop2.5", "one-step expansion of E||w - w*|| when B > 2/(gamma lambda)",
                     _necessity_run, trials=4000, quick_trials=1000, wrong={"factor_shift": 0.0}))


# ---------------------------------------------------------------------------------------------
# Remark 2.1, Propositions 2.1-2.3
# ---------------------------------------------------------------------------------------------

def _glm_bound_run(trials: int, seed: int, *, lb_scale: float = 1.0) -> MCResult:
    worst, cases = 0.0, 0
    losses = {"logistic": lambda z: -1 / (1 + np.exp(z)), "squared": lambda z: z - 0.3,
              "tanh": lambda z: np.tanh(z) * np.cos(z), "adversarial": None}
    for size, rng in chunk_rngs(seed, trials):
        for _ in range(size):
            n, d = int(rng.integers(2, 40)), int(rng.integers(1, 10))
            if rng.random() < 0.5:
                X = rng.choice([-1.0, 1.0], (n, d))  # equal row norms: the adversarial case is tight
            else:
                X = rng.standard_normal((n, d)) * rng.lognormal(0, 0.5, (n, 1))
            lb = lb_scale * glm_lower_bound(X)
            for key, fn in losses.items():
                if fn is None:
                    a = np.linalg.svd(X / np.linalg.norm(X, axis=1, keepdims=True), full_matrices=False)[0][:, 0] \
                        / np.linalg.norm(X, axis=1)
                else:
                    a = fn(X @ rng.standard_normal(d))
                if not np.any(a):
                    continue
                s = diversity(a[:, None] * X)
                worst = max(worst, lb / s.B_D)
                cases += 1
    return _exact("rem2.1/glm", "rem2.1", "max LB_GLM / B_D(w)", worst, cases, seed,
                  "random X (Rademacher rows or Gaussian with random row scales), random w; logistic, squared, a "
                  "non-convex tanh loss and the adversarial coefficients a = u_1(X~)/||x_i|| (B_D = n/sigma(X~)^2)"
                  + (f"; bound scaled by {lb_scale:g}" if lb_scale != 1 else "") + ".")


register_check(Check("rem2.1/glm", "rem2.1", "B_D(w) >= n min||x_i||^2/sigma_max(X)^2 for GLMs",
                     _glm_bound_run, trials=2000, quick_trials=300, wrong={"lb_scale": 1.05}))


def _conflict_run(trials: int, seed: int, *, plus_one: int = 1) -> MCResult:
    worst, cases = 0.0, 0
    for size, rng in chunk_rngs(seed, trials):
        for t in range(size):
            n, d = int(rng.integers(2, 40)), int(rng.integers(2, 40))
            if t % 2 == 0:  # random sparse supports with random values
                mask = rng.random((n, d)) < rng.uniform(0.02, 0.3)
                g = np.where(mask, rng.standard_normal((n, d)) + rng.uniform(-1, 1), 0.0)
            else:  # cliques of size rho + 1: equal gradients inside, disjoint supports across (tight case)
                size_c = int(rng.integers(1, 6))
                k = max(1, d // size_c)
                n = size_c * k
                g = np.zeros((n, d))
                for c in range(k):
                    g[c * size_c:(c + 1) * size_c, c] = rng.uniform(0.5, 2.0)
            if not np.any(g):
                continue
            cg = conflict_graph_bound(g)
            bound = n / (cg["rho"] + plus_one) if cg["rho"] + plus_one > 0 else math.inf
            worst = max(worst, bound / diversity(g).B_D)
            cases += 1
    return _exact("prop2.3/conflict-graph", "prop2.3", "max (n/(rho+1)) / B_D(w)", worst, cases, seed,
                  "random sparse supports and the clique construction (equality)"
                  + ("" if plus_one == 1 else f"; bound n/(rho + {plus_one})") + ".")


register_check(Check("prop2.3/conflict-graph", "prop2.3", "B_D(w) >= n/(rho+1) on random conflict graphs",
                     _conflict_run, trials=2000, quick_trials=400, wrong={"plus_one": 0}))


def _random_design_run(rademacher: bool):  # noqa: ANN202
    def run(trials: int, seed: int, *, exponent_shift: float = 0.0, tolerance: float = 0.25) -> MCResult:
        ds = np.array([32, 64, 128, 256])
        streams = np.random.SeedSequence(seed).spawn(len(ds) + 1)
        y = np.empty((len(ds), trials))
        for i, d in enumerate(ds):
            rng = np.random.default_rng(streams[i])
            n = 2 * d
            for r in range(trials):
                X = rng.choice([-1.0, 1.0], (n, d)) if rademacher else rng.standard_normal((n, d))
                y[i, r] = glm_lower_bound(X)
        slope, lo, hi, intercept = loglog_slope(ds.astype(float), y, np.random.default_rng(streams[-1]))
        thm = "prop2.2" if rademacher else "prop2.1"
        return MCResult(check=f"{thm}/slope-in-d", theorem_id=thm, quantity="log-log slope of LB_GLM in d",
                        estimate=slope, ci_low=lo, ci_high=hi, bound=1.0 + exponent_shift, rule="slope",
                        trials=trials, seed=seed, seconds=0.0, tolerance=tolerance,
                        series=slope_series(ds, y, slope, intercept, xlabel="d",
                                            ylabel="n min ||x_i||^2 / sigma_max(X)^2"),
                        note=(f"{'Rademacher' if rademacher else 'Gaussian'} X, n = 2d, d = 32..256; "
                              f"n min||x_i||^2/sigma_max^2 (<= B_D(w) for every w) ~ {math.exp(intercept):.3g} d^"
                              f"{slope:.3f}; only the linear scaling is falsifiable (universal constants). The "
                              f"Gaussian finite-d correction (min_i ||x_i||^2 ~ d - 2 sqrt(d log n)) pushes the "
                              f"slope above 1 at these d; tolerance {tolerance}."))

    return run


register_check(Check("prop2.1/slope-in-d", "prop2.1", "B_D lower bound grows linearly in d (Gaussian features)",
                     _random_design_run(False), trials=20, quick_trials=8, wrong={"exponent_shift": -0.5}))
register_check(Check("prop2.2/slope-in-d", "prop2.2", "B_D lower bound grows linearly in d (Rademacher features)",
                     _random_design_run(True), trials=20, quick_trials=8, wrong={"exponent_shift": -0.5}))


# ---------------------------------------------------------------------------------------------
# Stability: Propositions 2.7-2.9, Theorems 2.9-2.10 (coupled runs on S and S^(I))
# ---------------------------------------------------------------------------------------------

def _cross_term_run(trials: int, seed: int, *, form: str = "mixture") -> MCResult:
    worst, cases = 0.0, 0
    for size, rng in chunk_rngs(seed, trials):
        for _ in range(size):
            n, d = int(rng.integers(3, 12)), int(rng.integers(1, 5))
            h = rng.standard_normal((n, d)) + rng.standard_normal(d)
            gram = h @ h.T
            total = 0.0
            for I in range(n):
                keep = np.delete(np.arange(n), I)
                total += gram[np.ix_(keep, keep)].mean()
            lhs = total / n
            M2 = float(np.mean(np.diag(gram)))
            G = float(np.sum(h.mean(0) ** 2))
            rhs = (M2 / (n - 1) ** 2 + n * (n - 2) / (n - 1) ** 2 * G) if form == "mixture" else G
            worst = max(worst, lhs / rhs, rhs / lhs)
            cases += 1
    return _exact("prop2.9/enumeration", "prop2.9", "max(LHS/RHS, RHS/LHS) of (2.23)", worst, cases, seed,
                  "all I in [n] and (s_i, s_j) in ([n] minus I)^2, random h_1..h_n; right side "
                  + ("M^2/(n-1)^2 + n(n-2)/(n-1)^2 G." if form == "mixture" else "G (i.i.d. uniform pairs)."))


register_check(Check("prop2.9/enumeration", "prop2.9", "(2.23) by exact enumeration", _cross_term_run,
                   trials=1000, quick_trials=200, wrong={"form": "iid"}))

STAB = {"n": 50, "d": 5, "B": 4, "gamma": 1.0, "T": 200}  # gamma: convex case; strongly convex: 0.9 gamma_max


def _stab_setup(strongly: bool, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
    n, d = STAB["n"], STAB["d"]
    if not strongly:  # logistic, x uniform on {-1,1}^d / sqrt(d): L = 1, beta = 1/4
        X = rng.choice([-1.0, 1.0], (n, d)) / math.sqrt(d)
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
        prob = GLMProblem(X, y, "logistic")
        return {"prob": prob, "X": X, "y": y, "L": 1.0, "beta": 0.25, "B_low": glm_lower_bound_normalized(X),
                "radius": None, "rng": rng, "gamma": STAB["gamma"]}
    lam, R = 0.1, 2.0  # ridge least squares on a ball of radius R
    X = rng.choice([-1.0, 1.0], (n, d)) / math.sqrt(d)
    y = np.clip(X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n), -1, 1)
    prob = GLMProblem(X, y, "squared", ridge=lam)
    from scipy.linalg import eigh

    A1 = sum((np.outer(x, x) + lam * np.eye(d)) @ (np.outer(x, x) + lam * np.eye(d)) for x in X)
    A2 = (X.T @ X + n * lam * np.eye(d)) @ (X.T @ X + n * lam * np.eye(d))
    B_low = float(n * eigh(A1, A2, eigvals_only=True)[0])  # exact inf of B_D(w, w') (catalog D2.6)
    L = float(np.max(np.linalg.norm(X, axis=1) * (np.linalg.norm(X, axis=1) * R + 1.0)) + lam * R)
    beta = float(np.max(np.sum(X * X, axis=1)) + lam)
    gmax = 2 / ((beta + lam) * (1 + 1 / (n - 1) + (STAB["B"] - 1) / B_low))
    gamma = 0.9 * min(gmax, 1 / (2 * lam * STAB["B"]))
    return {"prob": prob, "X": X, "y": y, "L": L, "beta": beta, "lambda_": lam, "B_low": B_low, "radius": R,
            "rng": rng, "gamma": gamma}


def _row_loss(prob: GLMProblem, w: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(w_r; (x_r, y_r)) for each trial r: shape (R,)."""
    z = np.einsum("rd,rd->r", w, x)
    out = np.logaddexp(0.0, -y * z) if prob.model == "logistic" else 0.5 * (z - y) ** 2
    return out + 0.5 * prob.ridge * np.sum(w * w, axis=1)


def _coupled(setup: dict[str, Any], trials: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances ||w_T - w~_T|| and eps_stab samples f(w~_T; z') - f(w_T; z') over trials."""
    prob, X, y = setup["prob"], setup["X"], setup["y"]
    n, d = X.shape
    dist, stab = [], []
    for size, rng in chunk_rngs(seed, trials):
        I = rng.integers(0, n, size)
        xz = rng.choice([-1.0, 1.0], (size, d)) / math.sqrt(d)
        yz = (np.where(rng.random(size) < 0.5, 1.0, -1.0) if prob.model == "logistic"
              else np.clip(rng.standard_normal(size) * 0.5, -1, 1))
        rep = Replacement(I, xz, yz)
        seed_run = int(rng.integers(0, 2**63 - 1))
        kw = dict(B=STAB["B"], gamma=setup["gamma"], T=STAB["T"], R=size, radius=setup["radius"])
        a = minibatch_sgd(prob, np.zeros(d), rng=np.random.default_rng(seed_run), **kw).w
        b = minibatch_sgd(prob, np.zeros(d), rng=np.random.default_rng(seed_run), replace=rep, **kw).w
        dist.append(np.linalg.norm(a - b, axis=1))
        stab.append(_row_loss(prob, b, xz, yz) - _row_loss(prob, a, xz, yz))
    return np.concatenate(dist), np.concatenate(stab)


def _stability_run(thm: str):  # noqa: ANN202
    strongly = thm in ("prop2.8", "thm2.10")

    def run(trials: int, seed: int, *, n_power: float = 1.0) -> MCResult:
        st = _stab_setup(strongly, seed)
        n = STAB["n"]
        common = {"gamma": st["gamma"], "beta": st["beta"], "L": st["L"], "n": n, "B": STAB["B"],
                  "B_low": st["B_low"]}
        if strongly:
            common["lambda_"] = st["lambda_"]
        if thm in ("thm2.9", "thm2.10"):
            common["T"] = STAB["T"]
        elif thm == "prop2.7":
            common["T"] = STAB["T"]
        ev = get(thm).assess(**common)
        if ev.violated:  # the check is only meaningful where the proposition's conditions hold
            raise AssertionError(f"{thm}: hypotheses fail at the check's configuration: {ev.violated}")
        dist, stab = _coupled(st, trials, seed)
        scale = n ** (1 - n_power)  # n_power = 2 divides the bound by n: a wrong exponent of n
        desc = (f"{'ridge least squares on a ball of radius 2 (lambda = 0.1)' if strongly else 'logistic'}, n = {n}, "
                f"d = {STAB['d']}, x uniform on {{-1,1}}^d/sqrt(d), B = {STAB['B']}, gamma = {st['gamma']:.4g}, "
                f"T = {STAB['T']}; B_low = {st['B_low']:.4g} ({'exact generalized eigenvalue' if strongly else 'n/sigma_max(X~)^2'}), "
                f"condition {'(2.17)' if strongly else '(2.16)'} holds (gamma_max = {float(ev.quantities['gamma_max']):.4g}); "
                f"fixed S, random I and z', coupled runs share indices")
        if thm.startswith("prop"):
            bound = float(ev.quantities["distance"]) * scale
            return _upper(f"{thm}/coupled-distance", thm, "E_{I,A}||w_T - w~_T||", dist, bound, seed,
                          desc + f"; bound {'4L/(lambda(n-1))' if strongly else '2 gamma L T/n'} = {bound:.4g}.")
        bound = float(ev.value) * scale
        m, lo, hi = t_interval(stab, CONF)
        a_lo, a_hi = (0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))), max(abs(lo), abs(hi))
        return MCResult(check=f"{thm}/coupled-stability", theorem_id=thm, quantity="|E[f(w~_T; z') - f(w_T; z')]|",
                        estimate=abs(m), ci_low=a_lo, ci_high=a_hi, bound=bound, rule="upper", trials=trials,
                        seed=seed, seconds=0.0,
                        note=desc + f"; eta = 1 - 1_Gamma = {float(ev.params['eta']):g}; bound {bound:.4g}.")

    return run


for _thm, _wrong in (("prop2.7", {"n_power": 2.0}), ("prop2.8", {"n_power": 2.0}),
                     ("thm2.9", {"n_power": 3.0}), ("thm2.10", {"n_power": 3.0})):
    register_check(Check(f"{_thm}/coupled-{'distance' if _thm.startswith('prop') else 'stability'}", _thm,
                         f"{_thm} by coupled runs on neighbouring data sets", _stability_run(_thm),
                         trials=8000, quick_trials=2000, wrong=_wrong))
