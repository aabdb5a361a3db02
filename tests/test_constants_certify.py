"""The floating-point safety margin of the SDP certificate (certify/_sdp.py) is needed and exact.

Theorem 5.7 (dissertation L12420-12445) bounds the worst-case increase of a logit difference by
(eps/4) Phi(Q), Phi(Q) = max <Q, P> over P PSD with diag(P) <= 1 (Definition 5.11, L12413-12452).
boundlab reports the dual certificate U(c) = 1'c + N lambda_max(Q - diag c), a sound upper bound on
Phi(Q) for every c in exact arithmetic. In floating point the eigenvalue is computed with an error,
so the certificate adds the margin of :func:`boundlab.certify.certificate`'s docstring:
delta = 4 N u ||Q - diag c||_F (+ u max|diag(Q - diag c)| when Q has a diagonal) inside the
eigenvalue, a factor (1 + (N + 3) u) for the rounding of the final sum, and the construction error of
Q. These tests show that without the margin the certificate is unsound, and pin the margin's formula.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg

from boundlab.certify import build_q, certificate, q_matrix

U = float(np.finfo(float).eps)

# The catalog's section 8.3 network (err5.3): d = 2, d1 = 1, W1 = [1, -1], v = 1. Its corrected matrix
# Q^fix has Phi = 8 exactly: zeta = (1, 1, -1, 1) gives zeta'Q zeta = 8 (a feasible P = zeta zeta'), and
# the dual c = 2 * 1 gives 1'c + 4 lambda_max(Q - 2I) = 8 + 4 * 0 (Q's eigenvalues are -2, 0, 0, 2).
W1, V = [[1.0, -1.0]], [1.0]
PHI = 8.0


def _lambda_max(A: np.ndarray) -> float:
    """The eigensolver the certificate uses (LAPACK dsyevr, largest eigenvalue only)."""
    n = A.shape[0]
    return float(scipy.linalg.eigh(A, eigvals_only=True, subset_by_index=[n - 1, n - 1])[0])


def _margin_formula(Q: np.ndarray, c: np.ndarray, entry_error: float = 0.0) -> float:
    """The certificate as derived in its docstring, written out from the formula."""
    N = Q.shape[0]
    A = Q - np.diag(c)
    diag_err = U * float(np.abs(np.diag(A)).max()) if np.any(np.diag(Q)) else 0.0
    delta = 4.0 * N * U * float(np.sqrt(np.sum(A * A))) + diag_err + 1e-300
    total = float(np.maximum(c + (_lambda_max(A) + delta), 0.0).sum())
    return total * (1.0 + (N + 3) * U) + entry_error * (1.0 + 1e-6)


def test_phi_of_the_counterexample_matrix_is_exactly_eight():
    Q = q_matrix(W1, V)
    zeta = np.array([1.0, 1.0, -1.0, 1.0])
    assert zeta @ Q @ zeta == PHI
    assert np.allclose(np.linalg.eigvalsh(Q), [-2.0, 0.0, 0.0, 2.0], atol=1e-15)


def test_without_the_margin_the_eigenvalue_bound_falls_below_phi_and_with_it_never_does():
    """Shifting the optimal dual c = 2 * 1 by K leaves U(c) = 8 in exact arithmetic, but the eigenvalue of
    Q - (2 + K) I is computed with an error of order u K: for some K the unrounded bound is below Phi."""
    Q = q_matrix(W1, V)
    unsound = []
    for k in range(1, 25):
        c = np.full(4, 2.0 + 3.0**k)
        raw = float(np.sum(c + _lambda_max(Q - np.diag(c))))
        cert = certificate(Q, c)
        assert cert >= PHI, (k, cert)
        assert cert - raw >= abs(raw - PHI)  # the margin covers the observed eigenvalue error
        if raw < PHI:
            unsound.append(k)
    assert unsound, "no shift produced a rounding error below Phi: the demonstration needs another K"


def test_certificate_is_the_eigenvalue_bound_plus_the_derived_margin_exactly():
    Q = q_matrix(W1, V)
    for c in (np.full(4, 2.0), np.array([0.0, 0.0, 0.0, 4.0]), np.array([1.5, 2.5, 2.0, 3.0]), np.zeros(4)):
        assert certificate(Q, c) == _margin_formula(Q, c)


def test_certificate_margin_is_exact_for_a_general_matrix_with_a_diagonal():
    Q = np.array([[1.0, 0.5, -0.25], [0.5, -2.0, 0.75], [-0.25, 0.75, 3.0]])
    for c in (np.array([1.0, 1.0, 1.0]), np.array([2.0, -1.0, 4.0])):
        got = certificate(Q, c)
        assert got == _margin_formula(Q, c)
        A = Q - np.diag(c)
        assert got > float(np.sum(c + _lambda_max(A))) + 3 * U * float(np.abs(np.diag(A)).max())


def test_certificate_of_the_corrected_matrix_adds_its_construction_error():
    q = build_q([[0.1, -0.7, 0.3], [0.2, 0.9, -0.4]], [0.3, -1.1])
    assert q.entry_error > 0
    dense = q.dense()
    c = np.abs(dense).sum(axis=1)
    assert certificate(q, c) == _margin_formula(dense, c, q.entry_error)


def test_the_margin_is_positive_and_at_least_n_times_the_eigenvalue_rounding_bound():
    """Backward stability: the computed eigenvalue is exact for A + E with ||E||_2 <= p(N) u ||A||_2; the
    margin 4 N u ||A||_F exceeds N u ||A||_2 for every A, and stays positive even for A = 0."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        G = rng.standard_normal((3, 4))
        Q = np.block([[np.zeros((3, 3)), G], [G.T, np.zeros((4, 4))]])
        c = rng.standard_normal(7)
        A = Q - np.diag(c)
        raw = float(np.sum(c + _lambda_max(A)))
        margin = certificate(Q, c) - raw
        assert margin >= 7 * 4 * 7 * U * np.linalg.norm(A, 2) * (1 - 1e-9)
    zero = certificate(np.zeros((3, 3)), np.zeros(3))
    assert zero > 0.0


def test_the_certificate_scales_with_the_matrix_up_to_rounding():
    Q = q_matrix(W1, V)
    c = np.full(4, 2.0)
    for a in (1e-3, 7.0, 1e6):
        assert math.isclose(certificate(a * Q, a * c), a * certificate(Q, c), rel_tol=1e-12)
