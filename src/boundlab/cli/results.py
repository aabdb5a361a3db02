"""Commands on the registry: list, show, eval, solve, errata."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

# The registry's names are imported inside the commands: importing them builds every chapter's sympy
# expressions (about a second), which `boundlab --help` and `boundlab list` do without.
from boundlab.bounds import BadInput

if TYPE_CHECKING:
    from boundlab.bounds import AbstractBound

from .common import (
    EXIT_FAILED,
    EXIT_HYPOTHESIS,
    EXIT_OK,
    condition_line,
    console,
    echo,
    fmt,
    grid,
    parse_assignments,
    print_json,
)


def check_choice(name: str, value: Any, choices: list[Any]) -> None:
    """Refuse a filter value that matches nothing the registry has (an empty listing would look like success)."""
    if value is not None and value not in choices:
        raise BadInput(f"{name} ({value}) must be one of {', '.join(str(c) for c in choices)}.", name=name)


def registered() -> Any:
    """The registered results: the live registry once loaded, else its sympy-free index (the same items)."""
    import boundlab.bounds as bounds

    if "REGISTRY" in vars(bounds):  # loaded (perhaps with results registered since): it is the truth
        return bounds.REGISTRY
    return bounds.INDEX


def cmd_list(args: argparse.Namespace) -> int:
    reg = registered()
    check_choice("chapter", args.chapter, sorted({it.chapter for it in reg.values()}))
    check_choice("kind", args.kind, sorted({it.kind for it in reg.values()}))
    items = [
        it
        for it in reg.values()
        if (args.chapter is None or it.chapter == args.chapter) and (args.kind is None or it.kind == args.kind)
    ]
    items.sort(key=sort_key)
    if args.json:
        print_json(
            [
                {
                    "id": it.id,
                    "name": it.name,
                    "title": it.title,
                    "kind": it.kind,
                    "source": it.source,
                    "evaluable": it.evaluable,
                    "exact": getattr(it, "exact", None),
                }
                for it in items
            ]
        )
        return EXIT_OK
    from rich.table import Table

    table = Table(title=f"{len(items)} registered results")
    for col in ("id", "kind", "title", "source"):
        table.add_column(col)
    for it in items:
        table.add_row(it.id, it.kind, it.title, it.source)
    console().print(table)
    return EXIT_OK


def sort_key(it: Any) -> tuple[int, int, str, float]:
    order = ["def", "asm", "alg", "eq", "prop", "thm", "lem", "cor", "obs", "rem", "tab"]
    prefix = it.id.rstrip("0123456789.")
    major, _, minor = it.number.partition(".")
    return (int(major), order.index(prefix) if prefix in order else 99, prefix, float(minor or 0))


def cmd_show(args: argparse.Namespace) -> int:
    from boundlab.bounds import ERRATA, AbstractBound, fmt_number, get

    it = get(args.id)
    if args.latex:
        echo(it.latex())
        return EXIT_OK
    desc = it.describe()
    if args.json:
        print_json(desc)
        return EXIT_OK
    con = console()
    con.print(f"[bold]{it.name}[/bold]: {it.title}  ({it.kind}; dissertation {it.source})")
    if it.statement:
        con.print(f"  {it.statement}")
    if it.evaluable:
        assert isinstance(it, AbstractBound)
        con.print(f"  exact constants: {'yes' if it.exact else 'no (a named constant stands for an O(.))'}")
        con.print("Parameters:")
        for p in it.params:
            req = "" if p.default is None else f" [default: {p.default_note or fmt_number(float(p.default))}]"
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


def evaluable(item_id: str) -> AbstractBound:
    from boundlab.bounds import get_bound

    return get_bound(item_id)


def cmd_eval(args: argparse.Namespace) -> int:
    if args.precision is None:  # the generated numpy code, without sympy, when it reproduces the sympy path
        from boundlab.bounds import NeedSympy, fast_bound

        fast = fast_bound(args.id)
        if fast is not None:
            try:
                return evaluate_and_print(fast, args)
            except NeedSympy:
                pass
    return evaluate_and_print(evaluable(args.id), args)


def evaluate_and_print(thm: Any, args: argparse.Namespace) -> int:
    """``boundlab eval`` of one result: the sympy-built one or its generated fast twin (the same output)."""
    from boundlab.bounds import violation_message

    raw = parse_assignments(args.params, thm)
    params, axes = grid(raw)
    if args.quantity is not None and args.quantity not in thm.quantities:
        raise BadInput(
            f"quantity ({args.quantity}) must be one of {', '.join(thm.quantities)} ({thm.name}).", name="quantity"
        )
    ev = thm.assess(variant=args.variant, **params)
    hi_prec = None
    if args.precision is not None:
        if args.precision < 16 or args.precision > 1000:
            raise BadInput(f"precision ({args.precision}) must be between 16 and 1000 digits.", name="precision")
        import mpmath

        with mpmath.workdps(args.precision):
            hi_prec = mp_json(thm.evaluate(args.quantity, variant=args.variant, precision=args.precision, **params))
    violated = ev.violated
    if args.json:
        out = ev.to_json()
        if axes:
            out["grid"] = axes
        if args.quantity:
            out["selected"] = {"quantity": args.quantity, "value": out["quantities"].get(args.quantity, out["value"])}
        if hi_prec is not None:
            out["value_mp"] = hi_prec
        out["violated"] = [violation_message(thm, c) for c in violated]
        print_json(out)
    else:
        con = console()
        label = thm.value_text or thm.value
        con.print(f"[bold]{thm.name}[/bold]: {thm.title}")
        if axes:
            con.print("grid: " + "; ".join(f"{k} = {v}" for k, v in axes.items()))
        con.print(
            f"value ({thm.value}{', variant ' + args.variant if args.variant else ''}) = {fmt(ev.value)}"
            f"{'' if thm.exact else '   [not exact: a named constant stands for an O(.)]'}"
        )
        if hi_prec is not None:
            con.print(f"value at {args.precision} digits = {hi_prec}")
        for k, v in ev.quantities.items():
            con.print(f"  {k} = {fmt(v)}")
        con.print("Conditions:")
        for c in ev.conditions:
            con.print(condition_line(c), markup=False)
        for note in ev.notes:
            con.print(f"Note: {note}")
        con.print(f"non-vacuous: {fmt(ev.nonvacuous)}")
        del label
    if violated:
        for c in violated:
            print(violation_message(thm, c), file=sys.stderr)
        return EXIT_HYPOTHESIS
    return EXIT_OK


def mp_json(x: Any) -> Any:
    """mpmath numbers as strings with every digit (call inside the working precision)."""
    if isinstance(x, np.ndarray):
        return [mp_json(v) for v in x]
    return str(x)


def cmd_solve(args: argparse.Namespace) -> int:
    from boundlab.bounds import fmt_number

    thm = evaluable(args.id)
    params = parse_assignments(args.params, thm)
    for k, v in params.items():
        if isinstance(v, list):
            raise BadInput(f"{k} ({v}) must be a single number when solving.", name=k)
    if args.nonvacuous:
        sol = thm.nonvacuous_region(args.name, **params)
    else:
        if args.target is None:
            raise BadInput("target (missing) must be given with --target X, or use --nonvacuous.", name="target")
        sol = thm.solve_for(
            args.name, args.target, quantity=args.quantity, relation=">=" if args.at_least else "<=", **params
        )
    if args.json:
        print_json(sol.to_json())
        return EXIT_OK
    con = console()
    if args.nonvacuous:
        con.print(
            f"{thm.name} is non-vacuous for {sol.name} {'>=' if sol.which == 'smallest' else '<='} "
            f"{fmt_number(sol.value)} (the {sol.which} such value at the other parameters given)."
        )
    else:
        con.print(
            f"{sol.which} {sol.name} = {fmt_number(sol.value)}: {sol.quantity} = {sol.quantity_value:.7g} "
            f"{sol.relation} {fmt_number(sol.target)}, every decidable hypothesis of {thm.name} holding."
        )
    return EXIT_OK


def cmd_errata(args: argparse.Namespace) -> int:
    from boundlab.bounds import ERRATA, get

    check_choice("chapter", args.chapter, sorted({get(e.item).chapter for e in ERRATA.values()}))
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
        print_json(out)
    else:
        con = console()
        for e in entries:
            con.print(f"[bold]{e.id}[/bold] ({e.kind}) {get(e.item).name}: {e.title}  [{e.source}]")
            con.print(f"  printed:   {e.printed}", markup=False)
            con.print(f"  corrected: {e.corrected}", markup=False)
            if e.evaluable:
                vals = e.evaluate()
                con.print(
                    f"  at {', '.join(f'{k}={v:g}' for k, v in e.example.items())}: printed = "
                    f"{vals['printed']:.7g}, corrected = {vals['corrected']:.7g}",
                    markup=False,
                )
            con.print(f"  evidence:  {e.evidence}", markup=False)
            if args.verify:
                ok, msg = results[e.id]
                con.print(f"  verified:  {'yes' if ok else 'NO'}: {msg}", markup=False)
    if args.verify and not all(ok for ok, _ in results.values()):
        return EXIT_FAILED
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's commands."""
    p = sub.add_parser("list", help="list registered results")
    p.add_argument("--chapter", type=int, help="only this chapter (2-5)")
    p.add_argument("--kind", help="only this kind (theorem, lemma, corollary, ...)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one result: statement, parameters, hypotheses")
    p.add_argument("id", help="a result id, e.g. thm3.1 (boundlab list shows them)")
    p.add_argument("--latex", action="store_true", help="print the statement as LaTeX")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("eval", help="evaluate a result: NAME=VALUE, VALUE a number, list 1,2,3 or log range 1e2:1e6:5")
    p.add_argument("id", help="a result id, e.g. thm3.1")
    p.add_argument(
        "params",
        nargs="*",
        metavar="NAME=VALUE",
        help="parameter values: a number, a list a,b,c or a log grid lo:hi:count",
    )
    p.add_argument("--quantity", help="also report this named quantity")
    p.add_argument("--variant", help="evaluate a printed/alternative variant of the value")
    p.add_argument("--precision", type=int, help="also evaluate in mpmath with this many digits")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("solve", help="smallest/largest parameter value meeting a target with the hypotheses holding")
    p.add_argument("id", help="a result id, e.g. thm3.8")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE", help="the other parameters' values")
    p.add_argument("--for", dest="name", required=True, help="the parameter to solve for (n, m, ...)")
    p.add_argument("--target", type=float, help="the value the bound (or --quantity) must reach")
    p.add_argument("--quantity", help="solve for this named quantity instead of the bound")
    p.add_argument("--at-least", action="store_true", help="solve quantity >= target instead of <=")
    p.add_argument("--nonvacuous", action="store_true", help="where the result stops being vacuous")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("errata", help="printed statements that disagree with their proofs or are false")
    p.add_argument("--chapter", type=int, help="only this chapter (2-5)")
    p.add_argument("--verify", action="store_true", help="reproduce every counterexample / derivation check")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_errata)
