"""What the per-step rule checks cost (:mod:`memgd.solvers.step_checks`): one run with and without them.

The same batch, rules and seed run with ``step_checks=True`` (the default) and ``False``,
interleaved in one process; the ratio of per-step times is the checks' overhead.  Rows:
the paper's critical rule (C = 10, "sum"; capacity = slots, so the used-slot count is not
needed) and the maximum-age adversary ``KeepOldest(10, max_age=20)`` (capacity < slots:
the count is checked) on n = 1024 quadratics in d = 64, and the critical rule on a small
batch (n = 4, d = 4), where the fixed cost per step weighs most.  Target: ratio <= 1.05.
"""

from __future__ import annotations

import numpy as np

from memgd.benchmarks.timing import interleaved, table
from memgd.solvers import Aggregation, CriticalGradients, KeepOldest, make_quadratics, run

ALPHA = 0.02  # stable for these rules on mu = 1, L = 10: every problem runs every step (tol = 0)
TARGET = 1.05


def _runner(P, selection, combination, checks: bool):
    def go(steps):
        r = run(P, selection, combination, ALPHA, steps, tol=0.0, step_checks=checks)
        if not (r.nit == steps).all():
            raise RuntimeError("a benchmark problem stopped early; per-step times would be wrong")
    return go


def overhead(quick: bool = False, smoke: bool = False) -> dict:
    """Per-step time with and without the checks, and their ratio, for each row (module doc)."""
    cases = [
        ("critical C=10", 1024, 64, CriticalGradients(10, 0.7), Aggregation("sum")),
        ("KeepOldest C=10 T=20", 1024, 64, KeepOldest(10, max_age=20), Aggregation("sum", 0.5)),
        ("critical C=10, small batch", 4, 4, CriticalGradients(10, 0.7), Aggregation("sum")),
    ]
    rows = []
    for name, n, d, selection, combination in cases:
        small = n * d < 1024
        if smoke:
            n, d = min(n, 32), min(d, 8)
        steps, repeats = (5, 1) if smoke else (200 if small else 50, 3) if quick else (2000 if small else 200, 7)
        P = make_quadratics(n, d, rng=np.random.default_rng(7))
        t = interleaved({"checked": _runner(P, selection, combination, True),
                         "unchecked": _runner(P, selection, combination, False)}, steps, repeats)
        ratio = t["checked"] / t["unchecked"]
        rows.append(dict(case=name, n=n, d=d, steps=steps, repeats=repeats, checked_ms=t["checked"] * 1e3,
                         unchecked_ms=t["unchecked"] * 1e3, ratio=ratio, met=bool(ratio <= TARGET)))
    return dict(rows=rows, target=f"ratio <= {TARGET}", met=all(r["met"] for r in rows))


def report_overhead(r: dict) -> str:
    return table(["case", "n", "d", "checked ms/step", "unchecked ms/step", "ratio", "target"],
                 [[row["case"], row["n"], row["d"], row["checked_ms"], row["unchecked_ms"], row["ratio"],
                   f"<= {TARGET} " + ("met" if row["met"] else "MISSED")] for row in r["rows"]], ".4g")
