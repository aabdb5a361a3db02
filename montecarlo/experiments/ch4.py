"""Experiment module (split from the chapter's checks)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import get
from boundlab.montecarlo import (
    Experiment,
    byzantine_pgd,
    clopper_pearson,
    cos_saddle,
    inexact_gd,
    make_oracle,
    median,
    register_experiment,
    spectral_filter,
    trimmed_mean,
    uniform_ball,
    verdict_record,
)
from boundlab.montecarlo.checks import CHECKS
from boundlab.montecarlo.checks.ch4 import AGG_SLOPES

# ---------------------------------------------------------------------------------------------
# Experiment: saddle-attack
# ---------------------------------------------------------------------------------------------

DEMO = {"Delta": 1e-3, "r": 0.1, "R": 0.5, "T_th": 50, "Q": 10, "eps": 3e-3}

# Theorem 4.3 promises an escape with probability >= 1 - delta; delta = 0.1 is the failure probability the
# catalog's theorem-faithful runs use (chapter4.md 6.2). Not a number printed with an experiment: the
# dissertation reports none for Chapter 4, so the rule borrows the theorem's own tolerance for both sides.
SADDLE_DELTA = 0.1
SADDLE_CONFIDENCE = 0.95  # two-sided level of the exact binomial (Clopper-Pearson) intervals
SADDLE_RULE = (
    "reproduced when, on every oracle, ByzantinePGD's escape rate has a 95% Clopper-Pearson interval above "
    f"1 - delta = {1 - SADDLE_DELTA:g} and, on every attacking oracle (all but 'honest'), plain robust GD's "
    f"escape rate has one below delta = {SADDLE_DELTA:g} (Theorem 4.3 vs Propositions 4.3-4.4, both started "
    "at the saddle); NOT reproduced when an interval lies entirely on the wrong side of its threshold; "
    "inconclusive otherwise"
)


def saddle_verdict(
    escapes: dict[str, dict[str, int]],
    trials: int,
    delta: float = SADDLE_DELTA,
    confidence: float = SADDLE_CONFIDENCE,
) -> dict[str, Any]:
    """Decide the saddle-attack claim from escape counts with exact binomial intervals.

    ``escapes[oracle]`` holds the number of the ``trials`` runs that escaped for "ByzantinePGD" and
    "robust GD". ByzantinePGD must escape on every oracle (interval >= 1 - delta), robust GD must stay
    on every attacking oracle (interval <= delta); "honest" is not an attack, so robust GD's (trivial,
    zero-gradient) stay there is not counted.

    Examples
    --------
    >>> saddle_verdict({"cancel_escape": {"ByzantinePGD": 40, "robust GD": 0}}, 40)["outcome"]
    'reproduced'
    >>> saddle_verdict({"cancel_escape": {"ByzantinePGD": 20, "robust GD": 0}}, 40)["outcome"]
    'NOT reproduced'
    >>> saddle_verdict({"cancel_escape": {"ByzantinePGD": 10, "robust GD": 0}}, 10)["outcome"]
    'inconclusive'
    """
    ci: dict[str, dict[str, list[float]]] = {}
    ok, bad = True, False
    for oracle, row in escapes.items():
        ci[oracle] = {}
        for method, k in row.items():
            if method == "robust GD" and oracle == "honest":
                continue
            lo, hi = clopper_pearson(int(k), trials, confidence)
            ci[oracle][method] = [k / trials, lo, hi]
            if method == "ByzantinePGD":
                ok &= lo >= 1 - delta
                bad |= hi < 1 - delta
            elif method == "robust GD":
                ok &= hi <= delta
                bad |= lo > delta
    outcome = "NOT reproduced" if bad else "reproduced" if ok else "inconclusive"
    worst_byz = min(v["ByzantinePGD"][1] for v in ci.values() if "ByzantinePGD" in v)
    worst_gd = max((v["robust GD"][2] for v in ci.values() if "robust GD" in v), default=0.0)
    detail = (
        f"lowest ByzantinePGD escape-rate bound {worst_byz:.3f} (needs >= {1 - delta:g}), highest robust-GD "
        f"bound {worst_gd:.3f} on the attacks (needs <= {delta:g}); {trials} trials per oracle, "
        f"{100 * confidence:g}% Clopper-Pearson"
    )
    text = {
        "reproduced": "reproduced: robust GD stays at the saddle under every attack while ByzantinePGD escapes",
        "NOT reproduced": "NOT reproduced: an escape-rate interval lies on the wrong side of its threshold",
        "inconclusive": "inconclusive: the escape-rate intervals straddle a threshold (more trials needed)",
    }[outcome]
    return verdict_record(outcome, text, detail, {"escape_rate [rate, 95% CI]": ci})


def _escape_rates(R: int, seed: int, oracles: tuple[str, ...], record: int = 0) -> dict[str, Any]:
    F = cos_saddle(2)
    rng = np.random.default_rng(seed)
    Delta = DEMO["Delta"]
    out: dict[str, Any] = {}
    trajs: dict[str, dict[str, np.ndarray]] = {}
    for name in oracles:
        row: dict[str, float] = {}
        res = byzantine_pgd(
            F,
            make_oracle(name, F, Delta),
            np.zeros((R, 2)),
            eta=1.0,
            eps=DEMO["eps"],
            r=DEMO["r"],
            R=DEMO["R"],
            Q=DEMO["Q"],
            T_th=DEMO["T_th"],
            rng=rng,
            record=record,
        )
        row["ByzantinePGD"] = float(np.mean(F.lambda_min(res.output) > 0))
        w_gd, _, tr_gd = inexact_gd(
            F, make_oracle(name, F, Delta), np.zeros((R, 2)), eta=1.0, steps=300, rng=rng, record=record
        )
        row["robust GD"] = float(np.mean(F.lambda_min(w_gd) > 0))
        w_pgd, _, tr_pgd = inexact_gd(
            F,
            make_oracle(name, F, Delta),
            uniform_ball(rng, R, 2, 2 * Delta),
            eta=1.0,
            steps=300,
            rng=rng,
            record=record,
        )
        row["PGD (one perturbation, r = 2 Delta)"] = float(np.mean(F.lambda_min(w_pgd) > 0))
        out[name] = row
        if record:
            trajs[name] = {"ByzantinePGD": res.trajectory, "robust GD": tr_gd, "PGD": tr_pgd}
    return {"rates": out, "trajectories": trajs}


def _worker_rates(R: int, seed: int) -> dict[str, Any]:
    """ByzantinePGD driven by simulated workers (m = 21, q = 2, per-worker noise 1e-3) through two aggregators."""
    from boundlab.montecarlo import WorkerOracle

    F = cos_saddle(2)
    rng = np.random.default_rng(seed + 2)
    out = {}
    for agg_name, agg in (("median", median), ("spectral filter", lambda x: spectral_filter(x, eps=0.1))):
        for attack in ("large_value", "alie"):
            noise = rng.standard_normal((R, 19, 2)) * 1e-3
            o = WorkerOracle(F, agg, noise, q=2, attack=attack, rng=rng)
            res = byzantine_pgd(
                F,
                o,
                np.zeros((R, 2)),
                eta=1.0,
                eps=DEMO["eps"],
                r=DEMO["r"],
                R=DEMO["R"],
                Q=DEMO["Q"],
                T_th=DEMO["T_th"],
                rng=rng,
            )
            out[f"{agg_name} / {attack}"] = {
                "escape rate": float(np.mean(F.lambda_min(res.output) > 0)),
                "measured Delta (max over queries)": float(o.max_error.max()),
            }
    return out


def _measured_table(R: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed + 1)
    n, m, d, alpha = 100.0, 100, 10, 0.1
    q = int(alpha * m)
    rows = {}
    ev = get("thm4.2").assess(n=n, m=m, d=d, alpha=alpha)
    printed = {**ev.quantities, "rate_ftr": ev.value}
    honest = rng.standard_normal((R, m - q, d)) / math.sqrt(n)
    v = np.ones(d) / math.sqrt(d)
    attacks = {
        "far shift": np.broadcast_to(10 * math.sqrt(d / n) * v, (R, q, d)),
        "moderate cluster": np.broadcast_to(2.0 / math.sqrt(alpha * n) * v, (R, q, d)),
    }
    aggs = {
        "median": (median, "rate_med"),
        "trimmed mean": (lambda x: trimmed_mean(x, alpha), "rate_tm"),
        "iterative filtering (spectral)": (lambda x: spectral_filter(x, eps=alpha, threshold=8.0 / n), "rate_ftr"),
    }
    for agg_name, (agg, key) in aggs.items():
        worst = 0.0
        for byz in attacks.values():
            err = np.linalg.norm(agg(np.concatenate([byz, honest], axis=1)), axis=1)
            worst = max(worst, float(err.mean()))
        rows[agg_name] = {
            "measured Delta (mean over trials, worst attack)": worst,
            "printed rate (c = 1)": float(printed[key]),
            "printed rate (Table 4.3)": get("tab4.3").printed[agg_name.split(" (")[0]],
        }  # type: ignore[attr-defined]
    rows["lower bound (Observation 4.2, c = 1)"] = {"printed rate (c = 1)": float(printed["rate_lower"])}
    return {"config": {"n": n, "m": m, "d": d, "alpha": alpha, "trials": R}, "rows": rows}


def _saddle_attack(seed: int, quick: bool, out_dir: Path | None) -> dict[str, Any]:
    R = 40 if quick else 400
    oracles = ("honest", "zero_if_small", "cancel_escape", "pull_to_saddle", "pull_to_center", "greedy_ascent")
    esc = _escape_rates(R, seed, oracles, record=3)
    counts = {
        name: {m: int(round(row[m] * R)) for m in ("ByzantinePGD", "robust GD")} for name, row in esc["rates"].items()
    }
    decision = saddle_verdict(counts, R)
    slopes = {}
    for key in AGG_SLOPES:
        res = CHECKS[f"tab4.3/{key}"].run(50 if quick else 400, seed)
        slopes[key] = {
            "measured": res.estimate,
            "ci": [res.ci_low, res.ci_high],
            "registered exponent": res.bound,
            "verdict": res.verdict,
        }
    result: dict[str, Any] = {
        "title": "Saddle-point attack: ByzantinePGD vs robust GD vs single-perturbation PGD",
        "setting": (
            f"cos-saddle d = 2 (L_F = rho_F = lam = 1), w0 = saddle, Delta = {DEMO['Delta']}, hand-tuned "
            f"r = {DEMO['r']}, R = {DEMO['R']}, T_th = {DEMO['T_th']}, Q = {DEMO['Q']}, eps = 3 Delta "
            f"(catalog 6.4: at this Delta Theorem 4.3's own T_th is < 1, so this is a demonstration, not a "
            f"theorem-backed run); {R} trials per oracle; escape = the output has lambda_min > 0."
        ),
        "escape_rates": esc["rates"],
        "reproduced": decision["reproduced"],
        "inconclusive": decision["inconclusive"],
        "verdict": decision["verdict"],
        "escape_counts": counts,
        "escape_rate [rate, 95% CI]": decision["escape_rate [rate, 95% CI]"],
        "aggregator_backed": _worker_rates(10 if quick else 100, seed),
        "table_4_3": _measured_table(100 if quick else 1000, seed),
        "table_4_3_slopes": slopes,
        "decision_rule": SADDLE_RULE,
        "note": (
            "CPU analog: the dissertation reports no experiment for Chapter 4; the paper column holds its "
            "statements (Propositions 4.3-4.4, Table 4.3)."
        ),
        "figures": [],
    }
    if out_dir is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(13, 4))
        for ax, name in zip(axes, ("cancel_escape", "pull_to_saddle", "honest")):
            for method, color in (("ByzantinePGD", "C0"), ("robust GD", "C3"), ("PGD", "C2")):
                tr = esc["trajectories"][name][method]
                for j in range(tr.shape[1]):
                    ax.plot(
                        tr[:, j, 0],
                        tr[:, j, 1],
                        color=color,
                        lw=1,
                        alpha=0.8,
                        marker="o" if method == "robust GD" else None,
                        markersize=4,
                        label=method if j == 0 else None,
                    )
            ax.plot([0], [0], "kx")
            ax.set_title(f"oracle: {name}")
            ax.set_xlabel("w_1")
            ax.set_ylabel("w_2 (escape direction)")
            ax.set_ylim(-3.5, 3.5)
            ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        path = Path(out_dir) / "saddle-attack-trajectories.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(7, 4))
        names = list(esc["rates"])
        methods = list(next(iter(esc["rates"].values())))
        for i, meth in enumerate(methods):
            ax.bar(
                np.arange(len(names)) + 0.27 * (i - 1), [esc["rates"][nm][meth] for nm in names], width=0.27, label=meth
            )
        ax.set_xticks(np.arange(len(names)), names, rotation=20, fontsize=8)
        ax.set_ylabel("escape rate")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path2 = Path(out_dir) / "saddle-attack-escape-rates.png"
        fig.savefig(path2, dpi=110)
        plt.close(fig)
        result["figures"] = [str(path), str(path2)]
    return result


register_experiment(
    Experiment(
        id="saddle-attack",
        title="Saddle-point attack on robust GD; ByzantinePGD escapes (Chapter 4)",
        source="Propositions 4.3-4.4 (L9171-9296), Theorem 4.3 (L8669-8801), Table 4.3 (L9067-9107)",
        paper={
            "Proposition 4.4": "inexact GD from Unif(B_0(r)) is stuck w.p. (2/pi)(asin a + a sqrt(1-a^2)), a = Delta/(lam r)",
            "Theorem 4.3": "ByzantinePGD outputs ||grad F|| <= 4 Delta, lambda_min >= -O~(Delta^(2/5)) w.p. 1 - delta",
            "Table 4.3": {
                "median": "alpha sqrt(d)/sqrt(n) + d/sqrt(nm) + sqrt(d)/n",
                "trimmed mean": "alpha d/sqrt(n) + d/sqrt(nm)",
                "iterative filtering": "sqrt(alpha)/sqrt(n) + sqrt(d)/sqrt(nm)",
            },
        },
        runner=_saddle_attack,
    )
)
