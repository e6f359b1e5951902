"""Data of the explorable page, computed by memgd: rates, bounds and trajectories on a grid.

The page ``memory_explorable.md`` calls :func:`explorable_data` at build time and writes the
result as JSON into the page; the JavaScript only looks values up (it computes nothing).
The headless check (``docs/check_site.py``) recomputes two grid points with memgd and
compares them with what the page displays.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.report.figure_data import scripted_rule
from memgd.solvers import make_quadratics, run
from memgd.theory import Pattern, best_bound, exact_rate, iteration_count

MU, L = 1.0, 10.0
ALPHA_L = tuple(float(a) for a in np.round(np.geomspace(0.01, 2.5, 25), 6))  # step, in units of 1/L
WEIGHTS = tuple(float(b) for b in np.round(np.linspace(0.0, 2.0, 11), 6))      # memory weight b
AGES = (1, 2, 3)                                                                  # age tau
STEPS = 40
X0 = (1.0, 0.6)


def pattern(b: float, tau: int) -> Pattern:
    """d_k = g_k + b g_{k - tau} (gradient descent when b = 0)."""
    return Pattern((0, tau), (1.0, b)) if b != 0 else Pattern.plain()


def _round(values, digits: int = 6):
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in np.ravel(values)]


def explorable_data() -> dict:
    """Everything the widget shows, indexed [tau][b][alpha]."""
    alphas = np.asarray(ALPHA_L) / L
    problem = make_quadratics(1, 2, MU, L, rng=np.random.default_rng(0), diagonal=True)
    batch = problem.take(np.zeros(alphas.size, dtype=int))
    x0 = problem.x_star[0] + np.asarray(X0)
    h = np.diag(problem.hessian(problem.x_star)[0])   # eigenvalues mu and L (diagonal quadratic)
    out = {"mu": MU, "L": L, "alpha_L": list(ALPHA_L), "b": list(WEIGHTS), "tau": list(AGES),
           "steps": STEPS, "x_star": problem.x_star[0].tolist(), "hessian_diagonal": h.tolist(),
           "exact": [], "bound": [], "theorem": [], "iterations_exact": [], "iterations_bound": [], "paths": []}
    for tau in AGES:
        rows = {k: [] for k in ("exact", "bound", "theorem", "iterations_exact", "iterations_bound", "paths")}
        for b in WEIGHTS:
            p = pattern(b, tau)
            exact = np.asarray(exact_rate(MU, L, alphas, p, n_grid=65))
            bound = best_bound(mu=MU, L=L, alpha=alphas, s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)
            selection, combination = scripted_rule(p)
            res = run(batch, selection, combination, alphas, STEPS, x0=np.repeat(x0[None], alphas.size, 0),
                      tol=0.0, blowup=1e3, trace=True)
            paths = res.trace.iterates - problem.x_star[0]  # (K+1, A, 2), NaN after a run stopped
            rows["exact"].append(_round(exact))
            rows["bound"].append(_round(np.asarray(bound.rate)))
            rows["theorem"].append([str(t) for t in np.ravel(bound.theorem)])
            rows["iterations_exact"].append(_round(iteration_count(eps=1e-6, rate=exact)))
            rows["iterations_bound"].append(_round(iteration_count(eps=1e-6, rate=np.asarray(bound.rate))))
            rows["paths"].append([[_round(paths[k, a], 4) for k in range(STEPS + 1)] for a in range(alphas.size)])
        for k, v in rows.items():
            out[k].append(v)
    return out
