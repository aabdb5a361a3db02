r"""Sound certificates for the SDP value of Theorem 5.7: Phi(Q) = max <Q, P> over P PSD, diag(P) <= 1.

Theorem 5.7 (dissertation lines 12420-12445) bounds the worst-case increase of
g(x) = v' relu(W1 x) over the l_inf ball by (eps / 4) Phi(Q(v, W1)). The matrix Q of (5.7) as
printed makes the theorem false (catalog section 8.3); :func:`build_q` builds the corrected
matrix by default and the printed one on request (``form="printed"``, for the errata).

Both matrices are **bipartite** (zero diagonal, every nonzero entry joins two disjoint index sets),
so Q = [[0, G], [G', 0]] up to a permutation, and the elliptope problem becomes
max 2 sum_ij G_ij <u_i, w_j> over unit vectors: the low-rank coordinate ascent (mixing / Burer-
Monteiro) method is then *exact block* coordinate ascent, i.e. alternating matrix products
U <- rownormalize(G W), W <- rownormalize(G' U). This is the fast default path.

Every upper bound reported here is the dual certificate

    U(c) = 1'c + N * lambda_max(Q - diag c)            (sound for every c in R^N)

evaluated with a dense symmetric eigensolver plus a floating-point safety margin
(:func:`certificate`); a solver's own objective value is never reported as a bound. Lower bounds
are values of feasible matrices P (the low-rank factor, or a solver's primal repaired to
feasibility). Sizes: the dense eigensolver needs N^2 memory, so every path has a largest N
(:data:`MAX_N`).
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from typing import Any, Literal

import numpy as np
import scipy.linalg

from boundlab.bounds import BadInput

__all__ = [
    "BipartiteQ",
    "SDPResult",
    "MAX_N",
    "build_q",
    "q_matrix",
    "as_q",
    "certificate",
    "eigenvalue_bound",
    "solve_sdp",
    "hypercube_max",
    "certificate_route",
    "CHOLESKY_MIN_N",
    "DEFAULT_RANK_CAP",
    "default_blas_threads",
]

EPS = float(np.finfo(float).eps)
Form = Literal["corrected", "printed"]
Method = Literal["fast", "reference", "scs", "clarabel", "eig"]

#: Largest N each path accepts. The dense eigenvalue certificate needs N^2 doubles (N = 6000:
#: 288 MB, about a minute of eigensolver time); the fast path proves it with a Cholesky factorisation
#: instead (two N x N arrays: 1.6 GB at N = 10000); cvxpy + SCS with an N x N PSD variable becomes
#: slow and memory-hungry beyond about 1000; Clarabel (interior point) forms dense blocks of size
#: (N(N+1)/2)^2, so only small N fit.
MAX_N: dict[str, int] = {"fast": 10000, "eig": 6000, "scs": 1000, "clarabel": 60}

_PATH_LABEL = {
    "fast": "fast (low-rank coordinate ascent)",
    "eig": "eigenvalue bound",
    "scs": "reference (cvxpy + SCS)",
    "clarabel": "reference (cvxpy + Clarabel)",
}


# ---------------------------------------------------------------------------------------------
# The matrix Q of (5.7)
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class BipartiteQ:
    """A symmetric matrix with zero diagonal and bipartite sparsity, stored without forming it.

    ``Q[left[i], right[j]] = Q[right[j], left[i]] = G[i, j]``; every other entry is 0.

    Attributes
    ----------
    G : ndarray, shape (m, n)
        The off-diagonal block.
    left, right : ndarray of int, shapes (m,) and (n,)
        Disjoint index sets whose union is ``range(N)``, ``N = m + n``.
    entry_error : float
        A bound on ``sum_ij |Q_ij - Q*_ij|`` between the stored matrix and the exact one (rounding
        while building it); Phi is 1-Lipschitz in that norm, so certificates add it.
    """

    G: np.ndarray
    left: np.ndarray
    right: np.ndarray
    entry_error: float = 0.0

    @property
    def N(self) -> int:  # the dissertation's N
        return int(self.left.size + self.right.size)

    def dense(self) -> np.ndarray:
        """The full N x N matrix (float64)."""
        Q = np.zeros((self.N, self.N))
        Q[np.ix_(self.left, self.right)] = self.G
        Q[np.ix_(self.right, self.left)] = self.G.T
        return Q

    def __neg__(self) -> BipartiteQ:
        return dataclasses.replace(self, G=-self.G)

    def scaled(self, a: float) -> BipartiteQ:
        """``a * Q`` (entry error scaled alike)."""
        return dataclasses.replace(self, G=a * self.G, entry_error=abs(a) * self.entry_error)

    def l1(self) -> float:
        """The entrywise l1 norm ``sum_ij |Q_ij| = 2 sum |G|`` (an upper bound on Phi, by (5.20))."""
        return 2.0 * float(np.abs(self.G).sum())


def _gamma(n: int) -> float:
    """Higham's gamma_n = n u / (1 - n u), the relative error of an n-term dot product."""
    return n * EPS / (1.0 - n * EPS)


def _check_finite(name: str, a: np.ndarray) -> None:
    if not np.all(np.isfinite(a)):
        bad = a[~np.isfinite(a)].ravel()[0]
        raise BadInput(f"{name} ({bad}) must contain only finite numbers.", name=name)


def build_q(W1: Any, v: Any, form: Form = "corrected") -> BipartiteQ:
    r"""The matrix Q(v, W1) of (5.7), corrected (default) or as printed, without forming it.

    Block sizes (1, d, d1), N = 1 + d + d1, index 0 is the homogenising coordinate.

    * ``corrected``: Q = [[0, v'W, 0], [W'v, 0, W' diag(v)], [0, diag(v) W, 0]]
      (catalog Def-SDP, Q^fix), sound in Theorem 5.7.
    * ``printed``: Q = [[0, 0, 1'W' diag(v)], [0, 0, W' diag(v)], [diag(v) W 1, diag(v) W, 0]]
      (dissertation lines 12436-12445). **Unsound** (catalog section 8.3); kept for the errata.

    Parameters
    ----------
    W1 : array_like, shape (d1, d)
        First-layer weights.
    v : array_like, shape (d1,)
        Output weights of the scalar function v' relu(W1 x) (``w_{2,y'} - w_{2,y}`` in Theorem 5.7).
    form : {"corrected", "printed"}

    Returns
    -------
    BipartiteQ

    Examples
    --------
    >>> q = build_q([[1.0, -1.0]], [1.0])          # the section 8.3 counterexample
    >>> q.dense()
    array([[ 0.,  1., -1.,  0.],
           [ 1.,  0.,  0.,  1.],
           [-1.,  0.,  0., -1.],
           [ 0.,  1., -1.,  0.]])
    >>> build_q([[1.0, -1.0]], [1.0], form="printed").dense()[0]
    array([0., 0., 0., 0.])
    """
    W = np.asarray(W1, dtype=float)
    vv = np.asarray(v, dtype=float)
    if W.ndim != 2 or W.shape[0] == 0 or W.shape[1] == 0:
        raise BadInput(f"W1 (shape {W.shape}) must be a non-empty matrix of shape (d1, d).", name="W1")
    if vv.shape != (W.shape[0],):
        raise BadInput(f"v (shape {vv.shape}) must have shape ({W.shape[0]},) to match W1 (shape {W.shape}).", name="v")
    _check_finite("W1", W)
    _check_finite("v", vv)
    d1, d = W.shape
    B = W.T * vv  # (d, d1): W' diag(v), entries exact up to one rounding each
    l1B = float(np.abs(B).sum())
    if form == "corrected":
        G = np.column_stack([W.T @ vv, B])  # rows: inputs (d); columns: [scalar, hidden (d1)]
        left = np.arange(1, 1 + d)
        right = np.concatenate([[0], np.arange(1 + d, 1 + d + d1)])
        err = 2.0 * (EPS * l1B + _gamma(d1) * 1.01 * l1B)
    elif form == "printed":
        G = np.vstack([B.sum(axis=0), B])  # rows: [scalar, inputs (d)]; columns: hidden (d1)
        left = np.arange(0, 1 + d)
        right = np.arange(1 + d, 1 + d + d1)
        err = 2.0 * (EPS * l1B + _gamma(d + 1) * 1.01 * l1B)
    else:
        raise BadInput(f"form ({form}) must be 'corrected' or 'printed'.", name="form")
    return BipartiteQ(np.ascontiguousarray(G), left, right, err)


def q_matrix(W1: Any, v: Any, form: Form = "corrected") -> np.ndarray:
    """The dense N x N matrix Q(v, W1) of (5.7) (see :func:`build_q`).

    Examples
    --------
    >>> q_matrix([[2.0]], [3.0]).tolist()
    [[0.0, 6.0, 0.0], [6.0, 0.0, 6.0], [0.0, 6.0, 0.0]]
    """
    return build_q(W1, v, form).dense()


def _two_colour(Q: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Split the nonzero pattern of a zero-diagonal Q into two sides, or None if it has an odd cycle."""
    N = Q.shape[0]
    nz = Q != 0
    colour = np.full(N, -1)
    for start in range(N):
        if colour[start] >= 0:
            continue
        colour[start] = 0
        queue = [start]
        while queue:
            i = queue.pop()
            nbrs = np.nonzero(nz[i])[0]
            if np.any(colour[nbrs] == colour[i]):
                return None
            new = nbrs[colour[nbrs] < 0]
            colour[new] = 1 - colour[i]
            queue.extend(new.tolist())
    return np.nonzero(colour == 0)[0], np.nonzero(colour == 1)[0]


def as_q(Q: Any) -> BipartiteQ | np.ndarray:
    """Validate a matrix for :func:`solve_sdp`; return a :class:`BipartiteQ` when its structure allows.

    A dense input must be a finite square matrix, symmetric up to rounding (relative 1e-10); its
    symmetric part is used (only it enters <Q, P> for symmetric P), with the rounding of the
    symmetrisation added to the certificate. Zero-diagonal matrices whose nonzero pattern is
    bipartite are converted (exactly) so that the fast path runs on the off-diagonal block.

    Examples
    --------
    >>> q = as_q(q_matrix([[1.0, -1.0]], [1.0]))
    >>> type(q).__name__, q.G.shape
    ('BipartiteQ', (2, 2))
    >>> as_q(np.ones((2, 2))).shape                 # nonzero diagonal: a general matrix
    (2, 2)
    """
    if isinstance(Q, (BipartiteQ, _GeneralQ)):
        return Q
    A = np.asarray(Q)
    if A.dtype == object or not (np.issubdtype(A.dtype, np.number) or A.dtype == bool):
        raise BadInput(f"Q (dtype {A.dtype}) must be a numeric matrix.", name="Q")
    if np.iscomplexobj(A):
        raise BadInput(f"Q (dtype {A.dtype}) must be real.", name="Q")
    A = A.astype(float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise BadInput(f"Q (shape {A.shape}) must be a non-empty square matrix.", name="Q")
    _check_finite("Q", A)
    scale = float(np.abs(A).max()) if A.size else 0.0
    limit = 1e300 / A.shape[0] ** 2  # <Q, P> and the certificate sum N^2 terms of size <= max|Q|
    if scale > limit:
        raise BadInput(
            f"Q (max |entry| {scale:.3g}) must have entries of magnitude <= 1e300 / N^2 = {limit:.3g} "
            "so the certificate stays finite; rescale it (Phi(cQ) = c Phi(Q) for c > 0).",
            name="Q",
        )
    asym = float(np.abs(A - A.T).max())
    if asym > 1e-10 * max(scale, 1e-300):
        raise BadInput(f"Q (max |Q - Q'| = {asym:.3g}) must be symmetric.", name="Q")
    err = 0.0
    if asym > 0:
        err = EPS * float(np.abs(A).sum())
        A = 0.5 * (A + A.T)
    if np.any(np.diag(A) != 0) or A.shape[0] == 1:
        return _GeneralQ(A, err)
    sides = _two_colour(A)
    if sides is None:
        return _GeneralQ(A, err)
    left, right = sides
    return BipartiteQ(np.ascontiguousarray(A[np.ix_(left, right)]), left, right, err)


class _GeneralQ(np.ndarray):
    """A dense symmetric matrix carrying the bound on its symmetrisation error."""

    entry_error: float

    def __new__(cls, A: np.ndarray, entry_error: float = 0.0) -> _GeneralQ:
        obj = np.asarray(A, dtype=float).view(cls)
        obj.entry_error = float(entry_error)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.entry_error = getattr(obj, "entry_error", 0.0)


def _dense(Q: BipartiteQ | np.ndarray) -> np.ndarray:
    return Q.dense() if isinstance(Q, BipartiteQ) else np.array(Q, dtype=float)


def _size(Q: BipartiteQ | np.ndarray) -> int:
    return Q.N if isinstance(Q, BipartiteQ) else int(np.shape(Q)[0])


def _entry_error(Q: BipartiteQ | np.ndarray) -> float:
    return float(getattr(Q, "entry_error", 0.0))


# ---------------------------------------------------------------------------------------------
# The certificate
# ---------------------------------------------------------------------------------------------


def _lambda_max(A: np.ndarray) -> float:
    """Largest eigenvalue of a symmetric matrix with LAPACK's dense solver (dsyevr)."""
    n = A.shape[0]
    return float(
        scipy.linalg.eigh(A, eigvals_only=True, subset_by_index=[n - 1, n - 1], overwrite_a=True, check_finite=False)[0]
    )


#: From this N on, :func:`certificate` proves its eigenvalue bound with a Cholesky factorisation
#: (N^3/3 flops) instead of a dense eigensolver (about 4N^3/3 flops, mostly memory-bound); below it the
#: eigensolver is fast and its numbers stay exactly as they were.
CHOLESKY_MIN_N = 1000

#: Margins tried above the Lanczos estimate of lambda_max, relative to the mean |c_i|.
_CHOLESKY_MARGINS = (1e-10, 1e-9, 1e-8, 1e-7, 1e-5, 1e-3)

_UNDERFLOW = 2.0**-1074


def _ritz_top(A: np.ndarray, start: np.ndarray | None, seed: int = 0) -> float:
    """A Ritz value (so <= lambda_max) of symmetric A from a block Krylov space (block Lanczos).

    ``start`` (N, k): vectors near the top eigenspace, e.g. the low-rank factor of the SDP, whose
    columns span the near-null space of Q - diag c at the optimum; else 16 random vectors.
    """
    N = A.shape[0]
    if start is None or start.ndim != 2 or start.shape[0] != N or not np.all(np.isfinite(start)):
        B, powers = np.random.default_rng(seed).standard_normal((N, min(N, 16))), 8
    else:
        B, powers = start, 2
    blocks: list[np.ndarray] = []
    for _ in range(powers + 1):
        B, _ = np.linalg.qr(B)
        for prev in blocks:  # re-orthogonalise against the earlier blocks
            B -= prev @ (prev.T @ B)
        B, _ = np.linalg.qr(B)
        blocks.append(B)
        if sum(b.shape[1] for b in blocks) >= N:
            break
        B = A @ B
    S, _ = np.linalg.qr(np.hstack(blocks))
    H = S.T @ (A @ S)
    return float(np.linalg.eigvalsh((H + H.T) / 2)[-1])


def _cholesky_bound(A: np.ndarray, scale: float, start: np.ndarray | None = None) -> tuple[float, float] | None:
    r"""A proven upper bound on lambda_max(A) from a Cholesky factorisation, or None if none was proved.

    For a candidate lambda (a block Lanczos estimate plus a margin), factor M = fl(lambda I - A) with LAPACK's
    dpotrf. If it runs to completion, the computed factor R satisfies R'R = M + dM with
    |dM| <= gamma_{N+1} |R'| |R| (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
    Theorem 10.3; any order of the inner products, no underflow), hence by Cauchy-Schwarz
    ||dM||_2 <= gamma_{N+1} / (1 - gamma_{N+1}) tr(M) and lambda_min(M) >= -that (R'R is PSD). The
    diagonal of M was rounded once (relative error u), and Rump's underflow term
    4N(2(N+1) + max M_ii) eta (Rump, "Verification of positive definiteness", BIT 46 (2006) 433-452,
    Theorem 2.3) is added. So lambda_max(A) <= lambda + rho with
    rho = gamma_{N+1}/(1 - gamma_{N+1}) tr(M)(1 + 2Nu) + u/(1-u) max M_ii + underflow term.

    Returns ``(bound, margin)`` with the margin that succeeded.
    """
    from scipy.linalg import lapack

    N = A.shape[0]
    top = _ritz_top(A, start)
    diag = A[np.diag_indices(N)].copy()
    work = np.empty_like(A, order="F")
    g = _gamma(N + 1)
    for rel in _CHOLESKY_MARGINS:
        lam = top + rel * scale
        np.negative(A, out=work)
        work[np.diag_indices(N)] = lam - diag
        Md = work[np.diag_indices(N)].copy()
        if not np.all(Md > 0):
            continue
        _, info = lapack.dpotrf(work, lower=1, clean=0, overwrite_a=1)
        if info != 0:
            continue
        trace = float(Md.sum()) * (1.0 + 2.0 * N * EPS)
        rho = (
            (g / (1.0 - g)) * trace
            + EPS / (1.0 - EPS) * float(Md.max())
            + 4.0 * N * (2.0 * (N + 1) + float(Md.max())) * _UNDERFLOW
        )
        bound = lam + rho
        return float(np.nextafter(np.nextafter(bound, math.inf), math.inf)), rel
    return None


def certificate_route(
    Q: Any, c: Any, *, method: Literal["auto", "eigh", "cholesky"] = "auto", factor: np.ndarray | None = None
) -> tuple[float, str]:
    """:func:`certificate` and how its eigenvalue term was bounded (``"eigh"``, ``"cholesky"``, or the
    fallback ``"eigh (the Cholesky proof failed at every margin tried)"``).

    ``method="auto"`` uses the Cholesky proof from N = :data:`CHOLESKY_MIN_N` on when a ``factor``
    (N, k) is given: rows in Q's order spanning the near-top eigenspace of Q - diag c, such as the
    fast path's low-rank solution, whose block Krylov space gives lambda_max to the margin needed.
    Without one, a random start is used (``method="cholesky"``), whose estimate may need a wide margin.

    Examples
    --------
    >>> q = build_q([[1.0, -1.0]], [1.0])
    >>> u, how = certificate_route(q, [2.0, 2.0, 2.0, 2.0], method="cholesky")
    >>> 8.0 <= u < 8.0 + 1e-9, how
    (True, 'cholesky')
    """
    return _certificate(Q, c, None, method, None if factor is None else np.asarray(factor, dtype=float))


def certificate(Q: Any, c: Any, *, mutate: str | None = None) -> float:
    r"""A sound upper bound on Phi(Q) from any dual vector c: U(c) = 1'c + N lambda_max(Q - diag c).

    For every feasible P (PSD, diag(P) <= 1) and every c,
    <Q, P> = <Q - diag c, P> + sum c_i P_ii <= lambda_max^+ tr P + sum c_i^+ . With the shift
    c' = c + (lambda_max + delta) 1, diag(c') >= Q, so Phi(Q) <= sum (c'_i)^+ ; for a zero-diagonal
    Q every c'_i >= 0 and this is exactly 1'c + N (lambda_max + delta), the formula above.

    Floating point: lambda_max is computed by LAPACK's dense symmetric eigensolver, which is
    backward stable (the computed eigenvalue is exact for Q - diag c + E, ||E||_2 <= p(N) u ||A||_2);
    boundlab takes delta = 4 N u ||Q - diag c||_F, adds (N + 3) u times the sum for the rounding
    of the final sum, and adds the bound on Q's own construction error (Phi is 1-Lipschitz in the
    entrywise l1 norm because |P_ij| <= 1). The fast path of :func:`solve_sdp` bounds lambda_max from
    N = CHOLESKY_MIN_N on without an eigendecomposition: a block Lanczos estimate plus a margin,
    proved by a Cholesky factorisation of lambda I - (Q - diag c) with a rigorous rounding-error term
    (:func:`_cholesky_bound`); if every margin fails, the eigensolver is used
    (:func:`certificate_route` says which).

    Parameters
    ----------
    Q : BipartiteQ or array_like, shape (N, N)
    c : array_like, shape (N,)
        Any vector; the closer to the optimal dual, the tighter the bound.
    mutate : None or "drop-eigen"
        Test hook: ``"drop-eigen"`` returns the unsound 1'c (the eigenvalue term dropped) so that
        the soundness checks can show they reject it.

    Returns
    -------
    float

    Examples
    --------
    >>> q = build_q([[1.0, -1.0]], [1.0])            # Phi(Q^fix) = 8 (catalog section 8.3)
    >>> round(certificate(q, np.zeros(4)), 9)        # c = 0: N lambda_max(Q) = 4 * 2
    8.0
    >>> round(certificate(q, [0.0, 0.0, 0.0, 4.0]), 6)   # a poor c still gives a sound bound
    10.415502
    >>> u = certificate(q, [2.0, 2.0, 2.0, 2.0])
    >>> 8.0 <= u < 8.0 + 1e-12
    True
    """
    Qv = as_q(Q)
    N = _size(Qv)
    cc = np.asarray(c, dtype=float).reshape(-1)
    if cc.shape != (N,):
        raise BadInput(f"c (shape {cc.shape}) must have shape ({N},).", name="c")
    _check_finite("c", cc)
    return _certificate(Qv, cc, mutate, "auto")[0]


def _certificate(
    Q: Any, c: Any, mutate: str | None, method: str, factor: np.ndarray | None = None
) -> tuple[float, str]:
    Qv = as_q(Q)
    N = _size(Qv)
    cc = np.asarray(c, dtype=float).reshape(-1)
    if cc.shape != (N,):
        raise BadInput(f"c (shape {cc.shape}) must have shape ({N},).", name="c")
    _check_finite("c", cc)
    if mutate == "drop-eigen":
        return float(cc.sum()), "dropped"
    if mutate is not None:
        raise BadInput(f"mutate ({mutate}) must be None or 'drop-eigen'.", name="mutate")
    if method not in ("auto", "eigh", "cholesky"):
        raise BadInput(f"method ({method}) must be 'auto', 'eigh' or 'cholesky'.", name="method")
    _require_memory(N)
    A = _dense(Qv)
    diag_before = np.diag(A).copy()
    A[np.diag_indices(N)] = diag_before - cc
    # rounding of the diagonal subtraction (zero when Q has zero diagonal: 0 - c is exact)
    diag_err = EPS * float(np.abs(np.diag(A)).max()) if np.any(diag_before) else 0.0
    route = "eigh"
    proved = None
    if method == "cholesky" or (method == "auto" and N >= CHOLESKY_MIN_N and factor is not None):
        scale = float(np.abs(cc).mean()) or float(np.abs(A).max()) or 1e-300
        proved = _cholesky_bound(A, scale, factor)
        route = "cholesky" if proved is not None else "eigh (the Cholesky proof failed at every margin tried)"
    if proved is not None:
        lam_bound = proved[0] + diag_err + 1e-300
    else:
        normA = float(np.sqrt(np.einsum("ij,ij->", A, A)))
        lam = _lambda_max(A)
        lam_bound = lam + 4.0 * N * EPS * normA + diag_err + 1e-300
    shifted = np.maximum(cc + lam_bound, 0.0)
    total = float(shifted.sum())
    return total * (1.0 + (N + 3) * EPS) + _entry_error(Qv) * (1.0 + 1e-6), route


def _candidate_duals(Q: BipartiteQ | np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Cheap dual vectors: zero, two-level scaling (bipartite) and Gershgorin (row l1 norms)."""
    N = _size(Q)
    out = [("c = 0", np.zeros(N))]
    if isinstance(Q, BipartiteQ):
        m, n = Q.G.shape
        if m and n and np.any(Q.G):
            sigma = float(np.linalg.norm(Q.G, 2)) * (1 + 1e-12)
            c = np.empty(N)
            c[Q.left] = sigma * math.sqrt(n / m)
            c[Q.right] = sigma * math.sqrt(m / n)
            out.append(("two-level spectral", c))
        c = np.empty(N)
        c[Q.left] = np.abs(Q.G).sum(axis=1)
        c[Q.right] = np.abs(Q.G).sum(axis=0)
        out.append(("Gershgorin", c))
    else:
        A = np.asarray(Q, dtype=float)
        out.append(("Gershgorin", np.abs(A).sum(axis=1) - np.abs(np.diag(A)) + np.diag(A)))
    return out


def eigenvalue_bound(Q: Any) -> tuple[float, str]:
    """The always-sound fallback: the best certificate over cheap dual vectors (no solver).

    Returns the bound and which dual vector achieved it.

    Examples
    --------
    >>> u, how = eigenvalue_bound(build_q([[1.0, -1.0]], [1.0]))
    >>> round(u, 9), how
    (8.0, 'c = 0')
    """
    Qv = as_q(Q)
    _require_size(Qv, "eig")
    best = (math.inf, "")
    for name, c in _candidate_duals(Qv):
        u = certificate(Qv, c)
        if u < best[0]:
            best = (u, name)
    return best


def _available_memory() -> int | None:
    """Bytes of memory available to new allocations (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None
    return None  # pragma: no cover


#: Dense N x N float64 arrays the certificate holds at once: Q - diag c and the Cholesky (or
#: eigensolver) workspace.
_CERT_ARRAYS = 2


def _require_memory(N: int) -> None:
    """Refuse, before allocating, a certificate whose dense arrays would not fit in available memory.

    Examples
    --------
    >>> _require_memory(100)      # 160 kB
    """
    avail = _available_memory()
    need = _CERT_ARRAYS * 8 * N * N
    if avail is None or need <= avail:
        return
    fits = int(math.isqrt(avail // (_CERT_ARRAYS * 8)))
    raise BadInput(
        f"N ({N}) must be <= {fits} to fit the certificate in the available memory: its dense arrays need "
        f"{need / 2**30:.2f} GiB ({_CERT_ARRAYS} x N^2 doubles), {avail / 2**30:.2f} GiB is available.",
        name="N",
    )


def _require_size(Q: BipartiteQ | np.ndarray, path: str) -> None:
    N = _size(Q)
    if N > MAX_N[path]:
        fits = [p for p in ("clarabel", "scs", "fast") if N <= MAX_N[p]]
        hint = (
            f"the {_PATH_LABEL[fits[0]]} path fits (N <= {MAX_N[fits[0]]})"
            if fits
            else "no path fits: the dense eigenvalue certificate needs N^2 memory"
        )
        raise BadInput(f"N ({N}) must be <= {MAX_N[path]} for the {_PATH_LABEL[path]} path; {hint}.", name="N")


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SDPResult:
    """A certified interval [lower, upper] containing Phi(Q).

    ``upper`` is always a dual certificate (:func:`certificate`); ``lower`` is the value of a
    feasible P. ``status`` is ``"certified"`` when the path ran as intended, ``"fallback"`` when
    the solver's answer was not usable and the eigenvalue bound was reported instead.
    ``solver_value`` is the solver's own objective (never a bound), when it has one.
    """

    lower: float
    upper: float
    solver: str
    seconds: float
    N: int
    status: str = "certified"
    note: str = ""
    iterations: int = 0
    solver_value: float | None = None
    dual: np.ndarray | None = dataclasses.field(default=None, repr=False, compare=False)
    factor: np.ndarray | None = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a non-finite end is never a certificate (an overflow, or a solver's NaN)
        if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            raise BadInput(
                f"Q (N = {self.N}) must give a finite certified interval; the {self.solver} path "
                f"returned [{self.lower}, {self.upper}] (rescale Q: Phi(cQ) = c Phi(Q)).",
                name="Q",
            )

    @property
    def gap(self) -> float:
        return self.upper - self.lower

    @property
    def rel_gap(self) -> float:
        return self.gap / max(abs(self.upper), 1e-300) if self.upper else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "lower": self.lower,
            "upper": self.upper,
            "gap": self.gap,
            "relative_gap": self.rel_gap,
            "solver": self.solver,
            "seconds": self.seconds,
            "N": self.N,
            "status": self.status,
            "iterations": self.iterations,
            "solver_value": self.solver_value,
            "note": self.note,
        }


# ---------------------------------------------------------------------------------------------
# Fast path: low-rank coordinate ascent
# ---------------------------------------------------------------------------------------------


def _rank(N: int, rank: int | None) -> int:
    if rank is None:
        return max(2, min(N, int(math.ceil(math.sqrt(2 * N))) + 1))  # Barvinok-Pataki: k(k+1)/2 > N
    if int(rank) != rank or rank < 1:
        raise BadInput(f"rank ({rank}) must be an integer >= 1.", name="rank")
    return int(rank)


def _normalise_rows(X: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of X scaled to unit length (rows of norm 0 keep ``old``); returns (rows, norms)."""
    nrm = np.sqrt(np.einsum("ij,ij->i", X, X))
    zero = nrm == 0
    out = X / np.where(zero, 1.0, nrm)[:, None]
    if np.any(zero):
        out[zero] = old[zero]
    return out, nrm


def _blas_threads(n: int | None) -> Any:
    """Limit BLAS threads inside the fast path (no-op without threadpoolctl, a scikit-learn dependency).

    ``None``: the environment variable ``BOUNDLAB_BLAS_THREADS`` when set, else every core this
    process may use (:func:`default_blas_threads`).
    """
    import contextlib

    if n is None:
        n = default_blas_threads()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def default_blas_threads() -> int:
    """BLAS threads the fast path uses unless told otherwise: ``BOUNDLAB_BLAS_THREADS``, else all cores.

    Examples
    --------
    >>> import os
    >>> os.environ["BOUNDLAB_BLAS_THREADS"] = "1"
    >>> default_blas_threads()
    1
    >>> del os.environ["BOUNDLAB_BLAS_THREADS"]
    >>> default_blas_threads() >= 1
    True
    """
    import os

    raw = os.environ.get("BOUNDLAB_BLAS_THREADS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise BadInput(
                f"BOUNDLAB_BLAS_THREADS ({raw!r}) must be a whole number >= 1.", name="BOUNDLAB_BLAS_THREADS"
            )
        return int(raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


#: Default rank cap of the fast path's factor. Barvinok-Pataki's ceil(sqrt(2N)) + 1 guarantees that a
#: rank-k optimum exists; the optima of the Theorem 5.7 matrices have far lower rank, and the
#: per-iteration cost is linear in k (N = 7169: k = 121 costs 4x k = 32 per iteration, with the same
#: certified gap after the same number of iterations). If the certified gap stops shrinking, the rank
#: is doubled up to Barvinok-Pataki's (:func:`_fast_bipartite`).
DEFAULT_RANK_CAP = 32

#: The iterations run in float32 when the target gap is at least this (the float32 dual stops
#: moving at a relative ~5e-6 and the certified gap at ~1e-8 on the benchmark instances); every
#: certificate is computed in float64 from a float64 re-evaluation of the factor.
FLOAT32_MIN_TOL = 1e-6


def _certify_factor(Q: BipartiteQ, U: np.ndarray, Wr: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray, str]:
    """Float64 re-evaluation of the factor (U, best Wr for it), its sound lower bound, dual c and certificate.

    Returns ``(lower_sound, upper, c, factor, route)`` with ``factor`` = [U; Wr] (left rows, then right).
    """
    G = Q.G
    k = U.shape[1]
    U64, _ = _normalise_rows(np.asarray(U, dtype=float), np.ones_like(U, dtype=float) / math.sqrt(k))
    Wr64, nb = _normalise_rows(G.T @ U64, np.asarray(Wr, dtype=float))
    Y = G @ Wr64
    c = np.empty(Q.N)
    c[Q.left] = np.sqrt(np.einsum("ij,ij->i", Y, Y))  # optimal dual of the left rows given Wr
    c[Q.right] = nb  # ... of the right rows given U
    lower = 2.0 * float(nb.sum())  # <Q, VV'> for the factor V = (U, Wr)
    V = np.empty((Q.N, k))
    V[Q.left], V[Q.right] = U64, Wr64
    upper, route = _certificate(Q, c, None, "auto", V)
    lower_sound = lower * (1 - 4 * (k + 2) * EPS) - Q.entry_error
    return lower_sound, upper, c, np.vstack([U64, Wr64]), route


def _next_check(history: list[tuple[int, float]], tol: float, it: int, min_gap: int) -> int | None:
    """The iteration at which the certified gap should reach ``0.7 tol``, by geometric extrapolation of
    the last two certified gaps ``(iteration, relative gap)``; None when they did not shrink.

    Examples
    --------
    >>> _next_check([(100, 1e-4), (200, 1e-5)], 1e-6, 200, 10)   # one decade per 100 iterations
    316
    >>> _next_check([(100, 1e-5), (200, 1e-5)], 1e-6, 200, 10) is None
    True
    """
    (i0, g0), (i1, g1) = history[-2], history[-1]
    if not (0 < g1 < g0) or i1 <= i0:
        return None
    rate = math.log(g0 / g1) / (i1 - i0)  # decades (natural log) per iteration
    need = math.log(g1 / (0.7 * tol)) / rate
    return it + max(min_gap, int(math.ceil(need)))


def _fast_bipartite(
    Q: BipartiteQ,
    tol: float,
    rank: int | None,
    max_iters: int,
    seed: int,
    time_limit: float,
    precision: str = "auto",
) -> tuple[float, float, np.ndarray, np.ndarray, int, str]:
    """Alternating row-normalised products U <- rownorm(G W), W <- rownorm(G' U), certified in float64.

    Schedule: the dual c is watched every ``check_every`` iterations (in the iteration precision); a
    certificate (O(N^3)) is attempted when c moves by <= 10 tol relative (on the benchmark instances the
    certified gap is then about tol / 2; after a failed attempt, by <= its movement then times
    0.7 tol / gap), when c has stopped moving, or when the geometric extrapolation of the last two
    certified gaps says the gap reaches 0.7 tol; never before the iterations since the last
    attempt took as long as that attempt, so certificates cost at most about half the time. When two
    successive certified gaps do not shrink by 1.5x, or the gap is 100x the dual's movement, a capped
    default rank grows to Barvinok-Pataki's (new columns random, of the same size as the old: a
    low-rank stationary point is left), else the iterations switch from float32 to float64.
    """
    G64 = Q.G
    m, n = G64.shape
    N = Q.N
    k_full = _rank(N, None)
    k = _rank(N, rank) if rank is not None else min(k_full, DEFAULT_RANK_CAP)
    dtype = np.float32 if (precision == "auto" and tol >= FLOAT32_MIN_TOL) else np.float64
    rng = np.random.default_rng(seed)
    U, _ = _normalise_rows(rng.standard_normal((m, k)), np.ones((m, k)) / math.sqrt(k))
    U = U.astype(dtype)
    Wr = (np.ones((n, k)) / math.sqrt(k)).astype(dtype)
    G = G64.astype(dtype, copy=False)
    GT = np.ascontiguousarray(G.T)
    c_prev: np.ndarray | None = None
    best_change = math.inf
    since_best = 0
    best: tuple[float, float, np.ndarray, np.ndarray] | None = None
    history: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    cert_seconds = 0.0
    it = 0
    check_every = 10
    next_it: int | None = None  # extrapolated iteration of the next certificate
    earliest = 0  # no certificate before this iteration (time share of the certificates)
    target = 10.0 * tol
    note = route_note = ""
    while True:
        X = GT @ U  # (n, k)
        Wr, nb = _normalise_rows(X, Wr)  # the best right factor for U
        Y = G @ Wr  # (m, k)
        if it > 0 and (it % check_every == 0 or it >= max_iters):
            c = np.empty(N)
            c[Q.left] = np.sqrt(np.einsum("ij,ij->i", Y, Y))
            c[Q.right] = nb
            scale = max(float(c.mean()), 1e-300)
            change = math.inf if c_prev is None else float(np.abs(c - c_prev).max()) / scale
            c_prev = c
            if change < 0.9 * best_change:
                best_change, since_best = change, 0
            else:
                since_best += 1
            out_of_budget = it >= max_iters or time.perf_counter() - t0 > time_limit
            due = change <= target or since_best >= 10 or (next_it is not None and it >= next_it)
            if out_of_budget or (due and it >= earliest):
                t_cert = time.perf_counter()
                lower_sound, upper, cd, factor, route = _certify_factor(Q, U, Wr)
                t_cert = time.perf_counter() - t_cert
                cert_seconds += t_cert
                route_note = f"certificate by {route}" if route.startswith("eigh (") else ""
                if best is None or upper - lower_sound < best[1] - best[0]:
                    best = (lower_sound, upper, cd, factor)
                gap = (upper - lower_sound) / max(upper, 1e-300)
                if gap <= tol:
                    break
                if out_of_budget:
                    note = (
                        f"stopped after {it} iterations ({'iteration' if it >= max_iters else 'time'} budget) "
                        f"with relative gap {gap:.2e} > tol {tol:g}; the interval is still sound"
                    )
                    break
                history.append((it, gap))
                # stalled: the gap did not shrink 1.5x since the last attempt, or the dual has settled
                # (moves 100x less than the gap): a stationary point that is not optimal
                stalled = (len(history) >= 2 and history[-1][1] * 1.5 > history[-2][1]) or gap > 100.0 * change
                if stalled and rank is None and k < k_full:  # a low-rank stationary point: leave it
                    ny = np.sqrt(np.einsum("ij,ij->i", Y, Y))[:, None]
                    extra = rng.standard_normal((m, k_full - k)).astype(Y.dtype) * (ny / math.sqrt(k_full - k))
                    Y = np.hstack([Y, extra])  # the next U: about half old factor, half random
                    U = np.hstack([U, np.zeros_like(extra)])
                    Wr = np.hstack([Wr, np.zeros((n, k_full - k), dtype=Wr.dtype)])
                    k = k_full
                    history, best_change, since_best = [], math.inf, 0
                elif stalled and dtype == np.float32:  # the float32 floor: continue in float64
                    dtype, G, GT = np.float64, G64, np.ascontiguousarray(G64.T)
                    U, Wr, Y = U.astype(float), Wr.astype(float), Y.astype(float)
                    history, best_change, since_best = [], math.inf, 0
                next_it = _next_check(history, tol, it, check_every) if len(history) >= 2 else None
                # the dual's movement shrinks about as fast as the gap: aim at 0.7 tol
                target = change * min(0.8, max(0.1, 0.7 * tol / gap))
                per_iter = (time.perf_counter() - t0 - cert_seconds) / max(it, 1)
                earliest = it + int(t_cert / max(per_iter, 1e-9))
        U, _ = _normalise_rows(Y, U)
        it += 1
    assert best is not None
    lower, upper, c, factor = best
    return max(lower, 0.0), upper, c, factor, it, "; ".join(x for x in (note, route_note) if x)


def _fast_general(
    A: np.ndarray, tol: float, rank: int | None, max_iters: int, seed: int, time_limit: float
) -> tuple[float, float, np.ndarray, np.ndarray, int, str]:
    """The mixing method (coordinate ascent over rows of Y, ||y_i|| <= 1) for a general symmetric Q."""
    N = A.shape[0]
    k = _rank(N, rank)
    rng = np.random.default_rng(seed)
    Y, _ = _normalise_rows(rng.standard_normal((N, k)), np.ones((N, k)) / math.sqrt(k))
    dq = np.diag(A).copy()
    Off = A - np.diag(dq)
    t0 = time.perf_counter()
    c_prev: np.ndarray | None = None
    target = tol
    best = None
    note = ""
    sweep = 0
    trivial = float(np.maximum(dq, 0).sum())  # P = diag(1[Q_ii > 0]) is feasible
    # the certificate's own rounding margin: a gap below it cannot shrink (e.g. Phi(Q) = 0 for Q <= 0)
    floor = 8.0 * N * N * EPS * float(np.sqrt(np.einsum("ij,ij->", A, A))) + 2.0 * _entry_error(A)
    while True:
        for i in range(N):
            g = Off[i] @ Y
            ng = float(np.sqrt(g @ g))
            if ng == 0.0:
                if dq[i] < 0:
                    Y[i] = 0.0
                continue
            r = 1.0 if (dq[i] >= 0 or ng >= -dq[i]) else ng / -dq[i]
            Y[i] = g * (r / ng)
        sweep += 1
        AY = A @ Y
        lower = float(np.einsum("ij,ij->", Y, AY))
        on_boundary = np.einsum("ij,ij->i", Y, Y) >= 1 - 1e-9
        c = np.where(on_boundary, np.einsum("ij,ij->i", Y, AY), 0.0)
        scale = max(float(np.abs(c).mean()), 1e-300)
        change = math.inf if c_prev is None else float(np.abs(c - c_prev).max()) / scale
        c_prev = c
        out_of_budget = sweep >= max_iters or time.perf_counter() - t0 > time_limit
        if change <= target or out_of_budget:
            upper = _certificate(A, c, None, "auto", Y)[0]
            lower_sound = lower - 4 * (N + k) * EPS * float(np.abs(AY).sum()) - _entry_error(A)
            if best is None or upper - lower_sound < best[1] - best[0]:
                best = (lower_sound, upper, c, Y.copy())
            if upper - max(lower_sound, trivial, 0.0) <= max(tol * abs(upper), floor):
                break
            if out_of_budget:
                note = (
                    f"stopped after {sweep} sweeps with relative gap "
                    f"{(upper - lower_sound) / max(abs(upper), 1e-300):.2e} > tol {tol:g}; the interval is still sound"
                )
                break
            target = change / 10.0
    lower, upper, c, factor = best
    return max(lower, trivial, 0.0), upper, c, factor, sweep, note


# ---------------------------------------------------------------------------------------------
# Reference path: cvxpy
# ---------------------------------------------------------------------------------------------


def _repaired_value(A: np.ndarray, P: np.ndarray) -> float:
    """<Q, P'> for P' = the PSD part of P rescaled so that diag(P') <= 1 (a feasible matrix)."""
    P = 0.5 * (P + P.T)
    w, V = np.linalg.eigh(P)
    P = (V * np.maximum(w, 0.0)) @ V.T
    s = 1.0 / np.sqrt(np.maximum(np.diag(P), 1.0) * (1 + 4 * A.shape[0] * EPS))
    P = P * s[:, None] * s[None, :]
    return float(np.einsum("ij,ij->", A, P))


def _reference(
    Q: BipartiteQ | np.ndarray, solver: str, tol: float
) -> tuple[float, float, np.ndarray | None, str, str, float | None, int]:
    import cvxpy as cp

    A = _dense(Q)
    N = A.shape[0]
    if solver.upper() not in cp.installed_solvers():
        raise BadInput(
            f"method ({solver.lower()}) must name an installed cvxpy solver: {', '.join(cp.installed_solvers())}.",
            name="method",
        )
    P = cp.Variable((N, N), PSD=True)
    con = cp.diag(P) <= 1
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(A, P))), [con])
    opts: dict[str, Any] = (
        {"eps_abs": tol * 1e-2, "eps_rel": tol * 1e-2, "max_iters": 200_000}
        if solver == "SCS"
        else {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "max_iter": 500}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prob.solve(solver=solver, **opts)
    except (cp.error.SolverError, ArithmeticError, ValueError) as exc:
        return 0.0, math.nan, None, "error", f"{solver} failed ({exc})", None, 0
    status = str(prob.status)
    iters = int(getattr(prob.solver_stats, "num_iters", 0) or 0)
    value = None if prob.value is None else float(prob.value)
    if status != "optimal" or con.dual_value is None or P.value is None:
        return 0.0, math.nan, None, status, f"{solver} returned status '{status}'", value, iters
    mu = np.abs(np.asarray(con.dual_value, dtype=float).reshape(-1))
    lower = _repaired_value(A, np.asarray(P.value, dtype=float))
    lower -= 4 * N * EPS * float(np.abs(A).sum()) + _entry_error(Q)
    return lower, certificate(Q, mu), mu, status, "", value, iters


# ---------------------------------------------------------------------------------------------
# The solver front end
# ---------------------------------------------------------------------------------------------


def solve_sdp(
    Q: Any,
    *,
    method: Method = "fast",
    tol: float = 1e-6,
    rank: int | None = None,
    max_iters: int = 50_000,
    seed: int = 0,
    time_limit: float = 120.0,
    structure: Literal["auto", "general"] = "auto",
    blas_threads: int | None = None,
    precision: Literal["auto", "float64"] = "auto",
) -> SDPResult:
    r"""A certified interval for Phi(Q) = max <Q, P> over P PSD, diag(P) <= 1.

    Parameters
    ----------
    Q : BipartiteQ or array_like, shape (N, N)
        Symmetric (e.g. :func:`build_q`).
    method : {"fast", "reference", "scs", "clarabel", "eig"}
        ``fast`` (default): low-rank coordinate ascent (alternating products on the bipartite block;
        the row-wise mixing method for a general matrix), stopped once the certified relative gap is
        <= ``tol``. ``reference``: cvxpy + Clarabel for N <= MAX_N["clarabel"], else cvxpy + SCS at
        tight tolerance; ``scs`` / ``clarabel`` force one. ``eig``: only the eigenvalue bound.
    tol : float
        Target relative gap (upper - lower) / upper of the fast path; tolerance of SCS.
    rank : int, optional
        Columns of the low-rank factor (default ceil(sqrt(2N)) + 1, Barvinok-Pataki's, capped at
        :data:`DEFAULT_RANK_CAP` on a bipartite Q and doubled there if the certified gap stalls).
    max_iters, time_limit : budget of the fast path (iterations; seconds).
    seed : int
        Seed of the random initial factor.
    structure : {"auto", "general"}
        ``general`` forces the row-wise mixing method even for a bipartite matrix (testing).
    blas_threads : int or None
        BLAS threads of the fast path's products and its certificates. Default None: the environment
        variable ``BOUNDLAB_BLAS_THREADS`` when set, else every core this process may use
        (:func:`default_blas_threads`; two threads were 1.6x faster than one on an idle 2-core
        machine). On cores shared with other work, BLAS threads wait for each other and are many
        times slower (N = 1285: 12.9 s with 2 threads, 0.55 s with 1, load average 1.7 to 3.6): set 1
        there.
    precision : {"auto", "float64"}
        Arithmetic of the fast path's iterations on a bipartite Q. ``auto``: float32 when
        ``tol >= 1e-6`` (about 3x faster products), switching to float64 if the certified gap stalls;
        ``float64``: always float64. Certificates and lower bounds are always computed in float64
        from the factor re-evaluated in float64, so the interval stays sound either way.

    Returns
    -------
    SDPResult
        ``upper`` is always :func:`certificate` of some dual vector. When a solver returns a status
        other than "optimal" (inaccurate, infeasible, error) its answer is discarded, the status says
        ``fallback`` and the eigenvalue bound is reported with ``lower`` = 0 (P = 0 is feasible).

    Examples
    --------
    >>> r = solve_sdp(build_q([[1.0, -1.0]], [1.0]))          # Phi(Q^fix) = 8
    >>> round(r.lower, 6), round(r.upper, 6), r.rel_gap <= 1e-6
    (8.0, 8.0, True)
    >>> r = solve_sdp(build_q([[1.0, -1.0]], [1.0], form="printed"))   # Phi(Q printed) = 4
    >>> round(r.upper, 6)
    4.0
    """
    t0 = time.perf_counter()
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise BadInput(f"tol ({tol}) must be in (0, 1).", name="tol")
    Qv = as_q(Q)
    N = _size(Qv)
    if method == "reference":
        import cvxpy as cp

        method = "clarabel" if (N <= MAX_N["clarabel"] and "CLARABEL" in cp.installed_solvers()) else "scs"
    if precision not in ("auto", "float64"):
        raise BadInput(f"precision ({precision}) must be 'auto' or 'float64'.", name="precision")
    if blas_threads is not None and (
        isinstance(blas_threads, bool) or int(blas_threads) != blas_threads or blas_threads < 1
    ):
        raise BadInput(f"blas_threads ({blas_threads}) must be None or an integer >= 1.", name="blas_threads")
    if method not in MAX_N:
        raise BadInput(f"method ({method}) must be one of fast, reference, scs, clarabel, eig.", name="method")
    _require_size(Qv, method)
    if method in ("fast", "eig"):
        _require_memory(N)
    if method == "eig":
        upper, how = eigenvalue_bound(Qv)
        return SDPResult(
            0.0,
            upper,
            _PATH_LABEL["eig"],
            time.perf_counter() - t0,
            N,
            note=f"best cheap dual vector: {how}; lower bound from P = 0",
        )
    if method == "fast":
        if isinstance(Qv, BipartiteQ) and structure == "auto":
            if not np.any(Qv.G):
                return SDPResult(
                    0.0,
                    certificate(Qv, np.zeros(N)),
                    _PATH_LABEL["fast"],
                    time.perf_counter() - t0,
                    N,
                    note="Q = 0",
                    dual=np.zeros(N),
                )
            with _blas_threads(blas_threads):
                lo, up, c, Y, it, note = _fast_bipartite(Qv, tol, rank, max_iters, seed, time_limit, precision)
            label = "fast (alternating products, bipartite Q)"
        else:
            A = _GeneralQ(_dense(Qv), _entry_error(Qv))
            with _blas_threads(blas_threads):
                lo, up, c, Y, it, note = _fast_general(A, tol, rank, max_iters, seed, time_limit)
            label = "fast (mixing method, general Q)"
        return SDPResult(lo, up, label, time.perf_counter() - t0, N, iterations=it, note=note, dual=c, factor=Y)
    lo, up, mu, status, why, value, iters = _reference(Qv, method.upper(), tol)
    if mu is None or not math.isfinite(up):
        upper, how = eigenvalue_bound(Qv)
        return SDPResult(
            0.0,
            upper,
            _PATH_LABEL[method],
            time.perf_counter() - t0,
            N,
            status="fallback",
            note=f"{why}: not used as a certificate; reported the always-sound eigenvalue bound ({how}) instead",
            iterations=iters,
            solver_value=value,
        )
    return SDPResult(
        max(lo, 0.0),
        up,
        _PATH_LABEL[method],
        time.perf_counter() - t0,
        N,
        iterations=iters,
        solver_value=value,
        dual=mu,
    )


def hypercube_max(Q: Any) -> float:
    r"""max zeta' Q zeta over zeta in {-1, +1}^N by enumeration (N <= 20): a lower bound on Phi(Q).

    By Grothendieck's inequality for bipartite Q, Phi(Q) <= K_G * hypercube_max(Q), K_G < 1.7823.

    Examples
    --------
    >>> hypercube_max(q_matrix([[1.0, -1.0]], [1.0]))   # = 8 = Phi: the SDP is tight here
    8.0
    """
    A = _dense(as_q(Q))
    N = A.shape[0]
    if N > 20:
        raise BadInput(f"N ({N}) must be <= 20 for enumeration of the hypercube.", name="N")
    if N == 1:
        return float(A[0, 0])
    # fix zeta_0 = +1 (the form is even); enumerate the rest in blocks
    rest = N - 1
    best = -math.inf
    block = 1 << min(rest, 14)
    bits = ((np.arange(block)[:, None] >> np.arange(min(rest, 14))) & 1) * 2.0 - 1.0
    for hi in range(1 << max(rest - 14, 0)):
        hib = ((hi >> np.arange(max(rest - 14, 0))) & 1) * 2.0 - 1.0
        Z = np.hstack([np.ones((block, 1)), bits, np.broadcast_to(hib, (block, hib.size))])
        best = max(best, float(np.einsum("ij,ij->i", Z @ A, Z).max()))
    return best
