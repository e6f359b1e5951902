r"""Figure ``selection_bias``: does keeping large-norm gradients raise the noise floor?

Draws a :class:`memgd.proofs_check.stochastic.selection_bias.SelectionBiasData` (computed by
:func:`memgd.proofs_check.stochastic.selection_bias.selection_bias_data`); nothing is computed here.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes, use_decay_scale
from memgd.proofs_check.stochastic.selection_bias import SelectionBiasData


def draw_selection_bias(data: SelectionBiasData, ax=None) -> Figure:
    r"""The critical rule's noise floor against FIFO's and SGD's at equal step, over decay and batch size.

    For each problem family (rows: least squares from ``make_finite_sums``, d = 5, 16 components; two-class
    logistic regression on 64 synthetic rows), the floor :math:`\lim E\|x_k - x^\star\|^2` measured over
    seeded copies of one problem (mean over the last third of the steps), at the same step
    :math:`\alpha L = 0.1`, ``sum`` aggregation with 2 stored gradients.  Left: the critical rule's floor
    divided by FIFO's (the same weights and memory size, an oblivious selection), against the decay, one line
    per minibatch size b; 1 would mean that selecting by norm costs nothing.  Right: the floors themselves
    against b (log-log): SGD at alpha and at 2 alpha (the memory rules' effective step, since their weights
    sum to 2), FIFO, and the critical rule at each decay; the filled part of each critical marker is the
    share of its floor that is a shift of the mean iterate (selection bias proper), the rest is variance.
    Error bars: two standard errors over the copies.
    """
    n = len(data.families)
    fig, axes = new_axes(ax, 2 * n, figsize=(11.0, 4.0 * n), nrows=n)
    for row, family in enumerate(data.families):
        left, right = axes[2 * row], axes[2 * row + 1]
        for i, b in enumerate(data.batch_sizes):
            ratios = [data.ratio(family, d, b) for d in data.decays]
            left.plot(data.decays, ratios, marker="o", color=f"C{i}", label=f"b = {b}", gid=f"ratio:{family}:{b}")
        left.axhline(1.0, color="0.5", lw=0.8, ls=":")
        use_decay_scale(left, data.decays)
        left.set_yscale("log")
        left.set_xlabel("decay of the critical rule")
        left.set_ylabel("floor: critical / FIFO")
        left.set_title(f"{family}: selecting by norm, at equal step", fontsize=10)
        left.legend(fontsize=8)
        sizes = np.asarray(data.batch_sizes, dtype=float)
        rules = ["SGD", "SGD, step 2 alpha", f"FIFO({data.top_c})"]
        styles = {"SGD": dict(color="0.4", ls="--"), "SGD, step 2 alpha": dict(color="0.2", ls="-."),
                  f"FIFO({data.top_c})": dict(color="C2", ls="-")}
        for rule in rules:
            fl = [data.floor(family, rule, b) for b in data.batch_sizes]
            right.errorbar(sizes, [f.floor for f in fl], yerr=[2 * f.se for f in fl], marker="s", ms=4, label=rule,
                           gid=f"floor:{family}:{rule}", **styles[rule])
        for j, decay in enumerate(data.decays):
            fl = [next(f for f in data.floors[family] if f.decay == decay and f.batch_size == b) for b in data.batch_sizes]
            y = np.array([f.floor for f in fl])
            right.errorbar(sizes, y, yerr=[2 * f.se for f in fl], marker="o", mfc="none", color=f"C{j + 3}",
                           label=f"critical, decay {decay:g}", gid=f"floor:{family}:critical {decay:g}")
            right.scatter(sizes, [f.bias for f in fl], marker="o", color=f"C{j + 3}", s=14, zorder=3)
        right.set_xscale("log", base=2)
        right.set_yscale("log")
        right.set_xticks(sizes, [f"{int(b)}" for b in sizes])
        right.set_xlabel("minibatch size b")
        right.set_ylabel(r"floor $E\,r^2$ (filled dots: bias part)")
        right.set_title(f"{family}: floors against the batch size", fontsize=10)
        right.legend(fontsize=7, ncol=2)
    return fig
