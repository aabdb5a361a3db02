"""Command-line commands of Chapter 2 (``boundlab diversity``).

``boundlab diversity --gradients G.npy`` (per-sample gradients, n x d) or
``boundlab diversity --data X.npy --labels y.npy --model logistic [--w w.npy]`` (also ``.npz`` / ``.csv``,
and ``--data digits`` for scikit-learn's bundled digits) prints the gradient diversity, the batch-size
bound, M^2, the w-free lower bounds and the mechanisms' bounds for ``--drop P``, ``--sgld SIGMA``,
``--quant``; ``--json`` prints them as one object.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import BadInput

from .common import echo

# scipy.sparse and boundlab.montecarlo (scipy.stats) are imported by the functions that use them, so
# that building the command line's parser stays fast.

CONFLICT_MAX_DENSE_N = 5000


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands on the ``boundlab`` parser."""
    p = sub.add_parser("diversity", help="gradient diversity and batch-size bound of a data set (Chapter 2)")
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--gradients",
        help="per-sample gradients, n x d (.npy, .npz, .csv; sparse .npz accepted), or package.module:function, "
        "a generator function yielding batches (b, d) of per-example gradients (streamed: the noise scale only)",
    )
    src.add_argument("--data", help="features X, n x d (.npy, .npz, .csv) or 'digits' (scikit-learn's bundled digits)")
    p.add_argument(
        "--gradients-prime",
        dest="gradients_prime",
        help="per-sample gradients at a second model w' (differential B_D(w, w'), Definition 2.6)",
    )
    p.add_argument("--labels", help="labels y, length n (logistic/hinge: {-1,+1} or {0,1})")
    p.add_argument("--model", default="logistic", help="GLM loss: logistic, squared or hinge (smooth hinge)")
    p.add_argument("--w", dest="w", help="model w, length d (default 0)")
    p.add_argument("--drop", type=float, help="DropConnect drop probability p in [0, 1) for B^drop (2.11)")
    p.add_argument("--sgld", type=float, help="SGLD noise level sigma >= 0 for B^sgld (2.12)")
    p.add_argument("--quant", action="store_true", help="also report B^quant (2.13)")
    p.add_argument("--batch", type=int, help="batch size B (1 <= B <= n): report the slack delta = (B-1)/B_D")
    p.add_argument(
        "--sample",
        action="store_true",
        help="the gradients are a sample: add the unbiased estimators of tr(Sigma), |G|^2 and B_simple with a "
        "jackknife interval",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_diversity)


def _load_array(path: str, name: str) -> Any:
    import scipy.sparse as sps

    fp = Path(path)
    if not fp.is_file():
        raise BadInput(f"{name} ({path}) must be an existing .npy, .npz or .csv file.", name=name)
    suffix = fp.suffix.lower()
    try:
        if suffix == ".npy":
            with open(fp, "rb") as fh:
                if fh.read(6) != b"\x93NUMPY":  # numpy would call any other bytes "pickled data"
                    raise BadInput(
                        f"{name} ({path}) must be a .npy file written by numpy.save; it does not start "
                        "with the .npy magic string.",
                        name=name,
                    )
            return np.load(fp, allow_pickle=False)
        if suffix == ".npz":
            with np.load(fp, allow_pickle=False) as z:
                keys = list(z.keys())
                if {"format", "shape", "data"} <= set(keys):
                    return sps.load_npz(fp)
                for key in ("G", "X", "y", "w", "arr_0"):
                    if key in keys:
                        return z[key]
                if not keys:
                    raise BadInput(f"{name} ({path}) must contain an array.", name=name)
                return z[keys[0]]
        if suffix == ".csv":
            return np.loadtxt(fp, delimiter=",", ndmin=2)
    except BadInput:
        raise
    except Exception as exc:  # unreadable file: one line, no traceback
        why = str(exc).splitlines()[0][:160] if str(exc) else ""
        raise BadInput(
            f"{name} ({path}) must be a readable {suffix} array file ({type(exc).__name__}"
            f"{': ' + why if why else ''}).",
            name=name,
        ) from None
    raise BadInput(f"{name} ({path}) must end in .npy, .npz or .csv.", name=name)


def load_digits_binary() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits (1797 x 64), pixels scaled to [0, 1], y = +1 for digits >= 5 else -1."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is a dependency of the experiments
        raise BadInput("data (digits) must be available: install scikit-learn.", name="data") from None
    ds = load_digits()
    return ds.data / 16.0, np.where(ds.target >= 5, 1.0, -1.0)


def _finite_or_str(x: float) -> Any:
    return x if math.isfinite(x) else str(x)


def diversity_report(
    *,
    gradients: Any = None,
    gradients_prime: Any = None,
    X: Any = None,
    y: Any = None,
    w: Any = None,
    model: str = "logistic",
    drop: float | None = None,
    sgld: float | None = None,
    quant: bool = False,
    batch: int | None = None,
    sample: bool = False,
) -> dict[str, Any]:
    """Everything ``boundlab diversity`` prints, as a JSON-ready mapping (one library call per number).

    With per-example gradients, ``noise_scale`` holds McCandlish et al.'s simple noise scale
    B_simple = tr(Sigma)/|G|^2 over the n examples (= n Delta_D - 1, ``docs/noise-scale.md``) and, with
    ``sample=True``, its unbiased finite-sample estimate and jackknife interval.

    Examples
    --------
    >>> r = diversity_report(gradients=[[1.0, 0.0], [0.0, 1.0]], drop=0.5)
    >>> r["B_D"], r["mechanisms"]["B_drop"], r["lower_bounds"]["conflict_graph"]["bound"]
    (2.0, 2.0, 2.0)
    >>> r["noise_scale"]["B_simple"]
    1.0
    """
    import scipy.sparse as sps

    import boundlab.montecarlo as div

    lower: dict[str, Any] = {}
    if gradients is not None:
        G = div.as_gradient_matrix(gradients)
        if gradients_prime is not None:
            s = div.differential_diversity(G, gradients_prime)
            kind = "differential"
        else:
            s = div.diversity(G)
            kind = "gradients"
        if sps.issparse(G) or G.shape[0] <= CONFLICT_MAX_DENSE_N:
            H = G if gradients_prime is None else G - div.as_gradient_matrix(gradients_prime, "gradients_w_prime")
            lower["conflict_graph"] = div.conflict_graph_bound(H, H)
    else:
        if X is None:
            raise BadInput(
                "input (missing) must be given: --gradients G.npy or --data X.npy --labels y.npy.", name="input"
            )
        if y is None:
            raise BadInput("labels (missing) must be given with --data (or use --data digits).", name="labels")
        s = div.glm_diversity(X, y, w, model, quant=quant)
        kind = f"glm:{model}"
        lower["glm"] = div.glm_lower_bound(X)
        lower["glm_normalized"] = div.glm_lower_bound_normalized(X)
        Xm = div.as_gradient_matrix(X, "X")
        if sps.issparse(Xm) or Xm.shape[0] <= CONFLICT_MAX_DENSE_N:
            lower["conflict_graph"] = div.conflict_graph_bound(Xm)
    out: dict[str, Any] = {
        "input": kind,
        **s.to_json(),
        "lower_bounds": lower,
        "mechanisms": {
            k: _finite_or_str(v) for k, v in div.mechanism_bounds(s, p=drop, sigma=sgld, quant=quant).items()
        },
    }
    if gradients_prime is not None and sgld is not None:
        out["mechanisms"]["B_sgld"] = _finite_or_str(s.B_D)
        out["notes"] = [
            "differential SGLD: the noise is shared by the coupled runs and cancels, so "
            "B^sgld(w, w') = B_D(w, w') (erratum err2.9)."
        ]
    if gradients is not None and gradients_prime is None:
        out["noise_scale"] = noise_scale_report(G, sample=sample)
    if batch is not None:
        out["B"] = int(batch)
        out["delta"] = _finite_or_str(div.slack_delta(s, batch))
    return out


def noise_scale_report(source: Any, *, sample: bool = False) -> dict[str, Any]:
    """The simple noise scale of per-example gradients (an array, a file or a generator of batches), streamed.

    Examples
    --------
    >>> noise_scale_report([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])["B_simple"]
    0.5
    """
    from boundlab.montecarlo import gradient_noise_scale

    ns = gradient_noise_scale(source, sample=sample)
    out: dict[str, Any] = {
        "n": ns.n,
        "d": ns.d,
        "Delta_D": _finite_or_str(ns.Delta_D),
        "B_D": _finite_or_str(ns.B_D),
        "tr_Sigma": ns.tr_Sigma,
        "G_norm2": ns.G_norm2,
        "B_simple": _finite_or_str(ns.B_simple),
    }
    if ns.sample is not None:
        out["sample"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in ns.sample.items()}
    return out


def _gradient_generator(spec: str) -> Any:
    """``package.module:function`` naming a generator function of per-example gradient batches."""
    import importlib

    module, _, attr = spec.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise BadInput(
            f"gradients ({spec}) must be a file or an importable package.module:function ({type(exc).__name__}: "
            f"{exc}).",
            name="gradients",
        ) from None
    if not callable(fn):
        raise BadInput(f"gradients ({spec}) must name a callable (a generator function of batches).", name="gradients")
    return fn


def cmd_diversity(args: argparse.Namespace) -> int:
    """Handler of ``boundlab diversity``; raises BadInput for bad input (exit 2)."""
    if args.gradients is None and args.data is None:
        raise BadInput("input (missing) must be given: --gradients G.npy or --data X.npy --labels y.npy.", name="input")
    if args.drop is not None and not (math.isfinite(args.drop) and 0 <= args.drop < 1):
        raise BadInput(f"drop ({args.drop:g}) must be in [0, 1) (DropConnect drop probability).", name="drop")
    if args.sgld is not None and not (math.isfinite(args.sgld) and args.sgld >= 0):
        raise BadInput(f"sgld ({args.sgld:g}) must be a finite number >= 0 (noise level).", name="sgld")
    kw: dict[str, Any] = {"drop": args.drop, "sgld": args.sgld, "quant": args.quant, "batch": args.batch}
    if args.gradients is not None and ":" in args.gradients and not Path(args.gradients).exists():
        # a generator of batches: streamed, so only what streams (Delta_D, B_D, the noise scale) is reported
        report = {"input": "stream", **noise_scale_report(_gradient_generator(args.gradients), sample=args.sample)}
        if args.json:
            from .common import print_json as _json

            _json(report)
            return 0
        _print_noise_scale(report)
        return 0
    kw["sample"] = args.sample
    if args.gradients is not None:
        kw["gradients"] = _load_array(args.gradients, "gradients")
        if args.gradients_prime is not None:
            kw["gradients_prime"] = _load_array(args.gradients_prime, "gradients_prime")
    else:
        y: np.ndarray | None
        if args.data == "digits":
            X, y = load_digits_binary()
            if args.labels is not None:
                y = _load_array(args.labels, "labels")
        else:
            X = _load_array(args.data, "data")
            y = _load_array(args.labels, "labels") if args.labels is not None else None
        kw.update(X=X, y=y, model=args.model, w=_load_array(args.w, "w") if args.w else None)
    report = diversity_report(**kw)
    if args.json:
        from .common import print_json as _json

        _json(report)
        return 0
    _print_report(report)
    return 0


def _fmt(x: Any) -> str:
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def _print_report(r: dict[str, Any]) -> None:
    diff = r["input"] == "differential"
    w = "(w, w')" if diff else "(w)"
    echo(f"input: {r['input']}   n = {r['n']}, d = {r['d']}")
    echo(f"  gradient diversity Delta_D{w} = {_fmt(r['Delta_D'])}")
    echo(f"  batch-size bound   B_D{w}     = {_fmt(r['B_D'])}   (= n Delta_D = M2/G)")
    echo(f"  M2{w} = {_fmt(r['M2'])},  G{w} = ||grad F||^2 = {_fmt(r['G'])}")
    for key, val in r["lower_bounds"].items():
        if isinstance(val, dict):
            extra = f", degree-weighted {_fmt(val['weighted_bound'])}" if "weighted_bound" in val else ""
            echo(
                f"  lower bound (conflict graph, Remark 2.2): n/(rho+1) = {_fmt(val['bound'])} (rho = {val['rho']}){extra}"
            )
        else:
            label = {
                "glm": "n min||x_i||^2 / sigma_max(X)^2 (Remark 2.1)",
                "glm_normalized": "n / sigma_max(X~)^2, unit rows",
            }[key]
            echo(f"  lower bound {label} = {_fmt(val)}")
    for key, val in r["mechanisms"].items():
        echo(f"  {key} = {_fmt(val)}")
    if "noise_scale" in r:
        _print_noise_scale(r["noise_scale"], header=False)
    if "delta" in r:
        echo(f"  B = {r['B']}: slack delta = (B-1)/B_D = {_fmt(r['delta'])}")
    for note in r.get("notes", []):
        echo(f"  note: {note}")


def _print_noise_scale(r: dict[str, Any], *, header: bool = True) -> None:
    if header:
        echo(f"input: {r.get('input', 'gradients')}   n = {r['n']}, d = {r['d']}")
        echo(f"  gradient diversity Delta_D = {_fmt(r['Delta_D'])}, B_D = {_fmt(r['B_D'])}")
    echo(f"  simple noise scale B_simple = tr(Sigma)/|G|^2 = {_fmt(r['B_simple'])}   (= n Delta_D - 1)")
    if "sample" in r:
        smp = r["sample"]
        low, high = smp["interval"]
        echo(
            f"  as a sample: unbiased B_simple = {_fmt(smp['B_simple'])}, "
            f"{smp['confidence']:.0%} jackknife interval [{_fmt(low)}, {_fmt(high)}]"
        )
