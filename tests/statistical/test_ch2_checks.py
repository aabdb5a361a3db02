"""The Chapter 2 checks have teeth: each sees the bound made 2x too generous, end-to-end or at a step of the
proof, or says which step of the proof makes that impossible; identities fail as soon as a constant moves;
the worst instances stay as sharp as recorded; the checks run at a user's parameters and refuse those
outside the construction or the hypotheses.
"""

from __future__ import annotations

import numpy as np
import pytest

from boundlab.bounds import BadInput, HypothesisViolated, get
from boundlab.cli import main
from boundlab.montecarlo.checks import CHECKS
from boundlab.parallel import run_check

CH2 = sorted(k for k, c in CHECKS.items() if c.theorem_id.startswith(("lem2.", "thm2.", "prop2.", "rem2.")))

# Checks that see a 2x error end-to-end (resolving power < 2 at the quick size) ...
SEES_2X = [
    "lem2.1/enumeration",
    "lem2.1/projected",
    "lem2.1/monte-carlo",
    "prop2.9/enumeration",
    "prop2.3/conflict-graph",
    "rem2.1/glm",
    "prop2.4/hull",
    "prop2.5/enumeration",
    "thm2.7/inequality",
    "thm2.7/drop-closed-form",
    "thm2.7/sgld-closed-form",
    "thm2.7/quant-closed-form",
    "thm2.3/construction",
    "thm2.5/construction",
    "thm2.6/construction",
    "thm2.4/step-telescoped",
    "prop2.7/worst-pair",
    "thm2.9/worst-pair",
    "prop2.8/step-fixed-point",
    "thm2.2/step-descent",
    "prop2.6/exact-identity",
]
# ... and those that cannot, with the step of the proof responsible in their slack text.
LOOSE = [
    "thm2.2/logistic",
    "thm2.4/construction",
    "prop2.7/coupled-distance",
    "thm2.9/coupled-stability",
    "prop2.8/coupled-distance",
    "thm2.10/coupled-stability",
    "prop2.8/worst-pair",
    "thm2.10/worst-pair",
]
RATES = ["prop2.1/slope-in-d", "prop2.2/slope-in-d"]
# The exact identities: attained by every instance, so any wrong constant fails.
IDENTITIES = [
    "lem2.1/enumeration",
    "lem2.1/projected",
    "prop2.9/enumeration",
    "prop2.3/conflict-graph",
    "rem2.1/glm",
    "thm2.7/inequality",
    "prop2.5/enumeration",
    "thm2.2/step-descent",
    "prop2.6/exact-identity",
]


from quickruns import quick  # noqa: E402  (one run per check and parameters for the session)


def test_every_chapter2_check_is_classified():
    assert sorted(SEES_2X + LOOSE + RATES) == CH2


def test_every_chapter2_check_declares_its_parameters():
    for name in CH2:
        c = CHECKS[name]
        assert c.instance, f"{name}: no instance text"
        if name not in ("thm2.7/inequality", "rem2.1/glm", "prop2.3/conflict-graph"):
            assert c.declared, f"{name}: no declared theorem parameters or options"


@pytest.mark.parametrize("name", SEES_2X)
def test_check_sees_the_bound_made_2x_too_generous(name):
    res = quick(name)
    assert res.verdict == "pass"
    assert res.resolving_power < 2
    assert quick(name, bound_scale=0.5).verdict == "fail"


@pytest.mark.parametrize("name", LOOSE)
def test_a_loose_check_names_the_step_of_the_proof_and_the_check_that_sees_it(name):
    c, res = CHECKS[name], quick(name)
    assert res.verdict == "pass" and res.resolving_power >= 2
    assert "step" in c.slack or "(2." in c.slack or "L1" in c.slack
    others = [k for k in CHECKS if k != name and k in c.slack]
    assert others, f"{name}: the slack text points to no other check"
    assert quick(name, **c.wrong).verdict == "fail"


@pytest.mark.parametrize("name", IDENTITIES)
def test_an_identity_fails_when_its_right_side_is_halved(name):
    res, half = quick(name), quick(name, bound_scale=0.5)
    assert res.estimate == pytest.approx(1.0, abs=2e-5)
    assert half.estimate == pytest.approx(2 * res.estimate) and half.verdict == "fail"


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("lem2.1/enumeration", {"pairs": "B^2"}),
        ("lem2.1/projected", {"pairs": "0"}),
        ("lem2.1/monte-carlo", {"pairs": "B^2"}),
        ("prop2.9/enumeration", {"form": "iid"}),
        ("thm2.7/quant-closed-form", {"form": "A + C"}),
    ],
)
def test_a_wrong_form_of_an_identity_fails(name, wrong):
    assert quick(name, **wrong).verdict == "fail"


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("prop2.7/worst-pair", 0.9, 1.0),
        ("thm2.9/worst-pair", 0.85, 1.0),
        ("thm2.3/construction", 0.55, 1.0),
        ("thm2.5/construction", 0.55, 1.0),
        ("thm2.4/step-telescoped", 0.7, 1.0),
        ("prop2.8/step-fixed-point", 0.75, 1.0),
        ("thm2.4/construction", 0.2, 0.5),
        # the proof of Proposition 2.8 loses exactly 2 (co-coercivity split x lambda <= beta): never above 1/2
        ("prop2.8/worst-pair", 0.35, 0.5),
        ("thm2.10/worst-pair", 0.28, 0.5),
    ],
)
def test_the_worst_instance_stays_as_sharp_as_recorded(name, low, high):
    assert low <= quick(name).tightness <= high


@pytest.mark.parametrize(
    "name",
    [
        "prop2.7/worst-pair",
        "thm2.9/worst-pair",
        "prop2.8/step-fixed-point",
        "thm2.3/construction",
        "thm2.5/construction",
        "thm2.4/step-telescoped",
    ],
)
def test_a_sharp_check_passes_and_sees_2x_at_its_full_size(name):
    c = CHECKS[name]
    assert c.run(c.trials, 1).verdict == "pass"
    assert c.run(c.trials, 1, bound_scale=0.5).verdict == "fail"


# Golden estimates of the default instances the conversion kept (seed 0, quick size), recorded before it.
# Equal to 1e-12 relative, not bit for bit: BLAS picks its kernels by CPU (AVX2 and AVX-512 machines
# differ in the last bit of a few of these estimates); a changed seed, size or formula moves them by
# far more than that.
KEPT = {
    "thm2.2/logistic": 0.008039001300714563,
    "thm2.6/construction": 0.8550608022099087,
    "prop2.7/coupled-distance": 0.38836542478973196,
    "prop2.8/coupled-distance": 0.07818838449277689,
    "thm2.9/coupled-stability": 0.13800280634844223,
    "thm2.10/coupled-stability": 0.017861269963164148,
    "thm2.7/drop-closed-form": 1.0009932939714044,
    "thm2.7/sgld-closed-form": 0.9994384096335956,
    "thm2.7/quant-closed-form": 0.9982587852600467,
    "prop2.4/hull": 0.9000000000000004,
    "prop2.5/enumeration": 0.9999869875504317,
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_a_kept_default_instance_is_the_same_as_before_the_conversion_to_the_last_bits(name):
    assert quick(name).estimate == pytest.approx(KEPT[name], rel=1e-12, abs=0)


def test_the_worst_pair_runs_at_a_users_parameters_against_the_registry_there():
    res = CHECKS["prop2.7/worst-pair"].run(2000, 0, n=100, T=2000, gamma=0.5)
    assert res.params["n"] == 100 and res.evaluated_at["T"] == 2000.0
    assert res.bound == pytest.approx(get("prop2.7").evaluate("distance", **res.evaluated_at))
    assert res.bound == pytest.approx(2 * 0.5 * 2e-5 * 1.05 * 2000 / 100)
    assert res.verdict == "pass"


@pytest.mark.parametrize(
    ("name", "kw", "message"),
    [
        ("thm2.4/construction", {"D0": 2.0}, r"^D0 \(2\) must be <= 1"),
        ("thm2.3/construction", {"F_gap": 0.8}, r"^F_gap \(0.8\) must be <= 1/2"),
        ("prop2.8/step-fixed-point", {"beta": 0.05}, r"^beta \(0.05\) must be >= lambda"),
        ("lem2.1/enumeration", {"B": 9}, r"^n\^B"),
        ("prop2.7/worst-pair", {"T": 1002}, r"^T \(1002\) must be a multiple of B"),
    ],
)
def test_a_value_outside_the_construction_is_bad_input(name, kw, message):
    with pytest.raises(BadInput, match=message):
        CHECKS[name].run(10, 0, **kw)


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("prop2.4/hull", {"B": 40}),
        ("prop2.5/enumeration", {"B": 4}),
        ("prop2.8/step-fixed-point", {"gamma": 0.1}),
        ("prop2.8/worst-pair", {"B": 60}),
    ],
)
def test_a_violated_hypothesis_is_refused(name, kw):
    with pytest.raises(HypothesisViolated):
        CHECKS[name].run(10, 0, **kw)


def test_verify_exits_3_on_a_violated_hypothesis_of_a_chapter2_check(capsys):
    assert main(["verify", "prop2.4/hull", "B=40", "--trials", "10"]) == 3
    assert "B_k <= 1/(lambda gamma)" in capsys.readouterr().err


def test_bousquet_elisseeff_identity_fails_when_the_right_side_evaluates_the_replaced_point():
    assert quick("prop2.6/exact-identity").estimate == pytest.approx(1.0, abs=1e-9)
    assert quick("prop2.6/exact-identity", form="replaced z_i").verdict == "fail"


def test_bousquet_elisseeff_sides_agree_on_a_hand_computable_instance():
    from boundlab.montecarlo.checks.ch2 import bousquet_elisseeff_sides

    # n = 1, T = 1, square loss, step 1 from 0: A(S) = z_1, so E[R_S - R] = -E[(z - z')^2] / 2 = -Var z
    lhs, rhs = bousquet_elisseeff_sides(np.array([0.0, 2.0]), np.array([0.5, 0.5]), 1, 1, 1.0, "square", 9.0)
    assert lhs == pytest.approx(-1.0) and rhs == pytest.approx(-1.0)


def test_rem2_1_glm_at_its_full_size_accepts_a_spectral_norm_rounded_below_the_largest_row():
    # seed 0 at the full size draws an X whose computed sigma_max(X)^2 is an ulp below max_i ||x_i||^2
    c = CHECKS["rem2.1/glm"]
    assert run_check("rem2.1/glm", trials=c.trials, seed=0).verdict == "pass"


def test_theorem_2_4_construction_keeps_w_in_the_ball_where_its_m2_holds_at_any_batch_size():
    # gamma lambda B = 2.7 > 1: unprojected, a step leaves the hull, M^2(w) exceeds 2 lambda^2 and the averaged
    # inner products came out 6.6x the bound (the full report's search; SA1 false, not an erratum)
    res = CHECKS["thm2.4/step-telescoped"].run(2000, 1, eps=0.08999, D0=0.9703, B=60, d=7)
    assert res.verdict == "pass" and "W = unit ball" in res.note
