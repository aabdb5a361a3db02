"""The experiments registry: CPU analogs of the dissertation's experiments (``boundlab reproduce``).

An experiment declares the dissertation's reported numbers (``paper``) and a ``run`` function
returning a JSON-ready mapping that puts the measured numbers beside them.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from boundlab.bounds import Registry

__all__ = ["Experiment", "EXPERIMENTS", "register_experiment", "verdict_record"]


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One reproducible experiment.

    Attributes
    ----------
    id : str
        Command-line name (``tab3.2-lr``).
    title : str
        One line.
    source : str
        Where the dissertation reports it (table/figure and lines).
    paper : mapping
        The dissertation's numbers, as printed.
    runner : callable
        ``runner(seed: int, quick: bool, out_dir: pathlib.Path | None) -> dict``; figures (PNG) go into
        ``out_dir`` when given and their paths are listed under the result's ``"figures"`` key.
    """

    id: str
    title: str
    source: str
    paper: Mapping[str, Any]
    runner: Callable[[int, bool, Path | None], dict[str, Any]]

    @property
    def uses_backend(self) -> bool:
        """Whether the runner computes on an execution backend (it accepts ``backend=``)."""
        return "backend" in inspect.signature(self.runner).parameters

    def run(
        self, seed: int = 0, quick: bool = False, out_dir: Path | None = None, backend: Any = None
    ) -> dict[str, Any]:
        """Run the experiment; the result always carries the paper's numbers beside ours.

        ``backend`` (a :class:`boundlab.parallel.Backend`) is passed to runners that accept one
        (:attr:`uses_backend`); the others run in process.
        """
        if out_dir is not None:
            out_dir = Path(out_dir)
            out_dir.mkdir(parents=True, exist_ok=True)
        extra = {"backend": backend} if backend is not None and self.uses_backend else {}
        result = dict(self.runner(seed, quick, out_dir, **extra))
        result.setdefault("id", self.id)
        result.setdefault("paper", dict(self.paper))
        result.setdefault("seed", seed)
        return result


EXPERIMENTS: Registry[Experiment] = Registry("experiment", hint="`boundlab reproduce --list` shows them")


def register_experiment(e: Experiment) -> Experiment:
    """Add an experiment (duplicate ids raise)."""
    return EXPERIMENTS.add(e.id, e)


def verdict_record(outcome: str, text: str, detail: str, numbers: Mapping[str, Any]) -> dict[str, Any]:
    """What an experiment's decision rule returns: ``outcome``, the flags ``reproduced`` and
    ``inconclusive``, the ``verdict`` sentence (``text``, then ``detail`` in brackets) and the numbers
    the rule used.

    Examples
    --------
    >>> r = verdict_record("inconclusive", "inconclusive: the interval contains 0", "gain +1 [-2, +4]", {"gain": 1})
    >>> r["reproduced"], r["inconclusive"], r["verdict"], r["gain"]
    (False, True, 'inconclusive: the interval contains 0 (gain +1 [-2, +4])', 1)
    """
    if outcome not in ("reproduced", "NOT reproduced", "inconclusive"):
        raise ValueError(f"outcome ({outcome!r}) must be 'reproduced', 'NOT reproduced' or 'inconclusive'.")
    return {
        "outcome": outcome,
        "reproduced": outcome == "reproduced",
        "inconclusive": outcome == "inconclusive",
        "verdict": f"{text} ({detail})",
        **numbers,
    }
