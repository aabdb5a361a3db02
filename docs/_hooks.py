"""mkdocs hook: lay the package out as one source tree for mkdocstrings.

pyproject maps folders into the package (``bounds/`` is ``boundlab.bounds``), a layout that griffe's
search paths cannot express; the hook copies the four folders into ``build/apisrc/boundlab`` before
the build, and mkdocs.yml points the Python handler there.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MAPPING = {"": "src/boundlab", "bounds": "bounds", "montecarlo": "montecarlo", "certify": "certify"}


def on_startup(**kwargs: Any) -> None:
    target = ROOT / "build" / "apisrc" / "boundlab"
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for sub, folder in sorted(MAPPING.items()):
        shutil.copytree(ROOT / folder, target / sub, ignore=ignore, dirs_exist_ok=True)
