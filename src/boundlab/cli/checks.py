"""Commands that run Monte Carlo checks: verify, sweep."""

from __future__ import annotations

import argparse

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


def cmd_verify(args: argparse.Namespace) -> int:
    from boundlab.montecarlo.checks import CHECKS

    if args.list:
        rows = [{"name": c.name, "id": c.theorem_id, "description": c.description, "trials": c.trials,
                 "quick_trials": c.quick_trials, "slow": c.slow, "wrong": dict(c.wrong)} for c in CHECKS.values()]
        if args.json:
            print_json(rows)
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
    from boundlab.montecarlo.checks import checks_for
    from boundlab.parallel import backend_for, run_check

    store = open_store(args.store)
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
        print_json(report[0] if len(report) == 1 else report)
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
        con = console()
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
    p.add_argument("overrides", nargs="*", metavar="NAME=VALUE", help="check options (e.g. radius_scale=0.1)")
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
