"""Robust aggregators: pure, vectorised functions ``(*batch, m, d) -> (*batch, d)``.

Workers are on axis -2 and coordinates on axis -1; any leading axes are batch axes (Monte Carlo
trials) and are processed together. No function uses randomness or mutates its input.

Rules
-----
=====================  ===========================================  ==========================
function               rule                                         ``kept`` mask shape
=====================  ===========================================  ==========================
:func:`mean`           average (the non-robust baseline)            ``(*batch, m, d)``
:func:`median`         coordinate-wise median (Definition 3.1)      ``(*batch, m, d)``
:func:`trimmed_mean`   coordinate-wise trimmed mean (Def. 3.2)      ``(*batch, m, d)``
:func:`geometric_median`  Weiszfeld (Vardi-Zhang modification)      ``(*batch, m)``
:func:`krum`           Blanchard et al. (2017)                      ``(*batch, m)``
:func:`multi_krum`     average of the ``q`` best Krum scores        ``(*batch, m)``
:func:`spectral_filter`  top-eigenvector outlier removal            ``(*batch, m)``
=====================  ===========================================  ==========================

With ``return_mask=True`` every aggregator returns ``(aggregate, kept)``. Coordinate-wise rules
return a boolean array of the input's shape, ``kept[..., i, j]`` telling whether worker ``i``'s
value enters coordinate ``j`` of the aggregate (ties between equal values are broken by worker
index, lower index first in the sorted order). Worker-level rules return ``(*batch, m)``.

Non-finite values
-----------------
* :func:`mean` propagates NaN and inf silently (it is the non-robust baseline); floating-point
  warnings (overflow, inf - inf) are suppressed.
* :func:`median` and :func:`trimmed_mean` order NaN as ``+inf``: a Byzantine NaN is an extreme
  value that gets ordered and trimmed like ``+inf``, and never propagates when it is trimmed.
  ``+inf``, ``-inf`` and ``1e308`` are ordinary extreme values. The output is exactly what the rule
  gives after replacing every NaN by ``+inf``: it is NaN only when ``+inf`` and ``-inf`` would have
  to be averaged (more than ``k`` extreme values on both sides). With ``q`` Byzantine rows and
  ``q <= k`` (trimmed mean) or ``q < m/2`` (median) the output is finite and within the
  coordinate-wise range of the honest values. Averages of kept finite values never overflow:
  the two middle values of an even-sized median whose sum overflows are combined as
  ``a/2 + b/2``, and a trimmed-mean
  block whose plain sum overflows is re-summed as ``sum(v / n)``.
* :func:`krum` and :func:`multi_krum` count a worker with a NaN or infinite entry as Byzantine:
  it is at infinite distance from every other worker and its score is ``+inf``, so it is never
  selected while enough finite workers remain (at most ``f + 1`` non-finite rows for Krum's
  scores to stay finite; Multi-Krum averages a non-finite row only when ``q`` exceeds the number
  of finite rows, and its output is then non-finite). One worker can no longer stop the
  aggregation by sending inf.
* :func:`geometric_median` counts a worker with a NaN or infinite entry as Byzantine and leaves it
  out (its ``kept`` is False; the median of the finite workers is returned, NaN when none is finite).
  :func:`spectral_filter` removes a non-finite worker before its first round, from its removal
  budget (``floor(2 eps m)``); with more non-finite workers than the budget its output is NaN for
  that batch element (it would have to average one). Finite inputs of any magnitude (e.g. ``1e308``) are handled without overflow
  or NaN: the geometric median uses overflow-safe norms (and works on ``x/4`` if the spread
  exceeds the float64 range), Krum forms the differences directly when a median-centred entry
  exceeds 1e150 (squared distances may then be ``inf``, the worst score), and the spectral
  filter rescales such data by a power of two (small values may then lose precision).

Speed
-----
:func:`median` and :func:`trimmed_mean` copy blocks of the worker axis into contiguous lanes
(a blocked transpose into one reused buffer of about ``_CHUNK_ELEMS`` values, so that the
selection runs over contiguous memory in cache) and select the order statistics there. Lanes of
at most ``_SORT_MAX_M_MEDIAN`` / ``_SORT_MAX_M_TRIM`` workers are sorted whole with numpy's SIMD
sort. Longer lanes take one of two exact methods, chosen once per process from the CPU
(``_LONG_LANES``, :func:`_slow_simd_selection`):

* ``"partition"`` (thresholds 96 / 256): ``np.partition`` at one rank per call (numpy 2.x
  selects one rank with SIMD code, several ranks at a time with a scalar introselect): at the
  upper middle rank for the median, then at ``k`` and ``m - k - 1`` for the trimmed mean.
* ``"runs"`` (thresholds 256 / 700), on AMD Zen 4 with numpy's AVX-512 code, whose sort and
  partition of lanes longer than 128 values run microcoded compress stores (10-14 ns per value
  at m = 1000 against 2.7-6.4 with numpy's AVX2 code on the same CPU): each lane is padded with
  ``+inf`` to whole runs of ``_RUN`` = 128 values, the runs are sorted (sorting networks), the
  largest value of every group of ``_GROUP`` = 8 in a run is a sample, two samples bracket the
  wanted order statistics with a deterministic guarantee, and only the values between them are
  gathered and sorted (:func:`_select_window` has the proof).

Order statistics, hence the median, are exact whichever path runs. The trimmed mean of long lanes
averages exactly the kept multiset, ties included (:func:`_make_trim_kernel` has the argument for
both methods), in another order than the sorted order of short lanes, so results agree with a
sort to rounding (bound ``O(p u)`` of the mean absolute kept value, ``p = m - 2k``,
``u = 2**-53``; the two methods differ in the last bits too), and a sum that overflows or keeps an
infinite value is re-summed as ``sum(v / p)`` (partition) or in sorted order (runs).
"""

from __future__ import annotations

import concurrent.futures
import math
import numbers
import os
from collections.abc import Callable
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boundlab.bounds import BadInput

__all__ = [
    "mean",
    "median",
    "trimmed_mean",
    "geometric_median",
    "krum",
    "multi_krum",
    "spectral_filter",
]


def _slow_simd_selection(cpuinfo: str | None = None, avx512: bool | None = None) -> bool:
    r"""Whether numpy's sort and partition of long lanes run x86-simd-sort's AVX-512 code on AMD Zen 4.

    That code stores with ``vcompresspd`` to memory, which Zen 4 (AMD family 0x19) runs in microcode:
    on such a CPU a sort or partition of 1000-value lanes costs 10-14 ns per value against 2.7-6.4
    with numpy's AVX2 code on the same CPU (``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL"``), while
    lanes of at most 128 values (sorting networks, no compress) stay fast.

    Parameters
    ----------
    cpuinfo : str, optional
        The text of ``/proc/cpuinfo`` (read when None; False where it cannot be read).
    avx512 : bool, optional
        Whether numpy dispatches its AVX-512 (``AVX512_SKX``) code (asked of numpy when None).

    Examples
    --------
    >>> zen4 = "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n"
    >>> _slow_simd_selection(zen4, avx512=True), _slow_simd_selection(zen4, avx512=False)
    (True, False)
    """
    if avx512 is None:
        import importlib

        features: dict[str, bool] = {}
        for name in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):  # numpy 2.x, 1.x
            try:
                features = dict(getattr(importlib.import_module(name), "__cpu_features__", {}))
                break
            except ImportError:  # pragma: no cover - the other numpy generation
                continue
        avx512 = bool(features.get("AVX512_SKX", False))
    if not avx512:
        return False
    fields = _cpu_fields(cpuinfo)
    return fields.get("vendor_id") == "AuthenticAMD" and fields.get("cpu family") == "25"


def _cpu_fields(cpuinfo: str | None = None) -> dict[str, str]:
    r"""The first CPU's fields of ``/proc/cpuinfo`` (or of the text ``cpuinfo``); empty where unreadable.

    Examples
    --------
    >>> _cpu_fields("vendor_id : AuthenticAMD\ncpu family : 25\n")["cpu family"]
    '25'
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
                cpuinfo = fh.read(8192)
        except OSError:
            return {}
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


#: How lanes longer than the sort thresholds are selected: ``"partition"`` (``np.partition`` at one
#: rank per call) or ``"runs"`` (sorted runs of ``_RUN`` values and a window between two samples,
#: :func:`_select_window`), chosen once per process from the CPU (:func:`_slow_simd_selection`).
_LONG_LANES = "runs" if _slow_simd_selection() else "partition"
#: Lanes of at most this many workers are sorted whole (numpy's SIMD sort). With partitions, the
#: two cost the same at m of about 96-100 on AVX2 with numpy 2.4 (a partition costs less than half
#: a sort at m = 1000); with sorted runs (Zen 4), at m of about 256-300.
_SORT_MAX_M_MEDIAN = 96 if _LONG_LANES == "partition" else 256
#: The same threshold for the trimmed mean: two partitions cost one sort at m of about 200-256 on
#: AVX2; two windows of sorted runs and a pass over the lane cost one sort at m of about 700 on Zen 4.
_SORT_MAX_M_TRIM = 256 if _LONG_LANES == "partition" else 700
#: Length of the sorted runs of :func:`_select_window` (numpy sorts up to 128 values with a network).
_RUN = 128
#: One sample (the largest value) per group of this many values of a sorted run.
_GROUP = 8
#: Number of values per contiguous block copied by the blocked transpose.
_CHUNK_ELEMS = 1 << 17
#: The same for lanes padded to sorted runs: larger blocks, since the window selection is many small numpy
#: calls per block that hold the GIL (2**19 against 2**17: 62 against 81 ms for the trimmed mean at
#: m = 1000, d = 1e4 on Zen 4 with two threads).
_RUNS_CHUNK_ELEMS = 1 << 19
#: Inputs of at least this many values are split over threads (:func:`_lane_threads`).
_THREAD_MIN_ELEMS = 1 << 21
#: Above this magnitude, Gram matrices are computed on data rescaled by a power of two.
_BIG = 1e150

Aggregate = NDArray[np.floating]


# ----------------------------------------------------------------------------------------------
# validation helpers


def _workers(x: ArrayLike, name: str = "x") -> NDArray[np.floating]:
    """``x`` as a real floating array of shape (*batch, m, d) with m >= 1 (never copied if float)."""
    try:
        arr = np.asarray(x)
    except ValueError:  # a ragged nested list: numpy refuses an inhomogeneous shape
        raise BadInput(
            f"{name} (a ragged nested sequence) must be a rectangular array of shape (*batch, m, d): "
            "every worker needs the same number of coordinates.",
            name=name,
        ) from None
    if arr.dtype.kind == "c":
        raise BadInput(f"{name} (dtype {arr.dtype}) must be real-valued.", name=name)
    if arr.dtype.kind not in "f":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise BadInput(f"{name} (dtype {arr.dtype}) must be numeric.", name=name) from None
    if arr.ndim < 2:
        raise BadInput(
            f"{name} (ndim {arr.ndim}, shape {arr.shape}) must have ndim >= 2: (*batch, m, d) "
            "with workers on axis -2 and coordinates on axis -1.",
            name=name,
        )
    if arr.shape[-2] < 1:
        raise BadInput(f"{name} (shape {arr.shape}) must have at least one worker on axis -2.", name=name)
    return arr


def _integer(value: object, name: str, *, low: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise BadInput(f"{name} ({value!r}) must be an integer.", name=name)
    value = int(value)
    if low is not None and value < low:
        raise BadInput(f"{name} ({value}) must be >= {low}.", name=name)
    return value


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise BadInput(f"{name} ({value!r}) must be a real number.", name=name)
    return float(value)


def _trim_count(beta: float | None, k: int | None, m: int) -> int:
    """Number of values trimmed from each end (see :func:`trimmed_mean`)."""
    if (beta is None) == (k is None):
        raise BadInput(f"beta and k (beta={beta!r}, k={k!r}) must be given exactly one at a time.", name="beta")
    if beta is not None:
        b = _real(beta, "beta")
        if not 0.0 <= b < 0.5:
            raise BadInput(f"beta ({beta}) must be in [0, 1/2).", name="beta")
        prod = b * m
        nearest = round(prod)
        # floor, except that a product within 1e-9 of an integer is that integer
        # (beta = 0.29, m = 100 gives 28.999999999999996 in floating point, but means 29).
        kk = int(nearest) if abs(prod - nearest) <= 1e-9 * max(1.0, prod) else math.floor(prod)
        if 2 * kk >= m:  # possible only through the tolerance; keep the rule's promise 2k < m
            kk = (m - 1) // 2
        return kk
    kk = _integer(k, "k", low=0)
    if 2 * kk >= m:
        raise BadInput(f"k ({kk}) must satisfy 2k < m = {m} (the number of workers).", name="k")
    return kk


# ----------------------------------------------------------------------------------------------
# lane machinery for the coordinate-wise rules


def _lane_threads(size: int) -> int:
    """Threads :func:`median` and :func:`trimmed_mean` use for an input of ``size`` values.

    One below ``_THREAD_MIN_ELEMS`` values (threads would cost more than they save); otherwise
    ``OMP_NUM_THREADS`` when it is set to a positive integer (the convention BLAS follows, and
    what boundlab's process pool and Dask's workers set to 1), else the CPUs this process may run
    on. Results do not depend on the number of threads (every block of lanes is computed alone).

    Examples
    --------
    >>> _lane_threads(1000)
    1
    """
    if size < _THREAD_MIN_ELEMS:
        return 1
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


def _lanewise(
    x: NDArray[np.floating], kernel: Callable[[np.ndarray], np.ndarray], width: int | None = None
) -> np.ndarray:
    """Apply ``kernel`` to contiguous copies of the worker lanes.

    ``kernel(buf)`` receives a C-contiguous array of shape (n, width) (one row per coordinate:
    its ``m`` values, then ``width - m`` copies of ``+inf``), which it may modify, and returns
    shape (n,). Each thread (:func:`_lane_threads`) allocates one buffer and reuses it for its
    blocks (a blocked transpose of about ``_CHUNK_ELEMS`` values, which stays in the L2 cache);
    numpy releases the GIL in the copies, sorts and partitions. Returns shape (*batch, d).
    """
    *batch, m, d = x.shape
    out_shape = (*batch, d)
    if x.size == 0:
        return np.empty(out_shape, dtype=x.dtype)
    w = m if width is None else width
    x3 = x.reshape(-1, m, d)
    nbatch = x3.shape[0]
    out = np.empty((nbatch, d), dtype=x.dtype)
    lanes = max(1, (_CHUNK_ELEMS if width is None else _RUNS_CHUNK_ELEMS) // w)
    if d >= lanes:
        blocks: list[tuple[int, int]] = [(b, j) for b in range(nbatch) for j in range(0, d, lanes)]
    else:
        per = max(1, lanes // d)
        blocks = [(b0, -1) for b0 in range(0, nbatch, per)]

    def work(first: int, step: int) -> None:
        with np.errstate(over="ignore", invalid="ignore"):  # errstate is per thread
            if d >= lanes:
                buf = np.empty((lanes, w), dtype=x.dtype)
                for b, j in blocks[first::step]:
                    blk = buf[: min(lanes, d - j)]
                    np.copyto(blk[:, :m], x3[b, :, j : j + lanes].T)
                    blk[:, m:] = np.inf
                    out[b, j : j + lanes] = kernel(blk)
            else:
                buf3 = np.empty((per, d, w), dtype=x.dtype)
                for b0, _ in blocks[first::step]:
                    blk3 = buf3[: min(per, nbatch - b0)]
                    np.copyto(blk3[..., :m], np.swapaxes(x3[b0 : b0 + per], -1, -2))
                    blk3[..., m:] = np.inf
                    out[b0 : b0 + per] = kernel(blk3.reshape(-1, w)).reshape(-1, d)

    threads = min(_lane_threads(x.size), len(blocks))
    if threads <= 1:
        work(0, 1)
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            for fut in [pool.submit(work, t, threads) for t in range(threads)]:
                fut.result()
    return out.reshape(out_shape)


def _nan_as_inf(v: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(v), np.inf, v)


def _use_runs(m: int, sort_max: int) -> bool:
    """Whether lanes of ``m`` values go through the sorted-runs selection (``_LONG_LANES``)."""
    return _LONG_LANES == "runs" and m > sort_max


def _runs_width(m: int) -> int:
    """Lane width for :func:`_select_window`: ``m`` rounded up to a multiple of ``_RUN``."""
    return -(-m // _RUN) * _RUN


def _sorted_runs(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort each run of ``_RUN`` values of every row of ``buf`` (n, C * _RUN) in place.

    NaN is replaced by ``+inf`` (a sorted run holding a NaN ends with it, so one look at the last
    value of each run finds them, and the replacement keeps the runs sorted). Returns the runs,
    shape (n, C, _RUN), and the samples, the largest value of each group of ``_GROUP``
    consecutive values of a run, shape (n, C, _RUN // _GROUP) (views of ``buf``), and the samples
    of each row sorted, shape (n, C * _RUN // _GROUP).
    """
    n, w = buf.shape
    runs = buf.reshape(n, w // _RUN, _RUN)
    runs.sort(axis=-1)
    nan_rows = np.isnan(runs[:, :, -1]).any(axis=-1)
    if nan_rows.any():
        sub = runs[nan_rows]
        sub[np.isnan(sub)] = np.inf
        runs[nan_rows] = sub
    tops = runs[:, :, _GROUP - 1 :: _GROUP]
    return runs, tops, np.sort(tops.reshape(n, -1), axis=-1)


def _select_window(
    runs: np.ndarray, tops: np.ndarray, sample: np.ndarray, lo_rank: int, hi_rank: int
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates for the order statistics of ranks ``lo_rank..hi_rank`` of each row of sorted runs.

    Returns ``(cand, below)``, shapes (n, W) and (n,): ``cand`` sorted along its last axis and
    ``cand[i, r - below[i]]`` the order statistic of rank ``r`` (0-based) of row ``i`` for every
    ``lo_rank <= r <= hi_rank``. Exact for any data (ties included); only the width ``W``
    (about ``2 (_GROUP - 1) C + _GROUP`` without ties) depends on the data.

    ``runs``, ``tops`` and ``sample`` come from :func:`_sorted_runs`.
    Why it is exact: let ``g = _GROUP``, ``s`` the sorted samples of a row (``C * _RUN / g``
    values) and ``lo = s[j_lo]``, ``hi = s[j_hi]``. A run whose first ``b`` samples are below
    ``lo`` has at most ``g b + g - 1`` values below ``lo``, so at most ``g j_lo + (g - 1) C
    <= lo_rank`` values of the row are below ``lo``; a run whose first ``a`` samples are at most
    ``hi`` has at least ``g a`` values at most ``hi``, so at least ``g (j_hi + 1) > hi_rank``
    values are at most ``hi``: the wanted order statistics lie in ``[lo, hi]``. In a run, the
    values before position ``g b`` (``b`` samples below ``lo``) are below ``lo`` and the values
    from position ``g a + g - 1`` on (``a`` samples at most ``hi``) are above ``hi``: the
    ``below`` values left out at the bottom are smaller, and those left out at the top larger,
    than every order statistic wanted, which are therefore order statistics of the candidates.
    """
    n, c, run = runs.shape
    g = _GROUP
    j_lo = (lo_rank - (g - 1) * c) // g
    j_hi = -(-(hi_rank + 1) // g) - 1
    if j_lo >= 0:
        start = g * np.count_nonzero(tops < sample[:, j_lo, None, None], axis=-1)
    else:
        start = np.zeros((n, c), dtype=np.intp)
    if j_hi < sample.shape[-1]:
        stop = np.minimum(g * np.count_nonzero(tops <= sample[:, j_hi, None, None], axis=-1) + g - 1, run)
    else:
        stop = np.full((n, c), run, dtype=np.intp)
    width = (stop - start).ravel()
    total = int(width.sum())
    first = np.arange(n * c) * run + start.ravel()  # flat index of each range's first value
    cand = runs.reshape(-1)[np.repeat(first - (np.cumsum(width) - width), width) + np.arange(total)]
    per_row = width.reshape(n, c).sum(axis=-1)
    w_max = int(per_row.max())
    if int(per_row.min()) == w_max:  # the usual case without ties: no padding needed
        out = cand.reshape(n, w_max)
    else:
        out = np.full((n, w_max), np.inf, dtype=runs.dtype)
        row = np.repeat(np.arange(n), per_row)
        out[row, np.arange(total) - np.repeat(np.cumsum(per_row) - per_row, per_row)] = cand
    out.sort(axis=-1)
    return out, start.sum(axis=-1)


def _median_finish(lo: np.ndarray, hi: np.ndarray, m: int) -> np.ndarray:
    """The median from its middle order statistic(s) ``lo`` and ``hi`` (equal for odd ``m``)."""
    if m % 2:
        res = hi.copy()
    else:
        res = (lo + hi) * 0.5  # bitwise numpy's convention
    bad = ~np.isfinite(res)
    if bad.any():  # a NaN was selected, or lo + hi overflowed: as if every NaN were +inf,
        # and halves first (a/2 + b/2 never overflows)
        if m % 2:
            res[bad] = _nan_as_inf(res[bad])
        else:
            res[bad] = _nan_as_inf(lo[bad]) * 0.5 + _nan_as_inf(hi[bad]) * 0.5
    return res


def _make_median_kernel(m: int, runs: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """Kernel for :func:`_lanewise`: the median of each row of ``buf`` (n, m), NaN as ``+inf``.

    Short rows are sorted. Longer rows are partitioned at ``h = m // 2`` (numpy orders NaN after
    ``+inf``, as a sort does): ``buf[:, h]`` is then the order statistic of rank ``h`` and
    ``buf[:, :h]`` holds the ``h`` smallest values, whose maximum is the order statistic of rank
    ``h - 1`` (NaN if one of them is NaN, which happens exactly when that order statistic is NaN).
    With ``runs`` (:func:`_use_runs`) longer rows (padded to whole runs with ``+inf``) go through
    :func:`_select_window` instead.
    """
    h = m // 2
    lo_rank = h - 1 if m % 2 == 0 else h

    def kernel(buf: np.ndarray) -> np.ndarray:
        if m <= _SORT_MAX_M_MEDIAN:
            buf.sort(axis=-1)
            return _median_finish(buf[:, lo_rank], buf[:, h], m)
        if runs:  # buf is padded to whole runs: the sorted-runs selection
            sorted_runs, tops, sample = _sorted_runs(buf)
            cand, below = _select_window(sorted_runs, tops, sample, lo_rank, h)
            rows = np.arange(len(cand))
            return _median_finish(cand[rows, lo_rank - below], cand[rows, h - below], m)
        buf.partition(h, axis=-1)
        hi = buf[:, h]
        return _median_finish(buf[:, :h].max(axis=-1) if m % 2 == 0 else hi, hi, m)

    return kernel


def _kept_mean(block: np.ndarray) -> np.ndarray:
    """Mean of each row of ``block`` (n, p), the kept values; overflow re-summed as ``sum(v / p)``."""
    res = block.mean(axis=-1)
    bad = ~np.isfinite(res)
    if bad.any():  # overflow of the plain sum, or a NaN/inf was kept
        sub = _nan_as_inf(block[bad])
        res[bad] = (sub / sub.shape[-1]).sum(axis=-1)
    return res


def _make_trim_kernel(m: int, k: int, runs: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """Kernel for :func:`_lanewise`: the mean of the values of ranks ``k..m-k-1`` of each row.

    Short rows are sorted and ``buf[:, k:m-k]`` is averaged in sorted order. Longer rows are
    partitioned twice, at ``k`` and then (their part after ``k``) at rank ``m - k - 1``. Why
    ``buf[:, k:m-k]`` then holds exactly the kept values, ties included: after a partition at
    ``j`` every value before position ``j`` is ``<= buf[j]`` and every value after it
    ``>= buf[j]`` (NaN ordered last), so sorting the two sides separately sorts the row, and
    positions ``0..j`` hold the multiset of the ``j + 1`` smallest values. The second partition
    permutes positions ``k+1..m-1`` only, which hold the ranks ``k+1..m-1``, and puts those of
    ranks ``k+1..m-k-1`` first; with ``buf[:, k]`` (rank ``k``) they are the kept multiset.
    Mapping NaN to ``+inf`` is non-decreasing, so it maps the kept multiset of the NaN-last
    order to the kept multiset of the rule. Only the summation order differs from the sorted
    one (rounding, ``O(p u)`` of the mean absolute kept value).

    With ``runs`` (:func:`_use_runs`) longer rows (padded to whole runs with ``+inf``) get their two
    cut order statistics ``a`` (rank ``k``) and ``b`` (rank ``m - k - 1``) from
    :func:`_select_window`; the values strictly between them are summed in lane order and the kept
    copies of ``a`` and ``b`` added: of the values equal to ``a``, those of ranks ``k`` up to
    ``min(#(values <= a), m - k) - 1`` are kept, and of those equal to ``b``, those of ranks
    ``max(#(values < b), k)`` up to ``m - k - 1``; if ``a == b`` every kept value is ``a``. A sum
    that overflows or keeps an infinite value is redone in sorted order.
    """
    p = m - 2 * k  # number of kept values

    def kernel(buf: np.ndarray) -> np.ndarray:
        if m <= _SORT_MAX_M_TRIM:
            buf.sort(axis=-1)  # summed in sorted order: exactly order-invariant
        elif runs:  # buf is padded to whole runs: the sorted-runs selection
            sorted_runs, tops, sample = _sorted_runs(buf)
            rows = np.arange(len(buf))
            cand_a, below_a = _select_window(sorted_runs, tops, sample, k, k)
            cand_b, below_b = _select_window(sorted_runs, tops, sample, m - k - 1, m - k - 1)
            a = cand_a[rows, k - below_a]  # smallest kept value
            b = cand_b[rows, m - k - 1 - below_b]  # largest kept value
            n_a = np.minimum(below_a + np.count_nonzero(cand_a <= a[:, None], axis=-1), m - k) - k
            n_b = m - k - np.maximum(below_b + np.count_nonzero(cand_b < b[:, None], axis=-1), k)
            between = np.greater(buf, a[:, None])
            between &= np.less(buf, b[:, None])
            inside = np.add.reduce(buf, axis=-1, where=between)
            res = (inside + np.where(n_a > 0, a * n_a, 0.0) + np.where(n_b > 0, b * n_b, 0.0)) / p
            res = np.where(a == b, a, res)
            bad = ~np.isfinite(res)
            if bad.any():  # an inf was kept or the sum overflowed: the sorted route, as for short lanes
                res[bad] = _kept_mean(np.sort(buf[bad], axis=-1)[:, k : m - k])
            return res
        elif k > 0:
            buf.partition(k, axis=-1)
            if p > 1:
                buf[:, k + 1 :].partition(p - 2, axis=-1)
        return _kept_mean(buf[:, k : m - k])

    return kernel


def _rank_mask(x: NDArray[np.floating], lo: int, hi: int) -> NDArray[np.bool_]:
    """Boolean mask of the entries whose rank along axis -2 is in [lo, hi) (stable ties)."""
    order = np.argsort(_nan_as_inf(x), axis=-2, kind="stable")
    kept = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(kept, order[..., lo:hi, :], True, axis=-2)
    return kept


# ----------------------------------------------------------------------------------------------
# coordinate-wise rules


@overload
def mean(x: ArrayLike, *, return_mask: Literal[False] = ...) -> Aggregate: ...
@overload
def mean(x: ArrayLike, *, return_mask: Literal[True]) -> tuple[Aggregate, NDArray[np.bool_]]: ...
def mean(x: ArrayLike, *, return_mask: bool = False) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Average over the workers: the non-robust baseline.

    NaN and inf propagate (silently: floating-point warnings are suppressed).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2.
    return_mask : bool
        Also return ``kept``, all True, shape (*batch, m, d).

    Returns
    -------
    ndarray, shape (*batch, d)
        The coordinate-wise mean (and ``kept`` if requested).

    Examples
    --------
    >>> mean(np.array([[1.0, 2.0], [3.0, 6.0]]))
    array([2., 4.])
    """
    arr = _workers(x)
    with np.errstate(over="ignore", invalid="ignore"):
        out = arr.mean(axis=-2)
    if return_mask:
        return out, np.ones(arr.shape, dtype=bool)
    return out


@overload
def median(x: ArrayLike, *, return_mask: Literal[False] = ...) -> Aggregate: ...
@overload
def median(x: ArrayLike, *, return_mask: Literal[True]) -> tuple[Aggregate, NDArray[np.bool_]]: ...
def median(x: ArrayLike, *, return_mask: bool = False) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Coordinate-wise median over the workers (Definition 3.1).

    For even ``m`` each coordinate is the average of the two middle order statistics (numpy's
    convention; the dissertation leaves it open, and Corollary 3.1's step p(med) = 1/2 is exact
    only for odd ``m``). NaN is ordered as ``+inf`` (see the module docstring).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2.
    return_mask : bool
        Also return ``kept``, shape (*batch, m, d): True for the worker(s) whose value is the
        middle order statistic (two per coordinate for even m; ties broken by worker index).

    Returns
    -------
    ndarray, shape (*batch, d)
        The coordinate-wise median (and ``kept`` if requested).

    Examples
    --------
    >>> x = np.array([[1.0, 5.0], [2.0, np.nan], [9.0, 4.0]])
    >>> median(x)
    array([2., 5.])
    >>> median(x[:2])
    array([1.5, inf])
    """
    arr = _workers(x)
    with np.errstate(over="ignore", invalid="ignore"):
        m = arr.shape[-2]
        runs = _use_runs(m, _SORT_MAX_M_MEDIAN)
        out = _lanewise(arr, _make_median_kernel(m, runs), _runs_width(m) if runs else None)
    if return_mask:
        m = arr.shape[-2]
        h = m // 2
        return out, _rank_mask(arr, h - 1 if m % 2 == 0 else h, h + 1)
    return out


@overload
def trimmed_mean(
    x: ArrayLike, beta: float | None = ..., *, k: int | None = ..., return_mask: Literal[False] = ...
) -> Aggregate: ...
@overload
def trimmed_mean(
    x: ArrayLike, beta: float | None = ..., *, k: int | None = ..., return_mask: Literal[True]
) -> tuple[Aggregate, NDArray[np.bool_]]: ...
def trimmed_mean(
    x: ArrayLike,
    beta: float | None = None,
    *,
    k: int | None = None,
    return_mask: bool = False,
) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Coordinate-wise trimmed mean (Definition 3.2): drop the ``k`` smallest and ``k`` largest.

    Give exactly one of ``beta`` and ``k``. With ``beta``, ``k = floor(beta * m)`` (a product
    within 1e-9 of an integer counts as that integer, so ``beta=0.29, m=100`` gives 29 and not 28
    from the floating-point 28.999999999999996). The kept ``m - 2k`` values are averaged. When
    ``beta * m`` is an integer this is exactly Definition 3.2 with its normalisation
    ``1/((1 - 2 beta) m)``; otherwise the definition is ambiguous and this divides by the number
    of kept values ``m - 2k`` (as ``scipy.stats.trim_mean`` does). NaN is ordered as ``+inf``.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2.
    beta : float, optional
        Trimmed fraction at each end, in [0, 1/2).
    k : int, optional
        Number of values trimmed at each end, ``0 <= k`` and ``2k < m``.
    return_mask : bool
        Also return ``kept``, shape (*batch, m, d): True for the values that are averaged
        (ties broken by worker index).

    Returns
    -------
    ndarray, shape (*batch, d)
        The coordinate-wise trimmed mean (and ``kept`` if requested).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [2.0], [3.0], [1e308]])
    >>> trimmed_mean(x, 0.2)
    array([2.])
    >>> trimmed_mean(x, k=2)
    array([2.])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    kk = _trim_count(beta, k, m)
    with np.errstate(over="ignore", invalid="ignore"):
        runs = _use_runs(m, _SORT_MAX_M_TRIM)
        out = _lanewise(arr, _make_trim_kernel(m, kk, runs), _runs_width(m) if runs else None)
    if return_mask:
        return out, _rank_mask(arr, kk, m - kk)
    return out


# ----------------------------------------------------------------------------------------------
# distance-based rules


def _safe_norm(v: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis without intermediate overflow.

    ``scale * sqrt(sum((v / scale)**2))`` with ``scale = max |v_i|``. With fewer than 8 coordinates
    the maximum and the sum run coordinate by coordinate (one vectorised pass per coordinate, in
    coordinate order): numpy's reduction over a short last axis costs about 20 ns per row, 10 times
    the arithmetic, and sums fewer than 8 values left to right, so the result is bit-identical
    (``tests/test_aggregators.py`` checks it against the reduction for d = 1..7).
    """
    d = v.shape[-1]
    if not 0 < d < 8:
        a = np.max(np.abs(v), axis=-1, initial=0.0)
        scale = np.where(a > 0, a, 1.0)
        with np.errstate(over="ignore"):
            return scale * np.sqrt(np.sum((v / scale[..., None]) ** 2, axis=-1))
    a = np.abs(v[..., 0])
    for i in range(1, d):
        a = np.maximum(a, np.abs(v[..., i]))
    scale = np.where(a > 0, a, 1.0)
    with np.errstate(over="ignore"):
        s = np.square(v[..., 0] / scale)
        for i in range(1, d):
            s = s + np.square(v[..., i] / scale)
        return scale * np.sqrt(s)


def _centred_scaled(x: NDArray[np.floating]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(z, c, e)`` with ``x = c + 2**e * z``, ``c = median(x)`` and ``|z| <= 1`` when ``x`` is huge.

    ``e`` (integer, shape (*batch,)) is 0 unless ``|x - c| > 1e150``; power-of-two rescaling is
    exact (up to subnormals).
    """
    c = median(x)
    with np.errstate(over="ignore", invalid="ignore"):
        z = x - c[..., None, :]
    if z.size == 0:
        return z, c, np.zeros(x.shape[:-2], dtype=int)
    # largest |z| per batch element from a max and a min (two reads, no |z| temporary); NaN if
    # |x - c| overflowed (inf - inf) or inf if it did not
    top = np.maximum(z.max(axis=(-2, -1)), -z.min(axis=(-2, -1)))
    if not np.all(np.isfinite(top)):  # |x - c| overflowed: rescale before centring
        z = np.ldexp(x, -2) - np.ldexp(c, -2)[..., None, :]
        top = np.max(np.abs(z), axis=(-2, -1), initial=0.0)
        e = np.frexp(np.where(top > 0, top, 1.0))[1]
        return np.ldexp(z, -e[..., None, None]), c, e + 2
    e = np.where(top > _BIG, np.frexp(np.where(top > _BIG, top, 1.0))[1], 0)
    if not e.any():  # the usual case: no rescaling pass
        return z, c, e
    return np.ldexp(z, -e[..., None, None]), c, e


def _pairwise_sq_dists(x: NDArray[np.floating]) -> np.ndarray:
    """Squared Euclidean distances between workers, shape (*batch, m, m); ``inf`` on overflow.

    Uses the Gram matrix of the median-centred data, unless a centred entry exceeds 1e150
    (its square would overflow), in which case the differences are formed directly, one worker
    at a time, so that the small distances keep full precision.
    """
    m = x.shape[-2]
    c = median(x)
    with np.errstate(over="ignore", invalid="ignore"):
        z = x - c[..., None, :]
    if np.all(np.abs(z) <= _BIG):
        # (|z_i|^2 + |z_j|^2) - 2 <z_i, z_j>, in place: one m x m temporary besides the Gram matrix
        gram = z @ np.swapaxes(z, -1, -2)
        sq = np.einsum("...ii->...i", gram)
        dist = np.add(sq[..., :, None], sq[..., None, :])
        gram *= 2.0  # exact
        np.subtract(dist, gram, out=dist)
        np.maximum(dist, 0.0, out=dist)
    else:
        dist = np.empty((*x.shape[:-2], m, m))
        with np.errstate(over="ignore"):
            for i in range(m):
                dist[..., i, :] = np.sum((x - x[..., i : i + 1, :]) ** 2, axis=-1)
    dist[..., np.arange(m), np.arange(m)] = 0.0
    return dist


def _krum_select(x: NDArray[np.floating], f: int, q: int) -> NDArray[np.bool_]:
    """The ``q`` workers of smallest Krum score, ties to the lower index: ``kept`` (*batch, m).

    The score of worker ``i`` is ``sum(sort(dist[i])[:m - f - 2])`` (its own entry is ``+inf``, a
    non-finite row's score is ``+inf``): the sum of the sorted values, so that equal multisets of
    distances give equal scores. Sorting every row of the m x m matrix dominated Krum's cost; the
    ``m - f - 2`` smallest are found with ``np.partition`` instead and summed in the partition's
    order, which changes the rounding: that sum ``s~`` is within ``2 (m - f - 2) u s`` of the sorted
    sum ``s`` (the values are >= 0; ``u`` the unit roundoff), taken as ``s in [s~ (1 - r), s~ (1 + r)]``
    with ``r = 2 (m - f - 2) eps`` (unbounded above when ``s~`` is within a factor 4 of overflow).
    A worker whose interval lies above the ``q``-th smallest upper end is certainly not selected, one
    whose interval lies below the ``(q + 1)``-th smallest lower end certainly is; only the workers in
    between (usually none but the selected ones themselves) have their row sorted and their exact
    score summed, and fill the remaining places in (score, index) order. The selection is
    therefore exactly that of the sorted scores.
    """
    m = x.shape[-2]
    if m <= 2 * f + 2:
        raise BadInput(
            f"m ({m}) must be > 2f + 2 = {2 * f + 2} for Krum with f = {f} (x.shape[-2] is the number of workers m).",
            name="x",
        )
    batch = x.shape[:-2]
    k = m - f - 2  # >= 1
    bad = ~np.isfinite(x).all(axis=-1)  # a non-finite row counts as Byzantine: infinitely far
    dist = _pairwise_sq_dists(np.where(bad[..., None], 0.0, x) if bad.any() else x)
    if bad.any():
        dist = np.where(bad[..., :, None] | bad[..., None, :], np.inf, dist)
    dist[..., np.arange(m), np.arange(m)] = np.inf  # a worker is not its own neighbour
    dist = dist.reshape(-1, m, m)
    bad = bad.reshape(-1, m)
    dist.partition(k - 1, axis=-1)  # in place: each row keeps its values, the k smallest first
    with np.errstate(over="ignore", invalid="ignore"):
        approx = dist[..., :k].sum(axis=-1)
    info = np.finfo(dist.dtype)
    r = 2.0 * k * float(info.eps)
    sure = approx < float(info.max) / 4
    lo = np.where(bad, np.inf, np.where(sure, approx * (1.0 - r), np.minimum(approx, float(info.max) / 4) * (1.0 - r)))
    hi = np.where(bad, np.inf, np.where(sure, approx * (1.0 + r), np.inf))
    t_hi = np.partition(hi, q - 1, axis=-1)[..., q - 1 : q]
    chosen = np.zeros(lo.shape, dtype=bool) if q == m else hi < np.partition(lo, q, axis=-1)[..., q : q + 1]
    band = ~chosen & (lo <= t_hi) if q < m else np.zeros(lo.shape, dtype=bool)
    if q == m:
        chosen[:] = True
    if band.any():
        rows = np.nonzero(band)
        with np.errstate(over="ignore", invalid="ignore"):
            exact = np.sort(dist[rows], axis=-1)[:, :k].sum(axis=-1)  # the partitioned row, sorted
        score = np.full(lo.shape, np.inf)
        score[rows] = np.where(bad[rows], np.inf, exact)
        order = np.lexsort((score, ~band), axis=-1)  # band first, by exact score, then by index
        places = q - chosen.sum(axis=-1, keepdims=True)
        take = np.zeros(lo.shape, dtype=bool)
        np.put_along_axis(take, order, np.arange(m) < places, axis=-1)
        chosen |= take
    return chosen.reshape(*batch, m)


def geometric_median(
    x: ArrayLike,
    *,
    tol: float = 1e-10,
    max_iter: int = 500,
    return_mask: bool = False,
) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Geometric median (minimiser of the sum of Euclidean distances) by Weiszfeld's algorithm.

    All batch elements iterate together from the coordinate-wise median; an element stops when
    the minimum-norm subgradient of the objective, ``max(0, |R| - eta)`` below (a sum of unit
    vectors: dimensionless), is at most ``tol * m``, or after ``max_iter`` iterations. An
    iterate that coincides with a worker (distance at most 1e-14 times the largest distance of a
    worker to the starting point) is handled by the standard modification of Vardi and Zhang
    (2000): with ``eta`` coincident workers and ``R`` the sum of unit vectors towards the others,
    the step is scaled by ``max(0, 1 - eta/|R|)``, so the iterate stays at that worker exactly
    when it is optimal.
    Because plain Weiszfeld only creeps (linearly, with a rate close to 1) towards an optimum that
    is a worker, every iteration also tests that optimality condition ``|R_j| <= eta_j`` at the
    worker nearest to the iterate (with a relative slack of 1e-9, for optima on the border of
    the condition, where Weiszfeld is sublinear) and returns that worker when it holds.
    Deterministic. A worker with a NaN or infinite entry counts as Byzantine: it is left out of the
    objective (``kept`` False), so one worker cannot stop the aggregation; with no finite worker the
    result is NaN.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2 (a non-finite row counts as Byzantine and is left out).
    tol : float
        Tolerance on the subgradient norm divided by ``m``, > 0.
    max_iter : int
        Maximum number of iterations, >= 1.
    return_mask : bool
        Also return ``kept``, shape (*batch, m): True for the workers in the objective (the finite ones).

    Returns
    -------
    ndarray, shape (*batch, d)
        The geometric median (and ``kept`` if requested).

    Examples
    --------
    The median of four points in convex position is where the diagonals cross:

    >>> x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [100.0, 100.0]])
    >>> np.round(geometric_median(x), 6)
    array([0.5, 0.5])
    """
    arr = _workers(x)
    tol_f = _real(tol, "tol")
    if not tol_f > 0:
        raise BadInput(f"tol ({tol}) must be > 0.", name="tol")
    n_iter = _integer(max_iter, "max_iter", low=1)
    bad = ~np.isfinite(arr).all(axis=-1)
    if bad.any():
        # each batch element on its finite workers alone: the elements with the same number of
        # finite workers are gathered (workers in their order) and solved together, one batched
        # solve per distinct count, bit-identical to solving each element separately
        m_all, d_all = arr.shape[-2:]
        flat = arr.reshape(-1, m_all, d_all)
        bad_flat = bad.reshape(-1, m_all)
        n_bad = bad_flat.sum(axis=-1)
        finite_only = np.empty((flat.shape[0], d_all))
        for k in np.unique(n_bad):
            sel = np.flatnonzero(n_bad == k)
            if k == m_all:
                finite_only[sel] = np.nan
                continue
            rows = flat[sel][~bad_flat[sel]].reshape(sel.size, m_all - k, d_all)
            finite_only[sel] = geometric_median(rows, tol=tol_f, max_iter=n_iter)
        solved = finite_only.reshape(arr.shape[:-2] + (d_all,))
        return (solved, ~bad) if return_mask else solved
    batch = arr.shape[:-2]
    kept = np.ones(arr.shape[:-1], dtype=bool)
    if arr.shape[-1] == 0 or arr.shape[-2] == 1:
        out = arr[..., 0, :].copy()
        return (out, kept) if return_mask else out

    c = median(arr)  # work centred at the coordinate-wise median, in exact power-of-two units
    with np.errstate(over="ignore", invalid="ignore"):
        z = arr - c[..., None, :]
    e = np.zeros(batch, dtype=int)
    if not np.all(np.isfinite(z)):  # the spread exceeds the float64 range: work on x / 4
        z = np.ldexp(arr, -2) - np.ldexp(c, -2)[..., None, :]
        e = e + 2
    # rescale by a power of two so that the largest distance to the start is in [1/2, 1):
    # weights 1/dist of non-coincident workers are then at most 1e14 and cannot overflow
    dist0 = _safe_norm(z)
    far = np.max(dist0, axis=-1)
    active = far > 0
    e_unit = np.frexp(np.where(active, far, 1.0))[1]
    z = np.ldexp(z, -e_unit[..., None, None])
    e = e + e_unit
    m, d = arr.shape[-2:]
    # iterate on the batch elements still running only (each element's arithmetic does not depend
    # on the others, so dropping the finished ones changes no bit of the result)
    y = np.zeros((math.prod(batch), d))
    live = np.flatnonzero(active.reshape(-1))
    zs = z.reshape(-1, m, d)[live]
    ys = y[live]
    j_prev = np.full(live.size, -1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(n_iter):
            if live.size == 0:
                break
            diff = zs - ys[:, None, :]
            dist = _safe_norm(diff)
            coincide = dist <= 1e-14
            w = np.where(coincide, 0.0, 1.0 / np.where(coincide, 1.0, dist))
            wsum = w.sum(axis=-1)
            pull = np.einsum("...m,...md->...d", w, diff)  # R: sum of unit vectors to the others
            r = _safe_norm(pull)
            eta = coincide.sum(axis=-1)
            gamma = np.where(r > 0, np.minimum(1.0, eta / np.where(r > 0, r, 1.0)), 1.0)
            step = np.where((wsum > 0)[..., None], (1.0 - gamma)[..., None] * pull / wsum[..., None], 0.0)
            # Weiszfeld creeps towards an optimum that is a worker: test the nearest worker's
            # optimality condition |R_j| <= eta_j directly and jump there when it holds
            # (the test depends on the data and j only: it is rerun where the nearest worker changed;
            # where it did not, it failed at the previous iteration, or the element would have stopped)
            j = np.argmin(dist, axis=-1)
            new_j = np.flatnonzero(j != j_prev)
            j_prev = j
            optimal_j = np.zeros(live.size, dtype=bool)
            if new_j.size:
                zn = zs[new_j]
                xj = np.take_along_axis(zn, j[new_j][:, None, None], axis=-2)[:, 0, :]
                to_j = zn - xj[:, None, :]
                dj = _safe_norm(to_j)
                at_j = dj <= 1e-14
                wj = np.where(at_j, 0.0, 1.0 / np.where(at_j, 1.0, dj))
                rj = _safe_norm(np.einsum("...m,...md->...d", wj, to_j))
                jump = rj <= at_j.sum(axis=-1) * (1.0 + 1e-9)  # tolerant at the border
                optimal_j[new_j] = jump
                ys = ys + step
                ys[new_j[jump]] = xj[jump]
            else:
                ys = ys + step
            # stop on the minimum-norm subgradient max(0, |R| - eta) of the objective at the
            # previous iterate (dimensionless, in [0, m]); a step-size test is unreliable because
            # Weiszfeld crawls when the iterate is close to a worker that is not optimal
            going = ~optimal_j & (np.maximum(r - eta, 0.0) > tol_f * m)
            if not going.all():
                y[live] = ys
                live, zs, ys, j_prev = live[going], zs[going], ys[going], j_prev[going]
        y[live] = ys
    with np.errstate(over="ignore"):
        out = c + np.ldexp(y.reshape(*batch, d), e[..., None])
    return (out, kept) if return_mask else out


def krum(x: ArrayLike, f: int, *, return_mask: bool = False) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Krum (Blanchard et al., NeurIPS 2017): the worker with the smallest Krum score.

    The score of worker i is the sum of its squared distances to its ``m - f - 2`` nearest other
    workers; ties go to the lowest index. Requires ``m > 2f + 2``. A worker with a non-finite
    entry counts as Byzantine (score ``+inf``; see the module docstring).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2 (a non-finite row counts as Byzantine).
    f : int
        Assumed number of Byzantine workers, ``f >= 0``.
    return_mask : bool
        Also return ``kept``, shape (*batch, m), True for the selected worker.

    Returns
    -------
    ndarray, shape (*batch, d)
        The selected worker's message (and ``kept`` if requested).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [1.5], [2.0], [3.5], [50.0]])
    >>> krum(x, f=1)
    array([1.])
    """
    arr = _workers(x)
    f_i = _integer(f, "f", low=0)
    kept = _krum_select(arr, f_i, 1)
    best = np.argmax(kept, axis=-1)
    out = np.take_along_axis(arr, best[..., None, None], axis=-2)[..., 0, :]
    return (out, kept) if return_mask else out


def multi_krum(
    x: ArrayLike, f: int, q: int, *, return_mask: bool = False
) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Multi-Krum (Blanchard et al., 2017): average of the ``q`` workers with the best Krum scores.

    Scores are computed once (as in :func:`krum`); ties go to the lowest index. ``q = 1`` is
    :func:`krum`; ``q = m`` is :func:`mean`.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2 (a non-finite row counts as Byzantine).
    f : int
        Assumed number of Byzantine workers, ``f >= 0`` and ``m > 2f + 2``.
    q : int
        Number of selected workers, ``1 <= q <= m``.
    return_mask : bool
        Also return ``kept``, shape (*batch, m), True for the selected workers.

    Returns
    -------
    ndarray, shape (*batch, d)
        The average of the selected messages (and ``kept`` if requested).

    Examples
    --------
    >>> x = np.array([[0.0], [1.0], [1.5], [2.0], [3.5], [50.0]])
    >>> multi_krum(x, f=1, q=3)
    array([1.5])
    """
    arr = _workers(x)
    f_i = _integer(f, "f", low=0)
    m = arr.shape[-2]
    q_i = _integer(q, "q", low=1)
    if q_i > m:
        raise BadInput(f"q ({q_i}) must be <= m = {m} (the number of workers).", name="q")
    kept = _krum_select(arr, f_i, q_i)
    with np.errstate(over="ignore", invalid="ignore"):
        sel = np.where(kept[..., None], arr, 0.0)  # 0 * inf of an unselected row would be NaN
        out = np.einsum("...m,...md->...d", kept / q_i, sel)
    return (out, kept) if return_mask else out


def spectral_filter(
    x: ArrayLike,
    *,
    eps: float | None = None,
    threshold: float | ArrayLike | None = None,
    return_mask: bool = False,
) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """Spectral outlier filter: the fast practical relative of iterative filtering (Algorithm 4).

    Repeat: compute the mean and the empirical covariance (normalised by the number of kept
    workers ``n``) of the kept workers; if its top eigenvalue ``lam`` exceeds ``threshold`` and
    the removal budget is not spent, remove the kept worker with the largest squared projection
    on the top eigenvector (ties: lowest index); otherwise stop and return the mean of the kept
    workers. One worker is removed per round; batch elements are filtered together (a Python loop
    over rounds; ``lam`` comes from the m x m centred Gram matrix, so large ``d`` is cheap).

    Threshold rule (``threshold=None``): ``1.5 * (1 + sqrt(d/m))**2 * s2``, where ``s2`` is the
    median over coordinates of the squared normalised MAD ``(1.4826 * MAD_j)**2``, a robust
    per-coordinate variance that ignores a minority of outliers. For isotropic honest data with
    variance ``s2``, ``s2 * (1 + sqrt(d/m))**2`` is the Bai-Yin edge of the top sample-covariance
    eigenvalue, and 1.5 is a safety margin. For anisotropic honest data pass ``threshold``
    explicitly (an absolute bound on the top eigenvalue, e.g. ``8 * sigma**2`` as in Algorithm 4,
    scalar or shape (*batch,)). Budget: at most ``min(floor(2 eps m), (m - 1) // 2)`` workers are
    removed (``(m - 1) // 2`` when ``eps`` is None), so a majority is always kept.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
        Messages, workers on axis -2. A worker with a NaN or infinite entry counts as Byzantine:
        it is removed before the first round and uses up one unit of the removal budget; when
        more workers are non-finite than the budget allows, the aggregate of that batch element
        is NaN (the rule would have to average a non-finite worker).
    eps : float, optional
        Assumed fraction of outliers, in [0, 1/2); sets the removal budget.
    threshold : float or array_like, optional
        Stop when the top covariance eigenvalue is at most this (> = 0); default rule above.
    return_mask : bool
        Also return ``kept``, shape (*batch, m), True for the workers that survive.

    Returns
    -------
    ndarray, shape (*batch, d)
        The mean of the surviving workers (and ``kept`` if requested).

    Examples
    --------
    >>> x = np.array([[0.0, 1.0], [1.0, 0.0], [-1.0, 0.0], [0.0, -1.0], [40.0, 40.0]])
    >>> out, kept = spectral_filter(x, eps=0.2, return_mask=True)
    >>> out, kept
    (array([0., 0.]), array([ True,  True,  True,  True, False]))
    """
    arr = _workers(x)
    *batch, m, d = arr.shape
    if eps is None:
        budget = (m - 1) // 2
    else:
        eps_value = _real(eps, "eps")
        if not 0.0 <= eps_value < 0.5:
            raise BadInput(f"eps ({eps}) must be in [0, 1/2).", name="eps")
        budget = min(math.floor(2 * eps_value * m + 1e-9), (m - 1) // 2)
    thr: np.ndarray | None = None
    if threshold is not None:
        thr = np.asarray(threshold, dtype=float)
        if np.any(~(thr >= 0)):
            raise BadInput(f"threshold ({threshold}) must be >= 0.", name="threshold")
        thr = np.broadcast_to(thr, tuple(batch))
    bad = ~np.isfinite(arr).all(axis=-1)
    if not bad.any():
        return _spectral_core(arr, budget, thr, return_mask)
    # a non-finite row counts as Byzantine: removed first, from the same budget (rare: one call
    # per affected batch element on its finite rows; NaN when the budget cannot cover them)
    out, kept = np.empty((*batch, d)), np.zeros((*batch, m), dtype=bool)
    for idx in np.ndindex(tuple(batch)):
        n_bad = int(bad[idx].sum())
        if n_bad == 0 or n_bad <= budget:
            rows = arr[idx][~bad[idx]]
            sub_thr = None if thr is None else thr[idx]
            out[idx], kept[idx][~bad[idx]] = _spectral_core(rows, budget - n_bad, sub_thr, True)
        else:
            out[idx] = np.nan
    return (out, kept) if return_mask else out


def _spectral_core(
    arr: NDArray[np.floating], budget: int, thr: np.ndarray | None, return_mask: bool
) -> Aggregate | tuple[Aggregate, NDArray[np.bool_]]:
    """The spectral filter on finite ``arr`` (*batch, m, d) removing at most ``budget`` workers."""
    *batch, m, d = arr.shape
    z, _, e = _centred_scaled(arr)
    if thr is None:
        mad = 1.4826 * median(np.abs(z))  # z is centred at the coordinate-wise median
        s2 = np.median(mad**2, axis=-1) if d > 0 else np.zeros(tuple(batch))
        thr_z = 1.5 * (1.0 + math.sqrt(d / m)) ** 2 * s2
    else:
        thr_z = np.ldexp(thr, -2 * e)
    gram = z @ np.swapaxes(z, -1, -2)  # (*batch, m, m), computed once
    kept = np.ones((*batch, m), dtype=bool)
    for _ in range(budget + 1):
        n = kept.sum(axis=-1)
        w = kept / n[..., None]
        gw = np.einsum("...ij,...j->...i", gram, w)
        wgw = np.einsum("...i,...i->...", w, gw)
        centred = gram - gw[..., :, None] - gw[..., None, :] + wgw[..., None, None]
        km = kept[..., :, None] & kept[..., None, :]
        centred = np.where(km, centred, 0.0)
        vals, vecs = np.linalg.eigh(centred)
        lam = vals[..., -1] / n  # top eigenvalue of the kept workers' covariance
        active = (lam > thr_z) & (n > m - budget)
        if not active.any():
            break
        score = np.where(kept, vecs[..., -1] ** 2, -1.0)
        worst = np.argmax(score, axis=-1)
        drop = (np.arange(m) == worst[..., None]) & active[..., None]
        kept = kept & ~drop
    with np.errstate(over="ignore"):
        out = np.einsum("...m,...md->...d", kept / kept.sum(axis=-1, keepdims=True), arr)
    return (out, kept) if return_mask else out
