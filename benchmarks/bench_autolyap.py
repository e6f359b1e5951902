"""Benchmark row: ``certify`` against PEPit and AutoLyap on the same fixed patterns (rate and time).

AutoLyap (PyPI ``autolyap``, GPL-3.0) searches iteration-independent Lyapunov functions for
algorithms in state-space form; it is an optional, benchmark-only dependency
(``pip install memgd[autolyap]``): the library never imports it, this module imports it
inside :func:`autolyap_rate` only, and reports "not installed" without it.

The memory method with ages :math:`\\tau_j` and weights :math:`w_j` is the linear system
with state :math:`(x_k, g_{k-1}, \\dots, g_{k-T})`, input :math:`u_k = \\nabla f(x_k)`,
output :math:`y_k = x_k` (one gradient per step).  AutoLyap's :math:`\\rho` bounds
:math:`V_{k+1} \\le \\rho V_k` with :math:`V \\ge \\|x_k - x_\\star\\|^2`, so its rate per step
is :math:`\\sqrt\\rho`.  PEPit's column is the per-step rate between N = 10 and N = 20.
Measured (mu = 1, L = 10, one run on the shared 2-core machine): the three agree to about
1e-6 on these patterns; AutoLyap's unverified rate for ages (0, 3) at alpha = 0.05 is
0.93237728, 7e-9 *below* the exact quadratic rate 0.93237729 (a solver-tolerance artefact,
but a number no verified certificate may give).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.lower_bounds.pep import pep_lower_bound
from memgd.theory import Pattern, critical_step, exact_rate

CASES = (  # (ages, weights, fraction of the quadratic stability limit) on mu = 1, L = 10
    ((0, 1), (1.0, 1.0), 0.5),
    ((0, 1), (0.963, 0.259), None),        # issue 11's case, alpha = 0.2273
    ((0, 2), (1.0, 1.0), 0.5),
    ((0, 1, 2), (1 / 3, 1 / 3, 1 / 3), 0.5),
    ((0, 3), (1.0, 1.0), 0.5),
)


def autolyap_rate(mu: float, L: float, alpha: float, pattern: Pattern, tol: float = 1e-6) -> tuple[float | None, str]:
    """AutoLyap's rate per step for the fixed pattern (None and the reason when unavailable)."""
    try:
        from autolyap import IterationIndependent, SolverOptions
        from autolyap.algorithms.algorithm import Algorithm
        from autolyap.problemclass import InclusionProblem
        from autolyap.problemclass.functions import SmoothStronglyConvex
    except ImportError:
        return None, "autolyap not installed"
    T = pattern.T
    w = pattern.dense_weights()

    class Memory(Algorithm):
        def __init__(self) -> None:
            super().__init__(T + 1, 1, [1], [1], [])

        def get_ABCD(self, k):
            n = T + 1
            A, B, C, D = np.zeros((n, n)), np.zeros((n, 1)), np.zeros((1, n)), np.zeros((1, 1))
            A[0, 0] = 1.0
            A[0, 1:] = -alpha * w[1:]
            B[0, 0] = -alpha * w[0]
            if T >= 1:
                B[1, 0] = 1.0
                for i in range(2, n):
                    A[i, i - 1] = 1.0
            C[0, 0] = 1.0
            return A, B, C, D

    algo = Memory()
    prob = InclusionProblem([SmoothStronglyConvex(mu, L)])
    LC = IterationIndependent.LinearConvergence
    P, p, Tm, t = LC.get_parameters_distance_to_solution(algo, h=T)
    with warnings.catch_warnings():  # AutoLyap accepts Clarabel's inaccurate solves; it warns each time
        warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
        res = LC.bisection_search_rho(prob, algo, P, Tm, p, t, h=T, tol=tol, upper_bound=0.9999,
                                      solver_options=SolverOptions(backend="cvxpy", cvxpy_solver="CLARABEL"),
                                      verbosity=0)
    if res["status"] != "feasible" or res["rho"] is None:
        return None, f"autolyap status {res['status']}"
    return float(np.sqrt(res["rho"])), ""


def comparison(quick: bool = False, mu: float = 1.0, L: float = 10.0, smoke: bool = False) -> dict:
    rows = []
    for ages, weights, frac in CASES[:1] if smoke else CASES[:2] if quick else CASES:
        pat = Pattern(ages, weights)
        alpha = 0.2273 if frac is None else frac * critical_step(mu, L, pat)
        t = time.perf_counter()
        cert = certify(mu, L, alpha, pat, tol=1e-6)
        t_cert = time.perf_counter() - t
        t = time.perf_counter()
        pep = pep_lower_bound(mu, L, alpha, [pat], (0,), (2,) if smoke else (10, 20))
        t_pep = time.perf_counter() - t
        t = time.perf_counter()
        al, why = autolyap_rate(mu, L, alpha, pat, tol=1e-6)
        t_al = time.perf_counter() - t
        rows.append(dict(ages=ages, weights=weights, alpha=alpha, quadratic=float(exact_rate(mu, L, alpha, pat)),
                         certify=cert.rho, certify_s=t_cert, pepit=pep.per_step_rate, pepit_s=t_pep,
                         autolyap=al, autolyap_s=t_al, autolyap_note=why))
    return dict(mu=mu, L=L, rows=rows)


def report_comparison(r: dict) -> str:
    from memgd.benchmarks.timing import table

    rows = [[str(x["ages"]), str(tuple(round(w, 4) for w in x["weights"])), x["alpha"], x["quadratic"],
             x["certify"] if x["certify"] is not None else float("nan"), x["certify_s"],
             x["pepit"] if x["pepit"] is not None else float("nan"), x["pepit_s"],
             x["autolyap"] if x["autolyap"] is not None else float("nan"), x["autolyap_s"],
             "yes" if x["autolyap"] is not None and x["autolyap"] < x["quadratic"] else "no"] for x in r["rows"]]
    return table(["ages", "weights", "alpha", "quadratic", "certify", "s", "PEPit 10-20", "s", "AutoLyap", "s",
                  "AutoLyap < quadratic"], rows, ".8g") + (
        "\ncertify's rate is verified in float64 (never below the quadratic rate); AutoLyap's is the solver's "
        "bisection result, unverified; PEPit's is an estimate between two horizons (it oscillates in N).")
