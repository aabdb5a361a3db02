"""Properties of the adaptive attacks: optimal ALIE / IPM, Mimic, MinMax and MinSum."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from boundlab.bounds import BadInput
from boundlab.montecarlo import AttackContext, mean, median, trimmed_mean
from boundlab.montecarlo._attacks_adaptive import mimic, minmax, minsum, optimal_alie, optimal_ipm

AGGS = {
    "mean": mean,
    "median": median,
    "trimmed_mean": functools.partial(trimmed_mean, k=3),
}


def ref_line_search(error, evals=20, start=0.0, delta=10.0, ratio=0.8):
    """ByzFL's expansion then contraction search, written as two plain loops."""
    best_x, best_y = start, error(start)
    left = evals - 1
    while left > 0:  # expansion
        prop = best_x + delta
        y = error(prop)
        left -= 1
        if y > best_y:
            best_x, best_y, delta = prop, y, 2 * delta
        else:
            delta *= ratio
            break
    while left > 0:  # contraction
        prop = best_x + delta
        y = error(prop)
        left -= 1
        if y > best_y:
            best_x, best_y = prop, y
        delta *= ratio
    return best_x


def _error(agg, h, q, message):
    def err(tau):
        x = np.concatenate([np.repeat(message(tau)[None], q, axis=0), h])
        return float(np.linalg.norm(agg(x) - h.mean(axis=0)))

    return err


@pytest.mark.parametrize("agg_name", sorted(AGGS))
@given(seed=st.integers(0, 10_000), q=st.integers(1, 4), evals=st.integers(1, 25))
def test_optimal_alie_and_ipm_agree_with_byzfls_line_search_per_batch_element(agg_name, seed, q, evals):
    agg = AGGS[agg_name]
    h = 0.5 + np.random.default_rng(seed).standard_normal((2, 9, 3))
    rng = np.random.default_rng(0)
    alie = optimal_alie(h, q, rng, aggregator=agg, evals=evals)
    ipm = optimal_ipm(h, q, rng, aggregator=agg, evals=evals)
    for b in range(2):
        hb = h[b]
        mu, sd = hb.mean(axis=0), hb.std(axis=0, ddof=1)
        tau = ref_line_search(_error(agg, hb, q, lambda t, mu=mu, sd=sd: mu + t * sd), evals)
        np.testing.assert_allclose(alie[b], np.repeat((mu + tau * sd)[None], q, axis=0), rtol=1e-12, atol=1e-12)
        tau = ref_line_search(_error(agg, hb, q, lambda t, mu=mu: -t * mu), evals)
        np.testing.assert_allclose(ipm[b], np.repeat((-tau * mu)[None], q, axis=0), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("attack", [optimal_alie, optimal_ipm], ids=["alie", "ipm"])
def test_optimal_attacks_never_do_worse_than_their_starting_scale(attack):
    h = 0.5 + np.random.default_rng(1).standard_normal((20, 15, 4))
    agg = functools.partial(trimmed_mean, k=4)
    byz = attack(h, 4, np.random.default_rng(0), aggregator=agg)
    start = attack(h, 4, np.random.default_rng(0), aggregator=agg, evals=1)
    err = np.linalg.norm(agg(np.concatenate([byz, h], axis=-2)) - h.mean(axis=-2), axis=-1)
    err0 = np.linalg.norm(agg(np.concatenate([start, h], axis=-2)) - h.mean(axis=-2), axis=-1)
    assert np.all(err >= err0)


@pytest.mark.parametrize("attack,stat", [(minmax, "max"), (minsum, "sum")], ids=["minmax", "minsum"])
@pytest.mark.parametrize("perturbation", ["std", "unit_vec", "sign"])
@given(seed=st.integers(0, 10_000))
def test_minmax_and_minsum_sit_on_the_boundary_of_their_constraint(attack, stat, perturbation, seed):
    h = 0.3 + np.random.default_rng(seed).standard_normal((7, 3))
    byz = attack(h, 2, np.random.default_rng(0), perturbation=perturbation)
    assert byz.shape == (2, 3) and np.array_equal(byz[0], byz[1])
    pair = np.sum((h[:, None] - h[None]) ** 2, axis=-1)
    to_h = np.sum((h - byz[0]) ** 2, axis=-1)
    lhs, cap = (to_h.max(), pair.max()) if stat == "max" else (to_h.sum(), pair.sum(axis=-1).max())
    assert lhs <= cap * (1 + 1e-12)
    assert lhs >= cap * (1 - 1e-6)  # the largest feasible scale: the constraint is active


def test_mimic_copies_one_honest_worker_drawn_from_the_seed():
    h = np.random.default_rng(2).standard_normal((50, 6, 3))
    byz = mimic(h, 3, np.random.default_rng(4))
    again = mimic(h, 3, np.random.default_rng(4))
    np.testing.assert_array_equal(byz, again)
    hit = (byz[:, :1, None, :] == h[:, None, :, :]).all(axis=-1)[:, 0]  # (50, 6)
    assert np.all(hit.sum(axis=-1) == 1)
    assert len(set(np.argmax(hit, axis=-1))) > 1  # drawn per batch element
    np.testing.assert_array_equal(mimic(h, 2, np.random.default_rng(0), target=5), np.repeat(h[:, 5:6], 2, axis=1))


def test_attacks_never_modify_the_honest_messages():
    h = np.random.default_rng(3).standard_normal((4, 8, 3))
    before = h.copy()
    for attack in (optimal_alie, optimal_ipm, mimic, minmax, minsum):
        attack(h, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(h, before)


H = np.zeros((5, 2))
INVALID = [
    (optimal_alie, {"evals": 0}, "evals"),
    (optimal_alie, {"delta": 0.0}, "delta"),
    (optimal_ipm, {"ratio": 1.0}, "ratio"),
    (optimal_ipm, {"ratio": 0.5}, "ratio"),
    (optimal_ipm, {"aggregator": "median"}, "aggregator"),
    (mimic, {"target": 5}, "target"),
    (minmax, {"perturbation": "cosine"}, "perturbation"),
    (minsum, {"perturbation": "cosine"}, "perturbation"),
]


@pytest.mark.parametrize("fn,kw,name", INVALID, ids=[f"{r[0].__name__}({r[1]})" for r in INVALID])
def test_invalid_arguments_raise_bad_input_naming_the_argument(fn, kw, name):
    with pytest.raises(BadInput, match=rf"^{name} \(") as info:
        fn(H, 2, np.random.default_rng(0), **kw)
    assert info.value.name == name


def _trimmed_mean_error(honest, byz, k):
    out = trimmed_mean(np.concatenate([byz, honest], axis=-2), k=k)
    return np.linalg.norm(out - honest.mean(axis=-2), axis=-1)


def test_optimal_ipm_against_the_trimmed_mean_hurts_it_more_than_the_scale_found_against_the_median():
    honest = np.random.default_rng(0).standard_normal((200, 40, 5))
    q = 8
    tm = functools.partial(trimmed_mean, k=q)
    rng = np.random.default_rng(0)
    against_tm = _trimmed_mean_error(honest, optimal_ipm(honest, q, rng, aggregator=tm), q)
    against_median = _trimmed_mean_error(honest, optimal_ipm(honest, q, rng, aggregator=median), q)
    assert against_tm.mean() > 1.1 * against_median.mean()


@pytest.mark.parametrize("attack", [optimal_alie, optimal_ipm])
def test_optimal_attacks_search_against_the_aggregator_of_the_context(attack):
    honest = np.random.default_rng(1).standard_normal((5, 20, 3))
    rng = np.random.default_rng(0)
    against_median = attack(honest, 4, rng, aggregator=median)
    via_ctx = attack(honest, 4, rng, AttackContext(aggregator=mean))
    assert not np.array_equal(via_ctx, against_median)  # the mean is hurt by another scale
    np.testing.assert_array_equal(via_ctx, attack(honest, 4, rng, aggregator=mean))
    np.testing.assert_array_equal(attack(honest, 4, rng), against_median)  # no context: the median
    explicit = attack(honest, 4, rng, AttackContext(aggregator=mean), aggregator=median)  # the argument wins
    np.testing.assert_array_equal(explicit, against_median)
