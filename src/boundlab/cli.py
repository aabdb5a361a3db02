"""The ``boundlab`` command line: each command is one library call plus formatting.

Exit codes: 0 success; 1 a verification failed; 2 bad input (one line on stderr naming the
argument, its value and the constraint); 3 evaluated, but a hypothesis of the result is violated
(the output says which, with both sides).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import ERRATA, REGISTRY, AbstractBound, BadInput, HypothesisViolated, get
from boundlab.bounds._base import fmt_number

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_HYPOTHESIS = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
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
        out[name] = _parse_value(name, raw, integer)
    return out


def _number(name: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise BadInput(f"{name} ({text}) must be a number.", name=name) from None
    return x


def _parse_value(name: str, raw: str, integer: bool) -> Any:
    if raw.count(":") == 2:
        lo_s, hi_s, k_s = raw.split(":")
        lo, hi, k = _number(name, lo_s), _number(name, hi_s), _number(name, k_s)
        if k != int(k) or k < 1:
            raise BadInput(f"{name} range count ({k_s}) must be an integer >= 1.", name=name)
        if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
            raise BadInput(f"{name} range ({raw}) must have positive finite end points (log spacing).", name=name)
        vals = np.geomspace(lo, hi, int(k))
        if integer:
            vals = np.unique(np.round(vals))
        return [float(v) for v in vals]
    if "," in raw:
        return [_number(name, part) for part in raw.split(",") if part.strip()]
    return _number(name, raw)


def grid(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Turn list-valued parameters into an outer-product grid (one axis each, in order)."""
    axes = [k for k, v in params.items() if isinstance(v, list)]
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
# Output helpers
# ---------------------------------------------------------------------------------------------


def _console():  # noqa: ANN202
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=_json_default))


def _json_default(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.bool_):
        return bool(x)
    return str(x)


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    a = np.asarray(x)
    if a.ndim == 0:
        if a.dtype == bool:
            return str(bool(a))
        return f"{float(a):.7g}"
    return np.array2string(a, precision=6, max_line_width=100)


def _condition_line(c: dict[str, Any]) -> str:
    holds = c["holds"]
    if holds is None:
        mark = "?" if not c.get("necessary") else "ok (necessary part)"
        return f"  [{mark}] {c['text']}" + ("" if c.get("lhs") is None else
                                           f": {c['lhs_expr']} = {_fmt(c['lhs'])} {c['op']} {_fmt(c['rhs'])}")
    ok = bool(np.all(holds))
    mark = "ok" if ok else "VIOLATED"
    sides = f"{c['lhs_expr']} = {_fmt(c['lhs'])} {c['op']} {c['rhs_expr']} = {_fmt(c['rhs'])}"
    return f"  [{mark}] {c['text']}: {sides}"


def _violation_message(thm: AbstractBound, c: dict[str, Any]) -> str:
    lhs, rhs = np.asarray(c["lhs"]), np.asarray(c["rhs"])
    holds = np.broadcast_to(np.asarray(c["holds"], dtype=bool), np.broadcast(lhs, rhs).shape)
    idx = tuple(np.argwhere(~holds)[0]) if holds.ndim else ()
    lv = float(np.broadcast_to(lhs, holds.shape)[idx])
    rv = float(np.broadcast_to(rhs, holds.shape)[idx])
    negated = {"<=": ">", "<": ">=", ">=": "<", ">": "<="}[c["op"]]
    where = f" (at grid index {idx})" if idx else ""
    return (f"{thm.name}: hypothesis violated{where}: {c['text']}: {c['lhs_expr']} = {fmt_number(lv)} {negated} "
            f"{c['rhs_expr']} = {fmt_number(rv)}.")


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    items = [it for it in REGISTRY.values()
             if (args.chapter is None or it.chapter == args.chapter) and (args.kind is None or it.kind == args.kind)]
    items.sort(key=_sort_key)
    if args.json:
        _json([{"id": it.id, "name": it.name, "title": it.title, "kind": it.kind, "source": it.source,
                "evaluable": it.evaluable, "exact": getattr(it, "exact", None)} for it in items])
        return EXIT_OK
    from rich.table import Table

    table = Table(title=f"{len(items)} registered results")
    for col in ("id", "kind", "title", "source"):
        table.add_column(col)
    for it in items:
        table.add_row(it.id, it.kind, it.title, it.source)
    _console().print(table)
    return EXIT_OK


def _sort_key(it: Any) -> tuple[int, int, str, float]:
    order = ["def", "asm", "alg", "eq", "prop", "thm", "lem", "cor", "obs", "rem", "tab"]
    prefix = it.id.rstrip("0123456789.")
    major, _, minor = it.number.partition(".")
    return (int(major), order.index(prefix) if prefix in order else 99, prefix, float(minor or 0))


def cmd_show(args: argparse.Namespace) -> int:
    it = get(args.id)
    if args.latex:
        print(it.latex())
        return EXIT_OK
    desc = it.describe()
    if args.json:
        _json(desc)
        return EXIT_OK
    con = _console()
    con.print(f"[bold]{it.name}[/bold]: {it.title}  ({it.kind}; dissertation {it.source})")
    if it.statement:
        con.print(f"  {it.statement}")
    if it.evaluable:
        assert isinstance(it, AbstractBound)
        con.print(f"  exact constants: {'yes' if it.exact else 'no (a named constant stands for an O(.))'}")
        con.print("Parameters:")
        for p in it.params:
            req = "" if p.required else f" [default: {p.default_note or fmt_number(float(p.default))}]"
            con.print(f"  {p.name:12s} {p.domain_text():26s} {p.description}{req}")
        con.print("Quantities: " + ", ".join(it.quantities))
        if it.hypotheses:
            con.print("Hypotheses:")
            for h in it.hypotheses:
                rel = "" if h.lhs is None else f": {h.lhs} {h.op} {h.rhs}"
                con.print(f"  - {h.text}{rel}")
        if it.variants:
            con.print("Variants: " + ", ".join(it.variants))
        con.print(f"Example: boundlab eval {it.id} " + " ".join(f"{k}={v:g}" for k, v in it.example_params().items()))
    for note in it.notes:
        con.print(f"Note: {note}")
    if it.id in {e.item for e in ERRATA.values()}:
        con.print("Errata: " + ", ".join(e.id for e in ERRATA.values() if e.item == it.id) + " (boundlab errata)")
    return EXIT_OK


def _bound(item_id: str) -> AbstractBound:
    it = get(item_id)
    if not isinstance(it, AbstractBound):
        from boundlab.bounds import NotEvaluable

        raise NotEvaluable(f"id ({item_id}) must be an evaluable result; {it.name} is a {it.kind} "
                           f"(`boundlab show {it.id}`).", name="id")
    return it


def cmd_eval(args: argparse.Namespace) -> int:
    thm = _bound(args.id)
    raw = parse_assignments(args.params, thm)
    params, axes = grid(raw)
    if args.quantity is not None and args.quantity not in thm.quantities:
        raise BadInput(f"quantity ({args.quantity}) must be one of {', '.join(thm.quantities)} ({thm.name}).",
                       name="quantity")
    ev = thm.assess(variant=args.variant, **params)
    hi_prec = None
    if args.precision is not None:
        if args.precision < 16 or args.precision > 1000:
            raise BadInput(f"precision ({args.precision}) must be between 16 and 1000 digits.", name="precision")
        import mpmath

        with mpmath.workdps(args.precision):
            hi_prec = _mp_json(thm.evaluate(args.quantity, variant=args.variant, precision=args.precision, **params))
    violated = ev.violated
    if args.json:
        out = ev.to_json()
        if axes:
            out["grid"] = axes
        if args.quantity:
            out["selected"] = {"quantity": args.quantity, "value": out["quantities"].get(args.quantity, out["value"])}
        if hi_prec is not None:
            out["value_mp"] = hi_prec
        out["violated"] = [_violation_message(thm, c) for c in violated]
        _json(out)
    else:
        con = _console()
        label = thm.value_text or thm.value
        con.print(f"[bold]{thm.name}[/bold]: {thm.title}")
        if axes:
            con.print("grid: " + "; ".join(f"{k} = {v}" for k, v in axes.items()))
        con.print(f"value ({thm.value}{', variant ' + args.variant if args.variant else ''}) = {_fmt(ev.value)}"
                  f"{'' if thm.exact else '   [not exact: a named constant stands for an O(.)]'}")
        if hi_prec is not None:
            con.print(f"value at {args.precision} digits = {hi_prec}")
        for k, v in ev.quantities.items():
            con.print(f"  {k} = {_fmt(v)}")
        con.print("Conditions:")
        for c in ev.conditions:
            con.print(_condition_line(c), markup=False)
        for note in ev.notes:
            con.print(f"Note: {note}")
        con.print(f"non-vacuous: {_fmt(ev.nonvacuous)}")
        del label
    if violated:
        for c in violated:
            print(_violation_message(thm, c), file=sys.stderr)
        return EXIT_HYPOTHESIS
    return EXIT_OK


def _mp_json(x: Any) -> Any:
    """mpmath numbers as strings with every digit (call inside the working precision)."""
    if isinstance(x, np.ndarray):
        return [_mp_json(v) for v in x]
    return str(x)


def cmd_solve(args: argparse.Namespace) -> int:
    thm = _bound(args.id)
    params = parse_assignments(args.params, thm)
    for k, v in params.items():
        if isinstance(v, list):
            raise BadInput(f"{k} ({v}) must be a single number when solving.", name=k)
    if args.nonvacuous:
        sol = thm.nonvacuous_region(args.name, **params)
    else:
        if args.target is None:
            raise BadInput("target (missing) must be given with --target X, or use --nonvacuous.", name="target")
        sol = thm.solve_for(args.name, args.target, quantity=args.quantity,
                            relation=">=" if args.at_least else "<=", **params)
    if args.json:
        _json(sol.to_json())
        return EXIT_OK
    con = _console()
    if args.nonvacuous:
        con.print(f"{thm.name} is non-vacuous for {sol.name} {'>=' if sol.which == 'smallest' else '<='} "
                  f"{fmt_number(sol.value)} (the {sol.which} such value at the other parameters given).")
    else:
        con.print(f"{sol.which} {sol.name} = {fmt_number(sol.value)}: {sol.quantity} = {sol.quantity_value:.7g} "
                  f"{sol.relation} {fmt_number(sol.target)}, every decidable hypothesis of {thm.name} holding.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from boundlab.montecarlo import CHECKS, verify

    if args.list:
        rows = [{"name": c.name, "id": c.theorem_id, "description": c.description, "trials": c.trials,
                 "quick_trials": c.quick_trials, "slow": c.slow, "wrong": dict(c.wrong)} for c in CHECKS.values()]
        if args.json:
            _json(rows)
        else:
            for r in rows:
                print(f"{r['name']:36s} {r['description']}{'  [slow]' if r['slow'] else ''}")
        return EXIT_OK
    if args.trials is not None and args.trials < 1:
        raise BadInput(f"trials ({args.trials}) must be >= 1.", name="trials")
    if args.seed < 0:
        raise BadInput(f"seed ({args.seed}) must be >= 0.", name="seed")
    if args.all:
        ids = list(dict.fromkeys(c.theorem_id for c in CHECKS.values()))
    elif args.id:
        ids = [args.id]
    else:
        raise BadInput("id (missing) must be given, or --all.", name="id")
    overrides = parse_assignments(args.overrides) if args.overrides else {}
    report = []
    from boundlab.montecarlo._checks import checks_for
    from boundlab.parallel import backend_for, run_check

    store = _open_store(args.store)
    backend = backend_for(args.jobs, args.scheduler, timeout=args.connect_timeout)
    try:
        for item in ids:
            results = []
            for c in checks_for(item):
                n = args.trials if args.trials is not None else (c.quick_trials if args.quick else c.trials)
                results.append(run_check(c.name, trials=n, seed=args.seed, chunks=args.chunks, params=overrides,
                                         backend=backend, store=store, progress=not args.quiet))
            report.append({"id": item, "checks": [r.to_json() for r in results]})
    finally:
        backend.close()
        if store is not None:
            store.close()
    failed = any(c["verdict"] == "fail" for r in report for c in r["checks"])
    if args.json:
        _json(report[0] if len(report) == 1 else report)
    else:
        from rich.table import Table

        table = Table(title="Monte Carlo checks")
        for col in ("check", "quantity", "estimate", "interval", "bound", "verdict", "tightness", "trials"):
            table.add_column(col)
        for r in report:
            for c in r["checks"]:
                table.add_row(c["name"], c["quantity"], f"{float(c['estimate']):.5g}",
                              f"[{float(c['ci_low']):.5g}, {float(c['ci_high']):.5g}]", f"{float(c['bound']):.5g}",
                              c["verdict"], f"{float(c['tightness']):.3g}", str(c["trials"]))
        con = _console()
        con.print(table)
        for r in report:
            for c in r["checks"]:
                if c["note"]:
                    con.print(f"{c['name']}: {c['note']}", markup=False)
        con.print(f"seed {args.seed}")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from boundlab.parallel import backend_for, load_sweep, run_sweep
    from boundlab.store import DEFAULT_PATH, Store

    plan = load_sweep(args.config)
    jobs = args.jobs if args.jobs is not None else (plan.jobs if args.scheduler is None else None)
    scheduler = args.scheduler if args.scheduler is not None else (plan.scheduler if args.jobs is None else None)
    if args.chunks != 1:
        raise BadInput(f"chunks ({args.chunks}) must be set per check in the sweep file, not on the command line.",
                       name="chunks")
    backend = backend_for(jobs, scheduler, timeout=args.connect_timeout)  # validates the scheduler before anything is written
    store = Store(args.store or plan.store or DEFAULT_PATH)
    try:
        rows = run_sweep(plan, backend=backend, store=store, progress=not args.quiet)
    finally:
        backend.close()
        store.close()
    failed = any(r.get("verdict") == "fail" for r in rows)
    if args.json:
        _json(rows)
    else:
        from rich.table import Table

        table = Table(title=f"sweep {args.config} (store {store.path})")
        for col in ("check", "options", "estimate", "interval", "bound", "verdict", "trials"):
            table.add_column(col)
        for r in rows:
            if r["kind"] == "check":
                table.add_row(r["name"], ", ".join(f"{k}={v}" for k, v in r["options"].items()),
                              f"{float(r['estimate']):.5g}", f"[{float(r['ci_low']):.5g}, {float(r['ci_high']):.5g}]",
                              f"{float(r['bound']):.5g}", r["verdict"], str(r["trials"]))
        _console().print(table)
        for r in rows:
            if r["kind"] == "experiment":
                print(f"experiment {r['name']} (seed {r['seed']}): done")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_errata(args: argparse.Namespace) -> int:
    entries = [e for e in ERRATA.values() if args.chapter is None or get(e.item).chapter == args.chapter]
    results = {}
    if args.verify:
        results = {e.id: e.verify() for e in entries}
    if args.json:
        out = []
        for e in entries:
            d = e.describe()
            if args.verify:
                d["verified"], d["verification"] = results[e.id]
            out.append(d)
        _json(out)
    else:
        con = _console()
        for e in entries:
            con.print(f"[bold]{e.id}[/bold] ({e.kind}) {get(e.item).name}: {e.title}  [{e.source}]")
            con.print(f"  printed:   {e.printed}", markup=False)
            con.print(f"  corrected: {e.corrected}", markup=False)
            if e.evaluable:
                vals = e.evaluate()
                con.print(f"  at {', '.join(f'{k}={v:g}' for k, v in e.example.items())}: printed = "
                          f"{vals['printed']:.7g}, corrected = {vals['corrected']:.7g}", markup=False)
            con.print(f"  evidence:  {e.evidence}", markup=False)
            if args.verify:
                ok, msg = results[e.id]
                con.print(f"  verified:  {'yes' if ok else 'NO'}: {msg}", markup=False)
    if args.verify and not all(ok for ok, _ in results.values()):
        return EXIT_FAILED
    return EXIT_OK


def cmd_reproduce(args: argparse.Namespace) -> int:
    from boundlab.montecarlo import EXPERIMENTS

    if args.list or args.experiment is None:
        rows = [{"id": e.id, "title": e.title, "source": e.source, "paper": e.paper} for e in EXPERIMENTS.values()]
        if args.json:
            _json(rows)
        elif not rows:
            print("No experiments are registered yet.")
        else:
            for r in rows:
                print(f"{r['id']:24s} {r['title']}  [{r['source']}]")
        return EXIT_OK
    if args.experiment not in EXPERIMENTS:
        raise BadInput(f"experiment ({args.experiment}) must be one of: {', '.join(EXPERIMENTS) or 'none registered'}.",
                       name="experiment")
    result = EXPERIMENTS[args.experiment].run(seed=args.seed, quick=args.quick,
                                              out_dir=Path(args.out) if args.out else None)
    if args.json:
        _json(result)
    else:
        print(json.dumps(result, indent=2, default=_json_default))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from boundlab import reporting

    from boundlab.parallel import backend_for

    out_dir = Path(args.out)
    backend = backend_for(args.jobs, args.scheduler, timeout=args.connect_timeout)
    store = _open_store(args.store)
    try:
        paths = reporting.write_report(out_dir, formats=args.format, quick=not args.full, backend=backend,
                                       store=store, progress=not args.quiet)
    finally:
        backend.close()
        if store is not None:
            store.close()
    for p in paths:
        print(f"wrote {p}")
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from boundlab import reporting

    for path in reporting.write_theorem_pages(Path(args.out)):
        print(f"wrote {path}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _add_execution_options(p: argparse.ArgumentParser, chunks: bool = True) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--jobs", type=int, help="local worker processes")
    g.add_argument("--scheduler", help="a Dask distributed scheduler, tcp://HOST:PORT")
    if chunks:
        p.add_argument("--chunks", type=int, default=1, help="split each check's trials into this many chunks")
    p.add_argument("--store", help="SQLite results store (finished chunks are reused, new ones recorded)")
    p.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to reach the scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def _open_store(path: str | None) -> Any:
    if path is None:
        return None
    from boundlab.store import Store

    return Store(path)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="boundlab", description="Calculators, Monte Carlo checks and reports for the theorems of "
                                                  "'Towards More Scalable and Robust Machine Learning' (D. Yin).")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on internal errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("list", help="list registered results")
    p.add_argument("--chapter", type=int)
    p.add_argument("--kind")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one result: statement, parameters, hypotheses")
    p.add_argument("id")
    p.add_argument("--latex", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("eval", help="evaluate a result: NAME=VALUE, VALUE a number, list 1,2,3 or log range 1e2:1e6:5")
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE")
    p.add_argument("--quantity", help="also report this named quantity")
    p.add_argument("--variant", help="evaluate a printed/alternative variant of the value")
    p.add_argument("--precision", type=int, help="also evaluate in mpmath with this many digits")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("solve", help="smallest/largest parameter value meeting a target with the hypotheses holding")
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE")
    p.add_argument("--for", dest="name", required=True)
    p.add_argument("--target", type=float)
    p.add_argument("--quantity")
    p.add_argument("--at-least", action="store_true", help="solve quantity >= target instead of <=")
    p.add_argument("--nonvacuous", action="store_true", help="where the result stops being vacuous")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("verify", help="Monte Carlo checks of a result against its bound")
    p.add_argument("id", nargs="?")
    p.add_argument("overrides", nargs="*", metavar="NAME=VALUE", help="check options (e.g. radius_scale=0.1)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--list", action="store_true", help="list the registered checks")
    p.add_argument("--trials", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="the quick sizes used by the test suite and the quick report")
    _add_execution_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("sweep", help="run the checks and experiments of a TOML sweep configuration")
    p.add_argument("config")
    _add_execution_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("errata", help="printed statements that disagree with their proofs or are false")
    p.add_argument("--chapter", type=int)
    p.add_argument("--verify", action="store_true", help="reproduce every counterexample / derivation check")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_errata)

    p = sub.add_parser("reproduce", help="reproduce an experiment of the dissertation (CPU analog)")
    p.add_argument("experiment", nargs="?")
    p.add_argument("--list", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", help="directory for the experiment's figures (PNG)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("report", help="evaluate and check every registered result; write report files")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the fast report (default)")
    mode.add_argument("--full", action="store_true")
    p.add_argument("--format", action="append", choices=["md", "latex", "csv", "json"],
                   help="output format (repeatable; default md)")
    p.add_argument("--out", default="boundlab-report", help="output directory (default ./boundlab-report)")
    _add_execution_options(p, chunks=False)
    p.set_defaults(func=cmd_report)

    from boundlab.certify import _cli as certify_cli
    from boundlab.montecarlo import _cli_ch2

    for module in (_cli_ch2, certify_cli):  # chapter commands register themselves (diversity, certify)
        module.add_commands(sub)

    p = sub.add_parser("docs", help="regenerate the theorem pages (docs/theorems) from the registry")
    p.add_argument("--out", default="docs/theorems")
    p.set_defaults(func=cmd_docs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # NAME=VALUE words may come after options (solve ID --for n --target X m=...)
        if hasattr(args, "params") and all("=" in w and not w.startswith("-") for w in extra):
            args.params = [*args.params, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args))
    except BadInput as exc:
        print(f"boundlab: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except HypothesisViolated as exc:
        print(f"boundlab: {exc}", file=sys.stderr)
        return EXIT_HYPOTHESIS
    except KeyboardInterrupt:
        print("boundlab: interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # no raw traceback reaches a command-line user
        if args.debug:
            raise
        print(f"boundlab: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback).",
              file=sys.stderr)
        return EXIT_FAILED


def entry() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
