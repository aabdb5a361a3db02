"""The notebook session of docs/notebooks.md runs and prints what the page shows."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

pytest.importorskip("pandas")

PAGE = Path(__file__).resolve().parents[1] / "docs" / "notebooks.md"


def test_the_notebook_page_session_runs_and_prints_what_the_page_shows():
    import pandas as pd

    with pd.option_context("display.width", 120, "display.max_columns", 20):
        result = doctest.testfile(
            str(PAGE), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        )
    assert result.attempted >= 15 and result.failed == 0
