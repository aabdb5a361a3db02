"""The theorem registry: every numbered result of the dissertation as a calculator.

>>> from boundlab.bounds import get
>>> thm = get("thm3.1")
>>> sorted(thm.check(n=1000, m=1000, d=2, alpha=0.05, D=2, L_hat=2, V=3**0.5, S=1.6,
...                  L_F=1, lambda_F=1, T=30, r0=1).items())[0]
('Assumption 3.1: smoothness of f and F (L_k, L, L_F)', None)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import BadInput as BadInput
from ._errors import HypothesisViolated as HypothesisViolated
from ._errors import NotEvaluable as NotEvaluable
from ._index import INDEX as INDEX
from ._index import IndexEntry as IndexEntry
from ._registry import Registry as Registry
from ._registry import chapter_of as chapter_of

# Everything else is built with sympy when the chapter modules are imported (about a second), so it is
# loaded on first use (PEP 562): ``boundlab --help`` and ``boundlab list`` never pay for it, and
# ``get("thm3.1")`` imports only the chapter that holds thm3.1.
_LAZY: dict[str, str] = {
    "REGISTRY": "_base",
    "AbstractBound": "_base",
    "AbstractItem": "_base",
    "AbstractStatement": "_base",
    "Evaluation": "_numeric",
    "Hypothesis": "_base",
    "Param": "_numeric",
    "RateTerm": "_base",
    "Solution": "_base",
    "fmt_number": "_numeric",
    "register": "_base",
    "violation_message": "_numeric",
    "ERRATA": "_errata",
    "Erratum": "_errata",
    "register_erratum": "_errata",
    "TABLE_2_1": "_chapter2",
    "table21_gains": "_chapter2",
    "C_PROOF": "_chapter5",
    "C_VALID": "_chapter5",
    "exact_adv_rs": "_chapter5",
    "q_matrix": "_chapter5",
    "rademacher_abs_mean": "_special",
    "sdp_value_bounds": "_chapter5",
    "quadratic_model_constants": "_models",
    "sym": "_symbols",
    "fast_bound": "_fast",
    "NeedSympy": "_fast",
}
#: Names that only mean something with every chapter registered (the registries and what adds to them:
#: a result registered before a chapter is imported would hide a duplicate id until then).
_NEED_ALL = frozenset({"REGISTRY", "ERRATA", "register", "register_erratum"})
_CHAPTERS = ("_chapter2", "_chapter3", "_chapter4", "_chapter5")
#: Registry and errata key -> position in _CHAPTERS of the chapter module that registered it.
_ORIGIN: dict[str, int] = {}

if TYPE_CHECKING:  # type checkers see the real names; at run time they load on first use
    from ._base import (
        REGISTRY,
        AbstractBound,
        AbstractItem,
        AbstractStatement,
        Hypothesis,
        RateTerm,
        Solution,
        register,
    )
    from ._chapter2 import TABLE_2_1, table21_gains
    from ._chapter5 import C_PROOF, C_VALID, exact_adv_rs, q_matrix, sdp_value_bounds
    from ._errata import ERRATA, Erratum, register_erratum
    from ._fast import NeedSympy, fast_bound
    from ._models import quadratic_model_constants
    from ._numeric import Evaluation, Param, fmt_number, violation_message
    from ._special import rademacher_abs_mean
    from ._symbols import sym


def _import_chapter(chapter: str) -> None:
    """Import one chapter module (which registers its results and errata), noting what it registered."""
    import importlib
    import sys

    if f"{__name__}.{chapter}" in sys.modules:
        return
    from ._base import REGISTRY as results
    from ._errata import ERRATA as errata

    before = {*results, *errata}
    importlib.import_module(f"{__name__}.{chapter}")
    rank = _CHAPTERS.index(chapter)
    _ORIGIN.update({key: rank for key in (*results, *errata) if key not in before})


def _load() -> None:
    """Import every chapter module and bind the lazy names.

    The registries then list the chapters' items in chapter order, whichever chapter was loaded
    first (by :func:`get`), and anything registered from elsewhere after them, as if every chapter
    had been imported at once.
    """
    import importlib

    for chapter in _CHAPTERS:
        _import_chapter(chapter)
    from ._base import REGISTRY as results
    from ._errata import ERRATA as errata

    for registry in (results, errata):
        registry.reorder(lambda key: _ORIGIN.get(key, len(_CHAPTERS)))
    for attr, module in _LAZY.items():
        globals()[attr] = getattr(importlib.import_module(f"{__name__}.{module}"), attr)


def _load_for(item_id: object) -> None:
    """Import the chapter module that registers ``item_id`` (every chapter when the index does not know it)."""
    entry = INDEX.get(str(item_id).strip().lower())
    if entry is None or f"_chapter{entry.chapter}" not in _CHAPTERS:
        _load()
    else:
        _import_chapter(f"_chapter{entry.chapter}")


def get(item_id: str) -> AbstractItem:
    """The registered item with this id, or a :class:`BadInput` naming close matches.

    Imports only the chapter module holding ``item_id`` (found in :data:`INDEX`); an id the index
    does not know (a result registered by the user, a typo) loads every chapter first, so the
    suggestions cover the whole registry.

    Examples
    --------
    >>> get("thm3.1").title
    'Median-based robust GD, strongly convex F'
    """
    from . import _base

    _load_for(item_id)
    try:
        return _base.get(item_id)
    except BadInput:
        if "REGISTRY" in globals():
            raise
    _load()  # the index is stale (the id moved): look again with everything registered
    return _base.get(item_id)


def get_bound(item_id: str) -> AbstractBound:
    """The registered result with a value under this id; :class:`NotEvaluable` for a definition, ...

    Loads like :func:`get`.

    Examples
    --------
    >>> get_bound("thm3.1").param_names[:3]
    ('n', 'm', 'd')
    """
    from . import _base

    get(item_id)
    return _base.get_bound(item_id)


def __getattr__(name: str) -> object:
    if name in _NEED_ALL:
        _load()
        return globals()[name]
    if name in _LAZY:
        import importlib

        module = _LAZY[name]
        if module.startswith("_chapter"):
            _import_chapter(module)
        value = globals()[name] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        return value
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
    "fast_bound",
    "NeedSympy",
]
