r"""Chapter 4: saddle-point attacks, ByzantinePGD and iterative filtering.

Every numbered item of the chapter (dissertation lines 8162-11459), with the explicit constants of
the proofs in Section 4.7. Names: ``L_F`` and ``rho_F`` the smoothness and Hessian-Lipschitz
constants of F, ``d`` the dimension, ``Delta`` the oracle inexactness (Definition 4.3, ``Delta <= 1``),
``delta`` the failure probability, ``F_gap`` = F(w^0) - F^*. ``log`` is the natural logarithm
(forced by 768/ln(9/4) = 947 <= 950 and 48/ln(9/4) = 59.2 <= 60); ``log94`` is the base-9/4 log of
the proofs.

The regime warning of the catalog is encoded as hypotheses: Theorem 4.3's T_th formula is < 1
unless Delta < 384^(-5/2) d^(-1/2), and its second-order bound is vacuous (>= L_F, while
lambda_min >= -L_F always) unless Delta is tiny; ``boundlab eval thm4.3`` reports both as failed
hypotheses (exit 3) and ``boundlab solve thm4.3 --for Delta --nonvacuous`` finds the largest Delta
where neither fails.

>>> from boundlab.bounds import get
>>> ev = get("thm4.3").assess(L_F=1, rho_F=1, d=10, Delta=1e-14, delta=0.05, F_gap=2)
>>> round(ev.quantities["T_th"], 3), ev.quantities["T_th_int"], round(float(ev.value), 6)
(326.417, 326.0, 0.522505)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from ._base import AbstractBound, AbstractStatement, Hypothesis, Param, register
from ._base import register_statement as _statement
from ._symbols import LATEX_NAMES, sym

# ---------------------------------------------------------------------------------------------
# Symbols and parameter templates
# ---------------------------------------------------------------------------------------------

_LATEX = {
    "T_th": r"T_{\mathrm{th}}",
    "T_th_int": r"\lfloor T_{\mathrm{th}} \rfloor",
    "Q_int": r"\lceil Q \rceil",
    "eps_g": r"\varepsilon_g",
    "eps_H": r"\varepsilon_H",
    "eps_H_printed": r"\varepsilon_H^{\mathrm{printed}}",
    "gamma_950": r"\gamma_{950}",
    "S_Delta": r"S_\Delta",
    "P_Delta": r"P_\Delta",
    "Phi": r"\Phi",
    "n_escapes_max": r"E_{\max}",
    "escape_decrease": r"\Delta F_{\mathrm{escape}}",
    "step_decrease": r"\Delta F_{\mathrm{step}}",
    "ball_radius": r"\mathrm{radius}",
    "iterations_int": r"\mathrm{iterations}_{\mathrm{int}}",
    "lam": r"\lambda",
    "zeta": r"\zeta",
    "xi": r"\xi",
    "rate_med": r"\Delta_{\mathrm{med}}",
    "rate_tm": r"\Delta_{\mathrm{tm}}",
    "rate_ftr": r"\Delta_{\mathrm{ftr}}",
    "rate_lower": r"\Delta_{\mathrm{lower}}",
}
for _k, _v in _LATEX.items():
    LATEX_NAMES.setdefault(_k, _v)

HALF = sp.Rational(1, 2)
LN94 = sp.log(sp.Rational(9, 4))

L_F, rho_F, d, Delta, delta, F_gap = (sym(s) for s in ("L_F", "rho_F", "d", "Delta", "delta", "F_gap"))
eps, r, R, mu, gamma, T_th = (sym(s) for s in ("eps", "r", "R", "mu", "gamma", "T_th"))
Phi, S_D, P_D, Q = sym("Phi"), sym("S_Delta"), sym("P_Delta"), sym("Q")
n, m, alpha, sigma, zeta, xi, c = (sym(s) for s in ("n", "m", "alpha", "sigma", "zeta", "xi", "c"))
D, L, L_hat, v, s_ = (sym(s) for s in ("D", "L", "L_hat", "v", "s"))
lam, a_ = sym("lam"), sym("a")


def log94(x: sp.Expr) -> sp.Expr:
    """The base-9/4 logarithm of the proofs (printed "log9/4")."""
    return sp.log(x) / LN94


class P:
    """Parameter templates of Chapter 4."""

    L_F = Param("L_F", "smoothness constant of F (Assumption 4.1)", lower=0, lower_open=True, typical=(0.5, 5.0))
    rho_F = Param(
        "rho_F", "Hessian-Lipschitz constant of F (Assumption 4.1)", lower=0, lower_open=True, typical=(0.5, 5.0)
    )
    d = Param("d", "dimension of w", lower=1, integer=True, typical=(1, 100))
    Delta = Param(
        "Delta",
        "inexactness of the gradient oracle (Definition 4.3); Delta <= 1 (L8625)",
        lower=0,
        upper=1,
        lower_open=True,
        typical=(1e-15, 1e-12),
    )
    delta = Param(
        "delta",
        "failure probability of ByzantinePGD",
        lower=0,
        upper=1,
        lower_open=True,
        upper_open=True,
        typical=(0.01, 0.5),
    )
    F_gap = Param("F_gap", "F(w^0) - F^*, F^* = min over R^d", lower=0, lower_open=True, typical=(0.1, 10.0))
    n = Param("n", "samples per normal machine", lower=1, integer=True, typical=(100, 100000))
    m = Param("m", "number of worker machines", lower=1, integer=True, typical=(10, 10000))
    alpha = Param("alpha", "fraction of Byzantine machines", lower=0, upper=0.5, upper_open=True, typical=(0.0, 0.2))
    sigma = Param("sigma", "sigma = sup_w ||Cov(grad f(w; z))||_2^(1/2)", lower=0, lower_open=True, typical=(0.5, 2.0))
    zeta = Param(
        "zeta", "sub-Gaussian parameter of grad f(w; z) (Assumption 4.2)", lower=0, lower_open=True, typical=(0.5, 2.0)
    )
    D = Param(
        "D", "diameter of the parameter space W (Proposition 4.2)", lower=0, lower_open=True, typical=(1.0, 100.0)
    )
    L = Param("L", "smoothness of every f(.; z) (Assumption 4.3)", lower=0, lower_open=True, typical=(1.0, 10.0))
    L_hat = Param("L_hat", "sqrt(sum_k L_k^2) (Assumption 4.4)", lower=0, lower_open=True, typical=(1.0, 10.0))
    c = Param(
        "c", "the unspecified absolute constant of the O(.)", lower=0, lower_open=True, default=1.0, typical=(0.1, 10.0)
    )


def named(item: str, text: str, source: str) -> Hypothesis:
    """A hypothesis that cannot be decided from the parameters."""
    return Hypothesis(text=text, source=source, item=item)


A41 = named("asm4.1", "Assumption 4.1: F is L_F-smooth and rho_F-Hessian Lipschitz", "L8604")
ORACLE = named("def4.3", "GradAGG is a Delta-inexact gradient oracle for F (Definition 4.3)", "L8621-8631")
EXACT_ORACLE = named("", "exact gradient oracle: g(w) = grad F(w) for every query", "L8846-8848")
A42 = named("asm4.2", "Assumption 4.2: grad f(w; z) is zeta-sub-Gaussian for every w", "L8948")
A43 = named("asm4.3", "Assumption 4.3: f(.; z) is L-smooth for every z", "L8950")
A44 = named("asm4.4", "Assumption 4.4: each partial derivative of f(.; z) is L_k-Lipschitz", "L11268-11277")
A45 = named("asm4.5", "Assumption 4.5: grad f(w; z) is xi-sub-exponential for every w", "L11389-11391")

# ---------------------------------------------------------------------------------------------
# Definitions, assumptions, algorithms, comparison tables (statements)
# ---------------------------------------------------------------------------------------------


_statement(
    "def4.1",
    "Second-order stationary point",
    "definition",
    "L8578-8582",
    r"\|\nabla F(\tilde w)\|_2 \le \varepsilon_g,\quad \lambda_{\min}(\nabla^2 F(\tilde w)) \ge -\varepsilon_H",
    impl="boundlab.montecarlo._byzpgd.is_sosp",
)
_statement(
    "def4.2",
    "Smooth and Hessian-Lipschitz functions",
    "definition",
    "L8591-8602",
    r"\|\nabla h(w) - \nabla h(w')\|_2 \le L\|w - w'\|_2,\quad "
    r"\|\nabla^2 h(w) - \nabla^2 h(w')\|_2 \le \rho\|w - w'\|_2",
)
_statement(
    "def4.3",
    "Delta-inexact gradient oracle",
    "definition",
    "L8621-8631",
    r"\|\mathrm{GradAGG}\{\hat g_i(w)\}_{i=1}^m - \nabla F(w)\|_2 \le \Delta\ \forall w \in \mathcal W,"
    r"\ \Delta \le 1",
    impl="boundlab.montecarlo._byzpgd.checked_oracle",
    notes_=(
        "The output may be any vector of the ball B(grad F(w), Delta), chosen adversarially from the "
        "query point and the history, never from the master's future random numbers (L8569).",
    ),
)
_statement(
    "def4.4",
    "Sub-Gaussian and sub-exponential random vectors",
    "definition",
    "L8900-8911",
    r"\mathbb E e^{\lambda\langle x - \mu, u\rangle} \le e^{\zeta^2\lambda^2\|u\|_2^2/2}\ \forall \lambda, u;"
    r"\quad \text{same with } \xi \text{ for } |\lambda| < 1/\xi",
    notes_=(
        "Read literally (u unrestricted) the sub-exponential condition implies sub-Gaussianity; "
        "boundlab reads it with ||u||_2 = 1 (errata err4.9).",
    ),
)
_statement(
    "def4.5",
    "Stuck region",
    "definition",
    "L9398-9412",
    r"\mathcal W_S(\tilde w, r, R, T_{th}) = \{w_0 \in B_{\tilde w}(r): \exists \text{ adversary with } "
    r"\|w_t - w_0\|_2 < R\ \forall t \le T_{th}\}",
)
_statement(
    "asm4.1",
    "Smoothness and Hessian-Lipschitz F",
    "assumption",
    "L8604",
    r"F\ \text{is}\ L_F\text{-smooth and}\ \rho_F\text{-Hessian Lipschitz on}\ \mathcal W",
)
_statement(
    "asm4.2",
    "Sub-Gaussian gradients",
    "assumption",
    "L8948",
    r"\nabla f(w; z)\ \text{is}\ \zeta\text{-sub-Gaussian}\ \forall w \in \mathcal W",
)
_statement(
    "asm4.3", "Smooth sample losses", "assumption", "L8950", r"f(\cdot; z)\ \text{is}\ L\text{-smooth}\ \forall z"
)
_statement(
    "asm4.4",
    "Coordinate-wise Lipschitz partial derivatives",
    "assumption",
    "L11268-11277",
    r"\partial_k f(\cdot; z)\ \text{is}\ L_k\text{-Lipschitz},\ \hat L = (\textstyle\sum_k L_k^2)^{1/2}",
)
_statement(
    "asm4.5",
    "Sub-exponential gradients",
    "assumption",
    "L11389-11391",
    r"\nabla f(w; z)\ \text{is}\ \xi\text{-sub-exponential}\ \forall w \in \mathcal W",
)
_statement(
    "alg4.1",
    "ByzantinePGD with Escape (Algorithm 3 of the dissertation)",
    "algorithm",
    "L8638-8767",
    r"w \leftarrow w - \eta\hat g(w)\ \text{while}\ \|\hat g(w)\|_2 > \varepsilon;\ \text{else Escape: } Q "
    r"\text{ rounds of } w' = \tilde w + p_k, p_k \sim \mathrm{Unif}(B_0(r)), \le T_{th} \text{ inexact GD steps "
    r"until } \|w' - w'_0\|_2 \ge R",
    impl="boundlab.montecarlo._byzpgd.byzantine_pgd",
    notes_=(
        "Numbered Algorithm 3 in the dissertation (global numbering); registered as alg4.1.",
        "T_th and Q are used as max(1, floor(T_th)) and max(1, ceil(Q)) (the text assumes integers, "
        "footnote 4, L9516).",
        "The output is w-tilde, the point where ||g|| <= eps was observed, not the last Escape iterate.",
    ),
)
_statement(
    "alg4.2",
    "Iterative filtering (Algorithm 4 of the dissertation)",
    "algorithm",
    "L10579-10694",
    r"W \leftarrow \arg\min_{W} \max_{U \succeq 0, \mathrm{tr} U \le 1} \sum_{i \in A} c_i r_i(W)^\top U r_i(W);"
    r"\ \text{down-weight by } \tau_i \text{ while } \sum_i c_i\tau_i > 8 m\sigma^2",
    impl="boundlab.certify._filtering.iterative_filtering",
    notes_=(
        "Numbered Algorithm 4 in the dissertation; registered as alg4.2.",
        "The max over U is lambda_max(M(W)), M(W) = X(I-W)diag(c)(I-W)^T X^T, so the min over W is the "
        "convex problem min sigma_max(X(I-W)diag(sqrt c))^2 (an SDP).",
    ),
)
_statement(
    "eq4.1",
    "Message model of the Byzantine setting",
    "definition",
    "L8555-8566",
    r"\hat g_i(w) = \nabla F_i(w)\ (i \notin \mathcal B),\quad \hat g_i(w) = *\ (i \in \mathcal B),\ "
    r"|\mathcal B| = \alpha m",
)


class _StaticTable(AbstractStatement):
    printed_rows: dict[str, dict[str, str]] = {}

    @property
    def printed(self) -> dict[str, dict[str, str]]:
        """The table as printed in the dissertation."""
        return {k: dict(v) for k, v in self.printed_rows.items()}


@register
class Table41(_StaticTable):
    """ByzantinePGD compared with PGD, Neon+GD and Neon2+GD (static data)."""

    id = "tab4.1"
    title = "Comparison of ByzantinePGD with PGD, Neon+GD and Neon2+GD"
    kind = "table"
    source = "L8385-8399"
    statement = "Byzantine robustness, purpose of the perturbation, escaping method, termination, rounds."
    printed_rows = {
        "PGD": {
            "Byzantine-robust?": "no",
            "purpose": "escape SP",
            "escaping": "GD",
            "termination": "decrease in F",
            "multiple rounds?": "no",
        },
        "Neon+GD": {
            "Byzantine-robust?": "no",
            "purpose": "escape SP",
            "escaping": "NC search",
            "termination": "decrease in F",
            "multiple rounds?": "no",
        },
        "Neon2+GD": {
            "Byzantine-robust?": "no",
            "purpose": "escape SP",
            "escaping": "NC search",
            "termination": "distance in W",
            "multiple rounds?": "no",
        },
        "ByzantinePGD": {
            "Byzantine-robust?": "yes",
            "purpose": "escape SP & robustness",
            "escaping": "inexact GD",
            "termination": "distance in W",
            "multiple rounds?": "yes",
        },
    }


@register
class Table42(_StaticTable):
    """Byzantine-robust distributed learning methods (static data)."""

    id = "tab4.2"
    title = "Byzantine-robust methods: aggregation and non-convex guarantee"
    kind = "table"
    source = "L8401-8425"
    statement = "Robust aggregation and non-convex guarantee of eight works."
    printed_rows = {
        "Feng, Xu, Mannor [68]": {"aggregation": "geometric median", "non-convex": "no"},
        "Chen, Su, Xu [41]": {"aggregation": "geometric median", "non-convex": "no"},
        "Blanchard et al. [23]": {"aggregation": "Krum", "non-convex": "first-order"},
        "Yin et al. [197]": {"aggregation": "median, trimmed mean", "non-convex": "first-order"},
        "Xie, Koyejo, Gupta [192]": {"aggregation": "mean-around-median, marginal median", "non-convex": "first-order"},
        "Alistarh, Allen-Zhu, Li [4]": {"aggregation": "martingale-based", "non-convex": "no"},
        "Su and Xu [174]": {"aggregation": "iterative filtering", "non-convex": "no"},
        "This work": {"aggregation": "median, trimmed mean, iterative filtering", "non-convex": "second-order"},
    }


# ---------------------------------------------------------------------------------------------
# Theorem 4.3 (ByzantinePGD) and the parameter derivation (4.12)-(4.27)
# ---------------------------------------------------------------------------------------------

THM43_QUANTITIES: dict[str, sp.Expr] = {
    "Phi": sp.sqrt(rho_F) + L_F,
    "S_Delta": Delta ** sp.Rational(2, 5) * d ** sp.Rational(1, 5)
    + Delta ** sp.Rational(3, 5) * d ** sp.Rational(3, 10),
    "P_Delta": Delta ** sp.Rational(6, 5) * d ** sp.Rational(3, 5)
    + Delta ** sp.Rational(7, 5) * d ** sp.Rational(7, 10),
    "eta": 1 / L_F,
    "eps": 3 * Delta,
    "r": 4 * Delta ** sp.Rational(3, 5) * d ** sp.Rational(3, 10) / sp.sqrt(rho_F),
    "R": Delta ** sp.Rational(2, 5) * d ** sp.Rational(1, 5) / sp.sqrt(rho_F),
    "mu": Delta ** sp.Rational(3, 5) * d ** sp.Rational(-1, 5) / sp.sqrt(rho_F),
    "n_escapes_max": rho_F * F_gap / (48 * L_F * P_D),
    "Q": 2 * sp.log(sym("n_escapes_max") / delta),
    "Q_int": sp.Max(1, sp.ceiling(Q), evaluate=False),  # Q may be <= 0: keep the Max
    "T_th": L_F / (384 * Phi * S_D),
    "T_th_int": sp.Max(1, sp.floor(T_th)),
    "gamma": 768 * Phi * S_D * log94(2 * d ** sp.Rational(2, 5) * Delta ** sp.Rational(-1, 5) + 8 * sp.sqrt(d)),
    "gamma_950": 950 * Phi * S_D * sp.log(2 * d ** sp.Rational(2, 5) * Delta ** sp.Rational(-1, 5) + 8 * sp.sqrt(d)),
    "eps_g": 4 * Delta,
    "eps_H": 1900 * Phi * Delta ** sp.Rational(2, 5) * d ** sp.Rational(1, 5) * sp.log(10 / Delta),
    "iterations": 2 * F_gap * L_F / (3 * Delta**2) * Q,
    "iterations_int": 2 * F_gap * L_F / (3 * Delta**2) * sym("Q_int") + sym("Q_int") * (sym("T_th_int") + 1),
    "escape_decrease": 48 * (1 / sp.sqrt(rho_F) + L_F / rho_F) * P_D,
    "step_decrease": 3 * Delta**2 / (2 * L_F),
    "ball_radius": (
        sp.Rational(4, 3)
        + 2 * sp.sqrt(sp.Rational(2, 3) * (sp.Rational(7, 6) + sp.sqrt(rho_F) / (3 * L_F)))
        + sp.sqrt(rho_F) / (12 * L_F)
    )
    * F_gap
    / Delta,
    "prob": 1 - delta,
}

T_TH_GE_1 = Hypothesis(
    "regime: T_th >= 1 (an Escape round takes at least one step; footnote 4 assumes T_th is an integer, "
    "the formula is < 1 unless Delta < 384^(-5/2) d^(-1/2))",
    T_th,
    ">=",
    sp.Integer(1),
    "L8675-8690, L9516",
)
Q_GE_1 = Hypothesis(
    "regime: Q >= 1 (the union bound (4.24) needs at least one Escape round)",
    Q,
    ">=",
    sp.Integer(1),
    "(4.24), L9800-9815",
)
NONVACUOUS_43 = Hypothesis(
    "regime: the second-order bound (4.3) is non-vacuous, eps_H < L_F (lambda_min >= -L_F always holds)",
    sym("eps_H"),
    "<",
    L_F,
    "L8790-8797, L9887",
)


@register
class Thm43(AbstractBound):
    r"""ByzantinePGD finds an :math:`(4\Delta, \tilde O(\Delta^{2/5}))`-second-order stationary point."""

    id = "thm4.3"
    example = {"L_F": 1.0, "rho_F": 1.0, "d": 10, "Delta": 1e-14, "delta": 0.05, "F_gap": 2.0}
    title = "ByzantinePGD: second-order guarantee with a Delta-inexact gradient oracle"
    kind = "wp"
    source = "L8669-8801, proof L9606-9893"
    statement = (
        r"\|\nabla F(\tilde w)\|_2 \le 4\Delta,\ \lambda_{\min}(\nabla^2 F(\tilde w)) \ge -1900"
        r"(\rho_F^{1/2} + L_F)\Delta^{2/5}d^{1/5}\log(10/\Delta)\ \text{w.p.} \ge 1 - \delta,\ "
        r"\text{within } \frac{2(F_0 - F^*)L_F}{3\Delta^2}Q \text{ parallel iterations}"
    )
    params = (P.L_F, P.rho_F, P.d, P.Delta, P.delta, P.F_gap)
    quantities = THM43_QUANTITIES
    value = "eps_H"
    value_text = r"-\lambda_{\min}(\nabla^2 F(\tilde w)) \le \varepsilon_H"
    variants = {"proved": sym("gamma"), "proved_950": sym("gamma_950")}
    hypotheses = (A41, ORACLE, T_TH_GE_1, Q_GE_1, NONVACUOUS_43)
    probability = "prob"
    trivial = L_F
    monotone = {
        "eps_H": {"Delta": +1, "d": +1},
        "gamma": {"Delta": +1},
        "iterations": {"Delta": -1, "F_gap": +1},
        "r": {"Delta": +1},
        "R": {"Delta": +1},
    }
    rate_variables = ("Delta", "d")
    notes = (
        "eps_H is the printed (4.3); gamma (variant 'proved') is the sharper curvature level the proof "
        "establishes ((4.16), base-9/4 log), gamma_950 its natural-log form (4.26).",
        "Q_int = max(1, ceil(Q)) and T_th_int = max(1, floor(T_th)) are the integers ByzantinePGD uses; "
        "iterations is the printed bound, iterations_int adds the final failed Escape (Q(T_th + 1) calls) that "
        "the text omits.",
        "The first-order part ||grad F|| <= 4 Delta is deterministic: ||g|| <= 3 Delta at the output plus the "
        "oracle's Delta.",
        "ball_radius is the explicit (C_1 + C_2) F_gap / Delta of Proposition 4.2 (catalog NOTE).",
    )


# ---------------------------------------------------------------------------------------------
# Theorem 4.4 (exact oracle)
# ---------------------------------------------------------------------------------------------

EPS_44 = Param(
    "eps",
    "gradient threshold and target accuracy, in (0, min{1/rho_F, 4/(L_F^2 rho_F)})",
    lower=0,
    lower_open=True,
    typical=(1e-10, 1e-6),
)


@register
class Thm44(AbstractBound):
    """Perturbed GD with the exact gradient (Q = 1): a second-order stationary point."""

    id = "thm4.4"
    example = {"L_F": 1.0, "rho_F": 1.0, "d": 1, "eps": 1e-8, "delta": 0.1, "F_gap": 2.0}
    title = "Algorithm 3 with the exact gradient oracle"
    kind = "wp"
    source = "L8846-8882, proof L10252-10400"
    statement = (
        r"\|\nabla F(\tilde w)\|_2 \le \varepsilon,\ \lambda_{\min}(\nabla^2 F(\tilde w)) \ge -60\sqrt{\rho_F\varepsilon}"
        r"\log\frac{8\rho_F\sqrt d(F_0 - F^*)}{\delta\varepsilon^2}\ \text{w.p.} \ge 1 - \delta"
    )
    params = (P.L_F, P.rho_F, P.d, EPS_44, P.delta, P.F_gap)
    quantities = {
        "eta": 1 / L_F,
        "Q": sp.Integer(1),
        "r": eps,
        "R": sp.sqrt(eps / rho_F),
        "T_th": L_F / (12 * rho_F * (R + r)),
        "T_th_int": sp.Max(1, sp.floor(T_th)),
        "mu": delta * eps ** sp.Rational(5, 2) / (2 * sp.sqrt(rho_F * d) * F_gap),
        "gamma": 24 * rho_F * (R + r) * log94(2 * (R + r) / mu),
        "eps_g": eps,
        "eps_H_printed": 60 * sp.sqrt(rho_F * eps) * sp.log(8 * rho_F * sp.sqrt(d) * F_gap / (delta * eps**2)),
        "eps_H": 60 * sp.sqrt(rho_F * eps) * sp.log(8 * sp.sqrt(d) * F_gap / (delta * eps**2)),
        "iterations": 2 * L_F * F_gap / eps**2,
        "n_escapes_max": sp.sqrt(rho_F) * F_gap / eps ** sp.Rational(3, 2),
        "escape_decrease": rho_F * R**3,
        "prob": 1 - delta,
    }
    value = "eps_H"
    value_text = r"-\lambda_{\min}(\nabla^2 F(\tilde w)) \le \varepsilon_H"
    variants = {"printed": sym("eps_H_printed"), "proved": sym("gamma")}
    hypotheses = (
        A41,
        EXACT_ORACLE,
        Hypothesis("eps < 1/rho_F", eps, "<", 1 / rho_F, "L8848-8850"),
        Hypothesis("eps < 4/(L_F^2 rho_F)", eps, "<", 4 / (L_F**2 * rho_F), "L8848-8850"),
        Hypothesis("(4.51): R >= mu", R, ">=", mu, "L10300-10310"),
        Hypothesis("mu < r (Lemma 4.2 needs mu in (0, r))", mu, "<", r, "L9415-9425"),
        Hypothesis(
            "regime: T_th >= 1 (an Escape round takes at least one step)", T_th, ">=", sp.Integer(1), "L8858-8860"
        ),
        Hypothesis("regime: the second-order bound is non-vacuous, eps_H < L_F", sym("eps_H"), "<", L_F, "L8868-8874"),
    )
    probability = "prob"
    trivial = L_F
    monotone = {"eps_H": {"eps": +1, "delta": -1}, "iterations": {"eps": -1}}
    rate_variables = ("eps", "d")
    notes = (
        "T_th is printed with L (the per-sample smoothness of Section 4.5); the proof ((4.50), eta = 1/L_F) "
        "forces L_F (errata err4.1).",
        "eps_H (the value) is what the proof gives, log(8 sqrt(d) F_gap/(delta eps^2)); the printed bound has an "
        "extra rho_F inside the log (variant 'printed', errata err4.2) and is stronger than the proof when "
        "rho_F < 1.",
        "gamma (variant 'proved') = 24 rho_F (R + r) log_{9/4}(2(R + r)/mu) is the exact curvature level of the "
        "proof; 48/ln(9/4) = 59.2 <= 60.",
    )


# ---------------------------------------------------------------------------------------------
# Informal Theorems 4.1, 4.2, 4.6; Observations 4.1, 4.2; Table 4.3
# ---------------------------------------------------------------------------------------------

RATE_MED = alpha * sp.sqrt(d) / sp.sqrt(n) + d / sp.sqrt(n * m) + sp.sqrt(d) / n
RATE_TM = alpha * d / sp.sqrt(n) + d / sp.sqrt(n * m)
RATE_FTR = sp.sqrt(alpha) / sp.sqrt(n) + sp.sqrt(d) / sp.sqrt(n * m)
RATE_LOWER = alpha / sp.sqrt(n) + sp.sqrt(d) / sp.sqrt(n * m)
STAT_PARAMS = (P.n, P.m, P.d, P.alpha, P.c)
STAT_EXAMPLE = {"n": 1000, "m": 100, "d": 10, "alpha": 0.1}


@register
class Thm41(AbstractBound):
    """Informal optimization result: (O(Delta), O~(Delta^(2/5))) in O~(1/Delta^2) iterations; converse Delta^(1/2)."""

    id = "thm4.1"
    example = {"Delta": 1e-6}
    title = "Optimization guarantee and converse (informal)"
    kind = "rate"
    exact = False
    source = "L8269-8290"
    statement = (
        r"\|\nabla F(\tilde w)\|_2 \lesssim \Delta,\ \lambda_{\min} \gtrsim -\Delta^{2/5}\ \text{within }"
        r"\tilde O(1/\Delta^2);\ \text{no algorithm beats } \Delta/2 \text{ or } -\Delta^{1/2}/2"
    )
    params = (P.Delta.with_(typical=(1e-8, 1e-2)), P.c)
    quantities = {
        "eps_g": c * Delta,
        "eps_H": c * Delta ** sp.Rational(2, 5),
        "iterations": c / Delta**2,
        "lower_grad": Delta / 2,
        "lower_curvature": sp.sqrt(Delta) / 2,
    }
    value = "eps_H"
    hypotheses = (A41, ORACLE)
    monotone = {"eps_H": {"Delta": +1}}
    rate_variables = ("Delta",)
    notes = ("The converse (Proposition 4.1) holds with 'and', not 'or' (errata err4.8).",)


@register
class Obs41(AbstractBound):
    """Observation 4.1: ByzantinePGD gives an (O(Delta), O~(Delta^(2/5))) second-order stationary point."""

    id = "obs4.1"
    example = {"Delta": 1e-6}
    title = "Scaling of the ByzantinePGD guarantee with Delta"
    kind = "rate"
    exact = False
    source = "L8806-8822"
    statement = (
        r"(\varepsilon_g, \varepsilon_H) = (O(\Delta), \tilde O(\Delta^{2/5}))\ \text{within }"
        r"\tilde O(1/\Delta^2)\ \text{parallel iterations}"
    )
    params = (P.Delta.with_(typical=(1e-8, 1e-2)), P.c)
    quantities = {
        "eps_g": 4 * Delta,
        "eps_H": c * Delta ** sp.Rational(2, 5) * sp.log(10 / Delta),
        "iterations": c * sp.log(1 / Delta) / Delta**2,
    }
    value = "eps_H"
    hypotheses = (A41, ORACLE)
    monotone = {"eps_H": {"Delta": +1}}
    rate_variables = ("Delta",)
    notes = (
        "With c = 1900 (rho_F^(1/2) + L_F) d^(1/5) this is Theorem 4.3's eps_H; footnote 1 (L8813): the "
        "O~ keeps only the Delta dependence.",
    )


@register
class Thm42(AbstractBound):
    """Informal statistical result: the three aggregators' inexactness and the lower bound (Table 4.3)."""

    id = "thm4.2"
    example = STAT_EXAMPLE
    title = "Statistical rates of ByzantinePGD with median, trimmed mean and iterative filtering (informal)"
    kind = "rate"
    exact = False
    source = "L8312-8353, Table 4.3 L9067-9107"
    statement = (
        r"\Delta_{\mathrm{ftr}} \lesssim \frac{\sqrt\alpha}{\sqrt n} + \frac{\sqrt d}{\sqrt{nm}},\ "
        r"\Delta_{\mathrm{med}} \lesssim \frac{\alpha\sqrt d}{\sqrt n} + \frac{d}{\sqrt{nm}} + \frac{\sqrt d}{n},\ "
        r"\Delta_{\mathrm{tm}} \lesssim \frac{\alpha d}{\sqrt n} + \frac{d}{\sqrt{nm}}"
    )
    params = STAT_PARAMS
    quantities = {
        "rate_med": c * RATE_MED,
        "rate_tm": c * RATE_TM,
        "rate_ftr": c * RATE_FTR,
        "rate_lower": c * RATE_LOWER,
    }
    value = "rate_ftr"
    hypotheses = (named("", "appropriate smoothness and probabilistic assumptions (Section 4.5)", "L8312-8320"),)
    monotone = {
        "rate_ftr": {"alpha": +1, "n": -1, "m": -1, "d": +1},
        "rate_med": {"alpha": +1, "n": -1, "d": +1},
        "rate_tm": {"alpha": +1, "n": -1, "d": +1},
    }


@register
class Thm46(AbstractBound):
    """Informal median and trimmed-mean inexactness (Theorems 4.7 and 4.8 made precise)."""

    id = "thm4.6"
    example = STAT_EXAMPLE
    title = "Median and trimmed mean as inexact gradient oracles (informal)"
    kind = "rate"
    exact = False
    source = "L9031-9066"
    statement = (
        r"\Delta_{\mathrm{med}} \lesssim \frac{\alpha\sqrt d}{\sqrt n} + \frac{d}{\sqrt{nm}} + \frac{\sqrt d}{n},"
        r"\ \Delta_{\mathrm{tm}} \lesssim \frac{\alpha d}{\sqrt n} + \frac{d}{\sqrt{nm}}"
    )
    params = STAT_PARAMS
    quantities = {"rate_tm": c * RATE_TM, "rate_med": c * RATE_MED}
    value = "rate_med"
    hypotheses = (named("", "median: bounded skewness; trimmed mean: sub-exponential gradients", "L9031-9045"),)
    monotone = {"rate_med": {"alpha": +1, "n": -1, "d": +1}}


@register
class Obs42(AbstractBound):
    """Observation 4.2: no algorithm achieves ||grad F|| = o(alpha/sqrt(n) + sqrt(d/(nm)))."""

    id = "obs4.2"
    example = STAT_EXAMPLE
    title = "First-order lower bound in the Byzantine setting"
    kind = "rate"
    exact = False
    source = "L9115-9137, proof L11424-11459"
    statement = r"\|\nabla F(\tilde w)\|_2 = \Omega\left(\frac{\alpha}{\sqrt n} + \sqrt{\frac{d}{nm}}\right)"
    params = STAT_PARAMS
    quantities = {"value": c * RATE_LOWER}
    value_text = r"\|\nabla F(\tilde w)\|_2 \gtrsim"
    hypotheses = (named("", "mean estimation with Gaussian data (Lemma 4.6)", "L11424-11459"),)
    monotone = {"value": {"alpha": +1, "n": -1, "m": -1}}


@register
class Lem46(AbstractBound):
    """Byzantine mean-estimation lower bound (proved in Chapter 3, Observation 3.1)."""

    id = "lem4.6"
    example = {**STAT_EXAMPLE, "sigma": 1.0}
    title = "Lower bound for Byzantine-robust mean estimation"
    kind = "rate"
    exact = False
    source = "L11424-11459"
    statement = r"\|\tilde w - \mu\|_2 = \Omega\left(\frac{\alpha}{\sqrt n} + \sqrt{\frac{d}{nm}}\right)\ \text{w.c.p.}"
    params = (P.n, P.m, P.d, P.alpha, P.sigma, P.c)
    quantities = {"value": c * sigma * RATE_LOWER}
    value_text = r"\|\tilde w - \mu\|_2 \gtrsim"
    hypotheses = (named("", "z ~ N(mu, sigma^2 I), f(w; z) = ||w - z||^2/2", "L11424-11440"),)
    monotone = {"value": {"alpha": +1, "n": -1, "m": -1}}


@register
class Table43(AbstractStatement):
    """Table 4.3: the aggregators' inexactness Delta; each rate is generated from the registry (thm4.2)."""

    id = "tab4.3"
    title = "Statistical bounds on the gradient inexactness Delta"
    kind = "table"
    source = "L9067-9107"
    statement = "Gradient inexactness Delta of the coordinate-wise median, trimmed mean and iterative filtering."
    variables = ("alpha", "n", "m", "d")

    @property
    def printed(self) -> dict[str, str]:
        """The rates as printed (Õ, logs dropped)."""
        return {
            "median": "alpha sqrt(d)/sqrt(n) + d/sqrt(nm) + sqrt(d)/n",
            "trimmed mean": "alpha d/sqrt(n) + d/sqrt(nm)",
            "iterative filtering": "sqrt(alpha)/sqrt(n) + sqrt(d)/sqrt(nm)",
        }

    def terms(self) -> dict[str, list]:
        """The registered additive terms with their exponents in alpha, n, m, d."""
        from ._base import REGISTRY

        thm = REGISTRY["thm4.2"]
        out = {}
        for row, q in (
            ("median", "rate_med"),
            ("trimmed mean", "rate_tm"),
            ("iterative filtering", "rate_ftr"),
            ("lower bound (Observation 4.2)", "rate_lower"),
        ):
            out[row] = thm.rate_terms(q, variables=self.variables, drop_dominated=False)  # type: ignore[attr-defined]
        return out

    def rate_rows(self) -> dict[str, str]:
        """Each rate as a sum of monomials generated from the registered expressions.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> get("tab4.3").rate_rows()["iterative filtering"]
        'alpha^(1/2) n^(-1/2) + n^(-1/2) m^(-1/2) d^(1/2)'
        """
        return {row: " + ".join(t.monomial(self.variables) for t in terms) for row, terms in self.terms().items()}

    def exponents(self) -> dict[str, dict[str, list[float]]]:
        """Per row and variable, the exponents of the additive terms (the slopes a check can test)."""
        return {
            row: {v: [float(t.exponents[v]) for t in terms] for v in self.variables}
            for row, terms in self.terms().items()
        }


# ---------------------------------------------------------------------------------------------
# Proposition 4.1 (lower bound), Propositions 4.3, 4.4 and the Remark (saddle attacks)
# ---------------------------------------------------------------------------------------------


def _band(a: sp.Expr) -> sp.Expr:
    """min(a, 1) written as a - max(0, a - 1), so that mpmath always returns an mpf."""
    return a - sp.Max(0, a - 1)


@register
class Prop41(AbstractBound):
    """Sine-class lower bound: under the zero oracle some f_s has |f'| = Delta/sqrt 2 and f'' = -sqrt(Delta/2)."""

    id = "prop4.1"
    example = {"Delta": 0.01}
    title = "No algorithm with a Delta-inexact oracle beats Delta/2 and -Delta^(1/2)/2"
    kind = "exact"
    source = "L8824-8828, proof L10401-10426"
    statement = (
        r"f_s(w) = \Delta^{3/2}\sin(\Delta^{-1/2}w + s):\ s^* = \pi/4 - \Delta^{-1/2}\tilde w \Rightarrow "
        r"|f_{s^*}'(\tilde w)| = \Delta/\sqrt2 > \Delta/2,\ f_{s^*}''(\tilde w) = -\sqrt{\Delta/2} < -\sqrt\Delta/2"
    )
    params = (P.Delta.with_(typical=(1e-6, 1.0)),)
    quantities = {
        "value": Delta / sp.sqrt(2),
        "grad_threshold": Delta / 2,
        "curvature": sp.sqrt(Delta / 2),
        "curvature_threshold": sp.sqrt(Delta) / 2,
        "smoothness": sp.sqrt(Delta),
        "hessian_lipschitz": sp.Integer(1),
        "prob_randomized": sp.Rational(1, 6),
    }
    value_text = r"|f_{s^*}'(\tilde w)|"
    hypotheses = (
        Hypothesis("|f'(w~)| > Delta/2 at s*", sym("value"), ">", sym("grad_threshold"), "L10415-10426"),
        Hypothesis("-f''(w~) > sqrt(Delta)/2 at s*", sym("curvature"), ">", sym("curvature_threshold"), "L10415-10426"),
        Hypothesis(
            "the class is 1-smooth (|f''| <= sqrt(Delta) <= 1)", sym("smoothness"), "<=", sp.Integer(1), "L10403-10410"
        ),
    )
    monotone = {"value": {"Delta": +1}}
    notes = (
        "The proof treats deterministic algorithms; for a randomized one, averaging over s ~ Unif[0, 2 pi) "
        "shows some s fails both inequalities with probability >= 1/6 (catalog NOTE, prob_randomized).",
    )


@register
class Prop43(AbstractBound):
    """Saddle attack on F2(w) = (w^2 - 1)^2/4: GD from Unif[-r, r] is trapped w.p. min{1, Delta/r}."""

    id = "prop4.3"
    example = {"Delta": 0.1, "r": 0.4}
    title = "Inexact GD near a local maximum of Example 1 (gap >= 9/64)"
    kind = "exact"
    source = "L9163-9198"
    statement = (
        r"\Pr[F^{(2)}(w) - F^{(2)}(w^*) \ge 9/64] \ge \min\{1, \Delta/r\},\ w^0 \sim \mathrm{Unif}[-r, r];"
        r"\ F^{(1)}: \text{gap} = O(\Delta)"
    )
    params = (
        P.Delta.with_(upper=0.5, description="oracle inexactness, Delta <= 1/2", typical=(0.01, 0.5)),
        Param("r", "half-width of the uniform initialisation", lower=0, lower_open=True, typical=(0.05, 1.0)),
    )
    quantities = {
        "value": _band(Delta / r),
        "gap_floor": (1 - Delta**2) ** 2 / 4,
        "gap_claimed": sp.Rational(9, 64),
        "gap_part_i": Delta**2 / 4,
    }
    value_text = r"\Pr[\text{stuck}]"
    hypotheses = (Hypothesis("F2(Delta) - F2(w*) >= 9/64", sym("gap_floor"), ">=", sym("gap_claimed"), "L9185-9198"),)
    monotone = {"value": {"Delta": +1, "r": -1}}
    notes = (
        "Adversary: g(w) = 0 for |w| <= Delta (valid since |w^3 - w| <= |w|), honest outside; with a stable step "
        "(eta <= 1/2) the stuck probability is exactly min{1, Delta/r} (catalog NOTE).",
        "gap_part_i: with eta = 1/L_F = 1/2 on F1 = (w - 1)^2 one step gives |w - 1| <= Delta/2, so the gap is "
        "<= Delta^2/4, stronger than the stated O(Delta) (errata err4.7).",
        "Example 1 (L9163-9170) is encoded here: F1 strongly convex, F2 with a saddle (local maximum) at 0.",
    )


@register
class Prop44(AbstractBound):
    """Example 2's saddle: exact GD escapes, inexact GD from Unif(B_0(r)) is stuck w.p. p_stuck(Delta/(lam r))."""

    id = "prop4.4"
    example = {"Delta": 0.005, "lam": 1.0, "r": 0.01}
    title = "Inexact GD is stuck near a strict saddle with a disk perturbation"
    kind = "exact"
    source = "L9200-9285"
    statement = (
        r"\Pr[\text{stuck}] = \frac{2}{\pi}\left(\arcsin a + a\sqrt{1 - a^2}\right),\ a = \frac{\Delta}{\lambda r}"
        r"\ (1 \text{ if } a \ge 1)"
    )
    params = (
        P.Delta.with_(typical=(1e-4, 0.1)),
        Param(
            "lam",
            "negative curvature lambda of Example 2 (lambda > eps_H)",
            lower=0,
            lower_open=True,
            typical=(0.1, 1.0),
        ),
        Param("r", "radius of the uniform disk perturbation", lower=0, lower_open=True, typical=(0.01, 1.0)),
    )
    quantities = {
        "a": Delta / (lam * r),
        "value": 2 / sp.pi * (sp.asin(_band(a_)) + _band(a_) * sp.sqrt(1 - _band(a_) ** 2)),
        "lemma43_bound": 2 * sp.sqrt(2) * Delta / (lam * r),
    }
    value_text = r"\Pr[\text{stuck}]"
    hypotheses = (named("", "Example 2: F = w_1^2/2 - lam w_2^2/2 on B_0(b), r < b", "L9200-9222"),)
    monotone = {"value": {"Delta": +1, "r": -1, "lam": -1}}
    notes = (
        "Adversary: g = [w_1, 0] when |w_2| <= Delta/lam (error lam |w_2| <= Delta); the stuck set is the "
        "band {|w_2| <= Delta/lam} of the disk, whose area fraction is the value.",
        "lemma43_bound compares Lemma 4.3's 2 mu sqrt(d)/r with mu = Delta/lam, d = 2.",
    )


@register
class Rem41(AbstractBound):
    """The Remark after Proposition 4.4: a perturbation on the circle is stuck w.p. (2/pi) arcsin(a)."""

    id = "rem4.1"
    example = {"Delta": 0.005, "lam": 1.0, "r": 0.01}
    title = "Perturbation on the circle: stuck arc"
    kind = "exact"
    source = "L9286-9305"
    statement = (
        r"\Pr[\text{stuck}] = \frac{2}{\pi}\arcsin\frac{\Delta}{\lambda r}\ (1 \text{ if } \Delta \ge \lambda r)"
    )
    params = Prop44.params
    quantities = {"a": Delta / (lam * r), "value": 2 / sp.pi * sp.asin(_band(a_))}
    value_text = r"\Pr[\text{stuck}]"
    monotone = {"value": {"Delta": +1, "r": -1}}
    notes = ("The unnumbered Remark of the dissertation, registered as rem4.1.",)


# ---------------------------------------------------------------------------------------------
# Lemmas 4.1-4.4, (4.5), Proposition 4.2
# ---------------------------------------------------------------------------------------------


@register
class Lem41(AbstractBound):
    """Inexact descent: F(w - g/L_F) <= F(w) - ||grad F(w)||^2/(2 L_F) + Delta^2/(2 L_F)."""

    id = "lem4.1"
    example = {"L_F": 1.0, "Delta": 0.01}
    title = "Inexact descent lemma"
    kind = "exact"
    source = "L9313-9368"
    statement = r"F(w') \le F(w) - \frac{1}{2L_F}\|\nabla F(w)\|_2^2 + \frac{\Delta^2}{2L_F},\ w' = w - \hat g(w)/L_F"
    params = (P.L_F, P.Delta.with_(typical=(1e-6, 1.0)))
    quantities = {"value": Delta**2 / (2 * L_F)}
    value_text = r"F(w') - F(w) + \frac{\|\nabla F(w)\|_2^2}{2L_F}"
    hypotheses = (named("", "F is L_F-smooth; ||g(w) - grad F(w)|| <= Delta", "L9313-9320"),)
    monotone = {"value": {"Delta": +1, "L_F": -1}}


@register
class Eq45(AbstractBound):
    """(4.5): with eps = 3 Delta, a step taken with ||g|| > eps decreases F by >= 3 Delta^2/(2 L_F)."""

    id = "eq4.5"
    example = {"L_F": 1.0, "Delta": 0.01}
    title = "Sufficient decrease of a main-loop step"
    kind = "exact"
    source = "L9369-9385"
    statement = (
        r"\|\hat g(w)\|_2 > 3\Delta \Rightarrow \|\nabla F(w)\|_2 \ge 2\Delta,\ F(w) - F(w') \ge \frac{3\Delta^2}{2L_F}"
    )
    params = (P.L_F, P.Delta.with_(typical=(1e-6, 1.0)))
    quantities = {"grad_lower": 2 * Delta, "value": 3 * Delta**2 / (2 * L_F)}
    value_text = r"F(w) - F(w') \ge"
    monotone = {"value": {"Delta": +1, "L_F": -1}}


LEM42_PARAMS = (
    P.L_F,
    P.rho_F,
    P.Delta.with_(typical=(1e-10, 1e-8)),
    Param("r", "perturbation radius", lower=0, lower_open=True, typical=(1e-5, 1e-3)),
    Param("R", "escape distance", lower=0, lower_open=True, typical=(1e-3, 1e-2)),
    Param("mu", "separation of the coupled starts along e", lower=0, lower_open=True, typical=(1e-6, 1e-5)),
    Param("gamma", "curvature level: lambda_min(grad^2 F(w~)) <= -gamma", lower=0, lower_open=True, typical=(0.3, 1.0)),
)
LEM42_EXAMPLE = {"L_F": 1.0, "rho_F": 1.0, "Delta": 1e-8, "r": 4e-5, "R": 1.96e-3, "mu": 1e-5, "gamma": 0.5}
LEM42_HYPS = (
    A41,
    ORACLE,
    Hypothesis("mu < r", mu, "<", r, "L9415-9425"),
    Hypothesis("(4.8) R >= mu", R, ">=", mu, "L9427-9445"),
    Hypothesis("(4.9) rho_F (R + r) mu >= Delta", rho_F * (R + r) * mu, ">=", Delta, "L9427-9445"),
    Hypothesis(
        "(4.10) gamma >= 24 rho_F (R + r) log_{9/4}(2(R + r)/mu)",
        gamma,
        ">=",
        24 * rho_F * (R + r) * log94(2 * (R + r) / mu),
        "L9427-9445",
    ),
    Hypothesis("gamma <= L_F (lambda_min >= -L_F; needed for the base 9/4)", gamma, "<=", L_F, "L10066-10096"),
)


@register
class Lem42(AbstractBound):
    """Thin stuck region: two starts mu apart along e cannot both be stuck when (4.7)-(4.10) hold."""

    id = "lem4.2"
    example = LEM42_EXAMPLE
    title = "The stuck region is thin along the negative-curvature direction"
    kind = "exact"
    source = "L9415-9450, proof L9895-10100"
    statement = (
        r"T_{th} = \frac{2}{\eta\gamma}\log_{9/4}\frac{2(R + r)}{\mu},\ R \ge \mu,\ \rho_F(R + r)\mu \ge \Delta,\ "
        r"\gamma \ge 24\rho_F(R + r)\log_{9/4}\frac{2(R+r)}{\mu} \Rightarrow u_0 \notin \mathcal W_S \lor y_0 "
        r"\notin \mathcal W_S"
    )
    params = LEM42_PARAMS
    quantities = {
        "value": 2 * L_F / gamma * log94(2 * (R + r) / mu),
        "coupling_4_42": 12 * rho_F * (R + r) * sym("value") / L_F,
        "growth": (1 + gamma / (2 * L_F)) ** sym("value"),
        "growth_needed": 2 * (R + r) / mu,
    }
    value_text = r"T_{th}"
    hypotheses = LEM42_HYPS
    monotone = {"value": {"gamma": -1, "mu": -1}}
    notes = (
        "(4.42) 12 eta rho_F (R + r) T_th <= 1 follows from (4.7) and (4.10) (quantity coupling_4_42).",
        "(4.34) prints the factor (1 + eta gamma) on e-perp; the correct one is 1 + eta|lambda_min(H)| "
        "(errata err4.5); the induction survives.",
    )


@register
class Lem43(AbstractBound):
    """The stuck probability of a uniform perturbation is at most 2 mu sqrt(d)/r."""

    id = "lem4.3"
    example = {"d": 1, "mu": 1e-5, "r": 4e-5}
    title = "Probability of starting in the stuck region"
    kind = "exact"
    source = "L9452-9583"
    statement = r"\Pr_{w_0 \sim \mathrm{Unif}(B_{\tilde w}(r))}[w_0 \in \mathcal W_S] \le \frac{2\mu\sqrt d}{r}"
    params = (
        P.d,
        Param("mu", "width parameter of Lemma 4.2", lower=0, lower_open=True, typical=(1e-6, 1e-5)),
        Param("r", "perturbation radius", lower=0, lower_open=True, typical=(1e-4, 1e-3)),
    )
    quantities = {
        "volume_bound": 2 * mu / (sp.sqrt(sp.pi) * r) * sp.sqrt(d / 2 + HALF),
        "value": 2 * mu * sp.sqrt(d) / r,
    }
    value_text = r"\Pr[w_0 \in \mathcal W_S]"
    hypotheses = (Hypothesis("mu < r", mu, "<", r, "L9452-9460"),)
    monotone = {"value": {"mu": +1, "r": -1, "d": +1}}
    notes = (
        "The exact volume ratio (2 mu/(sqrt(pi) r)) Gamma(d/2 + 1)/Gamma(d/2 + 1/2) <= volume_bound <= value "
        "(Gamma-ratio inequality, L9540-9583; checked numerically in the tests).",
    )


@register
class Lem44(AbstractBound):
    """(4.11): an Escape round that reaches distance R within T_th steps decreases F by the value."""

    id = "lem4.4"
    example = {"L_F": 1.0, "Delta": 1e-14, "r": 3.17731e-8, "R": 3.98107e-6, "T_th": 326.417}
    title = "Decrease of F after a successful escape"
    kind = "exact"
    source = "L9585-9604, proof L10103-10250"
    statement = (
        r"F(\tilde w) - F(w_t) \ge \frac{L_F}{4T_{th}}R^2 - \frac{\Delta^2 T_{th}}{L_F} - 4\Delta r - "
        r"\frac{L_F}{2}r^2"
    )
    params = (
        P.L_F,
        P.Delta.with_(typical=(1e-15, 1e-12)),
        Param("r", "perturbation radius", lower=0, lower_open=True, typical=(1e-8, 1e-7)),
        Param("R", "escape distance", lower=0, lower_open=True, typical=(1e-6, 1e-5)),
        Param("T_th", "maximal steps per round (t <= T_th)", lower=0, lower_open=True, typical=(100.0, 1000.0)),
    )
    quantities = {"value": L_F / (4 * T_th) * R**2 - Delta**2 * T_th / L_F - 4 * Delta * r - L_F / 2 * r**2}
    value_text = r"F(\tilde w) - F(w_t) \ge"
    hypotheses = (
        Hypothesis(
            "the bound is informative: its right side is positive", sym("value"), ">", sp.Integer(0), "L9585-9604"
        ),
    )
    monotone = {"value": {"R": +1, "Delta": -1}}
    notes = (
        "The curvature hypothesis is not used by the proof: (4.11) holds for every round that reaches distance "
        "R, whatever the oracle; (4.46) holds with the actual step count t in place of T_th.",
    )


@register
class Prop42(AbstractBound):
    """The iterates of ByzantinePGD stay in a ball around w^0 of radius C (F_0 - F^*)/Delta."""

    id = "prop4.2"
    example = {"L_F": 1.0, "rho_F": 1.0, "d": 10, "Delta": 1e-14, "F_gap": 2.0}
    title = "ByzantinePGD's iterates are bounded"
    kind = "exact"
    source = "L8918-8930, proof L10428-10575"
    statement = r"w \in B_{w^0}(D/2),\ D = C\frac{F_0 - F^*}{\Delta},\ C = C(L_F, \rho_F)"
    params = (P.L_F, P.rho_F, P.d, P.Delta, P.F_gap)
    quantities = {
        "C_1": sp.Rational(4, 3) + 2 * sp.sqrt(sp.Rational(2, 3) * (sp.Rational(7, 6) + sp.sqrt(rho_F) / (3 * L_F))),
        "C_2": sp.sqrt(rho_F) / (12 * L_F),
        "r": 4 * Delta ** sp.Rational(3, 5) * d ** sp.Rational(3, 10) / sp.sqrt(rho_F),
        "R": Delta ** sp.Rational(2, 5) * d ** sp.Rational(1, 5) / sp.sqrt(rho_F),
        "value": (sym("C_1") + sym("C_2")) * F_gap / Delta,
        "radius_all_queries": sym("value") + r + R,
        "D": 2 * sym("value"),
    }
    value_text = r"\max_t \|w_t - w^0\|_2 \le"
    hypotheses = (A41, ORACLE)
    monotone = {"value": {"Delta": -1, "F_gap": +1}}
    notes = (
        "C_1, C_2 are the catalog's explicit completion of (4.57)-(4.60) [NOTE]; the text leaves C unspecified.",
        "radius_all_queries adds r + R for the iterates of failed Escape rounds, which the segment argument does "
        "not cover.",
    )


# ---------------------------------------------------------------------------------------------
# Iterative filtering: Lemma 4.5, Theorem 4.5; median and trimmed mean: Theorems 4.7, 4.8
# ---------------------------------------------------------------------------------------------


@register
class Lem45(AbstractBound):
    """Deterministic guarantee of iterative filtering: ||mu_hat - mu_S|| <= O(sigma sqrt(alpha))."""

    id = "lem4.5"
    example = {"alpha": 0.1, "sigma": 1.0}
    title = "Iterative filtering recovers the clean mean up to O(sigma sqrt(alpha))"
    kind = "rate"
    exact = False
    source = "L10696-10722"
    statement = (
        r"\left\|\tfrac1m\sum_i (x_i - \mu_S)(x_i - \mu_S)^\top\right\|_2 \le \sigma^2,\ \alpha \le 1/4 "
        r"\Rightarrow \|\hat\mu - \mu_S\|_2 \le O(\sigma\sqrt\alpha)"
    )
    params = (
        P.alpha.with_(upper=0.25, upper_open=False, typical=(0.0, 0.25)),
        P.sigma.with_(description="algorithm parameter sigma of Algorithm 4 (covariance bound (4.61))"),
        P.c,
    )
    quantities = {
        "value": c * sigma * sp.sqrt(alpha),
        "cap_times_m": (3 + alpha) / ((1 - alpha) * (3 - alpha)),
        "min_active_fraction": (1 - alpha) * (3 - alpha) / (3 + alpha),
    }
    value_text = r"\|\hat\mu - \mu_S\|_2 \lesssim"
    hypotheses = (
        Hypothesis("alpha <= 1/4", alpha, "<=", sp.Rational(1, 4), "L10706"),
        named("", "(4.61): the clean points' covariance is bounded by sigma^2 in operator norm", "L10714"),
    )
    monotone = {"value": {"alpha": +1, "sigma": +1}}
    notes = (
        "cap_times_m: the box 0 <= W_ji <= cap uses cap = (3 + alpha)/((1 - alpha)(3 - alpha) m) with the "
        "original m; the box is feasible only while |A| >= min_active_fraction * m.",
    )


@register
class Thm45(AbstractBound):
    """Iterative filtering is a Delta_ftr-inexact gradient oracle on W."""

    id = "thm4.5"
    example = {"n": 1000, "m": 100, "d": 10, "alpha": 0.1, "sigma": 1.0, "zeta": 1.0, "D": 10.0, "L": 1.0}
    title = "Iterative filtering as an inexact gradient oracle"
    kind = "rate"
    exact = False
    source = "L8952-8995, proof L10723-11261"
    statement = (
        r"\Delta_{\mathrm{ftr}} \le c\left((\sigma + \zeta)\sqrt{\frac{\alpha}{n}} + \zeta\sqrt{\frac{d}{nm}}\right)"
        r"\sqrt{\log(1 + nmDL)}\ \text{w.p.} \ge 1 - \frac{2}{(1 + nmDL)^d}"
    )
    params = (
        P.n,
        P.m,
        P.d,
        P.alpha.with_(upper=0.25, upper_open=False, typical=(0.0, 0.25)),
        P.sigma,
        P.zeta,
        P.D,
        P.L,
        P.c,
    )
    quantities = {
        "X": n * m * D * L,
        "value": c
        * ((sigma + zeta) * sp.sqrt(alpha / n) + zeta * sp.sqrt(d / (n * m)))
        * sp.sqrt(sp.log(1 + sym("X"))),
        "prob": 1 - 2 / (1 + sym("X")) ** d,
    }
    value_text = r"\Delta_{\mathrm{ftr}}"
    variants = {
        "printed": c * ((sigma + zeta) * sp.sqrt(alpha / n) + zeta * sp.sqrt(d / (n * m))) * sp.sqrt(sp.log(sym("X")))
    }
    hypotheses = (
        A42,
        A43,
        Hypothesis("alpha <= 1/4", alpha, "<=", sp.Rational(1, 4), "L8957-8958"),
        Hypothesis(
            "sigma <= zeta (zeta-sub-Gaussian implies Cov <= zeta^2 I)", sigma, "<=", zeta, "L8948-8954", necessary=True
        ),
    )
    probability = "prob"
    monotone = {"value": {"alpha": +1, "n": -1, "zeta": +1}}
    notes = (
        "The value uses the proof's log(1 + nmDL) (L11259); the statement prints log(nmDL) (variant 'printed', "
        "errata err4.6). The failure probability 2/(1 + nmDL)^d is the proof's 'o(1)'.",
    )


MED_LHS = alpha + sp.sqrt(d * sp.log(1 + sym("X")) / (m * (1 - alpha))) + sym("c1") * s_ / sp.sqrt(n)


@register
class Thm47(AbstractBound):
    """Coordinate-wise median is a Delta_med-inexact gradient oracle (constants c_1, c_3 unspecified)."""

    id = "thm4.7"
    example = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "D": 2.0, "L_hat": 2.0, "v": 3**0.5, "s": 1.6}
    title = "Median as an inexact gradient oracle"
    kind = "rate"
    exact = False
    source = "L11307-11388"
    statement = (
        r"\Delta_{\mathrm{med}} \le \frac{c_3}{\sqrt n}v\left(\alpha + \sqrt{\frac{d\log(nmD\hat L)}{m}} + "
        r"\frac{s}{\sqrt n}\right) + O\left(\frac{1}{nm}\right)"
    )
    params = (
        P.n,
        P.m,
        P.d,
        P.alpha,
        P.D,
        P.L_hat,
        Param("v", "sup_w (E||grad f - grad F||^2)^(1/2)", lower=0, lower_open=True, typical=(0.5, 5.0)),
        Param("s", "sup_w max_k absolute skewness of the partial derivatives (>= 1)", lower=1, typical=(1.0, 3.0)),
        Param(
            "c1",
            "constant of the skewness term in the condition (Chapter 3: 0.4748)",
            lower=0,
            lower_open=True,
            default=0.4748,
            typical=(0.4748, 0.4748),
        ),
        Param(
            "c2",
            "margin of the condition; omitted: the tightest admissible 1/2 - lhs",
            lower=0,
            lower_open=True,
            default=HALF - sym("lhs_med"),
            default_note="c2 omitted: used the tightest admissible c2 = 1/2 - lhs.",
            typical=(0.05, 0.4),
        ),
        P.c.with_(name="c3", description="the unspecified absolute constant c_3 (also multiplies O(1/(nm)))"),
    )
    quantities = {
        "X": n * m * D * L_hat,
        "lhs_med": MED_LHS,
        "value": sym("c3")
        * (v / sp.sqrt(n) * (alpha + sp.sqrt(d * sp.log(1 + sym("X")) / m) + s_ / sp.sqrt(n)) + 1 / (n * m)),
        "prob": 1 - 4 * d / (1 + sym("X")) ** d,
    }
    value_text = r"\Delta_{\mathrm{med}}"
    variants = {
        "printed": sym("c3")
        * (v / sp.sqrt(n) * (alpha + sp.sqrt(d * sp.log(sym("X")) / m) + s_ / sp.sqrt(n)) + 1 / (n * m))
    }
    hypotheses = (
        A44,
        Hypothesis("the median condition: lhs <= 1/2 - c2", sym("lhs_med"), "<=", HALF - sym("c2"), "L11309-11314"),
    )
    probability = "prob"
    monotone = {"value": {"alpha": +1, "n": -1, "v": +1}}
    notes = (
        "Chapter 3 (Theorem 3.8) makes the constants explicit: c1 = 0.4748, c3 = sqrt(2) C_eps; the "
        "failure probability 4d/(1 + nm L_hat D)^d is Chapter 3's.",
        "The condition has log(1 + nm D L_hat), the bound log(nm D L_hat) (variant 'printed', errata err4.10).",
    )


@register
class Thm48(AbstractBound):
    """Coordinate-wise trimmed mean is a Delta_tm-inexact gradient oracle (constants c_4, c_5, c_6)."""

    id = "thm4.8"
    example = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "xi": 1.5, "D": 2.0, "L_hat": 2.0}
    title = "Trimmed mean as an inexact gradient oracle"
    kind = "rate"
    exact = False
    source = "L11393-11422"
    statement = (
        r"\beta = c_4\alpha \le \tfrac12 - c_5 \Rightarrow \Delta_{\mathrm{tm}} \le c_6\xi d\left(\frac{\alpha}{\sqrt n}"
        r" + \frac{1}{\sqrt{nm}}\right)\sqrt{\log(nmD\hat L)}"
    )
    params = (
        P.n,
        P.m,
        P.d,
        P.alpha,
        Param("xi", "sub-exponential parameter (Assumption 4.5)", lower=0, lower_open=True, typical=(0.5, 3.0)),
        P.D,
        P.L_hat,
        Param("c4", "beta = c4 alpha, c4 >= 1", lower=1, default=1.0, typical=(1.0, 2.0)),
        Param(
            "c5",
            "margin beta <= 1/2 - c5; omitted: the tightest 1/2 - c4 alpha",
            lower=0,
            lower_open=True,
            default=HALF - sym("c4") * alpha,
            default_note="c5 omitted: used c5 = 1/2 - c4 alpha.",
            typical=(0.05, 0.4),
        ),
        P.c.with_(name="c6", description="the unspecified constant c_6"),
    )
    quantities = {
        "X": n * m * D * L_hat,
        "beta": sym("c4") * alpha,
        "value": sym("c6") * xi * d * (alpha / sp.sqrt(n) + 1 / sp.sqrt(n * m)) * sp.sqrt(sp.log(1 + sym("X"))),
        "prob": 1 - 2 * d * (m + 1) / (1 + sym("X")) ** d,
    }
    value_text = r"\Delta_{\mathrm{tm}}"
    variants = {"printed": sym("c6") * xi * d * (alpha / sp.sqrt(n) + 1 / sp.sqrt(n * m)) * sp.sqrt(sp.log(sym("X")))}
    hypotheses = (A44, A45, Hypothesis("beta <= 1/2 - c5", sym("beta"), "<=", HALF - sym("c5"), "L11393-11400"))
    probability = "prob"
    monotone = {"value": {"alpha": +1, "n": -1, "xi": +1}}
    notes = (
        "c6 depends on c4 and c5 through Chapter 3's Theorem 3.11 (about max(3 sqrt 2 c4, 2)/c5), though the "
        "text calls it absolute.",
    )


# ---------------------------------------------------------------------------------------------
# Errata of Chapter 4
# ---------------------------------------------------------------------------------------------

from ._errata import Erratum, register_erratum  # noqa: E402

THM44_EXAMPLE: dict[str, Any] = dict(Thm44.example)  # keyword arguments of evaluate/assess
THM43_EXAMPLE = dict(Thm43.example)


def _check_thm44_T_th(L_over_LF: float = 2.0) -> tuple[bool, str]:
    """With T_th = L/(12 rho_F (R + r)) and L > L_F, the coupling condition (4.42) fails."""
    from ._base import get_bound

    q = get_bound("thm4.4").assess(**THM44_EXAMPLE).quantities
    rho, LF = THM44_EXAMPLE["rho_F"], THM44_EXAMPLE["L_F"]
    T_printed = L_over_LF * LF / (12 * rho * (q["R"] + q["r"]))
    coupling = 12 * rho * (q["R"] + q["r"]) * T_printed / LF
    ok = coupling > 1
    return ok, (
        f"with L = {L_over_LF:g} L_F the printed T_th = {T_printed:.6g} gives 12 eta rho_F (R + r) T_th = "
        f"{coupling:.4g} {'>' if ok else '<='} 1, so (4.42) and the proof's induction fail; with L_F it is 1."
    )


def _check_thm44_log(rho: float = 0.5) -> tuple[bool, str]:
    from ._base import get_bound

    p = {**THM44_EXAMPLE, "rho_F": rho}
    thm = get_bound("thm4.4")
    printed = float(thm.evaluate(variant="printed", **p))
    proved = float(thm.evaluate(**p))
    gamma = float(thm.evaluate("gamma", **p))
    ok = printed < proved and gamma <= proved
    return ok, (
        f"at rho_F = {rho:g}: the proof's curvature level gamma = {gamma:.6g} <= 60 sqrt(rho eps) log(8 sqrt(d) "
        f"F_gap/(delta eps^2)) = {proved:.6g}, but the printed bound {printed:.6g} is smaller: with rho_F < 1 "
        f"the printed statement is not what the proof establishes."
    )


def _check_lem42_factor(gamma_: float = 0.5) -> tuple[bool, str]:
    H = np.diag([-1.0, -0.9, 1.0])  # lambda_min = -1 <= -gamma; e = e_1; e-perp holds -0.9
    eta = 1.0  # L_F = 1
    perp = np.eye(3)[1:]
    A = perp @ (np.eye(3) - eta * H) @ perp.T
    norm = float(np.linalg.norm(A, 2))
    ok = norm > 1 + eta * gamma_ and norm <= 1 + eta * 1.0 + 1e-12
    return ok, (
        f"H = diag(-1, -0.9, 1), gamma = {gamma_:g}: ||(I - eta H) on e-perp|| = {norm:.4g} > 1 + eta gamma = "
        f"{1 + eta * gamma_:.4g}, but <= 1 + eta|lambda_min| = 2: (4.34) needs |lambda_min(H)| in place of gamma."
    )


def _check_prop43_part_i(Delta_: float = 0.3) -> tuple[bool, str]:
    rng = np.random.default_rng(0)
    w0 = rng.uniform(-10, 10, 1000)
    e = Delta_ * rng.uniform(-1, 1, 1000)
    w1 = w0 - 0.5 * (2 * (w0 - 1) + e)
    gap = (w1 - 1) ** 2
    ok = bool(gap.max() <= Delta_**2 / 4 + 1e-15) and Delta_**2 / 4 < Delta_
    return ok, (
        f"F1 = (w - 1)^2, eta = 1/2, Delta = {Delta_:g}: after one step the largest gap over 1000 random starts "
        f"and errors is {gap.max():.4g} <= Delta^2/4 = {Delta_**2 / 4:.4g}: the stated O(Delta) is loose."
    )


def _check_T_th_regime() -> tuple[bool, str]:
    from ._base import get_bound

    p: dict[str, Any] = {"L_F": 2.0, "rho_F": 0.5, "d": 4, "Delta": 1e-3, "delta": 0.1, "F_gap": 1.0}
    q = get_bound("thm4.3").assess(**p).quantities
    ok = q["T_th"] < 1 and q["gamma"] > p["L_F"]
    return ok, (
        f"catalog configuration L_F = 2, rho_F = 1/2, d = 4, Delta = 1e-3: T_th = {q['T_th']:.6g} < 1 and "
        f"gamma = {q['gamma']:.6g} > L_F; T_th >= 1 needs Delta < 384^(-5/2) d^(-1/2) = "
        f"{384**-2.5 / 2:.3g}."
    )


def _check_sub_exponential(scale: float = 10.0) -> tuple[bool, str]:
    # Laplace(0, b): E exp(l X) = 1/(1 - b^2 l^2) for |l| < 1/b; take xi = 2b (admissible for ||u|| = 1).
    b = 1.0
    xi_ = 2.0 * b
    lam_ = 1.0 / (2 * xi_)
    u = scale
    t = lam_ * u
    mgf = 1.0 / (1 - (b * t) ** 2) if abs(b * t) < 1 else math.inf
    bound = math.exp(0.5 * xi_**2 * lam_**2 * u**2)
    unit_mgf = 1.0 / (1 - (b * lam_) ** 2)
    unit_bound = math.exp(0.5 * xi_**2 * lam_**2)
    ok = unit_mgf <= unit_bound and mgf > bound
    return ok, (
        f"Laplace(0, 1), xi = 2, lambda = 1/(2 xi): with ||u|| = 1 the condition holds ({unit_mgf:.4g} <= "
        f"{unit_bound:.4g}); with u = {scale:g} the MGF is {mgf} > {bound:.4g}: read literally (u unrestricted) "
        f"no Laplace vector is sub-exponential."
    )


register_erratum(
    Erratum(
        id="err4.1",
        item="thm4.4",
        title="Theorem 4.4's T_th has L where the proof needs L_F",
        kind="typo",
        source="L8858-8860 vs (4.50), L10290-10300",
        printed="T_th = L / (12 rho_F (R + r))",
        corrected="T_th = L_F / (12 rho_F (R + r))",
        evidence=(
            "(4.50) sets T_th = (2/(eta gamma)) log_{9/4}(.) with eta = 1/L_F and gamma = 24 rho_F (R + r) log_{9/4}(.), "
            "which is L_F/(12 rho_F (R + r)); L (Assumption 4.3) belongs to Section 4.5."
        ),
        check=_check_thm44_T_th,
    )
)
register_erratum(
    Erratum(
        id="err4.2",
        item="thm4.4",
        title="Theorem 4.4's log has a factor rho_F the proof does not give",
        kind="mismatch",
        source="L8871-8874 vs L10390-10398",
        printed="lambda_min >= -60 sqrt(rho_F eps) log(8 rho_F sqrt(d) (F_0 - F^*)/(delta eps^2))",
        corrected="lambda_min >= -60 sqrt(rho_F eps) log(8 sqrt(d) (F_0 - F^*)/(delta eps^2))",
        evidence=(
            "mu = delta eps^(5/2)/(2 sqrt(rho_F d)(F_0 - F^*)) and R = sqrt(eps/rho_F) give 4R/mu = "
            "8 sqrt(d)(F_0 - F^*)/(delta eps^2): no rho_F. With rho_F < 1 the printed bound is stronger than the proof."
        ),
        printed_expr=sym("eps_H_printed"),
        corrected_expr=sym("eps_H"),
        example={**THM44_EXAMPLE, "rho_F": 0.5},
        check=_check_thm44_log,
    )
)
register_erratum(
    Erratum(
        id="err4.3",
        item="prop4.2",
        title="Proposition 4.2's radius: D/2 in the statement, C (F_0 - F^*)/Delta in the proof",
        kind="typo",
        source="L8918-8922 vs L10550-10575",
        printed="w in B_{w^0}(D/2), D = C (F_0 - F^*)/Delta",
        corrected="||w - w^0|| <= C (F_0 - F^*)/Delta (a factor 2 absorbed in C); iterates of failed Escape rounds "
        "add r + R; the 'regime Delta -> 0' is not needed for Delta <= 1",
        evidence=(
            "The proof bounds sum_t ||w_t - w~_t|| + E r by (C_1 + C_2)(F_0 - F^*)/Delta; explicit C_1, C_2 in "
            "prop4.2's quantities."
        ),
        printed_expr=sym("value") / 2,
        corrected_expr=sym("value"),
        example=dict(Prop42.example),
    )
)
register_erratum(
    Erratum(
        id="err4.4",
        item="thm4.3",
        title="Theorem 4.3: T_th and Q are not integers, and T_th < 1 outside a tiny-Delta regime",
        kind="mismatch",
        source="L8675-8690, footnote 4 L9516",
        printed="T_th = L_F/(384 (rho_F^(1/2) + L_F)(Delta^(2/5) d^(1/5) + Delta^(3/5) d^(3/10))), Q = 2 log(...)",
        corrected="use max(1, floor(T_th)) and max(1, ceil(Q)); the theorem applies as stated only where T_th >= 1 "
        "(Delta < 384^(-5/2) d^(-1/2)) and Q >= 1",
        evidence=(
            "Footnote 4 assumes (2/(eta gamma)) log_{9/4}(.) is an integer; no rounding rule is given. The iteration "
            "bound also omits the final failed Escape (Q (T_th + 1) oracle calls)."
        ),
        printed_expr=sym("iterations"),
        corrected_expr=sym("iterations_int"),
        example=THM43_EXAMPLE,
        check=_check_T_th_regime,
    )
)
register_erratum(
    Erratum(
        id="err4.5",
        item="lem4.2",
        title="(4.34) bounds the e-perp growth by 1 + eta gamma instead of 1 + eta|lambda_min(H)|",
        kind="typo",
        source="(4.34), L9958-9972",
        printed="phi_{t+1} <= (1 + eta gamma) phi_t + ...",
        corrected="phi_{t+1} <= (1 + eta |lambda_min(H)|) phi_t + ...",
        evidence="The eigenvalues of H on e-perp lie in [lambda_min(H), L_F]; the induction needs only (4.42) and survives.",
        check=_check_lem42_factor,
    )
)
register_erratum(
    Erratum(
        id="err4.6",
        item="thm4.5",
        title="Theorem 4.5 prints log(nmDL) where the proof has log(1 + nmDL)",
        kind="typo",
        source="L8981 vs L11259",
        printed="sqrt(log(n m D L))",
        corrected="sqrt(log(1 + n m D L))",
        evidence="The net argument chooses delta_0 = 1/(nmL) and failure probability (1 + mnDL)^(-d); for nmDL < 1 the printed "
        "form is undefined.",
        printed_expr=sym("c")
        * ((sigma + zeta) * sp.sqrt(alpha / n) + zeta * sp.sqrt(d / (n * m)))
        * sp.sqrt(sp.log(sym("X"))),
        corrected_expr=sym("value"),
        example=dict(Thm45.example),
    )
)
register_erratum(
    Erratum(
        id="err4.7",
        item="prop4.3",
        title="Proposition 4.3(i) claims an O(Delta) gap; one step gives Delta^2/4",
        kind="loose",
        source="L9171-9181, L9195",
        printed="F1(w) - F1(w*) <= O(Delta)",
        corrected="F1(w) - F1(w*) <= Delta^2/4 after one step with eta = 1/2",
        evidence="w_1 = 1 - e/2 with |e| <= Delta. The proof cites 'Theorem 1 in Chapter 3' (Theorem 3.1).",
        printed_expr=Delta,
        corrected_expr=sym("gap_part_i"),
        example=dict(Prop43.example),
        check=_check_prop43_part_i,
    )
)
register_erratum(
    Erratum(
        id="err4.8",
        item="thm4.1",
        title="Theorem 4.1's converse says 'or'; Proposition 4.1 proves 'and'",
        kind="typo",
        source="L8280-8284 vs L8826-8828",
        printed="no algorithm finds ||grad F|| < Delta/2 or lambda_min > -Delta^(1/2)/2",
        corrected="for some f in the class the output has ||grad F|| > Delta/2 and lambda_min < -Delta^(1/2)/2",
        evidence="The sine construction makes both inequalities hold at s* = pi/4 - w~/sqrt(Delta).",
    )
)
register_erratum(
    Erratum(
        id="err4.9",
        item="def4.4",
        title="Definition 4.4's sub-exponential condition, read literally, implies sub-Gaussianity",
        kind="mismatch",
        source="L8907-8911",
        printed="E exp(lambda <x - mu, u>) <= exp(xi^2 lambda^2 ||u||^2/2) for all |lambda| < 1/xi and all u",
        corrected="... for all |lambda| < 1/xi and all unit u (equivalently |lambda| ||u|| < 1/xi)",
        evidence="Fix lambda and scale u freely: the condition then holds for every lambda, i.e. x is sub-Gaussian.",
        check=_check_sub_exponential,
    )
)
register_erratum(
    Erratum(
        id="err4.10",
        item="thm4.7",
        title="Theorem 4.7: log(1 + nmDL_hat) in the condition, log(nmDL_hat) in the bound",
        kind="typo",
        source="L11312 vs L11336",
        printed="sqrt(d log(n m D L_hat)/m)",
        corrected="sqrt(d log(1 + n m D L_hat)/(m(1 - alpha)))",
        evidence="Chapter 3's Theorem 3.8 (the source of the bound) has log(1 + X) and the factor (1 - alpha).",
        printed_expr=sym("c3") * sp.sqrt(d * sp.log(sym("X")) / m),
        corrected_expr=sym("c3") * sp.sqrt(d * sp.log(1 + sym("X")) / m),
        example=dict(Thm47.example),
    )
)
register_erratum(
    Erratum(
        id="err4.11",
        item="lem4.5",
        title="(4.61) prints (x - mu_S)^T for (x_i - mu_S)^T",
        kind="typo",
        source="L10714, (4.63) L10735",
        printed="||(1/m) sum_i (x_i - mu_S)(x - mu_S)^T||_2 <= sigma^2",
        corrected="||(1/m) sum_i (x_i - mu_S)(x_i - mu_S)^T||_2 <= sigma^2",
        evidence="(4.63) uses (1/m)||X - mu_S 1^T||_2^2, the covariance of the clean points.",
    )
)
register_erratum(
    Erratum(
        id="err4.12",
        item="lem4.5",
        title="Algorithm 4 requires alpha < 1/4, Lemma 4.5 and Theorem 4.5 allow alpha <= 1/4",
        kind="typo",
        source="L10590 vs L8957, L10706",
        printed="Require: alpha in [0, 1/4)",
        corrected="alpha <= 1/4 (the box stays feasible at alpha = 1/4: "
        "(1 - alpha)(3 - alpha)/(3 + alpha) = 0.6346 < 1)",
        evidence="boundlab accepts alpha <= 1/4 in both.",
    )
)
register_erratum(
    Erratum(
        id="err4.13",
        item="lem4.2",
        title="L10068 writes phi_{T_th} where the chain needs psi_{T_th}",
        kind="typo",
        source="L10068",
        printed="||u_{T_th} - y_{T_th}|| >= phi_{T_th}",
        corrected="||u_{T_th} - y_{T_th}|| >= psi_{T_th}",
        evidence="psi_t = |<v_t, e>| is the component that grows by (1 + eta gamma/2) per step.",
    )
)
