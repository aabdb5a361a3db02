"""The registry's metadata without sympy: ids, titles, kinds, sources and parameter names.

The chapter modules build sympy expressions when they are imported, which takes about a second; the
command line's ``list`` (and anything else that only needs to know what is registered) reads this
index instead. :func:`write` regenerates ``_index_data.py`` from the live registry, and a test keeps
the two identical.

Examples
--------
>>> from boundlab.bounds import INDEX
>>> INDEX["thm3.1"].title, INDEX["thm3.1"].chapter, "alpha" in INDEX["thm3.1"].params
('Median-based robust GD, strongly convex F', 3, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._index_data import DATA

__all__ = ["INDEX", "IndexEntry", "build", "render", "write"]

_FIELDS = ("id", "name", "title", "kind", "source", "evaluable", "exact", "params")


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    """What ``boundlab list`` shows of one registered result, with the names of its parameters.

    ``exact`` is None for an item without a value (definition, assumption, ...).
    """

    id: str
    name: str
    title: str
    kind: str
    source: str
    evaluable: bool
    exact: bool | None
    params: tuple[str, ...]

    @property
    def number(self) -> str:
        """The dissertation's number, ``"3.1"`` for ``thm3.1``."""
        return self.id.lstrip("abcdefghijklmnopqrstuvwxyz")

    @property
    def chapter(self) -> int:
        """The dissertation chapter."""
        return int(self.number.split(".")[0])


#: id -> :class:`IndexEntry`, in registration order.
INDEX: Mapping[str, IndexEntry] = {row[0]: IndexEntry(*row) for row in DATA}


def build() -> tuple[tuple[Any, ...], ...]:
    """The index rows of the live registry (imports the chapter modules)."""
    from . import _load
    from ._base import REGISTRY

    _load()  # registers every chapter's results

    rows = []
    for it in REGISTRY.values():
        params = tuple(p.name for p in getattr(it, "params", ()))
        rows.append(
            (it.id, it.name, it.title, it.kind, it.source, bool(it.evaluable), getattr(it, "exact", None), params)
        )
    return tuple(rows)


def render(rows: tuple[tuple[Any, ...], ...]) -> str:
    """The source text of ``_index_data.py`` holding ``rows``."""
    lines = [
        '"""Generated from the registry by ``boundlab.bounds._index.write()``; do not edit."""',
        "",
        "# ruff: noqa: E501",
        f"# fields: {', '.join(_FIELDS)}",
        "DATA = (",
    ]
    lines += [f"    {row!r}," for row in rows]
    lines.append(")")
    return "\n".join(lines) + "\n"


def write() -> Path:
    """Regenerate ``_index_data.py`` from the live registry (after adding or changing a result)."""
    target = Path(__file__).with_name("_index_data.py")
    target.write_text(render(build()))
    return target
