r"""What the explorable's page carries from memgd: the theorems' formulas, memgd's constants, certificates.

The explorable (``docs/_static/explorable.js``) computes on the page, for
:math:`d_k = g_k + b\,g_{k-\tau}` on quadratics with spectrum in :math:`[\mu, L]` (units
:math:`L = 1`, :math:`\mu = 1/\kappa`): the exact rate (roots of :math:`\chi_h`, as
:func:`memgd.theory.exact_rate`), Theorems 1 and 1b (as :func:`memgd.theory.rate`) and Theorem 2 (as
:func:`memgd.theory.rate2`).  So that these cannot drift from memgd, the page receives:

- :func:`formulas`: the sympy expressions of the theorems (:data:`memgd.theory.THEOREM_1`,
  :data:`memgd.theory.THEOREM_1B`, :mod:`memgd.theory.theorem2`) printed as JavaScript by
  ``sympy.jscode`` at build time;
- :func:`constants`: memgd's rounding margins and candidate sets (``THETAS``, ``S_FRACTIONS``, ...);
- :func:`certified_grid`: the certified rate over the function class (a Lyapunov SDP verified in
  float64, :func:`memgd.proofs_check.certificates.certify.certify`) on a grid of
  :math:`(\kappa, \tau, b, \alpha L)`; the page only looks these up.  Grid points without a
  certificate are kept (``rho`` None) and drawn as such.

The certificates run as a campaign (:func:`memgd.proofs_check.campaigns.run_tasks`, serial backend)
whose results are stored under ``docs/_build/.explorable_certificates`` keyed on memgd's code, so a
rebuild of the same code reuses them (``MEMGD_EXPLORABLE_STORE=none`` turns the store off).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import sympy as sp

from memgd.theory import THEOREM_1, THEOREM_1B, Pattern, exact_rate
from memgd.theory import constants as _c1
from memgd.theory import constants2 as _c2
from memgd.theory import halanay as _hal
from memgd.theory import theorem2 as _t2

#: The certified grid: condition numbers, ages, memory weights (0 is gradient descent, one age for
#: all), steps alpha L.  Ages up to 4: a certificate at age 8 costs about 0.2 s, ten times age 1.
KAPPA_GRID = (10.0, 100.0)
AGE_GRID = (1, 2, 4)
WEIGHT_GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
STEP_GRID = tuple(float(a) for a in np.round(np.geomspace(0.005, 2.0, 14), 6))

#: memgd.theory.constants2.largest_admissible_sum lowers the root of psi = 1 by these multiples of
#: psi's rounding margin until the rounded check passes (a literal in that function, repeated here; the
#: test that compares the page's Theorem 2 with memgd's would catch a change).
S_LOWERING = (4, 64, 1024, 2**20, 2**30, 2**40, 2**45, 2**49, 2**51)


def _js(expr: sp.Basic) -> dict:
    """A sympy expression as a JavaScript function body and its argument names (sorted)."""
    names = sorted(str(s) for s in expr.free_symbols)
    return {"args": names, "body": sp.jscode(expr)}


def formulas() -> dict:
    """The theorems' expressions as JavaScript: Theorem 1 and 1b's p, q, D; Theorem 2's psi, rho_2^2,
    the smallest admissible lambda and the largest admissible s' (both derived by sympy in memgd)."""
    out = {}
    for tag, th in (("t1", THEOREM_1), ("t1b", THEOREM_1B)):
        out[f"{tag}_p"], out[f"{tag}_q"], out[f"{tag}_delay"] = _js(th.p), _js(th.q), _js(sp.sympify(th.delay))
    out["t2_psi"] = _js(_t2.PSI)
    out["t2_rho_sq"] = _js(_t2.RHO_SQ)
    out["t2_lambda_min"] = _js(_t2.lambda_min())
    out["t2_largest_sum"] = _js(_t2.largest_sum())
    return out


def constants() -> dict:
    """memgd's rounding margins and candidate sets, as the JavaScript port uses them."""
    return {
        "UNIT": _hal.UNIT, "P_SLACK": _hal.P_SLACK, "Q_SLACK": _hal.Q_SLACK, "BISECTIONS": _hal.BISECTIONS,
        "STEP_MARGIN": _c1.STEP_MARGIN, "RHO_SQ_ROUNDING": float(_c2.RHO_SQ_ROUNDING),
        "THETAS": [float(t) for t in _c2.THETAS], "S_FRACTIONS": [float(s) for s in _c2.S_FRACTIONS],
        "S_LOWERING": list(S_LOWERING),
    }


def pattern(b: float, tau: int) -> Pattern:
    """d_k = g_k + b g_{k - tau} (gradient descent when b = 0)."""
    return Pattern((0, tau), (1.0, b)) if b != 0 else Pattern.plain()


def certify_point(kappa: float, tau: int, b: float, alpha_L: float) -> dict:
    """The certified rate of d_k = g_k + b g_{k-tau} at step alpha_L / L on the class with L = 1,
    mu = 1/kappa: ``{"rho", "transient"}`` (None, None where no certificate verified).

    The search starts from the exact quadratic rate (a lower bound on any certifiable rate) and
    stops at a bracket of 1% of 1 - rho (between 1e-7 and 1e-4), so iteration counts derived from
    it are within about 1%.
    """
    from memgd.proofs_check.certificates.certify import certify

    p = pattern(b, tau)
    exact = float(exact_rate(1.0 / kappa, 1.0, alpha_L, p))
    if not exact < 1.0:
        return {"rho": None, "transient": None, "exact": exact}
    tol = float(np.clip(1e-2 * (1.0 - exact), 1e-7, 1e-4))
    c = certify(1.0 / kappa, 1.0, alpha_L, p, rho_lower=exact, tol=tol, objective="transient")
    if not c.certified:
        return {"rho": None, "transient": None, "exact": exact}
    return {"rho": float(c.rho), "transient": float(c.transient), "exact": exact}


def _store():
    folder = os.environ.get("MEMGD_EXPLORABLE_STORE", str(Path(__file__).resolve().parents[1] / "_build" / ".explorable_certificates"))
    if folder == "none":
        return None
    from memgd.proofs_check.campaigns import ResultStore

    return ResultStore(Path(folder))


def certified_grid(kappas=KAPPA_GRID, ages=AGE_GRID, weights=WEIGHT_GRID, steps=STEP_GRID) -> dict:
    """Certificates on the grid, indexed ``points[kappa][tau][b][alpha]`` (gradient descent, b = 0, is
    computed once per kappa and stored under every age)."""
    from memgd.proofs_check.campaigns import RunConfig, StaleResults, Task, run_tasks

    tasks = {}
    for k in kappas:
        for t in ages:
            for b in weights:
                for a in steps:
                    key = (k, ages[0] if b == 0 else t, b, a)
                    tasks[key] = Task(certify_point, dict(kappa=k, tau=key[1], b=b, alpha_L=a),
                                      label=f"certify kappa={k:g} tau={key[1]} b={b:g} alphaL={a:g}")
    store = _store()
    config = RunConfig(backend="serial")
    try:
        results = run_tasks(list(tasks.values()), config, store=store, resume=store is not None)
    except StaleResults:   # stored by other code: recompute (the new results replace them)
        results = run_tasks(list(tasks.values()), config, store=store, resume=False)
    points = [[[[{"rho": results[tasks[(k, ages[0] if b == 0 else t, b, a)].key].value["rho"],
                  "transient": results[tasks[(k, ages[0] if b == 0 else t, b, a)].key].value["transient"]}
                 for a in steps] for b in weights] for t in ages] for k in kappas]
    return {"kappa": list(kappas), "tau": list(ages), "b": list(weights), "alpha_L": list(steps), "points": points}


def best_memory(kappa: float, tau: int, *, steps: int = 24, weights: int = 21) -> dict:
    r"""The best exact rate of d_k = g_k + b g_{k-tau} over (alpha L, b) on quadratics with L = 1, mu = 1/kappa.

    A grid (``steps`` values of alpha L log-spaced in [0.05, 2.5], ``weights`` values of b in [-0.5, 1.5],
    :func:`memgd.theory.exact_rate` with 33 eigenvalues), then Nelder-Mead (scipy) from the best grid
    point on memgd's exact rate with 65 eigenvalues (and refinement).  A local search: the value returned is an
    evaluated rate (never below the true minimum over the plane by more than the rate's own error),
    the point may miss a better basin the grid did not see.
    """
    from scipy.optimize import minimize

    A = np.geomspace(0.05, 2.5, steps)
    best = (np.inf, 0.0, 0.0)
    for b in np.linspace(-0.5, 1.5, weights):
        r = np.asarray(exact_rate(1.0 / kappa, 1.0, A, pattern(float(b), tau), n_grid=33))
        i = int(np.argmin(r))
        if r[i] < best[0]:
            best = (float(r[i]), float(A[i]), float(b))

    def f(x):
        a, b = 10.0 ** x[0], x[1]
        return float(exact_rate(1.0 / kappa, 1.0, a, pattern(float(b), tau), n_grid=65)) if 0 < a <= 4 else 2.0

    res = minimize(f, [np.log10(best[1]), best[2]], method="Nelder-Mead",
                   options=dict(xatol=1e-7, fatol=1e-11, maxiter=300))
    a, b = 10.0 ** float(res.x[0]), float(res.x[1])
    return {"kappa": kappa, "tau": tau, "alpha_L": a, "b": b, "rate": f(res.x)}


def explorable_data(certificates: bool = True) -> dict:
    """Everything the page's JavaScript needs (``certificates=False``: an empty certified grid)."""
    cert = certified_grid() if certificates else {"kappa": [], "tau": [], "b": [], "alpha_L": [], "points": []}
    return {"formulas": formulas(), "constants": constants(), "certified": cert}


def widget_html(data: dict, script: str = "../_static/explorable.js") -> str:
    """The explorable's HTML: sliders, readout, four figures, the data and the script."""
    import json

    def slider(key, label, title):
        return (f'<div class="mx-control"><label for="mx-{key}">{label} = <output id="mx-{key}-v"></output></label>'
                f'<input type="range" id="mx-{key}" aria-label="{title}"></div>')

    def figure(key, caption):
        return (f'<figure class="mx-figure"><div class="mx-plot-holder" id="mx-fig-{key}"></div>'
                f'<figcaption>{caption}</figcaption></figure>')

    return f"""
<div class="memgd-explorable" id="memgd-explorable" data-ready="0">
 <div class="mx-controls">
  {slider("alphaL", "step &alpha;L", "step alpha times L")}
  {slider("b", "memory weight b", "memory weight b")}
  {slider("tau", "age &tau;", "age tau")}
  {slider("kappa", "&kappa; = L/&mu;", "condition number kappa")}
  <div class="mx-formula" id="mx-formula"></div>
 </div>
 <table class="mx-readout" id="mx-readout">
  <thead><tr><th>method / bound</th><th>rate &rho;</th><th>iterations to 10<sup>&minus;6</sup></th><th>note</th></tr></thead>
  <tbody id="mx-readout-rows"><tr><td colspan="4">(the explorable needs JavaScript)</td></tr></tbody>
 </table>
 <div class="mx-buttons"><button type="button" id="mx-go-optimum">go to the memory optimum</button>
  <button type="button" id="mx-go-grid">go to the nearest certified step</button></div>
 {figure("iterations", "<b>Iterations to reach 10<sup>&minus;6</sup> against the step</b>, for the current b, &tau;, &kappa;. "
         "Each rate &rho; gives K = &lceil;log(10<sup>&minus;6</sup>/C)/log &rho;&rceil;. The exact curve is for quadratics "
         "(a lower bound on the worst case over the class); the theorems and the certificate are upper bounds over "
         "the whole class of &mu;-strongly convex L-smooth functions; the dotted lines are gradient descent and heavy ball "
         "at their best tuning for quadratics. Certificates exist on the grid only: move b and &kappa; to a tick.")}
 {figure("map", "<b>The (&alpha;L, b) plane</b> at the current &tau; and &kappa;: colour is the exact rate's iterations to "
         "10<sup>&minus;6</sup> (darker is faster; grey diverges); the red edge is the stability boundary. The star is "
         "the best memory setting, the diamond gradient descent's best step. Circles and crosses: the certified grid "
         "(shown when &tau; and &kappa; are grid values).")}
 <p class="mx-optimum" id="mx-optimum"></p>
 {figure("eigen", "<b>Every eigen-direction has its own rate.</b> On a quadratic the method decouples along the "
         "Hessian's eigenvectors; the exact rate is the worst direction (the dot). Gradient descent at the same step "
         "and heavy ball at its best tuning are drawn for comparison.")}
 {figure("distance", "<b>Distance to the minimizer against k</b> (log&ndash;log): the run along the worst direction, and "
         "each rate's line C&rho;<sup>k</sup>, over a horizon long enough for the slowest bound to reach 10<sup>&minus;8</sup>.")}
</div>
<script type="application/json" id="memgd-explorable-data">{json.dumps(data)}</script>
<script src="{script}"></script>
"""
