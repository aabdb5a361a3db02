"""Commands that write reports: reproduce, report, docs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from boundlab.bounds import (
    BadInput,
)

from .common import (
    EXIT_INTERNAL,
    EXIT_OK,
    add_execution_options,
    echo,
    json_default,
    open_store,
    print_json,
    require,
)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from boundlab.montecarlo.experiments import EXPERIMENTS

    if args.list or args.experiment is None:
        rows = [{"id": e.id, "title": e.title, "source": e.source, "paper": e.paper} for e in EXPERIMENTS.values()]
        if args.json:
            print_json(rows)
        elif not rows:
            echo("No experiments are registered yet.")
        else:
            for r in rows:
                echo(f"{r['id']:24s} {r['title']}  [{r['source']}]")
        return EXIT_OK
    if args.experiment not in EXPERIMENTS:
        raise BadInput(
            f"experiment ({args.experiment}) must be one of: {', '.join(EXPERIMENTS) or 'none registered'}.",
            name="experiment",
        )
    from boundlab.parallel import backend_for

    backend = (
        backend_for(args.jobs, args.scheduler, timeout=args.connect_timeout)
        if (args.jobs is not None or args.scheduler is not None)
        else None
    )
    try:
        result = EXPERIMENTS[args.experiment].run(
            seed=args.seed, quick=args.quick, out_dir=Path(args.out) if args.out else None, backend=backend
        )
    finally:
        if backend is not None:
            backend.close()
    if args.json:
        print_json(result)
    else:
        echo(json.dumps(result, indent=2, default=json_default))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    require("matplotlib")  # the figures come last: refuse before the checks run, not after
    from boundlab import reporting
    from boundlab.parallel import backend_for

    out_dir = Path(args.out)
    backend = backend_for(args.jobs, args.scheduler, timeout=args.connect_timeout)
    store = open_store(args.store)
    errors: list[dict[str, str]] = []
    try:
        paths = reporting.write_report(
            out_dir,
            formats=args.format,
            quick=not args.full,
            backend=backend,
            store=store,
            progress=not args.quiet,
            search_budget=args.search_budget,
            errors=errors,
        )
    finally:
        backend.close()
        if store is not None:
            store.close()
    for p in paths:
        echo(f"wrote {p}")
    if errors:
        for e in errors:
            echo(f"error in {e['stage']} {e['name']}: {e['error']}")
        echo(f"{len(errors)} item(s) raised; the report lists them under Errors.")
        return EXIT_INTERNAL
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from boundlab import reporting

    try:
        written = reporting.write_theorem_pages(Path(args.out))
    except OSError as exc:
        from boundlab.bounds import BadInput

        raise BadInput(f"out ({args.out}) must be a writable directory: {exc.strerror or exc}.", name="out") from None
    for path in written:
        echo(f"wrote {path}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's commands."""
    p = sub.add_parser("reproduce", help="reproduce an experiment of the dissertation (CPU analog)")
    p.add_argument("experiment", nargs="?", help="an experiment id (reproduce --list shows them)")
    p.add_argument("--list", action="store_true", help="list the registered experiments")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--quick", action="store_true", help="the small analog used by the quick report")
    p.add_argument("--out", help="directory for the experiment's figures (PNG)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--jobs", type=int, help="local worker processes for the simulated machines (chapter 3)")
    g.add_argument("--scheduler", help="a Dask distributed scheduler, tcp://HOST:PORT, for the simulated machines")
    p.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to reach the scheduler")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("report", help="evaluate and check every registered result; write report files")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the fast report (default)")
    mode.add_argument("--full", action="store_true", help="full sizes, slow checks, and the worst-case search")
    p.add_argument(
        "--search-budget",
        type=float,
        default=20.0,
        help="seconds of worst-case search per check in a full report (default 20; with --jobs J or a Dask "
        "scheduler, the searches run J at a time)",
    )
    p.add_argument(
        "--format",
        action="append",
        choices=["md", "latex", "csv", "json"],
        help="output format (repeatable; default md)",
    )
    p.add_argument("--out", default="boundlab-report", help="output directory (default ./boundlab-report)")
    add_execution_options(p, chunks=False)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("docs", help="regenerate the theorem pages (docs/theorems) from the registry")
    p.add_argument("--out", default="docs/theorems", help="directory for the generated pages (default docs/theorems)")
    p.set_defaults(func=cmd_docs)
