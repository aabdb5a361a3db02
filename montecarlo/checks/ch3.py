"""Monte Carlo and exact checks of Chapter 3.

* Corollary 3.1 / Lemma 3.1: coverage of the median-deviation radius under one-sided, random-sided and
  edge attacks against the claimed 1 - 4 exp(-2t), with Clopper-Pearson intervals and the resolving
  power read from the per-trial deviations. Default honest law: two-point {0, 1} (lattice machine
  means, the sharp instance of the Berry-Esseen step, power 1.23); ``law=exp`` is Model E (Exp(1)
  data, machine means Gamma(n, 1/n)), the previous default.
* Theorem 3.9 (Berry-Esseen) exactly on binomials; Theorem 3.8's per-coordinate step (3.42) at a fixed
  w on noiseless Model R (``thm3.8/step-coordinate``).
* Lemma 3.3: the tail bounds (i)-(ii) on Rademacher data (failure frequencies vs Bernstein, claimed
  probability 2/e) and the deterministic part (iii) over adversarial configurations.
* Recursion (3.31): the optimisation part of Theorems 3.1/3.4 under adversarial bounded gradient
  errors on random strongly convex quadratics, exact.
* The rates of median GD and Observation 3.1's attained separation.
* The gradient-descent theorems (3.1-3.6, 3.8, 3.11) and Theorem 3.7: max over runs vs the
  high-probability bound, at the user's n, m, alpha, d (and D, T, r0 on Model R).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from boundlab.bounds import BadInput, HypothesisViolated, Param, get, violation_message
from boundlab.montecarlo import (
    ATTACKS,
    Choice,
    ClaimParam,
    MCResult,
    ModelAN,
    ModelG,
    ModelR,
    Plugin,
    bind_byzantine,
    check,
    chunk_rngs,
    clopper_pearson,
    median,
    one_round,
    registry_bound,
    resolve_aggregator,
    resolve_attack,
    resolve_problem,
    robust_gd,
    slope_series,
    trimmed_mean,
)

CONFIDENCE = 0.999
MODEL_E = {"n": 100, "m": 201, "q": 10, "t": 2.0}  # the previous default of the coverage checks (law=exp)
GAMMA_EXP1 = 12 / math.e - 2


# == Corollary 3.1 and Lemma 3.1: coverage of the median-deviation radius ======================
#
# The radius r = C_eps (sigma/sqrt n)(alpha + sqrt(t/(m(1-alpha))) + 0.4748 gamma/sqrt n) has three
# terms. On Model E (Exp(1) data) all three are loose (the largest |med - mu| / r seen is ~0.57), so
# these checks could not see r made 2x too large. The hypotheses leave the honest law free: on the
# two-point law {0, 1} (p = 1/2: mu = sigma = 1/2, gamma = 1) with n odd, every machine mean is a
# lattice point k/n and mu = 1/2 lies half-way between two of them, so |med - mu| >= 1/(2n) ALWAYS,
# while the Berry-Esseen term of r is C_eps * 0.2374 / n ~ 0.595 / n: the 0.4748 of the Berry-Esseen
# step is attained. With m large and alpha small (so that the other two terms are small) and n
# moderate (so that C_eps ~ sqrt(2 pi)), |med - mu| / r = 1/(2n r) = 0.816 on every trial.
# Honest means are drawn exactly and fast: the counts of the n + 1 lattice values are multinomial, so
# the cost does not grow with m. Instance search: 2 n r (= the power) from the registry at sigma = 1/2,
# gamma = 1 over n odd in {9, ..., 301}, q in {1, ..., 2000}, t in {0.75, 1, 1.5, 2} and m in {2001,
# 20001, 200001, 2000001, 20000001}: best 1.48 / 1.32 / 1.26 / 1.224 / 1.206 for the five m; chosen
# m = 2000001, n = 75, q = 200, t = 2 (power 1.226; t = 2 keeps the claimed coverage meaningful, 0.927).

SHARP = {"n": 75, "m": 2_000_001, "alpha": 200 / 2_000_001, "t": 2.0}
LAW = Choice(
    "law",
    "honest samples: 'bernoulli' = two-point {0, 1}, p = 1/2 (n odd) or 1/2 + 1/(2n) (n even), so "
    "that mu lies half-way between two lattice points (the sharp instance of the Berry-Esseen step); 'exp' = "
    "Exp(1) (Model E)",
    ("bernoulli", "exp"),
    "bernoulli",
)
EDGE_FACTOR = Param(
    "edge_factor",
    "edge attack: Byzantine values at mu +- edge_factor * r (r as scaled)",
    lower=1.0,
    typical=(1.0, 1.1),
    default=1.01,
)


def _bernoulli_p(n: int) -> float:
    """p = 1/2 for odd n; 1/2 + 1/(2n) for even n: either way mu = p lies half-way between two lattice points."""
    return 0.5 if n % 2 else 0.5 + 0.5 / n


def _law(law: str, n: int) -> tuple[float, float, float]:
    """(mu, sigma, gamma) of one honest sample."""
    if law == "exp":
        return 1.0, 1.0, GAMMA_EXP1
    p = _bernoulli_p(n)
    return p, math.sqrt(p * (1 - p)), (p**2 + (1 - p) ** 2) / math.sqrt(p * (1 - p))


def _q(alpha: float, m: int) -> int:
    """The Byzantine count realised from the user's alpha."""
    return math.floor(alpha * m + 1e-9)


def _byzantine_means(
    kind: str, rng: np.random.Generator, size: int, q: int, r: float, mu: float = 1.0, edge_factor: float = 1.01
) -> np.ndarray:
    """The q Byzantine machine means of each trial, shape (size, q); ``r`` is the radius in force."""
    if kind == "one-sided":
        return np.full((size, q), 1e6)
    if kind == "random-sides":
        return np.where(rng.random((size, 1)) < 0.5, -1e6, 1e6) * np.ones((size, q))
    if kind == "edge":  # just outside the radius, on a random side per trial
        side = np.where(rng.random((size, 1)) < 0.5, -1.0, 1.0)
        return mu + side * edge_factor * r * np.ones((size, q))
    raise ValueError(kind)


def _lattice(n: int, p: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Values k/n and probabilities of the mean of n Bernoulli(p) samples."""
    from scipy.stats import binom

    k = np.arange(n + 1)
    return k / n, binom.pmf(k, n, p)


def _median_from_counts(values: np.ndarray, counts: np.ndarray, b: np.ndarray, q: int) -> np.ndarray:
    """Median (the (m+1)/2-th smallest, m odd) of the multiset {values[j] x counts[:, j]} + {b x q}.

    Examples
    --------
    >>> v = np.array([0.0, 0.5, 1.0])
    >>> _median_from_counts(v, np.array([[2, 0, 2]]), np.array([0.7]), 1)
    array([0.7])
    """
    size, L = counts.shape
    m = int(counts[0].sum()) + q
    k = (m + 1) // 2
    C = np.cumsum(counts, axis=1)
    total = C + q * (b[:, None] <= values[None, :])
    hit = total >= k
    j = np.argmax(hit, axis=1)
    cand_lat = np.where(hit.any(axis=1), values[j], np.inf)
    idx = np.searchsorted(values, b, side="right")
    honest_le_b = np.where(idx > 0, C[np.arange(size), np.maximum(idx - 1, 0)], 0)
    cand_b = np.where(honest_le_b + q >= k, b, np.inf) if q else np.full(size, np.inf)
    return np.minimum(cand_lat, cand_b)


def _coverage_power(crit: np.ndarray, prob: float) -> float:
    """1 / (the smallest radius scale s at which the Clopper-Pearson interval of coverage still passes).

    ``crit`` holds, per trial, the smallest scale of the radius in force at which the trial's event
    holds; coverage at scale s is the fraction of ``crit <= s``. Returns 0 if no scale passes.
    """
    N = int(crit.size)
    if clopper_pearson(N, N, CONFIDENCE)[0] < prob:
        return 0.0
    lo, hi = 0, N
    while lo < hi:  # the fewest successes whose interval passes
        mid = (lo + hi) // 2
        if clopper_pearson(mid, N, CONFIDENCE)[0] >= prob:
            hi = mid
        else:
            lo = mid + 1
    if lo == 0:
        return math.inf
    s = float(np.partition(crit, lo - 1)[lo - 1])
    return 1.0 / s if s > 0 else math.inf


def _radius(theorem: str, n: int, m: int, alpha: float, t: float, law: str) -> tuple[Any, float, float]:
    """The registry's claimed coverage (stamped: the quantity the verdict reads) and its radius r."""
    _, sigma, gamma = _law(law, n)
    b = registry_bound(theorem, "prob", n=n, m=m, alpha=alpha, t=t, sigma=sigma, gamma=gamma)
    return b, float(b.evaluation.value), b.value


def _coverage_run(
    attack: str,
    trials: int,
    seed: int,
    *,
    n: int,
    m: int,
    alpha: float,
    t: float,
    law: str,
    edge_factor: float,
    bound_scale: float,
) -> MCResult:
    q = _q(alpha, m)
    b, r, prob = _radius("cor3.1", n, m, alpha, t, law)
    mu = _law(law, n)[0]
    r_used = r * bound_scale
    if law == "bernoulli":
        values, pmf = _lattice(n, _bernoulli_p(n))
    ok = 0
    devs = []
    for size, rng in chunk_rngs(seed, trials):
        if law == "exp":
            honest = rng.gamma(shape=n, scale=1.0 / n, size=(size, m - q))
            byz = _byzantine_means(attack, rng, size, q, r_used, mu, edge_factor)
            msgs = np.concatenate([byz, honest], axis=1)[..., None]  # (size, m, 1)
            med = median(msgs)[..., 0]
        else:
            counts = rng.multinomial(m - q, pmf, size=size)
            byz = _byzantine_means(attack, rng, size, min(q, 1), r_used, mu, edge_factor)
            med = _median_from_counts(values, counts, byz[:, 0] if q else np.zeros(size), q)
        dev = np.abs(med - mu)
        ok += int(np.sum(dev <= r_used))
        devs.append(dev)
    dev = np.concatenate(devs)
    worst = float(dev.max() / r)
    lo, hi = clopper_pearson(ok, trials, CONFIDENCE)
    power = _coverage_power(dev / r_used, prob)
    where = {
        "one-sided": "all at +1e6",
        "random-sides": "all at +-1e6 (side per trial)",
        "edge": f"all at mu +- {edge_factor:g} r (side per trial)",
    }[attack]
    data = (
        f"two-point {{0,1}} data (p = {mu:.6g}: mu half-way between lattice points k/n; machine means drawn as "
        "multinomial counts)"
        if law == "bernoulli"
        else "Model E: Exp(1) data (machine means Gamma(n, 1/n))"
    )
    return MCResult(
        check="",
        theorem_id="",
        quantity="P(|med - mu| <= r)",
        estimate=ok / trials,
        ci_low=lo,
        ci_high=hi,
        bound=prob,
        rule="probability",
        trials=trials,
        seed=seed,
        seconds=0.0,
        power=power,
        note=(
            f"{data}, n={n}, m={m}, q={q} Byzantine {where}, t={t:g}: r = {r_used:.6g}"
            f"{f' (radius scaled by {bound_scale:g})' if bound_scale != 1 else ''}; "
            f"largest |med - mu| / r = {worst:.3f}; power = 1 / the smallest radius scale whose "
            f"{CONFIDENCE:.1%} Clopper-Pearson interval still passes."
        ),
        **b.stamp(),
    )


_COV_INSTANCE = (
    "two-point honest law, n = 75, m = 2000001, q = 200, t = 2: |med - mu| = 1/(2n) on every trial, "
    "1/(2n r) = 0.816 (power 1.226). Found by scanning the registry radius at sigma = 1/2, gamma = 1 "
    "over n odd in {9, ..., 301}, m in {2001, ..., 20000001}, q in {1, ..., 2000}, t in {0.75, ..., 2} "
    "(best 1.48 at m = 2001, 1.206 at m = 20000001). Model E (law=exp, n = 100, m = 201, q = 10, the "
    "previous default) reaches max |med - mu| / r ~ 0.57 and power 4.1-5.0 (2.8 for Lemma 3.1)."
)


def _coverage_check(attack: str) -> None:
    opts = (LAW, EDGE_FACTOR) if attack == "edge" else (LAW,)

    @check(
        f"cor3.1/{attack}",
        "cor3.1",
        description=f"coverage of |med - mu| <= r under the {attack} attack vs 1 - 4exp(-2t)",
        trials=100_000,
        quick_trials=20_000,
        theorem_params=SHARP,
        options=opts,
        scales="radius",
        instance=_COV_INSTANCE,
    )
    def run(
        trials: int,
        seed: int,
        *,
        n: int,
        m: int,
        alpha: float,
        t: float,
        law: str,
        bound_scale: float,
        edge_factor: float = 1.01,
    ) -> MCResult:
        return _coverage_run(
            attack, trials, seed, n=n, m=m, alpha=alpha, t=t, law=law, edge_factor=edge_factor, bound_scale=bound_scale
        )


for _attack in ("one-sided", "random-sides", "edge"):
    _coverage_check(_attack)


@check(
    "lem3.1/cdf-bracket",
    "lem3.1",
    description="the normal machines' empirical CDF brackets 1/2 +- alpha at mu +- r",
    trials=100_000,
    quick_trials=20_000,
    theorem_params=SHARP,
    options=(LAW,),
    scales="radius",
    instance="as the Corollary 3.1 checks: " + _COV_INSTANCE,
)
def _lemma31_run(
    trials: int, seed: int, *, n: int, m: int, alpha: float, t: float, law: str, bound_scale: float
) -> MCResult:
    q = _q(alpha, m)
    b, r, prob = _radius("lem3.1", n, m, alpha, t, law)
    mu = _law(law, n)[0]
    r_used = r * bound_scale
    h = m - q
    kk = np.arange(1, h + 1) / h
    k_plus = int(np.argmax(kk >= 0.5 + alpha))  # p~(z) >= 1/2 + alpha iff the (k_plus+1)-th smallest <= z
    k_minus = int(np.argmax(kk > 0.5 - alpha))  # p~(z) <= 1/2 - alpha iff z < the (k_minus+1)-th smallest
    if law == "bernoulli":
        values, pmf = _lattice(n, _bernoulli_p(n))
    ok = 0
    crits = []
    for size, rng in chunk_rngs(seed, trials):
        if law == "exp":
            honest = rng.gamma(shape=n, scale=1.0 / n, size=(size, m - q))
            p_plus = np.mean(honest <= mu + r_used, axis=1)
            p_minus = np.mean(honest <= mu - r_used, axis=1)
            srt = np.sort(honest, axis=1)
            x_plus, x_minus = srt[:, k_plus], srt[:, k_minus]
        else:
            C = np.cumsum(rng.multinomial(h, pmf, size=size), axis=1)
            p_plus = C[:, np.searchsorted(values, mu + r_used, side="right") - 1] / h
            i_minus = np.searchsorted(values, mu - r_used, side="right") - 1
            p_minus = C[:, i_minus] / h if i_minus >= 0 else np.zeros(size)
            x_plus = values[np.argmax(C >= k_plus + 1, axis=1)]
            x_minus = values[np.argmax(C >= k_minus + 1, axis=1)]
        ok += int(np.sum((p_plus >= 0.5 + alpha) & (p_minus <= 0.5 - alpha)))
        crits.append(np.maximum(np.maximum(x_plus - mu, mu - x_minus), 0.0) / r_used)
    lo, hi = clopper_pearson(ok, trials, CONFIDENCE)
    power = _coverage_power(np.concatenate(crits), prob)
    return MCResult(
        check="",
        theorem_id="",
        quantity="P(p~(mu+r) >= 1/2+alpha and p~(mu-r) <= 1/2-alpha)",
        estimate=ok / trials,
        ci_low=lo,
        ci_high=hi,
        bound=prob,
        rule="probability",
        trials=trials,
        seed=seed,
        seconds=0.0,
        power=power,
        note=(
            f"{f'two-point {{0,1}} data (p = {mu:.6g})' if law == 'bernoulli' else 'Model E'}, "
            f"n={n}, m={m}, q={q}, t={t:g}, r = {r_used:.6g}"
            f"{f' (radius scaled by {bound_scale:g})' if bound_scale != 1 else ''}; "
            "normal machines only; power from the per-trial smallest passing radius."
        ),
        **b.stamp(),
    )


# -- Theorem 3.9 (Berry-Esseen), the step of Lemma 3.1 that the lattice instance makes sharp --------


@check(
    "thm3.9/bernoulli-exact",
    "thm3.9",
    description="Berry-Esseen's 0.4748 against the exact Kolmogorov distance of a binomial (step of Lemma 3.1)",
    trials=1,
    quick_trials=1,
    theorem_params={"n": 1001},
    options=(
        Param(
            "p",
            "success probability of the Bernoulli samples",
            lower=0.0,
            upper=1.0,
            lower_open=True,
            upper_open=True,
            typical=(0.01, 0.5),
            default=0.5,
        ),
    ),
    instance="Bernoulli(1/2), n = 1001: sup_s |P(sqrt(n)(Ybar - p)/sigma <= s) - Phi(s)| / (0.4748 gamma/sqrt n) "
    "= 0.840 (the limit 1/(0.4748 sqrt(2 pi)) = 0.8402 of the symmetric lattice; n = 10: 0.820, "
    "p = 0.1, n = 100: 0.641).",
)
def _berry_esseen_exact(trials: int, seed: int, *, n: int, p: float) -> MCResult:
    """Exact: the binomial CDF is a step function, so the supremum is attained at a jump (both limits)."""
    from scipy.stats import binom, norm

    sigma = math.sqrt(p * (1 - p))
    gamma = (p**2 + (1 - p) ** 2) / sigma  # E|Y - p|^3 / sigma^3
    rhs = float(get("thm3.9").evaluate(n=n, gamma=gamma))
    k = np.arange(n + 1)
    s = (k - n * p) / (sigma * math.sqrt(n))
    right, left = binom.cdf(k, n, p), binom.cdf(k - 1, n, p)
    phi = norm.cdf(s)
    sup = float(max(np.max(np.abs(right - phi)), np.max(np.abs(left - phi))))
    ratio = sup / rhs
    return MCResult(
        check="",
        theorem_id="",
        quantity="sup |F_n - Phi| / (0.4748 gamma / sqrt n)",
        estimate=ratio,
        ci_low=ratio,
        ci_high=ratio,
        bound=1.0,
        rule="exact",
        trials=1,
        seed=seed,
        seconds=0.0,
        note=(
            f"Bernoulli({p:g}) samples, n = {n}: exact sup = {sup:.6g} (both limits at every jump), "
            f"gamma = {gamma:.6g}, bound = {rhs:.6g} (registry thm3.9). The Berry-Esseen step of "
            "Lemma 3.1 is what the lattice instance of the Corollary 3.1 checks makes sharp."
        ),
    )


# -- Lemma 3.3 -------------------------------------------------------------------------------

# The bounds (i)-(ii) are Bernstein's inequality (Theorem 3.12), with a union bound over the normal
# machines in (ii). On centred Exp(1) data (the old default: v = 1.5 >= v* = 1.43206, n = 20, m = 21,
# q = 2) the tightness was 0.02 (i) and the claimed probability of (ii) was 5.14, clipped to 1: that
# check could not fail. The hypotheses leave the law free among v-sub-exponential ones; Rademacher
# samples are 1-sub-exponential (cosh x <= exp(x^2/2), and v = 1 is the smallest admissible), and
# their averages are lattice-valued, so the deviation t = 1 is hit with probability 2^(1-N) for an
# average of N samples. Exact search over Rademacher instances (n <= 12 samples, h <= 7 normal
# machines, every lattice deviation s <= 1 with claim < 1): the best observed/claimed ratio is
# 0.5 / (2 e^-1) = 0.680 at N = 2 samples in total (tail-mean: m = 2 machines of n = 1; tail-max: one
# machine of n = 2), then 0.560 (N = 3) and 0.490 (two machines of n = 3 for (ii)); the union bound
# over machines only costs. So the default instances are those; law=exp reproduces the old runs.

TAIL_LAW = Choice(
    "law",
    "normal samples: 'rademacher' (+-1, v >= 1) or 'exp' (centred Exp(1), v >= 1.432069)",
    ("rademacher", "exp"),
    "rademacher",
)
# the smallest v for which each law is v-sub-exponential (Definition 3.5): Rademacher 1 (cosh x <= e^(x^2/2),
# equality to second order at 0); centred Exp(1) 1.4320683 by bisection on a 2e6-point lambda grid of
# -lambda - log(1 - lambda) - v^2 lambda^2 / 2 over |lambda| < 1/v, rounded up in the 7th digit
_V_MIN = {"rademacher": 1.0, "exp": 1.432069}


def _lemma33_tail_run(
    part: str, trials: int, seed: int, *, n: int, m: int, alpha: float, v: float, dev: float, law: str
) -> MCResult:
    if v < _V_MIN[law]:
        raise HypothesisViolated(
            f"v ({v:g}) must be >= {_V_MIN[law]:g}: Lemma 3.3 assumes v-sub-exponential samples (Definition 3.5), "
            f"and {_V_MIN[law]:g} is the smallest v of the law '{law}'."
        )
    q = _q(alpha, m)
    args = {
        "n": n,
        "m": m,
        "alpha": alpha,
        "beta": alpha,
        "v": v,
        "t": dev if part == "mean" else 1.0,
        "s": dev if part == "max" else 1.0,
    }
    b = registry_bound("lem3.3", "fail_mean" if part == "mean" else "fail_max", **args)
    claimed = b.value
    fails = 0
    for size, rng in chunk_rngs(seed, trials):
        if law == "exp":
            means = rng.gamma(shape=n, scale=1.0 / n, size=(size, m - q)) - 1.0
        else:
            means = (2.0 * rng.binomial(n, 0.5, size=(size, m - q)) - n) / n
        if part == "mean":
            fails += int(np.sum(np.abs(means.mean(axis=1)) >= dev))
        else:
            fails += int(np.sum(np.max(np.abs(means), axis=1) >= dev))
    lo, hi = clopper_pearson(fails, trials, CONFIDENCE)
    name = "t" if part == "mean" else "s"
    return MCResult(
        check="",
        theorem_id="",
        quantity=("P(|mean of normal means - mu| >= t)" if part == "mean" else "P(max normal |mean - mu| >= s)"),
        estimate=fails / trials,
        ci_low=lo,
        ci_high=hi,
        bound=claimed,
        rule="failure",
        trials=trials,
        seed=seed,
        seconds=0.0,
        note=(
            f"{'Rademacher' if law == 'rademacher' else 'centred Exp(1)'} samples, v = {v:g} (a "
            f"parameter: the bound is read at the value given), n={n}, m={m}, q={q}, {name}={dev:.4g}; "
            f"claimed failure probability {claimed:.4g}{' (>= 1: vacuous)' if claimed >= 1 else ''}."
        ),
        **b.stamp(),
    )


@check(
    "lem3.3/tail-mean",
    "lem3.3",
    description="Lemma 3.3 (i): tail frequency vs the bound",
    trials=50_000,
    quick_trials=10_000,
    theorem_params={"n": 1, "m": 2, "alpha": 0.0, "v": 1.0, "t": 1.0},
    options=(TAIL_LAW,),
    instance="Rademacher, n = 1, m = 2, q = 0, v = 1, t = 1: observed 1/2 vs claimed "
    "2/e = 0.736 (ratio 0.680, exact search above); old: centred Exp(1), n = 20, m = 21, q = 2, v = 1.5, "
    "t = 2.5/sqrt((m-q)n), ratio 0.023.",
)
def _tail_mean(trials: int, seed: int, *, n: int, m: int, alpha: float, v: float, t: float, law: str) -> MCResult:
    return _lemma33_tail_run("mean", trials, seed, n=n, m=m, alpha=alpha, v=v, dev=t, law=law)


@check(
    "lem3.3/tail-max",
    "lem3.3",
    description="Lemma 3.3 (ii): tail frequency vs the bound",
    trials=50_000,
    quick_trials=10_000,
    theorem_params={"n": 2, "m": 1, "alpha": 0.0, "v": 1.0, "s": 1.0},
    options=(TAIL_LAW,),
    instance="Rademacher, n = 2, m = 1, q = 0, v = 1, s = 1: observed 1/2 vs claimed "
    "2/e = 0.736 (ratio 0.680); two machines (n = 3) give 0.490. Old: centred Exp(1), n = 20, m = 21, q = 2, "
    "s = 3/sqrt(n): claimed 5.14, clipped to 1.",
)
def _tail_max(trials: int, seed: int, *, n: int, m: int, alpha: float, v: float, s: float, law: str) -> MCResult:
    return _lemma33_tail_run("max", trials, seed, n=n, m=m, alpha=alpha, v=v, dev=s, law=law)


def _lemma33_batch(rng: np.random.Generator, size: int) -> float:
    m = int(rng.integers(3, 60))
    k = int(rng.integers(0, (m - 1) // 2 + 1))
    q = int(rng.integers(0, k + 1))
    beta = k / m
    s = 1.0
    honest = rng.uniform(-s, s, size=(size, m - q))
    half = np.where(np.arange(m - q) % 2 == 0, s, -s)[None, :]  # the extremal honest layout
    honest = np.where(rng.random((size, 1)) < 0.25, half, honest)
    style = rng.integers(0, 4, size=(size, 1))
    hmax = honest.max(axis=1, keepdims=True)
    byz = np.where(style == 0, s, np.where(style == 1, 1e9, np.where(style == 2, hmax, rng.uniform(-s, s, (size, q)))))
    byz = np.broadcast_to(byz, (size, q)) if q else np.empty((size, 0))
    x = np.concatenate([byz, honest], axis=1)[..., None]
    t_dev = np.abs(honest.mean(axis=1))
    s_dev = np.max(np.abs(honest), axis=1)
    dev = np.abs(trimmed_mean(x, k=k)[..., 0])
    # the registry's (t + 3 beta s)/(1 - 2 beta), per case (t = 0 read as 1e-300: the domain is t > 0)
    bound = get("lem3.3").evaluate(n=1, m=m, alpha=q / m, beta=beta, v=1.0, t=np.maximum(t_dev, 1e-300), s=s_dev)
    ratio = dev / bound
    ratio = np.where(dev <= 1e-12, np.minimum(ratio, 1.0), ratio)  # rounding-level deviations are no violation
    return float(ratio.max())


@check(
    "lem3.3/deterministic",
    "lem3.3",
    description="Lemma 3.3 (iii) holds for every Byzantine choice when q <= beta m",
    trials=200_000,
    quick_trials=20_000,
    options=(),
    theorem_params={},
    instance="random m in [3, 60), k = beta m, q <= k, honest in [-s, s] (uniform or alternating +-s), Byzantine "
    "at s, 1e9, the honest max, or random inside; the bound is attained (ratio 1) at beta = q = 0.",
)
def _lemma33_deterministic_run(trials: int, seed: int) -> MCResult:
    """Part (iii) over random adversarial configurations: max |trmean - mu| / bound must be <= 1."""
    worst = 0.0
    cases = 0
    for size, rng in chunk_rngs(seed, trials):
        for sub in np.array_split(np.arange(size), 20):  # a fresh configuration (m, k, q) every 1/20 chunk
            worst = max(worst, _lemma33_batch(rng, sub.size))
            cases += sub.size
    return MCResult(
        check="",
        theorem_id="",
        quantity="max |trmean - mu| / ((t+3 beta s)/(1-2beta))",
        estimate=worst,
        ci_low=worst,
        ci_high=worst,
        bound=1.0,
        rule="exact",
        trials=cases,
        seed=seed,
        seconds=0.0,
        note="random m, k = beta m, q <= k, honest in [-s, s] (uniform or alternating "
        "+-s), Byzantine at s, 1e9, the honest max, or random inside; the bound of "
        "each case is the registry's value of lem3.3 at that case's beta, t, s.",
    )


# -- Recursion (3.31) ------------------------------------------------------------------------


@check(
    "thm3.1/recursion-3.31",
    "thm3.1",
    description="the deterministic recursion (3.31) under adversarial bounded gradient errors",
    trials=20_000,
    quick_trials=2_000,
    theorem_params={"d": 5, "T": 40},
    options=(
        ClaimParam(
            "kappa_scale",
            "factor applied to the contraction kappa = lambda_F/(L_F + lambda_F) (2 is a wrong rate)",
            lower=0.0,
            lower_open=True,
            typical=(0.5, 2.0),
            default=1.0,
        ),
    ),
    instance="random quadratics, d = 5, T = 40, errors away from w*, random or rotating; worst ratio 0.998.",
)
def _recursion_run(trials: int, seed: int, *, d: int, T: int, kappa_scale: float) -> MCResult:
    """||w^{t+1} - w*|| <= (1 - kappa) ||w^t - w*|| + Delta / L_F under adversarial ||e_t|| <= Delta."""
    if d < 2:
        from boundlab.bounds import BadInput

        raise BadInput(f"d ({d}) must be >= 2 (thm3.1/recursion-3.31: the spectrum holds lambda_F and L_F).", name="d")
    worst = 0.0
    for size, rng in chunk_rngs(seed, trials):
        lam = rng.uniform(0.05, 1.0, size)
        L = lam * rng.uniform(1.0, 20.0, size)
        q_, _ = np.linalg.qr(rng.standard_normal((size, d, d)))
        spec = np.concatenate(
            [lam[:, None], L[:, None], lam[:, None] + (L - lam)[:, None] * rng.random((size, d - 2))], axis=1
        )
        A = np.einsum("rij,rj,rkj->rik", q_, spec, q_)
        w_star = rng.standard_normal((size, d))
        radius = 5.0
        w = w_star + radius * 0.9 * _unit(rng.standard_normal((size, d)))
        delta = rng.uniform(0.0, 0.5, size)
        style = rng.integers(0, 3, size)
        kappa = kappa_scale * lam / (L + lam)
        for _t in range(T):
            diff = w - w_star
            grad = np.einsum("rij,rj->ri", A, diff)
            away = _unit(diff)
            rand = _unit(rng.standard_normal((size, d)))
            rot = _unit(np.roll(diff, 1, axis=1) - np.roll(diff, -1, axis=1) + 1e-12)
            e = np.where((style == 0)[:, None], away, np.where((style == 1)[:, None], rand, rot)) * delta[:, None]
            w_new = w - (grad + e) / L[:, None]
            dn = w_new - w_star  # projection onto the ball around w* (non-expansive, w* inside)
            nrm = np.linalg.norm(dn, axis=1, keepdims=True)
            w_new = w_star + dn * np.minimum(1.0, radius / np.maximum(nrm, 1e-300))
            lhs = np.linalg.norm(w_new - w_star, axis=1)
            rhs = (1 - kappa) * np.linalg.norm(diff, axis=1) + delta / L
            worst = max(worst, float(np.max(lhs / np.maximum(rhs, 1e-300))))
            w = w_new
    return MCResult(
        check="",
        theorem_id="",
        quantity="max_t ||w^{t+1}-w*|| / ((1-kappa)||w^t-w*|| + Delta/L_F)",
        estimate=worst,
        ci_low=worst,
        ci_high=worst,
        bound=1.0,
        rule="exact",
        trials=trials,
        seed=seed,
        seconds=0.0,
        note=f"random quadratics (d={d}, spectrum in [lambda_F, L_F]), T={T}, errors away from w*, "
        "random or rotating with norm Delta, projection onto a ball around w*.",
    )


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-300)


# -- Rates of median-based GD (RATE: slopes compared with the registry's exponents) ------------------
#
# On the one-dimensional models (Model E: Exp(1) data; Gaussian data) F(w) = (w - mu)^2/2 has
# L_F = lambda_F = 1, so with eta = 1/L_F median GD reaches w^1 = med{z_bar^i} in one step and
# stays there: the statistical error of Theorem 3.1 is exactly |med - mu|. Machine means are
# sampled exactly (Gamma(n, 1/n) or N(mu, 1/n)). Targets are the exponents of the matching term
# of the registered Delta (thm3.8): alpha/sqrt(n), 1/sqrt(nm), 1/n.


def _term_exponent(var: str, term: dict[str, int]) -> float:
    for t in get("thm3.8").rate_terms(variables=("alpha", "n", "m"), drop_dominated=False):
        if all(float(t.exponents[k]) == v for k, v in term.items()):
            return float(t.exponents[var])
    raise LookupError(term)  # pragma: no cover


def _median_errors(
    rng: np.random.Generator, R: int, n: float, m: int, q: int, data: str, aggregator: str = "median"
) -> np.ndarray:
    """Signed error agg{z_bar} - mu under the one-sided +1e6 attack (default agg: the median); shape (R,)."""
    h = m - q
    if data == "exp":
        honest = rng.gamma(shape=n, scale=1.0 / n, size=(R, h)) - 1.0
    else:
        honest = rng.standard_normal((R, h)) / math.sqrt(n)
    x = np.concatenate([np.full((R, q), 1e6), honest], axis=1)[..., None]
    agg = median if aggregator == "median" else _aggregator(aggregator, q, m)
    return np.asarray(agg(x))[..., 0]


def _aggregator(spec: str, q: int, m: int) -> Any:
    """The aggregator an option names, its Byzantine hyperparameter (f, k, beta, eps) set from q of m."""
    return bind_byzantine(resolve_aggregator(spec), q, m)


def _attack_names(spec: str, strongest: tuple[str, ...]) -> tuple[str, ...]:
    """The attacks a check runs: its built-in strongest set, or the one the option names."""
    return strongest if spec == "strongest" else (spec,)


def _agg_note(spec: str, default: str) -> str:
    return "" if spec == default else f" Aggregator: {spec} (in place of the theorem's {default})."


def aggregator_option(default: str) -> Plugin:
    """The ``aggregator`` option of the checks that run an aggregation rule (any registered one)."""
    return Plugin(
        "aggregator",
        "the aggregation rule run in place of the theorem's (a registered name or "
        "package.module:function; its f, k, beta or eps is set from q)",
        (),
        default,
        kind="aggregator",
    )


ATTACK_OPTION = Plugin(
    "attack",
    "the Byzantine attack: 'strongest' = the check's built-in set, or one registered attack or package.module:function",
    (),
    "strongest",
    kind="attack",
    extra=("strongest",),
)


PROBLEM_OPTION = Plugin(
    "problem",
    "the population problem: 'model_r' (the theorem's Model R, sigma = 1, the tight skewness constant) or a "
    "registered problem or package.module:function, called as factory(d=d, radius=D/2), whose constants() give "
    "the theorem's constants (D, L_hat, V and S or v, L_F, lambda_F) and which runs in the simulators (sample, "
    "local gradients, w_star)",
    (),
    "model_r",
    kind="problem",
)


def _problem(spec: str, d: int, radius: float) -> tuple[Any, dict[str, float]]:
    """The problem an option names on W = ball(w*, radius), and its constants under the registry's names."""
    from boundlab.bounds import BadInput

    if spec == "model_r":
        p = ModelR(d=d, sigma=SIGMA_R, radius=radius)
        return p, p.constants(skewness="tight")
    factory = resolve_problem(spec)
    try:
        p = factory(d=d, radius=radius)
    except TypeError as exc:
        raise BadInput(
            f"problem ({spec}) must be a factory taking d and radius keywords ({exc}).", name="problem"
        ) from None
    return p, dict(p.constants())


def _require_constants(spec: str, k: dict[str, float], keys: tuple[str, ...], thm: str) -> None:
    from boundlab.bounds import BadInput

    missing = [key for key in keys if key not in k]
    if missing:
        raise BadInput(
            f"problem ({spec}) must report {', '.join(missing)} in constants(): {thm}'s bound needs them.",
            name="problem",
        )


def _problem_note(spec: str) -> str:
    return "" if spec == "model_r" else f" Problem: {spec} (in place of Model R), its own constants."


SLOPES: dict[str, dict[str, Any]] = {
    "rate-alpha": {
        "var": "alpha",
        "term": {"alpha": 1, "n": -0.5, "m": 0},
        "data": "gauss",
        "signed": True,
        "grid": lambda: [(dict(n=100, m=20001, q=int(round(a * 20001)))) for a in (0.005, 0.01, 0.02, 0.04, 0.07, 0.1)],
        "x": lambda g: np.array([p["q"] / p["m"] for p in g]),
    },
    "rate-n": {
        "var": "n",
        "term": {"alpha": 1, "n": -0.5, "m": 0},
        "data": "exp",
        "signed": True,
        "grid": lambda: [dict(n=n, m=20001, q=2000) for n in (1000, 3000, 10000, 30000, 100000)],
        "x": lambda g: np.array([p["n"] for p in g], dtype=float),
    },
    "rate-m": {
        "var": "m",
        "term": {"alpha": 0, "n": -0.5, "m": -0.5},
        "data": "gauss",
        "signed": False,
        "grid": lambda: [dict(n=100, m=m, q=0) for m in (21, 61, 201, 601, 2001)],
        "x": lambda g: np.array([p["m"] for p in g], dtype=float),
    },
    "skewness-floor": {
        "var": "n",
        "term": {"alpha": 0, "n": -1, "m": 0},
        "data": "exp",
        "signed": True,
        "sign": -1,
        "grid": lambda: [dict(n=n, m=40001, q=0) for n in (10, 30, 100, 300, 1000)],
        "x": lambda g: np.array([p["n"] for p in g], dtype=float),
    },
}


def _slope_check(key: str) -> None:
    spec = SLOPES[key]

    @check(
        f"thm3.1/{key}",
        "thm3.1",
        description=f"median GD: {key.replace('-', ' ')} against the registry's exponent",
        trials=400,
        quick_trials=200,
        wrong={"exponent_shift": -0.5},
        scales="none",
        options=(
            ClaimParam(
                "exponent_shift",
                "added to the target exponent (-0.5 is a wrong rate)",
                typical=(-0.5, 0.5),
                default=0.0,
            ),
            ClaimParam(
                "tolerance",
                "half-width of the accepted band around the target",
                lower=0.0,
                lower_open=True,
                typical=(0.05, 0.2),
                default=0.1,
            ),
            aggregator_option("median"),
        ),
        instance="grid of the note; a rate check has no leading constant (bound_scale does not apply).",
    )
    def run(trials: int, seed: int, *, exponent_shift: float, tolerance: float, aggregator: str) -> MCResult:
        from boundlab.montecarlo import loglog_slope

        grid = spec["grid"]()
        x = spec["x"](grid)
        R = int(trials)
        y = np.empty((len(grid), R))
        streams = np.random.SeedSequence(seed).spawn(len(grid) + 1)
        for i, p in enumerate(grid):  # one stream per grid point, chunked over replicates
            rng = np.random.default_rng(streams[i])
            out = []
            done = 0
            while done < R:
                size = min(R - done, max(1, 4_000_000 // p["m"]))
                out.append(_median_errors(rng, size, p["n"], p["m"], p["q"], spec["data"], aggregator))
                done += size
            err = np.concatenate(out)
            y[i] = spec.get("sign", 1) * err if spec["signed"] else np.abs(err)
        if spec["signed"] and np.any(y.mean(axis=1) <= 0):
            return MCResult(
                check="",
                theorem_id="",
                quantity=f"slope in {spec['var']}",
                estimate=math.nan,
                ci_low=math.nan,
                ci_high=math.nan,
                bound=0.0,
                rule="slope",
                trials=R,
                seed=seed,
                seconds=0.0,
                tolerance=tolerance,
                note="the mean signed error is not positive at every point: no slope to fit",
            )
        slope, lo, hi, intercept = loglog_slope(x, y, np.random.default_rng(streams[-1]))  # unbounded: a resample <= 0
        target = _term_exponent(spec["var"], spec["term"]) + exponent_shift
        term = " ".join(f"{k}^{v:g}" for k, v in spec["term"].items() if v)
        series = slope_series(x, y, slope, intercept, xlabel=spec["var"], ylabel="error of the median")
        return MCResult(
            check="",
            theorem_id="",
            quantity=f"log-log slope in {spec['var']}",
            estimate=slope,
            ci_low=lo,
            ci_high=hi,
            bound=target,
            rule="slope",
            trials=R,
            seed=seed,
            seconds=0.0,
            tolerance=tolerance,
            series=series,
            note=(
                f"{'Exp(1)' if spec['data'] == 'exp' else 'Gaussian'} data, "
                f"{'one-sided +1e6 attack, ' if grid[0]['q'] else 'no Byzantine machines, '}"
                f"{'signed ' if spec['signed'] else ''}error of the median of machine means at "
                f"{spec['var']} = {', '.join(f'{v:g}' for v in x)}; target = exponent of the "
                f"registered term {term} of Delta{'' if not exponent_shift else f' shifted by {exponent_shift:g}'}; "
                f"fitted constant exp(intercept) = {math.exp(intercept):.4g}; 95% bootstrap interval."
                + _agg_note(aggregator, "median")
            ),
        )


for _key in SLOPES:
    _slope_check(_key)


# -- Observation 3.1: the median attains the two-point lower bound ----------------------------


@check(
    "obs3.1/attained",
    "obs3.1",
    description="the median under the one-sided attack attains the two-point separation / 2",
    trials=2000,
    quick_trials=400,
    wrong={"separation": "text"},
    scales="radius",
    theorem_params={"alpha": 0.1, "n": 100, "m": 20001},
    options=(
        Choice(
            "separation",
            "the separation compared with: 'exact' (2 sigma/sqrt n) Phi^-1(1/(2(1-alpha))) "
            "or 'text' 2 alpha sigma/(sqrt(n)(1 - alpha)) as printed (a wrong target)",
            ("exact", "text"),
            "exact",
        ),
        ClaimParam(
            "tolerance",
            "half-width of the accepted band around ratio 1",
            lower=0.0,
            lower_open=True,
            typical=(0.02, 0.1),
            default=0.05,
        ),
    ),
    instance="Gaussian data, n = 100, m = 20001, alpha = 0.1: ratio 1.0005 +- 0.006.",
)
def _obs31_run(
    trials: int, seed: int, *, alpha: float, n: int, m: int, separation: str, tolerance: float, bound_scale: float
) -> MCResult:
    """Gaussian data, one-sided attack: E[med - mu] / (separation / 2) -> 1 as m grows.

    The exact two-point separation (2 sigma / sqrt n) Phi^{-1}(1/(2(1-alpha))) of Observation 3.1's
    construction is what no estimator can beat; under the one-sided attack the median of machine
    means sits at half of it, so the lower bound is attained, constant included ([NOTE] of the catalog).
    ``separation="text"`` uses the text's 2 alpha sigma / (sqrt(n)(1 - alpha)) instead (a wrong target);
    ``bound_scale`` scales the separation (so 0.5 asks whether the lower bound could be 2x larger).
    """
    q = _q(alpha, m)
    if q == 0:  # no Byzantine machine: the separation is 0 and the ratio 0/0
        raise BadInput(
            f"alpha m ({alpha * m:g}) must be >= 1 (obs3.1/attained needs a Byzantine machine to attain the "
            "separation).",
            name="alpha",
        )
    b = registry_bound(
        "obs3.1",
        "separation_exact" if separation == "exact" else "separation_text",
        n=n,
        m=m,
        d=1,
        alpha=q / m,
        sigma=1.0,
    )
    half = b.value * bound_scale / 2
    errs = []
    for size, rng in chunk_rngs(seed, trials, max(1, 4_000_000 // m)):
        errs.append(_median_errors(rng, size, n, m, q, "gauss"))
    ratio = np.concatenate(errs) / half
    from boundlab.montecarlo import t_interval

    mean, lo, hi = t_interval(ratio, 0.95)
    # two-sided band: the separation passes when scaled by any factor in [hi/(1+tol), lo/(1-tol)]; power is
    # the largest mis-scaling either way that still passes (< 1 when the run itself fails)
    up, down = lo / (1 - tolerance), (1 + tolerance) / hi
    inside = lo >= 1 - tolerance and hi <= 1 + tolerance
    power = max(up, down) if inside else min(up, down)
    return MCResult(
        check="",
        theorem_id="",
        quantity="E[med - mu] / (separation / 2)",
        estimate=mean,
        ci_low=lo,
        ci_high=hi,
        bound=1.0,
        rule="slope",
        trials=trials,
        seed=seed,
        seconds=0.0,
        tolerance=tolerance,
        power=power,
        note=(
            f"Gaussian data (sigma = 1), n = {n}, m = {m}, q = {q} machines at +1e6; separation "
            f"{'exact (2/sqrt n) Phi^-1(1/(2(1-alpha)))' if separation == 'exact' else 'as printed'} = "
            f"{2 * half:.6g}{f' (scaled by {bound_scale:g})' if bound_scale != 1 else ''}; target ratio "
            f"1 +- {tolerance:g} (95% t interval)."
        ),
    )


# == Gradient-descent theorems (3.1-3.6, 3.8, 3.11) and Theorem 3.7 ========================
# Checks of the gradient-descent theorems of Chapter 3 (3.1-3.6, 3.8, 3.11) and of Theorem 3.7.
#
# Each runs the batched simulators under several of the strongest attacks and compares the worst
# case over all runs with the registered bound. The failure probabilities of these theorems are
# tiny (4d/(1+X)^d = 5e-13 at the Model R configuration), so the maximum over R runs exceeds a
# correct bound with probability at most R times that: the reported interval is the sure statement
# [max, max] about the sample, and one violation is a failure (catalog section 5.4, zero-violation
# rule).
#
# Parameters. Every check takes n, m, alpha (q = floor(alpha m) Byzantine machines), d and, on
# Model R, the diameter D of W = ball(w*, D/2); the model's constants (V, S, L_hat, v, L_F, ...) are
# derived from them and the bound is read from the registry at exactly those values. Where (3.2)
# (or its trimmed-mean analogue) fails at the parameters given, the check exits as `eval` does
# (HypothesisViolated, exit 3): e.g. alpha = 0.1, n = 200, m = 20 on Model R gives lhs(3.2) = 1.19.
#
# Constants. Model R's S is the catalog's tight 2 sqrt(2/pi) [NOTE], labelled as such in every
# note: with the printed S = 480, condition (3.2) needs n >= 944,264 at m = 1000, d = 2 (the
# notes give the exact smallest admissible n from the registry), far beyond these runs.
#
# Teeth. The explicit bounds carry a union bound over a delta-net of W and the d coordinates
# (through t = d log(1 + n m L_hat D) in Delta), C_eps >= sqrt(2 pi), the Berry-Esseen term and, for
# the trimmed mean, Bernstein's constants and a union bound over the m machines; the runs use a
# handful of directions. So these end-to-end checks see a bound off by their resolving power (2 to
# 1e5), not by 2x: their wrong variant is the bound scaled below 1/power, and their ``slack`` names
# the steps. The step check thm3.8/step-coordinate (below) checks the per-coordinate median
# deviation at a fixed w, (3.42), against its own bound with power 1.23, so that a wrong constant
# in that step is visible; thm3.8/lattice-point checks Delta itself at one point of W on a lattice
# instance (power 1.80).

GD_SLACK = {
    "thm3.8": "Delta = sqrt(2) C_eps V/sqrt(n) (alpha + sqrt(t/(m(1-alpha))) + 0.4748 S/sqrt(n)) + ... with "
    "t = d log(1 + n m L_hat D): the union bound over the delta-net of W and the d coordinates inflates "
    "the sqrt(t/m) term (sqrt(d log X) = 3.9 here vs ~1 at one point), the sqrt(2) of the Lipschitz "
    "extension, V = the sup of the coordinate standard deviations over W (sqrt 3 vs 1 at w*), and the "
    "Berry-Esseen term with S. The per-coordinate step at a fixed w is checked sharply by "
    "thm3.8/step-coordinate (power 1.23), and Delta itself end to end at one point of W on the lattice "
    "instance by thm3.8/lattice-point (power 1.80).",
    "thm3.11": "Delta' = sqrt(2d)(t + 3 beta s)/(1 - 2 beta) + ...: Bernstein's constants (v = sqrt(sigma^2 + r^2) "
    ">= the sub-exponential constant of the data), the union bound over the delta-net, the coordinates "
    "and, for s, the m machines (log m), and the 3 beta s of Lemma 3.3 (iii), which is attained only "
    "with beta = q = 0. Lemma 3.3's own steps are checked by lem3.3/tail-mean, lem3.3/tail-max (power "
    "1.4) and lem3.3/deterministic (power 1.0).",
}
GD_SLACK["thm3.1"] = (
    "2 Delta / lambda_F with Delta of Theorem 3.8 (see its slack: net, coordinates, V, Berry-Esseen); "
    "the recursion itself is checked exactly by thm3.1/recursion-3.31 (power 1.0) and the median "
    "step by thm3.8/step-coordinate."
)
GD_SLACK["thm3.4"] = "2 Delta' / lambda_F with Delta' of Theorem 3.11 (see thm3.11/uniform-gradient-error's slack)."
GD_SLACK["thm3.2"] = (
    "16 r0 Delta + Delta^2/(2 L_F): the proof's 16 r0 Delta bounds F(w^t) - F(w*) by "
    "||grad F|| ||w - w*|| and a worst-case count of the steps; on a benign convex F the runs "
    "reach ~Delta^2, so the check is loose by 1e4; Delta's own slack as in thm3.8. The optimisation step "
    "alone is thm3.2/step-optimisation: the strongest bounded error found reaches r0 Delta, 1/16 of "
    "the proof's 16 r0 Delta."
)
GD_SLACK["thm3.5"] = (
    "as thm3.2, with Delta' of Theorem 3.11 (thm3.11's slack); the optimisation step alone is "
    "thm3.5/step-optimisation (1/16 of the proof's 16 r0 Delta')."
)
GD_SLACK["thm3.3"] = (
    "sqrt(2) Delta with Delta of Theorem 3.8 (see its slack); the run stops near a critical point "
    "long before T, so min_t ||grad F|| sits at the realised gradient error."
)
GD_SLACK["thm3.6"] = "sqrt(2) Delta' with Delta' of Theorem 3.11 (thm3.11's slack)."
GD_SLACK["thm3.7"] = (
    "C_eps sigma_tilde/sqrt(n) (alpha + sqrt(d log(nm)/(m(1-alpha))) + ...) + ... with the union "
    "over coordinates and the failure probability 4/(nm) in t, C_tilde of Lemma 3.5 (a "
    "Pinelis-Molzon constant, 45.7) in the Berry-Esseen term; the one-sided attack realises "
    "about alpha/2 of the alpha term; a maximum over a few thousand runs cannot reach the "
    "1 - 4/(nm) quantile the bound is about. The per-coordinate step at a free t is checked by "
    "thm3.7/step-coordinate (power 1.4, sees a halved radius)."
)

MEDIAN_ATTACKS = ("large_value", "stall", "alie", "inside_range")
TRIM_ATTACKS = ("inside_range", "inside_range_max", "large_value", "alie")
GD_CHUNK = 50
TRIMMED_THEOREMS = ("thm3.4", "thm3.5", "thm3.6", "thm3.11")
SIGMA_R = 1.0
R_DEFAULT = {"n": 1000, "m": 1000, "alpha": 0.05, "d": 2, "D": 2.0}
AN_DEFAULT = {"n": 1000, "m": 1001, "alpha": 50 / 1001, "d": 2}
# Found by `boundlab tighten thm3.7/one-round-error --budget 60` (seed 0: 192 candidates over n, m, alpha, d):
# tightness 0.116 at the former default n = 1e5, m = 201, alpha = 10/201, d = 2; 0.316 here, confirmed with seed 1.
G_DEFAULT = {"n": 97_427, "m": 9_663, "alpha": 0.0806428, "d": 1}
T_OPTION = Param("T", "iterations of the run", lower=1, integer=True, typical=(10, 100), default=30)


def _s480_note(n: int, m: int, d: int, alpha: float, D: float, L_hat: float) -> str:
    try:
        sol = get("eq3.2").nonvacuous_region("n", m=m, d=d, alpha=alpha, L_hat=L_hat, D=D, S=480)
        need = f"n >= {sol.value:,.0f}"
    except Exception:
        need = "no n at all"
    return (
        f"S = 2 sqrt(2/pi), the catalog's tight constant [NOTE]; the printed S = 480 would need {need} "
        f"for (3.2) at this m, d, alpha"
    )


def _unit_rows(rng: np.random.Generator, R: int, d: int) -> np.ndarray:
    v = rng.standard_normal((R, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _model_r_runs(
    kind: str,
    trials: int,
    seed: int,
    T: int,
    attacks: tuple[str, ...],
    *,
    n: int,
    m: int,
    q: int,
    d: int,
    radius: float,
    r0: float,
    aggregator: str | None = None,
    problem: str = "model_r",
):
    """Yield (GDResult, attack) over chunks and attacks on Model R or the problem the option names
    (W = ball(w*, radius), ||w0 - w*|| = r0)."""
    p, _ = _problem(problem, d, radius)
    agg = (
        _aggregator(aggregator, q, m)
        if aggregator is not None
        else median
        if kind == "median"
        else functools.partial(trimmed_mean, k=q)
    )
    for size, rng in chunk_rngs(seed, trials, GD_CHUNK):
        stats = p.sample(rng, size, m, n)
        w0 = p.w_star + r0 * _unit_rows(rng, size, d)
        for name in attacks:
            res = robust_gd(
                p,
                stats,
                aggregator=agg,
                T=T,
                w0=w0,
                q=q,
                attack=resolve_attack(name),
                rng=rng,
                radius=radius,
                k=q if kind == "trimmed" else None,
                record=False,
            )
            yield res, name


def _model_r_params(
    kind: str, *, n: int, m: int, alpha: float, d: int, D: float, problem: str = "model_r"
) -> dict[str, float]:
    _, k = _problem(problem, d, D / 2)
    thm = "thm3.8" if kind == "median" else "thm3.11"
    _require_constants(problem, k, ("D", "L_hat", "V", "S") if kind == "median" else ("D", "L_hat", "v"), thm)
    base = {"n": n, "m": m, "d": d, "alpha": alpha, "D": k["D"], "L_hat": k["L_hat"]}
    if kind == "median":
        return {**base, "V": k["V"], "S": k["S"]}
    return {**base, "beta": _q(alpha, m) / m, "v": k["v"]}


def _gd_check(
    name: str,
    description: str,
    trials: int,
    quick_trials: int,
    wrong_scale: float,
    params: dict,
    options: tuple = (),
    slow: bool = False,
    instance: str = "",
) -> Any:
    thm = name.split("/")[0]
    default = "trimmed_mean" if thm in TRIMMED_THEOREMS else "median"
    options = (*options, aggregator_option(default), ATTACK_OPTION)
    return check(
        name,
        thm,
        description=description,
        trials=trials,
        quick_trials=quick_trials,
        wrong={"bound_scale": wrong_scale},
        slow=slow,
        options=options,
        theorem_params=params,
        instance=instance,
        slack=GD_SLACK[thm],
    )


def _uniform_run(kind: str) -> None:
    thm = "thm3.8" if kind == "median" else "thm3.11"
    strongest = MEDIAN_ATTACKS if kind == "median" else TRIM_ATTACKS

    @_gd_check(
        f"{thm}/uniform-gradient-error",
        "max gradient error along robust GD runs vs the explicit uniform bound",
        400,
        50,
        0.1 if kind == "median" else 0.02,
        R_DEFAULT,
        options=(T_OPTION, PROBLEM_OPTION),
        instance="Model R, sigma = 1, w0 on the sphere of radius D/2, the four strongest attacks; "
        f"tightness {'0.113' if kind == 'median' else '0.037'} at n = m = 1000, q = 50, d = 2.",
    )
    def run(
        trials: int,
        seed: int,
        *,
        n: int,
        m: int,
        alpha: float,
        d: int,
        D: float,
        T: int,
        aggregator: str,
        attack: str,
        problem: str,
    ) -> MCResult:
        q = _q(alpha, m)
        params = _model_r_params(kind, n=n, m=m, alpha=alpha, d=d, D=D, problem=problem)
        b = registry_bound(thm, **params)
        worst, which = 0.0, ""
        attacks = _attack_names(attack, strongest)
        for res, name in _model_r_runs(
            kind,
            trials,
            seed,
            T,
            attacks,
            n=n,
            m=m,
            q=q,
            d=d,
            radius=D / 2,
            r0=D / 2,
            aggregator=aggregator,
            problem=problem,
        ):
            e = float(res.grad_error.max())
            if e > worst:
                worst, which = e, name
        note = (
            f"Model R (d={d}, sigma=1, W = ball(w*, {D / 2:g})), n = {n}, m = {m}, q = {q}, T = {T}, w0 on the "
            f"sphere ||w0 - w*|| = {D / 2:g}; attacks {', '.join(attacks)}; largest error under {which}; "
            f"{'Delta' if kind == 'median' else 'Delta_full'} = {b.value:.6g}; "
            + (
                _s480_note(**{k: params[k] for k in ("n", "m", "d", "alpha", "D", "L_hat")})
                if kind == "median"
                else "v = sqrt(sigma^2 + r^2) (Proposition 3.2)"
            )
            + _agg_note(aggregator, "median" if kind == "median" else "trimmed_mean")
            + _problem_note(problem)
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over runs and iterations of ||g(w^t) - grad F(w^t)||",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials * len(attacks),
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


def _strongly_convex_run(kind: str) -> None:
    thm = "thm3.1" if kind == "median" else "thm3.4"
    strongest = MEDIAN_ATTACKS if kind == "median" else TRIM_ATTACKS

    @_gd_check(
        f"{thm}/final-error",
        "final distance to w* vs the bound",
        400,
        50,
        0.03 if kind == "median" else 0.01,
        {**R_DEFAULT, "T": 30, "r0": 1.0},
        options=(PROBLEM_OPTION,),
        instance="Model R, sigma = 1, lambda_F = L_F = 1, w0 on the sphere of radius r0, the four strongest "
        f"attacks; tightness {'0.046' if kind == 'median' else '0.016'} at n = m = 1000, q = 50, "
        "d = 2, D = 2, T = 30.",
    )
    def run(
        trials: int,
        seed: int,
        *,
        n: int,
        m: int,
        alpha: float,
        d: int,
        D: float,
        T: int,
        r0: float,
        aggregator: str,
        attack: str,
        problem: str,
    ) -> MCResult:
        from boundlab.bounds import BadInput

        if r0 > D / 2:
            raise BadInput(
                f"r0 ({r0:g}) must be <= D/2 = {D / 2:g} ({thm}/final-error: w0 lies in W = ball(w*, D/2)).", name="r0"
            )
        q = _q(alpha, m)
        if problem == "model_r":
            smooth = {"L_F": 1.0, "lambda_F": 1.0}
        else:
            _, k = _problem(problem, d, D / 2)
            _require_constants(problem, k, ("L_F", "lambda_F"), thm)
            smooth = {"L_F": float(k["L_F"]), "lambda_F": float(k["lambda_F"])}
        params = {
            **_model_r_params(kind, n=n, m=m, alpha=alpha, d=d, D=D, problem=problem),
            **smooth,
            "T": T,
            "r0": r0,
        }
        b = registry_bound(thm, **params)
        dname = "Delta" if kind == "median" else "Delta_prime"
        worst, which, finals = 0.0, "", []
        attacks = _attack_names(attack, strongest)
        for res, name in _model_r_runs(
            kind,
            trials,
            seed,
            T,
            attacks,
            n=n,
            m=m,
            q=q,
            d=d,
            radius=D / 2,
            r0=r0,
            aggregator=aggregator,
            problem=problem,
        ):
            final = res.dist_to_opt[:, -1]
            finals.append(final)
            if final.max() > worst:
                worst, which = float(final.max()), name
        mean = float(np.mean(np.concatenate(finals)))
        note = (
            f"Model R (d={d}, W = ball(w*, {D / 2:g})), n = {n}, m = {m}, q = {q}, T = {T}, ||w0 - w*|| = {r0:g}, "
            f"lambda_F = L_F = 1; attacks {', '.join(attacks)} (largest under {which}); mean final error "
            f"{mean:.4g}; bound (1-kappa)^T r0 + 2 {dname}/lambda_F = {b.value:.6g}."
            + _agg_note(aggregator, "median" if kind == "median" else "trimmed_mean")
            + _problem_note(problem)
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over runs of ||w^T - w*||",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials * len(attacks),
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


# -- Theorem 3.8, decomposed: the per-coordinate step (3.42) at a fixed w ------------------------
#
# The proof of Theorem 3.8 bounds, at a FIXED w and coordinate k, |g_k(w) - d_k F(w)| by Corollary 3.1
# applied to the machine gradients (3.42): C_eps sigma_k(w)/sqrt(n) (alpha + sqrt(t/(m(1-alpha))) +
# 0.4748 gamma_k(w)/sqrt(n)) with probability >= 1 - 4 e^{-2t}; then takes a union bound over a net and
# the coordinates and extends by Lipschitz continuity (the steps the end-to-end check cannot resolve).
# Noiseless Model R at w = w* + c e_2 makes this step sharp: d_1 f(w; z) = x_1 x'(w - w*) = c x_1 x_2 is
# c times a Rademacher sign, so sigma_1(w) = c, gamma_1(w) = 1, d_1 F(w) = 0 and the machine gradients
# are c (2 Bin(n, 1/2) - n)/n: with n odd, |g_1(w)| >= c/n on every trial, against a Berry-Esseen term of
# the radius of C_eps 0.4748 c/n. (tests check that Model R's sampled gradients are exactly this lattice.)

STEP_C = Param(
    "c",
    "offset of w from w* along e_2 (Model R, sigma = 0): sigma_1(w) = c",
    lower=0.0,
    lower_open=True,
    typical=(0.1, 10.0),
    default=1.0,
)
STEP_T = Param(
    "t",
    "deviation parameter of (3.42): probability 1 - 4 exp(-2t)",
    lower=math.log(2),
    lower_open=True,
    typical=(1.0, 3.0),
    default=2.0,
)


@check(
    "thm3.8/step-coordinate",
    "thm3.8",
    description="step (3.42) of Theorem 3.8's proof: the coordinate median at a fixed w vs its own radius",
    trials=100_000,
    quick_trials=20_000,
    theorem_params={k: SHARP[k] for k in ("n", "m", "alpha")},
    options=(STEP_T, STEP_C),
    scales="radius",
    instance="noiseless Model R (d = 2), w = w* + c e_2, coordinate 1, one-sided attack; as the Corollary 3.1 "
    "checks: " + _COV_INSTANCE,
)
def _step_coordinate(
    trials: int, seed: int, *, n: int, m: int, alpha: float, t: float, c: float, bound_scale: float
) -> MCResult:
    q = _q(alpha, m)
    # the step's bound is Corollary 3.1 at sigma = sigma_1(w), gamma = gamma_1(w): not a quantity of thm3.8, so
    # the result carries no registry stamp (its note gives the `boundlab eval cor3.1` command instead)
    b = registry_bound("cor3.1", "prob", n=n, m=m, alpha=alpha, t=t, sigma=c, gamma=1.0)
    r, prob = float(b.evaluation.value), b.value
    r_used = r * bound_scale
    k = np.arange(n + 1)
    values, pmf = c * (2 * k - n) / n, _lattice(n)[1]
    ok, devs = 0, []
    for size, rng in chunk_rngs(seed, trials):
        counts = rng.multinomial(m - q, pmf, size=size)
        med = _median_from_counts(values, counts, np.full(size, 1e6), q)
        dev = np.abs(med)  # d_1 F(w) = 0
        ok += int(np.sum(dev <= r_used))
        devs.append(dev)
    dev = np.concatenate(devs)
    lo, hi = clopper_pearson(ok, trials, CONFIDENCE)
    return MCResult(
        check="",
        theorem_id="",
        quantity="P(|g_1(w) - d_1 F(w)| <= r_k(w))",
        estimate=ok / trials,
        ci_low=lo,
        ci_high=hi,
        bound=prob,
        rule="probability",
        trials=trials,
        seed=seed,
        seconds=0.0,
        power=_coverage_power(dev / r_used, prob),
        note=(
            f"noiseless Model R, w = w* + {c:g} e_2, coordinate 1 (sigma_1(w) = {c:g}, gamma_1(w) = 1), "
            f"n={n}, m={m}, q={q} Byzantine at +1e6, t={t:g}: r_k(w) = {r_used:.6g}"
            f"{f' (scaled by {bound_scale:g})' if bound_scale != 1 else ''} (= Corollary 3.1 at "
            f"sigma = c, gamma = 1: boundlab eval cor3.1 n={n} m={m} alpha={alpha:.10g} t={t:g} "
            f"sigma={c:g} gamma=1); largest |g_1 - d_1 F| / r_k = {float(dev.max()) / r:.3f}."
        ),
    )


# -- Theorem 3.8 end to end on the lattice instance ---------------------------------------------------
#
# Theorem 3.8 bounds the gradient error uniformly over W, so one point of W with a large error is a valid
# test. On noiseless Model R with d = 2 the coordinate gradients are two-point laws (gamma = 1, so S = 1
# is the model's exact skewness bound; V = r), and at w = w* + r e_2: g^i_1 = r (2 Bin(n, 1/2) - n)/n (a
# lattice that misses d_1 F = 0 by r/n for odd n) and g^i_2 = r = d_2 F exactly, so ||g(w) - grad F(w)|| =
# r/n on every trial (the median of coordinate 2 sits at r whatever q < m/2 Byzantine machines send).
# Search (registry Delta / (r/n), n odd in {25, ..., 501}, r in {1e-3, 1, 1e3}, q in {0, ..., 100}):
# m = 1001: 5.45; 20001: 2.42; 200001: 1.94; 2000001: 1.80 (n = 25, r = 1e-3); 20000001: 1.74.


@check(
    "thm3.8/lattice-point",
    "thm3.8",
    description="the uniform gradient error at one point of W on the lattice instance vs Delta",
    trials=20_000,
    quick_trials=2_000,
    theorem_params={"n": 25, "m": 2_000_001, "alpha": 10 / 2_000_001, "D": 0.002},
    instance="noiseless Model R, d = 2, W = ball(w*, D/2), w = w* + (D/2) e_2, one-sided attack on coordinate 1; "
    "n = 25, m = 2000001, q = 10, D = 0.002: error r/n on every trial, Delta / error = 1.80.",
    slack="Delta's union bound over the net and the coordinates (t = d log(1 + n m L_hat D)) and the sqrt(2) of "
    "the Lipschitz extension: at one point the per-coordinate radius is sharp (thm3.8/step-coordinate, "
    "power 1.23), the uniform Delta is 1.80x the error there at m = 2e6 (1.74 at m = 2e7).",
)
def _lattice_point(trials: int, seed: int, *, n: int, m: int, alpha: float, D: float) -> MCResult:
    q = _q(alpha, m)
    r = D / 2
    b = registry_bound("thm3.8", n=n, m=m, d=2, alpha=alpha, D=D, L_hat=2.0, V=r, S=1.0)
    k = np.arange(n + 1)
    values, pmf = r * (2 * k - n) / n, _lattice(n)[1]
    worst = 0.0
    for size, rng in chunk_rngs(seed, trials):
        counts = rng.multinomial(m - q, pmf, size=size)
        e1 = np.abs(_median_from_counts(values, counts, np.full(size, 1e6), q))  # d_1 F(w) = 0; coordinate 2 exact
        worst = max(worst, float(e1.max()))
    return MCResult(
        check="",
        theorem_id="",
        quantity="max over trials of ||g(w) - grad F(w)|| at w = w* + r e_2",
        estimate=worst,
        ci_low=worst,
        ci_high=worst,
        bound=b.value,
        rule="upper",
        trials=trials,
        seed=seed,
        seconds=0.0,
        note=(
            f"noiseless Model R (d = 2, V = r = {r:g}, S = 1, L_hat = 2), n = {n}, m = {m}, "
            f"q = {q} at +1e6 on both coordinates; error at w* + r e_2 = {worst:.6g} "
            f"(r/n = {r / n:.6g}); Delta = {b.value:.6g}."
        ),
        **b.stamp(),
    )


# -- convex and non-convex (Model AN) ------------------------------------------------------------


def _an_params(p: ModelAN, kind: str, D: float, *, n: int, m: int, alpha: float, d: int) -> dict[str, float]:
    k = p.constants()
    base = {"n": n, "m": m, "d": d, "alpha": alpha, "D": D, "L_hat": k["L_hat"], "L_F": k["L_F"]}
    if kind == "median":
        return {**base, "V": k["V"], "S": k["S"]}
    return {**base, "beta": _q(alpha, m) / m, "v": k["v"]}


def _convex_run(kind: str) -> None:
    thm = "thm3.2" if kind == "median" else "thm3.5"
    strongest = MEDIAN_ATTACKS[:3] if kind == "median" else TRIM_ATTACKS[:3]

    @_gd_check(
        f"{thm}/excess-risk",
        "excess risk after T iterations vs the proof's bound",
        400,
        50,
        1e-5 if kind == "median" else 3e-6,
        AN_DEFAULT,
        instance="Model AN log-cosh, Gaussian noise, W = ball(w*, 3), ||w0 - w*|| = 1, T = ceil(L_F r0 / "
        f"Delta); tightness {'2.4e-5' if kind == 'median' else '8.9e-6'} at n = 1000, m = 1001, "
        "q = 50, d = 2.",
    )
    def run(trials: int, seed: int, *, n: int, m: int, alpha: float, d: int, aggregator: str, attack: str) -> MCResult:
        q = _q(alpha, m)
        attacks = _attack_names(attack, strongest)
        radius, r0 = 3.0, 1.0
        p = ModelAN(d=d, phi="logcosh", noise="gaussian", noise_scale=1.0, radius=radius)
        params = {**_an_params(p, kind, 2 * radius, n=n, m=m, alpha=alpha, d=d), "r0": r0}
        b = registry_bound(thm, **params)
        ev = b.evaluation
        dname = "Delta" if kind == "median" else "Delta_prime"
        T = math.ceil(float(ev.quantities["T"]))
        agg = _aggregator(aggregator, q, m)
        worst, which = 0.0, ""
        for size, rng in chunk_rngs(seed, trials, GD_CHUNK):
            stats = p.sample(rng, size, m, n)
            w0 = p.w_star + r0 * _unit_rows(rng, size, d)
            for name in attacks:
                res = robust_gd(
                    p,
                    stats,
                    aggregator=agg,
                    T=T,
                    w0=w0,
                    q=q,
                    attack=resolve_attack(name),
                    rng=rng,
                    radius=radius,
                    k=q if kind == "trimmed" else None,
                    record=False,
                )
                gap = float(res.F_gap[:, -1].max())
                if gap > worst:
                    worst, which = gap, name
        note = (
            f"Model AN log-cosh (d={d}, Gaussian noise s=1, W = ball(w*, 3)), n = {n}, m = {m}, q = {q}, "
            f"||w0 - w*|| = 1, T = ceil(L_F r0 / {dname}) = {T} (W contains the 2 r0 ball and every iterate "
            f"the proof allows); attacks {', '.join(attacks)} (largest under {which}); bound = the proof's "
            f"16 r0 {dname} + {dname}^2/(2 L_F) = {b.value:.6g}."
            + _agg_note(aggregator, "median" if kind == "median" else "trimmed_mean")
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over runs of F(w^T) - F(w*)",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials * len(attacks),
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


def _nonconvex_D(p: ModelAN, kind: str, F_gap: float, **kw: Any) -> float:
    """The smallest diameter D with D >= 2 x (Assumption 3.5 radius), a fixed point since Delta depends on D."""
    thm = "thm3.3" if kind == "median" else "thm3.6"
    M = p.constants()["M"]
    D = 10.0
    for _ in range(50):
        ev = get(thm).assess(**{**_an_params(p, kind, D, **kw), "F_gap": F_gap, "M": M})
        new = 2.0 * float(ev.quantities["radius_asm3_5"]) * 1.0001
        if not math.isfinite(new):  # Delta undefined: name the hypothesis that fails (exit 3), not D
            bad = [c for c in ev.violated if "Assumption 3.5" not in c["text"]] or ev.violated
            raise HypothesisViolated(" ".join(violation_message(get(thm), c) for c in bad))
        if abs(new - D) <= 1e-9 * D:
            break
        D = new
    return D


def _nonconvex_run(kind: str) -> None:
    thm = "thm3.3" if kind == "median" else "thm3.6"
    strongest = MEDIAN_ATTACKS[:3] if kind == "median" else TRIM_ATTACKS[:3]

    @_gd_check(
        f"{thm}/critical-point",
        "smallest gradient norm along the run vs sqrt(2) Delta",
        100 if kind == "median" else 200,
        10 if kind == "median" else 20,
        0.04 if kind == "median" else 0.015,
        AN_DEFAULT,
        slow=kind == "median",
        instance="Model AN bounded non-convex potential, Gaussian noise, w0 = (0.3, -0.2, ...) near the local "
        f"maximum; tightness {'0.050' if kind == 'median' else '0.022'} at n = 1000, m = 1001, q = 50, "
        "d = 2.",
    )
    def run(trials: int, seed: int, *, n: int, m: int, alpha: float, d: int, aggregator: str, attack: str) -> MCResult:
        q = _q(alpha, m)
        attacks = _attack_names(attack, strongest)
        kw = {"n": n, "m": m, "alpha": alpha, "d": d}
        p = ModelAN(d=d, phi="bounded", a=3.0, noise="gaussian", noise_scale=1.0)
        w0 = np.resize(np.array([0.3, -0.2]), d)  # near the local maximum at 0
        F_gap = float(p.F(w0) - p.F_star)
        D = _nonconvex_D(p, kind, F_gap, **kw)
        M = p.constants()["M"]
        b = registry_bound(thm, **{**_an_params(p, kind, D, **kw), "F_gap": F_gap, "M": M})
        dname = "Delta" if kind == "median" else "Delta_prime"
        T = math.ceil(float(b.evaluation.quantities["T"]))
        agg = _aggregator(aggregator, q, m)
        worst, which = 0.0, ""
        for size, rng in chunk_rngs(seed, trials, GD_CHUNK):
            stats = p.sample(rng, size, m, n)
            for name in attacks:
                res = robust_gd(
                    p,
                    stats,
                    aggregator=agg,
                    T=T,
                    w0=w0,
                    q=q,
                    attack=resolve_attack(name),
                    rng=rng,
                    radius=None,
                    k=q if kind == "trimmed" else None,
                    record=False,
                )
                best = float(res.grad_norm.min(axis=1).max())
                if best > worst:
                    worst, which = best, name
        note = (
            f"Model AN with the bounded non-convex potential sum_k (log cosh w_k + 3 cos w_k) (M = 4 sqrt 2 on "
            f"R^d), Gaussian noise, d = {d}, n = {n}, m = {m}, q = {q}, w0 = {w0.tolist()} near the local "
            f"maximum, F_gap = {F_gap:.4g}, T = ceil(2 L_F F_gap / {dname}^2) = {T}; D = {D:.4g} is the smallest "
            f"diameter satisfying Assumption 3.5 (no projection is ever active); attacks {', '.join(attacks)} "
            f"(largest under {which}); bound sqrt(2) {dname} = {b.value:.6g}."
            + _agg_note(aggregator, "median" if kind == "median" else "trimmed_mean")
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over runs of min_t ||grad F(w^t)||",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials * len(attacks),
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


def _stalling_descent(p: ModelAN, w0: np.ndarray, *, L_F: float, delta: float, T: int) -> np.ndarray:
    """min_t ||grad F(w^t)|| of gradient descent with step 1/L_F under the strongest error of norm <= delta.

    The adversary slows every step as much as it may (e = -delta grad F / ||grad F||) and, once
    ||grad F|| <= delta, cancels the gradient so the run stalls there for good. ``w0`` is (R, d).
    """
    w = np.array(w0, dtype=float)
    best = np.linalg.norm(p.grad_F(w), axis=-1)
    stalled = best <= delta
    for _ in range(int(T)):
        if stalled.all():
            break
        g = p.grad_F(w)
        norm = np.linalg.norm(g, axis=-1, keepdims=True)
        e = np.where(norm <= delta, -g, -delta * g / np.maximum(norm, 1e-300))
        w = np.where(stalled[:, None], w, w - (g + e) / L_F)
        now = np.linalg.norm(p.grad_F(w), axis=-1)
        best = np.minimum(best, now)
        stalled |= now <= delta
    return best


def _optimisation_step_run(kind: str) -> None:
    thm = "thm3.3" if kind == "median" else "thm3.6"
    dname = "Delta" if kind == "median" else "Delta_prime"

    @check(
        f"{thm}/step-optimisation",
        thm,
        trials=64,
        quick_trials=16,
        description=f"the optimisation step of {thm}'s proof: gradient descent whose every gradient is off by at "
        f"most {dname} (the strongest such error) reaches ||grad F|| <= sqrt(2) {dname} within T steps",
        theorem_params=AN_DEFAULT,
        instance="Model AN bounded non-convex potential at the end-to-end check's parameters; starts drawn near "
        "the local maximum; the adversary slows each step by the full error budget and stalls the run "
        "as soon as ||grad F|| <= Delta, so min_t ||grad F|| sits just below Delta: tightness ~ 1/sqrt 2.",
        slack="",
    )
    def run(trials: int, seed: int, *, n: int, m: int, alpha: float, d: int) -> MCResult:
        kw = {"n": n, "m": m, "alpha": alpha, "d": d}
        p = ModelAN(d=d, phi="bounded", a=3.0, noise="gaussian", noise_scale=1.0)
        w_ref = np.resize(np.array([0.3, -0.2]), d)
        F_gap = float(p.F(w_ref) - p.F_star)
        D = _nonconvex_D(p, kind, F_gap, **kw)
        M = p.constants()["M"]
        b = registry_bound(thm, **{**_an_params(p, kind, D, **kw), "F_gap": F_gap, "M": M})
        delta = float(b.evaluation.quantities[dname])
        T = math.ceil(float(b.evaluation.quantities["T"]))
        L_F = p.constants()["L_F"]
        worst = 0.0
        for size, rng in chunk_rngs(seed, trials):
            w0 = w_ref + rng.uniform(-0.05, 0.05, (size, d))
            keep = p.F(w0) - p.F_star <= F_gap  # starts inside the sublevel set the theorem's T is computed for
            if keep.any():
                worst = max(worst, float(_stalling_descent(p, w0[keep], L_F=L_F, delta=delta, T=T).max()))
        note = (
            f"Model AN bounded potential, d = {d}, L_F = {L_F:g}; {dname} = {delta:.6g} from the registry at "
            f"n = {n}, m = {m}, alpha = {alpha:.4g}; T = {T}; bound sqrt(2) {dname} = {b.value:.6g}. The "
            f"statistical step ({dname} itself) is checked by the uniform-gradient-error checks."
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over starts of min_t ||grad F(w^t)||",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials,
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


# -- Theorem 3.7 (one round) -------------------------------------------------------------------


@_gd_check(
    "thm3.7/one-round-error",
    "one-round median of local ERMs vs the bound",
    2_000,
    200,
    0.25,
    G_DEFAULT,
    instance="Model G, sigma = 1, w* = 0, exact Wishart statistics, attacks large_value, inside_range, alie; "
    "the worst-case search moved the instance from n = 1e5, m = 201, alpha = 10/201, d = 2 "
    "(tightness 0.116) to n = 97427, m = 9663, alpha = 0.0806, d = 1 (0.29 at 200 runs, 0.316 at "
    "60000).",
)
def _one_round_run(
    trials: int, seed: int, *, n: int, m: int, alpha: float, d: int, aggregator: str, attack: str
) -> MCResult:
    from boundlab.bounds import quadratic_model_constants

    q = _q(alpha, m)
    p = ModelG(d=d, sigma=1.0)
    k = quadratic_model_constants("G", n=n, d=d, sigma=1.0)
    b = registry_bound("thm3.7", n=n, m=m, d=d, alpha=alpha, sigma_tilde=k["sigma_tilde"], C_tilde=k["C_tilde"])
    attacks = _attack_names(attack, ("large_value", "inside_range", "alie"))
    agg = _aggregator(aggregator, q, m)
    worst, which = 0.0, ""
    for size, rng in chunk_rngs(seed, trials):
        stats = p.sample(rng, size, m, n)
        for name in attacks:
            res = one_round(p, stats, aggregator=agg, q=q, attack=resolve_attack(name), rng=rng)
            e = float(res.error.max())
            if e > worst:
                worst, which = e, name
    note = (
        f"Model G (d={d}, sigma=1, w* = 0), exact Wishart sufficient statistics, n = {n:g}, m = {m}, q = {q}; "
        f"C_tilde = {k['C_tilde']:.5g}, sigma_tilde = {k['sigma_tilde']:.5g}; attacks {', '.join(attacks)} "
        f"(largest under {which}); failure probability 4/(nm) = {4 / (n * m):.2g}; bound = {b.value:.6g}."
        + _agg_note(aggregator, "median")
    )
    return MCResult(
        check="",
        theorem_id="",
        quantity="max over runs of ||w_hat - w*||",
        estimate=worst,
        ci_low=worst,
        ci_high=worst,
        bound=b.value,
        rule="upper",
        trials=trials * len(attacks),
        seed=seed,
        seconds=0.0,
        note=note,
        **b.stamp(),
    )


for _kind in ("median", "trimmed"):
    _uniform_run(_kind)
    _strongly_convex_run(_kind)
    _convex_run(_kind)
    _nonconvex_run(_kind)
    _optimisation_step_run(_kind)


# -- Theorem 3.7, decomposed: the per-coordinate step at a free deviation level t ----------------
#
# The proof of Theorem 3.7 bounds each coordinate of the one-round median exactly as Corollary 3.1 bounds a
# median of means, with Theorem 3.13's normal approximation of psi_k(U_bar, v_bar) (Lemma 3.5's C-tilde) in
# place of Berry-Esseen's 0.4748 gamma: with probability >= 1 - 4 exp(-2t),
#   |w_hat_k - w*_k| <= C_eps sigma_tilde_k / sqrt(n) (alpha + sqrt(t / (m (1 - alpha))) + C_tilde / sqrt(n)),
# and then sets t = log(n m d) / 2 and takes a union bound over the d coordinates (failure 4/(nm)). The end-to-end
# check compares a maximum over a few thousand runs with a bound that holds with probability 1 - 4/(nm), so it
# cannot see the radius at the quantile the bound is about; at a moderate t the step is a coverage statement that
# a few thousand runs resolve. The radius is Corollary 3.1's at sigma = sigma_tilde_k and gamma = C_tilde / 0.4748
# (the registry's cor3.1, so the note gives a `boundlab eval cor3.1` command). On Model G (d = 1) with n large the
# C_tilde term is small and the sqrt(t/m) term dominates: the median of m Gaussian machine estimates deviates by
# sqrt(pi/2) sigma z / sqrt(n m), against C_eps >= sqrt(2 pi) times sigma sqrt(t / (n m)): at t = 3 the radius is
# 1.3x the needed one, so a halved radius fails. The alpha term is the loose one (the one-sided attack shifts the
# median by about sqrt(pi/2) alpha sigma / sqrt n against C_eps alpha sigma / sqrt n, a factor 2), so the default
# instance keeps alpha small (one Byzantine machine in 2001).

STEP37 = {"n": 100_000_000, "m": 2001, "alpha": 1 / 2001, "t": 3.0}


@check(
    "thm3.7/step-coordinate",
    "thm3.7",
    description="the per-coordinate step of Theorem 3.7's proof: coverage of |w_hat_k - w*_k| <= r(t) by the "
    "one-round median vs 1 - 4 exp(-2t)",
    trials=100_000,
    quick_trials=10_000,
    theorem_params=STEP37,
    options=(
        Param(
            "t",
            "deviation parameter of the step (the theorem sets t = log(n m d) / 2)",
            lower=0.0,
            lower_open=True,
            typical=(1.0, 4.0),
            default=3.0,
        ),
    ),
    scales="radius",
    instance="Model G, d = 1, sigma = 1, w* = 0, exact Wishart statistics, n = 1e8, m = 2001, one Byzantine machine "
    "at +1e6, t = 3 (claimed coverage 1 - 4e^-6 = 0.990): the radius is ~1.3x the 99% quantile of "
    "|w_hat - w*|.",
    slack="the step's alpha term (a factor ~2 against the one-sided shift, from inverting the normal CDF with "
    "C_eps >= sqrt(2 pi)) and Lemma 3.5's C_tilde (~20 at n -> infinity vs 0.4748 gamma); the end-to-end "
    "check adds the union bound over coordinates at t = log(n m d)/2.",
)
def _step_one_round(trials: int, seed: int, *, n: int, m: int, alpha: float, t: float, bound_scale: float) -> MCResult:
    from boundlab.bounds import quadratic_model_constants

    # the step's radius is Corollary 3.1's at (sigma_tilde, C_tilde / 0.4748), not a quantity of thm3.7: no registry
    # stamp (the note gives the `boundlab eval cor3.1` command)
    q = _q(alpha, m)
    p = ModelG(d=1, sigma=1.0)
    k = quadratic_model_constants("G", n=n, d=1, sigma=1.0)
    b = registry_bound(
        "cor3.1", "prob", n=n, m=m, alpha=alpha, t=t, sigma=float(k["sigma_tilde"]), gamma=float(k["C_tilde"]) / 0.4748
    )
    r, prob = float(b.evaluation.value), b.value
    r_used = r * bound_scale
    ok, devs = 0, []
    for size, rng in chunk_rngs(seed, trials):
        stats = p.sample(rng, size, m, n)
        res = one_round(p, stats, aggregator=median, q=q, attack=ATTACKS["large_value"], rng=rng)
        dev = np.abs(res.w_hat[:, 0] - p.w_star[0])
        ok += int(np.sum(dev <= r_used))
        devs.append(dev)
    dev = np.concatenate(devs)
    lo, hi = clopper_pearson(ok, trials, CONFIDENCE)
    return MCResult(
        check="",
        theorem_id="",
        quantity="P(|w_hat_1 - w*_1| <= r(t))",
        estimate=ok / trials,
        ci_low=lo,
        ci_high=hi,
        bound=prob,
        rule="probability",
        trials=trials,
        seed=seed,
        seconds=0.0,
        power=_coverage_power(dev / r_used, prob),
        note=(
            f"Model G (d = 1, sigma = 1, w* = 0), n = {n:g}, m = {m}, q = {q} at +1e6, t = {t:g}; "
            f"C_tilde = {float(k['C_tilde']):.5g}; r = {r_used:.6g}"
            f"{f' (radius scaled by {bound_scale:g})' if bound_scale != 1 else ''}; largest "
            f"|w_hat - w*| / r = {float(dev.max()) / r_used:.3f}. Radius = Corollary 3.1's at "
            f"sigma = sigma_tilde, gamma = C_tilde / 0.4748: boundlab eval cor3.1 n={n:g} m={m} "
            f"alpha={alpha:.6g} t={t:g} sigma=1 gamma={float(k['C_tilde']) / 0.4748:.6g}."
        ),
    )


# -- Theorems 3.2 / 3.5, decomposed: the optimisation step (convex) -------------------------------
#
# Given the event ||g(w) - grad F(w)|| <= Delta everywhere (the statistical step, checked by the
# uniform-gradient-error and step checks), the proof bounds gradient descent with step 1/L_F after
# T = L_F r0 / Delta iterations by F(w^T) - F* <= 16 r0 Delta + Delta^2 / (2 L_F) (L6550-6587). The strongest
# error of norm Delta found for this step: e = -Delta grad F / ||grad F|| (every step slowed by the full budget,
# pushed uphill where ||grad F|| < Delta) on the radial Huber function F(w) = s huber_h(||w - w*||) with slope
# s = rho Delta and L_F = s / h. For rho = 1 the run stalls at w0 with F - F* = Delta (r0 - h/2); for rho < 1 it
# drifts outward by r0 (1 - rho) and ends at rho (2 - rho) r0 Delta <= r0 Delta. So the 16 is at least 16x
# generous on every instance tried: the check measures that factor and cannot see a 2x error in it.


def _huber_descent(rho: np.ndarray, *, delta: float, L_F: float, r0: float, T: int) -> np.ndarray:
    """F(w^T) - F* of gradient descent (step 1/L_F) under the strongest error of norm delta on the radial Huber
    function of slope rho * delta and smoothness L_F, from ||w0 - w*|| = r0 (one run per entry of ``rho``)."""
    s = rho * delta
    h = s / L_F
    r = np.full(rho.shape, float(r0))
    for _ in range(int(T)):
        g = s * np.minimum(r / h, 1.0)  # ||grad F|| at distance r
        e = -delta * np.where(g > 0, 1.0, -1.0)  # along -grad F (outward where grad F = 0)
        r = np.abs(r - (g + e) / L_F)
    return s * np.where(r <= h, r**2 / (2 * h), r - h / 2)


def _convex_step_run(kind: str) -> None:
    thm = "thm3.2" if kind == "median" else "thm3.5"
    dname = "Delta" if kind == "median" else "Delta_prime"

    @check(
        f"{thm}/step-optimisation",
        thm,
        trials=200,
        quick_trials=50,
        description=f"the optimisation step of {thm}'s proof: gradient descent whose every gradient is off by at "
        f"most {dname} (the strongest such error) after T = L_F r0 / {dname} steps vs 16 r0 {dname} + "
        f"{dname}^2/(2 L_F)",
        theorem_params=AN_DEFAULT,
        wrong={"bound_scale": 0.05},
        instance="radial Huber functions F = rho Delta huber_h(||w - w*||) with L_F and Delta of the end-to-end "
        "check (Model AN log-cosh, n = 1000, m = 1001, q = 50, d = 2), r0 = 1, rho uniform in [0.5, 1] "
        "and rho = 1; the error slows each step by the full budget: F(w^T) - F* = rho (2 - rho) r0 Delta, "
        "at most r0 Delta (tightness 1/16).",
        slack=f"the proof's 16 r0 {dname}: the strongest bounded error found reaches r0 {dname} (a Huber function "
        f"of slope {dname}, where the error cancels the gradient from the start), so this step alone is "
        "16x generous and a 2x error in its constant is invisible; no instance closer to it is known.",
    )
    def run(trials: int, seed: int, *, n: int, m: int, alpha: float, d: int) -> MCResult:
        radius, r0 = 3.0, 1.0
        p = ModelAN(d=d, phi="logcosh", noise="gaussian", noise_scale=1.0, radius=radius)
        b = registry_bound(thm, **{**_an_params(p, kind, 2 * radius, n=n, m=m, alpha=alpha, d=d), "r0": r0})
        delta = float(b.evaluation.quantities[dname])
        T = math.ceil(float(b.evaluation.quantities["T"]))
        L_F = float(p.constants()["L_F"])
        worst = 0.0
        for size, rng in chunk_rngs(seed, trials):
            rho = np.concatenate([[1.0], rng.uniform(0.5, 1.0, size)])
            worst = max(worst, float(_huber_descent(rho, delta=delta, L_F=L_F, r0=r0, T=T).max()))
        note = (
            f"radial Huber, L_F = {L_F:g}, r0 = {r0:g}; {dname} = {delta:.6g} from the registry at n = {n}, "
            f"m = {m}, alpha = {alpha:.4g}, d = {d} (Model AN log-cosh constants); T = {T}; r0 {dname} = "
            f"{r0 * delta:.6g}; bound 16 r0 {dname} + {dname}^2/(2 L_F) = {b.value:.6g}."
        )
        return MCResult(
            check="",
            theorem_id="",
            quantity="max over rho of F(w^T) - F(w*)",
            estimate=worst,
            ci_low=worst,
            ci_high=worst,
            bound=b.value,
            rule="upper",
            trials=trials,
            seed=seed,
            seconds=0.0,
            note=note,
            **b.stamp(),
        )


for _kind in ("median", "trimmed"):
    _convex_step_run(_kind)
