r"""ByzantinePGD (Algorithm 3 with Escape), its test functions and Delta-inexact gradient oracles.

The algorithm is driven by an *oracle*: a callable ``oracle(w, ctx) -> g`` mapping query points
``w`` of shape (B, d) (one row per independent trial) to gradients of the same shape. Every
oracle built here is wrapped by :func:`checked_oracle`, which asserts the contract of
Definition 4.3, ``||g - grad F(w)||_2 <= Delta``, on every call and raises
:class:`~boundlab.bounds.BadInput` naming the query point and the excess when it is violated.
Adversaries see the query point and the history (``ctx``: whether the trial is inside Escape and
the centre w-tilde) but never the master's random numbers before they are used (L8569-8570).

Trials run as a leading batch axis: every trial is a small state machine (main loop / Escape
round / done) and one pass of the loop makes one oracle call ("parallel iteration") for every
trial still running, so trials in different phases advance together.

Floating point: the contract check forgives ``4 * eps_machine * (||grad F|| + ||g||)`` on top of
Delta (the rounding of ``grad F + perturbation`` itself); adversaries spend ``Delta (1 - 1e-9)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from boundlab.bounds import BadInput

__all__ = [
    "Objective",
    "cos_saddle",
    "quartic",
    "sine_class",
    "OracleContext",
    "ORACLES",
    "make_oracle",
    "mixed_oracle",
    "checked_oracle",
    "WorkerOracle",
    "PGDResult",
    "byzantine_pgd",
    "byzantine_pgd_looped",
    "inexact_gd",
    "uniform_ball",
    "is_sosp",
    "thm43_parameters",
    "thm44_parameters",
]

SPEND = 1.0 - 1e-9  # adversaries use Delta * SPEND, so rounding cannot push them over Delta
ULP = float(np.finfo(float).eps)

Array = np.ndarray


# ---------------------------------------------------------------------------------------------
# Test functions
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Objective:
    """A smooth test function with its derivatives, batched over rows.

    Attributes
    ----------
    name : str
    d : int
    L_F, rho_F : float
        Smoothness and Hessian-Lipschitz constants (on the region the catalog states).
    F_star : float
        The global minimum value (``-inf`` if none).
    value, grad, hess, lambda_min : callable
        ``(B, d) -> (B,)``, ``(B, d)``, ``(B, d, d)``, ``(B,)``.
    diff : callable
        ``diff(x, y) = F(x) - F(y)`` computed without cancellation, shape (B,).
    saddle : ndarray, shape (d,)
        The strict saddle (or local maximum) the attacks target.
    e : ndarray, shape (d,)
        The unit negative-curvature direction at ``saddle``.
    """

    name: str
    d: int
    L_F: float
    rho_F: float
    F_star: float
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    hess: Callable[[Array], Array]
    lambda_min: Callable[[Array], Array]
    diff: Callable[[Array, Array], Array]
    saddle: Array
    e: Array


def _rows(w: Array, d: int) -> Array:
    w = np.asarray(w, dtype=float)
    if w.ndim == 1:
        w = w[None, :]
    if w.ndim != 2 or w.shape[1] != d:
        raise BadInput(f"w (shape {w.shape}) must have shape (B, {d}).", name="w")
    return w


def cos_saddle(d: int, lam: float = 1.0, a: float | Array = 1.0) -> Objective:
    r"""The cos-saddle ``F(w) = (1/2) sum_{k<d} a_k w_k^2 + lam (cos w_d - 1)`` (catalog 6.0).

    Strict saddle at 0 with ``lambda_min = -lam`` along ``e_d``; minima at ``w_d = +-pi``
    (``F^* = -2 lam``); ``L_F = max(a, lam)``, ``rho_F = lam``. Example 2's local form.

    Parameters
    ----------
    d : int
        Dimension, >= 1.
    lam : float
        Negative curvature at the saddle, in (0, 1] for the catalog's constants.
    a : float or array of shape (d - 1,)
        Curvatures of the first d - 1 coordinates, in (0, lam]... any positive values.

    Examples
    --------
    >>> F = cos_saddle(2)
    >>> F.grad(np.array([[1.0, 0.0]])), float(F.lambda_min(np.zeros((1, 2)))[0])
    (array([[ 1., -0.]]), -1.0)
    """
    if int(d) != d or d < 1:
        raise BadInput(f"d ({d}) must be an integer >= 1.", name="d")
    d = int(d)
    if not lam > 0:
        raise BadInput(f"lam ({lam}) must be > 0.", name="lam")
    av = np.broadcast_to(np.asarray(a, dtype=float), (d - 1,)).copy()
    if np.any(av <= 0):
        raise BadInput(f"a ({a}) must be > 0.", name="a")

    def value(w: Array) -> Array:
        w = _rows(w, d)
        return 0.5 * (av * w[:, :-1] ** 2).sum(axis=1) - 2 * lam * np.sin(w[:, -1] / 2) ** 2

    def grad(w: Array) -> Array:
        w = _rows(w, d)
        return np.concatenate([av * w[:, :-1], -lam * np.sin(w[:, -1:])], axis=1)

    def hess(w: Array) -> Array:
        w = _rows(w, d)
        diag = np.concatenate([np.broadcast_to(av, (w.shape[0], d - 1)), -lam * np.cos(w[:, -1:])], axis=1)
        return diag[:, :, None] * np.eye(d)

    def lambda_min(w: Array) -> Array:
        w = _rows(w, d)
        last = -lam * np.cos(w[:, -1])
        return np.minimum(last, av.min()) if d > 1 else last

    def diff(x: Array, y: Array) -> Array:
        x, y = _rows(x, d), _rows(y, d)
        quad = 0.5 * (av * (x[:, :-1] - y[:, :-1]) * (x[:, :-1] + y[:, :-1])).sum(axis=1)
        return quad - 2 * lam * np.sin((x[:, -1] + y[:, -1]) / 2) * np.sin((x[:, -1] - y[:, -1]) / 2)

    e = np.zeros(d)
    e[-1] = 1.0
    return Objective(
        f"cos-saddle(d={d}, lam={lam:g})",
        d,
        float(max(av.max(initial=0.0), lam)),
        float(lam),
        -2.0 * lam,
        value,
        grad,
        hess,
        lambda_min,
        diff,
        np.zeros(d),
        e,
    )


def quartic() -> Objective:
    """Example 1's ``F2(w) = (w^2 - 1)^2 / 4`` (d = 1): local maximum at 0, minima at +-1.

    ``L_F = 11`` and ``rho_F = 12`` hold on ``|w| <= 2`` only (the function is not globally smooth).

    Examples
    --------
    >>> F = quartic()
    >>> float(F.value(np.array([[0.0]]))[0]), float(F.grad(np.array([[2.0]]))[0, 0])
    (0.25, 6.0)
    """

    def value(w: Array) -> Array:
        return (_rows(w, 1)[:, 0] ** 2 - 1) ** 2 / 4

    def grad(w: Array) -> Array:
        w = _rows(w, 1)
        return w**3 - w

    def hess(w: Array) -> Array:
        return (3 * _rows(w, 1) ** 2 - 1)[:, :, None]

    def lambda_min(w: Array) -> Array:
        return 3 * _rows(w, 1)[:, 0] ** 2 - 1

    def diff(x: Array, y: Array) -> Array:
        x, y = _rows(x, 1)[:, 0], _rows(y, 1)[:, 0]
        return (x - y) * (x + y) * (x**2 + y**2 - 2) / 4

    return Objective("quartic F2", 1, 11.0, 12.0, 0.0, value, grad, hess, lambda_min, diff, np.zeros(1), np.ones(1))


def sine_class(Delta: float, s: float = 0.0) -> Objective:
    r"""Proposition 4.1's ``f_s(w) = Delta^{3/2} sin(w / sqrt(Delta) + s)`` (d = 1).

    ``|f_s'| <= Delta`` everywhere, so the zero oracle is Delta-inexact; 1-smooth and 1-Hessian
    Lipschitz for ``Delta <= 1``.

    Examples
    --------
    >>> F = sine_class(0.01, s=np.pi / 4)
    >>> round(float(F.grad(np.zeros((1, 1)))[0, 0]), 6), round(0.01 / 2**0.5, 6)
    (0.007071, 0.007071)
    """
    if not 0 < Delta <= 1:
        raise BadInput(f"Delta ({Delta}) must be in (0, 1].", name="Delta")
    sq = math.sqrt(Delta)

    def arg(w: Array) -> Array:
        return _rows(w, 1)[:, 0] / sq + s

    def value(w: Array) -> Array:
        return Delta**1.5 * np.sin(arg(w))

    def grad(w: Array) -> Array:
        return (Delta * np.cos(arg(w)))[:, None]

    def hess(w: Array) -> Array:
        return (-sq * np.sin(arg(w)))[:, None, None]

    def lambda_min(w: Array) -> Array:
        return -sq * np.sin(arg(w))

    def diff(x: Array, y: Array) -> Array:
        ax, ay = arg(x), arg(y)
        return 2 * Delta**1.5 * np.cos((ax + ay) / 2) * np.sin((ax - ay) / 2)

    saddle = np.array([(math.pi / 2 - s) * sq])  # a local maximum of f_s
    return Objective(
        f"sine(Delta={Delta:g}, s={s:g})",
        1,
        sq,
        1.0,
        -(Delta**1.5),
        value,
        grad,
        hess,
        lambda_min,
        diff,
        saddle,
        np.ones(1),
    )


def is_sosp(grad: Array, hess: Array, eps_g: float, eps_H: float) -> Array:
    """Definition 4.1, rowwise: ``||grad|| <= eps_g`` and ``lambda_min(hess) >= -eps_H``.

    Examples
    --------
    >>> is_sosp(np.zeros((1, 2)), np.diag([1.0, -0.5])[None], 0.1, 0.4)
    array([False])
    """
    g = np.atleast_2d(np.asarray(grad, dtype=float))
    h = np.asarray(hess, dtype=float)
    h = h[None] if h.ndim == 2 else h
    return (np.linalg.norm(g, axis=-1) <= eps_g) & (np.linalg.eigvalsh(h)[..., 0] >= -eps_H)


# ---------------------------------------------------------------------------------------------
# Oracles
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class OracleContext:
    """What an adversarial oracle may know at one call.

    Attributes
    ----------
    escaping : ndarray of bool, shape (B,)
        Whether each trial is inside an Escape round.
    w_tilde : ndarray, shape (B, d)
        The centre w-tilde of the current Escape call (NaN outside Escape).
    eta : float
        The step size (public).
    rng : numpy.random.Generator
        The oracle's own stream (independent of the perturbations).
    rows : ndarray of int, shape (B,), optional
        The trial index of each query row (for per-trial state such as a worker's data).
    """

    escaping: Array
    w_tilde: Array
    eta: float
    rng: np.random.Generator
    rows: Array | None = None


Oracle = Callable[[Array, OracleContext], Array]


def _norm(v: Array) -> Array:
    """Row norms (faster than np.linalg.norm for the small arrays of the hot loop)."""
    return np.sqrt(np.einsum("ij,ij->i", v, v))


def _unit(v: Array) -> Array:
    n = _norm(v)[:, None]
    return np.divide(v, n, out=np.zeros_like(v), where=n > 0)


def uniform_ball(rng: np.random.Generator, size: int, d: int, radius: float = 1.0, *, sphere: bool = False) -> Array:
    """``size`` points uniform in the d-ball (or on the sphere) of the given radius.

    Examples
    --------
    >>> p = uniform_ball(np.random.default_rng(0), 1000, 3, 2.0)
    >>> bool(np.all(np.linalg.norm(p, axis=1) <= 2.0))
    True
    """
    z = rng.standard_normal((size, d))
    z = _unit(z)
    if sphere:
        return radius * z
    return radius * rng.random((size, 1)) ** (1.0 / d) * z


def _honest(F: Objective, Delta: float) -> Oracle:
    return lambda w, ctx: F.grad(w)


def _random_ball(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        return F.grad(w) + uniform_ball(ctx.rng, w.shape[0], F.d, Delta * SPEND)

    return oracle


def _zero_if_small(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        small = _norm(g)[:, None] <= Delta * SPEND
        return np.where(small, 0.0, g)

    return oracle


def _cancel_escape(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        comp = np.clip(g @ F.e, -Delta * SPEND, Delta * SPEND)
        return g - comp[:, None] * F.e

    return oracle


def _pull_to_saddle(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        return F.grad(w) + Delta * SPEND * _unit(w - F.saddle)

    return oracle


def _pull_to_center(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        centre = np.where(ctx.escaping[:, None], ctx.w_tilde, w)
        return g + Delta * SPEND * _unit(np.nan_to_num(w - centre))

    return oracle


def _greedy_ascent(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        u = _unit(F.grad(w - ctx.eta * g))
        return g - Delta * SPEND * u

    return oracle


def _shrink(F: Objective, Delta: float) -> Oracle:
    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        n = _norm(g)[:, None]
        return np.where(n > Delta * SPEND, g * (1 - Delta * SPEND / np.maximum(n, 1e-300)), 0.0)

    return oracle


def _zero_near_saddle(F: Objective, Delta: float) -> Oracle:
    """Proposition 4.3's strategy: 0 within distance Delta of the saddle, honest outside."""

    def oracle(w: Array, ctx: OracleContext) -> Array:
        g = F.grad(w)
        near = np.linalg.norm(w - F.saddle, axis=1, keepdims=True) <= Delta
        return np.where(near, 0.0, g)

    return oracle


#: Oracle factories ``factory(F, Delta) -> oracle`` (catalog section 6.1).
ORACLES: dict[str, Callable[[Objective, float], Oracle]] = {
    "honest": _honest,
    "random_ball": _random_ball,
    "zero_if_small": _zero_if_small,
    "cancel_escape": _cancel_escape,
    "pull_to_saddle": _pull_to_saddle,
    "pull_to_center": _pull_to_center,
    "greedy_ascent": _greedy_ascent,
    "shrink": _shrink,
    "zero_near_saddle": _zero_near_saddle,
}


def checked_oracle(oracle: Oracle, F: Objective, Delta: float, name: str = "oracle") -> Oracle:
    """Wrap an oracle so that every call asserts ``||g - grad F(w)||_2 <= Delta`` (Definition 4.3).

    Raises
    ------
    BadInput
        On the first violating row, naming the oracle, the query point and the excess.

    Examples
    --------
    >>> F = cos_saddle(1)
    >>> bad = checked_oracle(lambda w, ctx: F.grad(w) + 0.2, F, 0.1, "plus-0.2")
    >>> ctx = OracleContext(np.zeros(1, bool), np.full((1, 1), np.nan), 1.0, np.random.default_rng(0))
    >>> bad(np.zeros((1, 1)), ctx)
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: oracle plus-0.2 (||g - grad F(w)||_2 = 0.2 at w = [0.]) must be <= Delta (0.1): excess 0.1.
    """
    if not (isinstance(Delta, (int, float)) and Delta > 0 and math.isfinite(Delta)):
        raise BadInput(f"Delta ({Delta}) must be a finite number > 0.", name="Delta")

    def wrapped(w: Array, ctx: OracleContext) -> Array:
        g = np.asarray(oracle(w, ctx), dtype=float)
        if g.shape != w.shape:
            raise BadInput(
                f"oracle {name} output (shape {g.shape}) must have the query's shape {w.shape}.", name="oracle"
            )
        true = F.grad(w)
        err = _norm(g - true)
        tol = Delta + 4 * ULP * (_norm(true) + _norm(g))
        bad = ~(err <= tol)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise BadInput(
                f"oracle {name} (||g - grad F(w)||_2 = {err[i]:.6g} at w = "
                f"{np.array2string(w[i], precision=6)}) must be <= Delta ({Delta:g}): "
                f"excess {err[i] - Delta:.3g}.",
                name="oracle",
            )
        return g

    return wrapped


def mixed_oracle(names: list[str], labels: Array, F: Objective, Delta: float) -> Oracle:
    """Trial ``i`` faces oracle ``names[labels[i]]`` (several adversaries in one batch), all checked.

    Examples
    --------
    >>> F = cos_saddle(1)
    >>> o = mixed_oracle(["honest", "zero_if_small"], np.array([0, 1]), F, 0.1)
    >>> ctx = OracleContext(np.zeros(2, bool), np.full((2, 1), np.nan), 1.0, np.random.default_rng(0), np.arange(2))
    >>> np.round(o(np.full((2, 1), 0.05), ctx), 4).tolist()
    [[-0.05], [0.0]]
    """
    for n in names:
        if n not in ORACLES:
            raise BadInput(f"oracle ({n!r}) must be one of {sorted(ORACLES)}.", name="oracle")
    oracles = [ORACLES[n](F, Delta) for n in names]
    labels = np.asarray(labels)

    def oracle(w: Array, ctx: OracleContext) -> Array:
        rows = np.arange(w.shape[0]) if ctx.rows is None else ctx.rows
        lab = labels[rows]
        out = np.empty_like(w)
        for j, o in enumerate(oracles):
            sel = lab == j
            if np.any(sel):
                sub = OracleContext(ctx.escaping[sel], ctx.w_tilde[sel], ctx.eta, ctx.rng, rows[sel])
                out[sel] = o(w[sel], sub)
        return out

    return checked_oracle(oracle, F, Delta, "mixed(" + ", ".join(names) + ")")


def make_oracle(name: str, F: Objective, Delta: float) -> Oracle:
    """A registered adversarial oracle, wrapped by :func:`checked_oracle`.

    Examples
    --------
    >>> F = cos_saddle(2)
    >>> o = make_oracle("cancel_escape", F, 0.1)
    >>> ctx = OracleContext(np.zeros(1, bool), np.full((1, 2), np.nan), 1.0, np.random.default_rng(0))
    >>> o(np.array([[0.5, 0.05]]), ctx)
    array([[0.5, 0. ]])
    """
    if name not in ORACLES:
        raise BadInput(f"oracle ({name!r}) must be one of {sorted(ORACLES)}.", name="oracle")
    return checked_oracle(ORACLES[name](F, Delta), F, Delta, name)


class WorkerOracle:
    """An aggregator-backed oracle: m simulated workers, q of them Byzantine.

    Honest worker i sends ``grad F(w) + xi_i`` with a fixed per-trial noise ``xi_i`` (the
    mean-estimation model of catalog 6.0: ``grad F_i(w) - grad F(w) = mu - z_bar_i`` does not
    depend on w); the q Byzantine rows come from a ``boundlab.montecarlo`` attack and the
    aggregator (any ``(*batch, m, d) -> (*batch, d)`` function, e.g. ``median`` or
    ``boundlab.certify._filtering.filtering_aggregator``) combines them. The measured
    inexactness is kept in ``max_error`` (shape (B,)); with ``Delta`` given, each call also
    asserts the contract.

    Examples
    --------
    >>> from boundlab.montecarlo import median
    >>> F = cos_saddle(2)
    >>> noise = np.random.default_rng(0).standard_normal((1, 9, 2)) * 0.01
    >>> o = WorkerOracle(F, median, noise, q=2, attack="large_value", rng=np.random.default_rng(1))
    >>> ctx = OracleContext(np.zeros(1, bool), np.full((1, 2), np.nan), 1.0, np.random.default_rng(0))
    >>> bool(o(np.zeros((1, 2)), ctx).shape == (1, 2)), bool(o.max_error[0] < 0.05)
    (True, True)
    """

    def __init__(
        self,
        F: Objective,
        aggregator: Callable[[Array], Array],
        noise: Array,
        q: int,
        attack: str | Callable[..., Array],
        rng: np.random.Generator,
        Delta: float | None = None,
    ) -> None:
        noise = np.asarray(noise, dtype=float)
        if noise.ndim != 3 or noise.shape[2] != F.d:
            raise BadInput(f"noise (shape {noise.shape}) must have shape (B, m - q, {F.d}).", name="noise")
        if int(q) != q or q < 0:
            raise BadInput(f"q ({q}) must be an integer >= 0.", name="q")
        self.F, self.aggregator, self.noise, self.q = F, aggregator, noise, int(q)
        self.attack, self.rng, self.Delta = attack, rng, Delta
        self.max_error = np.zeros(noise.shape[0])

    def __call__(self, w: Array, ctx: OracleContext) -> Array:
        from ._attacks import AttackContext, apply_attack

        rows = np.arange(w.shape[0]) if ctx.rows is None else ctx.rows
        true = self.F.grad(w)
        honest = true[:, None, :] + self.noise[rows]
        msgs = apply_attack(honest, self.q, self.attack, self.rng, AttackContext(w=w, grad_F=true))
        g = np.asarray(self.aggregator(msgs), dtype=float)
        err = np.linalg.norm(g - true, axis=1)
        np.maximum.at(self.max_error, rows, err)
        if self.Delta is not None and np.any(err > self.Delta):
            i = int(np.argmax(err))
            raise BadInput(
                f"oracle workers (||g - grad F(w)||_2 = {err[i]:.6g} at w = "
                f"{np.array2string(w[i], precision=6)}) must be <= Delta ({self.Delta:g}): "
                f"excess {err[i] - self.Delta:.3g}.",
                name="oracle",
            )
        return g


# ---------------------------------------------------------------------------------------------
# Algorithm 3
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class PGDResult:
    """The outcome of a batch of ByzantinePGD runs.

    Attributes
    ----------
    output : ndarray, shape (B, d)
        w-tilde returned by the algorithm (NaN where a run hit ``max_calls``).
    terminated : ndarray of bool, shape (B,)
    calls : ndarray of int, shape (B,)
        Oracle calls (parallel iterations) per run.
    escapes, escape_calls : ndarray of int, shape (B,)
        Successful Escape rounds; Escape invocations.
    main_steps : ndarray of int, shape (B,)
        Main-loop steps taken with ``||g|| > eps``.
    min_main_decrease : ndarray, shape (B,)
        The smallest ``F(w) - F(w - eta g)`` over those steps (+inf if none).
    max_dist : ndarray, shape (B,)
        The largest ``||w - w^0||`` over all queried points.
    escape_events : ndarray, shape (E, 4)
        One row per successful escape: trial index, ``F(w~) - F(w'_t)``, steps t, ``||g(w~)||``.
    trajectory : ndarray or None, shape (steps, B_rec, d)
        Queried points of the first ``record`` trials (NaN after they stop).
    """

    output: Array
    terminated: Array
    calls: Array
    escapes: Array
    escape_calls: Array
    main_steps: Array
    min_main_decrease: Array
    max_dist: Array
    escape_events: Array
    trajectory: Array | None = None


def _positive(x: Any, name: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise BadInput(f"{name} ({x!r}) must be a number.", name=name) from None
    if not (v > 0 and math.isfinite(v)):
        raise BadInput(f"{name} ({x}) must be a finite number > 0.", name=name)
    return v


def _count(x: Any, name: str) -> int:
    if isinstance(x, bool) or not float(x) == int(float(x)) or int(float(x)) < 1:
        raise BadInput(f"{name} ({x}) must be an integer >= 1.", name=name)
    return int(float(x))


def byzantine_pgd(
    F: Objective,
    oracle: Oracle,
    w0: Array,
    *,
    eta: float,
    eps: float,
    r: float,
    R: float,
    Q: int,
    T_th: int,
    rng: np.random.Generator,
    oracle_rng: np.random.Generator | None = None,
    max_calls: int = 10**6,
    record: int = 0,
    sphere: bool = False,
) -> PGDResult:
    r"""Run ByzantinePGD(w0, eta, eps, r, Q, R, T_th) (Algorithm 3) on B independent trials.

    Exactly the pseudocode (L8707-8767): main loop ``w <- w - eta g`` while ``||g|| > eps``; at a
    point with ``||g|| <= eps`` set ``w~ <- w`` and run Escape: Q rounds, each drawing a fresh
    ``p_k ~ Unif(B_0(r))`` and making up to ``T_th + 1`` oracle calls from ``w' = w~ + p_k``; a
    round succeeds as soon as ``||w' - w'_0|| >= R``, after which the main loop resumes with
    ``w <- w' - eta g(w')`` (the gradient computed at the escape point, not re-queried). If all Q
    rounds fail, the run returns ``w~``.

    Parameters
    ----------
    F : Objective
    oracle : callable
        ``oracle(w (B', d), ctx) -> g (B', d)``; use :func:`make_oracle` or :func:`checked_oracle`.
    w0 : array_like, shape (B, d) or (d,)
    eta, eps, r, R : float
        Step size, gradient threshold, perturbation radius, escape distance (> 0).
    Q, T_th : int
        Escape rounds and maximal steps per round (integers >= 1).
    rng : numpy.random.Generator
        Draws the perturbations p_k.
    oracle_rng : numpy.random.Generator, optional
        The oracle's own stream (default: spawned from ``rng``).
    max_calls : int
        A run that makes this many oracle calls without terminating is stopped (``terminated`` False).
    record : int
        Keep the queried points of the first ``record`` trials.
    sphere : bool
        Draw p_k on the sphere of radius r instead of in the ball (the Remark after Prop. 4.4).

    Returns
    -------
    PGDResult

    Examples
    --------
    >>> F = cos_saddle(2)
    >>> res = byzantine_pgd(F, make_oracle("honest", F, 1e-6), np.zeros((3, 2)), eta=1.0, eps=3e-6, r=1e-3,
    ...                     R=1e-2, Q=5, T_th=30, rng=np.random.default_rng(0))
    >>> bool(res.terminated.all()), np.round(np.abs(res.output[:, 1]), 4).tolist()
    (True, [3.1416, 3.1416, 3.1416])
    """
    eta, eps, r, R = (_positive(x, k) for x, k in ((eta, "eta"), (eps, "eps"), (r, "r"), (R, "R")))
    Q, T_th, max_calls = _count(Q, "Q"), _count(T_th, "T_th"), _count(max_calls, "max_calls")
    w = _rows(np.array(w0, dtype=float, copy=True), F.d).copy()
    B, d = w.shape
    if not np.all(np.isfinite(w)):
        raise BadInput("w0 must be finite.", name="w0")
    orng = oracle_rng if oracle_rng is not None else np.random.default_rng(rng.integers(2**63))
    start = w.copy()
    phase = np.zeros(B, dtype=np.int8)  # 0 main, 1 escape, 2 done
    w_tilde = np.full((B, d), np.nan)
    g_tilde = np.zeros(B)
    w_round = np.full((B, d), np.nan)
    t = np.zeros(B, dtype=np.int64)
    k = np.zeros(B, dtype=np.int64)
    calls = np.zeros(B, dtype=np.int64)
    escapes = np.zeros(B, dtype=np.int64)
    escape_calls = np.zeros(B, dtype=np.int64)
    main_steps = np.zeros(B, dtype=np.int64)
    min_dec = np.full(B, np.inf)
    max_dist = np.zeros(B)
    output = np.full((B, d), np.nan)
    events: list[Array] = []
    traj: list[Array] = []

    def main_step(rows: Array, g: Array, gn: Array) -> None:
        step = eta * g
        big = gn > eps
        if np.any(big):
            dec = F.diff(w[rows[big]], w[rows[big]] - step[big])
            np.minimum.at(min_dec, rows[big], dec)
            np.add.at(main_steps, rows[big], 1)
        w[rows] = w[rows] - step

    def new_round(rows: Array) -> None:
        p = uniform_ball(rng, rows.size, d, r, sphere=sphere)
        w[rows] = w_tilde[rows] + p
        w_round[rows] = w[rows]
        t[rows] = 0

    while True:
        idx = np.flatnonzero(phase != 2)
        if idx.size == 0:
            break
        over = calls[idx] >= max_calls
        if np.any(over):
            phase[idx[over]] = 2
            idx = idx[~over]
            if idx.size == 0:
                break
        wq = w[idx]
        max_dist[idx] = np.maximum(max_dist[idx], _norm(wq - start[idx]))
        if record:
            frame = np.full((record, d), np.nan)
            keep = idx[idx < record]
            frame[keep] = w[keep]
            traj.append(frame)
        ctx = OracleContext(phase[idx] == 1, w_tilde[idx], eta, orng, idx)
        g = oracle(wq, ctx)
        calls[idx] += 1
        gn = _norm(g)
        in_main = phase[idx] == 0
        in_escape = ~in_main
        # main loop
        m_rows = idx[in_main]
        if m_rows.size:
            small = gn[in_main] <= eps
            if np.any(small):
                s_rows = m_rows[small]
                w_tilde[s_rows] = w[s_rows]
                g_tilde[s_rows] = gn[in_main][small]
                phase[s_rows] = 1
                k[s_rows] = 1
                escape_calls[s_rows] += 1
                new_round(s_rows)
            if np.any(~small):
                main_step(m_rows[~small], g[in_main][~small], gn[in_main][~small])
        # Escape rounds
        e_rows = idx[in_escape]
        if e_rows.size:
            ge, gne = g[in_escape], gn[in_escape]
            dist = _norm(w[e_rows] - w_round[e_rows])
            esc = dist >= R
            if np.any(esc):
                x_rows = e_rows[esc]
                dec = F.diff(w_tilde[x_rows], w[x_rows])
                events.append(np.stack([x_rows.astype(float), dec, t[x_rows].astype(float), g_tilde[x_rows]], axis=1))
                escapes[x_rows] += 1
                phase[x_rows] = 0
                w_tilde[x_rows] = np.nan
                main_step(x_rows, ge[esc], gne[esc])
            stay = ~esc
            if np.any(stay):
                s_rows = e_rows[stay]
                w[s_rows] = w[s_rows] - eta * ge[stay]
                t[s_rows] += 1
                ended = s_rows[t[s_rows] > T_th]
                if ended.size:
                    k[ended] += 1
                    done = ended[k[ended] > Q]
                    if done.size:
                        output[done] = w_tilde[done]
                        phase[done] = 2
                    again = ended[k[ended] <= Q]
                    if again.size:
                        new_round(again)
    terminated = np.all(np.isfinite(output), axis=1)
    ev = np.concatenate(events) if events else np.empty((0, 4))
    return PGDResult(
        output,
        terminated,
        calls,
        escapes,
        escape_calls,
        main_steps,
        min_dec,
        max_dist,
        ev,
        np.stack(traj) if record and traj else None,
    )


def byzantine_pgd_looped(
    F: Objective, oracle_factory: Callable[[], Oracle], w0: Array, *, rng: np.random.Generator, **kw: Any
) -> list[PGDResult]:
    """The same algorithm run one trial at a time (the baseline of ``benchmarks/bench_byzpgd.py``).

    Examples
    --------
    >>> F = cos_saddle(1)
    >>> out = byzantine_pgd_looped(F, lambda: make_oracle("honest", F, 1e-6), np.zeros((2, 1)), eta=1.0, eps=3e-6,
    ...                            r=1e-3, R=1e-2, Q=3, T_th=30, rng=np.random.default_rng(0))
    >>> len(out), all(bool(o.terminated[0]) for o in out)
    (2, True)
    """
    w0 = _rows(np.asarray(w0, dtype=float), F.d)
    return [byzantine_pgd(F, oracle_factory(), w0[i : i + 1], rng=rng, **kw) for i in range(w0.shape[0])]


def inexact_gd(
    F: Objective,
    oracle: Oracle,
    w0: Array,
    *,
    eta: float,
    steps: int,
    rng: np.random.Generator | None = None,
    record: int = 0,
) -> tuple[Array, Array, Array | None]:
    """Plain (robust) gradient descent with an inexact oracle, no perturbation: the baseline that gets stuck.

    Returns
    -------
    w : ndarray, shape (B, d)
        The last iterate.
    max_norm_from_saddle : ndarray, shape (B,)
        ``max_t ||w_t - saddle||`` (did the run leave a ball around the saddle?).
    trajectory : ndarray or None, shape (steps + 1, record, d)

    Examples
    --------
    >>> F = cos_saddle(2)
    >>> w, far, _ = inexact_gd(F, make_oracle("cancel_escape", F, 0.01), np.array([[0.5, 0.005]]), eta=1.0, steps=50)
    >>> np.round(w, 4).tolist(), round(float(far[0]), 4)
    ([[0.0, 0.005]], 0.5)
    """
    eta = _positive(eta, "eta")
    steps = _count(steps, "steps")
    w = _rows(np.array(w0, dtype=float, copy=True), F.d).copy()
    B = w.shape[0]
    orng = rng if rng is not None else np.random.default_rng(0)
    ctx = OracleContext(np.zeros(B, bool), np.full_like(w, np.nan), eta, orng, np.arange(B))
    far = np.linalg.norm(w - F.saddle, axis=1)
    traj = [w[:record].copy()] if record else []
    for _ in range(steps):
        w = w - eta * oracle(w, ctx)
        far = np.maximum(far, np.linalg.norm(w - F.saddle, axis=1))
        if record:
            traj.append(w[:record].copy())
    return w, far, (np.stack(traj) if record else None)


# ---------------------------------------------------------------------------------------------
# Parameters from the registry
# ---------------------------------------------------------------------------------------------


def thm43_parameters(*, L_F: float, rho_F: float, d: int, Delta: float, delta: float, F_gap: float) -> dict[str, Any]:
    """Theorem 4.3's parameters from the registry, with the integers the algorithm uses.

    Examples
    --------
    >>> p = thm43_parameters(L_F=1, rho_F=1, d=10, Delta=1e-14, delta=0.05, F_gap=2)
    >>> p["Q"], p["T_th"], round(p["r"] / 3.17731e-8, 4)
    (75, 326, 1.0)
    """
    from boundlab.bounds import get_bound

    ev = get_bound("thm4.3").assess(L_F=L_F, rho_F=rho_F, d=d, Delta=Delta, delta=delta, F_gap=F_gap)
    q = ev.quantities
    out: dict[str, Any] = {
        k: float(q[k])
        for k in (
            "eta",
            "eps",
            "r",
            "R",
            "gamma",
            "escape_decrease",
            "step_decrease",
            "ball_radius",
            "iterations_int",
            "iterations",
            "T_th",
            "Q",
        )
    }
    out["eps_H"] = float(ev.value)
    out["Q_formula"], out["T_th_formula"] = out.pop("Q"), out.pop("T_th")
    out["Q"], out["T_th"] = int(q["Q_int"]), int(q["T_th_int"])
    out["violated"] = [c["text"] for c in ev.violated]
    return out


def thm44_parameters(*, L_F: float, rho_F: float, d: int, eps: float, delta: float, F_gap: float) -> dict[str, Any]:
    """Theorem 4.4's parameters (exact oracle) from the registry.

    Examples
    --------
    >>> p = thm44_parameters(L_F=1, rho_F=1, d=1, eps=1e-8, delta=0.1, F_gap=2)
    >>> p["Q"], p["T_th"], p["R"]
    (1, 833, 0.0001)
    """
    from boundlab.bounds import get_bound

    ev = get_bound("thm4.4").assess(L_F=L_F, rho_F=rho_F, d=d, eps=eps, delta=delta, F_gap=F_gap)
    q = ev.quantities
    out: dict[str, Any] = {k: float(q[k]) for k in ("eta", "r", "R", "gamma", "iterations", "escape_decrease")}
    out.update(
        eps=float(eps),
        eps_H=float(ev.value),
        Q=1,
        T_th=int(q["T_th_int"]),
        T_th_formula=float(q["T_th"]),
        violated=[c["text"] for c in ev.violated],
    )
    return out
