"""DataFrames of check results (pandas, an optional extra imported only when a frame is asked for)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._checks import MCResult

PANDAS_HINT = "pandas is needed for DataFrames: install the extra with `pip install boundlab[pandas]`."

# the columns of a check result, in the order a reader wants them
_RESULT_COLUMNS = (
    "name",
    "theorem_id",
    "quantity",
    "verdict",
    "estimate",
    "ci_low",
    "ci_high",
    "bound",
    "rule",
    "tolerance",
    "confidence",
    "tightness",
    "resolving_power",
    "trials",
    "seed",
    "seconds",
    "power",
    "bound_quantity",
    "note",
)


def _require_pandas() -> Any:
    """The pandas module, or an ImportError naming the ``pandas`` extra (as ``boundlab.bounds`` does)."""
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
    pd = _require_pandas()
    if isinstance(results, Mapping) or hasattr(results, "to_json"):
        results = [results]  # type: ignore[list-item]
    rows = [_result_row(r if isinstance(r, Mapping) else r.to_json()) for r in results]
    frame = pd.DataFrame(rows, columns=list(_RESULT_COLUMNS) if not rows else None)
    for k in ("estimate", "ci_low", "ci_high", "bound", "tightness", "resolving_power"):
        if k in frame and len(frame):
            frame[k] = frame[k].astype(float)
    return frame
