r"""Iterative filtering (Algorithm 4 of the dissertation, L10579-10694) with its min-max problem as an SDP.

For fixed weights W (k x k, columns summing to 1, entries in [0, cap]) the inner objective
``obj(W, U) = sum_i c_i r_i(W)^T U r_i(W) = tr(U M(W))`` with
``M(W) = A(W) A(W)^T``, ``A(W) = X (I - W) diag(sqrt(c))`` (d x k), is linear in U, so its maximum
over ``{U PSD, tr U <= 1}`` is ``lambda_max(M(W)) = sigma_max(A(W))^2``. The min over W is then the
convex program

    minimise t  subject to  [[t I_d, A(W)], [A(W)^T, I_k]] PSD,  0 <= W <= cap,  1^T W = 1^T,

solved with cvxpy + SCS. The max-min solution U is the upper-left d x d block of the LMI's dual
matrix (trace 1 by stationarity in t); ``tau_i = r_i^T U r_i``. Solver failures and an infeasible
box (too few active points) raise :class:`FilteringError` with the solver status, never a silent
estimate.

The practitioners' fast variant is :func:`spectral_aggregator` (the repository's
``boundlab.montecarlo.spectral_filter`` with Algorithm 4's stopping rule ``lambda_max(cov) <= 8 sigma^2``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import cast

import numpy as np

from boundlab.bounds import BadInput

__all__ = [
    "FilteringError",
    "FilterStep",
    "FilteringResult",
    "box_cap",
    "min_over_W",
    "max_over_U",
    "iterative_filtering",
    "filtering_aggregator",
    "spectral_aggregator",
]

ACCEPTED = ("optimal",)


class FilteringError(RuntimeError):
    """The SDP solver failed or the weight box became infeasible; carries the solver status."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


def box_cap(alpha: float, m: int) -> float:
    """The box bound ``(3 + alpha) / ((1 - alpha)(3 - alpha) m)`` (the original m).

    Examples
    --------
    >>> round(box_cap(0.25, 100) * 100, 6)
    1.575758
    """
    return (3 + alpha) / ((1 - alpha) * (3 - alpha) * m)


def _solve(problem, solver_opts: dict) -> str:  # problem: a cvxpy Problem
    """Solve with SCS; the status decides (cvxpy's 'inaccurate' warning is turned into the status check)."""
    import warnings

    import cvxpy as cp

    opts = {"eps": 1e-6, "max_iters": 200_000, **solver_opts}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver=cp.SCS, **opts)
    except cp.error.SolverError as exc:
        raise FilteringError(f"SCS failed: {exc} (status solver_error).", "solver_error") from exc
    return str(problem.status)


def min_over_W(X: np.ndarray, c: np.ndarray, cap: float, **solver_opts: object) -> tuple[float, np.ndarray, np.ndarray]:
    """The min-max step: ``min_W max_U obj(W, U)`` as an SDP; returns (value, W, U).

    Solved as ``min s`` subject to ``[[s I_d, A(W)], [A(W)^T, s I_k]] PSD`` (so ``s = sigma_max(A(W))``
    and the value is ``s^2``), with ``X`` rescaled to unit RMS column norm for conditioning. The
    dual matrix Y of the LMI has ``tr Y_11 + tr Y_22 = 1``; ``U = Y_11 / tr Y_11`` is the max-min U.

    Parameters
    ----------
    X : ndarray, shape (d, k)
        Active points as columns.
    c : ndarray, shape (k,)
        Weights in [0, 1].
    cap : float
        Box bound on W's entries.
    **solver_opts
        Passed to SCS (``eps``, ``max_iters``, ...).

    Returns
    -------
    value : float
        The optimal value ``lambda_max(M(W*))``.
    W : ndarray, shape (k, k)
        Minimiser (columns sum to 1).
    U : ndarray, shape (d, d)
        The max-min U from the dual (PSD, trace 1).

    Raises
    ------
    FilteringError
        If the box is infeasible (k cap < 1) or SCS does not report ``optimal``.

    Examples
    --------
    >>> X = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    >>> val, W, U = min_over_W(X, np.ones(3), cap=1 / 3)
    >>> round(val, 4), round(float(np.trace(U)), 4)
    (2.0, 1.0)
    """
    import cvxpy as cp

    X = np.asarray(X, dtype=float)
    c = np.asarray(c, dtype=float)
    d, k = X.shape
    if k * cap < 1 - 1e-12:
        raise FilteringError(
            f"the weight box is infeasible: |A| ({k}) * cap ({cap:.6g}) must be >= 1 (status infeasible).", "infeasible"
        )
    centre = X.mean(axis=1, keepdims=True)  # A(W) is invariant to a common shift (columns of W sum to 1)
    scale = float(np.sqrt(np.mean(np.sum((X - centre) ** 2, axis=0)))) or 1.0
    Xs = (X - centre) / scale
    W = cp.Variable((k, k))
    s = cp.Variable()
    A = Xs @ (np.eye(k) - W) @ np.diag(np.sqrt(c))
    Z = cp.Variable((d + k, d + k), symmetric=True)
    psd = Z >> 0
    problem = cp.Problem(
        cp.Minimize(s),
        [
            psd,
            Z[:d, :d] == s * np.eye(d),
            Z[:d, d:] == A,
            Z[d:, d:] == s * np.eye(k),
            W >= 0,
            W <= cap,
            cp.sum(W, axis=0) == 1,
        ],
    )
    status = _solve(problem, solver_opts)
    if status not in ACCEPTED:
        raise FilteringError(
            f"SCS status ({status}) must be optimal for the min-max step of Algorithm 4 (k = {k}, d = {d}).", status
        )
    Wv = np.asarray(W.value)
    Y = np.asarray(psd.dual_value)
    U = (Y[:d, :d] + Y[:d, :d].T) / 2
    vals, vecs = np.linalg.eigh(U)
    U = (vecs * np.maximum(vals, 0)) @ vecs.T
    tr = float(np.trace(U))
    if not tr > 0:
        raise FilteringError(f"the dual block U (trace {tr:.3g}) must have positive trace (status {status}).", status)
    return float(np.asarray(s.value)) ** 2 * scale**2, Wv, U / tr


def max_over_U(X: np.ndarray, c: np.ndarray, W: np.ndarray, **solver_opts: object) -> float:
    """``max_{U PSD, tr U <= 1} obj(W, U)`` solved as an SDP (to check the eigenvalue identity).

    Examples
    --------
    >>> X = np.array([[0.0, 2.0], [0.0, 0.0]])
    >>> round(max_over_U(X, np.ones(2), np.full((2, 2), 0.5)), 4)
    2.0
    """
    import cvxpy as cp

    X = np.asarray(X, dtype=float)
    c = np.asarray(c, dtype=float)
    d, k = X.shape
    Rm = X @ (np.eye(k) - np.asarray(W, dtype=float))  # residuals as columns
    M = (Rm * c) @ Rm.T
    scale = float(np.abs(M).max()) or 1.0
    M = (M + M.T) / (2 * scale)
    U = cp.Variable((d, d), PSD=True)
    problem = cp.Problem(cp.Maximize(cp.trace(U @ M)), [cp.trace(U) <= 1])
    status = _solve(problem, solver_opts)
    if status not in ACCEPTED:
        raise FilteringError(f"SCS status ({status}) must be optimal for max over U.", status)
    return float(problem.value) * scale


@dataclasses.dataclass(frozen=True)
class FilterStep:
    """One loop of Algorithm 4: active count, SDP value, threshold, eigenvalue check, removals."""

    active: int
    value: float
    threshold: float
    lambda_max: float
    trace_U: float
    removed: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class FilteringResult:
    """Output of :func:`iterative_filtering`: the estimate, the survivors and the log of every loop."""

    estimate: np.ndarray
    active: np.ndarray
    weights: np.ndarray
    steps: tuple[FilterStep, ...]
    stopped_infeasible: bool = False


def iterative_filtering(
    x: np.ndarray, alpha: float, sigma: float, *, on_infeasible: str = "raise", **solver_opts: object
) -> FilteringResult:
    """Algorithm 4 as stated: SDP min-max step, scores, down-weighting, removal; returns the survivors' mean.

    Parameters
    ----------
    x : ndarray, shape (m, d)
        The (possibly corrupted) points, one per row.
    alpha : float
        Corrupted fraction, in [0, 1/4] (the text requires [0, 1/4); Lemma 4.5 allows 1/4).
    sigma : float
        The algorithm parameter sigma > 0 (stop when the SDP value <= 8 m sigma^2).
    on_infeasible : {"raise", "stop"}
        What to do when removals make the box infeasible (the text is silent): raise
        :class:`FilteringError`, or stop and return the current mean with ``stopped_infeasible``.

    Returns
    -------
    FilteringResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.vstack([rng.standard_normal((9, 2)), [[30.0, 30.0]]])
    >>> res = iterative_filtering(x, alpha=0.1, sigma=1.0)
    >>> bool(res.active[-1]), bool(np.allclose(res.estimate, x[:9].mean(axis=0), atol=1e-6))
    (False, True)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1:
        raise BadInput(f"x (shape {x.shape}) must have shape (m, d) with m >= 1.", name="x")
    if not np.all(np.isfinite(x)):
        raise BadInput("x must be finite.", name="x")
    if not 0 <= alpha <= 0.25:
        raise BadInput(f"alpha ({alpha}) must be in [0, 1/4] (Algorithm 4, Lemma 4.5).", name="alpha")
    if not (sigma > 0 and math.isfinite(sigma)):
        raise BadInput(f"sigma ({sigma}) must be a finite number > 0.", name="sigma")
    if on_infeasible not in ("raise", "stop"):
        raise BadInput(f"on_infeasible ({on_infeasible!r}) must be 'raise' or 'stop'.", name="on_infeasible")
    m, d = x.shape
    cap = box_cap(alpha, m)
    active = np.ones(m, dtype=bool)
    c = np.ones(m)
    steps: list[FilterStep] = []
    threshold = 8 * m * sigma**2
    for _ in range(m + 1):
        idx = np.flatnonzero(active)
        k = idx.size
        if k * cap < 1 - 1e-12:
            if on_infeasible == "raise":
                raise FilteringError(
                    f"the weight box is infeasible after removals: |A| ({k}) must be >= "
                    f"(1 - alpha)(3 - alpha) m/(3 + alpha) ({1 / cap:.4g}) (status infeasible).",
                    "infeasible",
                )
            return FilteringResult(x[idx].mean(axis=0), active, c, tuple(steps), True)
        X = x[idx].T
        value, W, U = min_over_W(X, c[idx], cap, **solver_opts)
        Rm = X @ (np.eye(k) - W)
        tau = np.einsum("ji,jl,li->i", Rm, U, Rm)
        M = (Rm * c[idx]) @ Rm.T
        lam = float(np.linalg.eigvalsh((M + M.T) / 2)[-1])
        if np.sum(c[idx] * tau) > threshold:
            tmax = float(tau.max())
            c[idx] = (1 - tau / tmax) * c[idx]
            gone = idx[c[idx] <= 0.5]
            active[gone] = False
            steps.append(FilterStep(k, value, threshold, lam, float(np.trace(U)), tuple(int(i) for i in gone)))
        else:
            steps.append(FilterStep(k, value, threshold, lam, float(np.trace(U)), ()))
            return FilteringResult(x[idx].mean(axis=0), active, c, tuple(steps))
    raise AssertionError("Algorithm 4 removes a point in every loop")  # pragma: no cover


def filtering_aggregator(
    alpha: float, sigma: float | None = None, *, on_infeasible: str = "stop", **solver_opts: object
) -> Callable[[np.ndarray], np.ndarray]:
    """Algorithm 4 as a GradAGG: ``(*batch, m, d) -> (*batch, d)`` (loops over the batch; slow).

    ``sigma=None`` uses ``sigma^2 = lambda_max`` of the coordinate-wise-median-centred robust
    covariance... simply: the median over coordinates of the squared normalised MAD times
    (1 + sqrt(d/m))^2, the same rule as ``spectral_filter``'s default threshold divided by 8/1.5.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = np.vstack([rng.standard_normal((9, 2)), [[30.0, 30.0]]])[None]
    >>> agg = filtering_aggregator(0.1, 1.0)
    >>> np.allclose(agg(x)[0], x[0, :9].mean(axis=0), atol=1e-6)
    True
    """

    def aggregate(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        *batch, m, d = x.shape
        flat = x.reshape(-1, m, d)
        out = np.empty((flat.shape[0], d))
        for b in range(flat.shape[0]):
            s = sigma if sigma is not None else _robust_sigma(flat[b])
            out[b] = iterative_filtering(flat[b], alpha, s, on_infeasible=on_infeasible, **solver_opts).estimate
        return out.reshape(*batch, d)

    return aggregate


def _robust_sigma(x: np.ndarray) -> float:
    m, d = x.shape
    mad = 1.4826 * np.median(np.abs(x - np.median(x, axis=0)), axis=0)
    s2 = float(np.median(mad**2)) * (1 + math.sqrt(d / m)) ** 2
    return math.sqrt(max(s2, 1e-300))


def spectral_aggregator(alpha: float | None = None, sigma: float | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """The fast spectral filter as a GradAGG, with Algorithm 4's stopping rule when sigma is given.

    Stops when the top eigenvalue of the kept points' covariance is <= 8 sigma^2 (Algorithm 4's
    ``sum c_i tau_i <= 8 m sigma^2`` at uniform weights); removes at most ``2 alpha m`` points.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = np.vstack([rng.standard_normal((9, 2)), [[30.0, 30.0]]])[None]
    >>> np.allclose(spectral_aggregator(0.1, 1.0)(x)[0], x[0, :9].mean(axis=0))
    True
    """
    from boundlab.montecarlo import spectral_filter

    thr = None if sigma is None else 8 * sigma**2

    def aggregate(x: np.ndarray) -> np.ndarray:
        # spectral_filter declares the union over return_mask (no overloads); without it, the aggregate alone
        return cast(np.ndarray, spectral_filter(x, eps=alpha, threshold=thr))

    return aggregate
