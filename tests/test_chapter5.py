"""Chapter 5 in the registry: items, constants, printed vs corrected variants, errata and experiment pieces."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from boundlab.bounds import ERRATA, REGISTRY, get
from boundlab.bounds import _chapter5 as ch5
from boundlab.montecarlo.experiments import EXPERIMENTS
from boundlab.montecarlo.experiments import ch5 as chk

EXPECTED = {
    "thm5.1",
    "thm5.2",
    "thm5.3",
    "thm5.4",
    "thm5.5",
    "thm5.6",
    "thm5.7",
    "thm5.8",
    "cor5.1",
    "cor5.2",
    "cor5.3",
    "lem5.1",
    "lem5.2",
    "eq5.4",
    "eq5.5",
    "eq5.7",
    "eq5.9",
    "eq5.10",
    "eq5.13",
    "def5.7",
    "def5.12",
}


def test_every_numbered_result_of_chapter_5_is_registered():
    assert EXPECTED <= set(REGISTRY)


@pytest.mark.parametrize(
    "t,g,expected",
    [(-3.0, 1.0, 1.0), (0.0, 1.0, 1.0), (0.25, 1.0, 0.75), (1.0, 1.0, 0.0), (5.0, 2.0, 0.0), (1.0, 4.0, 0.75)],
)
def test_ramp_loss_matches_its_three_pieces_in_numpy_and_mpmath(t, g, expected):
    ramp = get("eq5.4")
    assert ramp.evaluate(margin=t, gamma=g) == pytest.approx(expected)
    assert float(ramp.evaluate(margin=t, gamma=g, precision=30)) == pytest.approx(expected)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 1000, 10**6])
def test_rademacher_abs_mean_agrees_across_numpy_mpmath_and_sympy(n):
    a = float(ch5.rademacher_abs_mean(float(n)))
    with mpmath.workdps(30):
        b = float(ch5.rademacher_abs_mean(mpmath.mpf(n)))
    c = float(ch5.RademacherAbsMean(sp.Integer(n)).evalf(30))
    assert a == pytest.approx(b, rel=1e-12) and b == pytest.approx(c, rel=1e-12)
    if n <= 11:
        signs = np.array(list(itertools.product((-1, 1), repeat=n)))
        assert a == pytest.approx(np.abs(signs.sum(axis=1)).mean(), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 10**6), d=st.integers(1, 1000), p=st.floats(1, 20), eps=st.floats(0.001, 1))
def test_refined_term_D_n_lies_between_the_valid_and_the_printed_constants(n, d, p, eps):
    q = get("thm5.2").assess(n=n, d=d, W=1.0, eps=eps, p=p, RS=0.0).quantities
    term = eps * q["d_q"] / math.sqrt(n)
    assert ch5.C_VALID.evalf() * term * (1 - 1e-12) <= q["D_n"] <= term / 2 * (1 + 1e-12)
    assert q["lower"] <= q["lower_proof_constant"]


def test_theorem_5_2_has_no_dimension_dependence_for_p_1():
    thm = get("thm5.2")
    vals = thm.evaluate(n=1000, d=np.array([1.0, 100.0, 10000.0]), W=1.0, eps=0.1, p=1.0, RS=0.02)
    assert np.allclose(vals, vals[0])
    expo = thm.exponents(variables=["d"])["d"]
    assert expo.subs(sp.Symbol("p", positive=True), 1) == 0
    assert expo.subs(sp.Symbol("p", positive=True), 2) == sp.Rational(1, 2)


@pytest.mark.parametrize("B,printed_valid", [(0.25, False), (0.5, False), (1.0, True), (3.0, True)])
def test_theorem_5_1_standard_form_implies_the_printed_one_exactly_when_B_is_at_least_one(B, printed_valid):
    thm = get("thm5.1")
    params = {"Rn": 0.0, "RS": 0.3, "B": B, "n": 1000, "delta": 0.1}
    standard, printed = thm.evaluate(**params), thm.evaluate(variant="printed", **params)
    assert (printed >= standard) is printed_valid


def test_theorem_5_4_and_5_8_values_are_the_proof_supported_constants():
    t54 = get("thm5.4")
    ex = dict(t54.example)
    q = t54.assess(**ex).quantities
    assert q["complexity"] == pytest.approx(2 * q["complexity_printed"])
    t58 = get("thm5.8")
    ex = dict(t58.example)
    q = t58.assess(**ex).quantities
    assert q["complexity"] == pytest.approx(2 * q["bft"] / ex["gamma"] + q["sdp_term"] / ex["gamma"])
    assert t58.evaluate(variant="proof_as_written", **ex) >= t58.evaluate(**ex) >= t58.evaluate(variant="printed", **ex)


def test_theorem_5_8_is_vacuous_at_mnist_scale_and_nonvacuous_only_at_huge_n():
    t58 = get("thm5.8")
    mnist = {**t58.example, "n": 60000, "normXF": math.sqrt(60000) * 9.0, "d_max": 784}
    assert not t58.nonvacuous(**mnist)
    assert t58.nonvacuous(**t58.example)


@pytest.mark.parametrize("a", [0.1, 7.0])
def test_theorem_5_8_bound_is_invariant_under_layer_rescaling(a):
    t58 = get("thm5.8")
    ex = dict(t58.example)
    scaled = {**ex, "s1": a * ex["s1"], "b1": a * ex["b1"], "s2": ex["s2"] / a, "b2": ex["b2"] / a}
    assert t58.evaluate(**scaled) == pytest.approx(t58.evaluate(**ex), rel=1e-12)


def test_theorem_5_7_is_tight_on_the_catalogs_counterexample():
    assert get("thm5.7").evaluate(eps=0.1, Phi=8.0) == pytest.approx(0.2)


def test_lemma_5_1_certifies_nothing_when_the_corrected_C_is_used_on_the_counterexample():
    assert get("lem5.1").evaluate(margin=1.0, eps=0.1, C=38.0, gamma=0.01) == 1.0
    assert get("lem5.1").evaluate(margin=1.0, eps=0.1, C=19.0, gamma=0.01) == 0.0


# -- the matrix Q and its SDP value ---------------------------------------------------------------


@pytest.mark.parametrize("form", ["printed", "fix"])
def test_q_matrix_is_symmetric_zero_diagonal_and_linear_in_v(form):
    rng = np.random.default_rng(0)
    Wm, v1, v2 = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=3)
    Q = ch5.q_matrix(v1, Wm, form=form)
    assert Q.shape == (8, 8) and np.allclose(Q, Q.T) and np.all(np.diag(Q) == 0)
    assert np.allclose(ch5.q_matrix(2 * v1 - v2, Wm, form=form), 2 * Q - ch5.q_matrix(v2, Wm, form=form))


@pytest.mark.parametrize("form", ["printed", "fix"])
def test_phi_is_symmetric_under_negation_and_bracketed_by_grothendieck(form):
    rng = np.random.default_rng(1)
    for _ in range(5):
        Q = ch5.q_matrix(rng.normal(size=2), rng.normal(size=(2, 3)), form=form)
        lo, hi = ch5.sdp_value_bounds(Q)
        lo_m, hi_m = ch5.sdp_value_bounds(-Q)
        assert lo == pytest.approx(lo_m) and 0 <= lo <= hi <= np.abs(Q).sum() * (1 + 1e-12)


def test_printed_and_corrected_q_differ_only_in_the_homogenising_row():
    Wm = np.array([[1.0, -1.0]])
    P, F = ch5.q_matrix(np.ones(1), Wm, form="printed"), ch5.q_matrix(np.ones(1), Wm)
    assert np.array_equal(P[1:, 1:], F[1:, 1:])
    (lo_p, hi_p), (lo_f, _) = ch5.sdp_value_bounds(P), ch5.sdp_value_bounds(F)
    assert lo_p <= 4.0 <= hi_p and lo_f <= 8.0  # the exact values, inside the outward-rounded brackets
    assert lo_p == pytest.approx(4.0, rel=1e-12) and hi_p == pytest.approx(4.0, rel=1e-12)
    assert lo_f == pytest.approx(8.0, rel=1e-12)


# -- errata: each check reproduces its counterexample and can fail --------------------------------


@pytest.mark.parametrize("eid", sorted(e for e in ERRATA if e.startswith("err5.")))
def test_each_chapter_5_erratum_reproduces_its_evidence(eid):
    ok, msg = ERRATA[eid].verify()
    assert ok, msg


def test_q_matrix_check_fails_when_the_corrected_matrix_is_claimed_unsound():
    assert not ch5._check_q_matrix("fix")[0]


def test_lemma_5_1_check_fails_when_the_printed_C_is_doubled():
    assert not ch5._check_lemma51(C_scale=2.0)[0]


def test_theorem_5_1_check_fails_for_B_at_least_one():
    assert not ch5._check_thm51_small_B(B_=1.0, samples=20)[0]


def test_theorem_5_2_constant_check_fails_for_the_valid_constant():
    assert not ch5._check_thm52_constant(c_tested=float(ch5.C_VALID))[0]


def test_closed_form_brute_force_oracle_disagrees_with_the_printed_form():
    X, y = np.zeros((1, 1)), np.ones(1)
    assert ch5.exact_adv_rs(X, y, 0.3, 1.0, 1, "brute") == pytest.approx(0.15)
    assert ch5.exact_adv_rs(X, y, 0.3, 1.0, 1, "printed") == 0.0


def test_chapter_5_errata_cover_the_catalogs_printed_falsehoods():
    items = {ERRATA[e].item for e in ERRATA if e.startswith("err5.")}
    assert {"eq5.10", "thm5.2", "eq5.7", "lem5.1", "thm5.1", "thm5.4", "thm5.8"} <= items


# -- experiments -------------------------------------------------------------------------------


def test_figure_experiments_are_registered_with_the_papers_claims():
    for eid in ("fig5.2", "fig5.3"):
        assert eid in EXPERIMENTS and "claim" in EXPERIMENTS[eid].paper


def test_robust_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, y = rng.random((12, 5)), rng.integers(0, 3, 12)
    Wm = rng.normal(size=(3, 5))
    loss, G = chk._robust_ce_grad(Wm, X, y, 0.1)
    h = 1e-6
    num = np.zeros_like(Wm)
    for idx in np.ndindex(Wm.shape):
        E = np.zeros_like(Wm)
        E[idx] = h
        num[idx] = (chk._robust_ce_grad(Wm + E, X, y, 0.1)[0] - chk._robust_ce_grad(Wm - E, X, y, 0.1)[0]) / (2 * h)
    assert np.allclose(G, num, atol=1e-6)


def test_robust_loss_upper_bounds_the_loss_at_each_pairs_closed_form_adversarial_example():
    rng = np.random.default_rng(1)
    X, y, Wm = rng.random((6, 4)), rng.integers(0, 2, 6), rng.normal(size=(2, 4))
    loss, _ = chk._robust_ce_grad(Wm, X, y, 0.2)
    xa = X - 0.2 * np.sign(Wm[y] - Wm[1 - y])  # K = 2: the exact worst case
    s = xa @ Wm.T
    ce = np.mean(np.log(np.exp(s).sum(axis=1)) - s[np.arange(6), y])
    assert loss == pytest.approx(ce, rel=1e-12)


def test_training_with_a_large_l1_penalty_returns_the_zero_classifier():
    X, y = np.random.default_rng(2).random((20, 4)), np.arange(20) % 10
    assert np.all(chk._train(X, y, 0.1, lam=100.0, iters=20) == 0)


def _fig54_gaps(change: list[float]) -> np.ndarray:
    """Certified gaps (3 seeds, 2 lambdas, 3 eps): the middle eps changes by ``change[seed]`` with lambda."""
    g = np.tile(np.array([0.05, 0.15, 0.0]), (3, 2, 1))
    g[:, 1, 1] += np.array(change)
    return g


@pytest.mark.parametrize(
    "change,train0,expected",
    [
        ([-0.06, -0.07, -0.05], [0.0, 0.2, 1.0], "reproduced"),
        ([+0.06, +0.07, +0.05], [0.0, 0.2, 1.0], "NOT reproduced"),
        ([+0.03, -0.03, +0.01], [0.0, 0.2, 1.0], "inconclusive"),
        ([-0.06, -0.07, -0.05], [0.0, 0.0, 1.0], "inconclusive"),  # no eps where the adversary matters
    ],
)
def test_fig54_rule_reads_the_lambda_trend_at_the_informative_eps(change, train0, expected):
    from boundlab.montecarlo.experiments.ch5_network import fig54_verdict

    out = fig54_verdict(_fig54_gaps(change), np.tile(train0, (3, 1)), [0.001, 0.03, 0.1])
    assert out["outcome"] == expected and out["verdict"].startswith(expected + ":")
    assert out["reproduced"] == (expected == "reproduced") and out["inconclusive"] == (expected == "inconclusive")
    assert out["eps used"] == ([0.03] if train0[1] > 0 else [])


@pytest.mark.slow
def test_fig54_quick_run_carries_a_verdict_and_its_rule():
    res = EXPERIMENTS["fig5.4-analog"].run(seed=0, quick=True)
    assert {"reproduced", "inconclusive", "verdict", "decision_rule", "decision_numbers"} <= set(res)
    expected = "reproduced" if res["reproduced"] else "inconclusive" if res["inconclusive"] else "NOT reproduced"
    assert res["verdict"].startswith(expected + ":")
    gaps = np.array(res["decision_numbers"]["certified gap per seed, lambda (0, largest), eps"])
    assert gaps.shape == (3, 2, len(res["eps_grid"]))
    first = [res["rows"][i]["certified_gap_by_eps"] for i in (0, -1)]
    assert gaps[0].tolist() == [list(g.values()) for g in first]
