"""The three packaging traps of DESIGN.md, guarded."""

from __future__ import annotations

import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import boundlab

ROOT = Path(__file__).resolve().parents[1]
MAPPING = {
    "boundlab": "src/boundlab",
    "boundlab.bounds": "bounds",
    "boundlab.montecarlo": "montecarlo",
    "boundlab.certify": "certify",
}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_package_dir_maps_the_four_folders_into_the_boundlab_namespace():
    assert _pyproject()["tool"]["setuptools"]["package-dir"] == MAPPING


def test_every_package_folder_is_listed_in_setuptools_packages():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for pkg, folder in MAPPING.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([pkg, *rel.parts]) if rel.parts else pkg)
    assert found == listed, f"folders {sorted(found - listed)} missing from packages; stale {sorted(listed - found)}"


def test_there_is_no_root_level_boundlab_folder_that_would_shadow_the_install():
    assert not (ROOT / "boundlab").exists()


def test_the_imported_package_is_the_src_layout_one():
    assert Path(boundlab.__file__).resolve().parent.name == "boundlab"
    assert Path(boundlab.bounds.__file__).resolve().parent.name in {"bounds"}


def test_importing_boundlab_imports_no_bare_subpackage_names():
    code = (
        "import sys, boundlab, boundlab.bounds, boundlab.montecarlo, boundlab.certify, boundlab.cli, "
        "boundlab.reporting; bad = [m for m in sys.modules if m.split('.')[0] in "
        "('bounds', 'montecarlo', 'certify')]; print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "tests")
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_console_script_is_declared():
    assert _pyproject()["project"]["scripts"]["boundlab"] == "boundlab.cli:entry"
