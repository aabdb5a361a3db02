"""certify/_sdp.py: the matrix Q of (5.7), the dual certificate and the SDP paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundlab.bounds import BadInput
from boundlab.certify import (
    MAX_N,
    BipartiteQ,
    _sdp,
    as_q,
    build_q,
    certificate,
    eigenvalue_bound,
    hypercube_max,
    q_matrix,
    solve_sdp,
)

K_G = math.pi / (2 * math.log(1 + math.sqrt(2)))  # Krivine's bound on Grothendieck's constant


def _random_q(seed: int, d: int = 3, d1: int = 3, form: str = "corrected") -> BipartiteQ:
    rng = np.random.default_rng(seed)
    return build_q(rng.standard_normal((d1, d)), rng.standard_normal(d1), form)


# --- the matrix ---------------------------------------------------------------------------------


def test_corrected_q_has_the_catalog_quadratic_form():
    rng = np.random.default_rng(0)
    W, v = rng.standard_normal((4, 3)), rng.standard_normal(4)
    Q = q_matrix(W, v)
    z0, t, s = 0.7, rng.standard_normal(3), rng.standard_normal(4)
    zeta = np.concatenate([[z0], t, s])
    assert math.isclose(zeta @ Q @ zeta, 2 * t @ W.T @ np.diag(v) @ (z0 + s), rel_tol=1e-12)


def test_printed_q_has_the_printed_quadratic_form():
    rng = np.random.default_rng(1)
    W, v = rng.standard_normal((4, 3)), rng.standard_normal(4)
    Q = q_matrix(W, v, form="printed")
    z0, t, s = -0.3, rng.standard_normal(3), rng.standard_normal(4)
    zeta = np.concatenate([[z0], t, s])
    assert math.isclose(zeta @ Q @ zeta, 2 * (z0 + t) @ W.T @ np.diag(v) @ s, rel_tol=1e-12)


@pytest.mark.parametrize("form", ["corrected", "printed"])
def test_q_is_symmetric_with_zero_diagonal_and_linear_in_v(form):
    rng = np.random.default_rng(2)
    W, a, b = rng.standard_normal((3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    Q = q_matrix(W, a, form)
    assert np.array_equal(Q, Q.T) and not np.any(np.diag(Q)) and Q.shape == (9, 9)
    np.testing.assert_allclose(q_matrix(W, 2 * a - b, form), 2 * Q - q_matrix(W, b, form), atol=1e-12)


def test_dense_matrices_with_bipartite_pattern_are_recognised_exactly():
    q = _random_q(3, 4, 5)
    perm = np.random.default_rng(3).permutation(q.N)
    A = q.dense()[np.ix_(perm, perm)]
    back = as_q(A)
    assert isinstance(back, BipartiteQ)
    np.testing.assert_array_equal(back.dense(), A)


def test_a_triangle_is_not_bipartite_and_takes_the_general_path():
    A = np.ones((3, 3)) - np.eye(3)
    assert not isinstance(as_q(A), BipartiteQ)
    r = solve_sdp(A)
    assert "general" in r.solver
    assert r.lower <= 6.0 + 1e-9 and r.upper >= 6.0 - 1e-9  # Phi = 6 at P = 11'


# --- the certificate ----------------------------------------------------------------------------


@given(seed=st.integers(0, 10_000), scale=st.floats(-3, 3))
def test_certificate_is_sound_for_every_dual_vector(seed, scale):
    q = _random_q(seed)
    c = scale * np.random.default_rng(seed + 1).standard_normal(q.N)
    ref = solve_sdp(q)
    assert certificate(q, c) >= ref.lower


@given(seed=st.integers(0, 10_000))
def test_certificate_dominates_the_hypercube_maximum(seed):
    q = _random_q(seed, 3, 4)
    assert certificate(q, np.zeros(q.N)) >= hypercube_max(q) - 1e-9


def test_dropping_the_eigenvalue_term_gives_an_unsound_bound():
    q = build_q([[1.0, -1.0]], [1.0])
    assert certificate(q, np.zeros(4), mutate="drop-eigen") == 0.0 < hypercube_max(q) == 8.0


def test_certificate_at_the_optimal_dual_is_the_sdp_value():
    q = build_q([[1.0, -1.0]], [1.0])
    assert 8.0 <= certificate(q, [2.0, 2.0, 2.0, 2.0]) <= 8.0 * (1 + 1e-13)


def test_certificate_of_a_general_matrix_handles_negative_diagonals():
    # Phi(-I) = 0 (P = 0); U(c) must not go below it, and c = 0 gives the exact value 0 (+ margin)
    assert 0.0 <= certificate(-np.eye(3), np.zeros(3)) <= 1e-12
    assert certificate(np.diag([2.0, -1.0]), np.zeros(2)) >= 2.0


def test_eigenvalue_bound_is_sound_and_no_better_than_the_sdp():
    q = _random_q(5, 6, 7)
    ub, how = eigenvalue_bound(q)
    r = solve_sdp(q)
    assert ub >= r.lower and how
    assert ub <= min(certificate(q, np.zeros(q.N)), q.l1() * (1 + 1e-12) + 1e-12)


# --- the paths ----------------------------------------------------------------------------------


def test_section_8_3_values_phi_fixed_8_and_printed_4():
    fixed = solve_sdp(build_q([[1.0, -1.0]], [1.0]))
    printed = solve_sdp(build_q([[1.0, -1.0]], [1.0], form="printed"))
    assert 8.0 - 1e-9 <= fixed.lower <= 8.0 <= fixed.upper <= 8.0 + 1e-9
    assert 4.0 - 1e-9 <= printed.lower <= 4.0 <= printed.upper <= 4.0 + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_fast_path_reaches_the_target_gap_and_agrees_with_the_reference(seed):
    q = _random_q(seed, 5, 6)
    fast = solve_sdp(q, tol=1e-7)
    ref = solve_sdp(q, method="reference")
    assert fast.rel_gap <= 1e-7 and fast.status == "certified"
    assert ref.status == "certified" and "Clarabel" in ref.solver
    assert max(fast.lower, ref.lower) <= min(fast.upper, ref.upper)  # the intervals intersect


def test_scs_reference_path_gives_an_interval_containing_the_fast_value():
    q = _random_q(11, 4, 4)
    ref = solve_sdp(q, method="scs")
    fast = solve_sdp(q)
    assert ref.status == "certified" and ref.solver_value is not None
    assert ref.lower <= fast.upper and fast.lower <= ref.upper


def test_general_mixing_path_agrees_with_the_bipartite_path():
    q = _random_q(12, 5, 5)
    a = solve_sdp(q)
    b = solve_sdp(q.dense(), structure="general")
    assert "mixing" in b.solver and b.rel_gap <= 1e-5
    assert max(a.lower, b.lower) <= min(a.upper, b.upper)


@pytest.mark.parametrize("seed", range(3))
def test_ordering_hypercube_fast_reference_certificate_and_grothendieck(seed):
    q = _random_q(20 + seed, 4, 5)
    hyper = hypercube_max(q)
    fast, ref = solve_sdp(q), solve_sdp(q, method="clarabel")
    assert hyper <= fast.lower * (1 + 1e-12) and fast.lower <= ref.upper and ref.lower <= fast.upper
    assert fast.upper <= K_G * hyper


def test_phi_is_invariant_under_negation_permutation_and_scales_linearly():
    q = _random_q(30, 5, 6)
    base = solve_sdp(q)
    perm = np.random.default_rng(30).permutation(q.N)
    for other, factor in (
        (solve_sdp(-q), 1.0),
        (solve_sdp(q.dense()[np.ix_(perm, perm)]), 1.0),
        (solve_sdp(q.scaled(3.5)), 3.5),
    ):
        assert factor * base.lower <= other.upper and other.lower <= factor * base.upper


def test_zero_matrix_has_value_zero():
    r = solve_sdp(np.zeros((4, 4)))
    assert r.lower == 0.0 and 0.0 <= r.upper <= 1e-12


def test_fast_path_reports_a_sound_interval_when_the_budget_runs_out():
    q = _random_q(40, 30, 30)
    r = solve_sdp(q, max_iters=10, tol=1e-12)
    good = solve_sdp(q)
    assert "budget" in r.note and r.lower <= good.upper and good.lower <= r.upper


def test_an_inaccurate_solver_status_falls_back_to_the_eigenvalue_bound(monkeypatch):
    q = _random_q(41, 3, 3)

    def inaccurate(Q, solver, tol):
        return 0.0, math.nan, None, "optimal_inaccurate", "SCS returned status 'optimal_inaccurate'", 1.0, 5

    monkeypatch.setattr(_sdp, "_reference", inaccurate)
    r = solve_sdp(q, method="scs")
    assert r.status == "fallback" and "not used as a certificate" in r.note
    assert r.upper == eigenvalue_bound(q)[0] and r.lower == 0.0 and r.solver_value == 1.0


def test_hypercube_max_matches_a_brute_force_loop():
    Q = _random_q(50, 2, 3).dense()
    import itertools

    brute = max(np.array(z) @ Q @ np.array(z) for z in itertools.product([-1.0, 1.0], repeat=Q.shape[0]))
    assert math.isclose(hypercube_max(Q), brute, rel_tol=1e-12)


# --- bad input ----------------------------------------------------------------------------------

BAD = [
    (lambda: build_q(np.ones((2, 3)), np.ones(3)), r"v \(shape \(3,\)\) must have shape \(2,\)"),
    (lambda: build_q(np.ones(3), np.ones(3)), r"W1 \(shape \(3,\)\) must be a non-empty matrix"),
    (lambda: build_q([[np.nan]], [1.0]), r"W1 \(nan\) must contain only finite numbers"),
    (lambda: build_q([[1.0]], [np.inf]), r"v \(inf\) must contain only finite numbers"),
    (lambda: build_q([[1.0]], [1.0], form="typo"), r"form \(typo\) must be 'corrected' or 'printed'"),
    (lambda: solve_sdp(np.ones((2, 3))), r"Q \(shape \(2, 3\)\) must be a non-empty square matrix"),
    (lambda: solve_sdp(np.array([[0.0, 1.0], [2.0, 0.0]])), r"must be symmetric"),
    (lambda: solve_sdp(np.array([[0.0, np.nan], [np.nan, 0.0]])), r"Q \(nan\) must contain only finite"),
    (lambda: solve_sdp(np.eye(2), method="newton"), r"method \(newton\) must be one of"),
    (lambda: solve_sdp(np.eye(2), tol=0), r"tol \(0\) must be in \(0, 1\)"),
    (
        lambda: solve_sdp(np.zeros((MAX_N["clarabel"] + 1,) * 2), method="clarabel"),
        r"must be <= 60 for the reference \(cvxpy \+ Clarabel\) path; the reference \(cvxpy \+ SCS\) path fits",
    ),
    (
        lambda: solve_sdp(np.zeros((MAX_N["scs"] + 1,) * 2), method="scs"),
        r"N \(1001\) must be <= 1000 for the reference \(cvxpy \+ SCS\) path; the fast .* path fits",
    ),
    (lambda: certificate(np.eye(2), [1.0]), r"c \(shape \(1,\)\) must have shape \(2,\)"),
    (lambda: hypercube_max(np.zeros((21, 21))), r"N \(21\) must be <= 20"),
    (lambda: solve_sdp(np.eye(2), rank=0), r"rank \(0\) must be an integer >= 1"),
]


@pytest.mark.parametrize("call,message", BAD)
def test_bad_input_is_rejected_with_a_message_naming_it(call, message):
    with pytest.raises(BadInput, match=message):
        call()


def test_too_large_for_every_path_says_so():
    big = BipartiteQ(np.zeros((MAX_N["fast"], 1)), np.arange(MAX_N["fast"]), np.array([MAX_N["fast"]]))
    with pytest.raises(BadInput, match="no path fits"):
        solve_sdp(big)
