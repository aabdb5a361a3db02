"""A command line that starts fast: `--help` and `list` load no heavy library; the registry loads on use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import boundlab.bounds as bounds
from boundlab.bounds import _index

HEAVY = (
    "sympy",
    "cvxpy",
    "dask",
    "distributed",
    "matplotlib",
    "scipy.stats",
    "boundlab.montecarlo",
    "boundlab.certify",
)


def imported_after(*argv: str) -> tuple[set[str], str]:
    """The modules a fresh interpreter has imported after running ``boundlab ARGV`` (and its stdout)."""
    code = (
        "import contextlib, io, json, sys\n"
        "from boundlab.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        f"        main({list(argv)!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "sys.__stdout__.write(json.dumps({'modules': sorted(sys.modules), 'out': buf.getvalue()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    doc = json.loads(done.stdout)
    return set(doc["modules"]), doc["out"]


@pytest.mark.parametrize(
    "argv",
    [
        ("--help",),
        ("list",),
        ("list", "--json"),
        ("show", "--help"),
        ("verify", "--help"),
        ("certify", "--help"),
        ("diversity", "--help"),
    ],
)
def test_help_and_list_import_none_of_the_heavy_libraries(argv):
    modules, out = imported_after(*argv)
    assert out
    assert sorted(m for m in HEAVY if m in modules) == []


def test_eval_of_a_registered_result_imports_none_of_sympy_scipy_or_monte_carlo():
    modules, out = imported_after(
        "eval",
        "thm3.1",
        "n=1000",
        "m=1000",
        "d=2",
        "alpha=0.05",
        "D=2",
        "L_hat=2",
        "V=1.7320508075688772",
        "S=1.5957691216057308",
        "L_F=1",
        "lambda_F=1",
        "T=30",
        "r0=1",
        "--json",
    )
    assert json.loads(out)["id"] == "thm3.1"
    assert "eps omitted: used the tightest admissible eps" in json.loads(out)["notes"][0]
    assert sorted(m for m in (*HEAVY, "scipy", "mpmath") if m in modules) == []
    assert "boundlab.bounds._chapter3" not in modules


def test_eval_with_precision_goes_through_sympy_and_prints_every_digit():
    modules, out = imported_after("eval", "eq3.4", "eps=0.1666666", "--precision", "30", "--json")
    assert "sympy" in modules
    assert len(json.loads(out)["value_mp"]) > 25


def test_static_index_is_what_the_live_registry_generates():
    assert Path(_index.__file__).with_name("_index_data.py").read_text() == _index.render(_index.build()), (
        "the registry changed: regenerate with python -c 'import boundlab.bounds._index as i; i.write()'"
    )


def test_index_entries_agree_with_the_registry_items_field_by_field():
    assert list(bounds.INDEX) == list(bounds.REGISTRY)
    for key, entry in bounds.INDEX.items():
        item = bounds.REGISTRY[key]
        assert (entry.name, entry.title, entry.kind, entry.chapter, entry.number, entry.evaluable) == (
            item.name,
            item.title,
            item.kind,
            item.chapter,
            item.number,
            item.evaluable,
        )
        assert entry.params == tuple(p.name for p in getattr(item, "params", ()))


def test_list_from_the_index_prints_what_the_loaded_registry_prints():
    _, from_index = imported_after("list", "--json")
    code = "import boundlab.bounds as b; b.REGISTRY\nfrom boundlab.cli import main\nmain(['list', '--json'])\n"
    live = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120).stdout
    assert json.loads(from_index) == json.loads(live)


def test_lazy_names_of_the_registry_package_resolve_and_unknown_names_raise():
    assert bounds.get("thm3.1").id == "thm3.1"
    assert set(bounds._LAZY) <= set(dir(bounds))
    with pytest.raises(AttributeError, match="no_such_name"):
        bounds.no_such_name  # noqa: B018


def run_python(code: str) -> dict:
    """The JSON a fresh interpreter prints after running ``code``."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def test_get_imports_only_the_chapter_that_holds_the_id_and_no_scipy():
    doc = run_python(
        "import json, sys\nimport boundlab.bounds as b\nb.get_bound('thm3.1')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('boundlab.bounds._chapter', 'scipy')))))"
    )
    assert doc == ["boundlab.bounds._chapter3"]


def test_registries_keep_chapter_order_when_a_later_chapter_was_loaded_first():
    code = "import json\nimport boundlab.bounds as b\n{first}print(json.dumps([list(b.REGISTRY), list(b.ERRATA)]))"
    eager = run_python(code.format(first=""))
    lazy = run_python(code.format(first="b.get('thm5.1'); b.get('thm3.1')\n"))
    assert lazy == eager
    assert eager[0] == list(bounds.INDEX)


def test_each_chapter_module_registers_only_its_own_chapter():
    bounds._load()
    for registry in (bounds.REGISTRY, bounds.ERRATA):
        for key in registry:
            assert bounds.chapter_of(key) == bounds._ORIGIN[key] + 2, key


def test_an_unknown_id_loads_every_chapter_for_its_suggestions():
    doc = run_python(
        "import json, sys\nimport boundlab.bounds as b\n"
        "try:\n    b.get('thm2.77')\nexcept b.BadInput as e:\n    msg = str(e)\n"
        "print(json.dumps([msg, sorted(m for m in sys.modules if m.startswith('boundlab.bounds._chapter'))]))"
    )
    assert "did you mean" in doc[0]
    assert doc[1] == [f"boundlab.bounds._chapter{k}" for k in (2, 3, 4, 5)]
