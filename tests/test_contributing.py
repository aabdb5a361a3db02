"""The worked example of docs/contributing.md runs: a result, its erratum and its check, added in two
files, are picked up by the registries and behave as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boundlab.bounds import ERRATA, REGISTRY, BadInput, get
from boundlab.cli import main
from boundlab.montecarlo import CHECKS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "contributing.md"


def blocks() -> dict[str, str]:
    found = re.findall(r"```python\n# file: (\S+)\n(.*?)```", PAGE.read_text(), flags=re.S)
    return dict(found)


@pytest.fixture
def worked_example():
    files = blocks()
    try:
        for path, code in files.items():
            exec(compile(code, f"docs/contributing.md:{path}", "exec"), {"__name__": f"example_{len(path)}"})
        yield files
    finally:
        for registry, key in ((CHECKS, "lem3.99/two-point"), (ERRATA, "err3.99"), (REGISTRY, "lem3.99")):
            if key in registry:
                registry.remove(key)


def test_the_worked_example_touches_exactly_a_results_module_and_a_checks_module():
    assert set(blocks()) == {"bounds/_chapter3.py", "montecarlo/checks/ch3.py"}


def test_the_worked_example_registers_a_result_an_erratum_and_a_check(worked_example):
    assert get("lem3.99").evaluate(n=100, s=0.1) == pytest.approx(2 * 2.718281828459045**-2)
    assert ERRATA["err3.99"].evaluate()["printed"] < ERRATA["err3.99"].evaluate()["corrected"]
    c = CHECKS["lem3.99/two-point"]
    res = c.run(c.quick_trials, 0)
    assert res.verdict == "pass" and res.resolving_power == pytest.approx(2 * 2.718281828459045**-0.5, rel=1e-6)
    assert c.run(c.quick_trials, 0, **c.wrong).verdict == "fail"


def test_the_worked_example_check_runs_at_a_users_parameters_and_refuses_bad_ones(worked_example, capsys):
    c = CHECKS["lem3.99/two-point"]
    res = c.run(2000, 1, n=50, s=0.2)
    assert res.params == {"n": 50, "s": 0.2, "bound_scale": 1.0} and res.evaluated_at == {"n": 50.0, "s": 0.2}
    with pytest.raises(BadInput, match=r"^n \(0\) must be an integer in \[1, inf\)"):
        c.resolve(n=0)
    assert main(["verify", "lem3.99/two-point", "s=2", "--trials", "100"]) == 2
    assert "s (2) must be in (0, 1]" in capsys.readouterr().err
