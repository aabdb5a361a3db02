"""Sympy symbols and special functions shared by every chapter.

One symbol per parameter name for the whole package, so expressions from
different theorems compose. Symbols of quantities that can be zero (alpha,
beta, T, ...) are non-negative; the others are positive.
"""

from __future__ import annotations

import functools
from typing import Any

import mpmath
import sympy as sp

__all__ = ["sym", "NormalQuantile", "NUMPY_FUNCTIONS", "MPMATH_FUNCTIONS", "LATEX_NAMES"]

_NONNEGATIVE = frozenset({"alpha", "beta", "T", "r0", "F_gap", "M", "t", "s", "sigma", "pF_norm", "rho2", "q"})

#: LaTeX spelling of ASCII parameter names (sympy guesses the rest: alpha -> \alpha).
LATEX_NAMES: dict[str, str] = {
    "L_hat": r"\hat{L}",
    "L_F": "L_F",
    "lambda_F": r"\lambda_F",
    "rho_F": r"\rho_F",
    "eps": r"\varepsilon",
    "r0": r"\|w^0 - w^*\|_2",
    "F_gap": r"F(w^0) - F(w^*)",
    "C_eps": r"C_\varepsilon",
    "Delta": r"\Delta",
    "Delta_prime": r"\Delta'",
    "Delta_prime_paper": r"\Delta'_{\mathrm{paper}}",
    "sigma_tilde": r"\tilde{\sigma}",
    "C_tilde": r"\tilde{C}",
    "varsigma": r"\varsigma",
    "sigma_k": r"\tilde{\sigma}_k",
    "varsigma_k": r"\varsigma_k",
    "pF_norm": r"\|p_F\|_2",
    "nu2": r"\nu_2",
    "nu3": r"\nu_3",
    "M_theta": r"M_\theta",
    "c_sq_sum": r"\sum_j c_j^2",
    "lhs_3_2": r"\mathrm{lhs}_{(3.2)}",
    "kappa": r"\kappa",
    "rho2": r"\|U\|_F^2 + \|v\|_2^2",
}


@functools.cache
def sym(name: str) -> sp.Symbol:
    """The package-wide sympy symbol of a parameter or quantity name.

    Examples
    --------
    >>> sym("alpha") is sym("alpha")
    True
    """
    if name in _NONNEGATIVE:
        return sp.Symbol(name, nonnegative=True, real=True)
    return sp.Symbol(name, positive=True)


class NormalQuantile(sp.Function):
    r"""The standard normal quantile :math:`\Phi^{-1}(p)`.

    Evaluated with ``scipy.special.ndtri`` in numpy (accurate in both tails)
    and with ``mpmath.erfinv`` at arbitrary precision.
    """

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        q = NormalQuantile(self.args[0])
        return sp.sqrt(2 * sp.pi) * sp.exp(q**2 / 2)

    def _latex(self, printer, exp=None) -> str:
        arg = printer._print(self.args[0])
        base = rf"\Phi^{{-1}}\left({arg}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"

    def _eval_rewrite_as_erfinv(self, p, **kwargs) -> sp.Expr:
        return sp.sqrt(2) * sp.erfinv(2 * p - 1)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.erfinv)._eval_evalf(prec)


def _mp_normal_quantile(p):
    return mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1)


def _ndtri(p: Any) -> Any:
    """``scipy.special.ndtri``, imported on first use (most results never need scipy)."""
    from scipy.special import ndtri

    return ndtri(p)


def _erfinv(y: Any) -> Any:
    """``scipy.special.erfinv``, imported on first use."""
    from scipy.special import erfinv

    return erfinv(y)


def _erf(x: Any) -> Any:
    """``scipy.special.erf``, imported on first use."""
    from scipy.special import erf

    return erf(x)


NUMPY_FUNCTIONS: dict[str, object] = {"NormalQuantile": _ndtri, "erfinv": _erfinv, "erf": _erf}
MPMATH_FUNCTIONS: dict[str, object] = {"NormalQuantile": _mp_normal_quantile}
