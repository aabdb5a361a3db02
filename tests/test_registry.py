"""Generic properties of every registered result: a new theorem is tested the moment it registers."""

from __future__ import annotations

import json
import math
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from boundlab.bounds import REGISTRY, AbstractBound, BadInput, get
from boundlab.testing import params

BOUNDS = sorted(k for k, v in REGISTRY.items() if isinstance(v, AbstractBound))
ALL = sorted(REGISTRY)


def draw_params(thm: AbstractBound, data: st.DataObject) -> dict[str, float]:
    """Admissible parameters from boundlab.testing: near the example or from the typical ranges, inside the
    domains and decidable hypotheses (computed defaults, such as the tightest eps, are left out)."""
    return data.draw(params(thm.id), label="params")


def _satisfies_constraints(thm: AbstractBound, params: dict) -> bool:
    try:
        thm.resolve(**params)
    except BadInput:
        return False
    return True


@pytest.mark.parametrize("item_id", ALL)
def test_id_follows_the_dissertation_numbering(item_id):
    assert re.fullmatch(r"(def|asm|alg|eq|prop|thm|lem|cor|obs|rem|tab)\d+\.\d+", item_id)


@pytest.mark.parametrize("item_id", ALL)
def test_every_item_cites_dissertation_lines_and_describes_itself_as_json(item_id):
    it = REGISTRY[item_id]
    assert re.search(r"L\d{3,5}|\(\d\.\d+\)", it.source), it.source
    assert it.title and it.kind
    json.dumps(it.describe())


@pytest.mark.parametrize("item_id", BOUNDS)
def test_example_parameters_satisfy_every_decidable_hypothesis(item_id):
    thm = REGISTRY[item_id]
    ev = thm.assess(**thm.example_params())
    assert not ev.violated, [c["text"] for c in ev.violated]
    assert ev.nonvacuous


@pytest.mark.parametrize("item_id", BOUNDS)
@given(data=st.data())
def test_bound_is_finite_and_nonnegative_on_typical_params_where_hypotheses_hold(item_id, data):
    thm = REGISTRY[item_id]
    params = draw_params(thm, data)
    assume(_satisfies_constraints(thm, params))
    ev = thm.assess(**params)
    assume(not ev.violated)
    assert np.isfinite(ev.value)
    assert ev.value >= 0


@pytest.mark.parametrize("item_id", BOUNDS)
@given(data=st.data())
def test_numpy_and_mpmath_evaluations_agree(item_id, data):
    thm = REGISTRY[item_id]
    params = draw_params(thm, data)
    assume(_satisfies_constraints(thm, params))
    ev = thm.assess(**params)
    assume(not ev.violated and np.isfinite(ev.value))
    hi = thm.evaluate(precision=40, **params)
    assert isinstance(hi, mpmath.mpf)
    assert math.isclose(float(hi), ev.value, rel_tol=1e-9, abs_tol=1e-300)


@pytest.mark.parametrize("item_id", BOUNDS)
def test_numpy_agrees_with_sympy_evalf_at_the_example(item_id):
    thm = REGISTRY[item_id]
    values, _ = thm.resolve(**thm.example_params())
    subs = {p.symbol: sp.Float(float(values[p.name]), 30) for p in thm.params}
    exact = thm.expanded().subs(subs).rewrite(sp.erfinv).evalf(30)
    assert math.isclose(float(exact), float(thm._evaluate(thm.value, None, values)), rel_tol=1e-10)


@pytest.mark.parametrize("item_id", BOUNDS)
def test_evaluation_broadcasts_over_parameter_grids(item_id):
    thm = REGISTRY[item_id]
    ex = thm.example_params()
    first = next(p for p in thm.params if p.name in ex)
    x = float(ex[first.name])
    grid = np.array([x, x, x])
    out = thm.evaluate(**{**ex, first.name: grid})
    assert np.shape(out) == (3,)
    assert np.allclose(out, thm.evaluate(**ex), rtol=1e-13)


MONOTONE = [(k, q, var, sign) for k in BOUNDS for q, spec in REGISTRY[k].monotone.items() for var, sign in spec.items()]


@pytest.mark.parametrize("item_id,quantity,var,sign", MONOTONE)
def test_declared_monotonicity_holds_around_the_example(item_id, quantity, var, sign):
    thm = REGISTRY[item_id]
    ex = thm.example_params()
    p = thm.param(var)
    base = float(ex.get(var, p.typical[0]))
    if p.integer:
        xs = np.unique(np.round(base * np.array([1, 1.5, 2, 4, 8]))) if base >= 1 else np.array([1.0, 2, 3, 4])
        xs = np.unique(np.concatenate([xs, xs + 1]))  # both parities (Corollary 3.1 needs odd m)
    elif base == 0:
        xs = np.array([0.0, 0.01, 0.02, 0.04])
    else:
        xs = base * np.array([0.5, 0.75, 1.0, 1.25, 1.5])
    xs = xs[p.contains(xs)]
    vals = []
    for x in xs:
        params = {**ex, var: float(x)}
        if not _satisfies_constraints(thm, params):
            continue
        ev = thm.assess(**params)
        if ev.violated:
            continue
        vals.append(float(thm.evaluate(quantity, **params)) if quantity != thm.value else float(ev.value))
    assert len(vals) >= 2, "too few admissible points to test monotonicity"
    diffs = np.diff(vals) * sign
    assert np.all(diffs >= -1e-12 * np.max(np.abs(vals))), (xs, vals)


@pytest.mark.parametrize("item_id", BOUNDS)
def test_check_is_three_valued(item_id):
    thm = REGISTRY[item_id]
    res = thm.check(**thm.example_params())
    assert set(res) == {h.text for h in thm.hypotheses}
    for h in thm.hypotheses:
        if not h.decidable or h.necessary:
            assert res[h.text] is None
        else:
            assert res[h.text] is True


@pytest.mark.parametrize("item_id", BOUNDS)
def test_latex_renders_every_quantity(item_id):
    thm = REGISTRY[item_id]
    tex = thm.latex()
    assert tex.count("=") >= len(thm.quantities)
    assert "NormalQuantile" not in tex


@pytest.mark.parametrize("item_id", BOUNDS)
def test_inexact_results_declare_a_named_constant(item_id):
    thm = REGISTRY[item_id]
    if not thm.exact:
        assert thm.kind == "rate"
        assert any(not p.required and isinstance(p.default, float) for p in thm.params)


def test_registering_a_duplicate_id_raises():
    from boundlab.bounds import register

    cls = type(REGISTRY["thm3.9"])
    with pytest.raises(ValueError, match="registered twice"):
        register(cls)


def test_unknown_ids_get_close_suggestions():
    with pytest.raises(BadInput, match="did you mean thm3.1"):
        get("thrm3.1")
