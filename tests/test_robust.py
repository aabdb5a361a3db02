"""Properties of the robust aggregators and pre-aggregators of ``boundlab.montecarlo._robust``.

Each rule is compared with a slow reference written from the paper's definition (loops, plain
``itertools`` and ``numpy.linalg``), on data where ties are exact (small integers) or absent
(generic Gaussian data).
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from boundlab.bounds import BadInput
from boundlab.montecarlo import krum, median, trimmed_mean
from boundlab.montecarlo._robust import (
    PRE_AGGREGATORS,
    ROBUST_AGGREGATORS,
    AggregatorStage,
    arc,
    bucketing,
    caf,
    centered_clipping,
    dnc,
    mda,
    meamed,
    monna,
    nnm,
    smea,
    static_clipping,
)

# ----------------------------------------------------------------------------------------------
# strategies

INTS = st.integers(-6, 6).map(float)


@st.composite
def int_workers(draw, min_m: int = 1, max_m: int = 8, max_d: int = 3):
    """(m, d) arrays of small integers: every distance is exact, so ties are exact too."""
    m = draw(st.integers(min_m, max_m), label="m")
    d = draw(st.integers(1, max_d), label="d")
    return draw(hnp.arrays(np.float64, (m, d), elements=INTS), label="x")


@st.composite
def generic_workers(draw, min_m: int = 3, max_m: int = 8, max_d: int = 4):
    """(m, d) Gaussian arrays (no ties with probability one), with some far rows."""
    m = draw(st.integers(min_m, max_m), label="m")
    d = draw(st.integers(1, max_d), label="d")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, d))
    n_far = draw(st.integers(0, (m - 1) // 2), label="n_far")
    x[:n_far] += 20.0 * rng.standard_normal((n_far, d))
    return x


def f_for(data, m: int) -> int:
    return data.draw(st.integers(0, (m - 1) // 2), label="f")


# ----------------------------------------------------------------------------------------------
# slow references, written from the definitions


def ref_centered_clipping(x, tau, L, v0=None):
    v = np.zeros(x.shape[1]) if v0 is None else np.array(v0, dtype=float)
    for _ in range(L):
        total = np.zeros_like(v)
        for xi in x:
            u = xi - v
            n = np.linalg.norm(u)
            total += u if n <= tau else u * (tau / n)
        v = v + total / len(x)
    return v


def ref_subset_minimisers(x, f, objective):
    """Means of every (m - f)-subset whose objective is within 1e-9 of the minimum."""
    m = len(x)
    vals = {s: objective(x[list(s)]) for s in itertools.combinations(range(m), m - f)}
    best = min(vals.values())
    return [x[list(s)].mean(axis=0) for s, v in vals.items() if v <= best + 1e-9 * max(1.0, abs(best))]


def diameter(sub):
    return max((np.linalg.norm(a - b) for a, b in itertools.combinations(sub, 2)), default=0.0)


def top_cov_eigenvalue(sub):
    c = sub - sub.mean(axis=0)
    return np.linalg.eigvalsh(c.T @ c / len(sub))[-1]


def ref_monna(x, f, idx=-1):
    m = len(x)
    i = idx % m
    order = sorted(range(m), key=lambda j: (np.sum((x[j] - x[i]) ** 2), j))
    return x[order[: m - f]].mean(axis=0)


def ref_meamed(x, f):
    m, d = x.shape
    out = np.empty(d)
    for j in range(d):
        col = x[:, j]
        med = np.median(col)
        order = sorted(range(m), key=lambda i: (abs(col[i] - med), i))
        out[j] = col[order[: m - f]].mean()
    return out


def ref_nnm(x, f):
    m = len(x)
    return np.array(
        [x[sorted(range(m), key=lambda j: (np.sum((x[j] - x[i]) ** 2), j))[: m - f]].mean(axis=0) for i in range(m)]
    )


def ref_static_clipping(x, c):
    return np.array([xi if np.linalg.norm(xi) <= c else xi * (c / np.linalg.norm(xi)) for xi in x])


def ref_arc(x, f):
    m = len(x)
    k = int(2 * f * (m - f) / m)
    order = sorted(range(m), key=lambda i: (np.linalg.norm(x[i]), i))
    out = x.copy()
    if k == 0:
        return out
    thr = np.linalg.norm(x[order[m - k - 1]])
    for i in order[m - k :]:
        n = np.linalg.norm(x[i])
        if n > thr:
            out[i] = x[i] * (thr / n)
    return out


def ref_caf(x, f, seed, power_iters):
    rng = np.random.default_rng(seed)
    m, d = x.shape
    c = np.ones(m)
    best_mu, best_lam = (c @ x) / c.sum(), math.inf
    while c.sum() > m - 2 * f:
        mu = (c @ x) / c.sum()
        diffs = x - mu
        cov = sum(ci * np.outer(u, u) for ci, u in zip(c, diffs)) / c.sum()
        v = rng.standard_normal(d)
        v /= np.linalg.norm(v)
        lam = 0.0
        for _ in range(power_iters):
            w = cov @ v
            lam = v @ w
            if np.linalg.norm(w) > 0:
                v = w / np.linalg.norm(w)
        if lam < best_lam:
            best_lam, best_mu = lam, mu
        tau = np.where(c > 0, (diffs @ v) ** 2, 0.0)  # the maximum over the workers still weighted
        if tau.max() <= 0:
            break
        c = c * (1 - tau / tau.max())
    return best_mu


def ref_dnc(x, f, seed, n_iters, sub_dim, filter_frac=1.0):
    rng = np.random.default_rng(seed)
    m, d = x.shape
    removed = math.floor(filter_frac * f + 1e-9)
    good = set(range(m))
    for _ in range(n_iters):
        cols = np.sort(rng.choice(d, size=min(sub_dim, d), replace=False))
        z = x[:, cols] - x[:, cols].mean(axis=0)
        v = np.linalg.svd(z)[2][0]
        scores = (z @ v) ** 2
        order = sorted(range(m), key=lambda i: (scores[i], i))
        good &= set(order[: m - removed])
    return x[sorted(good)].mean(axis=0)


def ref_bucketing(x, s, seed):
    perm = np.random.default_rng(seed).permuted(np.arange(len(x)))
    return np.array([x[perm[i : i + s]].mean(axis=0) for i in range(0, len(x), s)])


# ----------------------------------------------------------------------------------------------
# each rule agrees with its reference


@given(x=int_workers(), tau=st.floats(0.1, 20.0), L=st.integers(0, 4))
def test_centered_clipping_agrees_with_the_iterated_clipped_mean(x, tau, L):
    np.testing.assert_allclose(centered_clipping(x, tau, L), ref_centered_clipping(x, tau, L), rtol=1e-9, atol=1e-9)


@given(x=int_workers(max_m=7), data=st.data())
def test_mda_returns_the_mean_of_a_minimum_diameter_subset(x, data):
    f = f_for(data, len(x))
    out = mda(x, f)
    assert any(np.allclose(out, c, rtol=1e-12, atol=1e-12) for c in ref_subset_minimisers(x, f, diameter))


@given(x=int_workers(max_m=7), data=st.data())
def test_mda_breaks_ties_by_the_first_subset_in_lexicographic_order(x, data):
    f = f_for(data, len(x))
    subsets = list(itertools.combinations(range(len(x)), len(x) - f))
    diams = [diameter(x[list(s)]) for s in subsets]
    first = subsets[int(np.argmin(diams))]  # exact on integer data
    np.testing.assert_allclose(mda(x, f), x[list(first)].mean(axis=0), rtol=1e-12, atol=1e-12)


@given(x=generic_workers(max_m=7), data=st.data())
def test_smea_returns_the_mean_of_the_subset_of_smallest_top_eigenvalue(x, data):
    f = f_for(data, len(x))
    out = smea(x, f)
    assert any(np.allclose(out, c, rtol=1e-9, atol=1e-9) for c in ref_subset_minimisers(x, f, top_cov_eigenvalue))


@given(x=int_workers(), data=st.data())
def test_monna_averages_the_nearest_neighbours_of_the_trusted_worker(x, data):
    f = f_for(data, len(x))
    idx = data.draw(st.integers(-len(x), len(x) - 1), label="idx")
    np.testing.assert_allclose(monna(x, f, idx), ref_monna(x, f, idx), rtol=1e-12, atol=1e-12)


@given(x=int_workers(max_m=10, max_d=4), data=st.data())
def test_meamed_averages_the_values_nearest_the_median_in_each_coordinate(x, data):
    f = f_for(data, len(x))
    np.testing.assert_allclose(meamed(x, f), ref_meamed(x, f), rtol=1e-12, atol=1e-12)


@given(x=int_workers(), data=st.data())
def test_nnm_replaces_each_row_by_the_mean_of_its_nearest_neighbours(x, data):
    f = data.draw(st.integers(0, len(x) - 1), label="f")
    np.testing.assert_allclose(nnm(x, f=f), ref_nnm(x, f), rtol=1e-12, atol=1e-12)


@given(x=int_workers(), c=st.floats(0.01, 10.0))
def test_static_clipping_scales_rows_to_norm_at_most_c(x, c):
    out = static_clipping(x, c=c)
    np.testing.assert_allclose(out, ref_static_clipping(x, c), rtol=1e-12, atol=1e-12)
    assert np.all(np.linalg.norm(out, axis=-1) <= c * (1 + 1e-12))


@given(x=int_workers(), data=st.data())
def test_arc_clips_the_largest_rows_to_the_next_norm(x, data):
    f = f_for(data, len(x))
    np.testing.assert_allclose(arc(x, f=f), ref_arc(x, f), rtol=1e-12, atol=1e-12)


@given(x=generic_workers(), data=st.data(), seed=st.integers(0, 1000), steps=st.integers(1, 3))
def test_caf_power_steps_in_the_span_of_the_workers_equal_the_steps_in_d_dimensions(x, data, seed, steps):
    f = f_for(data, len(x))  # few steps: the random start matters, and both draw the same one
    np.testing.assert_allclose(caf(x, f, seed, power_iters=steps), ref_caf(x, f, seed, steps), rtol=1e-9, atol=1e-9)


@given(x=generic_workers(), data=st.data(), seed=st.integers(0, 1000))
def test_caf_agrees_with_the_filter_written_from_its_definition(x, data, seed):
    f = f_for(data, len(x))
    np.testing.assert_allclose(caf(x, f, seed, power_iters=30), ref_caf(x, f, seed, 30), rtol=1e-7, atol=1e-7)


@given(x=generic_workers(max_d=6), data=st.data(), seed=st.integers(0, 1000))
def test_dnc_agrees_with_the_filter_written_from_its_definition(x, data, seed):
    f = f_for(data, len(x))
    sub_dim = data.draw(st.integers(1, 6), label="sub_dim")
    n_iters = data.draw(st.integers(1, 3), label="n_iters")
    np.testing.assert_allclose(
        dnc(x, f, seed, n_iters=n_iters, sub_dim=sub_dim), ref_dnc(x, f, seed, n_iters, sub_dim), rtol=1e-9, atol=1e-9
    )


@given(x=int_workers(), data=st.data(), seed=st.integers(0, 1000))
def test_bucketing_averages_consecutive_buckets_of_a_seeded_permutation(x, data, seed):
    s = data.draw(st.integers(1, len(x)), label="s")
    np.testing.assert_allclose(bucketing(x, s=s, rng=seed), ref_bucketing(x, s, seed), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# every rule: batches, determinism (the NaN/inf policy and purity: tests/test_nonfinite_policy.py)

# (name, aggregator with f = 2 for m = 9, finite output stays in the honest bounding box)
RULES = [
    ("centered_clipping", functools.partial(centered_clipping, tau=1.0, L=3), False),
    ("mda", functools.partial(mda, f=2), True),
    ("monna", functools.partial(monna, f=2), True),
    ("meamed", functools.partial(meamed, f=2), True),
    ("caf", functools.partial(caf, f=2, rng=0), True),
    ("smea", functools.partial(smea, f=2), True),
    ("dnc", functools.partial(dnc, f=2, rng=0), True),
    ("nnm>>trimmed_mean", (nnm >> trimmed_mean).partial(f=2, k=2), True),
    ("nnm>>krum", (nnm >> krum).partial(f=2), True),
    ("bucketing>>median", (bucketing >> median).partial(s=1, rng=0), True),
    ("static_clipping>>median", (static_clipping >> median).partial(c=100.0), True),
    ("arc>>median", (arc >> median).partial(f=2), True),
]
IDS = [r[0] for r in RULES]


def test_every_registered_rule_is_in_the_generic_table():
    names = {n.split(">>")[0] for n, _, _ in RULES}
    assert set(ROBUST_AGGREGATORS) | set(PRE_AGGREGATORS) <= names


@pytest.mark.parametrize(
    "name,agg,in_box",
    [r for r in RULES if r[0] not in ("caf", "dnc", "bucketing>>median")],
    ids=[n for n in IDS if n not in ("caf", "dnc", "bucketing>>median")],
)
def test_batch_axes_give_the_same_result_as_one_call_per_element(name, agg, in_box):
    x = np.random.default_rng(1).standard_normal((2, 3, 9, 4))
    out = agg(x)
    for i, j in itertools.product(range(2), range(3)):
        np.testing.assert_allclose(out[i, j], agg(x[i, j]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "fn,kw", [(caf, {"f": 2}), (dnc, {"f": 2, "sub_dim": 2}), (bucketing, {"s": 2})], ids=["caf", "dnc", "bucketing"]
)
def test_random_rules_are_reproducible_from_the_seed(fn, kw):
    x = np.random.default_rng(2).standard_normal((3, 9, 4))
    np.testing.assert_array_equal(fn(x, rng=5, **kw), fn(x, rng=np.random.default_rng(5), **kw))


def test_more_than_f_non_finite_rows_give_nan_not_an_exception():
    x = np.zeros((5, 2))
    x[:3] = np.nan
    for out in (mda(x, 1), smea(x, 1), monna(x, 1, 0)):
        assert np.all(np.isnan(out))


def test_pre_aggregators_map_a_non_finite_row_to_a_nan_row_only():
    x = np.arange(12.0).reshape(6, 2)
    x[2, 1] = np.inf
    for out in (nnm(x, f=1), static_clipping(x, c=1.0), arc(x, f=1)):
        assert np.isnan(out[2]).all()
        assert np.isfinite(np.delete(out, 2, axis=0)).all()


def test_centered_clipping_lets_a_non_finite_row_contribute_nothing():
    honest = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    x = np.concatenate([np.full((1, 2), np.nan), honest])
    centre = np.array([0.5, 0.5])
    np.testing.assert_allclose(
        centered_clipping(x, tau=10.0, v0=centre),
        centered_clipping(np.concatenate([centre[None], honest]), tau=10.0, v0=centre),
    )


def test_caf_ends_quickly_when_a_removed_outlier_is_far_away():
    x = np.concatenate([np.full((10, 2), 1e6), np.random.default_rng(0).standard_normal((190, 2))])
    out = caf(x, 10)
    assert np.linalg.norm(out - x[10:].mean(axis=0)) < 0.2


def test_meamed_orders_nan_as_plus_infinity_like_the_median():
    x = np.array([[0.0], [1.0], [np.nan], [np.nan], [np.nan]])
    np.testing.assert_array_equal(meamed(x, 1), meamed(np.where(np.isnan(x), np.inf, x), 1))


# ----------------------------------------------------------------------------------------------
# composition


def test_composition_routes_each_keyword_to_the_stages_that_take_it():
    x = np.random.default_rng(3).standard_normal((4, 11, 3))
    np.testing.assert_array_equal((nnm >> krum)(x, f=2), krum(nnm(x, f=2), f=2))
    np.testing.assert_array_equal((arc >> nnm >> trimmed_mean)(x, f=2, k=3), trimmed_mean(nnm(arc(x, f=2), f=2), k=3))
    np.testing.assert_array_equal((nnm.partial(f=1) >> AggregatorStage(median))(x), median(nnm(x, f=1)))


def test_composition_rejects_a_keyword_no_stage_takes():
    with pytest.raises(BadInput, match="bogus"):
        (nnm >> median)(np.zeros((5, 2)), f=1, bogus=3)


def test_composition_starting_with_a_plain_function_is_allowed():
    x = np.random.default_rng(4).standard_normal((7, 2))
    pipe = (lambda v: 2 * v) >> nnm
    np.testing.assert_array_equal(pipe(x, f=1), nnm(2 * x, f=1))


# ----------------------------------------------------------------------------------------------
# invalid arguments: one row per bad input

X5 = np.zeros((5, 3))
INVALID = [
    (centered_clipping, {"tau": 0.0}, "tau"),
    (centered_clipping, {"tau": -1.0}, "tau"),
    (centered_clipping, {"L": -1}, "L"),
    (centered_clipping, {"v0": np.zeros(4)}, "v0"),
    (static_clipping, {"c": 0.0}, "c"),
    (static_clipping, {"c": math.inf}, "c"),
    (bucketing, {"s": 0, "rng": 0}, "s"),
    (bucketing, {"s": 6, "rng": 0}, "s"),
    (bucketing, {"s": 2.5, "rng": 0}, "s"),
    (bucketing, {"s": 2, "rng": "seed"}, "rng"),
    (nnm, {"f": 5}, "f"),
    (nnm, {"f": -1}, "f"),
    (arc, {"f": 3}, "f"),
    (mda, {"f": 3}, "f"),
    (smea, {"f": 3}, "f"),
    (monna, {"f": 2, "idx": 5}, "idx"),
    (monna, {"f": 2, "idx": -6}, "idx"),
    (meamed, {"f": 3}, "f"),
    (caf, {"f": 3}, "f"),
    (caf, {"f": 1, "power_iters": 0}, "power_iters"),
    (dnc, {"f": 1, "sub_dim": 0}, "sub_dim"),
    (dnc, {"f": 1, "filter_frac": -1.0}, "filter_frac"),
]


@pytest.mark.parametrize("fn,kw,name", INVALID, ids=[f"{getattr(r[0], '__name__', r[0])}({r[1]})" for r in INVALID])
def test_invalid_arguments_raise_bad_input_naming_the_argument(fn, kw, name):
    with pytest.raises(BadInput, match=rf"^{name} \(") as info:
        fn(X5, **kw)
    assert info.value.name == name


def test_mda_refuses_an_exploding_subset_count_naming_m_and_f():
    x = np.zeros((60, 2))
    with pytest.raises(BadInput, match=r"m \(60\) and f \(20\) give C\(m, f\) = .* subsets"):
        mda(x, 20)
    with pytest.raises(BadInput, match=r"m \(60\) and f \(20\)"):
        smea(x, 20)
    assert mda(np.zeros((12, 2)), 5, max_subsets=800).shape == (2,)


def test_huge_finite_rows_are_ordinary_values_not_non_finite_ones():
    x = np.array([[1e308, 1e308], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(static_clipping(x, c=1.0)[0], [0.5**0.5, 0.5**0.5])
    np.testing.assert_allclose(centered_clipping(x, tau=1.0, L=1)[0], (0.5**0.5 + 1.0) / 4)
    assert np.all(np.isfinite(mda(x, 1))) and np.all(mda(x, 1) <= 1.0)


def test_caf_gives_the_same_result_when_its_gram_matrix_runs_on_one_blas_thread(monkeypatch):
    import boundlab.montecarlo._robust as robust_module

    x = np.random.default_rng(3).standard_normal((2, 12, 6))
    before = caf(x, 2, 7)
    monkeypatch.setattr(robust_module, "_GRAM_ONE_THREAD", 0)
    np.testing.assert_allclose(caf(x, 2, 7), before, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(caf(x[0], 2, 7, power_iters=2), ref_caf(x[0], 2, 7, 2), rtol=1e-9, atol=1e-9)
