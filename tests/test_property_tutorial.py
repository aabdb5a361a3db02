"""docs/property-tests.md runs: its lemma test passes, its false variant is found and shrunk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "property-tests.md"


@pytest.fixture(scope="module")
def tutorial():
    namespace: dict = {"__name__": "tutorial"}
    for i, code in enumerate(re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)):
        exec(compile(code, f"docs/property-tests.md:block{i}", "exec"), namespace)
    return namespace


def test_the_tutorial_runs_end_to_end(tutorial):
    assert tutorial["result"].verdict == "pass"


def test_the_planted_false_lemma_is_found_and_shrunk_to_three_machines(tutorial):
    ce = tutorial["counterexample"]
    assert not tutorial["variant_holds"](ce)
    assert ce["m"] == 3 and ce["beta"] == pytest.approx(1 / 3)


def test_the_false_lemma_fails_as_a_given_test_with_a_falsifying_example(tutorial):
    from hypothesis import given, settings

    @settings(max_examples=500, deadline=None, database=None)
    @given(tutorial["instances"]())
    def test_variant(inst):
        assert tutorial["variant_holds"](inst)

    with pytest.raises(AssertionError):
        test_variant()
