"""Chapter 3's explicit constants, each checked against the dissertation's printed formula.

Every expected value below is computed in plain Python from the formula printed in the dissertation
(line numbers in each docstring; ``../shared/theory/dissertation.txt``) or from the catalog's golden
values (``chapter3.md`` section 6), never copied from boundlab's output. Configurations: Model R
(Rademacher regression, d = 2, sigma = 1, D = 2, L_hat = 2, V = sqrt 3, S = 2 sqrt(2/pi)) and Model E
(Exp(1) data, n = 100, m = 201, q = 10, t = 2), both from catalog section 6.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from boundlab.bounds import ERRATA, BadInput, get, quadratic_model_constants

PHI_INV = NormalDist().inv_cdf
S_TIGHT = 2 * math.sqrt(2 / math.pi)
MODEL_R = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "D": 2.0, "L_hat": 2.0, "V": math.sqrt(3), "S": S_TIGHT}
MODEL_R_TRIMMED = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "beta": 0.05, "D": 2.0, "L_hat": 2.0, "v": math.sqrt(2)}
EXP3 = 12 / math.e - 2  # E|Z - 1|^3 for Z ~ Exp(1): the absolute skewness of Exp(1)


def rel(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=0.0)


def c_eps(eps: float) -> float:
    """(3.4), L4095-4105: C_eps = sqrt(2 pi) exp(Phi^{-1}(1 - eps)^2 / 2)."""
    return math.sqrt(2 * math.pi) * math.exp(PHI_INV(1 - eps) ** 2 / 2)


def lhs_32(n, m, d, alpha, D, L_hat, S):
    """The left side of (3.2), L4033-4046, with the proof's log(1 + nm L_hat D)."""
    X = n * m * L_hat * D
    return alpha + math.sqrt(d * math.log(1 + X) / (m * (1 - alpha))) + 0.4748 * S / math.sqrt(n)


def delta_327(n, m, d, alpha, D, L_hat, V, S, eps=None):
    """Delta of (3.27), L5462-5488: sqrt(2) C_eps / sqrt(n) V lhs + 2 sqrt(2)/(nm)."""
    lhs = lhs_32(n, m, d, alpha, D, L_hat, S)
    eps = 0.5 - lhs if eps is None else eps
    return math.sqrt(2) * c_eps(eps) / math.sqrt(n) * V * lhs + 2 * math.sqrt(2) / (n * m)


def delta_prime_full(n, m, d, beta, D, L_hat, v):
    """Delta' of Theorem 3.11 with nothing hidden, L7030-7075 (delta = 1/(nm L_hat))."""
    X = n * m * L_hat * D
    a = 8 * d / (n * m) * math.log(1 + X)
    b = 4 / n * (d * math.log(1 + X) + math.log(m))
    t, s = v * max(a, math.sqrt(a)), v * max(b, math.sqrt(b))
    return math.sqrt(2 * d) * (t + 3 * beta * s) / (1 - 2 * beta) + math.sqrt(2) * 2 * (1 + 3 * beta) / (
        (1 - 2 * beta) * n * m
    )


def condition(ev, prefix: str) -> dict:
    return next(c for c in ev.conditions if c["text"].startswith(prefix))


def test_normal_quantile_derivative_rewrite_and_high_precision_value():
    """(3.4) uses Phi^{-1}: d Phi^{-1}(p)/dp = 1/phi(Phi^{-1}(p)) = sqrt(2 pi) exp(Phi^{-1}(p)^2/2), and
    Phi^{-1}(p) = sqrt(2) erfinv(2p - 1); C_eps at 30 digits agrees with mpmath's own erfinv."""
    import mpmath
    import sympy as sp

    from boundlab.bounds._symbols import NormalQuantile

    p = sp.Symbol("p", positive=True)
    for x in (0.2, 0.7, 0.97):
        q = PHI_INV(x)
        slope = float(sp.diff(NormalQuantile(p), p).subs(p, x).evalf(30))
        assert rel(slope, math.sqrt(2 * math.pi) * math.exp(q**2 / 2), 1e-12)
        assert rel(float(NormalQuantile(sp.Float(x, 30)).evalf(30)), q, 1e-12)
    with mpmath.workdps(30):
        for eps in (0.05, 1 / 6, 0.4):
            q = mpmath.sqrt(2) * mpmath.erfinv(1 - 2 * mpmath.mpf(repr(eps)))  # inputs are read as decimals
            expected = mpmath.sqrt(2 * mpmath.pi) * mpmath.exp(q**2 / 2)
            got = get("eq3.4").evaluate(eps=eps, precision=30)
            assert abs(got - expected) < mpmath.mpf(10) ** -25 * expected


# -- (3.2), (3.4) and Theorem 3.8 --------------------------------------------------------------------


def test_condition_3_2_left_side_and_tightest_eps_follow_the_printed_condition():
    """(3.2), L4033-4046: lhs = alpha + sqrt(d log(1 + nm L_hat D)/(m(1 - alpha))) + 0.4748 S/sqrt(n); the
    tightest admissible eps is 1/2 - lhs."""
    p = {k: MODEL_R[k] for k in ("n", "m", "d", "alpha", "D", "L_hat", "S")}
    ev = get("eq3.2").assess(**p)
    lhs = lhs_32(**p)
    assert rel(ev.value, lhs) and rel(ev.quantities["eps_star"], 0.5 - lhs)
    assert rel(ev.value, 0.2528557, 5e-7)  # catalog section 6, Model R row 1
    assert rel(ev.quantities["X"], 1000 * 1000 * 2.0 * 2.0)


def test_condition_3_2_is_satisfiable_exactly_below_one_half():
    """(3.2) needs lhs <= 1/2 - eps for some eps > 0: satisfiable iff lhs < 1/2 (L4033-4046)."""
    thm = get("eq3.2")
    p = {k: MODEL_R[k] for k in ("n", "m", "d", "alpha", "D", "L_hat", "S")}
    assert thm.check(**p)["condition (3.2) is satisfiable: lhs(3.2) < 1/2"] is True
    assert thm.check(**{**p, "alpha": 0.3})["condition (3.2) is satisfiable: lhs(3.2) < 1/2"] is False


def test_median_delta_is_3_27_at_a_given_eps_and_its_probability_is_one_minus_4d_over_1_plus_x_to_the_d():
    """Theorem 3.8 (L5314-5361): with probability >= 1 - 4d/(1 + nm L_hat D)^d the error is <= Delta of
    (3.27); at a user eps below the tightest one C_eps is evaluated at that eps."""
    thm = get("thm3.8")
    p = {**MODEL_R, "n": 3000, "m": 50, "d": 3, "alpha": 0.02, "D": 0.1, "L_hat": 0.02}
    ev = thm.assess(**p, eps=0.1)
    assert rel(ev.value, delta_327(**p, eps=0.1), 1e-11)
    assert rel(ev.quantities["C_eps"], c_eps(0.1), 1e-11)
    X = 3000 * 50 * 0.1 * 0.02
    assert rel(1 - ev.quantities["prob"], 4 * 3 / (1 + X) ** 3, 1e-10)
    assert rel(ev.quantities["lhs_3_2"], lhs_32(**{k: p[k] for k in ("n", "m", "d", "alpha", "D", "L_hat", "S")}))


def test_condition_3_2_is_checked_against_one_half_minus_the_given_eps():
    thm = get("thm3.8")
    lhs = lhs_32(**{k: MODEL_R[k] for k in ("n", "m", "d", "alpha", "D", "L_hat", "S")})
    assert thm.check(**MODEL_R, eps=0.5 - lhs - 1e-6)["condition (3.2)"] is True
    assert thm.check(**MODEL_R, eps=0.5 - lhs + 1e-6)["condition (3.2)"] is False


# -- Theorems 3.1-3.3 ----------------------------------------------------------------------------------


def test_theorem_3_1_needs_four_delta_over_lambda_after_T_needed_iterations():
    """L4119-4130: after T >= ((L_F + lambda_F)/lambda_F) log(lambda_F ||w0 - w*|| / (2 Delta)) iterations the
    error is <= 4 Delta/lambda_F (log(1 - x) <= -x makes the contraction term <= 2 Delta/lambda_F)."""
    thm = get("thm3.1")
    p = {**MODEL_R, "L_F": 2.0, "lambda_F": 0.5, "r0": 1.5}
    q = thm.assess(**p, T=0).quantities
    delta = delta_327(**MODEL_R)
    assert rel(q["Delta"], delta, 1e-11)
    assert rel(q["error_after_T_needed"], 4 * delta / 0.5, 1e-11)
    T_needed = math.ceil((2.0 + 0.5) / 0.5 * math.log(0.5 * 1.5 / (2 * delta)))
    assert q["T_needed"] == T_needed
    at_T = thm.evaluate(**p, T=T_needed)
    assert 2 * delta / 0.5 < at_T <= q["error_after_T_needed"]
    assert thm.evaluate(**p, T=T_needed - 1) > 2 * delta / 0.5
    assert rel(q["kappa"], 0.5 / 2.5)
    # already inside the ball of radius 2 Delta/lambda_F: no iteration is needed (the log is negative)
    assert thm.assess(**{**p, "r0": delta}, T=0).quantities["T_needed"] == 0
    assert get("thm3.4").assess(**MODEL_R_TRIMMED, L_F=2.0, lambda_F=0.5, r0=0.01, T=0).quantities["T_needed"] == 0


def test_theorem_3_1_bound_is_the_contraction_plus_twice_delta_over_lambda():
    """L4055-4062: ||w^T - w*|| <= (1 - lambda_F/(L_F + lambda_F))^T ||w^0 - w*|| + (2/lambda_F) Delta."""
    thm = get("thm3.1")
    p = {**MODEL_R, "L_F": 3.0, "lambda_F": 0.75, "r0": 0.4}
    delta = delta_327(**MODEL_R)
    for T in (0, 1, 5, 40):
        assert rel(thm.evaluate(**p, T=T), (1 - 0.75 / 3.75) ** T * 0.4 + 2 * delta / 0.75, 1e-11)


def test_theorem_3_1_unrolled_recursion_sums_the_geometric_series_of_3_31():
    """(3.31), L5478-5490: unrolling ||w^{t+1} - w*|| <= (1 - kappa)||w^t - w*|| + Delta/L_F gives
    (1 - kappa)^T r0 + (1 - (1 - kappa)^T) Delta (L_F + lambda_F)/(L_F lambda_F)."""
    thm = get("thm3.1")
    p = {**MODEL_R, "L_F": 3.0, "lambda_F": 0.75, "r0": 0.4}
    delta = delta_327(**MODEL_R)
    kappa = 0.75 / 3.75
    for T in (0, 3, 20):
        r = 0.4
        for _ in range(T):
            r = (1 - kappa) * r + delta / 3.0
        assert rel(thm.evaluate("bound_unrolled", **p, T=T), r, 1e-10)


def test_theorem_3_1_rejects_strong_convexity_above_smoothness():
    with pytest.raises(BadInput, match="lambda_F"):
        get("thm3.1").evaluate(**MODEL_R, L_F=1.0, lambda_F=2.0, T=3, r0=1.0)


def test_theorem_3_2_runs_L_F_r0_over_delta_iterations():
    """Theorem 3.2 (L4169-4189): T = (L_F/Delta) ||w^0 - w*||_2."""
    q = get("thm3.2").assess(**MODEL_R, L_F=2.0, r0=0.3).quantities
    assert rel(q["T"], 2.0 * 0.3 / delta_327(**MODEL_R), 1e-11)


def test_assumption_3_4_needs_a_diameter_of_at_least_four_r0():
    """Assumption 3.4 (L4163-4164): W contains the ball of radius 2 r0 around w*, so D >= 4 r0."""
    thm = get("thm3.2")
    key = next(h.text for h in thm.hypotheses if h.text.startswith("Assumption 3.4"))
    assert thm.check(**{**MODEL_R, "D": 2.0}, L_F=1.0, r0=0.49)[key] is None  # not refuted
    assert thm.check(**{**MODEL_R, "D": 2.0}, L_F=1.0, r0=0.51)[key] is False


def test_theorem_3_3_iteration_count_ball_and_gradient_bound_follow_the_text():
    """Theorem 3.3 (L4218-4246): T = 2 L_F (F(w^0) - F*)/Delta^2, min_t ||grad F(w^t)|| <= sqrt(2) Delta;
    Assumption 3.5 (L4209-4213): W contains the ball of radius (2/Delta^2)(M + Delta) F_gap around w^0."""
    thm = get("thm3.3")
    p = {**MODEL_R, "L_F": 1.5, "F_gap": 0.002, "M": 0.7}
    ev = thm.assess(**p)
    delta = delta_327(**MODEL_R)
    assert rel(ev.value, math.sqrt(2) * delta, 1e-11)
    assert rel(ev.quantities["T"], 2 * 1.5 * 0.002 / delta**2, 1e-11)
    radius = 2 / delta**2 * (0.7 + delta) * 0.002
    assert rel(ev.quantities["radius_asm3_5"], radius, 1e-11)
    key = next(h.text for h in thm.hypotheses if h.text.startswith("Assumption 3.5"))
    fits = 2.0 / (2 * 2 / delta**2 * (0.7 + delta))  # the F_gap whose ball has diameter D = 2
    assert thm.check(**{**p, "F_gap": fits * 0.999})[key] is None
    assert thm.check(**{**p, "F_gap": fits * 1.001})[key] is False


# -- Trimmed mean: Theorems 3.11, 3.4-3.6 ------------------------------------------------------------


@pytest.mark.parametrize(
    "n,m,d,beta,v",
    [
        (1000, 1000, 2, 0.05, math.sqrt(2)),
        (10, 100, 2, 0.1, math.sqrt(2)),
        (100, 201, 1, 10 / 201, 1.5),
        (500, 30, 4, 0.2, 0.8),
    ],
)
def test_trimmed_delta_prime_is_the_fully_explicit_bound_of_the_proof(n, m, d, beta, v):
    """Theorem 3.11's proof (L7030-7075): Delta'_full with t = v max(a, sqrt a), s = v max(b, sqrt b)."""
    ev = get("thm3.11").assess(n=n, m=m, d=d, alpha=0.0, beta=beta, D=2.0, L_hat=2.0, v=v)
    assert rel(ev.value, delta_prime_full(n, m, d, beta, 2.0, 2.0, v), 1e-11)
    X = n * m * 4.0
    assert rel(ev.quantities["a"], 8 * d / (n * m) * math.log(1 + X), 1e-12)
    assert rel(ev.quantities["b"], 4 / n * (d * math.log(1 + X) + math.log(m)), 1e-12)


def test_trimmed_delta_prime_paper_is_the_printed_leading_term():
    """Theorem 3.11 as printed (L6700-6733): (v/eps)(3 sqrt(2) beta d/sqrt(n) + 2d/sqrt(nm)) sqrt(log(1 + X)
    + log(m)/d), at eps = 0.3 and at the default eps = 1/2 - beta."""
    thm = get("thm3.11")
    n, m, d, beta, v = 400, 50, 3, 0.1, 1.2
    X = n * m * 2.0 * 2.0
    base = 3 * math.sqrt(2) * beta * d / math.sqrt(n) + 2 * d / math.sqrt(n * m)
    root = math.sqrt(math.log(1 + X) + math.log(m) / d)
    for eps, expected_eps in ((0.3, 0.3), (None, 0.5 - beta)):
        p = {"n": n, "m": m, "d": d, "alpha": 0.05, "beta": beta, "D": 2.0, "L_hat": 2.0, "v": v}
        if eps is not None:
            p["eps"] = eps
        q = thm.assess(**p).quantities
        assert rel(q["Delta_prime_paper"], v / expected_eps * base * root, 1e-11)


def test_trimmed_probabilities_are_the_three_printed_forms():
    """Theorem 3.4 (L4285): 1 - 4d/(1+X)^d; Theorem 3.11 (L6695): 1 - 2d(m+1)/(1+X)^d; the proof's t and s
    (L7046-7075): 1 - 2d(1 + 1/m)/(1+X)^d."""
    n, m, d = 30, 40, 3
    q = get("thm3.11").assess(n=n, m=m, d=d, alpha=0.0, beta=0.1, D=0.05, L_hat=0.025, v=1.0).quantities
    X = n * m * 0.05 * 0.025
    assert rel(1 - q["prob"], 4 * d / (1 + X) ** d, 1e-12)
    assert rel(1 - q["prob_thm3_11"], 2 * d * (m + 1) / (1 + X) ** d, 1e-12)
    assert rel(1 - q["prob_proof"], 2 * d * (1 + 1 / m) / (1 + X) ** d, 1e-12)


def test_trimmed_mean_needs_beta_at_least_alpha_and_at_most_one_half_minus_eps():
    """Theorem 3.4 (L4280-4283): alpha <= beta <= 1/2 - eps."""
    thm = get("thm3.11")
    with pytest.raises(BadInput, match="alpha"):
        thm.evaluate(**{**MODEL_R_TRIMMED, "alpha": 0.1, "beta": 0.05})
    assert thm.check(**MODEL_R_TRIMMED, eps=0.44)["beta <= 1/2 - eps"] is True
    assert thm.check(**MODEL_R_TRIMMED, eps=0.46)["beta <= 1/2 - eps"] is False


def test_theorem_3_4_bound_and_iteration_count_use_delta_prime():
    """Theorem 3.4 (L4279-4352): (1 - lambda_F/(L_F + lambda_F))^T r0 + 2 Delta'/lambda_F; T for the
    4 Delta'/lambda_F ball as in Theorem 3.1 (L4119-4130 with Delta')."""
    thm = get("thm3.4")
    p = {**MODEL_R_TRIMMED, "L_F": 2.0, "lambda_F": 0.5, "r0": 2.0}
    dp = delta_prime_full(1000, 1000, 2, 0.05, 2.0, 2.0, math.sqrt(2))
    for T in (0, 4, 30):
        assert rel(thm.evaluate(**p, T=T), (1 - 0.5 / 2.5) ** T * 2.0 + 2 * dp / 0.5, 1e-11)
    q = thm.assess(**p, T=0).quantities
    assert q["T_needed"] == math.ceil(2.5 / 0.5 * math.log(0.5 * 2.0 / (2 * dp)))
    assert rel(q["kappa"], 0.2)


def test_theorems_3_5_and_3_6_are_theorems_3_2_and_3_3_with_delta_prime():
    """Remark 3.1 (L6804-6806): the convex and non-convex bounds with Delta' for Delta."""
    dp = delta_prime_full(1000, 1000, 2, 0.05, 2.0, 2.0, math.sqrt(2))
    q5 = get("thm3.5").assess(**MODEL_R_TRIMMED, L_F=2.0, r0=0.3)
    assert rel(q5.value, 16 * 0.3 * dp + dp**2 / (2 * 2.0), 1e-11)
    assert rel(q5.quantities["T"], 2.0 * 0.3 / dp, 1e-11)
    assert rel(
        get("thm3.5").evaluate(variant="printed", **MODEL_R_TRIMMED, L_F=2.0, r0=0.3),
        16 * 0.3 * dp * (1 + dp / (2 * 2.0)),
        1e-11,
    )
    thm6 = get("thm3.6")
    p6 = {**MODEL_R_TRIMMED, "L_F": 1.5, "F_gap": 0.01, "M": 0.5}
    q6 = thm6.assess(**p6)
    assert rel(q6.value, math.sqrt(2) * dp, 1e-11)
    assert rel(q6.quantities["T"], 2 * 1.5 * 0.01 / dp**2, 1e-11)
    radius = 2 / dp**2 * (0.5 + dp) * 0.01
    assert rel(q6.quantities["radius_asm3_5"], radius, 1e-11)
    key = next(h.text for h in thm6.hypotheses if h.text.startswith("Assumption 3.5"))
    fits = 2.0 / (2 * 2 / dp**2 * (0.5 + dp))
    assert thm6.check(**{**p6, "F_gap": fits * 0.999})[key] is None
    assert thm6.check(**{**p6, "F_gap": fits * 1.001})[key] is False
    key5 = next(h.text for h in get("thm3.5").hypotheses if h.text.startswith("Assumption 3.4"))
    assert get("thm3.5").check(**MODEL_R_TRIMMED, L_F=1.0, r0=0.51)[key5] is False


# -- Propositions 3.1-3.3 ------------------------------------------------------------------------------


def test_proposition_3_1_constants_are_480_its_root_and_the_gaussian_skewness():
    """Proposition 3.1 (L3999-4008) prints ||gamma|| <= 480; the proof's chain gives sqrt(480) (errata err3.3);
    the sharp value 2 sqrt(2/pi) is the absolute skewness of a Gaussian (catalog: E|Z|^3 = 1.5957691)."""
    q = get("prop3.1").assess(d=3, sigma=0.5, r=1.5).quantities
    assert rel(get("prop3.1").evaluate(d=3, sigma=0.5, r=1.5), 2 * 1.5**2 + 3 * 0.25)
    assert q["skewness_bound"] == 480.0
    assert rel(q["skewness_bound_proof"], math.sqrt(480))
    assert rel(q["skewness_tight"], 2 * math.sqrt(2 / math.pi))
    ev = ERRATA["err3.3"].evaluate()
    assert ev["printed"] == 480.0 and rel(ev["corrected"], math.sqrt(480))


def test_proposition_3_2_sub_exponential_parameter_is_the_root_of_sigma_squared_plus_r_squared():
    """Proposition 3.2 (L4262-4271): v = sqrt(sigma^2 + ||w - w*||^2)."""
    assert rel(get("prop3.2").evaluate(sigma=0.6, r=0.8), 1.0)
    assert rel(get("prop3.2").evaluate(sigma=1.0, r=2.0), math.sqrt(5))


def test_proposition_3_3_constants_are_429_and_the_proof_root():
    """Proposition 3.3 (L4017-4019, L5039-5249): skewness <= 429 as printed; the catalog's sqrt(243 * 755) =
    428.32815 and 8/pi = 2.5464791 at w = w*."""
    q = get("prop3.3").assess(d=3, sigma=0.5, r=1.5).quantities
    assert rel(get("prop3.3").evaluate(d=3, sigma=0.5, r=1.5), 4 * 1.5**2 + 3 * 0.25)
    assert q["skewness_bound"] == 429.0
    assert rel(q["skewness_bound_proof"], math.sqrt(243 * 755)) and abs(q["skewness_bound_proof"] - 428.32815) < 5e-6
    assert rel(q["skewness_at_w_star"], 8 / math.pi)


# -- One-round algorithm: Theorem 3.7, Lemmas 3.4-3.6, Theorem 3.13 -----------------------------------


def berry_esseen_C_k(n, lam, pF, sig, vs, nu2, nu3):
    """(3.65) (catalog item 64, L7472-7603): C_k with Ĉ20..Ĉ31 scaled by (lambda_F + 2||p_F||)/lambda_F^3,
    1/theta^2 = 4/lambda_F^2 and 1/theta^3 = 8/lambda_F^3."""
    scale = (lam + 2 * pF) / lam**3
    c20 = scale * 2 * (2 / math.pi) ** (1 / 6)
    c21 = scale * (2 + 2 ** (2 / 3) / n ** (1 / 6))
    c30 = scale * (8 / math.pi) ** (1 / 6) / n ** (1 / 3)
    c31 = scale * 2 / n**0.5
    c4 = min(4 * nu2**2 / (lam**2 * n**0.5), (16 * nu2**3 + 8 * nu3**3 / n**0.5) / (lam**3 * n))
    return 0.1393 + 2.3356 * vs**3 + ((c20 + c21 * vs) * nu2**2 + (c30 + c31 * vs) * nu3**2) / sig + c4


@pytest.mark.parametrize(
    "n,lam,pF,sig,vs,nu2,nu3",
    [
        (1e5, 1.0, 0.0, 1.0, (8 / math.pi) ** (1 / 3), math.sqrt(8), 3.530493),  # Model G, w* = 0
        (50.0, 2.0, 1.5, 0.7, 1.2, 3.0, 4.0),  # C_4's second branch is the smaller one
        (1e7, 0.5, 0.3, 2.0, 1.7, 1.1, 1.3),
        (4.0, 0.6, 0.2, 0.9, 1.1, 1.3, 1.7),  # tiny n: C_4's first branch is the smaller one
    ],
)
def test_lemma_3_5_berry_esseen_constant_is_3_65(n, lam, pF, sig, vs, nu2, nu3):
    got = get("lem3.5").assess(n=n, lambda_F=lam, pF_norm=pF, sigma_k=sig, varsigma_k=vs, nu2=nu2, nu3=nu3)
    expected = berry_esseen_C_k(n, lam, pF, sig, vs, nu2, nu3)
    assert rel(got.value, expected, 1e-12)
    assert rel(got.quantities["kolmogorov_bound"], expected / math.sqrt(n), 1e-12)


def test_theorem_3_13_constant_is_3_63_with_m_theta_and_theta():
    """(3.63), L7287-7377: C = C0 + C1 vs^3 + (C20 + C21 vs) nu2^2 + (C30 + C31 vs) nu3^2 + C4 with
    (C20, ..., C31) = M_theta/(2 sigma~) (...), C4 = min(nu2^2/(theta^2 sqrt n), (2 nu2^3 + nu3^3/sqrt n)/(theta^3 n));
    Lemma 3.4's theta = lambda_F/2, M_theta = (2 lambda_F + 4||p_F||)/lambda_F^3 (L7464-7470) give (3.65)."""
    for n, lam, pF, sig, vs, nu2, nu3 in (
        (1e5, 1.0, 0.0, 1.0, 1.3655681, math.sqrt(8), 3.530493),
        (50.0, 2.0, 1.5, 0.7, 1.2, 3.0, 4.0),
        (4.0, 0.6, 0.2, 0.9, 1.1, 1.3, 1.7),
        (30.0, 3.0, 0.2, 0.9, 1.1, 1.3, 1.7),
    ):
        M, theta = (2 * lam + 4 * pF) / lam**3, lam / 2
        got = get("thm3.13").assess(n=n, M_theta=M, theta=theta, sigma_tilde=sig, varsigma=vs, nu2=nu2, nu3=nu3)
        expected = berry_esseen_C_k(n, lam, pF, sig, vs, nu2, nu3)
        assert rel(got.quantities["C"], expected, 1e-12)
        assert rel(got.value, expected / math.sqrt(n), 1e-12)
    got = get("thm3.13").assess(n=50.0, M_theta=1.0, theta=2.0, sigma_tilde=1.0, varsigma=1.0, nu2=1.0, nu3=1.0)
    c4 = min(1 / (4 * math.sqrt(50)), (2 + 1 / math.sqrt(50)) / (8 * 50))
    direct = (
        0.1393
        + 2.3356
        + (
            0.5 * (2 * (2 / math.pi) ** (1 / 6) + 2 + 2 ** (2 / 3) / 50 ** (1 / 6))
            + 0.5 * ((8 / math.pi) ** (1 / 6) / 50 ** (1 / 3) + 2 / math.sqrt(50))
        )
        + c4
    )
    assert rel(got.quantities["C"], direct, 1e-12)


def test_c_tilde_of_model_e_is_lemma_3_5_with_the_exponential_moments():
    """Model E (catalog section 5.3): sigma~ = 1, varsigma = nu3 = (12/e - 2)^(1/3), nu2 = 1, ||p_F|| = 1."""
    c = quadratic_model_constants("E", n=1e4)
    third = EXP3 ** (1 / 3)
    assert rel(c["varsigma_k"], third) and rel(c["nu3"], third) and c["nu2"] == 1.0 and c["pF_norm"] == 1.0
    assert rel(c["C_tilde"], berry_esseen_C_k(1e4, 1.0, 1.0, 1.0, third, 1.0, third), 1e-12)


def test_model_g_second_moment_and_gaussian_third_moment_ratio():
    """Model G (catalog section 5.3): nu_2^2 = d^2 + d + (d + 1)||w*||^2 + d sigma^2 (8 at d = 2, w* = 0,
    11 at ||w*|| = 1), varsigma_k = (E|Z|^3)^(1/3)... = (8/pi)^(1/3) = 1.3655681, sigma~ = sigma sqrt(d)."""
    c = quadratic_model_constants("G", d=2, sigma=1.0)
    assert rel(c["nu2"] ** 2, 8.0) and rel(c["varsigma_k"], 1.3655681, 1e-7) and rel(c["sigma_tilde"], math.sqrt(2))
    c1 = quadratic_model_constants("G", d=2, sigma=1.0, w_star_norm=1.0)
    assert rel(c1["nu2"] ** 2, 11.0)
    c3 = quadratic_model_constants("G", d=3, sigma=0.5, w_star_norm=2.0)
    assert rel(c3["nu2"] ** 2, 9 + 3 + 4 * 4 + 3 * 0.25) and rel(c3["sigma_tilde"], 0.5 * math.sqrt(3))


def test_model_g_nu3_is_the_expectation_that_defines_it():
    """nu_3^3 = E[(||xx' - I||_F^2 + ||(x'w* + xi)x - w*||^2)^(3/2)] (catalog section 5.3). At w* = 0 the
    integrand depends on x only through r = ||x||^2 ~ chi^2_d: ((r^2 - 2r + d) + xi^2 r)^(3/2), integrated here
    over r by adaptive quadrature and over xi ~ N(0, sigma^2) by Gauss-Hermite."""
    from scipy import integrate, special

    from boundlab.bounds._models import model_g_nu3

    g, w = np.polynomial.hermite_e.hermegauss(60)
    w = w / w.sum()
    u = np.linspace(0.0, 14.0, 4001)[:, None]  # r = u^2: the chi^2_d density times dr = 2u du is smooth in u
    for d, sigma in ((2, 0.7), (3, 1.0), (5, 0.4)):
        r = u**2
        density = np.exp((d / 2 - 1) * np.log(np.maximum(r, 1e-300)) - r / 2 - special.gammaln(d / 2)) / 2 ** (d / 2)
        f = np.sum(w * ((r**2 - 2 * r + d) + (sigma * g) ** 2 * r) ** 1.5, axis=1) * density[:, 0] * 2 * u[:, 0]
        third = integrate.simpson(f, x=u[:, 0])
        assert rel(model_g_nu3(d, sigma, 0.0), third ** (1 / 3), 1e-7)


def test_theorem_3_7_bound_condition_and_probability_follow_the_text():
    """Theorem 3.7 (L4556-4599): lhs = alpha + sqrt(log(nmd)/(2m(1 - alpha))) + C~/sqrt(n); the bound is
    (C_eps/sqrt n) sigma~ lhs with probability 1 - 4/(nm)."""
    n, m, d, alpha, st, ct = 1e5, 201, 2, 10 / 201, math.sqrt(2), 45.746
    lhs = alpha + math.sqrt(math.log(n * m * d) / (2 * m * (1 - alpha))) + ct / math.sqrt(n)
    for eps in (None, 0.05):
        p = {"n": n, "m": m, "d": d, "alpha": alpha, "sigma_tilde": st, "C_tilde": ct}
        if eps is not None:
            p["eps"] = eps
        ev = get("thm3.7").assess(**p)
        e = 0.5 - lhs if eps is None else eps
        assert rel(ev.quantities["lhs_one_round"], lhs, 1e-12)
        assert rel(ev.value, c_eps(e) / math.sqrt(n) * st * lhs, 1e-10)
        assert rel(1 - ev.quantities["prob"], 4 / (n * m), 1e-8)
    thm = get("thm3.7")
    key = "one-round condition: lhs <= 1/2 - eps"
    assert thm.check(n=n, m=m, d=d, alpha=alpha, sigma_tilde=st, C_tilde=ct, eps=0.5 - lhs - 1e-6)[key] is True
    assert thm.check(n=n, m=m, d=d, alpha=alpha, sigma_tilde=st, C_tilde=ct, eps=0.5 - lhs + 1e-6)[key] is False


def test_lemma_3_4_constants_theta_m_theta_bound_and_tighter_form():
    """Lemma 3.4 (L7431-7470): |psi_k - l_k| <= (lambda_F + 2||p_F||)/lambda_F^3 (||U||_F^2 + ||v||^2) for
    ||U||_F^2 + ||v||^2 <= lambda_F^2/4; theta = lambda_F/2, M_theta = (2 lambda_F + 4||p_F||)/lambda_F^3; the
    catalog's tighter form (item 63) is (||U||^2 + ||v||^2)/lambda_F^2 + 2||p_F|| ||U||^2/lambda_F^3."""
    lam, pF, U, v = 1.5, 0.4, 0.2, 0.3
    ev = get("lem3.4").assess(lambda_F=lam, pF_norm=pF, U_sq=U, v_sq=v)
    assert rel(ev.value, (lam + 2 * pF) / lam**3 * (U + v))
    assert rel(ev.quantities["theta"], lam / 2)
    assert rel(ev.quantities["M_theta"], (2 * lam + 4 * pF) / lam**3)
    assert rel(ev.quantities["tighter"], (U + v) / lam**2 + 2 * pF / lam**3 * U)
    key = "||U||_F^2 + ||v||_2^2 <= lambda_F^2 / 4"
    assert get("lem3.4").check(lambda_F=lam, pF_norm=pF, U_sq=0.28, v_sq=0.28)[key] is True
    assert get("lem3.4").check(lambda_F=lam, pF_norm=pF, U_sq=0.29, v_sq=0.28)[key] is False


def test_lemma_3_6_probability_is_one_minus_4_exp_minus_2t():
    """Lemma 3.6 (L7632-7640): (3.67)-(3.68) hold with probability at least 1 - 4 e^{-2t}; at t = 2 the
    catalog's failure probability 4 e^{-4} = 0.0732626."""
    thm = get("lem3.6")
    base = {"n": 1e5, "m": 201, "alpha": 10 / 201, "sigma_k": 1.0, "C_k": 45.746}
    for t in (0.5, 1.0, 2.0, 3.0):
        assert rel(thm.assess(**base, t=t).quantities["prob"], 1 - 4 * math.exp(-2 * t), 1e-12)
    assert rel(1 - thm.assess(**base, t=2.0).quantities["prob"], 0.0732626, 1e-6)


def test_lemma_3_6_radius_is_c_eps_sigma_k_over_root_n_times_the_left_side_of_3_66():
    """Lemma 3.6 (L7617-7650): r_k = C_eps (sigma~_k/sqrt n)(alpha + sqrt(t/(m(1 - alpha))) + C_k/sqrt n), with
    (3.66) alpha + sqrt(t/(m(1 - alpha))) + C_k/sqrt n <= 1/2 - eps."""
    n, m, alpha, t, sk, ck = 2e5, 301, 0.03, 1.5, 0.8, 30.0
    s = alpha + math.sqrt(t / (m * (1 - alpha))) + ck / math.sqrt(n)
    thm = get("lem3.6")
    for eps in (None, 0.1):
        p = {"n": n, "m": m, "alpha": alpha, "t": t, "sigma_k": sk, "C_k": ck}
        if eps is not None:
            p["eps"] = eps
        ev = thm.assess(**p)
        e = 0.5 - s if eps is None else eps
        assert rel(ev.quantities["s"], s, 1e-12)
        assert rel(ev.value, c_eps(e) * sk / math.sqrt(n) * s, 1e-10)
    assert thm.check(n=n, m=m, alpha=alpha, t=t, sigma_k=sk, C_k=ck, eps=0.5 - s - 1e-6)["(3.66)"] is True
    assert thm.check(n=n, m=m, alpha=alpha, t=t, sigma_k=sk, C_k=ck, eps=0.5 - s + 1e-6)["(3.66)"] is False


# -- One-dimensional robust estimation: Lemma 3.1, Corollary 3.1, Lemma 3.3, Lemma 3.2 ------------------


@pytest.mark.parametrize("item", ["lem3.1", "cor3.1"])
def test_lemma_3_1_radius_probability_and_exact_radius_follow_3_32_to_3_37(item):
    """Lemma 3.1 / Corollary 3.1 (L5519-5696): r = C_eps (sigma/sqrt n)(alpha + sqrt(t/(m(1 - alpha))) +
    0.4748 gamma/sqrt n) with probability 1 - 4 e^{-2t}; the exact radius (sigma/sqrt n) Phi^{-1}(1/2 + s)
    (catalog item 45) is below it."""
    n, m, alpha, t, sigma, gamma = 100, 201, 10 / 201, 2.0, 1.3, EXP3
    s = alpha + math.sqrt(t / (m * (1 - alpha))) + 0.4748 * gamma / math.sqrt(n)
    ev = get(item).assess(n=n, m=m, alpha=alpha, t=t, sigma=sigma, gamma=gamma)
    assert rel(ev.quantities["s"], s, 1e-12)
    assert rel(ev.value, c_eps(0.5 - s) * sigma / math.sqrt(n) * s, 1e-10)
    assert rel(ev.quantities["r_exact"], sigma / math.sqrt(n) * PHI_INV(0.5 + s), 1e-10)
    assert rel(ev.quantities["prob"], 1 - 4 * math.exp(-4), 1e-12)
    assert ev.quantities["r_exact"] < ev.value
    ev = get(item).assess(n=n, m=m, alpha=alpha, t=t, sigma=sigma, gamma=gamma, eps=0.1)
    assert rel(ev.value, c_eps(0.1) * sigma / math.sqrt(n) * s, 1e-10)
    key = "(3.32): s <= 1/2 - eps"
    assert get(item).check(n=n, m=m, alpha=alpha, t=t, sigma=sigma, gamma=gamma, eps=0.5 - s - 1e-6)[key] is True
    assert get(item).check(n=n, m=m, alpha=alpha, t=t, sigma=sigma, gamma=gamma, eps=0.5 - s + 1e-6)[key] is False
    assert (
        get(item).check(n=n, m=m, alpha=0.45, t=t, sigma=sigma, gamma=gamma, eps=0.01)["(3.32) is satisfiable: s < 1/2"]
        is False
    )


def test_corollary_3_1_needs_an_odd_number_of_machines():
    """L5694-5696: p-hat(med) = 1/2 exactly only for odd m (errata err3.10)."""
    key = next(h.text for h in get("cor3.1").hypotheses if h.text.startswith("m is odd"))
    base = {"n": 100, "alpha": 0.05, "t": 1.0, "sigma": 1.0, "gamma": 1.0}
    assert get("cor3.1").check(m=201, **base)[key] is True
    assert get("cor3.1").check(m=200, **base)[key] is False
    assert get("cor3.1").check(m=202, **base)[key] is False


def test_lemma_3_3_tail_bounds_and_the_deterministic_trimmed_mean_bound():
    """Lemma 3.3 (L6828-6870): (i) 2 exp(-(1 - alpha) m n min(t/(2v), t^2/(2v^2))), (ii) 2(1 - alpha) m
    exp(-n min(s/(2v), s^2/(2v^2))), (iii) (t + 3 beta s)/(1 - 2 beta); catalog item 57's tighter form
    (t(1 - alpha) + (2 beta + alpha) s)/(1 - 2 beta)."""
    n, m, alpha, beta, v = 2, 3, 1 / 3, 0.4, 1.2  # small n m: the tails stay far from underflow
    for t, s in ((0.5, 3.0), (3.0, 0.5)):  # each branch of both minima
        ev = get("lem3.3").assess(n=n, m=m, alpha=alpha, beta=beta, v=v, t=t, s=s)
        fm = 2 * math.exp(-(1 - alpha) * m * n * min(t / (2 * v), t**2 / (2 * v**2)))
        fx = 2 * (1 - alpha) * m * math.exp(-n * min(s / (2 * v), s**2 / (2 * v**2)))
        assert rel(ev.quantities["fail_mean"], fm, 1e-11) and rel(ev.quantities["fail_max"], fx, 1e-11)
        assert rel(ev.quantities["prob"], 1 - fm - fx, 1e-11)
        assert rel(ev.value, (t + 3 * beta * s) / (1 - 2 * beta))
        assert rel(ev.quantities["tighter"], (t * (1 - alpha) + (2 * beta + alpha) * s) / (1 - 2 * beta))


def test_lemma_3_2_excess_risk_and_iteration_count():
    """Lemma 3.2 (L6442-6587): some t <= T = L_F r0/Delta has F(w^t) - F* <= 16 r0 Delta; after the first hit
    the proof adds Delta^2/(2 L_F) (L6550-6587)."""
    ev = get("lem3.2").assess(L_F=2.0, r0=0.7, Delta=0.05)
    assert rel(ev.value, 16 * 0.7 * 0.05)
    assert rel(ev.quantities["T"], 2.0 * 0.7 / 0.05)
    assert rel(ev.quantities["after_first_hit"], 16 * 0.7 * 0.05 + 0.05**2 / 4.0)


# -- Imported tools and the lower bound -------------------------------------------------------------


def test_bounded_difference_and_bernstein_inequalities_as_printed():
    """Theorem 3.10 (L6085-6120): exp(-2 t^2/sum c_j^2); Theorem 3.12 (L7081-7096): 2 exp(-n min(t/(2v),
    t^2/(2v^2)))."""
    assert rel(get("thm3.10").evaluate(t=0.3, c_sq_sum=0.05), math.exp(-2 * 0.09 / 0.05))
    for t in (0.2, 5.0):
        assert rel(get("thm3.12").evaluate(n=30, t=t, v=1.5), 2 * math.exp(-30 * min(t / 3.0, t**2 / 4.5)))


def test_berry_esseen_constant_is_0_4748():
    """Theorem 3.9 (L6056-6083): sup |P - Phi| <= 0.4748 E|Y - mu|^3/(sigma^3 sqrt n)."""
    assert rel(get("thm3.9").evaluate(n=400, gamma=2.0), 0.4748 * 2.0 / 20.0)


def test_observation_3_1_rate_and_both_separations():
    """Observation 3.1 (L4673-4697, L8120-8128): rate c sigma (alpha/sqrt n + sqrt(d/(nm))); the text's separation
    2 alpha sigma/(sqrt(n)(1 - alpha)); the exact one (2 sigma/sqrt n) Phi^{-1}(1/(2(1 - alpha))) (catalog)."""
    ev = get("obs3.1").assess(n=400, m=25, d=4, alpha=0.2, sigma=1.5, c=0.7)
    assert rel(ev.value, 0.7 * 1.5 * (0.2 / 20 + math.sqrt(4 / (400 * 25))))
    assert rel(ev.quantities["separation_text"], 2 * 0.2 * 1.5 / (20 * 0.8))
    assert rel(ev.quantities["separation_exact"], 2 * 1.5 / 20 * PHI_INV(1 / (2 * 0.8)), 1e-10)
    assert rel(get("obs3.1").evaluate(n=100, m=10, d=1, alpha=0.1, sigma=1.0), 0.1 / 10 + math.sqrt(1 / 1000))


# -- Errata of Chapter 3 ---------------------------------------------------------------------------------


def test_erratum_3_1_printed_and_proof_forms_of_theorem_3_2():
    """err3.1 (L4180-4189 vs L6550-6587): printed 16 r0 Delta (1 + Delta/(2 L_F)), proof
    16 r0 Delta + Delta^2/(2 L_F)."""
    p = {**MODEL_R, "L_F": 2.0, "r0": 0.02}
    delta = delta_327(**MODEL_R)
    vals = ERRATA["err3.1"].evaluate(**p)
    assert rel(vals["printed"], 16 * 0.02 * delta * (1 + delta / 4.0), 1e-11)
    assert rel(vals["corrected"], 16 * 0.02 * delta + delta**2 / 4.0, 1e-11)
    dp = delta_prime_full(1000, 1000, 2, 0.05, 2.0, 2.0, math.sqrt(2))
    vals = ERRATA["err3.2"].evaluate(**MODEL_R_TRIMMED, L_F=2.0, r0=0.02)
    assert rel(vals["printed"], 16 * 0.02 * dp * (1 + dp / 4.0), 1e-11)
    assert rel(vals["corrected"], 16 * 0.02 * dp + dp**2 / 4.0, 1e-11)


def test_erratum_3_4_and_3_9_probabilities():
    """err3.4 (L6695-6697): 1 - 2d(m+1)/(1+X)^d vs 1 - 2d(1 + 1/m)/(1+X)^d; err3.9 (L5813-5816): covering a
    set of diameter D needs (1 + 2D/delta)^d balls, probability 1 - 4d(1 + 2X)^d/(1 + X)^(2d)."""
    p = {"n": 2, "m": 3, "d": 2, "alpha": 0.0, "beta": 0.1, "D": 0.5, "L_hat": 1.0, "v": 1.0}
    X = 2 * 3 * 0.5
    vals = ERRATA["err3.4"].evaluate(**p)
    assert rel(1 - vals["printed"], 2 * 2 * 4 / (1 + X) ** 2)
    assert rel(1 - vals["corrected"], 2 * 2 * (1 + 1 / 3) / (1 + X) ** 2)
    q = {"n": 2, "m": 3, "d": 2, "alpha": 0.05, "D": 0.5, "L_hat": 1.0, "V": 1.0, "S": 1.0}
    vals = ERRATA["err3.9"].evaluate(**q)
    assert rel(1 - vals["printed"], 8 / (1 + X) ** 2)
    assert rel(1 - vals["corrected"], 8 * (1 + 2 * X) ** 2 / (1 + X) ** 4)


def test_erratum_3_5_and_3_6_printed_rates():
    """err3.5 (L4066-4086): (3.3) prints log(nm L_hat D) where the proof has log(1 + nm L_hat D); err3.6
    (L3722-3725): O(1/(mn)) should be O(1/sqrt(mn))."""
    p = {
        **MODEL_R,
        "n": 5,
        "m": 3,
        "D": 0.5,
        "L_hat": 1.0,
        "alpha": 0.1,
        "L_F": 1.0,
        "lambda_F": 1.0,
        "T": 1,
        "r0": 0.1,
        "eps": 0.01,
    }
    X = 5 * 3 * 0.5
    ce, V = c_eps(0.01), math.sqrt(3)
    vals = ERRATA["err3.5"].evaluate(**p)
    for key, log_term in (("printed", math.log(X)), ("corrected", math.log(1 + X))):
        expected = ce * V * (0.1 / math.sqrt(5) + math.sqrt(2 * log_term / 15) + S_TIGHT / 5)
        assert rel(vals[key], expected, 1e-11)
    vals = ERRATA["err3.6"].evaluate(n=40, m=10, d=1, alpha=0.0, sigma=1.0)
    assert rel(vals["printed"], 1 / 400) and rel(vals["corrected"], 1 / 20)


def test_skewness_chain_check_reaches_sqrt_480_from_below():
    """err3.3 (L5023-5037): sqrt(32 (W1 + 15 W2 + 15 W3 + 15 sigma^6)/(W1 + 3 W2 + W3 + sigma^6)) <= sqrt(480), the
    supremum approached as sigma -> infinity; the check must pass at sqrt(480) and fail just below it."""
    from boundlab.bounds import _chapter3 as ch3

    assert ch3._check_skewness_chain()[0]
    assert not ch3._check_skewness_chain(limit=math.sqrt(480) * 0.999)[0]


def test_theorem_3_11_probability_evidence_matches_the_catalog():
    """err3.4, catalog section 6: at Model R with n = m = 1000 (X = 4e6, d = 2) Theorem 3.11 prints
    2d(m+1)/(1+X)^d = 2.5e-10, the proof's t and s give 2d(1 + 1/m)/(1+X)^d = 2.5e-13, Theorem 3.4 states 5e-13."""
    from boundlab.bounds import _chapter3 as ch3

    ok, msg = ch3._check_probability_thm311()
    X = 4e6
    assert ok
    assert f"prints {4 * 1001 / (1 + X) ** 2:.3g}," in msg and f"give {4 * 1.001 / (1 + X) ** 2:.3g}," in msg
    assert f"states {8 / (1 + X) ** 2:.3g}:" in msg


def test_even_median_evidence_is_a_counterexample_by_its_own_data():
    """err3.10 (L5694-5696): the reported values have p-hat(mu + r) >= 1/2 and p-hat(mu - r) <= 1/2 (mu = 0), yet
    their averaged median is farther than r from mu; every reported number is recomputed from the data."""
    import re

    from boundlab.bounds import _chapter3 as ch3

    ok, msg = ch3._check_even_median()
    assert ok
    values = np.array([float(x) for x in re.search(r"values \[([^\]]*)\]", msg).group(1).split(",")])
    r = float(re.search(r"> r = ([0-9.]+)", msg).group(1))
    plus, minus, med = np.mean(values <= r), np.mean(values <= -r), float(np.median(values))
    assert len(values) % 2 == 0 and plus >= 0.5 and minus <= 0.5 and abs(med) > r
    assert f"p-hat(mu + r) = {plus}" in msg and f"p-hat(mu - r) = {minus}" in msg
    assert f"averaged median {med}" in msg and f"is {abs(med):.3g} >" in msg


def test_skewness_chain_reports_sqrt_480_to_four_digits():
    """err3.3: as sigma -> infinity the fraction tends to 15, so the sampled maximum is sqrt(32 * 15) = 21.9089."""
    from boundlab.bounds import _chapter3 as ch3

    assert f"at most {math.sqrt(480):.4f}" in ch3._check_skewness_chain()[1]


def test_model_g_nu3_off_the_origin_is_the_rotated_three_variable_expectation():
    """Catalog section 5.3: with w* rotated onto e_1 (c = ||w*||), ||(x'w* + xi)x - w*||^2 = y^2 r - 2 c x_1 y + c^2
    with y = c x_1 + xi, r = ||x||^2 = x_1^2 + rho, rho ~ chi^2_{d-1}; integrated here over rho = u^2 by Simpson's rule
    (d = 3: density u exp(-u^2/2) in u) and over x_1, xi by Gauss-Hermite."""
    from scipy import integrate

    from boundlab.bounds._models import model_g_nu3

    g, w = np.polynomial.hermite_e.hermegauss(50)
    w = w / w.sum()
    u = np.linspace(0.0, 12.0, 1201)
    for c, sigma in ((0.5, 1.0), (2.0, 0.6)):
        x1 = g[:, None, None]
        xi = sigma * g[None, :, None]
        rho = (u**2)[None, None, :]
        r = x1**2 + rho
        y = c * x1 + xi
        f = (r**2 - 2 * r + 3 + y**2 * r - 2 * c * x1 * y + c**2) ** 1.5
        inner = np.einsum("i,j,ijk->k", w, w, f) * u * np.exp(-(u**2) / 2)
        third = integrate.simpson(inner, x=u)
        assert rel(model_g_nu3(3, sigma, c), third ** (1 / 3), 1e-7)


def test_model_g_nu3_in_one_dimension_is_the_two_variable_expectation():
    """d = 1 (no chi^2 part): ((x^2 - 1)^2 + (x'w* + xi)^2 x^2 - 2 c x y + c^2)^(3/2); the integrand has kinks at
    x = +-1 when xi = 0, so Gauss-Hermite quadrature agrees only to about 1e-5 here."""
    from scipy import integrate

    from boundlab.bounds._models import model_g_nu3

    g, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    x = np.linspace(-12, 12, 24001)
    phi = np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
    for c, sigma in ((0.0, 0.7), (1.5, 1.0)):
        y = c * x[:, None] + sigma * g[None, :]
        f = ((x[:, None] ** 2 - 1) ** 2 + y**2 * x[:, None] ** 2 - 2 * c * x[:, None] * y + c**2) ** 1.5
        third = integrate.simpson(f @ w * phi, x=x)
        assert rel(model_g_nu3(1, sigma, c), third ** (1 / 3), 1e-4)


def test_quadratic_model_constants_defaults_and_model_e():
    """Model G defaults to the catalog's d = 2, sigma = 1, w* = 0; Model E (catalog section 5.3): lambda_F = 1,
    ||p_F|| = 1, sigma~ = sigma~_k = 1, nu2 = 1, varsigma = nu3 = (12/e - 2)^(1/3)."""
    assert quadratic_model_constants("G") == quadratic_model_constants("G", d=2, sigma=1.0, w_star_norm=0.0)
    e = quadratic_model_constants("E")
    assert (e["lambda_F"], e["pF_norm"], e["sigma_k"], e["sigma_tilde"], e["nu2"]) == (1.0, 1.0, 1.0, 1.0, 1.0)


def test_solving_condition_3_2_for_n_reports_the_smallest_n_and_its_inputs():
    """The S-term of (3.2) alone, 0.4748 S/sqrt(n) <= 1/2 with S = 480 (Proposition 3.1 as printed), needs
    n >= (0.4748 * 480/0.5)^2 = 207760.9 (catalog section 6): the solution records the bound at that n."""
    sol = get("thm3.9").solve_for("n", 0.5, gamma=480)
    assert sol.value == math.ceil((0.4748 * 480 / 0.5) ** 2) and sol.which == "smallest"
    assert sol.params == {"n": sol.value, "gamma": 480.0}
    assert rel(sol.quantity_value, 0.4748 * 480 / math.sqrt(sol.value)) and sol.target == 0.5


def test_solving_the_bounded_difference_inequality_far_out_in_its_domain():
    """Theorem 3.10 (L6085-6120): exp(-2t^2/sum c_j^2) <= p exactly when sum c_j^2 <= 2t^2/log(1/p); at t = 6e6,
    p = 0.9 that is 6.8e14, inside the search range of an unbounded parameter."""
    sol = get("thm3.10").solve_for("c_sq_sum", 0.9, t=6e6)
    assert sol.which == "largest" and rel(sol.value, 2 * 36e12 / math.log(1 / 0.9), 1e-9)
