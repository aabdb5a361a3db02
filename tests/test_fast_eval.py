"""`boundlab eval` without sympy: the generated fast path gives what the sympy path gives, or defers to it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import boundlab.bounds as bounds
from boundlab.bounds import BadInput, _fast
from boundlab.bounds._fast_data import DATA, SKIPPED
from boundlab.cli import main

FAST_IDS = sorted(DATA)
RTOL = 1e-12


def test_generated_fast_code_is_what_the_registry_generates():
    assert Path(_fast.__file__).with_name("_fast_data.py").read_text() == _fast.render(_fast.build()), (
        "the registry changed: regenerate with python -c 'import boundlab.bounds._fast as f; f.write()'"
    )


def test_every_result_with_a_value_is_generated_or_says_why_not():
    bounds._load()
    with_value = {k for k, it in bounds.REGISTRY.items() if isinstance(it, bounds.AbstractBound)}
    assert set(DATA) | set(SKIPPED) == with_value
    assert not set(DATA) & set(SKIPPED)
    assert all(SKIPPED.values())


def same_numbers(a: Any, b: Any) -> bool:
    """Equal shapes, NaN where the other is NaN, equal infinities, else within RTOL relative."""
    if a is None or b is None or isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        return False
    both_nan = np.isnan(x) & np.isnan(y)
    with np.errstate(invalid="ignore"):
        close = (x == y) | (np.abs(x - y) <= RTOL * np.maximum(np.abs(x), np.abs(y)))
    return bool(np.all(both_nan | close))


def outcome(thm: Any, variant: str | None, params: dict[str, Any]) -> tuple[str, Any]:
    """("ok", Evaluation), ("error", (type, message)) or ("fallback", reason)."""
    try:
        return "ok", thm.assess(variant=variant, **params)
    except _fast.NeedSympy as exc:
        return "fallback", str(exc)
    except BadInput as exc:
        return "error", (type(exc).__name__, str(exc))


def assert_same(fast: tuple[str, Any], slow: tuple[str, Any], where: str) -> None:
    if fast[0] == "fallback":  # the command line then evaluates the sympy-built result: nothing to compare
        return
    assert fast[0] == slow[0], (where, fast, slow)
    if fast[0] == "error":
        assert fast[1] == slow[1], where
        return
    f, s = fast[1], slow[1]
    assert same_numbers(f.value, s.value), (where, f.value, s.value)
    assert list(f.quantities) == list(s.quantities), where
    for k in s.quantities:
        assert same_numbers(f.quantities[k], s.quantities[k]), (where, k, f.quantities[k], s.quantities[k])
    assert f.params.keys() == s.params.keys(), where
    for k in s.params:
        assert same_numbers(f.params[k], s.params[k]), (where, k)
    assert (f.notes, f.exact, f.id) == (s.notes, s.exact, s.id), where
    assert same_numbers(f.nonvacuous, s.nonvacuous), (where, f.nonvacuous, s.nonvacuous)
    assert len(f.conditions) == len(s.conditions), where
    for cf, cs in zip(f.conditions, s.conditions):
        assert cf.keys() == cs.keys(), where
        for key in cs:
            if key in ("lhs", "rhs"):
                assert same_numbers(cf[key], cs[key]), (where, cs["text"], key, cf[key], cs[key])
            else:
                assert same_numbers(cf[key], cs[key]) if key == "holds" else cf[key] == cs[key], (where, key)


def perturbations(thm: Any, seed: int) -> list[dict[str, Any]]:
    """The example, seeded log-normal perturbations of it, a small grid, and bad input of each kind."""
    rng = np.random.default_rng(seed)
    base = dict(thm.example)
    points = [base]
    for _ in range(4):
        point = {}
        for k, v in base.items():
            x = float(v) * math.exp(rng.normal(0.0, 0.6)) if v else float(rng.uniform(0, 0.1))
            point[k] = float(round(x)) if thm.param(k).integer else x
        points.append(point)
    if base:
        k = next(iter(base))
        lo = float(base[k])
        points.append({**base, k: np.array([lo, 2 * lo + 1, 10 * lo + 3]).reshape(3, 1)})
        points.append({kk: vv for kk, vv in base.items() if kk != k})  # a missing (or defaulted) parameter
        points.append({**base, k: -1e3})  # out of range for most parameters
        points.append({**base, k: math.nan})
    points.append({**base, "no_such_parameter": 1.0})
    return points


@pytest.mark.parametrize("item_id", FAST_IDS)
def test_fast_path_evaluates_as_the_sympy_path_at_the_example_and_around_it(item_id):
    fast, slow = bounds.fast_bound(item_id), bounds.get_bound(item_id)
    assert fast is not None
    seed = sum(map(ord, item_id))
    for i, params in enumerate(perturbations(slow, seed)):
        for variant in (None, *slow.variants):
            f, s = outcome(fast, variant, params), outcome(slow, variant, params)
            assert_same(f, s, f"{item_id} point {i} variant {variant}: {params}")
            if i == 0:
                assert f[0] != "fallback", (item_id, f)


@pytest.mark.parametrize("item_id", FAST_IDS)
def test_fast_path_refuses_an_unknown_variant_as_the_sympy_path(item_id):
    fast, slow = bounds.fast_bound(item_id), bounds.get_bound(item_id)
    f, s = outcome(fast, "no-such-variant", dict(slow.example)), outcome(slow, "no-such-variant", dict(slow.example))
    assert f == s


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def eval_argv(item_id: str, params: dict[str, Any], *extra: str) -> list[str]:
    return ["eval", item_id, *(f"{k}={float(v)!r}" for k, v in params.items()), *extra]


@pytest.mark.parametrize("item_id", FAST_IDS)
def test_eval_prints_the_same_text_json_and_exit_code_through_either_path(item_id, capsys, monkeypatch):
    slow = bounds.get_bound(item_id)
    base = dict(slow.example)
    cases = [eval_argv(item_id, base), eval_argv(item_id, base, "--json")]
    if base:
        k = next(iter(base))
        cases.append(eval_argv(item_id, {**base, k: -7.5}))  # bad input (or a violated hypothesis)
        cases.append([*eval_argv(item_id, {kk: v for kk, v in base.items() if kk != k}), f"{k}=1,2,3"])
    for variant in slow.variants:
        cases.append(eval_argv(item_id, base, "--variant", variant, "--json"))
    fast_runs = [run(argv, capsys) for argv in cases]
    monkeypatch.setattr(bounds, "fast_bound", lambda _id: None)
    slow_runs = [run(argv, capsys) for argv in cases]
    for argv, f, s in zip(cases, fast_runs, slow_runs):
        assert f[0] == s[0], argv
        assert f[2] == s[2], argv
        if "--json" in argv and f[0] in (0, 3):
            jf, js = json.loads(f[1]), json.loads(s[1])
            assert jf.keys() == js.keys(), argv
            assert json.dumps(jf, sort_keys=True) == json.dumps(js, sort_keys=True) or all(
                same_json(jf[k], js[k]) for k in js
            ), argv
        else:
            assert f[1] == s[1], argv


def same_json(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return same_numbers(a, b)
    return a == b


def test_an_overflow_defers_to_the_sympy_path_which_redoes_it_in_mpmath(capsys, monkeypatch):
    fast = bounds.fast_bound("thm3.1")
    params = {**fast.example, "n": 1e300, "m": 1e300}
    with pytest.raises(_fast.NeedSympy):
        fast.assess(**params)
    argv = eval_argv("thm3.1", params, "--json")
    via_cli = run(argv, capsys)
    assert via_cli[0] in (0, 2, 3), via_cli
    monkeypatch.setattr(bounds, "fast_bound", lambda _id: None)
    assert run(argv, capsys) == via_cli


def test_a_user_registered_result_is_evaluated_through_sympy(capsys):
    import sympy as sp

    from boundlab.bounds import AbstractBound, Param, register, sym

    class UserBound(AbstractBound):
        id = "thm9.1"
        title = "a user's result"
        kind = "exact"
        source = "user"
        params = (Param("x", "a positive number", lower=0, lower_open=True),)
        quantities = {"value": sp.sqrt(sym("x")) + 1}

    register(UserBound)
    try:
        assert bounds.fast_bound("thm9.1") is None
        code, out, _ = run(["eval", "thm9.1", "x=4", "--json"], capsys)
        assert (code, json.loads(out)["value"]) == (0, 3.0)
        code, _, err = run(["eval", "thm9.1", "x=-1"], capsys)
        assert code == 2 and "x (-1) must be in (0, inf)" in err
    finally:
        bounds.REGISTRY.remove("thm9.1")


def test_the_fast_normal_quantile_matches_scipy_in_both_tails_and_at_the_ends():
    from scipy.special import ndtri

    p = np.concatenate([np.geomspace(1e-300, 0.5, 200), 1 - np.geomspace(1e-16, 0.5, 200), [0.0, 1.0, -0.1, 1.1]])
    ours, theirs = _fast.normal_quantile(p), ndtri(p)
    assert same_numbers(ours[:-4], theirs[:-4])
    assert np.array_equal(ours[-4:], theirs[-4:], equal_nan=True)
