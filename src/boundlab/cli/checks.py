"""Commands that run Monte Carlo checks: verify, sweep, tighten."""

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
    echo,
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
    points: list[dict[str, Any]] = [{}]
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
                echo(f"{r['name']:36s} {r['description']}{'  [slow]' if r['slow'] else ''}\n{'':36s} takes: {names}")
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
    problem = getattr(args, "problem", None)
    if problem is not None:
        if getattr(args, "aggregator", None) or getattr(args, "attack", None):
            raise BadInput(
                f"problem ({problem}) must be given without --aggregator or --attack (give the aggregator as "
                "aggregator=NAME with --problem, or run the comparison on the theorem's problem).",
                name="problem",
            )
        taking = [c for item in ids for c in checks_for(item) if "problem" in c.accepted()]
        if not taking:
            raise BadInput(
                f"problem ({problem}) is taken by no check of {', '.join(ids)}; the checks that take one: "
                f"{', '.join(sorted(c.name for c in CHECKS.values() if 'problem' in c.accepted()))}.",
                name="problem",
            )
        ids = [c.name for c in taking]
        params["problem"] = problem
    if getattr(args, "aggregator", None) or getattr(args, "attack", None):  # a user's rule beside the references
        from .compare import cmd_beside

        return cmd_beside(args, params)
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
            res = run_check(
                c.name,
                trials=n,
                seed=args.seed,
                chunks=args.chunks,
                params=point,
                backend=backend,
                store=store,
                progress=not args.quiet,
            )
            report.setdefault(c.theorem_id, []).append(res.to_json())
    except KeyboardInterrupt as exc:
        exc.resume_note = (  # type: ignore[attr-defined]
            f"{store.count()} finished chunks are in the store {store.path}; rerun the same command to resume."
            if store is not None
            else "nothing was kept (run with --store PATH to keep finished chunks and resume)."
        )
        raise
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
    cols = [
        "check",
        *(["at"] if grid else []),
        "quantity",
        "estimate",
        "interval",
        "bound",
        "verdict",
        "tightness",
        "power",
        "trials",
    ]
    for col in cols:
        table.add_column(col)
    for r in rows:
        for c in r["checks"]:
            at = ", ".join(
                f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in (c.get("params") or {}).items()
            )
            table.add_row(
                c["name"],
                *([at] if grid else []),
                c["quantity"],
                f"{float(c['estimate']):.5g}",
                f"[{float(c['ci_low']):.5g}, {float(c['ci_high']):.5g}]",
                f"{float(c['bound']):.5g}",
                c["verdict"],
                f"{float(c['tightness']):.3g}",
                f"{float(c['resolving_power']):.3g}",
                str(c["trials"]),
            )
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
        raise BadInput(
            f"chunks ({args.chunks}) must be set per check in the sweep file, not on the command line.", name="chunks"
        )
    backend = backend_for(
        jobs, scheduler, timeout=args.connect_timeout
    )  # validates the scheduler before anything is written
    store = Store(args.store or plan.store or DEFAULT_PATH)
    try:
        rows = run_sweep(plan, backend=backend, store=store, progress=not args.quiet)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: finished chunks are stored, running ones dropped
        exc.resume_note = (  # type: ignore[attr-defined]
            f"{store.count()} finished chunks are in the store {store.path}; rerun "
            f"`boundlab sweep {args.config}` with the same store to resume without recomputing them."
        )
        raise
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
                table.add_row(
                    r["name"],
                    ", ".join(f"{k}={v}" for k, v in r["options"].items()),
                    f"{float(r['estimate']):.5g}",
                    f"[{float(r['ci_low']):.5g}, {float(r['ci_high']):.5g}]",
                    f"{float(r['bound']):.5g}",
                    r["verdict"],
                    str(r["trials"]),
                )
        console().print(table)
        for r in rows:
            if r["kind"] == "experiment":
                echo(f"experiment {r['name']} (seed {r['seed']}): done")
    return EXIT_FAILED if failed else EXIT_OK


def cmd_tighten(args: argparse.Namespace) -> int:
    from boundlab.montecarlo.checks import checks_for
    from boundlab.tighten import tighten, write_instance

    if args.seed < 0:
        raise BadInput(f"seed ({args.seed}) must be >= 0.", name="seed")
    if args.trials is not None and args.trials < 1:
        raise BadInput(f"trials ({args.trials}) must be >= 1.", name="trials")
    checks = checks_for(args.id)
    knobs = [k.strip() for k in args.knobs.split(",")] if args.knobs else None
    store = open_store(args.store)
    con = console()
    out = []
    try:
        for c in checks:
            if args.quiet or args.json:
                r = tighten(
                    c.name,
                    budget=args.budget,
                    seed=args.seed,
                    trials=args.trials,
                    knobs=knobs,
                    method=args.method,
                    max_evaluations=args.max_evaluations,
                )
            else:
                from rich.progress import Progress, TimeElapsedColumn

                with Progress(
                    *Progress.get_default_columns()[:1],
                    TimeElapsedColumn(),
                    "{task.fields[status]}",
                    console=con,
                    transient=True,
                ) as bar:
                    task = bar.add_task(c.name, total=None, status="")

                    def progress(k: int, t: float, bar: Any = bar, task: Any = task) -> None:
                        bar.update(task, status=f"{k} candidates, best tightness {t:.4g}")

                    r = tighten(
                        c.name,
                        budget=args.budget,
                        seed=args.seed,
                        trials=args.trials,
                        knobs=knobs,
                        method=args.method,
                        max_evaluations=args.max_evaluations,
                        progress=progress,
                    )
            doc = r.to_json()
            if args.write:
                try:
                    doc["written_to"] = str(write_instance(r))
                except BadInput as exc:
                    doc["not_written"] = str(exc)
            out.append(doc)
            if store is not None:
                store.put(
                    f"tighten:{c.name}",
                    {"budget": args.budget, "knobs": knobs or []},
                    args.seed,
                    0,
                    1,
                    r.confirmed.trials,
                    doc,
                    r.seconds,
                )
    finally:
        if store is not None:
            store.close()
    if args.json:
        print_json(out[0] if len(out) == 1 else out)
    else:
        from rich.table import Table

        table = Table(title="Worst-case search (tightness = empirical / bound)")
        for col in (
            "check",
            "knobs",
            "tightness before",
            "search best",
            "confirmed",
            "power before",
            "power after",
            "verdict",
            "candidates",
        ):
            table.add_column(col)
        for d in out:
            table.add_row(
                d["check"],
                ", ".join(k["name"] for k in d["knobs"]) or "none",
                f"{float(d['default']['tightness']):.3g}",
                f"{d['best_search_tightness']:.3g}",
                f"{float(d['confirmed']['tightness']):.3g}",
                f"{float(d['default']['resolving_power']):.3g}",
                f"{float(d['confirmed']['resolving_power']):.3g}",
                d["confirmed"]["verdict"],
                str(d["evaluations"]),
            )
        con.print(table)
        for d in out:
            con.print(
                f"{d['check']}: best instance {d['best_params'] or '(the default)'}; re-run: {d['command']}",
                markup=False,
            )
            if "written_to" in d:
                con.print(f"{d['check']}: the confirmed instance is now its default ({d['written_to']}).", markup=False)
            elif "not_written" in d:
                con.print(f"{d['check']}: not written: {d['not_written']}", markup=False)
            if d["erratum_candidate"]:
                con.print(
                    f"ERRATUM CANDIDATE: the confirming run of {d['check']} lies above its bound. "
                    f"Reproduce: {d['command']}",
                    markup=False,
                )
    return EXIT_FAILED if any(d["erratum_candidate"] for d in out) else EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's commands."""
    p = sub.add_parser("verify", help="Monte Carlo checks of a result against its bound")
    p.add_argument("id", nargs="?", help="a result id (all its checks) or one check, e.g. cor3.1/edge")
    p.add_argument(
        "params",
        nargs="*",
        metavar="NAME=VALUE",
        help="parameters of the result and options of the check (e.g. alpha=0.1 n=200 bound_scale=0.5); "
        "lists 1,2,3 and log ranges 1e2:1e4:5 run as a grid",
    )
    p.add_argument("--all", action="store_true", help="every registered check")
    p.add_argument("--list", action="store_true", help="list the registered checks")
    p.add_argument("--trials", type=int, help="Monte Carlo trials (default: the check's full size)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0); results re-run bit for bit")
    p.add_argument("--quick", action="store_true", help="the quick sizes used by the test suite and the quick report")
    p.add_argument(
        "--aggregator",
        help="run the checks that take an aggregator with this one (a registered name or "
        "package.module:function), beside the median and the trimmed mean",
    )
    p.add_argument("--attack", help="the attack of those checks (a registered name or package.module:function)")
    p.add_argument(
        "--problem",
        help="run the checks that take a problem (Theorems 3.1, 3.4, 3.8, 3.11 on Model R) on this one: a "
        "registered name or package.module:function called as factory(d=d, radius=D/2)",
    )
    add_execution_options(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("sweep", help="run the checks and experiments of a TOML sweep configuration")
    p.add_argument("config", help="a sweep file (TOML) naming checks and parameter grids")
    add_execution_options(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("tighten", help="search the instance where a check is sharpest (largest empirical / bound)")
    p.add_argument("id", help="a result id (thm3.1) or one check (cor3.1/edge)")
    p.add_argument("--budget", type=float, default=60.0, help="seconds of search per check (default 60)")
    p.add_argument("--seed", type=int, default=0, help="seed of the common random numbers and of the optimiser")
    p.add_argument("--trials", type=int, help="trials per candidate (default: the check's quick size)")
    p.add_argument("--knobs", help="comma-separated parameters to search (default: every numeric one)")
    p.add_argument("--store", help="record the search in this SQLite results store")
    p.add_argument(
        "--method",
        choices=("de", "hypothesis"),
        default="de",
        help="search: scipy's differential evolution (de, default) or hypothesis's targeted search",
    )
    p.add_argument(
        "--max-evaluations",
        type=int,
        dest="max_evaluations",
        help="stop after this many candidates too (reproducible on any machine)",
    )
    p.add_argument(
        "--write",
        action="store_true",
        help="make a confirmed, sharper instance the check's default (montecarlo/checks/instances.json)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_tighten)
