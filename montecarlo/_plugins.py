"""Plug-in protocols and registries: bring your own aggregator, attack or problem.

Three kinds of plug-in, each a :class:`typing.Protocol`, a registry and a ``register_*`` function:

=============  ==========================================================  ==========================
kind           protocol                                                    registry
=============  ==========================================================  ==========================
aggregator     ``agg(x (*batch, m, d), *, return_mask=False) -> (*batch, d)``  :data:`AGGREGATORS`
attack         ``attack(honest (*batch, m_h, d), q, rng, ctx=None) -> (*batch, q, d)``  :data:`ATTACKS`
problem        ``grad_F``, ``w_star``, ``constants()`` (L_F, lambda_F, V, S ...)  :data:`PROBLEMS`
=============  ==========================================================  ==========================

A plug-in is found, in this order, by

1. a callable passed directly;
2. ``"package.module:function"`` (any importable attribute; ``--aggregator pkg.mod:fn`` on the command line);
3. a name registered from Python (:func:`register_aggregator`, :func:`register_attack`, :func:`register_problem`);
4. a name published by an installed distribution under the entry-point groups ``boundlab.aggregators``,
   ``boundlab.attacks`` and ``boundlab.problems``; entry points are read lazily, on the first lookup of a
   name that is not registered, and only the one asked for is imported.

An aggregator whose robustness depends on the number of Byzantine workers declares it by a parameter
named ``f`` or ``k`` (a count) or ``beta`` / ``eps`` (a fraction) left without a value (no default, or a
``None`` default); :func:`bind_byzantine` fills it with the check's ``q`` (or ``q / m``).

Examples
--------
>>> import numpy as np
>>> def middle(x, *, return_mask=False):
...     x = np.asarray(x, dtype=float)
...     return (x.max(axis=-2) + x.min(axis=-2)) / 2
>>> _ = register_aggregator("doc-midrange", middle)
>>> resolve_aggregator("doc-midrange")(np.array([[0.0], [1.0], [4.0]]))
array([2.])
>>> _ = AGGREGATORS.pop("doc-midrange")
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import importlib.metadata
import importlib.util
import inspect
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from boundlab.bounds import BadInput

from . import _aggregators
from ._attacks import ATTACKS, AttackContext
from ._checks import Choice

__all__ = [
    "AGGREGATORS",
    "ATTACKS",
    "ENTRY_POINT_GROUPS",
    "PROBLEMS",
    "Aggregator",
    "Attack",
    "Plugin",
    "PopulationProblem",
    "available",
    "bind_byzantine",
    "plugin_name",
    "register_aggregator",
    "register_aggregators",
    "register_attack",
    "register_problem",
    "resolve",
    "resolve_aggregator",
    "resolve_attack",
    "resolve_problem",
]

Kind = Literal["aggregator", "attack", "problem"]

#: The entry-point group of each kind of plug-in.
ENTRY_POINT_GROUPS: Mapping[str, str] = {
    "aggregator": "boundlab.aggregators",
    "attack": "boundlab.attacks",
    "problem": "boundlab.problems",
}


@runtime_checkable
class Aggregator(Protocol):
    """A robust aggregator: ``(*batch, m, d) -> (*batch, d)``, workers on axis -2.

    Pure: no randomness, never modifies its input. With ``return_mask=True`` it may also return which
    values it kept (shape ``(*batch, m, d)`` or ``(*batch, m)``); checks never require the mask.
    """

    def __call__(self, x: ArrayLike, *, return_mask: bool = False) -> Any: ...


@runtime_checkable
class Attack(Protocol):
    """A message-level attack: ``(honest (*batch, m_h, d), q, rng, ctx) -> (*batch, q, d)``.

    ``rng`` is an explicit :class:`numpy.random.Generator`; ``ctx`` an optional
    :class:`~boundlab.montecarlo.AttackContext` (iterate, population gradient, w*, iteration, trim count).
    """

    def __call__(
        self, honest: ArrayLike, q: int, rng: np.random.Generator, ctx: AttackContext | None = None
    ) -> NDArray[np.floating]: ...


@runtime_checkable
class PopulationProblem(Protocol):
    """A problem with its population quantities.

    ``grad_F(w)`` maps ``(*batch, d)`` to ``(*batch, d)``; ``w_star`` is the minimiser, shape ``(d,)``;
    ``constants()`` returns what the theorems need under the registry's names (``L_F``, ``lambda_F``,
    ``V``, ``S``, ``v``, ``D``, ``L_hat``), omitting what is unknown. Problems that also have
    ``sample(rng, R, m, n)`` and ``local_gradients(stats, w)`` run in the gradient-descent simulators.
    """

    d: int

    @property
    def w_star(self) -> np.ndarray: ...

    def grad_F(self, w: np.ndarray) -> np.ndarray: ...

    def constants(self) -> dict[str, float]: ...


def _multi_krum(x: ArrayLike, f: int, *, return_mask: bool = False) -> Any:
    """Multi-Krum averaging the ``m - f`` workers with the best scores (the usual choice of ``q``)."""
    m = np.shape(x)[-2]
    return _aggregators.multi_krum(x, f, max(m - int(f), 1), return_mask=return_mask)


#: Aggregators by name. Extend with :func:`register_aggregator` or, for a dict of them,
#: :func:`register_aggregators`.
AGGREGATORS: dict[str, Callable[..., Any]] = {
    "mean": _aggregators.mean,
    "median": _aggregators.median,
    "trimmed_mean": _aggregators.trimmed_mean,
    "geometric_median": _aggregators.geometric_median,
    "krum": _aggregators.krum,
    "multi_krum": _multi_krum,
    "spectral_filter": _aggregators.spectral_filter,
}


def _problem_factories() -> dict[str, Callable[..., Any]]:
    from . import _problems

    return {
        "model_r": _problems.ModelR,
        "model_g": _problems.ModelG,
        "model_e": _problems.ModelE,
        "gaussian_mean": _problems.GaussianMean,
        "model_an": _problems.ModelAN,
    }


#: Problems by name: factories (classes or functions) whose keyword arguments configure the problem.
PROBLEMS: dict[str, Callable[..., Any]] = _problem_factories()

_REGISTRIES: dict[str, dict[str, Callable[..., Any]]] = {
    "aggregator": AGGREGATORS,
    "attack": ATTACKS,  # type: ignore[dict-item]
    "problem": PROBLEMS,
}


def _register(kind: Kind, name: str, fn: Any, replace: bool) -> Any:
    if not isinstance(name, str) or not name.strip() or ":" in name:
        raise BadInput(f"name ({name!r}) must be a non-empty string without ':' (a {kind} name).", name="name")
    if not callable(fn):
        raise BadInput(f"{kind} ({fn!r}) must be callable (see boundlab.montecarlo.{_protocol(kind)}).", name=kind)
    registry = _REGISTRIES[kind]
    if name in registry and not replace and registry[name] is not fn:
        raise BadInput(
            f"name ({name}) must not be a registered {kind} already; pass replace=True to override.", name="name"
        )
    registry[name] = fn
    return fn


def _protocol(kind: str) -> str:
    return {"aggregator": "Aggregator", "attack": "Attack", "problem": "PopulationProblem"}[kind]


def _decorator_or_call(kind: Kind, name: str, fn: Any, replace: bool) -> Any:
    if fn is None:
        return lambda f: _register(kind, name, f, replace)
    return _register(kind, name, fn, replace)


def register_aggregator(name: str, fn: Callable[..., Any] | None = None, *, replace: bool = False) -> Any:
    """Register an aggregator under ``name`` (usable as a decorator: ``@register_aggregator("mine")``).

    Parameters
    ----------
    name : str
        The name checks and the command line use (``--aggregator name``).
    fn : callable, optional
        ``(*batch, m, d) -> (*batch, d)`` (see :class:`Aggregator`); omitted, a decorator is returned.
    replace : bool
        Allow replacing a registered aggregator of the same name.

    Returns
    -------
    callable
        ``fn`` itself (or the decorator).

    Examples
    --------
    >>> import numpy as np
    >>> @register_aggregator("doc-first")
    ... def first(x, *, return_mask=False):
    ...     return np.asarray(x)[..., 0, :]
    >>> "doc-first" in AGGREGATORS
    True
    >>> _ = AGGREGATORS.pop("doc-first")
    """
    return _decorator_or_call("aggregator", name, fn, replace)


def register_aggregators(mapping: Mapping[str, Callable[..., Any]], *, replace: bool = False) -> None:
    """Register every aggregator of a ``{name: function}`` mapping (a module's table of rules).

    Examples
    --------
    >>> register_aggregators({"median": AGGREGATORS["median"]})  # the same function again: a no-op
    """
    for name, fn in mapping.items():
        register_aggregator(name, fn, replace=replace)


def register_attack(name: str, fn: Callable[..., Any] | None = None, *, replace: bool = False) -> Any:
    """Register an attack ``(honest, q, rng, ctx=None) -> (*batch, q, d)`` under ``name`` (or decorate).

    Examples
    --------
    >>> import numpy as np
    >>> def zeros(honest, q, rng, ctx=None):
    ...     h = np.asarray(honest)
    ...     return np.zeros((*h.shape[:-2], q, h.shape[-1]))
    >>> _ = register_attack("doc-zeros", zeros)
    >>> resolve_attack("doc-zeros")(np.ones((3, 2)), 2, np.random.default_rng(0)).shape
    (2, 2)
    >>> _ = ATTACKS.pop("doc-zeros")
    """
    return _decorator_or_call("attack", name, fn, replace)


def register_problem(name: str, factory: Callable[..., Any] | None = None, *, replace: bool = False) -> Any:
    """Register a problem factory (a class or function returning a :class:`PopulationProblem`).

    Examples
    --------
    >>> from boundlab.montecarlo import ModelR
    >>> _ = register_problem("doc-model-r", ModelR)
    >>> resolve_problem("doc-model-r")(d=3).d
    3
    >>> _ = PROBLEMS.pop("doc-model-r")
    """
    return _decorator_or_call("problem", name, factory, replace)


# -- finding --------------------------------------------------------------------------------------


def _entry_points(kind: str) -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUPS[kind]))


def _import_spec(kind: str, spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise BadInput(f"{kind} ({spec}) must be 'package.module:function' with both parts.", name=kind)
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise BadInput(
            f"{kind} ({spec}) must name an importable module; importing {module_name} raised "
            f"{type(exc).__name__}: {exc}.",
            name=kind,
        ) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise BadInput(
                f"{kind} ({spec}) must name an attribute of {module_name}; it has no {attr}.", name=kind
            ) from None
        obj = getattr(obj, part)
    return obj


def _load_entry_point(kind: str, ep: importlib.metadata.EntryPoint) -> Any:
    try:
        return ep.load()
    except Exception as exc:
        raise BadInput(
            f"{kind} ({ep.name}) must load from its entry point {ep.value} (group "
            f"{ENTRY_POINT_GROUPS[kind]}, distribution "
            f"{getattr(ep.dist, 'name', '?')}); loading raised {type(exc).__name__}: {exc}.",
            name=kind,
        ) from None


def available(kind: Kind) -> list[str]:
    """The names of one kind of plug-in: registered ones and those published as entry points (not loaded).

    Examples
    --------
    >>> {"median", "trimmed_mean", "krum"} <= set(available("aggregator"))
    True
    """
    if kind not in _REGISTRIES:
        raise BadInput(f"kind ({kind}) must be one of aggregator, attack, problem.", name="kind")
    _extend_robust()
    return sorted(set(_REGISTRIES[kind]) | {ep.name for ep in _entry_points(kind)})


def resolve(kind: Kind, spec: Any) -> Callable[..., Any]:
    """The plug-in ``spec`` names: a callable, ``"package.module:function"``, a registered name or an entry point.

    Raises :class:`~boundlab.bounds.BadInput` (exit code 2 on the command line) naming ``kind`` and the value.

    Examples
    --------
    >>> resolve("aggregator", "boundlab.montecarlo:median").__name__
    'median'
    >>> resolve("aggregator", "medain")
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: aggregator (medain) must be a registered aggregator (...) or 'package.module:function'; did you mean median, mean...?
    """
    if kind not in _REGISTRIES:
        raise BadInput(f"kind ({kind}) must be one of aggregator, attack, problem.", name="kind")
    if callable(spec) and not isinstance(spec, str):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise BadInput(f"{kind} ({spec!r}) must be a name, 'package.module:function' or a callable.", name=kind)
    key = spec.strip()
    if ":" in key:
        obj = _import_spec(kind, key)
    else:
        _extend_robust()
        registry = _REGISTRIES[kind]
        if key in registry:
            return registry[key]
        eps = [ep for ep in _entry_points(kind) if ep.name == key]
        if not eps:
            names = available(kind)
            near = difflib.get_close_matches(key, names, n=3)
            shown = ", ".join(names) if len(names) <= 12 else ", ".join(names[:12]) + ", ..."
            raise BadInput(
                f"{kind} ({key}) must be a registered {kind} ({shown}) or 'package.module:function'"
                + (f"; did you mean {', '.join(near)}?" if near else "."),
                name=kind,
            )
        obj = _load_entry_point(kind, eps[0])
        registry[key] = obj  # loaded once
    if not callable(obj):
        raise BadInput(f"{kind} ({spec}) must be callable; it is a {type(obj).__name__}.", name=kind)
    return obj


def resolve_aggregator(spec: Any) -> Callable[..., Any]:
    """:func:`resolve` for aggregators."""
    return resolve("aggregator", spec)


def resolve_attack(spec: Any) -> Callable[..., Any]:
    """:func:`resolve` for attacks."""
    return resolve("attack", spec)


def resolve_problem(spec: Any) -> Callable[..., Any]:
    """:func:`resolve` for problems (a factory)."""
    return resolve("problem", spec)


def plugin_name(spec: Any) -> str:
    """A short display name: the registered name or spec itself, or a callable's ``__name__``.

    Examples
    --------
    >>> plugin_name("median"), plugin_name(np.mean)
    ('median', 'mean')
    """
    if isinstance(spec, str):
        return spec
    inner = spec.func if isinstance(spec, functools.partial) else spec
    return getattr(inner, "__name__", type(inner).__name__)


_COUNTS = ("f", "k", "n_byzantine")
_FRACTIONS = ("beta", "eps")


def bind_byzantine(fn: Callable[..., Any], q: int, m: int) -> Callable[..., Any]:
    """``fn`` with its Byzantine hyperparameter set from the check's ``q`` Byzantine workers out of ``m``.

    A parameter named ``f``, ``k`` or ``n_byzantine`` left without a value (no default, or ``None``)
    receives ``q``; failing that, ``beta`` or ``eps`` receives ``q / m``. Only the first of ``k`` and
    ``beta`` is filled (the trimmed mean takes exactly one). Everything else is left alone.

    Examples
    --------
    >>> import numpy as np
    >>> agg = bind_byzantine(AGGREGATORS["trimmed_mean"], q=1, m=4)
    >>> agg(np.array([[0.0], [1.0], [2.0], [100.0]]))
    array([1.5])
    >>> bind_byzantine(AGGREGATORS["median"], q=1, m=4) is AGGREGATORS["median"]
    True
    """
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return fn
    free = {
        name
        for name, p in params.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and (p.default is p.empty or p.default is None)
    }
    bound: dict[str, Any] = {}
    for name in _COUNTS:
        if name in free:
            bound[name] = int(q)
            break
    if not bound or "f" in bound:
        for name in _FRACTIONS:
            if name in free:
                bound[name] = q / m
                break
    return functools.partial(fn, **bound) if bound else fn


_ROBUST_DONE = False


def _extend_robust() -> None:
    """Register the extra robust aggregators of ``_robust`` (``ROBUST_AGGREGATORS``) when that module exists."""
    global _ROBUST_DONE
    if _ROBUST_DONE:
        return
    _ROBUST_DONE = True
    if importlib.util.find_spec(f"{__package__}._robust") is None:
        return
    module = importlib.import_module(f"{__package__}._robust")
    for name, fn in getattr(module, "ROBUST_AGGREGATORS", {}).items():
        AGGREGATORS.setdefault(name, fn)


@dataclasses.dataclass(frozen=True)
class Plugin(Choice):
    """A check's option that takes any plug-in of one kind (a registered name or ``package.module:function``).

    ``extra`` holds values with a meaning of their own to the check (``"strongest"``: its built-in set of
    attacks). The value is kept as given (a string), so a result re-runs from its JSON.

    Examples
    --------
    >>> opt = Plugin("aggregator", "the aggregation rule", (), "median", kind="aggregator")
    >>> opt.validate("krum", "thm3.1/final-error")
    'krum'
    """

    kind: str = "aggregator"
    extra: tuple[str, ...] = ()

    def validate(self, value: Any, owner: str) -> Any:
        if isinstance(value, str) and value in self.extra:
            return value
        try:
            resolve(self.kind, value)  # type: ignore[arg-type]
        except BadInput as exc:
            raise BadInput(
                f"{self.name} ({value}) must be {self.domain_text()} ({owner}): {exc}", name=self.name
            ) from None
        return value

    def domain_text(self) -> str:
        extra = f"{', '.join(self.extra)}, " if self.extra else ""
        return f"{extra}a registered {self.kind} or 'package.module:function'"
