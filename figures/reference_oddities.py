"""Figure ``reference_oddities``: the documented critical rule against the reference code's buffer.

Draws an :class:`~memgd.proofs_check.report.reference_oddities.OddityGrid`; computes nothing.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes, use_decay_scale
from memgd.proofs_check.report.reference_oddities import OddityGrid

MODE_STYLE = {0: dict(ls="-", marker="o", mfc=None), 1: dict(ls="--", marker="s", mfc="none")}
MODE_NAME = ("documented", "reference")
FLOOR = 1e-16


def _series(grid: OddityGrid, aggregation: str, kappa: float):
    idx = [j for j, s in enumerate(grid.settings) if s["aggregation"] == aggregation and s["kappa"] == kappa]
    idx.sort(key=lambda j: grid.settings[j]["decay"])
    return np.array([grid.settings[j]["decay"] for j in idx]), idx


def draw_reference_oddities(grid: OddityGrid, ax=None) -> Figure:
    r"""Does the reference code's buffer change the paper's optimizer? Documented rule (solid) against reference (dashed).

    SGD_C (gradient descent on the aggregated direction, alpha as in the grid, critical
    test on) on generated quadratics and tilted logistic problems (mu = 1, L = 10).
    (a) median measured rate against the priority decay with kappa = 1, where only the
    reference's non-heap list acts (oddity 10); (b) the largest age used; (c) the
    range of the weight the picked stored gradient carries for "min" and "max" with
    kappa = 0.5 and 2: the documented rule uses kappa, the reference kappa^m after m
    picks (oddity 11), growing without bound or vanishing; (d) runs that diverged.
    """
    fig, axes = new_axes(ax, 4, figsize=(12.5, 9.0), nrows=2)
    a, b, c, d = axes
    kappas = sorted({s["kappa"] for s in grid.settings})
    aggs = []
    for s in grid.settings:
        if s["aggregation"] not in aggs:
            aggs.append(s["aggregation"])
    decays = np.array(sorted({s["decay"] for s in grid.settings}))
    for g, agg in enumerate(aggs):
        x, idx = _series(grid, agg, 1.0)
        for m in (0, 1):
            style = MODE_STYLE[m]
            label = f'"{agg}", {MODE_NAME[m]}'
            a.plot(x, grid.rate[m, idx], color=f"C{g}", ls=style["ls"], marker=style["marker"], mfc=style["mfc"],
                   label=label, gid=f"rate:{agg}:{MODE_NAME[m]}")
            b.plot(x, grid.largest_age[m, idx], color=f"C{g}", ls=style["ls"], marker=style["marker"],
                   mfc=style["mfc"], label=label, gid=f"age:{agg}:{MODE_NAME[m]}")
    a.set_ylabel("median measured rate (per iteration)")
    a.set_title(r"(a) rate, $\kappa$ = 1 (list order only)", fontsize=10)
    b.set_yscale("log")
    b.set_ylabel("largest age used (iterations, log scale)")
    b.set_title(r"(b) realized ages, $\kappa$ = 1", fontsize=10)
    line = 0
    for agg in [x for x in aggs if x in ("min", "median", "max", "min-mean", "median-mean", "max-mean")]:
        for kappa in [k for k in kappas if k != 1.0]:
            x, idx = _series(grid, agg, kappa)
            for m in (0, 1):
                lo, hi = grid.weight_lo[m, idx], grid.weight_hi[m, idx]
                # kappa^m below 1.1e-16 leaves s_k = 1 exactly in float64: drawn at the floor FLOOR
                shown = np.maximum(lo, FLOOR) if kappa < 1 else hi
                style = MODE_STYLE[m]
                c.plot(x, shown, color=f"C{line}", ls=style["ls"], marker=style["marker"], mfc=style["mfc"],
                       label=rf'"{agg}", $\kappa$ = {kappa:g}, {MODE_NAME[m]}', gid=f"weight:{agg}:{kappa:g}:{MODE_NAME[m]}")
            line += 1
    c.axhline(FLOOR, color="0.5", ls=":", lw=1.0)
    c.annotate("floor: weight below 1e-16 (vanished)", (0.02, FLOOR), xycoords=("axes fraction", "data"),
               xytext=(0, 4), textcoords="offset points", fontsize=7, color="0.4")
    c.set_yscale("log")
    c.set_ylabel(r"picked weight: largest ($\kappa > 1$) / smallest nonzero ($\kappa < 1$)")
    c.set_title(r"(c) in-place $\kappa$: the picked gradient enters as $\kappa^m$", fontsize=10)
    width = 0.8 / max(1, 2 * len(aggs))
    pos = np.arange(decays.size)
    kappa_hi = max(kappas)
    for g, agg in enumerate(aggs):
        x, idx = _series(grid, agg, kappa_hi)
        for m in (0, 1):
            off = (2 * g + m - len(aggs) + 0.5) * width
            d.bar(pos + off, grid.diverged[m, idx] / grid.n_runs, width, color=f"C{g}",
                  alpha=1.0 if m == 0 else 0.45, hatch=None if m == 0 else "//",
                  label=f'"{agg}", {MODE_NAME[m]}', gid=f"diverged:{agg}:{MODE_NAME[m]}")
    d.set_xticks(pos, [f"{v:g}" for v in decays])
    d.set_ylim(0, 1.05)
    d.set_ylabel("fraction of runs diverged")
    d.set_xlabel("priority decay")
    d.set_title(rf"(d) divergence, $\kappa$ = {kappa_hi:g}", fontsize=10)
    for axis in (a, b, c):
        use_decay_scale(axis, decays)
        axis.set_xlabel("priority decay")
    for axis in axes:
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7, loc="best")
    fig.suptitle(f"Documented critical rule vs the reference code's buffer (SGD_C, alpha = {grid.alpha:g}, "
                 f"{grid.n_runs} runs of {grid.steps} steps per point)", fontsize=11)
    return fig
