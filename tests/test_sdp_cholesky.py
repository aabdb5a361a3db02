"""The certificate's eigenvalue term proved by a Cholesky factorisation: sound, tight, with an eigh fallback."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundlab.certify import _sdp
from boundlab.certify._sdp import build_q, certificate_route, hypercube_max, solve_sdp


def exact_value(Q, c) -> float:
    """1'c + N lambda_max(Q - diag c) in plain floating point (no safety terms): the quantity bounded."""
    A = _sdp._dense(_sdp.as_q(Q))
    A[np.diag_indices(A.shape[0])] -= c
    return float(np.sum(c) + A.shape[0] * np.linalg.eigvalsh(A)[-1])


@given(
    d=st.integers(1, 6),
    d1=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
    dual=st.sampled_from(["solver", "zero", "random"]),
)
def test_cholesky_certificate_is_never_below_the_brute_force_hypercube_maximum(d, d1, seed, dual):
    rng = np.random.default_rng(seed)
    q = build_q(rng.standard_normal((d1, d)), rng.standard_normal(d1))
    if q.N > 16:
        return
    c = {
        "solver": lambda: solve_sdp(q).dual,
        "zero": lambda: np.zeros(q.N),
        "random": lambda: rng.uniform(-2.0, 5.0, q.N),
    }[dual]()
    upper, route = certificate_route(q, c, method="cholesky")
    assert route in ("cholesky", "eigh (the Cholesky proof failed at every margin tried)")
    assert upper >= hypercube_max(q)
    assert upper >= exact_value(q, c)


@given(n=st.integers(2, 40), seed=st.integers(0, 2**32 - 1))
def test_cholesky_certificate_is_above_the_exact_value_and_within_a_relative_1e_7_of_the_eigh_certificate(n, seed):
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((n, n))
    A = (B + B.T) / 2  # a general symmetric matrix, non-zero diagonal
    c = np.abs(B).sum(axis=1) * rng.uniform(0.0, 1.5)
    upper, route = certificate_route(A, c, method="cholesky")
    by_eigh, _ = certificate_route(A, c, method="eigh")
    assert route == "cholesky"
    assert exact_value(A, c) <= upper <= by_eigh + 1e-7 * max(abs(by_eigh), float(np.abs(c).sum()), 1.0)


def test_large_instances_take_the_cholesky_route_by_default_and_agree_with_eigh(monkeypatch):
    monkeypatch.setattr(_sdp, "CHOLESKY_MIN_N", 200)  # the same logic as at N >= 1000, in a second
    rng = np.random.default_rng(0)
    d, d1 = 120, 80  # N = 1 + d + d1 = 201
    q = build_q(rng.standard_normal((d1, d)) / np.sqrt(d), rng.standard_normal(d1))
    r = solve_sdp(q, tol=1e-6)
    factor = np.empty_like(r.factor)
    factor[q.left], factor[q.right] = r.factor[: q.left.size], r.factor[q.left.size :]
    auto, route = certificate_route(q, r.dual, factor=factor)
    by_eigh, _ = certificate_route(q, r.dual, method="eigh")
    assert route == "cholesky" and r.note == ""
    assert exact_value(q, r.dual) <= auto <= by_eigh * (1 + 1e-8)
    assert r.upper == auto and r.lower <= r.upper and r.rel_gap <= 1e-6
    assert certificate_route(q, r.dual)[1] == "eigh"  # without a factor: the eigensolver, as before


def test_a_cholesky_proof_that_fails_at_every_margin_falls_back_to_eigh_and_says_so(monkeypatch):
    monkeypatch.setattr(_sdp, "_CHOLESKY_MARGINS", (-1.0, -0.5))  # every candidate below lambda_max
    q = build_q([[1.0, -1.0]], [1.0])
    upper, route = certificate_route(q, [2.0, 2.0, 2.0, 2.0], method="cholesky")
    assert route == "eigh (the Cholesky proof failed at every margin tried)"
    assert 8.0 <= upper < 8.0 + 1e-9


def test_an_unknown_certificate_method_raises_bad_input_naming_it():
    with pytest.raises(_sdp.BadInput, match=r"method \(qr\) must be"):
        certificate_route(build_q([[1.0]], [1.0]), np.zeros(3), method="qr")
