r"""Empirical Rademacher complexities of l_p-constrained linear classes, natural and adversarial (Chapter 5).

For the binary class :math:`\mathcal F = \{x\mapsto\langle w,x\rangle : \|w\|_p\le W\}` (5.2) and its adversarial
version :math:`\tilde{\mathcal F}` (5.3), with :math:`u = \sum_i\sigma_iy_ix_i`, :math:`v = \varepsilon\sum_i\sigma_i`:

.. math::
    \mathfrak R_S(\mathcal F) = \frac Wn\mathbb E_\sigma\|u\|_q,\qquad
    \mathfrak R_S(\tilde{\mathcal F}) = \frac Wn\mathbb E_\sigma\|(|u| - v\mathbf 1)_+\|_q

(the corrected closed form; the printed (5.10), :math:`\frac Wn\mathbb E\|u - v\,\mathrm{sgn}(u)\|_q`, is
available as ``form="printed"`` for the errata and is wrong). Both are computed from **one** matrix product
:math:`U = \Sigma Z` (signs ``Sigma`` of shape (draws, n), ``Z = y * X`` of shape (n, d)); the antithetic
partner :math:`-\sigma` costs nothing (:math:`u\to-u`, :math:`v\to-v`). Exact by enumerating the
:math:`2^{n-1}` antithetic pairs for small n; Monte Carlo with a t interval over pairs otherwise.

Multi-class (Theorems 5.3/5.4): per-class sums :math:`u_y = \sum_i\sigma_ix_i\mathbb 1(y_i=y)`,
:math:`v_y = \varepsilon\sum_i\sigma_i\mathbb 1(y_i = y)`. Networks (Theorems 5.5/5.8): plug-in norms.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from boundlab.bounds import BadInput, get_bound

from ._checks import chunk_rngs
from ._stats import t_interval

__all__ = [
    "RademacherEstimate",
    "LinearRademacher",
    "MulticlassRademacher",
    "EXACT_MAX_N",
    "conjugate",
    "lp_norms",
    "expected_abs_sum",
    "rademacher_pair",
    "rademacher_linear",
    "rademacher_adv_linear",
    "expected_sum_norm",
    "rademacher_multiclass",
    "thm5_2_sandwich",
    "margins",
    "adversarial_margins",
    "adversarial_examples",
    "thm5_3_bound",
    "thm5_4_bound",
    "thm5_5_bound",
    "thm5_8_bound",
    "network_norms",
    "c_holder_bound",
    "zero_pad",
    "downsample2x2",
    "upsample2x2",
]

EXACT_MAX_N = 20
_AUTO_EXACT_N = 16
_ENUM_BLOCK = 1 << 13
C_VALID = 1 / (2 * math.sqrt(2))

Form = Literal["corrected", "printed"]
Method = Literal["auto", "exact", "mc"]


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _matrix(X: Any, name: str = "X") -> np.ndarray:
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise BadInput(f"{name} ({type(X).__name__}) must be a numeric array.", name=name) from None
    if A.ndim != 2 or A.shape[0] < 1 or A.shape[1] < 1:
        raise BadInput(f"{name} (shape {A.shape}) must be a non-empty 2-D array (n, d).", name=name)
    if not np.all(np.isfinite(A)):
        bad = A[~np.isfinite(A)].flat[0]
        raise BadInput(f"{name} ({bad}) must be finite (NaN/inf entries found).", name=name)
    return A


def _labels(y: Any, n: int, *, binary: bool) -> np.ndarray:
    try:
        v = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise BadInput(f"y ({type(y).__name__}) must be a numeric array.", name="y") from None
    if v.shape != (n,):
        raise BadInput(f"y (shape {v.shape}) must have shape ({n},) to match X.", name="y")
    if not np.all(np.isfinite(v)):
        raise BadInput("y (NaN/inf) must be finite.", name="y")
    if binary and not np.all(np.abs(v) == 1):
        raise BadInput(f"y ({v[np.abs(v) != 1][0]:g}) must be +1 or -1 (binary labels).", name="y")
    if not binary and not (np.all(v == np.floor(v)) and v.min() >= 0):
        raise BadInput(f"y ({v[(v != np.floor(v)) | (v < 0)][0]:g}) must be a class index in 0..K-1.", name="y")
    return v if binary else v.astype(int)


def _scalar(x: Any, name: str, *, lower: float, open_: bool = False, allow_inf: bool = False) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise BadInput(f"{name} ({x!r}) must be a number.", name=name) from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise BadInput(f"{name} ({v}) must be finite.", name=name)
    if v < lower or (open_ and v == lower):
        raise BadInput(f"{name} ({v:g}) must be {'>' if open_ else '>='} {lower:g}.", name=name)
    return v


def conjugate(p: float) -> float:
    """The Hölder conjugate q of p (1/p + 1/q = 1); p = inf gives 1, p = 1 gives inf.

    Examples
    --------
    >>> conjugate(2.0), conjugate(1.0), conjugate(math.inf), conjugate(3.0)
    (2.0, inf, 1.0, 1.5)
    """
    p = _scalar(p, "p", lower=1.0, allow_inf=True)
    if p == 1:
        return math.inf
    if math.isinf(p):
        return 1.0
    return p / (p - 1)


def lp_norms(A: np.ndarray, q: float) -> np.ndarray:
    """Row-wise l_q norms of A (..., d) -> (...), with fast paths for q in {1, 2, inf}.

    Examples
    --------
    >>> lp_norms(np.array([[3.0, -4.0]]), 2.0).tolist(), lp_norms(np.array([[3.0, -4.0]]), math.inf).tolist()
    ([5.0], [4.0])
    """
    if q == 2:
        return np.sqrt(np.einsum("...j,...j->...", A, A))
    if q == 1:
        return np.abs(A).sum(axis=-1)
    if math.isinf(q):
        return np.abs(A).max(axis=-1)
    return (np.abs(A) ** q).sum(axis=-1) ** (1 / q)


def expected_abs_sum(n: int) -> float:
    r"""Exact :math:`m_n = \mathbb E|\sum_{i\le n}\sigma_i| = 2k\binom{2k}{k}4^{-k}`, :math:`k = \lceil n/2\rceil`.

    Examples
    --------
    >>> round(expected_abs_sum(2), 12), round(expected_abs_sum(3), 12)
    (1.0, 1.5)
    """
    from boundlab.bounds import rademacher_abs_mean

    return float(rademacher_abs_mean(int(n)))


# ---------------------------------------------------------------------------------------------
# The core: one matrix product per block of sign vectors
# ---------------------------------------------------------------------------------------------


def _block_values(Sig: np.ndarray, Z: np.ndarray, eps: float, q: float, form: Form) -> tuple[np.ndarray, ...]:
    """Per sign vector: ||u||_q, the antithetic pair mean of the adversarial norm, |S_n|.

    Sig : (m, n) signs; Z : (n, d) = y * X. Returns three arrays of shape (m,). With w = eps |S_n| the pair is
    ||(|u| - w)_+||_q and ||(|u| + w)_+||_q = || |u| + w ||_q; the second has no clipping, so for q in {1, 2, inf}
    it comes from ||u||_1, ||u||_2 and ||u||_inf without another pass over U.
    """
    U = Sig @ Z  # the one matrix product
    S = Sig.sum(axis=1)
    d = U.shape[1]
    absS = np.abs(S)
    if form == "printed":  # (5.10): ||u - v sgn(u)||_q; its antithetic partner has the same norm
        nat = lp_norms(U, q)
        return nat, lp_norms(U - (eps * S)[:, None] * np.sign(U), q), absS
    w = eps * absS
    A = np.abs(U, out=U)
    if q == 2:
        sq = np.einsum("ij,ij->i", A, A)
        nat = np.sqrt(sq)
        if eps == 0:
            return nat, nat, absS
        far = np.sqrt(sq + 2 * w * A.sum(axis=1) + d * w * w)
    elif q == 1:
        nat = A.sum(axis=1)
        if eps == 0:
            return nat, nat, absS
        far = nat + d * w
    elif math.isinf(q):
        nat = A.max(axis=1)
        if eps == 0:
            return nat, nat, absS
        return nat, 0.5 * (np.maximum(nat - w, 0.0) + nat + w), absS
    else:
        nat = lp_norms(A, q)
        if eps == 0:
            return nat, nat, absS
        far = lp_norms(A + w[:, None], q)
    A -= w[:, None]
    np.maximum(A, 0.0, out=A)
    return nat, 0.5 * (lp_norms(A, q) + far), absS


def _enumerate_pairs(n: int) -> list[np.ndarray]:
    """All 2^(n-1) sign vectors with sigma_1 = +1 (one per antithetic pair), in blocks."""
    total = 1 << (n - 1)
    idx = np.arange(total, dtype=np.int64)
    shifts = np.arange(n - 1, dtype=np.int64)
    blocks = []
    for start in range(0, total, _ENUM_BLOCK):
        bits = (idx[start : start + _ENUM_BLOCK, None] >> shifts) & 1
        sig = np.empty((bits.shape[0], n))
        sig[:, 0] = 1.0
        sig[:, 1:] = 2.0 * bits - 1.0
        blocks.append(sig)
    return blocks


def _random_signs(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    bits = np.unpackbits(rng.integers(0, 256, size=(m, (n + 7) // 8), dtype=np.uint8), axis=1, count=n)
    sig = bits.astype(np.float64)
    sig *= 2.0
    sig -= 1.0
    return sig


@dataclasses.dataclass(frozen=True)
class RademacherEstimate:
    """An estimate of a Rademacher-type expectation with its interval.

    ``exact`` estimates (full enumeration) have ``ci_low == ci_high == value``.
    """

    value: float
    ci_low: float
    ci_high: float
    exact: bool
    draws: int
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _estimate(x: np.ndarray, exact: bool, confidence: float) -> RademacherEstimate:
    if exact:
        v = float(x.mean())
        return RademacherEstimate(v, v, v, True, int(x.size), confidence)
    m, lo, hi = t_interval(x, confidence)
    return RademacherEstimate(m, lo, hi, False, int(x.size), confidence)


@dataclasses.dataclass(frozen=True)
class LinearRademacher:
    """R_S(F), R_S(F~) and D^ of the binary linear class from the same sign vectors (common random numbers).

    ``pairs_*`` hold the per-draw values (antithetic pair means for the adversarial class), so that the
    refined sandwich can be checked draw by draw.
    """

    natural: RademacherEstimate
    adversarial: RademacherEstimate
    D_hat: float
    d_q: float
    n: int
    d: int
    p: float
    eps: float
    W: float
    form: str
    pairs_natural: np.ndarray = dataclasses.field(repr=False)
    pairs_adversarial: np.ndarray = dataclasses.field(repr=False)
    pairs_D: np.ndarray = dataclasses.field(repr=False)


def _method(method: str, n: int) -> bool:
    if method not in ("auto", "exact", "mc"):
        raise BadInput(f"method ({method}) must be 'auto', 'exact' or 'mc'.", name="method")
    if method == "exact" and n > EXACT_MAX_N:
        raise BadInput(f"n ({n}) must be <= {EXACT_MAX_N} for exact enumeration; use method='mc'.", name="n")
    return method == "exact" or (method == "auto" and n <= _AUTO_EXACT_N)


def rademacher_pair(
    X: Any,
    y: Any = None,
    eps: float = 0.0,
    W: float = 1.0,
    p: float = 2.0,
    *,
    form: Form = "corrected",
    method: Method = "auto",
    draws: int = 10_000,
    seed: int = 0,
    confidence: float = 0.99,
) -> LinearRademacher:
    r"""Empirical :math:`\mathfrak R_S(\mathcal F)` and :math:`\mathfrak R_S(\tilde{\mathcal F})` of the binary linear class.

    Parameters
    ----------
    X : array, shape (n, d)
        The sample.
    y : array of +-1, shape (n,), optional
        Labels (default all +1; R_S does not depend on them in law, but the Monte Carlo draws do).
    eps : float >= 0
        l_inf radius. W : float > 0, the norm budget. p : float >= 1 (``math.inf`` allowed).
    form : {"corrected", "printed"}
        The closed form of R_S(F~): the correct one, or the printed (5.10) (wrong; for the errata).
    method : {"auto", "exact", "mc"}
        ``exact`` enumerates the 2^(n-1) antithetic pairs (n <= 20); ``auto`` does so for n <= 16.
    draws : int
        Monte Carlo: number of independent sign vectors (each used with its antithetic partner).
    seed : int
        Root seed (chunks by ``SeedSequence(seed).spawn``).
    confidence : float
        Level of the t intervals.

    Returns
    -------
    LinearRademacher

    Examples
    --------
    >>> r = rademacher_pair(np.zeros((2, 3)), eps=0.5, p=1.0)
    >>> r.natural.value, r.adversarial.value, r.adversarial.exact
    (0.0, 0.125, True)
    """
    Xa = _matrix(X)
    n, d = Xa.shape
    ya = np.ones(n) if y is None else _labels(y, n, binary=True)
    eps = _scalar(eps, "eps", lower=0.0)
    W = _scalar(W, "W", lower=0.0, open_=True)
    q = conjugate(p)
    p = float(p)
    if form not in ("corrected", "printed"):
        raise BadInput(f"form ({form}) must be 'corrected' or 'printed'.", name="form")
    exact = _method(method, n)
    if not exact and (int(draws) != draws or draws < 2):
        raise BadInput(f"draws ({draws}) must be an integer >= 2.", name="draws")
    Z = ya[:, None] * Xa
    parts: list[tuple[np.ndarray, ...]] = []
    if exact:
        for sig in _enumerate_pairs(n):
            parts.append(_block_values(sig, Z, eps, q, form))
    else:
        for size, rng in chunk_rngs(seed, int(draws)):
            parts.append(_block_values(_random_signs(rng, size, n), Z, eps, q, form))
    nat, adv, absS = (np.concatenate(t) for t in zip(*parts))
    d_q = 1.0 if math.isinf(q) else float(d) ** (1 / q)
    scale = W / n
    pairs_D = eps * W * d_q * absS / (2 * n)
    return LinearRademacher(
        natural=_estimate(scale * nat, exact, confidence),
        adversarial=_estimate(scale * adv, exact, confidence),
        D_hat=float(pairs_D.mean()),
        d_q=d_q,
        n=n,
        d=d,
        p=p,
        eps=eps,
        W=W,
        form=form,
        pairs_natural=scale * nat,
        pairs_adversarial=scale * adv,
        pairs_D=pairs_D,
    )


def rademacher_linear(X: Any, W: float = 1.0, p: float = 2.0, **kw: Any) -> RademacherEstimate:
    r"""Empirical :math:`\mathfrak R_S(\mathcal F) = \frac Wn\mathbb E_\sigma\|\sum_i\sigma_ix_i\|_q` ((5.9)).

    Examples
    --------
    >>> rademacher_linear(np.array([[1.0], [1.0]])).value  # (|2| + |0|)/2 / 2
    0.5
    """
    return rademacher_pair(X, None, 0.0, W, p, **kw).natural


def rademacher_adv_linear(X: Any, y: Any, eps: float, W: float = 1.0, p: float = 2.0, **kw: Any) -> RademacherEstimate:
    r"""Empirical :math:`\mathfrak R_S(\tilde{\mathcal F})` of the adversarial binary linear class (5.3).

    Examples
    --------
    >>> rademacher_adv_linear(np.zeros((1, 1)), [1], 0.3).value  # eps W / 2 (the printed (5.10) gives 0)
    0.15
    >>> rademacher_adv_linear(np.zeros((1, 1)), [1], 0.3, form="printed").value
    0.0
    """
    return rademacher_pair(X, y, eps, W, p, **kw).adversarial


def expected_sum_norm(X: Any, p: float = 2.0, **kw: Any) -> RademacherEstimate:
    r""":math:`\mathbb E_\sigma\|\sum_i\sigma_ix_i\|_q` (the data term of Theorem 5.3).

    Examples
    --------
    >>> expected_sum_norm(np.array([[3.0, 4.0]])).value
    5.0
    """
    Xa = _matrix(X)
    est = rademacher_pair(Xa, None, 0.0, 1.0, p, **kw).natural
    n = Xa.shape[0]
    return dataclasses.replace(est, value=est.value * n, ci_low=est.ci_low * n, ci_high=est.ci_high * n)


# ---------------------------------------------------------------------------------------------
# Multi-class
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MulticlassRademacher:
    r"""Per-class Rademacher terms of the multi-class linear class.

    ``class_norms[y]`` estimates :math:`\mathbb E\|u_y\|_q`; ``class_adv_norms[y]`` estimates
    :math:`\mathbb E\|(|u_y| - \varepsilon v_y\mathbf 1)_+\|_q` (antithetic); ``sum_norm`` estimates
    :math:`\mathbb E\|\sum_i\sigma_ix_i\|_q`. ``rs_projection`` is
    :math:`\mathfrak R_S(\Pi_1(\mathcal F)) = \frac Wn\mathbb E\|\sum_i\sigma_ix_i\|_q`.
    """

    class_norms: np.ndarray
    class_adv_norms: np.ndarray
    class_norms_ci_high: np.ndarray
    sum_norm: RademacherEstimate
    n_y: np.ndarray
    K: int
    rs_projection: float
    exact: bool


def rademacher_multiclass(
    X: Any,
    y: Any,
    eps: float = 0.0,
    W: float = 1.0,
    p: float = 2.0,
    *,
    K: int | None = None,
    method: Method = "auto",
    draws: int = 4000,
    seed: int = 0,
    confidence: float = 0.99,
) -> MulticlassRademacher:
    r"""Per-class terms :math:`\mathbb E\|u_y\|_q`, :math:`\mathbb E\|(|u_y|-\varepsilon v_y)_+\|_q` from common signs.

    Parameters
    ----------
    X : array, shape (n, d); y : int array, shape (n,), classes 0..K-1.

    Examples
    --------
    >>> r = rademacher_multiclass(np.array([[1.0], [1.0]]), [0, 1], K=2)
    >>> r.class_norms.tolist(), r.sum_norm.value
    ([1.0, 1.0], 1.0)
    """
    Xa = _matrix(X)
    n, d = Xa.shape
    ya = _labels(y, n, binary=False)
    K = int(ya.max()) + 1 if K is None else int(K)
    if K < 2 or ya.max() >= K:
        raise BadInput(f"K ({K}) must be >= 2 and exceed every label (max {ya.max()}).", name="K")
    eps = _scalar(eps, "eps", lower=0.0)
    W = _scalar(W, "W", lower=0.0, open_=True)
    q = conjugate(p)
    exact = _method(method, n)
    onehot = np.zeros((n, K))
    onehot[np.arange(n), ya] = 1.0
    blocks = _enumerate_pairs(n) if exact else [_random_signs(rng, size, n) for size, rng in chunk_rngs(seed, draws)]
    norms, adv, tot = [], [], []
    for sig in blocks:
        U_all = sig @ Xa
        tot.append(lp_norms(U_all, q))
        V = sig @ onehot  # (m, K) per-class sign sums
        nk, ak = [], []
        for k in range(K):
            idx = ya == k
            Uk = sig[:, idx] @ Xa[idx]
            A = np.abs(Uk)
            nk.append(lp_norms(Uk, q))
            v = eps * V[:, k : k + 1]
            ak.append(0.5 * (lp_norms(np.maximum(A - v, 0), q) + lp_norms(np.maximum(A + v, 0), q)))
        norms.append(np.stack(nk, axis=1))
        adv.append(np.stack(ak, axis=1))
    Nm, Am, T = np.concatenate(norms), np.concatenate(adv), np.concatenate(tot)
    if exact:
        hi = Nm.mean(axis=0)
    else:
        se = Nm.std(axis=0, ddof=1) / math.sqrt(Nm.shape[0])
        from scipy import stats

        hi = Nm.mean(axis=0) + float(stats.t.ppf(0.5 + confidence / 2, Nm.shape[0] - 1)) * se
    sum_norm = _estimate(T, exact, confidence)
    return MulticlassRademacher(
        class_norms=Nm.mean(axis=0),
        class_adv_norms=Am.mean(axis=0),
        class_norms_ci_high=hi,
        sum_norm=sum_norm,
        n_y=onehot.sum(axis=0).astype(int),
        K=K,
        rs_projection=W * sum_norm.value / n,
        exact=exact,
    )


# ---------------------------------------------------------------------------------------------
# Theorem 5.2: the sandwich with the valid constant
# ---------------------------------------------------------------------------------------------


def thm5_2_sandwich(
    X: Any, y: Any, eps: float, W: float = 1.0, p: float = 2.0, *, c: float = C_VALID, **kw: Any
) -> dict[str, Any]:
    r"""Theorem 5.2 for the given data: both sides with constant ``c`` (default the valid 1/(2 sqrt 2)).

    Returns natural and adversarial complexities, the printed sandwich's sides with ``c``, the refined
    sandwich :math:`\max\{\mathfrak R_S(\mathcal F), \hat D\}\le\mathfrak R_S(\tilde{\mathcal F})\le
    \mathfrak R_S(\mathcal F) + \hat D` (deterministic for antithetic Monte Carlo, draw by draw), and
    whether each holds. For Monte Carlo estimates the printed sides are compared with the CI ends.

    Examples
    --------
    >>> s = thm5_2_sandwich(np.zeros((2, 3)), [1, 1], 0.5, p=math.inf)
    >>> s["adversarial"], round(s["lower"], 12), s["holds"]
    (0.375, 0.375, True)
    >>> thm5_2_sandwich(np.zeros((2, 3)), [1, 1], 0.5, p=math.inf, c=1 / math.sqrt(2))["holds"]
    False
    """
    r = rademacher_pair(X, y, eps, W, p, **kw)
    n = r.n
    term = r.eps * r.W * r.d_q / math.sqrt(n)
    nat, adv = r.natural, r.adversarial
    lower = max(nat.value, c * term)
    upper = nat.value + term
    tol = 1e-12 * max(1.0, abs(adv.value))
    holds_lower = adv.ci_high + tol >= lower if not adv.exact else adv.value + tol >= lower
    holds_upper = adv.ci_low - tol <= upper if not adv.exact else adv.value - tol <= upper
    pn, pa, pD = r.pairs_natural, r.pairs_adversarial, r.pairs_D
    ptol = 1e-12 * np.maximum(1.0, np.abs(pa))
    refined_pairs = bool(np.all(pa + ptol >= np.maximum(pn, pD)) and np.all(pa - ptol <= pn + pD))
    return {
        "natural": nat.value,
        "adversarial": adv.value,
        "adversarial_ci": (adv.ci_low, adv.ci_high),
        "exact": adv.exact,
        "lower": lower,
        "upper": upper,
        "c": c,
        "term": term,
        "refined_lower": max(nat.value, r.D_hat),
        "refined_upper": nat.value + r.D_hat,
        "D_hat": r.D_hat,
        "holds": bool(holds_lower and holds_upper),
        "holds_lower": bool(holds_lower),
        "holds_upper": bool(holds_upper),
        "refined_holds_per_draw": refined_pairs,
        "n": n,
        "d": r.d,
        "p": r.p,
        "eps": r.eps,
        "W": r.W,
    }


# ---------------------------------------------------------------------------------------------
# Multi-class margins and Theorems 5.3, 5.4
# ---------------------------------------------------------------------------------------------


def margins(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Margin operator :math:`M(z, y) = z_y - \max_{y'\ne y}z_{y'}` row-wise: (n, K), (n,) -> (n,).

    Examples
    --------
    >>> margins(np.array([[1.0, 3.0, 2.0], [1.0, 1.0, 0.0]]), np.array([1, 0])).tolist()
    [1.0, 0.0]
    """
    z = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=int)
    idx = np.arange(z.shape[0])
    own = z[idx, y]
    other = z.copy()
    other[idx, y] = -np.inf
    return own - other.max(axis=1)


def _pairwise_l1(Wm: np.ndarray) -> np.ndarray:
    return np.abs(Wm[:, None, :] - Wm[None, :, :]).sum(axis=-1)


def _check_weights(Wmat: Any, d: int, name: str = "Wmat") -> np.ndarray:
    Wm = _matrix(Wmat, name)
    if Wm.shape[1] != d:
        raise BadInput(f"{name} (shape {Wm.shape}) must have {d} columns to match X (n, {d}).", name=name)
    return Wm


def adversarial_margins(X: Any, y: Any, Wmat: Any, eps: float) -> np.ndarray:
    r"""(5.13): :math:`\min_{x'\in B^\infty_x(\varepsilon)}M(Wx', y) = \min_{y'\ne y}[(w_y-w_{y'})^\top x - \varepsilon\|w_y-w_{y'}\|_1]`.

    Examples
    --------
    >>> adversarial_margins(np.array([[1.0, 0.0]]), [0], np.array([[1.0, 0.0], [0.0, 1.0]]), 0.25).tolist()
    [0.5]
    """
    Xa = _matrix(X)
    ya = _labels(y, Xa.shape[0], binary=False)
    Wm = _check_weights(Wmat, Xa.shape[1])
    if ya.max() >= Wm.shape[0]:
        raise BadInput(f"y ({ya.max()}) must be < K = {Wm.shape[0]} (rows of Wmat).", name="y")
    eps = _scalar(eps, "eps", lower=0.0)
    s = Xa @ Wm.T
    idx = np.arange(Xa.shape[0])
    diff = s[idx, ya][:, None] - s - eps * _pairwise_l1(Wm)[ya]
    diff[idx, ya] = np.inf
    return diff.min(axis=1)


def adversarial_examples(X: Any, y: Any, Wmat: Any, eps: float) -> np.ndarray:
    """The worst-case points x - eps sgn(w_y - w_y*) attaining (5.13): (n, d).

    Examples
    --------
    >>> adversarial_examples(np.array([[1.0, 0.0]]), [0], np.array([[1.0, 0.0], [0.0, 1.0]]), 0.25).tolist()
    [[0.75, 0.25]]
    """
    Xa = _matrix(X)
    ya = _labels(y, Xa.shape[0], binary=False)
    Wm = _check_weights(Wmat, Xa.shape[1])
    eps = _scalar(eps, "eps", lower=0.0)
    s = Xa @ Wm.T
    idx = np.arange(Xa.shape[0])
    diff = s[idx, ya][:, None] - s - eps * _pairwise_l1(Wm)[ya]
    diff[idx, ya] = np.inf
    star = diff.argmin(axis=1)
    return Xa - eps * np.sign(Wm[ya] - Wm[star])


def _w_bound(Wm: np.ndarray, p: float, W_bound: float | None) -> tuple[float, bool]:
    """The budget W: given, or the plug-in max_k ||w_k||_p (illustrative: data-dependent)."""
    if W_bound is not None:
        Wb = _scalar(W_bound, "W_bound", lower=0.0, open_=True)
        actual = float(np.max(np.linalg.norm(Wm, ord=p, axis=1)))
        if actual > Wb * (1 + 1e-12):
            raise BadInput(f"W_bound ({Wb:g}) must be >= ||Wmat^T||_(p,inf) = {actual:.6g}.", name="W_bound")
        return Wb, False
    return max(float(np.max(np.linalg.norm(Wm, ord=p, axis=1))), 1e-300), True


def thm5_3_bound(
    X: Any,
    y: Any,
    Wmat: Any,
    gamma: float,
    delta: float = 0.05,
    p: float = 2.0,
    *,
    W_bound: float | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """Theorem 5.3 evaluated for data and weights: margin error (exact), E||sum sigma_i x_i||_q, the bound.

    The data term enters at the upper end of its confidence interval (exact for small n). Without
    ``W_bound`` the plug-in max_k ||w_k||_p is used: the theorem holds for a budget fixed in advance, so the
    result is then labelled illustrative.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> out = thm5_3_bound(X, [0, 1], np.eye(2), gamma=0.5, W_bound=1.0)
    >>> out["margin_err"], round(out["E_sum_norm"], 6)
    (0.0, 1.414214)
    """
    Xa = _matrix(X)
    ya = _labels(y, Xa.shape[0], binary=False)
    Wm = _check_weights(Wmat, Xa.shape[1])
    q_p = math.inf if math.isinf(float(p)) else float(p)
    Wb, illustrative = _w_bound(Wm, q_p, W_bound)
    g = _scalar(gamma, "gamma", lower=0.0, open_=True)
    merr = float(np.mean(margins(Xa @ Wm.T, ya) <= g))
    E = expected_sum_norm(Xa, p, **kw)
    ev = get_bound("thm5.3").assess(
        n=Xa.shape[0], K=Wm.shape[0], W=Wb, gamma=g, delta=delta, margin_err=merr, E_sum_norm=E.ci_high
    )
    return {
        "value": float(ev.value),
        "margin_err": merr,
        "E_sum_norm": E.value,
        "E_sum_norm_ci": (E.ci_low, E.ci_high),
        "complexity": float(ev.quantities["complexity"]),
        "W_bound": Wb,
        "illustrative": illustrative,
        "exact_data_term": E.exact,
    }


def thm5_4_bound(
    X: Any,
    y: Any,
    Wmat: Any,
    eps: float,
    gamma: float,
    delta: float = 0.05,
    p: float = 2.0,
    *,
    W_bound: float | None = None,
    **kw: Any,
) -> dict[str, Any]:
    r"""Theorem 5.4 for data and weights: the exact adversarial margin error and the bound, printed and corrected.

    Also reports a tighter data-dependent complexity from the corrected closed form,
    :math:`\frac{4W(K-1)}{\gamma n}\sum_y\mathbb E\|(|u_y| - \varepsilon v_y)_+\|_q` (the proof's chain without its
    last relaxation, times the 2 of Corollary 5.3), and the exact adversarial 0-1 training error.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> out = thm5_4_bound(X, [0, 1], np.eye(2), eps=0.1, gamma=0.5, W_bound=1.0)
    >>> out["adv_margin_err"], out["adv_error"], round(out["value"] / out["printed"], 3) > 1
    (0.0, 0.0, True)
    """
    Xa = _matrix(X)
    n, d = Xa.shape
    ya = _labels(y, n, binary=False)
    Wm = _check_weights(Wmat, d)
    K = Wm.shape[0]
    q_p = math.inf if math.isinf(float(p)) else float(p)
    Wb, illustrative = _w_bound(Wm, q_p, W_bound)
    g = _scalar(gamma, "gamma", lower=0.0, open_=True)
    am = adversarial_margins(Xa, ya, Wm, eps)
    merr = float(np.mean(am <= g))
    mc = rademacher_multiclass(Xa, ya, eps, Wb, p, K=K, **kw)
    E_class = float(mc.class_norms_ci_high.sum())
    params = dict(
        n=n,
        K=K,
        d=d,
        W=Wb,
        gamma=g,
        delta=delta,
        eps=float(eps),
        p=min(float(p), 1e12),
        margin_err=merr,
        E_class_norms=E_class,
    )
    thm = get_bound("thm5.4")
    ev = thm.assess(**params)
    printed = float(thm.evaluate(variant="printed", **params))
    tight = 4 * Wb * (K - 1) / (g * n) * float(mc.class_adv_norms.sum())
    return {
        "value": float(ev.value),
        "printed": printed,
        "adv_margin_err": merr,
        "adv_error": float(np.mean(am <= 0)),
        "complexity": float(ev.quantities["complexity"]),
        "complexity_printed": float(ev.quantities["complexity_printed"]),
        "complexity_corrected_closed_form": tight,
        "E_class_norms": E_class,
        "W_bound": Wb,
        "illustrative": illustrative,
        "exact_data_term": mc.exact,
    }


# ---------------------------------------------------------------------------------------------
# Networks: Theorems 5.5 and 5.8
# ---------------------------------------------------------------------------------------------


def network_norms(weights: Sequence[Any]) -> dict[str, np.ndarray]:
    """Spectral norms s_h, ||W_h^T||_{2,1} (row l2 sums), entrywise l1 norms and widths of W_1, ..., W_L.

    Examples
    --------
    >>> nn = network_norms([np.array([[3.0, 4.0]]), np.array([[2.0]])])
    >>> nn["spectral"].tolist(), nn["row21"].tolist(), nn["l1"].tolist()
    ([5.0, 2.0], [5.0, 2.0], [7.0, 2.0])
    """
    if len(weights) < 1:
        raise BadInput("weights (empty) must hold at least one matrix.", name="weights")
    mats = [_matrix(Wh, f"W{h + 1}") for h, Wh in enumerate(weights)]
    for h in range(1, len(mats)):
        if mats[h].shape[1] != mats[h - 1].shape[0]:
            raise BadInput(
                f"W{h + 1} (shape {mats[h].shape}) must have {mats[h - 1].shape[0]} columns (the rows of W{h}).",
                name=f"W{h + 1}",
            )
    return {
        "spectral": np.array([np.linalg.norm(M, 2) for M in mats]),
        "row21": np.array([np.linalg.norm(M, axis=1).sum() for M in mats]),
        "l1": np.array([np.abs(M).sum() for M in mats]),
        "widths": np.array([mats[0].shape[1]] + [M.shape[0] for M in mats]),
    }


def thm5_5_bound(weights: Sequence[Any], X: Any) -> dict[str, Any]:
    r"""Theorem 5.5 (BFT) with the network's own norms (any depth; illustrative: the theorem fixes budgets).

    Examples
    --------
    >>> out = thm5_5_bound([np.eye(2), np.ones((1, 2))], np.ones((4, 2)))
    >>> round(out["value"], 2)
    208.46
    """
    Xa = _matrix(X)
    nn = network_norms(weights)
    if nn["widths"][0] != Xa.shape[1]:
        raise BadInput(f"W1 (input width {nn['widths'][0]}) must match X (n, {Xa.shape[1]}).", name="W1")
    n = Xa.shape[0]
    s, b = nn["spectral"], nn["row21"]
    d_max = int(nn["widths"].max())
    normXF = float(np.linalg.norm(Xa))
    shape = float(np.prod(s) * np.sum((b / s) ** (2 / 3)) ** 1.5) if np.all(s > 0) else 0.0
    value = 4 / n**1.5 + 26 * math.log(n) * math.log(2 * d_max) / n * normXF * shape
    return {
        "value": value,
        "spectral": s.tolist(),
        "row21": b.tolist(),
        "d_max": d_max,
        "normXF": normXF,
        "illustrative": True,
    }


def c_holder_bound(W1: Any, W2: Any) -> float:
    r"""A sound upper bound on :math:`C(W) = \max_k\Phi(Q^{\rm fix}(w_{2,k}, W_1))` without an SDP.

    :math:`\Phi(Q)\le\|Q\|_1` (Hölder with :math:`|P_{ij}|\le1`) and
    :math:`\|Q^{\rm fix}(v,W)\|_1 = 2(\|v^\top W\|_1 + \|\mathrm{diag}(v)W\|_1)`, never forming Q.

    Examples
    --------
    >>> c_holder_bound(np.array([[1.0, -1.0]]), np.array([[1.0]]))
    8.0
    """
    A = _matrix(W1, "W1")
    B = _matrix(W2, "W2")
    if B.shape[1] != A.shape[0]:
        raise BadInput(f"W2 (shape {B.shape}) must have {A.shape[0]} columns (the rows of W1).", name="W2")
    vals = 2 * (np.abs(B @ A).sum(axis=1) + np.abs(B) @ np.abs(A).sum(axis=1))
    return float(vals.max())


def thm5_8_bound(
    W1: Any, W2: Any, X: Any, y: Any, eps: float, gamma: float, delta: float = 0.05, *, C: float | None = None
) -> dict[str, Any]:
    r"""Theorem 5.8 for a one-hidden-layer network f(x) = W2 relu(W1 x) and data, printed and corrected.

    ``C`` is :math:`C(W)` (pass a certified upper bound from ``boundlab.certify``); by default the sound
    Hölder bound :func:`c_holder_bound` is used. Norms are the network's own (illustrative).

    Examples
    --------
    >>> W1, W2 = np.array([[1.0, -1.0]]), np.array([[0.0], [1.0]])
    >>> out = thm5_8_bound(W1, W2, np.array([[1.0, 0.0]]), [1], eps=0.1, gamma=0.5)
    >>> out["C"], out["surrogate_err"]
    (8.0, 0.0)
    """
    A = _matrix(W1, "W1")
    Bm = _matrix(W2, "W2")
    Xa = _matrix(X)
    n, d = Xa.shape
    if A.shape[1] != d:
        raise BadInput(f"W1 (shape {A.shape}) must have {d} columns to match X (n, {d}).", name="W1")
    Cv = c_holder_bound(A, Bm) if C is None else _scalar(C, "C", lower=0.0)
    ya = _labels(y, n, binary=False)
    if ya.max() >= Bm.shape[0]:
        raise BadInput(f"y ({ya.max()}) must be < K = {Bm.shape[0]} (rows of W2).", name="y")
    eps = _scalar(eps, "eps", lower=0.0)
    g = _scalar(gamma, "gamma", lower=0.0, open_=True)
    scores = np.maximum(Xa @ A.T, 0) @ Bm.T
    M = margins(scores, ya)
    surrogate = float(np.mean(M - eps * Cv / 2 <= g))
    certified_robust = float(np.mean(M - eps * Cv / 2 > 0))
    s1, s2 = float(np.linalg.norm(A, 2)), float(np.linalg.norm(Bm, 2))
    b1, b2 = float(np.abs(A).sum()), float(np.linalg.norm(Bm, axis=1).sum())
    params = dict(
        n=max(n, 2),
        d_max=max(d, A.shape[0], Bm.shape[0]),
        normXF=float(np.linalg.norm(Xa)),
        s1=max(s1, 1e-300),
        s2=max(s2, 1e-300),
        b1=max(b1, 1e-300),
        b2=max(b2, 1e-300),
        gamma=g,
        delta=delta,
        eps=eps,
        margin_err=surrogate,
    )
    thm = get_bound("thm5.8")
    ev = thm.assess(**params)
    return {
        "value": float(ev.value),
        "printed": float(thm.evaluate(variant="printed", **params)),
        "surrogate_err": surrogate,
        "certified_robust_accuracy": certified_robust,
        "C": Cv,
        "C_le_4b1b2": Cv <= 4 * b1 * b2 * (1 + 1e-12),
        "norms": {"s1": s1, "s2": s2, "b1": b1, "b2": b2},
        "illustrative": True,
    }


# ---------------------------------------------------------------------------------------------
# Dimension maps (Figure 5.3) and zero padding
# ---------------------------------------------------------------------------------------------


def zero_pad(X: Any, extra: int) -> np.ndarray:
    """Append ``extra`` all-zero coordinates ("dead pixels") to every row: (n, d) -> (n, d + extra).

    Examples
    --------
    >>> zero_pad(np.ones((1, 2)), 1).tolist()
    [[1.0, 1.0, 0.0]]
    """
    Xa = _matrix(X)
    if int(extra) != extra or extra < 0:
        raise BadInput(f"extra ({extra}) must be an integer >= 0.", name="extra")
    return np.concatenate([Xa, np.zeros((Xa.shape[0], int(extra)))], axis=1)


def _images(X: Any, side: int | None) -> tuple[np.ndarray, int]:
    Xa = _matrix(X)
    s = int(round(math.sqrt(Xa.shape[1]))) if side is None else int(side)
    if s * s != Xa.shape[1]:
        raise BadInput(f"X (d = {Xa.shape[1]}) must hold square images (d = side^2).", name="X")
    return Xa.reshape(-1, s, s), s


def downsample2x2(X: Any, side: int | None = None) -> np.ndarray:
    """Each 2x2 patch (a, b, c, d) -> sqrt(a^2 + b^2 + c^2 + d^2): preserves ||x||_2 (d -> d/4).

    Examples
    --------
    >>> downsample2x2(np.array([[3.0, 0.0, 0.0, 4.0]])).tolist()
    [[5.0]]
    """
    imgs, s = _images(X, side)
    if s % 2:
        raise BadInput(f"side ({s}) must be even to downsample.", name="side")
    sq = (imgs**2).reshape(-1, s // 2, 2, s // 2, 2).sum(axis=(2, 4))
    return np.sqrt(sq).reshape(imgs.shape[0], -1)


def upsample2x2(X: Any, side: int | None = None) -> np.ndarray:
    """Each pixel a -> a 2x2 patch of a/2: preserves ||x||_2 (d -> 4d).

    Examples
    --------
    >>> upsample2x2(np.array([[2.0]])).tolist()
    [[1.0, 1.0, 1.0, 1.0]]
    """
    imgs, s = _images(X, side)
    up = np.repeat(np.repeat(imgs, 2, axis=1), 2, axis=2) / 2
    return up.reshape(imgs.shape[0], -1)


def exact_sup_brute(X: np.ndarray, y: np.ndarray, eps: float, W: float, p: float) -> float:
    """Exact R_S(F~) for p in {1, inf} by vertex enumeration of the inner sup (a closed-form-free oracle)."""
    from boundlab.bounds import exact_adv_rs

    return exact_adv_rs(X, y, eps, W, p, "brute")
