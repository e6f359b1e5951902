"""Draws the class figure: certified, analytic, lower-bound and measured rates against the age bound T."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes
from memgd.proofs_check.report.class_figure_data import RateAgainstT


def _gap(r):
    return -np.log10(np.clip(1.0 - np.asarray(r, dtype=float), 1e-15, None))


def _from_gap(u):
    return 1.0 - 10.0 ** (-np.asarray(u, dtype=float))


def draw_class_rate_vs_T(data: RateAgainstT, ax=None) -> Figure:
    r"""Rate against the age bound T at one fixed step, for a whole class of rules.

    The class: every nonnegative combination of the last T + 1 gradients with weight sum in [1, 2]
    and memory mass at most 1 (Theorem 2's class with the constants of the paper's "sum"
    aggregation at kappa 1); mu = 1, L = 10, one step for every T (half of Theorem 2's largest
    admissible step at the largest T).  Solid: the class certificate (one Lyapunov function for
    every rule of the class, verified in float64; +); dashed: Theorem 2 on the same class; dotted:
    the best verified lower bound (worst vertex, pure delay, interior points, switching); x: the
    worst measured tail rate of the paper's critical rule ("sum", kappa 1, topC 10, decays 0.5 to
    0.95, quadratics) among the runs whose realized largest age is at most T.  The vertical axis is
    linear in :math:`-\log_{10}(1 - \mathrm{rate})`.  Artists carry the gids ``certified``,
    ``theorem2``, ``lower``, ``measured``.
    """
    fig, (panel,) = new_axes(ax, 1, figsize=(7.0, 5.0))
    T = data.T
    ok = np.isfinite(data.certified)
    panel.plot(T[ok], data.certified[ok], "-+", color="C2", lw=2.0, ms=7,
               label=f"class certificate (median iterations Thm 2 / cert: {data.iteration_ratio:.3g})", gid="certified")
    ok2 = np.isfinite(data.theorem2)
    panel.plot(T[ok2], data.theorem2[ok2], "--", color="C3", lw=1.8, label="Theorem 2, same class", gid="theorem2")
    okl = np.isfinite(data.lower)
    panel.plot(T[okl], data.lower[okl], ":", color="C0", lw=2.2, label="best verified lower bound", gid="lower")
    okm = np.isfinite(data.measured)
    panel.plot(T[okm], data.measured[okm], "x", color="C1", ms=7,
               label="critical rule, worst measured run with realized T' <= T", gid="measured")
    panel.set_yscale("function", functions=(_gap, _from_gap))
    panel.set_xlabel("age bound T")
    panel.set_ylabel("rate per step (axis linear in -log(1 - rate))")
    panel.set_title(f"A whole class at alpha = {data.alpha:.4g} (mu = {data.mu:g}, L = {data.L:g})")
    panel.legend(loc="lower right", fontsize=8)
    return fig
