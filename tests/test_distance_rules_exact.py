"""The fast geometric median, Krum, Multi-Krum and NNM against their direct implementations, bit for bit.

The rules were sped up for the robustness table (a partition instead of a sort, only the running
batch elements iterated, coordinate-by-coordinate norms); their results did not change. The
references below are the straightforward versions they replaced: every batch element iterated to
the end, one element at a time when a worker is non-finite, sorted rows summed, a stable argsort.
They are compared with ``assert_array_equal`` on inputs full of exact ties (integer coordinates,
repeated rows: the Byzantine rows of an attack are copies), non-finite rows and huge values.
"""

from __future__ import annotations

import numpy as np
import pytest

from boundlab.montecarlo import krum, multi_krum, nnm
from boundlab.montecarlo._aggregators import _pairwise_sq_dists, _safe_norm, geometric_median, median
from boundlab.montecarlo._robust import _split_finite, _sq_dists

# ----------------------------------------------------------------------------------------------
# references (the previous implementations)


def ref_safe_norm(v):
    a = np.max(np.abs(v), axis=-1, initial=0.0)
    scale = np.where(a > 0, a, 1.0)
    with np.errstate(over="ignore"):
        return scale * np.sqrt(np.sum((v / scale[..., None]) ** 2, axis=-1))


def ref_geometric_median(arr, tol=1e-10, max_iter=500):
    bad = ~np.isfinite(arr).all(axis=-1)
    if bad.any():
        out = np.empty(arr.shape[:-2] + arr.shape[-1:])
        for idx in np.ndindex(arr.shape[:-2]):
            rows = arr[idx][~bad[idx]]
            out[idx] = ref_geometric_median(rows, tol, max_iter) if len(rows) else np.nan
        return out
    batch = arr.shape[:-2]
    if arr.shape[-1] == 0 or arr.shape[-2] == 1:
        return arr[..., 0, :].copy()
    c = median(arr)
    with np.errstate(over="ignore", invalid="ignore"):
        z = arr - c[..., None, :]
    e = np.zeros(batch, dtype=int)
    if not np.all(np.isfinite(z)):
        z = np.ldexp(arr, -2) - np.ldexp(c, -2)[..., None, :]
        e = e + 2
    y = np.zeros((*batch, arr.shape[-1]))
    far = np.max(ref_safe_norm(z), axis=-1)
    active = far > 0
    e_unit = np.frexp(np.where(active, far, 1.0))[1]
    z = np.ldexp(z, -e_unit[..., None, None])
    e = e + e_unit
    m = arr.shape[-2]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(max_iter):
            if not active.any():
                break
            diff = z - y[..., None, :]
            dist = ref_safe_norm(diff)
            coincide = dist <= 1e-14
            w = np.where(coincide, 0.0, 1.0 / np.where(coincide, 1.0, dist))
            wsum = w.sum(axis=-1)
            pull = np.einsum("...m,...md->...d", w, diff)
            r = ref_safe_norm(pull)
            eta = coincide.sum(axis=-1)
            gamma = np.where(r > 0, np.minimum(1.0, eta / np.where(r > 0, r, 1.0)), 1.0)
            step = np.where((wsum > 0)[..., None], (1.0 - gamma)[..., None] * pull / wsum[..., None], 0.0)
            step = np.where(active[..., None], step, 0.0)
            j = np.argmin(dist, axis=-1)
            xj = np.take_along_axis(z, j[..., None, None], axis=-2)[..., 0, :]
            dj = ref_safe_norm(z - xj[..., None, :])
            at_j = dj <= 1e-14
            wj = np.where(at_j, 0.0, 1.0 / np.where(at_j, 1.0, dj))
            rj = ref_safe_norm(np.einsum("...m,...md->...d", wj, z - xj[..., None, :]))
            optimal_j = active & (rj <= at_j.sum(axis=-1) * (1.0 + 1e-9))
            y = np.where(optimal_j[..., None], xj, y + step)
            active &= ~optimal_j & (np.maximum(r - eta, 0.0) > tol * m)
    with np.errstate(over="ignore"):
        return c + np.ldexp(y, e[..., None])


def ref_krum_scores(x, f):
    m = x.shape[-2]
    bad = ~np.isfinite(x).all(axis=-1)
    dist = _pairwise_sq_dists(np.where(bad[..., None], 0.0, x))
    dist = np.where(bad[..., :, None] | bad[..., None, :], np.inf, dist)
    dist[..., np.arange(m), np.arange(m)] = np.inf
    with np.errstate(over="ignore", invalid="ignore"):
        scores = np.sort(dist, axis=-1)[..., : m - f - 2].sum(axis=-1)
    return np.where(bad, np.inf, scores)


def ref_krum_mask(x, f, q):
    chosen = np.argsort(ref_krum_scores(x, f), axis=-1, kind="stable")[..., :q]
    kept = np.zeros(x.shape[:-1], dtype=bool)
    np.put_along_axis(kept, chosen, True, axis=-1)
    return kept


def ref_nnm(x, f):
    m = x.shape[-2]
    clean, bad = _split_finite(x)
    dist = _sq_dists(clean, bad)
    order = np.argsort(dist, axis=-1, kind="stable")[..., : m - f]
    w = np.zeros(dist.shape)
    np.put_along_axis(w, order, 1.0 / (m - f), axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        out = w @ clean
        if not np.all(np.isfinite(out)):
            out = np.where(np.isfinite(out), out, (w[..., :, :, None] * clean[..., None, :, :]).sum(axis=-2))
    poisoned = (w > 0) & bad[..., None, :]
    return np.where((poisoned.any(axis=-1) | bad)[..., None], np.nan, out)


# ----------------------------------------------------------------------------------------------
# inputs


def _inputs(seed, n=40):
    """Batches of workers with exact ties, copied Byzantine rows, non-finite rows and huge values."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(n):
        m, d, b = int(rng.integers(7, 45)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
        kind = t % 5
        if kind == 0:  # integers: many equal distances
            x = rng.integers(-2, 3, (b, m, d)).astype(float)
        else:
            x = rng.standard_normal((b, m, d))
        if kind in (1, 2):  # a cluster of copied Byzantine rows
            q = int(rng.integers(1, m // 3 + 1))
            x[:, :q] = rng.standard_normal((b, 1, d)) * (1.0 if kind == 1 else 20.0)
        if kind == 3:  # non-finite rows, a different number per batch element
            for i in range(b):
                rows = rng.choice(m, size=int(rng.integers(0, 3)), replace=False)
                x[i, rows, rng.integers(0, d)] = rng.choice([np.nan, np.inf, -np.inf])
        if kind == 4 and t % 2:
            x = x * 1e200  # centred entries above 1e150: the direct-difference path
        out.append(x)
    return out


# ----------------------------------------------------------------------------------------------
# tests


@pytest.mark.parametrize("d", range(1, 10))
def test_safe_norm_is_bit_identical_to_the_reduction(d):
    rng = np.random.default_rng(d)
    for shape in [(d,), (7, d), (3, 11, d)]:
        v = rng.standard_normal(shape) * 10.0 ** rng.integers(-300, 300, shape)
        v.flat[0] = np.nan
        np.testing.assert_array_equal(_safe_norm(v), ref_safe_norm(v))
        np.testing.assert_array_equal(_safe_norm(np.zeros(shape)), np.zeros(shape[:-1]))


@pytest.mark.parametrize("seed", range(3))
def test_geometric_median_is_bit_identical_to_the_direct_iteration(seed):
    for x in _inputs(seed, 25):
        got, kept = geometric_median(x, return_mask=True)
        np.testing.assert_array_equal(got, ref_geometric_median(x))
        np.testing.assert_array_equal(kept, np.isfinite(x).all(axis=-1))
        np.testing.assert_array_equal(geometric_median(x, max_iter=3), ref_geometric_median(x, max_iter=3))


def test_geometric_median_solves_elements_with_different_numbers_of_non_finite_workers_together():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 9, 2))
    x[0, 0, :2, 0] = np.nan
    x[0, 1, 4, 1] = np.inf
    x[1, 2, :, 0] = -np.inf  # no finite worker
    got = geometric_median(x)
    assert got.shape == (2, 3, 2) and np.isnan(got[1, 2]).all()
    for idx in [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]:
        rows = x[idx][np.isfinite(x[idx]).all(axis=-1)]
        np.testing.assert_array_equal(got[idx], geometric_median(rows))


@pytest.mark.parametrize("seed", range(3))
def test_krum_and_multi_krum_select_exactly_what_the_sorted_scores_select(seed):
    for x in _inputs(seed):
        m = x.shape[-2]
        for f in {0, 1, (m - 3) // 2}:
            for q in {1, 2, m // 2, m - f, m}:
                kept = multi_krum(x, f, q, return_mask=True)[1] if q > 1 else krum(x, f, return_mask=True)[1]
                np.testing.assert_array_equal(kept, ref_krum_mask(x, f, q), err_msg=f"m={m} f={f} q={q}")


def test_krum_breaks_exact_ties_of_the_sorted_scores_by_index():
    # three copies of one row and copies of another: equal multisets of distances, equal scores
    x = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 3 + [[0.5, 0.25], [3.0, -1.0], [0.0, 0.0]])
    for f in (0, 1, 2):
        for q in range(1, 10):
            kept = multi_krum(x, f, q, return_mask=True)[1]
            np.testing.assert_array_equal(kept, ref_krum_mask(x, f, q))


@pytest.mark.parametrize("seed", range(3))
def test_nnm_is_bit_identical_to_the_stable_argsort(seed):
    for x in _inputs(seed):
        m = x.shape[-2]
        for f in {0, 1, m // 3, m - 1}:
            with np.errstate(all="ignore"):
                np.testing.assert_array_equal(nnm(x, f=f), ref_nnm(x, f), err_msg=f"m={m} f={f}")


def test_nnm_with_nan_distances_orders_them_last_as_the_stable_argsort(monkeypatch):
    # the threshold of a row with fewer than m - f non-NaN distances is NaN: that row falls back to
    # the stable argsort (NaN last, ties by index); finite inputs give no NaN distance, so the
    # distances are substituted
    import boundlab.montecarlo._robust as robust

    x = np.random.default_rng(3).standard_normal((2, 6, 2))
    dist = robust._sq_dists(x, np.zeros((2, 6), dtype=bool))
    dist[0, 1, 2:] = np.nan
    dist[1, 3, :] = np.nan
    monkeypatch.setattr(robust, "_sq_dists", lambda clean, bad: dist.copy())
    order = np.argsort(dist, axis=-1, kind="stable")[..., :5]
    w = np.zeros(dist.shape)
    np.put_along_axis(w, order, 1.0 / 5, axis=-1)
    np.testing.assert_array_equal(robust._nnm(x, 1), w @ x)


def test_pairwise_sq_dists_are_symmetric_and_agree_with_the_differences():
    rng = np.random.default_rng(11)
    for shape in [(5, 2), (3, 40, 2), (2, 17, 6)]:
        x = rng.standard_normal(shape) * 3.0 + 1.0
        dist = _pairwise_sq_dists(x)
        direct = ((x[..., :, None, :] - x[..., None, :, :]) ** 2).sum(axis=-1)
        np.testing.assert_array_equal(dist, np.swapaxes(dist, -1, -2))
        np.testing.assert_allclose(dist, direct, rtol=1e-12, atol=1e-12 * np.abs(x).max() ** 2)
        assert (np.diagonal(dist, axis1=-2, axis2=-1) == 0).all()
