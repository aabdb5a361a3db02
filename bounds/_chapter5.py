r"""Chapter 5: Rademacher complexity for adversarially robust generalization.

Every numbered item of the chapter (dissertation lines 11460-13954) with the explicit constants
the catalog derives, the printed and the corrected statements side by side. Names: ``n`` samples,
``d`` input dimension, ``W`` the norm budget :math:`\|w\|_p \le W` (the scalar; the weight matrix is
never a registry parameter), ``p`` the norm (its conjugate enters as :math:`d^{1-1/p} = d^{1/q}`),
``eps`` the :math:`\ell_\infty` radius, ``K`` classes, ``gamma`` the margin, ``delta`` the
confidence, ``RS`` an empirical Rademacher complexity (data-dependent: compute it with
:func:`boundlab.montecarlo._rademacher.rademacher_linear` / ``rademacher_adv_linear``).
``log`` is natural.

Errata (``boundlab errata --chapter 5 --verify`` reproduces each counterexample):
err5.1 the closed form (5.10); err5.2 Theorem 5.2's constant; err5.3 the matrix Q of (5.7)
(Theorem 5.7 unsound); err5.4 Lemma 5.1 with the printed Q; err5.5 Theorem 5.1 for B < 1;
err5.6 / err5.7 the factor 2 of Theorems 5.4 and 5.8; err5.8-err5.10 typos.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ._base import AbstractBound, Hypothesis, Param, register
from ._base import register_statement as _statement
from ._errata import Erratum, register_erratum
from ._special import rademacher_abs_mean
from ._symbols import LATEX_NAMES, sym

__all__ = [
    "RademacherAbsMean",
    "rademacher_abs_mean",
    "q_matrix",
    "sdp_value_bounds",
    "C_VALID",
    "C_PROOF",
    "exact_adv_rs",
]

# ---------------------------------------------------------------------------------------------
# m_n = E|sigma_1 + ... + sigma_n| as a sympy function that lambdifies to numpy and mpmath
# ---------------------------------------------------------------------------------------------


class RademacherAbsMean(sp.Function):
    r""":math:`m_n = \mathbb E|S_n|` for n Rademacher signs (exact; :math:`\sqrt{n/2} \le m_n \le \sqrt n`)."""

    nargs = 1
    _imp_ = staticmethod(rademacher_abs_mean)

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        arg = self.args[0]
        if not arg.is_number:
            return None
        with mpmath.workprec(prec):
            val = rademacher_abs_mean(mpmath.mpf(str(arg.evalf(prec))))
            return sp.Float(val, precision=prec)

    def _latex(self, printer, exp=None) -> str:
        base = rf"\mathbb{{E}}\left|S_{{{printer._print(self.args[0])}}}\right|"
        return base if exp is None else rf"\left({base}\right)^{{{exp}}}"


# ---------------------------------------------------------------------------------------------
# Symbols and parameters
# ---------------------------------------------------------------------------------------------

_LATEX = {
    "RS": r"\mathfrak{R}_S",
    "Rn": "R_n",
    "W": "W",
    "d_q": "d^{1/q}",
    "m_n": r"\mathbb{E}|S_n|",
    "D_n": "D_n",
    "margin_err": r"\hat{e}_\gamma",
    "adv_margin_err": r"\tilde{e}_\gamma",
    "surrogate_err": r"\hat{e}_{\mathrm{SDP}}",
    "E_sum_norm": r"\mathbb{E}_\sigma\|\textstyle\sum_i\sigma_i x_i\|_q",
    "E_class_norms": r"\sum_y\mathbb{E}_\sigma\|u_y\|_q",
    "normXF": r"\|X\|_F",
    "d_max": r"d_{\max}",
    "Phi": r"\Phi(Q)",
    "conf": r"3\sqrt{\log(2/\delta)/(2n)}",
    "bft": r"\mathfrak{R}_{\mathrm{BFT}}",
}
for _k, _v in _LATEX.items():
    LATEX_NAMES.setdefault(_k, _v)

HALF = sp.Rational(1, 2)
C_VALID = 1 / (2 * sp.sqrt(2))  # Theorem 5.2's valid (optimal) universal constant
C_PROOF = 1 / sp.sqrt(2)  # what the printed proof would give (false)

n, d, W, eps, p, K = (sym(s) for s in ("n", "d", "W", "eps", "p", "K"))
gamma, delta, B, RS, Rn = (sym(s) for s in ("gamma", "delta", "B", "RS", "Rn"))
r, normXF, d_max = sym("r"), sym("normXF"), sym("d_max")
s1, s2, b1, b2 = (sym(s) for s in ("s1", "s2", "b1", "b2"))
margin, C_, Phi = sym("margin"), sym("C"), sym("Phi")
margin_err, adv_margin_err, surrogate_err = sym("margin_err"), sym("adv_margin_err"), sym("surrogate_err")
E_sum_norm, E_class_norms = sym("E_sum_norm"), sym("E_class_norms")
d_q_, m_n_, D_n_, conf_, bft_, sdp_term_ = (sym(s) for s in ("d_q", "m_n", "D_n", "conf", "bft", "sdp_term"))

CONF = 3 * sp.sqrt(sp.log(2 / delta) / (2 * n))


class P:
    """Parameter templates of Chapter 5."""

    n = Param("n", "number of samples", lower=1, integer=True, typical=(10, 100000))
    d = Param("d", "input dimension", lower=1, integer=True, typical=(1, 1000))
    W = Param(
        "W",
        "norm budget: ||w||_p <= W (rows of the weight matrix in the multi-class case)",
        lower=0,
        lower_open=True,
        typical=(0.1, 10.0),
    )
    eps = Param("eps", "l_inf radius of the adversary", lower=0, typical=(0.0, 0.3))
    p = Param(
        "p",
        "the l_p norm of the weight constraint, p >= 1 (p = inf: pass a large p; d^(1/q) = d^(1 - 1/p))",
        lower=1,
        typical=(1.0, 10.0),
    )
    K = Param("K", "number of classes", lower=2, integer=True, typical=(2, 100))
    gamma = Param("gamma", "margin of the ramp loss", lower=0, lower_open=True, typical=(0.1, 10.0))
    delta = Param(
        "delta", "failure probability", lower=0, upper=1, lower_open=True, upper_open=True, typical=(0.001, 0.2)
    )
    B = Param("B", "the loss takes values in [0, B]", lower=0, lower_open=True, typical=(0.1, 10.0))
    Rn = Param("Rn", "empirical risk R_n(f) (adversarial for Corollary 5.1)", lower=0, typical=(0.0, 1.0))
    RS = Param("RS", "empirical Rademacher complexity R_S of the loss class", lower=0, typical=(0.0, 1.0))
    margin_err = Param(
        "margin_err",
        "empirical margin error (1/n) sum_i 1(M(f(x_i), y_i) <= gamma)",
        lower=0,
        upper=1,
        typical=(0.0, 0.5),
    )
    r = Param("r", "bound r on the product of spectral norms", lower=0, lower_open=True, typical=(0.1, 10.0))
    normXF = Param("normXF", "||X||_F = sqrt(sum_i ||x_i||_2^2)", lower=0, typical=(1.0, 1000.0))
    d_max = Param("d_max", "largest layer width max(d, d_1, ...)", lower=1, integer=True, typical=(2, 1000))
    s1 = Param("s1", "spectral-norm bound of W_1", lower=0, lower_open=True, typical=(0.5, 5.0))
    s2 = Param("s2", "spectral-norm bound of W_2", lower=0, lower_open=True, typical=(0.5, 5.0))
    b1 = Param(
        "b1",
        "||W_1^T||_{2,1} bound (Theorem 5.5) or entrywise ||W_1||_1 bound (Theorem 5.8)",
        lower=0,
        lower_open=True,
        typical=(0.5, 20.0),
    )
    b2 = Param(
        "b2", "||W_2^T||_{2,1} bound (sum of the row l_2 norms of W_2)", lower=0, lower_open=True, typical=(0.5, 20.0)
    )


def named(item: str, text: str, source: str) -> Hypothesis:
    """A hypothesis that cannot be decided from the parameters."""
    return Hypothesis(text=text, source=source, item=item)


IID = named("def5.2", "S = {(x_i, y_i)} are n i.i.d. draws from D", "L11713-11729")
RS_IS_DATA = named(
    "def5.3", "RS is the empirical Rademacher complexity R_S of the loss class on the same S", "L11733-11759"
)
WIDTH = named(
    "",
    "hidden widths are >= 2 (or L = 1): the linear embedding of Lemma 5.2 needs them (implicit in the text)",
    "L13582-13598",
)
QFIX = named("eq5.7", "Phi / C(W) are computed with the corrected matrix Q^fix, not the printed (5.7)", "L12436-12445")
FIXED_GAMMA = named(
    "", "gamma and the norm budgets are fixed before seeing the data (no union bound is given)", "L12120-12130"
)

# ---------------------------------------------------------------------------------------------
# Definitions, equations and remarks without a value
# ---------------------------------------------------------------------------------------------


_RAD = "boundlab.montecarlo._rademacher"

_statement(
    "def5.1",
    "Notation: matrix norms and the l_inf ball",
    "definition",
    "L11589-11600",
    r"\|W\|_{p,q} = \|(\|w_1\|_p, \dots, \|w_m\|_p)\|_q\ (\text{columns } w_j),\ \|W\|_p = \|W\|_{p,p},\ "
    r"B^\infty_x(\varepsilon) = \{x' : \|x' - x\|_\infty \le \varepsilon\}",
    notes_=(
        "||W^T||_{p,inf} = max_k ||w_k||_p over the rows w_k of W; ||W_h^T||_{2,1} = sum of the row "
        "l_2 norms; ||W_1||_1 is entrywise (catalog Def-N2).",
        "The theory never clips x' to the data domain [0, 1]^d.",
    ),
)
_statement(
    "def5.2",
    "Risk, empirical risk and the loss class",
    "definition",
    "L11713-11729",
    r"R(f) = \mathbb E_{(x,y)\sim\mathcal D}\ell(f(x), y),\ R_n(f) = \frac1n\sum_i \ell(f(x_i), y_i),\ "
    r"\ell_{\mathcal F} = \{(x,y)\mapsto \ell(f(x),y)\} \subseteq [0,B]^{\mathcal X\times\mathcal Y}",
    notes_=("L11721 prints E_{(x,y) in D}; read ~ D.",),
)
_statement(
    "def5.3",
    "Empirical Rademacher complexity",
    "definition",
    "L11733-11759",
    r"\mathfrak R_S(\mathcal H) = \frac1n\mathbb E_\sigma\Big[\sup_{h\in\mathcal H}\sum_i\sigma_i h(z_i)\Big]",
    impl=f"{_RAD}.rademacher_linear, {_RAD}.rademacher_adv_linear",
    notes_=("No absolute value inside the sup; R_S >= 0 and positively homogeneous.",),
)
_statement(
    "def5.4",
    "Adversarial risk, adversarial empirical risk and adversarial loss",
    "definition",
    "L11788-11823",
    r"\tilde R(f) = \mathbb E\max_{x'\in B^\infty_x(\varepsilon)}\ell(f(x'),y),\ "
    r"\tilde\ell(f(x),y) = \max_{x'\in B^\infty_x(\varepsilon)}\ell(f(x'),y)",
)
_statement(
    "eq5.1",
    "Adversarial empirical risk minimisation",
    "definition",
    "L11521-11531",
    r"\min_{f\in\mathcal F}\frac1n\sum_i\max_{\|x_i'-x_i\|_\infty\le\varepsilon}\ell(f(x_i'), y_i)",
)
_statement(
    "def5.5",
    "Binary linear class (5.2) and its loss",
    "definition",
    "L11843-11877",
    r"\mathcal F = \{f_w(x) = \langle w, x\rangle : \|w\|_p \le W\},\ \ell = \phi(y\langle w,x\rangle),\ "
    r"\phi \text{ non-increasing, } L_\phi\text{-Lipschitz, } [0,B]\text{-valued}",
)
_statement(
    "def5.6",
    "Adversarial binary linear class (5.3)",
    "definition",
    "L11878-11899",
    r"\tilde{\mathcal F} = \{(x,y)\mapsto\min_{x'\in B^\infty_x(\varepsilon)} y\langle w,x'\rangle : "
    r"\|w\|_p\le W\},\ \min_{x'} y\langle w,x'\rangle = y\langle w,x\rangle - \varepsilon\|w\|_1",
    impl=f"{_RAD}.rademacher_adv_linear",
    notes_=("Minimiser x* = x - eps y sgn(w) (proved L12728-12795).",),
)
_statement(
    "def5.7",
    "Margin operator",
    "definition",
    "L11997-12000",
    r"M(z, y) = z_y - \max_{y'\ne y} z_{y'},\ f \text{ correct at } (x,y) \iff M(f(x),y) > 0",
    impl=f"{_RAD}.margins",
    notes_=("Ties in argmax count as errors (M <= 0).",),
)
_statement(
    "eq5.5",
    "Ramp loss between the 0-1 error and the margin error",
    "definition",
    "L12018-12026",
    r"\mathbb 1(y\ne\arg\max_{y'}[f(x)]_{y'}) \le \phi_\gamma(M(f(x),y)) \le "
    r"\mathbb 1([f(x)]_y \le \gamma + \max_{y'\ne y}[f(x)]_{y'})",
    notes_=("True with ties counted as errors.",),
)
_statement(
    "def5.8",
    "Multi-class linear classifiers",
    "definition",
    "L12110-12118",
    r"f_W(x) = Wx,\ W \in \mathbb R^{K\times d},\ \mathcal F = \{f_W : \|W^\top\|_{p,\infty} \le W\}",
    notes_=("The text names both the matrix and the scalar bound W; boundlab's functions take `Wmat` and `W_bound`.",),
)
_statement(
    "def5.9",
    "ReLU networks without biases, the data matrix and d_max",
    "definition",
    "L12262-12298",
    r"f_W(x) = W_L\rho(W_{L-1}\rho(\cdots\rho(W_1x))),\ X = [x_1,\dots,x_n],\ d_{\max} = \max\{d, d_1, "
    r"\dots, d_L\}",
)
_statement(
    "def5.10",
    "Adversarial class of neural networks (5.6)",
    "definition",
    "L12336-12365",
    r"\tilde{\mathcal F} = \{(x,y)\mapsto\min_{x'\in B^\infty_x(\varepsilon)} y f_W(x') : "
    r"\prod_h\|W_h\|_\sigma \le r\}",
)
_statement(
    "eq5.7",
    "The matrix Q(v, W) of the SDP surrogate (as printed)",
    "definition",
    "L12436-12445",
    r"Q(v,W) = \begin{pmatrix}0&0&\mathbf 1^\top W^\top\mathrm{diag}(v)\\0&0&W^\top\mathrm{diag}(v)\\"
    r"\mathrm{diag}(v)^\top W\mathbf 1&\mathrm{diag}(v)^\top W&0\end{pmatrix}\ "
    r"\text{(printed; corrected: } Q^{\rm fix} = \begin{pmatrix}0&v^\top W&0\\W^\top v&0&W^\top\mathrm{diag}(v)"
    r"\\0&\mathrm{diag}(v)W&0\end{pmatrix})",
    impl="boundlab.bounds._chapter5.q_matrix; boundlab.certify",
    notes_=(
        "The printed matrix attaches the homogenising row to the hidden block; it makes Theorem 5.7 "
        "false (err5.3). boundlab certifies with Q^fix.",
    ),
)
_statement(
    "def5.11",
    "SDP value Phi and the data-independent constant C(W)",
    "definition",
    "L12413-12452",
    r"\Phi(A) = \max\{\langle A, P\rangle : P\succeq 0,\ \mathrm{diag}(P)\le 1\},\ "
    r"C(W) = \max_{k\in[K], z=\pm1}\Phi(zQ(w_{2,k}, W_1))",
    impl="boundlab.certify",
    notes_=("Phi(Q) = Phi(-Q) for both matrices (bipartite sparsity), so z = -1 is redundant.",),
)
_statement(
    "def5.12",
    "Surrogate adversarial loss",
    "definition",
    "L12454-12471",
    r"\hat\ell(f_W(x), y) = \phi_\gamma\big(M(f_W(x), y) - \tfrac{\varepsilon}{2}C(W)\big)",
)
_statement(
    "eq5.8",
    "Experiments: l1-regularised adversarial training of linear classifiers",
    "definition",
    "L12617-12621",
    r"\min_W\frac1n\sum_i\max_{x_i'\in B^\infty_{x_i}(\varepsilon)}\ell(f_W(x_i'), y_i) + \lambda\|W\|_1",
    impl="boundlab reproduce fig5.2 / fig5.3",
    notes_=(
        "Cross-entropy loss; the multi-class inner max is not closed-form: boundlab trains on the "
        "convex robust upper bound with per-pair worst-case logits (docs/resolutions-ch5.md).",
    ),
)
_statement(
    "eq5.10",
    "Closed form of R_S(F~) (as printed; false)",
    "definition",
    "L12890-12912",
    r"\mathfrak R_S(\tilde{\mathcal F}) = \frac Wn\mathbb E_\sigma\|u - v\,\mathrm{sgn}(u)\|_q\ "
    r"\text{(printed)};\ \text{correct: } \frac Wn\mathbb E_\sigma\|(|u| - v\mathbf 1)_+\|_q,\ "
    r"u = \sum_i\sigma_iy_ix_i,\ v = \varepsilon\sum_i\sigma_i",
    impl=f"{_RAD}.rademacher_adv_linear (form='corrected' | 'printed')",
    notes_=("The proof drops the sign constraint sgn(w_j) = sgn(u_j) (L12833); see err5.1.",),
)
_statement(
    "eq5.13",
    "Worst-case margin of a multi-class linear classifier",
    "definition",
    "L13280-13303",
    r"\min_{x'\in B^\infty_x(\varepsilon)} M(f_W(x'), y) = \min_{y'\ne y}\big[(w_y - w_{y'})^\top x - "
    r"\varepsilon\|w_y - w_{y'}\|_1\big]",
    impl=f"{_RAD}.adversarial_margins",
    notes_=("Exact; the minimiser is x - eps sgn(w_y - w_y*) for the minimising y*.",),
)
_statement(
    "rem5.1",
    "Koltchinskii's anti-symmetrisation (informal)",
    "remark",
    "L11781-11786",
    r"\mathfrak R_S(\ell_{\mathcal F}) \lesssim \sup_f (R(f) - R_n(f)) \lesssim \mathfrak R_S(\ell_{\mathcal F})",
    notes_=("No constants are given: not encodable.",),
)
_statement(
    "rem5.2",
    "Dimension dependence of the adversarial Rademacher complexity",
    "remark",
    "L11937-11987",
    r"\tfrac c2\big(\mathfrak R_S(\mathcal F) + \varepsilon W d^{1/q}/\sqrt n\big) \le "
    r"\mathfrak R_S(\tilde{\mathcal F}) \le \mathfrak R_S(\mathcal F) + \varepsilon Wd^{1/q}/\sqrt n;\ "
    r"p = 1 \Rightarrow d^{1/q} = 1",
    notes_=(
        "With the valid c = 1/(2 sqrt 2), c/2 = 1/(4 sqrt 2) ~ 0.17678 (quantity two_sided_lower of thm5.2).",
        "L11972 prints 'at least as large as O(...)': read Omega (err5.8).",
    ),
)


# ---------------------------------------------------------------------------------------------
# Ramp loss, Theorem 5.1 and its corollaries
# ---------------------------------------------------------------------------------------------

MARGIN = Param("margin", "the argument t of the ramp loss (a margin M(f(x), y); may be negative)", typical=(-1.0, 2.0))


def ramp(t: sp.Expr, g: sp.Expr = gamma) -> sp.Expr:
    """(5.4): phi_gamma(t) = min(1, max(0, 1 - t/gamma)).

    The clipping constants are Floats so that mpmath evaluation returns mpf numbers at the clips.
    """
    return sp.Min(sp.Float(1), sp.Max(sp.Float(0), 1 - t / g))


@register
class RampLoss(AbstractBound):
    """The ramp loss (5.4)."""

    id = "eq5.4"
    example = {"margin": 0.5, "gamma": 1.0}
    title = "Ramp loss"
    kind = "exact"
    source = "L12002-12016"
    statement = r"\phi_\gamma(t) = 1\ (t\le0),\ 1 - t/\gamma\ (0<t<\gamma),\ 0\ (t \ge \gamma)"
    params = (MARGIN, P.gamma)
    quantities = {"value": ramp(margin)}
    value_text = r"\phi_\gamma(t)"
    monotone = {"value": {"margin": -1, "gamma": +1}}
    notes = ("Non-increasing, 1/gamma-Lipschitz, values in [0, 1].",)


GEN_PARAMS = (P.Rn, P.RS, P.B, P.n, P.delta)


@register
class Thm51(AbstractBound):
    """Uniform generalization bound through the Rademacher complexity of the loss class."""

    id = "thm5.1"
    example = {"Rn": 0.1, "RS": 0.05, "B": 1.0, "n": 1000, "delta": 0.05}
    title = "Rademacher generalization bound"
    kind = "wp"
    source = "L11768-11779"
    statement = (
        r"R(f) \le R_n(f) + 2B\,\mathfrak R_S(\ell_{\mathcal F}) + 3B\sqrt{\frac{\log(2/\delta)}{2n}}"
        r"\ \text{(printed; valid for } B \ge 1\text{)};\ \text{corrected: } "
        r"R_n(f) + 2\mathfrak R_S(\ell_{\mathcal F}) + 3B\sqrt{\log(2/\delta)/(2n)}"
    )
    params = GEN_PARAMS
    quantities = {"conf": B * CONF, "prob": 1 - delta, "value": Rn + 2 * RS + conf_}
    variants = {"printed": Rn + 2 * B * RS + conf_}
    value_text = "R(f)"
    hypotheses = (IID, RS_IS_DATA)
    probability = "prob"
    trivial = B
    monotone = {"value": {"Rn": +1, "RS": +1, "B": +1, "n": -1, "delta": -1}}
    notes = (
        "The value is the standard form (Mohri et al., Thm 3.3, applied to l/B); the printed 2B R_S is "
        "not homogeneous in the loss scale and is false for B < 1 (err5.5).",
    )


@register
class Cor51(AbstractBound):
    """Theorem 5.1 applied to the adversarial loss."""

    id = "cor5.1"
    example = {"Rn": 0.2, "RS": 0.08, "B": 1.0, "n": 1000, "delta": 0.05}
    title = "Adversarial Rademacher generalization bound"
    kind = "wp"
    source = "L11825-11836"
    statement = (
        r"\tilde R(f) \le \tilde R_n(f) + 2B\,\mathfrak R_S(\tilde\ell_{\mathcal F}) + "
        r"3B\sqrt{\frac{\log(2/\delta)}{2n}}\ \text{(printed; corrected: } 2\mathfrak R_S)"
    )
    params = (
        P.Rn.with_(description="adversarial empirical risk R~_n(f)"),
        P.RS.with_(description="R_S of the adversarial loss class"),
        P.B,
        P.n,
        P.delta,
    )
    quantities = {"conf": B * CONF, "prob": 1 - delta, "value": Rn + 2 * RS + conf_}
    variants = {"printed": Rn + 2 * B * RS + conf_}
    value_text = r"\tilde R(f)"
    hypotheses = (IID, RS_IS_DATA)
    probability = "prob"
    trivial = B
    monotone = {"value": {"Rn": +1, "RS": +1, "B": +1, "n": -1, "delta": -1}}
    notes = ("Inherits Theorem 5.1's B < 1 caveat (err5.5).",)


_MARGIN_ERR = P.margin_err
_CLASS_RS = P.RS.with_(description="R_S of the ramp-loss class (bound it by 1/gamma times Theorem 5.3/5.5)")


@register
class Cor52(AbstractBound):
    """Multi-class margin bound (Theorem 5.1 with B = 1 and (5.5))."""

    id = "cor5.2"
    example = {"margin_err": 0.05, "RS": 0.05, "n": 10000, "delta": 0.05}
    title = "Multi-class margin bound"
    kind = "wp"
    source = "L12027-12045"
    statement = (
        r"\Pr\{y\ne\arg\max[f(x)]\} \le \frac1n\sum_i\mathbb 1([f(x_i)]_{y_i}\le\gamma+\max_{y'\ne y_i}"
        r"[f(x_i)]_{y'}) + 2\mathfrak R_S(\ell_{\mathcal F}) + 3\sqrt{\frac{\log(2/\delta)}{2n}}"
    )
    params = (_MARGIN_ERR, _CLASS_RS, P.n, P.delta)
    quantities = {"conf": CONF, "prob": 1 - delta, "value": margin_err + 2 * RS + conf_}
    value_text = r"\Pr\{y \ne \arg\max_{y'}[f(x)]_{y'}\}"
    hypotheses = (IID, RS_IS_DATA, FIXED_GAMMA)
    probability = "prob"
    trivial = sp.Integer(1)
    monotone = {"value": {"margin_err": +1, "RS": +1, "n": -1, "delta": -1}}
    notes = ("The seed prints max_{y' != y} inside the sum: read y' != y_i (err5.9).",)


@register
class Cor53(AbstractBound):
    """Adversarial multi-class margin bound."""

    id = "cor5.3"
    example = {"margin_err": 0.1, "RS": 0.08, "n": 10000, "delta": 0.05}
    title = "Adversarial multi-class margin bound"
    kind = "wp"
    source = "L12077-12108"
    statement = (
        r"\Pr\{\exists x'\in B^\infty_x(\varepsilon): y\ne\arg\max[f(x')]\} \le \frac1n\sum_i\mathbb 1"
        r"(\exists x_i': [f(x_i')]_{y_i}\le\gamma+\max_{y'\ne y_i}[f(x_i')]_{y'}) + "
        r"2\mathfrak R_S(\tilde\ell_{\mathcal F}) + 3\sqrt{\frac{\log(2/\delta)}{2n}}"
    )
    params = (
        _MARGIN_ERR.with_(description="adversarial empirical margin error"),
        P.RS.with_(description="R_S of the adversarial ramp-loss class"),
        P.n,
        P.delta,
    )
    quantities = {"conf": CONF, "prob": 1 - delta, "value": margin_err + 2 * RS + conf_}
    value_text = r"\Pr\{\exists x': y \ne \arg\max_{y'}[f(x')]_{y'}\}"
    hypotheses = (IID, RS_IS_DATA, FIXED_GAMMA)
    probability = "prob"
    trivial = sp.Integer(1)
    monotone = {"value": {"margin_err": +1, "RS": +1, "n": -1, "delta": -1}}


# ---------------------------------------------------------------------------------------------
# Linear classes: (5.9), Theorems 5.2-5.4
# ---------------------------------------------------------------------------------------------

E_SUM = Param(
    "E_sum_norm",
    "E_sigma ||sum_i sigma_i x_i||_q (boundlab.montecarlo._rademacher.expected_sum_norm)",
    lower=0,
    typical=(1.0, 1000.0),
)
D_Q = d ** (1 - 1 / p)


@register
class Eq59(AbstractBound):
    """Rademacher complexity of the l_p-constrained linear class (5.9)."""

    id = "eq5.9"
    example = {"W": 1.0, "n": 1000, "E_sum_norm": 31.6}
    title = "Rademacher complexity of the linear class"
    kind = "exact"
    source = "L12712-12726"
    statement = r"\mathfrak R_S(\mathcal F) = \frac Wn\mathbb E_\sigma\Big\|\sum_i\sigma_ix_i\Big\|_q"
    params = (P.W, P.n, E_SUM)
    quantities = {"value": W * E_sum_norm / n}
    value_text = r"\mathfrak R_S(\mathcal F)"
    monotone = {"value": {"W": +1, "E_sum_norm": +1, "n": -1}}
    implemented_by = f"{_RAD}.rademacher_linear"


RS_NAT = P.RS.with_(description="R_S(F) of the natural class on the same sample ((5.9): W/n E||sum sigma_i x_i||_q)")


@register
class Thm52(AbstractBound):
    r"""Main Result 1: the adversarial Rademacher complexity of linear classifiers, both sides."""

    id = "thm5.2"
    example = {"n": 1000, "d": 784, "W": 1.0, "eps": 0.1, "p": 2.0, "RS": 0.03}
    title = "Adversarial Rademacher complexity of linear classifiers (sandwich)"
    kind = "exact"
    source = "L11903-11935, proof L12690-13194"
    statement = (
        r"\max\Big\{\mathfrak R_S(\mathcal F), c\varepsilon W\frac{d^{1/q}}{\sqrt n}\Big\} \le "
        r"\mathfrak R_S(\tilde{\mathcal F}) \le \mathfrak R_S(\mathcal F) + \varepsilon W\frac{d^{1/q}}"
        r"{\sqrt n},\ c = \frac{1}{2\sqrt2}\ (\text{optimal})"
    )
    params = (P.n, P.d, P.W, P.eps, P.p, RS_NAT)
    quantities = {
        "d_q": D_Q,
        "m_n": RademacherAbsMean(n),
        "D_n": eps * W * d_q_ * m_n_ / (2 * n),
        "lower": sp.Max(RS, C_VALID * eps * W * d_q_ / sp.sqrt(n)),
        "lower_proof_constant": sp.Max(RS, C_PROOF * eps * W * d_q_ / sp.sqrt(n)),
        "refined_lower": sp.Max(RS, D_n_),
        "refined_upper": RS + D_n_,
        "two_sided_lower": C_VALID / 2 * (RS + eps * W * d_q_ / sp.sqrt(n)),
        "value": RS + eps * W * d_q_ / sp.sqrt(n),
    }
    value_text = r"\mathfrak R_S(\tilde{\mathcal F}) \le"
    hypotheses = (named("eq5.9", "RS is R_S(F) of the natural linear class on the same sample", "L12712-12726"),)
    monotone = {
        "value": {"eps": +1, "d": +1, "W": +1, "RS": +1, "n": -1},
        "lower": {"eps": +1, "d": +1},
        "refined_upper": {"eps": +1, "d": +1},
    }
    notes = (
        "value is the upper bound (as printed, true); 'lower' uses the valid constant c = 1/(2 sqrt 2), "
        "optimal (equality at X = 0, n = 2); 'lower_proof_constant' is what the printed proof gives (c = 1/sqrt 2, "
        "false: err5.2).",
        "refined_lower / refined_upper: max{R_S(F), D_n} <= R_S(F~) <= R_S(F) + D_n with D_n = eps W d^(1/q) "
        "E|S_n| / (2n), exact at X = 0.",
        "For p = 1 (q = inf) d^(1/q) = 1: no dimension dependence. For p = inf pass a large p.",
    )


K_ALL = Param("K", "number of classes", lower=2, integer=True, typical=(2, 100))


@register
class Thm53(AbstractBound):
    """Margin bound for multi-class linear classifiers (natural setting)."""

    id = "thm5.3"
    example = {"n": 100000, "K": 10, "W": 1.0, "gamma": 2.0, "delta": 0.05, "margin_err": 0.05, "E_sum_norm": 316.0}
    title = "Multi-class linear classifiers: margin bound"
    kind = "wp"
    source = "L12120-12176, proof L13196-13262"
    statement = (
        r"\Pr\{y\ne\arg\max_{y'}\langle w_{y'},x\rangle\} \le \frac1n\sum_i\mathbb 1(\langle w_{y_i},x_i\rangle"
        r"\le\gamma+\max_{y'\ne y_i}\langle w_{y'},x_i\rangle) + \frac{4KW}{\gamma n}\mathbb E_\sigma"
        r"\Big\|\sum_i\sigma_ix_i\Big\|_q + 3\sqrt{\frac{\log(2/\delta)}{2n}}"
    )
    params = (P.n, K_ALL, P.W, P.gamma, P.delta, _MARGIN_ERR, E_SUM)
    quantities = {
        "conf": CONF,
        "prob": 1 - delta,
        "complexity": 4 * K * W * E_sum_norm / (gamma * n),
        "value": margin_err + sym("complexity") + conf_,
    }
    value_text = r"\Pr\{y \ne \arg\max_{y'}\langle w_{y'}, x\rangle\}"
    hypotheses = (IID, FIXED_GAMMA)
    probability = "prob"
    trivial = sp.Integer(1)
    monotone = {"value": {"margin_err": +1, "E_sum_norm": +1, "K": +1, "W": +1, "delta": -1}}
    implemented_by = f"{_RAD}.thm5_3_bound"
    notes = ("The proof (L13244-13250) omits the factor W in R_S(Pi_1(F)); the statement is right (err5.10).",)


E_CLASS = Param(
    "E_class_norms",
    "sum_y E_sigma ||sum_i sigma_i x_i 1(y_i = y)||_q (boundlab.montecarlo._rademacher.rademacher_multiclass)",
    lower=0,
    typical=(1.0, 1000.0),
)
THM54_BRACKET = eps * sp.sqrt(K) * D_Q / sp.sqrt(n) + E_class_norms / n


@register
class Thm54(AbstractBound):
    """Main Result 2: adversarial margin bound for multi-class linear classifiers."""

    id = "thm5.4"
    example = {
        "n": 100000,
        "K": 10,
        "d": 64,
        "W": 1.0,
        "gamma": 2.0,
        "delta": 0.05,
        "eps": 0.1,
        "p": 2.0,
        "margin_err": 0.1,
        "E_class_norms": 1000.0,
    }
    title = "Multi-class linear classifiers: adversarial margin bound"
    kind = "wp"
    source = "L12178-12253, proof L13264-13577"
    statement = (
        r"\Pr\{\exists x': y\ne\arg\max_{y'}\langle w_{y'},x'\rangle\} \le \frac1n\sum_i\mathbb 1\Big("
        r"\langle w_{y_i},x_i\rangle\le\gamma+\max_{y'\ne y_i}(\langle w_{y'},x_i\rangle+\varepsilon\|w_{y'}-"
        r"w_{y_i}\|_1)\Big) + \frac{2WK}{\gamma}\Big[\frac{\varepsilon\sqrt K d^{1/q}}{\sqrt n} + \frac1n"
        r"\sum_y\mathbb E_\sigma\|u_y\|_q\Big] + 3\sqrt{\frac{\log(2/\delta)}{2n}}\ (\text{printed; the proof "
        r"supports } 4WK/\gamma)"
    )
    params = (
        P.n,
        K_ALL,
        P.d,
        P.W,
        P.gamma,
        P.delta,
        P.eps,
        P.p,
        _MARGIN_ERR.with_(description="adversarial empirical margin error (exact via (5.13))"),
        E_CLASS,
    )
    quantities = {
        "conf": CONF,
        "prob": 1 - delta,
        "d_q": D_Q,
        "complexity_printed": 2 * W * K / gamma * THM54_BRACKET,
        "complexity": 4 * W * K / gamma * THM54_BRACKET,
        "value": margin_err + sym("complexity") + conf_,
    }
    variants = {"printed": margin_err + sym("complexity_printed") + conf_}
    value_text = r"\Pr\{\exists x': y \ne \arg\max_{y'}\langle w_{y'}, x'\rangle\}"
    hypotheses = (IID, FIXED_GAMMA)
    probability = "prob"
    trivial = sp.Integer(1)
    monotone = {"value": {"eps": +1, "d": +1, "margin_err": +1, "E_class_norms": +1, "delta": -1}}
    implemented_by = f"{_RAD}.thm5_4_bound"
    notes = (
        "The value uses 4WK/gamma, what the proof supports (it bounds R_S itself by the printed term and "
        "Corollary 5.3 doubles it: err5.6); the printed 2WK/gamma is the 'printed' variant.",
        "The garbled eps sqrt(Kd) 1/q (L12216-12225) reads eps sqrt(K) d^(1/q) / sqrt(n).",
    )


# ---------------------------------------------------------------------------------------------
# Neural networks: Theorems 5.5, 5.6, Lemma 5.2, Theorem 5.7, Lemma 5.1, Theorem 5.8
# ---------------------------------------------------------------------------------------------

BFT_SHAPE = s1 * s2 * ((b1 / s1) ** sp.Rational(2, 3) + (b2 / s2) ** sp.Rational(2, 3)) ** sp.Rational(3, 2)
NORM_XF = P.normXF
N2 = P.n.with_(lower=2, description="number of samples (>= 2: log n > 0)")


@register
class Thm55(AbstractBound):
    """Bartlett-Foster-Telgarsky bound on the Rademacher complexity of ReLU networks (L = 2 form)."""

    id = "thm5.5"
    example = {"n": 1000, "d_max": 64, "normXF": 31.6, "s1": 1.0, "s2": 1.0, "b1": 2.0, "b2": 2.0}
    title = "Rademacher complexity of spectrally-normalised ReLU networks [BFT]"
    kind = "exact"
    source = "L12300-12330"
    statement = (
        r"\mathfrak R_S(\mathcal F) \le \frac{4}{n^{3/2}} + \frac{26\log(n)\log(2d_{\max})}{n}\|X\|_F"
        r"\Big(\prod_h s_h\Big)\Big(\sum_j (b_j/s_j)^{2/3}\Big)^{3/2}"
    )
    params = (
        N2,
        P.d_max,
        NORM_XF,
        P.s1,
        P.s2,
        P.b1.with_(description="||W_1^T||_{2,1} bound (sum of the row l_2 norms of W_1)"),
        P.b2,
    )
    quantities = {"value": 4 / n ** sp.Rational(3, 2) + 26 * sp.log(n) * sp.log(2 * d_max) / n * normXF * BFT_SHAPE}
    value_text = r"\mathfrak R_S(\mathcal F) \le"
    monotone = {"value": {"normXF": +1, "b1": +1, "b2": +1, "d_max": +1}}
    implemented_by = f"{_RAD}.thm5_5_bound (any depth L)"
    notes = (
        "The registry form has L = 2 (s1, s2, b1, b2); boundlab.montecarlo._rademacher.thm5_5_bound takes any list of "
        "weight matrices.",
        "26 is cited from [16]; the catalog reconstructs it as 18 sqrt(2) ~ 25.46 from Dudley's integral "
        "(needs d_max >= 2).",
        "Plugging in a trained network's own norms is not covered (fixed budgets): illustrative only.",
    )


@register
class Thm56(AbstractBound):
    """Main Result 3: lower bound on the adversarial Rademacher complexity of ReLU networks."""

    id = "thm5.6"
    example = {"r": 1.0, "normXF": 31.6, "n": 1000, "d": 784, "eps": 0.1}
    title = "Adversarial Rademacher complexity of ReLU networks: lower bound"
    kind = "exact"
    source = "L12367-12391, proof L13579-13629"
    statement = (
        r"\mathfrak R_S(\tilde{\mathcal F}) \ge c\,r\Big(\frac1n\|X\|_F + \varepsilon\sqrt{\frac dn}\Big),\ "
        r"c = 1/8"
    )
    params = (P.r, NORM_XF, P.n, P.d, P.eps)
    quantities = {"value": r / 8 * (normXF / n + eps * sp.sqrt(d / n))}
    value_text = r"\mathfrak R_S(\tilde{\mathcal F}) \ge"
    hypotheses = (WIDTH,)
    monotone = {"value": {"r": +1, "normXF": +1, "eps": +1, "d": +1}}
    notes = (
        "The text gives a universal c > 0; c = 1/8 is explicit (Lemma 5.2's embedding, Theorem 5.2 with the "
        "valid constant, Latala-Oleszkiewicz). Observed minimum ratio 1/(4 sqrt 2).",
        "Garbled 'eps sqrt(d) n' (L12376-12383) reads eps sqrt(d/n).",
    )


@register
class Lem52(AbstractBound):
    """Linear functions embed in spectrally-bounded ReLU networks: a lower bound on R_S."""

    id = "lem5.2"
    example = {"r": 1.0, "normXF": 31.6, "n": 1000}
    title = "Lower bound on the Rademacher complexity of ReLU networks"
    kind = "exact"
    source = "L13582-13598"
    statement = r"\mathfrak R_S(\hat{\mathcal F}) \ge \frac{c\,r}{n}\|X\|_F,\ c = \frac{1}{2\sqrt2}"
    params = (P.r, NORM_XF, P.n)
    quantities = {"value": C_VALID * r * normXF / n}
    value_text = r"\mathfrak R_S(\hat{\mathcal F}) \ge"
    hypotheses = (WIDTH,)
    monotone = {"value": {"r": +1, "normXF": +1, "n": -1}}
    notes = ("E||sum sigma_i x_i||_2 >= ||X||_F / sqrt 2 (Latala-Oleszkiewicz) gives c = 1/(2 sqrt 2).",)


PHI = Param(
    "Phi",
    "SDP value Phi(Q^fix(w_{2,y'} - w_{2,y}, W_1)) (boundlab.certify gives a certified upper bound)",
    lower=0,
    typical=(0.1, 100.0),
)


@register
class Thm57(AbstractBound):
    """SDP certificate on the worst-case increase of a logit difference of a one-hidden-layer network."""

    id = "thm5.7"
    example = {"eps": 0.1, "Phi": 8.0}
    title = "SDP bound on the adversarial change of f_y' - f_y [RSL]"
    kind = "exact"
    source = "L12420-12445"
    statement = (
        r"\max_{x'\in B^\infty_x(\varepsilon)}([f(x')]_{y'} - [f(x')]_y) \le [f(x)]_{y'} - [f(x)]_y + "
        r"\frac\varepsilon4\max_{P\succeq0,\mathrm{diag}(P)\le1}\langle Q(w_{2,y'}-w_{2,y}, W_1), P\rangle"
    )
    params = (P.eps, PHI)
    quantities = {"value": eps * Phi / 4}
    value_text = r"\max_{x'}\Delta_{y'y}(x') - \Delta_{y'y}(x) \le"
    hypotheses = (QFIX,)
    monotone = {"value": {"eps": +1, "Phi": +1}}
    notes = (
        "False with the printed Q of (5.7) (err5.3: d = 2, d1 = 1, W1 = [1, -1], v = 1, x = 0: the true "
        "increase is 2 eps, the printed bound eps); true and tight there with Q^fix (Phi = 8).",
    )


C_PARAM = Param("C", "C(W) = max_k Phi(Q^fix(w_{2,k}, W_1))", lower=0, typical=(0.1, 100.0))


@register
class Lem51(AbstractBound):
    """The SDP surrogate loss upper-bounds the adversarial 0-1 loss."""

    id = "lem5.1"
    example = {"margin": 2.0, "eps": 0.01, "C": 38.0, "gamma": 2.0}
    title = "SDP surrogate of the adversarial 0-1 loss"
    kind = "exact"
    source = "L12454-12496, proof L13631-13752"
    statement = (
        r"\max_{x'}\mathbb 1(y\ne\arg\max_{y'}[f_W(x')]_{y'}) \le \phi_\gamma\big(M(f_W(x),y) - "
        r"\tfrac\varepsilon2C(W)\big) \le \mathbb 1\big(M(f_W(x),y) - \tfrac\varepsilon2C(W)\le\gamma\big)"
    )
    params = (MARGIN.with_(description="margin M(f_W(x), y) at the clean point"), P.eps, C_PARAM, P.gamma)
    quantities = {"value": ramp(margin - eps * C_ / 2)}
    value_text = r"\hat\ell(f_W(x), y)"
    hypotheses = (QFIX,)
    monotone = {"value": {"margin": -1, "eps": +1, "C": +1}}
    notes = ("Can fail with the printed Q (err5.4); true with Q^fix.",)


B1_ENTRY = P.b1.with_(description="entrywise ||W_1||_1 bound")
THM58_BFT = 4 / n ** sp.Rational(3, 2) + 60 * sp.log(n) * sp.log(2 * d_max) / n * normXF * BFT_SHAPE


@register
class Thm58(AbstractBound):
    """Adversarial margin bound for one-hidden-layer ReLU networks through the SDP surrogate."""

    id = "thm5.8"
    example = {
        "n": 1e10,
        "d_max": 64,
        "normXF": 1e5,
        "s1": 1.0,
        "s2": 1.0,
        "b1": 1.0,
        "b2": 1.0,
        "gamma": 1.0,
        "delta": 0.05,
        "eps": 0.01,
        "margin_err": 0.05,
    }
    title = "Adversarial generalization of one-hidden-layer networks via the SDP surrogate"
    kind = "wp"
    source = "L12498-12593, proof L13754-13954"
    statement = (
        r"\Pr\{\exists x': y\ne\arg\max[f_W(x')]\} \le \frac1n\sum_i\mathbb 1\big([f_W(x_i)]_{y_i}\le\gamma+"
        r"\max_{y'\ne y_i}[f_W(x_i)]_{y'}+\tfrac\varepsilon2C(W)\big) + \frac1\gamma\Big(\frac{4}{n^{3/2}} + "
        r"\frac{60\log n\log(2d_{\max})}{n}s_1s_2\big((\tfrac{b_1}{s_1})^{2/3}+(\tfrac{b_2}{s_2})^{2/3}\big)"
        r"^{3/2}\|X\|_F + \frac{2\varepsilon b_1b_2}{\sqrt n}\Big) + 3\sqrt{\frac{\log(2/\delta)}{2n}}"
    )
    params = (
        N2,
        P.d_max,
        NORM_XF,
        P.s1,
        P.s2,
        B1_ENTRY,
        P.b2,
        P.gamma,
        P.delta,
        P.eps,
        _MARGIN_ERR.with_(
            description="empirical surrogate margin error (1/n) sum_i 1(M(f(x_i), y_i) - eps C(W)/2 <= gamma)"
        ),
    )
    quantities = {
        "conf": CONF,
        "prob": 1 - delta,
        "bft": THM58_BFT,
        "sdp_term": 2 * eps * b1 * b2 / sp.sqrt(n),
        "complexity_printed": (bft_ + sdp_term_) / gamma,
        "complexity": (2 * bft_ + sdp_term_) / gamma,
        "value": margin_err + sym("complexity") + conf_,
    }
    variants = {
        "printed": margin_err + sym("complexity_printed") + conf_,
        "proof_as_written": margin_err + 2 * (bft_ + sdp_term_) / gamma + conf_,
    }
    value_text = r"\Pr\{\exists x': y \ne \arg\max_{y'}[f_W(x')]_{y'}\}"
    hypotheses = (IID, FIXED_GAMMA, QFIX)
    probability = "prob"
    trivial = sp.Integer(1)
    monotone = {"value": {"eps": +1, "normXF": +1, "margin_err": +1, "delta": -1, "gamma": -1}}
    implemented_by = f"{_RAD}.thm5_8_bound"
    notes = (
        "value: Theorem 5.1 (B = 1) doubles R_S, so the BFT terms carry 2/gamma (err5.7); the eps-term is "
        "supported as printed because E sup_W C(W)(-S_n) <= sup C E(S_n)_- = sup C m_n/2 (catalog audit). "
        "'proof_as_written' doubles the whole bracket (the catalog's conservative form).",
        "Non-vacuous only at huge n: at the example (n = 1e10, ||X||_F = sqrt n) the BFT term is 0.19/gamma.",
        "60 is cited from [16] (a margin class; >= 2 x 26, >= 36 sqrt 2): not derivable from the text.",
    )


# ---------------------------------------------------------------------------------------------
# Numerical helpers for the errata (numpy only; no dependency on boundlab.certify)
# ---------------------------------------------------------------------------------------------


def q_matrix(v: np.ndarray, Wm: np.ndarray, *, form: str = "fix") -> np.ndarray:
    """The (1 + d + d1)-square matrix Q(v, W) of (5.7): ``form="printed"`` as printed, ``"fix"`` corrected.

    Parameters
    ----------
    v : ndarray, shape (d1,)
    Wm : ndarray, shape (d1, d)

    Examples
    --------
    >>> q_matrix(np.array([1.0]), np.array([[1.0, -1.0]]), form="printed")[:, 3].tolist()
    [0.0, 1.0, -1.0, 0.0]
    >>> q_matrix(np.array([1.0]), np.array([[1.0, -1.0]]))[0].tolist()
    [0.0, 1.0, -1.0, 0.0]
    """
    v = np.asarray(v, dtype=float)
    Wm = np.asarray(Wm, dtype=float)
    d1, d = Wm.shape
    N = 1 + d + d1
    Q = np.zeros((N, N))
    A = Wm.T * v  # W^T diag(v), shape (d, d1)
    Q[1 : 1 + d, 1 + d :] = A
    if form == "printed":
        Q[0, 1 + d :] = v * (Wm @ np.ones(d))  # (diag(v) W 1)^T
    elif form == "fix":
        Q[0, 1 : 1 + d] = v @ Wm  # v^T W
    else:
        raise ValueError(f"form ({form}) must be 'printed' or 'fix'.")
    return np.triu(Q) + np.triu(Q, 1).T


def sdp_value_bounds(Q: np.ndarray) -> tuple[float, float]:
    r"""Exact-for-small-N bracket of :math:`\Phi(Q) = \max\{\langle Q,P\rangle : P\succeq0, \mathrm{diag}(P)\le1\}`.

    Lower: the maximum of :math:`u^\top Qu` over :math:`u \in \{\pm1\}^N` (each :math:`uu^\top` is feasible;
    N <= 16). Upper: the dual certificate :math:`\mathbf 1^\top\mu + N\lambda_{\max}^+(Q - \mathrm{diag}\,\mu)` with
    :math:`\mu` the absolute row sums (Gershgorin; the eigenvalue term is computed, not assumed).

    Examples
    --------
    >>> lo, hi = sdp_value_bounds(q_matrix(np.array([1.0]), np.array([[1.0, -1.0]])))
    >>> round(lo, 12), round(hi, 12)
    (8.0, 8.0)
    """
    Q = np.asarray(Q, dtype=float)
    N = Q.shape[0]
    if N > 16:
        raise ValueError(f"N ({N}) must be <= 16 for enumeration.")
    U = np.array(list(itertools.product((-1.0, 1.0), repeat=N)))
    lower = float(np.max(np.einsum("ki,ij,kj->k", U, Q, U)))
    mu = np.abs(Q).sum(axis=1)
    lam = float(np.linalg.eigvalsh(Q - np.diag(mu))[-1])
    upper = float(mu.sum() + N * max(lam, 0.0))
    # Rounded outward: each end is a sum of at most N^2 + N terms bounded by sum|Q|, and the eigenvalue is
    # backward stable, so floating point moves each end by a small multiple of N^2 u sum|Q| (Higham, gamma_n).
    # Without it the two ends of a tight bracket (Phi attained at a sign vector) can cross by an ulp.
    slack = 4.0 * (N * N + N) * float(np.finfo(float).eps) * float(np.abs(Q).sum())
    return lower - slack, upper + slack


def _relu_net_max_increase(v: np.ndarray, Wm: np.ndarray, x: np.ndarray, eps: float) -> float:
    """max over the box of v' relu(Wm x') - v' relu(Wm x) by vertex enumeration (valid for v >= 0: convex)."""
    d = x.size
    verts = x + eps * np.array(list(itertools.product((-1.0, 1.0), repeat=d)))
    vals = np.maximum(verts @ Wm.T, 0) @ v
    return float(vals.max() - np.maximum(Wm @ x, 0) @ v)


# -- exact R_S(F~) by brute force (independent of any closed form) -----------------------------


def _adv_sup_brute(u: np.ndarray, v: np.ndarray, Wb: float, p: float) -> np.ndarray:
    r""":math:`\sup_{\|w\|_p\le W}\sum_j (w_ju_j - v|w_j|)` for p in {1, inf} by vertex enumeration.

    u : (m, d), v : (m,). p = inf: the objective is separable and each term is extremal at w_j in
    {-W, 0, W}; p = 1: it is linear on each orthant piece of the l1 ball, extremal at 0 or +-W e_j.
    """
    if p == math.inf:
        cand = np.stack([np.zeros_like(u), Wb * u - v[:, None] * Wb, -Wb * u - v[:, None] * Wb])
        return cand.max(axis=0).sum(axis=1)
    if p == 1:
        per = np.maximum(Wb * np.abs(u) - v[:, None] * Wb, 0.0)
        return per.max(axis=1)
    raise ValueError(p)


def _signs(n: int) -> np.ndarray:
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n)))


def exact_adv_rs(X: np.ndarray, y: np.ndarray, eps: float, Wb: float, p: float, how: str) -> float:
    """Exact R_S(F~) by enumerating sigma: 'brute' (vertex sup), 'corrected' or 'printed' (5.10) closed form."""
    n = X.shape[0]
    S = _signs(n)
    u = S @ (y[:, None] * X)
    v = eps * S.sum(axis=1)
    q = 1.0 if p == math.inf else (math.inf if p == 1 else p / (p - 1))
    if how == "brute":
        vals = _adv_sup_brute(u, v, Wb, p)
    elif how == "corrected":
        vals = Wb * np.linalg.norm(np.maximum(np.abs(u) - v[:, None], 0), ord=q, axis=1)
    else:
        vals = Wb * np.linalg.norm(u - v[:, None] * np.sign(u), ord=q, axis=1)
    return float(vals.mean() / n)


def _check_closed_form() -> tuple[bool, str]:
    """(5.10) vs brute force on the catalog's 1-D counterexamples and a random instance."""
    cases = [("x = 0, eps = 0.3", np.zeros((1, 1)), 0.3), ("x = 1, eps = 2", np.ones((1, 1)), 2.0)]
    rng = np.random.default_rng(5)
    cases.append(("random n = 6, d = 3", rng.normal(size=(6, 3)) * 0.3, 1.0))
    lines, ok = [], True
    for label, X, e in cases:
        y = np.ones(X.shape[0])
        for p in (1, math.inf):
            brute = exact_adv_rs(X, y, e, 1.0, p, "brute")
            corr = exact_adv_rs(X, y, e, 1.0, p, "corrected")
            printed = exact_adv_rs(X, y, e, 1.0, p, "printed")
            ok &= math.isclose(brute, corr, rel_tol=1e-12, abs_tol=1e-14)
            wrong = not math.isclose(brute, printed, rel_tol=1e-6, abs_tol=1e-12)
            if label.startswith("x") and p == 1:
                ok &= wrong
            lines.append(
                f"{label}, p = {p}: brute force {brute:.6g}, corrected form {corr:.6g}, printed (5.10) {printed:.6g}"
            )
    return ok, "; ".join(lines) + " (W = 1, all 2^n sign vectors)."


def _check_thm52_constant(c_tested: float = float(C_PROOF)) -> tuple[bool, str]:
    """At X = 0, n = 2 the true R_S(F~) is eps W d^(1/q)/4: the proof's c = 1/sqrt 2 gives twice that."""
    lines, fails, valid = [], 0, True
    for p, d in ((1, 3), (math.inf, 3)):
        X = np.zeros((2, d))
        truth = exact_adv_rs(X, np.ones(2), 0.5, 1.0, p, "brute")
        dq = 1.0 if p == 1 else float(d)
        claim = c_tested * 0.5 * dq / math.sqrt(2)
        ok_valid = float(C_VALID) * 0.5 * dq / math.sqrt(2) <= truth * (1 + 1e-12)
        valid &= ok_valid
        fails += claim > truth * (1 + 1e-12)
        lines.append(
            f"p = {p}, d = {d}: R_S(F~) = {truth:.6g}, c eps W d^(1/q)/sqrt(n) = {claim:.6g} with c = "
            f"{c_tested:.6g}, {float(C_VALID) * 0.5 * dq / math.sqrt(2):.6g} with c = 1/(2 sqrt 2)"
        )
    return bool(fails == 2 and valid), "X = 0, n = 2, eps = 0.5, W = 1: " + "; ".join(lines) + "."


_CE_W1 = np.array([[1.0, -1.0]])


def _check_q_matrix(form: str = "printed") -> tuple[bool, str]:
    """Theorem 5.7 with the ``form`` matrix is unsound and with Q^fix sound (d = 2, d1 = 1, W1 = [1, -1], v = 1, x = 0)."""
    e = 0.1
    truth = _relu_net_max_increase(np.array([1.0]), _CE_W1, np.zeros(2), e)
    out = {f: sdp_value_bounds(q_matrix(np.array([1.0]), _CE_W1, form=f)) for f in {"printed", "fix", form}}
    claimed_hi = e / 4 * out[form][1]
    fix_lo = e / 4 * out["fix"][0]
    unsound = truth > claimed_hi * (1 + 1e-12)
    sound = truth <= fix_lo * (1 + 1e-12)  # even the lower end of Phi(Q^fix) covers it: tight
    ok = unsound and sound
    return ok, (
        f"eps = {e}: the true worst-case increase of relu(x1' - x2') at x = 0 is {truth:.6g} (box vertices); "
        f"Phi({form} Q) in [{out[form][0]:g}, {out[form][1]:g}] (+-1 enumeration, eigenvalue certificate) "
        f"gives at most eps/4 Phi = {claimed_hi:.6g}{' < truth: unsound' if unsound else ' >= truth'}; "
        f"Phi(Q^fix) in [{out['fix'][0]:g}, {out['fix'][1]:g}] gives {fix_lo:.6g} (sound and tight)."
    )


def _check_lemma51(C_scale: float = 1.0) -> tuple[bool, str]:
    """Lemma 5.1 with the printed Q certifies a point that an explicit x' misclassifies."""
    W1 = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
    W2 = np.array([[0.0, 1.0], [4.75, 0.0]])
    x, y, e, g = np.array([0.0, 0.0, 1.0]), 0, 0.1, 0.01

    def f(z: np.ndarray) -> np.ndarray:
        return W2 @ np.maximum(W1 @ z, 0)

    def C(form: str) -> tuple[float, float]:
        b = [sdp_value_bounds(s * q_matrix(W2[k], W1, form=form)) for k in range(2) for s in (1, -1)]
        return max(lo for lo, _ in b), max(hi for _, hi in b)

    Cp, Cf = C("printed"), C("fix")
    fx = f(x)
    M = fx[y] - fx[1 - y]
    loss_printed = min(1.0, max(0.0, 1 - (M - e / 2 * Cp[1] * C_scale) / g))  # upper end of C: most pessimistic
    loss_fix = min(1.0, max(0.0, 1 - (M - e / 2 * Cf[0]) / g))
    xa = np.array([0.1, -0.1, 0.9])
    fa = f(xa)
    attacked = bool(fa[y] <= fa[1 - y]) and bool(np.max(np.abs(xa - x)) <= e + 1e-15)
    ok = attacked and loss_printed == 0.0 and loss_fix == 1.0
    return ok, (
        f"f(x) = {fx.tolist()}, M = {M:g}; C(printed Q) in [{Cp[0]:g}, {Cp[1]:g}] gives surrogate loss "
        f"{loss_printed:g}, yet x' = {xa.tolist()} (||x' - x||_inf = 0.1) has f(x') = "
        f"{[round(t, 6) for t in fa.tolist()]}: misclassified. C(Q^fix) in [{Cf[0]:g}, {Cf[1]:g}] gives "
        f"surrogate loss {loss_fix:g} (sound)."
    )


def _check_thm51_small_B(B_: float = 0.5, samples: int = 200) -> tuple[bool, str]:
    """Catalog 8.4: uniform on N = 10^6 points, n = 1000, delta = 0.1, class {B 1_A}."""
    N_, n_, dlt = 10**6, 1000, 0.1
    rng = np.random.default_rng(0)
    violations_printed = violations_standard = 0
    for _ in range(samples):
        S = rng.integers(0, N_, size=n_)
        distinct = np.unique(S).size
        R = B_ * (1 - distinct / N_)  # f = B 1(x not in S): R_n = 0
        RS_ = B_ * distinct / (2 * n_)  # E sup_A sum sigma_i B 1(x_i in A) / n over distinct points
        conf = 3 * B_ * math.sqrt(math.log(2 / dlt) / (2 * n_))
        violations_printed += R > 2 * B_ * RS_ + conf
        violations_standard += R > 2 * RS_ + conf
    ok = violations_printed == samples and violations_standard == 0
    return ok, (
        f"B = {B_}, N = 1e6, n = 1000, delta = 0.1, {samples} samples: f = B 1(x not in S) has R_n = 0, "
        f"R ~ {B_ * (1 - n_ / N_):.4f}; the printed bound fails in {violations_printed}/{samples} samples "
        f"(RHS ~ {B_ * B_ + 3 * B_ * math.sqrt(math.log(20) / 2000):.3f}), the standard one in "
        f"{violations_standard}/{samples} (RHS ~ {B_ + 3 * B_ * math.sqrt(math.log(20) / 2000):.3f})."
    )


def _check_thm54_factor() -> tuple[bool, str]:
    from ._base import get_bound

    common: dict[str, Any] = {"n": 10000, "K": 10, "W": 1.0, "gamma": 1.0, "delta": 0.05}
    E = 100.0
    t53 = float(get_bound("thm5.3").evaluate("complexity", margin_err=0.0, E_sum_norm=E, **common))
    t54p = float(
        get_bound("thm5.4").evaluate(
            "complexity_printed", d=64, eps=0.0, p=2.0, margin_err=0.0, E_class_norms=E, **common
        )
    )
    t54 = float(
        get_bound("thm5.4").evaluate("complexity", d=64, eps=0.0, p=2.0, margin_err=0.0, E_class_norms=E, **common)
    )
    ok = math.isclose(t54p, t53 / 2) and math.isclose(t54, t53)
    return ok, (
        f"eps = 0, all samples in one class (sum_y E||u_y|| = E||sum sigma_i x_i|| = {E:g}), n = 1e4, K = 10: "
        f"Theorem 5.3's complexity term {t53:.6g}; Theorem 5.4 printed {t54p:.6g} (half of it), as the "
        f"proof supports {t54:.6g}. At eps = 0 Theorem 5.4 is a natural margin bound for the same class, and both "
        f"proofs go through the 2 R_S of Corollary 5.3: the printed constant drops that factor 2."
    )


def _check_thm58_factor() -> tuple[bool, str]:
    from ._base import get_bound

    ex: dict[str, Any] = dict(get_bound("thm5.8").example)
    q = get_bound("thm5.8").assess(**{**ex, "eps": 0.0}).quantities
    ok = math.isclose(q["complexity"], 2 * q["complexity_printed"])
    return ok, (
        f"at eps = 0 (example network budgets, n = 1e10): the proof bounds R_S(l^_F) <= bracket/gamma = "
        f"{q['complexity_printed']:.6g}; Theorem 5.1 with B = 1 adds 2 R_S = {q['complexity']:.6g}, "
        f"twice the printed term."
    )


register_erratum(
    Erratum(
        id="err5.1",
        item="eq5.10",
        title="The closed form (5.10) of R_S(F~) is false",
        kind="false",
        source="L12833-12912",
        printed="R_S(F~) = (W/n) E||u - v sgn(u)||_q",
        corrected="R_S(F~) = (W/n) E||(|u| - v 1)_+||_q = (W/n) E||(|u| + v 1)_+||_q",
        evidence=(
            "L12833 replaces sup_{||w||_p<=W} <w,u> - v||w||_1 by sup <w, u - v sgn(u)> over all w, dropping "
            "the constraint sgn(w_j) = sgn(u_j). (5.10) overestimates when v > |u_j| > 0 and gives 0 on dead "
            "coordinates (u_j = 0, v < 0). n = d = 1, x = 0: true eps W/2, (5.10) 0."
        ),
        check=_check_closed_form,
    )
)
register_erratum(
    Erratum(
        id="err5.2",
        item="thm5.2",
        title="Theorem 5.2: the proof's lower-bound constant is too large by 2",
        kind="false",
        source="L13115-13194",
        printed="R_S(F~) >= eps W d^(1/q) E|S_n| / n >= (1/sqrt 2) eps W d^(1/q) / sqrt n (the proof's step)",
        corrected="R_S(F~) >= max{R_S(F), eps W d^(1/q) E|S_n|/(2n)}, so c = 1/(2 sqrt 2) (optimal)",
        evidence=(
            "At X = 0, n = 2 the true value is eps W d^(1/q)/4, half of what the proof asserts. The printed "
            "theorem only claims some c in (0, 1) and stays true with c = 1/(2 sqrt 2)."
        ),
        printed_expr=sp.Max(RS, C_PROOF * eps * W * D_Q / sp.sqrt(n)),
        corrected_expr=sp.Max(RS, C_VALID * eps * W * D_Q / sp.sqrt(n)),
        example={"n": 2, "d": 3, "W": 1.0, "eps": 0.5, "p": 1e12, "RS": 0.0},
        check=_check_thm52_constant,
    )
)
register_erratum(
    Erratum(
        id="err5.3",
        item="eq5.7",
        title="The printed matrix Q of (5.7) makes Theorem 5.7 unsound",
        kind="false",
        source="L12420-12445",
        printed="homogenising row attached to the hidden block: Q[0, hidden] = (diag(v) W 1)^T",
        corrected="attached to the input block: Q^fix[0, input] = v^T W",
        evidence=(
            "d = 2, d1 = 1, W1 = [1, -1], v = 1, x = 0: max over the box of relu(x1' - x2') = 2 eps, but "
            "Phi(printed Q) = 4 gives eps/4 * 4 = eps. Phi(Q^fix) = 8 gives 2 eps (tight). With the printed Q, "
            "(1/4) max_zeta zeta'Q zeta = max_a ||diag(v) W a||_1: input and hidden roles swapped."
        ),
        check=_check_q_matrix,
    )
)
register_erratum(
    Erratum(
        id="err5.4",
        item="lem5.1",
        title="Lemma 5.1 with the printed Q certifies an attackable point",
        kind="false",
        source="L12454-12496, L13631-13752",
        printed="C(W) from the printed Q: hat-loss 0 at x = (0, 0, 1)",
        corrected="C(W) from Q^fix (C = 38): hat-loss 1",
        evidence=(
            "d = 3, d1 = 2, K = 2, W1 = [[1, -1, 0], [0, 0, 1]], W2 = [[0, 1], [4.75, 0]], x = (0, 0, 1), y = 1, "
            "eps = 0.1, gamma = 0.01: printed C = 19, M - eps C/2 = 0.05 > gamma; x' = (0.1, -0.1, 0.9) gives "
            "f(x') = (0.9, 0.95)."
        ),
        check=_check_lemma51,
    )
)
register_erratum(
    Erratum(
        id="err5.5",
        item="thm5.1",
        title="Theorem 5.1 is false for B < 1",
        kind="false",
        source="L11768-11779",
        printed="R(f) <= R_n(f) + 2B R_S(l_F) + 3B sqrt(log(2/delta)/(2n))",
        corrected="R(f) <= R_n(f) + 2 R_S(l_F) + 3B sqrt(log(2/delta)/(2n)) (implies the printed form iff B >= 1)",
        evidence=(
            "The 2B R_S term scales like B^2 under rescaling of the loss. Uniform distribution on 10^6 points, "
            "n = 1000, delta = 0.1, class {B 1_A}: f = B 1(x not in S) has R = 0.4995 at B = 1/2, the printed "
            "RHS is 0.308, the standard 0.558. Every use in the chapter has B >= 1."
        ),
        printed_expr=Rn + 2 * B * RS + B * CONF,
        corrected_expr=Rn + 2 * RS + B * CONF,
        example={"Rn": 0.0, "RS": 0.25, "B": 0.5, "n": 1000, "delta": 0.1},
        check=_check_thm51_small_B,
    )
)
register_erratum(
    Erratum(
        id="err5.6",
        item="thm5.4",
        title="Theorem 5.4 drops the factor 2 of Corollary 5.3",
        kind="mismatch",
        source="L12178-12253 vs L13534-13575",
        printed="2WK/gamma [eps sqrt(K) d^(1/q)/sqrt n + (1/n) sum_y E||u_y||_q]",
        corrected="4WK/gamma [...] (the proof bounds R_S(l~_F) by the printed term; Corollary 5.3 uses 2 R_S)",
        evidence=(
            "Proof-consistency gap: no counterexample to the printed statement is known (the catalog's brute "
            "force found R_S at most 0.32 x the printed term). At eps = 0 with one class the printed term is half "
            "of Theorem 5.3's."
        ),
        printed_expr=2 * W * K / gamma * THM54_BRACKET,
        corrected_expr=4 * W * K / gamma * THM54_BRACKET,
        example=dict(Thm54.example),
        check=_check_thm54_factor,
    )
)
register_erratum(
    Erratum(
        id="err5.7",
        item="thm5.8",
        title="Theorem 5.8 drops the factor 2 of Theorem 5.1 on the BFT terms",
        kind="mismatch",
        source="L12498-12593 vs L13754-13954",
        printed="(1/gamma)(4/n^(3/2) + 60 ... ||X||_F + 2 eps b1 b2/sqrt n)",
        corrected=(
            "(2/gamma)(4/n^(3/2) + 60 ... ||X||_F) + 2 eps b1 b2/(gamma sqrt n) (the eps-term survives via "
            "E(S_n)_- = m_n/2); the catalog's conservative form doubles the whole bracket"
        ),
        evidence="(5.17)-(5.22) bound R_S(l^_F) by the bracket/gamma; Theorem 5.1 with B = 1 needs 2 R_S. "
        "No counterexample to the printed statement is known.",
        printed_expr=(THM58_BFT + 2 * eps * b1 * b2 / sp.sqrt(n)) / gamma,
        corrected_expr=(2 * THM58_BFT + 2 * eps * b1 * b2 / sp.sqrt(n)) / gamma,
        example=dict(Thm58.example),
        check=_check_thm58_factor,
    )
)
register_erratum(
    Erratum(
        id="err5.8",
        item="rem5.2",
        title="'at least as large as O(.)' should read Omega(.)",
        kind="typo",
        source="L11972",
        printed="R_S(F~) is at least as large as O(eps W d^(1/q)/sqrt n)",
        corrected="R_S(F~) = Omega(eps W d^(1/q)/sqrt n)",
        evidence="A lower bound; Theorem 5.2's left side.",
    )
)
register_erratum(
    Erratum(
        id="err5.9",
        item="cor5.2",
        title="max_{y' != y} inside the empirical sums should be y' != y_i",
        kind="typo",
        source="L12052, L12098, L13218",
        printed="max_{y' != y} [f(x_i)]_{y'}",
        corrected="max_{y' != y_i} [f(x_i)]_{y'}",
        evidence="The sum runs over samples; y is unbound there.",
    )
)
register_erratum(
    Erratum(
        id="err5.10",
        item="thm5.4",
        title="Typos in the proof of Theorem 5.4 (and the factor W in Theorem 5.3's)",
        kind="typo",
        source="L13244-13250, L13266-13303, L13526-13572",
        printed=(
            "R_S(Pi_1(F)) = (1/n) E||sum sigma_i x_i||_q; E||u_y||_2; max_{x'} phi(M(f_W(x), y)); "
            "(2W/n) sum_{y != k} E||u_y|| + eps d^(1/q) sqrt(n_y)"
        ),
        corrected=(
            "(W/n) E||sum sigma_i x_i||_q; E||u_y||_q; phi(M(f_W(x'), y)); "
            "(2W/n) sum_{y != k} (E||u_y||_q + eps d^(1/q) sqrt(n_y))"
        ),
        evidence="Each statement is right; the proof's displays drop a factor, a subscript, a prime or parentheses.",
    )
)
