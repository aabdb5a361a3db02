"""The registry's base classes: declared parameters, hypotheses, and one base class owning
validation, evaluation, checking, solving and asymptotics.

A registered result declares what it is (parameters, hypotheses, symbolic quantities); the
final methods of :class:`AbstractBound` do the rest. Subclasses never override them.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
import sympy as sp

from ._errors import BadInput, NotEvaluable
from ._numeric import _FLOAT_MAX as _FLOAT_MAX
from ._numeric import _OP_WORDS as _OP_WORDS
from ._numeric import _OPS as _OPS
from ._numeric import Evaluation, NumericBound, Param, fmt_number, violation_message
from ._numeric import _float_eval as _float_eval
from ._numeric import _holds as _holds
from ._registry import Registry
from ._symbols import LATEX_NAMES, MPMATH_FUNCTIONS, NUMPY_FUNCTIONS, sym

__all__ = [
    "Param",
    "Hypothesis",
    "Evaluation",
    "Solution",
    "RateTerm",
    "AbstractItem",
    "AbstractStatement",
    "AbstractBound",
    "REGISTRY",
    "violation_message",
    "register",
    "register_statement",
    "get",
    "get_bound",
    "fmt_number",
]

Kind = Literal["exact", "wp", "rate", "definition", "assumption", "algorithm", "remark", "table"]


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a result: ``lhs op rhs``, or a named assumption with no relation.

    ``check`` is three-valued: True when it holds, False when it fails, None when it cannot be
    decided from the parameters (a distributional assumption, or a ``necessary`` condition that
    holds: e.g. a set of diameter D >= 4 r0 may or may not contain a ball of radius 2 r0).
    """

    text: str
    lhs: sp.Expr | None = None
    op: str = "<="
    rhs: sp.Expr | float | None = None
    source: str = ""
    necessary: bool = False
    item: str = ""  # registry id of a named assumption (asm3.2)
    rounding: float = 0.0  # absolute size of the sides' terms, e.g. 1/2 in "s <= 1/2 - eps" with eps = 1/2 - s

    @property
    def decidable(self) -> bool:
        return self.lhs is not None

    def symbols(self) -> set[sp.Symbol]:
        if self.lhs is None:
            return set()
        return set(sp.sympify(self.lhs).free_symbols) | set(sp.sympify(self.rhs).free_symbols)


@dataclasses.dataclass(frozen=True)
class Solution:
    """The result of :meth:`AbstractBound.solve_for`."""

    id: str
    name: str
    value: float
    which: Literal["smallest", "largest"]
    quantity: str
    quantity_value: float
    target: float
    relation: str
    params: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RateTerm:
    """One additive term of a bound with its power-law exponents (logarithms are Õ-hidden)."""

    expr: sp.Expr
    exponents: dict[str, sp.Expr]

    def monomial(self, variables: Iterable[str]) -> str:
        """The term as a plain monomial, e.g. ``alpha n^(-1/2)``."""
        parts = []
        for v in variables:
            e = self.exponents.get(v, sp.Integer(0))
            if e == 0:
                continue
            parts.append(v if e == 1 else f"{v}^({e})")
        return " ".join(parts) or "1"

    def latex(self, variables: Iterable[str]) -> str:
        num: list[tuple[str, sp.Expr, str]] = []
        den: list[tuple[str, sp.Expr, str]] = []
        for v in variables:
            e = sp.nsimplify(self.exponents.get(v, 0))
            if e == 0:
                continue
            name = sp.latex(sym(v))
            mag = abs(e)
            piece = name if mag == 1 else (rf"\sqrt{{{name}}}" if mag == sp.Rational(1, 2) else f"{name}^{{{mag}}}")
            (num if e > 0 else den).append((v, mag, piece))
        # group the denominators under one square root when they all have exponent 1/2
        top = " ".join(p for _, _, p in num) or "1"
        if not den:
            return top
        if all(m == sp.Rational(1, 2) for _, m, _ in den) and len(den) > 1:
            bottom = rf"\sqrt{{{''.join(sp.latex(sym(v)) for v, _, _ in den)}}}"
        else:
            bottom = " ".join(p for _, _, p in den)
        return rf"\frac{{{top}}}{{{bottom}}}"


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

REGISTRY: Registry[AbstractItem] = Registry(
    "result", hint="`boundlab list` shows them", chapter=lambda item: item.chapter
)


_Item = TypeVar("_Item", bound="AbstractItem")


def register(cls: type[_Item]) -> type[_Item]:
    """Class decorator: instantiate and register a result under its id (duplicates raise)."""
    REGISTRY.add(cls.id, cls())
    return cls


def get(item_id: str) -> AbstractItem:
    """The registered item with this id, or a :class:`BadInput` naming close matches.

    Examples
    --------
    >>> get("thm3.1").title
    'Median-based robust GD, strongly convex F'
    """
    try:
        return REGISTRY.lookup(item_id)
    except BadInput as e:
        raise BadInput(str(e).replace("result (", "id (", 1), name="id") from None


def get_bound(item_id: str) -> AbstractBound:
    """The registered result with a value under this id; :class:`NotEvaluable` for a definition, ...

    Examples
    --------
    >>> get_bound("thm3.1").param_names[:3]
    ('n', 'm', 'd')
    >>> get_bound("def3.1")
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.NotEvaluable: id (def3.1) must be an evaluable result; Definition 3.1 is a definition (`boundlab show def3.1`).
    """
    it = get(item_id)
    if not isinstance(it, AbstractBound):
        raise NotEvaluable(
            f"id ({item_id}) must be an evaluable result; {it.name} is a {it.kind} (`boundlab show {it.id}`).",
            name="id",
        )
    return it


# ---------------------------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------------------------


class AbstractItem:
    """A numbered item of the dissertation: definition, assumption, theorem, ..."""

    id: ClassVar[str]
    title: ClassVar[str]
    kind: ClassVar[Kind]
    source: ClassVar[str]  # line numbers into dissertation.txt, e.g. "L4030-4108"
    statement: ClassVar[str] = ""
    notes: ClassVar[tuple[str, ...]] = ()
    implemented_by: ClassVar[str] = ""

    @property
    def chapter(self) -> int:
        return int(self.number.split(".")[0])

    @property
    def number(self) -> str:
        return self.id.lstrip("abcdefghijklmnopqrstuvwxyz")

    @property
    def evaluable(self) -> bool:
        return False

    @property
    def name(self) -> str:
        prefix = {
            "thm": "Theorem",
            "lem": "Lemma",
            "prop": "Proposition",
            "cor": "Corollary",
            "def": "Definition",
            "asm": "Assumption",
            "alg": "Algorithm",
            "obs": "Observation",
            "rem": "Remark",
            "tab": "Table",
            "eq": "Equation",
        }
        key = self.id.rstrip("0123456789.")
        label = prefix.get(key, key)
        return f"{label} ({self.number})" if key == "eq" else f"{label} {self.number}"

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for ``boundlab show``."""
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "source": self.source,
            "statement": self.statement,
            "notes": list(self.notes),
            "implemented_by": self.implemented_by,
            "evaluable": self.evaluable,
        }

    def latex(self) -> str:
        return self.statement


class AbstractStatement(AbstractItem):
    """A numbered item without a numeric value (definition, assumption, algorithm, remark)."""


def register_statement(
    id_: str,
    title_: str,
    kind_: str,
    source_: str,
    statement_: str,
    impl: str = "",
    notes_: tuple[str, ...] = (),
    **extra: object,
) -> type[AbstractStatement]:
    """Register a numbered item that has no value (definition, assumption, algorithm, remark).

    Examples
    --------
    >>> REGISTRY["def3.1"].kind
    'definition'
    """
    cls = type(
        f"Item_{id_.replace('.', '_')}",
        (AbstractStatement,),
        {
            "id": id_,
            "title": title_,
            "kind": kind_,
            "source": source_,
            "statement": statement_,
            "implemented_by": impl,
            "notes": notes_,
            "__doc__": f"{title_} ({source_}).",
            **extra,
        },
    )
    return register(cls)


class AbstractBound(NumericBound, AbstractItem):
    """A result with a value: a bound, an identity, a probability, a constant.

    Subclasses declare
    ``params`` (tuple of :class:`Param`), ``quantities`` (ordered mapping name -> sympy
    expression, which may use the symbols of earlier quantities), ``value`` (the name of the
    quantity that is the result's value), ``hypotheses`` and ``constraints`` (tuples of
    :class:`Hypothesis`; a failed constraint is bad input, a failed hypothesis is reported),
    ``exact`` (False when a constant is a named stand-in for an O(.)), ``variants`` (printed or
    alternative forms of the value), ``monotone`` (the signs of the value's dependence the
    theorem implies) and ``trivial`` (a value at or above which the bound says nothing).
    """

    params: ClassVar[tuple[Param, ...]]
    quantities: ClassVar[Mapping[str, sp.Expr]]
    value: ClassVar[str] = "value"
    value_text: ClassVar[str] = ""
    hypotheses: ClassVar[tuple[Hypothesis, ...]] = ()
    constraints: ClassVar[tuple[Hypothesis, ...]] = ()
    exact: ClassVar[bool] = True
    variants: ClassVar[Mapping[str, sp.Expr]] = {}
    monotone: ClassVar[Mapping[str, Mapping[str, int]]] = {}
    trivial: ClassVar[sp.Expr | None] = None
    probability: ClassVar[str | None] = None  # name of the success-probability quantity
    example: ClassVar[Mapping[str, float]] = {}  # a configuration where the hypotheses hold (catalog golden values)
    rate_variables: ClassVar[tuple[str, ...]] = ("alpha", "beta", "n", "m", "d")

    # -- structure -------------------------------------------------------------------------

    @property
    def evaluable(self) -> bool:
        return True

    @property
    def quantity_names(self) -> tuple[str, ...]:
        return tuple(self.quantities)

    def expanded(self, quantity: str | None = None, *, variant: str | None = None) -> sp.Expr:
        """The quantity as an expression in the parameters only (earlier quantities substituted).

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> get("eq3.4").expanded().free_symbols
        {eps}
        """
        return self._expanded(quantity or self.value, variant)

    @functools.cache  # noqa: B019 (instances are registry singletons)
    def _expanded(self, quantity: str, variant: str | None) -> sp.Expr:
        table = dict(self.quantities)
        if variant is not None:
            if variant not in self.variants:
                raise BadInput(
                    f"variant ({variant}) must be one of {', '.join(self.variants) or 'none'} ({self.name}).",
                    name="variant",
                )
            table[self.value] = self.variants[variant]
        if quantity not in table:
            raise BadInput(f"quantity ({quantity}) must be one of {', '.join(table)} ({self.name}).", name="quantity")
        subs: dict[sp.Symbol, sp.Expr] = {}
        for name, expr in table.items():
            e = sp.sympify(expr).xreplace(subs)
            subs[sym(name)] = e
            if name == quantity:
                return e
        raise AssertionError  # pragma: no cover

    def _expanded_expr(self, expr: sp.Expr) -> sp.Expr:
        subs: dict[sp.Symbol, sp.Expr] = {}
        for name in self.quantities:
            subs[sym(name)] = self._expanded(name, None)
        return sp.sympify(expr).xreplace(subs)

    @functools.cache  # noqa: B019
    def _compiled(self, quantity: str, variant: str | None, backend: str) -> Callable[..., Any]:
        expr = self._expanded(quantity, variant)
        return self._lambdify(expr, backend)

    def _lambdify(self, expr: sp.Expr, backend: str) -> Callable[..., Any]:
        args = [p.symbol for p in self.params]
        if backend == "numpy":
            return sp.lambdify(args, expr, modules=[NUMPY_FUNCTIONS, "numpy"], cse=True)
        return sp.lambdify(args, expr, modules=[MPMATH_FUNCTIONS, "mpmath"])

    # -- validation -------------------------------------------------------------------------

    @functools.cache  # noqa: B019
    def _compiled_side(self, expr: sp.Expr, backend: str = "numpy") -> Callable[..., Any]:
        return self._lambdify(self._expanded_expr(expr), backend)

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(
        self, quantity: str | None = None, *, variant: str | None = None, precision: int | None = None, **params: Any
    ) -> Any:
        """Evaluate the value (or a named quantity) at the given parameters.

        Parameters broadcast like numpy arrays. With ``precision`` (decimal digits), the
        evaluation runs in mpmath and returns mpmath numbers (an object array for grids). In
        float64, entries spoiled by an overflow (``n m L_hat D`` at n = 1e308) are evaluated again
        in mpmath; a value beyond float64's range raises :class:`BadInput` naming the parameter.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> round(float(get("eq3.4").evaluate(eps=1/6)), 6)
        4.002386
        """
        values, _ = self.resolve(**params)
        return self._evaluate(quantity or self.value, variant, values, precision, strict=True)

    def example_params(self) -> dict[str, float]:
        """The declared example (a catalog configuration), else the lower end of each typical range."""
        if self.example:
            return dict(self.example)
        return {p.name: _probe_value(p) for p in self.params if p.required}

    def nonvacuous(self, **params: Any) -> Any:
        """Whether the result says something at these parameters.

        True where every decidable hypothesis holds, the success probability (if any) is
        positive, and the value is below the trivial bound (if the result declares one, e.g. the
        diameter D for a distance).
        """
        values, _ = self.resolve(**params)
        return self._nonvacuous(values)

    # -- presentation -----------------------------------------------------------------------

    def latex(self, *, variant: str | None = None) -> str:
        """The result as LaTeX: the value's defining equation, then each named quantity."""
        names = {sym(k): v for k, v in LATEX_NAMES.items()}
        lines = []
        table = dict(self.quantities)
        if variant is not None:
            table[self.value] = self.variants[variant]
        for name, expr in table.items():
            lhs = (
                self.value_text
                if (name == self.value and self.value_text)
                else LATEX_NAMES.get(name, sp.latex(sym(name)))
            )
            lines.append(f"{lhs} = {sp.latex(sp.sympify(expr), symbol_names=names)}")
        return " \\\\\n".join(lines)

    def describe(self) -> dict[str, Any]:
        d = super().describe()
        d.update(
            {
                "exact": self.exact,
                "value": self.value,
                "params": [
                    {
                        "name": p.name,
                        "description": p.description,
                        "domain": p.domain_text(),
                        "typical": list(p.typical),
                        "required": p.required,
                        "default": None if p.default is None else str(p.default),
                        "default_note": p.default_note,
                    }
                    for p in self.params
                ],
                "quantities": list(self.quantities),
                "hypotheses": [
                    {
                        "text": h.text,
                        "relation": None if h.lhs is None else f"{h.lhs} {h.op} {h.rhs}",
                        "source": h.source,
                        "necessary": h.necessary,
                        "item": h.item,
                    }
                    for h in self.hypotheses
                ],
                "constraints": [f"{c.lhs} {c.op} {c.rhs}" for c in self.constraints],
                "variants": list(self.variants),
                "latex": self.latex(),
            }
        )
        return d

    # -- solving ----------------------------------------------------------------------------

    def _search_grid(self, p: Param, lo: float | None, hi: float | None) -> np.ndarray:
        if lo is None:
            lo = p.lower if not math.isinf(p.lower) else -1e15
            if p.lower_open:
                lo = lo + 1 if p.integer else (np.nextafter(lo, np.inf) if lo != 0 else 1e-15)
        if hi is None:
            hi = p.upper if not math.isinf(p.upper) else max(1e15, p.typical[1] * 1e12)
            if p.upper_open:
                hi = hi - 1 if p.integer else np.nextafter(hi, -np.inf)
        if p.integer:
            lo = max(lo, p.lower)
            grid = np.unique(np.round(np.geomspace(max(lo, 1), hi, 400)))
            if lo < 1:
                grid = np.concatenate([[lo], grid])
            return grid
        if lo > 0 and hi / lo > 1e3:
            return np.geomspace(lo, hi, 600)
        return np.linspace(lo, hi, 600)

    def _boundary(
        self,
        name: str,
        predicate: Callable[[Mapping[str, np.ndarray]], np.ndarray],
        values: dict[str, np.ndarray],
        lo: float | None = None,
        hi: float | None = None,
    ) -> tuple[float, Literal["smallest", "largest"]] | None:
        p = self.param(name)
        grid = self._search_grid(p, lo, hi)

        def ok_at(x: np.ndarray) -> np.ndarray:
            v = dict(values)
            v[name] = np.asarray(x, dtype=float)
            return np.asarray(predicate(v), dtype=bool)

        flags = ok_at(grid)
        if flags.ndim > 1:
            raise BadInput(
                f"parameters other than {name} must be single numbers when solving ({self.name}).", name=name
            )
        if not flags.any():
            return None
        if flags[-1]:
            which: Literal["smallest", "largest"] = "smallest"
            bad = np.flatnonzero(~flags)
            if bad.size == 0:
                return float(grid[0]), which
            a, b = grid[bad[-1]], grid[bad[-1] + 1]
        else:
            which = "largest"
            good = np.flatnonzero(flags)
            a, b = grid[good[-1]], grid[good[-1] + 1]
        # bisect between a (one side) and b (the other side)
        fa = bool(ok_at(np.asarray(a)))
        for _ in range(200):
            if p.integer:
                if b - a <= 1:
                    break
                mid = math.floor((a + b) / 2)
            else:
                mid = math.sqrt(a * b) if a > 0 and b > 0 else (a + b) / 2
                if not (min(a, b) < mid < max(a, b)) or abs(b - a) <= 1e-13 * max(abs(a), abs(b)):
                    break
            if bool(ok_at(np.asarray(mid))) == fa:
                a = mid
            else:
                b = mid
        answer = b if (which == "smallest") else a
        return float(answer), which

    def solve_for(
        self,
        name: str,
        target: float,
        *,
        quantity: str | None = None,
        relation: str = "<=",
        lo: float | None = None,
        hi: float | None = None,
        **params: Any,
    ) -> Solution:
        """The smallest (or largest) value of ``name`` with ``quantity relation target``.

        Only points where every decidable hypothesis holds count, so ``solve_for("n", ...)``
        of a theorem returns the smallest sample size that both meets the target and satisfies
        the theorem's conditions. The search scans the parameter's domain on a log grid and
        bisects the last transition, so it assumes the condition is monotone near the answer.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> s = get("eq3.4").solve_for("eps", 4.0)
        >>> s.which, round(s.value, 4)
        ('smallest', 0.1668)
        """
        quantity = quantity or self.value
        if relation not in ("<=", ">="):
            raise BadInput(f"relation ({relation}) must be '<=' or '>=' ({self.name}).", name="relation")
        p = self.param(name)
        self._refuse_solved_value(name, params)
        given = {k: v for k, v in params.items() if k != name}
        probe = dict(given)
        probe[name] = _probe_value(p)
        values, _ = self.resolve(**probe)
        values.pop(name)
        if not (isinstance(target, (int, float)) and math.isfinite(target)):
            raise BadInput(f"target ({target}) must be a finite number ({self.name}).", name="target")
        fixed_defaults = {
            q.name
            for q in self.params
            if q.name not in given
            and q.name != name
            and q.default is not None
            and not isinstance(q.default, (int, float))
        }

        def predicate(v: Mapping[str, np.ndarray]) -> np.ndarray:
            vv = dict(v)
            for dn in fixed_defaults:  # defaults that depend on the solved parameter are recomputed
                vv.pop(dn, None)
            vv = self._fill_defaults(vv)
            q = np.asarray(self._evaluate(quantity, None, vv))
            ok = (q <= target) if relation == "<=" else (q >= target)
            ok = ok & np.isfinite(q)
            for c in self._conditions(vv):
                if c["holds"] is not None:
                    ok = ok & np.asarray(c["holds"], dtype=bool)
            return ok

        found = self._boundary(name, predicate, values, lo, hi)
        if found is None:
            from ._errors import HypothesisViolated

            raise HypothesisViolated(
                f"no {name} in {p.domain_text()} gives {quantity} {relation} {fmt_number(target)} with every "
                f"hypothesis of {self.name} holding at the other parameters given."
            )
        x, which = found
        vv = dict(values)
        vv[name] = np.asarray(x)
        vv = self._fill_defaults({k: v for k, v in vv.items() if k not in fixed_defaults})
        qv = float(np.asarray(self._evaluate(quantity, None, vv)))
        return Solution(
            id=self.id,
            name=name,
            value=x,
            which=which,
            quantity=quantity,
            quantity_value=qv,
            target=float(target),
            relation=relation,
            params={k: float(v) for k, v in vv.items() if np.ndim(v) == 0},
        )

    def _refuse_solved_value(self, name: str, params: Mapping[str, Any]) -> None:
        if name in params:
            v = params[name]
            shown = fmt_number(v) if isinstance(v, (int, float)) else v
            raise BadInput(
                f"{name} ({shown}) must not be given when solving for {name} ({self.name}); "
                f"drop {name}=... or solve for another parameter.",
                name=name,
            )

    def _fill_defaults(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = dict(values)
        for p in self.params:
            if p.name in out:
                continue
            if isinstance(p.default, (int, float)):
                out[p.name] = np.asarray(float(p.default))
                continue
            out[p.name] = self._default_value(p, out)
        return out

    def _default_value(self, p: Param, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """A default given as an expression of the parameters already known (overflow-safe)."""
        known = [q for q in self.params if q.name in values]
        expr = self._expanded_expr(p.default)
        fn = sp.lambdify([q.symbol for q in known], expr, modules=[NUMPY_FUNCTIONS, "numpy"])
        out, _ = _float_eval(
            fn,
            lambda: sp.lambdify([q.symbol for q in known], expr, modules=[MPMATH_FUNCTIONS, "mpmath"]),
            [values[q.name] for q in known],
        )
        return out

    def nonvacuous_region(self, name: str, **params: Any) -> Solution:
        """The end point of the range of ``name`` where the result is non-vacuous.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> r = get("eq3.2").nonvacuous_region("n", m=1000, d=2, alpha=0.05, L_hat=2, D=2, S=480)
        >>> r.which, r.value
        ('smallest', 944264.0)
        """
        p = self.param(name)
        self._refuse_solved_value(name, params)
        probe = {k: v for k, v in params.items() if k != name}
        probe[name] = _probe_value(p)
        values, _ = self.resolve(**probe)
        values.pop(name)
        fixed_defaults = {
            q.name
            for q in self.params
            if q.name not in params and q.default is not None and not isinstance(q.default, (int, float))
        }

        def predicate(v: Mapping[str, np.ndarray]) -> np.ndarray:
            vv = self._fill_defaults({k: x for k, x in v.items() if k not in fixed_defaults})
            return self._nonvacuous(vv)

        found = self._boundary(name, predicate, values)
        if found is None:
            from ._errors import HypothesisViolated

            raise HypothesisViolated(
                f"{self.name} is vacuous for every {name} in {p.domain_text()} at the other parameters given."
            )
        x, which = found
        return Solution(
            id=self.id,
            name=name,
            value=x,
            which=which,
            quantity="nonvacuous",
            quantity_value=1.0,
            target=1.0,
            relation="==",
            params={k: float(v) for k, v in values.items() if np.ndim(v) == 0},
        )

    # -- asymptotics ------------------------------------------------------------------------

    def exponents(
        self, quantity: str | None = None, variables: Iterable[str] | None = None, *, variant: str | None = None
    ) -> dict[str, sp.Expr]:
        """Asymptotic power-law exponents of a quantity, computed symbolically.

        For ``n, m, d`` the exponent is ``lim x d log f / dx`` as x -> oo; for fractions
        (``alpha``, ``beta``) it is the same limit as x -> 0+. Logarithmic factors give 0.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> get("thm3.8").exponents(variables=["n"])
        {'n': -1/2}
        """
        expr = self._expanded(quantity or self.value, variant)
        names = variables if variables is not None else [v for v in self.rate_variables if sym(v) in expr.free_symbols]
        return {v: _elasticity(expr, v) for v in names}

    def rate_terms(
        self,
        quantity: str | None = None,
        *,
        variant: str | None = None,
        variables: Iterable[str] | None = None,
        substitute: Mapping[str, str] | None = None,
        drop_dominated: bool = True,
    ) -> list[RateTerm]:
        """The additive terms of a quantity with their exponents (the Õ form of a bound).

        ``substitute`` renames variables first (Table 3.1 reads beta as c * alpha). Terms that
        are dominated by another term in every variable are dropped.
        """
        expr = self._expanded(quantity or self.value, variant)
        if substitute:
            expr = expr.xreplace({sym(a): sym(b) for a, b in substitute.items()})
        names = list(variables) if variables is not None else list(self.rate_variables)
        terms = [t for t in sp.Add.make_args(sp.expand(expr)) if t.free_symbols & {sym(v) for v in names}]
        out = [RateTerm(t, {v: _elasticity(t, v) for v in names}) for t in terms]
        if drop_dominated:
            out = [a for a in out if not any(b is not a and _dominates(b, a, names) for b in out)]
        return out


def _probe_value(p: Param) -> float:
    lo, hi = p.typical
    return float(round(lo)) if p.integer else float(lo)


_SMALL = frozenset({"alpha", "beta", "eps", "delta", "Delta"})


class NotPowerLaw(ValueError):
    """The expression is not a power law in the variable (e.g. exponential in it)."""


@functools.lru_cache(maxsize=1024)
def _elasticity(expr: sp.Expr, var: str) -> sp.Expr:
    """Leading power-law exponent of ``expr`` in ``var`` (x -> oo, or x -> 0+ for fractions).

    Computed structurally: products add exponents, powers scale them, sums keep the dominant one
    (the largest as x -> oo, the smallest as x -> 0+), logarithms count as Õ(1).
    """
    return sp.nsimplify(_degree(expr, sym(var), var in _SMALL))


def _degree(e: sp.Expr, x: sp.Symbol, at_zero: bool) -> sp.Expr:
    if x not in e.free_symbols:
        return sp.Integer(0)
    if e == x:
        return sp.Integer(1)
    dominant, other = (sp.Min, sp.Max) if at_zero else (sp.Max, sp.Min)
    if e.is_Mul:
        return sp.Add(*(_degree(a, x, at_zero) for a in e.args))
    if e.is_Pow:
        base, p = e.args
        if x in p.free_symbols:
            raise NotPowerLaw(f"{e} is not a power law in {x}.")
        return p * _degree(base, x, at_zero)
    if e.is_Add:
        return dominant(*(_degree(a, x, at_zero) for a in e.args))
    if isinstance(e, sp.Max):
        return dominant(*(_degree(a, x, at_zero) for a in e.args))
    if isinstance(e, sp.Min):
        return other(*(_degree(a, x, at_zero) for a in e.args))
    if isinstance(e, sp.log):
        return sp.Integer(0)
    if isinstance(e, (sp.ceiling, sp.floor, sp.Abs)):
        return _degree(e.args[0], x, at_zero)
    raise NotPowerLaw(f"{e} is not a power law in {x}.")


def _dominates(b: RateTerm, a: RateTerm, names: list[str]) -> bool:
    """b >= a asymptotically in every variable (and strictly in one): a can be dropped."""
    strict = False
    for v in names:
        ea, eb = a.exponents.get(v, 0), b.exponents.get(v, 0)
        if v in _SMALL:  # x -> 0: smaller exponent means larger term
            if eb > ea:
                return False
            strict |= bool(eb < ea)
        else:
            if eb < ea:
                return False
            strict |= bool(eb > ea)
    return strict
