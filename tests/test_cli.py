"""The command line through main([...]): JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from boundlab.cli import main, parse_assignments

MODEL_R = ["n=1000", "m=1000", "d=2", "alpha=0.05", "D=2", "L_hat=2", "V=1.7320508075688772", "S=1.5957691216057308"]
THM31 = [*MODEL_R, "L_F=1", "lambda_F=1", "T=30", "r0=1"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_names_every_chapter_3_item(capsys):
    code, out, _ = run(capsys, "list", "--chapter", "3", "--json")
    assert code == 0
    ids = {row["id"] for row in json.loads(out)}
    expected = (
        {f"def3.{i}" for i in range(1, 10)}
        | {f"asm3.{i}" for i in range(1, 8)}
        | {f"thm3.{i}" for i in range(1, 14)}
        | {f"lem3.{i}" for i in range(1, 7)}
        | {
            "prop3.1",
            "prop3.2",
            "prop3.3",
            "cor3.1",
            "obs3.1",
            "rem3.1",
            "tab3.1",
            "alg3.1",
            "alg3.2",
            "eq3.2",
            "eq3.4",
        }
    )
    assert expected <= ids


def test_eval_json_has_the_documented_shape_and_quantities(capsys):
    code, out, _ = run(capsys, "eval", "thm3.1", *THM31, "--json")
    assert code == 0
    doc = json.loads(out)
    assert {"id", "value", "quantities", "conditions", "exact"} <= set(doc)
    assert {"C_eps", "Delta", "prob", "lhs_3_2"} <= set(doc["quantities"])
    assert math.isclose(doc["quantities"]["Delta"], 0.0620161, rel_tol=1e-6)
    assert all({"text", "holds"} <= set(c) for c in doc["conditions"])
    assert doc["exact"] is True
    assert any("tightest admissible eps" in n for n in doc["notes"])


def test_eval_thm3_4_reports_delta_prime(capsys):
    code, out, _ = run(
        capsys,
        "eval",
        "thm3.4",
        "n=1000",
        "m=1000",
        "d=2",
        "alpha=0.05",
        "beta=0.05",
        "D=2",
        "L_hat=2",
        "v=1.4142135623730951",
        "L_F=1",
        "lambda_F=1",
        "T=30",
        "r0=1",
        "--json",
    )
    assert code == 0
    assert math.isclose(json.loads(out)["quantities"]["Delta_prime"], 0.2311309, rel_tol=1e-6)


def test_eval_cor3_1_reports_the_deviation_bound_and_its_probability(capsys):
    code, out, _ = run(
        capsys,
        "eval",
        "cor3.1",
        "n=100",
        "m=201",
        "alpha=0.04975124378109453",
        "t=2",
        "sigma=1",
        "gamma=2.414553294057308",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0
    assert math.isclose(doc["value"], 0.0871497, rel_tol=1e-6)
    assert math.isclose(doc["quantities"]["prob"], 1 - 4 * math.exp(-4), rel_tol=1e-12)


def test_eval_grid_is_an_outer_product_with_one_axis_per_list(capsys):
    argv = [a for a in THM31 if not a.startswith(("n=", "alpha="))]
    code, out, _ = run(capsys, "eval", "thm3.1", *argv, "n=1e3:1e5:3", "alpha=0,0.05", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["grid"] == {"n": [1000.0, 10000.0, 100000.0], "alpha": [0.0, 0.05]}
    assert len(doc["value"]) == 3 and len(doc["value"][0]) == 2


def test_eval_at_high_precision_agrees_with_numpy(capsys):
    code, out, _ = run(capsys, "eval", "thm3.8", *MODEL_R, "--precision", "50", "--json")
    doc = json.loads(out)
    assert code == 0
    assert math.isclose(float(doc["value_mp"]), doc["value"], rel_tol=1e-12)
    assert len(doc["value_mp"]) > 40


def test_eval_variant_evaluates_the_printed_statement(capsys):
    argv = [*MODEL_R, "L_F=1", "r0=0.01"]
    _, out_proof, _ = run(capsys, "eval", "thm3.2", *argv, "--json")
    _, out_printed, _ = run(capsys, "eval", "thm3.2", *argv, "--variant", "printed", "--json")
    assert json.loads(out_printed)["value"] < json.loads(out_proof)["value"]


def test_a_violated_hypothesis_exits_3_and_prints_both_sides(capsys):
    argv = [a if not a.startswith("alpha=") else "alpha=0.3" for a in THM31]
    code, out, err = run(capsys, "eval", "thm3.1", *argv)
    assert code == 3
    assert "condition (3.2)" in err and "lhs_3_2 = 0.53" in err and ">= 1/2 = 1/2" in err
    assert "VIOLATED" in out


def test_a_given_eps_too_large_for_3_2_exits_3_naming_both_sides(capsys):
    code, _, err = run(capsys, "eval", "thm3.8", *MODEL_R, "eps=0.4")
    assert code == 3
    assert "lhs_3_2 = 0.252856 > 1/2 - eps = 0.1" in err


def test_an_unmet_necessary_size_condition_exits_3(capsys):
    code, _, err = run(capsys, "eval", "thm3.2", *MODEL_R, "L_F=1", "r0=1")
    assert code == 3 and "Assumption 3.4" in err


BAD = [
    (["eval", "thm9.1"], "id (thm9.1) must be a registered result"),
    (["eval", "def3.1"], "must be an evaluable result"),
    (["eval", "thm3.8", *MODEL_R[1:]], "parameter (n) is required"),
    (["eval", "thm3.8", *MODEL_R, "zeta=1"], "parameter (zeta) must be one of"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=abc"], "n (abc) must be a number"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=0"], r"n \(0\) must be an integer in \[1, inf\)"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=-5"], r"n \(-5\) must be"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=10.5"], r"n \(10.5\) must be an integer"),
    (
        ["eval", "thm3.8", *[a for a in MODEL_R if not a.startswith("alpha")], "alpha=0.6"],
        r"alpha \(0.6\) must be in \[0, 1/2\)",
    ),
    (["eval", "thm3.8", *[a for a in MODEL_R if not a.startswith("alpha")], "alpha=-0.1"], r"alpha \(-0.1\) must be"),
    (
        ["eval", "thm3.11", "n=1000", "m=1000", "d=2", "alpha=0.1", "beta=0.05", "D=2", "L_hat=2", "v=1"],
        r"alpha \(0.1\) must be <= beta \(0.05\)",
    ),
    (["eval", "thm3.8", *MODEL_R, "eps=0"], r"eps \(0\) must be in \(0, 1/2\)"),
    (["eval", "thm3.8", *MODEL_R, "eps=-1"], r"eps \(-1\) must be"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=nan"], r"n \(nan\) must be finite"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=inf"], r"n \(inf\) must be finite"),
    (["eval", "thm3.8", *[a for a in MODEL_R if not a.startswith("D=")], "D=1,inf"], "D (inf) must be finite"),
    (["eval", "thm3.8", *MODEL_R, "D=3"], "parameter (D) must be given once"),
    (["eval", "thm3.8", "n"], r"argument \(n\) must have the form NAME=VALUE"),
    (["eval", "thm3.8", *MODEL_R, "--quantity", "nope"], r"quantity \(nope\) must be one of"),
    (["eval", "thm3.2", *MODEL_R, "L_F=1", "r0=0.1", "--variant", "nope"], r"variant \(nope\) must be one of"),
    (["eval", "thm3.8", *MODEL_R[1:], "n=1:10:0"], r"range count \(0\) must be an integer >= 1"),
    (["solve", "thm3.8", "--for", "n", *MODEL_R[1:]], "target"),
    (["solve", "thm3.8", "--for", "zeta", "--target", "0.1", *MODEL_R[1:]], r"parameter \(zeta\) must be one of"),
    (["show", "nope"], r"id \(nope\) must be a registered result"),
    (["reproduce", "no-such-experiment"], r"experiment \(no-such-experiment\) must be one of"),
    (["eval", "thm3.1", *MODEL_R, "L_F=1", "lambda_F=2", "T=3", "r0=1"], "lambda_F (2) must be <= L_F (1)"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[" ".join(a[:2] + a[-1:]) for a, _ in BAD])
def test_bad_input_exits_2_with_one_line_naming_the_argument(capsys, argv, message):
    import re

    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0] or re.search(message, lines[0]), lines[0]
    assert "Traceback" not in err


def test_unknown_options_exit_2_without_traceback(capsys):
    code = None
    with pytest.raises(SystemExit) as exc:
        main(["eval", "thm3.8", "--bogus"])
    code = exc.value.code
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err


def test_solve_finds_the_smallest_n_meeting_a_target_with_hypotheses_holding(capsys):
    code, out, _ = run(capsys, "solve", "thm3.8", "--for", "n", "--target", "0.05", *MODEL_R[1:], "--json")
    doc = json.loads(out)
    assert code == 0 and doc["which"] == "smallest"
    n = doc["value"]
    from boundlab.bounds import get

    kw = {a.split("=")[0]: float(a.split("=")[1]) for a in MODEL_R[1:]}
    assert get("thm3.8").evaluate(n=n, **kw) <= 0.05 < get("thm3.8").evaluate(n=n - 1, **kw)


def test_solve_nonvacuous_reports_where_the_s_480_bound_starts_saying_something(capsys):
    code, out, _ = run(
        capsys,
        "solve",
        "eq3.2",
        "--for",
        "n",
        "--nonvacuous",
        "m=1000",
        "d=2",
        "alpha=0",
        "L_hat=2",
        "D=2",
        "S=480",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["which"] == "smallest"
    assert doc["value"] > 207761


def test_solve_without_a_solution_exits_3(capsys):
    code, _, err = run(capsys, "solve", "thm3.8", "--for", "n", "--target", "1e-12", *MODEL_R[1:])
    assert code == 3 and "no n in" in err


def test_show_lists_parameters_and_hypotheses(capsys):
    code, out, _ = run(capsys, "show", "thm3.1")
    assert code == 0
    for word in ("lambda_F", "condition (3.2)", "Assumption 3.2", "L4030"):
        assert word in out
    code, out, _ = run(capsys, "show", "thm3.1", "--latex")
    assert code == 0 and r"\Delta" in out and r"\sqrt" in out
    code, out, _ = run(capsys, "show", "thm3.1", "--json")
    assert json.loads(out)["id"] == "thm3.1"


def test_errata_lists_every_entry_and_verify_reproduces_the_evidence(capsys):
    from boundlab.bounds import ERRATA

    code, out, _ = run(capsys, "errata", "--verify", "--json")
    doc = json.loads(out)
    assert code == 0
    assert {e["id"] for e in doc} == set(ERRATA)
    assert all(e["verified"] for e in doc)
    code, out, _ = run(capsys, "errata")
    assert code == 0 and "printed:" in out and "corrected:" in out


def test_reproduce_list_works_with_an_empty_or_filled_registry(capsys):
    code, out, _ = run(capsys, "reproduce", "--list", "--json")
    assert code == 0 and isinstance(json.loads(out), list)


@pytest.mark.slow
def test_report_quick_writes_a_markdown_table(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "report",
        "--quick",
        "--out",
        str(tmp_path),
        "--format",
        "md",
        "--format",
        "csv",
        "--format",
        "json",
        "--format",
        "latex",
    )
    assert code == 0
    md = (tmp_path / "report.md").read_text()
    assert "| thm3.1 |" in md and "## Errata" in md and "alpha/sqrt(n) + 1/sqrt(nm) + 1/n" in md
    assert (tmp_path / "report.csv").read_text().startswith("id,")
    assert json.loads((tmp_path / "report.json").read_text())["results"]
    assert r"\begin{tabular}" in (tmp_path / "report.tex").read_text()


def test_report_into_an_unwritable_place_exits_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "report", "--out", str(blocker / "sub"))
    assert code == 2 and "must be a writable directory" in err


def test_parse_assignments_reads_numbers_lists_and_log_ranges():
    assert parse_assignments(["a=1", "b=1,2", "c=1:100:3"]) == {"a": 1.0, "b": [1.0, 2.0], "c": [1.0, 10.0, 100.0]}


def test_the_console_script_runs_in_a_subprocess():
    out = subprocess.run([sys.executable, "-m", "boundlab.cli", "list", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_a_check_that_raises_is_listed_in_the_report_and_the_other_checks_still_run(monkeypatch):
    import boundlab.parallel as par
    from boundlab import reporting
    from boundlab.montecarlo import checks as registry

    names = ["cor3.1/one-sided", "rem2.1/glm"]
    monkeypatch.setattr(registry, "CHECKS", {n: registry.CHECKS[n] for n in names})
    real = par.run_check

    def flaky(name, **kw):
        if name == names[1]:
            raise ValueError("boom")
        return real(name, **kw)

    monkeypatch.setattr(par, "run_check", flaky)
    errors: list = []
    done = reporting.check_results(quick=True, errors=errors)
    assert [r.check for r in done] == names[:1]
    assert errors == [{"stage": "check", "name": names[1], "error": "ValueError: boom"}]
    md = reporting.render_markdown([], [], errors=errors)
    assert "## Errors" in md and "ValueError: boom" in md
    with pytest.raises(ValueError, match="boom"):  # without an error list the exception propagates
        reporting.check_results(quick=True)


def test_a_report_with_an_item_that_raised_exits_70_and_names_it(capsys, monkeypatch, tmp_path):
    from boundlab import reporting

    def partial(out_dir, *, errors, **kw):
        errors.append({"stage": "experiment", "name": "fig2.3", "error": "RuntimeError: diverged"})
        return []

    monkeypatch.setattr(reporting, "write_report", partial)
    code, out, _ = run(capsys, "report", "--quick", "--out", str(tmp_path))
    assert code == 70 and "error in experiment fig2.3: RuntimeError: diverged" in out


def test_the_report_lists_the_numbers_an_experiments_decision_rule_used():
    from boundlab import reporting

    res = {
        "id": "fig2.1",
        "seed": 0,
        "seconds": 1.0,
        "verdict": "reproduced: more passes (extra +9.00 [+8.12, +9.88])",
        "decision_numbers": {"extra passes [mean, 95% CI]": [9.0, 8.123456, 9.876543], "seeds": 5},
    }
    md = reporting.render_markdown([], [], experiments=[res])
    assert "Numbers the decision rule used:" in md
    assert "- extra passes [mean, 95% CI]: [9, 8.123, 9.877]" in md and "- seeds: 5" in md
