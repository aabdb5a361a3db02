"""The worst-case search finds the sharpest admissible instance, confirms it with a fresh seed and
reports an interval above the bound as an erratum candidate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boundlab.bounds import BadInput, Param
from boundlab.cli import main
from boundlab.montecarlo import CHECKS, MCResult, check, chunk_rngs, registry_bound
from boundlab.tighten import knobs_of, tighten


def _register(name: str, excess: float):
    """A check of Equation (3.4)'s value whose empirical side is ``shape(eps)`` times the bound.

    ``shape`` peaks at eps = 0.3 with height ``excess``; the estimate is a mean of uniform noise around
    it, so the interval shrinks with the trials.
    """

    @check(name, "eq3.4", description="synthetic: estimate = shape(eps) x bound", trials=4000, quick_trials=400,
           theorem_params={"eps": 0.1}, options=(Param("width", "peak width", lower=0.05, upper=1.0,
                                                       typical=(0.05, 1.0), default=0.1),))
    def _synthetic(trials: int, seed: int, *, eps: float, width: float) -> MCResult:
        b = registry_bound("eq3.4", eps=eps)
        shape = excess * np.exp(-((eps - 0.3) / width) ** 2)
        xs = np.concatenate([rng.uniform(0.95, 1.05, size) for size, rng in chunk_rngs(seed, trials)]) * shape
        est = float(xs.mean())
        half = 4 * float(xs.std()) / np.sqrt(trials) + 1e-12
        return MCResult("", "", "synthetic", est * b.value, (est - half) * b.value, (est + half) * b.value, b.value,
                        "upper", trials, seed, 0.0, **b.stamp())

    return CHECKS[name]


@pytest.fixture
def synthetic():
    made = []

    def make(name: str, excess: float):
        made.append(name)
        return _register(name, excess)

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


def test_tighten_records_the_search_in_the_store_and_prints_json(synthetic, tmp_path, capsys):
    synthetic("eq3.4/synthetic-store", 0.9)
    store = tmp_path / "s.sqlite"
    assert main(["tighten", "eq3.4/synthetic-store", "--budget", "1", "--json", "--store", str(store)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["check"] == "eq3.4/synthetic-store" and set(doc["best_params"]) <= {"eps", "width"}
    from boundlab.store import Store

    with Store(store) as s:
        assert [r["task"] for r in s.rows()] == ["tighten:eq3.4/synthetic-store"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"budget": 0}, r"budget \(0\) must be a positive"),
    ({"budget": float("nan")}, r"budget \(nan\) must be a positive"),
    ({"knobs": ["zeta"]}, r"knob \(zeta\) must be one of eps, width"),
    ({"trials": 0}, r"trials \(0\) must be an integer >= 1"),
])
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
