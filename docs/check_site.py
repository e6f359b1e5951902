"""Check the built site as a reader would: open every page in headless Chromium.

Usage (from the repository root)::

    python docs/check_site.py [--build] [--html docs/_build/html] [--screenshots DIR]

``--build`` first runs ``python -m sphinx -W --keep-going -n -b html docs <html>`` and
reports its time.  Then every page is served on 127.0.0.1 and opened in Chromium
(Debian's ``/usr/bin/chromium``, driven by the PyPI package ``playwright``; no browser
is downloaded).  On every page it checks:

- no request leaves 127.0.0.1 (the site must work with no network);
- every image loaded (``complete`` with a nonzero natural width);
- if the page has math, MathJax (served by the site) typeset all of it, with no TeX error,
  and no ``$...\\command...$`` is left as plain text;
- no notebook cell shows an error, a traceback, output on stderr, or a figure printed as
  text (``<Figure size ...>``) instead of drawn.

On the explorable it sets the sliders (through the page address, and by moving a slider)
and checks that the displayed exact rate and bound are what :mod:`memgd.theory` computes
for that setting.  Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SKIP = {"genindex.html", "search.html", "py-modindex.html"}


def build(html: Path) -> float:
    """Build the site (fails on any warning); returns the wall time in seconds."""
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html", str(DOCS), str(html)]
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def serve(html: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


PAGE_STATE = r"""() => {
  const broken = Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
  const math = document.querySelectorAll('.math, span.math, div.math').length;
  const typeset = document.querySelectorAll('mjx-container').length;
  const texErrors = document.querySelectorAll('mjx-merror').length;
  const errors = Array.from(document.querySelectorAll('.cell_output .traceback, .cell_output .error, .output.traceback, .output.error'))
                  .map(e => e.textContent.slice(0, 200));
  const stderr = Array.from(document.querySelectorAll('.cell_output .stderr, .output.stderr')).map(e => e.textContent.slice(0, 200));
  const article = (document.querySelector('article') || document.body).cloneNode(true);
  article.querySelectorAll('pre, code, .highlight, mjx-container, script, style, svg').forEach(e => e.remove());
  const rawTex = (article.textContent.match(/\$[^$\n]{0,200}?\\[a-zA-Z]+[^$\n]{0,200}?\$/g) || []).map(t => t.slice(0, 120));
  const unshown = Array.from(document.querySelectorAll('.cell_output')).filter(e => /<Figure size/.test(e.textContent)).length;
  return {broken, math, typeset, texErrors, errors, stderr, unshown, rawTex, images: document.images.length};
}"""


def expected_rates(a: int, b: int, tau: int) -> tuple[float, float]:
    """The exact rate and the Theorem 1/1b bound of the explorable's grid point, from memgd."""
    sys.path.insert(0, str(DOCS / "explore"))
    from explorable_data import ALPHA_L, AGES, L, MU, WEIGHTS, pattern
    from memgd.theory import best_bound, exact_rate

    p = pattern(WEIGHTS[b], AGES[tau])
    alpha = ALPHA_L[a] / L
    bound = best_bound(mu=MU, L=L, alpha=alpha, s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T).rate
    return exact_rate(MU, L, alpha, p, n_grid=65), bound


def check(html: Path, screenshots: Path | None) -> list[str]:
    from playwright.sync_api import sync_playwright

    failures: list[str] = []
    pages = sorted(p for p in html.rglob("*.html") if p.name not in SKIP and "_static" not in p.parts
                   and "_modules" not in p.parts and "_sources" not in p.parts)
    server, base = serve(html)
    outside: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def route(r):
                if r.request.url.startswith(base) or r.request.url.startswith("data:"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            for path in pages:
                rel = path.relative_to(html).as_posix()
                page.goto(f"{base}/{rel}", wait_until="load")
                has_math = page.evaluate("document.querySelectorAll('.math').length") > 0
                if has_math:
                    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
                    page.evaluate("MathJax.startup.promise")
                state = page.evaluate(PAGE_STATE)
                if state["broken"]:
                    failures.append(f"{rel}: broken images {state['broken']}")
                if has_math and (state["typeset"] < state["math"] or state["texErrors"]):
                    failures.append(f"{rel}: {state['math']} math elements, {state['typeset']} typeset, "
                                    f"{state['texErrors']} TeX errors")
                if state["errors"]:
                    failures.append(f"{rel}: error cells {state['errors']}")
                if state["rawTex"]:
                    failures.append(f"{rel}: TeX left as text (not typeset): {state['rawTex'][:2]}")
                if state["unshown"]:
                    failures.append(f"{rel}: {state['unshown']} figures printed as text instead of drawn")
                if state["stderr"]:
                    failures.append(f"{rel}: cells printed to stderr {state['stderr']}")
                print(f"  {rel}: {state['images']} images, {state['typeset']} formulas", flush=True)
            failures += check_explorable(page, base)
            if screenshots is not None:
                screenshots.mkdir(parents=True, exist_ok=True)
                for rel, name in (("course/02_theorem.html", "course_theorem.png"),
                                  ("explore/memory_explorable.html#a=14&b=5&tau=1", "explorable.png")):
                    page.goto(f"{base}/{rel}", wait_until="load")
                    page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
                    page.screenshot(path=str(screenshots / name), full_page=name == "course_theorem.png")
                    print(f"  screenshot {screenshots / name}")
            browser.close()
    finally:
        server.shutdown()
    if outside:
        failures.append(f"pages tried to reach the network: {sorted(set(outside))[:5]}")
    return failures


def _close(shown: str, value: float) -> bool:
    if not math.isfinite(value):
        return shown == ""
    return shown != "" and abs(float(shown) - value) <= 1e-5 * max(1.0, abs(value))


def check_explorable(page, base: str) -> list[str]:
    """Slider settings through the address and by moving a slider; displayed rates against memgd."""
    failures = []
    url = f"{base}/explore/memory_explorable.html"
    for a, b, tau in ((3, 0, 0), (14, 5, 1), (20, 10, 2)):
        page.goto("about:blank")
        page.goto(f"{url}#a={a}&b={b}&tau={tau}", wait_until="load")
        page.wait_for_function("document.getElementById('memgd-explorable').dataset.ready === '1'")
        shown = page.evaluate("Object.assign({}, document.getElementById('mx-readout').dataset)")
        exact, bound = expected_rates(a, b, tau)
        if not (_close(shown["exact"], exact) and _close(shown["bound"], bound)):
            failures.append(f"explorable a={a} b={b} tau={tau}: shows {shown}, memgd gives exact {exact}, bound {bound}")
    # move a slider: the readout follows
    page.goto("about:blank")
    page.goto(f"{url}#a=3&b=0&tau=0", wait_until="load")
    page.wait_for_function("document.getElementById('memgd-explorable').dataset.ready === '1'")
    before = page.evaluate("document.getElementById('mx-readout').dataset.exact")
    page.locator("#mx-b").fill("10")
    after = page.evaluate("document.getElementById('mx-readout').dataset.exact")
    exact, _ = expected_rates(3, 10, 0)
    if before == after or not _close(after, exact):
        failures.append(f"explorable: moving the weight slider changed the rate from {before} to {after}, "
                        f"memgd gives {exact}")
    print(f"  explorable: 3 address settings and one slider move checked ({before} -> {after})")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="build the site first")
    parser.add_argument("--html", type=Path, default=DOCS / "_build" / "html", help="the built site")
    parser.add_argument("--screenshots", type=Path, default=None, help="write two PNG screenshots here")
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
    failures = check(args.html, args.screenshots)
    for f in failures:
        print("FAIL", f)
    print("site check:", "passed" if not failures else f"{len(failures)} failures")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
