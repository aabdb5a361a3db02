"""The Chapter 3 checks have teeth: each sees the bound made 2x too generous (Corollary 3.1, Lemma 3.1 and
the per-coordinate step of Theorem 3.8 on the lattice instance; Lemma 3.3's tails on Rademacher data; the
exact inequalities), or says which step of the proof makes that impossible; the edge attack sits just
outside the radius; the sharp instances are what they claim to be; the checks run at a user's parameters,
read their bound from the registry there, and refuse what the theorem or the construction excludes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from quickruns import quick  # one run per check and parameters for the session

from boundlab.bounds import BadInput, HypothesisViolated, get
from boundlab.cli import main
from boundlab.montecarlo import ModelR, median, scale_bound
from boundlab.montecarlo.checks import CHECKS, ch3

CH3 = sorted(k for k, c in CHECKS.items() if c.theorem_id.startswith(("cor3.", "lem3.", "thm3.", "obs3.")))
COVERAGE = ["cor3.1/one-sided", "cor3.1/random-sides", "cor3.1/edge", "lem3.1/cdf-bracket", "thm3.8/step-coordinate"]
# Checks that see a 2x error end-to-end (resolving power < 2 at the quick size) ...
SEES_2X = [
    *COVERAGE,
    "lem3.3/tail-mean",
    "lem3.3/tail-max",
    "lem3.3/deterministic",
    "thm3.1/recursion-3.31",
    "obs3.1/attained",
    "thm3.9/bernoulli-exact",
    "thm3.8/lattice-point",
    "thm3.3/step-optimisation",
    "thm3.6/step-optimisation",
    "thm3.7/step-coordinate",
]
# ... and those that cannot: max over runs vs a high-probability bound with a union bound over a net.
LOOSE = [
    "thm3.8/uniform-gradient-error",
    "thm3.11/uniform-gradient-error",
    "thm3.1/final-error",
    "thm3.4/final-error",
    "thm3.2/excess-risk",
    "thm3.5/excess-risk",
    "thm3.7/one-round-error",
    "thm3.2/step-optimisation",
    "thm3.5/step-optimisation",
]
LOOSE_SLOW = ["thm3.3/critical-point", "thm3.6/critical-point"]  # > 10 s at the quick size, run twice
RATES = ["thm3.1/rate-alpha", "thm3.1/rate-n", "thm3.1/rate-m", "thm3.1/skewness-floor"]


def test_every_chapter3_check_is_classified():
    assert sorted(SEES_2X + LOOSE + LOOSE_SLOW + RATES) == CH3


@pytest.mark.parametrize("name", SEES_2X)
def test_check_sees_its_bound_made_2x_too_generous(name):
    assert quick(name).resolving_power < 2
    assert quick(name, bound_scale=0.5).verdict == "fail"


@pytest.mark.parametrize("name", COVERAGE)
def test_coverage_check_fails_with_the_radius_made_20_percent_smaller(name):
    res = quick(name)
    assert res.verdict == "pass" and res.power == pytest.approx(1.2261, abs=1e-3)
    assert quick(name, bound_scale=0.8).verdict == "fail"


@pytest.mark.parametrize("name", COVERAGE)
def test_coverage_check_scales_the_radius_not_the_claimed_probability(name):
    assert quick(name, bound_scale=0.5).bound == quick(name).bound
    assert CHECKS[name].scales == "radius"


@pytest.mark.parametrize("name", LOOSE + [pytest.param(n, marks=pytest.mark.slow) for n in LOOSE_SLOW])
def test_loose_check_names_the_step_of_the_proof_and_still_fails_below_its_power(name):
    c, res = CHECKS[name], quick(name)
    assert res.resolving_power >= 2 and c.slack
    scale = c.wrong["bound_scale"]
    assert scale * res.resolving_power < 1  # the declared wrong variant lies beyond what the runs resolve
    assert scale_bound(res, scale).verdict == "fail"  # what run(bound_scale=scale) returns, without a rerun


def test_theorem_3_8_slack_points_to_the_step_check():
    assert "thm3.8/step-coordinate" in CHECKS["thm3.8/uniform-gradient-error"].slack


def test_theorem_3_7_slack_points_to_the_step_check():
    assert "thm3.7/step-coordinate" in CHECKS["thm3.7/one-round-error"].slack


@pytest.mark.parametrize("n, m, alpha", [(1e5, 201, 10 / 201), (1e8, 2001, 1 / 2001), (97_427, 9_663, 0.0806428)])
def test_theorem_3_7_is_its_coordinate_step_at_t_log_nmd_over_2_with_a_union_over_d(n, m, alpha):
    """The step check's radius is the intermediate the proof uses: at t = log(n m d)/2 and d = 1 it is the
    theorem's bound exactly, and 4 exp(-2t) is the theorem's failure probability 4/(nm)."""
    from boundlab.bounds import quadratic_model_constants
    from boundlab.montecarlo import registry_bound

    k = quadratic_model_constants("G", n=n, d=1, sigma=1.0)
    theorem = registry_bound("thm3.7", n=n, m=m, d=1, alpha=alpha, sigma_tilde=k["sigma_tilde"], C_tilde=k["C_tilde"])
    step = registry_bound(
        "cor3.1",
        "prob",
        n=n,
        m=m,
        alpha=alpha,
        t=math.log(n * m) / 2,
        sigma=k["sigma_tilde"],
        gamma=k["C_tilde"] / 0.4748,
    )
    assert float(step.evaluation.value) == pytest.approx(theorem.value, rel=1e-12)
    assert 1 - step.value == pytest.approx(4 / (n * m), rel=1e-6)


def test_theorem_3_7_step_fails_with_the_radius_made_40_percent_smaller():
    assert quick("thm3.7/step-coordinate").verdict == "pass"
    assert quick("thm3.7/step-coordinate", bound_scale=0.6).verdict == "fail"


# -- the edge attack ------------------------------------------------------------------------------


def test_edge_attack_places_every_byzantine_value_just_outside_the_radius():
    rng = np.random.default_rng(0)
    r, mu = 0.37, 0.5
    byz = ch3._byzantine_means("edge", rng, 1000, 7, r, mu)
    dist = np.abs(byz - mu) / r
    assert np.all(dist >= 1.0) and np.all(dist <= 1.05)
    assert {-1.0, 1.0} == set(np.sign(byz[:, 0] - mu))  # both sides occur
    assert next(o for o in CHECKS["cor3.1/edge"].options if o.name == "edge_factor").default == 1.01


def test_edge_attack_follows_the_radius_in_force():
    rng = np.random.default_rng(1)
    byz = ch3._byzantine_means("edge", rng, 200, 3, 0.5 * 0.2, 1.0, edge_factor=1.01)
    assert np.allclose(np.abs(byz - 1.0), 1.01 * 0.1)


def test_edge_attack_caps_the_median_at_its_values_on_model_e():
    # Byzantine values at 1.01 r stop the median there: the largest deviation is <= 1.01 r_used, while the
    # attack at +-1e6 lets it run further (0.445 vs 0.303 of r at this seed and scale).
    kw = {"n": 100, "m": 201, "alpha": 10 / 201, "t": 2.0, "law": "exp", "bound_scale": 0.3}
    edge = CHECKS["cor3.1/edge"].run(5000, 3, **kw)
    far = CHECKS["cor3.1/random-sides"].run(5000, 3, **kw)

    def worst(res):
        return float(res.note.split("largest |med - mu| / r = ")[1].split(";")[0])

    assert worst(edge) <= 1.01 * 0.3 + 1e-3 < worst(far)


# -- the sharp lattice instance ------------------------------------------------------------------


@given(n=st.integers(1, 9), m=st.integers(0, 20).map(lambda k: 2 * k + 1), data=st.data())
def test_median_from_counts_is_the_median_of_the_expanded_sample(n, m, data):
    q = data.draw(st.integers(0, m // 2), label="q")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    values, pmf = ch3._lattice(n)
    counts = rng.multinomial(m - q, pmf, size=5)
    b = data.draw(st.sampled_from([-1e6, 1e6, 0.5, 0.5 + 0.3 / n, 0.0, 1.0]), label="b")
    got = ch3._median_from_counts(values, counts, np.full(5, b), q)
    full = np.stack([np.concatenate([np.repeat(values, c), np.full(q, b)]) for c in counts])[..., None]
    assert np.array_equal(got, median(full)[..., 0])


def test_lattice_median_deviation_is_half_a_lattice_step_on_every_trial():
    res = quick("cor3.1/one-sided")
    n = CHECKS["cor3.1/one-sided"].theorem_params["n"]
    r = get("cor3.1").evaluate(n=n, m=2_000_001, alpha=200 / 2_000_001, t=2.0, sigma=0.5, gamma=1.0)
    assert 1 / res.power == pytest.approx(1 / (2 * n) / r, rel=1e-9)


@pytest.mark.parametrize("n", [50, 51, 400])
def test_lattice_instance_is_sharp_for_even_and_odd_n(n):
    # p = 1/2 + 1/(2n) for even n keeps mu half-way between lattice points
    res = CHECKS["cor3.1/edge"].run(2000, 0, n=n)
    assert res.verdict == "pass" and res.resolving_power < 1.3
    assert CHECKS["cor3.1/edge"].run(2000, 0, n=n, bound_scale=0.5).verdict == "fail"


def test_model_r_coordinate_gradient_at_the_step_point_is_c_times_a_rademacher_mean():
    c, n, m = 2.5, 7, 4000
    p = ModelR(d=2, sigma=0.0, radius=10.0)
    stats = p.sample(np.random.default_rng(0), 3, m, n)
    w = p.w_star + np.array([0.0, c])
    g = p.local_gradients(stats, np.broadcast_to(w, (3, 2)).copy())[..., 0]  # coordinate 1; d_1 F(w) = 0
    lattice = c * (2 * np.arange(n + 1) - n) / n
    assert np.allclose(np.min(np.abs(g[..., None] - lattice), axis=-1), 0, atol=1e-9)
    freq = np.array([np.mean(np.isclose(g, v)) for v in lattice])
    assert np.allclose(freq, ch3._lattice(n)[1], atol=0.02)
    assert float(p.grad_F(w)[0]) == 0.0
    g2 = p.local_gradients(stats, np.broadcast_to(w, (3, 2)).copy())[..., 1]  # coordinate 2: exactly d_2 F = c
    assert np.allclose(g2, c, atol=1e-12) and float(p.grad_F(w)[1]) == c


def test_theorem_3_8_end_to_end_lattice_error_is_r_over_n_on_every_trial():
    res = quick("thm3.8/lattice-point")
    assert res.estimate == pytest.approx(0.001 / 25, rel=1e-12)
    assert res.resolving_power == pytest.approx(1.8017, abs=1e-3)


def test_coverage_power_is_one_over_the_smallest_passing_scale():
    crit = np.linspace(0.001, 1.0, 1000)  # trial i passes from scale crit[i] on
    power = ch3._coverage_power(crit, 0.5)
    s = 1 / power
    k = int(np.sum(crit <= s))
    from boundlab.montecarlo import clopper_pearson

    assert clopper_pearson(k, 1000, 0.999)[0] >= 0.5 > clopper_pearson(k - 1, 1000, 0.999)[0]


@pytest.mark.parametrize(
    "n,p,sup,bound",
    [
        (10, 0.5, 0.123047, 0.150145),
        (100, 0.5, 0.039795, 0.047480),
        (1000, 0.5, 0.012613, 0.015014),
        (100, 0.1, 0.083156, 0.129779),
        (1000, 0.01, 0.083041, 0.147913),
    ],
)
def test_berry_esseen_step_matches_the_catalogs_exact_golden_values(n, p, sup, bound):
    res = CHECKS["thm3.9/bernoulli-exact"].run(1, 0, n=n, p=p)
    rounding = 5e-7 / sup + 5e-7 / bound  # the catalog prints six decimals
    assert res.estimate == pytest.approx(sup / bound, rel=rounding)


# -- Model E (the previous default) is still there, bit for bit ------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("cor3.1/one-sided", 0.9952),
        ("cor3.1/random-sides", 0.9816),
        ("cor3.1/edge", 0.9816),
        ("lem3.1/cdf-bracket", 0.823),
    ],
)
def test_model_e_runs_reproduce_the_previous_default(name, expected):
    res = CHECKS[name].run(5000, 3, n=100, m=201, alpha=10 / 201, t=2.0, law="exp", bound_scale=0.3)
    assert res.estimate == expected


@pytest.mark.parametrize("name,expected", [("cor3.1/one-sided", 4.95), ("lem3.1/cdf-bracket", 2.85)])
def test_model_e_cannot_see_the_radius_2x_too_large(name, expected):
    res = CHECKS[name].run(20_000, 0, n=100, m=201, alpha=10 / 201, t=2.0, law="exp")
    assert res.verdict == "pass" and res.resolving_power == pytest.approx(expected, abs=0.01)


# -- Lemma 3.3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lem3.3/tail-mean", "lem3.3/tail-max"])
def test_lemma_3_3_tail_claims_a_probability_below_one_and_is_hit_by_half_the_trials(name):
    res = quick(name)
    assert res.bound == pytest.approx(2 / math.e) and res.bound < 1
    assert res.ci_low <= 0.5 <= res.ci_high and res.tightness > 0.6


def test_lemma_3_3_tail_max_old_instance_had_a_vacuous_claim():
    res = CHECKS["lem3.3/tail-max"].run(10_000, 0, n=20, m=21, alpha=2 / 21, v=1.5, s=3 / math.sqrt(20), law="exp")
    assert res.bound > 1 and res.estimate == 0.0901 and "vacuous" in res.note


def test_lemma_3_3_tail_would_fail_with_the_exponent_doubled():
    # v is fixed by the samples' law (v < 1 is refused below), so the exponent's typo is read off the registry:
    # n t^2 / (2 v^2) doubled is the bound at v / sqrt 2, and the observed frequency sits above it
    from boundlab.montecarlo import registry_bound

    res = quick("lem3.3/tail-mean")
    at = {"n": 1, "m": 2, "alpha": 0.0, "beta": 0.0, "t": 1.0, "s": 1.0}
    doubled = registry_bound("lem3.3", "fail_mean", v=1 / math.sqrt(2), **at).value
    assert res.verdict == "pass" and res.ci_low > doubled


def test_lemma_3_3_deterministic_part_is_attained():
    assert quick("lem3.3/deterministic").estimate == pytest.approx(1.0, abs=1e-9)


def test_recursion_fails_with_a_doubled_contraction():
    assert quick("thm3.1/recursion-3.31", kappa_scale=2.0).verdict == "fail"


def test_recursion_needs_two_dimensions():
    with pytest.raises(BadInput, match=r"^d \(1\) must be >= 2"):
        CHECKS["thm3.1/recursion-3.31"].run(10, 0, d=1)


def test_observation_3_1_refuses_an_instance_without_a_byzantine_machine():
    # alpha m < 1: the separation is 0 and the ratio 0/0 (the worst-case search met it at m = 113)
    with pytest.raises(BadInput, match=r"^alpha m \(0\.904\) must be >= 1"):
        CHECKS["obs3.1/attained"].run(10, 0, alpha=0.008, m=113)


@pytest.mark.parametrize("name", ["lem3.3/tail-mean", "lem3.3/tail-max"])
@pytest.mark.parametrize(("law", "v_below", "v_min"), [("rademacher", 0.99, 1.0), ("exp", 1.432, 1.432069)])
def test_lemma_3_3_tail_checks_refuse_a_v_below_the_laws_sub_exponential_parameter(name, law, v_below, v_min):
    # read at v < 1 on Rademacher samples the bound is not Lemma 3.3's: the search had called it an erratum
    with pytest.raises(HypothesisViolated, match=rf"^v \({v_below:g}\) must be >= {v_min:g}: Lemma 3.3 assumes"):
        CHECKS[name].run(10, 0, v=v_below, law=law)
    assert CHECKS[name].run(10, 0, v=v_min, law=law).bound > 0


def test_the_exponential_laws_smallest_v_is_the_mgf_bound_at_equality():
    lam = np.linspace(-1, 1, 2_000_001)[1:-1]

    def excess(v):  # log E exp(lambda X) - v^2 lambda^2 / 2 for centred Exp(1), over |lambda| < 1/v
        x = lam / v
        return float(np.max(-x - np.log1p(-x) - v * v * x * x / 2))

    v_min = ch3._V_MIN["exp"]
    assert excess(v_min) <= 0 < excess(v_min - 1e-5)


def test_observation_3_1_band_fails_for_the_printed_separation():
    assert quick("obs3.1/attained", separation="text").verdict == "fail"


# -- a user's parameters ------------------------------------------------------------------------------


def test_final_error_refuses_parameters_where_condition_3_2_fails_as_eval_does(capsys):
    with pytest.raises(HypothesisViolated, match=r"lhs_3_2 = 1.19069 >= 1/2"):
        CHECKS["thm3.1/final-error"].run(5, 0, alpha=0.1, n=200, m=20)
    code = main(["verify", "thm3.1/final-error", "alpha=0.1", "n=200", "m=20", "--trials", "5", "--json"])
    assert code == 3 and "lhs_3_2 = 1.19069" in capsys.readouterr().err


def test_final_error_runs_at_a_users_small_m_and_reads_the_registry_there():
    res = CHECKS["thm3.1/final-error"].run(10, 0, alpha=0.1, n=200, m=20, d=1, D=0.001, r0=0.0005)
    assert res.params["m"] == 20 and res.evaluated_at["alpha"] == 0.1 and res.evaluated_at["V"] == 1.0
    assert res.bound == pytest.approx(float(get("thm3.1").evaluate(**res.evaluated_at)), rel=1e-12)
    assert res.verdict == "pass"


def test_final_error_refuses_a_start_outside_the_domain():
    with pytest.raises(BadInput, match=r"^r0 \(2\) must be <= D/2 = 1"):
        CHECKS["thm3.1/final-error"].run(5, 0, r0=2.0)


@pytest.mark.parametrize(
    "name",
    [
        "thm3.8/uniform-gradient-error",
        "thm3.11/uniform-gradient-error",
        "thm3.4/final-error",
        "thm3.2/excess-risk",
        "thm3.5/excess-risk",
        "thm3.6/critical-point",
        "thm3.7/one-round-error",
    ],
)
def test_gd_checks_accept_n_m_alpha_and_d(name):
    assert {"n", "m", "alpha", "d"} <= set(CHECKS[name].accepted())


def test_coverage_check_realises_the_users_alpha():
    res = CHECKS["cor3.1/one-sided"].run(200, 0, n=101, m=2001, alpha=0.01)
    assert "q=20 " in res.note and res.evaluated_at["alpha"] == 0.01


@pytest.mark.parametrize("name", ["thm3.3/step-optimisation", "thm3.6/step-optimisation"])
def test_the_optimisation_step_is_attained_up_to_its_sqrt_2(name):
    """The strongest error of norm Delta stalls gradient descent at ||grad F|| = Delta: tightness 1/sqrt 2, so a
    bound written with Delta instead of sqrt(2) Delta would still hold, but one with Delta / sqrt 2 fails."""
    c = CHECKS[name]
    res = c.run(c.quick_trials, 0)
    assert res.tightness == pytest.approx(2**-0.5, rel=1e-6)
    assert c.run(c.quick_trials, 0, bound_scale=0.5).verdict == "fail"
    assert c.run(c.quick_trials, 0, bound_scale=0.72).verdict == "pass"


def test_a_start_outside_the_theorems_regime_exits_3_naming_the_hypothesis():
    from boundlab.bounds import HypothesisViolated

    with pytest.raises(HypothesisViolated, match=r"condition \(3.2\)|lhs"):
        CHECKS["thm3.3/step-optimisation"].run(4, 0, m=201, alpha=0.01, n=5000)


@pytest.mark.parametrize("rho", [1.0, 0.9, 0.5])
def test_convex_optimisation_step_on_a_huber_function_ends_where_the_drift_says(rho):
    """Under e = -Delta grad F/||grad F|| the radial Huber run drifts outward by (Delta - s)/L_F per step (stalls
    when the slope s equals Delta), so F(w^T) - F* = s (r0 + T (Delta - s)/L_F - h/2) exactly."""
    delta, L_F, r0, T = 0.05, 2.0, 1.0, 40
    got = ch3._huber_descent(np.array([rho]), delta=delta, L_F=L_F, r0=r0, T=T)[0]
    s, h = rho * delta, rho * delta / L_F
    assert got == pytest.approx(s * (r0 + T * (delta - s) / L_F - h / 2), rel=1e-12)


def test_convex_optimisation_step_attains_one_sixteenth_of_the_proofs_constant():
    res = quick("thm3.2/step-optimisation")
    assert 1 / 17 < res.tightness < 1 / 16
