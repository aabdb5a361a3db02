"""What every command shares: argument parsing, the console, JSON output, exit codes."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from boundlab.bounds import (
    BadInput,
)

if TYPE_CHECKING:
    from boundlab.bounds import AbstractBound

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_HYPOTHESIS = 0, 1, 2, 3
EXIT_INTERNAL = 70  # EX_SOFTWARE of sysexits.h
MAX_GRID = 1_000_000  # points of an eval grid (a larger outer product would exhaust memory)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"boundlab: error: {message} (see `{self.prog} --help`).\n")


# ---------------------------------------------------------------------------------------------
# NAME=VALUE parsing
# ---------------------------------------------------------------------------------------------


def parse_assignments(items: Sequence[str], thm: AbstractBound | None = None) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` words. VALUE is a number, a list ``1,2,3`` or a log range ``1e2:1e6:5``.

    Examples
    --------
    >>> parse_assignments(["n=1000", "alpha=0,0.1", "m=1e2:1e4:3"])
    {'n': 1000.0, 'alpha': [0.0, 0.1], 'm': [100.0, 1000.0, 10000.0]}
    """
    out: dict[str, Any] = {}
    for word in items:
        if "=" not in word:
            raise BadInput(f"argument ({word}) must have the form NAME=VALUE.", name=word)
        name, _, raw = word.partition("=")
        name, raw = name.strip(), raw.strip()
        if not name:
            raise BadInput(f"argument ({word}) must name a parameter before '='.", name=word)
        if name in out:
            raise BadInput(f"parameter ({name}) must be given once.", name=name)
        integer = False
        if thm is not None:
            integer = thm.param(name).integer
        out[name] = parse_value(name, raw, integer)
    return out


def number(name: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise BadInput(f"{name} ({text}) must be a number.", name=name) from None
    return x


def parse_value(name: str, raw: str, integer: bool) -> Any:
    if raw.count(":") == 2:
        lo_s, hi_s, k_s = raw.split(":")
        lo, hi, k = number(name, lo_s), number(name, hi_s), number(name, k_s)
        if k != int(k) or k < 1:
            raise BadInput(f"{name} range count ({k_s}) must be an integer >= 1.", name=name)
        if k > MAX_GRID:
            raise BadInput(f"{name} range count ({k_s}) must be at most {MAX_GRID} points.", name=name)
        if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
            raise BadInput(f"{name} range ({raw}) must have positive finite end points (log spacing).", name=name)
        vals = np.geomspace(lo, hi, int(k))
        if integer:
            vals = np.unique(np.round(vals))
        return [float(v) for v in vals]
    if "," in raw:
        values = [number(name, part) for part in raw.split(",") if part.strip()]
        if not values:
            raise BadInput(f"{name} ({raw}) must list at least one number.", name=name)
        return values
    return number(name, raw)


def grid(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Turn list-valued parameters into an outer-product grid (one axis each, in order)."""
    axes = [k for k, v in params.items() if isinstance(v, list)]
    size = math.prod(len(params[k]) for k in axes)
    if size > MAX_GRID:
        raise BadInput(
            f"grid ({' x '.join(str(len(params[k])) for k in axes)} = {size} points) must have at most "
            f"{MAX_GRID} points.",
            name="grid",
        )
    out = {}
    for k, v in params.items():
        if k in axes:
            shape = [1] * len(axes)
            shape[axes.index(k)] = len(v)
            out[k] = np.asarray(v, dtype=float).reshape(shape)
        else:
            out[k] = v
    return out, {k: params[k] for k in axes}


# ---------------------------------------------------------------------------------------------
# Optional dependencies (the install's extras)
# ---------------------------------------------------------------------------------------------

#: The extra that provides each optional top-level module.
EXTRAS = {
    "matplotlib": "plots",
    "dask": "dask",
    "distributed": "dask",
    "sklearn": "data",
    "pandas": "pandas",
    "argcomplete": "completion",
}


class MissingExtra(BadInput):
    """A command needs a module of an extra that is not installed (exit 2, naming the extra)."""


def missing_extra(module: str) -> MissingExtra | None:
    """The error for a missing optional ``module`` (its top-level name), or None when no extra provides it.

    Examples
    --------
    >>> str(missing_extra("matplotlib.pyplot"))
    "matplotlib (not installed) must be installed for this command: pip install 'boundlab[plots]'."
    >>> missing_extra("numpy") is None
    True
    """
    top = module.partition(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    return MissingExtra(
        f"{top} (not installed) must be installed for this command: pip install 'boundlab[{extra}]'.", name=top
    )


def require(*modules: str) -> None:
    """Refuse up front, before any work, when a module a command needs is not installed."""
    import importlib.util

    for module in modules:
        if importlib.util.find_spec(module) is None:
            err = missing_extra(module)
            raise err if err is not None else BadInput(f"{module} (not installed) must be installed.", name=module)


# ---------------------------------------------------------------------------------------------
# Output helpers
# ---------------------------------------------------------------------------------------------


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def echo(*parts: object, sep: str = " ", end: str = "\n") -> None:
    """Human-readable output, through the same rich console as the tables: on a terminal it may be styled, on a
    pipe it is plain text (rich writes no control codes to a non-terminal). Markup, emoji codes and highlighting
    are off, so text prints exactly as given; ``--json`` output goes through :func:`print_json` instead."""
    console().print(*parts, sep=sep, end=end, markup=False, emoji=False, highlight=False, soft_wrap=True)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=json_default))


def json_default(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.bool_):
        return bool(x)
    return str(x)


def fmt(x: Any) -> str:
    if x is None:
        return "-"
    a = np.asarray(x)
    if a.ndim == 0:
        if a.dtype == bool:
            return str(bool(a))
        return f"{float(a):.7g}"
    return np.array2string(a, precision=6, max_line_width=100)


def condition_line(c: dict[str, Any]) -> str:
    holds = c["holds"]
    if holds is None:
        mark = "?" if not c.get("necessary") else "ok (necessary part)"
        return f"  [{mark}] {c['text']}" + (
            "" if c.get("lhs") is None else f": {c['lhs_expr']} = {fmt(c['lhs'])} {c['op']} {fmt(c['rhs'])}"
        )
    ok = bool(np.all(holds))
    mark = "ok" if ok else "VIOLATED"
    sides = f"{c['lhs_expr']} = {fmt(c['lhs'])} {c['op']} {c['rhs_expr']} = {fmt(c['rhs'])}"
    return f"  [{mark}] {c['text']}: {sides}"


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def positive_seconds(text: str) -> float:
    """argparse type: a finite number of seconds > 0 (argparse reports the error in one line)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seconds ({text}) must be a number") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"seconds ({text}) must be a finite number > 0")
    return x


def add_execution_options(p: argparse.ArgumentParser, chunks: bool = True) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--jobs", type=int, help="local worker processes")
    g.add_argument("--scheduler", help="a Dask distributed scheduler, tcp://HOST:PORT")
    if chunks:
        p.add_argument("--chunks", type=int, default=1, help="split each check's trials into this many chunks")
    p.add_argument("--store", help="SQLite results store (finished chunks are reused, new ones recorded)")
    p.add_argument("--connect-timeout", type=positive_seconds, default=10.0, help="seconds to reach the scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def open_store(path: str | None) -> Any:
    if path is None:
        return None
    from boundlab.store import Store

    return Store(path)
