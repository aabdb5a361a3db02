"""Aggregators side by side: ``boundlab compare`` and ``boundlab verify ID --aggregator X``.

Both run registered checks with a user's aggregator (a registered name, an entry point of the group
``boundlab.aggregators`` or ``package.module:function``) and, on the same seeds, with the reference rules,
and print the verdicts beside each other.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from boundlab.bounds import BadInput

from .common import EXIT_FAILED, EXIT_OK, console, print_json

__all__ = ["REFERENCES", "add_commands", "beside", "compare", "split_list"]

#: The rules a user's aggregator is shown beside (the dissertation's two).
REFERENCES = ("median", "trimmed_mean")
DEFAULT_CHECK = "thm3.1/final-error"


def split_list(name: str, text: str | None) -> list[str]:
    """``a,b,c`` as a list of non-empty, distinct names.

    Examples
    --------
    >>> split_list("aggregators", "mean, median")
    ['mean', 'median']
    >>> split_list("aggregators", ",")
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: aggregators (,) must be a comma-separated list of names.
    """
    items = [t.strip() for t in (text or "").split(",") if t.strip()]
    if not items:
        raise BadInput(f"{name} ({text}) must be a comma-separated list of names.", name=name)
    return list(dict.fromkeys(items))


def _run(check: Any, trials: int, seed: int, params: dict[str, Any]) -> dict[str, Any]:
    from boundlab.montecarlo import timed

    res = timed(lambda: check.run(trials, seed, **params))
    return res.to_json()


def beside(
    item: str,
    aggregator: str,
    *,
    attack: str | None = None,
    trials: int | None = None,
    seed: int = 0,
    quick: bool = False,
    references: Sequence[str] = REFERENCES,
    **params: Any,
) -> list[dict[str, Any]]:
    """Every check of ``item`` that takes an aggregator, run with ``aggregator`` and each reference rule.

    All runs of one check use the same seed and parameters, so the rows differ only by the rule.

    Returns
    -------
    list of dict
        One row per check: ``{"check", "quantity", "runs": {rule: MCResult JSON}}``.

    Examples
    --------
    >>> rows = beside("thm3.1/final-error", "mean", trials=2, seed=0, T=5)
    >>> {k: r["verdict"] for k, r in rows[0]["runs"].items()}
    {'mean': 'fail', 'median': 'pass', 'trimmed_mean': 'pass'}
    """
    from boundlab.montecarlo.checks import checks_for

    checks = [c for c in checks_for(item) if "aggregator" in c.accepted()]
    if not checks:
        raise BadInput(
            f"id ({item}) must have a check that runs an aggregator (the gradient-descent theorems of "
            "Chapter 3 and their rate checks).",
            name="id",
        )
    rules = list(dict.fromkeys([aggregator, *references]))
    extra = dict(params)
    if attack is not None:
        extra["attack"] = attack
    rows = []
    for c in checks:
        given = {k: v for k, v in extra.items() if k in c.accepted()}
        for rule in rules:  # every value is validated before anything runs
            c.resolve(**given, aggregator=rule)
        n = trials if trials is not None else (c.quick_trials if quick else c.trials)
        runs = {rule: _run(c, int(n), seed, {**given, "aggregator": rule}) for rule in rules}
        first = next(iter(runs.values()))
        rows.append({"check": c.name, "quantity": first["quantity"], "runs": runs})
    return rows


def compare(
    aggregators: Sequence[str],
    attacks: Sequence[str],
    *,
    check: str = DEFAULT_CHECK,
    trials: int | None = None,
    seed: int = 0,
    **params: Any,
) -> list[dict[str, Any]]:
    """One check run for every (aggregator, attack) pair on the same seed: the cells of ``boundlab compare``.

    Returns
    -------
    list of dict
        ``{"aggregator", "attack", "estimate", "bound", "verdict", "tightness", "trials", "seed"}`` per pair.

    Examples
    --------
    >>> cells = compare(["mean", "median"], ["large_value"], trials=2, T=5)
    >>> [(c["aggregator"], c["verdict"]) for c in cells]
    [('mean', 'fail'), ('median', 'pass')]
    """
    from boundlab.montecarlo.checks import CHECKS

    c = CHECKS.lookup(check)
    if "aggregator" not in c.accepted() or "attack" not in c.accepted():
        runs_agg = sorted(k.name for k in CHECKS.values() if "attack" in k.accepted())
        raise BadInput(
            f"check ({check}) must take an aggregator and an attack: one of {', '.join(runs_agg)}.", name="check"
        )
    for a in aggregators:
        for x in attacks:
            c.resolve(**params, aggregator=a, attack=x)
    n = int(trials) if trials is not None else c.quick_trials
    cells = []
    for a in aggregators:
        for x in attacks:
            r = _run(c, n, seed, {**params, "aggregator": a, "attack": x})
            cells.append(
                {
                    "aggregator": a,
                    "attack": x,
                    "estimate": r["estimate"],
                    "bound": r["bound"],
                    "verdict": r["verdict"],
                    "tightness": r["tightness"],
                    "trials": r["trials"],
                    "seed": seed,
                    "check": c.name,
                    "quantity": r["quantity"],
                }
            )
    return cells


def _cell(r: dict[str, Any]) -> str:
    return f"{float(r['estimate']):.4g} {r['verdict']}"


def cmd_beside(args: argparse.Namespace, params: dict[str, Any]) -> int:
    """``verify ID --aggregator X`` (and ``--attack``): the verdicts beside the median's and the trimmed mean's."""
    if args.all or not args.id:
        raise BadInput("id (missing) must be one result or check with --aggregator (not --all).", name="id")
    aggregator = args.aggregator or "median"
    rows = beside(
        args.id, aggregator, attack=args.attack, trials=args.trials, seed=args.seed, quick=args.quick, **params
    )
    failed = any(r["runs"][aggregator]["verdict"] == "fail" for r in rows)
    if args.json:
        print_json({"id": args.id, "aggregator": aggregator, "references": list(REFERENCES), "checks": rows})
        return EXIT_FAILED if failed else EXIT_OK
    from rich.table import Table

    rules = list(rows[0]["runs"])
    table = Table(title=f"{args.id}: {aggregator} beside {' and '.join(REFERENCES)} (seed {args.seed})")
    table.add_column("check", no_wrap=True)
    for col in ("quantity", "bound", *rules):
        table.add_column(col)
    for r in rows:
        bound = float(r["runs"][rules[-1]]["bound"])  # a run that stops early (no slope to fit) reports no target
        table.add_row(r["check"], r["quantity"], f"{bound:.4g}", *(_cell(r["runs"][k]) for k in rules))
    con = console()
    con.print(table)
    con.print("cells: estimate and verdict; a rate check's bound is the target exponent.", markup=False)
    return EXIT_FAILED if failed else EXIT_OK


def _plot(cells: list[dict[str, Any]], aggregators: list[str], attacks: list[str], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(aggregators) * max(1, len(attacks)) ** 0.5, 3.6))
    width = 0.8 / len(attacks)
    x = np.arange(len(aggregators))
    for j, atk in enumerate(attacks):
        t = [
            next(float(c["tightness"]) for c in cells if c["aggregator"] == a and c["attack"] == atk)
            for a in aggregators
        ]
        ax.bar(x + (j - (len(attacks) - 1) / 2) * width, np.maximum(t, 1e-6), width, label=atk)
    ax.axhline(1.0, color="k", lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xticks(x, aggregators, rotation=20)
    ax.set_ylabel("estimate / bound")
    ax.set_title(cells[0]["check"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def cmd_compare(args: argparse.Namespace) -> int:
    from .checks import parse_check_assignments

    aggregators = split_list("aggregators", args.aggregators)
    attacks = split_list("attacks", args.attacks)
    if args.trials is not None and args.trials < 1:
        raise BadInput(f"trials ({args.trials}) must be >= 1.", name="trials")
    if args.seed < 0:
        raise BadInput(f"seed ({args.seed}) must be >= 0.", name="seed")
    params = parse_check_assignments(args.params) if args.params else {}
    for k, v in params.items():
        if isinstance(v, list):
            raise BadInput(f"{k} ({','.join(map(str, v))}) must be one value for compare.", name=k)
    cells = compare(aggregators, attacks, check=args.check, trials=args.trials, seed=args.seed, **params)
    if args.plot:
        _plot(cells, aggregators, attacks, args.plot)
    if args.json:
        print_json({"check": cells[0]["check"], "seed": args.seed, "cells": cells})
        return EXIT_OK
    from rich.table import Table

    table = Table(
        title=f"{cells[0]['check']}: {cells[0]['quantity']} (bound {float(cells[0]['bound']):.4g}, seed {args.seed})"
    )
    table.add_column("aggregator")
    for atk in attacks:
        table.add_column(atk)
    for a in aggregators:
        table.add_row(a, *(_cell(c) for atk in attacks for c in cells if c["aggregator"] == a and c["attack"] == atk))
    con = console()
    con.print(table)
    if args.plot:
        con.print(f"figure: {args.plot}", markup=False)
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``compare``."""
    p = sub.add_parser("compare", help="aggregators against attacks on one check, side by side")
    p.add_argument("params", nargs="*", metavar="NAME=VALUE", help="parameters of the check (n=200 m=50 ...)")
    p.add_argument(
        "--aggregators",
        required=True,
        help="comma-separated: registered names, entry points or package.module:function",
    )
    p.add_argument(
        "--attacks", default="strongest", help="comma-separated attacks (default: the check's strongest set)"
    )
    p.add_argument("--check", default=DEFAULT_CHECK, help=f"the check to run (default {DEFAULT_CHECK})")
    p.add_argument("--trials", type=int, help="runs per cell (default: the check's quick size)")
    p.add_argument("--seed", type=int, default=0, help="root seed, the same for every cell (default 0)")
    p.add_argument("--plot", metavar="PNG", help="also write a bar chart of estimate / bound")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_compare)
