"""Worst-case search: the instance, among those a theorem's hypotheses allow, where a check is sharpest.

A check's verdict can only catch a wrong bound if the data come close to the bound. :func:`tighten`
searches the knobs the hypotheses leave free (the check's numeric parameters: the result's own
parameters the simulation realises, and the check's numeric options) for the largest tightness
(empirical / bound). The objective uses common random numbers (one seed for every candidate), so it
is a deterministic function of the knobs and a derivative-free optimiser (scipy's differential
evolution) can climb it; a time budget stops the search. The best instance is then re-run with a
fresh seed at the check's full size, so the reported tightness is not inflated by the selection:
only the confirming run decides the verdict. A confirming run whose interval lies above the bound
is an erratum candidate, printed with the command that reproduces it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from boundlab.bounds import AbstractBound, BadInput, HypothesisViolated, Param, get
from boundlab.montecarlo import Check, MCResult
from boundlab.montecarlo.checks import CHECKS, checks_for

__all__ = ["Knob", "TightenResult", "knobs_of", "tighten", "tighten_all"]


@dataclasses.dataclass(frozen=True)
class Knob:
    """One searched parameter: its name, its search interval and whether it is a count."""

    name: str
    low: float
    high: float
    integer: bool = False
    log: bool = False

    def value(self, u: float) -> float | int:
        """The knob's value at ``u`` in [0, 1] (log-spaced when both ends are positive and far apart)."""
        if self.log:
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return int(round(x)) if self.integer else float(x)


@dataclasses.dataclass(frozen=True)
class TightenResult:
    """The outcome of a search: the default and best instances, each confirmed with a fresh seed."""

    check: str
    knobs: tuple[Knob, ...]
    default: MCResult
    best_params: Mapping[str, Any]
    best_search_tightness: float
    confirmed: MCResult
    evaluations: int
    seconds: float
    confirm_trials: int = 0

    @property
    def erratum_candidate(self) -> bool:
        """The confirming run's interval lies entirely on the wrong side of the bound."""
        return self.confirmed.verdict == "fail"

    def command(self) -> str:
        """The ``boundlab verify`` command that re-runs the confirmed instance."""
        words = ["boundlab", "verify", self.check, *(f"{k}={_fmt(v)}" for k, v in self.best_params.items()),
                 "--trials", str(self.confirm_trials or self.confirmed.trials), "--seed", str(self.confirmed.seed)]
        return " ".join(words)

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "knobs": [dataclasses.asdict(k) for k in self.knobs],
                "default": self.default.to_json(), "best_params": dict(self.best_params),
                "best_search_tightness": self.best_search_tightness, "confirmed": self.confirmed.to_json(),
                "evaluations": self.evaluations, "seconds": self.seconds,
                "erratum_candidate": self.erratum_candidate, "command": self.command()}


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def knobs_of(check: Check) -> tuple[Knob, ...]:
    """The numeric parameters of ``check`` with a finite search interval.

    A result's parameter is searched over its declared typical range intersected with its domain; an
    option over its own typical range. ``bound_scale`` and categorical options are not knobs.

    Examples
    --------
    >>> from boundlab.montecarlo.checks import CHECKS
    >>> all(k.low < k.high for c in CHECKS.values() for k in knobs_of(c))
    True
    """
    out = []
    thm = get(check.theorem_id)
    specs: list[Param] = []
    for name in check.theorem_params:
        if isinstance(thm, AbstractBound) and name in thm.param_names:
            specs.append(thm.param(name))
    specs.extend(o for o in check.options if isinstance(o, Param) and o.name != "bound_scale")
    for p in specs:
        lo, hi = float(p.typical[0]), float(p.typical[1])
        lo = max(lo, p.lower + (1e-9 if p.lower_open else 0.0)) if math.isfinite(p.lower) else lo
        hi = min(hi, p.upper - (1e-9 if p.upper_open else 0.0)) if math.isfinite(p.upper) else hi
        if p.integer:
            lo, hi = math.ceil(lo), math.floor(hi)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            continue
        out.append(Knob(p.name, lo, hi, p.integer, log=lo > 0 and hi / lo >= 20))
    return tuple(out)


def _tightness(res: MCResult) -> float:
    t = res.tightness
    return t if math.isfinite(t) else 0.0


def tighten(name: str, *, budget: float = 60.0, seed: int = 0, trials: int | None = None,
            knobs: Sequence[str] | None = None, confirm_trials: int | None = None,
            progress: Callable[[int, float], None] | None = None) -> TightenResult:
    """Search the instance of check ``name`` with the largest tightness, within ``budget`` seconds.

    Parameters
    ----------
    name : str
        A registered check (``cor3.1/edge``).
    budget : float
        Seconds of search (the default and confirming runs come on top).
    seed : int
        Seed of the common random numbers (the search is reproducible from it) and of the optimiser;
        the confirming run uses ``seed + 1``.
    trials : int, optional
        Trials per candidate (default: the check's quick size).
    knobs : sequence of str, optional
        Restrict the search to these parameters.
    confirm_trials : int, optional
        Trials of the confirming run (default: the check's full size).
    progress : callable, optional
        ``progress(evaluations, best_tightness)`` after each candidate.

    Examples
    --------
    >>> r = tighten("lem3.1/cdf-bracket", budget=1.0, trials=500, confirm_trials=500)
    >>> r.confirmed.verdict in ("pass", "inconclusive", "fail"), r.evaluations >= 1
    (True, True)
    """
    import scipy.optimize

    check = CHECKS.lookup(name)
    if not (isinstance(budget, (int, float)) and budget > 0 and math.isfinite(budget)):
        raise BadInput(f"budget ({budget}) must be a positive number of seconds.", name="budget")
    n = int(trials if trials is not None else check.quick_trials)
    if n < 1:
        raise BadInput(f"trials ({trials}) must be an integer >= 1.", name="trials")
    all_knobs = knobs_of(check)
    if knobs is not None:
        unknown = [k for k in knobs if k not in {kb.name for kb in all_knobs}]
        if unknown:
            raise BadInput(f"knob ({unknown[0]}) must be one of {', '.join(k.name for k in all_knobs) or 'none'} "
                           f"({check.name}).", name="knob")
        all_knobs = tuple(k for k in all_knobs if k.name in knobs)
    t0 = time.perf_counter()
    default = check.run(n, seed)
    best: dict[str, Any] = {"t": _tightness(default), "params": {}}
    count = 0

    def params_at(u: np.ndarray) -> dict[str, Any]:
        return {k.name: k.value(float(x)) for k, x in zip(all_knobs, u)}

    def objective(u: np.ndarray) -> float:
        nonlocal count
        count += 1
        p = params_at(u)
        try:
            t = _tightness(check.run(n, seed, **p))
        except (BadInput, HypothesisViolated):
            t = 0.0  # outside the hypotheses: not an admissible instance
        if t > best["t"]:
            best.update(t=t, params=p)
        if progress is not None:
            progress(count, best["t"])
        return -t

    if all_knobs:
        deadline = t0 + budget

        def stop(*_: Any, **__: Any) -> bool:
            return time.perf_counter() > deadline

        scipy.optimize.differential_evolution(objective, [(0.0, 1.0)] * len(all_knobs), seed=seed, maxiter=10_000,
                                              popsize=max(4, 2 * len(all_knobs)), polish=False, tol=0.0,
                                              callback=stop, init="sobol" if len(all_knobs) > 1 else "latinhypercube")
    seconds = time.perf_counter() - t0
    m = int(confirm_trials if confirm_trials is not None else check.trials)
    confirmed = check.run(m, seed + 1, **best["params"])
    return TightenResult(check.name, all_knobs, default, dict(best["params"]), float(best["t"]), confirmed, count,
                         seconds, m)


def tighten_all(item: str, **kwargs: Any) -> list[TightenResult]:
    """:func:`tighten` every check of a result (or one check)."""
    return [tighten(c.name, **kwargs) for c in checks_for(item)]
