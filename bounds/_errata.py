"""The errata registry: where a printed statement and its proof disagree, or the statement is false.

Each entry keeps the printed and the corrected variant as expressions in the parameters of the
registry item it concerns, so both evaluate side by side, and the evidence: a derivation
reference, and where there is one, a counterexample that :meth:`Erratum.verify` reproduces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import sympy as sp

from ._base import AbstractBound, get
from ._errors import BadInput
from ._registry import Registry

__all__ = ["Erratum", "ERRATA", "register_erratum"]

ErratumKind = Literal["mismatch", "false", "loose", "typo"]


@dataclasses.dataclass(frozen=True)
class Erratum:
    """One erratum.

    Attributes
    ----------
    id : str
        ``err<chapter>.<k>``.
    item : str
        Registry id of the result concerned.
    kind : {"mismatch", "false", "loose", "typo"}
        ``mismatch``: the printed statement and its proof disagree; ``false``: the printed statement
        is wrong (a counterexample exists); ``loose``: true but not what the proof gives; ``typo``:
        a misprint that changes a formula.
    printed, corrected : str
        The two variants in words / plain LaTeX.
    printed_expr, corrected_expr : sympy expression or None
        The variants as expressions in the item's parameters and quantities (None when textual).
    example : mapping
        Parameters at which ``boundlab errata`` evaluates both variants.
    check : callable or None
        Reproduces the counterexample or the derivation numerically; returns ``(ok, message)``.
    """

    id: str
    item: str
    title: str
    kind: ErratumKind
    source: str
    printed: str
    corrected: str
    evidence: str
    printed_expr: sp.Expr | None = None
    corrected_expr: sp.Expr | None = None
    example: Mapping[str, float] = dataclasses.field(default_factory=dict)
    check: Callable[[], tuple[bool, str]] | None = None

    @property
    def evaluable(self) -> bool:
        return self.printed_expr is not None and self.corrected_expr is not None

    def evaluate(self, **params: Any) -> dict[str, Any]:
        """Both variants at the given parameters (default: the entry's example).

        Examples
        --------
        >>> from boundlab.bounds import ERRATA
        >>> e = ERRATA["err3.3"]
        >>> {k: round(v, 4) for k, v in e.evaluate().items()}
        {'printed': 480.0, 'corrected': 21.9089}
        """
        if not self.evaluable:
            raise BadInput(f"erratum ({self.id}) is textual: it has no evaluable variants.", name="id")
        item = get(self.item)
        assert isinstance(item, AbstractBound)
        values, _ = item.resolve(**(params or dict(self.example)))
        args = [values[p.name] for p in item.params]
        out = {}
        for key, expr in (("printed", self.printed_expr), ("corrected", self.corrected_expr)):
            with np.errstate(all="ignore"):
                val = np.asarray(item._compiled_side(expr)(*args), dtype=float)
            out[key] = float(val) if val.ndim == 0 else val
        return out

    def verify(self) -> tuple[bool, str]:
        """Reproduce the evidence. Entries without a numeric check return ``(True, 'textual')``."""
        if self.check is None:
            return True, "textual: see the evidence"
        return self.check()

    def describe(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "item", "title", "kind", "source", "printed", "corrected", "evidence")}
        d["example"] = dict(self.example)
        d["evaluable"] = self.evaluable
        if self.evaluable:
            d["values"] = self.evaluate()
        return d


ERRATA: Registry[Erratum] = Registry("erratum", hint="`boundlab errata` lists them")


def register_erratum(e: Erratum) -> Erratum:
    """Add an erratum (duplicate ids raise)."""
    return ERRATA.add(e.id, e)
