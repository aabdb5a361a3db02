"""The registered Monte Carlo and exact checks, one module per chapter.

Importing this package registers every check in :data:`boundlab.montecarlo.CHECKS`. A check is
declared next to nothing else than itself: one function decorated with
:func:`boundlab.montecarlo.check` (its name, theorem id, parameters and options written once), in the
module of its chapter (``ch5_certify`` holds the checks that need the certificates of
:mod:`boundlab.certify`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from boundlab.bounds import BadInput
from boundlab.montecarlo import CHECKS, Check, MCResult, timed

from . import ch2 as ch2
from . import ch3 as ch3
from . import ch4 as ch4
from . import ch5 as ch5
from . import ch5_certify as ch5_certify

__all__ = ["CHECKS", "INSTANCES", "apply_instance", "checks_for", "verify"]


def apply_instance(check: Check, params: Mapping[str, Any], note: str = "") -> Check:
    """``check`` with ``params`` as its default instance (result parameters and numeric options).

    Examples
    --------
    >>> c = apply_instance(CHECKS["lem3.1/cdf-bracket"], {"t": 1.5})
    >>> c.defaults()["t"], CHECKS["lem3.1/cdf-bracket"].defaults()["t"]
    (1.5, 2.0)
    """
    unknown = [k for k in params if k not in check.accepted() or k == "bound_scale"]
    if unknown:
        raise BadInput(
            f"instance parameter ({unknown[0]}) must be one of {', '.join(check.accepted())} ({check.name}).",
            name=unknown[0],
        )
    theorem = {k: params.get(k, v) for k, v in check.theorem_params.items()}
    options = tuple(dataclasses.replace(o, default=params[o.name]) if o.name in params else o for o in check.options)
    changed = dataclasses.replace(check, theorem_params=theorem, options=options)
    changed.resolve()  # the instance must lie in the domains
    return dataclasses.replace(changed, instance=f"{check.instance} {note}".strip()) if note else changed


def _apply_instances(path: Path) -> dict[str, Any]:
    """Make the instances recorded by ``boundlab tighten --write`` the checks' defaults."""
    data = json.loads(path.read_text()) if path.exists() else {}
    for name, entry in data.items():
        old = CHECKS.lookup(name)
        note = (
            f"Default from instances.json: tightness {entry['tightness_default']:.3g} -> "
            f"{entry['tightness_confirmed']:.3g}, resolving power {entry['resolving_power_default']:.3g} -> "
            f"{entry['resolving_power_confirmed']:.3g} (confirmed with seed {entry['confirm_seed']}, "
            f"{entry['confirm_trials']} trials), found by `{entry['found_by']}` on {entry['date']}."
        )
        new = apply_instance(old, entry["params"], note)
        CHECKS.remove(name)
        CHECKS.add(name, new)
    return data


INSTANCES: dict[str, Any] = _apply_instances(Path(__file__).with_name("instances.json"))


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


def verify(
    item: str, *, trials: int | None = None, seed: int = 0, quick: bool = False, **params: Any
) -> list[MCResult]:
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
