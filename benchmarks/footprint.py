"""Benchmarks of what a run keeps and of problem generation at large d.

``runs``: peak resident memory of a child process that builds n quadratics (d = 4) and
runs the critical rule (C = 10, decay 0.7, "sum") for K steps with ``record="summary"``
(and ``"final"``); target under 1 GB for n = 100,000, K = 1,000.  The child reports
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at its end; each mode runs in its own
child.  ``"full"`` at that size is not run (its arrays take 6.2 GB; 12.8 GB with the int64
ages of before): their size is computed from the shapes instead.

``generation``: seconds to build 16 quadratics (and 16 tilted logistic problems) with
d = 2000 through the default ``basis="auto"`` (the structured basis above d = 256),
target under 5 s; the Haar path it replaced is timed on 2 problems and scaled by 8
(its cost is linear in n).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from memgd.benchmarks.timing import table
from memgd.solvers.recording import age_dtype

_CHILD = r"""
import json, resource, sys, time
import numpy as np
from memgd.solvers import Aggregation, CriticalGradients, make_quadratics, run
n, d, steps, record = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = time.perf_counter()
P = make_quadratics(n, d, 1.0, 10.0, rng=np.random.default_rng(0))
r = run(P, CriticalGradients(10, 0.7), Aggregation("sum", 1.0), 0.02, steps, tol=0.0, record=record)
wall = time.perf_counter() - t
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(record=record, n=n, d=d, steps=steps, wall_s=wall, peak_mb=peak_kb / 1024,
                      worst_T=int(r.constants.T.max()), all_ran=bool((r.nit == steps).all()))))
"""


def full_record_bytes(n: int, steps: int, slots: int) -> int:
    """Bytes of the arrays ``record="full"`` keeps: distances and gaps (K+1, n), s, B, W (K, n)
    in float64, ages (K, n, S) and max_age (K, n) in the smallest integer type."""
    a = np.dtype(age_dtype(steps)).itemsize
    return 2 * (steps + 1) * n * 8 + 3 * steps * n * 8 + steps * n * slots * a + steps * n * a


def _child(n: int, d: int, steps: int, record: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(n), str(d), str(steps), record],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return dict(record=record, n=n, error=proc.stderr.strip()[-300:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def runs(quick: bool = False, smoke: bool = False) -> dict:
    """Peak memory of record="summary" and "final" runs in child processes (module doc)."""
    n, d, steps, C = (200 if smoke else 10_000 if quick else 100_000), 4, (20 if smoke else 200 if quick else 1000), 10
    rows = [_child(n, d, steps, mode) for mode in ("summary", "final")]
    full_gb = full_record_bytes(n, steps, C) / 1e9
    old_full_gb = (2 * (steps + 1) * n * 8 + 3 * steps * n * 8 + steps * n * C * 8 + steps * n * 8) / 1e9
    summary = rows[0]
    met = "peak_mb" in summary and summary["peak_mb"] < 1024 if not (quick or smoke) else None
    return dict(n=n, d=d, steps=steps, C=C, rows=rows, full_arrays_gb=full_gb, full_arrays_gb_int64_ages=old_full_gb,
                target="record='summary' peak under 1 GB at n = 100,000, K = 1,000", met=met)


def report_runs(r: dict) -> str:
    rows = [[x["record"], x["n"], x.get("wall_s", float("nan")), x.get("peak_mb", float("nan")),
             x.get("error", "")] for x in r["rows"]]
    rows.append(["full (arrays only, computed)", r["n"], float("nan"), r["full_arrays_gb"] * 1024,
                 f"{r['full_arrays_gb_int64_ages']:.1f} GB with int64 ages"])
    verdict = "(quick: smaller n, target not judged)" if r["met"] is None else ("met" if r["met"] else "MISSED")
    return table(["record", "n", "wall s", "peak MB", "note"], rows, ".4g") + f"\ntarget {r['target']}: {verdict}"


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _cpu(fn) -> float:
    """CPU seconds of this process (all its threads): less sensitive than wall time to other jobs."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def generation(quick: bool = False, smoke: bool = False) -> dict:
    """Seconds to build 16 problems with d = 2000 (module doc)."""
    from memgd.solvers import make_quadratics, make_tilted

    quick = quick or smoke
    n, d = 16, (40 if smoke else 500 if quick else 2000)
    rng = np.random.default_rng
    new_q = _timed(lambda: make_quadratics(n, d, rng=rng(0), basis="auto"))
    new_t = _timed(lambda: make_tilted(n, d, rng=rng(0), basis="auto"))
    out = dict(n=n, d=d, quadratics_s=new_q, tilted_s=new_t, target="16 problems, d = 2000, under 5 s",
               quadratics_cpu_s=_cpu(lambda: make_quadratics(n, d, rng=rng(0), basis="auto")),
               tilted_cpu_s=_cpu(lambda: make_tilted(n, d, rng=rng(0), basis="auto")))
    if not quick:
        out["haar_quadratics_s_scaled"] = 8 * _timed(lambda: make_quadratics(2, d, rng=rng(0), basis="haar"))
        out["haar_tilted_s_scaled"] = 8 * _timed(lambda: make_tilted(2, d, rng=rng(0), basis="haar"))
        out["speedup_quadratics"] = out["haar_quadratics_s_scaled"] / new_q
        out["speedup_tilted"] = out["haar_tilted_s_scaled"] / new_t
    out["met"] = bool(max(new_q, new_t) < 5.0) if not quick else None
    return out


def report_generation(r: dict) -> str:
    rows = [["quadratics", r["quadratics_s"], r["quadratics_cpu_s"], r.get("haar_quadratics_s_scaled", float("nan")),
             r.get("speedup_quadratics", float("nan"))],
            ["tilted (logistic)", r["tilted_s"], r["tilted_cpu_s"], r.get("haar_tilted_s_scaled", float("nan")),
             r.get("speedup_tilted", float("nan"))]]
    verdict = "(quick: d = 500, target not judged)" if r["met"] is None else ("met" if r["met"] else "MISSED")
    return (table([f"n={r['n']}, d={r['d']}", "auto wall s", "auto CPU s", "Haar wall s (2 problems x 8)",
                   "speedup (wall)"], rows, ".3g")
            + f"\ntarget {r['target']}: {verdict}")
