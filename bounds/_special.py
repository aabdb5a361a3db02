"""Special functions of the registry's formulas in plain numpy, without sympy.

The sympy functions of the chapters (``RademacherAbsMean``) lambdify to these, and the generated
fast path of ``boundlab eval`` (:mod:`boundlab.bounds._fast`) calls the very same objects.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["rademacher_abs_mean"]


def rademacher_abs_mean(n: Any) -> Any:  # numpy arrays or mpmath numbers in and out
    r"""Exact :math:`m_n = \mathbb E|\sum_{i=1}^n \sigma_i| = 2k\binom{2k}{k}4^{-k}`, :math:`k = \lceil n/2\rceil`.

    Works on numpy arrays (through ``gammaln``, accurate for any n) and on mpmath numbers.

    Examples
    --------
    >>> [round(float(rademacher_abs_mean(k)), 6) for k in (1, 2, 3, 4)]
    [1.0, 1.0, 1.5, 1.5]
    """
    mpmath = sys.modules.get("mpmath")  # an mpmath number means mpmath is imported
    if mpmath is not None and isinstance(n, mpmath.mpf):
        k = mpmath.ceil(n / 2)
        return 2 * k * mpmath.gamma(k + mpmath.mpf(1) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(k + 1))
    k = np.ceil(np.asarray(n, dtype=float) / 2)
    # binom(2k, k) 4^-k = Gamma(k + 1/2) / (sqrt(pi) Gamma(k + 1)) = 1 / (sqrt(pi) poch(k + 1/2, 1/2)), accurate
    # for every k (a difference of gammaln values loses ~1e-9 relative at n = 1e6)
    from scipy.special import poch  # imported here: most results never need scipy

    with np.errstate(all="ignore"):
        return 2 * k / (np.sqrt(np.pi) * poch(k + 0.5, 0.5))
