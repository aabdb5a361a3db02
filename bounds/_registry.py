"""One generic registry for results, errata, Monte Carlo checks and experiments.

A :class:`Registry` is a read-only mapping from a lower-case key to an item, with one duplicate
guard, one did-you-mean lookup and one chapter filter, so every kind of registered thing is found,
listed and refused the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from ._errors import BadInput

__all__ = ["Registry", "chapter_of"]

T = TypeVar("T")


def chapter_of(key: str) -> int | None:
    """The dissertation chapter a registry key refers to: the first number in it.

    Examples
    --------
    >>> chapter_of("thm3.1/final-error"), chapter_of("err5.2"), chapter_of("fig2.1"), chapter_of("x")
    (3, 5, 2, None)
    """
    found = re.search(r"(\d+)", key)
    return int(found.group(1)) if found else None


class Registry(Mapping[str, T], Generic[T]):
    """A named, read-only mapping of registered items.

    Parameters
    ----------
    kind : str
        What the items are, for messages (``"result"``, ``"check"``).
    hint : str
        Where a user finds the registered keys (``"`boundlab list` shows them"``).
    chapter : callable, optional
        ``item -> int``: the chapter of an item (default: the first number in its key).

    Examples
    --------
    >>> r = Registry[str]("fruit", hint="see the basket")
    >>> r.add("apple3.1", "red")
    'red'
    >>> r.lookup("Apple3.1"), len(r), r.where(chapter=3)
    ('red', 1, ['red'])
    >>> r.lookup("aple3.1")
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: fruit (aple3.1) must be a registered fruit; did you mean apple3.1?
    """

    def __init__(self, kind: str, *, hint: str = "", chapter: Callable[[T], int | None] | None = None) -> None:
        self.kind = kind
        self.hint = hint
        self._chapter = chapter
        self._items: dict[str, T] = {}

    # -- Mapping ---------------------------------------------------------------------------------

    def __getitem__(self, key: str) -> T:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self)} items)"

    # -- registering -----------------------------------------------------------------------------

    def add(self, key: str, item: T) -> T:
        """Register ``item`` under ``key``; a key registered twice raises ``ValueError``."""
        if key != key.strip().lower():
            raise ValueError(f"{self.kind} key ({key}) must be lower case without surrounding spaces.")
        if key in self._items:
            raise ValueError(f"{self.kind} ({key}) is registered twice: {self._items[key]!r} and {item!r}.")
        self._items[key] = item
        return item

    def remove(self, key: str) -> T:
        """Unregister ``key`` (for plug-ins and tests that register temporarily)."""
        return self._items.pop(key)

    def reorder(self, rank: Callable[[str], int]) -> None:
        """Sort the items stably by ``rank(key)`` (registration order among equal ranks).

        Examples
        --------
        >>> r = Registry[int]("n")
        >>> for k in ("b3", "a2", "c3"):
        ...     _ = r.add(k, 0)
        >>> r.reorder(lambda k: int(k[1])); list(r)
        ['a2', 'b3', 'c3']
        """
        self._items = dict(sorted(self._items.items(), key=lambda kv: rank(kv[0])))

    # -- finding ---------------------------------------------------------------------------------

    def lookup(self, key: str) -> T:
        """The item registered under ``key`` (case-insensitive), or a :class:`BadInput` naming close matches."""
        k = str(key).strip().lower()
        if k in self._items:
            return self._items[k]
        near = difflib.get_close_matches(k, self._items, n=3)
        tail = f"; did you mean {', '.join(near)}?" if near else (f"; {self.hint}." if self.hint else ".")
        raise BadInput(f"{self.kind} ({key}) must be a registered {self.kind}{tail}", name=self.kind)

    def chapter(self, key: str) -> int | None:
        """The chapter of the item under ``key``."""
        if self._chapter is not None:
            return self._chapter(self._items[key])
        return chapter_of(key)

    def where(self, *, chapter: int | None = None, predicate: Callable[[T], bool] | None = None) -> list[T]:
        """The items, in registration order, of one chapter and/or satisfying ``predicate``."""
        return [
            v
            for k, v in self._items.items()
            if (chapter is None or self.chapter(k) == chapter) and (predicate is None or predicate(v))
        ]
