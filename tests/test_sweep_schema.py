"""The sweep file's declarative schema: every key is type-checked, defaulted, and named when wrong."""

from __future__ import annotations

import pytest

from boundlab.bounds import BadInput
from boundlab.parallel import _SWEEP_SCHEMA, parse_sweep

CHECK = "cor3.1/one-sided"
OK_CHECK = {"name": CHECK, "trials": 10}

# (config, the key the error names, a fragment of the message)
BAD = [
    ({"seed": True, "check": [OK_CHECK]}, "seed", r"config\.seed \(True\) must be an integer >= 0"),
    ({"seed": "1", "check": [OK_CHECK]}, "seed", r"config\.seed \(1\) must be an integer >= 0"),
    ({"store": 3, "check": [OK_CHECK]}, "store", r"config\.store \(3\) must be a file path"),
    ({"backend": [1], "check": [OK_CHECK]}, "backend", r"config\.backend \(\[1\]\) must be a table"),
    ({"backend": {"jobs": 2.5}, "check": [OK_CHECK]}, "jobs", r"config\.backend\.jobs \(2\.5\) must be an integer"),
    ({"backend": {"cores": 2}, "check": [OK_CHECK]}, "cores", r"config\.backend has unknown key\(s\) \['cores'\]"),
    ({"backend": {"scheduler": 8786}, "check": [OK_CHECK]}, "scheduler", r"scheduler \(8786\) must be an address"),
    ({"check": {"name": CHECK}}, "check", r"config\.check \(.*\) must be an array of \[\[check\]\] tables"),
    ({"check": ["thm3.1"]}, "check", r"config\.check\[0\] \(thm3\.1\) must be a table"),
    ({"check": [{"trials": 10}]}, "name", r"config\.check\[0\]\.name \(missing\) must be a registered check"),
    ({"check": [{"name": CHECK}]}, "trials", r"config\.check\[0\]\.trials \(missing\) must be an integer >= 1"),
    ({"check": [{"name": CHECK, "trials": True}]}, "trials", r"trials \(True\) must be an integer >= 1"),
    ({"check": [{**OK_CHECK, "chunks": 0}]}, "chunks", r"config\.check\[0\]\.chunks \(0\) must be an integer >= 1"),
    ({"check": [{**OK_CHECK, "grid": [1, 2]}]}, "grid", r"grid \(\[1, 2\]\) must be a table of parameter values"),
    ({"check": [{**OK_CHECK, "options": 1}]}, "options", r"options \(1\) must be a table of check options"),
    ({"check": [{**OK_CHECK, "combine": "zip!"}]}, "combine", r"combine \(zip!\) must be 'product' or 'zip'"),
    ({"check": [{**OK_CHECK, "speed": 3}]}, "speed", r"config\.check\[0\] has unknown key\(s\) \['speed'\]"),
    ({"check": [{"name": "nope", "trials": 10}]}, "name", r"config\.check\[0\]\.name \(nope\) must be a registered"),
    ({"experiment": [{"name": 7}]}, "name", r"config\.experiment\[0\]\.name \(7\) must be a registered experiment"),
    ({"experiment": [{"name": "x", "quick": 1}]}, "quick", r"quick \(1\) must be true or false"),
    ({"experiment": [{"name": "x", "seeds": [1, -1]}]}, "seeds", r"seeds \(\[1, -1\]\) must be a list of integers"),
    ({"colour": "red"}, "colour", r"config has unknown key\(s\) \['colour'\]"),
]


@pytest.mark.parametrize("config,key,message", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_an_invalid_sweep_key_is_refused_with_a_message_naming_it(config, key, message):
    with pytest.raises(BadInput, match=message) as info:
        parse_sweep(config)
    assert info.value.name == key


def test_every_key_of_the_schema_has_a_case_that_refuses_it():
    named = {b[1] for b in BAD}
    for kind, keys in _SWEEP_SCHEMA.items():
        assert set(keys) - {"check", "experiment"} <= named, kind


def test_omitted_keys_take_the_schema_defaults():
    plan = parse_sweep({"check": [OK_CHECK]})
    assert (plan.seed, plan.store, plan.jobs, plan.scheduler) == (0, None, None, None)
    assert plan.checks == ((CHECK, (), 10, 1),)


def test_given_keys_reach_the_plan():
    plan = parse_sweep(
        {
            "seed": 3,
            "store": "r.sqlite",
            "backend": {"jobs": 2},
            "check": [{**OK_CHECK, "chunks": 2, "options": {"t": 2.0}}],
        }
    )
    assert (plan.seed, plan.store, plan.jobs) == (3, "r.sqlite", 2)
    assert plan.checks == ((CHECK, (("t", 2.0),), 10, 2),)
