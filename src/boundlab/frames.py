"""pandas DataFrames for notebooks: grid evaluations, check results and the results store.

pandas is an optional extra (``pip install boundlab[pandas]``) and is imported only when a frame is
asked for; without it :func:`require_pandas` raises an :class:`ImportError` that names the extra.
The methods ``Evaluation.to_frame``, ``MCResult.to_frame`` and :func:`boundlab.store.load` call the
builders here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from boundlab.bounds import Evaluation
    from boundlab.montecarlo import MCResult

__all__ = ["require_pandas", "evaluation_frame", "results_frame", "to_frame"]

PANDAS_HINT = "pandas is needed for DataFrames: install the extra with `pip install boundlab[pandas]`."

# the columns of a check result, in the order a reader wants them
_RESULT_COLUMNS = ("name", "theorem_id", "quantity", "verdict", "estimate", "ci_low", "ci_high", "bound", "rule",
                   "tolerance", "confidence", "tightness", "resolving_power", "trials", "seed", "seconds", "power",
                   "bound_quantity", "note")


def require_pandas() -> Any:
    """The pandas module, or an ImportError naming the ``pandas`` extra.

    Examples
    --------
    >>> require_pandas().__name__
    'pandas'
    """
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(PANDAS_HINT) from exc
    return pandas


def _cell(x: Any) -> Any:
    """A scalar cell: numpy scalars as Python numbers, the strings 'inf'/'nan' of JSON as floats."""
    if isinstance(x, (np.generic,)):
        return x.item()
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    return x


def evaluation_frame(ev: Evaluation) -> pd.DataFrame:
    """One row per parameter point of an :class:`~boundlab.bounds.Evaluation` (a scalar one: one row).

    Columns: every parameter, ``value``, every named quantity, ``holds`` (every decidable condition
    holds there: True, False, or None when none is decidable), ``violated`` (the texts of the
    conditions that fail there, joined by "; ") and ``nonvacuous``.

    Examples
    --------
    >>> import numpy as np
    >>> from boundlab.bounds import get
    >>> ev = get("eq3.4").assess(eps=np.array([0.1, 1 / 6]))
    >>> list(evaluation_frame(ev)["eps"].round(4))
    [0.1, 0.1667]
    """
    pd = require_pandas()
    arrays: dict[str, Any] = {k: v for k, v in ev.params.items()}
    arrays["value"] = ev.value
    arrays.update({k: v for k, v in ev.quantities.items() if k not in arrays})
    numeric = {k: np.asarray(v) if np.asarray(v).dtype == bool else np.asarray(v, dtype=float)
               for k, v in arrays.items()}
    decidable = [c for c in ev.conditions if c["holds"] is not None]
    shapes = [a.shape for a in numeric.values()] + [np.shape(c["holds"]) for c in decidable]
    if ev.nonvacuous is not None:
        shapes.append(np.shape(ev.nonvacuous))
    shape = np.broadcast_shapes(*shapes) if shapes else ()
    size = int(np.prod(shape)) if shape else 1
    cols: dict[str, Any] = {k: np.broadcast_to(a, shape).reshape(size) for k, a in numeric.items()}
    holds = [np.broadcast_to(np.asarray(c["holds"], dtype=bool), shape).reshape(size) for c in decidable]
    cols["holds"] = (np.logical_and.reduce(holds).tolist() if holds else [None] * size)
    cols["violated"] = ["; ".join(c["text"] for c, h in zip(decidable, holds) if not h[i]) for i in range(size)]
    cols["nonvacuous"] = ([None] * size if ev.nonvacuous is None
                          else np.broadcast_to(np.asarray(ev.nonvacuous), shape).reshape(size).tolist())
    frame = pd.DataFrame(cols)
    frame.attrs["id"] = ev.id
    return frame


def _result_row(d: Mapping[str, Any]) -> dict[str, Any]:
    """A check result's JSON mapping as one flat row: the result columns, then ``param_<name>``."""
    row = {k: _cell(d.get(k)) for k in _RESULT_COLUMNS}
    for k, v in (d.get("params") or {}).items():
        row[f"param_{k}"] = _cell(v) if not isinstance(v, (list, tuple, Mapping)) else v
    return row


def results_frame(results: MCResult | Mapping[str, Any] | Iterable[MCResult | Mapping[str, Any]]) -> pd.DataFrame:
    """Check results as a DataFrame, one row each (an :class:`MCResult`, its JSON, or a list of either).

    The columns are the result's fields with its ``verdict``, ``tightness`` and ``resolving_power``,
    then one ``param_<name>`` column per option the check ran with (missing where another check has
    no such option). The plotted ``series`` is left out.

    Examples
    --------
    >>> from boundlab.montecarlo import MCResult
    >>> r = MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0)
    >>> results_frame([r, r])[["name", "verdict", "resolving_power"]].values.tolist()
    [['c', 'pass', 4.0], ['c', 'pass', 4.0]]
    """
    pd = require_pandas()
    if isinstance(results, Mapping) or hasattr(results, "to_json"):
        results = [results]  # type: ignore[list-item]
    rows = [_result_row(r if isinstance(r, Mapping) else r.to_json()) for r in results]  # type: ignore[union-attr]
    frame = pd.DataFrame(rows, columns=list(_RESULT_COLUMNS) if not rows else None)
    for k in ("estimate", "ci_low", "ci_high", "bound", "tightness", "resolving_power"):
        if k in frame and len(frame):
            frame[k] = frame[k].astype(float)
    return frame



def to_frame(obj: Any) -> pd.DataFrame:
    """Any of boundlab's results as a DataFrame: an Evaluation, an MCResult or a list of results.

    Examples
    --------
    >>> from boundlab.montecarlo import MCResult
    >>> to_frame([MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0)]).shape[0]
    1
    """
    if hasattr(obj, "conditions") and hasattr(obj, "quantities"):
        return evaluation_frame(obj)
    return results_frame(obj)
