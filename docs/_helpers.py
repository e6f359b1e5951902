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
    """Display a matplotlib figure, then its caption right under it (as Markdown with math)."""
    display(fig)
    display(Markdown(f"> **Figure.** {caption}"))


def md(text: str) -> None:
    """Display Markdown (numbers computed in the cell, written into prose)."""
    display(Markdown(text))
