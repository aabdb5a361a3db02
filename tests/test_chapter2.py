"""Chapter 2 registry: golden values, printed-vs-corrected variants, errata and experiments."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from boundlab.bounds import ERRATA, REGISTRY, BadInput, get
from boundlab.bounds import _chapter2 as ch2

CH2_IDS = (
    [f"def2.{i}" for i in range(1, 7)]
    + ["rem2.1", "rem2.2", "lem2.1"]
    + [f"thm2.{i}" for i in range(1, 11)]
    + [f"prop2.{i}" for i in range(1, 10)]
)


@pytest.mark.parametrize("item_id", CH2_IDS)
def test_every_numbered_item_of_chapter_2_is_registered(item_id):
    assert item_id in REGISTRY


@pytest.mark.parametrize("thm_id", ["thm2.2", "thm2.4"])
def test_general_gamma_bound_at_T_min_simplifies_to_one_plus_half_delta_times_eps(thm_id):
    thm = get(thm_id)
    expr = thm.expanded().subs(sp.Symbol("T", nonnegative=True, real=True), thm.expanded("T_min"))
    assert sp.simplify(expr - thm.expanded("target")) == 0


@pytest.mark.parametrize("thm_id", ["thm2.2", "thm2.3", "thm2.4", "thm2.5"])
def test_bound_at_the_default_T_is_at_most_one_plus_half_delta_times_eps(thm_id):
    thm = get(thm_id)
    ev = thm.assess(**thm.example_params())
    assert ev.params["T"] >= ev.quantities["T_min"] and ev.params["T"] % ev.params["B"] == 0
    assert ev.value <= ev.quantities["target"] * (1 + 1e-12)


def test_theorem_2_2_step_size_and_iteration_count_match_the_text():
    q = get("thm2.2").assess(beta=0.3, M2=1.0, eps=0.05, F_gap=0.7, B=8, B_D=20.0)
    assert math.isclose(q.quantities["gamma"], 0.05 / 0.3)
    assert math.isclose(q.quantities["T_min"], 2 * 1.0 * 0.3 * 0.7 / 0.05**2)
    assert q.params["T"] % 8 == 0 and q.params["T"] >= q.quantities["T_min"]


def test_theorem_2_5_batch_cap_is_m2_over_two_lambda_squared_eps():
    q = get("thm2.5").assess(lambda_=0.5, M2=2.0, eps=0.1, D0=1.0, B=4, B_D=2.0).quantities
    assert math.isclose(q["B_max"], 2.0 / (2 * 0.25 * 0.1))


def test_lemma_2_1_delta_form_equals_the_exact_form():
    ex = get("lem2.1").example_params()
    q = get("lem2.1").assess(**ex)
    assert math.isclose(q.value, q.quantities["delta_form"], rel_tol=1e-12)


def test_theorem_2_6_constant_c_prime_is_one_minus_exp_minus_2c_over_4():
    q = get("thm2.6").assess(lambda_=1.0, gamma=0.05, B=4, T=200, delta=0.1).quantities
    assert math.isclose(q["c_prime"], (1 - math.exp(-2 * 10.0)) / 4)
    assert q["paper_form"] <= get("thm2.6").evaluate(lambda_=1.0, gamma=0.05, B=4, T=200, delta=0.1) + 1e-15


def test_J_alpha_identity_holds_symbolically():
    a = sp.symbols("a1:5")
    J = a[3] + sum(sp.Mul(*[(1 - a[i]) for i in range(k + 1, 4)]) * a[k] for k in range(3))
    assert sp.simplify(J - (1 - sp.Mul(*[(1 - x) for x in a]))) == 0


def test_theorem_2_7_golden_closed_forms():
    ev = get("thm2.7").assess(**ch2.DIM_EXAMPLE).quantities
    n, A, BD, q, p, s, d = 100, 5.0, 20.0, 1.8, 0.4, 0.1, 10
    S, C = n * A / BD, n * A / BD - A
    assert math.isclose(ev["B_drop"], n * A / (A + (1 - p) * C))
    assert math.isclose(ev["B_sgld"], n * (A + n * d * s**2) / (S + n * d * s**2))
    assert math.isclose(ev["B_quant"], n * q * A / (q * A + C))
    assert ev["gain"] >= 1


def test_dropconnect_bound_recovers_b_d_at_p_zero_and_tends_to_n_as_p_tends_to_one():
    e = get("eq2.11")
    assert math.isclose(e.evaluate(n=100, A=5.0, B_D=20.0, p=0.0), 20.0)
    assert math.isclose(e.evaluate(n=100, A=5.0, B_D=20.0, p=1 - 1e-12), 100.0, rel_tol=1e-9)


def test_eta_is_computed_from_the_event_gamma():
    thm = get("thm2.9")
    base = dict(beta=0.25, L=1.0, n=100, B=4, B_low=10.0, T=1000)
    gmax = float(thm.evaluate("gamma_max", gamma=0.5, **base))
    assert math.isclose(gmax, 2 / (0.25 * (1 + 1 / 99 + 3 / 10.0)))
    ok = thm.assess(gamma=0.99 * gmax, **base)
    bad = thm.assess(gamma=1.01 * gmax, **base)
    assert ok.params["eta"] == 0.0 and bad.params["eta"] == 1.0
    assert math.isclose(ok.value, 2 * 0.99 * gmax * 1000 / 100)
    assert math.isclose(bad.value, 2 * 1.01 * gmax * 1000)


def test_eta_for_b_equal_one_is_the_serial_condition_gamma_le_2_over_beta():
    thm = get("thm2.9")
    base = dict(beta=1.0, L=1.0, n=10, B=1, B_low=1.0, T=10)
    assert thm.assess(gamma=1.99, **base).params["eta"] == 0.0
    assert thm.assess(gamma=2.01, **base).params["eta"] == 1.0


def test_theorem_2_10_printed_variant_uses_n_and_the_value_uses_n_minus_one():
    thm = get("thm2.10")
    ex = thm.example_params()
    assert math.isclose(thm.evaluate(**ex), 4 / (0.1 * 99))
    assert math.isclose(thm.evaluate(variant="printed", **ex), 4 / (0.1 * 100))


def test_b_le_n_is_a_decidable_hypothesis_of_the_stability_results():
    res = get("prop2.7").check(gamma=0.01, beta=0.25, L=1.0, n=10, B=20, B_low=100.0, T=100)
    assert res[next(k for k in res if k.startswith("B <= n"))] is False


def test_table_2_1_gains_recomputed_from_times():
    g = ch2.table21_gains()
    assert g["p=0.4"][1:] == (31.83, 13.26) and g["p=0.5"][1] == 24.66
    assert ch2.table21_gains("truncate")["p=0.4"][2] == 13.25
    assert get("tab2.1").printed["best_B"] == {"vanilla": 256, "dropconnect": 512}


@pytest.mark.parametrize("eid", sorted(e for e in ERRATA if e.startswith("err2.")))
def test_chapter_2_errata_reproduce_their_evidence(eid):
    ok, msg = ERRATA[eid].verify()
    assert ok, msg


def test_b_le_n_erratum_holds_when_b_equals_n():
    ok, _ = ch2._check_b_le_n(n_=5, B_=5)
    assert not ok


def test_eta_erratum_does_not_fire_when_gamma_is_small():
    ok, _ = ch2._check_eta_threshold(gamma_=1.0)
    assert not ok


INVALID = [
    ("def2.5", {"n": 10, "M2": 1.0, "G": 2.0}, "G"),
    ("rem2.1", {"n": 10, "min_norm2": 5.0, "sigma_max2": 1.0}, "sigma_max2"),
    ("rem2.2", {"n": 10, "rho": 10}, "rho"),
    ("eq2.11", {"n": 10, "A": 1.0, "B_D": 2.0, "p": 1.0}, "p"),
    ("eq2.12", {"n": 10, "d": 2, "A": 1.0, "B_D": 2.0, "sigma": -1.0}, "sigma"),
    ("lem2.1", {"gamma": 0.1, "B": 2, "M2": 1.0, "G": 0.5, "dist2": 1.0, "inner": 5.0}, "inner"),
    ("prop2.9", {"n": 1, "M2": 1.0, "G": 0.5}, "n"),
    ("thm2.3", {"beta": 1.0, "mu": 2.0, "M2": 2.0, "eps": 0.05, "F_gap": 0.4, "B": 4, "B_D": 2.0}, "mu"),
]


@pytest.mark.parametrize("item_id,params,name", INVALID)
def test_invalid_parameters_raise_bad_input_naming_the_argument(item_id, params, name):
    with pytest.raises(BadInput, match=name):
        get(item_id).evaluate(**params)


def test_latex_names_of_chapter_2_are_merged_without_overriding():
    from boundlab.bounds._symbols import LATEX_NAMES

    assert LATEX_NAMES["M2"] == "M^2" and LATEX_NAMES["eps"] == r"\varepsilon"
    assert r"\lambda" in get("thm2.5").latex()


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", ["fig2.1", "fig2.2", "fig2.3", "tab2.1"])
def test_experiment_quick_run_puts_the_paper_beside_ours(exp_id, tmp_path):
    from boundlab.montecarlo.experiments import EXPERIMENTS

    res = EXPERIMENTS[exp_id].run(seed=0, quick=True, out_dir=tmp_path)
    assert res["paper"] and res["analog"]
    for f in res["figures"]:
        assert (tmp_path / f.split("/")[-1]).exists()
