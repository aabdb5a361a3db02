"""Worst-case search: the instance, among those a theorem's hypotheses allow, where a check is sharpest.

A check's verdict can only catch a wrong bound if the data come close to the bound. :func:`tighten`
searches the knobs the hypotheses leave free (the check's numeric parameters: the result's own
parameters the simulation realises, and the check's numeric options except those that change the
claim, :class:`~boundlab.montecarlo.ClaimParam`, held at their defaults) for the largest tightness
(empirical / bound; precisely 1 / resolving power, the tightness at the interval's far end, which for a
coverage check is 1 / the smallest radius scale that still passes). The objective uses common random numbers (one seed for every candidate), so it
is a deterministic function of the knobs and a derivative-free optimiser (scipy's differential
evolution, or hypothesis's targeted search with ``method="hypothesis"``) can climb it; a time budget
stops the search. The best instance is then re-run with a
fresh seed at the check's full size, so the reported tightness is not inflated by the selection:
only the confirming run decides the verdict. A confirming run whose interval lies above the bound
is an erratum candidate, printed with the command that reproduces it.

:func:`write_instance` records a confirmed instance in the checks' data file
(``boundlab/montecarlo/checks/instances.json``), with its tightness and the command that found it;
importing :mod:`boundlab.montecarlo.checks` makes it the check's default, so ``verify`` and
``report --quick`` run the check at its sharpest known instance.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import AbstractBound, BadInput, HypothesisViolated, Param, get
from boundlab.montecarlo import Check, ClaimParam, MCResult
from boundlab.montecarlo.checks import CHECKS, checks_for

__all__ = ["METHODS", "Knob", "TightenResult", "knobs_of", "tighten", "tighten_all", "write_instance"]

METHODS = ("de", "hypothesis")


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
        return round(x) if self.integer else float(x)


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
    method: str = "de"
    budget: float = 0.0
    search_seed: int = 0
    max_evaluations: int | None = None

    @property
    def erratum_candidate(self) -> bool:
        """The confirming run's interval lies entirely on the wrong side of the bound."""
        return self.confirmed.verdict == "fail"

    def command(self) -> str:
        """The ``boundlab verify`` command that re-runs the confirmed instance."""
        words = [
            "boundlab",
            "verify",
            self.check,
            *(f"{k}={_fmt(v)}" for k, v in self.best_params.items()),
            "--trials",
            str(self.confirm_trials or self.confirmed.trials),
            "--seed",
            str(self.confirmed.seed),
        ]
        return " ".join(words)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "knobs": [dataclasses.asdict(k) for k in self.knobs],
            "default": self.default.to_json(),
            "best_params": dict(self.best_params),
            "best_search_tightness": self.best_search_tightness,
            "confirmed": self.confirmed.to_json(),
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "method": self.method,
            "erratum_candidate": self.erratum_candidate,
            "command": self.command(),
            "search_command": self.search_command(),
        }

    def search_command(self) -> str:
        """The ``boundlab tighten`` command that repeats this search."""
        knobs = ",".join(k.name for k in self.knobs)
        return (
            f"boundlab tighten {self.check} --budget {self.budget:g} --seed {self.search_seed} "
            f"--method {self.method}"
            + (f" --knobs {knobs}" if knobs else "")
            + (f" --max-evaluations {self.max_evaluations}" if self.max_evaluations is not None else "")
        )


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def knobs_of(check: Check) -> tuple[Knob, ...]:
    """The numeric parameters of ``check`` with a finite search interval.

    A result's parameter is searched over its declared typical range intersected with its domain; an
    option over its own typical range. Options that change the claim rather than the instance
    (:class:`~boundlab.montecarlo.ClaimParam`: ``bound_scale``, an exponent shift, a tolerance, a factor on
    the algorithm's constants), the parameters the check's wrong variant sets (``c`` of Lemma 4.5's O(.),
    ``p`` of a check about p = 1) and categorical options are not knobs: a search free to move them would
    find the check's own wrong variant and call it an erratum.

    Examples
    --------
    >>> from boundlab.montecarlo.checks import CHECKS
    >>> all(k.low < k.high for c in CHECKS.values() for k in knobs_of(c))
    True
    >>> [k.name for k in knobs_of(CHECKS["thm3.1/recursion-3.31"])]  # not kappa_scale: it changes the claimed rate
    ['d', 'T']
    """
    out = []
    thm = get(check.theorem_id)
    specs: list[Param] = []
    for name in check.theorem_params:
        if name in check.wrong:
            continue  # the wrong variant moves it: it is part of the claim
        if isinstance(thm, AbstractBound) and name in thm.param_names:
            specs.append(thm.param(name))
    specs.extend(
        o for o in check.options if isinstance(o, Param) and not isinstance(o, ClaimParam) and o.name not in check.wrong
    )
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
    """What the search maximises: 1 / resolving power where the check reports one (the tightness at the far
    end of the interval; for a coverage check, 1 / the smallest radius scale that still passes), else the
    tightness.

    A failure or coverage bound with no failure observed scores its point tightness, 0: the far end of its
    interval is then the check's resolution (about 7 / trials), not the instance's, and a claimed probability
    of 1e-236 would score 1e232 without a single failure.
    """
    no_failure = (res.rule == "failure" and res.estimate == 0) or (res.rule == "probability" and res.estimate == 1)
    if no_failure and res.power is None:
        return 0.0
    p = res.resolving_power
    if math.isfinite(p) and p > 0:
        return 1.0 / p
    t = res.tightness
    return t if math.isfinite(t) else 0.0


def tighten(
    name: str,
    *,
    budget: float = 60.0,
    seed: int = 0,
    trials: int | None = None,
    knobs: Sequence[str] | None = None,
    confirm_trials: int | None = None,
    progress: Callable[[int, float], None] | None = None,
    method: str = "de",
    max_evaluations: int | None = None,
) -> TightenResult:
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
    method : {"de", "hypothesis"}
        ``"de"``: scipy's differential evolution over the knobs mapped to [0, 1]. ``"hypothesis"``:
        hypothesis's targeted search (``hypothesis.target`` on the tightness, generate and target
        phases, no shrinking, no example database), seeded with ``seed``.
    max_evaluations : int, optional
        Stop after this many candidates as well (a search limited by count rather than by time is
        reproducible from its seed on any machine).

    Examples
    --------
    >>> r = tighten("lem3.1/cdf-bracket", budget=1.0, trials=500, confirm_trials=500)
    >>> r.confirmed.verdict in ("pass", "inconclusive", "fail"), r.evaluations >= 1
    (True, True)
    """
    check = CHECKS.lookup(name)
    if method not in METHODS:
        raise BadInput(f"method ({method}) must be one of {', '.join(METHODS)}.", name="method")
    if not (isinstance(budget, (int, float)) and budget > 0 and math.isfinite(budget)):
        raise BadInput(f"budget ({budget}) must be a positive number of seconds.", name="budget")
    n = int(trials if trials is not None else check.quick_trials)
    if n < 1:
        raise BadInput(f"trials ({trials}) must be an integer >= 1.", name="trials")
    if max_evaluations is not None and not (isinstance(max_evaluations, int) and max_evaluations >= 1):
        raise BadInput(f"max_evaluations ({max_evaluations}) must be an integer >= 1.", name="max_evaluations")
    all_knobs = knobs_of(check)
    if knobs is not None:
        unknown = [k for k in knobs if k not in {kb.name for kb in all_knobs}]
        if unknown:
            raise BadInput(
                f"knob ({unknown[0]}) must be one of {', '.join(k.name for k in all_knobs) or 'none'} ({check.name}).",
                name="knob",
            )
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
            # a candidate at a degenerate corner gives NaN (counted as 0 below); its floating-point
            # warnings are not the user's, the default and confirming runs keep theirs
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                t = _tightness(check.run(n, seed, **p))
        except (BadInput, HypothesisViolated):
            t = 0.0  # outside the hypotheses: not an admissible instance
        except MemoryError:
            t = 0.0  # larger than this machine: not an instance it can check
        if t > best["t"]:
            best.update(t=t, params=p)
        if progress is not None:
            progress(count, best["t"])
        return -t

    if all_knobs:
        deadline = t0 + budget
        limit = int(max_evaluations) if max_evaluations is not None else None

        def spent() -> bool:
            return time.perf_counter() > deadline or (limit is not None and count >= limit)

        if method == "de":
            _search_de(objective, len(all_knobs), seed, spent)
        else:
            _search_hypothesis(objective, len(all_knobs), seed, spent)
    seconds = time.perf_counter() - t0
    m = int(confirm_trials if confirm_trials is not None else check.trials)
    confirmed = check.run(m, seed + 1, **best["params"])
    return TightenResult(
        check.name,
        all_knobs,
        default,
        dict(best["params"]),
        float(best["t"]),
        confirmed,
        count,
        seconds,
        m,
        method,
        float(budget),
        int(seed),
        max_evaluations,
    )


def _search_de(objective: Callable[[np.ndarray], float], dim: int, seed: int, spent: Callable[[], bool]) -> None:
    import scipy.optimize

    def stop(*_: Any, **__: Any) -> bool:
        return spent()

    def bounded(u: np.ndarray) -> float:
        # scipy consults the callback only between generations (a Sobol initial population alone is
        # 2^k >= 4 dim candidates); checking before every candidate keeps the budget and the count exact.
        if spent():
            raise _BudgetSpent
        return objective(u)

    try:
        scipy.optimize.differential_evolution(
            bounded,
            [(0.0, 1.0)] * dim,
            seed=seed,
            maxiter=10_000,
            popsize=max(4, 2 * dim),
            polish=False,
            tol=0.0,
            callback=stop,
            init="sobol" if dim > 1 else "latinhypercube",
        )
    except _BudgetSpent:
        pass


class _BudgetSpent(Exception):
    """Raised inside the hypothesis search when the time budget is spent."""


def _search_hypothesis(
    objective: Callable[[np.ndarray], float], dim: int, seed: int, spent: Callable[[], bool]
) -> None:
    """hypothesis's targeted property-based search: ``target(tightness)`` steers generation to large values."""
    from hypothesis import HealthCheck, Phase, given, settings, target
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    unit = st.floats(0.0, 1.0, allow_nan=False)

    @hseed(seed)
    @settings(
        max_examples=100_000,
        phases=[Phase.generate, Phase.target],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(st.tuples(*[unit] * dim))
    def search(u: tuple[float, ...]) -> None:
        if spent():
            raise _BudgetSpent
        target(-objective(np.asarray(u, dtype=float)), label="tightness")

    try:
        search()
    except _BudgetSpent:
        pass


def _instances_path() -> Path:
    from boundlab.montecarlo import checks

    return Path(checks.__file__).with_name("instances.json")


def write_instance(result: TightenResult, path: str | Path | None = None) -> Path:
    """Record ``result``'s confirmed instance as the check's default in the checks' data file.

    The entry holds the parameters, the tightness of the default and of the confirming run, the
    confirming run's seed and size, the command that repeats the search and the date. Importing
    :mod:`boundlab.montecarlo.checks` applies the file (the module's own defaults stay in the code;
    the data file overrides them, and ``boundlab verify --list`` shows where each default comes from).

    Raises
    ------
    BadInput
        The confirmed run is an erratum candidate or did not pass (a default must pass), the instance is
        no sharper than the default, or the file cannot be written.
    """
    target = Path(path) if path is not None else _instances_path()
    conf, default = result.confirmed, result.default
    if conf.verdict != "pass":
        raise BadInput(
            f"the confirmed instance of {result.check} ({conf.verdict}) must pass to become its default; "
            f"re-run: {result.command()}",
            name="write",
        )
    if not result.best_params or _tightness(conf) <= _tightness(default):
        raise BadInput(
            f"the confirmed resolving power of {result.check} ({conf.resolving_power:.4g}) must be "
            f"below the default's ({default.resolving_power:.4g}) to replace it.",
            name="write",
        )
    try:
        data = json.loads(target.read_text()) if target.exists() else {}
    except (OSError, ValueError) as exc:
        raise BadInput(f"instances file ({target}) must be readable JSON: {exc}", name="write") from None
    data[result.check] = {
        "params": {k: v for k, v in result.best_params.items()},
        "tightness_default": default.tightness,
        "tightness_confirmed": conf.tightness,
        "resolving_power_default": default.resolving_power,
        "resolving_power_confirmed": conf.resolving_power,
        "confirm_seed": conf.seed,
        "confirm_trials": conf.trials,
        "found_by": result.search_command(),
        "date": datetime.date.today().isoformat(),
    }
    try:
        target.write_text(json.dumps(dict(sorted(data.items())), indent=1, sort_keys=False) + "\n")
    except OSError as exc:
        raise BadInput(f"instances file ({target}) must be writable: {exc}", name="write") from None
    return target


def tighten_all(item: str, **kwargs: Any) -> list[TightenResult]:
    """:func:`tighten` every check of a result (or one check)."""
    return [tighten(c.name, **kwargs) for c in checks_for(item)]
