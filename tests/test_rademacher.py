"""Empirical Rademacher complexities of Chapter 5: exact, Monte Carlo, closed forms, theorem evaluators."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from boundlab.bounds import BadInput, exact_adv_rs, q_matrix, sdp_value_bounds
from boundlab.montecarlo import _rademacher as R


def small_data(max_n: int = 8, max_d: int = 4):
    return st.tuples(st.integers(1, max_n), st.integers(1, max_d)).flatmap(
        lambda nd: st.tuples(
            arrays(np.float64, nd, elements=st.floats(-2, 2, allow_nan=False, width=32)),
            arrays(np.float64, (nd[0],), elements=st.sampled_from([-1.0, 1.0])),
        )
    )


# -- exactness ---------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [1.0, math.inf])
@pytest.mark.parametrize("seed", range(6))
def test_exact_enumeration_equals_the_brute_force_supremum(p, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(int(rng.integers(1, 10)), int(rng.integers(1, 5)))) * rng.choice([0.1, 1.0])
    if seed % 3 == 0:
        X[:, 0] = 0.0  # a dead pixel
    y = rng.choice([-1.0, 1.0], size=X.shape[0])
    eps = float(rng.uniform(0.01, 2))
    got = R.rademacher_pair(X, y, eps, 1.7, p).adversarial.value
    assert got == pytest.approx(R.exact_sup_brute(X, y, eps, 1.7, p), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, math.inf])
def test_fast_norm_paths_agree_with_the_direct_closed_form(p):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(9, 5)) * 0.3, rng.choice([-1.0, 1.0], size=9)
    got = R.rademacher_pair(X, y, 0.4, 1.0, p).adversarial.value
    assert got == pytest.approx(exact_adv_rs(X, y, 0.4, 1.0, p, "corrected"), rel=1e-12)


def test_the_printed_closed_form_misses_the_dead_pixel_term():
    X = np.zeros((1, 1))
    assert R.rademacher_adv_linear(X, [1], 0.3).value == pytest.approx(0.15)
    assert R.rademacher_adv_linear(X, [1], 0.3, form="printed").value == 0.0


def test_natural_complexity_matches_the_textbook_value_for_one_point():
    assert R.rademacher_linear(np.array([[3.0, 4.0]]), W=2.0).value == pytest.approx(10.0)


@pytest.mark.parametrize("n", range(1, 13))
def test_expected_abs_sum_matches_enumeration_and_the_khintchine_bounds(n):
    signs = np.array(list(itertools.product((-1, 1), repeat=n)))
    m = R.expected_abs_sum(n)
    assert m == pytest.approx(np.abs(signs.sum(axis=1)).mean(), rel=1e-12)
    assert math.sqrt(n / 2) - 1e-12 <= m <= math.sqrt(n) + 1e-12


# -- Monte Carlo -------------------------------------------------------------------------------


def test_monte_carlo_interval_covers_the_exact_value():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(14, 6)), rng.choice([-1.0, 1.0], size=14)
    exact = R.rademacher_pair(X, y, 0.3, 1.0, 2.0, method="exact")
    mc = R.rademacher_pair(X, y, 0.3, 1.0, 2.0, method="mc", draws=20000, seed=1, confidence=0.999)
    for a, b in ((exact.natural, mc.natural), (exact.adversarial, mc.adversarial)):
        assert b.ci_low <= a.value <= b.ci_high
        assert not b.exact and a.exact


def test_monte_carlo_is_reproducible_from_its_seed_and_changes_with_it():
    X = np.random.default_rng(0).normal(size=(30, 4))
    a = R.rademacher_pair(X, None, 0.1, method="mc", draws=3000, seed=5).adversarial.value
    b = R.rademacher_pair(X, None, 0.1, method="mc", draws=3000, seed=5).adversarial.value
    c = R.rademacher_pair(X, None, 0.1, method="mc", draws=3000, seed=6).adversarial.value
    assert a == b != c


@settings(max_examples=40, deadline=None)
@given(data=small_data(), eps=st.floats(0, 2), p=st.sampled_from([1.0, 2.0, 3.0, math.inf]))
def test_refined_sandwich_holds_exactly_for_every_sample(data, eps, p):
    X, y = data
    r = R.rademacher_pair(X, y, eps, 1.0, p)
    nat, adv, D = r.natural.value, r.adversarial.value, r.D_hat
    tol = 1e-10 * (1 + adv)
    assert max(nat, D) <= adv + tol
    assert adv <= nat + D + tol
    assert D == pytest.approx(eps * r.d_q * R.expected_abs_sum(r.n) / (2 * r.n), rel=1e-9, abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(data=small_data(), eps=st.floats(0, 1), p=st.sampled_from([1.0, 2.0, math.inf]))
def test_printed_sandwich_holds_with_the_valid_constant(data, eps, p):
    X, y = data
    assert R.thm5_2_sandwich(X, y, eps, 1.0, p)["holds"]


def test_printed_sandwich_fails_with_the_proofs_constant_at_zero_data():
    assert not R.thm5_2_sandwich(np.zeros((2, 3)), [1, 1], 0.5, 1.0, 2.0, c=1 / math.sqrt(2))["holds"]


def test_refined_sandwich_holds_draw_by_draw_for_antithetic_monte_carlo():
    X = np.random.default_rng(2).normal(size=(300, 20)) * 0.05
    s = R.thm5_2_sandwich(X, None, 0.2, 1.0, 2.0, method="mc", draws=2000)
    assert s["refined_holds_per_draw"] and s["holds"]


@settings(max_examples=25, deadline=None)
@given(data=small_data(), e1=st.floats(0, 1), e2=st.floats(0, 1), W=st.floats(0.1, 5))
def test_adversarial_complexity_is_linear_in_W_and_nondecreasing_in_eps(data, e1, e2, W):
    X, y = data
    lo, hi = sorted((e1, e2))
    a = R.rademacher_adv_linear(X, y, lo, W, 2.0).value
    b = R.rademacher_adv_linear(X, y, hi, W, 2.0).value
    assert a <= b + 1e-12 * (1 + b)
    assert R.rademacher_adv_linear(X, y, hi, 1.0, 2.0).value * W == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_zero_padding_leaves_p1_unchanged_and_increases_p2():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(10, 3)) * 0.2, rng.choice([-1.0, 1.0], size=10)
    for p, same in ((1.0, True), (2.0, False)):
        a = R.rademacher_adv_linear(X, y, 0.5, 1.0, p).value
        b = R.rademacher_adv_linear(R.zero_pad(X, 20), y, 0.5, 1.0, p).value
        assert (a == pytest.approx(b, rel=1e-12)) is same
        assert b >= a - 1e-12
    printed = [R.rademacher_adv_linear(Z, y, 0.5, 1.0, 2.0, form="printed").value for Z in (X, R.zero_pad(X, 20))]
    assert printed[0] == pytest.approx(printed[1])  # (5.10) cannot see dead pixels


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 64), elements=st.floats(0, 1, width=32)))
def test_down_and_up_sampling_preserve_the_l2_norm(X):
    n0 = np.linalg.norm(X, axis=1)
    assert np.allclose(np.linalg.norm(R.downsample2x2(X), axis=1), n0)
    assert np.allclose(np.linalg.norm(R.upsample2x2(X), axis=1), n0)
    assert R.downsample2x2(X).shape == (3, 16) and R.upsample2x2(X).shape == (3, 256)


# -- multi-class -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_adversarial_margin_equals_the_minimum_over_box_vertices_and_the_attack_attains_it(seed):
    rng = np.random.default_rng(seed)
    K, d, n = 4, 3, 5
    Wm, X, y, eps = rng.normal(size=(K, d)), rng.normal(size=(n, d)), rng.integers(0, K, n), 0.3
    got = R.adversarial_margins(X, y, Wm, eps)
    verts = np.array(list(itertools.product((-1.0, 1.0), repeat=d)))
    for i in range(n):
        brute = R.margins((X[i] + eps * verts) @ Wm.T, np.full(len(verts), y[i])).min()
        assert got[i] == pytest.approx(brute, abs=1e-12)
    xa = R.adversarial_examples(X, y, Wm, eps)
    assert np.max(np.abs(xa - X)) <= eps + 1e-15
    assert np.allclose(R.margins(xa @ Wm.T, y), got)


def test_margins_count_ties_as_errors():
    assert R.margins(np.array([[1.0, 1.0]]), np.array([0]))[0] == 0.0


def test_multiclass_terms_reduce_to_the_binary_ones_for_one_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    mc = R.rademacher_multiclass(X, np.zeros(8, dtype=int), 0.2, 1.0, 2.0, K=2)
    assert mc.class_norms[0] == pytest.approx(mc.sum_norm.value)
    assert mc.class_norms[1] == 0.0
    assert mc.class_adv_norms[0] == pytest.approx(R.rademacher_adv_linear(X, np.ones(8), 0.2).value * 8)


def test_theorem_5_4_corrected_exceeds_printed_and_the_closed_form_chain_is_tighter():
    rng = np.random.default_rng(1)
    X, y, Wm = rng.normal(size=(12, 4)), rng.integers(0, 3, 12), rng.normal(size=(3, 4))
    out = R.thm5_4_bound(X, y, Wm, eps=0.1, gamma=1.0, p=2.0)
    assert out["value"] > out["printed"]
    assert out["complexity"] == pytest.approx(2 * out["complexity_printed"])
    assert out["complexity_corrected_closed_form"] <= out["complexity"]
    assert out["adv_error"] <= out["adv_margin_err"]
    assert out["illustrative"]


def test_theorem_5_3_uses_the_same_data_term_as_5_9():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 2, 10)
    out = R.thm5_3_bound(X, y, np.eye(2, 3), gamma=0.5, W_bound=1.0)
    assert out["complexity"] == pytest.approx(4 * 2 * 1.0 / (0.5 * 10) * R.expected_sum_norm(X).value)


# -- networks ----------------------------------------------------------------------------------


def test_holder_bound_on_C_is_the_l1_norm_of_Q_fix_and_bounds_phi():
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(2, 3))
    c = R.c_holder_bound(W1, W2)
    l1 = max(np.abs(q_matrix(W2[k], W1)).sum() for k in range(2))
    assert c == pytest.approx(l1)
    assert max(sdp_value_bounds(q_matrix(W2[k], W1))[0] for k in range(2)) <= c + 1e-12


@pytest.mark.parametrize("a", [0.25, 3.0])
def test_network_bounds_are_invariant_under_layer_rescaling(a):
    rng = np.random.default_rng(5)
    W1, W2, X = rng.normal(size=(4, 5)), rng.normal(size=(3, 4)), rng.normal(size=(20, 5))
    y = rng.integers(0, 3, 20)
    base55, base58 = R.thm5_5_bound([W1, W2], X)["value"], R.thm5_8_bound(W1, W2, X, y, 0.05, 1.0)
    assert R.thm5_5_bound([a * W1, W2 / a], X)["value"] == pytest.approx(base55, rel=1e-10)
    scaled = R.thm5_8_bound(a * W1, W2 / a, X, y, 0.05, 1.0)
    assert scaled["value"] == pytest.approx(base58["value"], rel=1e-10)
    assert scaled["C"] == pytest.approx(base58["C"], rel=1e-12)
    assert base58["C_le_4b1b2"]


# -- bad input ---------------------------------------------------------------------------------

X_OK = np.ones((3, 2))
BAD = [
    ("X NaN", lambda: R.rademacher_linear(np.array([[np.nan, 1.0]])), r"X \(nan\) must be finite"),
    ("X inf", lambda: R.rademacher_adv_linear(np.array([[np.inf]]), [1], 0.1), r"X \(inf\) must be finite"),
    ("X 1-D", lambda: R.rademacher_linear(np.ones(3)), r"X \(shape \(3,\)\) must be a non-empty 2-D array"),
    ("eps < 0", lambda: R.rademacher_adv_linear(X_OK, [1, 1, 1], -0.1), r"eps \(-0.1\) must be >= 0"),
    ("p < 1", lambda: R.rademacher_linear(X_OK, p=0.5), r"p \(0.5\) must be >= 1"),
    ("W <= 0", lambda: R.rademacher_linear(X_OK, W=0.0), r"W \(0\) must be > 0"),
    ("y shape", lambda: R.rademacher_adv_linear(X_OK, [1, 1], 0.1), r"y \(shape \(2,\)\) must have shape \(3,\)"),
    ("y not +-1", lambda: R.rademacher_adv_linear(X_OK, [1, 0, 1], 0.1), r"y \(0\) must be \+1 or -1"),
    ("exact n > 20", lambda: R.rademacher_linear(np.ones((21, 1)), method="exact"), r"n \(21\) must be <= 20"),
    ("method", lambda: R.rademacher_linear(X_OK, method="fast"), r"method \(fast\) must be"),
    ("form", lambda: R.rademacher_adv_linear(X_OK, [1, 1, 1], 0.1, form="x"), r"form \(x\) must be"),
    ("draws", lambda: R.rademacher_linear(np.ones((30, 1)), method="mc", draws=1), r"draws \(1\) must be"),
    (
        "Wmat columns",
        lambda: R.adversarial_margins(X_OK, [0, 1, 0], np.ones((2, 3)), 0.1),
        r"Wmat \(shape \(2, 3\)\) must have 2 columns",
    ),
    ("label >= K", lambda: R.adversarial_margins(X_OK, [0, 5, 0], np.ones((2, 2)), 0.1), r"y \(5\) must be < K = 2"),
    ("layer shapes", lambda: R.network_norms([np.ones((3, 2)), np.ones((1, 4))]), r"W2 \(shape \(1, 4\)\) must have 3"),
    (
        "W1 vs X",
        lambda: R.thm5_8_bound(np.ones((2, 5)), np.ones((2, 2)), X_OK, [0, 1, 0], 0.1, 1.0),
        r"W1 \(shape \(2, 5\)\) must have 2 columns",
    ),
    ("NaN weights", lambda: R.c_holder_bound(np.array([[np.nan]]), np.ones((1, 1))), r"W1 \(nan\) must be finite"),
    (
        "W_bound too small",
        lambda: R.thm5_3_bound(X_OK, [0, 1, 0], 2 * np.eye(2), 1.0, W_bound=1.0),
        r"W_bound \(1\) must be >=",
    ),
    ("odd side", lambda: R.downsample2x2(np.ones((1, 9))), r"side \(3\) must be even"),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_arguments_raise_bad_input_naming_the_parameter(call, match):
    with pytest.raises(BadInput, match=match):
        call()
