"""Batched simulators of Algorithm 1 (robust distributed GD) and Algorithm 2 (robust one-round).

Both run ``R`` independent trials at once: the per-machine statistics of a problem
(``problem.sample(rng, R, m, n)``) carry a leading trial axis, messages have shape ``(R, m, d)``
(trials, machines, coordinates) and there is no Python loop over trials or machines; Algorithm 1
loops over its ``T`` iterations only.

Contracts (shared with ``_aggregators`` and ``_attacks``):

* ``aggregator(x)``: ``(*batch, m, d) -> (*batch, d)``, pure (Options I / II / the mean are just
  choices of aggregator; :func:`aggregator_for` maps the names).
* ``attack(honest, q, rng, ctx)``: ``honest`` ``(*batch, m - q, d)`` -> ``(*batch, q, d)``; ``ctx`` is an
  ``AttackContext(w, grad_F, w_star, t, k)``. The Byzantine machines are the **first** ``q`` of the
  ``m`` (rows ``0..q-1`` of the aggregated array; honest data are exchangeable, so this loses no
  generality); their own local data are never used.

Memory. A run holds the statistics, one ``(R, m, d)`` message array and, with ``record=True``, the
trajectory ``(R, T + 1, d)``. At the default check sizes (R = 1000, m = 40, n = 100, d = 10,
T = 50) that is about 45 MB in all (Model R's ``H`` is 32 MB of it). Runs whose trajectory would
exceed ``MAX_TRAJECTORY_BYTES`` are refused; for larger R, split the trials into chunks, sample each
chunk with its own child of ``np.random.SeedSequence(root).spawn(n_chunks)``, simulate each chunk and
join the results with :meth:`GDResult.concatenate`. Because every trial's arithmetic is independent
of the others, the joined result equals what one big run on the same statistics gives, bit for bit
(deterministic attacks); attack randomness drawn from one generator is coupled across the trials of
a chunk, so chunk-wise seeding is what makes random attacks reproducible per chunk.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import math
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from boundlab.bounds import BadInput

from ._problems import Problem

__all__ = [
    "MAX_TRAJECTORY_BYTES",
    "TRIAL_BLOCK_BYTES",
    "cache_block",
    "AttackContext",
    "GDResult",
    "OneRoundResult",
    "aggregator_for",
    "byzantine_count",
    "project_ball",
    "robust_gd",
    "one_round",
]

#: Largest trajectory array ``robust_gd`` allocates with ``record=True``; chunk R beyond it.
MAX_TRAJECTORY_BYTES = 1 * 2**30

#: Bytes of per-machine statistics (curvatures H) one block of trials of ``robust_gd`` touches per
#: iteration with ``trial_block="cache"``: small enough to stay in a core's share of the last-level cache
#: for all T iterations instead of streaming every trial's statistics from memory T times.
TRIAL_BLOCK_BYTES = 4 * 2**20


def cache_block(stats: Any, R: int, m: int, d: int) -> int:
    """The number of trials whose statistics fill about :data:`TRIAL_BLOCK_BYTES` (at least 1).

    Examples
    --------
    >>> from boundlab.montecarlo._problems import ModelR
    >>> s = ModelR(d=10).sample(np.random.default_rng(0), R=1000, m=40, n=5)
    >>> cache_block(s, 1000, 40, 10)  # 40 machines x (10 x 10 + 10) doubles = 35,200 bytes per trial
    119
    """
    per_trial = 0
    for name in ("H", "b", "zbar"):
        a = getattr(stats, name, None)
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == R:
            per_trial += a[:1].nbytes
    per_trial = max(per_trial, 8 * m * d)
    return int(max(1, min(R, TRIAL_BLOCK_BYTES // per_trial)))


Aggregator = Callable[[np.ndarray], np.ndarray]
Attack = Callable[[np.ndarray, int, np.random.Generator, Any], np.ndarray]

if importlib.util.find_spec(f"{__package__}._attacks") is not None:
    from ._attacks import AttackContext  # the attack library's own context type
else:  # pragma: no cover - only while the attack library is absent

    @dataclasses.dataclass(frozen=True, eq=False)
    class AttackContext:  # type: ignore[no-redef]
        """What an omniscient Byzantine machine knows at iteration t (fallback definition).

        Attributes
        ----------
        w : numpy.ndarray, shape (R, d)
            The broadcast iterate w^t.
        grad_F : numpy.ndarray, shape (R, d)
            The population gradient at w^t.
        w_star : numpy.ndarray, shape (d,)
            The minimiser.
        t : int
            Iteration index.
        k : int or None
            Trim count of the trimmed mean, when known.
        aggregator : callable or None
            The aggregator in use.
        """

        w: np.ndarray
        grad_F: np.ndarray
        w_star: np.ndarray
        t: int
        k: int | None = None
        aggregator: Any = None


def _median(x: np.ndarray) -> np.ndarray:
    """Coordinate-wise median over axis -2 (numpy's average of the two middle values for even m).

    :func:`boundlab.montecarlo._aggregators.median`: bit for bit ``np.median(x, axis=-2)`` on finite
    input, about 10x faster for (119, 40, 10) messages (lanes sorted in place instead of numpy's
    per-call partition), NaN ordered as +inf.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((3, 8, 2))
    >>> bool(np.array_equal(_median(x), np.median(x, axis=-2)))
    True
    """
    from ._aggregators import median

    return median(x)


def aggregator_for(option: str, *, beta: float | None = None, k: int | None = None) -> Aggregator:
    """The aggregator of an option of Algorithm 1 by name.

    Parameters
    ----------
    option : {"I", "median", "II", "trimmed_mean", "mean"}
        Option I (coordinate-wise median), Option II (coordinate-wise trimmed mean) or the plain mean
        (vanilla distributed GD).
    beta, k : optional
        Trimming fraction or count, for Option II only (exactly one of them).

    Returns
    -------
    callable
        ``(*batch, m, d) -> (*batch, d)``; Option II is a ``functools.partial`` carrying ``beta`` or
        ``k`` (``robust_gd`` reads it to fill ``AttackContext.k``).

    Examples
    --------
    >>> agg = aggregator_for("II", k=1)
    >>> agg(np.array([[0.0], [1.0], [2.0], [100.0]])).tolist()
    [1.5]
    """
    key = {"I": "median", "II": "trimmed_mean"}.get(option, option)
    if key not in ("median", "trimmed_mean", "mean"):
        raise BadInput(f"option ({option!r}) must be 'I', 'median', 'II', 'trimmed_mean' or 'mean'.", name="option")
    from . import _aggregators

    if key == "trimmed_mean":
        if (beta is None) == (k is None):
            raise BadInput(
                f"beta and k (beta={beta!r}, k={k!r}) must be given exactly one at a time for Option II.", name="beta"
            )
        # trimmed_mean declares the union over return_mask (no overloads); without return_mask it returns the
        # aggregate alone
        return cast(
            Aggregator, functools.partial(_aggregators.trimmed_mean, **({"beta": beta} if k is None else {"k": k}))
        )
    if beta is not None or k is not None:
        raise BadInput(f"beta and k (beta={beta!r}, k={k!r}) must be None for option {option!r}.", name="beta")
    return getattr(_aggregators, key)


def _trim_k(aggregator: Any, m: int) -> int | None:
    """The trim count of a ``functools.partial(trimmed_mean, beta=... or k=...)``, else None."""
    kw = getattr(aggregator, "keywords", None) or {}
    if kw.get("k") is not None:
        return int(kw["k"])
    if kw.get("beta") is not None:
        return int(math.floor(float(kw["beta"]) * m + 1e-9))
    return None


def byzantine_count(m: int, *, q: int | None = None, alpha: float | None = None) -> int:
    """Validate and return the number q of Byzantine machines from ``q`` or ``alpha`` (not both).

    Parameters
    ----------
    m : int
        Number of machines.
    q : int, optional
        Number of Byzantine machines, ``0 <= q`` and ``q/m < 1/2``.
    alpha : float, optional
        Byzantine fraction in ``[0, 1/2)`` with ``alpha m`` an integer (up to 1e-9).

    Returns
    -------
    int

    Examples
    --------
    >>> byzantine_count(40, alpha=0.05), byzantine_count(40, q=3), byzantine_count(40)
    (2, 3, 0)
    """
    if q is not None and alpha is not None:
        raise BadInput(f"q and alpha (q={q!r}, alpha={alpha!r}) must not both be given.", name="alpha")
    if alpha is not None:
        if (
            isinstance(alpha, bool)
            or not isinstance(alpha, (int, float, np.integer, np.floating))
            or not math.isfinite(alpha)
        ):
            raise BadInput(f"alpha ({alpha!r}) must be a real number in [0, 1/2).", name="alpha")
        if not 0 <= alpha < 0.5:
            raise BadInput(f"alpha ({alpha}) must be in [0, 1/2) (Theorems 3.1-3.7).", name="alpha")
        prod = alpha * m
        if abs(prod - round(prod)) > 1e-9 * max(1.0, prod):
            raise BadInput(
                f"alpha ({alpha}) must make alpha*m = {prod:g} an integer (|B| = alpha m machines, m = {m}).",
                name="alpha",
            )
        return int(round(prod))
    if q is None:
        return 0
    if isinstance(q, bool) or not isinstance(q, (int, np.integer)) or q < 0:
        raise BadInput(f"q ({q!r}) must be an integer >= 0.", name="q")
    if 2 * q >= m:
        raise BadInput(f"q ({q}) must be < m/2 = {m / 2:g} (alpha = q/m < 1/2).", name="q")
    return int(q)


def project_ball(w: np.ndarray, center: np.ndarray, radius: float) -> np.ndarray:
    """Euclidean projection onto the ball ``{u : ||u - center|| <= radius}``, batched over leading axes.

    Parameters
    ----------
    w : numpy.ndarray, shape (..., d)
    center : numpy.ndarray, shape (d,)
    radius : float

    Returns
    -------
    numpy.ndarray, shape (..., d)

    Examples
    --------
    >>> project_ball(np.array([[3.0, 4.0], [0.3, 0.4]]), np.zeros(2), 1.0).tolist()
    [[0.6000000000000001, 0.8], [0.3, 0.4]]
    """
    diff = w - center
    nrm = np.linalg.norm(diff, axis=-1, keepdims=True)
    scale = np.divide(radius, nrm, out=np.ones_like(nrm), where=nrm > radius)
    return center + diff * scale


def _check_T(T: Any) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 0:
        raise BadInput(f"T ({T!r}) must be an integer >= 0.", name="T")
    return int(T)


def _check_stats(problem: Any, stats: Any) -> tuple[int, int]:
    if not isinstance(problem, Problem):
        raise BadInput(
            f"problem ({type(problem).__name__}) must provide d, w_star, L_F, F, grad_F and local_gradients.",
            name="problem",
        )
    R, m = getattr(stats, "R", None), getattr(stats, "m", None)
    if not isinstance(R, int) or not isinstance(m, int) or not callable(getattr(stats, "machines", None)):
        raise BadInput(
            f"stats ({type(stats).__name__}) must be the statistics returned by problem.sample.", name="stats"
        )
    return R, m


def _check_attack(attack: Any, q: int, rng: Any) -> None:
    if q > 0:
        if not callable(attack):
            raise BadInput(
                f"attack ({attack!r}) must be a callable attack(honest, q, rng, ctx) when q > 0.", name="attack"
            )
        if not isinstance(rng, np.random.Generator):
            raise BadInput(f"rng ({rng!r}) must be a numpy.random.Generator when q > 0.", name="rng")


def _messages(honest: np.ndarray, q: int, attack: Attack | None, rng: Any, ctx: Any) -> np.ndarray:
    """Byzantine rows first, then the honest ones: (R, m, d)."""
    if q == 0:
        return honest
    byz = np.asarray(attack(honest, q, rng, ctx), dtype=float)  # type: ignore[misc]
    want = honest.shape[:-2] + (q, honest.shape[-1])
    if byz.shape != want:
        raise BadInput(f"attack output (shape {byz.shape}) must have shape (R, q, d) = {want}.", name="attack")
    return np.concatenate([byz, honest], axis=-2)


def _aggregate(aggregator: Aggregator, msgs: np.ndarray) -> np.ndarray:
    g = np.asarray(aggregator(msgs), dtype=float)
    want = msgs.shape[:-2] + msgs.shape[-1:]
    if g.shape != want:
        raise BadInput(f"aggregator output (shape {g.shape}) must have shape (R, d) = {want}.", name="aggregator")
    return g


# ---------------------------------------------------------------------------------------------
# Algorithm 1
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class GDResult:
    """Trajectories of Algorithm 1 over R trials.

    Attributes
    ----------
    w : numpy.ndarray, shape (R, T + 1, d), or None
        Iterates w^0..w^T (None when ``record=False``).
    w_final : numpy.ndarray, shape (R, d)
        w^T.
    dist_to_opt : numpy.ndarray, shape (R, T + 1)
        ``||w^t - w*||_2``.
    grad_error : numpy.ndarray, shape (R, T)
        ``||g(w^t) - grad F(w^t)||_2`` with g the aggregated gradient (the realised Delta_t).
    F_gap : numpy.ndarray, shape (R, T + 1)
        ``F(w^t) - F(w*)``.
    grad_norm : numpy.ndarray, shape (R, T + 1)
        ``||grad F(w^t)||_2``.
    q, m : int
        Byzantine and total machine counts (``alpha = q/m``).
    eta : float
        Step size.
    radius : float or None
        Radius of the projection ball around w* (None: no projection).

    Examples
    --------
    >>> from boundlab.montecarlo._problems import ModelE
    >>> s = ModelE().sample(np.random.default_rng(0), R=4, m=5, n=10)
    >>> res = robust_gd(ModelE(), s, aggregator=lambda x: np.median(x, axis=-2), T=3, w0=[0.0])
    >>> res.w.shape, res.grad_error.shape, res.T, res.alpha
    ((4, 4, 1), (4, 3), 3, 0.0)
    """

    w: np.ndarray | None
    w_final: np.ndarray
    dist_to_opt: np.ndarray
    grad_error: np.ndarray
    F_gap: np.ndarray
    grad_norm: np.ndarray
    q: int
    m: int
    eta: float
    radius: float | None

    @property
    def alpha(self) -> float:
        """Byzantine fraction q/m."""
        return self.q / self.m

    @property
    def T(self) -> int:
        """Number of iterations."""
        return self.grad_error.shape[1]

    @property
    def R(self) -> int:
        """Number of trials."""
        return self.w_final.shape[0]

    @staticmethod
    def concatenate(parts: Sequence[GDResult]) -> GDResult:
        """Join the trials of chunked runs (same q, m, eta, radius and T)."""
        first = parts[0]
        for p in parts[1:]:
            if (p.q, p.m, p.eta, p.radius, p.T) != (first.q, first.m, first.eta, first.radius, first.T):
                raise BadInput("parts (runs) must share q, m, eta, radius and T to be concatenated.", name="parts")
        cat = functools.partial(np.concatenate, axis=0)
        return GDResult(
            None if any(p.w is None for p in parts) else cat([p.w for p in parts]),
            cat([p.w_final for p in parts]),
            cat([p.dist_to_opt for p in parts]),
            cat([p.grad_error for p in parts]),
            cat([p.F_gap for p in parts]),
            cat([p.grad_norm for p in parts]),
            first.q,
            first.m,
            first.eta,
            first.radius,
        )


def robust_gd(
    problem: Problem,
    stats: Any,
    *,
    aggregator: Aggregator | str,
    T: int,
    w0: Any,
    eta: float | None = None,
    q: int | None = None,
    alpha: float | None = None,
    attack: Attack | None = None,
    rng: np.random.Generator | None = None,
    radius: float | None = None,
    k: int | None = None,
    record: bool = True,
    trial_block: int | str | None = None,
) -> GDResult:
    r"""Algorithm 1 (robust distributed gradient descent), batched over the R trials of ``stats``.

    For t = 0..T-1: the master broadcasts w^t; honest machines (the last m - q) send
    ``grad F_i(w^t)`` computed from their fixed local statistics; the Byzantine machines (the first q)
    send ``attack(honest, q, rng, ctx)``; the master aggregates, ``g = aggregator(messages)``, and
    updates ``w^{t+1} = Proj_W(w^t - eta g)`` with W = ball(w*, radius) (or R^d).

    Parameters
    ----------
    problem : Problem
        A problem of :mod:`boundlab.montecarlo._problems` (``local_gradients``, ``grad_F``, ``F``, ...).
    stats
        Its statistics for R trials and m machines (``problem.sample(rng, R, m, n)``).
    aggregator : callable or str
        ``(*batch, m, d) -> (*batch, d)``, or a name for :func:`aggregator_for` ("I", "median", "mean").
    T : int
        Number of iterations (>= 0).
    w0 : array_like, shape (d,) or (R, d)
        Initial point (in W when ``radius`` is given).
    eta : float, optional
        Step size (> 0); default ``1 / problem.L_F`` as in every theorem.
    q, alpha : optional
        Number or fraction of Byzantine machines (one of them; default 0). ``alpha m`` must be an
        integer and ``q/m < 1/2``.
    attack : callable, optional
        ``attack(honest (R, m-q, d), q, rng, ctx) -> (R, q, d)``; required when q > 0.
    rng : numpy.random.Generator, optional
        Passed to the attack (required when q > 0).
    radius : float, optional
        Projection radius around w* (> 0); None means no projection (W = R^d).
    k : int, optional
        Trim count given to the attack in ``ctx.k``; by default read from a
        ``functools.partial(trimmed_mean, beta=.../k=...)`` aggregator, else None.
    record : bool
        Keep the trajectory ``w`` (R, T + 1, d); the scalar diagnostics are always kept.
    trial_block : int, "cache" or None
        Run the trials in blocks of this many (``"cache"``: :func:`cache_block`, whose statistics stay
        in cache for all T iterations). Each trial's arithmetic does not depend on the block, so the
        result is bit-identical to one block; but an attack that draws from ``rng`` then draws block by
        block (other numbers), so None (the default) blocks by cache only when no attack runs (q = 0).

    Returns
    -------
    GDResult

    Examples
    --------
    >>> from boundlab.montecarlo._problems import ModelR
    >>> p = ModelR(d=2, sigma=0.0, radius=2.0)
    >>> s = p.sample(np.random.default_rng(0), R=3, m=5, n=50)
    >>> res = robust_gd(p, s, aggregator=lambda x: x.mean(axis=-2), T=30, w0=[1.0, -1.0], radius=2.0)
    >>> res.w.shape, bool(res.dist_to_opt[:, -1].max() < 1e-10)
    ((3, 31, 2), True)
    >>> attack = lambda honest, q, rng, ctx: np.full(honest.shape[:-2] + (q, honest.shape[-1]), 1e6)
    >>> res = robust_gd(p, s, aggregator=lambda x: np.median(x, axis=-2), T=5, w0=[1.0, -1.0], q=2,
    ...                 attack=attack, rng=np.random.default_rng(1), radius=2.0)
    >>> res.alpha, bool(res.dist_to_opt.max() <= 2.0)
    (0.4, True)
    """
    R, m = _check_stats(problem, stats)
    T = _check_T(T)
    q = byzantine_count(m, q=q, alpha=alpha)
    _check_attack(attack, q, rng)
    if isinstance(aggregator, str):
        aggregator = aggregator_for(aggregator)
    if not callable(aggregator):
        raise BadInput(
            f"aggregator ({aggregator!r}) must be a callable (*batch, m, d) -> (*batch, d).", name="aggregator"
        )
    d = int(problem.d)
    w_star = np.asarray(problem.w_star, dtype=float)
    eta = 1.0 / float(problem.L_F) if eta is None else eta
    if (
        isinstance(eta, bool)
        or not isinstance(eta, (int, float, np.integer, np.floating))
        or not (math.isfinite(eta) and eta > 0)
    ):
        raise BadInput(f"eta ({eta!r}) must be > 0 and finite.", name="eta")
    eta = float(eta)
    if radius is not None:
        if (
            isinstance(radius, bool)
            or not isinstance(radius, (int, float, np.integer, np.floating))
            or not (math.isfinite(radius) and radius > 0)
        ):
            raise BadInput(f"radius ({radius!r}) must be > 0 and finite (or None: no projection).", name="radius")
        radius = float(radius)
    w = np.array(w0, dtype=float)
    if w.shape not in ((d,), (R, d)) or not np.all(np.isfinite(w)):
        raise BadInput(f"w0 (shape {w.shape}) must be finite with shape ({d},) or (R, d) = ({R}, {d}).", name="w0")
    w = np.ascontiguousarray(np.broadcast_to(w, (R, d)))  # C order (np.array would keep the broadcast's F order)
    if radius is not None:
        far = float(np.max(np.linalg.norm(w - w_star, axis=-1)))
        if far > radius * (1 + 1e-12):
            raise BadInput(f"w0 (||w0 - w*|| = {far:.6g}) must be in W: ||w0 - w*|| <= radius ({radius:g}).", name="w0")
    if record and 8.0 * R * (T + 1) * d > MAX_TRAJECTORY_BYTES:
        raise BadInput(
            f"R*(T+1)*d ({R * (T + 1) * d}) must be <= {MAX_TRAJECTORY_BYTES // 8} with record=True; "
            "chunk R (see the module docstring) or pass record=False.",
            name="R",
        )
    if k is None:
        k = _trim_k(aggregator, m)
    if trial_block is None:
        trial_block = "cache" if q == 0 else R
    if trial_block == "cache":
        trial_block = cache_block(stats, R, m, d)
    if isinstance(trial_block, bool) or not isinstance(trial_block, (int, np.integer)) or trial_block < 1:
        raise BadInput(f"trial_block ({trial_block!r}) must be an integer >= 1, 'cache' or None.", name="trial_block")

    F_star = float(problem.F(w_star))
    traj = np.empty((R, T + 1, d)) if record else None
    dist = np.empty((R, T + 1))
    err = np.empty((R, T))
    gap = np.empty((R, T + 1))
    gnorm = np.empty((R, T + 1))
    w_final = np.empty((R, d))
    step = int(trial_block)
    for lo in range(0, R, step):
        rows = slice(lo, min(R, lo + step))
        block = stats if step >= R else stats.take(rows)
        honest_stats = block.machines(slice(q, None)) if q > 0 else block
        if hasattr(honest_stats, "for_products"):  # a layout for T products with the same statistics
            honest_stats = honest_stats.for_products()
        w_final[rows] = _gd_block(
            problem,
            honest_stats,
            w[rows],
            T,
            q,
            attack,
            rng,
            aggregator,
            eta,
            radius,
            w_star,
            k,
            F_star,
            None if traj is None else traj[rows],
            dist[rows],
            err[rows],
            gap[rows],
            gnorm[rows],
        )
    return GDResult(traj, w_final, dist, err, gap, gnorm, q, m, eta, radius)


def _gd_block(
    problem: Problem,
    honest_stats: Any,
    w: np.ndarray,
    T: int,
    q: int,
    attack: Attack | None,
    rng: Any,
    aggregator: Aggregator,
    eta: float,
    radius: float | None,
    w_star: np.ndarray,
    k: int | None,
    F_star: float,
    traj: np.ndarray | None,
    dist: np.ndarray,
    err: np.ndarray,
    gap: np.ndarray,
    gnorm: np.ndarray,
) -> np.ndarray:
    """Algorithm 1 on one block of trials, writing the diagnostics into the given views; returns w^T.

    The loop computes only what the iterates need (the population gradient only for an attack's
    context); the diagnostics are computed afterwards from the stored iterates and aggregated
    gradients, many iterations per call (:func:`_diagnostics`).
    """
    B, d = w.shape
    path = traj if traj is not None else np.empty((B, T + 1, d))
    gs = np.empty((B, T, d))
    for t in range(T):
        path[:, t] = w
        honest = problem.local_gradients(honest_stats, w)
        ctx = (
            AttackContext(w=w, grad_F=problem.grad_F(w), w_star=w_star, t=t, k=k, aggregator=aggregator)
            if q > 0
            else None
        )
        g = _aggregate(aggregator, _messages(honest, q, attack, rng, ctx))
        gs[:, t] = g
        w = w - eta * g
        if radius is not None:
            w = project_ball(w, w_star, radius)
    path[:, T] = w
    _diagnostics(problem, path, gs, w_star, F_star, dist, err, gap, gnorm)
    return w


#: Rows (trial x iteration) per call when the diagnostics are computed from the stored iterates.
DIAGNOSTIC_ROWS = 4096


def _diagnostics(
    problem: Problem,
    path: np.ndarray,
    gs: np.ndarray,
    w_star: np.ndarray,
    F_star: float,
    dist: np.ndarray,
    err: np.ndarray,
    gap: np.ndarray,
    gnorm: np.ndarray,
) -> None:
    """Fill ``dist``, ``gap``, ``gnorm`` (B, T + 1) and ``err`` (B, T) from the iterates ``path``
    (B, T + 1, d) and the aggregated gradients ``gs`` (B, T, d) (the gap by ``problem.gap`` when the
    problem has one, else as ``problem.F(w) - F_star``), at most :data:`DIAGNOSTIC_ROWS`
    iterates per call of ``problem.F`` / ``problem.grad_F`` (which see 2-D (rows, d) arrays).

    Examples
    --------
    >>> from boundlab.montecarlo._problems import ModelR
    >>> p = ModelR(d=2)
    >>> path = np.array([[[1.0, 0.0], [0.0, 0.0]]]) + p.w_star      # B = 1, T = 1
    >>> gs = np.array([[[1.5, 0.0]]])
    >>> dist, gap, gnorm, err = np.empty((1, 2)), np.empty((1, 2)), np.empty((1, 2)), np.empty((1, 1))
    >>> _diagnostics(p, path, gs, p.w_star, float(p.F(p.w_star)), dist, err, gap, gnorm)
    >>> dist.tolist(), gap.tolist(), err.tolist()
    ([[1.0, 0.0]], [[0.5, 0.0]], [[0.5]])
    """
    B, T1, d = path.shape
    T = T1 - 1
    per = max(1, DIAGNOSTIC_ROWS // T1)  # whole trials per call
    for lo in range(0, B, per):
        rows = slice(lo, min(B, lo + per))
        flat = path[rows].reshape(-1, d)
        n = flat.shape[0] // T1
        gF = np.asarray(problem.grad_F(flat), dtype=float).reshape(n, T1, d)
        dist[rows] = np.linalg.norm(path[rows] - w_star, axis=-1)
        gaps = problem.gap(flat) if hasattr(problem, "gap") else np.asarray(problem.F(flat), dtype=float) - F_star
        gap[rows] = np.asarray(gaps, dtype=float).reshape(n, T1)
        gnorm[rows] = np.linalg.norm(gF, axis=-1)
        if T:
            err[rows] = np.linalg.norm(gs[rows] - gF[:, :T], axis=-1)


# ---------------------------------------------------------------------------------------------
# Algorithm 2
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class OneRoundResult:
    """Output of Algorithm 2 over R trials.

    Attributes
    ----------
    w_hat : numpy.ndarray, shape (R, d)
        The aggregated estimate.
    error : numpy.ndarray, shape (R,)
        ``||w_hat - w*||_2``.
    q, m : int
        Byzantine and total machine counts.

    Examples
    --------
    >>> OneRoundResult(np.zeros((2, 1)), np.zeros(2), q=1, m=4).alpha
    0.25
    """

    w_hat: np.ndarray
    error: np.ndarray
    q: int
    m: int

    @property
    def alpha(self) -> float:
        """Byzantine fraction q/m."""
        return self.q / self.m


def one_round(
    problem: Problem,
    stats: Any,
    *,
    aggregator: Aggregator | str = _median,
    q: int | None = None,
    alpha: float | None = None,
    attack: Attack | None = None,
    rng: np.random.Generator | None = None,
) -> OneRoundResult:
    r"""Algorithm 2 (robust one-round algorithm), batched over the R trials of ``stats``.

    Honest machines (the last m - q) send their local ERM ``argmin_{w in R^d} F_i(w)``
    (``problem.local_minimizers(stats)``); the first q send ``attack(honest, q, rng, ctx)`` (arbitrary
    vectors); the master returns the aggregate (coordinate-wise median by default).
    ``ctx = AttackContext(w=mean of the honest ERMs, grad_F=grad F at that mean, w_star, t=0, k)``.

    Parameters
    ----------
    problem : Problem
        Needs ``local_minimizers`` (the quadratic models; Model AN log-cosh).
    stats
        ``problem.sample(rng, R, m, n)``.
    aggregator : callable or str
        Default: ``np.median(x, axis=-2)``.
    q, alpha, attack, rng
        As in :func:`robust_gd`.

    Returns
    -------
    OneRoundResult

    Examples
    --------
    >>> from boundlab.montecarlo._problems import ModelG
    >>> p = ModelG(d=2, sigma=1.0)
    >>> s = p.sample(np.random.default_rng(0), R=4, m=11, n=1000)
    >>> far = lambda honest, q, rng, ctx: ctx.w_star + 1e6 + np.zeros(honest.shape[:-2] + (q, 2))
    >>> res = one_round(p, s, q=2, attack=far, rng=np.random.default_rng(1))
    >>> res.w_hat.shape, bool(res.error.max() < 0.2)
    ((4, 2), True)
    """
    R, m = _check_stats(problem, stats)
    q = byzantine_count(m, q=q, alpha=alpha)
    _check_attack(attack, q, rng)
    if isinstance(aggregator, str):
        aggregator = aggregator_for(aggregator)
    if not callable(aggregator):
        raise BadInput(
            f"aggregator ({aggregator!r}) must be a callable (*batch, m, d) -> (*batch, d).", name="aggregator"
        )
    local = getattr(problem, "local_minimizers", None)
    if local is None:
        raise BadInput(
            f"problem ({type(problem).__name__}) must provide local_minimizers for Algorithm 2.", name="problem"
        )
    honest = local(stats.machines(slice(q, None)) if q > 0 else stats)
    w_star = np.asarray(problem.w_star, dtype=float)
    ctx = None
    if q > 0:
        center = honest.mean(axis=-2)
        ctx = AttackContext(
            w=center,
            grad_F=problem.grad_F(center),
            w_star=w_star,
            t=0,
            k=_trim_k(aggregator, m),
            aggregator=aggregator,
        )
    w_hat = _aggregate(aggregator, _messages(honest, q, attack, rng, ctx))
    return OneRoundResult(w_hat, np.linalg.norm(w_hat - w_star, axis=-1), q, m)
