"""Stored tasks are keyed on the code that made them; one run at a time per output folder.

The report's command runs toy sections here (monkeypatched ``SECTIONS``: three cheap tasks), so each
run takes well under a second; the code's fingerprint hashes a copy of the installed sources, which
the tests edit (the repository is never touched).
"""

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from memgd.proofs_check import __main__ as report_main
from memgd.proofs_check.campaigns import RunConfig, StaleResults, Task, fingerprint, run_tasks
from memgd.proofs_check.campaigns.lock import LOCK_NAME
from memgd.proofs_check.campaigns.store import ResultStore
from memgd.proofs_check.report.assemble import SectionBuilder
from memgd.proofs_check.report.render import Section
from memgd.proofs_check.report.sections import scenario_task
from memgd.proofs_check.report.scenarios import quick_scenarios


def draw(seed: int, n: int, rule=None) -> list[float]:
    return np.random.default_rng(seed).standard_normal(n).tolist()


TOY = [SectionBuilder("toy", "three draws",
                      tasks=lambda plan: [Task(draw, {"seed": s, "n": 2}, f"draw {s}") for s in range(3)],
                      build=lambda plan, done: Section("toy", ["x"], rows=[{"x": v[0]} for v in done.values("toy")]))]


@pytest.fixture
def toy_report(monkeypatch):
    monkeypatch.setattr(report_main, "SECTIONS", TOY)
    monkeypatch.setattr(report_main, "choose_scenarios", lambda args, *rest: ((), False))  # the toy uses none

    def run(out: Path, *args: str) -> tuple[int, dict | None]:
        code = report_main.main(["--backend", "serial", "--quiet", "--out", str(out), *args])
        doc = out / "report.json"
        return code, json.loads(doc.read_text()) if code != 2 and doc.exists() else None

    return run


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A copy of the installed memgd sources (only .py files), hashed by the fingerprint in their stead."""
    roots = {}
    for name, root in fingerprint.package_roots().items():
        roots[name] = tmp_path / "src" / name
        shutil.copytree(root, roots[name], ignore=lambda d, names: [
            n for n in names if not n.endswith(".py") and not (Path(d) / n).is_dir() or n == "__pycache__"])
    monkeypatch.setattr(fingerprint, "package_roots", lambda: roots)
    fingerprint.code_fingerprint.cache_clear()
    yield roots
    fingerprint.code_fingerprint.cache_clear()


def test_the_fingerprint_covers_every_installed_source_file():
    """Every package pyproject installs is hashed, with every .py file in it."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    setup = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    hashed = fingerprint.source_files()
    for package in setup["packages"]:
        top = next(t for t in sorted(setup["package-dir"], key=len, reverse=True) if package.startswith(t))
        folder = root / setup["package-dir"][top] / package[len(top):].lstrip(".").replace(".", "/")
        files = {p.name for p in folder.glob("*.py")}
        prefix = package.replace(".", "/")
        assert files and files <= {k.rsplit("/", 1)[1] for k in hashed if k.rsplit("/", 1)[0] == prefix}, package


def test_an_edited_source_changes_every_key_and_resume_refuses_the_stale_results(toy_report, sources, tmp_path,
                                                                                 capsys):
    out = tmp_path / "out"
    code, first = toy_report(out)
    assert code == 0 and len(list((out / "tasks").glob("*.pkl"))) == 3
    meta = first["metadata"]
    assert meta["code_fingerprint"] == fingerprint.code_fingerprint()
    assert set(meta["versions"]) == {"numpy", "scipy", "sympy", "cvxpy", "clarabel", "scs", "pepit", "hypothesis"}
    assert meta["versions"]["numpy"] == np.__version__ and all(meta["versions"].values())
    numpy_blas = [b for b in meta["blas"] if b["shipped_in"] == "numpy.libs"] or meta["blas"]
    assert numpy_blas and all(numpy_blas[0][k] for k in ("internal_api", "version", "num_threads"))
    capsys.readouterr()

    rates = sources["memgd.solvers"] / "rates.py"
    rates.write_text(rates.read_text() + "\n# edited between two runs\n")
    fingerprint.code_fingerprint.cache_clear()
    assert fingerprint.code_fingerprint() != first["metadata"]["code_fingerprint"]

    code, _ = toy_report(out, "--resume")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "3 of 3 stored tasks" in err and "other code" in err and "--allow-stale" in err

    code, fresh = toy_report(out)  # without --resume: recomputed (and the stale results replaced)
    assert code == 0 and fresh["metadata"]["run"]["tasks_resumed"] == 0
    code, resumed = toy_report(out, "--resume")
    assert code == 0 and resumed["metadata"]["run"]["tasks_resumed"] == 3
    assert resumed["metadata"]["run"]["tasks_stale"] == 0 and resumed["metadata"]["stale"] is None


def test_allow_stale_reuses_and_marks_them_in_the_metadata(toy_report, sources, tmp_path, capsys):
    out = tmp_path / "out"
    assert toy_report(out)[0] == 0
    old = fingerprint.code_fingerprint()
    theory = sources["memgd.theory"] / "constants.py"
    theory.write_text(theory.read_text().replace("def rate(", "def rate(  ", 1))
    fingerprint.code_fingerprint.cache_clear()

    code, doc = toy_report(out, "--resume", "--allow-stale")
    assert code == 0
    run = doc["metadata"]["run"]
    assert run["tasks_resumed"] == 3 and run["tasks_stale"] == 3 and run["stale_code_fingerprints"] == [old]
    assert "3 of the 3 resumed tasks were computed by other code" in doc["metadata"]["stale"]
    capsys.readouterr()
    assert toy_report(out, "--allow-stale")[0] == 2  # only with --resume
    assert "--allow-stale goes with --resume" in capsys.readouterr().err


def test_a_users_rule_module_is_part_of_the_key(tmp_path, monkeypatch):
    module = tmp_path / "my_rules_for_keys.py"
    module.write_text("from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass Rule:\n    beta: float = 0.3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rules = importlib.import_module("my_rules_for_keys")
    task = Task(draw, {"seed": 1, "n": 2, "rule": rules.Rule()})
    assert str(module.resolve()) in task.code
    assert str(Path(__file__).resolve()) in task.code  # draw itself lives in a user module: this file
    by_name = Task(draw, {"seed": 1, "n": 2, "rule": "my_rules_for_keys:Rule"})  # as SectionBuilder.single names it
    assert str(module.resolve()) in by_name.code
    module.write_text(module.read_text() + "# a changed rule\n")
    edited = Task(draw, {"seed": 1, "n": 2, "rule": rules.Rule()})
    assert edited.computation == task.computation and edited.key != task.key

    store = ResultStore(tmp_path / "store")
    run_tasks([task], RunConfig("serial"), store=store)
    with pytest.raises(StaleResults, match="1 of 1 stored tasks"):
        run_tasks([edited], RunConfig("serial"), store=store, resume=True)


def test_memgds_own_tasks_hash_no_user_module():
    assert Task(scenario_task, {"scenario": quick_scenarios()[-1]}).code == fingerprint.code_fingerprint()


# another run holding the lock, as output_lock takes it (flock on the folder's lock file, its pid inside);
# plain fcntl here, so the process starts in milliseconds
HOLD = """
import fcntl, os, sys, time
os.makedirs(sys.argv[1], exist_ok=True)
fd = os.open(os.path.join(sys.argv[1], sys.argv[2]), os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"{os.getpid()}\\n".encode())
print("held", flush=True)
time.sleep(120)
"""


def test_a_second_run_on_the_same_out_is_refused_and_a_dead_holders_lock_taken_over(toy_report, tmp_path, capsys):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out), LOCK_NAME], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _ = toy_report(out)
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and f"process {holder.pid}" in err and "another --out" in err, err
        assert not (out / "tasks").exists()  # refused before any work
    finally:
        holder.kill()
        holder.wait()
    assert (out / ".lock").read_text().strip() == str(holder.pid)  # left behind by the killed process
    code, doc = toy_report(out)
    assert code == 0 and doc["sections"][0]["rows"]
