"""The site checker (docs/check_site.py) fails on each thing it guards: one small broken page per check.

Each fixture is a few lines of HTML in the markup the built site uses (furo's ``article``,
myst-nb's ``cell`` / ``cell_input`` / ``cell_output`` / ``output traceback`` containers and its
``tag_<tag>`` classes, Sphinx's MathJax set-up and ``span.math``: the markup was read off a
build, and ``tests/test_docs_site.py`` checks it on a real one under ``MEMGD_DOCS=1``), served
on 127.0.0.1 and read by the checker's own functions in headless Chromium.  A clean page
passes, so each failure is the fixture's fault, not the checker's noise.

Needs Playwright (the ``docs`` extra) and Debian's ``/usr/bin/chromium``; skipped without them
(CI installs both for the site check and runs this module there: ``.ci/run``).
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))
sys.path.insert(0, str(DOCS / "explore"))

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("needs Debian's /usr/bin/chromium", allow_module_level=True)

import check_site  # noqa: E402

MATHJAX = Path(list(importlib.util.find_spec("sphinx-mathjax-offline").submodule_search_locations)[0]) / "static" / "mathjax"

HEAD = """<!doctype html><html><head><meta charset="utf-8">
<script>window.MathJax = {"options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}</script>
<script defer src="mathjax/tex-chtml.js"></script>
<style>body { margin: 0 } .page { width: 700px; margin: 0 auto } article { width: 600px } pre { overflow: auto }</style>
</head><body><div class="page"><article role="main">"""
TAIL = "</article></div></body></html>"


def png(font_px: float | None, width_in: float = 4.0) -> bytes:
    """A matplotlib PNG at 100 dpi whose text is ``font_px`` pixels (metadata as docs/_ext/figure_fonts.py writes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width_in, 2.0), dpi=100)
    ax.set_xlabel("step", fontsize=(font_px or 12) * 72 / 100)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={check_site.FONT_KEY: f"{font_px:.4g}"} if font_px else None)
    plt.close(fig)
    return buf.getvalue()


#: display math in the markup and the CSS of the built site (div.math, and docs/_static/memgd.css's scroll box)
ARROWS = ('<style>article div.math, article mjx-container[display="true"] {{ overflow-x: auto; max-width: 100% }}</style>'
          '<div class="math notranslate nohighlight">\\[ g_k \\;\\xrightarrow{{\\text{{{label}}}}}\\; \\text{{selection}}'
          ' \\;\\xrightarrow{{\\text{{combination}}}}\\; d_k \\]</div>')
OVERLINE = '<p>Bias: <span class="math notranslate nohighlight">\\(\\|\\overline{x_K} - x^\\star\\|^2\\)</span>.</p>'

PAGES = {
    "clean.html": """<h1>Clean</h1><p>Math: <span class="math notranslate nohighlight">\\(x \\in \\mathbb{R}^n\\)</span>.</p>
        <div class="cell tag_exercise-answer"><div class="cell_input"><pre>answer = None  # your value
y: float = None</pre></div></div>
        <div class="cell"><div class="cell_output"><div class="output stream">fine</div></div></div>
        <img src="big.png" style="width: 400px">
        <pre>short code</pre>""",
    "overflow_cut.html": "<pre>" + "x = 1 + " * 200 + "</pre>",
    # stretchy arrows and an overline: MathJax clips each extender (a long run of the glyph) to the stretched length
    "math_stretchy.html": ARROWS.format(label="weight decay") + OVERLINE,
    # the same arrow with a label wider than the column: a real overflow, still reported
    "math_stretchy_wide.html": ARROWS.format(label="a label much too long " * 6),
    "overflow_wide.html": '<div class="output" style="width: 1400px">a very wide output</div>',
    "math_error.html": '<p><span class="math notranslate nohighlight">\\(x^1^2\\)</span></p>',   # double exponent
    "math_undefined.html": '<p><span class="math notranslate nohighlight">\\(x \\in \\R^n\\)</span></p>',
    "math_as_text.html": "<p>The rate is $\\rho = 1 - \\alpha\\mu$ here, and \\alpha again.</p>",
    "macro_as_text.html": "<p>The step \\alpha and the rate.</p>",
    "math_untypeset.html": '<p><span class="math notranslate nohighlight">x^2 without delimiters</span></p>',
    "image_broken.html": '<img src="missing.png">',
    "script_error.html": "<p>text</p><script>null.boom();</script>",
    "error_cell.html": """<div class="cell tag_raises-exception"><div class="cell_output">
        <div class="output traceback highlight-ipythontb notranslate"><pre>ZeroDivisionError</pre></div></div></div>""",
    "stderr_cell.html": '<div class="cell"><div class="cell_output"><div class="output stderr"><pre>Warning: x</pre></div></div></div>',
    "answer_given.html": '<div class="cell tag_exercise-answer"><div class="cell_input"><pre>answer = 0.5</pre></div></div>',
    "answer_computed.html": ('<div class="cell tag_exercise-answer"><div class="cell_input"><pre>from math import sqrt\n'
                             'answer = None\nanswer = sqrt(2)</pre></div></div>'),
    "answer_hidden.html": '<div class="cell tag_exercise-answer tag_remove-input"><div class="cell_output"></div></div>',
    "figure_small.html": '<img src="big.png" style="width: 200px">',       # 12 px text shown at half size: 6 px
    "figure_unknown.html": '<img src="plain.png" style="width: 400px">',   # no font size recorded
    "svg_small.html": '<svg width="200" height="50" viewBox="0 0 400 100"><text x="5" y="50" font-size="12">tick</text></svg>',
    "plot_unlabelled.html": """<div class="memgd-explorable" id="memgd-explorable" data-ready="1"><div id="mx-fig-a">
        <svg class="mx-plot" width="300" height="200"><g data-axis="x"><text data-role="x-label" font-size="12" x="100" y="190">step</text></g>
        <g data-role="legend"><text x="10" y="20" font-size="12">exact</text></g></svg></div></div>""",
    "plot_no_legend.html": """<div class="memgd-explorable" id="memgd-explorable" data-ready="1"><div id="mx-fig-a">
        <svg class="mx-plot" width="300" height="200"><text data-role="x-label" font-size="12" x="100" y="190">step</text>
        <text data-role="y-label" font-size="12" x="10" y="100">rate</text></svg></div></div>""",
}

#: page -> a phrase its failure must contain (and no other page's failure).
EXPECTED = {
    "overflow_cut.html": "cut or scrolled",
    "math_stretchy_wide.html": "cut or scrolled",
    "overflow_wide.html": "outside the text column",
    "math_error.html": "MathJax errors",
    "math_undefined.html": "red text in typeset math",
    "math_as_text.html": "TeX left as text",
    "macro_as_text.html": "<p>The step \\alpha and the rate.</p>",
    "math_untypeset.html": "only 0 typeset",
    "macro_as_text.html": "TeX left as text",
    "image_broken.html": "broken images",
    "script_error.html": "JavaScript errors",
    "error_cell.html": "error cells",
    "stderr_cell.html": "stderr",
    "answer_given.html": "exercise answer cell",
    "answer_computed.html": "exercise answer cell",
    "answer_hidden.html": "its source is hidden",
    "figure_small.html": "renders at 6.00 px",
    "figure_unknown.html": "no memgd-min-font-px",
    "svg_small.html": "SVG text under 9 px",
    "plot_unlabelled.html": "has no y label",
    "plot_no_legend.html": "has no legend",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "mathjax").symlink_to(MATHJAX)
    (root / "big.png").write_bytes(png(12.0))
    (root / "plain.png").write_bytes(png(None))
    for name, body in PAGES.items():   # MathJax only where there is math (it loads in about 0.2 s)
        head = HEAD if 'class="math' in body else HEAD.replace('<script defer src="mathjax/tex-chtml.js"></script>', "")
        (root / name).write_text(head + body + TAIL, encoding="utf-8")
    server, base = check_site.serve(root)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = check_site.launch(pw)
        yield root, base, browser
        browser.close()
    server.shutdown()


@pytest.fixture(scope="module")
def problems(site):
    root, base, browser = site
    outside: list[str] = []
    page = check_site.new_page(browser, base, 800, outside)
    out = {name: check_site.page_problems(page, f"{base}/{name}", root, base) for name in PAGES}
    page.close()
    assert not outside
    return out


def test_clean_page_passes(problems):
    assert problems["clean.html"] == []


def test_stretchy_extenders_are_not_overflow(problems):
    """MathJax's clipped extenders (``mjx-stretchy-h > mjx-ext``) are no overflow; the arrows are stretched
    (the extenders are there and clipped), and an arrow wider than the column is still reported."""
    assert problems["math_stretchy.html"] == []
    assert any("mjx-container" in p and "cut or scrolled" in p for p in problems["math_stretchy_wide.html"])


def test_stretchy_fixture_has_clipped_extenders(site):
    """The fixture exercises the exemption: MathJax drew extenders wider than their boxes."""
    root, base, browser = site
    page = check_site.new_page(browser, base, 800, [])
    page.goto(f"{base}/math_stretchy.html", wait_until="load")
    check_site.settle(page)
    clipped = page.evaluate("Array.from(document.querySelectorAll('mjx-stretchy-h > mjx-ext'))"
                            ".filter(e => e.scrollWidth > e.clientWidth + 1).length")
    page.close()
    assert clipped >= 2


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_page_fails_for_its_reason(problems, name):
    found = problems[name]
    assert any(EXPECTED[name] in p for p in found), found


#: other failures a broken page may legitimately add: a page-wide element also makes the page scroll, and
#: MathJax shows its error message in red
ALSO = {"overflow_wide.html": "scrolls sideways", "math_error.html": "red text in typeset math"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_page_fails_for_nothing_else(problems, name):
    others = [p for p in problems[name] if EXPECTED[name] not in p and ALSO.get(name, "@@") not in p]
    assert others == []


def test_page_wider_than_viewport_is_reported(problems):
    assert any("scrolls sideways" in p for p in problems["overflow_wide.html"])


def test_overflow_names_the_element(problems):
    text = " ".join(problems["overflow_cut.html"])
    assert "pre" in text and "x = 1 + x = 1" in text


def test_figure_font_size_scales_with_displayed_width(site):
    """12 px text in a 400 px PNG: shown 400 px wide it renders at 12 px; 300 px wide, at 9 (passes);
    299 px wide, at 8.97 (fails)."""
    root, base, _ = site
    img = {"src": f"{base}/big.png", "ok": True, "naturalWidth": 400, "width": 400.0}
    assert check_site.image_font_problems([img], root, base) == []
    assert check_site.image_font_problems([dict(img, width=300.0)], root, base) == []
    assert "renders at 8.97 px" in " ".join(check_site.image_font_problems([dict(img, width=299.0)], root, base))


@pytest.mark.parametrize("source, blank", [
    ("answer = None", True),
    ("# write your value\nanswer = None\nrate: float = None", True),
    ("answer = None\n...", True),
    ("answer = 0.7", False),
    ("answer = None\nanswer = 1 - 1/10", False),
    ("import math", False),
    ("def rule(x):\n    return None", False),
    ("answer = none", False),      # a name, not None
    ("answer = None if True else 1", False),
    (None, False),
])
def test_answer_cell_rule(source, blank):
    assert (check_site.answer_cell_problem(source) is None) is blank


def test_kernel_png_carries_its_smallest_font(tmp_path):
    """docs/_ext/figure_fonts.py, run as the kernels run it, writes size_pt * dpi / 72 into the PNG."""
    script = f"""
exec(open({str(DOCS / '_ext' / 'figure_fonts.py')!r}).read())
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2), dpi=80)
ax.set_xlabel("x", fontsize=20); ax.tick_params(labelsize=7); ax.set_title("t", fontsize=30)
fig.savefig({str(tmp_path / 'f.png')!r}, bbox_inches="tight")
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    chunks = check_site.png_text_chunks((tmp_path / "f.png").read_bytes())
    assert float(chunks[check_site.FONT_KEY]) == pytest.approx(7 * 80 / 72, rel=1e-3)



def test_compare_uses_the_stated_tolerances():
    """Exact rate: the two error bars + 1e-12; theorems: 1e-12; references: 1e-7 (docs/check_site.compare)."""
    want = {"exact": 0.9, "exact_error": 1e-13, "theorem1": 0.95, "theorem1b": float("inf"), "theorem2": 0.97,
            "gd": 0.8, "hb": 0.5}
    shown = {"exact": "0.9", "exactError": "1e-13", "theorem1": "0.95", "theorem1b": "", "theorem2": "0.97",
             "gd": "0.8", "hb": "0.5"}
    assert check_site.compare(shown, want) == []
    assert check_site.compare(dict(shown, exact=repr(0.9 + 1.1e-12)), want) == []       # within 2e-13 + 1e-12
    assert check_site.compare(dict(shown, exact=repr(0.9 + 1.5e-12)), want) != []
    assert check_site.compare(dict(shown, theorem2=repr(0.97 + 2e-12)), want) != []
    assert check_site.compare(dict(shown, theorem1b="0.99"), want) != []                 # finite where memgd says none
    assert check_site.compare(dict(shown, hb=repr(0.5 + 2e-7)), want) != []


@pytest.mark.parametrize("width_in, text_outside", [(12.0, False), (9.5, True), (5.0, False)])
def test_readable_figures_pass_the_site_check(tmp_path, width_in, text_outside):
    """docs/_helpers.py readable(): a figure shown as the pages show it (IPython's inline PNG, saved with
    bbox_inches="tight", so wider than the figure by its padding or by text outside the axes) renders its
    smallest text at 9 px or more at the column's width, as check_site reads it from the PNG."""
    script = f"""
exec(open({str(DOCS / '_ext' / 'figure_fonts.py')!r}).read())
import sys; sys.path.insert(0, {str(DOCS)!r})
import matplotlib; matplotlib.use("Agg")
from matplotlib.figure import Figure
from IPython.core.pylabtools import print_figure
from _helpers import readable
fig = Figure(figsize=({width_in}, 4.0), layout="constrained")
ax = fig.subplots()
ax.plot([0, 1], [1, 0], label="a line"); ax.legend(fontsize=6); ax.set_xlabel("step", fontsize=7)
ax.tick_params(labelsize=6)
if {text_outside}:
    fig.text(1.0, 0.5, "a note past the right edge", fontsize=8)
open({str(tmp_path / 'f.png')!r}, "wb").write(print_figure(readable(fig), "png"))
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    data = (tmp_path / "f.png").read_bytes()
    natural = int.from_bytes(data[16:20], "big")
    shown = min(natural, 736)
    img = {"src": "data:image/png;base64," + __import__("base64").b64encode(data).decode(), "ok": True,
           "naturalWidth": natural, "width": float(shown)}
    assert check_site.image_font_problems([img], tmp_path, "http://127.0.0.1:0") == []
    px = float(check_site.png_text_chunks(data)[check_site.FONT_KEY]) * shown / natural
    assert 9.0 <= px < 9.2 or width_in * 100 <= 736   # enlarged to the limit, not beyond
