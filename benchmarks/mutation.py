r"""Mutation testing of the theorem registry (``bounds/``) and of the SDP certificate's margin.

Each mutant changes one token of one source file; the relevant tests run against it in a forked
child that serves the mutated source through an import hook. A mutant is *killed* when a test (or a
doctest of the mutated module) fails, when importing the mutated module raises, or when the run
exceeds the timeout; it *survives* when every selected test passes. The script prints every
survivor (file:line, the original and the mutated source line) and the score killed / total per file
and overall. It is a benchmark-style tool, not run by CI.

What is mutated
---------------
In every ``bounds/*.py`` (the default set also includes ``certify/_sdp.py``, see below):

* numeric literals (``int`` and ``float``, never ``bool``), one or two realistic typos each:
  ``0 -> 1``; ``1 -> 2``; an integer ``c >= 2`` becomes ``c/2`` (even) or ``c - 1`` (odd) and ``2c``
  (``4 -> 2``, ``2 -> 1``, ``3 -> 2``; so ``Rational(1, 2) -> Rational(1, 4)`` and
  ``exp(-2t) -> exp(-t)``); a float ``c`` becomes ``c/2`` and ``2c``;
* arithmetic operators, one swap each: ``+ <-> -``, ``* <-> /``, ``** -> *`` (also in ``+=`` etc.);
* unary minus: ``-x -> x``.

In ``certify/_sdp.py`` only the floating-point safety margin of :func:`certificate` is mutated: the
statements that compute ``delta`` (the eigenvalue margin ``4 N u ||A||_F``), ``diag_err`` and the
returned ``total (1 + (N + 3) u) + entry_error (1 + 1e-6)``, with the operators above plus three
whole-term mutants: the margin ``delta`` set to 0, the rounding factor ``(1 + (N + 3) u)`` set to 1,
and the construction-error term set to 0.

What is skipped (cannot change a computed result, or is not a constant of a result)
---------------------------------------------------------------------------------
* docstrings, comments, string literals and everything inside f-strings (messages);
* ``Param(...)`` / ``.with_(...)`` arguments except ``default=``, and ``Param``'s own field defaults
  (``lower``, ``upper``, ``typical``): domain end points only decide whether an input is rejected,
  ``typical=`` ranges only feed generic tests and the quick report;
* ``example=`` configurations, module constants named ``example``, ``MODEL_*``, ``*_EXAMPLE`` or ``_CE_*``
  (inputs at which results are evaluated, and counterexample data), ``source=`` line numbers, and
  ``monotone=`` declarations (the signs the generic tests check, not a computed value);
* witness data of erratum evidence functions (``_check_*`` and ``check=`` lambdas): a literal that is a
  plain value there (a default argument, an element of a data array, a sample size, a call argument,
  or a constant written as arithmetic such as ``10**6``) is the counterexample's data; a check is an
  existence proof and any data with the property serves. Their formulas and thresholds (literals and
  operators inside arithmetic or comparisons) are mutated;
* subscript indices and slices, random seeds (``default_rng(...)``), ``maxsize=`` of caches,
  ``rel_tol=`` / ``abs_tol=`` / ``rounding=`` and the body of ``_holds`` (comparison tolerances), float
  literals below 1e-6 in magnitude (rounding tolerances and underflow guards such as ``1e-300``),
  ``nargs``, decorators;
* conditions of input guards (an ``if`` whose body only raises) and ``raise`` statements;
* presentation code: ``fmt_number``, ``latex`` / ``_latex``, ``describe``, ``domain_text``, ``to_json``,
  ``monomial``, ``_ascii_rate``, ``_sorted_terms``, ``rate_rows``, ``_unknown_param_message``.

``--list`` prints every mutant and the number of skipped literals per rule. Survivors that are
genuinely equivalent (no output can change) are matched against :data:`EQUIVALENT` (one entry per
argument, with its reason) and marked in the report; so is a surviving mutant of an evidence function
whose check, called with its default arguments (as ``Erratum.verify`` calls it), returns exactly the
same verdict and message as the unmutated one. They still count as survivors in the first score column;
the second column leaves them out.

Which tests run against a mutant
--------------------------------
``tests/test_docs.py`` never counts (it compares generated pages). ``bounds/_chapterN.py`` ->
``tests/test_constants_chN.py``, ``tests/test_chapterN.py``, ``tests/test_errata.py``,
``tests/test_registry.py``; ``_models.py`` and ``_symbols.py`` -> the chapter 3 files; ``_special.py`` ->
the chapter 5 files; ``_fast.py`` -> ``tests/test_fast_eval.py``; ``_errata.py``, ``_base.py``,
``_numeric.py``, ``_registry.py`` -> every chapter's files (``_numeric.py`` also the fast path's tests); ``certify/_sdp.py`` ->
``tests/test_constants_certify.py`` and ``tests/test_sdp.py``. The doctests of the mutated module run
first. Tests that fail or do not collect on the unmutated tree (other engineers edit it concurrently)
are deselected and listed. Within those files:

* ``tests/test_registry.py`` (parametrised by registry id) runs only for the items whose declaration
  the mutant changed: a fingerprint (srepr of every expression, parameter, hypothesis; every erratum's
  variants) compared with the unmutated registry, plus the items that call a sympy function defined in
  the mutated module. For ``_base.py`` and ``_numeric.py`` every item runs, without the two hypothesis-driven generic tests
  (:data:`SLOW_GENERIC_TESTS`, 40 examples per item: ~30 s a mutant).
* The unmutated run traces, per test, the lines it executes in the mutated files and the registry
  items and errata whose methods it calls (``sys.settrace``). In-place files (chapters, ``_models.py``):
  a mutant in a function or class body runs the tests that execute its line or use an item or erratum
  whose fingerprint changed; a mutant of module-level code runs every test of its files. Isolated
  files: a mutant in a function body that does not run while boundlab is imported runs the tests that
  execute its line. A function-body mutant that no test reaches survives without running anything.

Design
------
The parent imports numpy, scipy, sympy, mpmath, pytest and hypothesis once. Two paths:

* *isolated* (``_base.py``, ``_symbols.py``, ``_errata.py``, ``_registry.py``, ``certify/_sdp.py``; every
  file with ``--isolated``): before boundlab is imported anywhere, each mutant runs in a ``fork()``-ed
  child that installs an :class:`importlib.abc.MetaPathFinder` serving the mutated source for the
  target module (``boundlab.bounds._base`` lives in ``bounds/_base.py``: setuptools ``package-dir``),
  imports the package afresh and calls ``pytest.main([...node ids..., "-x", "-q", "-p",
  "no:cacheprovider"])`` with its output sent to /dev/null;
* *in place* (the chapter modules and ``_models.py``, most of the mutants): the parent runs one pytest
  session that collects once and runs the tests unmutated (traced); each child unregisters the module's
  items and errata, executes the mutated source in the live module object, rebinds the names other
  modules and direct parametrisations took from it, and runs the selected items with -x.

``--jobs`` children run at a time, each under ``--timeout`` (a timeout counts as a kill). Set
``BOUNDLAB_MUTATION_LOG=path`` to append each survivor to a file as it happens; Ctrl-C reports the
mutants that finished.

Usage
-----
``python benchmarks/mutation.py`` (all files), ``--files bounds/_chapter3.py certify/_sdp.py``,
``--limit 20`` (the first 20 mutants of each file), ``--only _chapter3.py:374`` (mutants whose key
contains the text), ``--jobs 2``, ``--timeout 180``, ``--list`` (list mutants without running them),
``--json out.json`` (write every outcome), ``--isolated`` (a fresh import per mutant everywhere).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # two children share two cores; forked BLAS threads deadlock

import argparse
import ast
import dataclasses
import importlib
import importlib.abc
import importlib.util
import json
import re
import shutil
import signal
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: setuptools package-dir of pyproject.toml: folder -> import name.
PACKAGE_DIRS: dict[str, str] = {
    "bounds": "boundlab.bounds",
    "certify": "boundlab.certify",
    "montecarlo": "boundlab.montecarlo",
    "src/boundlab": "boundlab",
}

DEFAULT_FILES: tuple[str, ...] = ("bounds/*.py", "certify/_sdp.py")

DISPLAY_FUNCTIONS = frozenset(
    {
        "fmt_number",
        "latex",
        "_latex",
        "describe",
        "domain_text",
        "to_json",
        "monomial",
        "_ascii_rate",
        "_sorted_terms",
        "rate_rows",
        "_unknown_param_message",
    }
)
SKIPPED_KEYWORDS = frozenset(
    {
        "typical",
        "source",
        "example",
        "monotone",
        "maxsize",
        "rel_tol",
        "abs_tol",
        "rounding",
        "default_note",
        "stacklevel",
        "description",
    }
)
CONFIG_NAME = re.compile(r"^(example|monotone|MODEL_\w*|\w*_EXAMPLE\w*|_CE_\w*)$")
DOMAIN_FIELDS = frozenset({"lower", "upper", "typical", "rounding"})  # Param's / Hypothesis's field defaults
TOLERANCE_FUNCTIONS = frozenset({"_holds"})  # the comparison slack of non-strict hypotheses (4 ulps)
TINY = 1e-6
EVIDENCE_PREFIX = "_check_"  # erratum evidence functions (Erratum.check) in bounds/
LIVE_LOG: str | None = os.environ.get("BOUNDLAB_MUTATION_LOG")  # survivors appended as they happen


@dataclasses.dataclass(frozen=True)
class Equivalent:
    """Survivors that cannot change any output, with the argument: mutants in ``file`` whose scope matches
    ``scope``, whose original source line contains a match of ``line`` and whose change ``old->new``
    matches ``change``."""

    file: str
    scope: str
    line: str
    change: str
    reason: str

    def matches(self, m: Mutant, before: str) -> bool:
        return (
            m.file == self.file
            and re.fullmatch(self.scope, m.scope) is not None
            and re.search(self.line, before) is not None
            and re.fullmatch(self.change, f"{m.original}->{m.replacement}") is not None
        )


#: Kept small; each entry is an argument, not a convenience (filled from the survivors of a full run).
EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent("bounds/_chapter2.py", "<module>", r"^HALF = ", ".*", "HALF is never used in this module"),
    Equivalent("bounds/_chapter5.py", "<module>", r"^HALF = ", ".*", "HALF is never used in this module"),
    Equivalent(
        "bounds/_chapter2.py",
        "Thm210",
        r"_eta_default\(beta \+ lam\)",
        r"\+->-",
        "_eta_default ignores its argument: the default eta is 1 - Gamma_holds, from the quantities",
    ),
    Equivalent(
        "bounds/_chapter4.py",
        "Prop41",
        r"the class is 1-smooth",
        "1->2",
        "Delta <= 1 by the parameter's domain, so sqrt(Delta) <= 1 < 2 always",
    ),
    Equivalent(
        "bounds/_chapter4.py",
        "Lem45|Thm45",
        r'"alpha <= 1/4"',
        ".*",
        "the parameter's domain already enforces alpha <= 1/4: a weaker bound cannot fail either",
    ),
    Equivalent(
        "bounds/_chapter5.py",
        "_relu_net_max_increase",
        r"^verts = ",
        ".*",
        "the vertex set x + eps {-1, 1}^d is symmetric, and 1/(+-1) = +-1",
    ),
    Equivalent(
        "bounds/_chapter5.py",
        "_adv_sup_brute|exact_adv_rs",
        r"np.abs\(u\) - v|u - v\[:, None\] \* np.sign",
        r"-->\+",
        "sigma -> -sigma maps (u, v) to (-u, -v): the mean over all sign vectors is the same with +v "
        "(err5.1's corrected text states (|u| - v 1)_+ = (|u| + v 1)_+ in expectation)",
    ),
    Equivalent(
        "bounds/_models.py",
        "model_g_nu3",
        r"^y = c \* x1 \+ xi",
        r"\+->-",
        "xi ~ N(0, sigma^2) is symmetric, and so are its Gauss-Hermite nodes and weights",
    ),
    Equivalent(
        "bounds/_symbols.py",
        "NormalQuantile.fdiff",
        r"argindex: int = 1",
        "1->2",
        "sympy always passes argindex to fdiff",
    ),
    Equivalent(
        "bounds/_base.py",
        "_dominates",
        r"exponents.get\(v, 0\)",
        "0->1",
        "rate_terms gives every term an exponent for every variable: the default is never read",
    ),
    Equivalent(
        "certify/_sdp.py",
        "certificate",
        r"_entry_error\(Qv\) \* \(1.0 \+ 1e-6\)",
        r"\*->/|\+->-|1e-6->.*",
        "a relative 1e-6 of the construction error (~N u |Q|) is below one ulp of the certificate unless N > 1e6",
    ),
)

#: The margin of the SDP certificate: the only part of certify/_sdp.py that is mutated.
MARGIN_FUNCTION = "certificate"
MARGIN_TARGETS = frozenset({"delta", "diag_err", "<return>"})


# ---------------------------------------------------------------------------------------------
# Mutants
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One token replaced in one file.

    ``start`` / ``end`` are character offsets into the file's text; ``original`` is the replaced
    text and ``replacement`` what replaces it.
    """

    file: str
    line: int
    start: int
    end: int
    original: str
    replacement: str
    kind: str
    scope: str
    end_line: int = 0
    where: str = "function"  # "module", "class" (runs at import) or "function" (runs when called)

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}:{self.start}:{self.original}->{self.replacement}"

    def apply(self, text: str) -> str:
        """The file's text with this mutant applied."""
        assert text[self.start : self.end] == self.original, (self.key, text[self.start : self.end])
        return text[: self.start] + self.replacement + text[self.end :]

    def lines(self, text: str) -> tuple[str, str]:
        """The source line before and after the mutation (stripped)."""
        lo = text.rfind("\n", 0, self.start) + 1
        hi = text.find("\n", self.end)
        hi = len(text) if hi < 0 else hi
        before = text[lo:hi]
        after = before[: self.start - lo] + self.replacement + before[self.end - lo :]
        return before.strip(), after.strip()


def number_mutations(value: float) -> list[float]:
    """One or two realistic typos of a numeric literal (see the module docstring).

    Examples
    --------
    >>> number_mutations(4), number_mutations(3), number_mutations(1), number_mutations(0), number_mutations(0.5)
    ([2, 8], [2, 6], [2], [1], [0.25, 1.0])
    """
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        if value == 0:
            return [1]
        if value == 1:
            return [2]
        if value >= 2:
            return [value // 2 if value % 2 == 0 else value - 1, 2 * value]
        return [value // 2 if value % 2 == 0 else value + 1, 2 * value]
    if value == 0.0:
        return [1.0]
    return [value / 2, value * 2]


_OP_SWAP: dict[type, tuple[str, str]] = {
    ast.Add: ("+", "-"),
    ast.Sub: ("-", "+"),
    ast.Mult: ("*", "/"),
    ast.Div: ("/", "*"),
    ast.Pow: ("**", "*"),
}


class _Source:
    """A file's text with conversions from ast positions (utf-8 byte columns) to character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.lines = text.splitlines(keepends=True)

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode()[:col].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),
        )  # type: ignore[attr-defined]


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    out: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[child] = node
    return out


def _ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    chain = []
    while node in parents:
        node = parents[node]
        chain.append(node)
    return chain


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")


def _is_docstring(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    return isinstance(parent, ast.Expr) and isinstance(getattr(parent, "value", None), ast.Constant)


def _constant_expression(node: ast.AST) -> bool:
    return all(isinstance(n, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop)) for n in ast.walk(node))


def _witness_data(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """A literal (or the sign of one) inside an erratum's evidence function that is a plain value: a default
    argument, an element of a data array, an assigned size, a call argument; not an operand of arithmetic
    or of a comparison (those are the evidence's formulas and thresholds, and are mutated)."""
    chain = _ancestors(node, parents)
    funcs = [a for a in chain if isinstance(a, (ast.FunctionDef, ast.Lambda))]
    in_check = any(isinstance(f, ast.FunctionDef) and f.name.startswith(EVIDENCE_PREFIX) for f in funcs) or any(
        isinstance(a, ast.keyword) and a.arg == "check" for a in chain
    )
    if not in_check:
        return False
    for anc in chain:
        if isinstance(anc, ast.BinOp) and _constant_expression(anc):
            continue  # 10**6: a number written as arithmetic
        if isinstance(anc, (ast.BinOp, ast.Compare, ast.BoolOp, ast.AugAssign)):
            return False
        if isinstance(anc, ast.UnaryOp) and not isinstance(anc.op, ast.USub):
            return False
        if isinstance(anc, (ast.stmt, ast.arguments)):
            return True
    return True


def skip_reason(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """Why a literal or operator is not mutated, or None when it is (the rules of the module docstring)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, float) and 0 < abs(node.value) < TINY:
        return "tolerance or underflow guard"
    signed_literal = not isinstance(node, ast.UnaryOp) or isinstance(node.operand, ast.Constant)
    if isinstance(node, (ast.Constant, ast.UnaryOp)) and signed_literal and _witness_data(node, parents):
        return "witness data of an erratum check"
    if isinstance(node, ast.BinOp) and _constant_expression(node) and _witness_data(node, parents):
        return "witness data of an erratum check"
    child = node
    for anc in _ancestors(node, parents):
        if isinstance(anc, ast.JoinedStr):
            return "message text"
        if isinstance(anc, ast.Subscript) and child is anc.slice:
            return "index"
        if isinstance(anc, ast.keyword) and anc.arg in SKIPPED_KEYWORDS:
            return f"{anc.arg}="
        if isinstance(anc, ast.Dict) and child in anc.values:
            key = anc.keys[anc.values.index(child)]
            if isinstance(key, ast.Constant) and key.value in SKIPPED_KEYWORDS:
                return f"{key.value}="
        if isinstance(anc, ast.keyword) and anc.arg == "default":
            return None  # a Param default is a computed value
        if isinstance(anc, ast.Call) and _call_name(anc) in ("Param", "with_"):
            return "parameter domain"
        if isinstance(anc, ast.Call) and _call_name(anc) == "default_rng":
            return "random seed"
        if isinstance(anc, (ast.Assign, ast.AnnAssign)):
            targets = anc.targets if isinstance(anc, ast.Assign) else [anc.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any(CONFIG_NAME.match(n) for n in names):
                return "configuration"
            if isinstance(anc, ast.AnnAssign) and any(n in DOMAIN_FIELDS for n in names):
                return "parameter domain"
            if any(n in ("nargs", "__all__") for n in names):
                return "structure"
        if isinstance(anc, ast.Raise):
            return "error path"
        if isinstance(anc, ast.If) and child is anc.test and all(isinstance(s, ast.Raise) for s in anc.body):
            return "input guard"
        if isinstance(anc, (ast.FunctionDef, ast.ClassDef)):
            if child in anc.decorator_list:
                return "decorator"
            if isinstance(anc, ast.FunctionDef) and anc.name in DISPLAY_FUNCTIONS:
                return "presentation"
            if isinstance(anc, ast.FunctionDef) and anc.name in TOLERANCE_FUNCTIONS:
                return "tolerance or underflow guard"
        child = anc
    return None


def _where(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    chain = _ancestors(node, parents)
    if any(isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) for a in chain):
        return "function"
    return "class" if any(isinstance(a, ast.ClassDef) for a in chain) else "module"


def _scope_name(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    names = [a.name for a in _ancestors(node, parents) if isinstance(a, (ast.FunctionDef, ast.ClassDef))]
    return ".".join(reversed(names)) or "<module>"


def _operator_span(src: _Source, node: ast.BinOp | ast.AugAssign, symbol: str) -> tuple[int, int] | None:
    """Character span of the operator token between the two operands (outside comments)."""
    if isinstance(node, ast.BinOp):
        lo = src.span(node.left)[1]
        hi = src.span(node.right)[0]
    else:
        lo = src.span(node.target)[1]
        hi = src.span(node.value)[0]
        symbol += "="
    gap = src.text[lo:hi]
    i = 0
    while i < len(gap):
        if gap[i] == "#":
            j = gap.find("\n", i)
            i = len(gap) if j < 0 else j
            continue
        if gap.startswith(symbol, i) and not (symbol == "*" and gap.startswith("**", i)):
            return lo + i, lo + i + len(symbol)
        i += 1
    return None


def _is_string_arith(node: ast.BinOp) -> bool:
    return any(
        isinstance(x, ast.JoinedStr) or (isinstance(x, ast.Constant) and isinstance(x.value, str))
        for x in (node.left, node.right)
    )


def _margin_statement(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` lies in the margin statements of :func:`certificate` (certify/_sdp.py)."""
    chain = _ancestors(node, parents)
    funcs = [a for a in chain if isinstance(a, ast.FunctionDef)]
    if not funcs or funcs[0].name != MARGIN_FUNCTION:
        return False
    for a in chain:
        if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id in MARGIN_TARGETS for t in a.targets):
            return True
        if isinstance(a, ast.Return) and "<return>" in MARGIN_TARGETS and a is funcs[0].body[-1]:
            return True
    return False


def _margin_whole_term_mutants(rel: str, src: _Source, tree: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[Mutant]:
    """The margin set to 0, the rounding factor set to 1 and the construction-error term set to 0."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or node.name != MARGIN_FUNCTION:
            continue
        for stmt in ast.walk(node):
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "delta" for t in stmt.targets):
                s, e = src.span(stmt.value)
                out.append(Mutant(rel, stmt.lineno, s, e, src.text[s:e], "0.0", "margin", MARGIN_FUNCTION))
            if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.BinOp):
                left, right = stmt.value.left, stmt.value.right
                if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mult):
                    s, e = src.span(left.right)
                    s, e = _widen_parens(src.text, s, e)
                    out.append(Mutant(rel, stmt.lineno, s, e, src.text[s:e], "1.0", "margin", MARGIN_FUNCTION))
                s, e = src.span(right)
                out.append(Mutant(rel, stmt.lineno, s, e, src.text[s:e], "0.0", "margin", MARGIN_FUNCTION))
    return out


def _widen_parens(text: str, s: int, e: int) -> tuple[int, int]:
    while s > 0 and e < len(text) and text[s - 1] == "(" and text[e] == ")":
        s, e = s - 1, e + 1
    return s, e


def generate(path: Path, *, skipped: Counter | None = None) -> list[Mutant]:
    """Every mutant of one file, in source order. ``skipped`` counts the skipped literals by reason."""
    rel = path.relative_to(ROOT).as_posix()
    src = _Source(path.read_text())
    tree = ast.parse(src.text)
    parents = _parents(tree)
    margin_only = rel.startswith("certify/")
    out: list[Mutant] = []
    for node in ast.walk(tree):
        candidate = (
            (
                isinstance(node, ast.Constant)
                and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool)
            )
            or (isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _OP_SWAP)
            or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))
        )
        if not candidate or _is_docstring(node, parents):
            continue
        if margin_only and not _margin_statement(node, parents):
            continue
        reason = skip_reason(node, parents)
        if reason is None and isinstance(node, ast.BinOp) and _is_string_arith(node):
            reason = "message text"
        if reason is not None:
            if skipped is not None:
                skipped[reason] += 1
            continue
        out.extend(_node_mutants(rel, src, node, parents))
    if margin_only:
        out.extend(_margin_whole_term_mutants(rel, src, tree, parents))
    return sorted(out, key=lambda m: (m.start, m.replacement))


def _node_mutants(rel: str, src: _Source, node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Iterator[Mutant]:
    scope, where = _scope_name(node, parents), _where(node, parents)
    end = getattr(node, "end_lineno", node.lineno)  # type: ignore[attr-defined]
    if isinstance(node, ast.Constant):
        s, e = src.span(node)
        for new in number_mutations(node.value):
            yield Mutant(rel, node.lineno, s, e, src.text[s:e], repr(new), "number", scope, end, where)
    elif isinstance(node, (ast.BinOp, ast.AugAssign)):
        symbol, new = _OP_SWAP[type(node.op)]
        span = _operator_span(src, node, symbol)
        if span is not None:
            s, e = span
            suffix = "=" if isinstance(node, ast.AugAssign) else ""
            yield Mutant(rel, node.lineno, s, e, src.text[s:e], new + suffix, "operator", scope, end, where)
    elif isinstance(node, ast.UnaryOp):
        s, _ = src.span(node)
        if src.text[s] == "-":
            yield Mutant(rel, node.lineno, s, s + 1, "-", "", "unary", scope, end, where)


def module_name(rel: str) -> str:
    """The import name of a source file under setuptools package-dir.

    Examples
    --------
    >>> module_name("bounds/_base.py")
    'boundlab.bounds._base'
    """
    path = Path(rel)
    for folder, package in PACKAGE_DIRS.items():
        try:
            sub = path.relative_to(folder)
        except ValueError:
            continue
        parts = list(sub.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join([package, *parts])
    raise ValueError(f"file ({rel}) must lie in one of {', '.join(PACKAGE_DIRS)}.")


# ---------------------------------------------------------------------------------------------
# Which tests run against a mutant
# ---------------------------------------------------------------------------------------------

CHAPTERS = (2, 3, 4, 5)


def chapter_tests(n: int) -> list[str]:
    return [f"tests/test_constants_ch{n}.py", f"tests/test_chapter{n}.py"]


def relevant_tests(rel: str) -> list[str]:
    """Test files for a mutated file, the most discriminating first (never tests/test_docs.py)."""
    if rel.startswith("certify/"):
        return ["tests/test_constants_certify.py", "tests/test_sdp.py"]
    m = re.search(r"_chapter(\d)\.py$", rel)
    if m:
        files = chapter_tests(int(m.group(1)))
    elif rel.endswith(("_models.py", "_symbols.py")):
        files = chapter_tests(3)
    elif rel.endswith("_special.py"):
        files = chapter_tests(5)
    elif rel.endswith(("_fast.py", "_fast_data.py")):
        return ["tests/test_fast_eval.py"]
    else:
        files = [f for n in CHAPTERS for f in chapter_tests(n)]
        if rel.endswith("_numeric.py"):
            files.append("tests/test_fast_eval.py")
    return [*files, "tests/test_errata.py", "tests/test_registry.py"]


REGISTRY_TESTS = "tests/test_registry.py"
#: Generic property tests that draw 40 hypothesis examples per item: for a mutant of the machinery
#: (``_base.py``, every item affected) they would cost ~30 s each; the deterministic per-item tests
#: (example, monotonicity, numpy vs sympy, check, broadcasting) still run for every item.
SLOW_GENERIC_TESTS = (
    "test_bound_is_finite_and_nonnegative_on_typical_params_where_hypotheses_hold",
    "test_numpy_and_mpmath_evaluations_agree",
)


def _item_of(nodeid: str) -> str | None:
    """The registry id a parametrised test of tests/test_registry.py runs on (``[thm3.1-value-n--1]``)."""
    m = re.search(r"\[([^\]]+)\]$", nodeid)
    return m.group(1).split("-")[0] if m else None


# ---------------------------------------------------------------------------------------------
# What a child does in both paths: fingerprints, silence, record failures, select tests
# ---------------------------------------------------------------------------------------------


def _canon(x: Any) -> Any:
    import sympy as sp

    if isinstance(x, sp.Basic):
        return sp.srepr(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, tuple(_canon(getattr(x, f.name)) for f in dataclasses.fields(x)))
    if isinstance(x, dict) or hasattr(x, "items"):
        return tuple(sorted((str(k), _canon(v)) for k, v in x.items()))
    if isinstance(x, (list, tuple)):
        return tuple(_canon(v) for v in x)
    return repr(x)


_FINGERPRINT_FIELDS = (
    "params",
    "quantities",
    "variants",
    "hypotheses",
    "constraints",
    "value",
    "probability",
    "trivial",
    "monotone",
    "example",
    "exact",
    "printed_rows",
)


def fingerprints() -> dict[str, str]:
    """A canonical text of every registry item's declarations (symbolic expressions as srepr)."""
    from boundlab.bounds import REGISTRY

    out = {}
    for key, item in REGISTRY.items():
        parts = [(f, _canon(getattr(item, f))) for f in _FINGERPRINT_FIELDS if hasattr(item, f)]
        if hasattr(type(item), "printed"):  # tables: the printed values
            parts.append(("printed", _canon(item.printed)))
        out[key] = repr(parts)
    from boundlab.bounds import ERRATA

    for key, e in ERRATA.items():  # the evidence function is runtime code: line coverage selects its tests
        out[key] = repr([(f.name, _canon(getattr(e, f.name))) for f in dataclasses.fields(e) if f.name != "check"])
    return out


def affected_items(mutant: Mutant, module: Any, before: dict[str, str]) -> set[str] | None:
    """Registry ids whose declarations changed, or that call a sympy function defined in the mutated
    module when the mutant lies in a function body; None means every item (``_base.py``)."""
    import sympy as sp

    if mutant.file.endswith(("_base.py", "_numeric.py")):
        return None
    after = fingerprints()
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    funcs = {
        name
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, sp.Function) and obj.__module__ == module.__name__
    }
    if funcs and mutant.scope != "<module>":
        changed |= {k for k, fp in after.items() if any(f"Function('{f}')" in fp or f"{f}(" in fp for f in funcs)}
    return changed


def select(nodeids: Sequence[str], mutant: Mutant, affected: set[str] | None, skip: set[str]) -> list[str]:
    """The node ids to run, in the order of :func:`relevant_tests` (the most discriminating file first)."""
    out = []
    for f in relevant_tests(mutant.file):
        for n in nodeids:
            if n.split("::")[0] != f or n in skip:
                continue
            if f == REGISTRY_TESTS and affected is not None and _item_of(n) not in (None, *affected):
                continue
            if f == REGISTRY_TESTS and affected is None and n.split("::")[1].split("[")[0] in SLOW_GENERIC_TESTS:
                continue
            out.append(n)
    return out


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


class _Recorder:
    """A pytest plugin that records collected node ids, failures and files that fail to collect."""

    def __init__(self) -> None:
        self.collected: list[str] = []
        self.failed: list[str] = []
        self.broken_files: list[str] = []

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        self.collected = [it.nodeid for it in items]

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.broken_files.append(report.nodeid)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed and report.nodeid not in self.failed:
            self.failed.append(report.nodeid)


PYTEST_FLAGS = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def _doctest_failures(module: Any) -> int:
    import doctest

    res = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False, report=False
    )
    return res.failed


def _finish(result_file: Path, outcome: str, detail: str = "") -> None:
    result_file.write_text(json.dumps({"outcome": outcome, "detail": detail[:300]}))


# ---------------------------------------------------------------------------------------------
# Isolated path: a fresh import of boundlab per mutant through an import hook
# ---------------------------------------------------------------------------------------------


class MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``source`` for the module ``name`` (origin ``path``); every other import is untouched."""

    def __init__(self, name: str, path: Path, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        package = self.path.name == "__init__.py"
        spec = importlib.util.spec_from_loader(fullname, self, origin=str(self.path), is_package=package)
        if spec is not None:
            spec.has_location = True
            if package:
                spec.submodule_search_locations = [str(self.path.parent)]
        return spec

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec", dont_inherit=True), module.__dict__)


def _purge_boundlab() -> None:
    for name in [n for n in sys.modules if n == "boundlab" or n.startswith("boundlab.")]:
        del sys.modules[name]


def _hookwrapper(fn: Any) -> Any:
    import pytest

    return pytest.hookimpl(hookwrapper=True)(fn)


class _TracePlugin:
    """A pytest plugin that traces each test with a :class:`_Tracer` (the isolated baseline)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.coverage: dict[str, list[list[Any]]] = {}

    @_hookwrapper
    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
        tracer = _Tracer(self.files)
        sys.settrace(tracer)
        try:
            yield
        finally:
            sys.settrace(None)
            self.coverage[item.nodeid] = [[ln for f, ln in tracer.lines], sorted(tracer.touched)]


def isolated_baseline(tests: Sequence[str], files: Sequence[str], result_file: Path) -> None:
    """Child: fingerprints of the unmutated registry, every collected node id, the failing ones, and the lines
    of the mutated files each test executes (and those executed while importing boundlab)."""
    import pytest

    _silence()
    os.chdir(ROOT)
    _purge_boundlab()
    out: dict[str, Any] = {}
    paths = {str(ROOT / f) for f in files}
    tracer = _Tracer(paths)
    sys.settrace(tracer)
    try:
        importlib.import_module("boundlab.bounds")
        importlib.import_module("boundlab.certify")
        out["fingerprints"] = fingerprints()
    except Exception as exc:
        out["error"] = f"importing boundlab failed: {exc!r}"
    finally:
        sys.settrace(None)
    out["import_lines"] = sorted({f"{f}:{ln}" for f, ln in tracer.lines})
    rec, trace = _Recorder(), _TracePlugin(paths)
    existing = [t for t in tests if (ROOT / t).exists()]
    out["rc"] = int(pytest.main([*existing, "-q", *PYTEST_FLAGS], plugins=[rec, trace])) if existing else 5
    out.update(collected=rec.collected, failed=rec.failed, broken_files=rec.broken_files)
    out["coverage"] = {n: [sorted({f"{ln}" for ln in c[0]}), c[1]] for n, c in trace.coverage.items()}
    result_file.write_text(json.dumps(out))


def isolated_mutant(mutant: Mutant, text: str, base: dict[str, Any], result_file: Path) -> None:
    """Child: import the mutated module through the hook, run its doctests, then pytest with -x."""
    import pytest

    _silence()
    os.chdir(ROOT)
    _purge_boundlab()
    name = module_name(mutant.file)
    sys.meta_path.insert(0, MutantFinder(name, ROOT / mutant.file, mutant.apply(text)))
    try:
        importlib.import_module("boundlab.bounds")
        module = importlib.import_module(name)
    except Exception as exc:
        return _finish(result_file, "killed", f"import: {type(exc).__name__}: {exc}")
    try:
        if _doctest_failures(module):
            return _finish(result_file, "killed", f"doctest of {name}")
        affected = affected_items(mutant, module, base["fingerprints"])
    except Exception as exc:
        return _finish(result_file, "killed", f"doctest or registry: {type(exc).__name__}: {exc}")
    nodes = select(base["collected"], mutant, affected, set(base["failed"]))
    if not nodes:
        return _finish(result_file, "error", "no test selected")
    path = str(ROOT / mutant.file)
    lines = {str(ln) for ln in range(mutant.line, max(mutant.end_line, mutant.line) + 1)}
    at_import = any(f"{path}:{ln}" in base["import_lines"] for ln in lines)
    if mutant.where == "function" and not at_import:  # runtime code: the tests that execute the line
        nodes = [n for n in nodes if n not in base["coverage"] or lines & set(base["coverage"][n][0])]
        if not nodes:
            return _finish(result_file, "survived", "no test executes the mutated line")
    rec = _Recorder()
    rc = int(pytest.main([*nodes, "-x", "-q", *PYTEST_FLAGS], plugins=[rec]))
    if rc == 0:
        return _finish(result_file, "survived")
    if rc in (1, 2, 3):
        return _finish(result_file, "killed", (rec.failed or rec.broken_files or [f"pytest exit {rc}"])[0])
    return _finish(result_file, "error", f"pytest exit code {rc}")


# ---------------------------------------------------------------------------------------------
# In-place path: collect once, re-execute the mutated module inside each forked child
# ---------------------------------------------------------------------------------------------

#: Files whose mutants run in place: they register (chapters) or define (models) but nothing imports
#: their names at import time except by module attribute or ``from ... import`` (rebound below).
IN_PLACE = re.compile(r"^bounds/(_chapter\d+|_models)\.py$")


def _unregister_chapter(n: int) -> None:
    from boundlab.bounds import _base, _errata

    for reg, mine in (
        (_base.REGISTRY, lambda k: re.search(r"\d+", k).group() == str(n)),
        (_errata.ERRATA, lambda k: k.startswith(f"err{n}.")),
    ):
        for key in [k for k in list(reg) if mine(k)]:
            if hasattr(reg, "remove"):
                reg.remove(key)
            else:
                del reg[key]


def _rebindable(obj: Any, module: str) -> bool:
    if isinstance(obj, (types.FunctionType, type)):
        return getattr(obj, "__module__", None) == module
    return isinstance(obj, (dict, list, set))


def reexec(mutant: Mutant, text: str, items: Sequence[Any]) -> Any:
    """Execute the mutated source in the live module object, after unregistering its items.

    Names other modules imported from it (``from ._chapter5 import q_matrix``, test modules, direct
    parametrisation values) are rebound to the new objects.
    """
    name = module_name(mutant.file)
    mod = sys.modules[name]
    chapter = re.search(r"_chapter(\d+)\.py$", mutant.file)
    if chapter:
        _unregister_chapter(int(chapter.group(1)))
    old = {k: v for k, v in vars(mod).items() if not (k.startswith("__") and k.endswith("__"))}
    for k in old:
        delattr(mod, k)
    exec(compile(mutant.apply(text), str(mod.__file__), "exec", dont_inherit=True), vars(mod))
    new = vars(mod)
    swap = {id(v): (v, new[k]) for k, v in old.items() if k in new and new[k] is not v and _rebindable(v, name)}
    tests_dir = str(ROOT / "tests")
    for m in list(sys.modules.values()):
        mname, mfile = getattr(m, "__name__", ""), str(getattr(m, "__file__", "") or "")
        if m is mod or not (mname.startswith("boundlab") or mfile.startswith(tests_dir)):
            continue
        d = vars(m)
        for k, v in list(d.items()):
            hit = swap.get(id(v))
            if hit is not None and hit[0] is v:
                d[k] = hit[1]
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", None) or {}
        for k, v in list(params.items()):
            hit = swap.get(id(v))
            if hit is not None and hit[0] is v:
                params[k] = hit[1]
    return mod


class InPlaceSession:
    """A pytest plugin: collect once, run the unmutated tests in this process, then fork one child per
    mutant that re-executes the mutated module and runs the selected items with -x."""

    def __init__(
        self, mutants: Sequence[Mutant], texts: dict[str, str], jobs: int, timeout: float, workdir: Path
    ) -> None:
        self.mutants, self.texts, self.jobs, self.timeout, self.workdir = mutants, texts, jobs, timeout, workdir
        self.items: list[Any] = []
        self.failed: list[str] = []
        self.broken: list[str] = []
        self.deselected: list[str] = []
        self.outcomes: list[Outcome] = []

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        self.items = list(items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.broken.append(report.nodeid)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed and report.nodeid not in self.failed:
            self.failed.append(report.nodeid)

    def pytest_runtestloop(self, session: Any) -> bool:
        t0 = time.perf_counter()
        files = {str(ROOT / m.file) for m in self.mutants}
        self.coverage = _run_items(self.items, self.failed, stop_on_failure=False, trace=files)
        self.deselected = [*self.broken, *self.failed]
        self.base = fingerprints()
        self.evidence = _evidence_outputs({module_name(m.file) for m in self.mutants})
        print(
            f"in-place baseline: {len(self.items)} tests, {len(self.failed)} failing, {len(self.broken)} files "
            f"not collectable ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        self.outcomes = schedule(self.mutants, self._start, self.jobs, self.timeout, self.workdir, "in-place")
        return True

    def _start(self, i: int, mutant: Mutant, result: Path) -> int:
        return _fork(self._child, mutant, result)

    def _child(self, mutant: Mutant, result: Path) -> None:
        _silence()
        self.failed.clear()
        try:
            module = reexec(mutant, self.texts[mutant.file], self.items)
        except Exception as exc:
            return _finish(result, "killed", f"import: {type(exc).__name__}: {exc}")
        try:
            if _doctest_failures(module):
                return _finish(result, "killed", f"doctest of {module.__name__}")
            affected = affected_items(mutant, module, self.base)
        except Exception as exc:
            return _finish(result, "killed", f"doctest or registry: {type(exc).__name__}: {exc}")
        by_id = {it.nodeid: it for it in self.items}
        nodes = select(list(by_id), mutant, affected, set(self.deselected))
        if nodes and mutant.where != "module":
            nodes = [n for n in nodes if _reaches(self.coverage.get(n), mutant, affected)]
            if not nodes:
                return _finish(result, "survived", "no test executes the mutated line or uses what it declares")
        chosen = [by_id[n] for n in nodes]
        if not chosen:
            return _finish(result, "error", "no test selected")
        _run_items(chosen, self.failed, stop_on_failure=True)
        if self.failed:
            return _finish(result, "killed", self.failed[0])
        check = mutant.scope.split(".")[0]
        before = self.evidence.get((module.__name__, check))
        if before is not None and _evidence_output(getattr(module, check)) == before:
            return _finish(result, "survived", f"equivalent: {check}() returns the same verdict and message")
        return _finish(result, "survived")


def _evidence_output(fn: Any) -> str | None:
    try:
        return repr(fn())
    except Exception:
        return None


def _evidence_outputs(modules: Iterable[str]) -> dict[tuple[str, str], str]:
    """What every erratum evidence function (``_check_*``, default arguments) returns on the unmutated code."""
    out = {}
    for name in modules:
        mod = sys.modules.get(name)
        for key, fn in (vars(mod) if mod is not None else {}).items():
            if key.startswith(EVIDENCE_PREFIX) and callable(fn):
                value = _evidence_output(fn)
                if value is not None:
                    out[(name, key)] = value
    return out


def _run_items(
    items: Sequence[Any], failed: list[str], *, stop_on_failure: bool, trace: set[str] | None = None
) -> dict[str, tuple[set[tuple[str, int]], set[str]]]:
    """Run pytest items in order; with ``trace``, record per test the lines of those files it executed
    and the ids of the registry items and errata whose methods it called."""
    coverage = {}
    for i, item in enumerate(items):
        nxt = items[i + 1] if i + 1 < len(items) and not (stop_on_failure and failed) else None
        tracer = _Tracer(trace) if trace else None
        if tracer is not None:
            sys.settrace(tracer)
        try:
            item.ihook.pytest_runtest_protocol(item=item, nextitem=nxt)
        finally:
            if tracer is not None:
                sys.settrace(None)
                coverage[item.nodeid] = (tracer.lines, tracer.touched)
        if stop_on_failure and failed:
            break
    return coverage


class _Tracer:
    """``sys.settrace`` hook: lines executed in the traced files, and ``self.id`` of every method call into
    the traced files or the registry's base modules (which registry items and errata a test uses)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.owners = files | {str(ROOT / "bounds" / f) for f in ("_base.py", "_numeric.py", "_errata.py")}
        self.lines: set[tuple[str, int]] = set()
        self.touched: set[str] = set()

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        name = frame.f_code.co_filename
        if name not in self.owners:
            return None
        if "self" in frame.f_code.co_varnames[:1]:
            ident = getattr(frame.f_locals.get("self"), "id", None)
            if isinstance(ident, str):
                self.touched.add(ident)
        if name in self.files:
            self.lines.add((name, frame.f_lineno))
            return self._line
        return None

    def _line(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines.add((frame.f_code.co_filename, frame.f_lineno))
        return self._line


def _reaches(cov: tuple[set[tuple[str, int]], set[str]] | None, mutant: Mutant, affected: set[str] | None) -> bool:
    """Whether a test can observe a mutant of a function or class body: it executed one of the mutated lines,
    or it used a registry item or erratum whose declaration the mutant changed."""
    if cov is None or affected is None:
        return True
    lines, touched = cov
    path = str(ROOT / mutant.file)
    if any((path, ln) in lines for ln in range(mutant.line, max(mutant.end_line, mutant.line) + 1)):
        return True
    return bool(touched & affected)


# ---------------------------------------------------------------------------------------------
# Scheduling forked children
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    status: str  # killed | survived | timeout | error
    detail: str
    seconds: float


def _fork(target: Any, *args: Any) -> int:
    pid = os.fork()
    if pid == 0:  # the child never returns
        code = 0
        try:
            target(*args)
        except BaseException:
            import traceback

            Path(str(args[-1]) + ".crash").write_text(traceback.format_exc())
            code = 70
        finally:
            os._exit(code)
    return pid


def schedule(
    mutants: Sequence[Mutant], start: Any, jobs: int, timeout: float, workdir: Path, label: str
) -> list[Outcome]:
    """Run every mutant, ``jobs`` forked children at a time (``start(i, mutant, result_file) -> pid``),
    each killed after ``timeout`` seconds."""
    queue = list(enumerate(mutants))
    running: dict[int, tuple[int, Mutant, float, Path]] = {}
    outcomes: dict[int, Outcome] = {}
    t_start = time.perf_counter()
    if mutants:
        print(f"{label}: {len(mutants)} mutants", flush=True)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                i, m = queue.pop(0)
                res = workdir / f"{label}-{i}.json"
                running[start(i, m, res)] = (i, m, time.perf_counter(), res)
            time.sleep(0.01)
            now = time.perf_counter()
            for pid, (i, m, t0, res) in list(running.items()):
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done == 0 and now - t0 <= timeout:
                    continue
                if done == 0:
                    os.kill(pid, signal.SIGKILL)  # our own child, by its pid
                    os.waitpid(pid, 0)
                    outcomes[i] = Outcome(m, "timeout", f"> {timeout:g} s", now - t0)
                else:
                    outcomes[i] = _read_outcome(m, res, now - t0)
                del running[pid]
                _print_progress(len(outcomes), len(mutants), outcomes[i], time.perf_counter() - t_start)
    except KeyboardInterrupt:  # report what finished
        for pid in running:
            os.kill(pid, signal.SIGKILL)  # our own children, by their pids
            os.waitpid(pid, 0)
        print(f"\ninterrupted: {len(outcomes)} of {len(mutants)} mutants ran", flush=True)
    return [outcomes[i] for i in sorted(outcomes)]


def _read_outcome(m: Mutant, res: Path, seconds: float) -> Outcome:
    if not res.exists():
        crash = Path(str(res) + ".crash")
        why = crash.read_text().strip().splitlines()[-1] if crash.exists() else "no result"
        return Outcome(m, "error", f"the child crashed: {why}", seconds)
    doc = json.loads(res.read_text())
    return Outcome(m, doc.get("outcome", "error"), doc.get("detail", ""), seconds)


def _print_progress(done: int, total: int, o: Outcome, elapsed: float) -> None:
    mark = {"killed": ".", "timeout": "T", "survived": "S", "error": "E"}[o.status]
    if LIVE_LOG is not None and o.status in ("survived", "error"):
        with open(LIVE_LOG, "a") as fh:
            fh.write(f"{o.status} {o.mutant.key} ({o.mutant.scope}) {o.detail}\n")
    end = "\n" if done % 100 == 0 or done == total else ""
    print(mark + (f"  {done}/{total} ({elapsed:.0f} s)" if end else ""), end=end, flush=True)


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def equivalent_reason(m: Mutant, text: str) -> str | None:
    before, _ = m.lines(text)
    return next((e.reason for e in EQUIVALENT if e.matches(m, before)), None)


def report(outcomes: Sequence[Outcome], texts: dict[str, str], deselected: Sequence[str]) -> dict[str, Any]:
    """Print survivors and scores; return the same as a JSON-ready dict."""
    by_file: dict[str, Counter] = {}
    survivors = []
    for o in outcomes:
        c = by_file.setdefault(o.mutant.file, Counter())
        c[o.status] += 1
        if o.status == "survived":
            before, after = o.mutant.lines(texts[o.mutant.file])
            same = o.detail[len("equivalent: ") :] if o.detail.startswith("equivalent: ") else None
            survivors.append(
                {
                    "file": o.mutant.file,
                    "line": o.mutant.line,
                    "scope": o.mutant.scope,
                    "original": before,
                    "mutated": after,
                    "equivalent": equivalent_reason(o.mutant, texts[o.mutant.file]) or same,
                }
            )
    if deselected:
        print(f"\nDeselected (failing or not collectable on the unmutated tree): {len(deselected)}")
        for n in sorted(set(deselected)):
            print(f"  {n}")
    print(f"\nSurvivors ({len(survivors)}):")
    for s in survivors:
        tag = f"   [equivalent: {s['equivalent']}]" if s["equivalent"] else ""
        print(f"  {s['file']}:{s['line']} ({s['scope']}){tag}\n    - {s['original']}\n    + {s['mutated']}")
    for o in outcomes:
        if o.status == "error":
            print(f"  harness error {o.mutant.key}: {o.detail}")
    print(
        "\nScore (killed / total; timeouts count as killed, harness errors are left out; the last column leaves "
        "out the survivors marked equivalent):"
    )
    equiv = Counter(sv["file"] for sv in survivors if sv["equivalent"])
    rows = {}
    for f in sorted(by_file):
        c = by_file[f]
        killed = c["killed"] + c["timeout"]
        rows[f] = {
            "killed": killed,
            "total": killed + c["survived"],
            "timeouts": c["timeout"],
            "errors": c["error"],
            "equivalent": equiv[f],
        }
    groups = dict(rows)
    for label, keep in (("bounds/ (all files)", lambda f: f.startswith("bounds/")), ("overall", lambda f: True)):
        sel = [r for f, r in rows.items() if keep(f)]
        if sel:
            groups[label] = {k: sum(r[k] for r in sel) for k in ("killed", "total", "timeouts", "errors", "equivalent")}
    for f, r in groups.items():
        extra = f"   ({r['timeouts']} timeouts)" if r.get("timeouts") else ""
        extra += f"   ({r['errors']} harness errors)" if r.get("errors") else ""
        net = max(r["total"] - r["equivalent"], 1)
        print(
            f"  {f:28s} {r['killed']:5d} / {r['total']:<5d} {100 * r['killed'] / max(r['total'], 1):6.1f}%"
            f"   {100 * r['killed'] / net:6.1f}% of {net}{extra}"
        )
    return {
        "scores": groups,
        "survivors": survivors,
        "deselected": sorted(set(deselected)),
        "outcomes": [
            {"key": o.mutant.key, "status": o.status, "detail": o.detail, "seconds": round(o.seconds, 3)}
            for o in outcomes
        ],
    }


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def expand_files(patterns: Iterable[str]) -> list[str]:
    out: list[str] = []
    for pat in patterns:
        matches = sorted(ROOT.glob(pat)) if any(ch in pat for ch in "*?[") else [ROOT / pat]
        for p in matches:
            if not p.exists():
                raise SystemExit(f"file ({pat}) must exist under {ROOT}.")
            rel = p.relative_to(ROOT).as_posix()
            if rel.endswith(".py") and rel not in out:
                out.append(rel)
    return out


PRELOAD = (
    "doctest",
    "hypothesis",
    "mpmath",
    "numpy",
    "pytest",
    "scipy.linalg",
    "scipy.special",
    "scipy.stats",
    "sympy",
)


def _preload() -> None:
    """Import the heavy dependencies once, before any fork (never boundlab: children import it)."""
    for name in PRELOAD:
        importlib.import_module(name)


def run_isolated(
    mutants: Sequence[Mutant], texts: dict[str, str], jobs: int, timeout: float, workdir: Path
) -> tuple[list[Outcome], list[str]]:
    tests = sorted({t for m in mutants for t in relevant_tests(m.file) if (ROOT / t).exists()})
    result = workdir / "baseline.json"
    t0 = time.perf_counter()
    os.waitpid(_fork(isolated_baseline, tests, sorted({m.file for m in mutants}), result), 0)
    if not result.exists():
        raise SystemExit("the baseline run crashed: run the tests by hand to see why.")
    base = json.loads(result.read_text())
    if "error" in base:
        raise SystemExit(base["error"])
    print(
        f"isolated baseline: {len(base['collected'])} tests, {len(base['failed'])} failing, "
        f"{len(base['broken_files'])} files not collectable ({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )

    def start(i: int, m: Mutant, res: Path) -> int:
        return _fork(isolated_mutant, m, texts[m.file], base, res)

    outcomes = schedule(mutants, start, jobs, timeout, workdir, "isolated")
    return outcomes, [*base["broken_files"], *base["failed"]]


def run_in_place(
    mutants: Sequence[Mutant], texts: dict[str, str], jobs: int, timeout: float, workdir: Path
) -> tuple[list[Outcome], list[str]]:
    import pytest

    tests = sorted({t for m in mutants for t in relevant_tests(m.file) if (ROOT / t).exists()})
    session = InPlaceSession(mutants, texts, jobs, timeout, workdir)
    os.chdir(ROOT)
    pytest.main(
        [*tests, "-s", "-p", "no:terminal", "-o", "addopts=", "--continue-on-collection-errors", *PYTEST_FLAGS],
        plugins=[session],
    )
    return session.outcomes, session.deselected


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--files", nargs="+", default=list(DEFAULT_FILES), help="files or globs relative to the repository")
    ap.add_argument("--limit", type=int, default=None, help="at most this many mutants per file")
    ap.add_argument("--jobs", type=int, default=2, help="children running at a time")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per mutant")
    ap.add_argument("--list", action="store_true", help="list the mutants and the skipped literals; run nothing")
    ap.add_argument("--json", type=Path, default=None, help="write every outcome to this file")
    ap.add_argument("--isolated", action="store_true", help="a fresh import per mutant for every file (slower)")
    ap.add_argument("--only", default=None, help="run only mutants whose key (file:line:offset:old->new) contains this")
    args = ap.parse_args(argv)

    files = expand_files(args.files)
    skipped: Counter = Counter()
    mutants: list[Mutant] = []
    texts = {}
    for f in files:
        texts[f] = (ROOT / f).read_text()
        ms = generate(ROOT / f, skipped=skipped)
        if args.only:
            ms = [m for m in ms if args.only in m.key]
        mutants.extend(ms[: args.limit] if args.limit else ms)
    if args.list:
        for m in mutants:
            before, after = m.lines(texts[m.file])
            print(
                f"{m.file}:{m.line} [{m.kind}] {m.original!r} -> {m.replacement!r}   ({m.scope})\n"
                f"    - {before}\n    + {after}"
            )
        counts = Counter(m.file for m in mutants)
        print("\nMutants per file: " + ", ".join(f"{f} {n}" for f, n in counts.items()) + f"; total {len(mutants)}")
        print("Skipped literals and operators: " + ", ".join(f"{k} {v}" for k, v in skipped.most_common()))
        return 0

    t0 = time.perf_counter()
    _preload()
    workdir = Path(tempfile.mkdtemp(prefix="boundlab-mutation-"))
    fast = [m for m in mutants if IN_PLACE.match(m.file) and not args.isolated]
    slow = [m for m in mutants if m not in set(fast)]
    print(f"{len(mutants)} mutants in {len(files)} files ({len(fast)} in place, {len(slow)} isolated)", flush=True)
    outcomes, deselected = run_isolated(slow, texts, args.jobs, args.timeout, workdir) if slow else ([], [])
    if fast:  # last: it imports boundlab into this process
        more, des = run_in_place(fast, texts, args.jobs, args.timeout, workdir)
        outcomes, deselected = outcomes + more, deselected + des
    order = {m.key: i for i, m in enumerate(mutants)}
    outcomes.sort(key=lambda o: order[o.mutant.key])
    doc = report(outcomes, texts, deselected)
    doc["seconds"] = round(time.perf_counter() - t0, 1)
    doc["command"] = " ".join(["python", "benchmarks/mutation.py", *(argv if argv is not None else sys.argv[1:])])
    print(f"\nwall time {doc['seconds']:.0f} s with --jobs {args.jobs}")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
