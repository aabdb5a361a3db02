"""Command-line commands of certify/ (``boundlab certify``).

Two forms share one parser (an optional positional mode):

* ``boundlab certify --weights NET.npz --data X.npy --labels y.npy --eps E`` certifies a
  one-hidden-layer ReLU network (Lemma 5.1, or Theorem 5.7 per pair with ``--pairwise``) and
  evaluates Theorem 5.8;
* ``boundlab certify sdp --matrix Q.npy`` prints a certified interval for Phi(Q).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from boundlab.bounds import BadInput

from .common import echo

EXIT_OK = 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands on the ``boundlab`` parser."""
    p = sub.add_parser(
        "certify",
        help="certified l_inf robustness of a one-hidden-layer ReLU net (Lemma 5.1, Thms 5.7/5.8); "
        "`certify sdp --matrix Q.npy` certifies one SDP",
        description="Network mode: --weights NET.npz (arrays W1 (d1, d), W2 (K, d1); f(x) = W2 relu(W1 x)) "
        "--data X.npy (n, d) --labels y.npy (n,) in 0..K-1 --eps E. SDP mode: `certify sdp "
        "--matrix Q.npy` (a symmetric N x N matrix). Every upper bound is a dual certificate "
        "1'c + N lambda_max(Q - diag c) computed with a dense eigensolver.",
    )
    p.add_argument("mode", nargs="?", choices=["sdp"], help="`sdp`: certify max <Q, P> over P PSD, diag(P) <= 1")
    p.add_argument("--weights", metavar="NET.npz", help="network weights: arrays W1 (d1, d) and W2 (K, d1)")
    p.add_argument("--data", metavar="X.npy", help="inputs, shape (n, d)")
    p.add_argument("--labels", metavar="y.npy", help="integer labels 0..K-1, shape (n,)")
    p.add_argument("--eps", type=float, help="l_inf radius (>= 0)")
    p.add_argument("--gamma", type=float, default=1.0, help="ramp-loss margin of Theorem 5.8 (default 1)")
    p.add_argument("--delta", type=float, default=0.05, help="confidence of Theorem 5.8 (default 0.05)")
    p.add_argument(
        "--pairwise",
        action="store_true",
        help="certify with Theorem 5.7 per pair of classes (K(K-1)/2 SDPs; tighter than Lemma 5.1)",
    )
    p.add_argument(
        "--form",
        choices=["corrected", "printed"],
        default="corrected",
        help="the matrix Q of (5.7): corrected (default) or as printed (UNSOUND; errata only)",
    )
    p.add_argument(
        "--method",
        choices=["fast", "reference", "scs", "clarabel", "eig"],
        default="fast",
        help="SDP path (default fast: low-rank coordinate ascent)",
    )
    p.add_argument("--tol", type=float, default=1e-6, help="target relative gap of the fast path (default 1e-6)")
    p.add_argument("--matrix", metavar="Q.npy", help="sdp mode: the symmetric matrix")
    p.add_argument("--limit", type=int, default=50, help="per-example rows to print (0: all; --json has all)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (the machine-readable output; the same whether stdout is a terminal or a pipe)",
    )
    p.set_defaults(func=cmd_certify)


def _load_npy(path: str | None, name: str, flag: str) -> np.ndarray:
    if path is None:
        raise BadInput(f"{name} (missing) must be given with {flag}.", name=name)
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{name} ({path}) must be an existing .npy file.", name=name)
    with open(p, "rb") as fh:
        magic = fh.read(6)
    if magic.startswith(b"PK"):
        raise BadInput(f"{name} ({path}) must hold a single array (.npy), not an archive.", name=name)
    if magic != b"\x93NUMPY":  # numpy would call any other bytes "pickled data"
        raise BadInput(
            f"{name} ({path}) must be a .npy file written by numpy.save; it does not start with the .npy magic string.",
            name=name,
        )
    try:
        arr = np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "pickled" in str(exc) or "Object arrays" in str(exc):
            raise BadInput(
                f"{name} ({path}) must be a numeric .npy array, not pickled Python objects.", name=name
            ) from None
        raise BadInput(f"{name} ({path}) must be a readable .npy array ({exc}).", name=name) from None
    except Exception as exc:  # truncated, unreadable
        raise BadInput(
            f"{name} ({path}) must be a readable .npy array ({type(exc).__name__}: {exc}).", name=name
        ) from None
    if not isinstance(arr, np.ndarray):
        raise BadInput(f"{name} ({path}) must hold a single array (.npy), not an archive.", name=name)
    return arr


def cmd_certify(args: argparse.Namespace) -> int:
    """``boundlab certify``: dispatch on the optional mode."""
    if args.tol is not None and not (0 < args.tol < 1):
        raise BadInput(f"tol ({args.tol}) must be in (0, 1).", name="tol")
    if args.limit < 0:
        raise BadInput(f"limit ({args.limit}) must be >= 0.", name="limit")
    if args.mode == "sdp":
        stray = [
            f
            for f, v in (("--weights", args.weights), ("--data", args.data), ("--labels", args.labels))
            if v is not None
        ]
        if stray:
            raise BadInput(
                f"{stray[0]} (given) must not be used with `certify sdp`; it takes --matrix Q.npy.", name=stray[0]
            )
        return _cmd_sdp(args)
    if args.matrix is not None:
        raise BadInput(f"matrix ({args.matrix}) must be used as `boundlab certify sdp --matrix Q.npy`.", name="matrix")
    return _cmd_network(args)


def _cmd_sdp(args: argparse.Namespace) -> int:
    from boundlab.certify import solve_sdp

    from .common import print_json as _json

    Q = _load_npy(args.matrix, "matrix", "--matrix Q.npy")
    res = solve_sdp(Q, method=args.method, tol=args.tol)
    if args.json:
        _json(res.to_json())
        return EXIT_OK
    echo(f"Phi(Q) = max <Q, P> over P PSD, diag(P) <= 1, N = {res.N}:")
    echo(f"  certified interval [{res.lower:.12g}, {res.upper:.12g}]  gap {res.gap:.3g} (relative {res.rel_gap:.3g})")
    echo(
        f"  solver: {res.solver}; status {res.status}; {res.seconds:.3g} s"
        + (f"; {res.iterations} iterations" if res.iterations else "")
    )
    if res.solver_value is not None:
        echo(f"  the solver's own objective (not a bound): {res.solver_value:.12g}")
    echo(
        "  upper = 1'c + N lambda_max(Q - diag c) + floating-point margin (dense eigensolver); "
        "lower = <Q, P> of a feasible P."
    )
    if res.note:
        echo(f"  note: {res.note}")
    return EXIT_OK


def _cmd_network(args: argparse.Namespace) -> int:
    from boundlab.certify import certify_network, load_network

    from .common import print_json as _json

    if args.weights is None:
        raise BadInput(
            "weights (missing) must be given with --weights NET.npz (or use `certify sdp --matrix`).", name="weights"
        )
    net = load_network(args.weights)
    X = _load_npy(args.data, "data", "--data X.npy")
    y = _load_npy(args.labels, "labels", "--labels y.npy")
    if args.eps is None:
        raise BadInput("eps (missing) must be given with --eps E.", name="eps")
    cert = certify_network(
        net,
        X,
        y,
        args.eps,
        gamma=args.gamma,
        delta=args.delta,
        form=args.form,
        method=args.method,
        tol=args.tol,
        pairwise=args.pairwise,
    )
    if args.json:
        out = cert.to_json()
        out["network"] = {"d": net.d, "d1": net.d1, "K": net.K}
        _json(out)
        return EXIT_OK
    _print_certification(net, cert, args.limit, args.form)
    return EXIT_OK


def _print_certification(net: Any, cert: Any, limit: int, form: str) -> None:
    C = cert.constant
    n = cert.margins.size
    echo(f"network f(x) = W2 relu(W1 x): d = {net.d}, d1 = {net.d1}, K = {net.K}; n = {n}, eps = {cert.eps:g}")
    if form == "printed":
        echo("  WARNING: the printed Q of (5.7) is unsound (catalog section 8.3); these numbers certify nothing.")
    echo(
        f"  C(W) = max_k Phi(Q(w2_k, W1)) in [{C.lower:.10g}, {C.upper:.10g}] "
        f"({C.per_class[0].solver}, {C.seconds:.3g} s); mode: {cert.mode}"
    )
    shown = n if limit == 0 else min(n, limit)
    echo(f"  {'i':>5} {'label':>5} {'margin':>14} {'certified margin':>18}  certified")
    for i in range(shown):
        echo(
            f"  {i:>5} {int(cert.labels[i]):>5} {cert.margins[i]:>14.6g} {cert.certified_margins[i]:>18.6g}  "
            f"{'yes' if cert.certified[i] else 'no'}"
        )
    if shown < n:
        echo(f"  ... {n - shown} more rows (--limit 0 prints all; --json has all)")
    echo(
        f"clean accuracy {cert.clean_accuracy:.4f}; certified robust accuracy at eps = {cert.eps:g}: "
        f"{cert.robust_accuracy:.4f} (a lower bound on the accuracy under any attack)"
    )
    echo(f"Lemma 5.1 surrogate loss (gamma = {cert.gamma:g}): {cert.surrogate_loss:.6g}")
    b = cert.bound
    echo(
        f"Theorem 5.8 bound on the adversarial test error (delta = {b['delta']:g}): printed {b['printed']:.6g}, "
        f"as the proof supports {b['proof']:.6g}"
    )
    echo(
        f"  = empirical {b['empirical_surrogate_error']:.6g} + (1 or 2)/gamma x {b['complexity_bracket']:.6g} "
        f"+ {b['confidence_term']:.6g}"
    )
    echo(f"  note: {b['note']}")
    for note in C.notes:
        echo(f"  solver note: {note}")
