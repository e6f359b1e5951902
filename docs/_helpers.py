"""Small helpers the executed pages share: show a figure with its caption, format numbers.

Pages import it as ``from _helpers import ...`` (docs/conf.py puts this folder on the
path of the build; the kernel runs with the page's folder as working directory, so
each page also adds the folder itself).  It draws nothing and computes nothing of the
mathematics: figures come from :mod:`memgd.figures`, numbers from memgd.
"""

from __future__ import annotations

import inspect
import re

from IPython.display import Markdown, display


def caption_of(func) -> str:
    """The caption of a ``memgd.figures.draw_*`` function: its docstring after the summary line,
    with RST ``:math:`x``` turned into MyST ``$x$``."""
    doc = inspect.getdoc(func) or ""
    body = doc.split("\n\n", 1)[1] if "\n\n" in doc else doc
    body = re.sub(r":math:`([^`]*)`", r"$\1$", body)
    return " ".join(body.split())


def show(fig, caption: str) -> None:
    """Display a matplotlib figure (text enlarged where it would read below 9 px), then its caption."""
    display(readable(fig))
    display(Markdown(f"> **Figure.** {caption}"))


def md(text: str) -> None:
    """Display Markdown (numbers computed in the cell, written into prose)."""
    display(Markdown(text))


#: Width of the text column of the site's theme (furo) in CSS pixels: a figure is scaled to it.
COLUMN_PX = 736
#: Smallest readable text on the page, in CSS pixels (docs/check_site.py checks the same).
MIN_TEXT_PX = 9.0
#: Margin :func:`readable` keeps above ``MIN_TEXT_PX``: covers the rounding of the size the build
#: records in each PNG (docs/_ext/figure_fonts.py: four decimals, rounded down).
MARGIN_PX = 0.01


def saved_width_px(fig) -> float:
    """Width in pixels of the PNG a page shows for ``fig``: the figure's width, or its tight
    bounding box plus ``savefig.pad_inches`` on each side (IPython's inline backend saves with
    ``bbox_inches="tight"``, which can be wider than the figure), whichever is wider."""
    from matplotlib import rcParams

    fig.draw_without_rendering()   # tick labels exist only once the figure is drawn
    tight = fig.get_tightbbox()    # inches
    pad = rcParams["savefig.pad_inches"]
    pad = pad if isinstance(pad, (int, float)) else 0.0
    return max(fig.get_figwidth(), tight.width + 2 * pad) * fig.dpi


def _column_scale(fig, column_px: float) -> float:
    return min(1.0, column_px / saved_width_px(fig))


def text_px(fig, column_px: float = COLUMN_PX) -> float:
    """Size in CSS pixels of the figure's smallest text once the figure is scaled to the column."""
    from matplotlib.text import Text

    scale = _column_scale(fig, column_px)   # draws the figure: tick labels exist from here on
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    return min(sizes, default=MIN_TEXT_PX * 72 / fig.dpi / scale) * fig.dpi / 72 * scale


def readable(fig, column_px: float = COLUMN_PX, min_px: float = MIN_TEXT_PX, margin_px: float = MARGIN_PX):
    """Enlarge every text of ``fig`` that would show below ``min_px`` at the column's width.

    A figure wider than the column is scaled down by the browser, and its fonts with it; this
    raises each too-small font to the size that keeps ``min_px + margin_px`` after scaling, at
    the width of the PNG the page shows (:func:`saved_width_px`).  Larger fonts can widen that
    PNG (the layout engine makes room, a tight box grows), so it repeats until no font is
    below the size at the current width.  Returns the figure.
    """
    from matplotlib.text import Text

    for _ in range(10):
        scale = _column_scale(fig, column_px)   # draws the figure: tick labels exist from here on
        smallest_pt = (min_px + margin_px) * 72 / fig.dpi / scale
        changed = False
        for ax in fig.axes:
            for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
                for major in (True, False):
                    ticks = axis.get_major_ticks() if major else axis.get_minor_ticks()
                    if ticks and ticks[0].label1.get_fontsize() < smallest_pt:
                        ax.tick_params(axis=which, which="major" if major else "minor", labelsize=smallest_pt)
                        changed = True
        for t in fig.findobj(Text):
            if t.get_text() and t.get_fontsize() < smallest_pt:
                t.set_fontsize(smallest_pt)
                changed = True
        if not changed:
            return fig
    raise RuntimeError(f"readable: the figure's text does not settle at {min_px} px at {column_px} px wide")
