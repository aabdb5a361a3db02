"""Properties of the robust aggregators (Definitions 3.1 and 3.2, catalog Chapter 3 section 5.1)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import boundlab.montecarlo._aggregators as agg_module
from boundlab.bounds import BadInput
from boundlab.montecarlo._aggregators import (
    geometric_median,
    krum,
    mean,
    median,
    multi_krum,
    spectral_filter,
    trimmed_mean,
)
from boundlab.montecarlo._attacks import apply_attack, sign_flip

# ----------------------------------------------------------------------------------------------
# strategies and tables

FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308]),
)


@st.composite
def worker_grads(draw, min_m: int = 1, max_m: int = 12, max_d: int = 4, elements=FINITE):
    """Arrays of shape (m, d) with few distinct values so that ties occur."""
    m = draw(st.integers(min_m, max_m), label="m")
    d = draw(st.integers(1, max_d), label="d")
    return draw(hnp.arrays(np.float64, (m, d), elements=elements), label="x")


def _tm_beta(x, **kw):
    return trimmed_mean(x, 0.25, **kw)


def _tm_k1(x, **kw):
    return trimmed_mean(x, k=min(1, (x.shape[-2] - 1) // 2), **kw)


# (name, aggregator, exact) -- the coordinate-wise rules and their exactness under permutation
COORDINATE_WISE = [
    ("mean", mean),
    ("median", median),
    ("trimmed_mean_beta", _tm_beta),
    ("trimmed_mean_k", _tm_k1),
]
ALL_RULES = COORDINATE_WISE + [
    ("geometric_median", geometric_median),
    ("krum", functools.partial(krum, f=1)),
    ("multi_krum", functools.partial(multi_krum, f=1, q=3)),
    ("spectral_filter", spectral_filter),
]


def _close(a, b, scale=1.0):
    return np.allclose(a, b, rtol=1e-9, atol=1e-9 * scale)


# ----------------------------------------------------------------------------------------------
# symmetries


@pytest.mark.parametrize("name,agg", COORDINATE_WISE, ids=[r[0] for r in COORDINATE_WISE])
@given(x=worker_grads(), data=st.data())
def test_coordinatewise_rule_is_invariant_to_worker_order(name, agg, x, data):
    perm = data.draw(st.permutations(range(x.shape[0])), label="perm")
    if name == "mean":  # summation order changes the rounding of the mean only
        assert _close(agg(x[perm]), agg(x), 1e3)
    else:
        np.testing.assert_array_equal(agg(x[perm]), agg(x))


@given(x=worker_grads(min_m=1, max_m=7, max_d=3), data=st.data())
def test_geometric_median_is_invariant_to_worker_order(x, data):
    perm = data.draw(st.permutations(range(x.shape[0])), label="perm")
    a, b = geometric_median(x), geometric_median(x[perm])
    spread = np.abs(x).max() + 1.0
    # Weiszfeld stops at a relative step of 1e-10; compare objectives, which are flat at the optimum
    obj = lambda y: np.linalg.norm(x - y, axis=-1).sum()  # noqa: E731
    assert abs(obj(a) - obj(b)) <= 1e-6 * spread * x.shape[0]


@pytest.mark.parametrize("name,agg", COORDINATE_WISE, ids=[r[0] for r in COORDINATE_WISE])
@given(x=worker_grads(), c=FINITE, a=st.floats(1e-3, 1e3))
def test_coordinatewise_rule_is_translation_and_positive_scale_equivariant(name, agg, x, c, a):
    assert _close(agg(x + c), agg(x) + c, 1e3)
    assert _close(agg(a * x), a * agg(x), a * 1e3)


def _gm_objective(x, y):
    return np.linalg.norm(x - y, axis=-1).sum(axis=-1)


@given(x=worker_grads(min_m=1, max_m=9, max_d=3), c=FINITE, a=st.floats(1e-2, 1e2))
def test_geometric_median_objective_is_translation_and_positive_scale_equivariant(x, c, a):
    # the minimiser is not unique for collinear data with even m, the minimum value is
    best = _gm_objective(x, geometric_median(x))
    tol = 1e-7 * (np.abs(x).max() + abs(c) + 1.0) * x.shape[0]
    assert abs(_gm_objective(x + c, geometric_median(x + c)) - best) <= tol
    assert abs(_gm_objective(a * x, geometric_median(a * x)) - a * best) <= a * tol


def test_geometric_median_is_translation_and_positive_scale_equivariant_when_unique():
    x = np.random.default_rng(6).standard_normal((20, 7, 3))  # in general position: unique
    c, a = np.array([3.0, -1.0, 100.0]), 7.5
    gm = geometric_median(x)
    np.testing.assert_allclose(geometric_median(x + c), gm + c, atol=1e-6)
    np.testing.assert_allclose(geometric_median(a * x), a * gm, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,agg", COORDINATE_WISE[1:], ids=[r[0] for r in COORDINATE_WISE[1:]])
@given(x=worker_grads(max_d=5), data=st.data())
def test_coordinatewise_rule_treats_each_coordinate_separately(name, agg, x, data):
    j = data.draw(st.integers(0, x.shape[1] - 1), label="j")
    np.testing.assert_array_equal(agg(x)[j], agg(x[:, [j]])[0])


# ----------------------------------------------------------------------------------------------
# agreement with references


@given(x=worker_grads(max_m=15))
def test_median_agrees_with_np_median_including_even_m(x):
    assert _close(median(x), np.median(x, axis=0), 1e3)


@given(x=worker_grads(min_m=1, max_m=15), data=st.data())
def test_trimmed_mean_agrees_with_scipy_trim_mean_when_beta_m_is_an_integer(x, data):
    m = x.shape[0]
    k = data.draw(st.integers(0, (m - 1) // 2), label="k")
    beta = k / m
    assume(int(beta * m) == k)  # scipy floors beta*m without a tolerance
    expected = scipy.stats.trim_mean(x, beta, axis=0)
    assert _close(trimmed_mean(x, beta), expected, 1e3)
    assert _close(trimmed_mean(x, k=k), expected, 1e3)


@given(x=worker_grads())
def test_trimmed_mean_with_beta_zero_is_the_mean(x):
    assert _close(trimmed_mean(x, 0.0), mean(x), 1e3)


@pytest.mark.parametrize("name,agg", COORDINATE_WISE, ids=[r[0] for r in COORDINATE_WISE])
@given(x=worker_grads())
def test_coordinatewise_rule_lies_within_the_coordinatewise_range(name, agg, x):
    out = agg(x)
    slack = 1e-12 * (np.abs(x).max() + 1.0)  # the rounding of a mean of equal values
    assert np.all(out >= x.min(axis=0) - slack)
    assert np.all(out <= x.max(axis=0) + slack)


@pytest.mark.parametrize(
    "beta,m,k",
    [
        (0.1, 10, 1),  # beta*m integer: Definition 3.2 exactly
        (0.15, 10, 1),  # 1.5 -> floor 1
        (0.19, 10, 1),
        (0.2, 9, 1),  # 1.8 -> floor 1
        (0.29, 100, 29),  # 28.999999999999996 in floating point, but means 29
        (0.3, 10, 3),  # 3.0000000000000004 -> 3
        (0.49, 3, 1),
        (0.0, 5, 0),
        (0.05, 40, 2),  # the dissertation's MNIST setting
    ],
)
def test_trimmed_mean_trims_floor_of_beta_m_from_each_end(beta, m, k):
    x = np.random.default_rng(m).standard_normal((m, 3))
    out, kept = trimmed_mean(x, beta, return_mask=True)
    np.testing.assert_array_equal(kept.sum(axis=0), m - 2 * k)
    np.testing.assert_array_equal(out, trimmed_mean(x, k=k))
    expected = np.sort(x, axis=0)[k : m - k].mean(axis=0)
    assert _close(out, expected)


# ----------------------------------------------------------------------------------------------
# robustness to Byzantine rows


@given(data=st.data())
def test_median_with_q_arbitrary_rows_lies_between_honest_order_statistics(data):
    m = data.draw(st.sampled_from([1, 3, 5, 7, 9, 11]), label="m")
    q = data.draw(st.integers(0, (m - 1) // 2), label="q")
    d = data.draw(st.integers(1, 3), label="d")
    honest = data.draw(hnp.arrays(np.float64, (m - q, d), elements=FINITE), label="honest")
    byz = data.draw(hnp.arrays(np.float64, (q, d), elements=ANY_FLOAT), label="byz")
    out = median(np.concatenate([byz, honest]))
    y = np.sort(honest, axis=0)
    h = (m + 1) // 2  # 1-indexed (m+1)/2
    assert np.all(y[h - q - 1] <= out) and np.all(out <= y[h - 1])


@given(data=st.data())
def test_trimmed_mean_with_at_most_k_arbitrary_rows_lies_in_the_honest_range(data):
    m = data.draw(st.integers(1, 13), label="m")
    k = data.draw(st.integers(0, (m - 1) // 2), label="k")
    q = data.draw(st.integers(0, k), label="q")
    d = data.draw(st.integers(1, 3), label="d")
    honest = data.draw(hnp.arrays(np.float64, (m - q, d), elements=FINITE), label="honest")
    byz = data.draw(hnp.arrays(np.float64, (q, d), elements=ANY_FLOAT), label="byz")
    out = trimmed_mean(np.concatenate([byz, honest]), k=k)
    slack = 1e-12 * (np.abs(honest).max() + 1.0)
    assert np.all(np.isfinite(out))
    assert np.all(honest.min(axis=0) - slack <= out) and np.all(out <= honest.max(axis=0) + slack)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e308, -1e308])
@pytest.mark.parametrize("m", [10, 11])
def test_nan_inf_and_huge_byzantine_rows_do_not_poison_median_or_trimmed_mean(value, m):
    rng = np.random.default_rng(0)
    q = 3
    honest = rng.standard_normal((5, m - q, 4))
    x = np.concatenate([np.full((5, q, 4), value), honest], axis=-2)
    lo, hi = honest.min(axis=-2), honest.max(axis=-2)
    for out in (median(x), trimmed_mean(x, k=q), trimmed_mean(x, k=4)):
        assert np.all(np.isfinite(out))
        assert np.all((lo <= out) & (out <= hi))


def test_median_and_trimmed_mean_order_nan_as_plus_infinity():
    x = np.array([[np.nan], [np.nan], [1.0]])
    np.testing.assert_array_equal(median(x), [np.inf])
    np.testing.assert_array_equal(median(np.array([[np.nan], [-np.inf], [0.0], [2.0]])), [1.0])
    np.testing.assert_array_equal(trimmed_mean(x, k=0), [np.inf])
    np.testing.assert_array_equal(mean(x), [np.nan])  # the baseline propagates


def test_averages_of_kept_finite_values_never_overflow():
    big = np.full((4, 2), 1e308)
    np.testing.assert_array_equal(median(big), [1e308, 1e308])
    np.testing.assert_array_equal(trimmed_mean(big, k=0), [1e308, 1e308])
    mixed = np.array([[-1e308], [1e308], [1e308], [1e308], [1.7e308]])
    assert np.isfinite(trimmed_mean(mixed, k=1)).all()
    np.testing.assert_allclose(trimmed_mean(mixed, k=1), [1e308])


def test_mean_propagates_non_finite_values_silently():
    x = np.array([[1e308], [1e308], [0.0]])
    np.testing.assert_array_equal(mean(x), [np.inf])


@pytest.mark.parametrize("path", ["sort", "partition", "runs"])
@pytest.mark.parametrize("m", [1, 2, 5, 6, 40, 41])
def test_sort_partition_and_runs_paths_give_the_same_order_statistics(monkeypatch, path, m):
    if path != "sort":
        monkeypatch.setattr(agg_module, "_SORT_MAX_M_MEDIAN", 0)
        monkeypatch.setattr(agg_module, "_SORT_MAX_M_TRIM", 0)
        monkeypatch.setattr(agg_module, "_LONG_LANES", path)
    rng = np.random.default_rng(m)
    x = rng.integers(-3, 4, size=(3, m, 50)).astype(float)  # many ties
    x[0, : m // 3, :7] = np.nan
    ref = np.sort(np.where(np.isnan(x), np.inf, x), axis=-2)
    h = m // 2
    expected = ref[..., h, :] if m % 2 else ref[..., h - 1, :] / 2 + ref[..., h, :] / 2
    np.testing.assert_array_equal(median(x), expected)
    for k in {0, (m - 1) // 4, (m - 1) // 2}:
        with np.errstate(invalid="ignore"):
            expected_tm = ref[..., k : m - k, :].mean(axis=-2)
        np.testing.assert_allclose(trimmed_mean(x, k=k), expected_tm, rtol=1e-12)


TIES_AND_EXTREMES = st.one_of(
    st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308, -3.0, -1.0, 0.0, 0.5, 1.0, 3.0]),
    st.integers(-2, 2).map(float),
)


def _rule_by_full_sort(x, k):
    """Median and trimmed mean of x (m, d) from a full sort, NaN as +inf, without the module's code."""
    m = x.shape[0]
    ref = np.sort(np.where(np.isnan(x), np.inf, x), axis=0)
    lo, hi = ref[(m - 1) // 2], ref[m // 2]
    with np.errstate(over="ignore", invalid="ignore"):
        med = np.where(np.isfinite((lo + hi) * 0.5), (lo + hi) * 0.5, lo / 2 + hi / 2)
    kept = ref[k : m - k]
    tm = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        v = kept[:, j]
        if np.isinf(v).any():
            tm[j] = np.nan if (v == np.inf).any() and (v == -np.inf).any() else v[np.isinf(v)][0]
        else:
            tm[j] = math.fsum(v / len(v))
    return med, tm, (np.abs(np.where(np.isfinite(kept), kept, 0.0)) / len(kept)).sum(axis=0)  # no overflow


@pytest.mark.parametrize("path", ["sort", "partition", "runs"])
@given(data=st.data())
def test_every_path_gives_the_rule_of_a_full_sort_with_ties_infs_and_nans(path, data):
    m = data.draw(st.integers(1, 40), label="m")
    k = data.draw(st.integers(0, (m - 1) // 2), label="k")
    x = data.draw(hnp.arrays(np.float64, (m, data.draw(st.integers(1, 6), label="d")), elements=TIES_AND_EXTREMES))
    x_before = x.copy()
    threshold = 1 << 30 if path == "sort" else 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(agg_module, "_SORT_MAX_M_MEDIAN", threshold)
        mp.setattr(agg_module, "_SORT_MAX_M_TRIM", threshold)
        mp.setattr(agg_module, "_LONG_LANES", "runs" if path == "runs" else "partition")
        got_med, got_tm = median(x), trimmed_mean(x, k=k)
    np.testing.assert_array_equal(x, x_before)
    med, tm, scale = _rule_by_full_sort(x, k)
    np.testing.assert_array_equal(got_med, med)
    finite = np.isfinite(tm)
    np.testing.assert_array_equal(got_tm[~finite], tm[~finite])
    # the summation order is the only difference: rounding of a sum of m - 2k terms
    assert np.all(np.abs(got_tm[finite] - tm[finite]) <= 1e-14 * scale[finite])


@pytest.mark.parametrize("method", ["partition", "runs"])
@pytest.mark.parametrize("m", [257, 1000, 1001, 1024])
@pytest.mark.parametrize("kind", ["gaussian", "ties", "non-finite", "sorted-by-worker"])
def test_long_lanes_give_the_order_statistics_of_a_full_sort(monkeypatch, method, m, kind):
    monkeypatch.setattr(agg_module, "_LONG_LANES", method)
    rng = np.random.default_rng(m)
    x = rng.standard_normal((m, 40))
    if kind == "ties":
        x = rng.integers(-2, 3, size=(m, 40)).astype(float)
    elif kind == "non-finite":
        x[rng.random(x.shape) < 0.15] = np.nan
        x[rng.random(x.shape) < 0.1] = np.inf
        x[rng.random(x.shape) < 0.1] = -np.inf
    elif kind == "sorted-by-worker":
        x = np.sort(x, axis=0)
    ref = np.sort(np.where(np.isnan(x), np.inf, x), axis=0)
    h = m // 2
    expected = ref[h] if m % 2 else ref[h - 1] / 2 + ref[h] / 2
    np.testing.assert_array_equal(median(x), expected)
    for k in (0, m // 10, (m - 1) // 2):
        with np.errstate(invalid="ignore"):
            expected_tm = ref[k : m - k].mean(axis=0)
        got = trimmed_mean(x, k=k)
        finite = np.isfinite(expected_tm)
        np.testing.assert_array_equal(got[~finite], expected_tm[~finite])
        # summed in the order the selection leaves, not sorted order: rounding of a sum of m - 2k terms
        scale = np.abs(np.where(np.isfinite(ref[k : m - k]), ref[k : m - k], 0.0)).mean(axis=0)
        assert np.all(np.abs(got[finite] - expected_tm[finite]) <= 1e-14 * scale[finite])


ZEN4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"


@pytest.mark.parametrize(
    "cpuinfo,avx512,slow",
    [
        (ZEN4, True, True),  # Zen 4 with numpy's AVX-512 sort: microcoded compress stores
        (ZEN4, False, False),  # the same CPU with numpy's AVX2 code (NPY_DISABLE_CPU_FEATURES)
        (ZEN4.replace(": 25", ": 26"), True, False),  # Zen 5 runs the compress stores natively
        ("vendor_id\t: GenuineIntel\ncpu family\t: 6\n", True, False),
        ("", True, False),  # nothing known about the CPU
    ],
)
def test_sorted_runs_are_chosen_only_where_numpys_avx512_selection_is_slow(cpuinfo, avx512, slow):
    assert agg_module._slow_simd_selection(cpuinfo, avx512) is slow


@pytest.mark.parametrize("method", ["partition", "runs"])
@pytest.mark.parametrize("shape", [(2, 300, 40), (50, 300, 3)], ids=["blocks-of-lanes", "blocks-of-batches"])
def test_results_do_not_depend_on_the_number_of_threads(monkeypatch, method, shape):
    import warnings

    monkeypatch.setattr(agg_module, "_LONG_LANES", method)
    monkeypatch.setattr(agg_module, "_CHUNK_ELEMS", 1 << 12)  # many blocks
    monkeypatch.setattr(agg_module, "_RUNS_CHUNK_ELEMS", 1 << 12)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    x[0, :40, 0] = np.inf  # kept infinities and inf - inf: no warning may escape from a thread
    x[0, 40:80, 0] = -np.inf
    x[-1, :5] = np.nan
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    one = median(x), trimmed_mean(x, k=30), trimmed_mean(x, k=0)
    monkeypatch.setattr(agg_module, "_THREAD_MIN_ELEMS", 0)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert agg_module._lane_threads(x.size) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        three = median(x), trimmed_mean(x, k=30), trimmed_mean(x, k=0)
    for a, b in zip(one, three):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("env,expected", [("2", 2), ("1", 1), ("", None), ("zero", None), ("0", None)])
def test_thread_count_follows_omp_num_threads_else_the_cpus(monkeypatch, env, expected):
    import os

    monkeypatch.setenv("OMP_NUM_THREADS", env)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert agg_module._lane_threads(agg_module._THREAD_MIN_ELEMS) == (cpus if expected is None else expected)
    assert agg_module._lane_threads(agg_module._THREAD_MIN_ELEMS - 1) == 1


@pytest.mark.parametrize("method", ["partition", "runs"])
def test_long_lanes_are_split_into_blocks_consistently(monkeypatch, method):
    monkeypatch.setattr(agg_module, "_LONG_LANES", method)
    monkeypatch.setattr(agg_module, "_SORT_MAX_M_MEDIAN", 5)
    monkeypatch.setattr(agg_module, "_SORT_MAX_M_TRIM", 5)
    monkeypatch.setattr(agg_module, "_CHUNK_ELEMS", 64)  # many blocks, both block layouts
    monkeypatch.setattr(agg_module, "_RUNS_CHUNK_ELEMS", 64)
    rng = np.random.default_rng(1)
    for shape in [(7, 100), (4, 3, 7, 5)]:
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(median(x), np.median(x, axis=-2), rtol=1e-15)
        np.testing.assert_allclose(trimmed_mean(x, k=2), scipy.stats.trim_mean(x, 2 / 7, axis=-2))


# ----------------------------------------------------------------------------------------------
# masks, batching, purity


@given(x=worker_grads(min_m=1))
def test_masks_select_the_values_that_are_averaged(x):
    m = x.shape[0]
    out, kept = median(x, return_mask=True)
    assert kept.shape == x.shape
    np.testing.assert_array_equal(kept.sum(axis=0), 1 if m % 2 else 2)
    assert _close(np.where(kept, x, 0).sum(axis=0) / kept.sum(axis=0), out, 1e3)
    k = (m - 1) // 3
    out, kept = trimmed_mean(x, k=k, return_mask=True)
    np.testing.assert_array_equal(kept.sum(axis=0), m - 2 * k)
    assert _close(np.where(kept, x, 0).sum(axis=0) / (m - 2 * k), out, 1e3)


def test_worker_selection_rules_return_masks_over_workers():
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 4))
    for name, agg in ALL_RULES:
        out, kept = agg(x, return_mask=True)
        assert out.shape == (2, 3, 4), name
        assert kept.dtype == bool
        assert kept.shape == (x.shape if name in dict(COORDINATE_WISE) else (2, 3, 9)), name
    _, kept = krum(x, 2, return_mask=True)
    np.testing.assert_array_equal(kept.sum(axis=-1), 1)
    _, kept = multi_krum(x, 2, 4, return_mask=True)
    np.testing.assert_array_equal(kept.sum(axis=-1), 4)


@pytest.mark.parametrize("name,agg", ALL_RULES, ids=[r[0] for r in ALL_RULES])
def test_batch_axes_give_the_same_result_as_one_call_per_element(name, agg):
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 5))
    x[1, 2, 0] += 50.0  # one outlier somewhere
    batched = agg(x)
    assert batched.shape == (2, 3, 5)
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(batched[i, j], agg(x[i, j]), rtol=1e-9, atol=1e-12)
    # a non-contiguous view (workers and batch swapped back) gives the same numbers
    view = np.swapaxes(np.swapaxes(x, 0, 2).copy(), 0, 2)
    assert not view.flags.c_contiguous
    np.testing.assert_allclose(agg(view), batched, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,agg", ALL_RULES, ids=[r[0] for r in ALL_RULES])
def test_aggregators_never_modify_their_input(name, agg):
    x = np.random.default_rng(4).standard_normal((3, 9, 6))
    x[0, 0, 0] = 1e6
    before = x.copy()
    agg(x)
    agg(x, return_mask=True)
    np.testing.assert_array_equal(x, before)
    single = x[:, :1, :]  # m = 1: the worker lane is already contiguous after transposition
    before = single.copy()
    if name in dict(COORDINATE_WISE):
        agg(single)
        np.testing.assert_array_equal(single, before)


def test_aggregators_are_deterministic():
    x = np.random.default_rng(5).standard_normal((4, 11, 7))
    for name, agg in ALL_RULES:
        np.testing.assert_array_equal(agg(x), agg(x.copy()), err_msg=name)


def test_integer_input_is_promoted_and_float32_is_kept():
    assert median(np.array([[1, 2], [3, 4], [5, 7]])).dtype == np.float64
    assert median(np.ones((3, 2), dtype=np.float32)).dtype == np.float32


# ----------------------------------------------------------------------------------------------
# geometric median, Krum, spectral filter


@given(x=worker_grads(min_m=1, max_m=9, max_d=1), data=st.data())
def test_geometric_median_in_one_dimension_is_the_median_for_odd_m(x, data):
    assume(x.shape[0] % 2 == 1)
    assert np.allclose(geometric_median(x), np.median(x, axis=0), atol=1e-6 * (np.abs(x).max() + 1))


@given(x=worker_grads(min_m=2, max_m=9, max_d=3))
def test_geometric_median_is_no_worse_than_any_worker_or_the_coordinatewise_median(x):
    obj = lambda y: np.linalg.norm(x - y, axis=-1).sum()  # noqa: E731
    best = obj(geometric_median(x))
    tol = 1e-8 * (np.abs(x).max() + 1.0) * x.shape[0]
    assert best <= min(obj(row) for row in x) + tol
    assert best <= obj(np.median(x, axis=0)) + tol


def test_geometric_median_stops_exactly_at_a_majority_point():
    x = np.array([[1.0, 2.0]] * 4 + [[10.0, -3.0], [5.0, 5.0], [-7.0, 0.0]])
    np.testing.assert_array_equal(geometric_median(x), [1.0, 2.0])


def test_geometric_median_handles_huge_finite_values():
    x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1e308, 1e308], [1.0, 1.0]])
    out = geometric_median(x)
    assert np.all(np.isfinite(out)) and np.all((0 <= out) & (out <= 1.0))


def test_krum_selects_an_honest_worker_against_far_byzantine_rows():
    rng = np.random.default_rng(0)
    honest = rng.standard_normal((50, 12, 5))
    x = apply_attack(honest, 3, functools.partial(sign_flip, c=100.0), rng)
    _, kept = krum(x, 3, return_mask=True)
    assert not kept[..., :3].any()
    _, kept = multi_krum(x, 3, 9, return_mask=True)
    assert not kept[..., :3].any()


def test_krum_handles_huge_finite_values_without_overflow():
    x = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [1e308]])
    np.testing.assert_array_equal(krum(x, 1), [0.1])  # scores of 0.1, 0.2 tie: lowest index


def test_multi_krum_selecting_every_worker_is_the_mean():
    x = np.random.default_rng(1).standard_normal((3, 8, 4))
    np.testing.assert_allclose(multi_krum(x, 1, 8), mean(x))


def test_spectral_filter_removes_a_far_cluster_and_keeps_clean_data():
    rng = np.random.default_rng(0)
    clean = rng.standard_normal((20, 40, 10))
    out, kept = spectral_filter(clean, eps=0.2, return_mask=True)
    assert kept.sum(axis=-1).min() >= 38  # rarely removes honest workers
    attacked = clean.copy()
    attacked[:, :6] += 8.0  # 6 of 40 workers shifted along the all-ones direction
    out, kept = spectral_filter(attacked, eps=0.2, return_mask=True)
    assert not kept[:, :6].any()
    assert np.linalg.norm(out - clean[:, 6:].mean(axis=-2), axis=-1).max() < 0.5
    assert (40 - kept.sum(axis=-1)).max() <= 16  # budget floor(2 * 0.2 * 40)


def test_spectral_filter_respects_an_explicit_threshold_and_budget():
    x = np.random.default_rng(2).standard_normal((30, 5))
    _, kept = spectral_filter(x, threshold=1e9, return_mask=True)
    assert kept.all()
    _, kept = spectral_filter(x, threshold=0.0, eps=0.1, return_mask=True)
    assert kept.sum() == 30 - 6


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_the_spectral_filter_removes_a_non_finite_worker_from_its_budget(value):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 10, 3))
    x[1, 4, 1] = value
    out, kept = spectral_filter(x, eps=0.2, threshold=0.0, return_mask=True)
    assert not kept[1, 4] and kept[1].sum() == 10 - 4  # budget floor(2 * 0.2 * 10) = 4, one of them spent on row 4
    rows = np.delete(x[1], 4, axis=0)
    sub_out, sub_kept = spectral_filter(rows, eps=1 / 6, threshold=0.0, return_mask=True)  # budget 3 on 9 rows
    np.testing.assert_allclose(out[1], sub_out, rtol=1e-12)
    np.testing.assert_array_equal(kept[1][np.arange(10) != 4], sub_kept)
    np.testing.assert_array_equal(out[0], spectral_filter(x[0], eps=0.2, threshold=0.0))


def test_the_spectral_filter_gives_nan_when_its_budget_cannot_remove_every_non_finite_worker():
    x = np.random.default_rng(4).standard_normal((10, 3))
    x[:3, 0] = np.inf
    out, kept = spectral_filter(x, eps=0.1, return_mask=True)  # budget 2 < 3 non-finite workers
    assert np.isnan(out).all() and not kept.any()


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_the_geometric_median_leaves_a_non_finite_worker_out(value):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 7, 4))
    x[1, 2, 0] = value
    x[1, 5, 3] = value
    gm, kept = geometric_median(x, return_mask=True)
    assert not kept[1, 2] and not kept[1, 5] and kept.sum() == 3 * 7 - 2
    np.testing.assert_array_equal(gm[1], geometric_median(np.delete(x[1], [2, 5], axis=0)))
    for b in (0, 2):  # the other batch elements are untouched, bit for bit
        np.testing.assert_array_equal(gm[b], geometric_median(x[b]))
    assert np.isfinite(gm).all()


def test_the_geometric_median_of_no_finite_worker_is_nan():
    x = np.full((2, 5, 3), np.nan)
    x[0] = 1.0
    gm = geometric_median(x)
    assert np.all(gm[0] == 1.0) and np.all(np.isnan(gm[1]))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n_bad", [1, 2])
def test_krum_and_multi_krum_count_a_non_finite_row_as_byzantine(value, n_bad):
    rng = np.random.default_rng(3)
    honest = rng.standard_normal((4, 9, 3))
    x = np.concatenate([np.full((4, n_bad, 3), value), honest], axis=-2)
    x[:, 0, 1] = 0.0  # one finite entry is not enough to be finite
    for out, kept in (krum(x, 2, return_mask=True), multi_krum(x, 2, 5, return_mask=True)):
        assert np.all(np.isfinite(out))
        assert not kept[..., :n_bad].any()
    np.testing.assert_array_equal(krum(x, 2), krum(np.concatenate([np.full((4, n_bad, 3), 1e6), honest], axis=-2), 2))


# ----------------------------------------------------------------------------------------------
# invalid arguments: one row per bad input

X5 = np.zeros((5, 3))
RNG = np.random.default_rng(0)
INVALID = [
    ("beta >= 1/2", lambda: trimmed_mean(X5, 0.5), r"beta \(0.5\) must be in \[0, 1/2\)\."),
    ("negative beta", lambda: trimmed_mean(X5, -0.1), r"beta \(-0.1\) must be in \[0, 1/2\)\."),
    ("nan beta", lambda: trimmed_mean(X5, float("nan")), r"beta \(nan\) must be in"),
    ("k >= m/2", lambda: trimmed_mean(X5, k=3), r"k \(3\) must satisfy 2k < m = 5 \(the number of workers\)\."),
    ("negative k", lambda: trimmed_mean(X5, k=-1), r"k \(-1\) must be >= 0\."),
    ("float k", lambda: trimmed_mean(X5, k=1.0), r"k \(1.0\) must be an integer\."),
    ("both beta and k", lambda: trimmed_mean(X5, 0.2, k=1), r"must be given exactly one"),
    ("neither beta nor k", lambda: trimmed_mean(X5), r"must be given exactly one"),
    ("ndim 1", lambda: median(np.zeros(5)), r"x \(ndim 1, shape \(5,\)\) must have ndim >= 2"),
    ("ndim 0", lambda: mean(np.float64(1.0)), r"x \(ndim 0, shape \(\)\) must have ndim >= 2"),
    ("empty worker axis", lambda: median(np.zeros((2, 0, 3))), r"x \(shape \(2, 0, 3\)\) must have at least one"),
    ("complex input", lambda: median(np.zeros((3, 2), complex)), r"x \(dtype complex128\) must be real"),
    ("ragged list", lambda: median([[1.0, 2.0], [3.0]]), r"x \(a ragged nested sequence\) must be a rectangular array"),
    ("ragged batch", lambda: trimmed_mean([[[1.0]], [[1.0], [2.0]]], 0.1), r"x \(a ragged nested sequence\)"),
    ("krum m <= 2f+2", lambda: krum(np.zeros((6, 2)), 2), r"m \(6\) must be > 2f \+ 2 = 6"),
    ("krum negative f", lambda: krum(X5, -1), r"f \(-1\) must be >= 0\."),
    (
        "multi_krum q > m",
        lambda: multi_krum(np.zeros((9, 2)), 1, 10),
        r"q \(10\) must be <= m = 9 \(the number of workers\)\.",
    ),
    ("multi_krum q = 0", lambda: multi_krum(np.zeros((9, 2)), 1, 0), r"q \(0\) must be >= 1\."),
    ("geometric_median tol", lambda: geometric_median(X5, tol=0.0), r"tol \(0.0\) must be > 0\."),
    ("geometric_median max_iter", lambda: geometric_median(X5, max_iter=0), r"max_iter \(0\) must be >= 1\."),
    ("filter eps >= 1/2", lambda: spectral_filter(X5, eps=0.5), r"eps \(0.5\) must be in \[0, 1/2\)\."),
    ("filter threshold < 0", lambda: spectral_filter(X5, threshold=-1.0), r"threshold \(-1.0\) must be >= 0\."),
    ("attack q negative", lambda: apply_attack(X5, -1, "sign_flip", RNG), r"q \(-1\) must be >= 0"),
    ("attack q non-integer", lambda: apply_attack(X5, 1.5, "sign_flip", RNG), r"q \(1.5\) must be an integer"),
    ("attack q bool", lambda: sign_flip(X5, True, RNG), r"q \(True\) must be an integer"),
]


@pytest.mark.parametrize("case,call,message", INVALID, ids=[row[0] for row in INVALID])
def test_invalid_arguments_raise_bad_input_naming_the_argument(case, call, message):
    with pytest.raises(BadInput, match=message):
        call()
