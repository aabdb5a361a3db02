"""Statistical and exact tests of the Chapter 5 checks: each fails with its deliberately wrong variant, each
exact check sees its bound made 2x too generous (every one runs at an instance where its inequality is attained
or nearly so), and the rate checks realise the user's p.

The estimates are exact ratios lhs / rhs (no sampling noise), so the resolving powers asserted below are the
measured ones with a rounding margin, not statistical tolerances.
"""

from __future__ import annotations

import math

import pytest

from boundlab.bounds import BadInput, get
from boundlab.montecarlo.checks import CHECKS

CH5 = sorted(
    k for k, c in CHECKS.items() if c.theorem_id in ("thm5.2", "eq5.13", "lem5.2", "thm5.6", "thm5.7", "lem5.1")
)
RATES = ("thm5.2/mc-vs-exact", "thm5.2/dimension-p2", "thm5.2/dimension-p1")
# measured resolving power at the quick size (1 = the inequality is attained), with a rounding margin
POWER = {
    "thm5.2/closed-form": 1.0 + 1e-9,
    "thm5.2/sandwich": 1.0 + 1e-9,
    "thm5.2/refined-exact": 1.0 + 1e-9,
    "thm5.2/refined-sandwich": 1.0 + 1e-9,
    "thm5.2/two-sided-lower": 1.56,
    "eq5.13/vertices": 1.0 + 1e-9,
    "lem5.2/constant": 1.0 + 1e-9,
    "thm5.6/constant": 1.225,
    "thm5.7/exact-vs-certificate": 1.0 + 1e-9,
    "thm5.7/printed-q-counterexamples": 2.0,
    "thm5.7/ordering": 1.0 + 1e-9,
    "thm5.7/invariances": 1.0 + 1e-9,
    "lem5.1/exact-soundness": 1.0101,
}


from quickruns import quick as run  # noqa: E402  (one run per check and parameters for the session)


def test_every_chapter5_check_is_declared_and_classified_here():
    assert set(CH5) == set(POWER) | set(RATES)
    for name in CH5:
        assert CHECKS[name].declared and CHECKS[name].instance, name


@pytest.mark.parametrize("name", CH5)
def test_check_passes_and_fails_with_its_wrong_variant(name):
    c = CHECKS[name]
    assert run(name).verdict == "pass"
    assert run(name, **c.wrong).verdict == "fail"


@pytest.mark.parametrize("name", sorted(POWER))
def test_exact_check_sees_its_bound_made_2x_too_generous(name):
    res = run(name)
    assert res.verdict == "pass" and res.resolving_power <= POWER[name], res.resolving_power
    assert run(name, bound_scale=0.5).verdict == "fail"
    assert not CHECKS[name].slack  # no slack to explain: resolving power < 2


@pytest.mark.parametrize("name", sorted(k for k, v in POWER.items() if v < 1 + 1e-6))
def test_attained_inequality_fails_for_any_bound_scale_below_one(name):
    assert run(name, bound_scale=0.99).verdict == "fail"
    assert run(name, bound_scale=1.0).verdict == "pass"


@pytest.mark.parametrize("name", RATES)
def test_rate_check_has_no_leading_constant_to_scale(name):
    assert CHECKS[name].scales == "none" and "bound_scale" not in CHECKS[name].accepted()
    with pytest.raises(BadInput, match=r"option \(bound_scale\)"):
        CHECKS[name].resolve(bound_scale=0.5)


# -- Theorem 5.2 / Remark 5.2: the two-sided lower bound (c/2)(R_S(F) + eps W d^(1/q)/sqrt n) ---------------------


def test_two_sided_lower_is_half_attained_at_x_zero_with_two_samples():
    # X = 0, n = 2: R_S(F~) = D_2 = c eps W d^(1/q)/sqrt 2 and two_sided_lower = (c/2) eps W d^(1/q)/sqrt 2: ratio 1/2
    res = run("thm5.2/two-sided-lower", row_scale=0.0, p=2.0, d=3)
    assert res.estimate == pytest.approx(0.5, rel=1e-12)


def test_two_sided_lower_with_c_over_4_would_be_caught():
    # tightness 0.64 > 1/2 at the default instance: bound_scale = 0.5 fails, so halving the constant c/2 of
    # two_sided_lower (tightness 0.32) would make the wrong variant pass and this test fail
    res = run("thm5.2/two-sided-lower")
    assert 0.6 < res.estimate <= 1 and res.verdict == "pass"
    assert run("thm5.2/two-sided-lower", bound_scale=0.5).verdict == "fail"
    assert CHECKS["thm5.2/two-sided-lower"].wrong == {"bound_scale": 0.5}


def test_two_sided_lower_realises_the_users_parameters():
    res = run("thm5.2/two-sided-lower", p=2.0, d=16, eps=0.3, W=2.0)
    assert res.verdict == "pass" and res.estimate == pytest.approx(0.5399, abs=1e-4)
    with pytest.raises(BadInput, match=r"n \(25\) must be <= 20"):
        run("thm5.2/two-sided-lower", n=25)


def test_printed_upper_terms_slack_is_exactly_two_at_one_sample():
    # why thm5.2/sandwich does not scale its upper side: eps W d^(1/q)/sqrt n = 2 sqrt(n)/E|S_n| D_n >= 2 D_n, and the
    # refined upper R_S(F) + D_n is attained at X = 0 (thm5.2/refined-exact), so the printed term is 2x loose at n = 1
    thm = get("thm5.2")
    at = {"n": 1, "d": 7, "W": 1.5, "eps": 0.2, "p": 3.0, "RS": 0.0}
    assert float(thm.evaluate(**at)) == pytest.approx(2 * float(thm.evaluate("D_n", **at)), rel=1e-12)
    at["n"] = 2
    assert float(thm.evaluate(**at)) == pytest.approx(2 * math.sqrt(2) * float(thm.evaluate("D_n", **at)), rel=1e-12)


def test_sandwich_with_the_proofs_constant_is_refuted_at_x_zero():
    res = run("thm5.2/sandwich", constant="proof")
    assert res.verdict == "fail" and res.estimate == pytest.approx(2.0, rel=1e-9)


def test_dimension_check_claims_the_exponent_of_the_users_p():
    res = run("thm5.2/dimension-p2", p=3.0)
    assert res.bound == pytest.approx(2 / 3) and res.verdict == "pass"


def test_dimension_check_refuses_an_eps_where_rs_still_bends_the_slope():
    # the worst-case search's 'fail' at p = 1.512, eps = 0.0671 (slope 0.75 against 1/q = 0.34) was this regime
    with pytest.raises(BadInput, match=r"eps \(0.0671\) must be >= 1.389 at p = 1.512"):
        run("thm5.2/dimension-p2", n=1937, W=8.994, eps=0.0671, p=1.512)


def test_dimension_check_passes_just_inside_its_regime():
    res = run("thm5.2/dimension-p2", eps=3.0, p=1.2)  # eps * 64^(1/6) = 6.5 x max ||x_i||_q
    assert res.bound == pytest.approx(1 / 6) and res.verdict == "pass"


def test_mc_vs_exact_refuses_a_sample_too_large_to_enumerate():
    with pytest.raises(BadInput, match=r"n \(21\) must be <= 20"):
        run("thm5.2/mc-vs-exact", n=21)


# -- Theorem 5.6 and Lemma 5.1 at their sharpest known instances -----------------------------------------------------


def test_thm56_ratio_at_the_sharp_instance_is_sqrt_two_thirds():
    assert run("thm5.6/constant").estimate == pytest.approx(math.sqrt(2 / 3), rel=1e-9)


def test_lemma51_sees_the_constant_made_two_percent_too_small():
    # the attained net is probed at 1.01 x its certified radius: C(W) x 0.98 certifies an attackable point
    assert run("lem5.1/exact-soundness", bound_scale=0.98).verdict == "fail"


def test_checks_read_the_registry_constants():
    assert float(get("lem5.2").evaluate(r=1.0, normXF=1.0, n=1)) == pytest.approx(1 / (2 * math.sqrt(2)))
    assert float(get("thm5.6").evaluate(r=1.0, normXF=0.0, n=1, d=1, eps=1.0)) == pytest.approx(1 / 8)


def test_ordering_passes_at_its_full_size_where_the_relaxation_is_tight():
    # seed 0's 57th instance has SDP value = hypercube max; the fast path's lower bound, within its 1e-6 gap
    # tolerance, sits 3.5e-9 below it, which a link "hypercube max <= fast lower" reported as a failure
    res = CHECKS["thm5.7/ordering"].run(60, 0)
    assert res.verdict == "pass" and res.estimate <= 1.0 + 1e-9
