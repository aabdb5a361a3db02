"""The numeric core of a registered result, without sympy: parameters, validation, evaluation in
float64, conditions and the :class:`Evaluation` record.

:class:`NumericBound` owns the evaluation logic of :class:`~boundlab.bounds._base.AbstractBound`; it
reaches the compiled formulas only through four hooks (``_compiled``, ``_compiled_side``, ``_sides``'s
sides and ``_default_value``), so the sympy-built results and the generated fast path of
``boundlab eval`` (:mod:`boundlab.bounds._fast`) validate, evaluate and report in one and the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from ._errors import BadInput

if TYPE_CHECKING:
    import sympy as sp

__all__ = [
    "Param",
    "Evaluation",
    "NumericBound",
    "Side",
    "fmt_number",
    "violation_message",
]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": np.less_equal,
    "<": np.less,
    ">=": np.greater_equal,
    ">": np.greater,
}
_OP_WORDS = {"<=": "<=", "<": "<", ">=": ">=", ">": ">"}
_NEGATED = {"<=": ">", "<": ">=", ">=": "<", ">": "<="}


def fmt_number(x: float) -> str:
    """Format a number for messages: short fractions as fractions, the rest with 6 digits.

    Examples
    --------
    >>> fmt_number(0.5), fmt_number(1e6), fmt_number(0.123456789), fmt_number(1e-300)
    ('1/2', '1000000', '0.123457', '1e-300')
    """
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    frac = Fraction(x).limit_denominator(4)
    if abs(float(frac) - x) < 1e-15 * abs(x):  # relative: a tiny x is not the fraction 0/1
        return f"{frac.numerator}/{frac.denominator}"
    return f"{x:.6g}"


@dataclasses.dataclass(frozen=True)
class Param:
    """A declared parameter of a registered result.

    Parameters
    ----------
    name : str
        ASCII name following the dissertation's symbol (``alpha``, ``L_hat``, ``lambda_F``).
    description : str
        One line for ``boundlab show``.
    lower, upper : float
        Domain end points; ``lower_open`` / ``upper_open`` make them strict.
    integer : bool
        Whether the parameter is a count (``n``, ``m``, ``T``).
    typical : tuple of float
        A range of typical values, used by generic tests and the quick report.
    default : float, sympy expression or None
        ``None`` makes the parameter required. An expression in other parameters is computed
        from them (e.g. the tightest admissible ``eps``); ``default_note`` says so.
    """

    name: str
    description: str
    lower: float = -math.inf
    upper: float = math.inf
    lower_open: bool = False
    upper_open: bool = False
    integer: bool = False
    typical: tuple[float, float] = (1.0, 10.0)
    default: float | sp.Expr | str | None = None  # a str: the formula's text (generated fast path)
    default_note: str = ""

    @property
    def symbol(self) -> sp.Symbol:
        from ._symbols import sym

        return sym(self.name)

    @property
    def required(self) -> bool:
        return self.default is None

    def domain_text(self) -> str:
        lo = "(" if (self.lower_open or math.isinf(self.lower)) else "["
        hi = ")" if (self.upper_open or math.isinf(self.upper)) else "]"
        lo_v = "-inf" if math.isinf(self.lower) else fmt_number(self.lower)
        hi_v = "inf" if math.isinf(self.upper) else fmt_number(self.upper)
        kind = "an integer in " if self.integer else "in "
        return f"{kind}{lo}{lo_v}, {hi_v}{hi}"

    def contains(self, x: np.ndarray) -> np.ndarray:
        ok = np.ones(np.shape(x), dtype=bool)
        if not math.isinf(self.lower):
            ok &= (x > self.lower) if self.lower_open else (x >= self.lower)
        if not math.isinf(self.upper):
            ok &= (x < self.upper) if self.upper_open else (x <= self.upper)
        if self.integer:
            ok &= np.equal(np.floor(x), x)
        return ok

    def with_(self, **changes: Any) -> Param:
        """A copy with some fields changed (``P.alpha.with_(upper=1)``)."""
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Everything ``boundlab eval`` prints: value, named quantities and conditions."""

    id: str
    value: Any
    quantities: dict[str, Any]
    conditions: list[dict[str, Any]]
    exact: bool
    notes: list[str]
    params: dict[str, Any]
    nonvacuous: Any

    @property
    def violated(self) -> list[dict[str, Any]]:
        """The conditions that fail at one or more parameter points."""
        return [c for c in self.conditions if c["holds"] is not None and not np.all(c["holds"])]

    def to_frame(self) -> Any:
        """A pandas DataFrame with one row per parameter point (needs the ``pandas`` extra).

        Columns: every parameter, ``value``, every named quantity, ``holds`` (every decidable
        condition holds at that point: True, False, or None when none is decidable), ``violated``
        (the texts of the conditions that fail there, joined by "; ") and ``nonvacuous``.

        Examples
        --------
        >>> import numpy as np
        >>> from boundlab.bounds import get
        >>> get("eq3.4").assess(eps=np.array([0.05, 0.1, 0.15])).to_frame().shape[0]
        3
        """
        from ._frames import evaluation_frame

        return evaluation_frame(self)

    def to_json(self) -> dict[str, Any]:
        def conv(x: Any) -> Any:
            if x is None or isinstance(x, (bool, str)):
                return x
            a = np.asarray(x, dtype=float if np.asarray(x).dtype != bool else bool)
            if a.dtype == bool:
                return a.tolist() if a.ndim else bool(a)
            if a.ndim:
                return [conv(v) for v in a]
            v = float(a)
            return v if math.isfinite(v) else str(v)

        return {
            "id": self.id,
            "value": conv(self.value),
            "quantities": {k: conv(v) for k, v in self.quantities.items()},
            "conditions": [
                {
                    "text": c["text"],
                    "holds": conv(c["holds"]),
                    "lhs": conv(c.get("lhs")),
                    "rhs": conv(c.get("rhs")),
                    "op": c.get("op"),
                }
                for c in self.conditions
            ],
            "exact": self.exact,
            "nonvacuous": conv(self.nonvacuous),
            "params": {k: conv(v) for k, v in self.params.items()},
            "notes": list(self.notes),
        }


def violation_message(thm: NumericBound, c: Mapping[str, Any]) -> str:
    """One line naming a violated hypothesis with both sides, e.g. for exit code 3."""
    lhs, rhs = np.asarray(c["lhs"]), np.asarray(c["rhs"])
    holds = np.broadcast_to(np.asarray(c["holds"], dtype=bool), np.broadcast(lhs, rhs).shape)
    idx = tuple(np.argwhere(~holds)[0]) if holds.ndim else ()
    lv = float(np.broadcast_to(lhs, holds.shape)[idx])
    rv = float(np.broadcast_to(rhs, holds.shape)[idx])
    negated = {"<=": ">", "<": ">=", ">=": "<", ">": "<="}[c["op"]]
    where = f" (at grid index {idx})" if idx else ""
    return (
        f"{thm.name}: hypothesis violated{where}: {c['text']}: {c['lhs_expr']} = {fmt_number(lv)} {negated} "
        f"{c['rhs_expr']} = {fmt_number(rv)}."
    )


class Side(Protocol):
    """What the numeric core reads of a hypothesis or constraint: ``lhs op rhs`` and its texts."""

    text: str
    lhs: Any
    op: str
    rhs: Any
    source: str
    necessary: bool
    item: str
    rounding: float

    @property
    def decidable(self) -> bool: ...


class NumericBound:
    """Validation, float64 evaluation, conditions and vacuity of a result with a value.

    Subclasses provide the declarations (``params``, ``quantities``, ``value``, ``hypotheses``,
    ``constraints``, ``probability``, ``trivial``, ``exact``, ``id``, ``name``) and the compiled
    formulas: ``_compiled(quantity, variant, backend)`` and ``_compiled_side(side, backend)`` return
    functions of the parameters (in declaration order), ``backend`` ``"numpy"`` or ``"mpmath"``, and
    ``_default_value(param, known values)`` computes a default given as a formula.
    """

    id: ClassVar[str]
    params: ClassVar[tuple[Param, ...]]
    quantities: ClassVar[Any]  # names in order (a mapping name -> expression for the sympy results)
    value: ClassVar[str] = "value"
    hypotheses: ClassVar[Sequence[Any]] = ()
    constraints: ClassVar[Sequence[Any]] = ()
    exact: ClassVar[bool] = True
    probability: ClassVar[str | None] = None
    trivial: ClassVar[Any] = None
    name: Any  # "Theorem 3.1" (a property of the registry's items)

    def _compiled(self, quantity: str, variant: str | None, backend: str) -> Callable[..., Any]:
        raise NotImplementedError  # pragma: no cover

    def _compiled_side(self, expr: Any, backend: str = "numpy") -> Callable[..., Any]:
        raise NotImplementedError  # pragma: no cover

    def _default_value(self, p: Param, values: Mapping[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError  # pragma: no cover

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise BadInput(self._unknown_param_message(name), name=name)

    def _unknown_param_message(self, name: str) -> str:
        return f"parameter ({name}) must be one of {', '.join(self.param_names)} ({self.name})."

    def resolve(self, **params: Any) -> tuple[dict[str, np.ndarray], list[str]]:
        """Validate user parameters and compute defaults.

        Returns the full parameter mapping (float arrays) and notes about defaults used.
        Raises :class:`BadInput` for unknown, missing, non-numeric, non-finite or out-of-domain
        values, and for violated constraints.
        """
        names = set(self.param_names)
        for key in params:
            if key not in names:
                raise BadInput(self._unknown_param_message(key), name=key)
        values: dict[str, np.ndarray] = {}
        for p in self.params:
            if p.name not in params:
                continue
            raw = params[p.name]
            try:
                arr = np.asarray(raw, dtype=float)
            except (TypeError, ValueError):
                raise BadInput(f"{p.name} ({raw!r}) must be a number ({self.name}).", name=p.name) from None
            if not np.all(np.isfinite(arr)):
                bad = arr[~np.isfinite(arr)].flat[0] if arr.ndim else arr
                raise BadInput(f"{p.name} ({float(bad):g}) must be finite ({self.name}).", name=p.name)
            ok = p.contains(arr)
            if not np.all(ok):
                bad = arr[~ok].flat[0] if arr.ndim else arr
                raise BadInput(
                    f"{p.name} ({float(bad):g}) must be {p.domain_text()} ({self.name}: {p.description}).", name=p.name
                )
            values[p.name] = arr
        missing = [p for p in self.params if p.required and p.name not in values]
        if missing:
            p = missing[0]
            raise BadInput(
                f"parameter ({p.name}) is required ({self.name}: {p.description}); "
                f"missing: {', '.join(q.name for q in missing)}.",
                name=p.name,
            )
        notes: list[str] = []
        for p in self.params:
            if p.name in values:
                continue
            if isinstance(p.default, (int, float)):
                values[p.name] = np.asarray(float(p.default))
            else:
                values[p.name] = self._default_value(p, values)
            if p.default_note:
                notes.append(p.default_note)
        for c in self.constraints:
            lhs, rhs = self._sides(c, values)
            ok = _holds(c.op, lhs, rhs, c.rounding)  # an equality computed two ways must not fail by rounding
            if not np.all(ok):
                idx = (
                    np.unravel_index(
                        np.argmin(np.broadcast_to(ok, np.broadcast(lhs, rhs).shape)), np.broadcast(lhs, rhs).shape
                    )
                    if np.ndim(ok)
                    else ()
                )
                lv = np.broadcast_to(lhs, np.shape(ok))[idx]
                rv = np.broadcast_to(rhs, np.shape(ok))[idx]
                name = str(c.lhs)
                raise BadInput(
                    f"{name} ({float(lv):g}) must be {_OP_WORDS[c.op]} {c.rhs} "
                    f"({fmt_number(rv)}) ({self.name}: {c.text}).",
                    name=name,
                )
        return values, notes

    def _sides(self, h: Side, values: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        args = [values[p.name] for p in self.params]
        out = []
        for side in (h.lhs, h.rhs):
            value, _ = _float_eval(
                self._compiled_side(side), functools.partial(self._compiled_side, side, "mpmath"), args
            )
            out.append(value)
        return out[0], out[1]

    def _evaluate(
        self,
        quantity: str,
        variant: str | None,
        values: Mapping[str, np.ndarray],
        precision: int | None = None,
        *,
        strict: bool = False,
    ) -> Any:
        args = [values[p.name] for p in self.params]
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        if precision is None:
            out, beyond = _float_eval(
                self._compiled(quantity, variant, "numpy"), lambda: self._compiled(quantity, variant, "mpmath"), args
            )
            if strict and beyond is not None and np.any(beyond):  # searches (solve) just see +-inf
                self._refuse_beyond_float(quantity, values, beyond)
            out = np.broadcast_to(out, shape).copy() if out.shape != shape else out
            return out if out.ndim else float(out)
        import mpmath

        fn = self._compiled(quantity, variant, "mpmath")
        bargs = np.broadcast_arrays(*args) if args else []
        with mpmath.workdps(int(precision)):
            if not shape:
                return fn(*[mpmath.mpf(repr(float(a))) for a in args])
            result = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                result[idx] = fn(*[mpmath.mpf(repr(float(a[idx]))) for a in bargs])
            return result

    def _refuse_beyond_float(self, quantity: str, values: Mapping[str, np.ndarray], beyond: np.ndarray) -> None:
        """The value exceeds float64 at some point: name the parameter of largest magnitude there."""
        idx = tuple(int(i) for i in np.argwhere(beyond)[0])
        at = {p.name: float(np.broadcast_to(values[p.name], beyond.shape)[idx]) for p in self.params}
        name = max(at, key=lambda k: abs(math.log10(abs(at[k]))) if at[k] else 0.0)
        raise BadInput(
            f"{name} ({at[name]:g}) must keep {quantity} within float64 range (|{quantity}| > "
            f"{_FLOAT_MAX:.3g} here; evaluate with --precision for mpmath) ({self.name}).",
            name=name,
        )

    def check(self, **params: Any) -> dict[str, Any]:
        """Each hypothesis: True (holds), False (fails) or None (undecidable from the parameters).

        For grids the decidable entries are boolean arrays.

        Examples
        --------
        >>> from boundlab.bounds import get
        >>> get("thm3.8").check(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=3**0.5, S=1.6)["condition (3.2)"]
        True
        """
        values, _ = self.resolve(**params)
        return {c["text"]: c["holds"] for c in self._conditions(values)}

    def _conditions(self, values: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for h in self.hypotheses:
            if not h.decidable:
                out.append(
                    {
                        "text": h.text,
                        "holds": None,
                        "source": h.source,
                        "lhs": None,
                        "rhs": None,
                        "op": None,
                        "item": h.item,
                    }
                )
                continue
            lhs, rhs = self._sides(h, values)
            with np.errstate(invalid="ignore"):
                holds = np.asarray(_holds(h.op, lhs, rhs, h.rounding) & np.isfinite(lhs) & np.isfinite(rhs))
            if h.necessary:  # only a failure is decisive; True entries of an array mean "not refuted"
                verdict: Any = None if np.all(holds) else (holds if holds.ndim else False)
            else:
                verdict = holds if holds.ndim else bool(holds)
            out.append(
                {
                    "text": h.text,
                    "holds": verdict,
                    "source": h.source,
                    "lhs": lhs,
                    "rhs": rhs,
                    "op": h.op,
                    "lhs_expr": str(h.lhs),
                    "rhs_expr": str(h.rhs),
                    "necessary": h.necessary,
                    "item": h.item,
                }
            )
        return out

    def assess(self, *, variant: str | None = None, **params: Any) -> Evaluation:
        """Value, every quantity, every condition with both sides, and vacuity, in one record."""
        values, notes = self.resolve(**params)
        quantities = {q: self._evaluate(q, None, values) for q in self.quantities if q != self.value}
        value = self._evaluate(self.value, variant, values, strict=True)
        conditions = self._conditions(values)
        return Evaluation(
            id=self.id,
            value=value,
            quantities=quantities,
            conditions=conditions,
            exact=self.exact,
            notes=notes,
            params={k: (v if np.ndim(v) else float(v)) for k, v in values.items()},
            nonvacuous=self._nonvacuous(values, conditions, value),
        )

    def _nonvacuous(
        self, values: Mapping[str, np.ndarray], conditions: list[dict[str, Any]] | None = None, value: Any = None
    ) -> Any:
        conditions = self._conditions(values) if conditions is None else conditions
        value = self._evaluate(self.value, None, values) if value is None else value
        ok = np.isfinite(value)
        for c in conditions:
            if c["holds"] is not None:
                ok = ok & np.asarray(c["holds"], dtype=bool)
        if self.probability is not None:
            ok = ok & (np.asarray(self._evaluate(self.probability, None, values)) > 0)
        if self.trivial is not None:
            fn = self._compiled_side(self.trivial)
            with np.errstate(all="ignore"):
                triv = np.asarray(fn(*[values[p.name] for p in self.params]), dtype=float)
            ok = ok & (np.asarray(value) < triv)
        ok = np.asarray(ok)
        return ok if ok.ndim else bool(ok)


_FLOAT_MAX = float(np.finfo(float).max)


def _float_eval(
    np_fn: Callable[..., Any], mp_fn: Callable[[], Callable[..., Any]], args: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Evaluate ``np_fn(*args)`` in float64, redoing in mpmath the entries an overflow spoiled.

    When float64 overflows somewhere (e.g. ``n m L_hat D`` with n = 1e308), the entries that came
    out non-finite are evaluated again in mpmath (30 digits; ``mp_fn()`` builds the function). A
    finite answer within float range replaces the float one; an answer beyond it becomes +-inf and
    is flagged in the returned mask; NaN, complex or an mpmath error keeps the float64 entry (a
    genuine NaN, e.g. a quantile outside (0, 1) when a hypothesis fails).

    Returns
    -------
    out : ndarray
        The values (shape of the broadcast arguments, or of ``np_fn``'s result).
    beyond : ndarray of bool or None
        True where the exact value lies beyond float64's range (None when nothing overflowed).
    """
    flagged: list[bool] = []
    with np.errstate(all="ignore", over="call", divide="call", under="call", call=lambda *_: flagged.append(True)):
        out = np.asarray(np_fn(*args), dtype=float)
    if np.all(np.isfinite(out)) or not (flagged or np.any(np.isinf(out))):
        return out, None
    shape = np.broadcast_shapes(out.shape, *(np.shape(a) for a in args))
    out = np.array(np.broadcast_to(out, shape), dtype=float)
    bargs = [np.broadcast_to(np.asarray(a, dtype=float), shape) for a in args]
    beyond = np.zeros(shape, dtype=bool)
    fn = mp_fn()
    import mpmath  # only here: an overflow to redo at higher precision

    # enough digits that 1 - eps with eps = 1e-300 is not rounded to 1
    exponents = [abs(math.log10(abs(float(x)))) for a in args for x in np.ravel(a) if x and math.isfinite(x)]
    with mpmath.workdps(30 + int(max(exponents, default=0.0))):
        for idx in zip(*np.nonzero(~np.isfinite(out))) if shape else [()]:
            try:
                v = fn(*[mpmath.mpf(repr(float(a[idx]))) for a in bargs])
                if isinstance(v, mpmath.mpc):
                    if v.imag != 0:
                        continue
                    v = v.real
                v = mpmath.mpf(v)
            except (ArithmeticError, ValueError, TypeError):
                continue
            if mpmath.isnan(v) or mpmath.isinf(v):
                continue
            if abs(v) > _FLOAT_MAX:
                out[idx], beyond[idx] = math.copysign(math.inf, float(mpmath.sign(v))), True
            else:
                out[idx] = float(v)
    return out, beyond


def _holds(op: str, lhs: np.ndarray, rhs: np.ndarray, rounding: float = 0.0) -> np.ndarray:
    """``lhs op rhs`` where non-strict comparisons forgive the last bits of floating point.

    A defaulted eps = 1/2 - lhs makes (3.2) an equality that must not fail by one rounding; the
    rounding of ``1/2 - eps`` is at the scale of 1/2, not of the sides, hence ``rounding``.
    """
    if op in ("<=", ">="):
        slack = 4 * np.finfo(float).eps * np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), rounding)
        return (lhs <= rhs + slack) if op == "<=" else (lhs + slack >= rhs)
    return _OPS[op](lhs, rhs)
