"""Benchmarks of the run loop (:func:`memgd.solvers.run`): memory overhead, vectorization, scaling, per-step overhead.

All on dense quadratics (mu = 1, L = 10) with the paper's critical-gradient rule
(decay 0.7, "sum" aggregation, kappa = 1), step 0.02 (stable for this rule), tol = 0
so that every run takes all its steps.
"""

from __future__ import annotations

import numpy as np

from memgd.benchmarks.timing import exponent, interleaved, per_step, table
from memgd.solvers import Aggregation, CriticalGradients, QuadraticBatch, make_quadratics, run
from memgd.solvers.combination import direction

MEMORY_TARGET = 1.2  # memory step / plain step at n = 1024, d = 64, C = 10
TINY_TARGET = 2.0    # the same ratio for one problem, d = 4
ALPHA = 0.02  # every problem runs all steps (at 0.05 some reach x* exactly, r = 0, and stop)
DECAY = 0.7


def _checked(P, selection, combination):
    def go(steps):
        r = run(P, selection, combination, ALPHA, steps, tol=0.0)
        if not (r.nit == steps).all():  # a stopped problem would take the slower masked path
            raise RuntimeError("a benchmark problem stopped early; per-step times would be wrong")
        return r
    return go


def _memory_run(P, C):
    return _checked(P, CriticalGradients(C, DECAY), Aggregation("sum", 1.0))


def _plain_run(P):
    # plain gradient descent through the engine: no memory (top_c = 0, kappa = 0), as memgd.solvers.sgd()
    return _checked(P, CriticalGradients(0, DECAY), Aggregation("sum", 0.0))


def _bare_gd(P):
    # the floor: x <- x - alpha grad f(x) and nothing else (no distances, gaps or statuses)
    x0 = P.start_points(np.random.default_rng(0))

    def go(steps):
        x = x0
        for _ in range(steps):
            x = x - ALPHA * P.grad(x)
        return x
    return go


def memory_overhead(quick: bool = False, smoke: bool = False) -> dict:
    """One step with a C = 10 critical memory vs one plain step, same batch (n = 1024, d = 64)."""
    n, d, C = (64, 16, 10) if smoke else (1024, 64, 10)
    steps, repeats = (5, 1) if smoke else (50, 3) if quick else (200, 5)
    P = make_quadratics(n, d, rng=np.random.default_rng(1))
    t = interleaved({"memory": _memory_run(P, C), "plain": _plain_run(P), "bare": _bare_gd(P)}, steps, repeats)
    grad = per_step(lambda s: [P.grad(P.x_star) for _ in range(s)], steps, repeats)
    return dict(n=n, d=d, C=C, steps=steps, repeats=repeats,
                memory_ms=t["memory"] * 1e3, plain_ms=t["plain"] * 1e3, bare_gd_ms=t["bare"] * 1e3,
                grad_ms=grad * 1e3, ratio=t["memory"] / t["plain"], ratio_vs_bare=t["memory"] / t["bare"],
                target=f"ratio <= {MEMORY_TARGET}", met=bool(t["memory"] / t["plain"] <= MEMORY_TARGET))


def _reference_module():
    from memgd.benchmarks import reference_critical
    return reference_critical


def _single(P: QuadraticBatch, i: int) -> QuadraticBatch:
    rows = slice(i, i + 1)
    return QuadraticBatch(x_star=P.x_star[rows], f_star=P.f_star[rows], mu=P.mu[rows], L=P.L[rows],
                          A=P.A[rows], eigenvalues=P.eigenvalues[rows])


def vectorization(quick: bool = False, smoke: bool = False) -> dict:
    """The engine on n = 256 problems at once vs a loop over the problems.

    Two loops: ``python``: :mod:`memgd.benchmarks.reference_critical`'s plain-Python implementation
    (lists, one numpy matvec per gradient), the fair "no vectorization" baseline;
    ``engine_n1``: :func:`memgd.solvers.run` on each problem alone (the engine's own
    vectorization gain).  Loops time ``subset`` problems and scale to n (their cost
    is linear in the number of problems).
    """
    n, d, C = (16, 4, 10) if smoke else (256, 16, 10)
    steps, repeats, subset = (5, 1, 4) if smoke else (50, 3, 32) if quick else (200, 3, 64)
    P = make_quadratics(n, d, rng=np.random.default_rng(2))
    x0 = P.start_points(np.random.default_rng(3))
    selection, combination = CriticalGradients(C, DECAY), Aggregation("sum", 1.0)
    ref = _reference_module()
    singles = [_single(P, i) for i in range(subset)]

    def engine(s):
        run(P, selection, combination, ALPHA, s, x0=x0, tol=0.0)

    def python_loop(s):
        for i in range(subset):
            A, xs = P.A[i], P.x_star[i]
            ref.run_one(lambda x, A=A, xs=xs: A @ (x - xs), x0[i], ALPHA, s, top_c=C, decay=DECAY, kappa=1.0,
                        aggregation="sum", critical_test=True)

    def engine_loop(s):
        for i, Pi in enumerate(singles):
            run(Pi, selection, combination, ALPHA, s, x0=x0[i:i + 1], tol=0.0)

    t = interleaved({"engine": engine, "python": python_loop, "engine_n1": engine_loop}, steps, repeats)
    scale = n / subset
    return dict(n=n, d=d, C=C, steps=steps, repeats=repeats, subset=subset,
                engine_ms=t["engine"] * 1e3, python_loop_ms=t["python"] * scale * 1e3,
                engine_n1_loop_ms=t["engine_n1"] * scale * 1e3,
                speedup_vs_python=t["python"] * scale / t["engine"],
                speedup_vs_engine_n1=t["engine_n1"] * scale / t["engine"],
                target="speedup_vs_python >= 50", met=bool(t["python"] * scale / t["engine"] >= 50))


def _memory_pieces(P, C, steps_hint):
    """Per-step time of the memory work alone: weights + direction + insert on a full critical memory."""
    rng = np.random.default_rng(4)
    selection, combination = CriticalGradients(C, DECAY), Aggregation("sum", 1.0)
    gs = [P.grad(P.start_points(rng)) for _ in range(8)]
    mem = selection.init(gs[0])
    for k in range(C):
        mem = selection.insert(mem, gs[k % 8], k, rng)

    def go(steps):
        nonlocal mem
        for k in range(steps):
            g = gs[k % 8]
            used = selection.active(mem, k, rng)
            a, b = combination.weights(g, mem, used, k, rng)
            direction(g, mem, a, b)
            mem = selection.insert(mem, g, C + k, rng)
    return go


def scaling(quick: bool = False, smoke: bool = False) -> dict:
    """Per-step times as n, d and C each grow 4x from (n, d, C) = (512, 32, 8); growth exponents."""
    base = dict(n=16, d=4, C=2) if smoke else dict(n=512, d=32, C=8)
    steps, repeats = (3, 1) if smoke else (30, 3) if quick else (100, 5)
    configs = {"base": base, "n": {**base, "n": 4 * base["n"]}, "d": {**base, "d": 4 * base["d"]},
               "C": {**base, "C": 4 * base["C"]}}
    times = {}
    for name, cfg in configs.items():
        P = make_quadratics(cfg["n"], cfg["d"], rng=np.random.default_rng(5))
        t = interleaved({"memory_step": _memory_run(P, cfg["C"]), "plain_step": _plain_run(P),
                         "memory_pieces": _memory_pieces(P, cfg["C"], steps),
                         "grad": lambda s, P=P: [P.grad(P.x_star) for _ in range(s)]}, steps, repeats)
        t["memory_part"] = t["memory_step"] - t["plain_step"]
        times[name] = {k: v * 1e3 for k, v in t.items()}
    exps = {axis: {k: exponent(times["base"][k], times[axis][k]) for k in times["base"]} for axis in ("n", "d", "C")}
    expected = {"n": {"memory_pieces": 1, "grad": 1, "plain_step": 1},
                "d": {"memory_pieces": 1, "grad": 2, "plain_step": 2},
                "C": {"memory_pieces": 1, "grad": 0, "plain_step": 0}}
    return dict(base=base, steps=steps, repeats=repeats, times_ms=times, exponents=exps, expected=expected)


def tiny_overhead(quick: bool = False, smoke: bool = False) -> dict:
    """Per-step time of the engine on one small problem (n = 1, d = 4): the Python overhead per step."""
    steps, repeats = (20, 1) if smoke else (500, 3) if quick else (2000, 7)
    P = make_quadratics(1, 4, rng=np.random.default_rng(6))
    t = interleaved({"critical_C10": _memory_run(P, 10), "plain": _plain_run(P)}, steps, repeats)
    ratio = t["critical_C10"] / t["plain"]
    return dict(n=1, d=4, steps=steps, repeats=repeats, critical_C10_us=t["critical_C10"] * 1e6,
                plain_us=t["plain"] * 1e6, ratio=ratio, target=f"ratio <= {TINY_TARGET}",
                met=bool(ratio <= TINY_TARGET))


def report_memory_overhead(r: dict) -> str:
    return table(["n", "d", "C", "memory ms/step", "plain ms/step", "bare GD ms/step", "grad ms", "ratio",
                  "vs bare", "target"],
                 [[r["n"], r["d"], r["C"], r["memory_ms"], r["plain_ms"], r["bare_gd_ms"], r["grad_ms"],
                   r["ratio"], r["ratio_vs_bare"], f"<= {MEMORY_TARGET} " + ("met" if r["met"] else "MISSED")]])


def report_vectorization(r: dict) -> str:
    return table(["n", "d", "C", "steps", "engine ms", "python loop ms", "engine n=1 loop ms", "x python",
                  "x engine n=1", "target"],
                 [[r["n"], r["d"], r["C"], r["steps"], r["engine_ms"] * r["steps"], r["python_loop_ms"] * r["steps"],
                   r["engine_n1_loop_ms"] * r["steps"], r["speedup_vs_python"], r["speedup_vs_engine_n1"],
                   ">= 50 " + ("met" if r["met"] else "MISSED")]])


def report_scaling(r: dict) -> str:
    keys = ["memory_step", "plain_step", "memory_part", "memory_pieces", "grad"]
    rows = [[name, *(r["times_ms"][name][k] for k in keys)] for name in r["times_ms"]]
    out = "ms per step\n" + table(["config", *keys], rows)
    rows = [[f"{axis} x4", *(r["exponents"][axis][k] for k in keys),
             " ".join(f"{k}~{v}" for k, v in r["expected"][axis].items())] for axis in ("n", "d", "C")]
    return out + "\nexponents log(t2/t1)/log 4\n" + table(["grow", *keys, "expected"], rows, ".2f")


def report_tiny(r: dict) -> str:
    return table(["n", "d", "critical C=10 us/step", "plain us/step", "ratio", "target"],
                 [[r["n"], r["d"], r["critical_C10_us"], r["plain_us"], r["ratio"],
                   f"<= {TINY_TARGET} " + ("met" if r["met"] else "MISSED")]])
