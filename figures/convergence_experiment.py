"""Figure ``convergence_experiment``: the paper's convergence protocol on digits, with the theory beside it.

Draws a :class:`~memgd.proofs_check.report.convergence_experiment.ConvergenceResult`; computes nothing.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes
from memgd.proofs_check.report.convergence_experiment import ConvergenceResult


def _best_lr(result: ConvergenceResult, r: int) -> int:
    final = np.nanmedian(result.gaps[r, -1], axis=1)
    return int(np.nanargmin(np.where(np.isfinite(final), final, np.inf)))


def draw_convergence_experiment(result: ConvergenceResult, ax=None) -> Figure:
    r"""Softmax regression + L2 on digits: the paper's optimizers over 25 epochs, and what the theory says.

    (a) suboptimality F(x) - F* per epoch (median over seeds) of each optimizer at its
    best learning rate; (b) the final suboptimality against the learning rate (the
    paper's sweep); (c) distance to x* of SGD and SGD_C ("sum") at each learning rate
    with the minibatch noise scale (dotted, small-step linearization of SGD);
    (d) SGD_C with full gradients, where Theorem 1 applies in principle: measured
    distances, with the realized ages T and what Theorem 1 / 1b give at that T.
    """
    fig, axes = new_axes(ax, 4, figsize=(13.0, 9.5), nrows=2)
    a, b, c, d = axes
    st = result.settings
    epochs = np.arange(result.gaps.shape[1])
    for r, name in enumerate(result.names):
        i = _best_lr(result, r)
        style = "--" if "_c" in name else "-"
        color = colormaps["tab20"].colors[r % 20]
        a.plot(epochs, np.nanmedian(result.gaps[r, :, i], axis=1), style, color=color,
               label=f"{name} (lr {st.lrs[i]:g})", gid=f"gap:{name}")
        b.plot(st.lrs, np.nanmedian(result.gaps[r, -1], axis=1), style, marker="o", color=color, label=name,
               gid=f"sweep:{name}")
    a.set_yscale("log")
    a.set_xlabel("epoch")
    a.set_ylabel(r"$F(x) - F^\star$ (median over seeds)")
    a.set_title("(a) each optimizer at its best learning rate", fontsize=10)
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xlabel("learning rate")
    b.set_ylabel(rf"$F - F^\star$ after {st.epochs} epochs")
    b.set_title("(b) the learning-rate sweep", fontsize=10)
    for r, name in enumerate(result.names):
        if name not in ("sgd", "sgd_c/sum"):
            continue
        for i, lr in enumerate(st.lrs):
            c.plot(epochs, np.nanmedian(result.distances[r, :, i], axis=1), "--" if "_c" in name else "-",
                   color=f"C{i}", label=f"{name}, lr {lr:g}", gid=f"distance:{name}:{lr:g}")
    for i, lr in enumerate(st.lrs):
        c.axhline(result.noise_level[i], color=f"C{i}", ls=":", lw=1.0, gid=f"noise:{lr:g}")
    c.set_yscale("log")
    c.set_xlabel("epoch")
    c.set_ylabel(r"$\|x - x^\star\| / \|x_0 - x^\star\|$ (median)")
    c.set_title("(c) minibatch runs and the noise scale (dotted)", fontsize=10)
    for j, run in enumerate(result.theory):
        bound = "vacuous" if not np.isfinite(run.bound_rate) else f"{run.bound_rate:.6f}"
        d.plot(np.arange(run.distances.size), run.distances, color=f"C{j}",
               label=(f'"{run.aggregation}", $\\alpha$ = {run.alpha:.3g}: rate {run.measured_rate:.5f}, T = {run.T}; '
                      f"Thm 1/1b: {bound}"), gid=f"full:{run.aggregation}:{run.alpha:.3g}")
    if result.theory:
        best = min(result.theory, key=lambda t: t.best_rate)
        d.text(0.98, 0.97, f"Theorem 1 at the realized T needs alpha < {best.alpha_admissible:.2g};\n"
               f"its best promise: rate {best.best_rate:.10f} per step", transform=d.transAxes, fontsize=8,
               ha="right", va="top")
    d.set_yscale("log")
    d.set_xlabel("iteration (full gradients)")
    d.set_ylabel(r"$\|x_k - x^\star\| / \|x_0 - x^\star\|$")
    d.set_title(rf"(d) full-gradient SGD_C ($\mu$ = {result.mu:g}, L $\leq$ {result.L:.3g})", fontsize=10)
    for axis in axes:
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7, loc="best")
    fig.suptitle(f"The paper's convergence experiment on digits: softmax + L2 {st.l2:g}, batch {st.batch_size}, "
                 f"{len(st.seeds)} seeds (labels kept with their rows)", fontsize=11)
    return fig
