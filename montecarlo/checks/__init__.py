"""The registered Monte Carlo and exact checks, one module per chapter.

Importing this package registers every check in :data:`boundlab.montecarlo.CHECKS`. A check is
declared next to nothing else than itself: one function decorated with
:func:`boundlab.montecarlo.check` (its name, theorem id, parameters and options written once), in the
module of its chapter (``ch5_certify`` holds the checks that need the certificates of
:mod:`boundlab.certify`).
"""

from __future__ import annotations

from typing import Any

from boundlab.bounds import BadInput
from boundlab.montecarlo import CHECKS, Check, MCResult, timed

from . import ch2 as ch2
from . import ch3 as ch3
from . import ch4 as ch4
from . import ch5 as ch5
from . import ch5_certify as ch5_certify

__all__ = ["CHECKS", "checks_for", "verify"]


def checks_for(item: str) -> list[Check]:
    """The checks of one registry id (``cor3.1``) or one check name (``cor3.1/one-sided``).

    Examples
    --------
    >>> [c.name for c in checks_for("lem3.1")]
    ['lem3.1/cdf-bracket']
    """
    key = str(item).strip().lower()
    if key in CHECKS:
        return [CHECKS[key]]
    found = [c for c in CHECKS.values() if c.theorem_id == key]
    if found:
        return found
    if "/" in key:
        CHECKS.lookup(key)  # raises with close matches
    known = sorted({c.theorem_id for c in CHECKS.values()})
    raise BadInput(f"id ({item}) must be a result with Monte Carlo checks: {', '.join(known)}.", name="id")


def verify(item: str, *, trials: int | None = None, seed: int = 0, quick: bool = False,
           **params: Any) -> list[MCResult]:
    """Run every check of a result (or one named check) at the given parameters.

    Examples
    --------
    >>> [r.verdict for r in verify("lem3.3", quick=True)][:1]
    ['pass']
    """
    out = []
    for c in checks_for(item):
        n = trials if trials is not None else (c.quick_trials if quick else c.trials)
        if isinstance(n, bool) or int(n) != n or n < 1:
            raise BadInput(f"trials ({n}) must be an integer >= 1.", name="trials")
        out.append(timed(lambda c=c, n=n: c.run(int(n), int(seed), **params)))
    return out
