r"""The data-dependent gradient-diversity calculator of Chapter 2.

From a matrix of per-sample gradients ``G`` (n x d, dense or ``scipy.sparse``) at one model ``w``:

* :func:`diversity`: :math:`\Delta_{\mathcal D}(w)`, :math:`B_{\mathcal D}(w) = n\Delta_{\mathcal D}(w)`,
  :math:`M^2(w)`, :math:`G(w)` and the sums the closed forms need (Definitions 2.4-2.5);
* :func:`differential_diversity`: :math:`B_{\mathcal D}(w, w')` from the gradients at two models
  (Definition 2.6);
* :func:`mechanism_bounds`: :math:`B^{\rm drop}`, :math:`B^{\rm sgld}`, :math:`B^{\rm quant}` in closed form
  (2.11)-(2.13);
* :func:`glm_diversity`: the same numbers for generalized linear models (logistic, squared, smooth hinge)
  straight from ``X, y, w`` in O(n + d) extra memory (rows are processed in blocks; the n x d gradient
  matrix is never formed);
* :func:`glm_lower_bound`, :func:`glm_lower_bound_normalized`, :func:`conflict_graph_bound`: the
  w-free lower bounds of Remark 2.1 and Remark 2.2 / Proposition 2.3.

Conventions: :math:`B_{\mathcal D}(w) = +\infty` when :math:`\sum_i g_i = 0` but some :math:`g_i \ne 0` (a
stationary point); all-zero gradients make :math:`\Delta_{\mathcal D}` undefined (0/0) and raise
:class:`~boundlab.bounds.BadInput`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sps

from boundlab.bounds import BadInput

__all__ = [
    "DiversityStats",
    "as_gradient_matrix",
    "diversity",
    "differential_diversity",
    "mechanism_bounds",
    "b_drop",
    "b_sgld",
    "b_quant",
    "glm_gradients",
    "glm_coefficients",
    "glm_diversity",
    "glm_row_norms",
    "glm_lower_bound",
    "glm_lower_bound_normalized",
    "conflict_graph_bound",
    "slack_delta",
    "MODELS",
]

BLOCK_FLOATS = 1 << 18  # 2 MB row blocks in the GLM shortcut and the row norms (fit in cache)


@dataclasses.dataclass(frozen=True)
class DiversityStats:
    """Sufficient statistics of a set of per-sample gradients ``g_1, ..., g_n`` (rows of G).

    Attributes
    ----------
    n, d : int
        Number of gradients and their dimension.
    A : float
        :math:`\\sum_i \\|g_i\\|_2^2`.
    S : float
        :math:`\\|\\sum_i g_i\\|_2^2`.
    A_q : float
        :math:`\\sum_i \\|g_i\\|_2 \\|g_i\\|_1` (for quantization, (2.13)).
    """

    n: int
    d: int
    A: float
    S: float
    A_q: float

    @property
    def C(self) -> float:
        """Sum of the cross inner products over ordered pairs i != j: S - A."""
        return self.S - self.A

    @property
    def M2(self) -> float:
        """:math:`M^2(w) = A / n`."""
        return self.A / self.n

    @property
    def G(self) -> float:
        """:math:`G(w) = \\|\\nabla F(w)\\|^2 = S / n^2`."""
        return self.S / self.n**2

    @property
    def Delta_D(self) -> float:
        """Gradient diversity A / S (inf at a stationary point)."""
        return math.inf if self.S == 0 else self.A / self.S

    @property
    def B_D(self) -> float:
        """Batch-size bound n A / S (inf at a stationary point)."""
        return math.inf if self.S == 0 else self.n * self.A / self.S

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping (infinite values as the string 'inf')."""
        out = {
            "n": self.n,
            "d": self.d,
            "Delta_D": self.Delta_D,
            "B_D": self.B_D,
            "M2": self.M2,
            "G": self.G,
            "A": self.A,
            "S": self.S,
            "C": self.C,
            "A_q": self.A_q,
        }
        return {k: (v if not isinstance(v, float) or math.isfinite(v) else str(v)) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def as_gradient_matrix(G: Any, name: str = "gradients") -> np.ndarray | sps.csr_matrix:
    """Validate an n x d matrix of per-sample gradients (dense array, nested list or scipy.sparse).

    Raises :class:`BadInput` for ragged, empty, non-numeric or non-finite input.

    Examples
    --------
    >>> as_gradient_matrix([[1, 2], [3, 4]]).shape
    (2, 2)
    >>> as_gradient_matrix([[1, 2], [3]])
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: gradients (ragged rows) must be an n x d matrix with rows of equal length.
    """
    if sps.issparse(G):
        M = sps.csr_matrix(G, dtype=float)
        if M.ndim != 2 or M.shape[0] == 0 or M.shape[1] == 0:
            raise BadInput(f"{name} (shape {M.shape}) must be a non-empty n x d matrix.", name=name)
        if not np.all(np.isfinite(M.data)):
            raise BadInput(f"{name} (contains NaN or inf) must be finite.", name=name)
        return M
    try:
        arr = np.asarray(G, dtype=float)
    except (ValueError, TypeError):
        raise BadInput(f"{name} (ragged rows) must be an n x d matrix with rows of equal length.", name=name) from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise BadInput(f"{name} (shape {arr.shape}) must be a non-empty n x d matrix.", name=name)
    if not _all_finite(arr):
        raise BadInput(f"{name} (contains NaN or inf) must be finite.", name=name)
    return arr


def _all_finite(arr: np.ndarray) -> bool:
    """np.isfinite(arr).all() without an n x d boolean temporary (row blocks)."""
    rows = max(1, BLOCK_FLOATS // max(arr.shape[1], 1))
    return all(bool(np.isfinite(arr[i : i + rows]).all()) for i in range(0, arr.shape[0], rows))


def _stats_from_matrix(M: np.ndarray | sps.csr_matrix, name: str) -> DiversityStats:
    n, d = M.shape
    # as_gradient_matrix gives an ndarray or a csr_matrix: isinstance, unlike sps.issparse, narrows the type
    if isinstance(M, np.ndarray):
        scale = float(np.max(np.abs(M)))
    else:
        scale = float(np.max(np.abs(M.data))) if M.nnz else 0.0
    if scale == 0.0:
        raise BadInput(
            f"{name} (all zero) must contain a nonzero gradient: Delta_D = 0/0 is undefined (Definition 2.4).",
            name=name,
        )
    if not 1e-100 < scale < 1e100:  # rescale by a power of two (exact) only when squares could under/overflow
        scale = float(2.0 ** np.frexp(scale)[1])
        M = M / scale
    else:
        scale = 1.0
    if not isinstance(M, np.ndarray):
        sq = np.asarray(M.multiply(M).sum(axis=1)).ravel()
        l1 = np.asarray(abs(M).sum(axis=1)).ravel()
        s = np.asarray(M.sum(axis=0)).ravel()
    else:
        sq, l1 = _row_norms(M)
        s = M.sum(axis=0)
    c2 = scale * scale
    return DiversityStats(
        n=int(n), d=int(d), A=float(sq.sum()) * c2, S=float(s @ s) * c2, A_q=float(np.sqrt(sq) @ l1) * c2
    )


def diversity(G: Any) -> DiversityStats:
    """Gradient diversity and batch-size bound of per-sample gradients (Definitions 2.4-2.5).

    Parameters
    ----------
    G : array_like or scipy.sparse matrix, shape (n, d)
        Row i is :math:`\\nabla f_i(w)`.

    Returns
    -------
    DiversityStats
        ``.Delta_D``, ``.B_D``, ``.M2``, ``.G`` and the sums ``A, S, C, A_q``.

    Examples
    --------
    >>> s = diversity([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> s.Delta_D, s.B_D, s.M2
    (0.5, 1.5, 1.3333333333333333)
    >>> diversity([[1.0, 0.0], [-1.0, 0.0]]).B_D
    inf
    """
    return _stats_from_matrix(as_gradient_matrix(G), "gradients")


def differential_diversity(G1: Any, G2: Any) -> DiversityStats:
    """Differential diversity :math:`B_{\\mathcal D}(w, w')` from the gradients at w (G1) and w' (G2) (Definition 2.6).

    Examples
    --------
    >>> differential_diversity([[2.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]]).B_D
    2.0
    """
    M1, M2 = as_gradient_matrix(G1, "gradients_w"), as_gradient_matrix(G2, "gradients_w_prime")
    if M1.shape != M2.shape:
        raise BadInput(
            f"gradients_w_prime (shape {M2.shape}) must have the shape of gradients_w ({M1.shape}).",
            name="gradients_w_prime",
        )
    H = M1 - M2
    try:
        return _stats_from_matrix(H, "gradient differences")
    except BadInput:
        raise BadInput(
            "gradient differences (all zero) must contain a nonzero row: B_D(w, w') = 0/0 is undefined "
            "(Definition 2.6 needs some grad f_i(w) != grad f_i(w')).",
            name="gradients_w_prime",
        ) from None


# ---------------------------------------------------------------------------------------------
# Closed forms (2.11)-(2.13)
# ---------------------------------------------------------------------------------------------


def _check_p(p: float) -> float:
    p = float(p)
    if not (math.isfinite(p) and 0.0 <= p < 1.0):
        raise BadInput(f"p ({p:g}) must be in [0, 1) (DropConnect drop probability).", name="p")
    return p


def _check_sigma(sigma: float) -> float:
    sigma = float(sigma)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise BadInput(f"sigma ({sigma:g}) must be a finite number >= 0 (SGLD noise level).", name="sigma")
    return sigma


def _ratio(num: float, den: float) -> float:
    return math.inf if den <= 0 else num / den


def b_drop(s: DiversityStats, p: float) -> float:
    """DropConnect (2.11): :math:`nA / (A + (1-p)C)`.

    Examples
    --------
    >>> s = diversity([[1.0, 0.0], [1.0, 0.0]])
    >>> s.B_D, b_drop(s, 0.5)
    (1.0, 1.3333333333333333)
    """
    p = _check_p(p)
    return _ratio(s.n * s.A, s.A + (1 - p) * s.C)


def b_sgld(s: DiversityStats, sigma: float) -> float:
    """SGLD (2.12): :math:`(nA + n^2 d\\sigma^2) / (S + nd\\sigma^2)`.

    Examples
    --------
    >>> b_sgld(diversity([[1.0, 0.0], [1.0, 0.0]]), 1.0)
    1.5
    """
    sigma = _check_sigma(sigma)
    x = s.n * s.d * sigma**2
    return _ratio(s.n * (s.A + x), s.S + x)


def b_quant(s: DiversityStats) -> float:
    """Quantization (2.13): :math:`nA_q / (A_q + C)`, :math:`A_q = \\sum_i \\|g_i\\|_2\\|g_i\\|_1`.

    Examples
    --------
    >>> round(b_quant(diversity([[1.0, 1.0], [1.0, 1.0]])), 6)
    1.171573
    """
    if math.isnan(s.A_q):
        raise BadInput(
            "A_q (not computed) must be computed for B^quant: use glm_diversity(..., quant=True).", name="quant"
        )
    return _ratio(s.n * s.A_q, s.A_q + s.C)


def mechanism_bounds(
    s: DiversityStats, *, p: float | None = None, sigma: float | None = None, quant: bool = True
) -> dict[str, float]:
    """The diversity-inducing mechanisms' batch-size bounds at the given levels (Theorem 2.7).

    Examples
    --------
    >>> s = diversity([[1.0, 0.0], [1.0, 0.0]])
    >>> mechanism_bounds(s, p=0.5, sigma=1.0)
    {'B_drop': 1.3333333333333333, 'B_sgld': 1.5, 'B_quant': 1.0}
    """
    out: dict[str, float] = {}
    if p is not None:
        out["B_drop"] = b_drop(s, p)
    if sigma is not None:
        out["B_sgld"] = b_sgld(s, sigma)
    if quant:
        out["B_quant"] = b_quant(s)
    return out


def slack_delta(s: DiversityStats, B: int) -> float:
    """The batch-size slack :math:`\\delta = (B-1)/B_{\\mathcal D}(w)` of Lemma 2.1, for 1 <= B <= n.

    Examples
    --------
    >>> slack_delta(diversity([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), 2)
    0.6666666666666666
    """
    if not (float(B) == int(B) and 1 <= int(B)):
        raise BadInput(f"B ({B}) must be an integer >= 1.", name="B")
    if int(B) > s.n:
        raise BadInput(
            f"B ({B}) must be <= n ({s.n}): the chapter's batch-size analysis (Propositions 2.7-2.8, "
            f"erratum err2.2) assumes a batch no larger than the data set.",
            name="B",
        )
    return (int(B) - 1) / s.B_D


# ---------------------------------------------------------------------------------------------
# Generalized linear models
# ---------------------------------------------------------------------------------------------


def _logistic_deriv(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # f = log(1 + exp(-y z)); df/dz = -y sigmoid(-y z)
    m = y * z
    return -y * np.exp(-np.logaddexp(0.0, m))


def _squared_deriv(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return z - y


def _smooth_hinge_deriv(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # l(m) = 1/2 - m (m <= 0), (1 - m)^2/2 (0 < m < 1), 0 (m >= 1); m = y z
    return -y * np.clip(1.0 - y * z, 0.0, 1.0)


MODELS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "logistic": _logistic_deriv,
    "squared": _squared_deriv,
    "hinge": _smooth_hinge_deriv,
}


def _check_glm(X: Any, y: Any, w: Any, model: str) -> tuple[Any, np.ndarray, np.ndarray]:
    if model not in MODELS:
        raise BadInput(f"model ({model}) must be one of {', '.join(MODELS)}.", name="model")
    Xm = as_gradient_matrix(X, "X")
    n, d = Xm.shape
    try:
        yv = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise BadInput("y (non-numeric) must be a vector of numbers.", name="y") from None
    if yv.shape[0] != n:
        raise BadInput(f"y (length {yv.shape[0]}) must have one label per row of X (n = {n}).", name="y")
    if not np.all(np.isfinite(yv)):
        raise BadInput("y (contains NaN or inf) must be finite.", name="y")
    if model in ("logistic", "hinge"):
        labels = set(np.unique(yv).tolist())
        if not labels <= {-1.0, 1.0} and not labels <= {0.0, 1.0}:
            raise BadInput(
                f"y (labels {sorted(labels)[:5]}) must be in {{-1, +1}} or {{0, 1}} for the {model} model.", name="y"
            )
        if labels <= {0.0, 1.0}:
            yv = 2 * yv - 1
    if w is None:
        wv = np.zeros(d)
    else:
        try:
            wv = np.asarray(w, dtype=float).ravel()
        except (TypeError, ValueError):
            raise BadInput("w (non-numeric) must be a vector of numbers.", name="w") from None
        if wv.shape[0] != d:
            raise BadInput(f"w (length {wv.shape[0]}) must have one entry per column of X (d = {d}).", name="w")
        if not np.all(np.isfinite(wv)):
            raise BadInput("w (contains NaN or inf) must be finite.", name="w")
    return Xm, yv, wv


def glm_coefficients(X: Any, y: Any, w: Any = None, model: str = "logistic") -> np.ndarray:
    """The scalars :math:`a_i = \\ell_i'(x_i^\\top w)` with :math:`\\nabla f_i(w) = a_i x_i`; shape (n,).

    Examples
    --------
    >>> glm_coefficients([[1.0, 0.0], [0.0, 1.0]], [1, -1], [0.0, 0.0])
    array([-0.5,  0.5])
    """
    Xm, yv, wv = _check_glm(X, y, w, model)
    return MODELS[model](np.asarray(Xm @ wv).ravel(), yv)


def glm_gradients(X: Any, y: Any, w: Any = None, model: str = "logistic") -> np.ndarray | sps.csr_matrix:
    """The materialised n x d matrix of per-sample gradients :math:`a_i x_i` (small problems, baselines).

    Examples
    --------
    >>> glm_gradients([[2.0, 0.0]], [0.0], [1.0, 0.0], "squared")
    array([[4., 0.]])
    """
    Xm, yv, wv = _check_glm(X, y, w, model)
    a = MODELS[model](np.asarray(Xm @ wv).ravel(), yv)
    if sps.issparse(Xm):
        return sps.diags(a) @ Xm
    return a[:, None] * Xm


def _row_norms(Xm: Any) -> tuple[np.ndarray, np.ndarray]:
    """Squared l2 and l1 norms of the rows, block by block (no n x d temporary)."""
    if sps.issparse(Xm):
        return (np.asarray(Xm.multiply(Xm).sum(axis=1)).ravel(), np.asarray(abs(Xm).sum(axis=1)).ravel())
    n = Xm.shape[0]
    rows = max(1, BLOCK_FLOATS // max(Xm.shape[1], 1))
    sq, l1 = np.empty(n), np.empty(n)
    for start in range(0, n, rows):
        blk = Xm[start : start + rows]
        sq[start : start + rows] = np.einsum("ij,ij->i", blk, blk)
        l1[start : start + rows] = np.abs(blk).sum(axis=1)
    return sq, l1


def glm_row_norms(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Squared l2 and l1 norms of the rows of X (independent of w: compute once, reuse along a trajectory).

    Examples
    --------
    >>> glm_row_norms([[3.0, -4.0]])
    (array([25.]), array([7.]))
    """
    return _row_norms(as_gradient_matrix(X, "X"))


def glm_diversity(
    X: Any,
    y: Any,
    w: Any = None,
    model: str = "logistic",
    *,
    quant: bool = True,
    row_norms: tuple[np.ndarray, np.ndarray] | None = None,
) -> DiversityStats:
    """Gradient diversity of a generalized linear model without forming the gradient matrix.

    With :math:`\\nabla f_i(w) = a_i x_i`: :math:`A = \\sum_i a_i^2\\|x_i\\|^2`, :math:`S = \\|X^\\top a\\|^2`,
    :math:`A_q = \\sum_i a_i^2\\|x_i\\|_2\\|x_i\\|_1`. Extra memory is O(n + d) plus one 2 MB row block.

    Parameters
    ----------
    X : array_like or scipy.sparse, shape (n, d)
    y : array_like, shape (n,)
        Labels: {-1, +1} or {0, 1} for ``logistic`` and ``hinge`` (smooth hinge), real for ``squared``.
    w : array_like, shape (d,), optional
        The model (default 0).
    model : {"logistic", "squared", "hinge"}
    quant : bool
        Also compute A_q (for B^quant); False skips the l1 norms of the rows (A_q is then nan).
    row_norms : (ndarray, ndarray), optional
        :func:`glm_row_norms` of X, computed once: each call then reads X once (X w and X'a per block).

    Examples
    --------
    >>> X = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    >>> glm_diversity(X, [1, 1, 1], model="logistic").B_D == diversity(glm_gradients(X, [1, 1, 1])).B_D
    True
    """
    Xm, yv, wv = _check_glm(X, y, w, model)
    deriv = MODELS[model]
    n, d = Xm.shape
    if row_norms is not None:
        sq_all, l1_all = (np.asarray(v, dtype=float).ravel() for v in row_norms)
        if sq_all.shape != (n,) or l1_all.shape != (n,):
            raise BadInput(
                f"row_norms (shapes {sq_all.shape}, {l1_all.shape}) must be two vectors of length n = {n}.",
                name="row_norms",
            )
    if sps.issparse(Xm):
        a = deriv(np.asarray(Xm @ wv).ravel(), yv)
        sq, l1 = _row_norms(Xm) if row_norms is None else (sq_all, l1_all)
        A = float(np.sum(a * a * sq))
        Aq = float(np.sum(a * a * np.sqrt(sq) * l1)) if quant else math.nan
        s = np.asarray(Xm.T @ a).ravel()
    else:  # one pass over X in cache-sized row blocks: z, a, ||x_i||^2, ||x_i||_1 and X'a together
        rows = max(1, BLOCK_FLOATS // d)
        A, Aq = 0.0, (0.0 if quant else math.nan)
        s = np.zeros(d)
        for start in range(0, n, rows):
            blk = Xm[start : start + rows]
            a = deriv(blk @ wv, yv[start : start + rows])
            sq = np.einsum("ij,ij->i", blk, blk) if row_norms is None else sq_all[start : start + rows]
            a2 = a * a
            A += float(a2 @ sq)
            if quant:
                l1 = np.abs(blk).sum(axis=1) if row_norms is None else l1_all[start : start + rows]
                Aq += float(a2 @ (np.sqrt(sq) * l1))
            s += blk.T @ a
    if A == 0.0:
        raise BadInput(
            "gradients (all zero at this w) must contain a nonzero gradient: Delta_D = 0/0 is undefined "
            "(Definition 2.4).",
            name="w",
        )
    return DiversityStats(n=int(n), d=int(d), A=A, S=float(s @ s), A_q=Aq)


# ---------------------------------------------------------------------------------------------
# Lower bounds (Remark 2.1, Remark 2.2 / Proposition 2.3)
# ---------------------------------------------------------------------------------------------


def _sigma_max2(Xm: Any) -> float:
    n, d = Xm.shape
    if sps.issparse(Xm) or n * d > 4_000_000:
        from scipy.sparse.linalg import svds

        if min(n, d) <= 2:
            dense = Xm.toarray() if sps.issparse(Xm) else Xm
            return float(np.linalg.norm(dense, 2) ** 2)
        sv = svds(Xm, k=1, return_singular_vectors=False, random_state=0)
        return float(sv[0] ** 2)
    return float(np.linalg.norm(Xm, 2) ** 2)


def glm_lower_bound(X: Any) -> float:
    """Remark 2.1: :math:`n\\min_i\\|x_i\\|_2^2 / \\sigma_{\\max}(X)^2`, a lower bound of B_D(w) for every w.

    Examples
    --------
    >>> glm_lower_bound([[1.0, 0.0], [0.0, 1.0]])
    2.0
    """
    Xm = as_gradient_matrix(X, "X")
    sq, _ = _row_norms(Xm)
    s2 = _sigma_max2(Xm)
    if s2 == 0:
        raise BadInput("X (all zero) must have a nonzero row: sigma_max(X) = 0.", name="X")
    return float(Xm.shape[0] * sq.min() / s2)


def glm_lower_bound_normalized(X: Any) -> float:
    """The tighter w-free bound :math:`n/\\sigma_{\\max}(\\tilde X)^2`, :math:`\\tilde x_i = x_i/\\|x_i\\|` (catalog, DERIVED).

    Zero rows have zero gradients and are left out of :math:`\\tilde X` (they add nothing to A or S).

    Examples
    --------
    >>> glm_lower_bound_normalized([[2.0, 0.0], [0.0, 1.0]])
    2.0
    """
    Xm = as_gradient_matrix(X, "X")
    sq, _ = _row_norms(Xm)
    keep = sq > 0
    if not np.any(keep):
        raise BadInput("X (all zero) must have a nonzero row.", name="X")
    scale = 1.0 / np.sqrt(sq[keep])
    Xt = (sps.diags(scale) @ Xm[keep]) if sps.issparse(Xm) else Xm[keep] * scale[:, None]
    return float(Xm.shape[0] / _sigma_max2(Xt))


def conflict_graph_bound(supports: Any, gradients: Any = None) -> dict[str, float]:
    """Remark 2.2 / Proposition 2.3: :math:`B_{\\mathcal D}(w) \\ge n/(\\rho+1)` from the supports' conflict graph.

    Parameters
    ----------
    supports : array_like or scipy.sparse, shape (n, d)
        Any matrix whose nonzero pattern contains the support of each :math:`\\nabla f_i` (e.g. X itself for a
        sparse linear model, or the gradient matrix).
    gradients : array_like, shape (n, d), optional
        The gradients at one w; adds the tighter degree-weighted bound
        :math:`nA/(A + \\sum_i \\deg(i)\\|g_i\\|^2)` (from the proof, catalog DERIVED).

    Returns
    -------
    dict
        ``rho`` (maximum degree), ``bound`` = n/(rho+1) and, with gradients, ``weighted_bound``.

    Examples
    --------
    >>> conflict_graph_bound([[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    {'n': 3, 'rho': 1, 'bound': 1.5}
    """
    S = as_gradient_matrix(supports, "supports")
    pat = sps.csr_matrix(S != 0, dtype=np.int64) if sps.issparse(S) else sps.csr_matrix((S != 0).astype(np.int64))
    n = pat.shape[0]
    adj = (pat @ pat.T).tocsr()
    adj.setdiag(0)
    adj.eliminate_zeros()
    deg = np.diff(adj.indptr)
    rho = int(deg.max()) if n else 0
    out: dict[str, float] = {"n": n, "rho": rho, "bound": n / (rho + 1)}
    if gradients is not None:
        Gm = as_gradient_matrix(gradients)
        if Gm.shape[0] != n:
            raise BadInput(
                f"gradients (n = {Gm.shape[0]}) must have one row per row of supports (n = {n}).", name="gradients"
            )
        sq = (
            np.einsum("ij,ij->i", Gm, Gm)
            if isinstance(Gm, np.ndarray)
            else np.asarray(Gm.multiply(Gm).sum(axis=1)).ravel()
        )
        A = float(sq.sum())
        if A == 0:
            raise BadInput("gradients (all zero) must contain a nonzero gradient.", name="gradients")
        out["weighted_bound"] = n * A / (A + float(deg @ sq))
    return out
