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
from typing import Any

import numpy as np

from boundlab.bounds import C_VALID as _C_VALID_EXPR
from boundlab.montecarlo import (
    Check,
    MCResult,
    adversarial_margins,
    chunk_rngs,
    exact_sup_brute,
    loglog_slope,
    rademacher_pair,
    register_check,
    slope_series,
    zero_pad,
)

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
            brute = exact_sup_brute(X, y, eps, 1.0, p)
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
                     simulate=_closed_form_run, trials=200, quick_trials=40, wrong={"form": "printed"}))


C_VALID = float(_C_VALID_EXPR)  # 1 / (2 sqrt 2), the constant of the corrected Theorem 5.2
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
                     simulate=_mc_vs_exact_run, trials=40_000, quick_trials=8000, wrong={"form": "printed"}))


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
                     simulate=_sandwich_run, trials=200, quick_trials=30, wrong={"c": 1 / math.sqrt(2)}))


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
                     simulate=_refined_run, trials=4000, quick_trials=500, wrong={"D_scale_upper": 0.5}))


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
                     simulate=_dimension_run(2.0, 0.5, 0.1), trials=2000, quick_trials=400, wrong={"form": "printed"}))
register_check(Check(name="thm5.2/dimension-p1", theorem_id="thm5.2",
                     description="p = 1: the adversarial excess does not depend on d (zero padding)",
                     simulate=_dimension_run(1.0, 0.0, 0.1), trials=2000, quick_trials=400, wrong={"p": 2.0}))


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
                     simulate=_vertices_run, trials=2000, quick_trials=300, wrong={"eps_sign": -1.0}))


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
                     simulate=_lem52_run, trials=200, quick_trials=40, wrong={"c": 1.0}))


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
                     simulate=_thm56_run, trials=200, quick_trials=40, wrong={"c": 0.25}))
