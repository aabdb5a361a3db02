"""Batched simulators of Algorithms 1 and 2: exact per-step inequalities, bit-identity with per-trial
runs, a naive reference implementation, projection, Byzantine row placement and argument checks.

The aggregators and attacks here are local stand-ins (``np.median(x, axis=-2)``, lambdas), so these
tests do not depend on ``_aggregators``/``_attacks``; one test at the end runs the real ones.
"""

from __future__ import annotations

import functools
import importlib.util
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from boundlab.bounds import BadInput
from boundlab.montecarlo._problems import ModelAN, ModelE, ModelG, ModelR, QuadraticProblem, QuadraticStats
from boundlab.montecarlo._simulators import GDResult, byzantine_count, one_round, project_ball, robust_gd


def median(x):
    return np.median(x, axis=-2)


def mean(x):
    return np.mean(x, axis=-2)


def trmean(x, beta=None, *, k=None):
    m = x.shape[-2]
    k = int(math.floor(beta * m)) if k is None else k
    return np.sort(x, axis=-2)[..., k : m - k, :].mean(axis=-2)


def big(c):
    return lambda honest, q, rng, ctx: np.full(honest.shape[:-2] + (q, honest.shape[-1]), float(c))


def stall(honest, q, rng, ctx):  # A2: -c sign(grad F(w)), deterministic
    return np.broadcast_to(-1e3 * np.sign(ctx.grad_F)[..., None, :], honest.shape[:-2] + (q, honest.shape[-1]))


def inside(honest, q, rng, ctx):  # A3': the honest maximum, deterministic
    return np.repeat(honest.max(axis=-2, keepdims=True), q, axis=-2)


def noisy(honest, q, rng, ctx):  # random: the honest mean plus N(0, 10^2)
    return honest.mean(axis=-2, keepdims=True) + 10 * rng.standard_normal(honest.shape[:-2] + (q, honest.shape[-1]))


ATTACKS = {"big": big(1e6), "minus-big": big(-1e6), "stall": stall, "inside": inside, "noisy": noisy}
DETERMINISTIC = ["big", "stall", "inside"]


def _kappa(p):
    return p.lambda_F / (p.L_F + p.lambda_F)


def _quadratic(lam, L, theta, noise):
    Q = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    return QuadraticProblem(Q @ np.diag([lam, L]) @ Q.T, w_star=[0.5, -1.0], noise=noise)


def _per_trial_stats(problem, seed, R, m, n):
    """Trial r sampled alone from child r of SeedSequence(seed): the per-trial random streams."""
    kids = np.random.SeedSequence(seed).spawn(R)
    return [problem.sample(np.random.default_rng(k), 1, m, n) for k in kids]


# ---------------------------------------------------------------------------------------------
# convergence and the exact recursion (3.31)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "problem",
    [ModelR(d=3, sigma=0.0, radius=2.0, w_star=[1.0, -1.0, 0.5]), _quadratic(0.2, 1.0, 0.3, 0.0)],
    ids=["model-R", "quadratic"],
)
def test_mean_gd_without_attack_on_a_noiseless_problem_converges_to_w_star(problem):
    s = problem.sample(np.random.default_rng(0), 5, 7, 30)
    w0 = problem.w_star + 1.0 / math.sqrt(problem.d)
    res = robust_gd(problem, s, aggregator=mean, T=200, w0=w0)
    assert res.dist_to_opt[:, 0] == pytest.approx(1.0)
    assert np.all(res.dist_to_opt[:, -1] < 1e-12)
    assert np.all(res.F_gap[:, -1] < 1e-20) and np.all(res.grad_norm[:, -1] < 1e-12)


@given(
    lam=st.floats(0.05, 1.0),
    L=st.floats(1.0, 5.0),
    theta=st.floats(0.0, 3.2),
    noise=st.floats(0.0, 0.5),
    attack=st.sampled_from([None, *ATTACKS]),
    agg=st.sampled_from(["median", "mean", "trmean"]),
    radius=st.sampled_from([None, 1.5, 4.0]),
    seed=st.integers(0, 2**32 - 1),
)
@example(lam=0.5, L=1.0, theta=0.0, noise=0.0, attack=None, agg="mean", radius=None, seed=0)
@example(lam=0.3, L=3.0, theta=0.7, noise=0.01, attack="big", agg="median", radius=1.5, seed=1)
def test_recursion_3_31_holds_at_every_step_with_the_realised_gradient_error(
    lam, L, theta, noise, attack, agg, radius, seed
):
    p = _quadratic(lam, L, theta, noise)
    m, q = 9, (0 if attack is None else 2)
    rng = np.random.default_rng(seed)
    s = p.sample(rng, 6, m, 20)
    w0 = p.w_star + project_ball(rng.standard_normal((6, 2)), np.zeros(2), 1.4)
    aggregator = {"median": median, "mean": mean, "trmean": functools.partial(trmean, k=2)}[agg]
    res = robust_gd(p, s, aggregator=aggregator, T=12, w0=w0, q=q, attack=ATTACKS.get(attack), rng=rng, radius=radius)
    lhs = res.dist_to_opt[:, 1:]
    rhs = (1 - _kappa(p)) * res.dist_to_opt[:, :-1] + res.grad_error / p.L_F
    assert np.all(lhs <= rhs + 1e-12 * np.maximum(1.0, rhs))


@given(attack=st.sampled_from(list(ATTACKS)), seed=st.integers(0, 2**32 - 1), radius=st.sampled_from([None, 0.7]))
def test_recursion_3_31_holds_on_model_r_under_attack(attack, seed, radius):
    p = ModelR(d=3, sigma=1.0, radius=1.0)
    rng = np.random.default_rng(seed)
    s = p.sample(rng, 8, 11, 25)
    res = robust_gd(
        p, s, aggregator=median, T=10, w0=[0.4, 0.0, -0.3], q=3, attack=ATTACKS[attack], rng=rng, radius=radius
    )
    rhs = (1 - _kappa(p)) * res.dist_to_opt[:, :-1] + res.grad_error / p.L_F
    assert np.all(res.dist_to_opt[:, 1:] <= rhs + 1e-12 * np.maximum(1.0, rhs))


# ---------------------------------------------------------------------------------------------
# projection
# ---------------------------------------------------------------------------------------------


@given(radius=st.floats(0.1, 3.0), seed=st.integers(0, 2**32 - 1), c=st.sampled_from([1e6, -1e6, 5.0]))
def test_projection_keeps_every_iterate_in_the_ball_around_w_star(radius, seed, c):
    p = ModelR(d=4, sigma=1.0, radius=radius, w_star=[1.0, 2.0, 3.0, 4.0])
    rng = np.random.default_rng(seed)
    s = p.sample(rng, 5, 7, 10)
    res = robust_gd(p, s, aggregator=mean, T=6, w0=p.w_star, q=3, attack=big(c), rng=rng, radius=radius)
    assert np.all(res.dist_to_opt <= radius * (1 + 1e-12))
    np.testing.assert_allclose(np.linalg.norm(res.w - p.w_star, axis=-1), res.dist_to_opt, rtol=1e-15)
    if abs(c) > 1e3:  # the mean is dragged far away, so the projection is active
        np.testing.assert_allclose(res.dist_to_opt[:, 1:], radius, rtol=1e-12)


def test_project_ball_is_the_identity_inside_and_radial_outside():
    c = np.array([1.0, -1.0])
    w = np.array([[1.5, -1.0], [1.0, 3.0], [1.0, -1.0]])
    np.testing.assert_array_equal(project_ball(w, c, 1.0), [[1.5, -1.0], [1.0, 0.0], [1.0, -1.0]])


# ---------------------------------------------------------------------------------------------
# batched = per trial; reference implementation
# ---------------------------------------------------------------------------------------------


@given(
    R=st.integers(1, 5),
    m=st.integers(1, 9),
    d=st.integers(1, 4),
    T=st.integers(0, 8),
    attack=st.sampled_from([None, *DETERMINISTIC]),
    agg=st.sampled_from(["median", "mean"]),
    radius=st.sampled_from([None, 0.8]),
    seed=st.integers(0, 2**32 - 1),
)
def test_batched_run_is_bit_identical_to_per_trial_runs_with_the_same_per_trial_streams(
    R, m, d, T, attack, agg, radius, seed
):
    p = ModelR(d=d, sigma=0.9, radius=1.0)
    parts = _per_trial_stats(p, seed, R, m, 12)
    q = 0 if attack is None else (m - 1) // 2
    kw = dict(
        aggregator=median if agg == "median" else mean,
        T=T,
        w0=np.full(d, 0.3 / math.sqrt(d)),
        q=q,
        attack=ATTACKS.get(attack) if q else None,
        rng=np.random.default_rng(0) if q else None,
        radius=radius,
    )
    batched = robust_gd(p, QuadraticStats.concatenate(parts), **kw)
    single = GDResult.concatenate([robust_gd(p, part, **kw) for part in parts])
    for field in ("w", "w_final", "dist_to_opt", "grad_error", "F_gap", "grad_norm"):
        assert np.array_equal(getattr(batched, field), getattr(single, field)), field


def test_chunked_runs_with_spawned_seeds_reproduce_a_random_attack_per_chunk():
    p = ModelR(d=2, sigma=1.0)
    s = p.sample(np.random.default_rng(3), 6, 9, 20)
    kids = np.random.SeedSequence(11).spawn(2)

    def run(st_, kid):
        return robust_gd(
            p, st_, aggregator=median, T=5, w0=[0.5, 0.5], q=2, attack=noisy, rng=np.random.default_rng(kid)
        )

    whole = GDResult.concatenate([run(s.take(slice(0, 3)), kids[0]), run(s.take(slice(3, 6)), kids[1])])
    again = GDResult.concatenate([run(s.take(slice(0, 3)), kids[0]), run(s.take(slice(3, 6)), kids[1])])
    assert np.array_equal(whole.w, again.w)


def _reference_gd(H, b, w0, q, attack, aggregator, eta, T, radius, w_star):
    """Algorithm 1 for one trial written with explicit loops over machines and coordinates."""
    m, d = b.shape
    w = np.array(w0, dtype=float)
    out = [w]
    for t in range(T):
        honest = np.array([H[i] @ w - b[i] for i in range(q, m)])
        ctx = type("Ctx", (), {"w": w[None], "grad_F": (w - w_star)[None], "w_star": w_star, "t": t, "k": None})
        byz = np.asarray(attack(honest[None], q, None, ctx))[0] if q else np.zeros((0, d))
        msgs = np.vstack([byz, honest])
        g = np.array([aggregator(msgs[:, k]) for k in range(d)])
        w = w - eta * g
        if radius is not None and np.linalg.norm(w - w_star) > radius:
            w = w_star + (w - w_star) * radius / np.linalg.norm(w - w_star)
        out.append(w)
    return np.array(out)


@pytest.mark.parametrize("attack", [None, "big", "stall", "inside"])
@pytest.mark.parametrize("radius", [None, 0.5])
def test_batched_simulator_matches_a_naive_loop_over_machines_and_coordinates(attack, radius):
    p = ModelR(d=3, sigma=1.0, radius=1.0, w_star=[0.2, -0.1, 0.0])
    s = p.sample(np.random.default_rng(5), 4, 7, 15)
    q = 0 if attack is None else 3
    res = robust_gd(
        p,
        s,
        aggregator=median,
        T=7,
        w0=[0.4, 0.0, 0.1],
        q=q,
        attack=ATTACKS.get(attack),
        rng=np.random.default_rng(0),
        radius=radius,
        eta=0.8,
    )
    for r in range(4):
        ref = _reference_gd(
            s.H[r], s.b[r], [0.4, 0.0, 0.1], q, ATTACKS.get(attack), np.median, 0.8, 7, radius, p.w_star
        )
        np.testing.assert_allclose(res.w[r], ref, rtol=1e-12, atol=1e-14)


def test_diagnostics_are_the_population_quantities_along_the_trajectory():
    p = ModelAN(d=2, phi="cos", a=3.0)
    s = p.sample(np.random.default_rng(0), 3, 5, 10)
    res = robust_gd(p, s, aggregator=median, T=4, w0=[1.0, 2.0])
    assert res.eta == 1 / 4  # default eta = 1/L_F with L_F = 1 + a
    np.testing.assert_allclose(res.F_gap, p.F(res.w) - p.F_star, rtol=1e-14)
    np.testing.assert_allclose(res.grad_norm, np.linalg.norm(p.grad_F(res.w), axis=-1), rtol=1e-14)
    np.testing.assert_allclose(res.dist_to_opt, np.linalg.norm(res.w - p.w_star, axis=-1), rtol=1e-14)
    g = median(p.local_gradients(s, res.w[:, 0]))
    np.testing.assert_allclose(res.w[:, 1], res.w[:, 0] - 0.25 * g, rtol=1e-14)
    np.testing.assert_allclose(res.grad_error[:, 0], np.linalg.norm(g - p.grad_F(res.w[:, 0]), axis=-1))


def test_record_false_keeps_the_diagnostics_and_the_final_iterate_only():
    p = ModelE()
    s = p.sample(np.random.default_rng(0), 4, 5, 10)
    a = robust_gd(p, s, aggregator=median, T=3, w0=[0.0])
    b = robust_gd(p, s, aggregator=median, T=3, w0=[0.0], record=False)
    assert b.w is None and np.array_equal(a.w_final, b.w_final) and np.array_equal(a.dist_to_opt, b.dist_to_opt)
    assert np.array_equal(a.w[:, -1], a.w_final)


def test_model_e_one_median_step_with_unit_step_lands_on_the_median_of_machine_means():
    p = ModelE()
    s = p.sample(np.random.default_rng(0), 50, 11, 10)
    res = robust_gd(p, s, aggregator=median, T=1, w0=[0.3])
    np.testing.assert_allclose(res.w_final[:, 0], np.median(s.b[..., 0], axis=1), rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# Byzantine rows and the attack context
# ---------------------------------------------------------------------------------------------


def test_byzantine_rows_are_the_first_q_and_honest_rows_use_the_fixed_data_of_the_other_machines():
    p = ModelR(d=2, sigma=1.0)
    s = p.sample(np.random.default_rng(0), 3, 7, 10)
    seen, calls = [], []
    marker = 12345.0

    def spy_aggregator(x):
        seen.append(x.copy())
        return np.median(x[..., 3:, :], axis=-2)

    def spy_attack(honest, q, rng, ctx):
        calls.append((honest.copy(), q, rng, ctx))
        return np.full(honest.shape[:-2] + (q, honest.shape[-1]), marker)

    rng = np.random.default_rng(1)
    res = robust_gd(
        p, s, aggregator=functools.partial(spy_aggregator), T=4, w0=[0.1, 0.2], q=3, attack=spy_attack, rng=rng, k=1
    )
    assert len(seen) == len(calls) == 4
    for t, (x, (honest, q, r, ctx)) in enumerate(zip(seen, calls)):
        # the simulator multiplies in the layout for repeated products (same arithmetic whatever R is)
        expected_honest = p.local_gradients(s.machines(slice(3, None)).for_products(), res.w[:, t])
        assert x.shape == (3, 7, 2) and q == 3 and r is rng
        assert np.all(x[:, :3] == marker)
        np.testing.assert_array_equal(x[:, 3:], expected_honest)
        np.testing.assert_array_equal(honest, expected_honest)
        np.testing.assert_array_equal(ctx.w, res.w[:, t])
        np.testing.assert_array_equal(ctx.grad_F, res.w[:, t] - p.w_star)
        assert ctx.t == t and ctx.k == 1
        np.testing.assert_array_equal(ctx.w_star, p.w_star)


@pytest.mark.parametrize("kw,k", [({"k": 2}, 2), ({"beta": 0.2}, 2), ({"beta": 0.1}, 1)])
def test_attack_context_reads_the_trim_count_from_a_trimmed_mean_partial(kw, k):
    p = ModelR(d=2)
    s = p.sample(np.random.default_rng(0), 2, 10, 5)
    got = []
    attack = lambda h, q, rng, ctx: got.append(ctx.k) or inside(h, q, rng, ctx)  # noqa: E731
    robust_gd(
        p,
        s,
        aggregator=functools.partial(trmean, **kw),
        T=1,
        w0=[0.0, 0.0],
        q=1,
        attack=attack,
        rng=np.random.default_rng(0),
    )
    assert got == [k]


def test_the_attack_context_carries_the_aggregator_in_use_in_both_algorithms():
    p = ModelR(d=2)
    s = p.sample(np.random.default_rng(0), 2, 10, 5)
    agg = functools.partial(trmean, k=2)
    got = []
    attack = lambda h, q, rng, ctx: got.append(ctx.aggregator) or inside(h, q, rng, ctx)  # noqa: E731
    robust_gd(p, s, aggregator=agg, T=2, w0=[0.0, 0.0], q=1, attack=attack, rng=np.random.default_rng(0))
    g = ModelG(d=2, sigma=1.0)
    one_round(
        g,
        g.sample(np.random.default_rng(0), 2, 10, 30),
        aggregator=agg,
        q=1,
        attack=attack,
        rng=np.random.default_rng(0),
    )
    assert len(got) == 3 and all(a is agg for a in got)


def test_alpha_is_accepted_instead_of_q():
    p = ModelR(d=2)
    s = p.sample(np.random.default_rng(0), 2, 40, 5)
    res = robust_gd(
        p, s, aggregator=median, T=2, w0=[0.0, 0.0], alpha=0.05, attack=big(1.0), rng=np.random.default_rng(0)
    )
    assert res.q == 2 and res.alpha == 0.05


# ---------------------------------------------------------------------------------------------
# Algorithm 2
# ---------------------------------------------------------------------------------------------


def test_one_round_without_attack_is_the_coordinate_median_of_the_local_least_squares_solutions():
    p = ModelG(d=3, sigma=1.0, w_star=[1.0, 0.0, -1.0])
    s = p.sample(np.random.default_rng(0), 5, 9, 20)
    res = one_round(p, s)
    local = np.array([[np.linalg.lstsq(s.H[r, i], s.b[r, i], rcond=None)[0] for i in range(9)] for r in range(5)])
    np.testing.assert_allclose(res.w_hat, np.median(local, axis=1), rtol=1e-10)
    np.testing.assert_allclose(res.error, np.linalg.norm(res.w_hat - p.w_star, axis=-1))


@given(seed=st.integers(0, 2**32 - 1), c=st.sampled_from([1e6, -1e6, 0.0]))
def test_one_round_median_stays_within_the_honest_range_whatever_the_byzantine_vectors(seed, c):
    p = ModelG(d=2, sigma=1.0)
    s = p.sample(np.random.default_rng(seed), 4, 11, 30)
    seen = []
    agg = lambda x: seen.append(x) or median(x)  # noqa: E731
    res = one_round(p, s, aggregator=agg, q=5, attack=big(c), rng=np.random.default_rng(0))
    honest = p.local_minimizers(s.machines(slice(5, None)))
    assert np.all(seen[0][:, :5] == c)
    np.testing.assert_array_equal(seen[0][:, 5:], honest)
    assert np.all(res.w_hat >= honest.min(axis=1)) and np.all(res.w_hat <= honest.max(axis=1))


def test_one_round_on_model_e_is_the_median_of_machine_means():
    s = ModelE().sample(np.random.default_rng(0), 20, 9, 10)
    res = one_round(ModelE(), s)
    np.testing.assert_array_equal(res.w_hat[:, 0], np.median(s.b[..., 0], axis=1))


# ---------------------------------------------------------------------------------------------
# invalid arguments
# ---------------------------------------------------------------------------------------------

_P = ModelR(d=2)
_S = _P.sample(np.random.default_rng(0), 3, 6, 5)
_RNG = np.random.default_rng(0)
_OK = dict(aggregator=median, T=2, w0=[0.0, 0.0])

BAD_GD = [
    ({"alpha": 0.5, "attack": big(1), "rng": _RNG}, "alpha"),
    ({"alpha": 0.25, "attack": big(1), "rng": _RNG}, "alpha"),  # alpha m = 1.5
    ({"alpha": -0.1}, "alpha"),
    ({"q": 3, "attack": big(1), "rng": _RNG}, "q"),  # q/m = 1/2
    ({"q": -1}, "q"),
    ({"q": 1.0, "attack": big(1), "rng": _RNG}, "q"),
    ({"q": 1, "alpha": 1 / 6, "attack": big(1), "rng": _RNG}, "q and alpha"),
    ({"q": 1}, "attack"),
    ({"q": 1, "attack": big(1)}, "rng"),
    ({"T": -1}, "T"),
    ({"T": 2.5}, "T"),
    ({"T": True}, "T"),
    ({"eta": 0.0}, "eta"),
    ({"eta": -1.0}, "eta"),
    ({"eta": float("nan")}, "eta"),
    ({"w0": [0.0, 0.0, 0.0]}, "w0"),
    ({"w0": np.zeros((2, 2))}, "w0"),
    ({"w0": [np.inf, 0.0]}, "w0"),
    ({"w0": [2.0, 0.0], "radius": 1.0}, "w0"),
    ({"radius": 0.0}, "radius"),
    ({"radius": -1.0}, "radius"),
    ({"aggregator": "nonsense"}, "option"),
    ({"aggregator": 3}, "aggregator"),
    ({"aggregator": lambda x: x.sum(axis=-1)}, "aggregator output"),
    ({"q": 1, "attack": lambda h, q, r, c: h, "rng": _RNG}, "attack output"),
]


@pytest.mark.parametrize("kw,name", BAD_GD, ids=[f"{i}-{n}" for i, (_, n) in enumerate(BAD_GD)])
def test_invalid_robust_gd_arguments_raise_bad_input_naming_the_argument(kw, name):
    with pytest.raises(BadInput, match=rf"^{name} \(") as info:
        robust_gd(_P, _S, **{**_OK, **kw})
    assert str(info.value).endswith(".") and "must" in str(info.value)


BAD_ONE_ROUND = [
    (lambda: one_round(_P, _S, q=3, attack=big(1), rng=_RNG), "q"),
    (lambda: one_round(_P, _S, q=1), "attack"),
    (lambda: one_round(ModelAN(phi="cos"), ModelAN(phi="cos").sample(_RNG, 2, 3, 4)), "phi"),
    (lambda: one_round(object(), _S), "problem"),
    (lambda: one_round(_P, object()), "stats"),
    (lambda: byzantine_count(10, alpha=float("inf")), "alpha"),
]


@pytest.mark.parametrize("make,name", BAD_ONE_ROUND, ids=[f"{i}-{n}" for i, (_, n) in enumerate(BAD_ONE_ROUND)])
def test_invalid_one_round_arguments_raise_bad_input_naming_the_argument(make, name):
    with pytest.raises(BadInput, match=rf"^{name} \("):
        make()


def test_trajectory_memory_guard_asks_for_chunking():
    p = ModelE()
    s = QuadraticStats(None, np.zeros((1500, 3, 1)))
    with pytest.raises(BadInput, match="chunk"):
        robust_gd(p, s, aggregator=median, T=10**5, w0=[1.0])
    assert robust_gd(p, s, aggregator=median, T=10, w0=[1.0], record=False).w is None


# ---------------------------------------------------------------------------------------------
# with the project's own aggregators and attacks
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("boundlab.montecarlo._attacks") is None
    or importlib.util.find_spec("boundlab.montecarlo._aggregators") is None,
    reason="the aggregator/attack library is not there yet",
)
@pytest.mark.parametrize("option,attack", [("I", "large_value"), ("II", "inside_range"), ("II", "stall")])
def test_simulator_runs_with_the_project_aggregators_and_attacks(option, attack):
    from boundlab.montecarlo import _aggregators, _attacks
    from boundlab.montecarlo._simulators import aggregator_for

    p = ModelR(d=2, sigma=1.0, radius=1.0)
    s = p.sample(np.random.default_rng(0), 20, 21, 50)
    agg = aggregator_for(option, k=2) if option == "II" else aggregator_for(option)
    seen = []
    spy = lambda x: seen.append(x) or agg(x)  # noqa: E731
    spy = functools.partial(spy)
    res = robust_gd(
        p,
        s,
        aggregator=agg,
        T=10,
        w0=[0.5, 0.5],
        q=2,
        attack=_attacks.ATTACKS[attack],
        rng=np.random.default_rng(1),
        radius=1.0,
        k=2,
    )
    rhs = (1 - _kappa(p)) * res.dist_to_opt[:, :-1] + res.grad_error
    assert np.all(res.dist_to_opt[:, 1:] <= rhs + 1e-12)
    assert np.all(np.isfinite(res.w)) and np.all(res.dist_to_opt[:, -1] < 0.5)
    # the simulator's message array is exactly apply_attack's (Byzantine rows first)
    robust_gd(
        p,
        s,
        aggregator=spy,
        T=1,
        w0=[0.5, 0.5],
        q=2,
        attack=_attacks.ATTACKS[attack],
        rng=np.random.default_rng(7),
        k=2,
    )
    honest = p.local_gradients(s.machines(slice(2, None)), np.full((20, 2), 0.5))
    ctx = _attacks.AttackContext(w=np.full((20, 2), 0.5), grad_F=np.full((20, 2), 0.5), w_star=p.w_star, t=0, k=2)
    expected = _attacks.apply_attack(honest, 2, _attacks.ATTACKS[attack], np.random.default_rng(7), ctx)
    np.testing.assert_array_equal(seen[0], expected)
    assert agg is _aggregators.median or isinstance(agg, functools.partial)


# ---------------------------------------------------------------------------------------------
# trial blocks (cache-sized): the same numbers
# ---------------------------------------------------------------------------------------------

BLOCK_PROBLEMS = {
    "model-R": lambda: ModelR(d=3, sigma=0.9, radius=1.0),
    "model-E": lambda: ModelE(),
    "model-G": lambda: ModelG(d=2),
    "model-AN": lambda: ModelAN(d=2),
}


@pytest.mark.parametrize("name", sorted(BLOCK_PROBLEMS))
@given(
    R=st.integers(1, 9),
    block=st.one_of(st.integers(1, 10), st.just("cache")),
    attack=st.sampled_from([None, *DETERMINISTIC]),
    agg=st.sampled_from(["median", "mean"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_trial_blocks_give_bit_identical_trajectories_and_diagnostics(name, R, block, attack, agg, seed):
    p = BLOCK_PROBLEMS[name]()
    m, T = 7, 6
    stats = p.sample(np.random.default_rng(seed), R, m, 10)
    q = 0 if attack is None else 2
    kw = dict(
        aggregator=median if agg == "median" else mean,
        T=T,
        w0=np.full(p.d, 0.1),
        q=q,
        attack=ATTACKS.get(attack) if q else None,
        rng=np.random.default_rng(0) if q else None,
    )
    whole = robust_gd(p, stats, trial_block=R, **kw)
    blocked = robust_gd(p, stats, trial_block=block, **kw)
    for field in ("w", "w_final", "dist_to_opt", "grad_error", "F_gap", "grad_norm"):
        assert np.array_equal(getattr(blocked, field), getattr(whole, field)), field


def test_a_random_attack_runs_in_one_block_by_default_so_its_draws_are_unchanged():
    p = ModelR(d=3, sigma=0.9, radius=1.0)
    stats = p.sample(np.random.default_rng(3), 50, 9, 10)
    kw = dict(aggregator=median, T=4, w0=np.full(3, 0.1), q=2, attack=noisy)
    default = robust_gd(p, stats, rng=np.random.default_rng(1), **kw)
    whole = robust_gd(p, stats, rng=np.random.default_rng(1), trial_block=50, **kw)
    assert np.array_equal(default.w, whole.w)


@pytest.mark.parametrize("block", [0, -3, 2.5, True, "fast"])
def test_invalid_trial_block_raises_bad_input_naming_it(block):
    p = ModelR(d=2, sigma=0.5, radius=1.0)
    stats = p.sample(np.random.default_rng(0), 3, 5, 10)
    with pytest.raises(BadInput, match=r"trial_block \("):
        robust_gd(p, stats, aggregator=median, T=2, w0=[0.1, 0.1], trial_block=block)
