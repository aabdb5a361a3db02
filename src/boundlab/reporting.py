"""Report tables: every registered result evaluated and checked, the errata, the experiments.

The functions that build rows are pure; the writers turn rows into Markdown, LaTeX, CSV or JSON.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import json
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from boundlab.bounds import ERRATA, REGISTRY, AbstractBound, get

__all__ = [
    "registry_rows",
    "errata_rows",
    "check_results",
    "check_rows",
    "write_figures",
    "experiment_results",
    "render_markdown",
    "render_latex",
    "render_csv",
    "write_report",
    "theorem_pages",
    "write_theorem_pages",
]

COLUMNS = ("id", "result", "kind", "value", "probability", "hypotheses", "non-vacuous", "exact", "parameters")


def _sort_key(item_id: str) -> tuple[int, int, float]:
    it = REGISTRY[item_id]
    order = ["def", "asm", "alg", "eq", "prop", "thm", "lem", "cor", "obs", "rem", "tab"]
    major, _, minor = it.number.partition(".")
    prefix = it.id.rstrip("0123456789.")
    return int(major), order.index(prefix) if prefix in order else 99, float(minor or 0)


def registry_rows(chapter: int | None = None) -> list[dict[str, Any]]:
    """One row per evaluable result, evaluated and checked at its example parameters.

    Examples
    --------
    >>> rows = registry_rows(chapter=3)
    >>> next(r for r in rows if r["id"] == "thm3.8")["value"]
    '0.0620161'
    """
    rows = []
    for item_id in sorted(REGISTRY, key=_sort_key):
        it = REGISTRY[item_id]
        if not isinstance(it, AbstractBound) or (chapter is not None and it.chapter != chapter):
            continue
        params: dict[str, Any] = it.example_params()
        ev = it.assess(**params)
        decided = [c for c in ev.conditions if c["holds"] is not None]
        failed = [c["text"] for c in decided if not bool(np.all(c["holds"]))]
        undecided = len(ev.conditions) - len(decided)
        hyp = "violated: " + "; ".join(failed) if failed else f"{len(decided)} hold"
        if undecided:
            hyp += f", {undecided} assumed"
        prob = ev.quantities.get(it.probability) if it.probability else None
        rows.append(
            {
                "id": it.id,
                "result": f"{it.name}: {it.title}",
                "kind": it.kind,
                "value": f"{float(ev.value):.7g}",
                "probability": "" if prob is None else f"{float(prob):.12g}",
                "hypotheses": hyp,
                "non-vacuous": "yes" if bool(ev.nonvacuous) else "no",
                "exact": "yes" if it.exact else "no (named O(.) constant)",
                "parameters": ", ".join(f"{k}={v:.6g}" for k, v in params.items()),
                "violated": bool(failed),
            }
        )
    return rows


def errata_rows(verify: bool = True) -> list[dict[str, Any]]:
    """The errata, each with both variants at its example and, with ``verify``, the check's outcome."""
    rows = []
    for e in ERRATA.values():
        row = {
            "id": e.id,
            "item": get(e.item).name,
            "kind": e.kind,
            "title": e.title,
            "printed": e.printed,
            "corrected": e.corrected,
            "source": e.source,
        }
        if e.evaluable:
            vals = e.evaluate()
            row["values"] = f"printed {vals['printed']:.7g} vs corrected {vals['corrected']:.7g}"
        else:
            row["values"] = ""
        if verify:
            ok, msg = e.verify()
            row["verified"] = "yes" if ok else "NO"
            row["verification"] = msg
        rows.append(row)
    return rows


T = TypeVar("T")


def _attempt(errors: list[dict[str, str]] | None, stage: str, name: str, run: Callable[[], T]) -> T | None:
    """``run()``; when it raises and ``errors`` is a list, the error is recorded there (where it happened and
    the exception's message) and None returned, so one item cannot stop a report. Without a list it raises."""
    try:
        return run()
    except Exception as exc:
        if errors is None:
            raise
        errors.append({"stage": stage, "name": name, "error": f"{type(exc).__name__}: {exc}"})
        return None


def check_results(
    quick: bool = True,
    seed: int = 0,
    *,
    backend: Any = None,
    store: Any = None,
    progress: bool = False,
    errors: list[dict[str, str]] | None = None,
) -> list[Any]:
    """Every registered Monte Carlo check at its quick (or full) size, run on ``backend``.

    Slow checks run only in full reports. Returns the pooled :class:`MCResult` objects. With ``errors``
    (a list), a check that raises is recorded there and the others still run; without it, it raises.
    """
    from boundlab.montecarlo.checks import CHECKS
    from boundlab.parallel import run_check

    out = []
    for name, c in CHECKS.items():
        if quick and c.slow:
            continue
        trials = c.quick_trials if quick else c.trials
        run = functools.partial(
            run_check, name, trials=trials, seed=seed, backend=backend, store=store, progress=progress
        )
        result = _attempt(errors, "check", name, run)
        if result is not None:
            out.append(result)
    return out


def check_rows(results: Sequence[Any]) -> list[dict[str, Any]]:
    """Table rows (theorem | quantity | bound | empirical (CI) | verdict | tightness | resolving power)."""
    rows = []
    for r in results:
        rows.append(
            {
                "check": r.check,
                "result": get(r.theorem_id).name,
                "quantity": r.quantity,
                "empirical (CI)": f"{r.estimate:.5g} [{r.ci_low:.5g}, {r.ci_high:.5g}]",
                "bound": f"{r.bound:.5g}" + (f" +- {r.tolerance:g}" if r.rule == "slope" else ""),
                "verdict": r.verdict,
                "tightness": f"{r.tightness:.3g}",
                "resolving power": "rate" if r.rule == "slope" else f"{r.resolving_power:.3g}",
                "trials": r.trials,
                "seed": r.seed,
                "seconds": f"{r.seconds:.2f}",
                "note": r.note,
            }
        )
    return rows


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "_" for ch in name)


def slack_by_step(results: Sequence[Any]) -> dict[str, list[tuple[str, float, bool]]]:
    """Per theorem with a step check, each check's slack as ``(check, log10(resolving power), is_step)``.

    The resolving power, not 1 / tightness, measures the slack: for a coverage check the tightness is a
    failure frequency while its power is the radius scale it resolves. Rate checks (no constant) are left out.

    Examples
    --------
    >>> from boundlab.montecarlo import MCResult
    >>> r = MCResult("thm9.9/step-a", "thm9.9", "q", 0.5, 0.4, 0.5, 1.0, "upper", 10, 0, 0.0)
    >>> slack_by_step([r])
    {'thm9.9': [('thm9.9/step-a', 0.3010299956639812, True)]}
    """
    out: dict[str, list[tuple[str, float, bool]]] = {}
    for tid in sorted({r.theorem_id for r in results if "/step-" in r.check}):
        out[tid] = [
            (r.check, max(math.log10(r.resolving_power), 0.0), "/step-" in r.check)
            for r in results
            if r.theorem_id == tid and r.rule != "slope" and math.isfinite(r.resolving_power) and r.resolving_power > 0
        ]
    return out


def write_figures(results: Sequence[Any], out_dir: Path) -> list[Path]:
    """PNG figures: one log-log plot per rate check, the coverage of the probability bounds, the tightness.

    Returns the paths written (matplotlib with the Agg backend).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for r in results:
        if r.rule != "slope" or not r.series:
            continue
        s = r.series
        x, y = np.asarray(s["x"], float), np.asarray(s["y"], float)
        lo, hi = np.asarray(s["y_lo"], float), np.asarray(s["y_hi"], float)
        fig, ax = plt.subplots(figsize=(5, 3.6))
        ax.errorbar(
            x, y, yerr=[np.maximum(y - lo, 0), np.maximum(hi - y, 0)], fmt="o", capsize=3, label="empirical (+-2 se)"
        )
        xs = np.geomspace(x.min(), x.max(), 50)
        ax.plot(
            xs,
            np.exp(s["intercept"]) * xs ** s["slope"],
            "-",
            label=f"fit: slope {r.estimate:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]",
        )
        xm, ym = np.exp(np.mean(np.log(x))), np.exp(np.mean(np.log(y)))
        ax.plot(xs, ym * (xs / xm) ** r.bound, "--", label=f"theory: slope {r.bound:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(s.get("xlabel", "x"))
        ax.set_ylabel(s.get("ylabel", "error"))
        ax.set_title(f"{r.check}: {r.verdict}", fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / f"rate_{_slug(r.check)}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    probs = [r for r in results if r.rule in ("probability", "failure")]
    if probs:
        fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(probs) + 1.4))
        floor = min(0.5 / r.trials for r in probs)
        for i, r in enumerate(probs):
            # failure frequency: 1 - success for probability bounds
            if r.rule == "probability":
                est, lo, hi, claim = 1 - r.estimate, 1 - r.ci_high, 1 - r.ci_low, 1 - r.bound
            else:
                est, lo, hi, claim = r.estimate, r.ci_low, r.ci_high, r.bound
            ax.plot([max(lo, floor), hi], [i, i], "-", color="C0", lw=2)
            ax.plot([max(est, floor)], [i], "o" if est > 0 else "<", color="C0")
            ax.plot([claim], [i], marker="|", markersize=16, mew=2, color="C3")
        ax.set_yticks(range(len(probs)), [r.check for r in probs], fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel(
            "failure frequency and exact interval (blue; < : none observed)\nvs the claimed failure probability (red)",
            fontsize=8,
        )
        fig.tight_layout()
        path = out_dir / "coverage.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    uppers = [r for r in results if r.rule in ("upper", "exact") and r.bound > 0]
    if uppers:
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(uppers) + 1.2))
        vals = [max(r.estimate / r.bound, 1e-8) for r in uppers]
        ax.barh(range(len(uppers)), vals, color=["C2" if v <= 1 + 1e-9 else "C3" for v in vals])
        ax.axvline(1.0, color="k", lw=1)
        ax.set_yticks(range(len(uppers)), [r.check for r in uppers], fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel("empirical / bound (tightness, shown from 1e-8); the bound holds left of 1")
        fig.tight_layout()
        path = out_dir / "tightness.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    slack = slack_by_step(results)
    if slack:
        fig, axes = plt.subplots(len(slack), 1, figsize=(6, 1.6 * len(slack) + 0.6), squeeze=False)
        for ax, (tid, rows) in zip(axes[:, 0], slack.items()):
            ax.barh(range(len(rows)), [v for _, v, _ in rows], color=["C0" if step else "C7" for _, _, step in rows])
            ax.axvline(math.log10(2), color="k", lw=1, ls="--")
            ax.set_yticks(range(len(rows)), [name for name, _, _ in rows], fontsize=6)
            ax.set_title(
                f"{tid}: slack of the theorem's checks (grey) and of each step of the proof (blue)", fontsize=7
            )
        axes[-1, 0].set_xlabel("log10(resolving power); left of the dashed line a 2x error is visible", fontsize=7)
        fig.tight_layout()
        path = out_dir / "slack_by_step.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    powered = [r for r in results if r.rule != "slope" and math.isfinite(r.resolving_power)]
    if powered:
        fig, ax = plt.subplots(figsize=(6, 0.32 * len(powered) + 1.4))
        vals = [min(max(r.resolving_power, 1.0), 1e6) for r in powered]
        ax.barh(range(len(powered)), vals, color=["C2" if r.resolving_power < 2 else "C1" for r in powered])
        ax.axvline(2.0, color="k", lw=1, ls="--")
        ax.set_yticks(range(len(powered)), [r.check for r in powered], fontsize=6)
        ax.set_xscale("log")
        ax.set_xlabel(
            "resolving power: the largest factor by which the bound could be stronger and the check still\n"
            "pass (clipped to [1, 1e6]); left of the dashed line (green) a bound 2x too strong fails",
            fontsize=7,
        )
        ax.set_ylim(-0.6, len(powered) - 0.4)
        fig.tight_layout()
        path = out_dir / "resolving_power.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def experiment_results(
    quick: bool,
    out_dir: Path | None,
    seed: int = 0,
    *,
    errors: list[dict[str, str]] | None = None,
    backend: Any = None,
) -> list[dict[str, Any]]:
    """Run every registered experiment (quick mode in quick reports), figures into ``out_dir``.

    One experiment at a time (Table 2.1 times its own two worker processes); an experiment that accepts
    a backend (the robustness table's cells, Chapter 3's machines) runs its parts on ``backend``, with
    the same results as in one process. With ``errors`` (a list), an experiment that raises is recorded
    there and the others still run.
    """
    from boundlab.montecarlo.experiments import EXPERIMENTS

    out = []
    for e in EXPERIMENTS.values():
        target = None if out_dir is None else Path(out_dir) / _slug(e.id)
        t0 = _dt.datetime.now()
        result = _attempt(
            errors,
            "experiment",
            e.id,
            functools.partial(e.run, seed=seed, quick=quick, out_dir=target, backend=backend),
        )
        if result is None:
            continue
        result["seconds"] = (_dt.datetime.now() - t0).total_seconds()
        out.append(result)
    return out


def _md_escape(s: object) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _md_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(_md_escape(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def _tables() -> list[tuple[str, dict[str, dict[str, str]]]]:
    """Every registered table that can render itself: ``rows()`` (row -> column -> text) or ``rate_rows()``
    (row -> generated rate)."""
    out = []
    for item_id in sorted(REGISTRY, key=_sort_key):
        it = REGISTRY[item_id]
        if it.kind != "table":
            continue
        if hasattr(it, "rows"):
            rows = it.rows()
        elif hasattr(it, "rate_rows"):
            rows = {k: {"rate (generated from the registry)": v} for k, v in it.rate_rows().items()}
        else:
            continue
        out.append((f"{it.name}: {it.title}", rows))
    return out


def _experiment_rows() -> list[dict[str, Any]]:
    from boundlab.montecarlo.experiments import EXPERIMENTS

    return [
        {"id": e.id, "title": e.title, "source": e.source, "paper": "; ".join(f"{k}: {v}" for k, v in e.paper.items())}
        for e in EXPERIMENTS.values()
    ]


def render_markdown(
    rows: Sequence[dict[str, Any]],
    errata: Sequence[dict[str, Any]],
    checks: Sequence[dict[str, Any]] = (),
    figures: Sequence[Path] = (),
    experiments: Sequence[dict[str, Any]] = (),
    base: Path | None = None,
    searches: Sequence[dict[str, Any]] = (),
    errors: Sequence[dict[str, str]] = (),
) -> str:
    """The report as Markdown (an "Errors" section first when a check, search or experiment raised)."""
    from boundlab import __version__

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    n_bad = sum(r["violated"] for r in rows)
    parts = [
        "# boundlab report",
        "",
        f"boundlab {__version__}, {stamp}. Every registered result evaluated at its example parameters "
        "(the catalog's golden configurations) with every hypothesis checked: decidable hypotheses are "
        "checked numerically, assumptions on the data distribution are listed as assumed.",
        "",
        f"{len(rows)} results evaluated; {n_bad} with a violated hypothesis.",
        "",
    ]
    if errors:
        parts += [
            "## Errors",
            "",
            f"{len(errors)} item(s) raised instead of producing a result; the rest of the report is complete.",
            "",
            _md_table(errors, ["stage", "name", "error"]),
            "",
        ]
    parts += ["## Results", "", _md_table(rows, COLUMNS)]
    for title, table in _tables():
        cols = sorted({k for v in table.values() for k in v if not k.endswith("_latex")})
        parts += ["", f"## {title}", "", "Rates generated from the registry's symbolic exponents.", ""]
        parts.append(_md_table([{"": name, **vals} for name, vals in table.items()], ["", *cols]))
    if checks:
        n_fail = sum(c["verdict"] == "fail" for c in checks)
        parts += [
            "",
            "## Monte Carlo checks",
            "",
            f"{len(checks)} checks; {n_fail} failed. Verdict: pass when the interval lies within the bound, "
            "fail when it lies outside, inconclusive otherwise. Tightness = empirical / bound. Resolving "
            "power = the largest factor by which the bound could be made stronger and the check still pass "
            "at its interval's far end: below 2, a bound 2x too strong (a constant or radius halved) is "
            "caught.",
            "",
            _md_table(
                checks,
                [
                    "check",
                    "result",
                    "quantity",
                    "empirical (CI)",
                    "bound",
                    "verdict",
                    "tightness",
                    "resolving power",
                    "trials",
                    "seed",
                ],
            ),
        ]
        parts += ["", *[f"- `{c['check']}`: {_md_escape(c['note'])}" for c in checks]]
    if searches:
        parts += [
            "",
            "## Worst-case search",
            "",
            "Each check's numeric parameters searched (common random numbers, differential evolution) for the "
            "largest tightness within the hypotheses; the best instance re-run with a fresh seed at the full "
            "size. A confirmed interval above the bound is an erratum candidate.",
            "",
            _md_table(
                searches,
                [
                    "check",
                    "tightness before",
                    "search best",
                    "confirmed",
                    "power before",
                    "power after",
                    "verdict",
                    "best instance",
                ],
            ),
        ]
    if figures:
        parts += ["", "## Figures", ""]
        for f in figures:
            rel = f.relative_to(base) if base is not None else f
            parts.append(f"![{f.stem}]({rel.as_posix()})")
    parts += [
        "",
        "## Errata",
        "",
        _md_table(errata, ["id", "item", "kind", "title", "printed", "corrected", "values", "verified"]),
    ]
    parts += ["", "## Experiments", ""]
    if experiments:
        for res in experiments:
            parts += _experiment_markdown(res, base)
    else:
        exps = _experiment_rows()
        parts.append(
            _md_table(exps, ["id", "title", "source", "paper"])
            if exps
            else "No experiments are registered yet (`boundlab reproduce --list`)."
        )
    return "\n".join(parts) + "\n"


def _compact(v: Any) -> str:
    """A decision number as short text: floats to 4 significant digits, lists and dicts nested.

    Examples
    --------
    >>> _compact({"gain [mean, 95% CI]": [0.123456, -0.5, 1.0], "seeds": 3, "ok": True})
    '{gain [mean, 95% CI]: [0.1235, -0.5, 1], seeds: 3, ok: True}'
    """
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return f"{float(v):.4g}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_compact(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_compact(x) for x in v) + "]"
    return str(v)


def _experiment_markdown(res: dict[str, Any], base: Path | None) -> list[str]:
    from boundlab.montecarlo.experiments import EXPERIMENTS

    e = EXPERIMENTS.get(res.get("id", ""))
    lines = [
        f"### {res.get('id')}: {e.title if e else ''}",
        "",
        f"Source: {e.source if e else '?'}; seed {res.get('seed')}; {res.get('seconds', 0):.1f} s.",
        "",
    ]
    paper = res.get("paper", {})
    if paper:
        lines += ["The dissertation reports:", ""] + [f"- {k}: {_md_escape(v)}" for k, v in paper.items()] + [""]
    summary = res.get("summary")
    if isinstance(summary, list) and summary and isinstance(summary[0], dict):
        cols = list(summary[0])
        lines += [_md_table(summary, cols), ""]
    scalars = {
        k: v
        for k, v in res.items()
        if k not in ("id", "paper", "seed", "seconds", "figures", "summary") and isinstance(v, (int, float, str, bool))
    }
    if scalars:
        lines += ["Measured:", ""] + [f"- {k}: {_md_escape(v)}" for k, v in scalars.items()] + [""]
    numbers = res.get("decision_numbers")
    if isinstance(numbers, dict) and numbers:
        lines += ["Numbers the decision rule used:", ""]
        lines += [f"- {k}: {_md_escape(_compact(v))}" for k, v in numbers.items()] + [""]
    for f in res.get("figures", []) or []:
        p = Path(f)
        rel = p.relative_to(base) if base is not None and p.is_relative_to(base) else p
        lines.append(f"![{p.stem}]({rel.as_posix()})")
    lines.append("")
    return lines


_TEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
        "|": r"\textbar{}",
    }
)


def _tex(s: Any) -> str:
    r"""``str(s)`` as LaTeX text: every character special to LaTeX is replaced by its text command.

    One pass of :meth:`str.translate`, so a replacement is never escaped again (replacing in turn
    made ``\`` into ``\textbackslash\{\}``). The ten special characters (``\ & % $ # _ { } ~ ^``) and
    ``< > |``, which the default OT1 font encoding prints as other glyphs, are covered. This stays
    by hand: a library such as pylatexenc would be a new dependency for a thirteen-entry table.

    Examples
    --------
    >>> print(_tex("a\\b"))
    a\textbackslash{}b
    >>> print(_tex("50% of {x_1} & ~y^2"))
    50\% of \{x\_1\} \& \textasciitilde{}y\textasciicircum{}2
    """
    return str(s).translate(_TEX_ESCAPES)


def render_latex(rows: Sequence[dict[str, Any]], errata: Sequence[dict[str, Any]]) -> str:
    """The results and errata tables as LaTeX (booktabs)."""
    cols = ("id", "value", "probability", "hypotheses", "non-vacuous")
    lines = [
        r"\begin{tabular}{" + "l" * len(cols) + "}",
        r"\toprule",
        " & ".join(_tex(c) for c in cols) + r" \\",
        r"\midrule",
    ]
    lines += [" & ".join(_tex(r[c]) for c in cols) + r" \\" for r in rows]
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        "",
        r"\begin{tabular}{llll}",
        r"\toprule",
        r"id & item & kind & title \\",
        r"\midrule",
    ]
    lines += [" & ".join(_tex(e[c]) for c in ("id", "item", "kind", "title")) + r" \\" for e in errata]
    lines += [r"\bottomrule", r"\end{tabular}"]
    for item_id in sorted(REGISTRY, key=_sort_key):
        it = REGISTRY[item_id]
        if it.kind == "table" and type(it).latex is not type(REGISTRY["def3.1"]).latex:
            lines += ["", it.latex()]
    return "\n".join(lines) + "\n"


def render_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The results table as CSV."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _search_row(name: str, budget: float, seed: int) -> dict[str, Any]:
    """The worst-case search of check ``name`` as a report row, or ``{"check": name, "error": message}``
    when it raised (a top-level function, so a backend's worker can run it)."""
    from boundlab.tighten import tighten

    try:
        r = tighten(name, budget=budget, seed=seed)
    except Exception as exc:
        return {"check": name, "error": f"{type(exc).__name__}: {exc}"}
    return {
        "check": name,
        "tightness before": f"{r.default.tightness:.3g}",
        "search best": f"{r.best_search_tightness:.3g}",
        "confirmed": f"{r.confirmed.tightness:.3g}",
        "power before": f"{r.default.resolving_power:.3g}",
        "power after": f"{r.confirmed.resolving_power:.3g}",
        "verdict": r.confirmed.verdict,
        "best instance": ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in r.best_params.items()
        )
        or "the default",
        "command": r.command(),
        "erratum candidate": r.erratum_candidate,
    }


def _lost_search(item: tuple[Any, ...], why: str) -> dict[str, Any]:
    """The error record of a search whose worker process died (``why`` says how)."""
    return {"check": item[0], "error": f"WorkerDied: {why}"}


def search_rows(
    budget: float,
    seed: int = 0,
    *,
    names: Sequence[str] | None = None,
    errors: list[dict[str, str]] | None = None,
    backend: Any = None,
) -> list[dict[str, Any]]:
    """The worst-case search (:func:`boundlab.tighten.tighten`) of every check (or of ``names``) with
    ``budget`` seconds each, in order; with ``errors`` (a list), a search that raises is recorded there
    and left out, without it the first error raises (``RuntimeError`` naming the check).

    With a ``backend`` (``--jobs``, Dask), the searches run side by side on its workers, one search per
    worker: each still gets ``budget`` seconds of wall time, so J workers finish about J times sooner.
    """
    from boundlab.montecarlo.checks import CHECKS

    todo = list(names) if names is not None else list(CHECKS)
    items = [(name, float(budget), int(seed)) for name in todo]
    found = (
        backend.starmap(_search_row, items, lost=_lost_search)
        if backend is not None
        else [_search_row(*it) for it in items]
    )
    rows = []
    for row in found:
        if "error" in row:
            if errors is None:
                raise RuntimeError(f"the worst-case search of {row['check']} raised {row['error']}")
            errors.append({"stage": "search", "name": row["check"], "error": row["error"]})
            continue
        rows.append(row)
    return rows


def write_report(
    out_dir: Path,
    formats: Iterable[str] | None = None,
    quick: bool = True,
    *,
    backend: Any = None,
    store: Any = None,
    progress: bool = False,
    experiments: bool = True,
    search_budget: float | None = None,
    errors: list[dict[str, str]] | None = None,
) -> list[Path]:
    """Evaluate and check everything; write ``report.{md,tex,csv,json}`` and PNG figures into ``out_dir``.

    A full report (``quick=False``) also runs the worst-case search of every check for ``search_budget``
    seconds each (default 20), side by side on the ``backend``'s workers (one search per worker); the
    quick report runs every check at its stored sharpest instance only.
    Returns the paths of the report files (figures are under ``out_dir/figures``). A check, search or
    experiment that raises does not stop the report: it is listed in the report's "Errors" section and
    appended to ``errors`` (pass a list to see them).
    """
    fmts = list(dict.fromkeys(formats or ["md"]))
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        from boundlab.bounds import BadInput

        raise BadInput(f"out ({out_dir}) must be a writable directory: {exc.strerror}.", name="out") from None
    rows = registry_rows()
    errata = errata_rows(verify=True)
    errors = [] if errors is None else errors
    results = check_results(quick=quick, backend=backend, store=store, progress=progress, errors=errors)
    checks = check_rows(results)
    figures = write_figures(results, out_dir / "figures")
    exps = experiment_results(quick, out_dir / "figures", errors=errors, backend=backend) if experiments else []
    budget = 20.0 if search_budget is None else float(search_budget)
    searches = [] if quick else search_rows(budget, errors=errors, backend=backend)
    written = []
    renderers = {
        "md": ("report.md", lambda: render_markdown(rows, errata, checks, figures, exps, out_dir, searches, errors)),
        "latex": ("report.tex", lambda: render_latex(rows, errata)),
        "csv": ("report.csv", lambda: render_csv(rows)),
        "json": (
            "report.json",
            lambda: json.dumps(
                {
                    "results": rows,
                    "errata": errata,
                    "checks": checks,
                    "tables": {t: v for t, v in _tables()},
                    "experiments": exps,
                    "searches": searches,
                    "errors": errors,
                    "quick": quick,
                },
                indent=2,
                default=str,
            ),
        ),
    }
    for f in fmts:
        name, render = renderers[f]
        path = out_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(render(), encoding="utf-8")
        tmp.replace(path)  # never leave a half-written report
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# Theorem pages (docs/theorems/), generated from the registry
# ---------------------------------------------------------------------------------------------


def _page_for_chapter(chapter: int) -> str:
    items = [REGISTRY[k] for k in sorted(REGISTRY, key=_sort_key) if REGISTRY[k].chapter == chapter]
    lines = [
        f"# Chapter {chapter}: registered results",
        "",
        "Generated from the registry by `boundlab docs`; do not edit by hand. "
        "Line numbers refer to `dissertation.txt`.",
        "",
    ]
    for it in items:
        lines += [f"## `{it.id}`: {it.name}. {it.title}", "", f"*{it.kind}*, dissertation {it.source}.", ""]
        if it.statement:
            lines += ["$$", it.statement, "$$", ""]
        if isinstance(it, AbstractBound):
            lines += [
                f"Exact constants: {'yes' if it.exact else 'no (a named constant stands for an O(.))'}.",
                "",
                "| parameter | domain | description | default |",
                "|---|---|---|---|",
            ]
            for p in it.params:
                default = "required" if p.default is None else (p.default_note or f"{float(p.default):g}")
                lines.append(
                    f"| `{p.name}` | {p.domain_text()} | {_md_escape(p.description)} | {_md_escape(default)} |"
                )
            lines += ["", "Quantities:", "", "$$", r"\begin{aligned}"]
            lines += [ln.replace(" = ", " &= ", 1) for ln in it.latex().split("\n")]
            lines += [r"\end{aligned}", "$$", ""]
            if it.hypotheses:
                lines += ["Hypotheses:", ""]
                for h in it.hypotheses:
                    rel = "" if h.lhs is None else f": `{h.lhs} {h.op} {h.rhs}`"
                    lines.append(f"- {_md_escape(h.text)}{rel} ({h.source})")
                lines.append("")
            ex = " ".join(f"{k}={v:g}" for k, v in it.example_params().items())
            lines += [f"Example: `boundlab eval {it.id} {ex}`", ""]
        elif hasattr(it, "rows"):
            rows = it.rows()
            lines += ["| | " + " | ".join(rows) + " |", "|---|" + "---|" * len(rows)]
            for key in ("rate", "distribution", "alpha known?"):
                lines.append(f"| {key} | " + " | ".join(_md_escape(r[key]) for r in rows.values()) + " |")
            lines.append("")
        for note in it.notes:
            lines.append(f"> {_md_escape(note)}")
        if it.notes:
            lines.append("")
        errs = [e for e in ERRATA.values() if e.item == it.id]
        for e in errs:
            lines.append(
                f"Erratum `{e.id}` ({e.kind}): {_md_escape(e.title)}. Printed: {_md_escape(e.printed)}. "
                f"Corrected: {_md_escape(e.corrected)}. Evidence: {_md_escape(e.evidence)}"
            )
        if errs:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def theorem_pages() -> dict[str, str]:
    """File name -> Markdown for every chapter with registered results."""
    chapters = sorted({it.chapter for it in REGISTRY.values()})
    return {f"chapter{c}.md": _page_for_chapter(c) for c in chapters}


def write_theorem_pages(out_dir: Path) -> list[Path]:
    """Write the generated theorem pages; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in theorem_pages().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
