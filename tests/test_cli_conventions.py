"""The command line behaves like a conventional Unix tool: --version, help for every argument, quiet broken
pipes, and a missing optional dependency named with the extra that provides it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap

import pytest

import boundlab
from boundlab.cli import build_parser, main
from boundlab.cli.common import EXTRAS, missing_extra

MODEL_R = ["n=1e3:1e6:400", "m=1000", "d=2", "alpha=0,0.05,0.1", "D=2", "L_hat=2", "V=1.732", "S=1.596"]


def _arguments(parser: argparse.ArgumentParser, path: tuple[str, ...] = ("boundlab",)):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _arguments(sub, (*path, name))
        else:
            yield " ".join(path), action


def test_every_argument_of_every_command_has_help_text():
    missing = [f"{cmd} {a.option_strings or a.dest}" for cmd, a in _arguments(build_parser()) if not a.help]
    assert missing == []


def test_version_prints_the_installed_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"boundlab {boundlab.__version__}"


def test_a_reader_that_goes_away_ends_the_command_quietly():
    script = f"{sys.executable} -m boundlab.cli eval thm3.8 {' '.join(MODEL_R)} --json | head -c 10"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.stdout == '{\n  "id": '[:10] and proc.stderr == ""
    assert proc.returncode == 141  # 128 + SIGPIPE, as a Unix tool reports it


@pytest.mark.parametrize("module", sorted(EXTRAS))
def test_each_optional_module_is_named_with_the_extra_that_provides_it(module):
    err = missing_extra(f"{module}.sub")
    assert f"boundlab[{EXTRAS[module]}]" in str(err) and err.name == module


def test_a_module_that_no_extra_provides_is_not_blamed_on_an_extra():
    assert missing_extra("numpy") is None


BLOCKER = textwrap.dedent("""
    import importlib.abc, sys
    BLOCKED = {"matplotlib", "dask", "distributed", "sklearn", "pandas", "argcomplete"}
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, Block())
    import importlib.util
    _find = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: None if name.partition(".")[0] in BLOCKED else _find(name, *a)
    from boundlab.cli import main
    code = main(sys.argv[1:])
    assert not (BLOCKED & {m.partition(".")[0] for m in sys.modules}), "an optional module was imported"
    sys.exit(code)
""")


def _core_only(*argv: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


@pytest.mark.parametrize(
    "argv",
    [
        [
            "eval",
            "thm3.1",
            "n=1000",
            "m=1000",
            "d=2",
            "alpha=0.05",
            "D=2",
            "L_hat=2",
            "V=1.732",
            "S=1.596",
            "L_F=1",
            "lambda_F=1",
            "T=30",
            "r0=1",
        ],
        ["verify", "cor3.1", "--trials", "2000"],
        ["list", "--chapter", "3"],
        ["certify", "--help"],
    ],
)
def test_the_core_install_evaluates_and_verifies_without_any_extra(argv):
    proc = _core_only(*argv)
    assert proc.returncode == 0, proc.stderr


def test_a_report_without_the_plots_extra_says_which_extra_to_install(tmp_path):
    proc = _core_only("report", "--quick", "--out", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "boundlab: error: matplotlib (not installed) must be installed for this command: pip install 'boundlab[plots]'."
    )
    assert not (tmp_path / "r").exists()  # refused before any work


def test_human_output_has_one_path_through_the_console():
    """Every command prints human-readable text through ``echo`` (rich's console); only ``print_json`` and error
    lines on stderr use ``print``."""
    import ast
    from pathlib import Path

    import boundlab.cli

    offenders = []
    for path in Path(boundlab.cli.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                to_stderr = any(k.arg == "file" for k in node.keywords)
                in_print_json = path.name == "common.py" and "json.dumps" in ast.unparse(node)
                if not (to_stderr or in_print_json):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_piped_output_carries_no_terminal_control_codes():
    proc = subprocess.run(
        [sys.executable, "-m", "boundlab.cli", "list", "--chapter", "3"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "thm3.1" in proc.stdout and "\x1b[" not in proc.stdout
