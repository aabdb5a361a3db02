r"""Gradient diversity of any model, streamed, beside the gradient noise scale of McCandlish et al. (2018).

Per-example gradients come from any framework: an array or ``scipy.sparse`` matrix, a ``.npy`` file (read in
row blocks through a memory map), a ``.npz`` file, a ``.pt`` file (only when torch is installed), or a callable
(or iterable) that yields batches ``(b, d)``. Only O(d) sums (and O(K d) for the interval) are kept, so the
n x d matrix never has to fit in memory.

The identity. For gradients g_1..g_n with mean G = (1/n) sum g_i and population covariance over the n examples
Sigma = (1/n) sum (g_i - G)(g_i - G)', tr Sigma = (1/n) sum |g_i|^2 - |G|^2, so

.. math::

   B_{\rm simple} = \frac{\operatorname{tr}\Sigma}{|G|^2}
   = \frac{(1/n)\sum_i |g_i|^2}{|\sum_i g_i|^2 / n^2} - 1 = n\,\Delta_{\mathcal D} - 1,

that is :math:`n\Delta_{\mathcal D} = B_{\mathcal D} = 1 + B_{\rm simple}` (Definition 2.4 and McCandlish et
al.'s simple noise scale). When the n examples are a sample from a larger population, the unbiased estimators
are :math:`\widehat{\operatorname{tr}\Sigma} = (\sum|g_i|^2 - |\sum g_i|^2/n)/(n-1)` and
:math:`\widehat{|G|^2} = (|\sum g_i|^2 - \sum|g_i|^2)/(n(n-1))`; their ratio estimates :math:`B_{\rm simple}`
(consistently, not without bias), with a delete-one-group jackknife interval over K groups of batches.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sps
from scipy import stats as sst

from boundlab.bounds import BadInput

__all__ = ["NoiseScale", "gradient_noise_scale", "iter_gradient_batches"]

_BLOCK_FLOATS = 1 << 22


@dataclasses.dataclass(frozen=True)
class NoiseScale:
    """Diversity and noise scale of n per-example gradients.

    Attributes
    ----------
    n, d : int
    sum_sq : float
        :math:`\\sum_i |g_i|^2`.
    norm_sum_sq : float
        :math:`|\\sum_i g_i|^2`.
    Delta_D, B_D : float
        Gradient diversity and the batch-size bound n Delta_D (inf at a stationary point).
    tr_Sigma, G_norm2, B_simple : float
        Population quantities over the n examples; ``B_simple = B_D - 1``.
    sample : dict or None
        With ``sample=True``: the unbiased ``tr_Sigma`` and ``G_norm2``, the ratio ``B_simple``, its jackknife
        interval ``(low, high)`` at ``confidence`` and the number of groups.
    """

    n: int
    d: int
    sum_sq: float
    norm_sum_sq: float
    Delta_D: float
    B_D: float
    tr_Sigma: float
    G_norm2: float
    B_simple: float
    sample: dict[str, Any] | None = None


def _batches_from_path(path: Path, block: int | None) -> Iterator[np.ndarray]:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
        yield from _row_blocks(arr, block)
    elif suffix == ".npz":
        try:
            yield from _row_blocks(sps.load_npz(path), block)
            return
        except (ValueError, KeyError, OSError):
            pass
        with np.load(path, allow_pickle=False) as z:
            key = "gradients" if "gradients" in z.files else z.files[0]
            yield from _row_blocks(z[key], block)
    elif suffix in (".pt", ".pth"):
        try:
            import torch
        except ImportError:
            raise BadInput(
                f"gradients ({path}) must be .npy or .npz: reading .pt needs torch, which is not installed.",
                name="gradients",
            ) from None
        t = torch.load(path, map_location="cpu")
        yield from _row_blocks(t.detach().numpy() if hasattr(t, "detach") else np.asarray(t), block)
    else:
        raise BadInput(f"gradients ({path}) must be a .npy, .npz or .pt file.", name="gradients")


def _row_blocks(arr: Any, block: int | None) -> Iterator[Any]:
    if arr.ndim != 2:
        raise BadInput(f"gradients (shape {arr.shape}) must be an n x d matrix.", name="gradients")
    rows = block or max(1, _BLOCK_FLOATS // max(arr.shape[1], 1))
    for i in range(0, arr.shape[0], rows):
        yield arr[i : i + rows]


def iter_gradient_batches(source: Any, *, block: int | None = None) -> Iterator[np.ndarray | sps.csr_matrix]:
    """Batches ``(b, d)`` of per-example gradients from an array, a sparse matrix, a file, a callable or an iterable.

    A callable is called with no argument and must return an iterable of batches (a generator function).

    Examples
    --------
    >>> [b.shape for b in iter_gradient_batches(np.ones((5, 2)), block=2)]
    [(2, 2), (2, 2), (1, 2)]
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise BadInput(f"gradients ({source}) must be an existing file.", name="gradients")
        yield from _batches_from_path(path, block)
        return
    if sps.issparse(source):
        yield from _row_blocks(sps.csr_matrix(source), block)
        return
    if isinstance(source, np.ndarray) or (
        isinstance(source, list) and source and not callable(source[0]) and np.ndim(source) == 2
    ):
        yield from _row_blocks(np.asarray(source, dtype=float), block)
        return
    it: Any = source() if callable(source) else source
    if not isinstance(it, Iterable):
        raise BadInput(
            f"gradients ({type(source).__name__}) must be an array, a file, or a callable or iterable "
            "yielding (b, d) batches.",
            name="gradients",
        )
    for batch in it:
        b = (
            batch
            if sps.issparse(batch)
            else np.asarray(batch.detach().cpu().numpy() if hasattr(batch, "detach") else batch, dtype=float)
        )
        if b.ndim == 1:
            b = b[None, :]
        yield b


def gradient_noise_scale(
    source: Any, *, sample: bool = False, groups: int = 20, confidence: float = 0.95, block: int | None = None
) -> NoiseScale:
    """Delta_D, B_D and the simple noise scale B_simple = tr(Sigma)/|G|^2 of per-example gradients, streamed.

    Parameters
    ----------
    source : array, sparse matrix, path, callable or iterable
        Per-example gradients, n x d, or batches of them (see :func:`iter_gradient_batches`).
    sample : bool
        Also report the unbiased finite-sample estimators and a jackknife interval for B_simple.
    groups : int
        Number of groups K of the delete-one-group jackknife (batch j joins group j mod K).
    confidence : float
        Level of the interval.

    Examples
    --------
    >>> r = gradient_noise_scale([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> r.B_D, r.B_simple
    (1.5, 0.5)
    """
    if isinstance(groups, bool) or int(groups) != groups or groups < 2:
        raise BadInput(f"groups ({groups}) must be an integer >= 2.", name="groups")
    if not 0 < confidence < 1:
        raise BadInput(f"confidence ({confidence}) must be in (0, 1).", name="confidence")
    if sample and block is None and hasattr(source, "shape") and len(source.shape) == 2:
        block = max(1, math.ceil(source.shape[0] / int(groups)))  # one group per block: a jackknife over rows
    n, d = 0, None
    total = np.zeros(0)  # sized at the first batch
    sum_sq = 0.0
    g_sum: list[np.ndarray] = []
    g_sq = np.zeros(int(groups))
    g_n = np.zeros(int(groups), dtype=int)
    b: Any  # a dense array or a scipy sparse matrix
    for j, b in enumerate(iter_gradient_batches(source, block=block)):
        if b.ndim != 2 or b.shape[0] == 0:
            continue
        if d is None:
            d = b.shape[1]
            total = np.zeros(d)
            g_sum = [np.zeros(d) for _ in range(int(groups))]
        elif b.shape[1] != d:
            raise BadInput(f"gradients (a batch of width {b.shape[1]}) must all have width d = {d}.", name="gradients")
        if sps.issparse(b):
            s = np.asarray(b.sum(axis=0)).ravel()
            sq = float(b.multiply(b).sum())
            finite = bool(np.all(np.isfinite(b.data)))
        else:
            s = b.sum(axis=0)
            sq = float(np.einsum("ij,ij->", b, b))
            finite = bool(np.isfinite(sq) and np.all(np.isfinite(s)))
        if not finite:
            raise BadInput("gradients (contains NaN or inf) must be finite.", name="gradients")
        total += s
        sum_sq += sq
        n += b.shape[0]
        k = j % int(groups)
        g_sum[k] += s
        g_sq[k] += sq
        g_n[k] += b.shape[0]
    if d is None or n == 0:
        raise BadInput("gradients (empty) must contain at least one example.", name="gradients")
    if sum_sq == 0:
        raise BadInput("gradients (all zero) must contain a nonzero row: Delta_D = 0/0 is undefined.", name="gradients")
    norm_sum_sq = float(total @ total)
    delta = sum_sq / norm_sum_sq if norm_sum_sq > 0 else math.inf
    G2 = norm_sum_sq / n**2
    tr = sum_sq / n - G2
    B_D = n * delta
    b_simple = tr / G2 if G2 > 0 else math.inf
    extra = None
    if sample:
        extra = _sample_estimates(n, sum_sq, total, g_sum, g_sq, g_n, confidence)
    return NoiseScale(n, int(d), sum_sq, norm_sum_sq, delta, B_D, tr, G2, b_simple, extra)


def _unbiased(n: int, sum_sq: float, total: np.ndarray) -> tuple[float, float]:
    s2 = float(total @ total)
    tr = (sum_sq - s2 / n) / (n - 1)
    G2 = (s2 - sum_sq) / (n * (n - 1))
    return tr, G2


def _sample_estimates(
    n: int,
    sum_sq: float,
    total: np.ndarray,
    g_sum: list[np.ndarray],
    g_sq: np.ndarray,
    g_n: np.ndarray,
    confidence: float,
) -> dict[str, Any]:
    if n < 2:
        raise BadInput(f"n ({n}) must be >= 2 for the finite-sample estimators.", name="n")
    tr, G2 = _unbiased(n, sum_sq, total)
    est = tr / G2 if G2 > 0 else math.inf
    used = [k for k in range(len(g_n)) if g_n[k] > 0]
    lo = hi = math.nan
    if len(used) >= 2 and G2 > 0:
        leave = []
        for k in used:
            nk = n - int(g_n[k])
            if nk < 2:
                continue
            t_k, G_k = _unbiased(nk, sum_sq - float(g_sq[k]), total - g_sum[k])
            leave.append(t_k / G_k if G_k > 0 else math.inf)
        K = len(leave)
        if K >= 2 and all(math.isfinite(v) for v in leave):
            arr = np.asarray(leave)
            se = math.sqrt((K - 1) / K * float(np.sum((arr - arr.mean()) ** 2)))
            z = float(sst.t.ppf(0.5 + confidence / 2, K - 1))
            lo, hi = est - z * se, est + z * se
    return {
        "tr_Sigma": tr,
        "G_norm2": G2,
        "B_simple": est,
        "interval": (lo, hi),
        "confidence": confidence,
        "groups": len(used),
    }
