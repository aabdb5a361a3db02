"""The worst-case search finds the sharpest admissible instance, confirms it with a fresh seed and
reports an interval above the bound as an erratum candidate."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from boundlab.bounds import BadInput, Param
from boundlab.cli import main
from boundlab.montecarlo import CHECKS, ClaimParam, MCResult, check, chunk_rngs, registry_bound
from boundlab.tighten import knobs_of, tighten, write_instance


def _register(name: str, excess: float, claim_factor: bool = False):
    """A check of Equation (3.4)'s value whose empirical side is ``shape(eps)`` times the bound.

    ``shape`` peaks at eps = 0.3 with height ``excess``; the estimate is a mean of uniform noise around
    it, so the interval shrinks with the trials.
    """

    @check(
        name,
        "eq3.4",
        description="synthetic: estimate = shape(eps) x bound",
        trials=4000,
        quick_trials=400,
        theorem_params={"eps": 0.1},
        options=(
            Param("width", "peak width", lower=0.05, upper=1.0, typical=(0.05, 1.0), default=0.1),
            *(
                (ClaimParam("factor", "estimate x factor", lower=0.0, typical=(1.0, 3.0), default=1.0),)
                if claim_factor
                else ()
            ),
        ),
    )
    def _synthetic(trials: int, seed: int, *, eps: float, width: float, factor: float = 1.0) -> MCResult:
        b = registry_bound("eq3.4", eps=eps)
        shape = factor * excess * np.exp(-(((eps - 0.3) / width) ** 2))
        xs = np.concatenate([rng.uniform(0.95, 1.05, size) for size, rng in chunk_rngs(seed, trials)]) * shape
        est = float(xs.mean())
        half = 4 * float(xs.std()) / np.sqrt(trials) + 1e-12
        return MCResult(
            "",
            "",
            "synthetic",
            est * b.value,
            (est - half) * b.value,
            (est + half) * b.value,
            b.value,
            "upper",
            trials,
            seed,
            0.0,
            **b.stamp(),
        )

    return CHECKS[name]


@pytest.fixture
def synthetic():
    made = []

    def make(name: str, excess: float, claim_factor: bool = False):
        made.append(name)
        return _register(name, excess, claim_factor)

    yield make
    for name in made:
        CHECKS.remove(name)


def test_search_moves_a_check_to_its_sharpest_admissible_instance(synthetic):
    c = synthetic("eq3.4/synthetic-sharp", 0.9)
    r = tighten(c.name, budget=3.0, seed=1)
    assert r.default.tightness < 0.2
    assert r.best_search_tightness > 0.8 and abs(r.best_params["eps"] - 0.3) < 0.05
    assert r.confirmed.seed == 2 and r.confirmed.trials == c.trials  # a fresh seed at the full size decides
    assert r.command().endswith(f"--trials {c.trials} --seed 2")
    assert r.confirmed.verdict == "pass" and not r.erratum_candidate
    assert r.confirmed.resolving_power < r.default.resolving_power


def test_an_instance_above_the_bound_is_reported_as_an_erratum_candidate_with_its_command(synthetic, capsys):
    synthetic("eq3.4/synthetic-false", 1.5)
    code = main(["tighten", "eq3.4/synthetic-false", "--budget", "2", "--quiet"])
    out = capsys.readouterr().out
    assert code == 1 and "ERRATUM CANDIDATE" in out and "boundlab verify eq3.4/synthetic-false eps=" in out


def test_the_search_is_reproducible_from_its_seed(synthetic):
    c = synthetic("eq3.4/synthetic-seeded", 0.9)
    a = tighten(c.name, budget=30.0, seed=4, trials=100, confirm_trials=100, knobs=["eps"])
    b = tighten(c.name, budget=30.0, seed=4, trials=100, confirm_trials=100, knobs=["eps"])
    assert a.best_params == b.best_params and a.confirmed.estimate == b.confirmed.estimate


def test_knobs_come_from_the_results_typical_range_inside_its_domain(synthetic):
    c = synthetic("eq3.4/synthetic-knobs", 0.9)
    eps, width = knobs_of(c)
    assert (eps.name, eps.low, eps.high) == ("eps", 0.05, 0.45)
    assert (width.name, width.low, width.high) == ("width", 0.05, 1.0)


def test_the_search_holds_an_option_that_changes_the_claim_at_its_default(synthetic):
    c = synthetic("eq3.4/synthetic-claim", 0.9, claim_factor=True)
    assert [k.name for k in knobs_of(c)] == ["eps", "width"]
    assert c.run(c.trials, 0, eps=0.3, factor=2.0).verdict == "fail"  # moved, it would make an "erratum"
    r = tighten(c.name, budget=2.0, seed=1)
    assert "factor" not in r.best_params and r.confirmed.params["factor"] == 1.0
    assert r.best_search_tightness > 0.8 and not r.erratum_candidate


def test_the_floating_point_warnings_of_degenerate_candidates_stay_inside_the_search(synthetic):
    import warnings

    c = synthetic("eq3.4/synthetic-corner", 0.9)
    simulate = c.simulate

    def degenerate(trials, seed, *, eps, width):  # NaN (with numpy's warning) where width > 0.5
        res = simulate(trials, seed, eps=eps, width=width)
        if width <= 0.5:
            return res
        nan = float(np.log(np.float64(-width)))
        return dataclasses.replace(res, estimate=nan, ci_low=nan, ci_high=nan)

    object.__setattr__(c, "simulate", degenerate)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = tighten(c.name, budget=2.0, seed=1)
    assert r.evaluations > 10 and r.best_params["width"] <= 0.5
    assert not [(str(w.message), w.filename, w.lineno) for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_failure_bound_with_no_failure_observed_scores_zero_not_its_resolution():
    from boundlab.tighten import _tightness

    # Lemma 3.3 (ii) at s > 1 on Rademacher samples: no failure can occur, the claim is 1.4e-236
    none = MCResult("c", "lem3.3", "P", 0.0, 0.0, 1.4e-4, 1.4e-236, "failure", 50_000, 0, 0.0)
    assert none.verdict == "inconclusive" and _tightness(none) == 0.0
    some = dataclasses.replace(none, estimate=0.4, ci_low=0.39, ci_high=0.41, bound=0.5)
    assert _tightness(some) == pytest.approx(0.41 / 0.5)


def test_no_registered_check_searches_a_claim_option_or_what_its_wrong_variant_sets():
    from boundlab.bounds import Param as _Param

    for c in CHECKS.values():
        claim = {o.name for o in c.options if isinstance(o, ClaimParam)} | set(c.wrong)
        assert not claim & {k.name for k in knobs_of(c)}, c.name
        for o in c.options:  # every numeric wrong variant is declared as a change of claim
            if isinstance(o, _Param) and o.name in c.wrong:
                assert isinstance(o, ClaimParam), (c.name, o.name)
    searched = {name: {k.name for k in knobs_of(CHECKS[name])} for name in CHECKS}
    assert searched["thm3.1/rate-alpha"] == set() and "kappa_scale" not in searched["thm3.1/recursion-3.31"]
    assert "c" not in searched["lem4.5/ratio"] and "T_th_scale" not in searched["thm4.4/exact-oracle"]


def test_tighten_records_the_search_in_the_store_and_prints_json(synthetic, tmp_path, capsys):
    synthetic("eq3.4/synthetic-store", 0.9)
    store = tmp_path / "s.sqlite"
    assert main(["tighten", "eq3.4/synthetic-store", "--budget", "1", "--json", "--store", str(store)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["check"] == "eq3.4/synthetic-store" and set(doc["best_params"]) <= {"eps", "width"}
    from boundlab.store import Store

    with Store(store) as s:
        assert [r["task"] for r in s.rows()] == ["tighten:eq3.4/synthetic-store"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": 0}, r"budget \(0\) must be a positive"),
        ({"budget": float("nan")}, r"budget \(nan\) must be a positive"),
        ({"knobs": ["zeta"]}, r"knob \(zeta\) must be one of eps, width"),
        ({"trials": 0}, r"trials \(0\) must be an integer >= 1"),
        ({"method": "annealing"}, r"method \(annealing\) must be one of de, hypothesis"),
    ],
)
def test_tighten_refuses_bad_arguments_naming_them(synthetic, kwargs, message):
    c = synthetic("eq3.4/synthetic-bad", 0.9)
    with pytest.raises(BadInput, match=message):
        tighten(c.name, **kwargs)


def test_a_full_report_lists_the_search_with_before_and_after(synthetic):
    from boundlab.reporting import render_markdown, search_rows

    synthetic("eq3.4/synthetic-report", 0.9)
    rows = search_rows(1.0, names=["eq3.4/synthetic-report"])
    assert rows[0]["verdict"] == "pass" and float(rows[0]["confirmed"]) > float(rows[0]["tightness before"])
    md = render_markdown([], [], searches=rows)
    assert "## Worst-case search" in md and "eq3.4/synthetic-report" in md


def test_hypothesis_targeted_search_also_finds_the_sharpest_instance(synthetic):
    c = synthetic("eq3.4/synthetic-targeted", 0.9)
    r = tighten(c.name, budget=4.0, seed=3, method="hypothesis")
    assert r.method == "hypothesis" and r.evaluations > 10
    assert r.best_search_tightness > 0.7 and abs(r.best_params["eps"] - 0.3) < 0.1
    assert r.confirmed.verdict == "pass"


def test_hypothesis_search_is_reproducible_from_its_seed(synthetic):
    c = synthetic("eq3.4/synthetic-targeted-seeded", 0.9)
    runs = [
        tighten(
            c.name,
            budget=60.0,
            seed=5,
            trials=50,
            confirm_trials=50,
            method="hypothesis",
            knobs=["eps"],
            max_evaluations=40,
        )
        for _ in range(2)
    ]
    assert runs[0].evaluations == runs[1].evaluations == 40
    assert runs[0].best_params == runs[1].best_params


def test_a_written_instance_becomes_the_checks_default_with_how_it_was_found(synthetic, tmp_path):
    from boundlab.montecarlo.checks import apply_instance

    c = synthetic("eq3.4/synthetic-write", 0.9)
    r = tighten(c.name, budget=3.0, seed=1)
    path = write_instance(r, tmp_path / "instances.json")
    entry = json.loads(path.read_text())[c.name]
    assert entry["params"] == r.best_params and entry["found_by"].startswith(f"boundlab tighten {c.name} --budget 3")
    assert entry["tightness_confirmed"] == pytest.approx(r.confirmed.tightness)
    sharp = apply_instance(c, entry["params"], "found by search")
    assert sharp.defaults()["eps"] == r.best_params["eps"] and sharp.instance.endswith("found by search")
    assert sharp.run(400, 0).tightness > c.run(400, 0).tightness


def test_an_instance_that_is_not_sharper_or_does_not_pass_is_not_written(synthetic, tmp_path):
    c = synthetic("eq3.4/synthetic-nowrite", 1.5)  # every sharp instance lies above the bound
    r = tighten(c.name, budget=2.0, seed=1)
    with pytest.raises(BadInput, match="must pass to become its default"):
        write_instance(r, tmp_path / "instances.json")
    assert not (tmp_path / "instances.json").exists()


def test_instances_outside_the_domain_are_refused_naming_the_parameter(synthetic):
    from boundlab.montecarlo.checks import apply_instance

    c = synthetic("eq3.4/synthetic-domain", 0.9)
    with pytest.raises(BadInput, match="width"):
        apply_instance(c, {"width": 5.0})
    with pytest.raises(BadInput, match=r"instance parameter \(zeta\)"):
        apply_instance(c, {"zeta": 1.0})


def test_the_shipped_instances_file_names_registered_checks_at_valid_parameters():
    from boundlab.montecarlo.checks import INSTANCES

    for name, entry in INSTANCES.items():
        assert CHECKS[name].defaults() | entry["params"] == CHECKS[name].defaults()


def test_tighten_write_from_the_command_line_updates_the_instances_file(synthetic, tmp_path, monkeypatch, capsys):
    import boundlab.tighten as tl

    synthetic("eq3.4/synthetic-cli-write", 0.9)
    target = tmp_path / "instances.json"
    monkeypatch.setattr(tl, "_instances_path", lambda: target)
    assert (
        main(["tighten", "eq3.4/synthetic-cli-write", "--budget", "2", "--max-evaluations", "30", "--write", "--quiet"])
        == 0
    )
    assert "is now its default" in capsys.readouterr().out
    assert "eq3.4/synthetic-cli-write" in json.loads(target.read_text())


@pytest.mark.parametrize("method", ["de", "hypothesis"])
def test_the_evaluation_limit_is_exact_even_inside_the_first_generation(synthetic, method):
    # differential evolution's initial population alone has more than 4 candidates
    c = synthetic(f"eq3.4/synthetic-limit-{method}", 0.9)
    r = tighten(c.name, budget=60.0, seed=2, trials=50, confirm_trials=50, method=method, max_evaluations=4)
    assert r.evaluations == 4


def test_the_search_command_repeats_an_evaluation_limited_search(synthetic):
    c = synthetic("eq3.4/synthetic-repeat", 0.9)
    r = tighten(c.name, budget=60.0, seed=4, trials=50, confirm_trials=50, max_evaluations=6)
    assert "--max-evaluations 6" in r.search_command() and "--seed 4" in r.search_command()
    assert r.to_json()["search_command"] == r.search_command()


@pytest.mark.slow
def test_the_recorded_theorem_3_8_instance_is_the_default_and_sharper_than_the_code_default():
    from boundlab.montecarlo.checks import INSTANCES

    c = CHECKS["thm3.8/uniform-gradient-error"]
    entry = INSTANCES[c.name]
    res = c.run(c.quick_trials, 0)
    assert res.params["n"] == entry["params"]["n"] and res.params["T"] == entry["params"]["T"]
    assert res.verdict == "pass" and res.tightness > 1.5 * entry["tightness_default"]


def test_the_slack_figure_measures_a_coverage_step_by_its_power_not_its_frequency():
    from boundlab.reporting import slack_by_step

    cover = MCResult("thm9.9/step-cover", "thm9.9", "P", 0.96, 0.95, 0.97, 0.9, "probability", 10, 0, 0.0, power=1.37)
    rows = slack_by_step([cover])["thm9.9"]
    assert rows == [("thm9.9/step-cover", pytest.approx(np.log10(1.37)), True)]


class _ShippingBackend:
    """Runs ``starmap`` in this process after checking that the function and items could be shipped."""

    def __init__(self):
        self.calls = []

    def starmap(self, fn, items, *, lost=None):
        import pickle

        pickle.loads(pickle.dumps((fn, items)))
        self.calls.append(list(items))
        self.lost = lost
        return [fn(*item) for item in items]


def test_a_full_reports_searches_run_on_the_backend_one_check_per_item_in_order(synthetic):
    from boundlab.reporting import search_rows

    synthetic("eq3.4/synthetic-one", 0.9)
    synthetic("eq3.4/synthetic-two", 0.8)
    backend = _ShippingBackend()
    rows = search_rows(0.5, names=["eq3.4/synthetic-two", "eq3.4/synthetic-one"], backend=backend)
    assert [r["check"] for r in rows] == ["eq3.4/synthetic-two", "eq3.4/synthetic-one"]
    assert [name for name, _, _ in backend.calls[0]] == ["eq3.4/synthetic-two", "eq3.4/synthetic-one"]
    assert all(r["verdict"] == "pass" for r in rows)
    # a search whose worker dies becomes an error record of its check, not the end of the report
    assert backend.lost(("eq3.4/synthetic-one", 0.5, 0), "killed") == {
        "check": "eq3.4/synthetic-one",
        "error": "WorkerDied: killed",
    }


def test_a_search_that_raises_is_recorded_and_the_others_still_run_or_it_raises_without_a_list(synthetic):
    from boundlab.reporting import search_rows

    synthetic("eq3.4/synthetic-ok", 0.9)
    errors: list[dict[str, str]] = []
    rows = search_rows(0.5, names=["no/such-check", "eq3.4/synthetic-ok"], errors=errors, backend=_ShippingBackend())
    assert [r["check"] for r in rows] == ["eq3.4/synthetic-ok"]
    assert errors and errors[0]["stage"] == "search" and errors[0]["name"] == "no/such-check"
    with pytest.raises(RuntimeError, match="no/such-check"):
        search_rows(0.5, names=["no/such-check"])
