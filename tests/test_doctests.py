"""Doctests of every boundlab module, found by walking the installed package (never by path)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest


def _modules() -> list[str]:
    """boundlab and its subpackages (walked from each package's own path: the folders are mapped)."""
    import boundlab.bounds
    import boundlab.certify
    import boundlab.montecarlo

    names = set()
    for pkg in (boundlab, boundlab.bounds, boundlab.montecarlo, boundlab.certify):
        names.add(pkg.__name__)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
            names.add(info.name)
    return sorted(names)


@pytest.mark.parametrize("module_name", _modules())
def test_module_doctests_pass(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {module_name}"


def test_the_walk_covers_the_three_subpackages():
    mods = _modules()
    for sub in ("boundlab.bounds", "boundlab.montecarlo", "boundlab.certify"):
        assert sub in mods
