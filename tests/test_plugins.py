"""Plug-ins: a user's aggregator, attack or problem runs in every check that takes one."""

from __future__ import annotations

import importlib.metadata
import json
import textwrap

import numpy as np
import pytest

from boundlab.bounds import BadInput
from boundlab.cli import main
from boundlab.montecarlo import (
    AGGREGATORS,
    ATTACKS,
    PROBLEMS,
    Aggregator,
    Attack,
    PopulationProblem,
    available,
    bind_byzantine,
    register_aggregator,
    register_aggregators,
    register_attack,
    register_problem,
    resolve,
)
from boundlab.montecarlo.checks import CHECKS

FAST = ["T=5"]  # the default Model R instance, few iterations


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def plugin_dist(tmp_path, monkeypatch):
    """A distribution outside src/ that publishes an aggregator and an attack through entry points."""
    pkg = tmp_path / "userrules"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        textwrap.dedent("""
        import numpy as np

        CALLS = []

        def midrange(x, *, return_mask=False):
            CALLS.append(np.shape(x))
            x = np.asarray(x, dtype=float)
            return (x.max(axis=-2) + x.min(axis=-2)) / 2

        def far_away(honest, q, rng, ctx=None):
            h = np.asarray(honest)
            return np.full((*h.shape[:-2], q, h.shape[-1]), 1e3)

        def broken(x, *, return_mask=False):
            return x
    """)
    )
    info = tmp_path / "userrules-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: userrules\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent("""
        [boundlab.aggregators]
        midrange = userrules:midrange
        missing = userrules_does_not_exist:fn

        [boundlab.attacks]
        far_away = userrules:far_away
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield tmp_path
    for name in ("midrange", "missing"):
        AGGREGATORS.pop(name, None)
    ATTACKS.pop("far_away", None)  # type: ignore[attr-defined]


# -- protocols and registries --------------------------------------------------------------------


def test_every_builtin_aggregator_satisfies_the_protocol_and_maps_batch_m_d_to_batch_d():
    x = np.random.default_rng(0).standard_normal((3, 10, 2))
    for name, fn in AGGREGATORS.items():
        assert isinstance(fn, Aggregator), name
        assert bind_byzantine(fn, q=2, m=10)(x).shape == (3, 2), name


def test_every_registered_attack_satisfies_the_protocol():
    for name, fn in ATTACKS.items():
        assert isinstance(fn, Attack), name


def test_every_registered_problem_has_its_population_quantities():
    for name, factory in PROBLEMS.items():
        p = factory()
        assert isinstance(p, PopulationProblem), name
        w = np.asarray(p.w_star, dtype=float)
        assert np.allclose(p.grad_F(w), 0.0, atol=1e-8), name
        assert "L_F" in p.constants(), name


def test_a_registered_aggregator_is_found_by_name_and_can_be_removed():
    def first(x, *, return_mask=False):
        return np.asarray(x)[..., 0, :]

    register_aggregator("test-first", first)
    try:
        assert resolve("aggregator", "test-first") is first
        assert "test-first" in available("aggregator")
    finally:
        AGGREGATORS.pop("test-first")


def test_a_dict_of_aggregators_extends_the_registry_at_once():
    table = {
        "test-a": lambda x, *, return_mask=False: np.asarray(x).mean(axis=-2),
        "test-b": lambda x, *, return_mask=False: np.asarray(x).max(axis=-2),
    }
    register_aggregators(table)
    try:
        assert {"test-a", "test-b"} <= set(available("aggregator"))
    finally:
        for k in table:
            AGGREGATORS.pop(k)


def test_registering_a_taken_name_needs_replace():
    with pytest.raises(BadInput, match=r"name \(median\) must not be a registered aggregator"):
        register_aggregator("median", lambda x, *, return_mask=False: x)


def test_register_attack_and_problem_as_decorators():
    @register_attack("test-zero")
    def zero(honest, q, rng, ctx=None):
        h = np.asarray(honest)
        return np.zeros((*h.shape[:-2], q, h.shape[-1]))

    @register_problem("test-r")
    def make(d=2):
        return PROBLEMS["model_r"](d=d)

    try:
        assert resolve("attack", "test-zero") is zero
        assert resolve("problem", "test-r")(d=3).d == 3
    finally:
        ATTACKS.pop("test-zero")  # type: ignore[attr-defined]
        PROBLEMS.pop("test-r")


def test_package_module_function_spec_imports_the_function():
    assert resolve("aggregator", "boundlab.montecarlo:median") is AGGREGATORS["median"]


BAD_SPECS = [
    ("aggregator", "medain", r"aggregator \(medain\) must be a registered aggregator .*did you mean median"),
    ("aggregator", "no_such_module_xyz:fn", r"aggregator \(no_such_module_xyz:fn\) must name an importable module"),
    ("aggregator", "numpy:no_such_fn", r"aggregator \(numpy:no_such_fn\) must name an attribute of numpy"),
    ("aggregator", "numpy:pi", r"aggregator \(numpy:pi\) must be callable"),
    ("attack", "", r"attack \(''\) must be a name"),
    ("attack", ":x", r"attack \(:x\) must be 'package.module:function' with both parts"),
    ("colour", "red", r"kind \(colour\) must be one of aggregator, attack, problem"),
]


@pytest.mark.parametrize(("kind", "spec", "match"), BAD_SPECS, ids=[f"{k}({s!r})" for k, s, _ in BAD_SPECS])
def test_a_bad_plugin_spec_raises_bad_input_naming_the_kind_and_value(kind, spec, match):
    with pytest.raises(BadInput, match=match):
        resolve(kind, spec)


def test_bind_byzantine_sets_f_for_krum_and_k_for_the_trimmed_mean():
    assert bind_byzantine(AGGREGATORS["krum"], 3, 20).keywords == {"f": 3}
    assert bind_byzantine(AGGREGATORS["trimmed_mean"], 3, 20).keywords == {"k": 3}
    assert bind_byzantine(AGGREGATORS["spectral_filter"], 3, 20).keywords == {"eps": 0.15}


# -- entry points -----------------------------------------------------------------------------


def test_entry_point_plugins_are_listed_without_being_imported(plugin_dist):
    import sys

    assert "midrange" in available("aggregator")
    assert "far_away" in available("attack")
    assert "userrules" not in sys.modules


def test_an_entry_point_aggregator_runs_in_a_check(plugin_dist):
    res = CHECKS["thm3.1/final-error"].run(2, 0, aggregator="midrange", T=5)
    import userrules  # type: ignore[import-not-found]

    assert userrules.CALLS, "the user's aggregator was never called"
    assert res.params["aggregator"] == "midrange"


def test_a_broken_entry_point_names_its_group_and_error(plugin_dist):
    with pytest.raises(
        BadInput,
        match=r"aggregator \(missing\) must load from its entry point "
        r"userrules_does_not_exist:fn \(group boundlab.aggregators",
    ):
        resolve("aggregator", "missing")


def test_verify_with_an_entry_point_aggregator_and_attack_prints_it_beside_the_references(plugin_dist, capsys):
    code, out, err = run(
        capsys,
        "verify",
        "thm3.1/final-error",
        "--aggregator",
        "userrules:midrange",
        "--attack",
        "far_away",
        "--trials",
        "2",
        *FAST,
        "--json",
    )
    doc = json.loads(out)
    runs = doc["checks"][0]["runs"]
    assert list(runs) == ["userrules:midrange", "median", "trimmed_mean"]
    assert {r["seed"] for r in runs.values()} == {0}
    assert runs["median"]["verdict"] == "pass" and runs["trimmed_mean"]["verdict"] == "pass"
    assert runs["userrules:midrange"]["verdict"] == "fail"  # the midrange follows the attackers
    assert code == 1


# -- the checks and the command line ------------------------------------------------------------


def test_every_check_that_runs_an_aggregator_accepts_any_registered_one():
    takes = [c for c in CHECKS.values() if "aggregator" in c.accepted()]
    assert {"thm3.1/final-error", "thm3.4/final-error", "thm3.7/one-round-error", "thm3.1/rate-n"} <= {
        c.name for c in takes
    }
    for c in takes:
        for name in AGGREGATORS:
            assert c.resolve(aggregator=name)["aggregator"] == name


def test_the_default_aggregator_reproduces_the_theorem_run_exactly():
    c = CHECKS["thm3.1/final-error"]
    assert c.run(2, 3, T=5) == c.run(2, 3, T=5, aggregator="median")


def test_the_mean_fails_and_the_median_passes_under_attack():
    c = CHECKS["thm3.1/final-error"]
    assert c.run(2, 0, T=5, aggregator="mean").verdict == "fail"
    assert c.run(2, 0, T=5, aggregator="median").verdict == "pass"


@pytest.mark.parametrize("name", ["thm3.1/final-error"])
def test_a_check_run_with_a_users_aggregator_passes_and_its_wrong_bound_fails(name):
    def user_median(x, *, return_mask=False):
        return np.median(np.asarray(x), axis=-2)

    c = CHECKS[name]
    register_aggregator("test-user-median", user_median)
    try:
        assert c.run(4, 0, aggregator="test-user-median").verdict == "pass"
        assert c.run(4, 0, aggregator="test-user-median", **c.wrong).verdict == "fail"
    finally:
        AGGREGATORS.pop("test-user-median")


def test_compare_gives_the_expected_verdicts_on_builtins_and_a_user_aggregator(capsys, tmp_path):
    png = tmp_path / "cmp.png"
    code, out, _ = run(
        capsys,
        "compare",
        "--aggregators",
        "median,trimmed_mean,krum,boundlab.montecarlo:mean",
        "--attacks",
        "large_value,alie",
        "--trials",
        "2",
        *FAST,
        "--plot",
        str(png),
        "--json",
    )
    assert code == 0
    cells = {(c["aggregator"], c["attack"]): c["verdict"] for c in json.loads(out)["cells"]}
    assert cells[("boundlab.montecarlo:mean", "large_value")] == "fail"
    for agg in ("median", "trimmed_mean", "krum"):
        assert cells[(agg, "large_value")] == "pass"
    assert png.stat().st_size > 1000


def test_compare_prints_a_table_with_a_row_per_aggregator(capsys):
    code, out, _ = run(
        capsys, "compare", "--aggregators", "mean,median", "--attacks", "large_value", "--trials", "2", *FAST
    )
    assert code == 0
    assert "mean" in out and "median" in out and "fail" in out and "pass" in out


BAD_CLI = [
    (["compare", "--aggregators", "medain", "--trials", "2"], "aggregator (medain) must be"),
    (["compare", "--aggregators", ",", "--trials", "2"], "aggregators (,) must be a comma-separated list"),
    (["compare", "--aggregators", "mean", "--check", "lem3.3/deterministic"], "check (lem3.3/deterministic) must take"),
    (["verify", "lem3.3", "--aggregator", "mean"], "id (lem3.3) must have a check that runs an aggregator"),
    (["verify", "thm3.1/final-error", "--aggregator", "nope_mod_q:f"], "must name an importable module"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_CLI, ids=[" ".join(a) for a, _ in BAD_CLI])
def test_bad_plugin_input_exits_2_with_one_line(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_verify_a_whole_theorem_with_an_entry_point_aggregator_by_name(plugin_dist, capsys):
    code, out, _ = run(capsys, "verify", "thm3.1", "--aggregator", "midrange", "--trials", "20", "--json")
    doc = json.loads(out)
    names = {row["check"] for row in doc["checks"]}
    assert {"thm3.1/final-error", "thm3.1/rate-n", "thm3.1/rate-alpha"} <= names
    final = next(r for r in doc["checks"] if r["check"] == "thm3.1/final-error")["runs"]
    assert final["midrange"]["verdict"] == "fail" and final["median"]["verdict"] == "pass"
    assert code == 1


USER_PROBLEM = """
from boundlab.montecarlo import ModelR


class QuietR(ModelR):
    def constants(self, skewness="tight"):
        return super().constants(skewness=skewness)


def quiet(d, radius):
    return QuietR(d=d, sigma=0.5, radius=radius)


class NoV(QuietR):
    def constants(self, skewness="tight"):
        c = super().constants(skewness=skewness)
        del c["V"]
        return c


def no_v(d, radius):
    return NoV(d=d, sigma=0.5, radius=radius)
"""


@pytest.fixture()
def user_problem(tmp_path, monkeypatch):
    (tmp_path / "userproblem.py").write_text(USER_PROBLEM)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "userproblem"


def test_a_users_problem_runs_the_gradient_descent_checks_in_place_of_model_r(user_problem, capsys):
    from boundlab.montecarlo import CHECKS

    assert main(["verify", "thm3.1", "--problem", f"{user_problem}:quiet", "--trials", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (res,) = out["checks"]  # only the checks that take a problem run
    assert res["name"] == "thm3.1/final-error" and res["verdict"] == "pass"
    assert f"Problem: {user_problem}:quiet" in res["note"]
    default = CHECKS["thm3.1/final-error"].run(20, 0)
    assert res["estimate"] < default.estimate  # sigma 0.5 instead of 1: the runs end closer to w*
    assert CHECKS["thm3.1/final-error"].run(20, 0, problem="model_r").estimate == default.estimate


def test_a_problem_missing_a_constant_the_bound_needs_is_refused_naming_it(user_problem, capsys):
    assert main(["verify", "thm3.8", "--problem", f"{user_problem}:no_v", "--trials", "5"]) == 2
    assert "must report V in constants(): thm3.8's bound needs them" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "cor3.1", "--problem", "model_r"], "problem (model_r) is taken by no check of cor3.1"),
        (["verify", "thm3.1", "--problem", "model_r", "--aggregator", "mean"], "must be given without --aggregator"),
        (["verify", "thm3.1", "--problem", "no_such_mod:f"], "problem (no_such_mod:f)"),
    ],
)
def test_problem_option_refusals_name_the_problem(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
