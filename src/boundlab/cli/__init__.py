"""The ``boundlab`` command line: each command is one library call plus formatting.

One module per command group: :mod:`.results` (list, show, eval, solve, errata), :mod:`.checks`
(verify, sweep, tighten), :mod:`.compare` (compare), :mod:`.report` (reproduce, report, docs), :mod:`.diversity` (Chapter 2's
gradient diversity) and :mod:`.certify` (Chapter 5's certificates).

Exit codes: 0 success; 1 a verification failed; 2 bad input (one line on stderr naming the
argument, its value and the constraint); 3 evaluated, but a hypothesis of the result is violated
(the output says which, with both sides); 70 an internal error (a bug: please report it);
130 / 143 interrupted by Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence

from boundlab.bounds import BadInput, HypothesisViolated

from . import certify, checks, compare, diversity, report, results
from .common import EXIT_BAD_INPUT, EXIT_HYPOTHESIS, EXIT_INTERNAL, Parser, missing_extra, parse_assignments

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a Unix tool whose reader went away

__all__ = ["build_parser", "entry", "main", "parse_assignments"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = Parser(
        prog="boundlab",
        description="Calculators, Monte Carlo checks and reports for the theorems of "
        "'Towards More Scalable and Robust Machine Learning' (D. Yin).",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on internal errors")
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="print boundlab's version and exit"
    )
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for module in (results, checks, report, diversity, certify, compare):
        module.add_commands(sub)
    _enable_completion(parser)
    return parser


def _version() -> str:
    from boundlab import __version__

    return __version__


def _enable_completion(parser: argparse.ArgumentParser) -> None:
    """Shell completion when argcomplete is installed (``pip install boundlab[completion]``, then
    ``eval "$(register-python-argcomplete boundlab)"``); a no-op otherwise and outside completion."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:  # pragma: no cover
        return
    argcomplete.autocomplete(parser)  # pragma: no cover (exits inside a completion request)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a captured or replaced stdout has no descriptor
        pass


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
        with terminate_as_interrupt():
            return int(args.func(args))
    except BadInput as exc:
        print(f"boundlab: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except HypothesisViolated as exc:
        print(f"boundlab: {exc}", file=sys.stderr)
        return EXIT_HYPOTHESIS
    except ModuleNotFoundError as exc:  # an optional dependency (an extra) that is not installed
        err = missing_extra(exc.name or "")
        if err is None:
            return internal_error(exc, debug=args.debug)
        print(f"boundlab: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (`boundlab eval ... --json | head`): stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see terminate_as_interrupt)
        note = getattr(exc, "resume_note", "")
        print(
            f"boundlab: interrupted{' by SIGTERM' if isinstance(exc, Terminated) else ''}"
            f"{'; ' + note if note else '.'}",
            file=sys.stderr,
        )
        return 143 if isinstance(exc, Terminated) else 130
    except Exception as exc:  # no raw traceback reaches a command-line user
        return internal_error(exc, debug=args.debug)


def internal_error(exc: Exception, *, debug: bool) -> int:
    """Report a bug in one line (the traceback with ``--debug``); never exit 1, which means a failed check."""
    if debug:
        raise exc
    print(
        f"boundlab: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback).",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered like Ctrl-C so that the same cleanup runs (workers stopped, store closed)."""


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a command runs in the main thread, SIGTERM raises :class:`Terminated` instead of killing it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def entry() -> None:  # pragma: no cover
    code = main()
    try:
        sys.stdout.flush()  # buffered output reaches a closed pipe only here
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
