"""Every PNG a page's kernel writes carries the pixel size of its smallest text (for the site check).

docs/conf.py points ``PYTHONSTARTUP`` at this file, and IPython kernels run that file at start
(``InteractiveShellApp.exec_PYTHONSTARTUP``), so every notebook of the build has
:class:`matplotlib.backend_bases.FigureCanvasBase` ``print_figure`` wrapped: when the output is
a PNG, a tEXt chunk ``memgd-min-font-px`` is added holding the smallest font size among the
figure's visible, non-empty texts (titles, labels, tick labels, legends, annotations; the figure is
drawn once without rendering first, since tick labels get their text at draw time), in pixels of
that PNG: ``size_pt * dpi / 72``.  That covers inline figures (matplotlib-inline calls
``print_figure``) and ``savefig``.

The site check (``docs/check_site.py``) reads the chunk and the image's displayed width in the
browser: the text renders at ``min_font_px * displayed_width / natural_width`` CSS pixels, and
must be at least 9.  The method is sound for text drawn by matplotlib (its size is the font's em
size at the PNG's resolution, whatever ``bbox_inches`` crops); a PNG without the chunk cannot be
checked and the site check says so.
"""

def _install() -> None:
    import math

    from matplotlib import rcParams
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.text import Text

    original = FigureCanvasBase.print_figure
    if getattr(original, "_memgd_fonts", False):
        return

    def smallest_font_px(figure, dpi: float) -> float | None:
        figure.draw_without_rendering()   # tick labels get their text at draw time
        sizes = [t.get_fontsize() for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        return min(sizes) * dpi / 72.0 if sizes else None

    def print_figure(self, filename, *args, **kwargs):
        fmt = kwargs.get("format")
        if fmt is None and isinstance(filename, str):
            fmt = filename.rsplit(".", 1)[-1] if "." in filename else rcParams["savefig.format"]
        if fmt is None:
            fmt = rcParams["savefig.format"]
        if str(fmt).lower() == "png":
            dpi = kwargs.get("dpi") or rcParams["savefig.dpi"]
            if dpi == "figure" or dpi is None:
                dpi = self.figure.dpi
            px = smallest_font_px(self.figure, float(dpi))
            if px is not None:
                metadata = dict(kwargs.get("metadata") or {})
                metadata.setdefault("memgd-min-font-px", f"{math.floor(px * 1e4) / 1e4:.4f}")   # rounded down
                kwargs["metadata"] = metadata
        return original(self, filename, *args, **kwargs)

    print_figure._memgd_fonts = True
    FigureCanvasBase.print_figure = print_figure


_install()
del _install
