"""One run per (check, parameters) at the quick size and seed 0, shared by every statistical test module.

The generic tests and the chapter tests ask the same questions of the same runs (does it pass, does the
wrong variant fail, does the halved bound fail); a run is a pure function of its check, parameters,
size and seed, so it is computed once for the whole session.
"""

from __future__ import annotations

import functools
from typing import Any

from boundlab.montecarlo import MCResult
from boundlab.montecarlo.checks import CHECKS


@functools.cache
def _run(name: str, items: tuple[tuple[str, Any], ...]) -> MCResult:
    c = CHECKS[name]
    return c.run(c.quick_trials, 0, **dict(items))


def quick(name: str, **params: Any) -> MCResult:
    """Check ``name`` at its quick size, seed 0 and ``params``."""
    return _run(name, tuple(sorted(params.items())))
