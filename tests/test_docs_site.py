"""The documentation site builds with mkdocs --strict (when the docs extra is installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_module_has_an_api_page_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    for module in ("bounds", "montecarlo", "certify", "parallel", "store", "frames", "reporting", "tighten"):
        page = ROOT / "docs" / "api" / f"{module}.md"
        assert f"::: boundlab.{module}" in page.read_text() and f"api/{module}.md" in nav


def test_every_docs_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    missing = [p for p in pages if p not in nav]
    assert pages and missing == [], f"add {missing} to the nav in mkdocs.yml"


def test_the_changelog_states_when_a_changed_bound_value_is_breaking():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## Version policy" in text and "erratum" in text and "## [Unreleased]" in text


@pytest.mark.slow
def test_the_docs_site_builds_with_mkdocs_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("material")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "api" / "bounds" / "index.html").is_file()
    shutil.rmtree(ROOT / "build" / "apisrc", ignore_errors=True)
