"""Monte Carlo checks: frozen results with an interval, a verdict and a tightness.

A check confronts one registered result with simulation. Each declares the overrides that make
its bound deliberately wrong (a constant halved, an exponent changed); the test suite runs every
check both ways, so no check can pass vacuously.

Seeding: trials are split into chunks of ``CHUNK`` trials; chunk ``c`` draws from
``np.random.default_rng(np.random.SeedSequence(seed).spawn(n_chunks)[c])``, so a check's numbers
depend only on (seed, trials), never on how the chunks are scheduled.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

from boundlab.bounds import BadInput

__all__ = ["MCResult", "Check", "CHECKS", "register_check", "verify", "chunk_rngs", "CHUNK"]

Rule = Literal["upper", "probability", "failure", "slope", "exact"]
Verdict = Literal["pass", "fail", "inconclusive"]
CHUNK = 2000


@dataclasses.dataclass(frozen=True)
class MCResult:
    """The outcome of one check.

    ``rule`` says how the verdict reads the interval:

    * ``upper``: the estimate must be <= bound; pass if ci_high <= bound, fail if ci_low > bound.
    * ``probability``: a success frequency claimed >= bound; pass if ci_low >= bound, fail if
      ci_high < bound.
    * ``failure``: a failure frequency claimed <= bound; pass if ci_high <= bound, fail if
      ci_low > bound.
    * ``slope``: a fitted exponent with target ``bound`` +- ``tolerance``; pass if the interval lies
      inside, fail if it is disjoint.
    * ``exact``: a deterministic inequality, estimate = the worst ratio lhs / rhs over all cases;
      pass if <= 1 (up to 1e-9), else fail.
    """

    check: str
    theorem_id: str
    quantity: str
    estimate: float
    ci_low: float
    ci_high: float
    bound: float
    rule: Rule
    trials: int
    seed: int
    seconds: float
    tolerance: float = 0.0
    note: str = ""

    @property
    def verdict(self) -> Verdict:
        lo, hi, b = self.ci_low, self.ci_high, self.bound
        if self.rule == "exact":
            return "pass" if self.estimate <= 1 + 1e-9 else "fail"
        if math.isnan(lo) or math.isnan(hi):
            return "inconclusive"
        if self.rule in ("upper", "failure"):
            return "pass" if hi <= b else ("fail" if lo > b else "inconclusive")
        if self.rule == "probability":
            return "pass" if lo >= b else ("fail" if hi < b else "inconclusive")
        if self.rule == "slope":
            t = self.tolerance
            if b - t <= lo and hi <= b + t:
                return "pass"
            return "fail" if (hi < b - t or lo > b + t) else "inconclusive"
        raise AssertionError(self.rule)  # pragma: no cover

    @property
    def tightness(self) -> float:
        """How much of the bound the data use: estimate / bound (failure rules: observed / claimed failure)."""
        if self.rule == "probability":
            claimed = 1 - self.bound
            return (1 - self.estimate) / claimed if claimed > 0 else math.nan
        if self.rule == "slope":
            return self.estimate / self.bound if self.bound else math.nan
        return self.estimate / self.bound if self.bound else math.nan

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["name"] = d.pop("check")
        d["verdict"] = self.verdict
        d["tightness"] = self.tightness
        return {k: (v if not isinstance(v, float) or math.isfinite(v) else str(v)) for k, v in d.items()}


@dataclasses.dataclass(frozen=True)
class Check:
    """A registered check: ``run(trials, seed, **overrides) -> MCResult``.

    ``wrong`` holds the overrides that make the bound deliberately wrong; ``quick_trials`` is
    the size the test suite and ``boundlab report --quick`` use; ``slow`` marks checks whose
    quick size still takes more than a few seconds.
    """

    name: str
    theorem_id: str
    description: str
    run: Callable[..., MCResult]
    trials: int
    quick_trials: int
    wrong: Mapping[str, Any]
    slow: bool = False


CHECKS: dict[str, Check] = {}


def register_check(check: Check) -> Check:
    """Add a check (duplicate names raise)."""
    if check.name in CHECKS:
        raise ValueError(f"check ({check.name}) is registered twice.")
    CHECKS[check.name] = check
    return check


def chunk_rngs(seed: int, trials: int, chunk: int = CHUNK) -> list[tuple[int, np.random.Generator]]:
    """(chunk size, generator) pairs covering ``trials``, one independent stream per chunk index.

    Examples
    --------
    >>> [size for size, _ in chunk_rngs(0, 4500)]
    [2000, 2000, 500]
    """
    if int(trials) != trials or trials < 1:
        raise BadInput(f"trials ({trials}) must be an integer >= 1.", name="trials")
    if int(seed) != seed or seed < 0:
        raise BadInput(f"seed ({seed}) must be an integer >= 0.", name="seed")
    n_chunks = math.ceil(trials / chunk)
    seqs = np.random.SeedSequence(int(seed)).spawn(n_chunks)
    sizes = [chunk] * (n_chunks - 1) + [int(trials) - chunk * (n_chunks - 1)]
    return [(s, np.random.default_rng(q)) for s, q in zip(sizes, seqs)]


def timed(fn: Callable[[], MCResult]) -> MCResult:
    t0 = time.perf_counter()
    res = fn()
    return dataclasses.replace(res, seconds=time.perf_counter() - t0)


def checks_for(item: str) -> list[Check]:
    """The checks of one registry id (``cor3.1``) or one check name (``cor3.1/one-sided``)."""
    if item in CHECKS:
        return [CHECKS[item]]
    found = [c for c in CHECKS.values() if c.theorem_id == item]
    if not found:
        known = sorted({c.theorem_id for c in CHECKS.values()})
        raise BadInput(f"id ({item}) must be a result with Monte Carlo checks: {', '.join(known)}.", name="id")
    return found


def verify(item: str, *, trials: int | None = None, seed: int = 0, quick: bool = False,
           **overrides: Any) -> list[MCResult]:
    """Run every check of a result (or one named check).

    Examples
    --------
    >>> [r.verdict for r in verify("lem3.3", quick=True)][:1]
    ['pass']
    """
    out = []
    for c in checks_for(item):
        n = trials if trials is not None else (c.quick_trials if quick else c.trials)
        if int(n) != n or n < 1:
            raise BadInput(f"trials ({n}) must be an integer >= 1.", name="trials")
        out.append(timed(lambda c=c, n=n: c.run(int(n), int(seed), **overrides)))
    return out
