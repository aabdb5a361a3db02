"""The layer contract: imports point one way and no package reaches into another's private module.

Layers, lowest first::

    boundlab.bounds  <-  boundlab.montecarlo (core)  <-  boundlab.certify
        <-  boundlab.montecarlo.checks, boundlab.montecarlo.experiments  <-  boundlab (cli, parallel, ...)

Every import statement counts, also those inside functions: a lazy import does not make an upward
dependency acceptable, it only hides the cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "bounds": "boundlab.bounds",
    "montecarlo": "boundlab.montecarlo",
    "certify": "boundlab.certify",
    "src/boundlab": "boundlab",
}
LAYERS = (  # (module prefix, rank); the longest matching prefix wins
    ("boundlab.bounds", 0),
    ("boundlab.montecarlo", 1),
    ("boundlab.certify", 2),
    ("boundlab.montecarlo.checks", 3),
    ("boundlab.montecarlo.experiments", 3),
    ("boundlab", 4),
)


def rank(module: str) -> int | None:
    best = None
    for prefix, r in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, r)
    return None if best is None else best[1]


def package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def modules() -> list[tuple[str, Path, bool]]:
    out = []
    for folder, prefix in FOLDERS.items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(base).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([prefix, *parts]) if parts else prefix
            out.append((name, path, path.name == "__init__.py"))
    return out


def imported(source: str, module: str, is_package: bool) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, absolute module, names imported from it) for every import in ``source``."""
    pkg = package_of(module, is_package)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, ()) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target, tuple(a.name for a in node.names)))
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every upward or private cross-package import in ``source`` (the source of ``module``)."""
    own_rank = rank(module)
    own_pkg = package_of(module, is_package)
    out = []
    for line, target, names in imported(source, module, is_package):
        if not target.startswith("boundlab"):
            continue
        candidates = [target] + [f"{target}.{n}" for n in names if n.startswith("_") and not n.startswith("__")]
        for t in candidates:
            r = rank(t)
            if own_rank is not None and r is not None and r > own_rank:
                out.append(f"{module}:{line} imports {t} from a higher layer")
            parts = t.split(".")
            private = [i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")]
            if private:
                owner = ".".join(parts[: private[0]])
                if owner != own_pkg:
                    out.append(f"{module}:{line} imports {t}, a private module of {owner}")
    return out


MODULES = modules()


@pytest.mark.parametrize(("module", "path", "is_package"), MODULES, ids=[m for m, _, _ in MODULES])
def test_module_imports_only_from_its_own_or_lower_layers_and_public_modules(module, path, is_package):
    assert violations(path.read_text(), module, is_package) == []


@pytest.mark.parametrize(
    ("module", "source", "why"),
    [
        ("boundlab.bounds._chapter3", "from boundlab.montecarlo import median\n", "higher layer"),
        ("boundlab.montecarlo._stats", "def f():\n    from boundlab.certify import certificate\n", "higher layer"),
        ("boundlab.montecarlo._stats", "import boundlab.montecarlo.checks\n", "higher layer"),
        ("boundlab.certify._sdp", "from boundlab.cli import main\n", "higher layer"),
        ("boundlab.cli.results", "from boundlab.bounds._base import fmt_number\n", "private module"),
        ("boundlab.montecarlo.checks.ch3", "from .._stats import t_interval\n", "private module"),
        ("boundlab.montecarlo.checks.ch3", "from boundlab.montecarlo import _stats\n", "private module"),
    ],
)
def test_the_contract_reports_an_upward_or_private_import(module, source, why):
    found = violations(source, module)
    assert found and all(why in v for v in found), found


def test_the_contract_accepts_downward_public_and_same_package_imports():
    assert violations("from ._base import get\n", "boundlab.bounds._chapter3") == []
    assert violations("from boundlab.bounds import get\n", "boundlab.montecarlo.checks.ch3") == []
    assert violations("from boundlab.montecarlo import median\n", "boundlab.certify._filtering") == []
    assert violations("from .common import console\n", "boundlab.cli.results") == []


def test_every_package_folder_is_covered_by_the_contract():
    names = {m for m, _, _ in MODULES}
    assert {
        "boundlab.bounds",
        "boundlab.montecarlo",
        "boundlab.montecarlo.checks",
        "boundlab.montecarlo.experiments",
        "boundlab.certify",
        "boundlab.cli",
    } <= names
    assert all(rank(m) is not None for m in names)
