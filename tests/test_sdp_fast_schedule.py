"""The fast path's float32 iterations, capped rank, certificate schedule, threads and memory guard."""

from __future__ import annotations

import numpy as np
import pytest

from boundlab.bounds import BadInput
from boundlab.certify import _sdp
from boundlab.certify._sdp import build_q, certificate_route, solve_sdp


def instance(d: int, d1: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return build_q(rng.standard_normal((d1, d)) / np.sqrt(d), rng.standard_normal(d1))


def in_q_order(q, factor: np.ndarray) -> np.ndarray:
    out = np.empty_like(factor)
    out[q.left], out[q.right] = factor[: q.left.size], factor[q.left.size :]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float32_iterations_give_a_certified_interval_that_overlaps_the_float64_one(seed):
    q = instance(90, 70, seed)
    fast = solve_sdp(q, precision="auto", blas_threads=1)
    ref = solve_sdp(q, precision="float64", blas_threads=1)
    assert fast.rel_gap <= 1e-6 and ref.rel_gap <= 1e-6
    assert fast.lower <= ref.upper and ref.lower <= fast.upper
    by_eigh, _ = certificate_route(q, fast.dual, method="eigh")
    assert fast.upper == pytest.approx(by_eigh, rel=1e-9)  # the float64 certificate of the same dual


def test_the_reported_factor_is_feasible_and_attains_the_lower_bound():
    q = instance(90, 70)
    r = solve_sdp(q, blas_threads=1)
    V = in_q_order(q, r.factor)
    assert r.factor.dtype == np.float64
    assert np.all(np.einsum("ij,ij->i", V, V) <= 1 + 1e-15)
    value = float(np.einsum("ij,ij->", q.dense() @ V, V))
    assert r.lower <= value <= r.upper


def test_a_capped_rank_stuck_at_a_low_rank_stationary_point_grows_to_barvinok_pataki_and_certifies(monkeypatch):
    q = instance(40, 30)
    stuck = solve_sdp(q, rank=2, precision="float64", time_limit=1.0, blas_threads=1)
    assert stuck.rel_gap > 1e-3  # rank 2 alone stops far from Phi here
    monkeypatch.setattr(_sdp, "DEFAULT_RANK_CAP", 2)
    r = solve_sdp(q, blas_threads=1)
    assert r.rel_gap <= 1e-6 and r.note == ""
    assert r.factor.shape[1] == _sdp._rank(q.N, None)


def test_an_explicit_rank_is_kept():
    r = solve_sdp(instance(40, 30), rank=5, blas_threads=1, time_limit=2.0)
    assert r.factor.shape[1] == 5


def test_next_certificate_is_extrapolated_from_the_last_two_gaps():
    # gap 1e-4 at 100, 1e-5 at 200: one decade per 100 iterations, 0.7e-6 reached near 316
    assert _sdp._next_check([(100, 1e-4), (200, 1e-5)], 1e-6, 200, 10) == 316
    assert _sdp._next_check([(100, 1e-4), (200, 2e-4)], 1e-6, 200, 10) is None


def test_blas_threads_default_to_every_usable_core_unless_the_environment_limits_them(monkeypatch):
    import os

    monkeypatch.delenv("BOUNDLAB_BLAS_THREADS", raising=False)
    assert _sdp.default_blas_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("BOUNDLAB_BLAS_THREADS", "1")
    assert _sdp.default_blas_threads() == 1


def test_blas_threads_limit_the_blas_pool_inside_the_solver(monkeypatch):
    from threadpoolctl import threadpool_info

    seen = []
    real = _sdp._fast_bipartite

    def spy(*args, **kwargs):
        seen.append({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
        return real(*args, **kwargs)

    monkeypatch.setattr(_sdp, "_fast_bipartite", spy)
    monkeypatch.setenv("BOUNDLAB_BLAS_THREADS", "1")
    solve_sdp(instance(10, 8))
    assert seen == [{1}]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"precision": "float16"}, r"precision \(float16\) must be 'auto' or 'float64'"),
        ({"blas_threads": 0}, r"blas_threads \(0\) must be None or an integer >= 1"),
        ({"blas_threads": 1.5}, r"blas_threads \(1.5\) must be None or an integer >= 1"),
    ],
)
def test_bad_precision_or_thread_count_is_rejected_naming_it(kwargs, message):
    with pytest.raises(BadInput, match=message):
        solve_sdp(instance(4, 3), **kwargs)


def test_a_bad_thread_count_in_the_environment_is_rejected_naming_it(monkeypatch):
    monkeypatch.setenv("BOUNDLAB_BLAS_THREADS", "all")
    with pytest.raises(BadInput, match=r"BOUNDLAB_BLAS_THREADS \('all'\) must be a whole number >= 1"):
        solve_sdp(instance(4, 3))


def test_a_certificate_too_large_for_available_memory_says_which_size_fits_before_allocating(monkeypatch):
    monkeypatch.setattr(_sdp, "_available_memory", lambda: 16 * 100 * 100)  # room for N = 100
    monkeypatch.setattr(_sdp, "_dense", lambda q: pytest.fail("allocated before refusing"))
    with pytest.raises(BadInput, match=r"N \(201\) must be <= 100 to fit the certificate in the available memory"):
        solve_sdp(instance(120, 80))
    with pytest.raises(BadInput, match=r"N \(201\) must be <= 100"):
        _sdp.certificate(instance(120, 80), np.zeros(201))
