"""Shared drawing helpers: new figures without pyplot, axis scales for rates and decays, saving.

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot, so no
global figure registry and no screen): ``Figure.savefig`` renders through the Agg
backend for PNG and the SVG backend for SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

# rates are drawn on a scale linear in -log10(1 - rate): equal distances for 0.9, 0.99, 0.999, ...
RATE_TICKS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99995, 0.99999)
FINE_RATE_TICKS = (0.98, 0.998, 0.9998, 0.99998)  # added when the range holds few ticks
_FLOOR = 1e-12


def _nines(r):
    return -np.log10(np.clip(1.0 - np.asarray(r, dtype=float), _FLOOR, None))


def _from_nines(u):
    return 1.0 - 10.0 ** (-np.asarray(u, dtype=float))


def _plain(value, _pos=None) -> str:
    return f"{value:.6g}"


def use_rate_scale(ax: Axes, lo: float, hi: float, *, axis: str = "y") -> None:
    """Make ``axis`` show rates in [lo, hi] on a scale linear in -log10(1 - rate).

    The data stay rates (``get_ydata`` returns them unchanged); only the drawing is
    stretched, so 0.99 and 0.9999 are as far apart as 0.9 and 0.999.
    """
    set_scale = ax.set_yscale if axis == "y" else ax.set_xscale
    set_lim = ax.set_ylim if axis == "y" else ax.set_xlim
    target = ax.yaxis if axis == "y" else ax.xaxis
    set_scale("function", functions=(_nines, _from_nines))
    set_lim(lo, hi)
    ticks = [t for t in RATE_TICKS if lo <= t <= hi]
    if len(ticks) < 5:
        ticks = sorted(ticks + [t for t in FINE_RATE_TICKS if lo <= t <= hi])
    target.set_major_locator(FixedLocator(ticks))
    target.set_major_formatter(FuncFormatter(_plain))
    target.set_minor_locator(NullLocator())


def use_decay_scale(ax: Axes, decays: Sequence[float]) -> None:
    """x axis for a decay factor in (0, 1): linear in -log10(1 - decay), ticks at ``decays``."""
    ax.set_xscale("function", functions=(_nines, _from_nines))
    d = np.asarray(decays, dtype=float)
    lo, hi = _nines(d.min()), _nines(d.max())
    pad = 0.06 * (hi - lo)
    ax.set_xlim(_from_nines(lo - pad), _from_nines(hi + pad))
    ax.xaxis.set_major_locator(FixedLocator(list(d)))
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.xaxis.set_minor_locator(NullLocator())


def new_axes(ax, n: int, *, figsize: tuple[float, float], nrows: int = 1, sharex: bool = False,
             sharey: bool = False) -> tuple[Figure, list[Axes]]:
    """``n`` axes: new ones on a fresh figure (``ax is None``), or the given ones.

    ``ax`` may be one :class:`Axes` (when ``n == 1``) or a sequence of ``n`` of them
    on one figure.
    """
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        grid = fig.subplots(nrows, n // nrows, sharex=sharex, sharey=sharey, squeeze=False)
        return fig, list(grid.ravel())
    axes = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes) != n:
        raise ValueError(f"ax must be None or {n} Axes for this figure, got {len(axes)}")
    return axes[0].figure, axes


def save(fig: Figure, out: Path, name: str, *, dpi: int = 110) -> tuple[Path, Path]:
    """Write ``name.png`` and ``name.svg`` into ``out`` (created if needed)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    png, svg = out / f"{name}.png", out / f"{name}.svg"
    fig.savefig(png, dpi=dpi)
    with matplotlib.rc_context({"svg.hashsalt": "memgd"}):  # stable element ids: reproducible SVG files
        fig.savefig(svg, metadata={"Date": None})
    return png, svg
