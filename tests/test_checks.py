"""Every registered Monte Carlo check passes at its quick size and fails with its deliberately wrong bound."""

from __future__ import annotations

import json
import math

import pytest

from boundlab.cli import main
from boundlab.montecarlo import MCResult, chunk_rngs
from boundlab.montecarlo.checks import CHECKS, verify
from boundlab.bounds import BadInput

FAST = sorted(k for k, c in CHECKS.items() if not c.slow)
SLOW = sorted(k for k, c in CHECKS.items() if c.slow)


def _params(names):
    return [pytest.param(n, marks=pytest.mark.slow) if CHECKS[n].slow else n for n in names]


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_passes_at_its_quick_size(name):
    c = CHECKS[name]
    res = c.run(c.quick_trials, 0)
    assert res.verdict == "pass", res


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_reports_fail_for_its_deliberately_wrong_bound(name):
    c = CHECKS[name]
    assert c.wrong, "every check must declare a wrong variant"
    res = c.run(c.quick_trials, 0, **c.wrong)
    assert res.verdict == "fail", res


def test_a_check_is_reproducible_from_its_seed():
    a = verify("cor3.1/one-sided", trials=3000, seed=7)[0]
    b = verify("cor3.1/one-sided", trials=3000, seed=7)[0]
    assert (a.estimate, a.ci_low, a.ci_high) == (b.estimate, b.ci_low, b.ci_high)


def test_chunk_streams_depend_only_on_seed_and_chunk_index():
    first = [rng.random() for _, rng in chunk_rngs(3, 5000)]
    again = [rng.random() for _, rng in chunk_rngs(3, 5000)]
    assert first == again and len(set(first)) == 3


VERDICTS = [
    ("upper", 0.5, 0.4, 0.6, 1.0, "pass"), ("upper", 1.5, 1.2, 1.8, 1.0, "fail"), ("upper", 1.0, 0.8, 1.2, 1.0, "inconclusive"),
    ("probability", 0.99, 0.98, 1.0, 0.9, "pass"), ("probability", 0.5, 0.4, 0.6, 0.9, "fail"),
    ("probability", 0.9, 0.85, 0.95, 0.9, "inconclusive"),
    ("failure", 0.01, 0.0, 0.02, 0.05, "pass"), ("failure", 0.1, 0.08, 0.12, 0.05, "fail"),
    ("exact", 0.99, 0.99, 0.99, 1.0, "pass"), ("exact", math.inf, math.inf, math.inf, 1.0, "fail"),
]


@pytest.mark.parametrize("rule,est,lo,hi,bound,verdict", VERDICTS)
def test_verdict_reads_the_interval_against_the_bound(rule, est, lo, hi, bound, verdict):
    r = MCResult("x", "thm3.1", "q", est, lo, hi, bound, rule, 10, 0, 0.0)
    assert r.verdict == verdict


@pytest.mark.parametrize("lo,hi,verdict", [(-0.55, -0.45, "pass"), (-0.9, -0.7, "fail"), (-0.7, -0.5, "inconclusive")])
def test_slope_verdict_uses_the_tolerance_band(lo, hi, verdict):
    r = MCResult("x", "thm3.1", "slope", (lo + hi) / 2, lo, hi, -0.5, "slope", 10, 0, 0.0, tolerance=0.1)
    assert r.verdict == verdict


def test_verify_cli_prints_the_documented_json(capsys):
    code = main(["verify", "lem3.1", "--trials", "2000", "--seed", "1", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["id"] == "lem3.1"
    keys = {"name", "estimate", "ci_low", "ci_high", "bound", "verdict", "tightness", "trials", "seed"}
    assert keys <= set(doc["checks"][0])


def test_verify_cli_exits_1_when_a_check_fails(capsys):
    code = main(["verify", "cor3.1/one-sided", "radius_scale=0.1", "--trials", "2000"])
    assert code == 1


@pytest.mark.parametrize("argv,message", [
    (["verify", "lem3.1", "--trials", "0"], "trials (0) must be >= 1"),
    (["verify", "lem3.1", "--seed", "-1"], "seed (-1) must be >= 0"),
    (["verify", "thm9.9"], "id (thm9.9) must be a result with Monte Carlo checks"),
    (["verify"], "id (missing) must be given"),
    (["verify", "cor3.1/one-sided", "zeta=1"], "option (zeta) must be an option of cor3.1/one-sided"),
    (["verify", "cor3.1/one-sided", "q=150", "--trials", "100"], "alpha (0.746269) must be in [0, 1/2)"),
    (["verify", "lem3.1", "--jobs", "0"], "jobs (0) must be"),
])
def test_verify_bad_input_exits_2(capsys, argv, message):
    code = main(argv)
    assert code == 2 and message in capsys.readouterr().err


def test_library_rejects_non_integer_trials():
    with pytest.raises(BadInput, match="trials"):
        verify("lem3.1", trials=0)
