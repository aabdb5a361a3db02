"""boundlab.testing: the strategies draw only admissible values; assert_bound_holds reads intervals as the checks do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundlab.bounds import REGISTRY, AbstractBound, BadInput
from boundlab.testing import assert_bound_holds, byzantine_instances, gradient_sets, params, relu_networks

BOUNDS = sorted(k for k, v in REGISTRY.items() if isinstance(v, AbstractBound))


@pytest.mark.parametrize("item_id", BOUNDS)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_params_draws_only_points_inside_the_domains_and_hypotheses(item_id, data):
    thm = REGISTRY[item_id]
    p = data.draw(params(item_id))
    for k, v in p.items():
        assert thm.param(k).contains(np.asarray(v))
    assert not thm.assess(**p).violated


@settings(max_examples=20, deadline=None)
@given(inst=byzantine_instances())
def test_byzantine_instances_put_q_byzantine_rows_first_and_keep_a_minority(inst):
    assert inst["messages"].shape[0] == inst["m"]
    assert 2 * inst["q"] < inst["m"]
    assert np.array_equal(inst["messages"][inst["q"] :], inst["honest"])
    assert inst["byzantine"].sum() == inst["q"]


@settings(max_examples=20, deadline=None)
@given(g=gradient_sets())
def test_gradient_sets_have_a_nonzero_sum(g):
    assert g.ndim == 2 and np.any(g.sum(axis=0))


@settings(max_examples=10, deadline=None)
@given(net=relu_networks())
def test_relu_networks_match_their_data(net):
    assert net["W"].shape == (net["v"].shape[0], net["X"].shape[1])
    assert net["X"].shape[0] == net["y"].shape[0]


def test_a_true_probability_bound_passes_and_a_halved_failure_bound_fails():
    # failure probability 0.1; claimed <= 0.2 passes, halved to 0.05 fails
    assert assert_bound_holds(lambda rng, k: rng.random(k) < 0.1, 0.2, rule="failure", trials=4000).verdict == "pass"
    with pytest.raises(AssertionError, match="fails the bound 0.05"):
        assert_bound_holds(lambda rng, k: rng.random(k) < 0.1, 0.05, rule="failure", trials=4000)


def test_a_mean_bound_uses_a_t_interval_and_a_halved_bound_fails():
    res = assert_bound_holds(lambda rng, k: rng.exponential(1.0, k), 1.2, trials=4000)
    assert res.ci_low < 1.0 < res.ci_high
    with pytest.raises(AssertionError):
        assert_bound_holds(lambda rng, k: rng.exponential(1.0, k), 0.6, trials=4000)


def test_strict_raises_when_the_interval_straddles_the_bound():
    with pytest.raises(AssertionError, match="cannot decide"):
        assert_bound_holds(lambda rng, k: rng.random(k) < 0.5, 0.5, rule="probability", trials=100, strict=True)


BAD = [
    (dict(rule="lower"), r"rule \(lower\) must be one of"),
    (dict(trials=1), r"trials \(1\) must be an integer >= 2"),
    (dict(confidence=1.0), r"confidence \(1.0\) must be in \(0, 1\)"),
]


@pytest.mark.parametrize(("kw", "match"), BAD, ids=[str(k) for k, _ in BAD])
def test_bad_arguments_raise_bad_input(kw, match):
    with pytest.raises(BadInput, match=match):
        assert_bound_holds(lambda rng, k: rng.random(k), 1.0, **kw)


def test_params_of_an_unknown_result_raises_bad_input():
    with pytest.raises(BadInput):
        params("thm9.99")


def test_the_pytest_plugin_seeds_a_generator_per_test(boundlab_rng, boundlab_store):
    assert isinstance(boundlab_rng, np.random.Generator)
    assert boundlab_store is not None
