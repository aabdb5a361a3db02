"""The generated theorem pages are current, and the README's commands are the ones CI runs."""

from __future__ import annotations

from pathlib import Path

from boundlab import reporting

ROOT = Path(__file__).resolve().parents[1]


def test_generated_theorem_pages_are_current():
    pages = reporting.theorem_pages()
    assert pages, "no pages generated"
    for name, text in pages.items():
        path = ROOT / "docs" / "theorems" / name
        assert path.exists(), f"{path} is missing: run `boundlab docs`"
        assert path.read_text() == text, f"{path} is stale: run `boundlab docs`"


def test_every_registered_item_has_a_section_in_its_chapter_page():
    from boundlab.bounds import REGISTRY

    pages = reporting.theorem_pages()
    for item in REGISTRY.values():
        assert f"## `{item.id}`" in pages[f"chapter{item.chapter}.md"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_cmd = next(line for line in readme.splitlines() if line.strip().endswith("pytest -q"))
    assert test_cmd.strip() in ci
