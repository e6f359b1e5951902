"""Check the built site as a reader would: open every page in headless Chromium at two widths.

Usage (from the repository root)::

    python docs/check_site.py [--build] [--html docs/_build/html] [--screenshots DIR] [--only PATTERN]

``--build`` first runs ``python -m sphinx -W --keep-going -n -b html docs <html>`` and reports
its time.  Then every page is served on 127.0.0.1 and opened in Chromium (Debian's
``/usr/bin/chromium``, driven by the PyPI package ``playwright``; no browser is downloaded) at
:data:`WIDTHS` (1280 and 800 CSS pixels).  Each page fails on:

- **network**: a request leaving 127.0.0.1 (the site must work offline); **scripts**: an uncaught
  JavaScript exception;
- **overflow**: the page scrolling sideways (``scrollWidth`` above the viewport), an element of
  the article reaching outside the text column, or a box whose content is wider than the box
  (cut, or hidden behind a scroll bar: code, outputs, tables, display math); the element is
  named by its path and first words (MathJax's own clipped boxes are not content: its
  copy for screen readers, and the extenders of stretchy arrows and bars, ``mjx-stretchy-h/v > mjx-ext``);
- **math**: math left untypeset, a MathJax error (``mjx-merror``), red text inside typeset math
  (MathJax's rendering of an undefined macro such as ``\\R``), TeX left as text (``$...\\cmd...$``,
  or a ``\\command`` / ``\\\\`` outside code and math);
- **images**: an image that did not load; a figure whose smallest text renders under
  :data:`MIN_FONT_PX` CSS pixels (see :func:`image_font_problems`: PNGs carry their smallest
  text size, written by ``docs/_ext/figure_fonts.py`` in every kernel of the build; inline SVG
  text is measured in the browser);
- **cells**: a cell showing an error, a traceback, output on stderr, or a figure printed as
  text (``<Figure size ...>``); an exercise's answer cell (cell tag ``exercise-answer``, which
  myst-nb renders as the CSS class ``tag_exercise-answer``) that is hidden or whose source does
  more than assign ``None`` (:func:`answer_cell_problem`);
- **explorable**: a plot without an x label, a y label or a legend; and, on the explorable page,
  displayed rates that disagree with memgd's at the slider positions the check sets through the
  address and by moving a slider (:func:`check_explorable`).

Exit status 0 when every check passed, 1 otherwise.  ``tests/test_check_site.py`` shows each
check failing on a small broken page.
"""

from __future__ import annotations

import argparse
import ast
import base64
import functools
import http.server
import math
import re
import struct
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from urllib.parse import unquote, urlparse

DOCS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SKIP = {"genindex.html", "search.html", "py-modindex.html"}
#: Viewport widths (CSS pixels) every page is read at.
WIDTHS = (1280, 800)
#: Smallest font size a figure may render at, in CSS pixels.
MIN_FONT_PX = 9.0
#: PNG text chunk holding the PNG's smallest font size in its own pixels (docs/_ext/figure_fonts.py).
FONT_KEY = "memgd-min-font-px"
#: Pages shown in the screenshots (those that exist), at every width.
SCREENSHOT_PAGES = ("explore/memory_explorable.html", "math/theorem1.html", "course/02_theorem.html",
                    "course/08_exercises.html")


def build(html: Path) -> float:
    """Build the site (fails on any warning); returns the wall time in seconds."""
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html", str(DOCS), str(html)]
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on 127.0.0.1 (a free port), in a daemon thread; returns the server and its address."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            if not isinstance(sys.exc_info()[1], ConnectionError):   # a tab left before a file was sent: not an error
                super().handle_error(request, client_address)

    handler = functools.partial(Quiet, directory=str(root))
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# ----------------------------------------------------------------------------- in the page
PAGE_STATE = r"""(minFont) => {
  const out = {};
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 1 || r.height > 1; };
  const path = (e) => {
    const parts = [];
    for (let n = e; n && n.nodeType === 1 && parts.length < 4 && n.tagName !== 'ARTICLE'; n = n.parentElement) {
      let s = n.tagName.toLowerCase();
      if (n.id) s += '#' + n.id;
      const cls = (typeof n.className === 'string' ? n.className : '').trim().split(/\s+/).filter(c => c).slice(0, 2);
      if (cls.length) s += '.' + cls.join('.');
      parts.unshift(s);
    }
    return parts.join(' > ') + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
  };
  // ---- images
  out.images = Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0,
      naturalWidth: i.naturalWidth, width: i.getBoundingClientRect().width, path: path(i)}));
  // ---- math
  out.math = document.querySelectorAll('.math').length;
  out.typeset = document.querySelectorAll('mjx-container').length;
  out.texErrors = Array.from(document.querySelectorAll('mjx-merror')).map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80));
  const red = [];
  for (const m of document.querySelectorAll('mjx-container')) {
    for (const e of m.querySelectorAll('*')) {
      const c = getComputedStyle(e).color.match(/\d+(\.\d+)?/g);
      if (c && +c[0] >= 180 && +c[1] <= 80 && +c[2] <= 80 && e.textContent.trim() && visible(e)) {
        red.push((m.getAttribute('aria-label') || m.textContent).slice(0, 60) + ' [red: ' + e.textContent.slice(0, 20) + ']');
        break;
      }
    }
  }
  out.redMath = red;
  // ---- TeX left as text: outside code, scripts and typeset math
  const column = document.querySelector('article[role=main]') || document.querySelector('article') || document.body;
  const walker = document.createTreeWalker(column, NodeFilter.SHOW_TEXT, {acceptNode: (n) => {
    for (let p = n.parentElement; p && p !== column.parentElement; p = p.parentElement) {
      if (/^(PRE|CODE|SCRIPT|STYLE|TEXTAREA|MJX-CONTAINER|KBD|SAMP)$/.test(p.tagName) || p.classList.contains('highlight')) return NodeFilter.FILTER_REJECT;
    }
    return NodeFilter.FILTER_ACCEPT;
  }});
  const raw = [];
  let text = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) text += n.textContent + '\n';
  for (const m of text.matchAll(/\$[^$\n]{0,200}?\\[a-zA-Z]+[^$\n]{0,200}?\$|\\[a-zA-Z]{2,}|\\\\/g)) raw.push(m[0].slice(0, 80));
  out.rawTex = raw;
  // ---- cells
  out.errors = Array.from(document.querySelectorAll('.cell_output .traceback, .cell_output .error, .output.traceback, .output.error'))
                 .map(e => e.textContent.slice(0, 200));
  out.stderr = Array.from(document.querySelectorAll('.cell_output .stderr, .output.stderr')).map(e => e.textContent.slice(0, 200));
  out.unshown = Array.from(document.querySelectorAll('.cell_output')).filter(e => /<Figure size/.test(e.textContent)).length;
  out.answers = Array.from(document.querySelectorAll('.cell.tag_exercise-answer')).map(c => {
    const input = c.querySelector('.cell_input pre, .cell_input code');
    return {source: input ? input.textContent : null, path: path(c)};
  });
  // ---- overflow: the page, elements outside the text column, boxes whose content is cut
  const cs = getComputedStyle(column), cr = column.getBoundingClientRect();
  const left = cr.left + parseFloat(cs.paddingLeft) - 1, right = cr.right - parseFloat(cs.paddingRight) + 1;
  out.page = {scrollWidth: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth};
  const over = [];
  const visit = (e) => {
    if (over.length >= 20) return;
    const st = getComputedStyle(e);
    if (st.display === 'none' || st.visibility === 'hidden' || st.position === 'fixed') return;
    if (e.tagName === 'MJX-ASSISTIVE-MML') return;   // MathJax's copy for screen readers: clipped to 1 px, never seen
    // the extender of a stretchy arrow, bar or brace: MathJax fills it with a long run of the glyph and clips it to
    // the stretched length by design; the stretchy element itself and its formula are still checked
    if (e.tagName === 'MJX-EXT' && /^MJX-STRETCHY-[HV]$/.test(e.parentElement ? e.parentElement.tagName : '')) return;
    const r = e.getBoundingClientRect();
    const scroller = /(auto|scroll|hidden|clip)/.test(st.overflowX);
    if (scroller && e.scrollWidth > e.clientWidth + 1 && r.width > 1) {
      over.push(path(e) + ` content ${e.scrollWidth} px wide in a ${e.clientWidth} px box (cut or scrolled)`);
      return;
    }
    // the content box (a heading's hover padding that furo pulls into the margin is not content); a scroll
    // box whose content fits is judged by that content (furo's table wrapper pads itself past the column)
    const cl = r.left + parseFloat(st.paddingLeft) + parseFloat(st.borderLeftWidth);
    const cr_ = r.right - parseFloat(st.paddingRight) - parseFloat(st.borderRightWidth);
    if (!scroller && r.width > 1 && r.height > 1 && (cr_ > right || cl < left)) {
      const by = Math.max(left - cl, cr_ - right);
      over.push(path(e) + ` reaches ${Math.round(by)} px outside the text column`);
      return;
    }
    for (const c of e.children) visit(c);
  };
  for (const c of column.children) visit(c);
  out.overflow = over;
  // ---- inline SVG text (figures drawn in the page): rendered font size in CSS pixels
  const small = [];
  for (const t of column.querySelectorAll('svg text')) {
    if (!t.textContent.trim() || !visible(t)) continue;
    const m = t.getScreenCTM(), px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (px < minFont) small.push(`${path(t)} at ${px.toFixed(1)} px`);
  }
  out.smallSvgText = small.slice(0, 10);
  // ---- explorable plots: x label, y label, legend
  out.plots = Array.from(document.querySelectorAll('.memgd-explorable svg.mx-plot')).map(s => {
    const label = (role) => { const e = s.querySelector(`[data-role="${role}"]`);
      return e && visible(e) && e.textContent.trim() ? e.textContent.trim() : ''; };
    const legend = s.querySelector('[data-role="legend"]');
    const entries = legend ? Array.from(legend.querySelectorAll('text')).filter(t => t.textContent.trim() && visible(t)).length : 0;
    return {id: s.parentElement ? s.parentElement.id : '', x: label('x-label'), y: label('y-label'), legend: entries};
  });
  out.explorable = !!document.getElementById('memgd-explorable');
  return out;
}"""


# ----------------------------------------------------------------------------- checks on the page's state
def answer_cell_problem(source: str | None) -> str | None:
    """Why an exercise's answer cell is not blank, or None.

    Blank means: the source is shown, and its only statements are assignments of ``None``
    (``answer = None``, ``x: float = None``), ``pass``, ``...`` or a string; comments are free.
    Anything else (a number, a call, a function or class definition, an import) is an answer
    given away.
    """
    if source is None:
        return "its source is hidden (the student cannot fill it in)"
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError as err:
        return f"its source does not parse ({err.msg})"
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value is None:
            continue
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant) and node.value.value is None:
            continue
        if isinstance(node, ast.Pass):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and (
                node.value.value is Ellipsis or isinstance(node.value.value, str)):
            continue
        return f"line {node.lineno} is not blank: {ast.get_source_segment(chr(10).join(lines), node)!r:.80}"
    return None


def png_text_chunks(data: bytes) -> dict[str, str]:
    """The tEXt / zTXt / iTXt chunks of a PNG, keyword -> text ({} for anything that is not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return {}
    out, pos = {}, 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"tEXt" and b"\0" in body:
            k, v = body.split(b"\0", 1)
            out[k.decode("latin-1")] = v.decode("latin-1")
        elif kind == b"zTXt" and b"\0" in body:
            k, v = body.split(b"\0", 1)
            out[k.decode("latin-1")] = zlib.decompress(v[1:]).decode("latin-1")
        elif kind == b"iTXt" and b"\0" in body:
            k, rest = body.split(b"\0", 1)
            compressed, rest = rest[0], rest[2:]
            _lang, rest = rest.split(b"\0", 1)
            _tkey, text = rest.split(b"\0", 1)
            out[k.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode("utf-8")
        elif kind == b"IEND":
            break
    return out


def _image_bytes(src: str, html_root: Path, base: str) -> bytes | None:
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        return base64.b64decode(payload) if ";base64" in header else unquote(payload).encode("latin-1")
    if not src.startswith(base):
        return None
    local = html_root / unquote(urlparse(src).path).lstrip("/")
    return local.read_bytes() if local.is_file() else None


def image_font_problems(images: list[dict], html_root: Path, base: str) -> list[str]:
    """Figures whose smallest text renders under :data:`MIN_FONT_PX` CSS pixels.

    A PNG's smallest text size in its own pixels is read from its ``memgd-min-font-px`` chunk
    (written at build by docs/_ext/figure_fonts.py from the figure's text artists: the font
    size in points times dpi / 72); the browser scales the PNG from its natural width to its
    displayed width, so the text renders at ``px * displayed / natural``.  An SVG image is
    measured from its ``font-size`` attributes against its viewBox.  A raster image without the
    chunk cannot be checked: that is a failure too (regenerate it through the build).
    """
    problems = []
    for img in images:
        if not img["ok"] or img["width"] <= 1:
            continue
        data = _image_bytes(img["src"], html_root, base)
        name = img["src"].rsplit("/", 1)[-1][:60]
        if data is None:
            problems.append(f"image {name}: cannot read it to check its text size")
            continue
        if data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:400]:
            sizes = [float(s) for s in re.findall(rb'font-size[:=]\s*"?([0-9.]+)', data)]
            box = re.search(rb'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) ', data)
            if not sizes or not box:
                problems.append(f"image {name}: an SVG without text elements and viewBox (text as paths?): cannot check its text size")
                continue
            px = min(sizes) * img["width"] / float(box.group(1))
        else:
            chunk = png_text_chunks(data).get(FONT_KEY)
            if chunk is None:
                problems.append(f"image {name}: no {FONT_KEY} in the PNG, its text size cannot be checked "
                                "(draw it in the build: docs/_ext/figure_fonts.py)")
                continue
            px = float(chunk) * img["width"] / img["naturalWidth"]
        if px < MIN_FONT_PX:
            problems.append(f"image {name}: smallest text renders at {px:.2f} px (< {MIN_FONT_PX:g}) at "
                            f"{img['width']:.0f} px wide (natural {img['naturalWidth']} px)")
    return problems


def state_problems(state: dict, html_root: Path, base: str) -> list[str]:
    """Everything wrong with one page at one width, from :data:`PAGE_STATE`'s answer."""
    p = []
    broken = [i["src"] for i in state["images"] if not i["ok"]]
    if broken:
        p.append(f"broken images {broken[:3]}")
    if state["page"]["scrollWidth"] > state["page"]["viewport"] + 1:
        p.append(f"the page scrolls sideways: {state['page']['scrollWidth']} px wide in a {state['page']['viewport']} px viewport")
    if state["overflow"]:
        p.append("overflow: " + "; ".join(state["overflow"][:4]) + (f" (+{len(state['overflow']) - 4} more)" if len(state["overflow"]) > 4 else ""))
    if state["math"] and state["typeset"] < state["math"]:
        p.append(f"{state['math']} math elements, only {state['typeset']} typeset")
    if state["texErrors"]:
        p.append(f"MathJax errors {state['texErrors'][:3]}")
    if state["redMath"]:
        p.append(f"red text in typeset math (an undefined macro?) {state['redMath'][:3]}")
    if state["rawTex"]:
        p.append(f"TeX left as text (not typeset): {state['rawTex'][:3]}")
    if state["errors"]:
        p.append(f"error cells {state['errors'][:2]}")
    if state["stderr"]:
        p.append(f"cells printed to stderr {state['stderr'][:2]}")
    if state["unshown"]:
        p.append(f"{state['unshown']} figures printed as text instead of drawn")
    for a in state["answers"]:
        why = answer_cell_problem(a["source"])
        if why:
            p.append(f"exercise answer cell pre-answered or unusable: {why} ({a['path'][:80]})")
    p += image_font_problems(state["images"], html_root, base)
    if state["smallSvgText"]:
        p.append(f"SVG text under {MIN_FONT_PX:g} px: {state['smallSvgText'][:3]}")
    if state["explorable"] and not state["plots"]:
        p.append("the explorable drew no plot")
    for plot in state["plots"]:
        missing = [k for k, v in (("x label", plot["x"]), ("y label", plot["y"])) if not v]
        if not plot["legend"]:
            missing.append("legend")
        if missing:
            p.append(f"explorable plot {plot['id'] or '?'} has no {', no '.join(missing)}")
    return p


# ----------------------------------------------------------------------------- driving the browser
def settle(page) -> None:
    """Wait for MathJax (when the page has math) and for the explorable (when it has one)."""
    if page.evaluate("document.querySelectorAll('.math').length") > 0:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
        page.evaluate("MathJax.startup.promise")
    if page.evaluate("!!document.getElementById('memgd-explorable')"):
        page.wait_for_function("document.getElementById('memgd-explorable').dataset.ready === '1'", timeout=30000)
        page.evaluate("document.getElementById('memgd-explorable').whenMapReady ? "
                      "document.getElementById('memgd-explorable').whenMapReady() : null")


def page_problems(page, url: str, html_root: Path, base: str) -> list[str]:
    """Open ``url`` in ``page``, let it settle, and return what is wrong with it."""
    errors = getattr(page, "js_errors", [])
    errors.clear()
    page.goto(url, wait_until="load")
    settle(page)
    found = state_problems(page.evaluate(PAGE_STATE, MIN_FONT_PX), html_root, base)
    return found + ([f"JavaScript errors {errors[:3]}"] if errors else [])


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, base: str, width: int, outside: list[str]):
    """A tab of ``width`` CSS pixels whose requests outside ``base`` are refused and recorded."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.js_errors = []   # uncaught exceptions of the page's scripts, read and cleared by page_problems
    page.on("pageerror", lambda err: page.js_errors.append(str(err)[:200]))

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page


def check(html: Path, screenshots: Path | None, only: str | None = None) -> list[str]:
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    pages = sorted(p for p in html.rglob("*.html") if p.name not in SKIP and "_static" not in p.parts
                   and "_modules" not in p.parts and "_sources" not in p.parts)
    if only:
        pages = [p for p in pages if re.search(only, p.relative_to(html).as_posix())]
    server, base = serve(html)
    outside: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            for width in WIDTHS:
                page = new_page(browser, base, width, outside)
                t0, bad = time.perf_counter(), 0
                for path in pages:
                    rel = path.relative_to(html).as_posix()
                    problems = page_problems(page, f"{base}/{rel}", html, base)
                    failures += [f"{rel} @{width}px: {x}" for x in problems]
                    bad += bool(problems)
                print(f"  {len(pages)} pages at {width} px: {bad} with problems ({time.perf_counter() - t0:.0f} s)", flush=True)
                page.close()
            if (html / "explore" / "memory_explorable.html").exists():
                page = new_page(browser, base, WIDTHS[0], outside)
                failures += check_explorable(page, f"{base}/explore/memory_explorable.html")
                page.close()
            if screenshots is not None:
                take_screenshots(browser, base, html, screenshots, outside)
            browser.close()
    finally:
        server.shutdown()
    if outside:
        failures.append(f"pages tried to reach the network: {sorted(set(outside))[:5]}")
    return failures


def take_screenshots(browser, base: str, html: Path, folder: Path, outside: list[str]) -> None:
    """The explorable (the widget, at a setting with certificates) and :data:`SCREENSHOT_PAGES`, at each width."""
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page = new_page(browser, base, width, outside)
        for rel in SCREENSHOT_PAGES:
            if not (html / rel).exists():
                print(f"  screenshot: no page {rel}")
                continue
            name = rel.replace("/", "_").replace(".html", f"_{width}.png")
            if rel == "explore/memory_explorable.html":
                page.goto(f"{base}/{rel}#alphaL=0.1&b=0.5&tau=1&kappa=10", wait_until="load")
                settle(page)
                page.click("#mx-go-grid")   # onto a certified grid step, so every row of the readout has a value
                page.wait_for_function("document.getElementById('mx-readout').dataset.certStatus !== 'off-grid'")
                settle(page)
                page.evaluate("window.scrollTo(0, 0)")
                box = page.locator("#memgd-explorable").bounding_box()   # the whole page drawn, cut to the widget
                page.screenshot(path=str(folder / name), full_page=True,
                                clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]})
            else:
                page.goto(f"{base}/{rel}", wait_until="load")
                settle(page)
                page.screenshot(path=str(folder / name), full_page=True)
            print(f"  screenshot {folder / name}")
        page.close()


# ----------------------------------------------------------------------------- the explorable against memgd
#: Settings (alpha L, b, tau, kappa) the check sets through the address: a stable point, a point with
#: every bound finite, a certified grid point, the edge of stability, signed weight, a long age, a large
#: kappa, near the tau = 1 optimum (a double root).
EXPLORABLE_SETTINGS = (
    (0.3, 0.5, 1, 10.0), (0.02, 0.25, 2, 10.0), (0.1, 0.5, 1, 10.0), (1.3, 0.5, 1, 10.0),
    (0.5, -0.3, 3, 30.0), (0.05, 1.0, 16, 100.0), (1.0, 0.2, 5, 1000.0), (2.38462, 0.20099, 1, 10.0),
)


def expected(alpha_L: float, b: float, tau: int, kappa: float) -> dict:
    """memgd's numbers at one setting (L = 1, mu = 1/kappa): exact rate (with the error bar of its roots at
    the worst eigenvalue), Theorems 1, 1b and 2, and the reference methods checked independently."""
    import numpy as np

    sys.path.insert(0, str(DOCS / "explore"))
    from explorable_data import pattern
    from memgd.theory import quadratic_rate, rate, rate2

    p = pattern(b, tau)
    mu = 1.0 / kappa
    q = quadratic_rate(mu, 1.0, alpha_L, p)
    kw = dict(mu=mu, L=1.0, alpha=alpha_L, s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)
    # gradient descent and heavy ball at their tunings: spectral radii of their iteration matrices, max over h
    h = np.linspace(mu, 1.0, 2001)
    gd = np.abs(1 - 2.0 / (mu + 1.0) * h).max()
    a_hb, beta = 4.0 / (1 + math.sqrt(mu)) ** 2, ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    M = np.zeros((h.size, 2, 2))
    M[:, 0, 0], M[:, 0, 1], M[:, 1, 0] = 1 + beta - a_hb * h, -beta, 1.0
    hb = np.abs(np.linalg.eigvals(M)).max()
    return {"exact": q.rate, "exact_error": root_error(q.h_worst * alpha_L, p), "theorem1": rate(**kw, theorem="1"),
            "theorem1b": rate(**kw, theorem="1b"),
            "theorem2": rate2(mu=mu, L=1.0, alpha=alpha_L, s_lo=p.s, B=p.B, W=p.W, T=p.T, nonnegative=b >= 0),
            "gd": float(gd), "hb": float(hb)}


def root_error(c: float, p) -> float:
    """Error bar of memgd's largest root modulus at alpha h = c: the Braess-Hadeler inclusion radius
    n |chi(z_i)| / prod |z_i - z_j| (plus chi's rounding) of the companion eigenvalues memgd computes,
    the largest among the discs that reach the largest modulus."""
    import numpy as np

    w = p.dense_weights()
    coef = np.concatenate([[1.0], c * w])
    coef[1] -= 1.0
    n = coef.size - 1
    comp = np.zeros((n, n))
    comp[0, :] = -coef[1:]
    comp[np.arange(1, n), np.arange(n - 1)] = 1.0
    z = np.linalg.eigvals(comp) if n > 1 else np.array([-coef[1]])
    value = np.polyval(coef, z)
    bound = np.polyval(np.abs(coef), np.abs(z)) * 8 * (n + 1) * 2.0**-53
    diff = np.abs(z[:, None] - z[None, :]) + np.eye(n)
    radius = n * (np.abs(value) + bound) / diff.prod(axis=1)
    top = np.abs(z).max()
    return float(radius[np.abs(z) + radius >= top].max())


def _num(s: str) -> float:
    return math.inf if s == "" else float(s)


def compare(shown: dict, want: dict) -> list[str]:
    """Differences between the page's readout and memgd's numbers, beyond their tolerances.

    - exact rate: the page's error bar (inclusion radius of its roots) plus memgd's (of its companion
      eigenvalues) at the worst eigenvalue, plus 1e-12 for the maximisation over h (both search the same
      grid and refine the same cells to a bracket of 1e-13 (L - mu));
    - Theorems 1, 1b, 2: the page runs memgd's formulas (printed from the same sympy expressions) and
      memgd's searches step by step; they differ only by the last bits of a few powers: 1e-12;
    - gradient descent, heavy ball: closed forms against the largest eigenvalue modulus of the iteration
      matrix on 2001 values of h; at heavy ball's tuning the roots are double at both ends of the
      spectrum, where eigenvalues carry sqrt(u) errors: 1e-7.
    """
    out = []
    ex, ex_shown = want["exact"], _num(shown["exact"])
    tol = _num(shown.get("exactError", "") or "inf") + want["exact_error"] + 1e-12
    if not abs(ex_shown - ex) <= tol:
        out.append(f"exact rate {ex_shown!r}, memgd {ex!r} (tolerance {tol:.1e})")
    for key in ("theorem1", "theorem1b", "theorem2"):
        a, b = _num(shown[key]), float(want[key])
        if not ((math.isinf(a) and math.isinf(b)) or abs(a - b) <= 1e-12):
            out.append(f"{key} {a!r}, memgd {b!r}")
    for key in ("gd", "hb"):
        if not abs(_num(shown[key]) - want[key]) <= 1e-7:
            out.append(f"{key} {shown[key]}, independent value {want[key]!r}")
    return out


def _readout(page) -> dict:
    return page.evaluate("Object.assign({}, document.getElementById('mx-readout').dataset)")


def check_explorable(page, url: str, settings=EXPLORABLE_SETTINGS) -> list[str]:
    """Set the sliders through the address at ``settings``, then move a slider; compare every displayed
    rate with memgd's (:func:`compare`), the certified rate at a grid point with a fresh certificate,
    and the displayed optimum with memgd's exact rate there."""
    failures = []
    errors = getattr(page, "js_errors", [])
    errors.clear()
    for aL, b, tau, kappa in settings:
        page.goto("about:blank")
        page.goto(f"{url}#alphaL={aL}&b={b}&tau={tau}&kappa={kappa}", wait_until="load")
        settle(page)
        shown = _readout(page)
        got = (float(shown["alphaL"]), float(shown["b"]), int(shown["tau"]), float(shown["kappa"]))
        if got != (aL, b, tau, kappa):
            failures.append(f"explorable {aL, b, tau, kappa}: the page set itself to {got}")
            continue
        failures += [f"explorable {aL, b, tau, kappa}: {d}" for d in compare(shown, expected(aL, b, tau, kappa))]
        if shown["certStatus"] != "off-grid":
            failures += check_certified(shown)
    # the displayed optimum: memgd's exact rate at the displayed (alpha L, b) is the displayed rate
    opt = page.evaluate("Object.assign({}, document.getElementById('mx-optimum').dataset)")
    if opt:
        from memgd.theory import exact_rate

        sys.path.insert(0, str(DOCS / "explore"))
        from explorable_data import pattern

        aL, b, tau, kappa = settings[-1]
        value = exact_rate(1 / kappa, 1.0, float(opt["alphaL"]), pattern(float(opt["b"]), tau), n_grid=129)
        if not abs(value - float(opt["rate"])) <= 1e-7:
            failures.append(f"explorable optimum {opt}: memgd's exact rate there is {value!r}")
        # and it is as good as memgd's own search (both local searches stop at steps of about 1e-5 in
        # (log alpha L, b); at an optimum on a kink of the rate that leaves about 1e-5 in the rate)
        from explorable_data import best_memory

        ref = best_memory(kappa, tau)
        if float(opt["rate"]) > ref["rate"] + 1e-4:
            failures.append(f"explorable optimum {opt}: memgd's search finds {ref}")
    else:
        failures.append("explorable: no optimum displayed")
    # move a slider: the readout follows
    aL, b, tau, kappa = settings[0]
    page.goto("about:blank")
    page.goto(f"{url}#alphaL={aL}&b={b}&tau={tau}&kappa={kappa}", wait_until="load")
    settle(page)
    before = _readout(page)
    page.locator("#mx-b").fill("1.2")
    page.wait_for_function("document.getElementById('mx-readout').dataset.b === '1.2' && "
                           "document.getElementById('memgd-explorable').dataset.ready === '1'", timeout=10000)
    after = _readout(page)
    diff = compare(after, expected(aL, 1.2, tau, kappa))
    if before["exact"] == after["exact"] or diff:
        failures.append(f"explorable: after moving b to 1.2 the exact rate went {before['exact']} -> {after['exact']}: {diff}")
    # onto the certified grid by the step button and a slider: the certificate shown is memgd's
    grid = page.evaluate("JSON.parse(document.getElementById('memgd-explorable-data').textContent).certified")
    for start in (0.02, 0.3) if grid["kappa"] else ():   # steps whose log-slider round trip is inexact, and exact
        page.goto("about:blank")
        page.goto(f"{url}#alphaL={start}&b={grid['b'][1]}&tau={grid['tau'][0]}&kappa={grid['kappa'][0]}", wait_until="load")
        settle(page)
        page.click("#mx-go-grid")
        page.locator("#mx-b").fill(str(grid["b"][-1]))
        page.wait_for_function(f"document.getElementById('mx-readout').dataset.b === '{grid['b'][-1]}' && "
                               "document.getElementById('memgd-explorable').dataset.ready === '1'", timeout=10000)
        shown = _readout(page)
        if shown["certStatus"] == "off-grid":
            failures.append(f"explorable: on the grid step {shown['alphaL']} with b = {shown['b']} no certificate is shown")
        else:
            failures += check_certified(shown)
    if errors:
        failures.append(f"explorable: JavaScript errors {errors[:3]}")
    print(f"  explorable: {len(settings)} settings through the address and one slider move checked "
          f"({before['exact']} -> {after['exact']})", flush=True)
    return failures


def check_certified(shown: dict) -> list[str]:
    """A certified grid point: the page's value against a certificate computed now (same code)."""
    sys.path.insert(0, str(DOCS / "explore"))
    from explorable_data import certify_point

    c = certify_point(float(shown["kappa"]), int(shown["tau"]), float(shown["b"]), float(shown["alphaL"]))
    here = _num(shown["certified"]) if shown["certStatus"] == "certified" else None
    if (c["rho"] is None) != (here is None) or (here is not None and abs(here - c["rho"]) > 1e-2 * (1 - c["exact"])):
        return [f"explorable certified rate at {shown}: page {here}, memgd {c['rho']}"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build the site first")
    parser.add_argument("--html", type=Path, default=DOCS / "_build" / "html", help="the built site")
    parser.add_argument("--screenshots", type=Path, default=None, help="write screenshots here")
    parser.add_argument("--only", default=None, help="check only pages whose path matches this regular expression")
    args = parser.parse_args(argv)
    if args.build:
        try:
            print(f"built in {build(args.html):.0f} s", flush=True)
        except subprocess.CalledProcessError:
            print("site check failed: the build reported errors (above)", file=sys.stderr)
            return 1
    if not (args.html / "index.html").exists():
        print(f"no site at {args.html}: build it first (--build)", file=sys.stderr)
        return 1
    failures = check(args.html, args.screenshots, args.only)
    for f in failures:
        print("FAIL", f)
    print("site check:", "passed" if not failures else f"{len(failures)} failures")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
