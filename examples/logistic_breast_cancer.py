r"""Memory rules compared on real data: L2-regularized logistic regression, breast-cancer data.

    python examples/logistic_breast_cancer.py            # lambda = 0.1, 3000 steps
    python examples/logistic_breast_cancer.py --quick    # fewer steps and starts

Needs scikit-learn (``pip install 'memgd[examples]'``).  The problem is
:math:`f(w) = \frac1m\sum_i \log(1 + e^{-y_i x_i^\top w}) + \frac\lambda2\|w\|^2` on the
569 standardized samples (30 features and an intercept, d = 31), with the exact global
bounds :math:`\mu = \lambda`, :math:`L = \lambda + \|X\|_2^2/(4m)`: the theorems apply to
them as they stand.  Every rule runs from the same random starts at distance 1 from x*,
at a few steps :math:`\alpha = c / L`.  For each it prints the measured rate (tail rate of
the distances, worst start), the realized constants, and Theorem 1 / 1b's bound with the
realized constants (a posteriori) and, for rules that bound ages, with the declared ones
(a priori): the rate, whether the hypotheses hold ("applies"), and whether
:math:`r_k \le \rho^k r_0` held at every step ("holds").  A theorem that does not apply
at a step says nothing there; at the small steps it applies and must hold.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from memgd.proofs_check.properties.bound_check import check_declared, check_realized
from memgd.solvers import Aggregation, CriticalGradients, Fifo, KeepOldest, run, tail_rate
from memgd.solvers.problems.datasets import breast_cancer

RULES = {
    "plain GD": (Fifo(0), Aggregation("sum", 0.0)),
    "FIFO C=5, sum": (Fifo(5), Aggregation("sum", 1.0)),
    "critical C=10, sum": (CriticalGradients(10, 0.7), Aggregation("sum", 1.0)),
    "critical C=10, mean": (CriticalGradients(10, 0.7), Aggregation("mean", 1.0)),
    "keep-oldest C=5, T=10, sum": (KeepOldest(5, max_age=10), Aggregation("sum", 1.0)),
    "keep-oldest C=2 forever, mean": (KeepOldest(2), Aggregation("mean", 1.0)),
}
STEPS_TIMES_L = (1.0, 0.1, 0.001)


def compare(lam: float = 0.1, steps: int = 3000, starts: int = 4, steps_times_L=STEPS_TIMES_L,
            rules=None, seed: int = 0) -> tuple[list[dict], object]:
    """One row per (rule, step): measured rate, realized constants, bounds.  Returns (rows, problem)."""
    P1 = breast_cancer(lam)
    c = np.repeat(np.asarray(steps_times_L, dtype=float), starts)
    P = P1.take(np.zeros(c.size, dtype=np.int64))  # the same problem, one row per (step, start)
    alpha = c / P.L
    rows = []
    for name, (selection, combination) in (rules or RULES).items():
        res = run(P, selection, combination, alpha, steps, rng=seed, tol=1e-10, record="summary")
        measured = tail_rate(res.distances)
        realized = check_realized(res, P)
        declared = check_declared(res, P, combination, selection)
        k = res.constants
        for j, cj in enumerate(steps_times_L):
            idx = slice(j * starts, (j + 1) * starts)

            def worst(a):
                return float(np.nanmax(a[idx])) if np.isfinite(a[idx]).any() else float("nan")

            row = dict(rule=name, alpha_L=cj, status=sorted({s.name for s in res.statuses()[idx]}),
                       measured=worst(measured), T=int(k.T[idx].max()), s_lo=float(k.s_lo[idx].min()),
                       s_hi=float(k.s_hi[idx].max()), B=float(k.B[idx].max()), W=float(k.W[idx].max()),
                       bound=worst(np.where(realized.applies, realized.rate, np.nan)),
                       applies=bool(realized.applies[idx].all()),
                       holds=bool(realized.applies[idx].all() and not realized.violated[idx].any()),
                       violated=bool(realized.violated[idx].any()))
            if declared is not None:
                row.update(declared_bound=worst(np.where(declared.applies, declared.rate, np.nan)),
                           declared_applies=bool(declared.applies[idx].all()),
                           declared_violated=bool(declared.violated[idx].any()))
            rows.append(row)
    return rows, P1


def format_table(rows: list[dict]) -> str:
    head = ["rule", "alpha L", "status", "measured", "T", "s_lo", "B", "W", "Thm (realized)", "holds",
            "Thm (declared)"]

    def fmt_bound(rate, applies, violated):
        if not applies:
            return "does not apply"
        return f"{rate:.7f} " + ("VIOLATED" if violated else "holds")

    lines = []
    for r in rows:
        declared = (fmt_bound(r["declared_bound"], r["declared_applies"], r["declared_violated"])
                    if "declared_bound" in r else "no a-priori T")
        lines.append([r["rule"], f"{r['alpha_L']:g}", "/".join(r["status"]), f"{r['measured']:.7f}", str(r["T"]),
                      f"{r['s_lo']:.3g}", f"{r['B']:.3g}", f"{r['W']:.3g}",
                      fmt_bound(r["bound"], r["applies"], r["violated"]), "yes" if r["holds"] else "-", declared])
    widths = [max(len(h), *(len(x[i]) for x in lines)) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    out += ["  ".join(x[i].ljust(widths[i]) for i in range(len(head))) for x in lines]
    return "\n".join(out)


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lam", type=float, default=0.1, help="L2 regularization lambda (default 0.1)")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--starts", type=int, default=4, help="random starts per step size")
    ap.add_argument("--quick", action="store_true", help="600 steps, 2 starts")
    args = ap.parse_args(argv)
    steps, starts = (600, 2) if args.quick else (args.steps, args.starts)
    rows, P = compare(args.lam, steps, starts)
    print(f"breast cancer, logistic regression: m = {P.X.shape[0]}, d = {P.d}, lambda = {args.lam:g}; "
          f"{P.constants_source}: mu = {P.mu[0]:.4g}, L = {P.L[0]:.4g} (kappa = {P.L[0] / P.mu[0]:.1f})")
    print(f"x*: {P.x_star_method}; {steps} steps, {starts} starts per step size; worst start shown\n")
    print(format_table(rows))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
