"""The built wheel installs one namespace, ``memgd``, and nothing under a bare generic name.

The wheel is built once (``python -m build --wheel --no-isolation``, with this environment's
setuptools, no network) from a copy of the sources in a temporary folder, so the working tree
gets no ``build/`` folder.  Checked: every installed file lies under ``memgd/`` or the
dist-info; every ``.py`` module of the source folders is in the wheel at its ``memgd.*``
place (a subpackage missing from pyproject's explicit ``packages`` list fails here);
``py.typed`` ships; the ``memgd`` console script is declared; and the unpacked wheel is what
Python imports when started in the checkout's root (no partial ``memgd/`` folder there to
shadow it: the root package's source folder is ``cli/``).
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# installed package -> source folder, as pyproject's [tool.setuptools.package-dir] says
PACKAGE_DIR = PYPROJECT["tool"]["setuptools"]["package-dir"]
SOURCE_FOLDERS = ("solvers", "theory", "proofs_check", "figures", "benchmarks", "cli")


def _source_modules() -> dict[str, Path]:
    """Wheel path (memgd/...) -> source file, for every .py file of the source folders."""
    folder_to_package = {folder: package for package, folder in PACKAGE_DIR.items()}
    out = {}
    for folder in SOURCE_FOLDERS:
        prefix = PurePosixPath(*folder_to_package[folder].split("."))
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT / folder)
            out[str(prefix / PurePosixPath(*rel.parts))] = path
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for folder in SOURCE_FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (path,) = out.glob("memgd-*.whl")
    with zipfile.ZipFile(path) as zf:
        yield zf


def _dist_info(names: list[str]) -> str:
    (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
    return info


def test_package_dir_maps_every_source_folder_under_memgd():
    assert set(PACKAGE_DIR.values()) == set(SOURCE_FOLDERS)
    assert all(package == "memgd" or package.startswith("memgd.") for package in PACKAGE_DIR)


def test_every_installed_file_lies_under_memgd_or_its_dist_info(wheel):
    names = wheel.namelist()
    info = _dist_info(names)
    assert info.startswith("memgd-")
    stray = [n for n in names if not (n.startswith("memgd/") or n.startswith(info + "/"))]
    assert stray == []


def test_every_source_module_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    expected = _source_modules()
    assert len(expected) > 50  # the source folders were found
    missing = sorted(p for p in expected if p not in names)
    assert missing == [], f"modules missing from the wheel (add their package to pyproject's packages): {missing}"


def test_wheel_ships_py_typed(wheel):
    assert "memgd/py.typed" in wheel.namelist()


def test_console_script_memgd_is_declared(wheel):
    info = _dist_info(wheel.namelist())
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(f"{info}/entry_points.txt").decode())
    assert entry_points["console_scripts"]["memgd"].strip() == "memgd.cli:main"


def test_the_installed_wheel_is_imported_from_the_checkout_root(wheel, tmp_path):
    """A non-editable install used from the checkout's root: ``python -c`` puts the working
    directory first on sys.path, so a ``memgd/`` folder there (the old layout kept the CLI in
    one) would shadow the installed package and ``memgd.solvers`` would be missing.

    The wheel is unpacked into a target folder (what pip does for a pure wheel).  ``-S`` skips
    site-packages' .pth files, hence this venv's editable-install finder; the dependencies come
    from site-packages through PYTHONPATH, after the target folder.
    """
    target = tmp_path / "target"
    wheel.extractall(target)
    paths = sysconfig.get_paths()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}  # e.g. PYTHONSAFEPATH
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(target), paths["purelib"], paths["platlib"]]))
    code = "import sys, memgd, memgd.solvers; print(repr(sys.path[0])); print(memgd.__file__)"
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    first, where = done.stdout.split("\n")[:2]
    assert first == "''"  # the checkout's root was searched first: the check is not vacuous
    assert Path(where).is_relative_to(target)


def test_the_vectorization_benchmark_runs_from_the_installed_wheel(wheel, tmp_path):
    """Its slow per-problem reference ships in the package (``memgd.benchmarks.reference_critical``):
    the benchmark runs from an unpacked wheel in a folder with no checkout around it."""
    target = tmp_path / "target"
    wheel.extractall(target)
    paths = sysconfig.get_paths()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(target), paths["purelib"], paths["platlib"]]))
    done = subprocess.run([sys.executable, "-S", "-m", "memgd.benchmarks", "--smoke", "--only", "vectorization"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"speedup_vs_python"' in done.stdout


_CONFLICT_MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)


def test_no_merge_conflict_markers_in_text_files():
    """A merge left markers in BENCHMARKS.md once; no committed text file may carry them."""
    root = Path(__file__).resolve().parents[1]
    skip = {".venv", ".git", "_build", "node_modules", ".hypothesis"}
    found = []
    for path in root.rglob("*"):
        if path.suffix not in {".md", ".py", ".toml", ".cfg", ".txt", ".js", ".css", ".yml"}:
            continue
        if skip.intersection(path.relative_to(root).parts) or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(root)}:{text.count(chr(10), 0, m.start()) + 1}"
                  for m in _CONFLICT_MARKER.finditer(text)]
    assert not found, f"merge conflict markers left in: {found}"
