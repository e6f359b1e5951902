"""The explorable's in-page computations (docs/_static/explorable.js) against memgd, in headless Chromium.

The page computes the exact rate of d_k = g_k + b g_{k-tau} on quadratics (Aberth-Ehrlich roots of
chi_h, max over h as memgd does), Theorems 1, 1b and 2 (memgd's formulas printed from sympy, memgd's
searches ported).  Here the page's functions run at seeded random settings over the sliders' whole
ranges (alpha L in [1e-3, 2.5], b in [-0.5, 2], tau in 1..16, kappa in [1.5, 1000]) and at the
optima of the (alpha L, b) plane (double roots, where root finders lose half their digits), and
are compared with :func:`memgd.theory.quadratic_rate`, :func:`memgd.theory.rate` and
:func:`memgd.theory.rate2`.

Tolerances:

- exact rate: the page's error bar (the Braess-Hadeler inclusion radius of its roots at the worst
  eigenvalue) + memgd's (the same radius for memgd's companion eigenvalues) + 1e-12 for the max
  over h (both search the same grid and refine the same cells to 1e-13 (L - mu));
- theorems: the same formulas and the same operations in the same order; ``Math.pow`` and
  ``np.power`` may differ by under one ulp, which can move the bisection's answer (the first float
  passing the rounded test) by one float: 2 ulps.  Settings at the edge of the step hypothesis
  (alpha s (mu + L) = 2 in floating point) check its rounding margin.

Then the widget itself: the site checker's explorable check (address, readout, slider) passes on
the real page and fails on a page whose script has the memory weight's sign flipped.  Needs
Playwright and /usr/bin/chromium (skipped without them; ``.ci/run`` runs it with the site check).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS))
sys.path.insert(0, str(DOCS / "explore"))

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("needs Debian's /usr/bin/chromium", allow_module_level=True)

import check_site  # noqa: E402
from explorable_data import explorable_data, pattern, widget_html  # noqa: E402

from memgd.theory import quadratic_rate, rate, rate2  # noqa: E402

SCRIPT = (DOCS / "_static" / "explorable.js").read_text()
#: optima of the (alpha L, b) plane found by Nelder-Mead on memgd's exact rate (tau, kappa, alpha L, b):
#: the worst root is double there
OPTIMA = ((1, 10.0, 2.3846153846153846, 0.20099255583126552), (1, 100.0, 2.9223300970873276, 0.31613069702931385),
          (3, 10.0, 2.028571428571426, 0.05819307682831634), (5, 100.0, 2.171590848690297, 0.07977027213057772))


def settings(n: int = 80, seed: int = 20240) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        b = 0.0 if rng.random() < 0.15 else float(rng.uniform(-0.5, 2.0))
        out.append(dict(alphaL=float(10 ** rng.uniform(-3, math.log10(2.5))), b=b, tau=int(rng.integers(1, 17)),
                        kappa=float(10 ** rng.uniform(math.log10(1.5), 3))))
    out += [dict(alphaL=a, b=b, tau=t, kappa=k) for t, k, a, b in OPTIMA]
    for b, kappa in ((0.0, 10.0), (0.05, 7.0), (0.02, 1000.0)):   # the step hypothesis' edge, and just inside
        edge = 2.0 / ((1 + b) * (1 / kappa + 1.0))
        out += [dict(alphaL=edge * f, b=b, tau=2, kappa=kappa) for f in (1.0, 1 - 1e-15, 1 - 1e-12)]
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorable")
    data = explorable_data(certificates=False)
    page = "<!doctype html><html><head><meta charset='utf-8'><link rel='stylesheet' href='memgd.css'></head><body>" \
           "<article role='main' style='width: 700px'>{}</article></body></html>"
    (root / "memgd.css").write_text((DOCS / "_static" / "memgd.css").read_text())
    (root / "explorable.js").write_text(SCRIPT)
    (root / "mutant.js").write_text(SCRIPT.replace("w[0] = 1.0; w[tau] = b;", "w[0] = 1.0; w[tau] = -b;"))
    assert (root / "mutant.js").read_text() != SCRIPT
    (root / "index.html").write_text(page.format(widget_html(data, script="explorable.js")))
    (root / "mutant.html").write_text(page.format(widget_html(data, script="mutant.js")))
    server, base = check_site.serve(root)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = check_site.launch(pw)
        outside: list[str] = []
        tab = check_site.new_page(browser, base, 1280, outside)
        yield tab, base, data
        assert not outside
        browser.close()
    server.shutdown()


@pytest.fixture(scope="module")
def computed(served):
    tab, base, data = served
    tab.goto(f"{base}/index.html#alphaL=0.01&b=0&tau=1&kappa=10", wait_until="load")
    check_site.settle(tab)
    S = settings()
    js = """([S, data]) => { const X = window.memgdExplorable, th = X.makeTheory(data), f = (v) => (isFinite(v) ? v : String(v));
      return S.map((s) => { const v = X.patternConstants(s.kappa, s.alphaL, s.b, s.tau);
        const e = X.exactRate(v.mu, v.L, s.alphaL, X.weights(s.b, s.tau), 257, true);
        return {exact: f(e.rate), error: f(e.error), h: e.h, t1: f(th.theorem1(v, '1')), t1b: f(th.theorem1(v, '1b')),
                t2: f(th.theorem2(v, s.b >= 0))}; }); }"""
    return S, tab.evaluate(js, [S, data])


def _f(v) -> float:
    return float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))


def test_exact_rate_matches_memgd(computed):
    S, out = computed
    worst = 0.0
    for s, o in zip(S, out):
        p = pattern(s["b"], s["tau"])
        q = quadratic_rate(1 / s["kappa"], 1.0, s["alphaL"], p)
        assert math.isfinite(_f(o["exact"])), (s, o)          # the root finder never gave up
        tol = _f(o["error"]) + check_site.root_error(q.h_worst * s["alphaL"], p) + 1e-12
        assert abs(_f(o["exact"]) - q.rate) <= tol, (s, o, q)
        worst = max(worst, abs(_f(o["exact"]) - q.rate))
    assert worst < 1e-9   # measured: below 1e-12 everywhere, double roots included


def test_error_bars_are_wide_only_at_double_roots(computed):
    """Simple roots: error bars near rounding; the optima (double roots): about sqrt(u)."""
    S, out = computed
    at_optimum = [(s["tau"], s["kappa"], s["alphaL"], s["b"]) in OPTIMA for s in S]
    assert max(_f(o["error"]) for o, opt in zip(out, at_optimum) if opt) > 1e-9
    assert np.median([_f(o["error"]) for o, opt in zip(out, at_optimum) if not opt]) < 1e-12


def test_theorems_match_memgd(computed):
    S, out = computed
    finite = {"t1": 0, "t1b": 0, "t2": 0}
    for s, o in zip(S, out):
        p = pattern(s["b"], s["tau"])
        kw = dict(mu=1 / s["kappa"], L=1.0, alpha=s["alphaL"], s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)
        want = {"t1": rate(**kw, theorem="1"), "t1b": rate(**kw, theorem="1b"),
                "t2": rate2(mu=kw["mu"], L=1.0, alpha=s["alphaL"], s_lo=p.s, B=p.B, W=p.W, T=p.T, nonnegative=s["b"] >= 0)}
        for k, v in want.items():
            got = _f(o[k])
            if math.isinf(v):
                assert math.isinf(got), (k, s, got)
            else:
                assert abs(got - v) <= 2 * np.finfo(float).eps * max(1.0, v), (k, s, got, v)
                finite[k] += 1
    assert min(finite.values()) >= 10, finite   # each theorem was compared where it says something (1b: 14 of 93)


def test_widget_passes_the_site_check(served):
    tab, base, _ = served
    assert check_site.check_explorable(tab, f"{base}/index.html", settings=((0.5, -0.3, 3, 30.0),)) == []


def test_widget_with_a_wrong_sign_fails_the_site_check(served):
    tab, base, _ = served
    failures = check_site.check_explorable(tab, f"{base}/mutant.html", settings=((0.3, 0.5, 1, 10.0),))
    assert any("exact rate" in f for f in failures), failures


def test_root_finder_recovers_from_a_bad_start(served):
    """All starting points on one root: the approximations would all converge to it; the inclusion radii
    catch it and the finder restarts.  Roots against numpy's (simple roots here: 1e-12)."""
    tab, _, _ = served
    coef = [1.0, -0.9, 0.05, 0.0, 0.02]      # z^4 - 0.9 z^3 + 0.05 z^2 + 0.02
    got = tab.evaluate("""(a) => { const X = window.memgdExplorable, z = X.polyRoots(Float64Array.from(a), null);
        const r0 = X.polyRoots(Float64Array.from(a), null), bad = {re: new Float64Array(4).fill(r0.re[0]), im: new Float64Array(4)};
        const r = X.polyRoots(Float64Array.from(a), bad);
        return {ok: r.ok, re: Array.from(r.re), im: Array.from(r.im)}; }""", coef)
    assert got["ok"]
    want = np.sort_complex(np.roots(coef))
    have = np.sort_complex(np.array(got["re"]) + 1j * np.array(got["im"]))
    assert np.abs(have - want).max() < 1e-12


#: (p, q, D) near p + q = 1, where memgd's rounding margins move the Halanay root by 4 to 24 ulps
HALANAY = ((0.5, 0.45, 4), (0.9, 0.09, 2), (0.99, 0.0099, 8), (0.3, 0.6, 0), (0.7, 0.29, 16), (0.95, 0.04, 32))


def test_halanay_root_keeps_memgds_margins(served):
    """The page's Halanay root equals memgd's (rounded upward with its margins) to one ulp (Math.pow against
    np.power), at points where the margins are worth 4 or more ulps (shown here on a bisection without them)."""
    from memgd.theory.halanay import halanay_root

    tab, _, data = served
    got = tab.evaluate("([H, data]) => { const th = window.memgdExplorable.makeTheory(data); "
                       "return H.map(([p, q, D]) => th.halanayRoot(p, q, D)); }", [HALANAY, data])
    for (p, q, D), g in zip(HALANAY, got):
        lo, hi = 0.0, 1.0
        for _ in range(64):                       # the same bisection without the margins
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if mid**D * (mid - p) >= q else (mid, hi)
        want = halanay_root(p=p, q=q, D=D)
        assert want - hi >= 4 * np.spacing(want)   # the margins matter here
        assert abs(g - want) <= np.spacing(want), (p, q, D, g, want)
