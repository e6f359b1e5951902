r"""Figure 6, ``critical_map``: where the paper's critical rule provably converges, measurably converges, diverges.

Draws a :class:`memgd.proofs_check.critical_rule.CriticalMap` (computed by
:func:`memgd.proofs_check.critical_rule.critical_map`); nothing is computed here.
:func:`critical_map_data` is that computation at the figure's buffer size (top_c = 5).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from memgd.figures.axes import new_axes
from memgd.proofs_check.critical_rule import MEASURED, CriticalMap, critical_map

OUTCOME_COLORS = ("#4daf4a", "#d9d9d9", "#e41a1c")   # converged, decreasing, diverged


def critical_map_data(**settings) -> CriticalMap:
    """:func:`memgd.proofs_check.critical_rule.critical_map` with ``top_cs=(5,)`` unless given."""
    return critical_map(**{"top_cs": (5,), **settings})


def _select(values: tuple | np.ndarray, wanted, name: str) -> int:
    found = [i for i, v in enumerate(values) if v == wanted]
    if not found:
        raise ValueError(f"{name} must be one of {list(values)}, got {wanted!r}")
    return found[0]


def draw_critical_map(data: CriticalMap, ax=None, *, top_c: int | None = None, kappa: float | None = None) -> Figure:
    r"""The critical rule over (alpha L, decay), one panel per aggregation, at one top_c and kappa.

    Colour: what engine runs of the rule measured (green: every run reached
    1e-6 r_0; grey: still decreasing at the last step; red: some run diverged,
    although plain gradient descent converges at every alpha L < 2 shown).  A
    bold number in a cell: the cell is *provable*: the a priori floor exists, so every
    age is at most T* (the number), and Theorem 1/1b with T = T* gives rate < 1
    (docs/math/critical_rule_ages.md); a grey italic number: the ages are bounded
    a priori by T* but Theorem 1/1b is vacuous there (a sharper theorem can use them).  Provable cells sit at small steps only; at
    decay 0.99 they need alpha L of order 1e-4, and at kappa = 100 there are none.
    ``top_c`` and ``kappa`` default to the middle buffer size and the smallest kappa.
    """
    p = data.provable
    c = _select(p.top_cs, p.top_cs[len(p.top_cs) // 2] if top_c is None else top_c, "top_c")
    k = _select(tuple(p.kappas), float(p.kappas[0]) if kappa is None else float(kappa), "kappa")
    G = len(p.aggregations)
    cols = min(3, G)
    rows = -(-G // cols)
    fig, axes = new_axes(ax, rows * cols, figsize=(4.2 * cols, 3.2 * rows + 0.6), nrows=rows,
                         sharex=True, sharey=True)
    cmap = ListedColormap(OUTCOME_COLORS)
    A, D = p.alpha_L.size, p.decays.size
    for g, panel in enumerate(axes):
        if g >= G:
            panel.set_visible(False)
            continue
        agg = p.aggregations[g]
        outcome = data.measured[g, c, :, :, k]                  # (D, A)
        panel.pcolormesh(np.arange(A + 1) - 0.5, np.arange(D + 1) - 0.5, outcome, cmap=cmap, vmin=-0.5, vmax=2.5,
                         edgecolors="white", linewidth=0.8, gid=f"measured:{agg}")
        prov = p.provable[g, c, :, :, k]
        bounded = np.isfinite(p.age_bound[g, c, :, :, k])
        for j, a in zip(*np.nonzero(bounded)):
            kind = "provable" if prov[j, a] else "bounded"
            panel.text(a, j, f"{int(p.age_bound[g, c, j, a, k])}", ha="center", va="center", fontsize=6.5,
                       fontweight="bold" if prov[j, a] else "normal", color="black" if prov[j, a] else "0.35",
                       fontstyle="normal" if prov[j, a] else "italic", gid=f"{kind}:{agg}:{j}:{a}")
        panel.set_title(f'"{agg}"', fontsize=10)
        panel.set_xticks(np.arange(A), [f"{v:g}" for v in p.alpha_L], rotation=60, fontsize=7)
        panel.set_yticks(np.arange(D), [f"{v:g}" for v in p.decays], fontsize=8)
        if g % cols == 0:
            panel.set_ylabel("decay")
        if g >= G - cols:
            panel.set_xlabel(r"step $\alpha L$")
    handles = [Patch(color=col, label=f"measured: {name}") for col, name in zip(OUTCOME_COLORS, MEASURED)]
    handles.append(Patch(facecolor="white", edgecolor="black", label="bold number: provable, ages <= T* (the number)"))
    handles.append(Patch(facecolor="white", edgecolor="0.5", label="grey italic: ages <= T* a priori, Theorem 1/1b vacuous"))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle(rf"The paper's critical rule, top_c = {p.top_cs[c]}, $\kappa$ = {p.kappas[k]:g}: provable "
                 f"(a priori age bound + Theorem 1/1b), measured ({data.problems_per_cell} quadratics, "
                 f"{data.steps} steps)", fontsize=10)
    return fig
