"""Generic properties of every registered check.

Every check passes at its quick size; fails with its deliberately wrong bound; fails with the bound
made 2x too generous wherever its resolving power says it can see that (and otherwise names the step
of the proof the slack comes from); validates the result's parameters with the result's own domains;
reads its bound from the registry at exactly the parameters it reports; and re-runs from its own JSON.
"""

from __future__ import annotations

import json
import math

import pytest

from boundlab.bounds import AbstractBound, BadInput, get
from boundlab.cli import main
from boundlab.montecarlo import MCResult, chunk_rngs
from boundlab.montecarlo.checks import CHECKS, verify

FAST = sorted(k for k, c in CHECKS.items() if not c.slow)
SLOW = sorted(k for k, c in CHECKS.items() if c.slow)


def _params(names):
    return [pytest.param(n, marks=pytest.mark.slow) if CHECKS[n].slow else n for n in names]


from quickruns import quick  # noqa: E402  (one run per check and parameters for the session)


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_passes_at_its_quick_size(name):
    res = quick(name)
    assert res.verdict == "pass", res


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_sees_its_bound_made_2x_too_generous_or_says_why_not(name):
    c, res = CHECKS[name], quick(name)
    if c.scales == "none":
        assert res.rule == "slope" and "bound_scale" not in c.accepted()
        return
    if res.resolving_power < 2:
        assert quick(name, bound_scale=0.5).verdict == "fail"
    else:
        assert c.slack, (
            f"{name}: resolving power {res.resolving_power:.3g} >= 2 (a bound 2x too strong would still "
            "pass) and no slack text naming the step of the proof that is loose"
        )


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_reads_its_bound_from_the_registry_at_the_parameters_it_reports(name):
    res = quick(name)
    if res.bound_quantity is None:
        pytest.skip("the bound is not a registry quantity (a rate exponent or an exact ratio)")
    thm = get(res.theorem_id)
    quantity = None if res.bound_quantity == "value" else res.bound_quantity
    expected = float(thm.evaluate(quantity, **res.evaluated_at))
    assert res.bound == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("name", sorted(k for k, c in CHECKS.items() if not c.slow))
def test_check_reruns_bit_for_bit_from_its_own_json(name):
    c = CHECKS[name]
    n = min(c.quick_trials, 64)
    first = c.run(n, 3)
    doc = json.loads(json.dumps(first.to_json()))
    again = c.run(n, doc["seed"], **doc["params"])
    assert (again.estimate, again.ci_low, again.ci_high, again.bound) == (
        first.estimate,
        first.ci_low,
        first.ci_high,
        first.bound,
    )


THEOREM_PARAMS = [
    (name, p)
    for name, c in sorted(CHECKS.items())
    for p in c.theorem_params
    if isinstance(get(c.theorem_id), AbstractBound) and p in get(c.theorem_id).param_names
]


@pytest.mark.parametrize(("name", "param"), THEOREM_PARAMS, ids=[f"{n}:{p}" for n, p in THEOREM_PARAMS])
def test_check_refuses_a_value_outside_the_results_domain_with_the_results_message(name, param):
    c, thm = CHECKS[name], get(CHECKS[name].theorem_id)
    spec = thm.param(param)
    bad = spec.lower - 1 if math.isfinite(spec.lower) else (spec.upper + 1 if math.isfinite(spec.upper) else math.nan)
    with pytest.raises(BadInput, match=rf"^{param} \("):
        c.resolve(**{param: bad})


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_refuses_an_unknown_option_naming_what_it_accepts(name):
    with pytest.raises(BadInput, match=r"option \(zeta\) must be"):
        CHECKS[name].resolve(zeta=1.0)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_refuses_a_nonpositive_or_nan_bound_scale(name):
    if "bound_scale" not in CHECKS[name].accepted():
        pytest.skip("rate check: no leading constant")
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(BadInput, match=r"bound_scale"):
            CHECKS[name].resolve(bound_scale=bad)


@pytest.mark.parametrize("name", _params(sorted(CHECKS)))
def test_check_reports_fail_for_its_deliberately_wrong_bound(name):
    c = CHECKS[name]
    assert c.wrong, "every check must declare a wrong variant"
    res = quick(name, **c.wrong)
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
    ("upper", 0.5, 0.4, 0.6, 1.0, "pass"),
    ("upper", 1.5, 1.2, 1.8, 1.0, "fail"),
    ("upper", 1.0, 0.8, 1.2, 1.0, "inconclusive"),
    ("probability", 0.99, 0.98, 1.0, 0.9, "pass"),
    ("probability", 0.5, 0.4, 0.6, 0.9, "fail"),
    ("probability", 0.9, 0.85, 0.95, 0.9, "inconclusive"),
    ("failure", 0.01, 0.0, 0.02, 0.05, "pass"),
    ("failure", 0.1, 0.08, 0.12, 0.05, "fail"),
    ("exact", 0.99, 0.99, 0.99, 1.0, "pass"),
    ("exact", math.inf, math.inf, math.inf, 1.0, "fail"),
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
    code = main(["verify", "cor3.1/one-sided", "bound_scale=0.5", "--trials", "2000"])
    assert code == 1


@pytest.mark.parametrize(
    "argv,message",
    [
        (["verify", "lem3.1", "--trials", "0"], "trials (0) must be >= 1"),
        (["verify", "lem3.1", "--seed", "-1"], "seed (-1) must be >= 0"),
        (["verify", "thm9.9"], "id (thm9.9) must be a result with Monte Carlo checks"),
        (["verify"], "id (missing) must be given"),
        (
            ["verify", "cor3.1/one-sided", "zeta=1"],
            "option (zeta) must be a parameter of cor3.1 this check realises (n, m, alpha, t) or an option of cor3.1/one-sided",
        ),
        (["verify", "cor3.1/one-sided", "alpha=0.75", "--trials", "100"], "alpha (0.75) must be in [0, 1/2)"),
        (["verify", "cor3.1/one-sided", "bound_scale=nan"], "bound_scale (nan) must be"),
        (["verify", "cor3.1/one-sided", "bound_scale=-1"], "bound_scale (-1) must be in (0, inf)"),
        (["verify", "thm3.1/final-error", "n=0"], "n (0) must be"),
        (["verify", "lem3.1", "--jobs", "0"], "jobs (0) must be"),
    ],
)
def test_verify_bad_input_exits_2(capsys, argv, message):
    code = main(argv)
    assert code == 2 and message in capsys.readouterr().err


def test_library_rejects_non_integer_trials():
    with pytest.raises(BadInput, match="trials"):
        verify("lem3.1", trials=0)


def test_a_check_at_a_users_parameters_compares_against_eval_at_exactly_those_parameters(capsys):
    assert main(["verify", "thm3.1/final-error", "alpha=0.1", "n=200", "m=2000", "--quick", "--json"]) == 0
    check = json.loads(capsys.readouterr().out)["checks"][0]
    assert check["params"]["alpha"] == 0.1 and check["params"]["n"] == 200 and check["params"]["m"] == 2000
    argv = ["eval", "thm3.1", *(f"{k}={v!r}" for k, v in check["evaluated_at"].items()), "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["value"] == check["bound"]


def test_a_check_where_a_hypothesis_fails_exits_3_with_the_message_of_eval(capsys):
    """Theorem 3.1 at m = 20: condition (3.2) cannot hold (lhs 1.19 > 1/2), so there is no bound to compare."""
    assert main(["verify", "thm3.1/final-error", "alpha=0.1", "n=200", "m=20", "--json"]) == 3
    err = capsys.readouterr().err
    assert "Theorem 3.1: hypothesis violated: condition (3.2) is satisfiable" in err and "1.19069" in err
