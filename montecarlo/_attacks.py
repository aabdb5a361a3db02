"""Byzantine attacks: message-level attacks on gradients and data-level attacks on labels.

A message-level attack has the signature ``attack(honest, q, rng, ctx=None) -> byz``:

* ``honest``: shape (*batch, m_h, d), the honest messages (workers on axis -2);
* ``q``: the number of Byzantine workers (an integer >= 0);
* ``rng``: an explicit :class:`numpy.random.Generator` (nothing uses global random state; the
  deterministic attacks ignore it);
* ``ctx``: an optional :class:`AttackContext` with what an omniscient adversary may know
  (dissertation L3835-3838): the iterate, the true population gradient, ``w*``, the iteration,
  the aggregator's trim count.

It returns ``byz`` of shape (*batch, q, d) and never modifies ``honest``. :func:`apply_attack`
assembles the full message array with the Byzantine rows first (catalog 5.1: the Byzantine set is
the first ``q`` machines, without loss of generality since honest data are exchangeable).

=========================  =====================================================  ================
attack                     message (per coordinate unless stated)                  source
=========================  =====================================================  ================
:func:`sign_flip`          ``-c * mean(honest)``                                   catalog 5.2 A4
:func:`gaussian`           ``mean(honest) + N(0, tau^2 I)``                        catalog 5.2 A5
:func:`large_value`        ``+-c`` (sign +, -, or random)                          catalog 5.2 A1
:func:`nan_inf`            NaN, +inf, -inf or 1e308                                robustness test
:func:`alie`               ``mean - z * std``                                      Baruch et al. 2019
:func:`inner_product`      ``-eps * mean(honest)``                                 Xie et al. 2020
:func:`one_sided_shift`    above every honest value                                catalog 5.2 A1 (+)
:func:`stall`              ``-c * sign(grad_F)``                                   catalog 5.2 A2
:func:`inside_range`       (k+1)-th largest honest value, or the honest max        catalog 5.2 A3/A3'
=========================  =====================================================  ================

Data-level attacks (catalog 5.2 A6 and A7, the dissertation's experiments): :func:`label_flip`
(``y -> num_classes - 1 - y``, the dissertation's ``y -> 9 - y``) and :func:`random_labels`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

from boundlab.bounds import BadInput

__all__ = [
    "AttackContext",
    "Attack",
    "ATTACKS",
    "apply_attack",
    "sign_flip",
    "gaussian",
    "large_value",
    "nan_inf",
    "alie",
    "alie_z",
    "inner_product",
    "one_sided_shift",
    "stall",
    "inside_range",
    "label_flip",
    "random_labels",
]

Array = NDArray[np.floating]


@dataclasses.dataclass(frozen=True, eq=False)
class AttackContext:
    """What an omniscient adversary may know at one step (all optional).

    Attributes
    ----------
    w : ndarray, shape (*batch, d), optional
        The current iterate.
    grad_F : ndarray, shape (*batch, d), optional
        The true population gradient at ``w``.
    w_star : ndarray, shape (*batch, d) or (d,), optional
        The population minimiser.
    t : int, optional
        The iteration number.
    k : int, optional
        The trim count of the aggregator (values removed at each end), used by
        :func:`inside_range`.
    aggregator : callable, optional
        The aggregator in use, ``(*batch, m, d) -> (*batch, d)`` on all ``m`` messages (Byzantine
        rows first): the optimal attacks (:func:`~boundlab.montecarlo.optimal_alie`,
        :func:`~boundlab.montecarlo.optimal_ipm`) search their scale against it when they are
        not given one explicitly.

    Examples
    --------
    >>> AttackContext(t=3, k=1).k
    1
    """

    w: np.ndarray | None = None
    grad_F: np.ndarray | None = None
    w_star: np.ndarray | None = None
    t: int | None = None
    k: int | None = None
    aggregator: Callable[[np.ndarray], np.ndarray] | None = None


class Attack(Protocol):
    """A message-level attack: ``(honest (*batch, m_h, d), q, rng, ctx) -> (*batch, q, d)``."""

    def __call__(
        self, honest: ArrayLike, q: int, rng: np.random.Generator, ctx: AttackContext | None = None
    ) -> Array: ...


# ----------------------------------------------------------------------------------------------
# validation helpers


def _count(q: object) -> int:
    if isinstance(q, bool) or not isinstance(q, numbers.Integral):
        raise BadInput(f"q ({q!r}) must be an integer (the number of Byzantine workers).", name="q")
    if q < 0:
        raise BadInput(f"q ({q}) must be >= 0 (the number of Byzantine workers).", name="q")
    return int(q)


def _honest(honest: ArrayLike, *, min_workers: int = 1) -> Array:
    arr = np.asarray(honest)
    if arr.dtype.kind not in "fiub":
        raise BadInput(f"honest (dtype {arr.dtype}) must be real-valued.", name="honest")
    arr = arr.astype(np.float64, copy=False) if arr.dtype.kind != "f" else arr
    if arr.ndim < 2:
        raise BadInput(
            f"honest (ndim {arr.ndim}, shape {arr.shape}) must have ndim >= 2: (*batch, m_h, d).",
            name="honest",
        )
    if arr.shape[-2] < min_workers:
        raise BadInput(
            f"honest (shape {arr.shape}) must have at least {min_workers} worker(s) on axis -2.",
            name="honest",
        )
    return arr


def _rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise BadInput(
            f"rng ({type(rng).__name__}) must be a numpy.random.Generator (e.g. np.random.default_rng(seed)).",
            name="rng",
        )
    return rng


def _positive(value: object, name: str, *, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise BadInput(f"{name} ({value!r}) must be a finite real number.", name=name)
    if value < 0 or (strict and value == 0):
        raise BadInput(f"{name} ({value}) must be {'> 0' if strict else '>= 0'}.", name=name)
    return float(value)


def _repeat(row: np.ndarray, q: int) -> Array:
    """Broadcast a (*batch, d) message to (*batch, q, d) as a fresh writable array."""
    return np.repeat(row[..., None, :], q, axis=-2)


def _honest_mean(h: Array) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return h.mean(axis=-2)


# ----------------------------------------------------------------------------------------------
# message-level attacks


def sign_flip(
    honest: ArrayLike, q: int, rng: np.random.Generator, ctx: AttackContext | None = None, *, c: float = 1.0
) -> Array:
    """Negative scaled mean: every Byzantine worker sends ``-c * mean(honest)``.

    Source: catalog Chapter 3, section 5.2, attack A4 (``c`` in {1, 10}); the classic sign-flip.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused (deterministic attack).
    ctx : AttackContext, optional
        Unused.
    c : float
        Scale, >= 0.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> sign_flip(np.array([[1.0, 2.0], [3.0, 4.0]]), 1, np.random.default_rng(0), c=2.0)
    array([[-4., -6.]])
    """
    h, q, _ = _honest(honest), _count(q), _rng(rng)
    return _repeat(-_positive(c, "c") * _honest_mean(h), q)


def gaussian(
    honest: ArrayLike, q: int, rng: np.random.Generator, ctx: AttackContext | None = None, *, tau: float = 100.0
) -> Array:
    """Gaussian noise around the honest mean: ``mean(honest) + N(0, tau^2 I)``, independent per row.

    Source: catalog Chapter 3, section 5.2, attack A5 ("with large tau").

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Draws the noise.
    ctx : AttackContext, optional
        Unused.
    tau : float
        Noise standard deviation, >= 0.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> byz = gaussian(np.zeros((2, 3)), 4, np.random.default_rng(0), tau=1.0)
    >>> byz.shape
    (4, 3)
    """
    h, q, rng = _honest(honest), _count(q), _rng(rng)
    t = _positive(tau, "tau")
    noise = rng.standard_normal((*h.shape[:-2], q, h.shape[-1]))
    return _honest_mean(h)[..., None, :] + t * noise


def large_value(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    c: float = 1e6,
    sign: Literal[1, -1, "random"] = 1,
) -> Array:
    """Large constant: every Byzantine coordinate is ``+c``, ``-c``, or an independent random sign.

    Source: catalog Chapter 3, section 5.2, attack A1 (``c = 1e6``). It breaks the mean; with sign
    +1 it is the worst one-sided push for the median (see :func:`one_sided_shift`).

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
        Only its shape is used (``m_h`` may be 0).
    q : int
    rng : numpy.random.Generator
        Draws the signs when ``sign="random"``.
    ctx : AttackContext, optional
        Unused.
    c : float
        Magnitude, >= 0.
    sign : {1, -1, "random"}

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> large_value(np.zeros((3, 2)), 2, np.random.default_rng(0), sign=-1)
    array([[-1000000., -1000000.],
           [-1000000., -1000000.]])
    """
    h, q, rng = _honest(honest, min_workers=0), _count(q), _rng(rng)
    mag = _positive(c, "c")
    shape = (*h.shape[:-2], q, h.shape[-1])
    if isinstance(sign, str):
        if sign != "random":
            raise BadInput(f"sign ({sign!r}) must be 1, -1 or 'random'.", name="sign")
        return mag * rng.choice(np.array([-1.0, 1.0]), size=shape)
    if sign not in (1, -1) or isinstance(sign, bool):
        raise BadInput(f"sign ({sign!r}) must be 1, -1 or 'random'.", name="sign")
    return np.full(shape, float(sign) * mag)


_NON_FINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "1e308": 1e308}


def nan_inf(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    value: Literal["nan", "inf", "-inf", "1e308"] = "nan",
) -> Array:
    """Non-finite or overflowing messages: every Byzantine coordinate is NaN, +inf, -inf or 1e308.

    Source: a robustness test of the implementation (not in the dissertation); it checks the NaN/inf
    policy of the aggregators (see :mod:`boundlab.montecarlo._aggregators`).

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
        Only its shape is used (``m_h`` may be 0).
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    value : {"nan", "inf", "-inf", "1e308"}

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> nan_inf(np.zeros((3, 2)), 1, np.random.default_rng(0), value="-inf")
    array([[-inf, -inf]])
    """
    h, q, _ = _honest(honest, min_workers=0), _count(q), _rng(rng)
    if value not in _NON_FINITE:
        raise BadInput(f"value ({value!r}) must be one of {sorted(_NON_FINITE)}.", name="value")
    return np.full((*h.shape[:-2], q, h.shape[-1]), _NON_FINITE[value])


def alie_z(m: int, q: int) -> float:
    """The "a little is enough" shift ``z_max`` of Baruch et al. (NeurIPS 2019), Algorithm 3.

    ``s = floor(m/2 + 1) - q`` is the number of honest workers the attacker needs on its side, and
    ``z_max = Phi^{-1}((m - s) / m)`` with ``Phi`` the standard normal CDF. It is 0 when
    ``(m - s)/m = 1/2`` and clipped to 0 below.

    Parameters
    ----------
    m : int
        Total number of workers (honest plus Byzantine), >= 1.
    q : int
        Number of Byzantine workers, ``0 <= q <= m``.

    Returns
    -------
    float

    Examples
    --------
    With m = 50 and q = 12, s = 26 - 12 = 14 and z = Phi^{-1}(36/50):

    >>> round(alie_z(50, 12), 4)
    0.5828
    """
    m_i = _count(m)
    q_i = _count(q)
    if m_i < 1 or q_i > m_i:
        raise BadInput(f"m ({m}) must be >= max(1, q) = {max(1, q_i)}.", name="m")
    s = math.floor(m_i / 2 + 1) - q_i
    p = (m_i - s) / m_i
    if p <= 0.5:
        return 0.0
    return float(norm.ppf(min(p, 1.0 - 1e-16)))


def alie(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    z: float | None = None,
) -> Array:
    """ "A little is enough" (Baruch, Baruch and Goldberg, NeurIPS 2019): ``mean - z * std``.

    Per coordinate, ``mean`` and ``std`` are the honest sample mean and standard deviation
    (``ddof=1`` as in the reference implementation's ``torch.std``; ``ddof=0`` when ``m_h = 1``)
    and ``z`` defaults to :func:`alie_z` ``(m_h + q, q)``. The shift stays inside the honest
    spread, so it survives the median and the trimmed mean while biasing them.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    z : float, optional
        The shift in standard deviations; default from the paper's formula.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> h = np.array([[0.0], [2.0], [4.0]])
    >>> alie(h, 1, np.random.default_rng(0), z=1.0)
    array([[0.]])
    """
    h, q, _ = _honest(honest), _count(q), _rng(rng)
    zz = alie_z(h.shape[-2] + q, q) if z is None else _positive(z, "z")
    with np.errstate(over="ignore", invalid="ignore"):
        std = h.std(axis=-2, ddof=1 if h.shape[-2] > 1 else 0)
        return _repeat(_honest_mean(h) - zz * std, q)


def inner_product(
    honest: ArrayLike, q: int, rng: np.random.Generator, ctx: AttackContext | None = None, *, eps: float = 0.1
) -> Array:
    """Inner-product manipulation (Xie, Koyejo and Gupta, UAI 2020): ``-eps * mean(honest)``.

    A small ``eps`` keeps the messages close to the honest ones (aimed at Krum and the median);
    a large one (e.g. 100) turns it into :func:`sign_flip`.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    eps : float
        Scale, >= 0.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> inner_product(np.array([[1.0, 2.0], [3.0, 4.0]]), 1, np.random.default_rng(0), eps=0.5)
    array([[-1. , -1.5]])
    """
    _positive(eps, "eps")  # name the argument in the error
    return sign_flip(honest, q, rng, ctx, c=eps)  # the same map; the literature's eps is small, sign flip's c >= 1


def one_sided_shift(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    c: float | None = None,
) -> Array:
    """Maximal one-sided push: every Byzantine coordinate above every honest value.

    Source: catalog Chapter 3, section 5.2, attack A1 with sign +. With all ``q`` Byzantine values
    above the honest ones, the median becomes an upper honest order statistic and the trimmed mean
    (``q <= k``) averages the top honest values: the largest upward bias either rule allows
    (the upper end of the bounded-influence interval of Definition 3.1).

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        Unused.
    c : float, optional
        Send the constant ``c`` (the catalog's ``c = 1e6``). Default: per coordinate
        ``max + max(1, max - min)`` of the honest values, which is above every honest value at
        any scale and stays finite.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> one_sided_shift(np.array([[0.0, 5.0], [2.0, 5.0]]), 1, np.random.default_rng(0))
    array([[4., 6.]])
    """
    h, q, _ = _honest(honest), _count(q), _rng(rng)
    if c is not None:
        if isinstance(c, bool) or not isinstance(c, numbers.Real) or not math.isfinite(c):
            raise BadInput(f"c ({c!r}) must be a finite real number.", name="c")
        return np.full((*h.shape[:-2], q, h.shape[-1]), float(c))
    hi, lo = h.max(axis=-2), h.min(axis=-2)
    with np.errstate(over="ignore", invalid="ignore"):
        return _repeat(hi + np.maximum(1.0, hi - lo), q)


def stall(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    c: float = 1e6,
) -> Array:
    """Stall: per coordinate ``-c * sign(d_k F(w))``, against the true gradient.

    Source: catalog Chapter 3, section 5.2, attack A2. It moves the median towards 0 and makes
    gradient descent stall at distance about ``alpha * sigma / sqrt(n)`` from ``w*``, realising
    the ``alpha/sqrt(n)`` term of Theorems 3.1-3.6. Needs ``ctx.grad_F``.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
        Only its shape is used.
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext
        ``ctx.grad_F``, shape (*batch, d) (broadcast against the batch axes).
    c : float
        Magnitude, >= 0.

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> ctx = AttackContext(grad_F=np.array([2.0, -0.5, 0.0]))
    >>> stall(np.zeros((4, 3)), 1, np.random.default_rng(0), ctx, c=1.0)
    array([[-1.,  1., -0.]])
    """
    h, q, _ = _honest(honest, min_workers=0), _count(q), _rng(rng)
    mag = _positive(c, "c")
    if ctx is None or ctx.grad_F is None:
        raise BadInput("ctx.grad_F (None) must be given for the stall attack.", name="ctx")
    g = np.asarray(ctx.grad_F, dtype=float)
    target = (*h.shape[:-2], h.shape[-1])
    try:
        g = np.broadcast_to(g, target)
    except ValueError:
        raise BadInput(f"ctx.grad_F (shape {g.shape}) must broadcast to {target}.", name="ctx") from None
    return _repeat(-mag * np.sign(g), q)


def inside_range(
    honest: ArrayLike,
    q: int,
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
    *,
    k: int | None = None,
    which: Literal["kth", "max"] = "kth",
) -> Array:
    """Inside-range attack on the trimmed mean: values that survive trimming.

    Source: catalog Chapter 3, section 5.2, attacks A3 (``which="kth"``: per coordinate the
    ``(k+1)``-th largest honest value) and A3' (``which="max"``: the honest maximum). With A3 and
    a trimmed mean that removes ``k`` values at each end of the ``m_h + q`` messages, the ``k``
    values trimmed from the top are honest ones, so every Byzantine value is kept and biases the
    result upward.

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
    q : int
    rng : numpy.random.Generator
        Unused.
    ctx : AttackContext, optional
        ``ctx.k`` is used when ``k`` is None.
    k : int, optional
        The aggregator's trim count, ``0 <= k < m_h``; default ``ctx.k``, else ``q``.
    which : {"kth", "max"}

    Returns
    -------
    ndarray, shape (*batch, q, d)

    Examples
    --------
    >>> h = np.array([[1.0], [5.0], [3.0], [4.0]])
    >>> inside_range(h, 2, np.random.default_rng(0), k=1)
    array([[4.],
           [4.]])
    >>> inside_range(h, 1, np.random.default_rng(0), which="max")
    array([[5.]])
    """
    h, q, _ = _honest(honest), _count(q), _rng(rng)
    m_h = h.shape[-2]
    if which == "max":
        return _repeat(h.max(axis=-2), q)
    if which != "kth":
        raise BadInput(f"which ({which!r}) must be 'kth' or 'max'.", name="which")
    if k is None:
        k = ctx.k if ctx is not None and ctx.k is not None else q
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= k < m_h:
        raise BadInput(f"k ({k!r}) must be an integer in [0, m_h) = [0, {m_h}).", name="k")
    pos = m_h - 1 - int(k)
    return _repeat(np.partition(h, pos, axis=-2)[..., pos, :], q)


# ----------------------------------------------------------------------------------------------
# data-level attacks


def _labels(y: ArrayLike, num_classes: int) -> NDArray[np.integer]:
    n = _count(num_classes)
    if n < 1:
        raise BadInput(f"num_classes ({num_classes}) must be >= 1.", name="num_classes")
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise BadInput(f"y (dtype {arr.dtype}) must hold integer class labels.", name="y")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise BadInput(f"y (range [{arr.min()}, {arr.max()}]) must be in [0, num_classes) = [0, {n}).", name="y")
    return arr


def label_flip(y: ArrayLike, num_classes: int = 10) -> NDArray[np.integer]:
    """Label flip: ``y -> num_classes - 1 - y`` (the dissertation's ``y -> 9 - y`` for digits).

    Source: dissertation Section 3.7 (MNIST experiments), catalog 5.2 attack A6. The Byzantine
    machine then sends the honest gradient of its corrupted data. An involution.

    Parameters
    ----------
    y : array_like of int, any shape
        Labels in ``[0, num_classes)``.
    num_classes : int

    Returns
    -------
    ndarray of int, same shape as ``y`` (a new array)

    Examples
    --------
    >>> label_flip(np.array([0, 3, 9]))
    array([9, 6, 0])
    """
    arr = _labels(y, num_classes)
    return (num_classes - 1) - arr


def random_labels(y: ArrayLike, rng: np.random.Generator, num_classes: int = 10) -> NDArray[np.integer]:
    """Random labels: i.i.d. uniform labels in ``[0, num_classes)`` replacing ``y``.

    Source: dissertation Section 3.7 (the one-round experiment's attack), catalog 5.2 attack A7.

    Parameters
    ----------
    y : array_like of int, any shape
        Labels (only the shape and the validity are used).
    rng : numpy.random.Generator
    num_classes : int

    Returns
    -------
    ndarray of int64, same shape as ``y``

    Examples
    --------
    >>> random_labels(np.zeros(5, dtype=int), np.random.default_rng(0), num_classes=2).shape
    (5,)
    """
    arr = _labels(y, num_classes)
    return _rng(rng).integers(0, num_classes, size=arr.shape)


# ----------------------------------------------------------------------------------------------
# registry and assembly

#: Message-level attacks with their default hyperparameters, by name.
ATTACKS: Mapping[str, Callable[..., Array]] = {
    "sign_flip": functools.partial(sign_flip, c=1.0),
    "sign_flip_10": functools.partial(sign_flip, c=10.0),
    "gaussian": functools.partial(gaussian, tau=100.0),
    "large_value": functools.partial(large_value, c=1e6, sign=1),
    "large_value_random": functools.partial(large_value, c=1e6, sign="random"),
    "nan": functools.partial(nan_inf, value="nan"),
    "inf": functools.partial(nan_inf, value="inf"),
    "-inf": functools.partial(nan_inf, value="-inf"),
    "1e308": functools.partial(nan_inf, value="1e308"),
    "alie": functools.partial(alie),
    "inner_product": functools.partial(inner_product, eps=0.1),
    "one_sided_shift": functools.partial(one_sided_shift),
    "stall": functools.partial(stall, c=1e6),
    "inside_range": functools.partial(inside_range, which="kth"),
    "inside_range_max": functools.partial(inside_range, which="max"),
}


def apply_attack(
    honest: ArrayLike,
    q: int,
    attack: str | Callable[..., Array],
    rng: np.random.Generator,
    ctx: AttackContext | None = None,
) -> Array:
    """All messages: the ``q`` Byzantine rows first, then the honest rows (a new array).

    Parameters
    ----------
    honest : array_like, shape (*batch, m_h, d)
        Honest messages; never modified.
    q : int
        Number of Byzantine workers, >= 0.
    attack : str or callable
        A name in :data:`ATTACKS` or a callable ``attack(honest, q, rng, ctx)``.
    rng : numpy.random.Generator
    ctx : AttackContext, optional

    Returns
    -------
    ndarray, shape (*batch, q + m_h, d)

    Examples
    --------
    >>> h = np.ones((2, 3, 1))
    >>> apply_attack(h, 1, "sign_flip", np.random.default_rng(0))[0, :, 0]
    array([-1.,  1.,  1.,  1.])
    """
    h, q, rng = _honest(honest, min_workers=0), _count(q), _rng(rng)
    if isinstance(attack, str):
        if attack not in ATTACKS:
            raise BadInput(f"attack ({attack!r}) must be one of {sorted(ATTACKS)}.", name="attack")
        fn = ATTACKS[attack]
    elif callable(attack):
        fn = attack
    else:
        raise BadInput(f"attack ({attack!r}) must be a name in ATTACKS or a callable.", name="attack")
    byz = np.asarray(fn(h, q, rng, ctx))
    want = (*h.shape[:-2], q, h.shape[-1])
    if byz.shape != want:
        raise BadInput(f"the attack's output (shape {byz.shape}) must have shape {want}.", name="attack")
    return np.concatenate([byz.astype(np.result_type(byz, h), copy=False), h], axis=-2)


# the adaptive attacks (optimal ALIE / IPM, Mimic, MinMax, MinSum) live in their own module
from ._attacks_adaptive import ADAPTIVE_ATTACKS as _ADAPTIVE  # noqa: E402

ATTACKS.update(_ADAPTIVE)  # type: ignore[attr-defined]
