"""Chapter 3: the catalog's golden values (chapter3.md section 6) to 1e-9 relative where exact."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import sympy as sp

from boundlab.bounds import get, quadratic_model_constants

S_TIGHT = 2 * math.sqrt(2 / math.pi)
E = math.e

C_EPS = [
    (0.01, 37.520436),
    (0.05, 9.695969),
    (0.1, 5.698060),
    (1 / 6, 4.002386),
    (0.2, 3.571914),
    (0.25, 3.146865),
    (0.3, 2.876104),
    (0.4, 2.588377),
    (0.45, 2.526497),
    (0.49, 2.507416),
]


def close(a: float, b: float, digits: int | None = None) -> bool:
    """Agree with a golden value to half a unit in its last printed digit.

    ``digits`` (significant digits) defaults to the digits of the golden value as written.
    """
    if digits is None:
        mant = repr(float(b)).split("e")[0].replace("-", "").replace(".", "").lstrip("0")
        digits = max(len(mant), 1)
    return abs(a - b) <= 0.5 * 10 ** (math.floor(math.log10(abs(b))) - digits + 1) * (1 + 1e-9)


@pytest.mark.parametrize("eps,golden", C_EPS)
def test_c_eps_matches_the_catalog_table(eps, golden):
    assert close(get("eq3.4").evaluate(eps=eps), golden, 7)


def test_c_eps_is_exact_to_1e9_against_an_independent_formula():
    eps = np.array([0.01, 1 / 6, 0.3, 0.49])
    ref = np.sqrt(2 * np.pi) * np.exp(scipy.stats.norm.ppf(1 - eps) ** 2 / 2)
    assert np.allclose(get("eq3.4").evaluate(eps=eps), ref, rtol=1e-12)


def test_c_eps_tends_to_sqrt_two_pi():
    assert math.isclose(get("eq3.4").evaluate(eps=0.5 - 1e-12), math.sqrt(2 * math.pi), rel_tol=1e-9)


MODEL_R = [  # n, m, alpha, lhs, eps*, C_eps*, Delta, 1 - P
    (1000, 1000, 0.05, 0.2528557, 0.2471443, 3.1661846, 0.0620161, 5.0e-13),
    (1000, 1000, 0.0, 0.1983260, 0.3016740, 2.8688935, 0.0440755, 5.0e-13),
    (10000, 1000, 0.1, 0.3048041, 0.1951959, 3.6248003, 0.0270636, 5.0e-15),
    (1000, 2000, 0.05, 0.2033101, 0.2966899, 2.8906661, 0.0455246, 1.25e-13),
]


@pytest.mark.parametrize("n,m,alpha,lhs,eps,c,delta,fail", MODEL_R)
def test_median_delta_matches_model_r_golden_rows(n, m, alpha, lhs, eps, c, delta, fail):
    ev = get("thm3.8").assess(n=n, m=m, d=2, alpha=alpha, D=2, L_hat=2, V=math.sqrt(3), S=S_TIGHT)
    q = ev.quantities
    assert close(q["lhs_3_2"], lhs)
    assert close(ev.params["eps"], eps)
    assert close(q["C_eps"], c)
    assert close(ev.value, delta)
    assert close(1 - q["prob"], fail, 2)


def test_median_delta_is_the_explicit_formula_of_3_27_to_1e9():
    n, m, d, alpha, D, L, V, S = 1000, 1000, 2, 0.05, 2.0, 2.0, math.sqrt(3), S_TIGHT
    X = n * m * L * D
    lhs = alpha + math.sqrt(d * math.log1p(X) / (m * (1 - alpha))) + 0.4748 * S / math.sqrt(n)
    c = math.sqrt(2 * math.pi) * math.exp(scipy.stats.norm.ppf(1 - (0.5 - lhs)) ** 2 / 2)
    ref = math.sqrt(2) * c / math.sqrt(n) * V * lhs + 2 * math.sqrt(2) / (n * m)
    got = get("thm3.8").evaluate(n=n, m=m, d=d, alpha=alpha, D=D, L_hat=L, V=V, S=S)
    assert math.isclose(got, ref, rel_tol=1e-9)


@pytest.mark.parametrize(
    "n,m,q,lhs,eps,c,delta,fail",
    [
        (100, 201, 10, 0.3999914, 0.1000086, 5.6977004, 0.3224444, 9.95e-5),
        (1000, 2001, 100, 0.1756543, 0.3243457, 2.7807355, 0.0218455, 1.0e-6),
    ],
)
def test_median_delta_matches_model_e_golden_rows(n, m, q, lhs, eps, c, delta, fail):
    ev = get("thm3.8").assess(n=n, m=m, d=1, alpha=q / m, D=2, L_hat=1, V=1, S=12 / E - 2)
    assert close(ev.quantities["lhs_3_2"], lhs)
    assert close(ev.quantities["C_eps"], c)
    assert close(ev.value, delta)
    assert close(1 - ev.quantities["prob"], fail, 3)


def test_median_delta_matches_the_model_an_golden_value():
    ev = get("thm3.8").assess(n=1000, m=1001, d=2, alpha=50 / 1001, D=6, L_hat=math.sqrt(2), V=math.sqrt(2), S=S_TIGHT)
    assert close(ev.quantities["lhs_3_2"], 0.2570867)
    assert close(ev.quantities["C_eps"], 3.1957334)
    assert close(ev.value, 0.0519642)


TRIMMED_R = [  # n, m, beta, paper, full, t, s
    (1000, 1000, 0.05, 0.2364104, 0.2311309, 0.0220558, 0.5463432),
    (1000, 1000, 0.1, 0.4708405, 0.4649015, 0.0220558, 0.5463432),
    (100, 1000, 0.05, 0.6999405, 0.7595226, None, None),
    (10, 100, 0.1, 4.544043, 10.284318, None, None),
]


@pytest.mark.parametrize("n,m,beta,paper,full,t,s", TRIMMED_R)
def test_trimmed_delta_prime_matches_model_r_golden_rows(n, m, beta, paper, full, t, s):
    ev = get("thm3.11").assess(n=n, m=m, d=2, alpha=0.0, beta=beta, D=2, L_hat=2, v=math.sqrt(2))
    assert close(ev.value, full)
    assert close(ev.quantities["Delta_prime_paper"], paper)
    if t is not None:
        assert close(ev.quantities["t_dev"], t)
        assert close(ev.quantities["s_dev"], s)


def test_trimmed_probabilities_match_the_catalog():
    q = get("thm3.11").assess(n=1000, m=1000, d=2, alpha=0.05, beta=0.05, D=2, L_hat=2, v=math.sqrt(2)).quantities
    assert close(1 - q["prob_thm3_11"], 2.5e-10, 2)
    assert close(1 - q["prob"], 5.0e-13, 2)


@pytest.mark.parametrize(
    "n,m,k,paper,full,a,b",
    [
        (100, 201, 10, 0.4678724, 0.4336462, 0.0042196, 0.6361981),
        (1000, 2001, 100, 0.1292244, 0.1250965, None, None),
    ],
)
def test_trimmed_delta_prime_matches_model_e_golden_rows(n, m, k, paper, full, a, b):
    ev = get("thm3.11").assess(n=n, m=m, d=1, alpha=0.0, beta=k / m, D=2, L_hat=1, v=1.5)
    assert close(ev.value, full)
    assert close(ev.quantities["Delta_prime_paper"], paper)
    if a is not None:
        assert close(ev.quantities["a"], a)
        assert close(ev.quantities["b"], b)


def test_lemma_3_1_matches_the_model_e_golden_configuration():
    ev = get("lem3.1").assess(n=100, m=201, alpha=10 / 201, t=2, sigma=1, gamma=12 / E - 2)
    assert close(ev.quantities["s"], 0.2667231)
    assert close(ev.params["eps"], 0.2332769)
    assert close(ev.quantities["C_eps"], 3.2674234)
    assert close(ev.value, 0.0871497)
    assert close(1 - ev.quantities["prob"], 0.0732626)
    assert close(ev.quantities["r_exact"], 0.0728, 3)
    assert ev.quantities["r_exact"] <= ev.value


@pytest.mark.parametrize("n,golden", [(1e3, 51.17), (1e4, 47.57), (1e5, 45.75), (1e6, 44.69)])
def test_c_tilde_for_model_g_at_the_origin_matches_the_catalog(n, golden):
    assert close(quadratic_model_constants("G", n=n, d=2, sigma=1.0)["C_tilde"], golden)


@pytest.mark.parametrize("n,golden", [(1e3, 191.63), (1e4, 177.31), (1e5, 169.76), (1e6, 165.36)])
def test_c_tilde_for_model_g_off_the_origin_matches_the_catalog(n, golden):
    assert close(quadratic_model_constants("G", n=n, d=2, sigma=1.0, w_star_norm=1.0)["C_tilde"], golden)


def test_model_g_nu3_matches_the_catalog_quadrature():
    assert close(quadratic_model_constants("G", d=2)["nu3"], 3.530493)
    assert close(quadratic_model_constants("G", d=2, w_star_norm=1.0)["nu3"], 4.243979)


def test_model_g_nu3_agrees_with_monte_carlo():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400_000, 2))
    xi = rng.standard_normal(400_000)
    w = np.array([1.0, 0.0])
    r = np.sum(x**2, axis=1)
    frob = r**2 - 2 * r + 2
    v = (x @ w + xi)[:, None] * x - w
    sample = (frob + np.sum(v**2, axis=1)) ** 1.5
    mc, se = sample.mean(), sample.std() / np.sqrt(sample.size)
    exact = quadratic_model_constants("G", d=2, w_star_norm=1.0)["nu3"] ** 3
    assert abs(mc - exact) < 5 * se


def test_c_tilde_decreases_in_n():
    ns = np.unique(np.round(np.geomspace(10, 1e7, 12)))
    cs = [quadratic_model_constants("G", n=n, d=3, sigma=0.5)["C_tilde"] for n in ns]
    assert np.all(np.diff(cs) < 0)


def test_theorem_3_7_matches_the_feasible_configuration():
    c = quadratic_model_constants("G", n=1e5, d=2, sigma=1.0)
    assert close(c["C_tilde"], 45.746)
    ev = get("thm3.7").assess(n=1e5, m=201, d=2, alpha=10 / 201, sigma_tilde=c["sigma_tilde"], C_tilde=c["C_tilde"])
    assert close(ev.quantities["lhs_one_round"], 0.4085077)
    assert close(ev.params["eps"], 0.0914923)
    assert close(ev.quantities["C_eps"], 6.0832953)
    assert close(ev.value, 0.0111136)
    assert close(1 - ev.quantities["prob"], 1.99e-7, 3)


@pytest.mark.parametrize("alpha,n,exact,text", [(0.1, 100, 0.0279421, 0.0222222), (0.05, 1000, 0.0041750, 0.0033287)])
def test_observation_3_1_separations_match_the_catalog(alpha, n, exact, text):
    q = get("obs3.1").assess(n=n, m=10, d=1, alpha=alpha, sigma=1).quantities
    assert close(q["separation_exact"], exact)
    assert close(q["separation_text"], text)
    assert q["separation_exact"] >= q["separation_text"]


@pytest.mark.parametrize(
    "p,n,bound",
    [(0.5, 10, 0.150145), (0.5, 100, 0.047480), (0.5, 1000, 0.015014), (0.1, 100, 0.129779), (0.01, 1000, 0.147913)],
)
def test_berry_esseen_bound_matches_the_bernoulli_table_and_dominates_the_exact_distance(p, n, bound):
    gamma = (p**2 + (1 - p) ** 2) / math.sqrt(p * (1 - p))
    be = get("thm3.9").evaluate(n=n, gamma=gamma)
    assert close(be, bound)
    k = np.arange(n + 1)
    z = (k - n * p) / math.sqrt(n * p * (1 - p))
    cdf = scipy.stats.binom.cdf(k, n, p)
    left = np.concatenate([[0.0], cdf[:-1]])
    sup = max(np.max(np.abs(cdf - scipy.stats.norm.cdf(z))), np.max(np.abs(left - scipy.stats.norm.cdf(z))))
    assert sup <= be


def test_skewness_constants_match_the_catalog():
    q1 = get("prop3.1").assess(d=2, sigma=1, r=1).quantities
    q3 = get("prop3.3").assess(d=2, sigma=1, r=1).quantities
    assert close(q1["skewness_bound_proof"], 21.908902)
    assert close(q1["skewness_tight"], 1.5957691)
    assert close(q3["skewness_bound_proof"], 428.32815)
    assert close(q3["skewness_at_w_star"], 2.5464791)


def test_prop_3_1_variance_is_the_exact_formula():
    assert get("prop3.1").evaluate(d=5, sigma=0.5, r=2.0) == pytest.approx(4 * 4 + 5 * 0.25, rel=1e-15)
    assert get("prop3.3").evaluate(d=5, sigma=0.5, r=2.0) == pytest.approx(6 * 4 + 5 * 0.25, rel=1e-15)


def test_theorem_3_1_value_is_the_contraction_plus_the_ball():
    ev = get("thm3.1").assess(
        n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=math.sqrt(3), S=S_TIGHT, L_F=4, lambda_F=1, T=7, r0=1.5
    )
    delta = ev.quantities["Delta"]
    assert math.isclose(ev.value, (1 - 1 / 5) ** 7 * 1.5 + 2 * delta, rel_tol=1e-12)
    assert ev.quantities["bound_unrolled"] <= ev.value
    assert math.isclose(ev.quantities["T_needed"], math.ceil(5 * math.log(1.5 / (2 * delta))), rel_tol=0)


def test_theorem_3_2_uses_the_proof_bound_and_keeps_the_printed_one_as_a_variant():
    thm = get("thm3.2")
    params = dict(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=math.sqrt(3), S=S_TIGHT, L_F=2.0, r0=0.3)
    delta = get("thm3.8").evaluate(**{k: v for k, v in params.items() if k not in ("L_F", "r0")})
    assert math.isclose(thm.evaluate(**params), 16 * 0.3 * delta + delta**2 / 4, rel_tol=1e-12)
    assert math.isclose(thm.evaluate(variant="printed", **params), 16 * 0.3 * delta * (1 + delta / 4), rel_tol=1e-12)


def test_theorem_3_3_iteration_count_and_ball_radius_follow_the_text():
    thm = get("thm3.3")
    q = thm.assess(**thm.example_params()).quantities
    delta = q["Delta"]
    assert math.isclose(q["T"], 2 * 1.0 * 0.001 / delta**2, rel_tol=1e-12)
    assert math.isclose(q["radius_asm3_5"], 2 / delta**2 * (1.0 + delta) * 0.001, rel_tol=1e-12)


def test_lemma_3_3_bound_and_tail_probabilities_follow_the_text():
    q = get("lem3.3").assess(n=50, m=21, alpha=2 / 21, beta=3 / 21, v=1.5, t=0.2, s=0.7)
    beta = 3 / 21
    assert math.isclose(q.value, (0.2 + 3 * beta * 0.7) / (1 - 2 * beta), rel_tol=1e-13)
    assert math.isclose(
        q.quantities["fail_mean"], 2 * math.exp(-(19 / 21) * 21 * 50 * min(0.2 / 3, 0.04 / 4.5)), rel_tol=1e-12
    )
    assert q.quantities["tighter"] <= q.value


def test_lemma_3_4_constants_are_theta_and_m_theta_of_the_text():
    q = get("lem3.4").assess(lambda_F=2.0, pF_norm=3.0, U_sq=0.3, v_sq=0.2)
    assert math.isclose(q.quantities["theta"], 1.0)
    assert math.isclose(q.quantities["M_theta"], (4 + 12) / 8)
    assert math.isclose(q.value, (2 + 6) / 8 * 0.5)


def test_table_3_1_is_generated_from_the_registry_and_matches_the_printed_rates():
    tab = get("tab3.1")
    rows = tab.rows()
    assert rows["median GD"]["rate"] == "alpha/sqrt(n) + 1/sqrt(nm) + 1/n"
    assert rows["trimmed mean GD"]["rate"] == "alpha/sqrt(n) + 1/sqrt(nm)"
    assert rows["median GD"]["rate"].replace(" ", "") == tab.printed["median GD"]["rate"].replace(" ", "")


def test_exponents_are_symbolic_power_laws():
    half = sp.Rational(1, 2)
    assert get("thm3.8").exponents() == {"alpha": 0, "n": -half, "m": 0, "d": half}
    terms = get("thm3.8").rate_terms(variables=("alpha", "n", "m"), drop_dominated=False)
    assert sorted(tuple(t.exponents.values()) for t in terms) == sorted(
        [(1, -half, 0), (0, -half, -half), (0, -1, 0), (0, -1, -1)]
    )


def test_the_s_480_threshold_of_condition_3_2_is_reproduced():
    # the S-term alone needs n >= (0.4748 * 480 / 0.5)^2 = 207,760.9
    sol = get("thm3.9").solve_for("n", 0.5, gamma=480)
    assert sol.value == 207761 and sol.which == "smallest"
    assert 0.4748 * 480 / math.sqrt(207760) > 0.5 >= 0.4748 * 480 / math.sqrt(207761)


@pytest.mark.parametrize(("n", "m", "q"), [(75, 2_000_001, 1000), (301, 2_000_001, 10), (100, 201, 10), (7, 999, 3)])
def test_the_tightest_default_eps_never_violates_the_condition_it_is_defined_from(n, m, q):
    """eps omitted means eps = 1/2 - s; then s <= 1/2 - eps is an equality that rounding must not break."""
    ev = get("cor3.1").assess(n=n, m=m, alpha=q / m, t=2.0, sigma=0.5, gamma=1.0)
    assert not ev.violated
    bad = get("cor3.1").assess(
        n=n, m=m, alpha=q / m, t=2.0, sigma=0.5, gamma=1.0, eps=float(0.5 - ev.quantities["s"]) * (1 + 1e-9)
    )
    assert [c["text"] for c in bad.violated] == ["(3.32): s <= 1/2 - eps"]
