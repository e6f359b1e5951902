"""Benchmark of class certificates (``python -m memgd.benchmarks --only class_certificates``).

1. Scaling in T: Theorem 2's class with the "sum" constants (s_lo = 1, W = 2, B = 1; 2 + 2T vertices),
   mu = 1, L = 10, step 0.5 x the stability limit of its worst vertex (the pure delay g_{k-T}), one
   certificate per T in {1, 2, 4, 8, 16, 32}, default structure (neighbour pairs, lag-1 Lyapunov
   pattern, clique decomposition, Clarabel): "warm" search (from the worst vertex's exact rate, the
   default) and "cold" bisection (from 0).  Wall and process CPU seconds, solves, and the fitted
   exponent of time against T (least squares on log-log, T >= 4).  The machine's load average is
   recorded beside the numbers: wall times on a shared machine are inflated, CPU times much less.
2. Levers at T = 8: Clarabel on our clique decomposition, Clarabel on whole LMIs (its own chordal
   decomposition), SCS on our decomposition.
3. Tightness each restriction loses, at T = 4 where the certificate is not limited by mu (step 0.7 x
   the limit): pairs all / neighbours+last / neighbours, Lyapunov pattern full / lag 2 / lag 1.
"""

from __future__ import annotations

import os
import time

import numpy as np

from memgd.proofs_check.certificates.certify_class import certify_class, vertex_lower_bound
from memgd.proofs_check.certificates.weight_classes import theorem2_class
from memgd.proofs_check.lower_bounds.class_bounds import levin_may_limit

MU, L = 1.0, 10.0


def _setting(T: int, fraction: float):
    c = theorem2_class(T, 1.0, 2.0, 1.0)
    return c, fraction * levin_may_limit(L, T, 1.0)


def _one(T: int, fraction: float, *, cold: bool = False, rtol: float = 1e-3, **kw) -> dict:
    """One certificate; ``cold``: bisection from 0 with the same final bracket width as the warm search."""
    c, alpha = _setting(T, fraction)
    low = vertex_lower_bound(MU, L, alpha, c)
    if cold:
        kw.update(rho_lower=0.0)
        rtol = rtol * (1.0 - low)
    load = os.getloadavg()[0]
    cert = certify_class(MU, L, alpha, c, rtol=rtol, **kw)
    return dict(T=T, vertices=len(c.vertices), alpha=alpha, status=cert.status.name, rho=cert.rho,
                rho_lower=low, wall=cert.seconds, cpu=cert.cpu_seconds, solves=cert.n_solves,
                solver_seconds=cert.solve_seconds, largest_cone=cert.largest_cone, psd_entries=cert.psd_entries,
                load=load, tightness=None if cert.rho is None else (1 - cert.rho) / (1 - low))


def _exponent(rows: list[dict], key: str) -> float:
    pts = [(r["T"], r[key]) for r in rows if r["T"] >= 4 and r[key] and r[key] > 0]
    if len(pts) < 2:
        return float("nan")
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def _said(row: dict, kind: str) -> dict:
    print(f"  {kind} T={row['T']}: {row['status']} rho={row['rho']} solves={row['solves']} wall {row['wall']:.2f} s "
          f"cpu {row['cpu']:.2f} s load {row['load']:.1f}", flush=True)
    return row


def class_certificates(quick: bool = False, smoke: bool = False) -> dict:
    Ts = (1,) if smoke else (1, 2, 4, 8) if quick else (1, 2, 4, 8, 16, 32)
    warm = [_said(_one(T, 0.5), "warm") for T in Ts]
    cold = [_said(_one(T, 0.5, cold=True), "cold") for T in Ts if T <= 16]   # T = 32 cold: ~25 solves, see BENCHMARKS.md
    levers = []
    for name, kw in (("clarabel, our cliques", {}), ("clarabel, whole LMIs (its own decomposition)",
                                                   dict(decompose=False)), ("scs, our cliques", dict(solver="SCS"))):
        if smoke or (quick and name.startswith("scs")):
            continue
        r = _one(4 if quick else 8, 0.5, cold=True, **kw)
        r["lever"] = name
        levers.append(r)
    restrictions = []
    for pairs, lag in (("all", None), ("neighbours+last", None), ("neighbours", None), ("all", 2), ("all", 1),
                       ("neighbours", 2), ("neighbours", 1))[:1 if smoke else None]:
        r = _one(1 if smoke else 4, 0.7, pairs=pairs, lag=lag, rtol=1e-4)
        r.update(pairs=pairs, lag=lag)
        restrictions.append(r)
    ref = restrictions[0]["rho"]
    for r in restrictions:
        r["kept"] = None if (r["rho"] is None or ref is None) else (1 - r["rho"]) / (1 - ref)
    return dict(warm=warm, cold=cold, levers=levers, restrictions=restrictions,
                exponent_warm_cpu=_exponent(warm, "cpu"), exponent_cold_cpu=_exponent(cold, "cpu"),
                exponent_warm_wall=_exponent(warm, "wall"), exponent_cold_wall=_exponent(cold, "wall"),
                load_end=os.getloadavg()[0])


def report_class_certificates(r: dict) -> str:
    lines = ["T  vertices  search  status  rho         tightness  solves  wall s   cpu s    load"]
    for kind in ("warm", "cold"):
        for x in r[kind]:
            t = "-" if x["tightness"] is None else f"{x['tightness']:.4f}"
            rho = "-" if x["rho"] is None else f"{x['rho']:.8f}"
            lines.append(f"{x['T']:<3}{x['vertices']:<10}{kind:<8}{x['status'][:9]:<8}{rho:<12}{t:<11}"
                         f"{x['solves']:<8}{x['wall']:<9.2f}{x['cpu']:<9.2f}{x['load']:.1f}")
    lines.append(f"exponent of time against T (T >= 4): warm cpu {r['exponent_warm_cpu']:.2f}, wall "
                 f"{r['exponent_warm_wall']:.2f}; cold cpu {r['exponent_cold_cpu']:.2f}, wall {r['exponent_cold_wall']:.2f}")
    lines.append("levers (cold bisection):")
    for x in r["levers"]:
        lines.append(f"  {x['lever']:<46} T={x['T']} solves {x['solves']} wall {x['wall']:.2f} s cpu {x['cpu']:.2f} s "
                     f"rho {x['rho']}")
    lines.append("restrictions (tightness kept = (1 - rho) / (1 - rho with all pairs and full P)):")
    for x in r["restrictions"]:
        kept = "-" if x["kept"] is None else f"{x['kept']:.4f}"
        lines.append(f"  pairs {x['pairs']:<16} lag {str(x['lag']):<5} rho {x['rho']} kept {kept} cpu {x['cpu']:.2f} s")
    lines.append(f"load average at the end: {r['load_end']:.1f}")
    return "\n".join(lines)
