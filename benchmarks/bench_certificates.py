"""Benchmark of the Lyapunov rate certificates (``python benchmarks/bench_certificates.py``).

1. Time per certificate for T = 1..4, "sum" aggregation, C = T, all subsets of ages
   (the number of patterns is 2^T - 1), bisection from 0 and gallop from the
   quadratic rate; PEPit N = 30 on the full pattern for comparison.
2. Grid (a campaign: ``--backend``/``--workers``; serial by default, since the cells'
   times are reported): mu = 1, L in {10, 100}, T in {1, 2, 3}, aggregations sum / mean (the single
   full pattern and the set of all subsets) and a fixed pattern, steps at fractions of
   the quadratic stability limit.  Counts false certificates (rho below the exact
   quadratic rate; must be 0), the tightness (1 - rho_cert) / (1 - rho_quad), and
   Theorem 1's bound next to the certificate.
3. PEPit check on single-pattern grid cases: worst case at N steps <= c rho^(2N).

Prints a table and a JSON summary (``--json PATH`` to also write it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memgd.proofs_check.campaigns import Progress, RunConfig, Task, run_tasks  # noqa: E402
from memgd.proofs_check.campaigns.cli import add_arguments, config_from_args  # noqa: E402
from memgd.proofs_check.certificates.certify import certify  # noqa: E402
from memgd.proofs_check.certificates.patterns import aggregation_patterns  # noqa: E402
from memgd.proofs_check.certificates.pepit_worst_case import pepit_worst_case  # noqa: E402
from memgd.theory import best_bound, critical_step, exact_rate  # noqa: E402
from memgd.theory.pattern import Pattern  # noqa: E402

MU = 1.0


def timing(max_T: int, alpha: float, pepit_steps: int = 30) -> list[dict]:
    rows = []
    for T in range(1, max_T + 1):
        pats = aggregation_patterns("sum", T, T)
        row = dict(T=T, n_patterns=len(pats), alpha=alpha)
        for key, lower in (("bisect", None), ("gallop", "quadratic")):
            t = time.perf_counter()
            c = certify(MU, 10.0, alpha, pats, rho_lower=lower)
            row[f"time_{key}"] = time.perf_counter() - t
            row[f"rho_{key}"] = c.rho
            row[f"solves_{key}"] = c.n_bisection
            row[f"status_{key}"] = c.status.name
        full = pats[-1]
        r = pepit_worst_case(MU, 10.0, alpha, full, pepit_steps)
        row.update(pepit_time=r.solve_time, pepit_rate=r.rate, pepit_status=r.status.name,
                   rho_quad=float(np.max(exact_rate(MU, 10.0, alpha, list(pats)))))
        rows.append(row)
    return rows


def theorem1(alpha, L, pats):
    s = [p.s for p in pats]
    b = best_bound(mu=MU, L=L, alpha=alpha, s_lo=min(s), s_hi=max(s), B=max(p.B for p in pats),
                   W=max(p.W for p in pats), T=max(p.T for p in pats))
    return float(b.rate)


def theorem1_block(L: float = 10.0) -> list[dict]:
    """Certificates at steps where Theorem 1 / 1b is not vacuous (sum sets, C = T)."""
    from memgd.theory import alpha_max

    rows = []
    for T in (1, 2, 3):
        pats = aggregation_patterns("sum", T, T, include_empty=True)
        s = [p.s for p in pats]
        kw = dict(mu=MU, L=L, s_lo=min(s), s_hi=max(s), B=max(p.B for p in pats), W=max(p.W for p in pats), T=T)
        a_max = float(alpha_max(**kw))
        for frac in (0.25, 0.5, 0.9):
            alpha = frac * a_max
            c = certify(MU, L, alpha, pats, tol=1e-6)
            rows.append(dict(T=T, alpha=alpha, theorem1=theorem1(alpha, L, pats), rho=c.rho, status=c.status.name,
                             rho_quad=float(np.max(exact_rate(MU, L, alpha, list(pats))))))
    return rows


def grid_cases(T: int) -> dict[str, tuple]:
    """The pattern sets of the grid at largest age T."""
    return {
        "sum-full": (aggregation_patterns("sum", T, T)[-1],),
        "mean-full": (aggregation_patterns("mean", T, T)[-1],),
        f"fixed(0,{T};1,.5)": (Pattern((0, T), (1.0, 0.5)),),
        "sum-set": aggregation_patterns("sum", T, T, include_empty=True),
        "mean-set": aggregation_patterns("mean", T, T, include_empty=True),
    }


def grid_cell(L: float, T: int, name: str, frac: float, pepit_steps: int) -> dict:
    """One cell of the grid: certificate, exact rate, Theorem 1 and (single patterns) PEPit; a campaign task."""
    pats = grid_cases(T)[name]
    a_c = min(critical_step(MU, L, p) for p in pats)
    alpha = frac * a_c
    q = float(np.max(exact_rate(MU, L, alpha, list(pats))))
    t = time.perf_counter()
    c = certify(MU, L, alpha, pats)
    dt = time.perf_counter() - t
    row = dict(L=L, T=T, case=name, n_patterns=len(pats), frac=frac, alpha=alpha, rho_quad=q,
               status=c.status.name, rho=c.rho, transient=c.transient, time=dt,
               reason=c.reason, theorem1=theorem1(alpha, L, pats),
               rejected=c.n_rejected, solver_failed=c.n_solver_failed)
    if c.certified:
        row["false"] = bool(c.rho < q - 1e-12)
        row["tightness"] = (1 - c.rho) / (1 - q)
        row["worse_than_theorem1"] = bool(c.rho > row["theorem1"])
        if len(pats) == 1 and pepit_steps:
            r = pepit_worst_case(MU, L, alpha, pats[0], pepit_steps)
            row.update(pepit_status=r.status.name, pepit_primal=r.primal,
                       pepit_bound_ok=bool(r.primal <= c.bound(pepit_steps) * (1 + 1e-6)),
                       pepit_rate=r.rate)
    return row


def grid(fracs: tuple[float, ...], pepit_steps: int, config: RunConfig = RunConfig("serial")) -> list[dict]:
    """Every cell, run as a campaign (serial by default: the cells' times are part of the benchmark)."""
    tasks = [Task(grid_cell, dict(L=L, T=T, name=name, frac=frac, pepit_steps=pepit_steps),
                  f"L={L:g} T={T} {name} frac={frac:g}")
             for L in (10.0, 100.0) for T in (1, 2, 3) for name in grid_cases(T) for frac in fracs]
    done = run_tasks(tasks, config, progress=Progress("quiet"))
    rows = [done[t.key].value for t in tasks]
    for row in rows:
        rho = row["rho"] if row["rho"] else float("nan")
        print(f"  L={row['L']:<5g} T={row['T']} {row['case']:<16s} frac={row['frac']:<4g} rho={rho:.5f}"
              f" quad={row['rho_quad']:.5f} thm1={row['theorem1']:.5f} {row['status']} {row['time']:.2f}s", flush=True)
    return rows


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-T", type=int, default=4)
    ap.add_argument("--fracs", type=float, nargs="+", default=[0.1, 0.3, 0.6, 0.9])
    ap.add_argument("--pepit-steps", type=int, default=20)
    ap.add_argument("--timing-alpha", type=float, default=0.02)
    ap.add_argument("--json", type=Path)
    add_arguments(ap)
    ap.set_defaults(backend="serial")  # the grid's per-cell times are figures of this benchmark
    args = ap.parse_args(argv)
    config = config_from_args(args)

    print(f"== time per certificate (mu=1, L=10, sum, C=T, all subsets, alpha={args.timing_alpha})")
    trows = timing(args.max_T, args.timing_alpha)
    print(f"{'T':>2} {'#pat':>4} {'bisect s':>9} {'solves':>6} {'gallop s':>9} {'solves':>6} "
          f"{'rho':>8} {'rho_quad':>8} {'PEPit30 s':>9} {'PEPit rate':>10}")
    for r in trows:
        print(f"{r['T']:>2} {r['n_patterns']:>4} {r['time_bisect']:>9.2f} {r['solves_bisect']:>6} "
              f"{r['time_gallop']:>9.2f} {r['solves_gallop']:>6} {r['rho_bisect'] or float('nan'):>8.5f} "
              f"{r['rho_quad']:>8.5f} {r['pepit_time']:>9.2f} {r['pepit_rate']:>10.5f}")

    print("== Theorem 1 where it is not vacuous (mu=1, L=10, sum sets with the empty pattern)")
    th_rows = theorem1_block()
    for r in th_rows:
        print(f"T={r['T']} alpha={r['alpha']:.3g} theorem1={r['theorem1']:.6f} cert={r['rho'] or float('nan'):.6f}"
              f" quad={r['rho_quad']:.6f} {r['status']}")
    print("== grid")
    grows = grid(tuple(args.fracs), args.pepit_steps, config)
    cert = [r for r in grows if r["status"] == "CERTIFIED"]
    single = [r for r in cert if r["n_patterns"] == 1]
    summary = dict(
        n_cases=len(grows),
        n_certified=len(cert),
        not_certified=[(r["L"], r["T"], r["case"], r["frac"], r["status"], r["reason"]) for r in grows
                       if r["status"] != "CERTIFIED"],
        false_certificates=sum(r["false"] for r in cert),
        median_tightness_all=float(np.median([r["tightness"] for r in cert])),
        median_tightness_single=float(np.median([r["tightness"] for r in single])),
        min_tightness_single=float(np.min([r["tightness"] for r in single])),
        worse_than_theorem1=[(r["L"], r["T"], r["case"], r["frac"], r["rho"], r["theorem1"]) for r in cert
                             if r["worse_than_theorem1"]],
        theorem1_vacuous=sum(np.isinf(r["theorem1"]) for r in grows),
        pepit_checked=sum("pepit_bound_ok" in r for r in cert),
        pepit_violations=sum(not r.get("pepit_bound_ok", True) for r in cert),
        pepit_failed=sum(r.get("pepit_status", "CONVERGED") != "CONVERGED" for r in cert),
        median_time_by_T={T: float(np.median([r["time"] for r in grows if r["T"] == T])) for T in (1, 2, 3)},
        pepit_failures=[(r["L"], r["T"], r["case"], r["frac"]) for r in cert
                        if r.get("pepit_status", "CONVERGED") != "CONVERGED"],
        single_below_095=[(r["L"], r["T"], r["case"], r["frac"], r["rho"], r["rho_quad"], r.get("pepit_rate"))
                          for r in single if r["tightness"] < 0.95],
        theorem1_comparison=th_rows,
        certificate_worse_than_theorem1_where_valid=[r for r in th_rows if r["rho"] is None
                                                     or r["rho"] > r["theorem1"]],
        timing=trows,
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "timing"}, indent=1, default=str))
    out = dict(summary=summary, grid=grows)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    print(json.dumps(dict(timing=trows), default=str))
    return out


if __name__ == "__main__":
    main()
