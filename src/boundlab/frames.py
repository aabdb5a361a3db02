"""pandas DataFrames for notebooks: grid evaluations, check results and the results store.

pandas is an optional extra (``pip install boundlab[pandas]``) and is imported only when a frame is
asked for; without it, every builder raises an :class:`ImportError` that names the extra. The
builders live with what they convert (``Evaluation.to_frame`` in :mod:`boundlab.bounds`,
``MCResult.to_frame`` and :func:`boundlab.montecarlo.results_frame` in :mod:`boundlab.montecarlo`);
this module adds :func:`to_frame` for any of them, and :func:`boundlab.store.load` reads a store.
"""

from __future__ import annotations

from typing import Any

from boundlab.bounds import Evaluation
from boundlab.montecarlo import results_frame

__all__ = ["require_pandas", "results_frame", "to_frame"]


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
        raise ImportError(
            "pandas is needed for DataFrames: install the extra with `pip install boundlab[pandas]`."
        ) from exc
    return pandas


def to_frame(obj: Any) -> Any:
    """Any of boundlab's results as a DataFrame: an Evaluation, an MCResult or a list of results.

    Examples
    --------
    >>> from boundlab.montecarlo import MCResult
    >>> to_frame([MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0)]).shape[0]
    1
    """
    if isinstance(obj, Evaluation):
        return obj.to_frame()
    return results_frame(obj)
