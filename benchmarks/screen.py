"""What ``verify_rule``'s screen costs (:mod:`memgd.proofs_check.properties.screen`): 10,000 examples.

For built-in rule pairs, the screen of ``verify_rule`` (its default ``screen_examples`` = 10,000
examples, ``steps`` = 300) is timed alone: drawing, building every example's problems, the batched
runs, the per-problem checks.  Wall seconds, and CPU seconds of this process (the workers' are not counted), with every core
(verify_rule's default) and in one process, with the load average before and after (the target,
5 s, is for two idle cores: under load the wall time is inflated, and the kernel's per-session
fairness gives a session about the same share of the cores however many processes it starts).
"""

from __future__ import annotations

import os
import time

from memgd.benchmarks.timing import table

TARGET_SECONDS = 5.0


def _rules():
    from memgd.solvers import Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest

    return [("KeepOldest(2, max_age=3) + mid", KeepOldest(2, max_age=3), Aggregation("mid")),
            ("critical(3, 0.7) + sum", CriticalGradients(3, 0.7), Aggregation("sum")),
            ("Fifo(2) + signed fixed weights", Fifo(2), FixedWeights(1.0, (0.3, -0.2)))]


def screening(quick: bool = False, smoke: bool = False) -> dict:
    """Seconds to screen 10,000 examples (2,000 with ``quick``, 100 with ``smoke``) per rule pair, with
    every core (verify_rule's default); the first pair also as the process's first screen (which
    starts the worker processes) and in one process."""
    from memgd.proofs_check.properties.screen import screen
    from memgd.proofs_check.properties.strategies import ExampleSpace
    from memgd.proofs_check.properties.verify_rule import check_example

    count = 100 if smoke else (2000 if quick else 10_000)
    rules = _rules()[:1] if smoke else _rules()
    from memgd.proofs_check.campaigns.backends import default_workers

    rows = []
    # the first screen of a process starts the worker processes (their imports): timed as such, then again
    cases = [(name + (" (first screen: starts the workers)" if i == 0 and not smoke else ""), s, c, default_workers())
             for i, (name, s, c) in enumerate(rules)]
    if not smoke:
        cases.insert(1, (rules[0][0], rules[0][1], rules[0][2], default_workers()))
        cases.insert(2, (rules[0][0], rules[0][1], rules[0][2], 1))
    for name, selection, combination, workers in cases:
        load_before = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        r = screen(selection, combination, ExampleSpace(), count, steps=300, seed=0, workers=workers,
                   check_one=lambda *a, _s=selection, _c=combination, **k: check_example(_s, _c, *a, **k))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append(dict(rule=name, workers=r.workers, examples=r.screened, problems=r.problems, runs=r.runs,
                         mode=r.mode, wall_s=wall, cpu_s=cpu, failing=len(r.failing),
                         load=(load_before, os.getloadavg()[0]),
                         met=bool(wall <= TARGET_SECONDS) if count == 10_000 else None))
    return dict(count=count, rows=rows, target=f"10,000 examples in <= {TARGET_SECONDS} s on two idle cores",
                met=all(r["met"] for r in rows) if count == 10_000 else None)


def report_screening(r: dict) -> str:
    return table(["rule", "processes", "examples", "problems", "runs", "wall s", "CPU s (this process)", "failing",
                  "load (before, after)", "target"],
                 [[x["rule"], x["workers"], x["examples"], x["problems"], x["runs"], x["wall_s"], x["cpu_s"], x["failing"],
                   f"{x['load'][0]:.1f}, {x['load'][1]:.1f}",
                   "not judged" if x["met"] is None else "met" if x["met"] else "MISSED"] for x in r["rows"]],
                 ".3g")
