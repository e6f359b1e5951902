"""The campaign layer: identical results on every backend, stored tasks, resume, Ctrl-C, and the report's
command line around it (checked arguments, JSON conventions, terminal width)."""

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from memgd.proofs_check.__main__ import main
from memgd.proofs_check.campaigns import Interrupted, ResultStore, RunConfig, Task, TaskResult, run_tasks, task_seed
from memgd.proofs_check.campaigns import backends
from memgd.proofs_check.report.render import Section, Unavailable, render_json, render_markdown, render_text
from memgd.proofs_check.report.scenarios import quick_scenarios


def draw(seed: int, n: int) -> list[float]:
    """A task whose value depends only on its parameters."""
    return np.random.default_rng(seed).standard_normal(n).tolist()


def drawn_from_key(n: int) -> list[float]:
    return [0.0] * n


def comparable(doc: dict) -> dict:
    """The report without the parts that depend on how it was run (backend, workers, times) and on the
    working tree's state at that moment (git_dirty flips if a file is edited between two runs)."""
    doc = dict(doc)
    doc["metadata"] = {k: v for k, v in doc["metadata"].items() if k not in ("run", "timing", "git_dirty")}
    return doc


def run_report(out: Path, *args: str) -> tuple[int, dict]:
    code = main(["--quick", "--quiet", "--out", str(out), *args])
    return code, json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def serial_quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    code, doc = run_report(out, "--backend", "serial")
    assert code == 0
    return doc


def test_quick_report_is_identical_on_every_backend(serial_quick, tmp_path):
    """Bit for bit by construction on one machine: every backend runs each task's same code on the same inputs
    (one process per task, one BLAS thread: backends.call), and the JSON is built from their values in the same
    order.  Not claimed across machines or library versions (docs/running.md)."""
    for name, args in [("loky", ["--backend", "loky", "--workers", "2"]),
                       ("dask", ["--backend", "dask", "--workers", "2"])]:
        code, doc = run_report(tmp_path / name, *args)
        assert code == 0
        assert doc["metadata"]["run"]["backend"] == name and doc["metadata"]["run"]["workers"] == 2
        assert comparable(doc) == comparable(serial_quick), name


def test_interrupted_report_is_partial_and_resumes_to_the_same_json(serial_quick, tmp_path, monkeypatch, capsys):
    calls = []

    def interrupt_on_the_tenth(fn, params):
        calls.append(fn)
        if len(calls) == 10:  # the 2 class cells and the 5 optimizer pairs run first (fewest tasks), then 2 scenarios
            raise KeyboardInterrupt
        return backends.call.__wrapped__(fn, params)

    interrupt_on_the_tenth.__wrapped__ = backends.call
    monkeypatch.setattr(backends, "call", interrupt_on_the_tenth)
    code, partial = run_report(tmp_path, "--backend", "serial")
    assert code == 130
    assert partial["partial"] is True and "--resume" in partial["metadata"]["partial"]
    scenarios = next(s for s in partial["sections"] if s["title"].startswith("Scenarios"))
    assert scenarios["partial"].startswith(f"2 of {len(quick_scenarios())} tasks") and len(scenarios["rows"]) == 2
    summary = next(s for s in partial["sections"] if s["title"] == "Summary")  # counts only the 2 that ran
    assert summary["partial"] and summary["rows"][0]["figure"] == f"2 of {len(quick_scenarios())}"
    assert "PARTIAL REPORT" in (tmp_path / "report.md").read_text()
    assert len(list((tmp_path / "tasks").glob("*.pkl"))) == 9
    assert "Traceback" not in capsys.readouterr().err

    monkeypatch.undo()
    code, resumed = run_report(tmp_path, "--backend", "serial", "--resume")
    assert code == 0 and resumed["partial"] is False
    assert resumed["metadata"]["run"]["tasks_resumed"] == 9
    assert comparable(resumed) == comparable(serial_quick)


def test_loky_workers_ignore_sigint_so_only_the_parent_handles_ctrl_c():
    """The pool starts under SIG_IGN: a Ctrl-C sent to the process group cannot interrupt a worker
    mid-start and print its traceback (the race the test below once lost)."""
    tasks = [Task(backends._sigint_disposition, {}, f"probe {i}") for i in range(4)]
    config = RunConfig(backend="loky", workers=2)
    assert [r.value for _, r in backends._loky(tasks, config)] == ["ignored"] * 4
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the parent still raises


def test_ctrl_c_stops_loky_workers_and_exits_130_without_traceback(tmp_path):
    """A real SIGINT to the process group, as a terminal's Ctrl-C sends it, once the first task is stored."""
    cmd = [sys.executable, "-m", "memgd.proofs_check", "--quick", "--workers", "2", "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "tasks").glob("*.pkl")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "PARTIAL REPORT" in err
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["partial"] is True
    stored = len(list((tmp_path / "tasks").glob("*.pkl")))
    assert 1 <= stored < 15
    deadline = time.monotonic() + 30  # the workers are gone too: nothing left in the process group
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("worker processes survived the interrupt")


def test_unreachable_dask_scheduler_is_a_usage_error(tmp_path, capsys):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = main(["--scenario", "gd", "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--quiet",
                     "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot connect" in err and err.count("\n") == 1, err


def test_results_do_not_depend_on_backend_or_worker_count():
    tasks = [Task(draw, {"seed": s, "n": 3}, f"draw {s}") for s in range(6)]
    serial = run_tasks(tasks, RunConfig("serial"))
    parallel = run_tasks(tasks, RunConfig("loky", 2))
    assert {k: v.value for k, v in serial.items()} == {k: v.value for k, v in parallel.items()}
    assert serial[tasks[2].key].value == draw(2, 3)


def test_task_key_and_seed_depend_on_the_parameters_and_code_only():
    a, b = Task(draw, {"seed": 1, "n": 3}), Task(draw, {"n": 3, "seed": 1}, "other label")
    assert a.key == b.key and a.key != Task(draw, {"seed": 2, "n": 3}).key
    assert a.computation == b.computation and a.computation != a.key
    assert a.key != Task(drawn_from_key, {"n": 3}).key
    assert (task_seed(a).generate_state(4) == task_seed(b).generate_state(4)).all()
    assert not (task_seed(a).generate_state(4) == task_seed(Task(draw, {"seed": 2, "n": 3})).generate_state(4)).all()
    # the same key in a fresh interpreter: nothing tied to the process (addresses, hash randomization)
    code = ("from memgd.proofs_check.report.scenarios import default_scenarios as d;"
            "from memgd.proofs_check.report.sections import scenario_task as f;"
            "from memgd.proofs_check.campaigns import Task;print(Task(f, {'scenario': d()[3]}).key)")
    from memgd.proofs_check.report.scenarios import default_scenarios
    from memgd.proofs_check.report.sections import scenario_task
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert fresh == Task(scenario_task, {"scenario": default_scenarios()[3]}).key


def test_store_skips_done_tasks_on_resume_and_ignores_a_corrupt_file(tmp_path):
    store = ResultStore(tmp_path)
    tasks = [Task(draw, {"seed": s, "n": 2}) for s in range(3)]
    store.put(tasks[0], TaskResult("stored, not recomputed", 0.0))
    store.path(tasks[1]).write_bytes(b"not a pickle")
    done = run_tasks(tasks, RunConfig("serial"), store=store, resume=True)
    assert done[tasks[0].key].value == "stored, not recomputed" and done.reused == 1 and done.stale == 0
    assert done[tasks[1].key].value == draw(1, 2)
    stored = pickle.loads(store.path(tasks[2]).read_bytes())
    assert stored.result.value == draw(2, 2) and stored.key == tasks[2].key
    assert not list(tmp_path.glob("*.tmp"))
    again = run_tasks(tasks, RunConfig("serial"), store=store)  # without --resume: recomputed
    assert again[tasks[0].key].value == draw(0, 2)


def test_interrupt_carries_the_finished_tasks(tmp_path, monkeypatch):
    tasks = [Task(draw, {"seed": s, "n": 1}) for s in range(4)]
    real = backends.call

    def stop_at_third(fn, params):
        if params["seed"] == 2:
            raise KeyboardInterrupt
        return real(fn, params)

    monkeypatch.setattr(backends, "call", stop_at_third)
    with pytest.raises(Interrupted) as info:
        run_tasks(tasks, RunConfig("serial"), store=ResultStore(tmp_path))
    assert set(info.value.done) == {tasks[0].key, tasks[1].key}
    assert len(list(tmp_path.glob("*.pkl"))) == 2


@pytest.mark.parametrize("config", [dict(backend="threads"), dict(workers=0), dict(backend="loky", scheduler="x")])
def test_bad_run_configuration_is_refused(config):
    with pytest.raises(ValueError):
        RunConfig(**config)


@pytest.mark.parametrize("args, message", [
    (["--out", "{file}/sub"], "cannot write there"),
    (["--workers", "0"], "workers must be at least 1"),
    (["--scheduler", "tcp://127.0.0.1:1"], "dask backend only"),
    (["--filter", "L=100,X=3"], "unknown key 'X'"),
    (["--filter", "L=7"], "no scenario matches"),
    (["--grid", "{file}"], "not valid TOML"),
    (["--backend", "threads"], "invalid choice"),
])
def test_bad_usage_exits_2_with_one_line_before_any_work(tmp_path, capsys, args, message):
    blocker = tmp_path / "a-file"
    blocker.write_text("not = [toml")
    args = [a.format(file=blocker) for a in args]
    with pytest.raises(SystemExit) if "--backend" in args else _nothing() as exit_info:
        code = main(args + ["--quiet"])
    code = exit_info.value.code if exit_info is not None else code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "a-file" / "sub").exists()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_filter_selects_by_parameters(capsys):
    assert main(["--list", "--filter", "L=100,T=3,agg=mean"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names and all(n.startswith("L100-T3-") and "-mean-" in n for n in names)
    assert len(names) == 3 * 4  # C in {1, 2, 3}, steps thm, thm2, 0.5 and 0.9 x the limit


def test_json_has_numbers_or_null_with_a_reason_and_counts_checks():
    from memgd.proofs_check.report.render import Check

    sec = Section("t", ["a", "b", "c", "d"], rows=[{"a": float("inf"), "b": Unavailable("why not", "n/a"),
                                                    "c": None, "d": np.float64(0.5)}],
                  checks=[Check("x", True), Check("y", False, "broken")])
    doc = json.loads(render_json([sec, Section("empty", ["a"])]))
    row = doc["sections"][0]["rows"][0]
    assert row == {"a": None, "b": None, "c": None, "d": 0.5,
                   "_reasons": {"a": "infinite", "b": "why not", "c": "not available"}}
    assert (doc["sections"][0]["checks_passed"], doc["sections"][0]["checks_total"]) == (1, 2)
    md = render_markdown([sec, Section("empty", ["a"])])
    assert "checks: 1 of 2 passed" in md and "checks: none in this section" in md and "0 of 0" not in md
    assert "| inf | n/a | - | 0.5 |" in md


def test_terminal_view_fits_100_columns():
    wide = Section("a title " * 30, [f"column {i}" for i in range(20)],
                   rows=[{f"column {i}": 1.2345678 for i in range(20)}], narrow=["column 0", "column 1"],
                   notes=["n" * 300])
    two = Section("summary", ["statement", "figure"], rows=[{"statement": "s " * 60, "figure": "7 of 8"}])
    text = render_text([wide, two])
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "column 1" in text and "column 2 " not in text and "7 of 8" in text


def test_example_grid_file_is_large_and_valid():
    from memgd.proofs_check.report.grid_file import load_grid

    root = Path(__file__).resolve().parents[1]
    scenarios = load_grid(root / "examples" / "grid-large.toml")
    assert len(scenarios) >= 2000 and len({s.name for s in scenarios}) == len(scenarios)
    assert "2,472 scenarios" in (root / "examples" / "grid-large.toml").read_text() and len(scenarios) == 2472


@pytest.mark.parametrize("text, message", [
    ("[[adversary]]\nL = [0.5]", "L must exceed mu"),
    ("[[adversary]]\nfractions = [1.2]", "fractions must lie in (0, 1)"),
    ("[[adversary]]\nT = [0]", "T must be an integer >= 1"),
    ("[[adversary]]\nagregations = ['sum']", "unknown key(s) agregations"),
    ("[[critical]]\naggregations = ['max']", "aggregations must be among"),
    ("[[critical]]\nL = [10]\n[[critical]]\nL = [10]", "names repeat"),
    ("[[nope]]", "unknown table"),
])
def test_grid_file_errors_name_the_table_and_key(text, message):
    from memgd.proofs_check.report.grid_file import scenarios_from_grid

    with pytest.raises(ValueError, match=None) as info:
        scenarios_from_grid(text)
    assert message in str(info.value)


def test_grid_file_expands_like_the_default_grid():
    from memgd.proofs_check.report.grid_file import scenarios_from_grid
    from memgd.proofs_check.report.scenarios import critical_rule_scenarios, grid_scenarios

    text = "[[adversary]]\nL = [10, 100]\nT = [1, 2, 3]\n[[critical]]\n"
    assert scenarios_from_grid(text) == grid_scenarios() + critical_rule_scenarios()


def toy_section(progress) -> Section:
    """A toy section: one row, one failing check."""
    from memgd.proofs_check.report.render import Check

    progress("toy")
    return Section("toy", ["x"], rows=[{"x": 1.0}], checks=[Check("toy check", False, "fails on purpose")])


def test_a_section_is_added_with_one_builder_line():
    from memgd.proofs_check.report.assemble import Plan, SectionBuilder, build_report

    builders = [SectionBuilder.single("toy", toy_section),
                SectionBuilder.single("off", toy_section, enabled=lambda plan: False)]
    run = build_report(builders, Plan(()), RunConfig("serial"))
    assert [s.title for s in run.sections] == ["toy"] and run.sections[0].failed[0].name == "toy check"
    assert run.timing["toy"]["tasks"] == 1 and not run.interrupted


def test_skip_removes_a_section_before_its_tasks_run(tmp_path):
    code = main(["--quick", "--skip", "optimizers", "--backend", "serial", "--quiet", "--out", str(tmp_path)])
    doc = json.loads((tmp_path / "report.json").read_text())
    assert code == 0 and not any(s["title"].startswith("Memory-augmented") for s in doc["sections"])
    assert "optimizers" not in doc["metadata"]["timing"]["sections"]
