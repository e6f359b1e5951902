"""Draw a rate sweep of any memory rule (:mod:`memgd.proofs_check.sweeps`), or compute and draw it in one call.

:func:`draw_rate_sweep` only draws the numbers of a
:class:`~memgd.proofs_check.sweeps.RateSweep`: the empirical rate as markers and every
bound available at some point as a line (NaN points are gaps); a bound that is not
available anywhere is listed under the plot with its reason instead of being drawn.
Each line carries a ``gid`` (``"empirical"``, ``"bound:<name>"``).
:func:`plot_rate_sweep` and :func:`plot_memory_sweep` call the sweep and draw it.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes
from memgd.proofs_check.sweeps import BOUND_NAMES, RateSweep, memory_sweep, rate_sweep

STYLES = {
    # every line also marks its points: a point whose neighbours are gaps still shows
    "theorem_declared": dict(color="C3", ls="--", marker="x", ms=5, lw=2.0),
    "theorem_realized": dict(color="C6", ls=":", marker="1", ms=8, lw=2.0),
    "certificate": dict(color="C2", ls="", marker="+", ms=10, mew=1.6),
    "exact_quadratic": dict(color="C0", ls="-", marker=".", ms=5, lw=2.0),
    "lower_bound": dict(color="C4", ls="-.", marker="v", ms=5, lw=1.6),
}


def draw_rate_sweep(sweep: RateSweep, ax=None) -> Figure:
    """Empirical rate of a rule against the swept step (log axis) or memory size, with its bounds.

    Markers: the worst measured tail rate over the problems.  Lines: Theorem 1/1b with
    the declared constants (dashed) and the realized ones (dotted), the certificate
    shared by the rule's recurrent patterns (crosses), the exact rate on quadratics of
    the rule's steady pattern (solid), and a lower bound over the class where one is
    given.  A gap is a point where that bound does not apply; bounds that apply nowhere
    are named below the axes with the reason.
    """
    fig, (panel,) = new_axes(ax, 1, figsize=(8.0, 5.2))
    x = sweep.values
    emp = np.isfinite(sweep.empirical)
    panel.plot(x[emp], sweep.empirical[emp], "o", mfc="none", color="C1", ms=6, mew=1.3,
               label=f"empirical: worst tail rate of {sweep.n_problems} runs", gid="empirical")
    missing = []
    for name in BOUND_NAMES:
        col = sweep.bound(name)
        if not col.available.any():
            missing.append(f"{col.label}: {col.reason}")
            continue
        shown = f"{col.label} ({int(col.available.sum())} of {x.size} points)"
        panel.plot(x, col.values, label=shown, gid=f"bound:{name}", **STYLES[name])
    if sweep.variable == "alpha":
        panel.set_xscale("log")
        panel.set_xlabel(r"step size $\alpha$ (log scale)")
    else:
        panel.set_xlabel(r"memory size m")
        panel.set_xticks(x)
    panel.set_ylabel("rate per iteration")
    panel.grid(True, alpha=0.3)
    panel.legend(loc="best", fontsize=8, framealpha=0.95)
    rules = sweep.labels[0] if len(set(sweep.labels)) == 1 else "rules factory(m)"
    where = "" if sweep.variable == "alpha" else rf", $\alpha$ = {sweep.alpha[0]:g}"
    panel.set_title(f"{rules}\n{sweep.base}; $\\mu$ = {sweep.mu:g}, L = {sweep.L:g}{where}", fontsize=9)
    if missing:
        panel.text(0.0, -0.16, "not drawn: " + "\n".join(missing), transform=panel.transAxes, fontsize=7,
                   va="top", wrap=True, gid="not_available")
    return fig


def plot_rate_sweep(selection, combination, *, ax=None, **kwargs) -> tuple[RateSweep, Figure]:
    """:func:`memgd.proofs_check.sweeps.rate_sweep` (same keyword arguments), drawn: ``(sweep, figure)``."""
    sweep = rate_sweep(selection, combination, **kwargs)
    return sweep, draw_rate_sweep(sweep, ax=ax)


def plot_memory_sweep(factory: Callable[[int], tuple], sizes: Sequence[int], *, ax=None,
                      **kwargs) -> tuple[RateSweep, Figure]:
    """:func:`memgd.proofs_check.sweeps.memory_sweep` (same arguments), drawn: ``(sweep, figure)``."""
    sweep = memory_sweep(factory, sizes, **kwargs)
    return sweep, draw_rate_sweep(sweep, ax=ax)
