"""Command-line start-up: `boundlab --help`, `list` and `eval thm3.1 ...` against `python -c pass`.

Each command runs in a fresh interpreter (as a user types it); the figure is the median wall time
over ``--repeats`` runs after one warm-up run. With ``--baseline REF`` (default ``main``) the same
commands also run on the package as it is at git revision REF, assembled in a temporary folder from
``git archive`` and put first on ``PYTHONPATH``, so before and after are measured in the same run.
Both trees are byte-compiled first (as ``pip install`` does), so the figures are those of an
installed package even where ``PYTHONDONTWRITEBYTECODE`` is set; ``--no-compile`` skips that.
``eval ... --precision 30`` takes the sympy path (the registry's expressions, lambdified), which
``eval`` without it no longer needs.
Usage:
    python benchmarks/bench_cli_startup.py [--repeats 7] [--baseline main | --baseline ''] [--no-compile]
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = [
    "eval",
    "thm3.1",
    "n=1000",
    "m=1000",
    "d=2",
    "alpha=0.05",
    "D=2",
    "L_hat=2",
    "V=1.7320508075688772",
    "S=1.5957691216057308",
    "L_F=1",
    "lambda_F=1",
    "T=30",
    "r0=1",
]
COMMANDS = {
    "python -c pass": None,
    "boundlab --help": ["--help"],
    "boundlab list": ["list"],
    "boundlab eval thm3.1 ...": EVAL,
    "  ... --precision 30": [*EVAL, "--precision", "30"],
}


def argv_of(args: list[str] | None) -> list[str]:
    if args is None:
        return [sys.executable, "-c", "pass"]
    return [sys.executable, "-c", "import sys; from boundlab.cli import main; sys.exit(main(sys.argv[1:]))", *args]


def median_wall(argv: list[str], repeats: int, env: dict[str, str]) -> float:
    """Median wall time of running ``argv`` to completion, after one untimed warm-up run."""
    times = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def checkout(ref: str, into: Path) -> Path:
    """The importable ``boundlab`` package as it is at ``ref`` (the package-dir layout, assembled)."""
    blob = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src/boundlab", "bounds", "montecarlo", "certify"],
        capture_output=True,
        check=True,
    ).stdout
    src = into / "tree"
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(src, filter="data")
    pkg = into / "site" / "boundlab"
    shutil.copytree(src / "src" / "boundlab", pkg)
    for sub in ("bounds", "montecarlo", "certify"):
        shutil.copytree(src / sub, pkg / sub)
    return into / "site"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--baseline", default="main", help="git revision to compare with ('' for none)")
    ap.add_argument("--no-compile", action="store_true", help="do not byte-compile the package trees first")
    args = ap.parse_args()
    env = dict(os.environ)
    if not args.no_compile:
        for sub in ("src/boundlab", "bounds", "montecarlo", "certify"):
            compileall.compile_dir(ROOT / sub, quiet=1)
    here = {label: median_wall(argv_of(a), args.repeats, env) for label, a in COMMANDS.items()}
    base = {}
    if args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            site = checkout(args.baseline, Path(tmp))
            if not args.no_compile:
                compileall.compile_dir(site, quiet=1)
            benv = {**env, "PYTHONPATH": os.pathsep.join([str(site), env.get("PYTHONPATH", "")])}
            probe = subprocess.run(
                [sys.executable, "-c", "import boundlab; print(boundlab.__file__)"],
                env=benv,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            assert probe.startswith(str(site)), probe
            base = {label: median_wall(argv_of(a), args.repeats, benv) for label, a in COMMANDS.items()}
    load = os.getloadavg()[0]
    print(
        f"command-line start-up, median wall time of {args.repeats} fresh interpreters "
        f"({os.cpu_count()} cores, load average {load:.1f}: figures are noisy on a shared machine; "
        f"{'no bytecode cache' if args.no_compile else 'byte-compiled'})"
    )
    for label in COMMANDS:
        line = f"  {label:26s} {here[label]:6.3f} s"
        if base:
            line += f"   {args.baseline}: {base[label]:6.3f} s   ratio {base[label] / here[label]:5.2f}x"
        print(line)
    print("  targets: --help <= 0.25 s, eval <= 0.5 s (interpreter start-up included)")


if __name__ == "__main__":
    main()
