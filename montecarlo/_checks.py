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

__all__ = ["MCResult", "Check", "CHECKS", "register_check", "verify", "chunk_rngs", "chunk_seed", "combine", "CHUNK"]

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
    confidence: float = 0.999
    series: Mapping[str, Any] | None = dataclasses.field(default=None, compare=False, repr=False)

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
        if d["series"] is not None:
            d["series"] = _jsonable(d["series"])
        return {k: (v if not isinstance(v, float) or math.isfinite(v) else str(v)) for k, v in d.items()}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> MCResult:
        """Inverse of :meth:`to_json` (derived fields are dropped)."""
        fields = {f.name for f in dataclasses.fields(MCResult)}
        kw = {("check" if k == "name" else k): v for k, v in d.items() if ("check" if k == "name" else k) in fields}
        for k in ("estimate", "ci_low", "ci_high", "bound", "seconds", "tolerance", "confidence"):
            if k in kw:
                kw[k] = float(kw[k])
        return MCResult(**kw)


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    return x


def combine(parts: list[MCResult]) -> MCResult:
    """Pool the results of independent chunks of one check (same check, options and bound).

    Probability and failure rules add the counts and recompute the exact interval; max-type
    statistics (upper and exact rules with a degenerate interval) take the maximum; slopes average
    the chunk estimates with a t interval across chunks (batch means). Chunks are combined in the
    order given, so the result does not depend on where or when each chunk ran.

    Examples
    --------
    >>> a = MCResult("c", "thm3.1", "q", 1.0, 0.9, 1.0, 0.9, "probability", 100, 1, 0.1)
    >>> b = MCResult("c", "thm3.1", "q", 0.98, 0.9, 1.0, 0.9, "probability", 100, 2, 0.1)
    >>> r = combine([a, b])
    >>> r.estimate, r.trials
    (0.99, 200)
    """
    from ._stats import clopper_pearson, t_interval

    if not parts:
        raise BadInput("parts (empty) must hold at least one chunk result.", name="parts")
    first = parts[0]
    if len(parts) == 1:
        return first
    trials = sum(p.trials for p in parts)
    seconds = sum(p.seconds for p in parts)
    base = dataclasses.replace(first, trials=trials, seconds=seconds)
    if first.rule in ("probability", "failure"):
        k = sum(int(round(p.estimate * p.trials)) for p in parts)
        lo, hi = clopper_pearson(k, trials, first.confidence)
        return dataclasses.replace(base, estimate=k / trials, ci_low=lo, ci_high=hi)
    if first.rule in ("upper", "exact") and all(p.ci_low == p.ci_high == p.estimate for p in parts):
        worst = max(p.estimate for p in parts)
        return dataclasses.replace(base, estimate=worst, ci_low=worst, ci_high=worst)
    if first.rule == "slope":
        est = np.array([p.estimate for p in parts])
        mean, lo, hi = t_interval(est, 0.95)
        series = None
        if all(p.series is not None for p in parts):
            series = dict(first.series or {})
            series["y"] = np.mean([p.series["y"] for p in parts], axis=0).tolist()  # type: ignore[index]
            ys = np.array([p.series["y"] for p in parts])  # type: ignore[index]
            series["y_lo"] = (ys.mean(axis=0) - 2 * ys.std(axis=0, ddof=1) / math.sqrt(len(parts))).tolist()
            series["y_hi"] = (ys.mean(axis=0) + 2 * ys.std(axis=0, ddof=1) / math.sqrt(len(parts))).tolist()
        return dataclasses.replace(base, estimate=mean, ci_low=lo, ci_high=hi, series=series,
                                   note=first.note + f" Pooled over {len(parts)} chunks (t interval of chunk slopes).")
    raise BadInput(f"rule ({first.rule}) of check {first.check} cannot be pooled across chunks.", name="rule")


def chunk_seed(root: int, index: int, n_chunks: int) -> int:
    """The integer seed of chunk ``index`` of ``n_chunks``: SeedSequence(root).spawn(n_chunks)[index].

    A run in one chunk uses the root seed itself, so ``verify(..., seed=s)`` and a one-chunk sweep agree.

    Examples
    --------
    >>> chunk_seed(0, 3, 8) == chunk_seed(0, 3, 8), chunk_seed(5, 0, 1)
    (True, 5)
    """
    if int(n_chunks) == 1:
        return int(root)
    return int(np.random.SeedSequence(int(root)).spawn(int(n_chunks))[int(index)].generate_state(1)[0])


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
