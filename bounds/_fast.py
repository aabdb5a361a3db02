"""``boundlab eval`` without sympy: the registry's formulas as generated numpy code.

Building a chapter's sympy expressions and compiling them takes most of a second; a calculator
called in loops and scripts should answer before that. :func:`write` prints, for each registered
result with a value, the very code ``sympy.lambdify`` generates for its quantities, variants, the
two sides of its hypotheses and constraints, its trivial bound and its defaults, into
``_fast_data.py`` (a test keeps that file current). :func:`fast_bound` turns one entry into a
:class:`FastBound`, which validates, evaluates and reports through the same
:class:`~boundlab.bounds._numeric.NumericBound` code as the sympy-built result, so ``boundlab eval``
prints the same thing either way.

Where the fast path cannot reproduce the sympy path it says so with :class:`NeedSympy` and the
command line evaluates the sympy-built result instead: any arbitrary-precision work (``--precision``,
and the mpmath re-evaluation of entries a float64 overflow spoiled) and a default formula that needs
a parameter the user did not give. Results whose code needs a function the fast namespace does not
hold are not generated at all (:data:`~boundlab.bounds._fast_data.SKIPPED` says why), nor are
results registered outside the chapter modules (a user's own results).

Examples
--------
>>> thm = fast_bound("thm3.1")
>>> ev = thm.assess(**thm.example)
>>> round(float(ev.value), 6), ev.notes
(0.124032, ['eps omitted: used the tightest admissible eps = 1/2 - lhs(3.2).'])
"""

from __future__ import annotations

import dataclasses
import dis
import functools
import json
import math
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._numeric import NumericBound, Param
from ._special import rademacher_abs_mean

if TYPE_CHECKING:
    from ._base import AbstractBound

__all__ = ["NeedSympy", "FastBound", "FastSide", "fast_bound", "build", "render", "write"]

_CHAPTER_MODULES = "boundlab.bounds._chapter"


class NeedSympy(Exception):
    """The fast path cannot reproduce this evaluation; evaluate the sympy-built result instead."""


# ---------------------------------------------------------------------------------------------
# The namespace of the generated code: lambdify's numpy namespace, special functions without scipy
# ---------------------------------------------------------------------------------------------


def _scalar_normal_quantile(p: float) -> float:
    if math.isnan(p) or p < 0 or p > 1:
        return math.nan
    if p == 0:
        return -math.inf
    if p == 1:
        return math.inf
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def normal_quantile(p: Any) -> Any:
    r"""The standard normal quantile :math:`\Phi^{-1}(p)` without scipy (Wichura's AS 241, ``statistics``).

    NaN outside [0, 1], -inf at 0 and inf at 1, like ``scipy.special.ndtri``, which it matches to
    about 1e-15 relative; arrays of more than 4096 entries use ``ndtri`` itself.

    Parameters
    ----------
    p : float or ndarray, shape (...)

    Returns
    -------
    numpy float or ndarray, shape (...)

    Examples
    --------
    >>> round(float(normal_quantile(0.975)), 12), float(normal_quantile(1.0))
    (1.95996398454, inf)
    """
    a = np.asarray(p, dtype=float)
    if a.size > 4096:
        from scipy.special import ndtri

        return ndtri(a)
    out = np.array([_scalar_normal_quantile(float(x)) for x in a.ravel()], dtype=float).reshape(a.shape)
    return out[()] if out.ndim == 0 else out


def _erf(x: Any) -> Any:
    from scipy.special import erf

    return erf(x)


def _erfinv(y: Any) -> Any:
    from scipy.special import erfinv

    return erfinv(y)


#: Functions of the generated code that replace the sympy path's ones (``_symbols.NUMPY_FUNCTIONS``).
REPLACEMENTS: dict[str, Callable[..., Any]] = {"NormalQuantile": normal_quantile, "erf": _erf, "erfinv": _erfinv}


#: Names of lambdify's numpy namespace that are not numpy's.
_EXTRAS: dict[str, Any] = {
    "I": 1j,
    "range": range,
    "reduce": functools.reduce,
    "RademacherAbsMean": rademacher_abs_mean,  # the implementation lambdify calls (``_imp_``)
}


def resolve(name: str) -> Any:
    """What a global ``name`` of the generated code is: a replacement, numpy's (``lambdify`` runs
    ``from numpy import *``), else a builtin; None when there is none.

    Looking names up one by one keeps numpy's lazily imported submodules (f2py, testing) unimported.

    Examples
    --------
    >>> resolve("sqrt") is np.sqrt, resolve("NormalQuantile") is normal_quantile, resolve("no_such_name")
    (True, True, None)
    """
    import builtins

    for table in (REPLACEMENTS, _EXTRAS):
        if name in table:
            return table[name]
    if name == "builtins":
        return builtins
    if name in np.__all__:
        return getattr(np, name)
    return getattr(builtins, name, None)


# ---------------------------------------------------------------------------------------------
# The fast result
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FastSide:
    """A hypothesis or constraint ``lhs op rhs`` with its sides as the text the sympy path prints."""

    text: str
    lhs: str | None
    op: str
    rhs: str | None
    source: str = ""
    necessary: bool = False
    item: str = ""
    rounding: float = 0.0

    @property
    def decidable(self) -> bool:
        return self.lhs is not None


class FastBound(NumericBound):
    """A registered result evaluated from its generated code (see the module docstring)."""

    title: ClassVar[str]
    value_text: ClassVar[str] = ""
    variants: ClassVar[tuple[str, ...]] = ()
    example: ClassVar[Mapping[str, float]] = {}
    name: str  # a class attribute here ("Theorem 3.1")
    _functions: ClassVar[Mapping[str, Callable[..., Any]]]
    _default_needs: ClassVar[Mapping[str, tuple[str, ...]]]

    def _compiled(self, quantity: str, variant: str | None, backend: str) -> Callable[..., Any]:
        if backend != "numpy":
            raise NeedSympy(f"{backend} evaluation")
        if variant is not None:
            if variant not in self.variants:
                raise _bad(
                    f"variant ({variant}) must be one of {', '.join(self.variants) or 'none'} ({self.name}).",
                    "variant",
                )
            if quantity == self.value:
                return self._functions[f"v:{variant}"]
        if quantity not in self.quantities:
            raise _bad(f"quantity ({quantity}) must be one of {', '.join(self.quantities)} ({self.name}).", "quantity")
        return self._functions[f"q:{quantity}"]

    def _compiled_side(self, expr: Any, backend: str = "numpy") -> Callable[..., Any]:
        if backend != "numpy":
            raise NeedSympy(f"{backend} evaluation")
        return self._functions[f"s:{expr}"]

    def _default_value(self, p: Param, values: Mapping[str, np.ndarray]) -> np.ndarray:
        from ._numeric import _float_eval

        known = [q.name for q in self.params if q.name in values]
        if not set(self._default_needs[p.name]) <= set(known):
            raise NeedSympy(f"the default of {p.name} needs a parameter that was not given")
        fn = self._functions[f"d:{p.name}"]

        def mp() -> Callable[..., Any]:
            raise NeedSympy("mpmath evaluation")

        out, _ = _float_eval(lambda *args: fn(**dict(zip(known, args))), mp, [values[k] for k in known])
        return out

    def example_params(self) -> dict[str, float]:
        """The declared example (as :meth:`AbstractBound.example_params`, for results that declare one)."""
        return dict(self.example)


def _bad(message: str, name: str) -> Exception:
    from ._errors import BadInput

    return BadInput(message, name=name)


def fast_bound(item_id: str) -> FastBound | None:
    """The generated fast result for ``item_id``, or None (not generated, or registered by the user).

    Parameters
    ----------
    item_id : str
        A registry id, any case (``"thm3.1"``).

    Examples
    --------
    >>> fast_bound("THM3.1").name, fast_bound("def3.1") is None
    ('Theorem 3.1', True)
    """
    from ._fast_data import DATA

    key = str(item_id).strip().lower()
    spec = DATA.get(key)
    if spec is None:
        return None
    base = sys.modules.get("boundlab.bounds._base")
    if base is not None:  # the registry is loaded: only a chapter's own result is what was generated
        live = base.REGISTRY.get(key)
        if live is not None and not type(live).__module__.startswith(_CHAPTER_MODULES):
            return None
    return _fast_class(key)()


@functools.cache
def _fast_class(key: str) -> type[FastBound]:
    from ._fast_data import DATA

    spec = json.loads(DATA[key])
    ns = {name: resolve(name) for name in spec["globals"]}
    exec(compile(spec["code"], f"<boundlab fast {key}>", "exec"), ns)
    functions = {k: ns[fname] for k, fname in spec["functions"].items()}
    attrs = {
        "id": key,
        "name": spec["name"],
        "title": spec["title"],
        "value": spec["value"],
        "value_text": spec["value_text"],
        "exact": spec["exact"],
        "probability": spec["probability"],
        "trivial": spec["trivial"],
        "params": tuple(_param(row) for row in spec["params"]),
        "quantities": tuple(spec["quantities"]),
        "variants": tuple(spec["variants"]),
        "hypotheses": tuple(FastSide(*row) for row in spec["hypotheses"]),
        "constraints": tuple(FastSide(*row) for row in spec["constraints"]),
        "example": dict(spec["example"]),
        "_functions": functions,
        "_default_needs": dict(spec["default_needs"]),
    }
    return type(f"Fast_{key.replace('.', '_')}", (FastBound,), attrs)


def _param(row: list[Any]) -> Param:
    name, description, lower, upper, lower_open, upper_open, integer, typical, default, note = row
    return Param(name, description, lower, upper, lower_open, upper_open, integer, tuple(typical), default, note)


# ---------------------------------------------------------------------------------------------
# Generating _fast_data.py from the registry
# ---------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """A result whose generated code would not be the sympy path's code (it is then not generated)."""


def _global_names(code: types.CodeType) -> Iterator[str]:
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            yield str(ins.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _global_names(const)


def _source(
    fn: Callable[..., Any], fname: str, args: tuple[str, ...], *, optional: bool = False
) -> tuple[str, set[str]]:
    """The source of a lambdified ``fn`` renamed ``fname``, checked to resolve to the same objects here."""
    import builtins
    import inspect

    from ._symbols import NUMPY_FUNCTIONS

    lines = inspect.getsource(fn).splitlines()
    if lines[0] != f"def _lambdifygenerated({', '.join(args)}):":
        raise _Unsupported(f"lambdify renamed the arguments: {lines[0]}")
    signature = ", ".join(f"{a}=None" for a in args) if optional else ", ".join(args)
    text = "\n".join([f"def {fname}({signature}):", *lines[1:]]) + "\n"
    names = set(_global_names(compile(text, "<check>", "exec")))
    for name in names:
        theirs = fn.__globals__.get(name, getattr(builtins, name, None))
        if name in REPLACEMENTS and theirs is NUMPY_FUNCTIONS.get(name):
            continue
        if theirs is None or resolve(name) is not theirs:
            raise _Unsupported(f"the code calls {name}, which the fast namespace does not hold")
    return text, names


def _text(side: Any) -> str:
    text = str(side)
    if f"{side}" != text:  # pragma: no cover (sympy and float print alike both ways)
        raise _Unsupported(f"side {side!r} formats differently from str()")
    return text


def _spec(it: AbstractBound) -> dict[str, Any]:
    """The generated entry of one result (raises _Unsupported)."""
    import sympy as sp

    from ._symbols import NUMPY_FUNCTIONS

    args = it.param_names
    sources: dict[str, str] = {}
    functions: dict[str, str] = {}

    def add(key: str, fn: Callable[..., Any], *, optional: bool = False) -> None:
        fname = f"f{len(functions)}"
        text, names = _source(fn, fname, args, optional=optional)
        used.update(names)
        body = text.split("\n", 1)[1]
        if key in sources:
            if sources[key] != body:
                raise _Unsupported(f"two different sides print as {key[2:]}")
            return
        sources[key], functions[key] = body, fname
        code.append(text)

    code: list[str] = []
    used: set[str] = set()
    for q in it.quantities:
        add(f"q:{q}", it._compiled(q, None, "numpy"))
    for v in it.variants:
        add(f"v:{v}", it._compiled(it.value, v, "numpy"))
    sides = [s for h in (*it.hypotheses, *it.constraints) if h.lhs is not None for s in (h.lhs, h.rhs)]
    if it.trivial is not None:
        sides.append(it.trivial)
    for side in sides:
        add(f"s:{_text(side)}", it._compiled_side(side))
    needs: dict[str, tuple[str, ...]] = {}
    params = []
    for p in it.params:
        default: Any = p.default
        if default is not None and not isinstance(default, (int, float)):
            expr = it._expanded_expr(default)
            fn = sp.lambdify([q.symbol for q in it.params], expr, modules=[NUMPY_FUNCTIONS, "numpy"])
            add(f"d:{p.name}", fn, optional=True)
            needs[p.name] = tuple(sorted(s.name for s in expr.free_symbols))
            default = str(default)
        params.append(
            (p.name, p.description, p.lower, p.upper, p.lower_open, p.upper_open, p.integer, p.typical, default)
            + (p.default_note,)
        )

    def side_row(h: Any) -> tuple[Any, ...]:
        lhs = None if h.lhs is None else _text(h.lhs)
        rhs = None if h.lhs is None else _text(h.rhs)
        return (h.text, lhs, h.op, rhs, h.source, h.necessary, h.item, float(h.rounding))

    return {
        "name": it.name,
        "title": it.title,
        "value": it.value,
        "value_text": it.value_text,
        "exact": it.exact,
        "probability": it.probability,
        "trivial": None if it.trivial is None else _text(it.trivial),
        "params": tuple(params),
        "quantities": tuple(it.quantities),
        "variants": tuple(it.variants),
        "hypotheses": tuple(side_row(h) for h in it.hypotheses),
        "constraints": tuple(side_row(c) for c in it.constraints),
        "example": dict(it.example_params()),
        "default_needs": needs,
        "functions": functions,
        "globals": sorted(used),
        "code": "".join(code),
    }


def build() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The generated entries of every chapter's result with a value, and the results left out with why."""
    from . import _load
    from ._base import REGISTRY, AbstractBound

    _load()
    data: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for key, it in REGISTRY.items():
        if not isinstance(it, AbstractBound) or not type(it).__module__.startswith(_CHAPTER_MODULES):
            continue
        try:
            data[key] = _spec(it)
        except _Unsupported as exc:
            skipped[key] = str(exc)
    return data, skipped


def render(built: tuple[dict[str, dict[str, Any]], dict[str, str]]) -> str:
    """The source text of ``_fast_data.py``: each entry as a JSON string (quicker to load than Python)."""
    data, skipped = built
    lines = [
        '"""Generated from the registry by ``boundlab.bounds._fast.write()``; do not edit."""',
        "",
        "#: id -> the JSON of the result's declarations and generated code.",
        "DATA: dict[str, str] = {",
    ]
    lines += [f"    {key!r}: {json.dumps(spec)!r}," for key, spec in data.items()]
    lines += [
        "}",
        "",
        "#: Results with a value that ``boundlab eval`` evaluates through sympy, and why.",
        "SKIPPED: dict[str, str] = {",
    ]
    lines += [f"    {k!r}: {v!r}," for k, v in skipped.items()]
    lines.append("}")
    return "\n".join(lines) + "\n"


def write() -> Path:
    """Regenerate ``_fast_data.py`` from the live registry (after adding or changing a result)."""
    target = Path(__file__).with_name("_fast_data.py")
    target.write_text(render(build()))
    return target
