"""Draws the sandwich figure: lower bounds, certificate and Theorem 1 against the step size."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from memgd.figures.axes import new_axes, use_rate_scale
from memgd.proofs_check.report.sandwich_data import SandwichData


def draw_sandwich(data: SandwichData, ax=None) -> Figure:
    r"""Every certified rate between verified lower bounds, for one pattern and one pattern set.

    mu = 1, L = 10; steps from 2% to 95% of the set's quadratic stability limit (log axis).
    From below: the largest exact quadratic rate of one pattern of the set (solid); the
    verified switching lower bound :math:`\max_{w,h}\rho(A_w(h))^{1/|w|}` (dotted: for the
    set, switching among ages 1, 2, 3 is strictly slower than any single age at the larger
    steps, and reaches 1 near the limit); PEPit's per-step rate estimate of the whole class
    between the two largest horizons (x: an estimate, not a bound: it oscillates where the
    worst roots are complex); the verified certificate (+; missing where none verifies);
    Theorem 1/1b with the set's constants (dashed; vacuous beyond the first steps).  The
    vertical axis is linear in :math:`-\log_{10}(1 - \mathrm{rate})`.  The right panel's gap
    between the switching bound and the certificate is what a common quadratic Lyapunov
    function loses on the set (tightness in the legend: median over certified steps).
    Artists carry the gids ``quadratic:i``, ``switching:i``, ``pep:i``, ``certified:i``,
    ``theorem:i`` for panel i.
    """
    fig, axes = new_axes(ax, len(data.curves), figsize=(6.0 * len(data.curves), 5.2), sharey=True)
    for i, (panel, c) in enumerate(zip(axes, data.curves)):
        panel.plot(c.alpha, c.quadratic, "-", color="C0", lw=2.0, label="exact quadratic rate (worst single pattern)",
                   gid=f"quadratic:{i}")
        panel.plot(c.alpha, c.switching, ":", color="C4", lw=2.2, label="switching lower bound (JSR, verified)",
                   gid=f"switching:{i}")
        ok = np.isfinite(c.pep)
        panel.plot(c.alpha[ok], c.pep[ok], "x", color="C1", ms=7,
                   label=f"PEPit per-step estimate (N = {data.horizons[-2]}, {data.horizons[-1]})", gid=f"pep:{i}")
        ok = np.isfinite(c.certified)
        t = c.tightness[np.isfinite(c.tightness)]
        tl = f", tightness median {np.median(t):.3g}" if t.size else ""
        panel.plot(c.alpha[ok], c.certified[ok], "+", color="C2", ms=10, mew=1.8,
                   label=f"certificate (verified), {int(ok.sum())} of {c.alpha.size} steps{tl}", gid=f"certified:{i}")
        th = np.isfinite(c.theorem)
        panel.plot(c.alpha[th], c.theorem[th], "--", color="C3", lw=2.0, label="Theorem 1/1b bound", gid=f"theorem:{i}")
        panel.axvline(c.alpha_critical, color="0.4", lw=1.0, ls="-.")
        panel.set_xscale("log")
        panel.set_title(c.label, fontsize=9)
        panel.set_xlabel(r"step size $\alpha$ (log scale)")
        panel.grid(True, alpha=0.3)
        panel.legend(loc="upper center", fontsize=7, framealpha=0.95)
    use_rate_scale(axes[0], 0.85, 0.99999)
    axes[0].set_ylabel(r"rate per iteration (scale linear in $-\log_{10}(1-\mathrm{rate})$)")
    fig.suptitle(rf"Certified rates between verified lower bounds; $\mu$ = {data.mu:g}, L = {data.L:g}", fontsize=11)
    return fig
