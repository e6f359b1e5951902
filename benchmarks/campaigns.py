"""Benchmarks of the campaign layer: parallel speed-up of the report, Dask's cost per task, grid sizing.

- ``report_parallel``: wall time of ``python -m memgd.proofs_check`` (the full report;
  ``--quick`` with ``quick``) with ``--backend serial`` and with ``--workers 2`` (loky),
  each in a fresh subprocess; target: parallel at most 0.6 of serial.
- ``dask_overhead``: per-task overhead of a 1-worker Dask ``LocalCluster``: the wall time
  of many no-op tasks divided by their number (submission, scheduling, transfer, the
  one-BLAS-thread wrapper), against the median time of the default grid's scenario tasks
  (a sample of them, run in this process); target: under 5 %.
- ``grid_sample``: time per scenario of ``examples/grid-large.toml``, measured on 40 (8
  with ``quick``) scenarios spread evenly over the grid, and the grid's estimated
  serial time, so users can size a cluster.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memgd.benchmarks.timing import table

ROOT = Path(__file__).resolve().parents[1]
GRID = ROOT / "examples" / "grid-large.toml"


def _report_wall(args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "memgd.proofs_check", "--quiet", "--out", out, *args]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return wall


def report_parallel(quick: bool = False, smoke: bool = False) -> dict:
    extra = ["--quick", "--scenario", "gd", "--skip", "summary"] if smoke else ["--quick"] if quick else []
    serial = _report_wall([*extra, "--backend", "serial"])
    parallel = _report_wall([*extra, "--backend", "loky", "--workers", "2"])
    ratio = parallel / serial
    return dict(report=" ".join(extra) or "full", serial_s=serial, loky2_s=parallel, ratio=ratio,
                target="2 workers <= 0.6 x serial", met=bool(ratio <= 0.6))


def report_report_parallel(r: dict) -> str:
    return table(["report", "serial s", "2 workers s", "ratio", "target"],
                 [[r["report"], r["serial_s"], r["loky2_s"], r["ratio"], r["target"] + (" met" if r["met"]
                                                                                      else " MISSED")]], ".3g")


def noop() -> None:
    """A task that does nothing: its wall time on a cluster is the cluster's overhead."""


def _sample(scenarios: list, k: int) -> list:
    step = len(scenarios) / k
    return [scenarios[int(i * step)] for i in range(min(k, len(scenarios)))]


def _smoke_sample() -> list:
    """The cheapest scenario (plain gradient descent of the quick grid): ``smoke`` checks the code path only."""
    from memgd.proofs_check.report.scenarios import quick_scenarios

    return [sc for sc in quick_scenarios() if sc.name == "gd"][:1]


def _scenario_seconds(scenarios: list) -> list[float]:
    from memgd.proofs_check.campaigns.backends import call
    from memgd.proofs_check.report.sections import scenario_task

    return [call(scenario_task, {"scenario": sc}).seconds for sc in scenarios]


def dask_overhead(quick: bool = False, smoke: bool = False) -> dict:
    import logging

    from distributed import Client, LocalCluster

    from memgd.proofs_check.campaigns.backends import call
    from memgd.proofs_check.report.scenarios import default_scenarios

    n = 5 if smoke else 200 if quick else 1000
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.gather(client.map(call, [noop] * 20, [{}] * 20, pure=False))  # warm-up
        t = time.perf_counter()
        futures = [client.submit(call, noop, {}, pure=False) for _ in range(n)]
        client.gather(futures)
        per_task = (time.perf_counter() - t) / n
    sample = _smoke_sample() if smoke else _sample(default_scenarios(), 8 if quick else 24)
    seconds = _scenario_seconds(sample)
    median = statistics.median(seconds)
    return dict(noop_tasks=n, overhead_per_task_s=per_task, scenario_sample=len(sample),
                median_scenario_s=median, overhead_fraction=per_task / median,
                target="Dask overhead per task < 5% of the median scenario task", met=bool(per_task / median < 0.05))


def report_dask_overhead(r: dict) -> str:
    return table(["overhead/task ms", "median scenario s", "fraction", "target"],
                 [[1e3 * r["overhead_per_task_s"], r["median_scenario_s"], r["overhead_fraction"],
                   "< 5% " + ("met" if r["met"] else "MISSED")]], ".3g")


def grid_sample(quick: bool = False, smoke: bool = False) -> dict:
    from memgd.proofs_check.report.grid_file import load_grid

    scenarios = load_grid(GRID)
    sample = _smoke_sample() if smoke else _sample(scenarios, 8 if quick else 40)
    seconds = _scenario_seconds(sample)
    mean = statistics.fmean(seconds)
    return dict(grid=str(GRID.relative_to(ROOT)), scenarios=len(scenarios), sample=len(sample),
                median_s=statistics.median(seconds), mean_s=mean, max_s=max(seconds),
                estimated_serial_h=mean * len(scenarios) / 3600,
                slowest=[sc.name for s, sc in sorted(zip(seconds, sample), key=lambda p: -p[0])[:3]])


def report_grid_sample(r: dict) -> str:
    return table(["grid", "scenarios", "sample", "median s", "mean s", "max s", "serial h (estimate)"],
                 [[r["grid"], r["scenarios"], r["sample"], r["median_s"], r["mean_s"], r["max_s"],
                   r["estimated_serial_h"]]], ".3g") + f"\nslowest in the sample: {', '.join(r['slowest'])}"
