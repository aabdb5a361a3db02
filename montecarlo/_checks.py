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

from boundlab.bounds import BadInput, Param, Registry, chapter_of

__all__ = [
    "MCResult",
    "Check",
    "Choice",
    "ClaimParam",
    "CHECKS",
    "BOUND_SCALE",
    "register_check",
    "check",
    "assess_at",
    "registry_bound",
    "RegistryBound",
    "scale_bound",
    "chunk_rngs",
    "chunk_seed",
    "combine",
    "CHUNK",
    "timed",
]

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
    params: Mapping[str, Any] | None = dataclasses.field(default=None, compare=False, repr=False)
    power: float | None = None
    bound_quantity: str | None = None
    evaluated_at: Mapping[str, Any] | None = dataclasses.field(default=None, compare=False, repr=False)

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

    @property
    def resolving_power(self) -> float:
        """The largest factor by which the bound can be made stronger with the check still passing at
        the far end of its interval: bound / ci_high for an upper bound, the claimed over the observed
        failure probability's upper end for a probability or failure bound, 1 / worst ratio for an exact
        inequality. A check that can scan its own radius (coverage checks) reports it in ``power``
        instead: 1 / the smallest radius scale at which it still passes. NaN for rate checks.

        A check sees the bound's leading constant (or a radius) halved, the size of a typo, exactly when
        its resolving power is below 2: then ``bound_scale=0.5`` moves the interval past the bound.

        Examples
        --------
        >>> MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0).resolving_power
        4.0
        """
        if self.power is not None:
            return float(self.power)
        lo, hi, b = self.ci_low, self.ci_high, self.bound
        with np.errstate(all="ignore"):
            if self.rule in ("upper", "failure"):
                return b / hi if hi > 0 else math.inf
            if self.rule == "probability":
                return (1 - b) / (1 - lo) if lo < 1 else math.inf
            if self.rule == "exact":
                return 1 / self.estimate if self.estimate > 0 else math.inf
        return math.nan

    def to_frame(self) -> Any:
        """This result as a one-row pandas DataFrame (needs the ``pandas`` extra); for a list of
        results use :func:`boundlab.montecarlo.results_frame`.

        Examples
        --------
        >>> MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0).to_frame()["verdict"].tolist()
        ['pass']
        """
        from ._frames import results_frame

        return results_frame(self)

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["name"] = d.pop("check")
        d["verdict"] = self.verdict
        d["tightness"] = self.tightness
        d["resolving_power"] = self.resolving_power
        for key in ("params", "evaluated_at"):
            if d[key] is not None:
                d[key] = _jsonable(d[key])
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
        if kw.get("power") is not None:
            kw["power"] = float(kw["power"])
        return MCResult(**kw)


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, np.integer, np.bool_)):
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
    powers = [p.power for p in parts if p.power is not None]
    base = dataclasses.replace(first, trials=trials, seconds=seconds, power=min(powers) if powers else None)
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
        return dataclasses.replace(
            base,
            estimate=mean,
            ci_low=lo,
            ci_high=hi,
            series=series,
            note=first.note + f" Pooled over {len(parts)} chunks (t interval of chunk slopes).",
        )
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
class Choice:
    """A categorical option of a check (an attack, a form of the bound).

    Examples
    --------
    >>> Choice("attack", "Byzantine values", ("one-sided", "edge"), "edge").validate("edge", "cor3.1/x")
    'edge'
    """

    name: str
    description: str
    choices: tuple[Any, ...]
    default: Any

    def validate(self, value: Any, owner: str) -> Any:
        if value not in self.choices:
            raise BadInput(
                f"{self.name} ({value}) must be one of {', '.join(map(str, self.choices))} "
                f"({owner}: {self.description}).",
                name=self.name,
            )
        return value

    def domain_text(self) -> str:
        return "one of " + ", ".join(map(str, self.choices))


@dataclasses.dataclass(frozen=True)
class ClaimParam(Param):
    """A numeric option that changes what a check claims, not the instance it runs.

    An exponent shift, a tolerance, a factor on a rate or on a constant of the algorithm the result
    prescribes: moving one of these tests a different statement. The worst-case search
    (:func:`boundlab.tighten.tighten`) therefore holds them at their defaults and searches only the
    instance (the result's parameters and the check's other numeric options); a search free to move
    them would report its own wrong variant as an erratum. ``bound_scale`` is one.

    Examples
    --------
    >>> shift = ClaimParam("exponent_shift", "added to the target exponent", typical=(-0.5, 0.5), default=0.0)
    >>> isinstance(shift, Param), shift.with_(default=0.5).default, type(shift.with_(default=0.5)).__name__
    (True, 0.5, 'ClaimParam')
    """


Option = Param | Choice

BOUND_SCALE = ClaimParam(
    "bound_scale",
    "factor applied to the bound (or the radius of a coverage check) before the "
    "comparison; 0.5 asks whether the bound is 2x too generous",
    lower=0.0,
    lower_open=True,
    typical=(0.25, 1.0),
    default=1.0,
)

Scales = Literal["bound", "radius", "simulator", "none"]


def _validate_number(p: Param, value: Any, owner: str) -> float | int:
    if isinstance(value, bool) or isinstance(value, str):
        raise BadInput(f"{p.name} ({value!r}) must be a number ({owner}: {p.description}).", name=p.name)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{p.name} ({value!r}) must be a number ({owner}: {p.description}).", name=p.name) from None
    if not math.isfinite(x):
        raise BadInput(f"{p.name} ({x:g}) must be finite ({owner}).", name=p.name)
    if not bool(p.contains(np.asarray(x))):
        raise BadInput(f"{p.name} ({x:g}) must be {p.domain_text()} ({owner}: {p.description}).", name=p.name)
    return int(x) if p.integer else x


@dataclasses.dataclass(frozen=True)
class Check:
    """A registered check: ``run(trials, seed, **params) -> MCResult``.

    A check declares what a user may set: ``theorem_params`` maps parameters of the result it checks
    (by the result's own names) to the values of the instance it runs by default, and ``options`` holds
    its own knobs (:class:`~boundlab.bounds.Param` or :class:`Choice`). Every check also takes
    ``bound_scale`` (see ``scales``). ``slack`` is required where the check cannot see a bound 2x too
    strong (resolving power of 2 or more: the bound halved still passes): it names the step of the proof
    the slack comes from and the check that catches a wrong constant at that step. :meth:`run` validates every value with the result's domain and
    messages, fills in the defaults, calls ``simulate(trials, seed, **params)`` and returns its result
    with the resolved parameters attached, so any result re-runs from its own JSON.

    ``scales`` says what ``bound_scale`` multiplies: ``"bound"`` (the base class scales the bound of
    upper, failure and exact rules, or the claimed failure probability of a probability rule, after
    ``simulate`` returns), ``"radius"`` (``simulate`` receives ``bound_scale`` and scales the radius of a
    coverage statement itself), ``"simulator"`` (``simulate`` receives ``bound_scale`` and applies it to the
    constant its description names) or ``"none"`` (rate checks: a slope has no leading constant).
    ``wrong`` holds the options that make the bound deliberately wrong; ``quick_trials`` is the size the
    test suite and ``boundlab report --quick`` use; ``slow`` marks checks whose quick size still takes more
    than a few seconds; ``instance`` says how the default instance was chosen.
    """

    name: str
    theorem_id: str
    description: str
    simulate: Callable[..., MCResult]
    trials: int
    quick_trials: int
    wrong: Mapping[str, Any]
    slow: bool = False
    options: tuple[Option, ...] = ()
    theorem_params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    scales: Scales = "bound"
    instance: str = ""
    slack: str = ""

    # -- declared parameters ---------------------------------------------------------------------

    @property
    def declared(self) -> bool:
        """Whether the check declares its parameters (otherwise its simulator's keywords are its options)."""
        return bool(self.options or self.theorem_params)

    def _signature_options(self) -> dict[str, Any]:
        import inspect

        sig = inspect.signature(self.simulate)
        return {p.name: p.default for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY}

    def accepted(self) -> tuple[str, ...]:
        """Every name ``run`` accepts: the result's parameters, the check's options and ``bound_scale``."""
        if self.declared:
            names = [*self.theorem_params, *(o.name for o in self.options)]
        else:
            names = list(self._signature_options())
        if self.scales != "none" and "bound_scale" not in names:
            names.append("bound_scale")
        return tuple(names)

    def defaults(self) -> dict[str, Any]:
        """The default instance: the resolved parameters of a run with no arguments."""
        return self.resolve()

    def resolve(self, **given: Any) -> dict[str, Any]:
        """Validate ``given`` and fill in the defaults; raises :class:`~boundlab.bounds.BadInput`."""
        accepted = self.accepted()
        for key in given:
            if key not in accepted:
                theorem = [k for k in self.theorem_params]
                own = [k for k in accepted if k not in theorem]
                parts = []
                if theorem:
                    parts.append(f"a parameter of {self.theorem_id} this check realises ({', '.join(theorem)})")
                parts.append(f"an option of {self.name} ({', '.join(own) or 'none'})")
                raise BadInput(f"option ({key}) must be {' or '.join(parts)}.", name=key)
        out: dict[str, Any] = {}
        if self.declared:
            from boundlab.bounds import AbstractBound, get

            thm = get(self.theorem_id)
            for key, default in self.theorem_params.items():
                value = given.get(key, default)
                if isinstance(thm, AbstractBound) and key in thm.param_names:
                    value = _validate_number(thm.param(key), value, thm.name)
                out[key] = value
            for opt in self.options:
                value = given.get(opt.name, opt.default)
                out[opt.name] = (
                    opt.validate(value, self.name)
                    if isinstance(opt, Choice)
                    else _validate_number(opt, value, self.name)
                )
        else:
            for key, default in self._signature_options().items():
                value = given.get(key, default)
                if isinstance(value, float) and value.is_integer() and isinstance(default, int):
                    value = int(value)
                out[key] = value
        if "bound_scale" in accepted:
            out["bound_scale"] = _validate_number(BOUND_SCALE, given.get("bound_scale", 1.0), self.name)
        return out

    # -- running ---------------------------------------------------------------------------------

    def _passes_scale(self) -> bool:
        if self.scales in ("radius", "simulator"):
            return True
        if self.declared:
            return any(o.name == "bound_scale" for o in self.options)
        return "bound_scale" in self._signature_options()

    def run(self, trials: int, seed: int, **given: Any) -> MCResult:
        """Run at the given parameters (defaults: the check's instance); see the class docstring."""
        params = self.resolve(**given)
        call = dict(params)
        scale = float(call.get("bound_scale", 1.0))
        if not self._passes_scale():
            call.pop("bound_scale", None)
        res = self.simulate(int(trials), int(seed), **call)
        if scale != 1.0 and not self._passes_scale():
            res = scale_bound(res, scale)
        return dataclasses.replace(res, check=self.name, theorem_id=self.theorem_id, params=_jsonable(params))

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for ``boundlab verify --list``."""
        opts = []
        for name in self.accepted():
            if name in self.theorem_params:
                opts.append(
                    {
                        "name": name,
                        "of": self.theorem_id,
                        "default": _jsonable(self.theorem_params[name]),
                        **({"claim": True} if name in self.wrong else {}),
                    }
                )
            elif name == "bound_scale":
                opts.append(
                    {"name": name, "of": "check", "default": 1.0, "domain": BOUND_SCALE.domain_text(), "claim": True}
                )
            else:
                o = next((o for o in self.options if o.name == name), None)
                opts.append(
                    {
                        "name": name,
                        "of": "check",
                        "default": _jsonable(o.default if o is not None else self._signature_options()[name]),
                        "domain": o.domain_text() if o is not None else "",
                        **({"claim": True} if isinstance(o, ClaimParam) or name in self.wrong else {}),
                    }
                )
        return {
            "name": self.name,
            "id": self.theorem_id,
            "description": self.description,
            "trials": self.trials,
            "quick_trials": self.quick_trials,
            "slow": self.slow,
            "wrong": dict(self.wrong),
            "scales": self.scales,
            "parameters": opts,
            "instance": self.instance,
            "slack": self.slack,
        }


def scale_bound(res: MCResult, scale: float) -> MCResult:
    """The result compared against ``scale`` times its bound (the claimed failure probability for rule
    ``probability``; the ratio lhs / rhs divided by ``scale`` for rule ``exact``).

    Examples
    --------
    >>> r = MCResult("c", "thm3.1", "q", 0.3, 0.3, 0.3, 1.0, "upper", 10, 0, 0.0)
    >>> scale_bound(r, 0.5).bound, scale_bound(r, 0.5).verdict
    (0.5, 'pass')
    """
    note = f"{res.note} Bound scaled by {scale:g}.".strip()
    if res.rule in ("upper", "failure"):
        return dataclasses.replace(res, bound=res.bound * scale, note=note)
    if res.rule == "probability":
        return dataclasses.replace(res, bound=1 - (1 - res.bound) * scale, note=note)
    if res.rule == "exact":
        return dataclasses.replace(
            res, estimate=res.estimate / scale, ci_low=res.ci_low / scale, ci_high=res.ci_high / scale, note=note
        )
    raise BadInput(
        f"bound_scale ({scale:g}) must be 1 for check {res.check}: rule {res.rule} has no leading constant to scale.",
        name="bound_scale",
    )


def assess_at(theorem_id: str, **params: Any) -> Any:
    """The registry's evaluation of ``theorem_id`` at ``params``; a violated hypothesis raises
    :class:`~boundlab.bounds.HypothesisViolated` naming it with both sides (exit code 3).

    Examples
    --------
    >>> float(assess_at("eq3.4", eps=0.1).value) > 0
    True
    """
    from boundlab.bounds import HypothesisViolated, get, violation_message

    thm = get(theorem_id)
    ev = thm.assess(**params)  # type: ignore[attr-defined]
    bad = ev.violated
    if bad:
        raise HypothesisViolated(" ".join(violation_message(thm, c) for c in bad))  # type: ignore[arg-type]
    return ev


@dataclasses.dataclass(frozen=True)
class RegistryBound:
    """A bound read from the registry: its value, which quantity it is and the parameters it was read at."""

    value: float
    quantity: str
    at: Mapping[str, float]
    evaluation: Any = dataclasses.field(repr=False, compare=False)

    def stamp(self) -> dict[str, Any]:
        """The keywords that record this bound in an :class:`MCResult`."""
        return {"bound_quantity": self.quantity, "evaluated_at": dict(self.at)}


def registry_bound(theorem_id: str, quantity: str | None = None, **params: Any) -> RegistryBound:
    """``quantity`` (default: the value) of ``theorem_id`` at exactly ``params``, its hypotheses checked.

    A violated hypothesis raises :class:`~boundlab.bounds.HypothesisViolated` (exit code 3); the
    result records the full parameter set, so ``boundlab eval`` at ``at`` gives the same number.

    Examples
    --------
    >>> b = registry_bound("cor3.1", "prob", n=100, m=201, alpha=10 / 201, t=2.0, sigma=1.0, gamma=2.4)
    >>> round(b.value, 4), b.quantity, b.at["m"]
    (0.9267, 'prob', 201.0)
    """
    ev = assess_at(theorem_id, **params)
    name = quantity or "value"
    raw = ev.value if quantity is None else ev.quantities[quantity]
    at = {k: float(v) for k, v in ev.params.items()}
    return RegistryBound(float(raw), name, at, ev)


CHECKS: Registry[Check] = Registry(
    "check", hint="`boundlab verify --list` shows them", chapter=lambda c: chapter_of(c.theorem_id)
)


def register_check(check: Check) -> Check:
    """Add a check (duplicate names raise)."""
    return CHECKS.add(check.name, check)


def check(
    name: str,
    theorem_id: str,
    *,
    description: str,
    trials: int,
    quick_trials: int,
    wrong: Mapping[str, Any] | None = None,
    slow: bool = False,
    options: tuple[Option, ...] = (),
    theorem_params: Mapping[str, Any] | None = None,
    scales: Scales = "bound",
    instance: str = "",
    slack: str = "",
) -> Callable[[Callable[..., MCResult]], Callable[..., MCResult]]:
    """Decorator: declare and register the function below as the simulator of one check.

    ``wrong`` defaults to ``{"bound_scale": 0.5}``: the bound made 2x too generous.
    """

    def deco(fn: Callable[..., MCResult]) -> Callable[..., MCResult]:
        register_check(
            Check(
                name,
                theorem_id,
                description,
                fn,
                trials,
                quick_trials,
                dict(wrong) if wrong is not None else {"bound_scale": 0.5},
                slow,
                tuple(options),
                dict(theorem_params or {}),
                scales,
                instance,
                slack,
            )
        )
        return fn

    return deco


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
