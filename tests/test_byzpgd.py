"""ByzantinePGD (Algorithm 3): the pseudocode's bookkeeping, the oracle contract, test functions, baselines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundlab.bounds import BadInput
from boundlab.montecarlo import median
from boundlab.montecarlo._byzpgd import (
    ORACLES,
    OracleContext,
    WorkerOracle,
    byzantine_pgd,
    byzantine_pgd_looped,
    checked_oracle,
    cos_saddle,
    inexact_gd,
    is_sosp,
    make_oracle,
    mixed_oracle,
    quartic,
    sine_class,
    thm43_parameters,
    uniform_ball,
)

FUNCTIONS = [cos_saddle(1), cos_saddle(3, lam=0.5, a=[0.1, 2.0]), quartic(), sine_class(0.04, s=0.3)]


def ctx_for(w, escaping=False, w_tilde=None, seed=0):
    B = w.shape[0]
    wt = np.full_like(w, np.nan) if w_tilde is None else w_tilde
    return OracleContext(np.full(B, escaping), wt, 1.0, np.random.default_rng(seed), np.arange(B))


@pytest.mark.parametrize("F", FUNCTIONS, ids=lambda F: F.name)
def test_gradients_and_hessians_match_finite_differences(F):
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, (5, F.d))
    h = 1e-6
    for k in range(F.d):
        e = np.zeros(F.d)
        e[k] = h
        fd = (F.value(w + e) - F.value(w - e)) / (2 * h)
        assert np.allclose(fd, F.grad(w)[:, k], atol=1e-7)
        fdg = (F.grad(w + e) - F.grad(w - e)) / (2 * h)
        assert np.allclose(fdg, F.hess(w)[:, :, k], atol=1e-6)
    assert np.allclose(F.lambda_min(w), np.linalg.eigvalsh(F.hess(w))[:, 0])


@pytest.mark.parametrize("F", FUNCTIONS, ids=lambda F: F.name)
def test_the_difference_formula_equals_the_difference_of_values(F):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, (50, F.d)), rng.uniform(-1, 1, (50, F.d))
    assert np.allclose(F.diff(x, y), F.value(x) - F.value(y), atol=1e-13)


@pytest.mark.parametrize("name", sorted(ORACLES))
@given(data=st.data())
def test_every_registered_oracle_keeps_its_delta_contract(name, data):
    F = cos_saddle(2)
    Delta = data.draw(st.sampled_from([1e-13, 1e-6, 0.1]), label="Delta")
    scale = data.draw(st.sampled_from([1e-14, 1e-7, 1e-2, 1.0, 10.0]), label="scale")
    w = np.random.default_rng(data.draw(st.integers(0, 100), label="seed")).standard_normal((20, 2)) * scale
    g = make_oracle(name, F, Delta)(w, ctx_for(w, escaping=True, w_tilde=np.zeros_like(w)))  # checked: would raise
    true = F.grad(w)
    slack = 8 * np.finfo(float).eps * (np.linalg.norm(true, axis=1) + np.linalg.norm(g, axis=1))
    assert np.all(np.linalg.norm(g - true, axis=1) <= Delta + slack)


def test_a_violating_oracle_raises_naming_the_point_and_the_excess():
    F = cos_saddle(2)
    bad = checked_oracle(lambda w, ctx: F.grad(w) + np.array([0.0, 3e-3]), F, 1e-3, "push")
    w = np.array([[0.5, 0.25]])
    with pytest.raises(
        BadInput, match=r"oracle push .* at w = \[0\.5  0\.25\]\) must be <= Delta \(0\.001\): excess 0\.002"
    ):
        bad(w, ctx_for(w))


def test_a_violation_during_a_run_stops_the_run():
    F = cos_saddle(1)
    bad = checked_oracle(lambda w, ctx: F.grad(w) + 2e-6 * ctx.escaping[:, None], F, 1e-6, "late")
    with pytest.raises(BadInput, match="oracle late"):
        byzantine_pgd(
            F, bad, np.zeros((2, 1)), eta=1, eps=3e-6, r=1e-3, R=1e-2, Q=2, T_th=5, rng=np.random.default_rng(0)
        )


def test_honest_runs_escape_the_saddle_and_end_at_a_second_order_stationary_point():
    F = cos_saddle(2)
    res = byzantine_pgd(
        F,
        make_oracle("honest", F, 1e-6),
        np.zeros((20, 2)),
        eta=1.0,
        eps=3e-6,
        r=1e-3,
        R=1e-2,
        Q=5,
        T_th=30,
        rng=np.random.default_rng(0),
    )
    assert res.terminated.all() and np.all(res.escapes >= 1)
    assert np.all(is_sosp(F.grad(res.output), F.hess(res.output), 4e-6, 0.0))


def test_under_the_zero_oracle_the_output_is_the_start_and_every_round_is_spent():
    """Proposition 4.1: w~ = w0 exactly (the output is w~, not the last Escape iterate)."""
    Delta = 0.04
    F = sine_class(Delta, s=1.1)
    w0 = np.array([[0.3], [-2.0]])
    Q, T = 4, 7
    res = byzantine_pgd(
        F,
        make_oracle("zero_if_small", F, Delta),
        w0,
        eta=1.0,
        eps=3 * Delta,
        r=0.1,
        R=0.5,
        Q=Q,
        T_th=T,
        rng=np.random.default_rng(0),
    )
    assert np.array_equal(res.output, w0)
    assert np.array_equal(res.calls, np.full(2, 1 + Q * (T + 1)))
    s_star = math.pi / 4 - w0[:, 0] / math.sqrt(Delta)
    worst = [sine_class(Delta, s=float(s)) for s in s_star]
    for i, G in enumerate(worst):
        assert abs(G.grad(res.output[i : i + 1])[0, 0]) > Delta / 2
        assert G.lambda_min(res.output[i : i + 1])[0] < -math.sqrt(Delta) / 2


def test_an_escape_round_makes_t_th_plus_one_calls_before_it_fails():
    F = cos_saddle(1)
    res = byzantine_pgd(
        F,
        make_oracle("cancel_escape", F, 1e-3),
        np.zeros((3, 1)),
        eta=1.0,
        eps=3e-3,
        r=1e-4,
        R=1.0,
        Q=3,
        T_th=6,
        rng=np.random.default_rng(0),
    )
    assert np.array_equal(res.calls, np.full(3, 1 + 3 * 7))
    assert np.array_equal(res.escape_calls, np.ones(3))
    assert np.all(res.output == 0)


def test_after_an_escape_the_gradient_of_the_escape_point_is_reused():
    F = cos_saddle(1)
    res = byzantine_pgd(
        F,
        make_oracle("honest", F, 1e-9),
        np.zeros((1, 1)),
        eta=1.0,
        eps=3e-9,
        r=1e-3,
        R=1e-2,
        Q=1,
        T_th=40,
        rng=np.random.default_rng(0),
        record=1,
    )
    tr = res.trajectory[:, 0, 0]
    k = int(np.argmax(np.abs(tr - tr[1]) >= 1e-2))  # first query at distance >= R from the round start
    assert tr[k + 1] == pytest.approx(tr[k] + math.sin(tr[k]), abs=1e-15)


def test_batched_and_looped_runs_agree_in_what_the_theorem_guarantees():
    F = cos_saddle(2)
    kw = dict(eta=1.0, eps=3e-6, r=1e-3, R=1e-2, Q=5, T_th=30)
    batched = byzantine_pgd(
        F, make_oracle("pull_to_center", F, 1e-6), np.zeros((6, 2)), rng=np.random.default_rng(0), **kw
    )
    looped = byzantine_pgd_looped(
        F, lambda: make_oracle("pull_to_center", F, 1e-6), np.zeros((6, 2)), rng=np.random.default_rng(0), **kw
    )
    lam_b = F.lambda_min(batched.output)
    lam_l = np.array([F.lambda_min(r.output)[0] for r in looped])
    assert np.all(lam_b > 0) and np.all(lam_l > 0)
    assert np.allclose(np.abs(batched.output[:, 1]), math.pi, atol=1e-5)
    assert np.allclose(np.abs([r.output[0, 1] for r in looped]), math.pi, atol=1e-5)


def test_a_miscoded_radius_r_equal_delta_is_trapped_by_cancel_escape():
    p = thm43_parameters(L_F=1, rho_F=1, d=1, Delta=1e-11, delta=0.1, F_gap=2)
    F = cos_saddle(1)
    kw = dict(eta=1.0, eps=p["eps"], R=p["R"], Q=p["Q"], T_th=p["T_th"], rng=np.random.default_rng(0))
    good = byzantine_pgd(F, make_oracle("cancel_escape", F, 1e-11), np.zeros((20, 1)), r=p["r"], **kw)
    bad = byzantine_pgd(F, make_oracle("cancel_escape", F, 1e-11), np.zeros((20, 1)), r=1e-11, **kw)
    assert np.all(F.lambda_min(good.output) > 0)
    assert np.all(F.lambda_min(bad.output) == -1)


def test_robust_gd_started_in_the_band_never_moves_along_the_escape_direction():
    F = cos_saddle(2)
    w0 = np.array([[0.3, 0.004], [-0.2, -0.005]])
    w, far, _ = inexact_gd(F, make_oracle("cancel_escape", F, 0.005), w0, eta=1.0, steps=200)
    assert np.array_equal(w[:, 1], w0[:, 1])
    assert np.all(far <= np.linalg.norm(w0, axis=1))


def test_gd_on_the_quartic_started_inside_delta_stays_and_its_gap_is_at_least_9_64():
    F = quartic()
    Delta = 0.5
    w0 = np.linspace(-Delta, Delta, 11)[:, None]
    w, _, _ = inexact_gd(F, make_oracle("zero_near_saddle", F, Delta), w0, eta=0.25, steps=100)
    assert np.array_equal(w, w0)
    assert np.all(F.value(w) >= 9 / 64)


def test_worker_oracle_measures_the_aggregator_inexactness_and_can_enforce_a_contract():
    F = cos_saddle(2)
    noise = np.random.default_rng(0).standard_normal((4, 18, 2)) * 0.01
    o = WorkerOracle(F, median, noise, q=2, attack="large_value", rng=np.random.default_rng(1))
    w = np.random.default_rng(2).standard_normal((4, 2))
    g = o(w, ctx_for(w))
    assert np.allclose(o.max_error, np.linalg.norm(g - F.grad(w), axis=1))
    strict = WorkerOracle(F, median, noise, q=2, attack="large_value", rng=np.random.default_rng(1), Delta=1e-9)
    with pytest.raises(BadInput, match="oracle workers"):
        strict(w, ctx_for(w))


def test_mixed_oracle_assigns_each_trial_its_own_adversary():
    F = cos_saddle(1)
    o = mixed_oracle(["honest", "zero_if_small"], np.array([1, 0, 1]), F, 0.1)
    w = np.full((3, 1), 0.05)
    g = o(w, ctx_for(w))
    assert g[0, 0] == 0 and g[2, 0] == 0 and g[1, 0] == pytest.approx(-math.sin(0.05))


@given(d=st.integers(1, 6), seed=st.integers(0, 50))
def test_uniform_ball_samples_stay_inside_and_the_sphere_samples_on_it(d, seed):
    rng = np.random.default_rng(seed)
    assert np.all(np.linalg.norm(uniform_ball(rng, 100, d, 0.3), axis=1) <= 0.3 + 1e-15)
    assert np.allclose(np.linalg.norm(uniform_ball(rng, 100, d, 0.3, sphere=True), axis=1), 0.3)


def test_the_radius_of_a_uniform_ball_sample_has_the_right_law():
    rng = np.random.default_rng(3)
    rad = np.linalg.norm(uniform_ball(rng, 20000, 3, 1.0), axis=1)
    assert abs(np.mean(rad**3 <= 0.5) - 0.5) < 0.02


INVALID = [
    (dict(eta=0.0), "eta (0.0) must be a finite number > 0"),
    (dict(eps=-1.0), "eps (-1.0) must be a finite number > 0"),
    (dict(r=math.inf), "r (inf) must be a finite number > 0"),
    (dict(Q=0), "Q (0) must be an integer >= 1"),
    (dict(T_th=2.5), r"T_th \(2.5\) must be an integer >= 1"),
    (dict(w0=np.zeros((2, 3))), r"w \(shape \(2, 3\)\) must have shape \(B, 2\)"),
]


@pytest.mark.parametrize("change,message", INVALID)
def test_invalid_arguments_raise_bad_input(change, message):
    F = cos_saddle(2)
    kw = dict(eta=1.0, eps=3e-6, r=1e-3, R=1e-2, Q=2, T_th=5, w0=np.zeros((2, 2)))
    kw.update(change)
    w0 = kw.pop("w0")
    with pytest.raises(
        BadInput, match=message.replace("(", r"\(").replace(")", r"\)") if "\\" not in message else message
    ):
        byzantine_pgd(F, make_oracle("honest", F, 1e-6), w0, rng=np.random.default_rng(0), **kw)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: make_oracle("nope", cos_saddle(1), 0.1), "oracle \\('nope'\\) must be one of"),
        (lambda: make_oracle("honest", cos_saddle(1), 0.0), r"Delta \(0.0\) must be a finite number > 0"),
        (lambda: cos_saddle(0), r"d \(0\) must be an integer >= 1"),
        (lambda: cos_saddle(2, lam=-1.0), r"lam \(-1.0\) must be > 0"),
        (lambda: sine_class(2.0), r"Delta \(2.0\) must be in \(0, 1\]"),
    ],
)
def test_invalid_constructions_raise_bad_input(call, message):
    with pytest.raises(BadInput, match=message):
        call()
