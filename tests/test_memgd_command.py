"""The ``memgd`` command: version, help, unknown subcommands and ``memgd verify MODULE:NAME``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import memgd
from memgd.cli import main

RULES = textwrap.dedent('''
    from memgd.solvers import Fifo, FixedWeights

    good = (Fifo(2), FixedWeights(1.0, (0.3, -0.2)))


    class NoCapacity:
        slots, max_age = 2, 2

        def init(self, g0): ...
        def active(self, mem, k, rng): ...
        def insert(self, mem, g, k, rng): ...


    def broken():
        return NoCapacity(), FixedWeights(1.0, (0.3,))
''')


@pytest.fixture
def rules_file(tmp_path) -> Path:
    path = tmp_path / "my_rules.py"
    path.write_text(RULES)
    return path


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"memgd {memgd.__version__}"
    assert memgd.__version__ != "0+unknown"  # the installed distribution's version


def test_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("report", "figures", "bench", "verify", "--version"):
        assert name in out


def test_unknown_subcommand_exits_2_and_says_so(capsys):
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "unknown subcommand 'frobnicate'" in err


def test_verify_a_passing_rule_from_a_file_exits_0(rules_file, capsys):
    assert main(["verify", f"{rules_file}:good", "--max-examples", "3", "--screen-examples", "200"]) == 0
    assert "3 examples" in capsys.readouterr().out


def test_verify_a_broken_rule_exits_2_with_one_clear_line(rules_file, capsys):
    assert main(["verify", f"{rules_file}:broken", "--max-examples", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("memgd verify: error: selection rule")
    assert "capacity" in err and "missing" in err


@pytest.mark.parametrize("target, words", [
    ("my_rules.py:absent", ["no attribute 'absent'"]),
    ("nowhere.py:good", ["no file"]),
    ("no_such_module_xyz:good", ["cannot import", "ModuleNotFoundError"]),
    ("my_rules.py", ["MODULE:NAME"]),
])
def test_verify_bad_targets_exit_2_with_one_line(rules_file, monkeypatch, capsys, target, words):
    monkeypatch.chdir(rules_file.parent)
    assert main(["verify", target]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    for word in words:
        assert word in err


def test_verify_a_dotted_module_from_the_working_directory(rules_file, monkeypatch, capsys):
    monkeypatch.chdir(rules_file.parent)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "my_rules", raising=False)
    assert main(["verify", "my_rules:good", "--max-examples", "2", "--screen-examples", "200"]) == 0


def test_verify_a_file_that_imports_a_sibling_module(tmp_path, monkeypatch, capsys):
    """``memgd verify FOLDER/FILE.py:NAME`` from another working directory: the file imports a
    module beside it, as it would when run as ``python FOLDER/FILE.py``."""
    folder, elsewhere = tmp_path / "rules", tmp_path / "elsewhere"
    folder.mkdir(), elsewhere.mkdir()
    (folder / "sibling_weights_19.py").write_text("WEIGHTS = (0.3, -0.2)\n")
    (folder / "uses_sibling.py").write_text(textwrap.dedent('''
        from memgd.solvers import Fifo, FixedWeights
        from sibling_weights_19 import WEIGHTS

        good = (Fifo(2), FixedWeights(1.0, WEIGHTS))
    '''))
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "sibling_weights_19", raising=False)
    monkeypatch.delitem(sys.modules, "uses_sibling", raising=False)
    assert main(["verify", f"{folder / 'uses_sibling.py'}:good", "--max-examples", "2",
                 "--screen-examples", "200"]) == 0, capsys.readouterr().err
    assert "2 examples" in capsys.readouterr().out


def test_the_console_script_is_installed_and_runs():
    script = Path(sys.executable).with_name("memgd")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"memgd {memgd.__version__}"
