"""Iterative filtering (Algorithm 4): the SDP min-max step, the eigenvalue identity, the loop, and its failures."""

from __future__ import annotations

import numpy as np
import pytest

from boundlab.bounds import BadInput
from boundlab.certify._filtering import (
    FilteringError,
    box_cap,
    filtering_aggregator,
    iterative_filtering,
    max_over_U,
    min_over_W,
    spectral_aggregator,
)


def instance(seed: int, m: int, d: int, alpha: float = 0.1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d, m)) + rng.standard_normal((d, 1)) * 3
    c = rng.uniform(0.3, 1.0, m)
    return X, c, box_cap(alpha, m)


def residual_matrix(X, c, W):
    Rm = X @ (np.eye(X.shape[1]) - W)
    return (Rm * c) @ Rm.T


@pytest.mark.parametrize("seed,m,d", [(0, 6, 2), (1, 8, 5), (2, 10, 10), (3, 10, 3)])
def test_the_max_over_u_sdp_equals_the_top_eigenvalue_for_any_feasible_w(seed, m, d):
    X, c, cap = instance(seed, m, d)
    rng = np.random.default_rng(seed + 100)
    W = rng.uniform(0, cap, (m, m))
    W = W / W.sum(axis=0)  # columns sum to 1 (the box is not needed for the identity)
    lam = float(np.linalg.eigvalsh(residual_matrix(X, c, W))[-1])
    assert max_over_U(X, c, W) == pytest.approx(lam, rel=1e-5)


@pytest.mark.parametrize("seed,m,d", [(0, 6, 2), (1, 8, 5), (2, 10, 10)])
def test_the_min_max_solution_is_feasible_and_its_value_is_the_top_eigenvalue(seed, m, d):
    X, c, cap = instance(seed, m, d)
    value, W, U = min_over_W(X, c, cap)
    M = residual_matrix(X, c, W)
    assert W.min() >= -1e-6 and W.max() <= cap + 1e-6
    assert np.allclose(W.sum(axis=0), 1, atol=1e-6)
    assert np.linalg.eigvalsh(U)[0] >= -1e-9 and np.trace(U) == pytest.approx(1.0)
    assert value == pytest.approx(np.linalg.eigvalsh(M)[-1], rel=1e-4)
    assert np.trace(U @ M) == pytest.approx(value, rel=1e-4)


def test_the_dual_u_is_a_max_min_solution():
    import cvxpy as cp

    X, c, cap = instance(5, 8, 3)
    value, _, U = min_over_W(X, c, cap)
    k = X.shape[1]
    W = cp.Variable((k, k))
    L = np.linalg.cholesky(U + 1e-12 * np.eye(3))
    A = X @ (np.eye(k) - W) @ np.diag(np.sqrt(c))
    p = cp.Problem(cp.Minimize(cp.sum_squares(L.T @ A)), [W >= 0, W <= cap, cp.sum(W, axis=0) == 1])
    p.solve(solver=cp.SCS, eps=1e-8)
    assert p.value == pytest.approx(value, rel=1e-4)


def test_the_box_alone_forces_uniform_weights_at_alpha_zero():
    X, c, _ = instance(4, 7, 3)
    _, W, _ = min_over_W(X, np.ones(7), box_cap(0.0, 7))
    assert np.allclose(W, 1 / 7, atol=1e-6)


def test_clean_data_with_a_large_enough_sigma_returns_the_sample_mean_at_once():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 3))
    cov = np.cov(x.T, bias=True)
    res = iterative_filtering(x, 0.0, float(np.sqrt(np.linalg.eigvalsh(cov)[-1])))
    assert len(res.steps) == 1 and res.active.all()
    assert np.allclose(res.estimate, x.mean(axis=0))


def test_a_far_outlier_is_removed_and_every_loop_that_continues_removes_a_point():
    rng = np.random.default_rng(1)
    x = np.vstack([rng.standard_normal((9, 3)), [[50.0, -50.0, 50.0]]])
    res = iterative_filtering(x, 0.1, 1.0)
    assert not res.active[-1] and res.active[:9].sum() >= 8
    assert all(s.removed for s in res.steps[:-1]) and not res.steps[-1].removed
    assert all(abs(s.trace_U - 1) < 1e-6 for s in res.steps)


def test_an_infeasible_box_raises_with_its_status():
    X, c, _ = instance(0, 4, 2)
    with pytest.raises(FilteringError, match=r"infeasible") as info:
        min_over_W(X, c, cap=0.2)
    assert info.value.status == "infeasible"


def test_removals_that_make_the_box_infeasible_raise_unless_asked_to_stop():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 2)) * 10
    with pytest.raises(FilteringError) as info:
        iterative_filtering(x, 0.25, 1e-3)
    assert info.value.status == "infeasible"
    res = iterative_filtering(x, 0.25, 1e-3, on_infeasible="stop")
    assert res.stopped_infeasible and res.active.sum() * box_cap(0.25, 8) < 1


def test_a_solver_that_stops_early_raises_with_the_solver_status():
    X, c, cap = instance(3, 10, 5)
    with pytest.raises(FilteringError, match=r"SCS status \(.*\) must be optimal") as info:
        min_over_W(X, c, cap, max_iters=2)
    assert info.value.status != "optimal"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(alpha=0.3, sigma=1.0), r"alpha \(0.3\) must be in \[0, 1/4\]"),
        (dict(alpha=-0.1, sigma=1.0), r"alpha \(-0.1\) must be in \[0, 1/4\]"),
        (dict(alpha=0.1, sigma=0.0), r"sigma \(0.0\) must be a finite number > 0"),
        (dict(alpha=0.1, sigma=1.0, on_infeasible="ignore"), r"on_infeasible \('ignore'\) must be"),
    ],
)
def test_invalid_arguments_raise_bad_input(kwargs, message):
    with pytest.raises(BadInput, match=message):
        iterative_filtering(np.zeros((5, 2)), **kwargs)


def test_non_finite_points_are_rejected():
    x = np.zeros((5, 2))
    x[0, 0] = np.nan
    with pytest.raises(BadInput, match="x must be finite"):
        iterative_filtering(x, 0.1, 1.0)


def test_both_filters_work_as_gradient_aggregators_on_batches():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 10, 2))
    x[..., 0, :] = 40.0
    for agg in (spectral_aggregator(0.1, 1.0), filtering_aggregator(0.1, 1.0)):
        out = agg(x)
        assert out.shape == (2, 3, 2)
        assert np.allclose(out, x[..., 1:, :].mean(axis=-2), atol=1e-6)
