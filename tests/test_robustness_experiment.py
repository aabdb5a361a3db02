"""The robustness-table experiment: grading, refusals, and its Markdown / LaTeX / CSV / PNG outputs."""

from __future__ import annotations

import math

import pytest

from boundlab.bounds import BadInput
from boundlab.montecarlo import mda
from boundlab.montecarlo.experiments import EXPERIMENTS
from boundlab.montecarlo.experiments.robustness import (
    _subset_note,
    heatmap,
    render_csv,
    render_latex,
    render_markdown,
    robustness_table,
)


@pytest.fixture(scope="module")
def table():
    return robustness_table(0, quick=True, aggregators=("mean", "median", "mda"), attacks=("large_value", "nan"))


def _cell(table, agg, attack):
    return next(c for c in table["cells"] if c["aggregator"] == agg and c["attack"] == attack)


def test_the_experiment_is_registered_for_reproduce():
    assert "robustness-table" in EXPERIMENTS


def test_the_median_stays_within_theorem_3_1_and_the_mean_does_not(table):
    med = _cell(table, "median", "large_value")
    assert med["verdict"] == "within bound" and med["ratio"] < 1
    assert _cell(table, "median", "nan")["verdict"] == "within bound"
    assert _cell(table, "mean", "large_value")["verdict"] == "exceeds bound"
    assert math.isinf(_cell(table, "mean", "nan")["error"])


def test_bounds_come_from_the_registry_at_each_alpha(table):
    from boundlab.montecarlo import ModelR, registry_bound

    cfg = table["config"]
    k = ModelR(d=2, sigma=1.0, radius=1.0).constants(skewness="tight")
    b = registry_bound(
        "thm3.1",
        n=cfg["n"],
        m=cfg["m"],
        d=2,
        alpha=cfg["alphas"][0],
        D=k["D"],
        L_hat=k["L_hat"],
        V=k["V"],
        S=k["S"],
        L_F=1.0,
        lambda_F=1.0,
        T=cfg["T"],
        r0=1.0,
    )
    assert table["bounds"][0] == b.value
    assert table["bounds"] == sorted(table["bounds"])  # the bound grows with alpha


def test_an_exploding_subset_search_is_reported_as_a_refusal_naming_m_and_f(table):
    cell = _cell(table, "mda", "large_value")
    assert cell["verdict"] == "not run"
    assert "m (200) and f (4)" in cell["status"]


def test_the_subset_note_states_the_largest_m_at_which_mda_runs_exactly():
    note = _subset_note(300, [6, 15, 30])
    assert "C(300, 6) = 9.6e+11" in note and "up to m = 36" in note
    assert math.comb(36, 6) <= 2_000_000  # mda's default max_subsets: searched (about 2e6 subsets, seconds)
    with pytest.raises(BadInput, match=r"m \(37\) and f \(6\)"):
        mda([[0.0]] * 37, 6)


def test_outputs_are_written_in_every_format(table, tmp_path):
    md, tex, csv = render_markdown(table), render_latex(table), render_csv(table)
    assert md.startswith("| aggregator | attack |") and md.count("\n") == 2 + len(table["cells"])
    assert "\\begin{tabular}" in tex and "large\\_value" in tex
    assert csv.splitlines()[0].startswith("aggregator,attack,status,error")
    assert len(csv.splitlines()) == 1 + len(table["cells"])
    png = heatmap(table, tmp_path / "h.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_attack_names_are_bad_input():
    with pytest.raises(BadInput, match="attack"):
        robustness_table(0, quick=True, aggregators=("median",), attacks=("nope",))


def test_the_decision_rule_holds_on_the_quick_table_and_a_cell_above_the_bound_flips_it(table):
    import copy

    from boundlab.montecarlo.experiments.robustness import decide, verdict_text

    d = decide(table)
    assert d["reproduced"] and d["violations"] == [] and "large_value" in d["mean_exceeds_under"]
    assert d["not_run"] == ["mda"]
    bad = copy.deepcopy(table)
    cell = _cell(bad, "median", "nan")
    cell["ci_highs"][1] = bad["bounds"][1] * 1.01  # the median's interval reaches above the bound at one alpha
    flipped = decide(bad)
    assert not flipped["reproduced"]
    assert [(v["aggregator"], v["attack"], v["alpha"]) for v in flipped["violations"]] == [
        ("median", "nan", bad["config"]["alphas"][1])
    ]
    assert verdict_text(flipped, 1).startswith("NOT reproduced: 1 (robust rule, attack, alpha) cells above the bound")
    # an upper end exactly at the bound is within it; a NaN upper end is not
    cell["ci_highs"][1] = bad["bounds"][1]
    assert decide(bad)["reproduced"]
    cell["ci_highs"][1] = math.nan
    assert not decide(bad)["reproduced"]
    # the mean inside the bound under every attack: the yardstick does not separate, not reproduced
    no_mean = copy.deepcopy(table)
    for c in no_mean["cells"]:
        if c["aggregator"] == "mean":
            c["verdict"] = "within bound"
    nm = decide(no_mean)
    assert not nm["reproduced"] and nm["violations"] == []
    assert "the mean exceeds the bound under no attack" in verdict_text(nm, 1)


def test_the_result_states_the_rule_and_the_verdict(monkeypatch):
    from boundlab.montecarlo.experiments import robustness

    small = robustness_table(0, quick=True, aggregators=("mean", "median"), attacks=("large_value",))
    monkeypatch.setattr(robustness, "robustness_table", lambda seed, quick, **kw: small)
    res = robustness._run(0, True, None)
    assert res["reproduced"] is True and res["verdict"].startswith("reproduced")
    assert res["decision_rule"] == robustness.DECISION_RULE and res["violations"] == []


def test_cells_do_not_depend_on_the_order_or_process_they_run_in():
    class Reversed:  # a backend that runs the cells last to first (as another process would, in any order)
        def starmap(self, fn, items):
            return [fn(*it) for it in reversed(items)][::-1]

    kw = {"aggregators": ("median", "krum", "caf"), "attacks": ("sign_flip", "nan")}
    assert robustness_table(0, quick=True, backend=Reversed(), **kw) == robustness_table(0, quick=True, **kw)
