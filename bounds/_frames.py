"""DataFrames of evaluations (pandas, an optional extra imported only when a frame is asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._base import Evaluation

PANDAS_HINT = "pandas is needed for DataFrames: install the extra with `pip install boundlab[pandas]`."


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
    numeric = {
        k: np.asarray(v) if np.asarray(v).dtype == bool else np.asarray(v, dtype=float) for k, v in arrays.items()
    }
    decidable = [c for c in ev.conditions if c["holds"] is not None]
    shapes = [a.shape for a in numeric.values()] + [np.shape(c["holds"]) for c in decidable]
    if ev.nonvacuous is not None:
        shapes.append(np.shape(ev.nonvacuous))
    shape = np.broadcast_shapes(*shapes) if shapes else ()
    size = int(np.prod(shape)) if shape else 1
    cols: dict[str, Any] = {k: np.broadcast_to(a, shape).reshape(size) for k, a in numeric.items()}
    holds = [np.broadcast_to(np.asarray(c["holds"], dtype=bool), shape).reshape(size) for c in decidable]
    cols["holds"] = np.logical_and.reduce(holds).tolist() if holds else [None] * size
    cols["violated"] = ["; ".join(c["text"] for c, h in zip(decidable, holds) if not h[i]) for i in range(size)]
    cols["nonvacuous"] = (
        [None] * size
        if ev.nonvacuous is None
        else np.broadcast_to(np.asarray(ev.nonvacuous), shape).reshape(size).tolist()
    )
    frame = pd.DataFrame(cols)
    frame.attrs["id"] = ev.id
    return frame
