"""The theorem registry: every numbered result of the dissertation as a calculator.

>>> from boundlab.bounds import get
>>> thm = get("thm3.1")
>>> sorted(thm.check(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=3**0.5, S=1.6,
...                  L_F=1, lambda_F=1, T=30, r0=1).items())[0]
('Assumption 3.1: smoothness of f and F (L_k, L, L_F)', None)
"""

from typing import TYPE_CHECKING

from ._errors import BadInput as BadInput
from ._errors import HypothesisViolated as HypothesisViolated
from ._errors import NotEvaluable as NotEvaluable
from ._index import INDEX as INDEX
from ._index import IndexEntry as IndexEntry
from ._registry import Registry as Registry
from ._registry import chapter_of as chapter_of

# Everything else is built with sympy when the chapter modules are imported (about a second), so it is
# loaded on first use: ``boundlab --help`` and ``boundlab list`` never pay for it (PEP 562).
_LAZY: dict[str, str] = {
    "REGISTRY": "_base",
    "AbstractBound": "_base",
    "AbstractItem": "_base",
    "AbstractStatement": "_base",
    "Evaluation": "_base",
    "Hypothesis": "_base",
    "Param": "_base",
    "RateTerm": "_base",
    "Solution": "_base",
    "fmt_number": "_base",
    "get": "_base",
    "get_bound": "_base",
    "register": "_base",
    "violation_message": "_base",
    "ERRATA": "_errata",
    "Erratum": "_errata",
    "register_erratum": "_errata",
    "TABLE_2_1": "_chapter2",
    "table21_gains": "_chapter2",
    "C_PROOF": "_chapter5",
    "C_VALID": "_chapter5",
    "exact_adv_rs": "_chapter5",
    "q_matrix": "_chapter5",
    "rademacher_abs_mean": "_chapter5",
    "sdp_value_bounds": "_chapter5",
    "quadratic_model_constants": "_models",
    "sym": "_symbols",
}
_CHAPTERS = ("_chapter2", "_chapter3", "_chapter4", "_chapter5")

if TYPE_CHECKING:  # type checkers see the real names; at run time they load on first use
    from ._base import (
        REGISTRY,
        AbstractBound,
        AbstractItem,
        AbstractStatement,
        Evaluation,
        Hypothesis,
        Param,
        RateTerm,
        Solution,
        fmt_number,
        get,
        get_bound,
        register,
        violation_message,
    )
    from ._chapter2 import TABLE_2_1, table21_gains
    from ._chapter5 import C_PROOF, C_VALID, exact_adv_rs, q_matrix, rademacher_abs_mean, sdp_value_bounds
    from ._errata import ERRATA, Erratum, register_erratum
    from ._models import quadratic_model_constants
    from ._symbols import sym


def _load() -> None:
    """Import every chapter module (which registers its results) and bind the lazy names."""
    import importlib

    for chapter in _CHAPTERS:
        importlib.import_module(f"{__name__}.{chapter}")
    for attr, module in _LAZY.items():
        globals()[attr] = getattr(importlib.import_module(f"{__name__}.{module}"), attr)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "REGISTRY",
    "INDEX",
    "IndexEntry",
    "ERRATA",
    "AbstractBound",
    "C_PROOF",
    "C_VALID",
    "Registry",
    "TABLE_2_1",
    "chapter_of",
    "exact_adv_rs",
    "fmt_number",
    "q_matrix",
    "rademacher_abs_mean",
    "sdp_value_bounds",
    "table21_gains",
    "AbstractItem",
    "AbstractStatement",
    "BadInput",
    "Erratum",
    "Evaluation",
    "Hypothesis",
    "HypothesisViolated",
    "NotEvaluable",
    "Param",
    "RateTerm",
    "Solution",
    "get",
    "get_bound",
    "quadratic_model_constants",
    "register",
    "register_erratum",
    "sym",
    "violation_message",
]
