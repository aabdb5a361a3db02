"""Commands that run Monte Carlo checks: verify, sweep."""

from __future__ import annotations

import argparse
from typing import Any

from boundlab.bounds import (
    BadInput,
)

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    add_execution_options,
    console,
    open_store,
    parse_assignments,
    print_json,
)


def parse_check_assignments(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` words of ``verify``: numbers, lists and log ranges as for ``eval``; a value that is
    not a number (``form=printed``) is kept as a string for a categorical option.

    Examples
    --------
    >>> parse_check_assignments(["n=200", "form=printed", "alpha=0,0.1"])
    {'n': 200.0, 'form': 'printed', 'alpha': [0.0, 0.1]}
    """
    numeric, text = [], {}
    for word in items:
        name, _, raw = word.partition("=")
        try:
            parse_assignments([word])
            numeric.append(word)
        except BadInput:
            if "=" not in word or not name.strip() or any(ch in raw for ch in ",:"):
                raise
            text[name.strip()] = raw.strip()
    out = parse_assignments(numeric)
    for name, value in text.items():
        if name in out:
            raise BadInput(f"parameter ({name}) must be given once.", name=name)
        out[name] = value
    return {w.partition("=")[0].strip(): out[w.partition("=")[0].strip()] for w in items}


def grid_points(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The outer product of list-valued parameters (one point when none is a list).

    Examples
    --------
    >>> grid_points({"n": [1.0, 2.0], "m": 5.0, "alpha": [0.0, 0.1]})[1]
    {'n': 1.0, 'm': 5.0, 'alpha': 0.1}
    """
    axes = [k for k, v in params.items() if isinstance(v, list)]
    points = [{}]
    for k in axes:
        points = [{**p, k: v} for p in points for v in params[k]]
    return [{k: (p[k] if k in p else v) for k, v in params.items()} for p in points]


def cmd_verify(args: argparse.Namespace) -> int:
    from boundlab.montecarlo.checks import CHECKS, checks_for
    from boundlab.parallel import backend_for, run_check

    if args.list:
        rows = [c.describe() for c in CHECKS.values()]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                names = ", ".join(p["name"] for p in r["parameters"])
                print(f"{r['name']:36s} {r['description']}{'  [slow]' if r['slow'] else ''}\n{'':36s} takes: {names}")
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
    params = parse_check_assignments(args.params) if args.params else {}
    points = grid_points(params)
    plans = [(c, point) for item in ids for c in checks_for(item) for point in points]
    for c, point in plans:  # every value is validated before anything runs
        c.resolve(**point)
    report: dict[str, list[dict[str, Any]]] = {}
    store = open_store(args.store)
    backend = backend_for(args.jobs, args.scheduler, timeout=args.connect_timeout)
    try:
        for c, point in plans:
            n = args.trials if args.trials is not None else (c.quick_trials if args.quick else c.trials)
            res = run_check(c.name, trials=n, seed=args.seed, chunks=args.chunks, params=point, backend=backend,
                            store=store, progress=not args.quiet)
            report.setdefault(c.theorem_id, []).append(res.to_json())
    finally:
        backend.close()
        if store is not None:
            store.close()
    rows = [{"id": item, "checks": checks} for item, checks in report.items()]
    failed = any(c["verdict"] == "fail" for r in rows for c in r["checks"])
    if args.json:
        print_json(rows[0] if len(rows) == 1 else rows)
    else:
        print_verify_table(rows, args.seed, grid=len(points) > 1)
    return EXIT_FAILED if failed else EXIT_OK


def print_verify_table(rows: list[dict[str, Any]], seed: int, *, grid: bool = False) -> None:
    from rich.table import Table

    table = Table(title="Monte Carlo checks")
    cols = ["check", *(["at"] if grid else []), "quantity", "estimate", "interval", "bound", "verdict", "tightness",
            "power", "trials"]
    for col in cols:
        table.add_column(col)
    for r in rows:
        for c in r["checks"]:
            at = ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                           for k, v in (c.get("params") or {}).items())
            table.add_row(c["name"], *([at] if grid else []), c["quantity"], f"{float(c['estimate']):.5g}",
                          f"[{float(c['ci_low']):.5g}, {float(c['ci_high']):.5g}]", f"{float(c['bound']):.5g}",
                          c["verdict"], f"{float(c['tightness']):.3g}", f"{float(c['resolving_power']):.3g}",
                          str(c["trials"]))
    con = console()
    con.print(table)
    for r in rows:
        for c in r["checks"]:
            if c["note"]:
                con.print(f"{c['name']}: {c['note']}", markup=False)
    con.print(f"seed {seed}; power = the largest factor by which the bound could be made stronger and still pass")


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
        print_json(rows)
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
        console().print(table)
        for r in rows:
            if r["kind"] == "experiment":
                print(f"experiment {r['name']} (seed {r['seed']}): done")
    return EXIT_FAILED if failed else EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register this module's commands."""
    p = sub.add_parser("verify", help="Monte Carlo checks of a result against its bound")
    p.add_argument("id", nargs="?")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE",
                   help="parameters of the result and options of the check (e.g. alpha=0.1 n=200 bound_scale=0.5); "
                        "lists 1,2,3 and log ranges 1e2:1e4:5 run as a grid")
    p.add_argument("--all", action="store_true")
    p.add_argument("--list", action="store_true", help="list the registered checks")
    p.add_argument("--trials", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="the quick sizes used by the test suite and the quick report")
    add_execution_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("sweep", help="run the checks and experiments of a TOML sweep configuration")
    p.add_argument("config")
    add_execution_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sweep)
