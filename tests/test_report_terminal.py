"""What a researcher sees while the report runs and after: tables with headers at the terminal's width,
a time estimate from measured costs, a PARTIAL summary that counts only what ran, no orphaned workers."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from memgd.proofs_check.campaigns.progress import TimeLeft
from memgd.proofs_check.report.render import Check, Section, Unavailable, fit_table, render_text, terminal_width

SUMMARY = Section("Summary", ["statement", "figure"], rows=[
    {"statement": "Theorem 1/1b distance bound held on every run batch where it applies (rho < 1 on a run's "
                  "realized constants; a vacuous bound is not counted)",
     "figure": "114 of 114 run batches (912 runs); vacuous on all runs of 378 of 492 batches"},
    {"statement": "false certificates", "figure": "0"}])
SCENARIOS = Section("Scenarios", ["scenario", "alpha", *[f"rate {i}" for i in range(14)], "verdict"],
                    rows=[{"scenario": "L100-T3-C3-mean-0.5lim", "alpha": 0.00123,
                           **{f"rate {i}": 0.9876543 for i in range(14)},
                           "verdict": "finding (diverged)"},
                          {"scenario": "gd", "alpha": 0.1, **{f"rate {i}": Unavailable("why") for i in range(14)},
                           "verdict": "ok"}],
                    narrow=["scenario", "verdict", "rate 0", "rate 1", "rate 2", "alpha"],
                    notes=["finding: L100-T3-C3-mean-0.5lim: certificate 0.999999 is worse than Theorem 1's "
                           "bound 0.999998 at every step of the sweep, which nobody expected at all"],
                    checks=[Check("L100-T3-C3-mean-0.5lim: quadratic runs under the certified envelope", False,
                                  "a run exceeds sqrt(c) rho^k r_0 (relative slack -1.234e-05) at step 2999, "
                                  "the last one recorded")])


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_every_table_keeps_its_headers_and_fits_the_width(width):
    lines = render_text([SUMMARY, SCENARIOS], width).splitlines()
    assert max(map(len, lines)) <= width
    text = "\n".join(lines)
    # headers of both tables are printed (a header row followed by its rule of dashes)
    for header in ("statement", "scenario"):
        row = next(i for i, line in enumerate(lines) if line.startswith(header))
        assert set(lines[row + 1].replace(" ", "")) == {"-"}
    # nothing is cut: every word of the long cells is on the screen
    for word in ("counted)", "batches", "L100-T3-C3-mean-0.5lim", "(diverged)", "expected", "recorded"):
        assert word in text, (width, word)
    assert "..." not in text


def test_narrow_terminals_drop_the_lowest_priority_columns_first():
    at_60 = fit_table(SCENARIOS.columns, SCENARIOS.rows, 60, SCENARIOS.narrow)
    at_100 = fit_table(SCENARIOS.columns, SCENARIOS.rows, 100, SCENARIOS.narrow)
    header_60 = next(line for line in at_60 if line.startswith("scenario")).split()
    header_100 = next(line for line in at_100 if line.startswith("scenario")).split()
    assert header_100 == ["scenario", "alpha", "rate", "0", "rate", "1", "rate", "2", "verdict"]  # table order
    assert header_60[0] == "scenario" and "verdict" in header_60 and "alpha" not in header_60
    assert at_60[0].startswith("(") and "of 17 columns" in " ".join(at_60[:2])


def test_without_a_narrow_list_the_first_columns_are_kept():
    lines = fit_table(SCENARIOS.columns, SCENARIOS.rows, 40, narrow=None)
    assert max(map(len, lines)) <= 40 and "columns; all in report.md" in " ".join(lines[:2])
    header = next(line for line in lines if line.startswith("scenario")).split()
    assert header[:2] == ["scenario", "alpha"] and "verdict" not in header


def test_a_long_text_column_wraps_rather_than_being_dropped():
    lines = fit_table(SUMMARY.columns, SUMMARY.rows, 160)
    assert lines[0].split() == ["statement", "figure"] and not lines[0].startswith("(")
    assert "0" in lines[-1].split() and "false certificates" in lines[-1]


def test_the_terminal_width_is_read_from_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "73")
    assert terminal_width() == 73
    monkeypatch.setenv("COLUMNS", "12")
    assert terminal_width() == 40  # a minimum that keeps tables legible


def _schedule(durations, kinds, workers):
    """Completion times of tasks taken in order by the first free worker (the campaign's dispatch)."""
    free = [0.0] * workers
    done = []
    for seconds, kind in zip(durations, kinds):
        w = min(range(workers), key=free.__getitem__)
        free[w] += seconds
        done.append((free[w], kind, seconds))
    return sorted(done)


def test_time_left_comes_from_measured_costs_not_from_the_order_of_the_tasks():
    """One short probe, four long tasks (100 to 400 s, as the report starts its longest first), then 99
    short ones, on two workers.  The old estimate, elapsed / done x left, is off more than tenfold;
    TimeLeft, once every kind is measured (None before), errs only by the spread of costs within a
    kind (the mean of the long tasks measured so far against those still running): under a factor 2."""
    kinds = ["short"] + ["long"] * 4 + ["short"] * 99
    durations = [3.0] + [300.0, 200.0, 400.0, 100.0] + [3.0] * 99
    events = _schedule(durations, kinds, 2)
    makespan = events[-1][0]
    estimate = TimeLeft(kinds, workers=2)
    assert estimate.seconds(0.0) is None
    worst_new, worst_old, estimated = 1.0, 1.0, 0
    for count, (t, kind, seconds) in enumerate(events[:-1], 1):
        estimate.finished(kind, seconds, t)
        left, truth = estimate.seconds(t), makespan - t
        old = t / count * (len(events) - count)
        if truth > 60:  # a minute left or more: ratios of smaller times say little
            worst_old = max(worst_old, old / truth, truth / old)
            if left is not None:
                estimated += 1
                worst_new = max(worst_new, left / truth, truth / left)
    assert estimated > 50 and worst_old > 10 and worst_new < 2, (estimated, worst_old, worst_new)


def test_time_left_counts_stored_tasks_and_the_running_tasks_progress():
    est = TimeLeft(["b", "a", "a"], workers=1, known=[("a", 10.0)])  # an "a" task stored by an earlier run
    assert est.seconds(0.0) is None  # no "b" task measured yet
    est.finished("b", 4.0, now=4.0)
    assert est.seconds(4.0) == pytest.approx(20.0)  # two "a" tasks at 10 s each, one worker
    est.finished("a", 30.0, now=34.0)  # the mean of "a" is now 20 s; the last one started at 34 s
    assert est.seconds(34.0) == pytest.approx(20.0) and est.seconds(44.0) == pytest.approx(10.0)
    assert est.seconds(60.0) == 0.0  # overdue: the estimate does not go negative
    two = TimeLeft(["a"] * 4, workers=2, known=[("a", 6.0)])
    assert two.seconds(0.0) == pytest.approx(12.0)  # two rounds of two tasks
    assert TimeLeft([], workers=2).seconds(5.0) == 0.0


def test_a_partial_summary_counts_only_the_scenarios_that_ran():
    from memgd.proofs_check.campaigns import RunConfig, Task
    from memgd.proofs_check.report.assemble import Plan, SectionBuilder, build_report

    def summary(plan, done):
        finished = done.values("work")
        return Section("Summary", ["statement", "figure"],
                       rows=[{"statement": "false certificates", "figure": str(sum(finished))}])

    builders = [SectionBuilder("summary", "", build=summary, reads=("work",)),
                SectionBuilder("work", "", build=lambda plan, done: Section("work", ["x"]),
                               tasks=lambda plan: [Task(_zero_or_stop, {"i": i}) for i in range(5)])]
    run = build_report(builders, Plan(()), RunConfig("serial"))
    assert run.interrupted and run.done == 3
    summary_section = run.sections[0]
    assert "3 of 5 work tasks" in summary_section.partial
    assert summary_section.rows[0]["figure"] == "3 of 5" and "counts only these" in summary_section.rows[0]["statement"]
    full = build_report(builders[:1] + [SectionBuilder("work", "", build=lambda plan, done: Section("w", ["x"]),
                                                       tasks=lambda plan: [Task(_zero, {"i": i}) for i in range(5)])],
                        Plan(()), RunConfig("serial"))
    assert not full.sections[0].partial and len(full.sections[0].rows) == 1


def _zero(i: int) -> int:
    return 0


def _zero_or_stop(i: int) -> int:
    if i == 3:
        raise KeyboardInterrupt
    return 0


_ORPHAN_PARENT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from sleepy import sleep_and_tell
    from memgd.proofs_check.campaigns import RunConfig, Task, run_tasks
    run_tasks([Task(sleep_and_tell, {"folder": sys.argv[1], "seconds": 600.0 + i}) for i in range(4)],
              RunConfig("loky", 2))
""")
_SLEEPY = textwrap.dedent("""
    import os, time
    from pathlib import Path

    def sleep_and_tell(folder, seconds):
        Path(folder, f"{os.getpid()}.pid").write_text("")
        time.sleep(seconds)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="the watchdog reads the parent pid, which Windows never changes")
def test_loky_workers_end_within_seconds_of_the_report_process_being_killed(tmp_path):
    """kill -9 of the process running the campaign, while both workers are mid-task (10-minute tasks):
    the workers are gone within seconds (loky alone would let them finish and idle for 5 minutes)."""
    (tmp_path / "sleepy.py").write_text(_SLEEPY)
    parent = subprocess.Popen([sys.executable, "-c", _ORPHAN_PARENT, str(tmp_path)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob("*.pid"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = [int(p.stem) for p in tmp_path.glob("*.pid")]
        assert len(workers) == 2
    finally:
        parent.kill()  # SIGKILL: no handler of the parent runs
        parent.wait()
    deadline = time.monotonic() + 15  # the watchdog polls every 0.5 s; a loaded machine may take longer
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in alive if _alive(w)]
    for w in alive:  # do not leave them behind if the check fails
        os.kill(w, 9)
    assert not alive, f"workers {alive} survived their parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
