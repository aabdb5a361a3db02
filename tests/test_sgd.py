"""Batched mini-batch SGD: sampling with replacement, projection, mechanisms, coupling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boundlab.bounds import BadInput
from boundlab.montecarlo._sgd import (
    GLMProblem,
    Mechanism,
    PointsProblem,
    Replacement,
    SoftmaxProblem,
    apply_mechanism,
    minibatch_sgd,
)
from boundlab.montecarlo._stats import t_interval


def _points():
    d = 3
    return PointsProblem(np.concatenate([np.eye(d), -np.eye(d)]), 1.0), np.array([0.9, 0.0, 0.0])


def test_batched_trials_equal_a_loop_over_trials_with_the_same_draws():
    prob, w0 = _points()
    R = 5
    batched = minibatch_sgd(prob, np.tile(w0, (R, 1)), B=2, gamma=0.1, T=10, rng=np.random.default_rng(3)).w
    rng = np.random.default_rng(3)
    idx = [rng.integers(0, prob.n, (R, 2)) for _ in range(5)]
    w = np.tile(w0, (R, 1))
    for k in range(5):
        for r in range(R):
            w[r] = w[r] - 0.1 * prob.per_sample(w[r : r + 1], idx[k][r : r + 1])[0].sum(0)
    assert np.allclose(batched, w)


def test_one_step_mean_squared_distance_matches_the_construction_recursion():
    prob, w0 = _points()
    gamma, B = 0.05, 4
    res = minibatch_sgd(prob, w0, B=B, gamma=gamma, T=B, rng=np.random.default_rng(0), R=200_000)
    m, lo, hi = t_interval(np.sum(res.w**2, 1), 0.999)
    exact = (1 - gamma * B) ** 2 * 0.81 + gamma**2 * B
    assert lo <= exact <= hi


def test_sampling_is_with_replacement():
    prob = PointsProblem(np.eye(2), 1.0)
    res = minibatch_sgd(prob, np.zeros(2), B=2, gamma=1.0, T=2, rng=np.random.default_rng(0), R=4000)
    # with replacement both indices coincide with probability 1/2: w = 2 x_i for that trial
    same = np.isclose(np.abs(res.w).max(1), 2.0)
    assert 0.45 < same.mean() < 0.55


def test_projection_keeps_iterates_in_the_ball():
    prob, w0 = _points()
    res = minibatch_sgd(
        prob,
        w0,
        B=8,
        gamma=2.0,
        T=80,
        rng=np.random.default_rng(1),
        R=50,
        radius=0.5,
        record=lambda w: np.linalg.norm(w, axis=1),
    )
    assert res.trace[1:].max() <= 0.5 + 1e-12


def test_dropconnect_keeps_each_coordinate_with_probability_one_minus_p():
    g = np.ones((2000, 3, 4))
    out = apply_mechanism(g, Mechanism("drop", 0.4), np.random.default_rng(0))
    assert set(np.unique(out)) <= {0.0, 1.0} and abs(out.mean() - 0.6) < 0.01


def test_quantization_is_unbiased_with_second_moment_l2_times_l1():
    v = np.array([3.0, -1.0, 0.5])
    q = apply_mechanism(np.broadcast_to(v, (200_000, 1, 3)), Mechanism("quant"), np.random.default_rng(0))[:, 0]
    assert np.allclose(q.mean(0), v, atol=0.03)
    assert math.isclose(np.mean(np.sum(q * q, 1)), np.linalg.norm(v) * np.abs(v).sum(), rel_tol=0.01)


def test_quantization_maps_zero_to_zero_and_sgld_zero_noise_is_identity():
    z = np.zeros((1, 1, 3))
    assert not np.any(apply_mechanism(z, Mechanism("quant"), np.random.default_rng(0)))
    g = np.arange(6.0).reshape(1, 2, 3)
    assert np.array_equal(apply_mechanism(g, Mechanism("sgld", 0.0), np.random.default_rng(0)), g)


def test_runs_from_the_same_seed_are_coupled_and_differ_only_through_the_replaced_point():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), np.sign(rng.standard_normal(20))
    prob = GLMProblem(X, y, "logistic")
    rep = Replacement(np.array([0, 1]), np.zeros((2, 3)), np.ones(2))
    kw = dict(B=2, gamma=0.1, T=20, R=2)
    a = minibatch_sgd(prob, np.zeros(3), rng=np.random.default_rng(5), **kw).w
    b = minibatch_sgd(prob, np.zeros(3), rng=np.random.default_rng(5), **kw).w
    c = minibatch_sgd(prob, np.zeros(3), rng=np.random.default_rng(5), replace=rep, **kw).w
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_softmax_batch_sum_equals_the_sum_of_per_sample_gradients():
    rng = np.random.default_rng(0)
    prob = SoftmaxProblem(rng.standard_normal((30, 4)), rng.integers(0, 3, 30), 3)
    w, idx = rng.standard_normal((2, 12)), rng.integers(0, 30, (2, 5))
    assert np.allclose(prob.batch_sum(w, idx), prob.per_sample(w, idx).sum(1))
    assert np.allclose(prob.full_gradients(w[0]).shape, (30, 12))


def test_glm_full_gradient_is_the_mean_of_per_sample_gradients():
    rng = np.random.default_rng(2)
    prob = GLMProblem(rng.standard_normal((15, 3)), np.sign(rng.standard_normal(15)), "hinge", ridge=0.1)
    w = rng.standard_normal((1, 3))
    assert np.allclose(prob.full_grad(w)[0], prob.per_sample(w, np.arange(15)[None])[0].mean(0))


def test_per_trial_step_sizes_match_separate_runs():
    prob, w0 = _points()
    both = minibatch_sgd(
        prob, np.tile(w0, (2, 1)), B=1, gamma=np.array([0.1, 0.2]), T=5, rng=np.random.default_rng(0)
    ).w
    assert both.shape == (2, 3)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"B": 0}, r"B \(0\) must be an integer >= 1"),
        ({"T": 5, "B": 2}, r"T \(5\) must be a multiple of B \(2\)"),
        ({"gamma": -1.0}, r"gamma \(-1.0\) must be"),
        ({"gamma": np.array([0.1, 0.2, 0.3])}, r"gamma \(length 3\)"),
    ],
)
def test_invalid_arguments_raise_bad_input(kwargs, message):
    prob, w0 = _points()
    base = {"B": 2, "gamma": 0.1, "T": 4, "R": 2}
    with pytest.raises(BadInput, match=message):
        minibatch_sgd(prob, w0, rng=np.random.default_rng(0), **{**base, **kwargs})


@pytest.mark.parametrize("kind,level,message", [("drop", 1.0, "p"), ("sgld", -1.0, "sigma"), ("magic", 0, "mechanism")])
def test_invalid_mechanisms_raise_bad_input(kind, level, message):
    with pytest.raises(BadInput, match=message):
        Mechanism(kind, level)
