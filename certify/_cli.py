"""Command-line commands of certify/ (``boundlab certify``)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register this module's subcommands on the ``boundlab`` parser."""
