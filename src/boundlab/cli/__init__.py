"""The ``boundlab`` command line: each command is one library call plus formatting.

One module per command group: :mod:`.results` (list, show, eval, solve, errata), :mod:`.checks`
(verify, sweep, tighten), :mod:`.report` (reproduce, report, docs), :mod:`.diversity` (Chapter 2's
gradient diversity) and :mod:`.certify` (Chapter 5's certificates).

Exit codes: 0 success; 1 a verification failed; 2 bad input (one line on stderr naming the
argument, its value and the constraint); 3 evaluated, but a hypothesis of the result is violated
(the output says which, with both sides).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from boundlab.bounds import BadInput, HypothesisViolated

from . import certify, checks, compare, diversity, report, results
from .common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_HYPOTHESIS, Parser, parse_assignments

__all__ = ["build_parser", "entry", "main", "parse_assignments"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = Parser(prog="boundlab", description="Calculators, Monte Carlo checks and reports for the theorems of "
                                                 "'Towards More Scalable and Robust Machine Learning' (D. Yin).")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on internal errors")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in (results, checks, report, diversity, certify, compare):
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # NAME=VALUE words may come after options (solve ID --for n --target X m=...)
        if hasattr(args, "params") and all("=" in w and not w.startswith("-") for w in extra):
            args.params = [*args.params, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args))
    except BadInput as exc:
        print(f"boundlab: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except HypothesisViolated as exc:
        print(f"boundlab: {exc}", file=sys.stderr)
        return EXIT_HYPOTHESIS
    except KeyboardInterrupt:
        print("boundlab: interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # no raw traceback reaches a command-line user
        if args.debug:
            raise
        print(f"boundlab: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback).",
              file=sys.stderr)
        return EXIT_FAILED


def entry() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
