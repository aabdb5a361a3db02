"""The pytest plug-in of boundlab (entry point ``pytest11``): fixtures for property tests of lemmas.

* ``boundlab_rng``: a :class:`numpy.random.Generator` seeded from ``--boundlab-seed`` (default 0) and the
  test's node id, so every test has its own reproducible stream.
* ``boundlab_store``: a :class:`boundlab.store.Store` (SQLite results store) in the test's temporary directory.

Strategies and assertions are in :mod:`boundlab.testing`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

__all__ = ["boundlab_rng", "boundlab_store", "pytest_addoption"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("boundlab")
    group.addoption("--boundlab-seed", type=int, default=0, help="root seed of the boundlab_rng fixture (default 0)")


@pytest.fixture
def boundlab_rng(request: Any) -> np.random.Generator:
    """A generator seeded by the root seed and the test's node id (reproducible, distinct per test)."""
    root = int(request.config.getoption("--boundlab-seed", default=0))
    return np.random.default_rng([root, zlib.crc32(request.node.nodeid.encode())])


@pytest.fixture
def boundlab_store(tmp_path: Any) -> Iterator[Any]:
    """A results store in the test's temporary directory, closed after the test."""
    from boundlab.store import Store

    store = Store(str(tmp_path / "boundlab-results.sqlite"))
    try:
        yield store
    finally:
        store.close()
