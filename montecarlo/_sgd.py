r"""Mini-batch SGD (2.2) batched over independent trials, with projection and diversity-inducing mechanisms.

One iteration, for every trial r at once (trials on axis 0):

.. math:: w_{(k+1)B} = \Pi_{\mathcal W}\Big(w_{kB} - \gamma\sum_{\ell=kB}^{(k+1)B-1} g^{\rm DIM}_{s_\ell}(w_{kB})\Big),
   \qquad s_\ell \overset{iid}{\sim} \mathrm{Unif}[n]\ \text{(with replacement)},

with no 1/B factor (the chapter's convention, L427-438) and the projection applied once per iteration
(L2775-2777). A mechanism draws fresh randomness for every sampled slot (catalog 12(a)14): DropConnect
masks each coordinate with probability p (no rescaling), SGLD adds N(0, sigma^2 I), quantization applies
:math:`[Q(v)]_\ell = \|v\|_2\,\mathrm{sgn}(v_\ell)\,\eta_\ell`, :math:`\eta_\ell\sim\mathrm{Bernoulli}(|v_\ell|/\|v\|_2)`.

Random draws happen in a fixed order (indices, then the mechanism), so two runs started from generators
with the same seed use common random numbers: that is how the stability checks couple a run on S with a
run on S^(i) (``replace=``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from boundlab.bounds import BadInput

from ._diversity import MODELS

__all__ = [
    "Mechanism",
    "GLMProblem",
    "SoftmaxProblem",
    "PointsProblem",
    "SGDResult",
    "minibatch_sgd",
    "apply_mechanism",
    "Replacement",
]


@dataclasses.dataclass(frozen=True)
class Mechanism:
    """A diversity-inducing mechanism: ``kind`` in {"none", "drop", "sgld", "quant"} and its level (p or sigma).

    Examples
    --------
    >>> Mechanism("drop", 0.5)
    Mechanism(kind='drop', level=0.5)
    """

    kind: str = "none"
    level: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("none", "drop", "sgld", "quant"):
            raise BadInput(f"mechanism ({self.kind}) must be one of none, drop, sgld, quant.", name="mechanism")
        if self.kind == "drop" and not (0 <= self.level < 1):
            raise BadInput(f"p ({self.level:g}) must be in [0, 1) (DropConnect drop probability).", name="p")
        if self.kind == "sgld" and not (self.level >= 0 and np.isfinite(self.level)):
            raise BadInput(f"sigma ({self.level:g}) must be a finite number >= 0 (SGLD noise level).", name="sigma")


def apply_mechanism(g: np.ndarray, mech: Mechanism | None, rng: np.random.Generator) -> np.ndarray:
    """Apply a mechanism independently to every per-sample gradient (the last axis is the coordinate).

    Examples
    --------
    >>> g = np.ones((1, 2, 3))
    >>> apply_mechanism(g, Mechanism("sgld", 0.0), np.random.default_rng(0)).tolist()
    [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
    """
    if mech is None or mech.kind == "none":
        return g
    if mech.kind == "drop":
        return g * (rng.random(g.shape) >= mech.level)
    if mech.kind == "sgld":
        return g + mech.level * rng.standard_normal(g.shape)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        prob = np.where(norm > 0, np.abs(g) / norm, 0.0)
    keep = rng.random(g.shape) < prob
    return norm * np.sign(g) * keep


@dataclasses.dataclass(frozen=True)
class Replacement:
    """Per-trial replacement of data point ``I[r]`` by ``(x[r], y[r])``: the neighbouring set S^(I)."""

    I: np.ndarray  # (R,)
    x: np.ndarray  # (R, d)
    y: np.ndarray  # (R,)


class Problem(Protocol):
    n: int
    dim: int

    def per_sample(self, w: np.ndarray, idx: np.ndarray, replace: Replacement | None = None) -> np.ndarray: ...


def _gather(
    X: np.ndarray, y: np.ndarray, idx: np.ndarray, replace: Replacement | None
) -> tuple[np.ndarray, np.ndarray]:
    Xb, yb = X[idx], y[idx]
    if replace is not None:
        hit = idx == replace.I[:, None]
        Xb = np.where(hit[..., None], replace.x[:, None, :], Xb)
        yb = np.where(hit, replace.y[:, None], yb)
    return Xb, yb


@dataclasses.dataclass
class GLMProblem:
    """Per-sample loss :math:`f_i(w) = \\ell(x_i^\\top w; y_i) + \\frac{ridge}{2}\\|w\\|^2` (logistic, squared, hinge).

    Examples
    --------
    >>> p = GLMProblem(np.eye(2), np.array([1.0, -1.0]), "logistic")
    >>> p.per_sample(np.zeros((1, 2)), np.array([[0, 1]])).tolist() == [[[-0.5, 0.0], [0.0, 0.5]]]
    True
    """

    X: np.ndarray
    y: np.ndarray
    model: str = "logistic"
    ridge: float = 0.0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise BadInput(f"model ({self.model}) must be one of {', '.join(MODELS)}.", name="model")
        self.X = np.asarray(self.X, dtype=float)
        self.y = np.asarray(self.y, dtype=float)
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise BadInput(
                f"y (shape {self.y.shape}) must have one label per row of X (shape {self.X.shape}).", name="y"
            )
        self.n, self.dim = self.X.shape
        self._deriv = MODELS[self.model]

    def per_sample(self, w: np.ndarray, idx: np.ndarray, replace: Replacement | None = None) -> np.ndarray:
        """Gradients at w (R, d) of the sampled points idx (R, B): shape (R, B, d)."""
        Xb, yb = _gather(self.X, self.y, idx, replace)
        a = self._deriv(np.einsum("rbd,rd->rb", Xb, w), yb)
        g = a[..., None] * Xb
        return g + self.ridge * w[:, None, :] if self.ridge else g

    def pointwise_loss(self, w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each trial's w (R, d) on points X (m, d): shape (R, m)."""
        z = w @ X.T
        if self.model == "logistic":
            out = np.logaddexp(0.0, -y * z)
        elif self.model == "squared":
            out = 0.5 * (z - y) ** 2
        else:
            m = y * z
            out = np.where(m <= 0, 0.5 - m, np.where(m < 1, 0.5 * (1 - m) ** 2, 0.0))
        if self.ridge:
            out = out + 0.5 * self.ridge * np.sum(w * w, axis=1, keepdims=True)
        return out

    def loss(self, w: np.ndarray) -> np.ndarray:
        """Empirical risk F(w) of each trial: shape (R,)."""
        return self.pointwise_loss(w, self.X, self.y).mean(axis=1)

    def full_grad(self, w: np.ndarray) -> np.ndarray:
        """Gradient of F at each trial's w: shape (R, d)."""
        a = self._deriv(w @ self.X.T, self.y)
        return a @ self.X / self.n + self.ridge * w

    def accuracy(self, w: np.ndarray) -> np.ndarray:
        """Training accuracy of sign(x'w) (binary labels in {-1, +1}): shape (R,)."""
        return np.mean(np.sign(w @ self.X.T) == self.y, axis=1)


@dataclasses.dataclass
class SoftmaxProblem:
    """Multinomial logistic regression; w is the flattened (d, K) weight matrix (dim = d K).

    Examples
    --------
    >>> p = SoftmaxProblem(np.eye(2), np.array([0, 1]), 2)
    >>> p.per_sample(np.zeros((1, 4)), np.array([[0]])).round(2).tolist()
    [[[-0.5, 0.5, 0.0, 0.0]]]
    """

    X: np.ndarray
    y: np.ndarray
    K: int

    def __post_init__(self) -> None:
        self.X = np.asarray(self.X, dtype=float)
        self.y = np.asarray(self.y, dtype=int)
        self.n, self.d = self.X.shape
        self.dim = self.d * self.K
        self._onehot = np.eye(self.K)[self.y]

    def _probs(self, logits: np.ndarray) -> np.ndarray:
        z = logits - logits.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    def per_sample(self, w: np.ndarray, idx: np.ndarray, replace: Replacement | None = None) -> np.ndarray:
        Wm = w.reshape(w.shape[0], self.d, self.K)
        Xb, yb = _gather(self.X, self.y.astype(float), idx, replace)
        P = self._probs(np.einsum("rbd,rdk->rbk", Xb, Wm))
        P -= np.eye(self.K)[yb.astype(int)]
        return np.einsum("rbd,rbk->rbdk", Xb, P).reshape(idx.shape + (self.dim,))

    def batch_sum(self, w: np.ndarray, idx: np.ndarray, replace: Replacement | None = None) -> np.ndarray:
        """Sum over the batch of the per-sample gradients, (R, dim), without forming (R, B, dim)."""
        Wm = w.reshape(w.shape[0], self.d, self.K)
        Xb, yb = _gather(self.X, self.y.astype(float), idx, replace)
        P = self._probs(np.einsum("rbd,rdk->rbk", Xb, Wm))
        P -= np.eye(self.K)[yb.astype(int)]
        return np.einsum("rbd,rbk->rdk", Xb, P).reshape(w.shape[0], self.dim)

    def loss(self, w: np.ndarray) -> np.ndarray:
        Wm = w.reshape(w.shape[0], self.d, self.K)
        logits = np.einsum("nd,rdk->rnk", self.X, Wm)
        m = logits.max(axis=-1, keepdims=True)
        lse = (m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True)))[..., 0]
        return (lse - np.einsum("rnk,nk->rn", logits, self._onehot)).mean(axis=1)

    def accuracy(self, w: np.ndarray) -> np.ndarray:
        Wm = w.reshape(w.shape[0], self.d, self.K)
        return np.mean(np.argmax(np.einsum("nd,rdk->rnk", self.X, Wm), axis=-1) == self.y, axis=1)

    def full_gradients(self, w: np.ndarray) -> np.ndarray:
        """Per-sample gradients of every point at one w (dim,): shape (n, dim)."""
        P = self._probs(self.X @ w.reshape(self.d, self.K)) - self._onehot
        return np.einsum("nd,nk->ndk", self.X, P).reshape(self.n, self.dim)


@dataclasses.dataclass
class PointsProblem:
    """Theorem 2.6's construction :math:`f_i(w) = \\frac{\\lambda}{2}\\|w - x_i\\|^2`.

    Examples
    --------
    >>> PointsProblem(np.array([[1.0], [-1.0]]), 1.0).per_sample(np.zeros((1, 1)), np.array([[0, 1]])).tolist()
    [[[-1.0], [1.0]]]
    """

    x: np.ndarray
    lam: float = 1.0

    def __post_init__(self) -> None:
        self.x = np.asarray(self.x, dtype=float)
        self.n, self.dim = self.x.shape

    def per_sample(self, w: np.ndarray, idx: np.ndarray, replace: Replacement | None = None) -> np.ndarray:
        xb, _ = _gather(self.x, np.zeros(self.n), idx, replace)
        return self.lam * (w[:, None, :] - xb)


@dataclasses.dataclass(frozen=True)
class SGDResult:
    """Final iterates (R, dim), the recorded trace (iterations + 1, R, ...) and the averaged iterate."""

    w: np.ndarray
    trace: np.ndarray | None
    w_avg: np.ndarray | None
    iterations: int


def minibatch_sgd(
    problem: Any,
    w0: np.ndarray,
    *,
    B: int,
    gamma: float,
    T: int,
    rng: np.random.Generator,
    R: int | None = None,
    mechanism: Mechanism | None = None,
    radius: float | None = None,
    center: np.ndarray | None = None,
    record: Callable[[np.ndarray], np.ndarray] | None = None,
    average: bool = False,
    replace: Replacement | None = None,
) -> SGDResult:
    """Run mini-batch SGD (2.2) for T gradient updates (T/B iterations) on R trials at once.

    Parameters
    ----------
    problem : GLMProblem, SoftmaxProblem, PointsProblem or any object with ``n`` and
        ``per_sample(w (R, dim), idx (R, B), replace) -> (R, B, dim)``.
    w0 : ndarray, shape (dim,) or (R, dim)
    B, gamma, T : batch size, step size (multiplies the sum of B gradients; a number or one per trial),
        gradient updates.
    rng : numpy Generator (all randomness: indices, then mechanism draws, every iteration).
    R : trials (default: w0.shape[0] for a 2-d w0, else 1).
    mechanism : applied to every sampled gradient independently.
    radius, center : project onto the ball ``||w - center|| <= radius`` after every iteration.
    record : function of the iterates (R, dim) -> (R, ...) evaluated at w_0, w_B, ..., w_T.
    average : also return (B/T) sum_{k < T/B} w_kB (Theorem 2.4's averaged iterate).
    replace : run on the neighbouring data set S^(I) of each trial.

    Examples
    --------
    >>> p = PointsProblem(np.array([[1.0], [-1.0]]), 1.0)
    >>> res = minibatch_sgd(p, np.array([0.5]), B=2, gamma=0.1, T=20, rng=np.random.default_rng(0), R=3)
    >>> res.w.shape, res.iterations
    ((3, 1), 10)
    """
    for name, v in (("B", B), ("T", T)):
        if int(v) != v or v < (1 if name == "B" else 0):
            raise BadInput(f"{name} ({v}) must be an integer >= {1 if name == 'B' else 0}.", name=name)
    if T % B:
        raise BadInput(f"T ({T}) must be a multiple of B ({B}): T/B iterations (L591-598).", name="T")
    gam = np.asarray(gamma, dtype=float)
    if gam.ndim > 1 or not np.all((gam > 0) & np.isfinite(gam)):
        raise BadInput(f"gamma ({gamma}) must be a finite number > 0 (or one per trial).", name="gamma")
    w = np.asarray(w0, dtype=float)
    if w.ndim == 1:
        w = np.broadcast_to(w, (R or 1, w.shape[0])).copy()
    elif R is not None and w.shape[0] != R:
        raise BadInput(f"w0 (shape {w.shape}) must have R = {R} rows.", name="w0")
    else:
        w = w.copy()
    if w.shape[1] != problem.dim:
        raise BadInput(f"w0 (dimension {w.shape[1]}) must have the problem's dimension {problem.dim}.", name="w0")
    Rn = w.shape[0]
    if gam.ndim == 1 and gam.shape[0] != Rn:
        raise BadInput(f"gamma (length {gam.shape[0]}) must have one step size per trial (R = {Rn}).", name="gamma")
    step = gam[:, None] if gam.ndim == 1 else gam
    K = int(T // B)
    trace = [record(w)] if record is not None else None
    acc = np.zeros_like(w) if average else None
    c = None if center is None else np.asarray(center, dtype=float)
    for _ in range(K):
        if acc is not None:
            acc += w
        idx = rng.integers(0, problem.n, size=(Rn, int(B)))
        if (mechanism is None or mechanism.kind == "none") and hasattr(problem, "batch_sum"):
            gsum = problem.batch_sum(w, idx, replace)  # same sum, without the per-sample tensor
        else:
            gsum = apply_mechanism(problem.per_sample(w, idx, replace), mechanism, rng).sum(axis=1)
        w = w - step * gsum
        if radius is not None:
            diff = w if c is None else w - c
            nrm = np.linalg.norm(diff, axis=1, keepdims=True)
            diff = diff * np.minimum(1.0, radius / np.maximum(nrm, 1e-300))
            w = diff if c is None else c + diff
        if trace is not None and record is not None:  # trace is None exactly when record is
            trace.append(record(w))
    return SGDResult(
        w=w,
        trace=None if trace is None else np.stack(trace),
        w_avg=None if acc is None else acc / max(K, 1),
        iterations=K,
    )
