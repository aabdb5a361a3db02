"""Chapter 4's explicit constants, each checked against the dissertation's printed formula.

Expected values are computed in plain Python from the formulas printed in the dissertation (line
numbers in the docstrings, ``../shared/theory/dissertation.txt``) and from the catalog
(``chapter4.md`` sections 4-5), never copied from boundlab's output. ``log94`` is the base-9/4
logarithm of the proofs.
"""

from __future__ import annotations

import math

import pytest

from boundlab.bounds import ERRATA, BadInput, get
from boundlab.bounds import _chapter4 as ch4

LN94 = math.log(9 / 4)


def rel(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=0.0)


def log94(x: float) -> float:
    return math.log(x) / LN94


def thm43(L, rho, d, D, delta, F):
    """Theorem 4.3's parameters (L8675-8690) and the derivation (4.12)-(4.27) (catalog section 5.1)."""
    Phi = math.sqrt(rho) + L
    S = D**0.4 * d**0.2 + D**0.6 * d**0.3
    P = D**1.2 * d**0.6 + D**1.4 * d**0.7
    r, R, mu = 4 * D**0.6 * d**0.3 / math.sqrt(rho), D**0.4 * d**0.2 / math.sqrt(rho), D**0.6 * d**-0.2 / math.sqrt(rho)
    n_esc = rho * F / (48 * L * P)
    Q = 2 * math.log(n_esc / delta)
    T = L / (384 * Phi * S)
    arg = 2 * d**0.4 * D**-0.2 + 8 * math.sqrt(d)
    return {
        "Phi": Phi,
        "S_Delta": S,
        "P_Delta": P,
        "eta": 1 / L,
        "eps": 3 * D,
        "r": r,
        "R": R,
        "mu": mu,
        "n_escapes_max": n_esc,
        "Q": Q,
        "Q_int": max(1, math.ceil(Q)),
        "T_th": T,
        "T_th_int": max(1, math.floor(T)),
        "gamma": 768 * Phi * S * log94(arg),
        "gamma_950": 950 * Phi * S * math.log(arg),
        "eps_g": 4 * D,
        "eps_H": 1900 * Phi * D**0.4 * d**0.2 * math.log(10 / D),
        "iterations": 2 * F * L / (3 * D**2) * Q,
        "escape_decrease": 48 * (1 / math.sqrt(rho) + L / rho) * P,
        "step_decrease": 3 * D**2 / (2 * L),
        "ball_radius": (4 / 3 + 2 * math.sqrt(2 / 3 * (7 / 6 + math.sqrt(rho) / (3 * L))) + math.sqrt(rho) / (12 * L))
        * F
        / D,
        "prob": 1 - delta,
    }


THM43_POINTS = [
    {"L_F": 1.0, "rho_F": 1.0, "d": 10, "Delta": 1e-14, "delta": 0.05, "F_gap": 2.0},
    {"L_F": 2.5, "rho_F": 0.3, "d": 3, "Delta": 1e-11, "delta": 0.2, "F_gap": 0.7},
    {"L_F": 0.4, "rho_F": 6.0, "d": 200, "Delta": 1e-13, "delta": 0.01, "F_gap": 30.0},
]


@pytest.mark.parametrize("p", THM43_POINTS)
def test_theorem_4_3_every_parameter_is_the_printed_or_derived_formula(p):
    """Theorem 4.3 (L8669-8801) and (4.12)-(4.27) (L9606-9893)."""
    ev = get("thm4.3").assess(**p)
    q = {**ev.quantities, "eps_H": ev.value}
    expected = thm43(p["L_F"], p["rho_F"], p["d"], p["Delta"], p["delta"], p["F_gap"])
    for k, v in expected.items():
        assert rel(q[k], v, 1e-11), (k, q[k], v)
    it_int = 2 * p["F_gap"] * p["L_F"] / (3 * p["Delta"] ** 2) * expected["Q_int"] + expected["Q_int"] * (
        expected["T_th_int"] + 1
    )
    assert rel(q["iterations_int"], it_int, 1e-11)


def test_theorem_4_3_integers_round_up_q_and_down_t_th_with_floor_one():
    """Footnote 4 (L9516) assumes integers; ByzantinePGD uses max(1, ceil(Q)) rounds and max(1, floor(T_th)) steps."""
    q = get("thm4.3").assess(L_F=2.0, rho_F=0.5, d=4, Delta=1e-3, delta=0.1, F_gap=1.0).quantities
    assert q["T_th"] < 1 and q["T_th_int"] == 1
    assert q["Q_int"] == math.ceil(q["Q"]) and q["Q_int"] >= q["Q"]
    q = get("thm4.3").assess(**THM43_POINTS[0]).quantities
    assert q["T_th_int"] == math.floor(q["T_th"]) > 1


def test_theorem_4_3_regime_hypotheses_are_t_th_at_least_one_q_at_least_one_and_eps_h_below_l_f():
    """L8675-8690, L9516, (4.24): T_th >= 1 and Q >= 1; L8790-8797: the bound says something iff eps_H < L_F."""
    thm = get("thm4.3")
    good = thm.check(**THM43_POINTS[0])
    assert all(v is True for k, v in good.items() if k.startswith("regime"))
    bad = thm.check(L_F=2.0, rho_F=0.5, d=4, Delta=1e-3, delta=0.1, F_gap=1.0)
    assert bad[ch4.T_TH_GE_1.text] is False and bad[ch4.NONVACUOUS_43.text] is False
    # Q = 2 log(n_escapes_max/delta) < 1 when the escape budget is tiny
    tiny = thm.check(L_F=1.0, rho_F=1.0, d=1, Delta=1e-14, delta=0.9, F_gap=1e-15)
    assert tiny[ch4.Q_GE_1.text] is False
    assert thm.check(L_F=1.0, rho_F=1.0, d=1, Delta=1e-14, delta=0.1, F_gap=1.0)[ch4.Q_GE_1.text] is True


def test_theorem_4_4_parameters_and_both_curvature_bounds():
    """Theorem 4.4 (L8846-8882) and its proof (L10252-10400, catalog section 5.2): r = eps, R = sqrt(eps/rho_F),
    T_th = L_F/(12 rho_F (R + r)), mu = delta eps^(5/2)/(2 sqrt(rho_F d) F_gap), gamma = 24 rho_F (R + r)
    log94(2(R + r)/mu), eps_H = 60 sqrt(rho_F eps) log(8 [rho_F] sqrt(d) F_gap/(delta eps^2))."""
    L, rho, d, eps, delta, F = 4.0, 0.5, 3, 1e-3, 0.05, 2.0
    ev = get("thm4.4").assess(L_F=L, rho_F=rho, d=d, eps=eps, delta=delta, F_gap=F)
    q = {**ev.quantities, "eps_H": ev.value}
    R, r = math.sqrt(eps / rho), eps
    mu = delta * eps**2.5 / (2 * math.sqrt(rho * d) * F)
    T = L / (12 * rho * (R + r))
    expected = {
        "eta": 1 / L,
        "Q": 1.0,
        "r": r,
        "R": R,
        "T_th": T,
        "T_th_int": max(1, math.floor(T)),
        "mu": mu,
        "gamma": 24 * rho * (R + r) * log94(2 * (R + r) / mu),
        "eps_g": eps,
        "eps_H_printed": 60 * math.sqrt(rho * eps) * math.log(8 * rho * math.sqrt(d) * F / (delta * eps**2)),
        "eps_H": 60 * math.sqrt(rho * eps) * math.log(8 * math.sqrt(d) * F / (delta * eps**2)),
        "iterations": 2 * L * F / eps**2,
        "n_escapes_max": math.sqrt(rho) * F / eps**1.5,
        "escape_decrease": rho * R**3,
        "prob": 1 - delta,
    }
    for k, v in expected.items():
        assert rel(q[k], v, 1e-11), (k, q[k], v)
    assert rel(q["n_escapes_max"], F / (rho * R**3), 1e-11)  # (F_0 - F*)/(rho_F R^3), L10330-10360


def test_theorem_4_4_hypotheses_are_the_ranges_of_eps_and_the_lemma_4_2_conditions():
    """L8848-8850: 0 < eps < min(1/rho_F, 4/(L_F^2 rho_F)); (4.51) R >= mu; Lemma 4.2 needs mu < r."""
    thm = get("thm4.4")
    base = {"L_F": 1.0, "rho_F": 1.0, "d": 1, "delta": 0.1, "F_gap": 2.0}
    assert thm.check(**{**base, "rho_F": 1.9}, eps=0.5)["eps < 1/rho_F"] is True
    assert thm.check(**{**base, "rho_F": 2.1}, eps=0.5)["eps < 1/rho_F"] is False
    assert thm.check(**{**base, "L_F": 2.0}, eps=0.99)["eps < 4/(L_F^2 rho_F)"] is True
    assert thm.check(**{**base, "L_F": 2.1}, eps=0.99)["eps < 4/(L_F^2 rho_F)"] is False
    assert thm.check(**base, eps=1e-8)["(4.51): R >= mu"] is True
    assert thm.check(**base, eps=1e-8)["mu < r (Lemma 4.2 needs mu in (0, r))"] is True


def test_informal_rates_of_theorems_4_1_4_2_4_6_and_observations_4_1_4_2():
    """Theorem 4.1 (L8269-8290): (Delta, Delta^(2/5)) within 1/Delta^2 with the converse Delta/2, sqrt(Delta)/2;
    Observation 4.1 (L8806-8822): (4 Delta, c Delta^(2/5) log(10/Delta)) within c log(1/Delta)/Delta^2; Table 4.3
    (L9067-9107) and Observation 4.2 (L9115-9137)."""
    D, c = 1e-4, 3.0
    q = get("thm4.1").assess(Delta=D, c=c).quantities
    assert rel(q["eps_g"], c * D) and rel(q["iterations"], c / D**2)
    assert rel(get("thm4.1").evaluate(Delta=D, c=c), c * D**0.4)
    assert rel(q["lower_grad"], D / 2) and rel(q["lower_curvature"], math.sqrt(D) / 2)
    o = get("obs4.1").assess(Delta=D, c=c)
    assert rel(o.value, c * D**0.4 * math.log(10 / D)) and rel(o.quantities["eps_g"], 4 * D)
    assert rel(o.quantities["iterations"], c * math.log(1 / D) / D**2)
    n, m, d, a = 900, 16, 25, 0.09
    med = a * math.sqrt(d) / math.sqrt(n) + d / math.sqrt(n * m) + math.sqrt(d) / n
    tm = a * d / math.sqrt(n) + d / math.sqrt(n * m)
    ftr = math.sqrt(a) / math.sqrt(n) + math.sqrt(d) / math.sqrt(n * m)
    low = a / math.sqrt(n) + math.sqrt(d) / math.sqrt(n * m)
    q = get("thm4.2").assess(n=n, m=m, d=d, alpha=a, c=c)
    assert rel(q.value, c * ftr) and rel(q.quantities["rate_med"], c * med)
    assert rel(q.quantities["rate_tm"], c * tm) and rel(q.quantities["rate_lower"], c * low)
    q6 = get("thm4.6").assess(n=n, m=m, d=d, alpha=a, c=c)
    assert rel(q6.value, c * med) and rel(q6.quantities["rate_tm"], c * tm)
    assert rel(get("obs4.2").evaluate(n=n, m=m, d=d, alpha=a, c=c), c * low)
    assert rel(get("lem4.6").evaluate(n=n, m=m, d=d, alpha=a, sigma=2.0, c=c), c * 2.0 * low)


def test_proposition_4_1_sine_class_constants():
    """Proposition 4.1 (L8824-8828, L10401-10426): f_s(w) = Delta^(3/2) sin(w/sqrt(Delta) + s) at s* = pi/4 -
    w~/sqrt(Delta) has |f'| = Delta/sqrt 2 > Delta/2 and f'' = -sqrt(Delta/2) < -sqrt(Delta)/2; |f''| <= sqrt(Delta);
    f''' is bounded by 1; a randomised algorithm fails both with probability >= 1/6 (catalog NOTE)."""
    D = 0.09
    q = get("prop4.1").assess(Delta=D)
    s = math.pi / 4
    assert rel(q.value, abs(D * math.cos(s))) and rel(q.value, D / math.sqrt(2))
    assert rel(q.quantities["grad_threshold"], D / 2)
    assert rel(q.quantities["curvature"], math.sqrt(D) * math.sin(s))
    assert rel(q.quantities["curvature_threshold"], math.sqrt(D) / 2)
    assert rel(q.quantities["smoothness"], math.sqrt(D)) and q.quantities["hessian_lipschitz"] == 1.0
    assert rel(q.quantities["prob_randomized"], 1 / 6)
    assert get("prop4.1").check(Delta=D)["the class is 1-smooth (|f''| <= sqrt(Delta) <= 1)"] is True


def test_proposition_4_3_stuck_probability_and_gap():
    """Proposition 4.3 (L9163-9198): P[stuck] >= min{1, Delta/r}; F2(Delta) - F2(w*) = (1 - Delta^2)^2/4 >= 9/64
    for Delta <= 1/2; part (i): one step with eta = 1/2 on F1 = (w - 1)^2 leaves a gap <= Delta^2/4 (err4.7)."""
    for D, r, p in ((0.1, 0.4, 0.25), (0.3, 0.2, 1.0)):
        q = get("prop4.3").assess(Delta=D, r=r)
        assert rel(q.value, p)
        assert rel(q.quantities["gap_floor"], (1 - D**2) ** 2 / 4)
        assert rel(q.quantities["gap_claimed"], 9 / 64) and rel(q.quantities["gap_part_i"], D**2 / 4)
    assert rel(get("prop4.3").assess(Delta=0.5, r=1.0).quantities["gap_floor"], 9 / 64)
    vals = ERRATA["err4.7"].evaluate(Delta=0.2, r=0.4)
    assert rel(vals["printed"], 0.2) and rel(vals["corrected"], 0.01)


def test_proposition_4_4_and_the_remark_band_and_arc_probabilities():
    """Proposition 4.4 (L9200-9285): the band {|w_2| <= Delta/lam} covers (2/pi)(asin a + a sqrt(1 - a^2)) of the
    disk, a = Delta/(lam r); the Remark (L9286-9305): (2/pi) asin a on the circle; Lemma 4.3 with mu = Delta/lam,
    d = 2 gives 2 sqrt 2 Delta/(lam r)."""
    D, lam, r = 0.003, 1.5, 0.004
    a = D / (lam * r)
    q = get("prop4.4").assess(Delta=D, lam=lam, r=r)
    assert rel(q.quantities["a"], a)
    assert rel(q.value, 2 / math.pi * (math.asin(a) + a * math.sqrt(1 - a**2)))
    assert rel(q.quantities["lemma43_bound"], 2 * math.sqrt(2) * D / (lam * r))
    assert rel(get("rem4.1").evaluate(Delta=D, lam=lam, r=r), 2 / math.pi * math.asin(a))
    assert rel(get("rem4.1").evaluate(Delta=0.05, lam=1.0, r=0.01), 1.0)


def test_descent_lemmas_4_1_and_4_5():
    """Lemma 4.1 (L9313-9368): F(w') <= F(w) - ||grad F||^2/(2 L_F) + Delta^2/(2 L_F); (4.5) (L9369-9385): a step
    with ||g|| > 3 Delta has ||grad F|| >= 2 Delta and decreases F by >= 3 Delta^2/(2 L_F)."""
    assert rel(get("lem4.1").evaluate(L_F=3.0, Delta=0.2), 0.04 / 6)
    q = get("eq4.5").assess(L_F=3.0, Delta=0.2)
    assert rel(q.value, 3 * 0.04 / 6) and rel(q.quantities["grad_lower"], 0.4)
    # (4.5) is Lemma 4.1 with ||grad F|| = 2 Delta: (4 - 1) Delta^2/(2 L_F)
    assert rel(q.value, (0.4**2 - 0.2**2) / (2 * 3.0))


def test_lemma_4_2_escape_time_coupling_and_growth():
    """Lemma 4.2 (L9415-9450): T_th = (2/(eta gamma)) log94(2(R + r)/mu) with eta = 1/L_F; (4.42) 12 eta rho_F
    (R + r) T_th <= 1; growth (1 + eta gamma/2)^T_th >= 2(R + r)/mu (base 9/4: (1 + a/2)^(2/a) >= 9/4)."""
    p = {"L_F": 1.5, "rho_F": 2.0, "Delta": 1e-9, "r": 3e-5, "R": 2e-3, "mu": 1e-5, "gamma": 0.9}
    q = get("lem4.2").assess(**p)
    T = 2 * 1.5 / 0.9 * log94(2 * (2e-3 + 3e-5) / 1e-5)
    assert rel(q.value, T)
    assert rel(q.quantities["coupling_4_42"], 12 * 2.0 * (2e-3 + 3e-5) * T / 1.5)
    assert rel(q.quantities["growth"], (1 + 0.9 / 3.0) ** T)
    assert rel(q.quantities["growth_needed"], 2 * (2e-3 + 3e-5) / 1e-5)
    assert q.quantities["growth"] >= q.quantities["growth_needed"]


def test_lemma_4_2_conditions_4_8_to_4_10_are_decided_from_the_parameters():
    """(4.8) R >= mu, (4.9) rho_F (R + r) mu >= Delta, (4.10) gamma >= 24 rho_F (R + r) log94(2(R + r)/mu), and
    gamma <= L_F (L9427-9445, L10066-10096)."""
    thm = get("lem4.2")
    p = {"L_F": 1.0, "rho_F": 2.0, "Delta": 1e-8, "r": 4e-5, "R": 1.96e-3, "mu": 1e-5, "gamma": 0.5}
    need = 24 * 2.0 * (1.96e-3 + 4e-5) * log94(2 * (1.96e-3 + 4e-5) / 1e-5)
    c = thm.check(**{**p, "gamma": need * 1.001})
    assert c["(4.10) gamma >= 24 rho_F (R + r) log_{9/4}(2(R + r)/mu)"] is True
    c = thm.check(**{**p, "gamma": need * 0.999})
    assert c["(4.10) gamma >= 24 rho_F (R + r) log_{9/4}(2(R + r)/mu)"] is False
    need9 = 2.0 * (1.96e-3 + 4e-5) * 1e-5
    assert thm.check(**{**p, "Delta": need9 * 0.999})["(4.9) rho_F (R + r) mu >= Delta"] is True
    assert thm.check(**{**p, "Delta": need9 * 1.001})["(4.9) rho_F (R + r) mu >= Delta"] is False
    assert (
        thm.check(**{**p, "gamma": 0.5, "L_F": 0.49})["gamma <= L_F (lambda_min >= -L_F; needed for the base 9/4)"]
        is False
    )


def test_lemma_4_3_volume_bound_and_stated_bound():
    """Lemma 4.3 (L9452-9583): (2 mu/(sqrt(pi) r)) sqrt(d/2 + 1/2) <= 2 mu sqrt(d)/r."""
    q = get("lem4.3").assess(d=7, mu=1e-5, r=3e-4)
    assert rel(q.quantities["volume_bound"], 2e-5 / (math.sqrt(math.pi) * 3e-4) * math.sqrt(4.0))
    assert rel(q.value, 2e-5 * math.sqrt(7) / 3e-4)


def test_lemma_4_4_decrease_after_escape_is_4_11():
    """(4.11), L9585-9604: (L_F/(4 T_th)) R^2 - Delta^2 T_th/L_F - 4 Delta r - (L_F/2) r^2."""
    L, D, r, R, T = 2.0, 1e-6, 3e-4, 5e-2, 50.0
    expected = L / (4 * T) * R**2 - D**2 * T / L - 4 * D * r - L / 2 * r**2
    assert rel(get("lem4.4").evaluate(L_F=L, Delta=D, r=r, R=R, T_th=T), expected)


def test_proposition_4_2_explicit_radius_constants():
    """Proposition 4.2 (L8918-8930, L10428-10575; catalog item 17): radius (C_1 + C_2) F_gap/Delta with
    C_1 = 4/3 + 2 sqrt((2/3)(7/6 + sqrt(rho_F)/(3 L_F))), C_2 = sqrt(rho_F)/(12 L_F); D = twice the radius; failed
    Escape rounds add r + R (r, R of Theorem 4.3)."""
    L, rho, d, D, F = 2.0, 0.5, 3, 1e-10, 4.0
    q = get("prop4.2").assess(L_F=L, rho_F=rho, d=d, Delta=D, F_gap=F)
    C1 = 4 / 3 + 2 * math.sqrt(2 / 3 * (7 / 6 + math.sqrt(rho) / (3 * L)))
    C2 = math.sqrt(rho) / (12 * L)
    r, R = 4 * D**0.6 * d**0.3 / math.sqrt(rho), D**0.4 * d**0.2 / math.sqrt(rho)
    assert rel(q.quantities["C_1"], C1) and rel(q.quantities["C_2"], C2)
    assert rel(q.value, (C1 + C2) * F / D)
    assert rel(q.quantities["radius_all_queries"], (C1 + C2) * F / D + r + R)
    assert rel(q.quantities["D"], 2 * (C1 + C2) * F / D)
    assert rel(q.quantities["r"], r) and rel(q.quantities["R"], R)
    small = get("prop4.2").assess(L_F=L, rho_F=rho, d=d, Delta=D, F_gap=D)  # radius O(1): r + R is visible
    assert rel(small.quantities["radius_all_queries"], C1 + C2 + r + R)
    vals = ERRATA["err4.3"].evaluate(L_F=L, rho_F=rho, d=d, Delta=D, F_gap=F)
    assert rel(vals["printed"], (C1 + C2) * F / D / 2) and rel(vals["corrected"], (C1 + C2) * F / D)


def test_lemma_4_5_filtering_box_and_rate():
    """Lemma 4.5 (L10696-10722) and Algorithm 4 (L10579-10694, catalog section 5.3): O(sigma sqrt(alpha)); the box
    cap is (3 + alpha)/((1 - alpha)(3 - alpha) m), feasible while |A| >= (1 - alpha)(3 - alpha) m/(3 + alpha)
    (alpha = 1/4: 0.634615 m)."""
    q = get("lem4.5").assess(alpha=0.25, sigma=2.0, c=1.5)
    assert rel(q.value, 1.5 * 2.0 * 0.5)
    assert rel(q.quantities["cap_times_m"], 3.25 / (0.75 * 2.75))
    assert rel(q.quantities["min_active_fraction"], 0.75 * 2.75 / 3.25) and abs(0.75 * 2.75 / 3.25 - 0.634615) < 5e-7
    assert get("lem4.5").check(alpha=0.25, sigma=1.0)["alpha <= 1/4"] is True


def test_theorem_4_5_filtering_inexactness_and_probability():
    """Theorem 4.5 (L8952-8995): c((sigma + zeta) sqrt(alpha/n) + zeta sqrt(d/(nm))) sqrt(log(1 + nmDL)) with
    probability 1 - 2/(1 + nmDL)^d; the statement prints log(nmDL) (err4.6)."""
    p = {"n": 50, "m": 4, "d": 2, "alpha": 0.2, "sigma": 0.5, "zeta": 1.5, "D": 0.02, "L": 0.5, "c": 2.0}
    X = 50 * 4 * 0.02 * 0.5
    base = 2.0 * ((0.5 + 1.5) * math.sqrt(0.2 / 50) + 1.5 * math.sqrt(2 / 200))
    ev = get("thm4.5").assess(**p)
    assert rel(ev.value, base * math.sqrt(math.log(1 + X)))
    assert rel(1 - ev.quantities["prob"], 2 / (1 + X) ** 2)
    assert rel(get("thm4.5").evaluate(variant="printed", **{**p, "D": 0.2}), base * math.sqrt(math.log(10 * X)))
    vals = ERRATA["err4.6"].evaluate(**{**p, "D": 0.2})
    assert rel(vals["printed"], base * math.sqrt(math.log(10 * X)))
    assert rel(vals["corrected"], base * math.sqrt(math.log(1 + 10 * X)))
    assert get("thm4.5").check(**p)["alpha <= 1/4"] is True
    key = "sigma <= zeta (zeta-sub-Gaussian implies Cov <= zeta^2 I)"
    assert get("thm4.5").check(**{**p, "sigma": 1.6})[key] is False


def test_theorem_4_7_median_inexactness_condition_and_probability():
    """Theorem 4.7 (L11307-11388): condition alpha + sqrt(d log(1 + X)/(m(1 - alpha))) + c1 s/sqrt(n) <= 1/2 - c2,
    bound c3 ((v/sqrt n)(alpha + sqrt(d log(X')/m) + s/sqrt n) + 1/(nm)) (log(1 + X) in the value, err4.10),
    probability 1 - 4d/(1 + X)^d; c1 defaults to Chapter 3's 0.4748."""
    n, m, d, a, D, Lh, v, s = 400, 400, 2, 0.02, 0.001, 0.5, 1.2, 1.4
    X = n * m * D * Lh
    lhs = a + math.sqrt(d * math.log(1 + X) / (m * (1 - a))) + 0.4748 * s / math.sqrt(n)
    p = {"n": n, "m": m, "d": d, "alpha": a, "D": D, "L_hat": Lh, "v": v, "s": s, "c3": 2.0}
    ev = get("thm4.7").assess(**p)
    assert rel(ev.quantities["lhs_med"], lhs)
    assert rel(ev.params["c2"], 0.5 - lhs)
    assert rel(
        ev.value, 2.0 * (v / math.sqrt(n) * (a + math.sqrt(d * math.log(1 + X) / m) + s / math.sqrt(n)) + 1 / (n * m))
    )
    assert rel(
        get("thm4.7").evaluate(variant="printed", **p),
        2.0 * (v / math.sqrt(n) * (a + math.sqrt(d * math.log(X) / m) + s / math.sqrt(n)) + 1 / (n * m)),
    )
    assert rel(1 - ev.quantities["prob"], 4 * d / (1 + X) ** d)
    key = "the median condition: lhs <= 1/2 - c2"
    assert get("thm4.7").check(**p, c2=0.5 - lhs - 1e-6)[key] is True
    assert get("thm4.7").check(**p, c2=0.5 - lhs + 1e-6)[key] is False
    vals = ERRATA["err4.10"].evaluate(**p)
    assert rel(vals["printed"], 2.0 * math.sqrt(d * math.log(X) / m))
    assert rel(vals["corrected"], 2.0 * math.sqrt(d * math.log(1 + X) / m))


def test_theorem_4_8_trimmed_mean_inexactness_condition_and_probability():
    """Theorem 4.8 (L11393-11422): beta = c4 alpha <= 1/2 - c5, Delta_tm <= c6 xi d (alpha/sqrt n + 1/sqrt(nm))
    sqrt(log(1 + X)) (printed log(X)), with Chapter 3's probability 1 - 2d(m + 1)/(1 + X)^d."""
    n, m, d, a, xi, D, Lh = 100, 20, 3, 0.1, 1.5, 0.01, 0.5
    X = n * m * D * Lh
    p = {"n": n, "m": m, "d": d, "alpha": a, "xi": xi, "D": D, "L_hat": Lh, "c4": 2.0, "c6": 0.5}
    ev = get("thm4.8").assess(**p)
    core = 0.5 * xi * d * (a / math.sqrt(n) + 1 / math.sqrt(n * m))
    assert rel(ev.value, core * math.sqrt(math.log(1 + X)))
    assert rel(get("thm4.8").evaluate(variant="printed", **p), core * math.sqrt(math.log(X)))
    assert rel(ev.quantities["beta"], 0.2) and rel(ev.params["c5"], 0.5 - 0.2)
    assert rel(1 - ev.quantities["prob"], 2 * d * (m + 1) / (1 + X) ** d)
    assert get("thm4.8").check(**p, c5=0.29)["beta <= 1/2 - c5"] is True
    assert get("thm4.8").check(**p, c5=0.31)["beta <= 1/2 - c5"] is False


def test_regime_of_theorem_4_3_starts_below_384_to_the_minus_five_halves():
    """Catalog regime warning: T_th < 1 unless Delta < 384^(-5/2) d^(-1/2) (the erratum check's own threshold)."""
    ok, message = ch4._check_T_th_regime()
    assert ok and f"{384**-2.5 / 2:.3g}" in message


def test_erratum_checks_of_chapter_4_fail_where_the_printed_statement_is_fine():
    """err4.1 (L8858-8860): with L = L_F the coupling 12 rho_F (R + r) T_th/L_F is exactly 1."""
    assert ch4._check_thm44_T_th()[0] and not ch4._check_thm44_T_th(L_over_LF=0.999)[0]
    assert ch4._check_sub_exponential()[0] and not ch4._check_sub_exponential(scale=1.0)[0]


def test_invalid_delta_above_one_is_refused():
    with pytest.raises(BadInput, match="Delta"):
        get("prop4.2").evaluate(L_F=1.0, rho_F=1.0, d=1, Delta=2.0, F_gap=1.0)


def _solve(f, lo: float, hi: float) -> float:
    """Bisection on a monotone function (geometric midpoints)."""
    flo = f(lo) > 0
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if (f(mid) > 0) == flo:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def test_theorem_4_3_integers_and_iterations_when_q_is_below_one():
    """With a large inexactness and a small gap, Q = 2 log(n_escapes_max/delta) is in (0, 1) and T_th < 1: the
    algorithm still runs max(1, ceil(Q)) = 1 round of max(1, floor(T_th)) = 1 step, and iterations_int =
    (2 F_gap L_F/(3 Delta^2)) Q_int + Q_int (T_th_int + 1)."""
    e0 = thm43(1.0, 1.0, 1, 0.5, 0.5, 1.0)
    F = math.exp(0.25) * 0.5 / e0["n_escapes_max"]  # n_escapes_max/delta = e^(1/4): Q = 1/2
    p = {"L_F": 1.0, "rho_F": 1.0, "d": 1, "Delta": 0.5, "delta": 0.5, "F_gap": F}
    q = get("thm4.3").assess(**p).quantities
    e = thm43(1.0, 1.0, 1, 0.5, 0.5, F)
    assert abs(e["Q"] - 0.5) < 1e-9 and e["T_th"] < 1
    assert q["Q_int"] == 1 and q["T_th_int"] == 1
    assert rel(q["iterations_int"], 2 * F / (3 * 0.25) + 2)


def test_theorem_4_3_rounds_at_least_one_escape_round_even_when_q_is_negative():
    """Algorithm 3 (L8638-8767) runs at least one Escape round: max(1, ceil(Q)) >= 1 for every Q."""
    q = get("thm4.3").assess(L_F=1.0, rho_F=1.0, d=1, Delta=0.5, delta=0.1, F_gap=0.01).quantities
    assert q["Q_int"] >= 1


def test_theorem_4_3_regime_thresholds_are_one():
    """L8675-8690, (4.24): the hypotheses are T_th >= 1 and Q >= 1 (not 2): at T_th = Q = 1.5 both hold."""
    thm = get("thm4.3")
    D = _solve(lambda x: thm43(1.0, 1.0, 1, x, 0.1, 1.0)["T_th"] - 1.5, 1e-20, 1e-3)
    n_esc = thm43(1.0, 1.0, 1, D, 0.1, 1.0)["n_escapes_max"]
    delta = n_esc / math.exp(0.75)  # Q = 2 log(n_esc/delta) = 1.5
    if delta >= 1:  # rescale the gap instead
        F = math.exp(0.75) * 0.5 / n_esc
        delta = 0.5
    else:
        F = 1.0
    p = {"L_F": 1.0, "rho_F": 1.0, "d": 1, "Delta": D, "delta": delta, "F_gap": F}
    e = thm43(1.0, 1.0, 1, D, delta, F)
    assert abs(e["T_th"] - 1.5) < 1e-6 and abs(e["Q"] - 1.5) < 1e-6
    c = thm.check(**p)
    assert c[ch4.T_TH_GE_1.text] is True and c[ch4.Q_GE_1.text] is True


def test_theorem_4_4_integers_regime_threshold_and_eps_range():
    """Catalog golden (L_F = rho_F = 1, d = 2, eps = 0.01): T_th = 0.757576 < 1, so T_th_int = 1; the regime
    hypothesis is T_th >= 1 (at T_th = 1.5 it holds); eps < 4/(L_F^2 rho_F) at L_F = 3, rho_F = 1/2 is eps < 0.8889."""
    thm = get("thm4.4")
    q = thm.assess(L_F=1.0, rho_F=1.0, d=2, eps=0.01, delta=0.1, F_gap=1.0).quantities
    assert rel(q["T_th"], 0.757576, 1e-6) and q["T_th_int"] == 1
    # T_th = L_F/(12 rho_F (R + r)) = 1.5 with R = sqrt(eps/rho_F), r = eps
    eps = _solve(lambda e: 1.0 / (12 * (math.sqrt(e) + e)) - 1.5, 1e-8, 0.5)
    key = "regime: T_th >= 1 (an Escape round takes at least one step)"
    assert thm.check(L_F=1.0, rho_F=1.0, d=1, eps=eps, delta=0.1, F_gap=1.0)[key] is True
    base = {"L_F": 3.0, "rho_F": 0.5, "d": 1, "delta": 0.1, "F_gap": 2.0}
    assert thm.check(**base, eps=0.88)["eps < 4/(L_F^2 rho_F)"] is True
    assert thm.check(**base, eps=0.90)["eps < 4/(L_F^2 rho_F)"] is False


def test_unspecified_constants_default_to_one():
    """DESIGN (registry): an O(.) constant is a named parameter with default 1; Theorem 4.8's c4 (beta = c4 alpha)
    defaults to 1, so beta = alpha and c5 = 1/2 - alpha."""
    assert rel(get("obs4.2").evaluate(n=100, m=10, d=4, alpha=0.1), 0.1 / 10 + math.sqrt(4 / 1000))
    ev = get("thm4.8").assess(n=100, m=20, d=3, alpha=0.1, xi=1.5, D=0.01, L_hat=0.5)
    assert rel(ev.quantities["beta"], 0.1) and rel(ev.params["c5"], 0.4)


def test_sub_exponential_evidence_is_the_laplace_mgf():
    """err4.9 (L8907-8911): for Laplace(0, b = 1), E exp(l X) = 1/(1 - l^2) for |l| < 1; with xi = 2, l = 1/(2 xi):
    at ||u|| = 1 1/(1 - l^2) <= exp(xi^2 l^2/2); at u = s the MGF 1/(1 - (l s)^2) (inf when l s >= 1) exceeds
    exp(xi^2 l^2 s^2/2) for large s."""
    lam, xi = 0.25, 2.0
    for s in (10.0, 6.0, 3.0, 3.9):
        ok, msg = ch4._check_sub_exponential(scale=s)
        mgf = 1 / (1 - (lam * s) ** 2) if lam * s < 1 else math.inf
        bound = math.exp(0.5 * xi**2 * lam**2 * s**2)
        assert ok == (mgf > bound)
        assert f"({1 / (1 - lam**2):.4g} <= {math.exp(0.5 * xi**2 * lam**2):.4g})" in msg
        assert f"the MGF is {mgf} > {bound:.4g}" in msg


def test_proposition_4_3_part_i_evidence_is_the_one_step_gap():
    """err4.7: one step of eta = 1/2 on F1 = (w - 1)^2 with error e gives w_1 - 1 = -e/2, so the gap is e^2/4 <=
    Delta^2/4; with 1000 uniform errors the largest is within 1% of Delta^2/4."""
    for D in (0.3, 3.9):
        ok, msg = ch4._check_prop43_part_i(Delta_=D)
        import re

        gap = float(re.search(r"errors is ([0-9.e+-]+) <=", msg).group(1))
        assert ok and 0.98 * D**2 / 4 <= gap <= D**2 / 4 * (1 + 1e-3)
        assert f"Delta^2/4 = {D**2 / 4:.4g}" in msg
    assert not ch4._check_prop43_part_i(Delta_=4.1)[0]  # Delta^2/4 > Delta: O(Delta) is not loose


def test_lemma_4_2_factor_evidence_is_the_spectral_norm_on_e_perp():
    """err4.5: H = diag(-1, -0.9, 1), eta = 1: (I - eta H) on e-perp is diag(1.9, 0), norm 1.9 > 1 + eta gamma."""
    ok, msg = ch4._check_lem42_factor(gamma_=0.5)
    assert ok and "= 1.9 > 1 + eta gamma = 1.5" in msg
    assert not ch4._check_lem42_factor(gamma_=0.95)[0]


def test_nonvacuous_region_solution_records_the_given_parameters():
    """The largest Delta at which Theorem 4.3 says something is a record of (Delta, 'nonvacuous' == 1) at the given
    parameters; just below it every regime hypothesis holds and eps_H < L_F."""
    sol = get("thm4.3").nonvacuous_region("Delta", L_F=1, rho_F=1, d=1, delta=0.1, F_gap=1)
    assert sol.which == "largest" and sol.quantity == "nonvacuous"
    assert sol.quantity_value == 1.0 and sol.target == 1.0
    assert {k: sol.params[k] for k in ("L_F", "rho_F", "d", "delta", "F_gap")} == {
        "L_F": 1.0,
        "rho_F": 1.0,
        "d": 1.0,
        "delta": 0.1,
        "F_gap": 1.0,
    }
    e = thm43(1.0, 1.0, 1, sol.value * 0.999, 0.1, 1.0)
    assert e["eps_H"] < 1.0 and e["T_th"] >= 1 and e["Q"] >= 1
