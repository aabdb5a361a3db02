"""One generic test of the non-finite policy for every aggregator and pre-aggregator composition.

The policy (module docstrings of ``boundlab.montecarlo._aggregators`` and ``._robust``): a NaN or
infinite value counts as Byzantine. With ``f >= 1`` Byzantine workers allowed, one worker that
sends a row of NaN, of ``+inf`` or of ``-inf``, or a single NaN coordinate (and two non-finite
workers when ``f = 2``), must leave the aggregate finite; the honest input is never modified; coordinate-wise and averaging rules stay in
the honest rows' coordinate range, and rules whose definition leaves a non-finite worker out
give the rule's value on the honest rows. The mean is the non-robust baseline (``f = 0``): it
propagates non-finite values, as documented, and the test checks that too.

The table is built from the registries (``AGGREGATORS``, ``ROBUST_AGGREGATORS``,
``PRE_AGGREGATORS``) and every pre-aggregator is composed with every aggregator; a test fails
if a registered rule is missing from the table.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from boundlab.montecarlo import AGGREGATORS, geometric_median
from boundlab.montecarlo._robust import PRE_AGGREGATORS, ROBUST_AGGREGATORS

M, D = 9, 4
BAD_ROW = (0, 4)  # the Byzantine row of batch element 0 and of batch element 1

# keyword arguments allowing f = 2 Byzantine workers among m = 9 (f = 1 among the 5 buckets of
# ``bucketing`` with s = 2); only those a rule's signature names are passed
KWARGS: dict[str, Any] = {"f": 2, "k": 2, "q": 3, "eps": 0.2, "tau": 1.0, "L": 3, "rng": 0, "s": 2, "c": 100.0}
AFTER_BUCKETING: dict[str, Any] = {**KWARGS, "f": 1, "k": 1}

#: expected behaviour: "box" (in the honest coordinate range), "box0" (the range extended to 0:
#: the rule shrinks rows towards 0), "honest" (equals the rule on the honest rows), "one-honest"
#: (is one of the honest rows), "propagates" (the f = 0 baseline)
EXPECT = {
    "mean": "propagates",
    "geometric_median": "honest",
    "krum": "one-honest",
    "centered_clipping": "box0",
}


def _accepted(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    target = getattr(fn, "fn", fn)
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):  # a composition routes by itself
        return dict(kwargs)
    return {k: v for k, v in kwargs.items() if k in params}


def _aggregators() -> dict[str, Callable[..., Any]]:
    return {**AGGREGATORS, **ROBUST_AGGREGATORS}


def _table() -> list[tuple[str, Callable[[np.ndarray], np.ndarray], str]]:
    rows = []
    for name, agg in _aggregators().items():
        kw = _accepted(agg, KWARGS)
        rows.append((name, lambda x, agg=agg, kw=kw: agg(x, **kw), EXPECT.get(name, "box")))
    for pre_name, pre in PRE_AGGREGATORS.items():
        for name, agg in _aggregators().items():
            kw = AFTER_BUCKETING if pre_name == "bucketing" else KWARGS
            composed = pre >> agg
            kw_all = {**_accepted(agg, kw), **_accepted(pre.fn, kw)}
            expect = EXPECT.get(name, "box")
            if expect in ("honest", "one-honest"):  # pre-aggregated rows are no longer the honest rows
                expect = "box"
            if pre_name in ("static_clipping", "arc") and expect == "box":
                expect = "box0"
            rows.append((f"{pre_name}>>{name}", lambda x, c=composed, kw=kw_all: c(x, **kw), expect))
    return rows


TABLE = _table()


def test_every_registered_rule_and_composition_is_in_the_table():
    names = {n for n, _, _ in TABLE}
    aggs = set(AGGREGATORS) | set(ROBUST_AGGREGATORS)
    assert aggs <= names
    assert {f"{p}>>{a}" for p in PRE_AGGREGATORS for a in aggs} <= names


def _input(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """x (2, M, D) with one Byzantine row per batch element, and the honest rows (2, M - 1, D)."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, M, D))
    bad_rows = [[row] if pattern != "f-rows" else [row, row + 1] for row in BAD_ROW]
    for b, rows in enumerate(bad_rows):
        if pattern == "nan-coordinate":
            x[b, rows[0], 1] = np.nan
        elif pattern == "f-rows":  # f = 2 non-finite workers: one NaN row, one -inf coordinate
            x[b, rows[0]] = np.nan
            x[b, rows[1], 3] = -np.inf
        else:
            x[b, rows[0]] = {"nan-row": np.nan, "+inf-row": np.inf, "-inf-row": -np.inf}[pattern]
    honest = np.stack([np.delete(x[b], rows, axis=0) for b, rows in enumerate(bad_rows)])
    return x, honest


@pytest.mark.parametrize("pattern", ["nan-row", "+inf-row", "-inf-row", "nan-coordinate", "f-rows"])
@pytest.mark.parametrize("name,rule,expect", TABLE, ids=[n for n, _, _ in TABLE])
def test_up_to_f_non_finite_workers_count_as_byzantine(name, rule, expect, pattern):
    if pattern == "f-rows" and name.startswith("bucketing>>"):
        pytest.skip("two non-finite workers may fill two of the 5 buckets, more than the f = 1 allowed after them")
    x, honest = _input(pattern)
    before = x.copy()
    out = rule(x)
    np.testing.assert_array_equal(x, before)  # the input is never modified
    assert out.shape == (2, D)
    if expect == "propagates":
        assert not np.isfinite(out).all()
        return
    assert np.isfinite(out).all(), f"{name} returned {out}"
    lo, hi = honest.min(axis=-2), honest.max(axis=-2)
    if expect == "box0":
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
    assert np.all((lo - 1e-9 <= out) & (out <= hi + 1e-9)), f"{name}: {out} outside [{lo}, {hi}]"
    for b in range(2):
        if expect == "honest":
            np.testing.assert_allclose(out[b], geometric_median(honest[b]), rtol=1e-12, atol=1e-12)
        elif expect == "one-honest":
            assert (out[b] == honest[b]).all(axis=-1).any(), f"{name} selected {out[b]}, not an honest row"
