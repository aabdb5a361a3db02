"""Test problems with exact population quantities (Chapter 3 catalog, Section 5.3).

Every problem is a frozen dataclass that knows its population loss ``F``, its gradient ``grad_F``,
its minimiser ``w_star`` and the constants the theorems need (``constants()`` returns them under the
registry's parameter names: ``d D L_hat L_F lambda_F V S v``). ``sample(rng, R, m, n)`` draws the
per-machine sufficient statistics of ``R`` independent trials at once (trials on axis 0, machines on
axis 1, coordinates on axis -1) and ``local_gradients(stats, w)`` turns them into the honest
messages ``grad F_i(w)`` of Algorithm 1, shape ``(R, m, d)`` for ``w`` of shape ``(R, d)``.

Models (catalog Section 5.3):

* :class:`ModelR`: least squares with Rademacher features (Propositions 3.1, 3.2).
* :class:`ModelG`: least squares with Gaussian features (Proposition 3.3, Theorem 3.7).
* :class:`ModelE`: one-dimensional mean estimation with Exp(1) data (the 1/n skewness term).
* :class:`GaussianMean`: Gaussian mean estimation (Section 3.6, Observation 3.1).
* :class:`ModelAN`: additive noise, convex log-cosh or non-convex cosine potential.
* :class:`QuadraticProblem`: a general quadratic loss (Definition 3.9) with fixed curvature.
* :class:`SoftmaxRegression`: multi-class logistic regression on given arrays (empirical population).

Quadratic models share :class:`QuadraticStats`: ``grad F_i(w) = H_i w - b_i`` with
``H_i = (1/n) sum_j H^{i,j}`` and ``b_i = -(1/n) sum_j p^{i,j}``.

Memory. Samplers refuse requests whose largest temporary exceeds ``MAX_SAMPLE_BYTES`` (512 MiB);
split ``R`` into chunks, each with its own ``np.random.SeedSequence(root).spawn`` child, and
concatenate the statistics (:meth:`QuadraticStats.concatenate`) or the simulation results.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from scipy import optimize, special
from scipy import stats as sps

from boundlab.bounds import BadInput

__all__ = [
    "MAX_SAMPLE_BYTES",
    "Problem",
    "QuadraticStats",
    "NoiseStats",
    "SoftmaxStats",
    "QuadraticProblem",
    "ModelR",
    "ModelG",
    "ModelE",
    "GaussianMean",
    "ModelAN",
    "SoftmaxRegression",
    "abs_third_moment_normal",
    "sign_vectors",
]

#: Largest temporary array a sampler may allocate, in bytes; larger requests must be chunked over R.
MAX_SAMPLE_BYTES = 512 * 2**20
_CHUNK_BYTES = 64 * 2**20  # float64 working set per chunk of the int8 Rademacher sampler

_GAUSS_SKEW = 2.0 * math.sqrt(2.0 / math.pi)  # gamma(N(mu, s^2)) = E|Z|^3
_EXP_SKEW = 12.0 / math.e - 2.0  # gamma(Exp(1))
_EXP_V = 1.5  # a safe sub-exponential parameter of centred Exp(1) (threshold 1.4320683)


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------


def _int(name: str, value: Any, lower: int, where: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lower:
        raise BadInput(f"{name} ({value}) must be an integer >= {lower}{where}.", name=name)
    return int(value)


def _pos(name: str, value: Any, *, allow_zero: bool = False, where: str = "") -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name} ({value}) must be a real number{where}.", name=name) from None
    ok = math.isfinite(x) and (x >= 0 if allow_zero else x > 0)
    if not ok:
        raise BadInput(f"{name} ({value}) must be {'>= 0' if allow_zero else '> 0'} and finite{where}.", name=name)
    return x


def _rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise BadInput(f"rng ({rng!r}) must be a numpy.random.Generator.", name="rng")
    return rng


def _vector(name: str, value: Any, d: int) -> np.ndarray:
    arr = np.array(value, dtype=float)
    if arr.shape != (d,) or not np.all(np.isfinite(arr)):
        raise BadInput(f"{name} (shape {arr.shape}) must be a finite vector of shape ({d},).", name=name)
    arr.setflags(write=False)
    return arr


def _sizes(R: Any, m: Any, n: Any) -> tuple[int, int, int]:
    return _int("R", R, 1), _int("m", m, 1), _int("n", n, 1)


def _memory(nbytes: float, what: str, R: int) -> None:
    if nbytes > MAX_SAMPLE_BYTES:
        max_R = max(1, int(MAX_SAMPLE_BYTES // (nbytes / R)))
        raise BadInput(
            f"R ({R}) must be <= {max_R} per call here ({what}: {nbytes / 2**20:.0f} MiB > "
            f"{MAX_SAMPLE_BYTES // 2**20} MiB); sample the trials in chunks, one SeedSequence child "
            "per chunk.",
            name="R",
        )


def _w(name: str, w: Any, d: int) -> np.ndarray:
    arr = np.asarray(w, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise BadInput(f"{name} (shape {arr.shape}) must have last axis of length d = {d}.", name=name)
    return arr


# ---------------------------------------------------------------------------------------------
# exact helpers
# ---------------------------------------------------------------------------------------------


def abs_third_moment_normal(c: Any, s: Any) -> np.ndarray:
    r"""Raw absolute third moment :math:`E|X|^3` of :math:`X \sim N(c, s^2)` in closed form.

    ``s^3 [sqrt(2/pi) (2 + mu^2) exp(-mu^2/2) + mu (mu^2 + 3)(1 - 2 Phi(-mu))]`` with ``mu = |c|/s``
    (catalog, under Definition 3.4); ``|c|^3`` when ``s = 0``.

    Parameters
    ----------
    c : array_like
        Means, any shape.
    s : array_like
        Standard deviations (>= 0), broadcastable against ``c``.

    Returns
    -------
    numpy.ndarray
        ``E|X|^3``, the broadcast shape of ``c`` and ``s``.

    Examples
    --------
    >>> round(float(abs_third_moment_normal(0.0, 1.0)), 7)   # E|Z|^3 = 2 sqrt(2/pi)
    1.5957691
    >>> float(abs_third_moment_normal(2.0, 0.0))
    8.0
    """
    c, s = np.broadcast_arrays(np.abs(np.asarray(c, dtype=float)), np.asarray(s, dtype=float))
    if np.any(s < 0):
        raise BadInput(f"s ({s.min()}) must be >= 0.", name="s")
    out = np.array(c**3, dtype=float)
    pos = s > 0
    if np.any(pos):
        sp_, mu = s[pos], c[pos] / s[pos]
        body = math.sqrt(2 / math.pi) * (2 + mu**2) * np.exp(-(mu**2) / 2) + mu * (mu**2 + 3) * (
            1 - 2 * special.ndtr(-mu)
        )
        out[pos] = sp_**3 * body
    return out


def sign_vectors(k: int) -> np.ndarray:
    """All ``2^k`` vectors of {-1, +1}^k, one per row (``k <= 20``).

    Parameters
    ----------
    k : int
        Length of the vectors (0 gives one empty row).

    Returns
    -------
    numpy.ndarray of int8, shape (2**k, k)

    Examples
    --------
    >>> sign_vectors(2).tolist()
    [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    """
    k = _int("k", k, 0)
    if k > 20:
        raise BadInput(f"k ({k}) must be <= 20 (enumeration of 2^k sign vectors).", name="k")
    idx = np.arange(2**k)[:, None]
    bits = (idx >> np.arange(k - 1, -1, -1)[None, :]) & 1
    return (2 * bits - 1).astype(np.int8)


def _filled(a: np.ndarray | None) -> np.ndarray:
    """A field whose None is only a constructor default: ``__post_init__`` has replaced it by an array."""
    assert a is not None
    return a


def _rademacher_int8(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Independent uniform signs as int8, from packed random bytes (8 signs per byte)."""
    size = int(np.prod(shape))
    bits = np.unpackbits(rng.integers(0, 256, size=(size + 7) // 8, dtype=np.uint8))[:size]
    x = bits.view(np.int8)
    x *= 2
    x -= 1
    return x.reshape(shape)


# ---------------------------------------------------------------------------------------------
# sufficient statistics
# ---------------------------------------------------------------------------------------------


def _take(a: np.ndarray | None, idx: Any, axis: int) -> np.ndarray | None:
    if a is None or a.shape[axis] == 1:
        return a
    return a[(slice(None),) * axis + (idx,)]


@dataclasses.dataclass(frozen=True, eq=False)
class QuadraticStats:
    """Per-machine statistics of a quadratic loss (Definition 3.9): ``grad F_i(w) = H_i w - b_i``.

    Attributes
    ----------
    H : numpy.ndarray or None
        Local curvatures, broadcastable to ``(R, m, d, d)``; ``None`` means the identity.
    b : numpy.ndarray, shape (R, m, d)
        Local linear terms (``b_i = -mean_j p^{i,j}``; for regression ``X_i' y_i / n``).
    byzantine : numpy.ndarray of bool, shape (R, m), optional
        Byzantine membership when it was sampled (Bernoulli model of Section 3.6), else ``None``.

    Examples
    --------
    >>> s = QuadraticStats(H=None, b=np.zeros((2, 3, 1)))
    >>> s.R, s.m, s.d, s.local_gradients(np.ones((2, 1))).shape
    (2, 3, 1, (2, 3, 1))
    """

    H: np.ndarray | None
    b: np.ndarray
    byzantine: np.ndarray | None = None
    #: ``H`` laid out for products with ``w`` (see :meth:`for_products`), shape (R, d, m * d), or None.
    Hw: np.ndarray | None = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.b.ndim != 3:
            raise BadInput(f"b (shape {self.b.shape}) must have shape (R, m, d).", name="b")
        if self.H is not None:
            R, m, d = self.b.shape
            if (
                self.H.ndim != 4
                or self.H.shape[-2:] != (d, d)
                or any(h not in (1, full) for h, full in zip(self.H.shape[:2], (R, m)))
            ):
                raise BadInput(
                    f"H (shape {self.H.shape}) must be broadcastable to (R, m, d, d) = ({R}, {m}, {d}, {d}).", name="H"
                )

    @property
    def R(self) -> int:
        """Number of trials."""
        return self.b.shape[0]

    @property
    def m(self) -> int:
        """Number of machines."""
        return self.b.shape[1]

    @property
    def d(self) -> int:
        """Dimension."""
        return self.b.shape[2]

    def for_products(self) -> QuadraticStats:
        """The same statistics, with ``H`` also stored in the layout of fast products with ``w``.

        ``local_gradients`` then computes each trial's ``m`` products ``H_i w`` as one row vector
        times a (d, m d) matrix, ``w' [H_1' ... H_m']``, whose rows are contiguous (BLAS streams them
        with vector instructions), instead of ``m d`` dot products of length ``d``: about 2x faster
        for d = 10, at the cost of one copy of ``H``. Worth it when the same statistics serve many
        iterations (Algorithm 1). The sum over ``k`` of ``H[r, i, j, k] w[r, k]`` is then done in
        another order, so results can differ from the plain layout in the last bits; they do not
        depend on R (a batched run and per-trial runs agree bit for bit in either layout).
        Statistics with a shared ``H`` (broadcast over trials or machines) are returned unchanged.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> s = QuadraticStats(H=rng.standard_normal((2, 3, 4, 4)), b=rng.standard_normal((2, 3, 4)))
        >>> w = rng.standard_normal((2, 4))
        >>> bool(np.allclose(s.for_products().local_gradients(w), s.local_gradients(w), rtol=1e-14, atol=0))
        True
        """
        H = self.H
        if H is None or self.Hw is not None or H.shape[:2] != self.b.shape[:2]:
            return self
        R, m, d = self.b.shape
        Hw = np.ascontiguousarray(H.reshape(R, m * d, d).transpose(0, 2, 1))
        return dataclasses.replace(self, Hw=Hw)

    def local_gradients(self, w: np.ndarray) -> np.ndarray:
        """``H_i w - b_i`` for every trial and machine: ``w`` (R, d) -> (R, m, d)."""
        # One BLAS matrix-vector product per trial: every trial's arithmetic is the same whatever R is,
        # so a batched run and per-trial runs agree bit for bit.
        R, m, d = self.b.shape
        if self.Hw is not None:  # unit-stride w: BLAS takes another path (other rounding) for strided vectors
            out = (np.ascontiguousarray(w)[:, None, :] @ self.Hw).reshape(R, m, d)
            return np.subtract(out, self.b, out=out)
        H = self.H
        if H is None:
            return w[:, None, :] - self.b
        if H.shape[1] == m and m > 1:
            if H.shape[0] == R:
                Hc = H if H.flags.c_contiguous else np.ascontiguousarray(H)
                out = (Hc.reshape(R, m * d, d) @ w[:, :, None]).reshape(R, m, d)
                return np.subtract(out, self.b, out=out)  # in place: one pass less
            return (H[0].reshape(m * d, d) @ w[:, :, None]).reshape(R, m, d) - self.b
        return (H[:, 0] @ w[:, :, None])[:, None, :, 0] - self.b

    def local_minimizers(self) -> np.ndarray:
        """Local ERMs ``H_i^{-1} b_i`` (Algorithm 2), shape (R, m, d); needs every ``H_i`` invertible."""
        if self.H is None:
            return self.b.copy()
        H = np.broadcast_to(self.H, self.b.shape + (self.d,))
        try:
            return np.linalg.solve(H, self.b[..., None])[..., 0]
        except np.linalg.LinAlgError:
            raise BadInput(
                "H (a local curvature) must be invertible for local ERMs (Assumption 3.7); use Model G or larger n.",
                name="H",
            ) from None

    def take(self, trials: Any) -> QuadraticStats:
        """The statistics of a subset of trials (a slice or an index array on axis 0), contiguous."""
        H = _take(self.H, trials, 0)
        return QuadraticStats(
            None if H is None else np.ascontiguousarray(H),
            np.ascontiguousarray(self.b[trials]),
            _take(self.byzantine, trials, 0),
        )

    def machines(self, idx: Any) -> QuadraticStats:
        """The statistics of a subset of machines (a slice or an index array on axis 1), contiguous."""
        H = _take(self.H, idx, 1)
        return QuadraticStats(
            None if H is None else np.ascontiguousarray(H),
            np.ascontiguousarray(self.b[:, idx]),
            _take(self.byzantine, idx, 1),
        )

    @staticmethod
    def concatenate(parts: Sequence[QuadraticStats]) -> QuadraticStats:
        """Stack the trials of several chunks (same m, d)."""
        H = (
            None
            if parts[0].H is None
            else np.concatenate([np.broadcast_to(np.asarray(p.H), p.b.shape + (p.d,)) for p in parts])
        )
        byz = None if parts[0].byzantine is None else np.concatenate([p.byzantine for p in parts])
        return QuadraticStats(H, np.concatenate([p.b for p in parts]), byz)


@dataclasses.dataclass(frozen=True, eq=False)
class NoiseStats:
    """Machine means of additive noise (Model AN): ``grad F_i(w) = grad phi(w) - zbar_i``.

    Attributes
    ----------
    zbar : numpy.ndarray, shape (R, m, d)

    Examples
    --------
    >>> NoiseStats(np.zeros((4, 5, 2))).take(slice(0, 1)).zbar.shape
    (1, 5, 2)
    """

    zbar: np.ndarray

    @property
    def R(self) -> int:
        """Number of trials."""
        return self.zbar.shape[0]

    @property
    def m(self) -> int:
        """Number of machines."""
        return self.zbar.shape[1]

    def take(self, trials: Any) -> NoiseStats:
        """The statistics of a subset of trials."""
        return NoiseStats(self.zbar[trials])

    def machines(self, idx: Any) -> NoiseStats:
        """The statistics of a subset of machines."""
        return NoiseStats(self.zbar[:, idx])


@dataclasses.dataclass(frozen=True, eq=False)
class SoftmaxStats:
    """Data shards of :class:`SoftmaxRegression`: row indices and (possibly corrupted) labels.

    Attributes
    ----------
    indices : numpy.ndarray of int, shape (R, m, n)
        Rows of the problem's ``features`` held by each machine.
    labels : numpy.ndarray of int, shape (R, m, n)
        The labels each machine uses (the true ones unless corrupted by :meth:`flip_labels`).

    Examples
    --------
    >>> s = SoftmaxStats(np.zeros((1, 2, 3), int), np.zeros((1, 2, 3), int))
    >>> s.flip_labels(1, 10).labels[0].tolist()
    [[9, 9, 9], [0, 0, 0]]
    """

    indices: np.ndarray
    labels: np.ndarray

    @property
    def R(self) -> int:
        """Number of trials."""
        return self.indices.shape[0]

    @property
    def m(self) -> int:
        """Number of machines."""
        return self.indices.shape[1]

    def take(self, trials: Any) -> SoftmaxStats:
        """The shards of a subset of trials."""
        return SoftmaxStats(self.indices[trials], self.labels[trials])

    def machines(self, idx: Any) -> SoftmaxStats:
        """The shards of a subset of machines."""
        return SoftmaxStats(self.indices[:, idx], self.labels[:, idx])

    def flip_labels(self, q: int, n_classes: int) -> SoftmaxStats:
        """Label-flip attack of Experiment 1 on the first ``q`` machines: ``y -> K - 1 - y``."""
        q = _int("q", q, 0)
        labels = self.labels.copy()
        labels[:, :q] = n_classes - 1 - labels[:, :q]
        return SoftmaxStats(self.indices, labels)


# ---------------------------------------------------------------------------------------------
# protocol
# ---------------------------------------------------------------------------------------------


@runtime_checkable
class Problem(Protocol):
    """What the simulators need from a problem (all the classes of this module satisfy it).

    ``d``; ``w_star`` (d,); ``L_F``; ``F(w)`` (..., d) -> (...); ``grad_F(w)`` (..., d) -> (..., d);
    ``local_gradients(stats, w)`` (R, d) -> (R, m, d). Algorithm 2 also needs
    ``local_minimizers(stats)`` -> (R, m, d). Optional: ``gap(w)`` (..., d) -> (...), the optimality gap
    ``F(w) - F(w*)`` computed directly (Algorithm 1's diagnostics use it when present, else ``F``), and
    statistics with ``for_products()`` (statistics laid out for many products with the same data, used by
    Algorithm 1 once per block of trials).

    Examples
    --------
    >>> isinstance(ModelE(), Problem), isinstance(object(), Problem)
    (True, False)
    """

    d: int

    @property
    def w_star(self) -> np.ndarray: ...

    @property
    def L_F(self) -> float: ...

    def F(self, w: np.ndarray) -> np.ndarray: ...

    def grad_F(self, w: np.ndarray) -> np.ndarray: ...

    def local_gradients(self, stats: Any, w: np.ndarray) -> np.ndarray: ...


class _Quadratic:
    """Population part shared by the quadratic models: F(w) = (1/2) w'H_F w + p_F'w + c_F."""

    d: int
    H_F: np.ndarray  # E[H], shape (d, d): a field of QuadraticProblem, the identity elsewhere

    @property
    def p_F(self) -> np.ndarray:
        """E[p] = -H_F w*, shape (d,)."""
        return -(self.H_F @ self.w_star)  # type: ignore[attr-defined]

    def F(self, w: Any) -> np.ndarray:
        """Population loss, batched: (..., d) -> (...)."""
        w = _w("w", w, self.d)
        e = w - self.w_star  # type: ignore[attr-defined]
        return 0.5 * np.einsum("...i,ij,...j->...", e, self.H_F, e) + self.F_star  # type: ignore[attr-defined]

    def gap(self, w: Any) -> np.ndarray:
        """Optimality gap ``F(w) - F(w*) = (1/2) (w - w*)' H_F (w - w*)``, batched: (..., d) -> (...).

        Computed directly (not as a difference of two values of ``F``) as ``(e' H_F) . e``: one BLAS
        product and a dot per row, about 10x faster than ``F``'s three-operand form on the thousands
        of iterates whose gaps Algorithm 1 records.

        Examples
        --------
        >>> p = ModelR(d=2)
        >>> float(p.gap(p.w_star + np.array([3.0, 4.0])))
        12.5
        """
        w = _w("w", w, self.d)
        e = w - self.w_star  # type: ignore[attr-defined]
        return 0.5 * np.einsum("...i,...i->...", e @ self.H_F, e)

    def grad_F(self, w: Any) -> np.ndarray:
        """Population gradient ``H_F (w - w*)``, batched: (..., d) -> (..., d)."""
        w = _w("w", w, self.d)
        return (w - self.w_star) @ self.H_F.T  # type: ignore[attr-defined]

    def local_gradients(self, stats: QuadraticStats, w: np.ndarray) -> np.ndarray:
        """Honest messages ``grad F_i(w) = H_i w - b_i``: ``w`` (R, d) -> (R, m, d)."""
        return stats.local_gradients(np.asarray(w, dtype=float))

    def local_minimizers(self, stats: QuadraticStats) -> np.ndarray:
        """Local ERMs ``argmin_w F_i(w) = H_i^{-1} b_i`` over R^d, shape (R, m, d)."""
        return stats.local_minimizers()


# ---------------------------------------------------------------------------------------------
# general quadratic
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class QuadraticProblem(_Quadratic):
    r"""A quadratic loss with fixed curvature (Definition 3.9).

    :math:`f(w; z) = \tfrac12 w^\top H_F w + (p_F + \zeta)^\top w` with
    ``zeta ~ N(0, noise^2 I_d)``, so ``H_i = H_F`` and ``b_i = -p_F - zeta_bar_i`` with
    ``zeta_bar_i ~ N(0, noise^2/n I)`` exactly. ``lambda_F`` and ``L_F`` are the extreme eigenvalues of
    ``H_F``; Var(grad f) = d noise^2, the gradient skewness is 2 sqrt(2/pi) and v = noise.

    Parameters
    ----------
    H_F : array_like, shape (d, d)
        Symmetric positive semi-definite curvature.
    w_star : array_like, shape (d,)
        The minimiser (``p_F = -H_F w_star``); needs ``H_F`` positive definite to be unique.
    noise : float
        Standard deviation of each coordinate of ``zeta`` (0 allowed).
    radius : float, optional
        Radius of W = ball(w*, radius), for ``D``.

    Examples
    --------
    >>> p = QuadraticProblem(np.diag([0.5, 1.0]), w_star=[1.0, 0.0], noise=0.0)
    >>> p.lambda_F, p.L_F, p.grad_F(np.zeros(2)).tolist()
    (0.5, 1.0, [-0.5, 0.0])
    """

    H_F: np.ndarray
    w_star: np.ndarray
    noise: float = 1.0
    radius: float | None = None

    def __post_init__(self) -> None:
        H = np.array(self.H_F, dtype=float)
        if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T) or not np.all(np.isfinite(H)):
            raise BadInput(f"H_F (shape {H.shape}) must be a finite symmetric (d, d) matrix.", name="H_F")
        eig = np.linalg.eigvalsh(H)
        if eig[0] < -1e-12 * max(1.0, eig[-1]):
            raise BadInput(f"H_F (smallest eigenvalue {eig[0]:.6g}) must be positive semi-definite.", name="H_F")
        H.setflags(write=False)
        object.__setattr__(self, "H_F", H)
        object.__setattr__(self, "w_star", _vector("w_star", self.w_star, H.shape[0]))
        object.__setattr__(self, "noise", _pos("noise", self.noise, allow_zero=True))
        if self.radius is not None:
            object.__setattr__(self, "radius", _pos("radius", self.radius))

    @property
    def d(self) -> int:  # type: ignore[override]
        """Dimension."""
        return self.H_F.shape[0]

    @property
    def lambda_F(self) -> float:
        """Strong-convexity constant (smallest eigenvalue of H_F)."""
        return float(np.linalg.eigvalsh(self.H_F)[0])

    @property
    def L_F(self) -> float:
        """Smoothness constant (largest eigenvalue of H_F)."""
        return float(np.linalg.eigvalsh(self.H_F)[-1])

    @property
    def F_star(self) -> float:
        """F(w*) (with c_F = 0 and zero-mean noise): -(1/2) w*'H_F w*."""
        return float(-0.5 * self.w_star @ self.H_F @ self.w_star)

    def constants(self) -> dict[str, float]:
        """Registry parameters: ``d, L_F, lambda_F, L_hat, V, S, v`` (and ``D`` when a radius is set)."""
        out = {
            "d": self.d,
            "L_F": self.L_F,
            "lambda_F": self.lambda_F,
            "L_hat": float(np.sqrt(np.sum(self.H_F**2))),  # L_k = ||row k of H_F||_2
            "V": math.sqrt(self.d) * self.noise,
            "S": _GAUSS_SKEW,
            "v": self.noise,
        }
        if self.radius is not None:
            out["D"] = 2 * self.radius
        return out

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int) -> QuadraticStats:
        """Exact machine statistics: ``H_i = H_F`` (shared), ``b_i = H_F w* - zeta_bar_i``.

        Returns
        -------
        QuadraticStats
            ``H`` of shape (1, 1, d, d) and ``b`` of shape (R, m, d).
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        _memory(8.0 * R * m * self.d, "b", R)
        b = self.H_F @ self.w_star + self.noise / math.sqrt(n) * rng.standard_normal((R, m, self.d))
        return QuadraticStats(np.array(self.H_F)[None, None], b)


# ---------------------------------------------------------------------------------------------
# Model R
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ModelR(_Quadratic):
    r"""Least squares with Rademacher features (Propositions 3.1 and 3.2; catalog Model R).

    ``x`` uniform on {-1, +1}^d, ``y = x'w* + xi`` with ``xi ~ N(0, sigma^2)``, ``f = (y - x'w)^2/2``.
    Then ``F(w) = ||w - w*||^2/2 + sigma^2/2``, ``grad F(w) = w - w*``, ``lambda_F = L_F = 1``,
    ``L_k = sqrt(d)``, ``L_hat = L = d``; on W = ball(w*, r): ``D = 2r``,
    ``V^2 = (d-1) r^2 + d sigma^2``, ``v = sqrt(sigma^2 + r^2)``.
    The skewness bound ``S`` is 480 as printed (``S_proof = sqrt(480)`` is what the proof's chain
    gives, ``S_tight = 2 sqrt(2/pi)`` the catalog's sharp-Khintchine value [NOTE], attained at w*).

    Parameters
    ----------
    d : int
        Dimension (>= 1).
    sigma : float
        Noise standard deviation (>= 0; 0 gives a noiseless problem).
    radius : float
        Radius r of W = ball(w*, r).
    w_star : array_like, shape (d,), optional
        The regression vector (zeros by default).

    Examples
    --------
    >>> p = ModelR(d=2, sigma=1.0, radius=1.0)
    >>> c = p.constants(skewness="tight")
    >>> c["D"], round(c["V"]**2, 12), c["L_hat"], round(c["S"], 7)
    (2.0, 3.0, 2.0, 1.5957691)
    >>> p.sample(np.random.default_rng(0), R=3, m=5, n=10).H.shape
    (3, 5, 2, 2)
    """

    d: int = 2
    sigma: float = 1.0
    radius: float = 1.0
    w_star: np.ndarray | None = None

    lambda_F = 1.0
    L_F = 1.0

    @property
    def H_F(self) -> np.ndarray:  # type: ignore[override]
        """E[H] = I_d."""
        return np.eye(self.d)

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", _int("d", self.d, 1, " (Model R)"))
        object.__setattr__(self, "sigma", _pos("sigma", self.sigma, allow_zero=True, where=" (Model R)"))
        object.__setattr__(self, "radius", _pos("radius", self.radius, where=" (Model R)"))
        ws = np.zeros(self.d) if self.w_star is None else self.w_star
        object.__setattr__(self, "w_star", _vector("w_star", ws, self.d))

    @property
    def F_star(self) -> float:
        """F(w*) = sigma^2 / 2."""
        return 0.5 * self.sigma**2

    @property
    def L_k(self) -> float:
        """Lipschitz constant of each partial derivative: sqrt(d)."""
        return math.sqrt(self.d)

    @property
    def L_hat(self) -> float:
        """sqrt(sum_k L_k^2) = d."""
        return float(self.d)

    @property
    def D(self) -> float:
        """Diameter 2r of W = ball(w*, r)."""
        return 2.0 * self.radius

    @property
    def V(self) -> float:
        """sqrt((d-1) r^2 + d sigma^2): the sup of sqrt(Var(grad f)) over W (Proposition 3.1)."""
        return math.sqrt((self.d - 1) * self.radius**2 + self.d * self.sigma**2)

    @property
    def v(self) -> float:
        """sqrt(sigma^2 + r^2): sub-exponential parameter on W (Proposition 3.2)."""
        return math.sqrt(self.sigma**2 + self.radius**2)

    S = 480.0
    S_proof = math.sqrt(480.0)
    S_tight = _GAUSS_SKEW

    def constants(self, skewness: str = "text") -> dict[str, float]:
        """Registry parameters ``d, D, L_hat, L_F, lambda_F, V, S, v``.

        Parameters
        ----------
        skewness : {"text", "proof", "tight"}
            Which S: 480 (as printed), sqrt(480) (the proof's chain) or 2 sqrt(2/pi) (catalog [NOTE]).
        """
        S = {"text": self.S, "proof": self.S_proof, "tight": self.S_tight}.get(skewness)
        if S is None:
            raise BadInput(f"skewness ({skewness!r}) must be 'text', 'proof' or 'tight'.", name="skewness")
        return {
            "d": self.d,
            "D": self.D,
            "L_hat": self.L_hat,
            "L_F": self.L_F,
            "lambda_F": self.lambda_F,
            "V": self.V,
            "S": S,
            "v": self.v,
        }

    # -- exact moments of the gradient noise (Proposition 3.1, item 39) --------------------------

    def _conditional_means(self, w: Any) -> np.ndarray:
        """c[..., s, k] = sum_{i != k} x_i a_i over the 2^(d-1) sign vectors x of the other coordinates."""
        a = _w("w", w, self.d) - self.w_star
        d = self.d
        if d > 16:
            raise BadInput(f"d ({d}) must be <= 16 for exact enumeration (2^(d-1) sign vectors).", name="d")
        others = np.array([[i for i in range(d) if i != k] for k in range(d)], dtype=int).reshape(d, d - 1)
        a_minus = a[..., others]  # (..., d, d-1)
        return np.einsum("sj,...kj->...sk", sign_vectors(d - 1).astype(float), a_minus)

    def coordinate_variance(self, w: Any) -> np.ndarray:
        r"""Exact :math:`\sigma_k^2(w) = \mathrm{Var}(\partial_k f(w; z))` by enumeration, (..., d) -> (..., d).

        Enumerates the ``2^(d-1)`` signs of the other coordinates (``|Delta_k| = |sum_{i != k} x_i a_i
        - xi|``) and integrates ``xi`` analytically. Equals ``||w - w*||^2 - (w_k - w*_k)^2 + sigma^2``
        (3.8).

        Examples
        --------
        >>> ModelR(d=3, sigma=0.5).coordinate_variance([1.0, 2.0, 0.0]).tolist()
        [4.25, 1.25, 5.25]
        """
        c = self._conditional_means(w)
        return np.mean(c**2, axis=-2) + self.sigma**2

    def gradient_variance(self, w: Any) -> np.ndarray:
        """Exact Var(grad f(w; z)) = sum_k sigma_k^2(w) by enumeration, (..., d) -> (...).

        Examples
        --------
        >>> float(ModelR(d=3, sigma=0.5).gradient_variance([1.0, 2.0, 0.0]))   # (d-1)*5 + d/4
        10.75
        """
        return np.sum(self.coordinate_variance(w), axis=-1)

    def coordinate_skewness(self, w: Any) -> np.ndarray:
        r"""Exact absolute skewness :math:`\gamma_k(w) = \gamma(\partial_k f(w; z))`, (..., d) -> (..., d).

        ``E|Delta_k|^3`` is the average over the ``2^(d-1)`` sign vectors of ``E|N(c, sigma^2)|^3``
        (:func:`abs_third_moment_normal`). Undefined (nan) where the variance is 0.

        Examples
        --------
        >>> round(float(ModelR(d=2, sigma=1.0).coordinate_skewness([0.0, 0.0])[0]), 7)
        1.5957691
        """
        c = self._conditional_means(w)
        third = np.mean(abs_third_moment_normal(c, self.sigma), axis=-2)
        var = np.mean(c**2, axis=-2) + self.sigma**2
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(var > 0, third / np.where(var > 0, var, 1.0) ** 1.5, np.nan)

    # -- sampling ---------------------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int, *, method: str = "auto") -> QuadraticStats:
        """Draw ``H_i = X_i'X_i/n`` (R, m, d, d) and ``b_i = X_i'y_i/n`` (R, m, d) for R trials.

        Parameters
        ----------
        rng : numpy.random.Generator
        R, m, n : int
            Trials, machines, samples per machine.
        method : {"auto", "direct", "d2"}
            ``direct`` draws the int8 features X (R, m, n, d) and the noise, then forms the
            statistics in float64 chunks of trials; ``d2`` (d = 2 only) is the catalog's exact cheap
            sampler ``H_i = [[1, h], [h, 1]]``, ``h = (2 Binomial(n, 1/2) - n)/n``,
            ``X'xi/n | H_i ~ N(0, sigma^2 H_i / n)``; ``auto`` uses ``d2`` when d = 2.

        Returns
        -------
        QuadraticStats

        Examples
        --------
        >>> s = ModelR(d=3).sample(np.random.default_rng(1), R=2, m=4, n=8)
        >>> bool(np.all(np.diagonal(s.H, axis1=-2, axis2=-1) == 1.0))
        True
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        if method == "auto":
            method = "d2" if self.d == 2 else "direct"
        if method == "d2":
            return self._sample_d2(rng, R, m, n)
        if method != "direct":
            raise BadInput(f"method ({method!r}) must be 'auto', 'direct' or 'd2'.", name="method")
        d = self.d
        _memory(1.0 * R * m * n * d + 8.0 * R * m * n, "the int8 features and the noise", R)
        _memory(8.0 * R * m * d * d, "H", R)
        X = _rademacher_int8(rng, (R, m, n, d))
        xi = self.sigma * rng.standard_normal((R, m, n))
        H = np.empty((R, m, d, d))
        b = np.empty((R, m, d))
        step = max(1, _CHUNK_BYTES // (8 * m * n * d))
        for lo in range(0, R, step):
            Xf = X[lo : lo + step].astype(np.float64)
            Xt = np.swapaxes(Xf, -1, -2)
            y = Xf @ _filled(self.w_star) + xi[lo : lo + step]
            H[lo : lo + step] = (Xt @ Xf) / n
            b[lo : lo + step] = (Xt @ y[..., None])[..., 0] / n
        return QuadraticStats(H, b)

    def _sample_d2(self, rng: np.random.Generator, R: int, m: int, n: int) -> QuadraticStats:
        if self.d != 2:
            raise BadInput(f"d ({self.d}) must be 2 for method 'd2'.", name="d")
        _memory(8.0 * R * m * 6, "H and b", R)
        h = (2.0 * rng.binomial(n, 0.5, size=(R, m)) - n) / n
        zeta = rng.standard_normal((R, m, 2))
        H = np.empty((R, m, 2, 2))
        H[..., 0, 0] = H[..., 1, 1] = 1.0
        H[..., 0, 1] = H[..., 1, 0] = h
        # Cholesky factor of H_i: [[1, 0], [h, sqrt(1 - h^2)]]
        noise = np.empty((R, m, 2))
        noise[..., 0] = zeta[..., 0]
        noise[..., 1] = h * zeta[..., 0] + np.sqrt(np.maximum(1.0 - h**2, 0.0)) * zeta[..., 1]
        b = H @ _filled(self.w_star) + (self.sigma / math.sqrt(n)) * noise
        return QuadraticStats(H, b)


# ---------------------------------------------------------------------------------------------
# Model G
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ModelG(_Quadratic):
    r"""Least squares with Gaussian features (Proposition 3.3, Theorem 3.7; catalog Model G).

    ``x ~ N(0, I_d)``, ``y = x'w* + xi``, ``xi ~ N(0, sigma^2)``. Same F as Model R;
    ``Var(grad f) = (d+1)||w - w*||^2 + d sigma^2``, skewness bound 429 (printed). The features are
    unbounded, so ``L_hat = inf`` and Assumption 3.1 fails (the model serves Theorem 3.7 and
    Assumptions 3.2-3.3 only). One-round constants: ``sigma_tilde = sigma sqrt(d)``, ``||p_F|| = ||w*||``.

    Parameters
    ----------
    d : int
    sigma : float
        Noise standard deviation (> 0).
    radius : float, optional
        Radius of W = ball(w*, r) for ``D`` and ``V`` (Algorithm 2 itself uses W = R^d).
    w_star : array_like, shape (d,), optional

    Examples
    --------
    >>> p = ModelG(d=2, sigma=1.0)
    >>> s = p.sample(np.random.default_rng(0), R=2, m=3, n=50)
    >>> p.local_minimizers(s).shape, round(p.sigma_tilde, 6)
    ((2, 3, 2), 1.414214)
    """

    d: int = 2
    sigma: float = 1.0
    radius: float | None = None
    w_star: np.ndarray | None = None

    lambda_F = 1.0
    L_F = 1.0
    L_hat = math.inf
    S = 429.0
    S_proof = math.sqrt(243 * 755)

    @property
    def H_F(self) -> np.ndarray:  # type: ignore[override]
        """E[H] = I_d."""
        return np.eye(self.d)

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", _int("d", self.d, 1, " (Model G)"))
        object.__setattr__(self, "sigma", _pos("sigma", self.sigma, where=" (Model G)"))
        if self.radius is not None:
            object.__setattr__(self, "radius", _pos("radius", self.radius, where=" (Model G)"))
        ws = np.zeros(self.d) if self.w_star is None else self.w_star
        object.__setattr__(self, "w_star", _vector("w_star", ws, self.d))

    @property
    def F_star(self) -> float:
        """F(w*) = sigma^2 / 2."""
        return 0.5 * self.sigma**2

    @property
    def sigma_tilde(self) -> float:
        """One-round noise level of Theorem 3.7: sigma sqrt(d)."""
        return self.sigma * math.sqrt(self.d)

    def C_tilde(self, n: float) -> float:
        """Berry-Esseen constant C-tilde of Theorem 3.7 (via ``boundlab.bounds.quadratic_model_constants``)."""
        from boundlab.bounds import quadratic_model_constants

        return float(
            quadratic_model_constants(
                "G", n=n, d=self.d, sigma=self.sigma, w_star_norm=float(np.linalg.norm(_filled(self.w_star)))
            )["C_tilde"]
        )

    def constants(self) -> dict[str, float]:
        """Registry parameters ``d, L_F, lambda_F, L_hat (inf), S, sigma_tilde`` (``D, V`` with a radius)."""
        out = {
            "d": self.d,
            "L_F": self.L_F,
            "lambda_F": self.lambda_F,
            "L_hat": self.L_hat,
            "S": self.S,
            "sigma_tilde": self.sigma_tilde,
        }
        if self.radius is not None:
            out["D"] = 2 * self.radius
            out["V"] = math.sqrt((self.d + 1) * self.radius**2 + self.d * self.sigma**2)
        return out

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int, *, method: str = "wishart") -> QuadraticStats:
        """Draw ``H_i = X_i'X_i/n`` and ``b_i = X_i'y_i/n`` exactly.

        ``method="wishart"`` (cost independent of n): Bartlett decomposition ``n H_i = A A'`` with
        ``A`` lower triangular, ``A_jj^2 ~ chi^2(n - j)`` (j = 0..d-1), ``A_jl ~ N(0, 1)`` below the
        diagonal, so ``n H_i ~ Wishart(n, I_d)``; and ``X_i'xi_i | H_i ~ N(0, sigma^2 A A')`` gives
        ``b_i = H_i w* + sigma A zeta / n``. Hence the local ERM satisfies
        ``w_i - w* | H_i ~ N(0, sigma^2 (n H_i)^{-1})``. ``method="direct"`` draws X (R, m, n, d).

        Returns
        -------
        QuadraticStats

        Examples
        --------
        >>> s = ModelG(d=3).sample(np.random.default_rng(0), R=1, m=2, n=40)
        >>> bool(np.all(np.linalg.eigvalsh(s.H) > 0))
        True
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        d = self.d
        if method == "direct":
            _memory(8.0 * R * m * n * (d + 1), "the Gaussian features", R)
            X = rng.standard_normal((R, m, n, d))
            y = X @ _filled(self.w_star) + self.sigma * rng.standard_normal((R, m, n))
            Xt = np.swapaxes(X, -1, -2)
            return QuadraticStats((Xt @ X) / n, (Xt @ y[..., None])[..., 0] / n)
        if method != "wishart":
            raise BadInput(f"method ({method!r}) must be 'wishart' or 'direct'.", name="method")
        if n < d:
            raise BadInput(f"n ({n}) must be >= d ({d}) for invertible H_i (Assumption 3.7).", name="n")
        _memory(8.0 * R * m * d * d * 3, "the Bartlett factors", R)
        A = np.zeros((R, m, d, d))
        diag = np.sqrt(rng.chisquare(n - np.arange(d), size=(R, m, d)))
        A[..., np.arange(d), np.arange(d)] = diag
        rows, cols = np.tril_indices(d, -1)
        A[..., rows, cols] = rng.standard_normal((R, m, rows.size))
        zeta = rng.standard_normal((R, m, d))
        H = (A @ np.swapaxes(A, -1, -2)) / n
        b = H @ _filled(self.w_star) + (self.sigma / n) * (A @ zeta[..., None])[..., 0]
        return QuadraticStats(H, b)


# ---------------------------------------------------------------------------------------------
# Model E
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class ModelE(_Quadratic):
    r"""One-dimensional mean estimation with Exp(1) data (catalog Model E).

    ``f(w; z) = (w - z)^2/2``, ``z ~ Exp(1)``: ``grad F(w) = w - 1``, ``w* = 1``, ``sigma = 1``,
    ``gamma = 12/e - 2``, ``v = 1.5``, ``L_hat = L_F = lambda_F = 1``. Machine means are exactly
    ``Gamma(n, scale 1/n)``. As a quadratic: ``H = 1``, ``p = -z``.

    Parameters
    ----------
    radius : float
        Radius of W = [1 - r, 1 + r] (``D = 2r``).

    Examples
    --------
    >>> p = ModelE()
    >>> round(p.S, 7), p.w_star.tolist(), round(p.skewness_floor(10), 7)
    (2.4145533, [1.0], 0.0331285)
    """

    radius: float = 1.0

    d = 1
    lambda_F = 1.0
    L_F = 1.0
    L_hat = 1.0
    V = 1.0
    S = _EXP_SKEW
    v = _EXP_V
    sigma = 1.0

    @property
    def H_F(self) -> np.ndarray:  # type: ignore[override]
        """E[H] = I_d."""
        return np.eye(self.d)

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius", _pos("radius", self.radius, where=" (Model E)"))

    @property
    def w_star(self) -> np.ndarray:
        """[1.0]."""
        return np.ones(1)

    @property
    def F_star(self) -> float:
        """F(w*) = Var(z)/2 = 1/2."""
        return 0.5

    @property
    def D(self) -> float:
        """Diameter 2r."""
        return 2.0 * self.radius

    def constants(self) -> dict[str, float]:
        """Registry parameters ``d, D, L_hat, L_F, lambda_F, V, S, v`` (and ``sigma``, ``gamma``)."""
        return {
            "d": 1,
            "D": self.D,
            "L_hat": 1.0,
            "L_F": 1.0,
            "lambda_F": 1.0,
            "V": 1.0,
            "S": self.S,
            "v": self.v,
            "sigma": 1.0,
            "gamma": self.S,
        }

    @staticmethod
    def skewness_floor(n: int) -> float:
        """``1 - median(Gamma(n, 1/n))``: the median's error as m -> infinity with alpha = 0 (about 1/(3n))."""
        n = _int("n", n, 1)
        return float(1.0 - sps.gamma.median(n, scale=1.0 / n))

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int, *, method: str = "gamma") -> QuadraticStats:
        """Machine means ``zbar_i ~ Gamma(n, scale 1/n)`` (``method="direct"`` averages n Exp(1) draws).

        Returns
        -------
        QuadraticStats
            ``H = None`` (identity) and ``b = zbar`` of shape (R, m, 1).

        Examples
        --------
        >>> ModelE().sample(np.random.default_rng(0), R=2, m=3, n=5).b.shape
        (2, 3, 1)
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        if method == "gamma":
            _memory(8.0 * R * m, "the machine means", R)
            zbar = rng.gamma(n, 1.0 / n, size=(R, m, 1))
        elif method == "direct":
            _memory(8.0 * R * m * n, "the Exp(1) data", R)
            zbar = rng.exponential(size=(R, m, n)).mean(axis=-1)[..., None]
        else:
            raise BadInput(f"method ({method!r}) must be 'gamma' or 'direct'.", name="method")
        return QuadraticStats(None, zbar)


# ---------------------------------------------------------------------------------------------
# Gaussian mean estimation (Section 3.6)
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class GaussianMean(_Quadratic):
    r"""Gaussian mean estimation (3.6): ``z ~ N(mu, sigma^2 I_d)``, ``f(w; z) = ||w - z||^2/2``.

    ``grad F(w) = w - mu``, ``w* = mu``; machine means are exactly ``N(mu, sigma^2/n I)``. With
    ``alpha`` the Byzantine membership of each machine is Bernoulli(alpha) (Observation 3.1).

    Parameters
    ----------
    d : int
    sigma : float
    mu : array_like, shape (d,), optional
        The mean (zeros by default).

    Examples
    --------
    >>> p = GaussianMean(d=1, sigma=1.0)
    >>> round(p.lower_bound_separation(n=100, alpha=0.1), 7)
    0.0279421
    """

    d: int = 1
    sigma: float = 1.0
    mu: np.ndarray | None = None

    lambda_F = 1.0
    L_F = 1.0

    @property
    def H_F(self) -> np.ndarray:  # type: ignore[override]
        """E[H] = I_d."""
        return np.eye(self.d)

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", _int("d", self.d, 1))
        object.__setattr__(self, "sigma", _pos("sigma", self.sigma))
        object.__setattr__(self, "mu", _vector("mu", np.zeros(self.d) if self.mu is None else self.mu, self.d))

    @property
    def w_star(self) -> np.ndarray:
        """The mean mu."""
        return _filled(self.mu)

    @property
    def F_star(self) -> float:
        """F(mu) = d sigma^2 / 2."""
        return 0.5 * self.d * self.sigma**2

    def constants(self) -> dict[str, float]:
        """``d, L_F, lambda_F, L_hat (= sqrt(d)), V (= sigma sqrt(d)), S (= 2 sqrt(2/pi)), v (= sigma)``."""
        return {
            "d": self.d,
            "L_F": 1.0,
            "lambda_F": 1.0,
            "L_hat": math.sqrt(self.d),
            "V": self.sigma * math.sqrt(self.d),
            "S": _GAUSS_SKEW,
            "v": self.sigma,
        }

    def lower_bound_separation(self, n: int, alpha: float) -> float:
        """Exact two-point separation of Observation 3.1: ``(2 sigma/sqrt(n)) Phi^{-1}(1/(2(1-alpha)))`` [NOTE]."""
        n = _int("n", n, 1)
        a = _pos("alpha", alpha, allow_zero=True)
        if a >= 0.5:
            raise BadInput(f"alpha ({alpha}) must be < 1/2 (Observation 3.1).", name="alpha")
        return float(2 * self.sigma / math.sqrt(n) * special.ndtri(1 / (2 * (1 - a))))

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int, *, alpha: float | None = None) -> QuadraticStats:
        """Machine means ``N(mu, sigma^2/n I)`` (R, m, d); with ``alpha`` also a Bernoulli(alpha) mask (R, m).

        Examples
        --------
        >>> s = GaussianMean(d=2).sample(np.random.default_rng(0), R=3, m=4, n=10, alpha=0.25)
        >>> s.b.shape, s.byzantine.shape, s.byzantine.dtype
        ((3, 4, 2), (3, 4), dtype('bool'))
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        _memory(8.0 * R * m * self.d, "the machine means", R)
        zbar = _filled(self.mu) + (self.sigma / math.sqrt(n)) * rng.standard_normal((R, m, self.d))
        byz = None
        if alpha is not None:
            a = _pos("alpha", alpha, allow_zero=True)
            if a >= 0.5:
                raise BadInput(f"alpha ({alpha}) must be < 1/2 (Section 3.6).", name="alpha")
            byz = rng.random((R, m)) < a
        return QuadraticStats(None, zbar, byz)


# ---------------------------------------------------------------------------------------------
# Model AN
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _cos_minimiser(a: float) -> float:
    """Positive root of w = a sin(w) in (0, pi) (a > 1): the per-coordinate minimiser of w^2/2 + a cos w."""
    return float(optimize.brentq(lambda w: w - a * math.sin(w), 1e-9, math.pi, xtol=1e-15))


def _bounded_minimiser(a: float) -> float:
    """Positive root of tanh(w) = a sin(w) in (pi/2, pi) (a > 1): the minimiser of log cosh w + a cos w."""
    return float(optimize.brentq(lambda w: math.tanh(w) - a * math.sin(w), math.pi / 2, math.pi, xtol=1e-15))


def _logcosh(u: np.ndarray) -> np.ndarray:
    u = np.abs(u)
    return u + np.log1p(np.exp(-2 * u)) - math.log(2.0)


@dataclasses.dataclass(frozen=True, eq=False)
class ModelAN:
    r"""Additive noise: ``f(w; z) = phi(w) - <z, w>`` with ``E z = 0`` and i.i.d. coordinates (catalog Model AN).

    ``grad F_i(w) = grad phi(w) - zbar_i`` and ``F = phi``. Potentials:

    * ``"logcosh"``: ``phi(w) = sum_k log cosh(w_k - c_k)``, convex, not strongly convex; ``w* = c``,
      ``F* = 0``, ``L_k = 1``, ``L_hat = sqrt(d)``, ``L_F = 1``, ``lambda_F = 0``.
    * ``"bounded"``: ``phi(w) = sum_k (log cosh w_k + a cos w_k)``, ``a > 1``, non-convex with a bounded
      gradient (``M = (1 + a) sqrt(d)`` on all of R^d, so Assumption 3.5 can hold for a large enough
      ball); ``L_k = L_F = 1 + a``; minimisers ``+-w0`` per coordinate with ``tanh w0 = a sin w0``.
    * ``"cos"``: ``phi(w) = sum_k (w_k^2/2 + a cos w_k)``, ``a > 1``, non-convex; ``L_k = L_F = 1 + a``,
      ``L_hat = (1 + a) sqrt(d)``; the minimisers are ``+-w0`` per coordinate with ``w0 = a sin w0``
      (``w_star`` returns the all-positive one). For a = 3: w0 = 2.2788626, F* = 0.6455091 d.

    Noise (scale ``s``): ``"gaussian"`` N(0, s^2) (``S = 2 sqrt(2/pi)``, ``v = s``) or ``"exp"``
    ``s (Exp(1) - 1)`` (``S = 12/e - 2``, ``v = 1.5 s``); ``V = s sqrt(d)``. Machine means are exact
    (Normal, or shifted Gamma(n, 1/n)).

    Parameters
    ----------
    d : int
    phi : {"logcosh", "cos"}
    noise : {"gaussian", "exp"}
    noise_scale : float
    a : float
        Cosine amplitude (``phi="cos"``, > 1).
    c : array_like, shape (d,), optional
        Log-cosh centre (zeros by default).
    radius : float, optional
        Radius of W = ball(w*, r): gives ``D = 2r`` and a bound ``M`` on ||grad F|| over W.

    Examples
    --------
    >>> p = ModelAN(d=1, phi="cos", a=3.0)
    >>> round(float(p.w_star[0]), 8), round(p.F_star, 7)
    (2.27886266, 0.6455091)
    """

    d: int = 2
    phi: str = "logcosh"
    noise: str = "gaussian"
    noise_scale: float = 1.0
    a: float = 3.0
    c: np.ndarray | None = None
    radius: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "d", _int("d", self.d, 1, " (Model AN)"))
        if self.phi not in ("logcosh", "cos", "bounded"):
            raise BadInput(f"phi ({self.phi!r}) must be 'logcosh', 'cos' or 'bounded'.", name="phi")
        if self.noise not in ("gaussian", "exp"):
            raise BadInput(f"noise ({self.noise!r}) must be 'gaussian' or 'exp'.", name="noise")
        object.__setattr__(self, "noise_scale", _pos("noise_scale", self.noise_scale))
        a = _pos("a", self.a)
        if self.phi in ("cos", "bounded") and a <= 1:
            raise BadInput(f"a ({self.a}) must be > 1 (non-convex Model AN).", name="a")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "c", _vector("c", np.zeros(self.d) if self.c is None else self.c, self.d))
        if self.radius is not None:
            object.__setattr__(self, "radius", _pos("radius", self.radius))

    @property
    def w_star(self) -> np.ndarray:
        """A global minimiser of F (c; or w0 * ones for the cosine potential)."""
        if self.phi == "logcosh":
            return self.c  # type: ignore[return-value]
        if self.phi == "bounded":
            return np.full(self.d, _bounded_minimiser(self.a))
        return np.full(self.d, _cos_minimiser(self.a))

    @property
    def F_star(self) -> float:
        """min F."""
        if self.phi == "logcosh":
            return 0.0
        if self.phi == "bounded":
            w0 = _bounded_minimiser(self.a)
            return self.d * (float(_logcosh(np.asarray(w0))) + self.a * math.cos(w0))
        w0 = _cos_minimiser(self.a)
        return self.d * (0.5 * w0**2 + self.a * math.cos(w0))

    @property
    def L_F(self) -> float:
        """Smoothness of F: 1 (log-cosh) or 1 + a (cosine)."""
        return 1.0 if self.phi == "logcosh" else 1.0 + self.a

    @property
    def lambda_F(self) -> float:
        """0 for log-cosh (convex only); nan for the non-convex cosine potential."""
        return 0.0 if self.phi == "logcosh" else math.nan

    @property
    def L_hat(self) -> float:
        """sqrt(d) L_k."""
        return math.sqrt(self.d) * self.L_F

    @property
    def S(self) -> float:
        """Absolute skewness of one noise coordinate."""
        return _GAUSS_SKEW if self.noise == "gaussian" else _EXP_SKEW

    @property
    def V(self) -> float:
        """s sqrt(d)."""
        return self.noise_scale * math.sqrt(self.d)

    @property
    def v(self) -> float:
        """Sub-exponential parameter of one noise coordinate: s or 1.5 s."""
        return self.noise_scale * (1.0 if self.noise == "gaussian" else _EXP_V)

    def constants(self) -> dict[str, float]:
        """Registry parameters ``d, L_hat, L_F, lambda_F (log-cosh), V, S, v`` and ``D, M`` with a radius.

        ``M`` is an upper bound of sup_W ||grad F||: ``min(sqrt(d), r)`` (log-cosh, |tanh| <= 1 and
        1-Lipschitz) or ``(1 + a) r`` (cosine, grad F(w*) = 0).
        """
        out = {"d": self.d, "L_hat": self.L_hat, "L_F": self.L_F, "V": self.V, "S": self.S, "v": self.v}
        if self.phi == "logcosh":
            out["lambda_F"] = 0.0
        if self.radius is not None:
            out["D"] = 2 * self.radius
            out["M"] = (
                min(math.sqrt(self.d), self.radius)
                if self.phi == "logcosh"
                else (1 + self.a) * math.sqrt(self.d)
                if self.phi == "bounded"
                else (1 + self.a) * self.radius
            )
        elif self.phi == "bounded":
            out["M"] = (1 + self.a) * math.sqrt(self.d)
        return out

    def F(self, w: Any) -> np.ndarray:
        """phi(w), batched: (..., d) -> (...)."""
        w = _w("w", w, self.d)
        if self.phi == "logcosh":
            return np.sum(_logcosh(w - self.c), axis=-1)
        if self.phi == "bounded":
            return np.sum(_logcosh(w) + self.a * np.cos(w), axis=-1)
        return np.sum(0.5 * w**2 + self.a * np.cos(w), axis=-1)

    def grad_F(self, w: Any) -> np.ndarray:
        """grad phi(w), batched: (..., d) -> (..., d)."""
        w = _w("w", w, self.d)
        if self.phi == "logcosh":
            return np.tanh(w - self.c)
        if self.phi == "bounded":
            return np.tanh(w) - self.a * np.sin(w)
        return w - self.a * np.sin(w)

    def local_gradients(self, stats: NoiseStats, w: np.ndarray) -> np.ndarray:
        """``grad phi(w) - zbar_i``: ``w`` (R, d) -> (R, m, d)."""
        return self.grad_F(w)[:, None, :] - stats.zbar

    def local_minimizers(self, stats: NoiseStats) -> np.ndarray:
        """Local ERMs over R^d for log-cosh: ``c + artanh(zbar_i)`` (nan where |zbar_i| >= 1: no minimiser)."""
        if self.phi != "logcosh":
            raise BadInput(f"phi ({self.phi!r}) must be 'logcosh' for local ERMs (unique minimiser).", name="phi")
        z = stats.zbar
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.abs(z) < 1, self.c + np.arctanh(np.clip(z, -0.999999, 0.999999)), np.nan)

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int) -> NoiseStats:
        """Exact machine means of the noise, shape (R, m, d).

        Examples
        --------
        >>> ModelAN(d=3, noise="exp").sample(np.random.default_rng(0), R=2, m=5, n=7).zbar.shape
        (2, 5, 3)
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        _memory(8.0 * R * m * self.d, "the machine means", R)
        if self.noise == "gaussian":
            zbar = (self.noise_scale / math.sqrt(n)) * rng.standard_normal((R, m, self.d))
        else:
            zbar = self.noise_scale * (rng.gamma(n, 1.0 / n, size=(R, m, self.d)) - 1.0)
        return NoiseStats(zbar)


# ---------------------------------------------------------------------------------------------
# softmax regression
# ---------------------------------------------------------------------------------------------


def _softmax_parts(X: np.ndarray, W: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy and its gradient in W for features X (..., N, p), weights W (..., p, K)."""
    logits = X @ W
    logits = logits - logits.max(axis=-1, keepdims=True)
    lse = np.log(np.sum(np.exp(logits), axis=-1))
    idx = np.broadcast_to(y[..., None], logits.shape[:-1] + (1,))
    picked = np.take_along_axis(logits, idx, axis=-1)[..., 0]
    loss = np.mean(lse - picked, axis=-1)
    P = np.exp(logits - lse[..., None])
    np.put_along_axis(P, idx, np.take_along_axis(P, idx, axis=-1) - 1.0, axis=-1)
    grad = (np.swapaxes(X, -1, -2) @ P) / X.shape[-2]
    return loss, grad


@dataclasses.dataclass(frozen=True, eq=False)
class SoftmaxRegression:
    r"""Multi-class logistic (softmax) regression on given arrays (Experiments 1-2 analogs).

    ``w`` is the flattened (p, K) weight matrix, ``d = p K``; ``f(w; x, y) = -log softmax(x'W)_y +
    (l2/2)||w||^2``. Append a constant column to ``features`` for a bias. **Population quantities are
    empirical**: ``F``, ``grad_F``, ``w_star`` (minimised numerically with L-BFGS) and the constants
    are computed on the given population sample (``population_features``/``labels``, by default the
    training arrays). ``L_F = lambda_max(X'X/N)/2 + l2`` (the softmax Hessian is <= I/2 per sample)
    and ``lambda_F = l2`` are bounds, not exact values. Use ``l2 > 0`` for a unique ``w_star``.

    Parameters
    ----------
    features : array_like, shape (N, p)
    labels : array_like of int, shape (N,)
    n_classes : int, optional
        K (default: max label + 1).
    l2 : float
        Ridge coefficient (>= 0).
    population_features, population_labels : array_like, optional
        The sample on which F, grad F and w* are evaluated.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]]); y = np.array([0, 0, 1, 1])
    >>> p = SoftmaxRegression(X, y, l2=0.1)
    >>> p.d, bool(np.linalg.norm(p.grad_F(p.w_star)) < 1e-6)
    (4, True)
    >>> s = p.sample(np.random.default_rng(0), R=2, m=2, n=2)
    >>> p.local_gradients(s, np.zeros((2, 4))).shape
    (2, 2, 4)
    """

    features: np.ndarray
    labels: np.ndarray
    n_classes: int | None = None
    l2: float = 0.0
    population_features: np.ndarray | None = None
    population_labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        X = np.array(self.features, dtype=float)
        y = np.array(self.labels)
        if X.ndim != 2 or not np.all(np.isfinite(X)):
            raise BadInput(f"features (shape {X.shape}) must be a finite (N, p) array.", name="features")
        if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
            raise BadInput(
                f"labels (shape {y.shape}) must be non-negative integers of shape ({X.shape[0]},).", name="labels"
            )
        K = int(y.max()) + 1 if self.n_classes is None else _int("n_classes", self.n_classes, 2)
        if y.max() >= K:
            raise BadInput(f"labels (max {y.max()}) must be < n_classes ({K}).", name="labels")
        object.__setattr__(self, "n_classes", K)
        object.__setattr__(self, "l2", _pos("l2", self.l2, allow_zero=True))
        PX = X if self.population_features is None else np.array(self.population_features, dtype=float)
        Py = y if self.population_labels is None else np.array(self.population_labels)
        if PX.ndim != 2 or PX.shape[1] != X.shape[1] or Py.shape != (PX.shape[0],):
            raise BadInput(
                f"population_features (shape {PX.shape}) must be (N', {X.shape[1]}) with matching population_labels.",
                name="population_features",
            )
        for arr in (X, y, PX, Py):
            arr.setflags(write=False)
        object.__setattr__(self, "features", X)
        object.__setattr__(self, "labels", y)
        object.__setattr__(self, "population_features", PX)
        object.__setattr__(self, "population_labels", Py.astype(np.intp))

    @property
    def p(self) -> int:
        """Number of features."""
        return self.features.shape[1]

    @property
    def d(self) -> int:
        """Number of parameters p K."""
        return self.p * int(self.n_classes)  # type: ignore[arg-type]

    def _W(self, w: Any) -> np.ndarray:
        w = _w("w", w, self.d)
        return w.reshape(w.shape[:-1] + (self.p, int(self.n_classes)))  # type: ignore[arg-type]

    def F(self, w: Any) -> np.ndarray:
        """Empirical population loss (mean cross-entropy + l2/2 ||w||^2), (..., d) -> (...)."""
        W = self._W(w)
        loss, _ = _softmax_parts(_filled(self.population_features), W[..., :, :], _filled(self.population_labels))
        return loss + 0.5 * self.l2 * np.sum(np.asarray(w, dtype=float) ** 2, axis=-1)

    def grad_F(self, w: Any) -> np.ndarray:
        """Gradient of :meth:`F`, (..., d) -> (..., d)."""
        w = np.asarray(w, dtype=float)
        _, g = _softmax_parts(_filled(self.population_features), self._W(w), _filled(self.population_labels))
        return g.reshape(w.shape) + self.l2 * w

    @functools.cached_property
    def w_star(self) -> np.ndarray:
        """Minimiser of the empirical population loss (L-BFGS, gradient tolerance 1e-10)."""
        res = optimize.minimize(
            lambda w: float(self.F(w)),
            np.zeros(self.d),
            jac=self.grad_F,
            method="L-BFGS-B",
            options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 10000},
        )
        out = np.asarray(res.x, dtype=float)
        out.setflags(write=False)
        return out

    @property
    def F_star(self) -> float:
        """F(w_star) (empirical)."""
        return float(self.F(self.w_star))

    @property
    def L_F(self) -> float:
        """Upper bound lambda_max(X'X/N)/2 + l2 on the smoothness of the empirical F."""
        X = _filled(self.population_features)
        return float(np.linalg.eigvalsh(X.T @ X / X.shape[0])[-1] / 2 + self.l2)

    @property
    def lambda_F(self) -> float:
        """Lower bound l2 on the strong convexity."""
        return self.l2

    def constants(self) -> dict[str, float]:
        """``d, L_F, lambda_F`` (empirical bounds)."""
        return {"d": self.d, "L_F": self.L_F, "lambda_F": self.lambda_F}

    def sample(self, rng: np.random.Generator, R: int, m: int, n: int) -> SoftmaxStats:
        """Shuffle the training rows independently per trial and deal ``m`` disjoint shards of ``n``.

        Returns
        -------
        SoftmaxStats
            ``indices`` and ``labels`` of shape (R, m, n).
        """
        rng = _rng(rng)
        R, m, n = _sizes(R, m, n)
        N = self.features.shape[0]
        if m * n > N:
            raise BadInput(f"n ({n}) must be <= N/m = {N // m} (m disjoint shards of the {N} training rows).", name="n")
        _memory(8.0 * R * N, "the permutations", R)
        perm = rng.permuted(np.broadcast_to(np.arange(N), (R, N)), axis=1)[:, : m * n].reshape(R, m, n)
        return SoftmaxStats(perm, self.labels[perm])

    def local_gradients(self, stats: SoftmaxStats, w: np.ndarray) -> np.ndarray:
        """Gradient of each machine's mean cross-entropy (+ ridge): ``w`` (R, d) -> (R, m, d)."""
        w = np.asarray(w, dtype=float)
        R, m = stats.indices.shape[:2]
        _memory(8.0 * stats.indices.size * self.p, "the gathered shards", R)
        Xs = self.features[stats.indices]  # (R, m, n, p)
        _, g = _softmax_parts(Xs, self._W(w)[:, None], stats.labels)
        return g.reshape(R, m, self.d) + self.l2 * w[:, None, :]
