"""Adaptive attacks: optimal ALIE and IPM against the aggregator in use, Mimic, MinMax and MinSum.

Same contract as :mod:`boundlab.montecarlo._attacks`: ``attack(honest, q, rng, ctx=None, **options)``
with ``honest`` of shape (*batch, m_h, d) returns ``(*batch, q, d)``, never modifies ``honest`` and
draws randomness only from ``rng``. Every batch element is attacked separately (its own scale).

=========================  ===============================================================  ==========
attack                     message                                                          source
=========================  ===============================================================  ==========
:func:`optimal_alie`       ``mean + tau * std``, ``tau`` maximising the aggregator's error   [BBG19]_
:func:`optimal_ipm`        ``-tau * mean``, ``tau`` maximising the aggregator's error        [XKG20]_
:func:`mimic`              a copy of one honest worker (seeded choice by default)           [KHJ22]_
:func:`minmax`             ``mean + gamma p``, largest ``gamma`` with max distance to the   [SH21]_
                           honest workers within their largest pairwise distance
:func:`minsum`             ``mean + gamma p``, largest ``gamma`` with sum of squared         [SH21]_
                           distances within the honest workers' largest such sum
=========================  ===============================================================  ==========

The optimal attacks follow ByzFL's ``Optimal_ALittleIsEnough`` / ``Optimal_InnerProductManipulation``:
the error of a scale ``tau`` is ``||agg(byz rows first, then honest) - mean(honest)||``; an
expansion phase from ``start`` adds ``delta`` and doubles it while the error grows, then a
contraction phase multiplies the step by ``ratio`` after every proposal, ``evals`` evaluations in
all. The aggregator searched against is the one in use: the ``aggregator`` argument when given
(e.g. ``functools.partial(optimal_alie, aggregator=functools.partial(trimmed_mean, k=5))``),
else ``ctx.aggregator`` (:class:`~boundlab.montecarlo.AttackContext`: a simulator that knows its
aggregator passes it there), and only when neither is known the coordinate-wise median. A NaN
aggregate counts as an infinite error (the attacker's best outcome).

References
----------
.. [BBG19] G. Baruch, M. Baruch, Y. Goldberg. A little is enough: circumventing defenses for
   distributed learning. NeurIPS 2019.
.. [XKG20] C. Xie, O. Koyejo, I. Gupta. Fall of empires: breaking Byzantine-tolerant SGD by inner
   product manipulation. UAI 2020.
.. [KHJ22] S. P. Karimireddy, L. He, M. Jaggi. Byzantine-robust learning on heterogeneous datasets
   via bucketing. ICLR 2022.
.. [SH21] V. Shejwalkar, A. Houmansadr. Manipulating the Byzantine: optimizing model poisoning
   attacks and defenses for federated learning. NDSS 2021.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boundlab.bounds import BadInput

from ._aggregators import median
from ._attacks import AttackContext, _count, _honest, _honest_mean, _repeat, _rng

__all__ = ["ADAPTIVE_ATTACKS", "optimal_alie", "optimal_ipm", "mimic", "minmax", "minsum"]

Array = NDArray[np.floating]
AggregatorFn = Callable[[np.ndarray], np.ndarray]


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise BadInput(f"{name} ({value!r}) must be a finite real number.", name=name)
    return float(value)


def _in_use(aggregator: AggregatorFn | None, ctx: AttackContext | None) -> AggregatorFn:
    """The aggregator to search against: the argument, else ``ctx.aggregator``, else the median."""
    if aggregator is not None:
        return aggregator
    if ctx is not None and ctx.aggregator is not None:
        return ctx.aggregator
    return median


def _line_search(
    h: Array,
    q: int,
    message: Callable[[np.ndarray], np.ndarray],
    aggregator: AggregatorFn,
    evals: int,
    start: float,
    delta: float,
    ratio: float,
) -> np.ndarray:
    """ByzFL's expansion/contraction search, per batch element; returns the best scale (*batch,)."""
    if not callable(aggregator):
        raise BadInput(
            f"aggregator ({aggregator!r}) must be a callable (*batch, m, d) -> (*batch, d).", name="aggregator"
        )
    n_eval = int(evals)
    if isinstance(evals, bool) or not isinstance(evals, numbers.Integral) or n_eval < 1:
        raise BadInput(f"evals ({evals!r}) must be an integer >= 1.", name="evals")
    x0 = _real(start, "start")
    step0 = _real(delta, "delta")
    if step0 == 0:
        raise BadInput("delta (0.0) must be non-zero.", name="delta")
    r = _real(ratio, "ratio")
    if not 0.5 < r < 1:
        raise BadInput(f"ratio ({ratio}) must be in (1/2, 1).", name="ratio")
    batch = h.shape[:-2]
    target = _honest_mean(h)

    def error(tau: np.ndarray) -> np.ndarray:
        byz = _repeat(message(tau), q)
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.asarray(aggregator(np.concatenate([byz, h], axis=-2)))
            e = np.linalg.norm(out - target, axis=-1)
        return np.where(np.isnan(e), np.inf, e)

    best = np.full(batch, x0)
    best_y = error(best)
    step = np.full(batch, step0)
    expanding = np.ones(batch, dtype=bool)
    for _ in range(n_eval - 1):
        prop = best + step
        y = error(prop)
        up = y > best_y
        best = np.where(up, prop, best)
        best_y = np.where(up, y, best_y)
        step = np.where(expanding & up, 2.0 * step, r * step)
        expanding &= up
    return best


def _alie_message(h: Array) -> Callable[[np.ndarray], np.ndarray]:
    mu = _honest_mean(h)
    with np.errstate(over="ignore", invalid="ignore"):
        sd = h.std(axis=-2, ddof=1 if h.shape[-2] > 1 else 0)
    return lambda tau: mu + np.asarray(tau)[..., None] * sd


def optimal_alie(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    aggregator: AggregatorFn | None = None,
    evals: int = 20,
    start: float = 0.0,
    delta: float = 10.0,
    ratio: float = 0.8,
) -> Array:
    """Optimal "a little is enough": ``mean + tau * std`` with ``tau`` searched against ``aggregator``.

    ``std`` is the per-coordinate honest standard deviation (``ddof=1``, as ByzFL); ``tau`` comes
    from the line search of the module docstring (ByzFL's defaults ``evals=20``, ``start=0``,
    ``delta=10``, ``ratio=0.8``), separately for each batch element.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused (deterministic given the aggregator).
    ctx : AttackContext, optional
        ``ctx.aggregator`` is searched against when ``aggregator`` is not given.
    aggregator : callable, optional
        The aggregator under attack, ``(*batch, q + m_h, d) -> (*batch, d)`` (default
        ``ctx.aggregator``, else the coordinate-wise median).
    evals, start, delta, ratio
        Line-search settings: ``evals >= 1``, ``delta != 0``, ``1/2 < ratio < 1``.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> h = np.random.default_rng(0).standard_normal((9, 3))
    >>> optimal_alie(h, 2, np.random.default_rng(0)).shape
    (2, 3)
    """
    h, q, _ = _honest(honest, min_workers=1), _count(q), _rng(rng)
    msg = _alie_message(h)
    tau = _line_search(h, q, msg, _in_use(aggregator, ctx), evals, start, delta, ratio)
    return _repeat(msg(tau), q)


def optimal_ipm(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    aggregator: AggregatorFn | None = None,
    evals: int = 20,
    start: float = 0.0,
    delta: float = 10.0,
    ratio: float = 0.8,
) -> Array:
    """Optimal inner-product manipulation: ``-tau * mean(honest)`` with ``tau`` searched against ``aggregator``.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        ``ctx.aggregator`` is searched against when ``aggregator`` is not given.
    aggregator : callable, optional
        The aggregator under attack (default ``ctx.aggregator``, else the coordinate-wise median).
    evals, start, delta, ratio
        Line-search settings (see :func:`optimal_alie`).

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    Against the mean the error grows with ``tau``, so the search keeps doubling its step:

    >>> h = np.ones((4, 1))
    >>> from boundlab.montecarlo import mean
    >>> optimal_ipm(h, 1, np.random.default_rng(0), aggregator=mean, evals=4)
    array([[-70.]])
    """
    h, q, _ = _honest(honest, min_workers=1), _count(q), _rng(rng)
    mu = _honest_mean(h)

    def msg(tau: np.ndarray) -> np.ndarray:
        return -np.asarray(tau)[..., None] * mu

    tau = _line_search(h, q, msg, _in_use(aggregator, ctx), evals, start, delta, ratio)
    return _repeat(msg(tau), q)


def mimic(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    target: int | None = None,
) -> Array:
    """Mimic (Karimireddy, He and Jaggi, ICLR 2022): every Byzantine worker copies one honest worker.

    Over-representing one honest worker biases rules that weigh workers equally under
    heterogeneity. ``target`` is the honest worker copied (ByzFL's ``epsilon``); by default it is
    drawn uniformly from ``rng``, independently per batch element.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Draws the copied worker when ``target`` is None.
    ctx : AttackContext, optional
        Unused.
    target : int, optional
        Index of the copied honest worker, ``0 <= target < m_h``.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> mimic(np.array([[1.0, 2.0], [3.0, 4.0]]), 2, np.random.default_rng(0), target=1)
    array([[3., 4.],
           [3., 4.]])
    """
    h, q, rng = _honest(honest, min_workers=1), _count(q), _rng(rng)
    m_h = h.shape[-2]
    if target is None:
        idx = rng.integers(0, m_h, size=h.shape[:-2])
    else:
        if isinstance(target, bool) or not isinstance(target, numbers.Integral) or not 0 <= target < m_h:
            raise BadInput(f"target ({target!r}) must be an integer in [0, m_h) = [0, {m_h}).", name="target")
        idx = np.full(h.shape[:-2], int(target))
    row = np.take_along_axis(h, np.asarray(idx)[..., None, None], axis=-2)[..., 0, :]
    return _repeat(row, q)


def _direction(h: Array, kind: str) -> np.ndarray:
    mu = _honest_mean(h)
    if kind == "std":
        return -h.std(axis=-2, ddof=1 if h.shape[-2] > 1 else 0)
    if kind == "unit_vec":
        n = np.linalg.norm(mu, axis=-1, keepdims=True)
        return -mu / np.where(n > 0, n, 1.0)
    if kind == "sign":
        return -np.sign(mu)
    raise BadInput(f"perturbation ({kind!r}) must be 'std', 'unit_vec' or 'sign'.", name="perturbation")


def _largest_feasible(
    feasible: Callable[[np.ndarray], np.ndarray], batch: tuple[int, ...], iters: int = 60
) -> np.ndarray:
    """Largest gamma >= 0 with ``feasible(gamma)`` (a convex sublevel set containing 0), by bisection."""
    lo = np.zeros(batch)
    hi = np.ones(batch)
    for _ in range(200):  # grow hi until infeasible
        ok = feasible(hi)
        if not ok.any():
            break
        lo = np.where(ok, hi, lo)
        hi = np.where(ok, 2.0 * hi, hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        ok = feasible(mid)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


def _sq_dist_to_honest(h: Array, y: np.ndarray) -> np.ndarray:
    return np.sum((h - y[..., None, :]) ** 2, axis=-1)


def _pairwise_honest(h: Array) -> np.ndarray:
    return np.sum((h[..., :, None, :] - h[..., None, :, :]) ** 2, axis=-1)


def minmax(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    perturbation: Literal["std", "unit_vec", "sign"] = "std",
) -> Array:
    """MinMax (Shejwalkar and Houmansadr, NDSS 2021): as far as possible, no farther than the honest spread.

    ``byz = mean + gamma p`` with ``p`` the perturbation direction (``"std"``: minus the honest
    standard deviation, the paper's "inverse std"; ``"unit_vec"``: ``-mean/||mean||``;
    ``"sign"``: ``-sign(mean)``) and ``gamma`` the largest value with
    ``max_i ||byz - h_i|| <= max_{i,j} ||h_i - h_j||`` (bisection to relative 1e-16 where the paper
    stops at a tolerance). Deterministic.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    perturbation : {"std", "unit_vec", "sign"}

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    Two honest points at distance 2 around 1: ``max((1 - gamma)^2, (1 + gamma)^2) <= 4`` gives
    ``gamma = 1``:

    >>> h = np.array([[0.0], [2.0]])
    >>> byz = minmax(h, 1, np.random.default_rng(0), perturbation="sign")
    >>> byz.shape, bool(abs(byz[0, 0]) < 1e-9)
    ((1, 1), True)
    """
    h, q, _ = _honest(honest, min_workers=1), _count(q), _rng(rng)
    mu, p = _honest_mean(h), _direction(h, perturbation)
    cap = _pairwise_honest(h).max(axis=(-2, -1))

    def feasible(g: np.ndarray) -> np.ndarray:
        return _sq_dist_to_honest(h, mu + g[..., None] * p).max(axis=-1) <= cap

    g = _largest_feasible(feasible, h.shape[:-2])
    return _repeat(mu + g[..., None] * p, q)


def minsum(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    perturbation: Literal["std", "unit_vec", "sign"] = "std",
) -> Array:
    """MinSum (Shejwalkar and Houmansadr, NDSS 2021): total squared distance within the honest maximum.

    ``byz = mean + gamma p`` (``p`` as in :func:`minmax`) with ``gamma`` the largest value with
    ``sum_i ||byz - h_i||^2 <= max_i sum_j ||h_i - h_j||^2``. Deterministic.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    perturbation : {"std", "unit_vec", "sign"}

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    Two honest points at distance 2: ``(1 - gamma)^2 + (1 + gamma)^2 <= 4`` gives ``gamma = 1``:

    >>> h = np.array([[0.0], [2.0]])
    >>> byz = minsum(h, 1, np.random.default_rng(0), perturbation="sign")
    >>> byz.shape, bool(abs(byz[0, 0]) < 1e-9)
    ((1, 1), True)
    """
    h, q, _ = _honest(honest, min_workers=1), _count(q), _rng(rng)
    mu, p = _honest_mean(h), _direction(h, perturbation)
    cap = _pairwise_honest(h).sum(axis=-1).max(axis=-1)

    def feasible(g: np.ndarray) -> np.ndarray:
        return _sq_dist_to_honest(h, mu + g[..., None] * p).sum(axis=-1) <= cap

    g = _largest_feasible(feasible, h.shape[:-2])
    return _repeat(mu + g[..., None] * p, q)


#: The adaptive attacks with their default settings, merged into :data:`~boundlab.montecarlo.ATTACKS`.
ADAPTIVE_ATTACKS: dict[str, Callable[..., Array]] = {
    "optimal_alie": functools.partial(optimal_alie),
    "optimal_ipm": functools.partial(optimal_ipm),
    "mimic": functools.partial(mimic),
    "minmax": functools.partial(minmax),
    "minsum": functools.partial(minsum),
}
