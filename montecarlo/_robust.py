r"""More robust aggregators and pre-aggregators (ByzFL / Blades breadth), NaN-safe and vectorised.

Every rule is a pure function of ``x`` with shape ``(*batch, m, d)`` (workers on axis -2); an
aggregator returns ``(*batch, d)`` and a pre-aggregator returns a new message array
``(*batch, m', d)``. Random rules (:func:`bucketing`, :func:`caf`, :func:`dnc`) take an explicit
``rng`` (a :class:`numpy.random.Generator` or an integer seed) and use nothing else; no rule ever
modifies its input.

=========================  ===========================================================  ==========
rule                       definition                                                    reference
=========================  ===========================================================  ==========
:func:`centered_clipping`  ``v <- v + mean_i clip_tau(x_i - v)``, ``L`` times from ``v0``    [KHJ21]_
:func:`mda`                mean of the ``m - f`` workers of smallest diameter            [EGGHR20]_
:func:`monna`              mean of the ``m - f`` nearest neighbours of a trusted worker  [FGGHPS23]_
:func:`meamed`             per coordinate, mean of the ``m - f`` values nearest the median  [XKG18]_
:func:`caf`                covariance-bound agnostic filter (weights, power iteration)   [AGS25]_
:func:`smea`               mean of the ``m - f`` workers of smallest top covariance eigenvalue  [AGGPS23]_
:func:`dnc`                divide and conquer: projections on the top singular vector    [SH21]_
:data:`nnm`                row i -> mean of the ``m - f`` nearest neighbours of row i    [AFGGPS23]_
:data:`bucketing`          shuffle, then means of buckets of ``s`` workers               [KHJ22]_
:data:`static_clipping`    ``x_i * min(1, c / ||x_i||)``                                 [AGGJRS24]_
:data:`arc`                clip the ``floor(2 f (m - f) / m)`` largest to the next norm  [AGGJRS24]_
=========================  ===========================================================  ==========

Pre-aggregators (:data:`nnm`, :data:`bucketing`, :data:`static_clipping`, :data:`arc`) are
:class:`PreAggregator` objects: callable like the functions, and composable with ``>>``:
``nnm >> trimmed_mean`` is the aggregator ``x -> trimmed_mean(nnm(x))``, and keyword arguments
given to the composition go to every stage whose signature has that name
(``(nnm >> krum)(x, f=2)`` gives ``f=2`` to both).

Non-finite values (the median's policy)
---------------------------------------
A non-finite value counts as Byzantine.

* Coordinate-wise (:func:`meamed`): NaN is ordered as ``+inf`` exactly as in
  :func:`~boundlab.montecarlo.median`; the output is what the rule gives with every NaN replaced
  by ``+inf``, so at most ``f`` non-finite values per coordinate never reach the output.
* Worker-level aggregators: a worker with a non-finite entry (a *non-finite row*) is at infinite
  distance from every other worker and is never selected or weighted as long as the rule can do
  without it, i.e. when at most ``f`` rows are non-finite (:func:`mda`, :func:`smea`,
  :func:`monna`, :func:`dnc`, and Krum in :mod:`~boundlab.montecarlo._aggregators`), or always
  (:func:`caf` gives it weight 0 from the start; :func:`centered_clipping` replaces its clipped
  difference by 0, the message of a worker that agrees with the centre). When a rule has to
  select a non-finite row (more than ``f`` of them), its output is NaN: never an exception.
* Pre-aggregators map a non-finite row to a NaN row, and a finite output row never depends on a
  non-finite input row unless the rule averages it in (a bucket that holds a non-finite row is a
  NaN bucket; an NNM row whose ``m - f`` nearest neighbours include a non-finite row, possible
  only when more than ``f`` rows are non-finite, is NaN). The aggregator after them then treats
  those rows as Byzantine.
* Finite huge values (``1e308``) are ordinary values; squared distances that overflow are
  ``inf``.

Exactness and the subset count
------------------------------
:func:`mda` and :func:`smea` search all ``C(m, f)`` subsets of ``m - f`` workers, in batches
(vectorised, no Python loop per subset). When ``C(m, f)`` exceeds ``max_subsets`` (default
``2_000_000``) they refuse with :class:`~boundlab.bounds.BadInput` naming ``m`` and ``f`` rather
than run for hours; raise ``max_subsets`` to accept the cost. Ties go to the first subset in
lexicographic order (that of ``itertools.combinations``, as in ByzFL). :func:`smea` uses the exact
top eigenvalue (of the subset's centred Gram matrix) where ByzFL uses one step of an unseeded
power iteration.

References
----------
.. [KHJ21] S. P. Karimireddy, L. He, M. Jaggi. Learning from history for Byzantine robust
   optimization. ICML 2021.
.. [EGGHR20] E. M. El Mhamdi, R. Guerraoui, A. Guirguis, L. N. Hoang, S. Rouault. Genuinely
   distributed Byzantine machine learning. PODC 2020 (MDA; first in El Mhamdi et al., ICML 2018).
.. [FGGHPS23] S. Farhadkhani, R. Guerraoui, N. Gupta, L. N. Hoang, R. Pinot, J. Stephan. Robust
   collaborative learning with linear gradient overhead. ICML 2023.
.. [XKG18] C. Xie, O. Koyejo, I. Gupta. Generalized Byzantine-tolerant SGD. arXiv:1802.10116, 2018.
.. [AGS25] Y. Allouah, R. Guerraoui, J. Stephan. Towards trustworthy federated learning with
   untrusted participants. ICML 2025.
.. [AGGPS23] Y. Allouah, R. Guerraoui, N. Gupta, R. Pinot, J. Stephan. On the
   privacy-robustness-utility trilemma in distributed learning. ICML 2023.
.. [SH21] V. Shejwalkar, A. Houmansadr. Manipulating the Byzantine: optimizing model poisoning
   attacks and defenses for federated learning. NDSS 2021.
.. [AFGGPS23] Y. Allouah, S. Farhadkhani, R. Guerraoui, N. Gupta, R. Pinot, J. Stephan. Fixing by
   mixing: a recipe for optimal Byzantine ML under heterogeneity. AISTATS 2023.
.. [KHJ22] S. P. Karimireddy, L. He, M. Jaggi. Byzantine-robust learning on heterogeneous
   datasets via bucketing. ICLR 2022.
.. [AGGJRS24] Y. Allouah, R. Guerraoui, N. Gupta, A. Jellouli, G. Rizk, J. Stephan. The vital role
   of gradient clipping in Byzantine-resilient distributed learning. arXiv:2405.14432, 2024.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boundlab.bounds import BadInput

from ._aggregators import _centred_scaled, _integer, _real, _workers, median

__all__ = [
    "AggregatorStage",
    "PreAggregator",
    "ROBUST_AGGREGATORS",
    "PRE_AGGREGATORS",
    "centered_clipping",
    "mda",
    "monna",
    "meamed",
    "caf",
    "smea",
    "dnc",
    "nnm",
    "bucketing",
    "static_clipping",
    "arc",
]

Array = NDArray[np.floating]

#: Default refusal threshold on the number of subsets searched by :func:`mda` and :func:`smea`.
MAX_SUBSETS = 2_000_000
#: Rounds after which :func:`caf` stops (the weights shrink geometrically; ByzFL has no cap).
_CAF_MAX_ROUNDS = 10_000
#: Elements per block of the vectorised subset search.
_BLOCK_ELEMS = 1 << 22


# ----------------------------------------------------------------------------------------------
# validation and shared helpers


def _f_count(f: object, m: int, *, strict_half: bool = True) -> int:
    """``f`` as an int with ``0 <= f`` and ``2f < m`` (or ``f < m`` when not ``strict_half``)."""
    ff = _integer(f, "f", low=0)
    if strict_half and 2 * ff >= m:
        raise BadInput(f"f ({ff}) must satisfy 2f < m = {m} (the number of workers).", name="f")
    if not strict_half and ff >= m:
        raise BadInput(f"f ({ff}) must be < m = {m} (the number of workers).", name="f")
    return ff


def _as_rng(rng: object) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.default_rng(int(rng))
    raise BadInput(f"rng ({rng!r}) must be a numpy.random.Generator or a non-negative integer seed.", name="rng")


def _positive(value: object, name: str) -> float:
    v = _real(value, name)
    if not (v > 0 and math.isfinite(v)):
        raise BadInput(f"{name} ({value}) must be a finite number > 0.", name=name)
    return v


def _split_finite(x: Array) -> tuple[Array, NDArray[np.bool_]]:
    """``(clean, bad)``: ``bad`` (*batch, m) marks rows with a non-finite entry; they are 0 in ``clean``."""
    with np.errstate(over="ignore", invalid="ignore"):
        suspect = ~np.isfinite(x.sum(axis=-1))  # one cheap pass; a finite row may overflow its sum
    if not suspect.any():
        return x, suspect
    bad = suspect.copy()
    bad[suspect] = ~np.isfinite(x[suspect]).all(axis=-1)
    if bad.any():
        return np.where(bad[..., None], 0.0, x), bad
    return x, bad


def _sq_dists(clean: Array, bad: NDArray[np.bool_]) -> Array:
    """Squared distances (*batch, m, m) between rows; ``inf`` to and from non-finite rows and on overflow."""
    from ._aggregators import _pairwise_sq_dists

    if clean.ndim == 2:  # direct differences in one C pass (scipy), exact up to rounding
        from scipy.spatial.distance import cdist

        with np.errstate(over="ignore", invalid="ignore"):
            dist = cdist(clean, clean, "sqeuclidean")
    else:
        dist = _pairwise_sq_dists(clean)
    if bad.any():
        dist = np.where(bad[..., :, None] | bad[..., None, :], np.inf, dist)
        m = dist.shape[-1]
        dist[..., np.arange(m), np.arange(m)] = np.where(bad, np.inf, 0.0)
    return dist


def _select_mean(x: Array, kept: NDArray[np.bool_], bad: NDArray[np.bool_] | None = None) -> Array:
    """Mean of the rows with ``kept`` (*batch, m); NaN where a kept row is non-finite (``bad``)."""
    bad_rows = np.asarray(~np.isfinite(x).all(axis=-1) if bad is None else bad)
    n = kept.sum(axis=-1, keepdims=True)
    w = kept / n
    clean = np.where(bad_rows[..., None], 0.0, x) if bad_rows.any() else x
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.einsum("...m,...md->...d", w, clean)  # one pass over x (BLAS)
    if not np.all(np.isfinite(out)):  # a sum of huge finite values overflowed: scale first
        with np.errstate(over="ignore", invalid="ignore"):
            safe = np.einsum("...m,...md->...d", w, np.where(kept[..., None], clean, 0.0) / 2.0) * 2.0
        out = np.where(np.isfinite(out), out, safe)
    poisoned = np.asarray((kept & bad_rows).any(axis=-1))
    return np.where(poisoned[..., None], np.nan, out) if poisoned.any() else out


def _subsets(m: int, f: int, max_subsets: object) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """All subsets of ``m - f`` of ``range(m)``, lexicographic: ``(kept (S, m - f), removed (S, m))``."""
    cap = _integer(max_subsets, "max_subsets", low=1)
    count = math.comb(m, f)
    if count > cap:
        raise BadInput(
            f"m ({m}) and f ({f}) give C(m, f) = {count:.4g} subsets, which must be <= max_subsets = {cap} "
            "(an exact search; raise max_subsets to accept the cost).",
            name="f",
        )
    return _enumerate_subsets(m, f)


@functools.lru_cache(maxsize=16)
def _enumerate_subsets(m: int, f: int) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Cached (read-only) enumeration behind :func:`_subsets` (a GD run calls it once per step)."""
    count = math.comb(m, f)
    rem = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations(range(m), f)), dtype=np.intp, count=count * f
    ).reshape(count, f)
    removed = np.zeros((count, m), dtype=bool)
    np.put_along_axis(removed, rem, True, axis=-1)
    kept = np.nonzero(~removed)[1].reshape(count, m - f)
    order = np.lexsort(kept.T[::-1])  # lexicographic order of the kept sets (itertools' order)
    kept, removed = kept[order], removed[order]
    kept.setflags(write=False)
    removed.setflags(write=False)
    return kept, removed


def _best_subset(
    scores_of: Callable[[slice], Array], count: int, batch: tuple[int, ...], per_subset: int
) -> NDArray[np.intp]:
    """Index (*batch,) of the subset with the smallest score (first on ties), scoring blocks of subsets."""
    nb = max(1, math.prod(batch))
    block = max(1, _BLOCK_ELEMS // max(1, nb * per_subset))
    best = np.full(batch, np.inf)
    arg = np.zeros(batch, dtype=np.intp)
    for s0 in range(0, count, block):
        sc = scores_of(slice(s0, s0 + block))  # (*batch, S)
        sc = np.where(np.isnan(sc), np.inf, sc)
        j = np.argmin(sc, axis=-1)
        v = np.take_along_axis(sc, j[..., None], axis=-1)[..., 0]
        better = (v < best) | (s0 == 0)
        best = np.where(better, v, best)
        arg = np.where(better, j + s0, arg)
    return arg


def _mask_of(subsets: NDArray[np.intp], arg: NDArray[np.intp], m: int) -> NDArray[np.bool_]:
    kept = np.zeros((*arg.shape, m), dtype=bool)
    np.put_along_axis(kept, subsets[arg], True, axis=-1)
    return kept


# ----------------------------------------------------------------------------------------------
# composition


def _route(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return dict(kwargs)
    params = sig.parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return dict(kwargs)
    return {k: v for k, v in kwargs.items() if k in params}


class _Stage:
    """Common base of :class:`PreAggregator` and :class:`AggregatorStage` (composition by ``>>``)."""

    kind = "stage"

    def __init__(self, fn: Callable[..., Any], name: str | None = None, **bound: Any) -> None:
        self.fn = fn
        self.bound = bound
        self.name = name or getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        functools.update_wrapper(self, fn, assigned=("__module__", "__qualname__", "__doc__"), updated=())

    def stages(self) -> tuple[_Stage, ...]:
        return (self,)

    def accepts(self, name: str) -> bool:
        return bool(_route(self.fn, {name: None}))

    def __call__(self, x: ArrayLike, **kwargs: Any) -> Array:
        return self.fn(x, **{**self.bound, **kwargs})

    def partial(self, **kwargs: Any) -> _Stage:
        """The same stage with keyword arguments bound (later calls may override them)."""
        return type(self)(self.fn, self.name, **{**self.bound, **kwargs})

    def __rshift__(self, other: Callable[..., Any]) -> _Stage:
        if not callable(other):
            return NotImplemented
        right = other if isinstance(other, _Stage) else AggregatorStage(other)
        return _Pipeline((*self.stages(), *right.stages()))

    def __rrshift__(self, other: Callable[..., Any]) -> _Stage:
        if not callable(other):
            return NotImplemented
        return _Pipeline((PreAggregator(other), *self.stages()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.bound.items())
        return f"{type(self).__name__}({self.name}{', ' if args else ''}{args})"


class PreAggregator(_Stage):
    """A pre-aggregator ``(*batch, m, d) -> (*batch, m', d)``; ``pre >> agg`` composes.

    Parameters
    ----------
    fn : callable
        ``fn(x, **kwargs)``, pure.
    name : str, optional
        Display name (default ``fn.__name__``).
    **bound
        Keyword arguments bound now.

    Examples
    --------
    >>> from boundlab.montecarlo import trimmed_mean
    >>> agg = nnm >> trimmed_mean
    >>> x = np.array([[0.0], [1.0], [2.0], [30.0]])
    >>> agg(x, f=1, k=1)
    array([1.])
    """

    kind = "pre-aggregator"


class AggregatorStage(_Stage):
    """An aggregator ``(*batch, m, d) -> (*batch, d)`` wrapped for composition.

    Examples
    --------
    >>> from boundlab.montecarlo import median
    >>> (static_clipping.partial(c=1.0) >> AggregatorStage(median))(np.array([[3.0], [0.5], [-4.0]]))
    array([0.5])
    """

    kind = "aggregator"


class _Pipeline(_Stage):
    """Stages applied left to right; keyword arguments go to every stage that accepts them."""

    def __init__(self, stages: tuple[_Stage, ...]) -> None:
        self._stages = stages
        self.bound = {}
        self.name = " >> ".join(str(s.name) for s in stages)
        self.kind = stages[-1].kind
        self.__doc__ = f"Composition {self.name}."

    def stages(self) -> tuple[_Stage, ...]:
        return self._stages

    def partial(self, **kwargs: Any) -> _Stage:
        return _Pipeline(tuple(s.partial(**_route(s.fn, kwargs)) for s in self._stages))

    def __call__(self, x: ArrayLike, **kwargs: Any) -> Array:
        unknown = [k for k in kwargs if not any(s.accepts(k) for s in self._stages)]
        if unknown:
            raise BadInput(
                f"{unknown[0]} (given) must be an argument of one of the stages {self.name}.", name=unknown[0]
            )
        out: Any = x
        for s in self._stages:
            out = s(out, **_route(s.fn, kwargs))
        return out

    def __repr__(self) -> str:
        return f"<{self.name}>"


# ----------------------------------------------------------------------------------------------
# pre-aggregators


def _nnm(x: ArrayLike, f: int) -> Array:
    """Nearest-neighbour mixing (NNM, Allouah et al., AISTATS 2023).

    Row ``i`` of the output is the mean of the ``m - f`` rows nearest to ``x_i`` in Euclidean
    distance, ``x_i`` itself included; ties go to the lower worker index. A non-finite row maps
    to a NaN row (and poisons a finite row only when more than ``f`` rows are non-finite).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        Number of neighbours left out, ``0 <= f < m``.

    Returns
    -------
    ndarray, shape (*batch, m, d)

    Examples
    --------
    >>> nnm(np.array([[0.0], [1.0], [2.0], [30.0]]), f=1)
    array([[ 1.],
           [ 1.],
           [ 1.],
           [11.]])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m, strict_half=False)
    clean, bad = _split_finite(arr)
    dist = _sq_dists(clean, bad)
    keep = m - ff
    # the m - f nearest of each row (ties to the lower index, as a stable argsort): every value
    # below the (m - f)-th smallest, then equal ones in index order; a partition finds that value
    # in O(m) per row where the sort took O(m log m)
    thr = np.partition(dist, keep - 1, axis=-1)[..., keep - 1 : keep]
    take = dist <= thr
    with np.errstate(invalid="ignore"):
        fix = (take.sum(axis=-1) != keep) | np.isnan(thr[..., 0])  # ties at the threshold, or NaN
    if fix.any():
        rows = np.nonzero(fix)
        d_rows, t_rows = dist[rows], thr[rows]
        less, eq = d_rows < t_rows, d_rows == t_rows
        sel = less | (eq & (np.cumsum(eq, axis=-1) <= keep - less.sum(axis=-1, keepdims=True)))
        nan_thr = np.isnan(t_rows[:, 0])
        if nan_thr.any():  # fewer than m - f non-NaN distances: NaN sorts last, by index
            order = np.argsort(d_rows[nan_thr], axis=-1, kind="stable")[:, :keep]
            sel[nan_thr] = False
            sub = sel[nan_thr]
            np.put_along_axis(sub, order, True, axis=-1)
            sel[nan_thr] = sub
        take[rows] = sel
    w = np.where(take, 1.0 / keep, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = w @ clean
        if not np.all(np.isfinite(out)):  # overflow of a sum of huge finite values
            out = np.where(np.isfinite(out), out, (w[..., :, :, None] * clean[..., None, :, :]).sum(axis=-2))
    if not bad.any():
        return out
    poisoned = take & bad[..., None, :]
    return np.where((poisoned.any(axis=-1) | bad)[..., None], np.nan, out)


def _bucketing(x: ArrayLike, s: int, rng: np.random.Generator | int) -> Array:
    """Bucketing (Karimireddy, He and Jaggi, ICLR 2022): shuffle the workers, average buckets of ``s``.

    Each batch element gets its own uniform permutation drawn from ``rng``; the output has
    ``ceil(m / s)`` rows, the means of consecutive buckets of ``s`` shuffled workers. When ``s``
    does not divide ``m`` the last bucket holds the remaining ``m mod s`` workers (as in ByzFL).
    A bucket holding a non-finite row is non-finite (NaN or inf, as the mean gives): the
    aggregator after it counts it as Byzantine.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    s : int
        Bucket size, ``1 <= s <= m``.
    rng : numpy.random.Generator or int
        The source of the permutations (an integer is a seed).

    Returns
    -------
    ndarray, shape (*batch, ceil(m / s), d)

    Examples
    --------
    >>> x = np.arange(6.0).reshape(6, 1)
    >>> out = bucketing(x, s=2, rng=0)
    >>> out.shape, float(out.mean())
    ((3, 1), 2.5)
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ss = _integer(s, "s", low=1)
    if ss > m:
        raise BadInput(f"s ({ss}) must be <= m = {m} (the number of workers).", name="s")
    gen = _as_rng(rng)
    batch = arr.shape[:-2]
    if batch:
        perm = gen.permuted(np.broadcast_to(np.arange(m), (*batch, m)), axis=-1)
        shuffled = np.take_along_axis(arr, perm[..., None], axis=-2)
    else:
        perm = gen.permuted(np.arange(m))
        nb = m // ss
        groups = perm[: nb * ss].reshape(nb, ss)
        with np.errstate(over="ignore", invalid="ignore"):
            out = arr[groups[:, 0]]  # fancy indexing copies
            for j in range(1, ss):  # the bucket sums, read straight from x (no shuffled copy)
                out += arr[groups[:, j]]
            out /= ss
            if nb * ss < m:
                out = np.concatenate([out, arr[perm[nb * ss :]].mean(axis=-2, keepdims=True)], axis=-2)
        return out
    nb = m // ss
    with np.errstate(over="ignore", invalid="ignore"):
        full = shuffled[..., : nb * ss, :].reshape(*batch, nb, ss, arr.shape[-1]).mean(axis=-2)
        if nb * ss < m:
            full = np.concatenate([full, shuffled[..., nb * ss :, :].mean(axis=-2, keepdims=True)], axis=-2)
    return full


def _row_norms(arr: Array) -> Array:
    """Euclidean norms over the last axis; rows whose plain norm over- or underflows are redone safely."""
    from ._aggregators import _safe_norm

    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out = np.sqrt(np.einsum("...d,...d->...", arr, arr))
    redo = ~np.isfinite(out) | (out < 1e-150)
    if redo.any():
        out = np.array(out)
        out[redo] = _safe_norm(arr[redo])
    return out


def _norms_and_bad(arr: Array) -> tuple[Array, NDArray[np.bool_]]:
    """Row norms and the non-finite rows (*batch, m) from one pass of squared norms.

    A row whose squared norm is not finite (or is tiny) is re-examined: non-finite entries make
    it bad (norm ``inf``), otherwise its norm is recomputed without over- or underflow.
    """
    from ._aggregators import _safe_norm

    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if arr.ndim == 2 and arr.shape[-1] >= 4096:  # long rows: one BLAS dot per row
            norms = np.sqrt(np.fromiter((np.dot(r, r) for r in arr), dtype=float, count=arr.shape[0]))
        else:
            norms = np.sqrt(np.einsum("...d,...d->...", arr, arr))
    suspect = ~np.isfinite(norms) | (norms < 1e-150)
    bad = np.zeros(norms.shape, dtype=bool)
    if suspect.any():
        rows = arr[suspect]
        row_bad = ~np.isfinite(rows).all(axis=-1)
        bad[suspect] = row_bad
        fixed = np.full(rows.shape[0], np.inf)
        if (~row_bad).any():
            fixed[~row_bad] = _safe_norm(rows[~row_bad])
        norms = np.array(norms)
        norms[suspect] = fixed
    return norms, bad


def _static_clipping(x: ArrayLike, c: float) -> Array:
    """Static clipping: each row scaled to Euclidean norm at most ``c``, ``x_i min(1, c / ||x_i||)``.

    The pre-aggregator of ByzFL's ``Clipping`` (see Allouah et al., 2024). A non-finite row maps
    to a NaN row (its direction is undefined).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    c : float
        Clipping radius, ``0 < c < inf``.

    Returns
    -------
    ndarray, shape (*batch, m, d)

    Examples
    --------
    >>> static_clipping(np.array([[3.0, 4.0], [0.3, 0.4]]), c=1.0)
    array([[0.6, 0.8],
           [0.3, 0.4]])
    """
    arr = _workers(x)
    cc = _positive(c, "c")
    norms, bad = _norms_and_bad(arr)
    scale = np.where(norms > cc, cc / np.where(norms > 0, norms, 1.0), 1.0)
    with np.errstate(invalid="ignore"):
        out = arr * scale[..., None]
    if bad.any():
        out[bad] = np.nan
    return out


def _arc(x: ArrayLike, f: int) -> Array:
    """Adaptive robust clipping (ARC, Allouah et al., 2024).

    With ``k = floor(2 f (m - f) / m)``, the ``k`` rows of largest norm are clipped to the norm of
    the largest of the other ``m - k`` rows (ties in norm: the higher worker index counts as
    larger). A non-finite row has infinite norm (it is among the largest) and maps to a NaN row.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        Assumed number of Byzantine workers, ``0 <= f`` and ``2f < m``.

    Returns
    -------
    ndarray, shape (*batch, m, d)

    Examples
    --------
    >>> arc(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, -3.0], [40.0, 0.0], [0.5, 0.0]]), f=1)
    array([[ 1. ,  0. ],
           [ 0. ,  2. ],
           [ 0. , -3. ],
           [ 3. ,  0. ],
           [ 0.5,  0. ]])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    k = (2 * ff * (m - ff)) // m
    norms, bad = _norms_and_bad(arr)
    if k == 0:
        out = arr.copy()
        if bad.any():
            out[bad] = np.nan
        return out
    order = np.argsort(norms, axis=-1, kind="stable")
    thr = np.take_along_axis(norms, order[..., m - k - 1 : m - k], axis=-1)  # (*batch, 1)
    clipped = np.zeros(norms.shape, dtype=bool)
    np.put_along_axis(clipped, order[..., m - k :], True, axis=-1)
    sel = clipped & (norms > thr) & ~bad
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(sel, thr / np.where(sel, norms, 1.0), 1.0)  # x * 1.0 is x exactly
    rows = np.argwhere(sel)
    if len(rows) <= 64:  # few clipped rows: a copy, then each clipped row scaled in place
        out = arr.copy()
        for idx in map(tuple, rows):
            out[idx] *= scale[idx]
    else:  # many (batched trials): one multiplication pass instead of the copy
        out = arr * scale[..., None]
    if bad.any():
        out[bad] = np.nan
    return out


nnm = PreAggregator(_nnm, "nnm")
bucketing = PreAggregator(_bucketing, "bucketing")
static_clipping = PreAggregator(_static_clipping, "static_clipping")
arc = PreAggregator(_arc, "arc")


# ----------------------------------------------------------------------------------------------
# aggregators


def centered_clipping(x: ArrayLike, tau: float = 100.0, L: int = 1, v0: ArrayLike | None = None) -> Array:
    """Centered clipping (Karimireddy, He and Jaggi, ICML 2021).

    ``v_{l+1} = v_l + (1/m) sum_i clip_tau(x_i - v_l)`` for ``l = 0..L-1``, with
    ``clip_tau(u) = u min(1, tau / ||u||)``, returning ``v_L`` (ByzFL's ``CenteredClipping`` with
    its defaults ``tau = 100``, ``L = 1``, ``v0 = 0``; in training ``v0`` is the previous
    aggregate, pass it explicitly). A non-finite row contributes 0 (it is treated as agreeing with
    the centre), so the output stays finite.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    tau : float
        Clipping radius, ``0 < tau < inf``.
    L : int
        Number of iterations, ``>= 0``.
    v0 : array_like, shape (*batch, d) or (d,), optional
        Starting centre (default 0).

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> centered_clipping(np.array([[1.0, 0.0], [0.0, 1.0], [100.0, 0.0]]), tau=1.0)
    array([0.66666667, 0.33333333])
    """
    arr = _workers(x)
    t = _positive(tau, "tau")
    n_iter = _integer(L, "L", low=0)
    m = arr.shape[-2]
    clean, bad = _split_finite(arr)
    target = (*arr.shape[:-2], arr.shape[-1])
    if v0 is None:
        v = np.zeros(target)
    else:
        v0a = np.asarray(v0, dtype=float)
        try:
            v = np.array(np.broadcast_to(v0a, target))
        except ValueError:
            raise BadInput(f"v0 (shape {v0a.shape}) must broadcast to {target}.", name="v0") from None
        if not np.all(np.isfinite(v)):
            raise BadInput("v0 (non-finite entries) must be finite.", name="v0")
    for _ in range(n_iter):
        with np.errstate(over="ignore", invalid="ignore"):
            diff = clean - v[..., None, :]
            norms = _row_norms(diff)
            scale = np.where(norms > t, t / np.where(norms > 0, norms, 1.0), 1.0)
            if bad.any():
                scale = np.where(bad, 0.0, scale)
                diff = np.where(bad[..., None], 0.0, diff)
            step = np.einsum("...m,...md->...d", scale / m, diff)
        v = v + step
    return v


def mda(x: ArrayLike, f: int, *, max_subsets: int = MAX_SUBSETS) -> Array:
    """Minimum-diameter averaging (MDA; El Mhamdi et al., PODC 2020 / ICML 2018).

    Among the ``C(m, f)`` subsets of ``m - f`` workers, take the one whose diameter (largest
    Euclidean distance between two of its members) is smallest, first in lexicographic order on
    ties, and return its mean. Exact: every subset is searched (vectorised, in blocks); more than
    ``max_subsets`` subsets is refused with :class:`~boundlab.bounds.BadInput` naming ``m`` and
    ``f``. Non-finite rows are avoided while at most ``f`` of them exist (NaN output otherwise).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        Number of workers left out, ``0 <= f`` and ``2f < m``.
    max_subsets : int
        Refuse when ``C(m, f)`` exceeds this.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> mda(np.array([[0.0], [1.0], [1.5], [9.0], [2.0]]), f=2)
    array([1.5])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    kept_sets, removed = _subsets(m, ff, max_subsets)
    clean, bad = _split_finite(arr)
    dist = _sq_dists(clean, bad)
    # the diameter of a kept set is the largest pair distance avoiding the removed set: scan the
    # pairs in decreasing distance; f removed workers touch at most f (m - 1) of them
    iu, ju = np.triu_indices(m, 1)
    pair = dist[..., iu, ju]  # (*batch, P)
    n_top = min(len(iu), ff * (m - 1) + 1)
    top = np.argsort(-pair, axis=-1, kind="stable")[..., :n_top]
    top_d = np.take_along_axis(pair, top, axis=-1)
    pi, pj = iu[top], ju[top]  # (*batch, T)

    def scores(sl: slice) -> Array:
        r = removed[sl]  # (S, m)
        touched = r[:, pi] | r[:, pj]  # (S, *batch, T)
        first = np.argmin(touched, axis=-1)  # first pair avoiding the removed set
        diam = np.take_along_axis(np.broadcast_to(top_d, touched.shape), first[..., None], axis=-1)[..., 0]
        return np.moveaxis(diam, 0, -1) if diam.ndim > 1 else diam

    if n_top == 0:  # m = 1: the only subset
        arg = np.zeros(arr.shape[:-2], dtype=np.intp)
    else:
        arg = _best_subset(scores, len(kept_sets), arr.shape[:-2], n_top)
    return _select_mean(arr, _mask_of(kept_sets, arg, m), bad)


def monna(x: ArrayLike, f: int, idx: int = -1) -> Array:
    """MoNNA (Farhadkhani et al., ICML 2023): mean of the ``m - f`` nearest neighbours of a trusted worker.

    The trusted worker is ``x[..., idx, :]`` (itself included among its neighbours; ties go to the
    lower index). The default ``idx = -1`` is the last worker, honest in boundlab's convention
    (:func:`~boundlab.montecarlo.apply_attack` puts the Byzantine rows first; ByzFL's default is
    0). Non-finite rows are avoided while at most ``f`` of them exist; the output is NaN when the
    trusted worker itself is non-finite.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        ``0 <= f`` and ``2f < m``.
    idx : int
        Trusted worker, ``-m <= idx < m``.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> monna(np.array([[50.0], [0.0], [1.0], [3.0], [0.5]]), f=2)
    array([0.5])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    ii = _integer(idx, "idx")
    if not -m <= ii < m:
        raise BadInput(f"idx ({ii}) must be in [-m, m) = [{-m}, {m}).", name="idx")
    ii %= m
    clean, bad = _split_finite(arr)
    with np.errstate(over="ignore", invalid="ignore"):  # only the m distances to the trusted worker
        if clean.ndim == 2:  # one pass, no temporary
            from scipy.spatial.distance import cdist

            d2 = cdist(clean, clean[ii : ii + 1], "sqeuclidean")[:, 0]
        else:
            diff = clean - clean[..., ii : ii + 1, :]
            d2 = np.einsum("...md,...md->...m", diff, diff)
    d2 = np.where(bad | np.isnan(d2), np.inf, d2)
    order = np.argsort(d2, axis=-1, kind="stable")[..., : m - ff]
    kept = np.zeros(d2.shape, dtype=bool)
    np.put_along_axis(kept, order, True, axis=-1)
    out = _select_mean(arr, kept, bad)
    return np.where(bad[..., ii, None], np.nan, out)


def meamed(x: ArrayLike, f: int) -> Array:
    """Mean around the median (Meamed; Xie, Koyejo and Gupta, 2018), coordinate-wise.

    Per coordinate, the mean of the ``m - f`` values closest to the coordinate-wise median
    (:func:`~boundlab.montecarlo.median`, the numpy convention for even ``m``); ties in distance
    go to the lower worker index. NaN is ordered as ``+inf`` (the median's policy), so with at
    most ``f`` non-finite values in a coordinate they are never averaged. Selection by a
    threshold and a count, no sort.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        ``0 <= f`` and ``2f < m``.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> meamed(np.array([[0.0], [1.0], [2.0], [3.0], [np.nan]]), f=2)
    array([2.])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    k = m - ff
    v = np.where(np.isnan(arr), np.inf, arr)
    med = median(v)
    with np.errstate(invalid="ignore", over="ignore"):
        dist = np.abs(v - med[..., None, :])
    dist = np.where(np.isnan(dist), np.inf, dist)
    # the k-th smallest distance per coordinate, then the ties at it by worker index
    thr = np.partition(dist, k - 1, axis=-2)[..., k - 1 : k, :]
    below = dist < thr
    at = dist == thr
    need = k - below.sum(axis=-2, keepdims=True)
    kept = below | (at & (np.cumsum(at, axis=-2) <= need))
    with np.errstate(over="ignore", invalid="ignore"):
        sel = np.where(kept, v, 0.0)
        out = sel.sum(axis=-2) / k
        redo = ~np.isfinite(out)
        if redo.any():  # overflow of the plain sum, or an infinite value kept
            out = np.where(redo, (sel / k).sum(axis=-2), out)
    return out


def caf(x: ArrayLike, f: int, rng: np.random.Generator | int = 0, *, power_iters: int = 20) -> Array:
    """Covariance-bound agnostic filter (CAF; Allouah, Guerraoui and Stephan, ICML 2025).

    Weights ``c = 1`` (0 for a non-finite row); while ``sum(c) > m - 2f``: ``mu`` is the
    ``c``-weighted mean, ``v`` the top eigenvector of the weighted covariance
    ``sum_i c_i (x_i - mu)(x_i - mu)^T / sum(c)`` with eigenvalue ``lam``; remember ``mu`` if
    ``lam`` is the smallest seen; ``tau_i = ((x_i - mu) . v)^2`` and ``c_i <- c_i (1 - tau_i /
    max tau)``, the maximum taken over the workers whose weight is still positive. (ByzFL takes it
    over every worker: once a far outlier has weight 0 it keeps ``max tau`` and the other weights
    barely shrink, so the loop runs for thousands of rounds; here every round zeroes a weight, so
    there are at most ``m`` rounds.) Returns the remembered ``mu`` (the weighted mean itself when the loop does not run
    or every ``tau`` is 0). The eigenpair comes from ``power_iters`` steps of the power iteration
    from a start vector drawn from ``rng`` (ByzFL: one step from an unseeded start), so the result
    is reproducible for a given seed. After the first projection ``D v`` of the start vector (one
    product with the messages per round) the power steps run in the m-dimensional span of the
    workers, on a Gram matrix computed once: a step costs ``O(m^2)`` whatever ``d``. More steps
    give a better eigenvector, which on data with a shifted minority removes weight more
    selectively and so takes more rounds (each round draws one start vector of length ``d``).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        ``0 <= f`` and ``2f < m``.
    rng : numpy.random.Generator or int
        Start vectors of the power iteration (an integer is a seed).
    power_iters : int
        Power-iteration steps per round, ``>= 1``.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [40.0, -40.0]])
    >>> np.round(caf(x, f=1, rng=0), 2)
    array([0.5, 0.5])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    its = _integer(power_iters, "power_iters", low=1)
    gen = _as_rng(rng)
    clean, bad = _split_finite(arr)
    *batch, _, d = arr.shape
    c = np.where(bad, 0.0, 1.0)
    best_c = c
    best_lam = np.full(tuple(batch), np.inf)
    active = c.sum(axis=-1) > m - 2 * ff
    if not active.any():
        return _weighted_mean(clean, c)
    # When d > m, everything after the first projection happens in the m-dimensional span of the
    # workers: with D the c-centred messages, the power step v -> D^T diag(c) D v / sum(c) maps
    # D v to K b / |w| with b = c (D v) / sum(c), K = D D^T and |w|^2 = b.K b; lam = (D v).b and
    # tau = (D v)^2. K comes from one Gram matrix of the median-centred (and, for huge values,
    # power-of-two scaled) messages, so a round costs one product with the random start vector.
    # When d <= m the steps run in d dimensions on the centred messages (cheaper there).
    in_span = d > m
    if in_span:
        z, _, _ = _centred_scaled(clean)
        gram = _gram(z)
    for _ in range(_CAF_MAX_ROUNDS):
        if not active.any():
            break
        csum = c.sum(axis=-1)
        cn = c / np.where(csum > 0, csum, 1.0)[..., None]
        vec = gen.standard_normal((*batch, d))
        vec /= np.maximum(np.linalg.norm(vec, axis=-1, keepdims=True), 1e-300)
        lam = np.zeros(tuple(batch))
        if in_span:
            g = np.einsum("...ij,...j->...i", gram, cn)
            kmat = gram - g[..., :, None] - g[..., None, :] + np.einsum("...i,...i->...", cn, g)[..., None, None]
            zv = np.einsum("...md,...d->...m", z, vec)
            proj = zv - np.einsum("...m,...m->...", cn, zv)[..., None]  # D v
            for _ in range(its):
                b = cn * proj
                kb = np.einsum("...ij,...j->...i", kmat, b)
                nrm = np.sqrt(np.maximum(np.einsum("...i,...i->...", b, kb), 0.0))
                lam = np.einsum("...i,...i->...", proj, b)
                proj = np.where(nrm[..., None] > 0, kb / np.where(nrm > 0, nrm, 1.0)[..., None], proj)
        else:
            diffs = clean - _weighted_mean(clean, c)[..., None, :]
            for _ in range(its):
                w = np.einsum("...m,...md->...d", cn * np.einsum("...md,...d->...m", diffs, vec), diffs)
                nrm = np.linalg.norm(w, axis=-1)
                lam = np.einsum("...d,...d->...", vec, w)
                vec = np.where(nrm[..., None] > 0, w / np.where(nrm > 0, nrm, 1.0)[..., None], vec)
            proj = np.einsum("...md,...d->...m", diffs, vec)
        better = active & (lam < best_lam)
        best_lam = np.where(better, lam, best_lam)
        best_c = np.where(better[..., None], c, best_c)
        tau = np.where(c > 0, proj**2, 0.0)  # tau_max over the workers still weighted (see the docstring)
        tmax = tau.max(axis=-1)
        stop = tmax <= 0
        new_c = c * (1.0 - tau / np.where(stop, 1.0, tmax)[..., None])
        c = np.where((active & ~stop)[..., None], new_c, c)
        active = active & ~stop & (c.sum(axis=-1) > m - 2 * ff)
    return _weighted_mean(clean, best_c)


#: Above this many multiply-adds (m^2 d per batch element) the Gram matrix runs on one BLAS thread.
_GRAM_ONE_THREAD = 10_000_000


def _gram(z: Array) -> Array:
    """``z z^T`` over the last two axes, shape (*batch, m, m).

    A large product runs with BLAS limited to one thread: the m x m result of a long, thin ``z``
    gains little from threads, and on a busy machine oversubscribed BLAS threads made it 20x
    slower than one thread (measured at m = 100, d = 1e5: 3.1 s against 0.18 s).
    """
    if z.shape[-2] ** 2 * z.shape[-1] * max(1, math.prod(z.shape[:-2])) < _GRAM_ONE_THREAD:
        return z @ np.swapaxes(z, -1, -2)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return z @ np.swapaxes(z, -1, -2)


def _weighted_mean(x: Array, c: Array) -> Array:
    s = c.sum(axis=-1)
    return np.einsum("...m,...md->...d", c / np.where(s > 0, s, 1.0)[..., None], x)


def smea(x: ArrayLike, f: int, *, max_subsets: int = MAX_SUBSETS) -> Array:
    """Smallest maximum eigenvalue averaging (SMEA; Allouah et al., ICML 2023).

    Among the ``C(m, f)`` subsets of ``m - f`` workers, take the one whose empirical covariance
    ``(1/(m - f)) sum_{i in S} (x_i - xbar_S)(x_i - xbar_S)^T`` has the smallest top eigenvalue
    (exact: from the subset's centred Gram matrix; first subset in lexicographic order on ties)
    and return its mean. More than ``max_subsets`` subsets is refused with
    :class:`~boundlab.bounds.BadInput` naming ``m`` and ``f``. Non-finite rows are avoided while
    at most ``f`` of them exist (NaN output otherwise).

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        ``0 <= f`` and ``2f < m``.
    max_subsets : int
        Refuse when ``C(m, f)`` exceeds this.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> smea(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [8.0, 8.0], [1.0, 1.0]]), f=1)
    array([0.5, 0.5])
    """
    from ._aggregators import _centred_scaled

    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    kept_sets, _ = _subsets(m, ff, max_subsets)
    clean, bad = _split_finite(arr)
    z, _, _ = _centred_scaled(clean)  # exact power-of-two rescaling: the argmin is unchanged
    gram = z @ np.swapaxes(z, -1, -2)
    if bad.any():
        gram = np.where(bad[..., :, None] | bad[..., None, :], np.nan, gram)
    k = m - ff
    centre = np.eye(k) - 1.0 / k

    def scores(sl: slice) -> Array:
        sub = kept_sets[sl]
        g = gram[..., sub[:, :, None], sub[:, None, :]]  # (*batch, S, k, k)
        g = centre @ g @ centre
        poisoned = np.isnan(g).any(axis=(-2, -1))
        top = np.linalg.eigvalsh(np.where(np.isnan(g), 0.0, g))[..., -1]
        return np.where(poisoned, np.inf, top)

    arg = _best_subset(scores, len(kept_sets), arr.shape[:-2], k * k)
    return _select_mean(arr, _mask_of(kept_sets, arg, m), bad)


def dnc(
    x: ArrayLike,
    f: int,
    rng: np.random.Generator | int = 0,
    *,
    n_iters: int = 5,
    sub_dim: int = 10_000,
    filter_frac: float = 1.0,
) -> Array:
    """Divide and conquer (DnC; Shejwalkar and Houmansadr, NDSS 2021, Algorithm 2).

    Repeat ``n_iters`` times: draw ``min(sub_dim, d)`` coordinates without replacement; centre
    the workers' restrictions at their mean; score each worker by its squared projection on the
    top right singular vector of the centred matrix; keep the ``m - floor(filter_frac * f)``
    lowest scores (ties: lower index). The output is the mean of the workers kept in every
    iteration. Non-finite rows score ``+inf`` (and are left out of the centring), so they are
    removed while at most ``floor(filter_frac * f)`` of them exist.

    Parameters
    ----------
    x : array_like, shape (*batch, m, d)
    f : int
        ``0 <= f`` and ``2f < m``.
    rng : numpy.random.Generator or int
        Draws the coordinate subsets (an integer is a seed).
    n_iters : int
        ``>= 1``.
    sub_dim : int
        Coordinates per iteration, ``>= 1``.
    filter_frac : float
        Removed per iteration: ``floor(filter_frac * f)``, ``0 <= filter_frac`` and at most
        ``m - 1`` removed.

    Returns
    -------
    ndarray, shape (*batch, d)

    Examples
    --------
    >>> x = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [40.0, -40.0]])
    >>> dnc(x, f=1, rng=0)
    array([0.5, 0.5])
    """
    arr = _workers(x)
    m = arr.shape[-2]
    ff = _f_count(f, m)
    gen = _as_rng(rng)
    its = _integer(n_iters, "n_iters", low=1)
    sd = _integer(sub_dim, "sub_dim", low=1)
    frac = _real(filter_frac, "filter_frac")
    removed = math.floor(frac * ff + 1e-9)
    if frac < 0 or removed >= m:
        raise BadInput(
            f"filter_frac ({filter_frac}) must be >= 0 with floor(filter_frac f) < m = {m}.", name="filter_frac"
        )
    clean, bad = _split_finite(arr)
    *batch, _, d = arr.shape
    good = np.ones((*batch, m), dtype=bool)
    w = np.where(bad, 0.0, 1.0)
    for _ in range(its):
        cols = np.sort(gen.choice(d, size=min(sd, d), replace=False)) if d > 0 else np.arange(0)
        sub = clean[..., cols]
        mu = _weighted_mean(sub, w)
        z = sub - mu[..., None, :]
        if z.shape[-1] <= m:  # top right singular vector from the d' x d' matrix Z^T Z
            _, vr = np.linalg.eigh(np.swapaxes(z, -1, -2) @ z)
            score = np.einsum("...md,...d->...m", z, vr[..., -1]) ** 2
        else:  # from the m x m Gram matrix: the projection of row i is sigma u_i, squared lam u_i^2
            vals, vecs = np.linalg.eigh(z @ np.swapaxes(z, -1, -2))
            score = vals[..., -1:] * vecs[..., -1] ** 2
        score = np.where(bad, np.inf, score)
        order = np.argsort(score, axis=-1, kind="stable")[..., : m - removed]
        keep = np.zeros((*batch, m), dtype=bool)
        np.put_along_axis(keep, order, True, axis=-1)
        good &= keep
    return _select_mean(arr, good, bad)


#: Aggregators of this module, by name (the pre-aggregators are in :data:`PRE_AGGREGATORS`).
ROBUST_AGGREGATORS: dict[str, Callable[..., Any]] = {
    "centered_clipping": centered_clipping,
    "mda": mda,
    "monna": monna,
    "meamed": meamed,
    "caf": caf,
    "smea": smea,
    "dnc": dnc,
}

#: Pre-aggregators of this module, by name.
PRE_AGGREGATORS: dict[str, PreAggregator] = {
    "nnm": nnm,
    "bucketing": bucketing,
    "static_clipping": static_clipping,
    "arc": arc,
}
