"""The errata registry: every entry evaluable or textual, every piece of evidence reproducible and falsifiable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boundlab.bounds import ERRATA, REGISTRY, BadInput
from boundlab.bounds import _chapter3 as ch3

IDS = sorted(ERRATA)


@pytest.mark.parametrize("eid", IDS)
def test_each_erratum_names_a_registered_item_and_a_kind(eid):
    e = ERRATA[eid]
    assert e.item in REGISTRY
    assert e.kind in {"mismatch", "false", "loose", "typo"}
    assert e.printed and e.corrected and e.evidence and e.source


@pytest.mark.parametrize("eid", [i for i in IDS if ERRATA[i].evaluable])
def test_both_variants_of_an_evaluable_erratum_evaluate_to_finite_numbers(eid):
    vals = ERRATA[eid].evaluate()
    assert set(vals) == {"printed", "corrected"}
    assert all(math.isfinite(v) for v in vals.values())


@pytest.mark.parametrize("eid", IDS)
def test_every_erratum_reproduces_its_evidence(eid):
    ok, message = ERRATA[eid].verify()
    assert ok, message


def test_textual_errata_refuse_to_evaluate():
    textual = next(e for e in ERRATA.values() if not e.evaluable)
    with pytest.raises(BadInput, match="is textual"):
        textual.evaluate()


def test_the_printed_stronger_check_fails_when_the_printed_bound_is_the_larger_one():
    ok, _ = ch3._check_printed_stronger("thm3.2", {**ch3.MODEL_R, "L_F": 1.0, "r0": 0.5})
    assert not ok


def test_the_skewness_chain_check_fails_for_a_limit_below_sqrt_480():
    ok, _ = ch3._check_skewness_chain(limit=float(np.sqrt(400)))
    assert not ok


def test_the_printed_theorem_3_2_is_below_the_proof_bound_exactly_when_16_r0_is_below_one():
    e = ERRATA["err3.1"]
    for r0, smaller in ((0.01, True), (0.06, True), (0.07, False), (1.0, False)):
        params = {**ch3.MODEL_R, "L_F": 1.0, "r0": r0, "D": max(2.0, 4 * r0)}
        vals = e.evaluate(**params)
        assert (vals["printed"] < vals["corrected"]) is smaller
