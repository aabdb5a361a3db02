r"""Certified robustness of one-hidden-layer ReLU networks: Lemma 5.1 and Theorem 5.8.

The network is f(x) = W2 relu(W1 x) with W1 of shape (d1, d) and W2 of shape (K, d1), no biases
(dissertation Def-NN1, lines 12264-12273 and 12413-12419). Labels are 0, ..., K-1.

* Lemma 5.1 (lines 12454-12496): with C(W) = max_k Phi(Q(w_{2,k}, W1)) (the z = -1 half of the
  max is redundant, Phi(Q) = Phi(-Q) for the bipartite Q), no x' in the l_inf ball of radius eps
  is misclassified when M(f(x), y) - (eps / 2) C(W) > 0, and the surrogate loss
  phi_gamma(M - eps C / 2) upper-bounds the adversarial 0-1 loss. C(W) is data-independent: K SDPs.
* ``pairwise=True`` uses Theorem 5.7 directly for every pair (y, y'), certified margin
  min_{y' != y} [f_y - f_y' - (eps / 4) Phi(Q(w_{2,y'} - w_{2,y}, W1))], K(K-1)/2 SDPs; never
  looser, because Phi(Q(w_y' - w_y)) <= 2 C(W) by (5.16).
* Theorem 5.8 (lines 12498-12593): the generalization bound with the empirical surrogate margin
  error, evaluated with the network's own norms (illustrative: the theorem fixes the norm budgets
  before seeing the data; no union bound over budgets is included), printed (1/gamma) and as its
  proof supports (2/gamma, catalog section 8.5).

Every certified quantity uses the SDP's *upper* bound (a dual certificate) and subtracts a bound on
the floating-point error of the forward pass, so a certified example is certified for the exact
network, not only for its rounded evaluation.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import BadInput

from ._sdp import EPS, Form, Method, SDPResult, build_q, solve_sdp

__all__ = [
    "Network",
    "SDPConstant",
    "Certification",
    "network",
    "load_network",
    "sdp_constant",
    "certify_network",
    "theorem58_bound",
    "exact_max_increase",
    "exact_adversarial_margin",
    "forward_error",
    "ramp",
]


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Network:
    """f(x) = W2 relu(W1 x): W1 of shape (d1, d), W2 of shape (K, d1)."""

    W1: np.ndarray
    W2: np.ndarray

    @property
    def d(self) -> int:
        return int(self.W1.shape[1])

    @property
    def d1(self) -> int:
        return int(self.W1.shape[0])

    @property
    def K(self) -> int:
        return int(self.W2.shape[0])

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Scores of shape (n, K) for inputs X of shape (n, d)."""
        return np.maximum(X @ self.W1.T, 0.0) @ self.W2.T


def _finite(name: str, a: np.ndarray) -> None:
    if not np.all(np.isfinite(a)):
        bad = a[~np.isfinite(a)].ravel()[0]
        raise BadInput(f"{name} ({bad}) must contain only finite numbers.", name=name)


def _matrix(name: str, a: Any) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise BadInput(f"{name} (dtype {arr.dtype}) must be a real numeric array.", name=name)
    arr = arr.astype(float)
    if arr.ndim != 2 or 0 in arr.shape:
        raise BadInput(f"{name} (shape {arr.shape}) must be a non-empty 2-D array.", name=name)
    _finite(name, arr)
    return arr


def network(W1: Any, W2: Any) -> Network:
    """Validate weights and build a :class:`Network`.

    Examples
    --------
    >>> net = network([[1.0, -1.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]])
    >>> net.d, net.d1, net.K
    (2, 2, 2)
    >>> network([[1.0, 2.0]], [[1.0, 2.0]])
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: W2 (shape (1, 2)) must have d1 = 1 columns to match W1 (shape (1, 2)).
    """
    A = _matrix("W1", W1)
    B = _matrix("W2", W2)
    if B.shape[1] != A.shape[0]:
        raise BadInput(
            f"W2 (shape {B.shape}) must have d1 = {A.shape[0]} columns to match W1 (shape {A.shape}).", name="W2"
        )
    if B.shape[0] < 2:
        raise BadInput(f"W2 (shape {B.shape}) must have K >= 2 rows (classes) for the margin of Lemma 5.1.", name="W2")
    return Network(A, B)


def load_network(path: str | Path) -> Network:
    """Read a network from an ``.npz`` file holding arrays ``W1`` (d1, d) and ``W2`` (K, d1).

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> np.savez(f, W1=np.eye(2), W2=np.eye(2))
    >>> load_network(f).K
    2
    """
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"weights ({path}) must be an existing .npz file.", name="weights")
    try:
        with np.load(p, allow_pickle=False) as z:
            found = sorted(z.files)
            missing = [k for k in ("W1", "W2") if k not in z.files]
            if missing:
                raise BadInput(
                    f"weights ({path}) must contain arrays W1 (d1, d) and W2 (K, d1); missing "
                    f"{', '.join(missing)} (found: {', '.join(found) or 'none'}).",
                    name="weights",
                )
            W1, W2 = z["W1"], z["W2"]
    except BadInput:
        raise
    except Exception as exc:  # not a zip / pickled objects / corrupt
        raise BadInput(
            f"weights ({path}) must be a readable .npz file without pickled objects ({exc}).", name="weights"
        ) from None
    return network(W1, W2)


def _data(net: Network, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    Xa = np.asarray(X)
    if Xa.ndim == 1:
        Xa = Xa[None, :]
    Xa = _matrix("X", Xa)
    if Xa.shape[1] != net.d:
        raise BadInput(
            f"X (shape {Xa.shape}) must have d = {net.d} columns to match W1 (shape {net.W1.shape}).", name="X"
        )
    ya = np.asarray(y)
    if ya.ndim == 0:
        ya = ya[None]
    if ya.dtype == object or not np.issubdtype(ya.dtype, np.number) or np.iscomplexobj(ya):
        raise BadInput(f"labels (dtype {ya.dtype}) must be integers 0..{net.K - 1}.", name="labels")
    if ya.shape != (Xa.shape[0],):
        raise BadInput(f"labels (shape {ya.shape}) must have shape ({Xa.shape[0]},), one per row of X.", name="labels")
    _finite("labels", ya.astype(float))
    if np.any(ya != np.round(ya)) or np.any(ya < 0) or np.any(ya >= net.K):
        bad = ya[(ya != np.round(ya)) | (ya < 0) | (ya >= net.K)][0]
        raise BadInput(f"labels ({bad}) must be integers in 0..{net.K - 1} (K = {net.K} classes).", name="labels")
    return Xa, ya.astype(int)


def _eps(eps: Any) -> float:
    try:
        e = float(eps)
    except (TypeError, ValueError):
        raise BadInput(f"eps ({eps}) must be a number >= 0.", name="eps") from None
    if not math.isfinite(e) or e < 0:
        raise BadInput(f"eps ({eps}) must be a finite number >= 0.", name="eps")
    return e


def margins(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The margin operator M(z, y) = z_y - max_{y' != y} z_{y'} row by row (Def-M1).

    Examples
    --------
    >>> margins(np.array([[1.0, 0.0, 0.5], [0.0, 2.0, 2.0]]), np.array([0, 1]))
    array([0.5, 0. ])
    """
    n = scores.shape[0]
    zy = scores[np.arange(n), y]
    other = scores.copy()
    other[np.arange(n), y] = -np.inf
    return zy - other.max(axis=1)


def ramp(t: Any, gamma: float) -> np.ndarray:
    """The ramp loss phi_gamma of (5.4): 1 for t <= 0, 1 - t/gamma on (0, gamma), 0 for t >= gamma.

    Examples
    --------
    >>> ramp([-1.0, 0.5, 2.0], 1.0)
    array([1. , 0.5, 0. ])
    """
    return np.clip(1.0 - np.asarray(t, dtype=float) / gamma, 0.0, 1.0)


def forward_error(net: Network, X: np.ndarray) -> np.ndarray:
    r"""A bound on |fl(f(x))_k - f(x)_k| for the float64 forward pass (Higham's gamma_n bounds).

    |fl(W1 x) - W1 x| <= gamma_d |W1||x|; relu is 1-Lipschitz; |fl(W2 r^) - W2 r| <= |W2| |r^ - r| +
    gamma_{d1} |W2| |r^|. The bound is inflated by 1 % to cover its own rounding.

    Returns
    -------
    ndarray, shape (n, K)
    """
    g_d = net.d * EPS / (1 - net.d * EPS)
    g_d1 = net.d1 * EPS / (1 - net.d1 * EPS)
    aW1, aW2 = np.abs(net.W1), np.abs(net.W2)
    hidden_err = g_d * (np.abs(X) @ aW1.T)
    r_hat = np.maximum(X @ net.W1.T, 0.0)
    return 1.01 * (hidden_err @ aW2.T + g_d1 * (r_hat @ aW2.T)) + 1e-300


# ---------------------------------------------------------------------------------------------
# C(W) of Lemma 5.1 and the pairwise constants of Theorem 5.7
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SDPConstant:
    """Certified SDP constants of a network.

    ``lower <= C(W) <= upper`` with C(W) = max_k Phi(Q(w_{2,k}, W1)); ``per_class[k]`` is the
    certified interval of class k. With pairwise constants, ``pair_upper[y, y']`` >=
    Phi(Q(w_{2,y'} - w_{2,y}, W1)) (symmetric, zero diagonal).
    """

    lower: float
    upper: float
    form: str
    per_class: tuple[SDPResult, ...]
    pair_upper: np.ndarray | None
    pair_results: tuple[SDPResult, ...]
    seconds: float

    @property
    def notes(self) -> list[str]:
        out = []
        for r in (*self.per_class, *self.pair_results):
            if r.status != "certified" or r.note:
                out.append(f"N = {r.N}, {r.solver}: {r.status}; {r.note}".rstrip("; "))
        return out

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "lower": self.lower,
            "upper": self.upper,
            "form": self.form,
            "seconds": self.seconds,
            "per_class": [r.to_json() for r in self.per_class],
        }
        if self.pair_upper is not None:
            d["pair_upper"] = self.pair_upper
        return d


def sdp_constant(
    net: Network,
    *,
    form: Form = "corrected",
    method: Method = "fast",
    tol: float = 1e-6,
    pairwise: bool = False,
    seed: int = 0,
) -> SDPConstant:
    """C(W) = max_k Phi(Q(w_{2,k}, W1)) as a certified interval (and, optionally, the pair constants).

    Examples
    --------
    >>> net = network([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]], [[0.0, 1.0], [4.75, 0.0]])
    >>> c = sdp_constant(net)                      # catalog section 8.3(b): corrected C = 38
    >>> round(c.lower, 6), round(c.upper, 6)
    (38.0, 38.0)
    >>> round(sdp_constant(net, form="printed").upper, 6)      # the printed Q gives 19
    19.0
    """
    t0 = time.perf_counter()
    per = tuple(solve_sdp(build_q(net.W1, net.W2[k], form), method=method, tol=tol, seed=seed) for k in range(net.K))
    pair_upper = None
    pair_results: list[SDPResult] = []
    if pairwise:
        pair_upper = np.zeros((net.K, net.K))
        for a in range(net.K):
            for b in range(a + 1, net.K):
                r = solve_sdp(build_q(net.W1, net.W2[b] - net.W2[a], form), method=method, tol=tol, seed=seed)
                pair_results.append(r)
                pair_upper[a, b] = pair_upper[b, a] = r.upper  # Phi(Q(v)) = Phi(-Q(v)) = Phi(Q(-v))
    return SDPConstant(
        max(r.lower for r in per),
        max(r.upper for r in per),
        form,
        per,
        pair_upper,
        tuple(pair_results),
        time.perf_counter() - t0,
    )


# ---------------------------------------------------------------------------------------------
# Certification of a data set
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Certification:
    """Per-example certified margins, the certified robust accuracy and the Theorem 5.8 bound."""

    eps: float
    gamma: float
    labels: np.ndarray  # (n,) int
    margins: np.ndarray  # (n,) M(f(x_i), y_i)
    certified_margins: np.ndarray  # (n,) sound lower bounds on min_{x'} M(f(x'), y_i) (mode-dependent)
    lemma51_margins: np.ndarray  # (n,) M - eps C(W) / 2 - rounding slack (the argument of Lemma 5.1's surrogate)
    constant: SDPConstant
    mode: str
    bound: dict[str, Any]

    @property
    def certified(self) -> np.ndarray:
        """Examples certified robust: certified margin > 0 (ties count as errors)."""
        return self.certified_margins > 0

    @property
    def clean_accuracy(self) -> float:
        return float(np.mean(self.margins > 0))

    @property
    def robust_accuracy(self) -> float:
        """The certified robust accuracy: a lower bound on the accuracy under any l_inf attack of size eps."""
        return float(np.mean(self.certified))

    @property
    def surrogate_loss(self) -> float:
        """Mean of Lemma 5.1's surrogate phi_gamma(M - eps C / 2) (with the certified C, in every mode)."""
        return float(np.mean(ramp(self.lemma51_margins, self.gamma)))

    def to_json(self) -> dict[str, Any]:
        return {
            "eps": self.eps,
            "gamma": self.gamma,
            "mode": self.mode,
            "n": int(self.margins.size),
            "clean_accuracy": self.clean_accuracy,
            "certified_robust_accuracy": self.robust_accuracy,
            "surrogate_loss": self.surrogate_loss,
            "C": self.constant.to_json(),
            "labels": self.labels,
            "margins": self.margins,
            "certified_margins": self.certified_margins,
            "certified": self.certified,
            "bound": self.bound,
            "notes": self.constant.notes,
        }


def _frobenius_X(X: np.ndarray) -> float:
    return float(np.sqrt(np.einsum("ij,ij->", X, X)))


def theorem58_bound(
    net: Network, X: np.ndarray, empirical: float, eps: float, gamma: float, delta: float
) -> dict[str, Any]:
    r"""The right side of Theorem 5.8 with the network's own norms (illustrative plug-in).

    empirical + (k / gamma) (4 / n^{3/2} + 60 log(n) log(2 d_max) / n * s1 s2 ((b1/s1)^{2/3}
    + (b2/s2)^{2/3})^{3/2} ||X||_F + 2 eps b1 b2 / sqrt(n)) + 3 sqrt(log(2/delta) / (2n)),
    k = 1 as printed, k = 2 as the proof supports (catalog section 8.5). s_h are spectral norms,
    b1 = ||W1||_1 (entrywise), b2 = ||W2'||_{2,1} (sum of the l2 norms of the rows of W2),
    d_max = max(d, d1, K), natural logarithms.

    Examples
    --------
    >>> net = network(np.eye(2), np.eye(2))
    >>> b = theorem58_bound(net, np.eye(2), 0.0, 0.0, 1.0, 0.1)
    >>> round(b["printed"], 6), round(b["proof"] - b["printed"], 6)
    (234.627888, 232.03166)
    """
    n = X.shape[0]
    s1 = float(np.linalg.norm(net.W1, 2))
    s2 = float(np.linalg.norm(net.W2, 2))
    b1 = float(np.abs(net.W1).sum())
    b2 = float(np.linalg.norm(net.W2, axis=1).sum())
    dmax = max(net.d, net.d1, net.K)
    xf = _frobenius_X(X)
    if s1 == 0 or s2 == 0:
        bft = 0.0
    else:
        bft = (
            60
            * math.log(n)
            * math.log(2 * dmax)
            / n
            * s1
            * s2
            * ((b1 / s1) ** (2 / 3) + (b2 / s2) ** (2 / 3)) ** 1.5
            * xf
        )
    complexity = 4 / n**1.5 + bft + 2 * eps * b1 * b2 / math.sqrt(n)
    confidence = 3 * math.sqrt(math.log(2 / delta) / (2 * n))
    return {
        "printed": empirical + complexity / gamma + confidence,
        "proof": empirical + 2 * complexity / gamma + confidence,
        "empirical_surrogate_error": empirical,
        "complexity_bracket": complexity,
        "confidence_term": confidence,
        "gamma": gamma,
        "delta": delta,
        "n": n,
        "s1": s1,
        "s2": s2,
        "b1": b1,
        "b2": b2,
        "d_max": dmax,
        "norm_X_F": xf,
        "C_le_4_b1_b2": 4 * b1 * b2,
        "note": (
            "illustrative: Theorem 5.8 holds for norm budgets fixed before the data; here the trained "
            "network's own norms are plugged in without a union bound. 'printed' uses 1/gamma as printed; "
            "'proof' uses 2/gamma, what the proof supports (catalog section 8.5)."
        ),
    }


def certify_network(
    net: Network,
    X: Any,
    y: Any,
    eps: Any,
    *,
    gamma: float = 1.0,
    delta: float = 0.05,
    form: Form = "corrected",
    method: Method = "fast",
    tol: float = 1e-6,
    pairwise: bool = False,
    constant: SDPConstant | None = None,
    seed: int = 0,
) -> Certification:
    r"""Certify every example (x_i, y_i) against l_inf perturbations of size eps.

    Parameters
    ----------
    net : Network
    X : array_like, shape (n, d)
        Inputs (rows are examples).
    y : array_like of int, shape (n,)
        Labels in 0..K-1.
    eps : float
        l_inf radius, >= 0.
    gamma, delta : float
        Ramp-loss margin (> 0) and confidence (in (0, 1)) of Theorem 5.8.
    form : {"corrected", "printed"}
        The matrix Q; "printed" is unsound (catalog section 8.3) and only for the errata.
    method, tol, seed : passed to :func:`boundlab.certify.solve_sdp`.
    pairwise : bool
        Certify with Theorem 5.7 per pair of classes instead of Lemma 5.1's global C(W).
    constant : SDPConstant, optional
        Reuse constants computed by :func:`sdp_constant` (they do not depend on X, y or eps).

    Returns
    -------
    Certification

    Examples
    --------
    >>> net = network([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]], [[0.0, 1.0], [4.75, 0.0]])
    >>> cert = certify_network(net, [[0.0, 0.0, 1.0]], [0], 0.1, gamma=0.01)
    >>> round(float(cert.margins[0]), 6), round(float(cert.certified_margins[0]), 6), cert.robust_accuracy
    (1.0, -0.9, 0.0)
    """
    e = _eps(eps)
    if not (isinstance(gamma, (int, float)) and math.isfinite(gamma) and gamma > 0):
        raise BadInput(f"gamma ({gamma}) must be > 0.", name="gamma")
    if not (isinstance(delta, (int, float)) and 0 < delta < 1):
        raise BadInput(f"delta ({delta}) must be in (0, 1).", name="delta")
    Xa, ya = _data(net, X, y)
    if constant is None:
        constant = sdp_constant(net, form=form, method=method, tol=tol, pairwise=pairwise, seed=seed)
    elif pairwise and constant.pair_upper is None:
        raise BadInput(
            "constant (without pair constants) must come from sdp_constant(..., pairwise=True).", name="constant"
        )
    scores = net.forward(Xa)
    M = margins(scores, ya)
    err = forward_error(net, Xa)
    slack = 2.0 * err.max(axis=1)
    n = Xa.shape[0]
    rounding = slack + 4 * EPS * (np.abs(M) + e * constant.upper)
    lemma51 = M - (e / 2) * constant.upper - rounding
    if pairwise:
        assert constant.pair_upper is not None
        diff = scores[np.arange(n), ya][:, None] - scores - (e / 4) * constant.pair_upper[ya]
        diff[np.arange(n), ya] = np.inf
        cm = np.maximum(diff.min(axis=1) - rounding, lemma51)  # both sound; pairwise is never looser
        mode = "pairwise (Theorem 5.7 per pair)"
    else:
        cm = lemma51
        mode = "Lemma 5.1 (global C(W))"
    # Theorem 5.8's empirical term: 1(f_y <= gamma + max f_y' + eps C / 2), with the certified C
    empirical = float(np.mean(lemma51 <= gamma))
    bound = theorem58_bound(net, Xa, empirical, e, gamma, delta)
    return Certification(e, float(gamma), ya, M, cm, lemma51, constant, mode, bound)


# ---------------------------------------------------------------------------------------------
# Exact oracles (test and check use; exponential in d1 or d)
# ---------------------------------------------------------------------------------------------


def _g(x: np.ndarray, v: np.ndarray, W1: np.ndarray) -> float:
    return float(v @ np.maximum(W1 @ x, 0.0))


def exact_max_increase(x: Any, v: Any, W1: Any, eps: float, *, method: str = "auto") -> float:
    r"""max over ||x' - x||_inf <= eps of g(x') - g(x), g(x) = v' relu(W1 x), exactly.

    ``lp``: one LP per activation pattern s in {0,1}^{d1} (scipy's HiGHS): maximise
    sum_j v_j s_j <w_j, x'> subject to the pattern's sign constraints and the box; the value
    reported is g at the LP's (clipped) solution, an attained increase. ``vertices``: g is convex
    when v >= 0, so its max over the box is at one of the 2^d vertices. ``auto`` picks
    vertices when v >= 0 and d <= 16, else LPs (d1 <= 12).

    Examples
    --------
    >>> exact_max_increase([0.0, 0.0], [1.0], [[1.0, -1.0]], 0.1)   # catalog section 8.3: 2 eps
    0.2
    """
    xv = np.asarray(x, dtype=float)
    vv = np.asarray(v, dtype=float)
    W = np.asarray(W1, dtype=float)
    d1, d = W.shape
    if method == "auto":
        method = "vertices" if (np.all(vv >= 0) and d <= 16) else "lp"
    g0 = _g(xv, vv, W)
    if method == "vertices":
        if np.any(vv < 0):
            raise BadInput("method (vertices) must only be used with v >= 0 (g convex).", name="method")
        if d > 20:
            raise BadInput(f"d ({d}) must be <= 20 for vertex enumeration.", name="d")
        signs = ((np.arange(1 << d)[:, None] >> np.arange(d)) & 1) * 2.0 - 1.0
        Xp = xv + eps * signs
        return float((np.maximum(Xp @ W.T, 0.0) @ vv).max() - g0)
    if method != "lp":
        raise BadInput(f"method ({method}) must be 'auto', 'lp' or 'vertices'.", name="method")
    if d1 > 14:
        raise BadInput(f"d1 ({d1}) must be <= 14 for activation-pattern enumeration.", name="d1")
    from scipy.optimize import linprog

    best = 0.0  # x' = x is feasible
    bounds = list(zip(xv - eps, xv + eps))
    for code in range(1 << d1):
        s = ((code >> np.arange(d1)) & 1).astype(float)
        obj = -(W.T @ (vv * s))
        A_ub = -((2 * s - 1)[:, None] * W)  # s_j = 1: w_j x' >= 0; s_j = 0: w_j x' <= 0
        res = linprog(obj, A_ub=A_ub, b_ub=np.zeros(d1), bounds=bounds, method="highs")
        if res.status != 0:
            continue
        xp = np.clip(res.x, xv - eps, xv + eps)
        best = max(best, _g(xp, vv, W) - g0)
    return float(best)


def exact_adversarial_margin(net: Network, x: Any, y: int, eps: float) -> float:
    """min over the l_inf ball of M(f(x'), y), exactly (one :func:`exact_max_increase` per class y' != y).

    The example is adversarially misclassified iff the result is <= 0 (ties count as errors).

    Examples
    --------
    >>> net = network([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]], [[0.0, 1.0], [4.75, 0.0]])
    >>> round(exact_adversarial_margin(net, [0.0, 0.0, 1.0], 0, 0.1), 6)   # attackable: f(x') = (0.9, 0.95)
    -0.05
    """
    xv = np.asarray(x, dtype=float)
    f = net.forward(xv[None, :])[0]
    worst = math.inf
    for k in range(net.K):
        if k == y:
            continue
        v = net.W2[k] - net.W2[y]
        inc = exact_max_increase(xv, v, net.W1, eps)
        worst = min(worst, f[y] - f[k] - inc)
    return float(worst)
