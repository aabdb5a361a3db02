"""Command-line commands of Chapter 2 (``boundlab diversity``)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register this module's subcommands on the ``boundlab`` parser."""
