"""Constants of Theorem 3.7 (sigma-tilde, C-tilde) for the catalog's quadratic models.

Model G: Gaussian regression, x ~ N(0, I_d), y = x'w* + xi, xi ~ N(0, sigma^2), f = (y - x'w)^2 / 2,
so H = xx', p = -y x, H_F = I, p_F = -w*, lambda_F = 1. Then l_k(U, v) = xi x_k, sigma-tilde_k = sigma,
varsigma_k = (8/pi)^(1/3), nu_2^2 = d^2 + d + (d+1)||w*||^2 + d sigma^2, and nu_3 by quadrature.

Model E: one-dimensional mean estimation with Exp(1) data written as a quadratic, H = 1, p = -z:
sigma-tilde = 1, varsigma = nu_3 = (12/e - 2)^(1/3), nu_2 = 1, ||p_F|| = 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from ._errors import BadInput

__all__ = ["quadratic_model_constants", "model_g_nu3"]


def model_g_nu3(d: int, sigma: float, w_star_norm: float, nodes: int = 120) -> float:
    """nu_3 = (E[(||xx' - I||_F^2 + ||(x'w* + xi)x - w*||^2)^(3/2)])^(1/3) for Model G, by quadrature.

    Rotating w* onto e_1 leaves three variables: x_1 ~ N(0, 1), xi ~ N(0, sigma^2) (Gauss-Hermite) and
    rho = ||x||^2 - x_1^2 ~ chi^2_{d-1} (generalised Gauss-Laguerre). The integrand is smooth for d >= 2.

    Examples
    --------
    >>> round(model_g_nu3(2, 1.0, 0.0), 6)
    3.530493
    """
    gx, wx = special.roots_hermitenorm(nodes)
    wx = wx / wx.sum()
    x1 = gx[:, None, None]
    xi = sigma * gx[None, :, None]
    wxi = wx[None, :, None]
    if d >= 2:
        k = (d - 1) / 2.0
        u, wu = special.roots_genlaguerre(nodes, k - 1)
        rho = (2.0 * u)[None, None, :]
        wrho = (wu / wu.sum())[None, None, :]
    else:
        rho = np.zeros((1, 1, 1))
        wrho = np.ones((1, 1, 1))
    c = float(w_star_norm)
    r = x1**2 + rho
    frob = r**2 - 2 * r + d
    y = c * x1 + xi
    vsq = y**2 * r - 2 * c * x1 * y + c**2
    q = np.maximum(frob + vsq, 0.0) ** 1.5
    w = wx[:, None, None] * wxi * wrho
    return float(np.sum(w * q) ** (1.0 / 3.0))


def quadratic_model_constants(
    model: str, *, n: float | None = None, d: int = 2, sigma: float = 1.0, w_star_norm: float = 0.0
) -> dict[str, Any]:
    """sigma-tilde, the ingredients of C_k (Lemma 3.5) and, given n, C-tilde for a catalog model.

    Parameters
    ----------
    model : {"G", "E"}
        Gaussian regression (Model G) or the exponential-data quadratic (Model E, d = 1).
    n : float, optional
        Samples per machine; when given, ``C_tilde`` = max_k C_k is included.
    d, sigma, w_star_norm
        Model G's dimension, noise level and ||w*||_2.

    Returns
    -------
    dict
        ``sigma_tilde, sigma_k, varsigma_k, nu2, nu3, lambda_F, pF_norm`` (and ``C_tilde``).

    Examples
    --------
    >>> c = quadratic_model_constants("G", n=1e5, d=2, sigma=1.0)
    >>> round(c["C_tilde"], 2), round(c["sigma_tilde"], 6)
    (45.75, 1.414214)
    """
    key = str(model).upper()
    if key == "G":
        if int(d) != d or d < 1:
            raise BadInput(f"d ({d}) must be an integer >= 1 (Model G).", name="d")
        if not (math.isfinite(sigma) and sigma > 0):
            raise BadInput(f"sigma ({sigma}) must be > 0 (Model G).", name="sigma")
        if not (math.isfinite(w_star_norm) and w_star_norm >= 0):
            raise BadInput(f"w_star_norm ({w_star_norm}) must be >= 0 (Model G).", name="w_star_norm")
        out: dict[str, Any] = {
            "model": "G",
            "lambda_F": 1.0,
            "pF_norm": float(w_star_norm),
            "sigma_k": float(sigma),
            "sigma_tilde": float(sigma) * math.sqrt(d),
            "varsigma_k": (8 / math.pi) ** (1 / 3),
            "nu2": math.sqrt(d**2 + d + (d + 1) * w_star_norm**2 + d * sigma**2),
            "nu3": model_g_nu3(int(d), float(sigma), float(w_star_norm)),
        }
    elif key == "E":
        third = 12 / math.e - 2  # E|z - 1|^3 for z ~ Exp(1)
        out = {
            "model": "E",
            "lambda_F": 1.0,
            "pF_norm": 1.0,
            "sigma_k": 1.0,
            "sigma_tilde": 1.0,
            "varsigma_k": third ** (1 / 3),
            "nu2": 1.0,
            "nu3": third ** (1 / 3),
        }
    else:
        raise BadInput(f"model ({model}) must be 'G' (Gaussian regression) or 'E' (exponential data).", name="model")
    if n is not None:
        from ._base import get_bound

        out["C_tilde"] = float(
            get_bound("lem3.5").evaluate(
                n=n, **{k: out[k] for k in ("lambda_F", "pF_norm", "sigma_k", "varsigma_k", "nu2", "nu3")}
            )
        )
    return out
