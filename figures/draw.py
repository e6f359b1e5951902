"""The five figures of ``python -m memgd.figures``: each ``draw_*(data, ax=None) -> Figure``.

Every function only draws the numbers of a :mod:`memgd.proofs_check.report.figure_data` result:
nothing is computed here beyond choosing axis limits.  ``ax=None`` draws on a new
figure; otherwise pass the Axes to draw on (one per panel, on one figure).  Each
line carries a ``gid`` naming what it shows (``"exact"``, ``"measured:Fifo(1)"``,
...), so tests and scripts can find it.  The docstring's first paragraph after the
summary is the figure's caption.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from memgd.figures.axes import _from_nines, _nines, new_axes, use_decay_scale, use_rate_scale
from memgd.proofs_check.report.figure_data import (
    CriticalAgesData, DistanceData, RateVsMemoryData, RateVsStepData, StabilityMapData,
)

ANALYTIC_COLORS = ("black", "0.45", "0.65")
CERTIFIED_COLORS = ("tab:cyan", "tab:olive", "tab:brown")  # C0-C4 draw the rules


def rate_colormap() -> ListedColormap:
    """Rates below 1 in viridis (dark = fast, yellow = close to 1), above 1 in reds."""
    below = colormaps["viridis"](np.linspace(0.0, 0.92, 128))
    above = colormaps["Reds"](np.linspace(0.35, 1.0, 128))
    return ListedColormap(np.vstack([below, above]), name="memgd_rate")


def _rate_limits(values, *, lo_cap: float = 0.0, hi_cap: float = 0.99999) -> tuple[float, float]:
    """Limits of a rate axis (scale of :func:`use_rate_scale`) around the finite values."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x)], dtype=float)
    u = _nines(v)
    span = max(float(u.max() - u.min()), 0.3)
    lo = float(_from_nines(max(u.min() - 0.12 * span, 0.0)))
    hi = float(_from_nines(u.max() + 0.12 * span))
    return max(lo, lo_cap), min(hi, hi_cap)


MARKERS = ("o", "s", "^", "v", "D", "x")


def _coincide(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two measured distance curves are the same to drawing precision (1e-6 relative)."""
    ok = np.isfinite(a) & np.isfinite(b)
    return bool(ok.any()) and np.allclose(a[ok], b[ok], rtol=1e-6, atol=0.0)


def _group_by_rate(curves, rate_of) -> list[tuple[float, list]]:
    """Curves with an envelope, grouped by their rate (rounded to 7 digits), in curve order."""
    groups: dict[float, list] = defaultdict(list)
    for c in curves:
        r = rate_of(c)
        if np.isfinite(r):
            groups[round(r, 7)].append(c)
    return list(groups.items())


# ----------------------------------------------------------------------------- figure 1


def draw_distance(data: DistanceData, ax=None) -> Figure:
    r"""Distance to the optimum against iterations, measured and guaranteed.

    Worst relative distance :math:`\|x_k - x^\star\| / \|x_0 - x^\star\|` (log scale)
    over a batch of generated problems (quadratics with spectrum in [mu, L] and tilted
    logistic problems, mu = 1, L = 10, dimension 10) against iterations, for five
    selection rules with aggregation "sum" (kappa = 1), at one step size alpha: half
    the smallest Theorem 1 admissible step of the four rules that bound their ages
    (declared constants, first step d_0 = g_0 included, so s_lo = 1).  Solid: measured.
    Dashed: the analytic envelope :math:`\rho_{bound}^k` of Theorem 1 / 1b.  Dotted:
    the certified envelope :math:`\sqrt{c}\,\rho_{cert}^k` of an SDP Lyapunov
    certificate, verified in float64, shared by every choice of at most C stored
    gradients of ages 1..T (the empty choice included), so it holds for any selection
    rule within those bounds.  Rules with the same envelope share one line.  Every
    measured curve stays below both envelopes; the analytic one hardly leaves 1.  The
    critical-gradient rule bounds no age a priori, so no envelope applies to it: its
    curve is measured only.  Rules whose measured curves coincide (to 1e-6 relative; with
    these settings the four age-bounded rules nearly do) say so in the legend, and every
    rule carries its own marker, placed at offset iterations, so that each stays visible.
    """
    fig, (ax,) = new_axes(ax, 1, figsize=(9.5, 6.0))
    k = data.steps
    first_like: dict[int, str] = {}  # curve index -> label of an earlier curve it coincides with
    for i, c in enumerate(data.curves):
        for j in range(i):
            if j not in first_like and _coincide(data.curves[j].measured, c.measured):
                first_like[i] = data.curves[j].label
                break
    for i, c in enumerate(data.curves):
        if c.T is None:
            label = f"{c.label}: measured (no a-priori T: no envelope; ages up to {c.realized_T})"
        else:
            label = f"{c.label}: measured (T = {c.T}, C = {c.C})"
        if i in first_like:
            label += f"; lies on {first_like[i]} (markers tell them apart)"
        # coinciding curves stay visible: each rule has its own marker, placed at offset steps
        ax.plot(k, c.measured, color=f"C{i}", lw=1.6, label=label, gid=f"measured:{c.label}",
                marker=MARKERS[i % len(MARKERS)], markevery=(int(i * k.size / 25), max(k.size // 5, 1)),
                ms=6, mfc="none")
    for kind, style, palette in (("analytic", "--", ANALYTIC_COLORS), ("certified", ":", CERTIFIED_COLORS)):
        rate_of = (lambda c: c.analytic_rate) if kind == "analytic" else (lambda c: c.certified_rate)
        for g, (rate, members) in enumerate(_group_by_rate(data.curves, rate_of)):
            names = ", ".join(c.label for c in members)
            if kind == "analytic":
                thm = "/".join(sorted({c.analytic_theorem for c in members}))
                label = rf"analytic $\rho_{{bound}}^k$, $\rho$ = {rate:.6f} (Theorem {thm}): {names}"
            else:
                cs = [c.certified_transient for c in members]
                cpart = f"c = {cs[0]:.3f}" if len(cs) == 1 else f"c = {min(cs):.3f}..{max(cs):.3f}"
                label = rf"certified $\sqrt{{c}}\,\rho_{{cert}}^k$, $\rho$ = {rate:.6f}, {cpart}: {names}"
            for j, c in enumerate(members):
                env = c.analytic_envelope if kind == "analytic" else c.certified_envelope
                ax.plot(k, env, ls=style, lw=1.8, color=palette[g % len(palette)],
                        label=label if j == 0 else "_nolegend_", gid=f"{kind}:{c.label}")
    ax.set_yscale("log")
    low = min(float(np.nanmin(c.measured)) for c in data.curves)
    ax.set_ylim(max(low / 3.0, 1e-16), 1.6)
    ax.set_xlim(0, k[-1])
    ax.set_xlabel("iterations k")
    ax.set_ylabel(r"relative distance $\|x_k - x^\star\| \,/\, \|x_0 - x^\star\|$ (log scale)")
    ax.set_title(
        rf'Distance to the optimum, aggregation "{data.aggregation}" ($\kappa$ = {data.kappa:g}), '
        rf"$\alpha$ = {data.alpha:.3g} ($\mu$ = {data.mu:g}, L = {data.L:g}); "
        f"worst of {data.n_problems * len(data.families)} problems", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=7.5, framealpha=0.9)
    return fig


# ----------------------------------------------------------------------------- figure 2


def draw_rate_vs_step(data: RateVsStepData, ax=None) -> Figure:
    r"""The headline figure: four rates of one memory pattern against the step size.

    For the fixed pattern :math:`d_k = g_k + g_{k-1}` (the reference case of docs/math/quadratic_rates.md, T = 1,
    weights (1, 1)) on mu = 1, L = 10, against the step size alpha up to the quadratic
    stability limit alpha_c = 0.1: the empirical rate (worst asymptotic rate over a
    batch of generated quadratics and tilted logistic problems; the runs use the
    pattern at every step from step 0 with history x_{-i} = x_0, so they are exactly
    the pattern), the exact rate on quadratics (largest root modulus over the spectrum
    [mu, L]), the rate of a verified SDP certificate over the whole class (points that
    could not be certified are left out), and the Theorem 1 / 1b bound with the
    pattern's own constants s_lo = s_hi = 2, B = 1, W = 2, T = 1.  The shaded region
    is where the theorem is vacuous (alpha >= 0.01): 90% of the stable steps.  Top:
    rates on a linear axis; bottom: the same numbers on an axis linear in
    -log10(1 - rate), where the gap between the analytic bound and the others shows
    (at alpha = 0.005 the bound 0.99505 needs about 2 times more iterations than the
    exact 0.98995).  Empirical, exact and certified agree to about 1e-4 (the
    certificate is tight; near alpha = 0.08, where the worst roots are complex, the
    measured tail rate wobbles by up to 7e-5 around the exact one).
    """
    fig, axes = new_axes(ax, 2, figsize=(8.5, 8.0), nrows=2, sharex=True)
    top, bottom = axes
    a = data.alpha
    cert = np.isfinite(data.certified)
    anal = np.isfinite(data.analytic_fine)
    emp = np.isfinite(data.empirical)
    n_runs = data.n_problems * len(data.families)
    for panel, suffix in ((top, ""), (bottom, ":zoom")):
        panel.axvspan(data.alpha_vacuous, data.alpha_critical, color="0.9", zorder=0,
                      label=rf"Theorem 1/1b vacuous ($\alpha \geq$ {data.alpha_vacuous:.3g})")
        panel.axvline(data.alpha_critical, color="0.35", lw=1.0, ls="-.",
                      label=rf"quadratic stability limit $\alpha_c$ = {data.alpha_critical:.4g}")
        panel.plot(data.alpha_fine, data.exact_fine, color="C0", lw=2.2, label="exact rate on quadratics",
                   gid="exact" + suffix)
        panel.plot(a[emp], data.empirical[emp], "o", mfc="none", color="C1", ms=6, mew=1.3,
                   label=f"empirical: worst tail rate of {n_runs} runs", gid="empirical" + suffix)
        panel.plot(a[cert], data.certified[cert], "+", color="C2", ms=9, mew=1.6,
                   label=f"certified (SDP, verified): {int(cert.sum())} of {a.size} steps", gid="certified" + suffix)
        panel.plot(data.alpha_fine[anal], data.analytic_fine[anal], "--", color="C3", lw=2.2,
                   label="analytic: Theorem 1/1b bound", gid="analytic" + suffix)
        if data.theorem2_fine is not None and np.isfinite(data.theorem2_fine).any():
            th2 = np.isfinite(data.theorem2_fine)
            panel.plot(data.alpha_fine[th2], data.theorem2_fine[th2], "-.", color="C4", lw=2.0,
                       label="analytic: Theorem 2 bound (nonnegative weights)", gid="theorem2" + suffix)
        panel.grid(True, which="major", alpha=0.3)
        panel.set_ylabel("rate per iteration")
    top.set_xscale("log")
    top.set_xlim(a.min() / 1.1, data.alpha_critical * 1.08)
    top.set_ylim(0.8, 1.0)
    top.set_title("linear rate axis", fontsize=10)
    use_rate_scale(bottom, 0.8, 0.99999)
    bottom.set_ylabel(r"rate per iteration (scale linear in $-\log_{10}(1-\mathrm{rate})$)")
    bottom.set_title("the same numbers, stretched near 1", fontsize=10)
    bottom.set_xlabel(r"step size $\alpha$ (log scale)")
    top.legend(loc="lower left", fontsize=8, framealpha=0.95)
    ages = ", ".join(str(t) for t in data.pattern.ages)
    weights = ", ".join(f"{w:g}" for w in data.pattern.weights)
    fig.suptitle(rf"Rate against step size for the pattern ages ({ages}), weights ({weights}); "
                 rf"$\mu$ = {data.mu:g}, L = {data.L:g}", fontsize=11)
    return fig


# ----------------------------------------------------------------------------- figure 3


def draw_rate_vs_memory(data: RateVsMemoryData, ax=None) -> Figure:
    r"""Rates against the age bound T and the buffer size C, at two step sizes.

    Aggregation "sum" (kappa = 1), mu = 1, L = 10.  Left: against T = 1..6 with C = 1;
    right: against C = 1..6 with T = 6.  Top row alpha = 0.05 (the reference step),
    bottom row alpha = 0.001 (a step where Theorem 1 applies to every point).  Drawn:
    the exact quadratic rate of the maximum-age adversary (KeepOldest: ages
    T-C+1..T, "sum" weights), the worst exact rate over every subset of ages 1..T of
    size 1..C, the rate of a verified SDP certificate shared by all those subsets
    (attempted for T <= 3 only; missing where not certified), and the Theorem 1 / 1b
    bound with the subsets' constants (s = 2, B = 1, W = 2).  At alpha = 0.05 old
    gradients hurt: the adversary's rate grows from 0.894 (T = 1) to 0.982 (T = 6),
    for T = 2 and 3 the certificate over switching subsets (0.919, 0.987) is slower
    than every fixed subset, and the theorem says nothing.  At alpha = 0.001 the exact rates hardly depend on T while
    the bound's distance to 1 shrinks as the memory term alpha^2 L^2 B W T grows with T.  Rate axes are linear in
    -log10(1 - rate).
    """
    n = len(data.sweeps)
    fig, axes = new_axes(ax, n, figsize=(11.0, 4.2 * (n // 2)), nrows=n // 2)
    handles = {}
    for panel, sw in zip(axes, data.sweeps):
        x = sw.values
        series = [
            ("adversary", x, sw.adversary, dict(marker="o", ls="-", color="C0"),
             "exact: maximum-age adversary (ages T-C+1..T)"),
            ("worst_subset", x, sw.worst_subset, dict(marker="s", ls="-", color="C1", mfc="none"),
             "exact: worst over all subsets of size <= C"),
        ]
        ok = np.isfinite(sw.certified)
        series.append(("certified", x[ok], sw.certified[ok], dict(marker="D", ls=":", color="C2"),
                       f"certified over all subsets (SDP, verified; tried for T <= {data.cert_max_T})"))
        fin = np.isfinite(sw.analytic)
        series.append(("analytic", x[fin], sw.analytic[fin], dict(marker="^", ls="--", color="C3"),
                       "analytic: Theorem 1/1b bound"))
        for name, xs, ys, style, label in series:
            (line,) = panel.plot(xs, ys, lw=1.6, ms=6, label=label, gid=f"{name}:{sw.variable}:{sw.alpha:g}",
                                 **style)
            handles.setdefault(name, line)
        notes = []
        if not fin.any():
            notes.append("Theorem 1/1b vacuous at every point")
        tried_not_certified = sw.attempted & ~ok
        if not sw.attempted.any():
            notes.append(f"no certificate tried (T > {data.cert_max_T})")
        elif tried_not_certified.any():
            notes.append("not certified at " + ", ".join(f"{sw.variable} = {v}" for v in x[tried_not_certified]))
        finite = np.concatenate([sw.adversary, sw.worst_subset, sw.certified, sw.analytic])
        use_rate_scale(panel, *_rate_limits(finite))
        panel.set_xticks(x)
        panel.grid(True, alpha=0.3)
        panel.set_ylabel("rate per iteration\n" + r"(axis linear in $-\log_{10}(1-\mathrm{rate})$)")
        if sw.variable == "T":
            panel.set_xlabel("age bound T (iterations)")
            title = rf"$\alpha$ = {sw.alpha:g}: against T (C = {int(sw.C[0])})"
        else:
            panel.set_xlabel("buffer size C (stored gradients)")
            title = rf"$\alpha$ = {sw.alpha:g}: against C (T = {int(sw.T[0])})"
        panel.set_title("\n".join([title, "; ".join(notes)]) if notes else title, fontsize=10)
    fig.legend(list(handles.values()), [h.get_label() for h in handles.values()], loc="outside lower center",
               ncols=2, fontsize=8.5)
    fig.suptitle(rf'Rate against memory age and size, aggregation "{data.aggregation}" '
                 rf"($\kappa$ = {data.kappa:g}), $\mu$ = {data.mu:g}, L = {data.L:g}", fontsize=11)
    return fig


# ----------------------------------------------------------------------------- figure 4


def draw_stability_map(data: StabilityMapData, ax=None) -> Figure:
    r"""Stability map of d = g_k + b * mean(g_{k-1}, ..., g_{k-T}) over (alpha L, b).

    One panel per age bound T = 1, 2, 3; mu = 1, L = 10.  Colour: the exact quadratic
    rate (largest root modulus over the spectrum [mu, L]), clipped to [0.5, 1.2]:
    viridis below 1 (dark = fast, yellow = barely converging), red above 1 (diverges).  Black line: rate = 1, the edge of
    the stable region on quadratics; white dotted and dashed lines: rate = 0.9 and 0.99
    (labelled), so the slow region near 1 can be told apart from 0.9.  Green dashed line: the largest step for which
    Theorem 1 or 1b applies with the pattern's constants s = 1 + b, B = b, W = 1 + b
    (admissible to its left).  The step axis is logarithmic: the theorem's region is
    a thin strip at small alpha L once b > 1/19, far inside the stable region (b = 0
    is plain gradient descent, stable up to alpha L = 2).
    """
    n = len(data.panels)
    fig, axes = new_axes(ax, n, figsize=(4.3 * n + 1.2, 4.6), sharey=True)
    lo, hi = data.clip
    norm = TwoSlopeNorm(vmin=lo, vcenter=1.0, vmax=hi)
    mesh = None
    for panel, p in zip(axes, data.panels):
        mesh = panel.pcolormesh(p.alpha_L, p.b, np.clip(p.rate, lo, hi), cmap=rate_colormap(), norm=norm,
                                shading="nearest", rasterized=True)
        mesh.set_gid(f"rate:T={p.T}")
        contour = panel.contour(p.alpha_L, p.b, p.rate, levels=[1.0], colors="black", linewidths=1.6)
        contour.set_gid(f"rate=1:T={p.T}")
        # the slow region is hard to read from the colour alone: contours at 0.9 and 0.99
        slow = panel.contour(p.alpha_L, p.b, p.rate, levels=[0.9, 0.99], colors="white", linewidths=0.9,
                             linestyles=[":", "--"])
        slow.set_gid(f"rate=0.9,0.99:T={p.T}")
        panel.clabel(slow, fmt={0.9: "0.9", 0.99: "0.99"}, fontsize=7)
        adm = np.where(p.admissible_alpha_L > 0, p.admissible_alpha_L, np.nan)
        panel.plot(adm, p.b, color="darkgreen", ls="--", lw=2.2, gid=f"admissible:T={p.T}")
        panel.set_xscale("log")
        panel.set_xlim(p.alpha_L.min(), p.alpha_L.max())
        panel.set_ylim(p.b.min(), p.b.max())
        panel.set_xlabel(r"step size $\alpha L$ (dimensionless, log scale)")
        memory = "g_{k-1}" if p.T == 1 else rf"\mathrm{{mean}}(g_{{k-1}},\ldots,g_{{k-{p.T}}})"
        panel.set_title(rf"T = {p.T}: $d_k = g_k + b\,{memory}$", fontsize=10)
    axes[0].set_ylabel("memory weight b (memory mass B = b)")
    cbar = fig.colorbar(mesh, ax=axes, shrink=0.9, extend="both")
    cbar.set_label(f"exact quadratic rate per iteration (clipped to [{lo:g}, {hi:g}])")
    proxies = [Line2D([], [], color="black", lw=1.6), Line2D([], [], color="0.6", ls="--", lw=0.9),
               Line2D([], [], color="darkgreen", ls="--", lw=2.2)]
    axes[0].legend(proxies, ["exact rate = 1 (stability edge)", "exact rate = 0.9 (dotted), 0.99 (dashed)",
                             "Theorem 1/1b: largest admissible step"],
                   loc="upper right", fontsize=8, framealpha=0.95)
    fig.suptitle(rf"Stability map: exact rate on quadratics ($\mu$ = {data.mu:g}, L = {data.L:g}) "
                 "and where Theorem 1 applies", fontsize=11)
    return fig


# ----------------------------------------------------------------------------- figure 5


def draw_critical_ages(data: CriticalAgesData, ax=None) -> Figure:
    r"""The critical-gradient rule: how old its gradients get, and a run that diverges.

    Left: ages of the stored gradients the paper's critical rule uses (topC = 5,
    kappa = 1, alpha = 0.05, mu = 1, L = 10; runs on generated quadratics and tilted
    logistic problems) against the priority decay, for aggregations "sum" and
    "mean": the largest age used in any step of any run (solid) and the median age of
    the used stored gradients over all steps and runs (dashed).  Red crosses mark
    settings where runs diverged, with their count (with "mean" and decay >= 0.9:
    every quadratic run; the logistic runs stayed bounded for 3000 steps).  Ages are not bounded a priori:
    with decay 0.99 they reach hundreds of iterations, so Theorem 1 (which needs a
    bound T) does not apply.  Right: counterexample (c): on the best-conditioned
    quadratic there is (kappa = 1, dimension 4), CriticalGradients(2, 0.99) with
    aggregation "mean" at alpha = 0.5 diverges, while plain gradient descent at the
    same step converges (rate max(|1 - alpha mu|, |1 - alpha L|) = 0.5).
    """
    fig, (left, right) = new_axes(ax, 2, figsize=(12.0, 5.0))
    d = data.decays
    crossed = False
    for g, agg in enumerate(data.aggregations):
        left.plot(d, data.largest_age[g], "o-", color=f"C{g}", lw=1.8, label=f'"{agg}": largest age',
                  gid=f"largest:{agg}")
        left.plot(d, data.median_age[g], "s--", color=f"C{g}", lw=1.4, mfc="none", label=f'"{agg}": median age',
                  gid=f"median:{agg}")
        bad = data.diverged[g] > 0
        if bad.any():
            left.plot(d[bad], data.largest_age[g][bad], "x", color="red", ms=12, mew=2.2,
                      label="_nolegend_" if crossed else "runs diverged (count of runs)", gid=f"diverged:{agg}")
            crossed = True
            for x, y, cnt in zip(d[bad], data.largest_age[g][bad], data.diverged[g][bad]):
                left.annotate(f"{cnt}/{data.n_runs}", (x, y), textcoords="offset points", xytext=(-22, 6),
                              color="red", fontsize=8)
    left.axhline(data.top_c, color="0.5", ls=":", lw=1.2, label=f"buffer size topC = {data.top_c}")
    left.set_yscale("log")
    use_decay_scale(left, d)
    left.set_xlabel(r"priority decay (scale linear in $-\log_{10}(1-\mathrm{decay})$)")
    left.set_ylabel("age of used stored gradients (iterations, log scale)")
    left.set_title(rf"Realized ages, {data.n_runs} runs of {data.steps} steps, $\alpha$ = {data.alpha:g}, "
                   f"topC = {data.top_c}", fontsize=10)
    left.grid(True, alpha=0.3)
    left.legend(loc="upper left", fontsize=8)

    ce = data.counterexample
    k = np.arange(ce.memory.size)
    right.plot(k, ce.memory, color="C3", lw=0.6,
               label=f'CriticalGradients({ce.top_c}, {ce.decay:g}), "{ce.aggregation}": {ce.memory_status.name.lower()}',
               gid="counterexample:memory")
    right.plot(k, ce.gd, color="C0", lw=2.0, label=f"plain gradient descent: {ce.gd_status.name.lower()}",
               gid="counterexample:gd")
    last = ce.memory_nit
    right.annotate(f"diverged: stopped at step {last} with r_k > 1e8 r_0;\nages up to {ce.memory_T}",
                   (last, ce.memory[last]), textcoords="axes fraction", xytext=(0.08, 0.88), fontsize=8,
                   color="C3", arrowprops=dict(arrowstyle="->", color="C3"))
    right.annotate(f"converged at step {ce.gd_nit}", (ce.gd_nit, ce.gd[ce.gd_nit]), textcoords="offset points",
                   xytext=(25, 10), fontsize=8, color="C0", arrowprops=dict(arrowstyle="->", color="C0"))
    right.set_yscale("log")
    right.set_xlim(0, max(last, ce.gd_nit) * 1.05 + 1)
    right.set_xlabel("iterations k")
    right.set_ylabel(r"relative distance $\|x_k - x^\star\| / \|x_0 - x^\star\|$ (log scale)")
    right.set_title(rf"Counterexample (c): $\kappa$ = 1 quadratic, $\alpha$ = {ce.alpha:g}", fontsize=10)
    right.grid(True, alpha=0.3)
    right.legend(loc="center right", fontsize=8)
    fig.suptitle("The critical-gradient rule bounds no age: measured ages and a divergence", fontsize=11)
    return fig
