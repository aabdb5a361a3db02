"""Chapter 4 registry: golden values (chapter4.md section 5), the exact relations (4.12)-(4.27), the regime
warning through the CLI, Table 4.3's exponents and the errata."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

from boundlab.bounds import ERRATA, BadInput, HypothesisViolated, get
from boundlab.bounds import _chapter4 as ch4
from boundlab.cli import main

LN94 = math.log(9 / 4)


def rel(a: float, b: float, tol: float = 5e-6) -> bool:
    return abs(a - b) <= tol * abs(b)


THM43_GOLDEN = [
    (
        {"L_F": 1, "rho_F": 1, "d": 1, "Delta": 1e-12, "delta": 0.1, "F_gap": 1},
        {
            "r": 2.52383e-7,
            "R": 1.58489e-5,
            "mu": 6.30957e-8,
            "Q": 63.1693,
            "T_th": 81.8301,
            "gamma": 0.187923,
            "iterations": 4.21128e25,
            "n_escapes_max": 5.21235e12,
            "escape_decrease": 3.83704e-13,
        },
        1.80278,
    ),
    (
        {"L_F": 1, "rho_F": 1, "d": 10, "Delta": 1e-14, "delta": 0.05, "F_gap": 2},
        {"r": 3.17731e-8, "R": 3.98107e-6, "Q": 74.2351, "T_th": 326.417, "gamma": 0.0609695},
        0.522505,
    ),
    (
        {"L_F": 2, "rho_F": 0.5, "d": 4, "Delta": 1e-3, "delta": 0.1, "F_gap": 1},
        {"r": 0.135892, "R": 0.117741, "Q": 8.49822, "T_th": 0.0179343, "gamma": 934.199},
        None,
    ),
]


@pytest.mark.parametrize("params,golden,eps_H", THM43_GOLDEN)
def test_theorem_4_3_parameters_match_the_catalog_golden_values(params, golden, eps_H):
    ev = get("thm4.3").assess(**params)
    for k, v in golden.items():
        assert rel(ev.quantities[k], v), (k, ev.quantities[k], v)
    if eps_H is not None:
        assert rel(ev.value, eps_H)


def test_theorem_4_3_reports_the_integers_the_algorithm_uses():
    q = get("thm4.3").assess(**THM43_GOLDEN[1][0]).quantities
    assert (q["Q_int"], q["T_th_int"]) == (75.0, 326.0)
    assert q["iterations_int"] == pytest.approx(q["iterations"] * 75 / q["Q"] + 75 * 327, rel=1e-12)


@pytest.mark.parametrize(
    "params,golden",
    [
        (
            {"L_F": 1, "rho_F": 1, "d": 2, "eps": 0.01, "delta": 0.1, "F_gap": 1},
            {
                "R": 0.1,
                "r": 0.01,
                "T_th": 0.757576,
                "mu": 3.53553e-7,
                "gamma": 43.4322,
                "eps_H": 83.6336,
                "eps_H_printed": 83.6336,
                "iterations": 2e4,
            },
        ),
        (
            {"L_F": 4, "rho_F": 2, "d": 3, "eps": 1e-3, "delta": 0.05, "F_gap": 1},
            {"T_th": 7.1345, "gamma": 25.9827, "eps_H_printed": 54.0229, "eps_H": 52.1630},
        ),
    ],
)
def test_theorem_4_4_matches_the_catalog_golden_values(params, golden):
    ev = get("thm4.4").assess(**params)
    q = {**ev.quantities, "eps_H": ev.value}
    for k, v in golden.items():
        assert rel(q[k], v), (k, q[k], v)


@pytest.mark.parametrize(
    "item,params,golden",
    [
        ("prop4.4", {"Delta": 0.005, "lam": 1, "r": 0.01}, 0.608998),
        ("rem4.1", {"Delta": 0.005, "lam": 1, "r": 0.01}, 1 / 3),
        ("prop4.4", {"Delta": 0.02, "lam": 1, "r": 0.01}, 1.0),
        ("prop4.3", {"Delta": 0.1, "r": 0.4}, 0.25),
        ("prop4.3", {"Delta": 0.5, "r": 0.4}, 1.0),
        ("prop4.1", {"Delta": 0.01}, 0.01 / math.sqrt(2)),
        ("lem4.3", {"d": 1, "mu": 1e-5, "r": 4e-5}, 0.5),
        ("lem4.1", {"L_F": 2, "Delta": 0.1}, 0.0025),
        ("eq4.5", {"L_F": 2, "Delta": 0.1}, 0.0075),
    ],
)
def test_probabilities_and_constants_match_the_catalog(item, params, golden):
    assert rel(float(get(item).evaluate(**params)), golden)


def test_lemma_4_2_example_of_catalog_section_6_4_satisfies_4_7_to_4_10():
    ev = get("lem4.2").assess(**ch4.LEM42_EXAMPLE)
    assert not ev.violated
    assert rel(math.log(400) / LN94, 7.388, 1e-3)
    assert math.ceil(ev.value) == 30
    assert ev.quantities["coupling_4_42"] <= 1
    assert ev.quantities["growth"] >= ev.quantities["growth_needed"]


@given(L=st.floats(0.01, 100), rho=st.floats(0.01, 100), logD=st.floats(-34, 0), d=st.integers(1, 100000))
def test_the_parameter_derivation_4_12_to_4_27_holds_exactly(L, rho, logD, d):
    Delta = math.exp(logD)
    q = get("thm4.3").assess(L_F=L, rho_F=rho, d=d, Delta=Delta, delta=0.1, F_gap=1.0).quantities
    r, R, mu, T, gam = q["r"], q["R"], q["mu"], q["T_th"], q["gamma"]
    arg = 2 * d**0.4 * Delta**-0.2 + 8 * math.sqrt(d)
    assert rel(2 * mu * math.sqrt(d) / r, 0.5, 1e-9)
    assert rel(rho * R * mu, Delta, 1e-9)
    assert rel(2 * (R + r) / mu, arg, 1e-9)
    assert rel(T, 2 * L / gam * math.log(arg) / LN94, 1e-9)
    assert 24 * rho * (R + r) * math.log(arg) / LN94 <= gam * (1 + 1e-12)
    assert 12 * rho * (R + r) * T / L <= 1 + 1e-12
    assert gam <= q["gamma_950"] * (1 + 1e-12)
    lhs = L * R**2 / (4 * T)
    assert lhs >= 2 * Delta**2 * T / L + 8 * Delta * r + L * r**2 - 1e-12 * lhs  # (4.18)-(4.20)
    assert rel(L * R**2 / (8 * T), q["escape_decrease"], 1e-9)  # (4.21)
    assert q["escape_decrease"] / T >= 2 * (Delta**1.6 * d**0.8 + Delta**2 * d) / L * (1 - 1e-9)  # (4.22)
    eps_H = get("thm4.3").evaluate(L_F=L, rho_F=rho, d=d, Delta=Delta, delta=0.1, F_gap=1.0)
    assert gam <= eps_H * (1 + 1e-12) or eps_H >= L  # (4.27) follows from (4.26) where it says something


def test_proof_iteration_form_equals_the_theorem_form():
    p = dict(L_F=1.5, rho_F=0.7, d=3, Delta=1e-9, delta=0.2, F_gap=4.0)
    q = get("thm4.3").assess(**p).quantities
    proof = 4 / 3 * p["F_gap"] * p["L_F"] / p["Delta"] ** 2 * math.log(q["n_escapes_max"] / p["delta"])
    assert rel(q["iterations"], proof, 1e-12)


@pytest.mark.parametrize("d", [1, 2, 3, 10, 100, 1000])
def test_lemma_4_3_volume_ratio_is_below_both_stated_bounds(d):
    mu, r = 1e-3, 1.0
    exact = (
        2
        * mu
        / (math.sqrt(math.pi) * r)
        * math.exp(scipy.special.gammaln(d / 2 + 1) - scipy.special.gammaln(d / 2 + 0.5))
    )
    q = get("lem4.3").assess(d=d, mu=mu, r=r)
    assert exact <= q.quantities["volume_bound"] <= q.value


def test_proposition_4_1_worst_shift_violates_both_bounds_for_every_output():
    Delta = 0.04
    for w in np.linspace(-5, 5, 41):
        s = math.pi / 4 - w / math.sqrt(Delta)
        th = w / math.sqrt(Delta) + s
        assert abs(Delta * math.cos(th)) > Delta / 2
        assert -math.sqrt(Delta) * math.sin(th) < -math.sqrt(Delta) / 2


def test_table_4_3_rows_are_generated_from_the_registered_expressions():
    tab = get("tab4.3")
    exps = tab.exponents()
    assert sorted(exps["iterative filtering"]["alpha"]) == [0.0, 0.5]
    assert sorted(exps["median"]["alpha"]) == [0.0, 0.0, 1.0]
    assert sorted(exps["trimmed mean"]["d"]) == [1.0, 1.0]
    assert tab.rate_rows()["median"] == "n^(-1) d^(1/2) + alpha n^(-1/2) d^(1/2) + n^(-1/2) m^(-1/2) d"


def test_precise_theorems_share_the_table_exponents():
    assert float(get("thm4.5").exponents(variables=["n"])["n"]) == -0.5
    terms = get("thm4.5").rate_terms(variables=("alpha", "n", "m", "d"), drop_dominated=False)
    assert sorted(float(t.exponents["alpha"]) for t in terms) == [0.0, 0.5, 0.5]
    assert float(get("obs4.1").exponents(variables=["Delta"])["Delta"]) == 0.4
    assert float(get("thm4.1").exponents("iterations", variables=["Delta"])["Delta"]) == -2


# -- the regime warning through the command line -------------------------------------------------

KEYS = {"eta", "eps", "r", "R", "Q", "T_th", "gamma", "eps_g", "eps_H", "iterations", "Q_int", "T_th_int"}
BASE = ["L_F=1", "rho_F=1", "delta=0.1", "F_gap=1"]


def test_eval_json_reports_every_parameter_and_guarantee(capsys):
    code = main(["eval", "thm4.3", "L_F=1", "rho_F=1", "d=10", "Delta=1e-14", "delta=0.05", "F_gap=2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert KEYS <= set(doc["quantities"]) | {"eps_H"}
    assert doc["value"] == pytest.approx(0.522505, rel=1e-5)
    assert doc["quantities"]["T_th_int"] == 326 and doc["nonvacuous"] is True


def test_eval_exits_3_and_names_t_th_when_it_is_below_one(capsys):
    code = main(["eval", "thm4.3", *BASE, "d=4", "Delta=1e-3"])
    err = capsys.readouterr().err
    assert code == 3
    assert "T_th >= 1" in err and "eps_H < L_F" in err


def test_eval_exits_3_when_only_the_second_order_bound_is_vacuous(capsys):
    code = main(["eval", "thm4.3", *BASE, "d=1", "Delta=1e-12", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 3
    assert len(doc["violated"]) == 1 and "eps_H < L_F" in doc["violated"][0]


def test_solve_finds_the_largest_nonvacuous_delta(capsys):
    code = main(["solve", "thm4.3", "--for", "Delta", "--nonvacuous", *BASE, "d=1", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["which"] == "largest"
    assert doc["value"] == pytest.approx(2.0113e-13, rel=1e-3)
    thm = get("thm4.3")
    assert thm.nonvacuous(L_F=1, rho_F=1, d=1, delta=0.1, F_gap=1, Delta=doc["value"] * 0.999)
    assert not thm.nonvacuous(L_F=1, rho_F=1, d=1, delta=0.1, F_gap=1, Delta=doc["value"] * 1.001)


def test_the_nonvacuous_delta_shrinks_with_the_dimension():
    thm = get("thm4.3")
    a = thm.nonvacuous_region("Delta", L_F=1, rho_F=1, d=1, delta=0.1, F_gap=1).value
    b = thm.nonvacuous_region("Delta", L_F=1, rho_F=1, d=100, delta=0.1, F_gap=1).value
    assert b < a


INVALID = [
    ("Delta", "0", "Delta (0) must be in (0, 1]"),
    ("Delta", "1.5", "Delta (1.5) must be in (0, 1]"),
    ("Delta", "-1e-3", "Delta (-0.001) must be in (0, 1]"),
    ("delta", "0", "delta (0) must be in (0, 1)"),
    ("delta", "1", "delta (1) must be in (0, 1)"),
    ("L_F", "0", "L_F (0) must be in (0, inf)"),
    ("rho_F", "-2", "rho_F (-2) must be in (0, inf)"),
    ("d", "0", "d (0) must be an integer in [1, inf)"),
    ("d", "2.5", "d (2.5) must be an integer in [1, inf)"),
]


@pytest.mark.parametrize("name,value,message", INVALID)
def test_invalid_arguments_exit_2_with_one_line(capsys, name, value, message):
    params = {"L_F": "1", "rho_F": "1", "d": "1", "Delta": "1e-13", "delta": "0.1", "F_gap": "1", name: value}
    code = main(["eval", "thm4.3", *[f"{k}={v}" for k, v in params.items()]])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name,value,message", INVALID)
def test_invalid_arguments_raise_bad_input_in_the_library(name, value, message):
    params = {"L_F": 1, "rho_F": 1, "d": 1, "Delta": 1e-13, "delta": 0.1, "F_gap": 1, name: float(value)}
    with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        get("thm4.3").evaluate(**params)


def test_solving_where_no_delta_works_says_so():
    with pytest.raises(HypothesisViolated):
        get("thm4.3").nonvacuous_region("Delta", L_F=1, rho_F=1e6, d=10**6, delta=0.1, F_gap=1)


# -- errata -----------------------------------------------------------------------------------------

CH4_ERRATA = sorted(k for k in ERRATA if k.startswith("err4."))


@pytest.mark.parametrize("eid", CH4_ERRATA)
def test_every_chapter_4_erratum_reproduces_its_evidence(eid):
    ok, message = ERRATA[eid].verify()
    assert ok, message


@pytest.mark.parametrize(
    "check,kwargs",
    [
        (ch4._check_thm44_T_th, {"L_over_LF": 1.0}),
        (ch4._check_thm44_log, {"rho": 2.0}),
        (ch4._check_lem42_factor, {"gamma_": 0.95}),
        (ch4._check_prop43_part_i, {"Delta_": 5.0}),
        (ch4._check_sub_exponential, {"scale": 1.0}),
    ],
)
def test_each_erratum_check_fails_where_the_printed_statement_is_fine(check, kwargs):
    ok, _ = check(**kwargs)
    assert not ok


def test_theorem_4_4_printed_log_is_stronger_than_the_proof_exactly_when_rho_is_below_one():
    e = ERRATA["err4.2"]
    base = dict(ch4.THM44_EXAMPLE)
    for rho, stronger in ((0.5, True), (0.9, True), (1.5, False)):
        vals = e.evaluate(**{**base, "rho_F": rho})
        assert (vals["printed"] < vals["corrected"]) is stronger


# -- the saddle-attack experiment's decision rule ------------------------------------------------


def _saddle_counts(byz: int, gd: int) -> dict[str, dict[str, int]]:
    return {
        name: {"ByzantinePGD": byz, "robust GD": 0 if name == "honest" else gd}
        for name in ("honest", "cancel_escape", "pull_to_saddle")
    }


@pytest.mark.parametrize(
    "byz,gd,trials,expected",
    [
        (40, 0, 40, "reproduced"),  # 40/40 escapes: the exact interval starts at 0.912 > 0.9
        (39, 0, 40, "inconclusive"),  # 39/40: the interval [0.868, 0.999] straddles 0.9
        (20, 0, 40, "NOT reproduced"),  # ByzantinePGD escapes in only half the runs
        (40, 20, 40, "NOT reproduced"),  # robust GD escapes the attack
        (10, 0, 10, "inconclusive"),  # too few trials to decide either side
    ],
)
def test_saddle_rule_compares_exact_binomial_intervals_with_delta(byz, gd, trials, expected):
    from boundlab.montecarlo.experiments.ch4 import saddle_verdict

    out = saddle_verdict(_saddle_counts(byz, gd), trials)
    assert out["outcome"] == expected and out["verdict"].startswith(expected + ":")
    assert out["reproduced"] == (expected == "reproduced") and out["inconclusive"] == (expected == "inconclusive")
    assert "robust GD" not in out["escape_rate [rate, 95% CI]"]["honest"]  # no attack there: not counted


@pytest.mark.slow
def test_saddle_attack_quick_run_carries_a_verdict_and_its_rule():
    from boundlab.montecarlo.experiments import EXPERIMENTS

    res = EXPERIMENTS["saddle-attack"].run(seed=0, quick=True)
    assert {"reproduced", "inconclusive", "verdict", "decision_rule", "escape_counts"} <= set(res)
    expected = "reproduced" if res["reproduced"] else "inconclusive" if res["inconclusive"] else "NOT reproduced"
    assert res["verdict"].startswith(expected + ":")
    for name, row in res["escape_counts"].items():
        assert row["ByzantinePGD"] == round(40 * res["escape_rates"][name]["ByzantinePGD"])


@pytest.mark.parametrize("name", ["tab4.3/filter-n", "tab4.3/filter-alpha", "tab4.3/filter-d"])
def test_the_filter_checks_refuse_an_m_whose_gram_matrices_would_not_fit_by_name(name):
    from boundlab.bounds import BadInput
    from boundlab.montecarlo.checks import CHECKS

    with pytest.raises(BadInput, match=r"m \(1701\) must be <= 400"):
        CHECKS[name].run(10, 0, m=1701)
