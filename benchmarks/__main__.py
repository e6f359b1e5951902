"""``python -m memgd.benchmarks [--quick | --smoke] [--only NAME ...] [--json PATH] [--update FILE]``.

Every benchmark, one command.  Each prints a table, then one JSON line with its figures and the
load average before and after it; ``--json`` writes all of them, with the machine description, to
a file; ``--update BENCHMARKS.md`` rewrites that file's generated table from this run's figures
(or from ``--from-json PATH``, without running anything).  ``--smoke`` runs every benchmark at a
size that takes seconds (figures meaningless; the tests run it to keep the benchmarks working).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from memgd.benchmarks import (
    bench_autolyap, bench_class_certificates, campaigns, engine, footprint, others, screen, step_checks, summary,
)
from memgd.benchmarks.timing import machine

# name -> (run, report, description); the suite's wall time is skipped with --quick
BENCHMARKS = {
    "memory_overhead": (engine.memory_overhead, engine.report_memory_overhead,
                        "memory step (critical, C=10, sum) vs plain GD step, n=1024 quadratics, d=64"),
    "vectorization": (engine.vectorization, engine.report_vectorization,
                      "engine on n=256 problems vs per-problem loops"),
    "scaling": (engine.scaling, engine.report_scaling, "per-step time as n, d, C grow 4x"),
    "tiny": (engine.tiny_overhead, engine.report_tiny, "per-step overhead on one problem, d=4"),
    "step_checks": (step_checks.overhead, step_checks.report_overhead,
                    "run with the per-step rule checks vs without, same batch (n=1024, d=64, C=10; n=4, d=4)"),
    "screen": (screen.screening, screen.report_screening,
               "verify_rule's screen: 10,000 examples of built-in rules in batched runs (wall, CPU, load)"),
    "certificates": (others.certificates, others.report_certificates,
                     "time per certificate, T=1..4, and PEPit N=30"),
    "class_certificates": (bench_class_certificates.class_certificates,
                           bench_class_certificates.report_class_certificates,
                           "class certificates: time against T = 1..32, solver levers, tightness of restrictions"),
    "runs": (footprint.runs, footprint.report_runs,
             "peak memory, critical rule C=10, n=100,000, d=4, 1000 steps, record='summary' / 'final'"),
    "generation": (footprint.generation, footprint.report_generation, "building 16 problems with d=2000"),
    "autolyap": (bench_autolyap.comparison, bench_autolyap.report_comparison,
                 "certify vs PEPit (N = 10, 20) vs AutoLyap (optional, GPL) on fixed patterns: rate and time"),
    "suite": (others.suite, others.report_suite, "test suite wall time (ci profile)"),
    "report_parallel": (campaigns.report_parallel, campaigns.report_report_parallel,
                        "report wall time, serial vs 2 loky workers (full report; --quick: the quick one)"),
    "dask_overhead": (campaigns.dask_overhead, campaigns.report_dask_overhead,
                      "Dask LocalCluster overhead per task vs the median scenario task"),
    "grid_sample": (campaigns.grid_sample, campaigns.report_grid_sample,
                    "time per scenario of examples/grid-large.toml (40 sampled), for cluster sizing"),
}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m memgd.benchmarks", description=__doc__.splitlines()[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer steps and repeats; skips the test suite")
    size.add_argument("--smoke", action="store_true", help="every benchmark at a size that takes seconds "
                                                           "(checks they run; the figures mean nothing)")
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME",
                    help=f"run only these ({', '.join(BENCHMARKS)})")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write all figures as JSON")
    ap.add_argument("--update", type=Path, metavar="FILE",
                    help="rewrite FILE's generated table (between its markers) from these figures")
    ap.add_argument("--from-json", type=Path, metavar="PATH",
                    help="with --update: take the figures from a file written by --json, run nothing")
    args = ap.parse_args(argv)
    if args.from_json and not args.update:
        ap.error("--from-json needs --update FILE")
    if args.update and not args.update.is_file():
        ap.error(f"--update: no file {args.update}")

    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        results = _run(args)
    if args.update:
        block = summary.render_block(results)
        summary.update_file(args.update, block)
        print(f"\n{block}\n\nupdated {args.update}")
    return results


def _run(args) -> dict:
    names = args.only or [n for n in BENCHMARKS if not (args.quick and n == "suite")]
    results = {"machine": machine(), "quick": args.quick, "smoke": args.smoke}
    print("machine:", json.dumps(results["machine"]))
    for name in names:
        fn, report, what = BENCHMARKS[name]
        print(f"\n== {name}: {what}", flush=True)
        load = os.getloadavg()[0]
        t = time.perf_counter()
        r = fn(quick=args.quick, smoke=True) if args.smoke else fn(quick=args.quick)
        r["benchmark_seconds"] = time.perf_counter() - t
        r["load"] = (load, os.getloadavg()[0])
        results[name] = r
        print(report(r))
        print(f"load average (1 min) before / after: {r['load'][0]:.2f} / {r['load'][1]:.2f}")
        print(json.dumps({name: r}, default=str))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
        print(f"\nwrote {args.json}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
