r"""Chapter 3: statistical rates in Byzantine-robust distributed learning.

Every numbered item of the chapter (dissertation lines 3521-8161), with the explicit constants of
the proofs in Section 3.9. Names: ``n`` samples per machine, ``m`` machines, ``alpha`` Byzantine
fraction, ``beta`` trimming fraction, ``eps`` the margin of (3.2), ``D`` the diameter of
:math:`\mathcal W`, ``L_hat`` :math:`\hat L`, ``r0`` :math:`\|w^0 - w^*\|_2`, ``F_gap``
:math:`F(w^0) - F(w^*)`. ``log`` is the natural logarithm (forced by the proofs, L6009-6020).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from ._base import AbstractBound, AbstractStatement, Hypothesis, Param, register
from ._base import register_statement as _statement
from ._symbols import NormalQuantile, sym

# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------

HALF = sp.Rational(1, 2)
BE = sp.Rational(4748, 10000)  # Berry-Esseen constant 0.4748 (Theorem 3.9)

n, m, d, alpha, beta, eps = (sym(s) for s in ("n", "m", "d", "alpha", "beta", "eps"))
D, L_hat, L_F, lambda_F, V, S, v = (sym(s) for s in ("D", "L_hat", "L_F", "lambda_F", "V", "S", "v"))
T, r0, t, s_, sigma, gamma = (sym(s) for s in ("T", "r0", "t", "s", "sigma", "gamma"))
F_gap, M = sym("F_gap"), sym("M")
C_eps_, Delta_, Dp_, lhs_, kappa_, X_ = (sym(s) for s in ("C_eps", "Delta", "Delta_prime", "lhs_3_2", "kappa", "X"))


class P:
    """Parameter templates of Chapter 3 (each theorem picks and adapts them)."""

    n = Param("n", "samples per normal machine", lower=1, integer=True, typical=(100, 100000))
    m = Param("m", "number of worker machines", lower=1, integer=True, typical=(10, 10000))
    d = Param("d", "dimension of w", lower=1, integer=True, typical=(1, 100))
    alpha = Param("alpha", "fraction of Byzantine machines", lower=0, upper=0.5, upper_open=True, typical=(0.0, 0.1))
    beta = Param(
        "beta", "trimming fraction of the trimmed mean", lower=0, upper=0.5, upper_open=True, typical=(0.05, 0.2)
    )
    eps = Param(
        "eps",
        "margin of condition (3.2); omitted: the tightest admissible value",
        lower=0,
        upper=0.5,
        lower_open=True,
        upper_open=True,
        typical=(0.05, 0.45),
    )
    D = Param("D", "diameter of the parameter space W", lower=0, lower_open=True, typical=(1.0, 10.0))
    L_hat = Param("L_hat", "sqrt(sum_k L_k^2), Assumption 3.1", lower=0, lower_open=True, typical=(1.0, 10.0))
    L_F = Param("L_F", "smoothness constant of F", lower=0, lower_open=True, typical=(1.0, 10.0))
    lambda_F = Param("lambda_F", "strong-convexity constant of F", lower=0, lower_open=True, typical=(0.1, 1.0))
    V = Param("V", "V^2 >= Var(grad f(w; z)) on W, Assumption 3.2", lower=0, lower_open=True, typical=(0.5, 5.0))
    S = Param("S", "bound on the absolute skewness of the gradient, Assumption 3.3", lower=1, typical=(1.0, 3.0))
    v = Param(
        "v",
        "sub-exponential parameter of the partial derivatives, Assumption 3.6",
        lower=0,
        lower_open=True,
        typical=(0.5, 3.0),
    )
    T = Param("T", "number of parallel iterations", lower=0, integer=True, typical=(10, 1000))
    r0 = Param("r0", "||w^0 - w*||_2", lower=0, typical=(0.1, 10.0))
    F_gap = Param("F_gap", "F(w^0) - F(w*)", lower=0, lower_open=True, typical=(0.1, 10.0))
    M = Param("M", "bound on ||grad F(w)||_2 on W, Assumption 3.5", lower=0, typical=(0.1, 10.0))
    t = Param("t", "free deviation parameter", lower=0, lower_open=True, typical=(1.0, 5.0))
    sigma = Param("sigma", "standard deviation of one sample", lower=0, lower_open=True, typical=(0.1, 10.0))
    gamma = Param("gamma", "absolute skewness of one sample (>= 1)", lower=1, typical=(1.0, 3.0))


# Catalog configurations (chapter3.md section 6): Model R (Rademacher regression, d = 2, sigma = 1,
# W = ball(w*, 1), S = 2 sqrt(2/pi)) and Model E (Exp(1) data, n = 100, m = 201, q = 10, t = 2).
MODEL_R_BASE = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "D": 2.0, "L_hat": 2.0, "S": 1.5957691216057308}
MODEL_R = {**MODEL_R_BASE, "V": 3**0.5}
MODEL_R_TRIMMED: dict[str, Any] = {
    "n": 1000,
    "m": 1000,
    "d": 2,
    "alpha": 0.05,
    "beta": 0.05,
    "D": 2.0,
    "L_hat": 2.0,
    "v": 2**0.5,
}
MODEL_E_LEMMA = {"n": 100, "m": 201, "alpha": 10 / 201, "t": 2.0, "sigma": 1.0, "gamma": 12 / 2.718281828459045 - 2}


def C_eps(e: sp.Expr = eps) -> sp.Expr:
    """(3.4): C_eps = sqrt(2 pi) exp(Phi^{-1}(1 - eps)^2 / 2)."""
    return sp.sqrt(2 * sp.pi) * sp.exp(NormalQuantile(1 - e) ** 2 / 2)


X = n * m * L_hat * D
LHS_32 = alpha + sp.sqrt(d * sp.log(1 + X_) / (m * (1 - alpha))) + BE * S / sp.sqrt(n)
DELTA = sp.sqrt(2) * C_eps_ / sp.sqrt(n) * V * lhs_ + 2 * sp.sqrt(2) / (n * m)
PROB_MEDIAN = 1 - 4 * d / (1 + X_) ** d
KAPPA = lambda_F / (L_F + lambda_F)

# Theorem 3.11 / 3.4, fully explicit Delta' (L7030-7075)
a_, b_, t_dev, s_dev = sym("a"), sym("b"), sym("t_dev"), sym("s_dev")
A_EXPR = 8 * d / (n * m) * sp.log(1 + X_)
B_EXPR = 4 / n * (d * sp.log(1 + X_) + sp.log(m))
DELTA_PRIME_FULL = sp.sqrt(2 * d) / (1 - 2 * beta) * (t_dev + 3 * beta * s_dev) + 2 * sp.sqrt(2) * (1 + 3 * beta) / (
    (1 - 2 * beta) * n * m
)
DELTA_PRIME_PAPER = (
    v
    / eps
    * (3 * sp.sqrt(2) * beta * d / sp.sqrt(n) + 2 * d / sp.sqrt(n * m))
    * sp.sqrt(sp.log(1 + X_) + sp.log(m) / d)
)


def _median_quantities(**extra: sp.Expr) -> dict[str, sp.Expr]:
    q: dict[str, sp.Expr] = {
        "X": X,
        "lhs_3_2": LHS_32,
        "C_eps": C_eps(),
        "Delta": DELTA,
        "prob": PROB_MEDIAN,
    }
    q.update(extra)
    return q


def _trimmed_quantities(**extra: sp.Expr) -> dict[str, sp.Expr]:
    q: dict[str, sp.Expr] = {
        "X": X,
        "a": A_EXPR,
        "b": B_EXPR,
        "t_dev": v * sp.Max(a_, sp.sqrt(a_)),
        "s_dev": v * sp.Max(b_, sp.sqrt(b_)),
        "Delta_prime": DELTA_PRIME_FULL,
        "Delta_prime_paper": DELTA_PRIME_PAPER,
        "prob": 1 - 4 * d / (1 + X_) ** d,
        "prob_thm3_11": 1 - 2 * d * (m + 1) / (1 + X_) ** d,
        "prob_proof": 1 - 2 * d * (1 + 1 / m) / (1 + X_) ** d,
    }
    q.update(extra)
    return q


EPS_MEDIAN = P.eps.with_(
    default=HALF - lhs_, default_note="eps omitted: used the tightest admissible eps = 1/2 - lhs(3.2)."
)
EPS_TRIMMED = P.eps.with_(
    description="margin in beta <= 1/2 - eps; omitted: eps = 1/2 - beta",
    default=HALF - beta,
    default_note="eps omitted: used the tightest admissible eps = 1/2 - beta.",
)

MEDIAN_PARAMS = (P.n, P.m, P.d, P.alpha, EPS_MEDIAN, P.D, P.L_hat, P.V, P.S)
TRIMMED_PARAMS = (P.n, P.m, P.d, P.alpha, P.beta, EPS_TRIMMED, P.D, P.L_hat, P.v)


def named(item: str, text: str, source: str) -> Hypothesis:
    """A hypothesis that cannot be decided from the parameters (an assumption on the data)."""
    return Hypothesis(text=text, source=source, item=item)


A31 = named("asm3.1", "Assumption 3.1: smoothness of f and F (L_k, L, L_F)", "L3970-3984")
A32 = named("asm3.2", "Assumption 3.2: Var(grad f(w; z)) <= V^2 on W", "L3992")
A33 = named("asm3.3", "Assumption 3.3: ||gamma(grad f(w; z))||_inf <= S on W", "L3994")
A36 = named("asm3.6", "Assumption 3.6: every partial derivative is v-sub-exponential", "L4254-4260")
A37 = named("asm3.7", "Assumption 3.7: each normal machine's F_i is strongly convex a.s.", "L4547-4554")
STRONGLY_CONVEX = named("", "F is lambda_F-strongly convex", "L4030-4035")
CONVEX = named("", "F is convex", "L4169-4173")
U4 = named("", "grad F(w*) = 0: the minimiser over W is the minimiser over R^d", "L4021-4024")
SATISFIABLE_32 = Hypothesis("condition (3.2) is satisfiable: lhs(3.2) < 1/2", lhs_, "<", HALF, "L4033-4046")
COND_32 = Hypothesis("condition (3.2)", lhs_, "<=", HALF - eps, "L4033-4046", rounding=0.5)
BETA_EPS = Hypothesis("beta <= 1/2 - eps", beta, "<=", HALF - eps, "L4280-4283", rounding=0.5)
ALPHA_BETA = Hypothesis("the trimmed mean removes at least the Byzantine fraction", alpha, "<=", beta, "L4280-4283")
LAMBDA_LF = Hypothesis("strong convexity cannot exceed smoothness", lambda_F, "<=", L_F, "L5388-5402")
A34 = Hypothesis(
    "Assumption 3.4: W contains the ball of radius 2 r0 around w* (needs D >= 4 r0)",
    D,
    ">=",
    4 * r0,
    "L4163-4164",
    necessary=True,
    item="asm3.4",
)


# ---------------------------------------------------------------------------------------------
# Definitions, assumptions, algorithms (statements)
# ---------------------------------------------------------------------------------------------


_statement(
    "def3.1",
    "Coordinate-wise median",
    "definition",
    "L3843-3845",
    r"\hat g = \mathrm{med}\{x^i : i \in [m]\},\ g_k = \mathrm{med}\{x^i_k : i \in [m]\}",
    notes_=(
        "The text does not define the median of an even number of values; the proof of "
        "Corollary 3.1 (p-hat(med) = 1/2, L5695) is exact only for odd m.",
    ),
)
_statement(
    "def3.2",
    "Coordinate-wise trimmed mean",
    "definition",
    "L3847-3863",
    r"g_k = \frac{1}{(1-2\beta)m} \sum_{x \in U_k} x,\ U_k = \{x^i_k\} \text{ without its largest and "
    r"smallest } \beta \text{ fraction}",
    notes_=("The normalisation 1/((1-2 beta) m) equals 1/|U_k| only when beta*m is an integer.",),
)
_statement(
    "def3.3",
    "Variance of a random vector",
    "definition",
    "L3868-3871",
    r"\mathrm{Var}(x) = \mathbb E\|x - \mathbb E x\|_2^2",
)
_statement(
    "def3.4",
    "Absolute skewness",
    "definition",
    "L3873-3883",
    r"\gamma(X) = \frac{\mathbb E|X - \mathbb E X|^3}{\mathrm{Var}(X)^{3/2}},\ "
    r"\gamma(x) = [\gamma(x_1), \dots, \gamma(x_d)]^\top",
    notes_=("gamma(X) >= 1 by Lyapunov's inequality; N(0,1): 2 sqrt(2/pi); Exp(1): 12/e - 2.",),
)
_statement(
    "def3.5",
    "v-sub-exponential random variable",
    "definition",
    "L3885-3893",
    r"\mathbb E e^{\lambda(X-\mu)} \le e^{v^2\lambda^2/2}\ \forall |\lambda| < 1/v",
)
_statement("def3.6", "Lipschitz function", "definition", "L3902-3904", r"|h(w) - h(w')| \le L\|w - w'\|_2")
_statement(
    "def3.7", "Smooth function", "definition", "L3906-3908", r"\|\nabla h(w) - \nabla h(w')\|_2 \le L'\|w - w'\|_2"
)
_statement(
    "def3.8",
    "Strongly convex function",
    "definition",
    "L3910-3912",
    r"h(w') \ge h(w) + \langle \nabla h(w), w' - w\rangle + \frac{\lambda}{2}\|w' - w\|_2^2",
)
_statement(
    "def3.9",
    "Quadratic loss function",
    "definition",
    "L4524-4542",
    r"f(w; z) = \tfrac12 w^\top H w + p^\top w + c,\ z = (H, p, c),\ "
    r"F(w) = \tfrac12 w^\top H_F w + p_F^\top w + c_F",
    notes_=("(H, p, c) is one joint draw: sigma-tilde of Theorem 3.7 depends on the joint law.",),
)
_statement(
    "asm3.1",
    "Smoothness of f and F",
    "assumption",
    "L3970-3984",
    r"\partial_k f(\cdot; z)\ L_k\text{-Lipschitz},\ f(\cdot; z)\ L\text{-smooth},\ "
    r"\hat L = \sqrt{\textstyle\sum_k L_k^2},\ F\ L_F\text{-smooth};\ L_F \le L \le \hat L",
)
_statement(
    "asm3.2",
    "Bounded variance of the gradient",
    "assumption",
    "L3992",
    r"\mathrm{Var}(\nabla f(w; z)) \le V^2\ \forall w \in \mathcal W",
)
_statement(
    "asm3.3",
    "Bounded skewness of the gradient",
    "assumption",
    "L3994",
    r"\|\gamma(\nabla f(w; z))\|_\infty \le S\ \forall w \in \mathcal W",
)
_statement(
    "asm3.4",
    "Size of W (convex case)",
    "assumption",
    "L4163-4164",
    r"\{w : \|w - w^*\|_2 \le 2\|w^0 - w^*\|_2\} \subseteq \mathcal W",
)
_statement(
    "asm3.5",
    "Size of W (non-convex case)",
    "assumption",
    "L4209-4213",
    r"\|\nabla F(w)\|_2 \le M\ \text{on } \mathcal W,\ \{w : \|w - w^0\|_2 \le \frac{2}{\Delta^2}(M + \Delta)"
    r"(F(w^0) - F(w^*))\} \subseteq \mathcal W",
)
_statement(
    "asm3.6",
    "Sub-exponential gradients",
    "assumption",
    "L4254-4260",
    r"\partial_k f(w; z)\ \text{is } v\text{-sub-exponential}\ \forall k, w",
)
_statement(
    "asm3.7",
    "Strong convexity of each F_i",
    "assumption",
    "L4547-4554",
    r"F_i\ \text{is strongly convex with probability 1 on every normal machine}",
)
_statement(
    "alg3.1",
    "Robust distributed gradient descent (Options I and II)",
    "algorithm",
    "L3914-3964",
    r"w^{t+1} = \Pi_{\mathcal W}(w^t - \eta\, \mathrm{med}\{\hat g_i(w^t)\})\ \text{(I) or }"
    r"\mathrm{trmean}_\beta\{\hat g_i(w^t)\}\ \text{(II)},\ \eta = 1/L_F",
)
_statement(
    "alg3.2",
    "Robust one-round algorithm",
    "algorithm",
    "L4490-4522",
    r"\hat w = \mathrm{med}\{\hat w_i\},\ \hat w_i = \arg\min_{w} F_i(w)\ \text{on normal machines}",
)
_statement(
    "rem3.1",
    "Delta' replaces Delta for non-strongly convex and non-convex F",
    "remark",
    "L6804-6806",
    "The proofs of Theorems 3.2 and 3.3 go through with Delta replaced by Delta' (Theorem 3.11); "
    "this proves Theorems 3.5 and 3.6.",
)


# ---------------------------------------------------------------------------------------------
# Constants and conditions
# ---------------------------------------------------------------------------------------------


@register
class CEps(AbstractBound):
    r"""The constant :math:`C_\varepsilon` of (3.4), defined in the proof of Lemma 3.1 (L6302-6305)."""

    id = "eq3.4"
    example = {"eps": 1 / 6}
    title = "The constant C_eps"
    kind = "exact"
    source = "L4095-4105, L6302-6305"
    statement = r"C_\varepsilon = \sqrt{2\pi}\exp\left(\tfrac12 (\Phi^{-1}(1-\varepsilon))^2\right)"
    params = (P.eps.with_(default=None, description="margin eps in (0, 1/2)"),)
    quantities = {"value": C_eps()}
    value_text = r"C_\varepsilon"
    monotone = {"value": {"eps": -1}}
    notes = ("C_eps decreases from +inf to sqrt(2 pi) on (0, 1/2); C_{1/6} = 4.002386 ('about 4', L4110).",)


@register
class Condition32(AbstractBound):
    """The left side of condition (3.2) and the tightest admissible eps."""

    id = "eq3.2"
    example = MODEL_R_BASE
    title = "Condition (3.2) on the Byzantine fraction"
    kind = "exact"
    source = "L4033-4046"
    statement = (
        r"\alpha + \sqrt{\frac{d\log(1+nm\hat L D)}{m(1-\alpha)}} + 0.4748\frac{S}{\sqrt n} "
        r"\le \frac12 - \varepsilon"
    )
    params = (P.n, P.m, P.d, P.alpha, P.D, P.L_hat, P.S)
    quantities = {"X": X, "value": LHS_32, "eps_star": HALF - sym("value")}
    value_text = r"\mathrm{lhs}_{(3.2)}"
    hypotheses = (Hypothesis("condition (3.2) is satisfiable: lhs(3.2) < 1/2", sym("value"), "<", HALF, "L4033-4046"),)
    monotone = {"value": {"alpha": +1, "S": +1, "m": -1}}
    notes = ("With S = 480 (Proposition 3.1 as printed) the S-term alone needs n > (0.4748*480/0.5)^2 ~ 207,761.",)


# ---------------------------------------------------------------------------------------------
# Propositions 3.1-3.3 (exact moments)
# ---------------------------------------------------------------------------------------------

RADIUS = Param("r", "||w - w*||_2 (for V^2 over a ball of radius r around w*, the sup)", lower=0, typical=(0.1, 3.0))
r_ = sym("r")


@register
class Prop31(AbstractBound):
    """Gradient variance and skewness bound of least squares with Rademacher features."""

    id = "prop3.1"
    example = {"d": 2, "sigma": 1.0, "r": 1.0}
    title = "Linear regression, Rademacher features: variance and skewness of the gradient"
    kind = "exact"
    source = "L3999-4019, proof L4809-5037"
    statement = (
        r"\mathrm{Var}(\nabla f(w)) = (d-1)\|w - w^*\|_2^2 + d\sigma^2,\quad "
        r"\|\gamma(\nabla f(w))\|_\infty \le 480"
    )
    params = (P.d, P.sigma, RADIUS)
    quantities = {
        "value": (d - 1) * r_**2 + d * sigma**2,
        "skewness_bound": sp.Integer(480),
        "skewness_bound_proof": sp.sqrt(480),
        "skewness_tight": 2 * sp.sqrt(2 / sp.pi),
    }
    value_text = r"\mathrm{Var}(\nabla f(w; x, y))"
    monotone = {"value": {"d": +1, "r": +1, "sigma": +1}}
    notes = (
        "The proof's chain gives sqrt(480) = 21.909, not 480 (errata).",
        "skewness_tight = 2 sqrt(2/pi) (attained at w = w*) is the catalog's sharp-Khintchine value, "
        "not the dissertation's.",
    )


@register
class Prop32(AbstractBound):
    """Sub-exponential parameter of the Rademacher-feature regression gradient."""

    id = "prop3.2"
    example = {"sigma": 1.0, "r": 1.0}
    title = "Linear regression, Rademacher features: sub-exponential gradients"
    kind = "exact"
    source = "L4262-4271, proof L5250-5296"
    statement = r"\partial_k f(w; z)\ \text{is}\ \sqrt{\sigma^2 + \|w - w^*\|_2^2}\text{-sub-exponential}"
    params = (P.sigma, RADIUS)
    quantities = {"value": sp.sqrt(sigma**2 + r_**2)}
    value_text = "v"
    monotone = {"value": {"r": +1, "sigma": +1}}


@register
class Prop33(AbstractBound):
    """Gradient variance and skewness bound of least squares with Gaussian features."""

    id = "prop3.3"
    example = {"d": 2, "sigma": 1.0, "r": 1.0}
    title = "Linear regression, Gaussian features: variance and skewness of the gradient"
    kind = "exact"
    source = "L5039-5249"
    statement = (
        r"\mathrm{Var}(\nabla f(w)) = (d+1)\|w - w^*\|_2^2 + d\sigma^2,\quad "
        r"\|\gamma(\nabla f(w))\|_\infty \le 429"
    )
    params = (P.d, P.sigma, RADIUS)
    quantities = {
        "value": (d + 1) * r_**2 + d * sigma**2,
        "skewness_bound": sp.Integer(429),
        "skewness_bound_proof": sp.sqrt(243 * 755),
        "skewness_at_w_star": 8 / sp.pi,
    }
    value_text = r"\mathrm{Var}(\nabla f(w; x, y))"
    monotone = {"value": {"d": +1, "r": +1, "sigma": +1}}
    notes = (
        "Gaussian features make L_k unbounded, so Assumption 3.1 fails: this model illustrates "
        "Assumptions 3.2-3.3 only (errata).",
    )


# ---------------------------------------------------------------------------------------------
# Median-based GD: Theorem 3.8 (uniform gradient bound) and Theorems 3.1-3.3
# ---------------------------------------------------------------------------------------------

MEDIAN_HYPS = (A31, A32, A33, SATISFIABLE_32, COND_32)


@register
class Thm38(AbstractBound):
    r"""Uniform bound on the median-aggregated gradient error, with the explicit :math:`\Delta` (3.27)."""

    id = "thm3.8"
    example = MODEL_R
    title = "Uniform error of the coordinate-wise median of gradients"
    kind = "wp"
    source = "L5314-5361"
    statement = (
        r"\Pr\left[\forall w \in \mathcal W: \|\hat g(w) - \nabla F(w)\|_2 \le \Delta\right] "
        r"\ge 1 - \frac{4d}{(1+nm\hat L D)^d}"
    )
    params = MEDIAN_PARAMS
    quantities = _median_quantities()
    value = "Delta"
    hypotheses = MEDIAN_HYPS
    probability = "prob"
    monotone = {"Delta": {"n": -1, "m": -1, "alpha": +1, "V": +1, "S": +1}}


@register
class Thm31(AbstractBound):
    """Median-based robust GD converges linearly to a ball of radius 2 Delta / lambda_F."""

    id = "thm3.1"
    example = {**MODEL_R, "L_F": 1.0, "lambda_F": 1.0, "T": 30, "r0": 1.0}
    title = "Median-based robust GD, strongly convex F"
    kind = "wp"
    source = "L4030-4157"
    statement = (
        r"\|w^T - w^*\|_2 \le \left(1 - \frac{\lambda_F}{L_F + \lambda_F}\right)^T \|w^0 - w^*\|_2 "
        r"+ \frac{2}{\lambda_F}\Delta\quad \text{w.p.} \ge 1 - \frac{4d}{(1+nm\hat L D)^d}"
    )
    params = (*MEDIAN_PARAMS, P.L_F, P.lambda_F, P.T, P.r0)
    quantities = _median_quantities(
        kappa=KAPPA,
        value=(1 - kappa_) ** T * r0 + 2 * Delta_ / lambda_F,
        bound_unrolled=(1 - kappa_) ** T * r0 + (1 - (1 - kappa_) ** T) * Delta_ * (L_F + lambda_F) / (L_F * lambda_F),
        T_needed=sp.Max(0, sp.ceiling((L_F + lambda_F) / lambda_F * sp.log(lambda_F * r0 / (2 * Delta_)))),
        error_after_T_needed=4 * Delta_ / lambda_F,
    )
    value_text = r"\|w^T - w^*\|_2"
    hypotheses = (*MEDIAN_HYPS, STRONGLY_CONVEX, U4)
    constraints = (LAMBDA_LF,)
    probability = "prob"
    trivial = D
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1, "T": -1, "r0": +1}}
    notes = (
        "Delta is the explicit right side of (3.27) (L5462-5488); (3.3) states it only up to O(.).",
        "bound_unrolled is the exact unrolling of (3.31), tighter than the printed bound.",
        "T_needed = ceil(((L_F + lambda_F)/lambda_F) log(lambda_F r0 / (2 Delta))) gives error <= 4 Delta/lambda_F "
        "(L4119-4130).",
    )


@register
class Thm32(AbstractBound):
    """Median-based robust GD on a convex F: excess risk after T = L_F r0 / Delta iterations."""

    id = "thm3.2"
    example = {**MODEL_R, "L_F": 1.0, "r0": 0.5}
    title = "Median-based robust GD, convex F"
    kind = "wp"
    source = "L4169-4205, proof L6335-6587"
    statement = (
        r"F(w^T) - F(w^*) \le 16\|w^0 - w^*\|_2\Delta + \frac{\Delta^2}{2L_F},\ T = \frac{L_F}{\Delta}"
        r"\|w^0 - w^*\|_2\quad(\text{proof, L6550-6587; the main text prints } "
        r"16\|w^0-w^*\|_2\Delta(1 + \frac{\Delta}{2L_F}))"
    )
    params = (*MEDIAN_PARAMS, P.L_F, P.r0)
    quantities = _median_quantities(
        T=L_F * r0 / Delta_,
        value=16 * r0 * Delta_ + Delta_**2 / (2 * L_F),
    )
    variants = {"printed": 16 * r0 * Delta_ * (1 + Delta_ / (2 * L_F))}
    value_text = r"F(w^T) - F(w^*)"
    hypotheses = (*MEDIAN_HYPS, A34, CONVEX, U4)
    probability = "prob"
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1, "r0": +1}}
    notes = (
        "T is not an integer in general: floor(T) keeps the iterates in the ball of Assumption 3.4 and "
        "gives 16 L_F r0^2 / floor(T) + Delta^2/(2 L_F).",
    )


@register
class Thm33(AbstractBound):
    """Median-based robust GD on a non-convex F: an approximate critical point."""

    id = "thm3.3"
    example = {**MODEL_R, "L_F": 1.0, "F_gap": 0.001, "M": 1.0}
    title = "Median-based robust GD, non-convex F"
    kind = "wp"
    source = "L4218-4246, proof L6589-6668"
    statement = r"\min_{t \le T}\|\nabla F(w^t)\|_2 \le \sqrt2\Delta,\ T = \frac{2L_F}{\Delta^2}(F(w^0) - F(w^*))"
    params = (*MEDIAN_PARAMS, P.L_F, P.F_gap, P.M)
    quantities = _median_quantities(
        T=2 * L_F * F_gap / Delta_**2,
        radius_asm3_5=2 / Delta_**2 * (M + Delta_) * F_gap,
        value=sp.sqrt(2) * Delta_,
    )
    value_text = r"\min_{t \le T}\|\nabla F(w^t)\|_2"
    hypotheses = (
        *MEDIAN_HYPS,
        Hypothesis(
            "Assumption 3.5: W contains the ball of radius (2/Delta^2)(M + Delta) F_gap around w^0 "
            "(needs D >= twice that radius)",
            D,
            ">=",
            2 * sym("radius_asm3_5"),
            "L4209-4213",
            necessary=True,
            item="asm3.5",
        ),
    )
    probability = "prob"
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1}}


# ---------------------------------------------------------------------------------------------
# Trimmed-mean GD: Theorem 3.11 and Theorems 3.4-3.6
# ---------------------------------------------------------------------------------------------

TRIMMED_HYPS = (A31, A36, BETA_EPS)


@register
class Thm311(AbstractBound):
    r"""Uniform bound on the trimmed-mean gradient error, fully explicit :math:`\Delta'`."""

    id = "thm3.11"
    example = MODEL_R_TRIMMED
    title = "Uniform error of the coordinate-wise trimmed mean of gradients"
    kind = "wp"
    source = "L6677-6802, explicit terms L7030-7075"
    statement = (
        r"\|\hat g(w) - \nabla F(w)\|_2 \le \frac{v}{\varepsilon}\left(3\sqrt2\frac{\beta d}{\sqrt n} + "
        r"\frac{2d}{\sqrt{nm}}\right)\sqrt{\log(1+nm\hat L D) + \frac1d\log m} + "
        r"\tilde O\left(\frac{\beta}{n} + \frac{1}{nm}\right)\ \text{w.p.} \ge 1 - \frac{2d(m+1)}{(1+nm\hat L D)^d}"
    )
    params = TRIMMED_PARAMS
    quantities = _trimmed_quantities()
    value = "Delta_prime"
    variants = {"paper": DELTA_PRIME_PAPER}
    hypotheses = TRIMMED_HYPS
    constraints = (ALPHA_BETA,)
    probability = "prob_thm3_11"
    monotone = {"Delta_prime": {"n": -1, "beta": +1, "v": +1}}
    notes = (
        "The value is Delta'_full, the bound the proof establishes with nothing hidden: "
        "sqrt(2d)(t + 3 beta s)/(1 - 2 beta) + 2 sqrt(2)(1 + 3 beta)/((1 - 2 beta) n m), "
        "t = v max(a, sqrt a), s = v max(b, sqrt b). The printed leading term is the 'paper' variant.",
        "The stated probability 1 - 2d(m+1)/(1+X)^d is looser than the proof's 1 - 2d(1+1/m)/(1+X)^d.",
    )


@register
class Thm34(AbstractBound):
    """Trimmed-mean robust GD converges linearly to a ball of radius 2 Delta' / lambda_F."""

    id = "thm3.4"
    example = {**MODEL_R_TRIMMED, "L_F": 1.0, "lambda_F": 1.0, "T": 30, "r0": 1.0}
    title = "Trimmed-mean robust GD, strongly convex F"
    kind = "wp"
    source = "L4279-4352"
    statement = (
        r"\|w^T - w^*\|_2 \le \left(1 - \frac{\lambda_F}{L_F + \lambda_F}\right)^T \|w^0 - w^*\|_2 "
        r"+ \frac{2}{\lambda_F}\Delta'\quad \text{w.p.} \ge 1 - \frac{4d}{(1+nm\hat L D)^d}"
    )
    params = (*TRIMMED_PARAMS, P.L_F, P.lambda_F, P.T, P.r0)
    quantities = _trimmed_quantities(
        kappa=KAPPA,
        value=(1 - kappa_) ** T * r0 + 2 * Dp_ / lambda_F,
        T_needed=sp.Max(0, sp.ceiling((L_F + lambda_F) / lambda_F * sp.log(lambda_F * r0 / (2 * Dp_)))),
    )
    value_text = r"\|w^T - w^*\|_2"
    hypotheses = (*TRIMMED_HYPS, STRONGLY_CONVEX, U4)
    constraints = (ALPHA_BETA, LAMBDA_LF)
    probability = "prob"
    trivial = D
    monotone = {"value": {"n": -1, "beta": +1, "T": -1, "r0": +1}}
    notes = (
        "Delta_prime is the fully explicit Delta' (Theorem 3.11); Delta_prime_paper its printed leading term (3.5).",
    )


@register
class Thm35(AbstractBound):
    """Trimmed-mean robust GD on a convex F (Remark 3.1: Theorem 3.2 with Delta')."""

    id = "thm3.5"
    example = {**MODEL_R_TRIMMED, "L_F": 1.0, "r0": 0.5}
    title = "Trimmed-mean robust GD, convex F"
    kind = "wp"
    source = "L4357-4393, Remark 3.1 L6804-6806"
    statement = (
        r"F(w^T) - F(w^*) \le 16\|w^0 - w^*\|_2\Delta' + \frac{\Delta'^2}{2L_F},\ "
        r"T = \frac{L_F}{\Delta'}\|w^0 - w^*\|_2"
    )
    params = (*TRIMMED_PARAMS, P.L_F, P.r0)
    quantities = _trimmed_quantities(
        T=L_F * r0 / Dp_,
        value=16 * r0 * Dp_ + Dp_**2 / (2 * L_F),
    )
    variants = {"printed": 16 * r0 * Dp_ * (1 + Dp_ / (2 * L_F))}
    value_text = r"F(w^T) - F(w^*)"
    hypotheses = (*TRIMMED_HYPS, A34, CONVEX, U4)
    constraints = (ALPHA_BETA,)
    probability = "prob"
    monotone = {"value": {"n": -1, "beta": +1, "r0": +1}}


@register
class Thm36(AbstractBound):
    """Trimmed-mean robust GD on a non-convex F (Remark 3.1: Theorem 3.3 with Delta')."""

    id = "thm3.6"
    example = {**MODEL_R_TRIMMED, "L_F": 1.0, "F_gap": 0.01, "M": 1.0}
    title = "Trimmed-mean robust GD, non-convex F"
    kind = "wp"
    source = "L4398-4429, Remark 3.1 L6804-6806"
    statement = r"\min_{t \le T}\|\nabla F(w^t)\|_2 \le \sqrt2\Delta',\ T = \frac{2L_F}{\Delta'^2}(F(w^0) - F(w^*))"
    params = (*TRIMMED_PARAMS, P.L_F, P.F_gap, P.M)
    quantities = _trimmed_quantities(
        T=2 * L_F * F_gap / Dp_**2,
        radius_asm3_5=2 / Dp_**2 * (M + Dp_) * F_gap,
        value=sp.sqrt(2) * Dp_,
    )
    value_text = r"\min_{t \le T}\|\nabla F(w^t)\|_2"
    hypotheses = (
        *TRIMMED_HYPS,
        Hypothesis(
            "Assumption 3.5 with Delta': W contains the ball of radius (2/Delta'^2)(M + Delta') F_gap around w^0 "
            "(needs D >= twice that radius)",
            D,
            ">=",
            2 * sym("radius_asm3_5"),
            "L4404-4410",
            necessary=True,
            item="asm3.5",
        ),
    )
    constraints = (ALPHA_BETA,)
    probability = "prob"
    monotone = {"value": {"n": -1, "beta": +1}}


# ---------------------------------------------------------------------------------------------
# One-round algorithm: Theorem 3.7, Lemmas 3.4-3.6, Theorem 3.13
# ---------------------------------------------------------------------------------------------

sigma_tilde, C_tilde = sym("sigma_tilde"), sym("C_tilde")
lhs_or = sym("lhs_one_round")


@register
class Thm37(AbstractBound):
    """One-round median of local ERMs for quadratic losses."""

    id = "thm3.7"
    example = {"n": 100000, "m": 201, "d": 2, "alpha": 10 / 201, "sigma_tilde": 2**0.5, "C_tilde": 45.746}
    title = "Robust one-round algorithm, strongly convex quadratic loss"
    kind = "wp"
    source = "L4556-4639, C-tilde L7815-7914"
    statement = (
        r"\|\hat w - w^*\|_2 \le \frac{C_\varepsilon}{\sqrt n}\tilde\sigma\left(\alpha + "
        r"\sqrt{\frac{\log(nmd)}{2m(1-\alpha)}} + \frac{\tilde C}{\sqrt n}\right)\ \text{w.p.} \ge 1 - \frac{4}{nm}"
    )
    params = (
        P.n,
        P.m,
        P.d,
        P.alpha,
        P.eps.with_(default=HALF - lhs_or, default_note="eps omitted: used the tightest admissible eps = 1/2 - lhs."),
        Param(
            "sigma_tilde",
            "one-round noise level sigma-tilde (Model G: sigma sqrt(d))",
            lower=0,
            lower_open=True,
            typical=(0.5, 5.0),
        ),
        Param(
            "C_tilde",
            "Berry-Esseen constant C-tilde = max_k C_k (Lemma 3.5; Model G, d=2, w*=0: ~45.7)",
            lower=0,
            lower_open=True,
            typical=(5.0, 60.0),
        ),
    )
    quantities = {
        "lhs_one_round": alpha + sp.sqrt(sp.log(n * m * d) / (2 * m * (1 - alpha))) + C_tilde / sp.sqrt(n),
        "C_eps": C_eps(),
        "value": C_eps_ / sp.sqrt(n) * sigma_tilde * lhs_or,
        "prob": 1 - 4 / (n * m),
    }
    value_text = r"\|\hat w - w^*\|_2"
    hypotheses = (
        named("", "f(.; z) is convex and quadratic for every z (Definition 3.9); W = R^d", "L4556, L4506"),
        STRONGLY_CONVEX,
        A37,
        Hypothesis("the one-round condition is satisfiable: lhs < 1/2", lhs_or, "<", HALF, "L4559-4573"),
        Hypothesis("one-round condition: lhs <= 1/2 - eps", lhs_or, "<=", HALF - eps, "L4559-4573", rounding=0.5),
    )
    probability = "prob"
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1, "sigma_tilde": +1}}
    notes = (
        "sigma_tilde and C_tilde depend on the law of (H, p); boundlab.bounds.quadratic_model_constants "
        "computes them for the catalog's Model G and Model E.",
    )


nu2, nu3, sigma_k, varsigma_k, pF, lamF = (
    sym(x) for x in ("nu2", "nu3", "sigma_k", "varsigma_k", "pF_norm", "lambda_F")
)


def berry_esseen_constant(scale: sp.Expr, sig: sp.Expr, vs: sp.Expr, theta: sp.Expr) -> sp.Expr:
    """C of (3.63)/(3.65): ``scale`` = M_theta/2, ``sig`` = sigma-tilde, ``vs`` = varsigma, ``theta``."""
    c20 = scale * 2 * (2 / sp.pi) ** sp.Rational(1, 6)
    c21 = scale * (2 + 2 ** sp.Rational(2, 3) / n ** sp.Rational(1, 6))
    c30 = scale * (8 / sp.pi) ** sp.Rational(1, 6) / n ** sp.Rational(1, 3)
    c31 = scale * 2 / sp.sqrt(n)
    c4 = sp.Min(nu2**2 / (theta**2 * sp.sqrt(n)), (2 * nu2**3 + nu3**3 / sp.sqrt(n)) / (theta**3 * n))
    return (
        sp.Rational(1393, 10000)
        + sp.Rational(23356, 10000) * vs**3
        + ((c20 + c21 * vs) * nu2**2 + (c30 + c31 * vs) * nu3**2) / sig
        + c4
    )


NU_PARAMS = (
    Param("nu2", "nu_2 = (E[||U||_F^2 + ||v||_2^2])^(1/2)", lower=0, lower_open=True, typical=(1.0, 5.0)),
    Param("nu3", "nu_3 = (E[(||U||_F^2 + ||v||_2^2)^(3/2)])^(1/3)", lower=0, lower_open=True, typical=(1.0, 6.0)),
)


@register
class Thm313(AbstractBound):
    """Berry-Esseen bound for a smooth function of a sample mean (Pinelis-Molzon, simplified)."""

    id = "thm3.13"
    example = {
        "n": 100000,
        "M_theta": 2.0,
        "theta": 0.5,
        "sigma_tilde": 1.0,
        "varsigma": (8 / np.pi) ** (1 / 3),
        "nu2": 8**0.5,
        "nu3": 3.530493,
    }
    title = "Berry-Esseen for smooth functions of means (Pinelis-Molzon)"
    kind = "exact"
    source = "L7287-7377"
    statement = (
        r"\left|\Pr\left[\frac{f(\bar X)}{\tilde\sigma/\sqrt n} \le z\right] - \Phi(z)\right| \le "
        r"\frac{C}{\sqrt n}"
    )
    params = (
        P.n,
        Param(
            "M_theta",
            "local quadratic-approximation constant M_theta of (3.61)",
            lower=0,
            lower_open=True,
            typical=(0.5, 5.0),
        ),
        Param("theta", "radius theta of (3.61)", lower=0, lower_open=True, typical=(0.1, 1.0)),
        Param("sigma_tilde", "(E l(X)^2)^(1/2)", lower=0, lower_open=True, typical=(0.5, 2.0)),
        Param("varsigma", "(E|l(X)|^3)^(1/3) / sigma_tilde (>= 1)", lower=1, typical=(1.0, 2.0)),
        *NU_PARAMS,
    )
    quantities = {
        "C": berry_esseen_constant(sym("M_theta") / 2, sigma_tilde, sym("varsigma"), sym("theta")),
        "value": sym("C") / sp.sqrt(n),
    }
    value_text = r"\sup_z |\Pr[\cdot] - \Phi(z)|"
    hypotheses = (named("", "|f(X) - l(X)| <= (M_theta/2)||X||^2 for ||X|| <= theta, l linear", "(3.61)"),)
    monotone = {"value": {"n": -1}}
    notes = (
        "The exponents of nu_2 and nu_3 in (3.63) are read from garbled text as squares, consistent with "
        "(3.65); Pinelis-Molzon [150] was not available to confirm them.",
    )


@register
class Lem34(AbstractBound):
    """Quadratic remainder of the one-round error map psi_k (Lemma 3.4)."""

    id = "lem3.4"
    example = {"lambda_F": 1.0, "pF_norm": 1.0, "U_sq": 0.1, "v_sq": 0.1}
    title = "Linearisation error of the local ERM map"
    kind = "exact"
    source = "L7431-7470, proof L7915-8057"
    statement = (
        r"|\psi_k(U, v) - \ell_k(U, v)| \le \frac{\lambda_F + 2\|p_F\|_2}{\lambda_F^3}"
        r"(\|U\|_F^2 + \|v\|_2^2)"
    )
    params = (
        P.lambda_F,
        Param("pF_norm", "||p_F||_2 = ||E p||_2", lower=0, typical=(0.0, 2.0)),
        Param("U_sq", "||U||_F^2", lower=0, typical=(0.0, 0.05)),
        Param("v_sq", "||v||_2^2", lower=0, typical=(0.0, 0.05)),
    )
    quantities = {
        "M_theta": (2 * lamF + 4 * pF) / lamF**3,
        "theta": lamF / 2,
        "value": (lamF + 2 * pF) / lamF**3 * (sym("U_sq") + sym("v_sq")),
        "tighter": (sym("U_sq") + sym("v_sq")) / lamF**2 + 2 * pF / lamF**3 * sym("U_sq"),
    }
    value_text = r"|\psi_k - \ell_k|"
    hypotheses = (
        Hypothesis(
            "||U||_F^2 + ||v||_2^2 <= lambda_F^2 / 4", sym("U_sq") + sym("v_sq"), "<=", lamF**2 / 4, "L7431-7440"
        ),
    )
    monotone = {"value": {"U_sq": +1, "v_sq": +1, "pF_norm": +1}}


@register
class Lem35(AbstractBound):
    """Berry-Esseen constant C_k of one coordinate of a local ERM (3.65); C-tilde = max_k C_k."""

    id = "lem3.5"
    example = {
        "n": 100000,
        "lambda_F": 1.0,
        "pF_norm": 0.0,
        "sigma_k": 1.0,
        "varsigma_k": (8 / np.pi) ** (1 / 3),
        "nu2": 8**0.5,
        "nu3": 3.530493,
    }
    title = "Berry-Esseen bound for one coordinate of a local quadratic ERM"
    kind = "exact"
    source = "L7472-7603, C-tilde L7815-7914"
    statement = (
        r"\left|\Pr\left[\frac{\hat w_{ik} - w^*_k}{\tilde\sigma_k/\sqrt n} \le z\right] - \Phi(z)\right| "
        r"\le \frac{C_k}{\sqrt n}"
    )
    params = (
        P.n,
        P.lambda_F,
        Param("pF_norm", "||p_F||_2 = ||E p||_2", lower=0, typical=(0.0, 2.0)),
        Param(
            "sigma_k",
            "sigma-tilde_k = (E l_k(U, v)^2)^(1/2) (Model G: sigma)",
            lower=0,
            lower_open=True,
            typical=(0.5, 2.0),
        ),
        Param("varsigma_k", "(E|l_k|^3)^(1/3)/sigma-tilde_k (Model G: (8/pi)^(1/3))", lower=1, typical=(1.0, 2.0)),
        *NU_PARAMS,
    )
    quantities = {
        "C_k": berry_esseen_constant((lamF + 2 * pF) / lamF**3, sigma_k, varsigma_k, lamF / 2),
        "value": sym("C_k"),
        "kolmogorov_bound": sym("C_k") / sp.sqrt(n),
    }
    value_text = "C_k"
    monotone = {"value": {"n": -1, "nu2": +1, "nu3": +1}}


@register
class Lem36(AbstractBound):
    """Empirical-CDF deviation of the normal machines' local ERMs (one coordinate)."""

    id = "lem3.6"
    example = {"n": 100000, "m": 201, "alpha": 10 / 201, "t": 2.0, "sigma_k": 1.0, "C_k": 45.746}
    title = "Deviation of the local ERMs' empirical CDF"
    kind = "wp"
    source = "L7605-7696"
    statement = (
        r"\tilde p\left(\pm C_\varepsilon\frac{\tilde\sigma_k}{\sqrt n}\left(\alpha + "
        r"\sqrt{\frac{t}{m(1-\alpha)}} + \frac{C_k}{\sqrt n}\right); k\right) \gtrless \frac12 \pm \alpha"
        r"\ \text{w.p.} \ge 1 - 4e^{-2t}"
    )
    params = (
        P.n,
        P.m,
        P.alpha,
        P.t,
        Param("sigma_k", "sigma-tilde_k", lower=0, lower_open=True, typical=(0.5, 2.0)),
        Param("C_k", "Berry-Esseen constant C_k (Lemma 3.5)", lower=0, lower_open=True, typical=(5.0, 60.0)),
        P.eps.with_(default=HALF - sym("s"), default_note="eps omitted: used eps = 1/2 - s, the tightest."),
    )
    quantities = {
        "s": alpha + sp.sqrt(t / (m * (1 - alpha))) + sym("C_k") / sp.sqrt(n),
        "C_eps": C_eps(),
        "value": C_eps_ * sigma_k / sp.sqrt(n) * sym("s"),
        "prob": 1 - 4 * sp.exp(-2 * t),
    }
    value_text = "r_k"
    hypotheses = (
        Hypothesis("(3.66) is satisfiable: s < 1/2", sym("s"), "<", HALF, "(3.66)"),
        Hypothesis("(3.66)", sym("s"), "<=", HALF - eps, "(3.66)", rounding=0.5),
    )
    probability = "prob"
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1}}


# ---------------------------------------------------------------------------------------------
# One-dimensional robust estimation: Lemma 3.1, Corollary 3.1, Lemma 3.3
# ---------------------------------------------------------------------------------------------

s_sym = sym("s")
ONE_D_PARAMS = (
    P.n,
    P.m,
    P.alpha,
    P.t,
    P.sigma,
    P.gamma,
    P.eps.with_(default=HALF - s_sym, default_note="eps omitted: used eps = 1/2 - s, the tightest."),
)
ONE_D_QUANTITIES = {
    "s": alpha + sp.sqrt(t / (m * (1 - alpha))) + BE * gamma / sp.sqrt(n),
    "C_eps": C_eps(),
    "value": C_eps_ * sigma / sp.sqrt(n) * s_sym,
    "r_exact": sigma / sp.sqrt(n) * NormalQuantile(HALF + s_sym),
    "prob": 1 - 4 * sp.exp(-2 * t),
}
ONE_D_HYPS = (
    Hypothesis("(3.32) is satisfiable: s < 1/2", s_sym, "<", HALF, "(3.32)"),
    Hypothesis("(3.32): s <= 1/2 - eps", s_sym, "<=", HALF - eps, "(3.32)", rounding=0.5),
)


@register
class Lem31(AbstractBound):
    """The normal machines' empirical CDF of local means brackets 1/2 +- alpha at mu +- r."""

    id = "lem3.1"
    example = MODEL_E_LEMMA
    title = "Empirical CDF of the normal machines' means"
    kind = "wp"
    source = "L5519-5594, proof L6122-6333"
    statement = (
        r"\tilde p(\mu \pm r) \gtrless \tfrac12 \pm \alpha,\ r = C_\varepsilon\frac{\sigma}{\sqrt n}"
        r"\left(\alpha + \sqrt{\frac{t}{m(1-\alpha)}} + 0.4748\frac{\gamma(x)}{\sqrt n}\right)\ "
        r"\text{w.p.} \ge 1 - 4e^{-2t}"
    )
    params = ONE_D_PARAMS
    quantities = ONE_D_QUANTITIES
    value_text = "r"
    hypotheses = ONE_D_HYPS
    probability = "prob"
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1, "sigma": +1}}
    notes = (
        "r_exact = (sigma/sqrt n) Phi^{-1}(1/2 + s) is the radius the proof establishes before the "
        "mean-value step; r_exact <= r.",
    )


@register
class Cor31(AbstractBound):
    """The median of the machines' means is within r of mu, whatever the Byzantine values."""

    id = "cor3.1"
    example = MODEL_E_LEMMA
    title = "Deviation of the median of local means"
    kind = "wp"
    source = "L5596-5696"
    statement = (
        r"|\mathrm{med}\{\bar x^i\} - \mu| \le C_\varepsilon\frac{\sigma}{\sqrt n}\left(\alpha + "
        r"\sqrt{\frac{t}{m(1-\alpha)}} + 0.4748\frac{\gamma(x)}{\sqrt n}\right)\ \text{w.p.} \ge 1 - 4e^{-2t}"
    )
    params = ONE_D_PARAMS
    quantities = ONE_D_QUANTITIES
    value_text = r"|\mathrm{med}\{\bar x^i\} - \mu|"
    hypotheses = (
        *ONE_D_HYPS,
        Hypothesis(
            "m is odd (the proof's step p-hat(med) = 1/2, L5695, needs it; catalog 7(a).10)",
            sp.Mod(m, 2),
            ">=",
            1,
            "L5695-5696",
        ),
    )
    probability = "prob"
    trivial = None
    monotone = {"value": {"n": -1, "m": -1, "alpha": +1, "sigma": +1}}


@register
class Lem33(AbstractBound):
    """Trimmed mean of machine means: two tail bounds and a deterministic deviation bound."""

    id = "lem3.3"
    example = {"n": 100, "m": 201, "alpha": 10 / 201, "beta": 10 / 201, "v": 1.5, "t": 0.0974, "s": 1.196}
    title = "Deviation of the trimmed mean of local means"
    kind = "wp"
    source = "L6828-6870, proof L7097-7223"
    statement = (
        r"|\mathrm{trmean}_\beta\{\bar x^i\} - \mu| \le \frac{t + 3\beta s}{1 - 2\beta}\ \text{on the events "
        r"(i) } |\tfrac{1}{(1-\alpha)m}\textstyle\sum_{i \notin B}\bar x^i - \mu| \le t\ \text{and (ii) } "
        r"\max_{i \notin B}|\bar x^i - \mu| \le s"
    )
    params = (
        P.n,
        P.m,
        P.alpha,
        P.beta,
        P.v,
        P.t,
        Param(
            "s",
            "bound on the largest deviation of a normal machine's mean",
            lower=0,
            lower_open=True,
            typical=(0.1, 2.0),
        ),
    )
    quantities = {
        "fail_mean": 2 * sp.exp(-(1 - alpha) * m * n * sp.Min(t / (2 * v), t**2 / (2 * v**2))),
        "fail_max": 2 * (1 - alpha) * m * sp.exp(-n * sp.Min(s_sym / (2 * v), s_sym**2 / (2 * v**2))),
        "prob": 1 - sym("fail_mean") - sym("fail_max"),
        "value": (t + 3 * beta * s_sym) / (1 - 2 * beta),
        "tighter": (t * (1 - alpha) + (2 * beta + alpha) * s_sym) / (1 - 2 * beta),
    }
    value_text = r"|\mathrm{trmean}_\beta - \mu|"
    hypotheses = (named("", "normal machines' samples are i.i.d. v-sub-exponential with mean mu", "L6828"),)
    constraints = (ALPHA_BETA,)
    probability = "prob"
    monotone = {"value": {"t": +1, "s": +1, "beta": +1}}
    notes = (
        "Part (iii) is deterministic: it holds for every Byzantine value when beta*m is an integer and q <= beta*m.",
    )


@register
class Lem32(AbstractBound):
    """On the event (3.27), some iterate of median GD on a convex F has excess risk <= 16 r0 Delta."""

    id = "lem3.2"
    example = {"L_F": 1.0, "r0": 1.0, "Delta": 0.062}
    title = "Excess risk of some iterate of median GD on a convex F"
    kind = "exact"
    source = "L6442-6587"
    statement = r"\exists t \le T = \frac{L_F\|w^0-w^*\|_2}{\Delta}: F(w^t) - F(w^*) \le 16\|w^0 - w^*\|_2\Delta"
    params = (
        P.L_F,
        P.r0,
        Param("Delta", "uniform bound on the gradient error (3.27)", lower=0, lower_open=True, typical=(0.01, 1.0)),
    )
    quantities = {
        "T": L_F * r0 / Delta_,
        "value": 16 * r0 * Delta_,
        "after_first_hit": 16 * r0 * Delta_ + Delta_**2 / (2 * L_F),
    }
    value_text = r"\min_{t \le T} F(w^t) - F(w^*)"
    hypotheses = (named("thm3.8", "the event (3.27) holds for all w in W", "L6442"), CONVEX, U4)
    monotone = {"value": {"r0": +1, "Delta": +1}}


# ---------------------------------------------------------------------------------------------
# Imported theorems used as tools: 3.9 (Berry-Esseen), 3.10 (bounded differences), 3.12 (Bernstein)
# ---------------------------------------------------------------------------------------------


@register
class Thm39(AbstractBound):
    """Berry-Esseen with the constant 0.4748."""

    id = "thm3.9"
    example = {"n": 100, "gamma": 1.0}
    title = "Berry-Esseen theorem"
    kind = "exact"
    source = "L6056-6083"
    statement = (
        r"\sup_s\left|\Pr\left[\sqrt n\frac{\bar Y - \mu}{\sigma} \le s\right] - \Phi(s)\right| \le "
        r"0.4748\frac{\mathbb E|Y - \mu|^3}{\sigma^3\sqrt n}"
    )
    params = (P.n, P.gamma)
    quantities = {"value": BE * gamma / sp.sqrt(n)}
    value_text = r"\sup_s |\Pr[\cdot] - \Phi(s)|"
    monotone = {"value": {"n": -1, "gamma": +1}}


@register
class Thm310(AbstractBound):
    """McDiarmid's bounded-difference inequality (one tail)."""

    id = "thm3.10"
    example = {"t": 0.1, "c_sq_sum": 0.01}
    title = "Bounded difference inequality"
    kind = "exact"
    source = "L6085-6120"
    statement = r"\Pr[Z - \mathbb E Z \ge t] \le \exp\left(-\frac{2t^2}{\sum_j c_j^2}\right)"
    params = (
        P.t.with_(lower=0, lower_open=False, typical=(0.01, 0.5)),
        Param("c_sq_sum", "sum_j c_j^2 of the bounded differences", lower=0, lower_open=True, typical=(0.001, 0.1)),
    )
    quantities = {"value": sp.exp(-2 * t**2 / sym("c_sq_sum"))}
    value_text = r"\Pr[Z - \mathbb E Z \ge t]"
    monotone = {"value": {"t": -1, "c_sq_sum": +1}}


@register
class Thm312(AbstractBound):
    """Bernstein's inequality for v-sub-exponential variables (two-sided)."""

    id = "thm3.12"
    example = {"n": 100, "t": 0.3, "v": 1.0}
    title = "Bernstein's inequality"
    kind = "exact"
    source = "L7081-7096"
    statement = (
        r"\Pr\left[|\tfrac1n\textstyle\sum_i X_i - \mu| \ge t\right] \le 2\exp\left(-n\min\left\{"
        r"\frac{t}{2v}, \frac{t^2}{2v^2}\right\}\right)"
    )
    params = (P.n, P.t.with_(lower=0, lower_open=False, typical=(0.01, 1.0)), P.v)
    quantities = {"value": 2 * sp.exp(-n * sp.Min(t / (2 * v), t**2 / (2 * v**2)))}
    value_text = r"\Pr[|\bar X - \mu| \ge t]"
    monotone = {"value": {"n": -1, "t": -1, "v": +1}}


# ---------------------------------------------------------------------------------------------
# Observation 3.1 (lower bound)
# ---------------------------------------------------------------------------------------------


@register
class Obs31(AbstractBound):
    """Minimax lower bound for Byzantine-robust distributed mean estimation."""

    id = "obs3.1"
    example = {"n": 100, "m": 100, "d": 1, "alpha": 0.1, "sigma": 1.0}
    title = "Lower bound for Byzantine-robust mean estimation"
    kind = "rate"
    exact = False
    source = "L4673-4697, proof L8059-8161"
    statement = (
        r"\|\hat\mu - \mu\|_2 = \Omega\left(\frac{\alpha}{\sqrt n} + \sqrt{\frac{d}{nm}}\right)"
        r"\ \text{with constant probability}"
    )
    params = (
        P.n,
        P.m,
        P.d,
        P.alpha,
        P.sigma,
        Param(
            "c",
            "the unspecified universal constant of Omega(.)",
            lower=0,
            lower_open=True,
            default=1.0,
            typical=(0.1, 1.0),
        ),
    )
    quantities = {
        "value": sym("c") * sigma * (alpha / sp.sqrt(n) + sp.sqrt(d / (n * m))),
        "separation_text": 2 * alpha * sigma / (sp.sqrt(n) * (1 - alpha)),
        "separation_exact": 2 * sigma / sp.sqrt(n) * NormalQuantile(1 / (2 * (1 - alpha))),
    }
    value_text = r"\|\hat\mu - \mu\|_2 \gtrsim"
    hypotheses = (
        named(
            "", "each machine is Byzantine independently with probability alpha; data N(mu, sigma^2 I)", "L4666-4677"
        ),
    )
    monotone = {"value": {"alpha": +1, "n": -1, "m": -1}}
    notes = (
        "separation_exact = (2 sigma/sqrt n) Phi^{-1}(1/(2(1-alpha))) is the exact two-point separation "
        "(TV = alpha/(1-alpha)); the text's 2 alpha sigma/(sqrt(n)(1-alpha)) is a lower bound on it.",
        "Le Cam: any estimator errs by >= separation/2 with probability >= 1/2 under one hypothesis.",
    )


# ---------------------------------------------------------------------------------------------
# Table 3.1, generated from the registry's exponents
# ---------------------------------------------------------------------------------------------


@register
class Table31(AbstractStatement):
    """Comparison of median- and trimmed-mean-based GD; the rates come from the registered Delta, Delta'."""

    id = "tab3.1"
    title = "Comparison of the two robust distributed GD algorithms"
    kind = "table"
    source = "L4430-4488"
    statement = (
        "Statistical error rate, distributional assumption on the partial derivatives, and whether "
        "alpha must be known, for median GD and trimmed-mean GD."
    )

    @property
    def printed(self) -> dict[str, dict[str, str]]:
        """The table as printed in the dissertation."""
        return {
            "median GD": {
                "rate": "alpha/sqrt(n) + 1/sqrt(nm) + 1/n",
                "distribution": "Bounded skewness",
                "alpha known?": "No",
            },
            "trimmed mean GD": {
                "rate": "alpha/sqrt(n) + 1/sqrt(nm)",
                "distribution": "Sub-exponential",
                "alpha known?": "Yes",
            },
        }

    def rows(self) -> dict[str, dict[str, str]]:
        """The table with each rate generated from the registry (terms of Delta and Delta')."""
        from ._base import REGISTRY

        variables = ("alpha", "n", "m")
        median = REGISTRY["thm3.8"].rate_terms(variables=variables)  # type: ignore[attr-defined]
        trimmed = REGISTRY["thm3.11"].rate_terms(  # type: ignore[attr-defined]
            variant="paper",
            variables=variables,
            substitute={"beta": "alpha"},
        )
        rows = self.printed
        for key, terms in (("median GD", median), ("trimmed mean GD", trimmed)):
            rows[key] = dict(rows[key])
            rows[key]["rate"] = " + ".join(_ascii_rate(t.exponents) for t in _sorted_terms(terms))
            rows[key]["rate_latex"] = (
                r"\tilde O\left(" + " + ".join(t.latex(variables) for t in _sorted_terms(terms)) + r"\right)"
            )
        return rows

    def latex(self) -> str:
        rows = self.rows()
        return (
            r"\begin{tabular}{lll}"
            "\n"
            r" & median GD & trimmed mean GD \\"
            "\n"
            rf"Statistical error rate & ${rows['median GD']['rate_latex']}$ & "
            rf"${rows['trimmed mean GD']['rate_latex']}$ \\"
            "\n"
            r"Distribution of $\partial_k f(w; z)$ & Bounded skewness & Sub-exponential \\"
            "\n"
            r"$\alpha$ known? & No & Yes \\"
            "\n"
            r"\end{tabular}"
        )


def _sorted_terms(terms):
    return sorted(
        terms,
        key=lambda t: (
            -float(t.exponents.get("alpha", 0)),
            -float(t.exponents.get("n", 0)),
            -float(t.exponents.get("m", 0)),
        ),
    )


def _ascii_rate(exps: dict[str, sp.Expr]) -> str:
    """alpha/sqrt(n), 1/sqrt(nm), 1/n from exponent dictionaries."""
    num = [v for v in ("alpha", "n", "m") if exps.get(v, 0) > 0]
    den = {v: -exps[v] for v in ("alpha", "n", "m") if exps.get(v, 0) < 0}
    top = " ".join(v if exps[v] == 1 else f"{v}^{exps[v]}" for v in num) or "1"
    if not den:
        return top
    if all(e == sp.Rational(1, 2) for e in den.values()):
        inner = "".join(den)
        return f"{top}/sqrt({inner})"
    if all(e == 1 for e in den.values()):
        return f"{top}/{''.join(den)}" if len(den) == 1 else f"{top}/({''.join(den)})"
    return f"{top}/(" + " ".join(f"{v}^{e}" for v, e in den.items()) + ")"


# ---------------------------------------------------------------------------------------------
# Errata of Chapter 3
# ---------------------------------------------------------------------------------------------

from ._errata import Erratum, register_erratum  # noqa: E402


def _check_printed_stronger(item: str, params: dict[str, Any]) -> tuple[bool, str]:
    from ._base import get_bound

    thm = get_bound(item)
    printed = float(thm.evaluate(variant="printed", **params))
    proof = float(thm.evaluate(**params))
    ok = printed < proof
    return ok, (
        f"at r0 = {params['r0']} the printed bound {printed:.6g} is below what the proof establishes "
        f"({proof:.6g}): the printed statement does not follow from the proof when 16 r0 < 1."
    )


def _check_skewness_chain(limit: float = float(np.sqrt(480))) -> tuple[bool, str]:
    rng = np.random.default_rng(0)
    worst = 0.0
    for k in (1, 2, 3, 5, 10, 50):
        a = rng.standard_normal((20000, k)) * rng.lognormal(0, 2, (20000, 1))
        sig = rng.lognormal(0, 2, 20000)
        p2, p4, p6 = (np.sum(a**j, axis=1) for j in (2, 4, 6))
        w1, w2, w3 = p6, p4 * p2 - p6, p2**3 - 3 * p4 * p2 + 2 * p6
        ratio = 32 * (w1 + 15 * w2 + 15 * w3 + 15 * sig**6) / (w1 + 3 * w2 + w3 + sig**6)
        worst = max(worst, float(np.sqrt(ratio.max())))
    ok = bool(worst <= limit * (1 + 1e-12))
    return ok, (
        f"over 120,000 random (a, sigma) the proof's final expression is at most {worst:.4f} "
        f"{'<=' if ok else '>'} {limit:.4f} (sqrt(480) = {np.sqrt(480):.4f}); the printed bound is 480."
    )


def _check_probability_thm311() -> tuple[bool, str]:
    from ._base import get_bound

    q = get_bound("thm3.11").assess(**MODEL_R_TRIMMED).quantities
    printed, proof, thm34 = 1 - q["prob_thm3_11"], 1 - q["prob_proof"], 1 - q["prob"]
    ok = proof <= thm34 < printed
    return ok, (
        f"failure probabilities at Model R, n = m = 1000: Theorem 3.11 prints {printed:.3g}, the proof's "
        f"t and s give {proof:.3g}, Theorem 3.4 states {thm34:.3g}: Theorem 3.11 as printed does not "
        f"imply Theorem 3.4's probability, the proof does."
    )


def _check_even_median() -> tuple[bool, str]:
    mu, r, m = 0.0, 0.1, 4
    values = np.array([mu - 0.05, mu + 0.05, mu + 0.2, mu + 0.3])  # all honest-looking, alpha = 0
    p_hat_plus = np.mean(values <= mu + r)
    p_hat_minus = np.mean(values <= mu - r)
    med = float(np.median(values))
    ok = bool(p_hat_plus >= 0.5 and p_hat_minus <= 0.5 and abs(med - mu) > r)
    return ok, (
        f"m = {m}, values {values.tolist()}: p-hat(mu + r) = {p_hat_plus} >= 1/2 and p-hat(mu - r) = "
        f"{p_hat_minus} <= 1/2 (3.35-3.36) hold, yet the averaged median {med} is {abs(med - mu):.3g} > "
        f"r = {r} from mu: the step (3.35)-(3.36) => (3.37) needs odd m."
    )


register_erratum(
    Erratum(
        id="err3.1",
        item="thm3.2",
        title="Theorem 3.2's bound differs from what its proof establishes",
        kind="mismatch",
        source="L4180-4189 vs L6550-6587",
        printed="F(w^T) - F* <= 16 r0 Delta (1 + Delta/(2 L_F))",
        corrected="F(w^T) - F* <= 16 r0 Delta + Delta^2/(2 L_F)",
        evidence=(
            "Lemma 3.2 and the argument at L6555-6587 give 16 D_0 Delta + Delta^2/(2 L_F). The printed form "
            "is larger iff 16 r0 >= 1, a dimensionally meaningless condition, so neither implies the other; "
            "boundlab's value is the proof's bound, the printed one is the 'printed' variant."
        ),
        printed_expr=16 * r0 * Delta_ * (1 + Delta_ / (2 * L_F)),
        corrected_expr=16 * r0 * Delta_ + Delta_**2 / (2 * L_F),
        example={**MODEL_R, "L_F": 1.0, "r0": 0.01},
        check=lambda: _check_printed_stronger("thm3.2", {**MODEL_R, "L_F": 1.0, "r0": 0.01}),
    )
)
register_erratum(
    Erratum(
        id="err3.2",
        item="thm3.5",
        title="Theorem 3.5's bound differs from what its proof (Remark 3.1) establishes",
        kind="mismatch",
        source="L4373-4382 vs Remark 3.1 and L6550-6587",
        printed="F(w^T) - F* <= 16 r0 Delta' (1 + Delta'/(2 L_F))",
        corrected="F(w^T) - F* <= 16 r0 Delta' + Delta'^2/(2 L_F)",
        evidence="The proof is Theorem 3.2's with Delta' for Delta (Remark 3.1); see err3.1.",
        printed_expr=16 * r0 * Dp_ * (1 + Dp_ / (2 * L_F)),
        corrected_expr=16 * r0 * Dp_ + Dp_**2 / (2 * L_F),
        example={**MODEL_R_TRIMMED, "L_F": 1.0, "r0": 0.01},
        check=lambda: _check_printed_stronger("thm3.5", {**MODEL_R_TRIMMED, "L_F": 1.0, "r0": 0.01}),
    )
)
register_erratum(
    Erratum(
        id="err3.3",
        item="prop3.1",
        title="Proposition 3.1's skewness bound drops a square root",
        kind="loose",
        source="L4008, L5023-5037",
        printed="||gamma(grad f(w))||_inf <= 480",
        corrected="||gamma(grad f(w))||_inf <= sqrt(480) ~ 21.909 (the proof's chain); the sharp value is 2 sqrt(2/pi)",
        evidence=(
            "The final step bounds sqrt(32 (W1 + 15 W2 + 15 W3 + 15 sigma^6)/(W1 + 3 W2 + W3 + sigma^6)); the "
            "fraction is <= 15 term by term, so the root is <= sqrt(480). With S = 480, condition (3.2) needs "
            "n > 207,761; with sqrt(480), n > 433."
        ),
        printed_expr=sp.Integer(480),
        corrected_expr=sp.sqrt(480),
        example={"d": 2, "sigma": 1.0, "r": 1.0},
        check=_check_skewness_chain,
    )
)
register_erratum(
    Erratum(
        id="err3.4",
        item="thm3.11",
        title="Theorem 3.11's success probability is looser than Theorem 3.4's",
        kind="loose",
        source="L6695-6697 vs L4285-4287, L7046-7075",
        printed="with probability >= 1 - 2d(m+1)/(1 + nm L_hat D)^d",
        corrected="with probability >= 1 - 2d(1 + 1/m)/(1 + nm L_hat D)^d (<= 4d/(1+X)^d, as Theorem 3.4 states)",
        evidence=(
            "With the proof's t and s the two union bounds fail with probability 2d/(1+X)^d and "
            "2(1-alpha)d/(m(1+X)^d); Theorem 3.11 as printed does not imply Theorem 3.4's probability."
        ),
        printed_expr=1 - 2 * d * (m + 1) / (1 + X_) ** d,
        corrected_expr=1 - 2 * d * (1 + 1 / m) / (1 + X_) ** d,
        example=MODEL_R_TRIMMED,
        check=_check_probability_thm311,
    )
)
register_erratum(
    Erratum(
        id="err3.5",
        item="thm3.1",
        title="(3.3) has log(nm L_hat D) where the proof has log(1 + nm L_hat D)",
        kind="typo",
        source="L4066-4086 vs L5464, (3.27)",
        printed="Delta = O(C_eps V (alpha/sqrt n + sqrt(d log(nm L_hat D)/(nm)) + S/n))",
        corrected="Delta = O(C_eps V (alpha/sqrt n + sqrt(d log(1 + nm L_hat D)/(nm)) + S/n))",
        evidence="Every other occurrence (3.2, 3.27, the probability) has log(1 + X); for X < 1 the printed form is undefined.",
        printed_expr=C_eps_ * V * (alpha / sp.sqrt(n) + sp.sqrt(d * sp.log(X_) / (n * m)) + S / n),
        corrected_expr=C_eps_ * V * (alpha / sp.sqrt(n) + sp.sqrt(d * sp.log(1 + X_) / (n * m)) + S / n),
        example={**MODEL_R, "L_F": 1.0, "lambda_F": 1.0, "T": 30, "r0": 1.0},
    )
)
register_erratum(
    Erratum(
        id="err3.6",
        item="obs3.1",
        title="The introduction claims an O(1/(mn)) rate; the lower bound forbids it",
        kind="typo",
        source="L3722-3725",
        printed="the Berry-Esseen argument achieves the better O(1/(mn)) rates",
        corrected="O(1/sqrt(mn))",
        evidence="Observation 3.1 gives Omega(sqrt(d/(nm))) even at alpha = 0, which exceeds 1/(nm) for nm > 1.",
        printed_expr=1 / (n * m),
        corrected_expr=sp.sqrt(1 / (n * m)),
        example={"n": 1000, "m": 100, "d": 1, "alpha": 0.0, "sigma": 1.0},
    )
)
register_erratum(
    Erratum(
        id="err3.7",
        item="obs3.1",
        title="Observation 3.1 needs sigma bounded below, not above",
        kind="mismatch",
        source="L4675, L8120-8128",
        printed="Z ~ N(mu, sigma^2 I) with sigma = O(1)",
        corrected="sigma = Omega(1) (the separation 2 alpha sigma/(sqrt(n)(1 - alpha)) is proportional to sigma)",
        evidence="As sigma -> 0 the two-point separation vanishes, so an Omega(alpha/sqrt n) bound needs sigma >= c > 0.",
    )
)
register_erratum(
    Erratum(
        id="err3.8",
        item="prop3.3",
        title="Proposition 3.3's model violates Assumption 3.1",
        kind="mismatch",
        source="L4017-4019, L5041-5057",
        printed="Gaussian-feature regression is offered as an example for Theorems 3.1-3.3",
        corrected="it satisfies Assumptions 3.2-3.3 only: Gaussian features make every L_k unbounded (Assumption 3.1 fails)",
        evidence="d_k f(w; x, y) = x_k x'(w - w*) - xi x_k has Lipschitz constant |x_k| ||x||_2 in w, unbounded over x.",
    )
)
register_erratum(
    Erratum(
        id="err3.9",
        item="thm3.8",
        title="The covering number (1 + D/delta)^d holds for a ball, not every convex W",
        kind="mismatch",
        source="L5813-5816, L6928-6931",
        printed="N_delta <= (1 + D/delta)^d for W of diameter D",
        corrected="N_delta <= (1 + 2D/delta)^d in general (W lies in a ball of radius D); the probability becomes "
        "1 - 4d (1 + 2X)^d / (1 + X)^(2d)",
        evidence=(
            "The standard volumetric bound covers a ball of radius R by (1 + 2R/delta)^d balls; a set of "
            "diameter D need not lie in a ball of radius D/2 (Jung). Only the constant inside the log changes."
        ),
        printed_expr=1 - 4 * d / (1 + X_) ** d,
        corrected_expr=1 - 4 * d * (1 + 2 * X_) ** d / (1 + X_) ** (2 * d),
        example=MODEL_R,
    )
)
register_erratum(
    Erratum(
        id="err3.10",
        item="cor3.1",
        title="Corollary 3.1's proof needs an odd number of machines",
        kind="mismatch",
        source="L5694-5696",
        printed="p-hat(med) = 1/2, hence (3.35)-(3.36) imply (3.37)",
        corrected="exact for odd m; for even m with the averaged median the implication fails (counterexample)",
        evidence="The median of an even number of values is not defined in the text (Definition 3.1).",
        check=_check_even_median,
    )
)
register_erratum(
    Erratum(
        id="err3.11",
        item="lem3.3",
        title="(3.60) prints an equality where the triangle inequality gives <=",
        kind="typo",
        source="L7189-7212",
        printed="|trmean - mu| = (1/((1-2 beta) m)) (|sum_M| + |sum_{M cap T}| + |sum_{B cap U}|)",
        corrected="|trmean - mu| <= (1/((1-2 beta) m)) (|sum_M| + |sum_{M cap T}| + |sum_{B cap U}|)",
        evidence="Triangle inequality; the bound of Lemma 3.3(iii) is unaffected.",
    )
)
