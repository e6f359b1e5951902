"""Benchmarks of the certificates (reusing :mod:`memgd.benchmarks.bench_certificates`) and of the test suite's wall time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from memgd.benchmarks.timing import table

ROOT = Path(__file__).resolve().parents[1]


def certificates(quick: bool = False, smoke: bool = False) -> dict:
    """Time per certificate for T = 1..4 ("sum", C = T, all 2^T - 1 subsets of ages) and PEPit N = 30."""
    from memgd.benchmarks.bench_certificates import timing

    max_T = 1 if smoke else 2 if quick else 4
    rows = timing(max_T, 0.02, pepit_steps=2 if smoke else 30)
    for r in rows:
        # certify's default search (bisection from 0) is what a caller gets; the gallop
        # from the quadratic rate is the faster option
        r["time"] = min(r["time_bisect"], r["time_gallop"])
    under = [r for r in rows if r["T"] <= 3]
    return dict(alpha=0.02, rows=rows, target="T <= 3 under 2 s per certificate",
                met=bool(all(r["time_bisect"] < 2.0 for r in under)),
                met_with_gallop=bool(all(r["time_gallop"] < 2.0 for r in under)))


def report_certificates(r: dict) -> str:
    rows = [[x["T"], x["n_patterns"], x["time_bisect"], x["solves_bisect"], x["time_gallop"], x["solves_gallop"],
             x["rho_bisect"] if x["rho_bisect"] is not None else float("nan"), x["rho_quad"], x["pepit_time"],
             x["pepit_rate"]] for x in r["rows"]]
    verdict = "met" if r["met"] else ("met with the gallop search only" if r["met_with_gallop"] else "MISSED")
    return table(["T", "patterns", "bisect s", "solves", "gallop s", "solves", "rho", "rho_quad", "PEPit N=30 s",
                  "PEPit rate"], rows, ".4g") + f"\ntarget {r['target']}: {verdict}"


def suite(quick: bool = False, smoke: bool = False) -> dict:
    """Wall time of ``HYPOTHESIS_PROFILE=ci python -m pytest tests -q -p no:cacheprovider`` in a subprocess
    (``smoke``: one small test file, to check the command and its parsing)."""
    env = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}
    where = ["tests/test_validation.py"] if smoke else ["tests"]
    cmd = [sys.executable, "-m", "pytest", *where, "-q", "-p", "no:cacheprovider"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()[-200:]
    counts = {m.group(2): int(m.group(1)) for m in re.finditer(r"(\d+) (passed|failed|deselected|error|skipped)",
                                                                last)}
    return dict(command=" ".join(["HYPOTHESIS_PROFILE=ci", "python", *cmd[1:]]), wall_s=wall,
                returncode=proc.returncode, summary=last, counts=counts, target="under 300 s",
                met=bool(wall < 300 and proc.returncode == 0))


def report_suite(r: dict) -> str:
    return table(["wall s", "exit", "summary", "target"],
                 [[r["wall_s"], r["returncode"], r["summary"], "< 300 s " + ("met" if r["met"] else "MISSED")]], ".1f")
