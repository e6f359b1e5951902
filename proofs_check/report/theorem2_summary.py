r"""Summary lines comparing Theorems 1 / 1b and Theorem 2 on the report's grid.

For each grid rule (aggregation, T, C, L) with quadratic stability limit
:math:`\alpha_c` (smallest critical step over its pattern set):

- the largest non-vacuous step of each theorem as a fraction of :math:`\alpha_c`
  (Theorem 1 / 1b: :func:`memgd.theory.alpha_max`; Theorem 2:
  :func:`memgd.theory.alpha_max2`), from the rule's declared constants, and how many
  rules reach the target :math:`\alpha_c / (4T)`;
- at Theorem 2's own best step (the grid's ``-thm2`` scenarios) the iterations
  :math:`K(\varepsilon)` it needs (transient included) against the exact quadratic
  rate's and those at the verified certificate's rate at the same step (an interval over
  the certificate's resolution, :mod:`~memgd.proofs_check.report.digits`).

Only evaluations actually made are counted (a vacuous bound is not a check).  The run checks of
every theorem are counted in :func:`memgd.proofs_check.report.sections.run_check_rows`.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.properties.bound_check import declared_nonnegative
from memgd.proofs_check.report import digits
from memgd.theory import alpha_max, alpha_max2


def _k2(ev) -> float:
    return ev.iterations(ev.bound2_rate, ev.bound2_transient**2) if np.isfinite(ev.bound2_rate) else float("inf")


def _stat(values: list[float]) -> str:
    return f"median {np.median(values):.3g}, range {min(values):.3g} to {max(values):.3g} ({len(values)} rules)"


def step_fractions(sc, c: dict, nonnegative: bool) -> tuple[float, float]:
    """(Theorem 1 or 1b, Theorem 2): the largest non-vacuous step of each with the constants ``c``, as a
    fraction of the scenario's quadratic stability limit."""
    kw = dict(mu=sc.mu, L=sc.L, s_lo=c["s_lo"], B=c["B"], W=c["W"], T=c["T"])
    a1 = max(float(alpha_max(**kw, s_hi=c["s_hi"], theorem="1")), float(alpha_max(**kw, s_hi=c["s_hi"], theorem="1b")))
    a2 = float(alpha_max2(**kw, nonnegative=nonnegative))
    return a1 / sc.stability_limit, a2 / sc.stability_limit


def grid_rule_figures(scenarios) -> list[dict]:
    """Per grid rule (scenarios with a stability limit, declared constants): the two step fractions of
    :func:`step_fractions`, whether each reaches 1/(4T), and at Theorem 2's own best step (the ``-thm2``
    scenario) the iterations to 1e-6 r_0 it needs against the exact quadratic rate's.  No runs: the
    numbers the report's summary and docs/math/theorem2.md give for the grid."""
    from memgd.theory import exact_rate, iteration_count, iterations2, rate2

    rules: dict[str, list] = {}
    for sc in scenarios:
        if sc.stability_limit is not None:
            rules.setdefault(sc.name.rsplit("-", 1)[0], []).append(sc)
    out = []
    for name, scs in rules.items():
        sc = scs[0]
        dc = sc.combination.declared_constants(sc.capacity)
        c = dict(s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=sc.selection.max_age)
        nn = declared_nonnegative(sc.combination)
        f1, f2 = step_fractions(sc, c, nn)
        row = dict(rule=name, thm1_fraction=f1, thm2_fraction=f2, thm1_reaches=f1 >= 1 / (4 * c["T"]),
                   thm2_reaches=f2 >= 1 / (4 * c["T"]), thm2_vs_exact=float("nan"))
        at2 = [x for x in scs if x.name.endswith("-thm2")]
        if at2 and at2[0].pattern is not None:
            x = at2[0]
            rho = float(rate2(mu=x.mu, L=x.L, alpha=x.alpha, s_lo=c["s_lo"], B=c["B"], W=c["W"], T=c["T"],
                              nonnegative=nn))
            exact = float(exact_rate(x.mu, x.L, x.alpha, x.pattern))
            row["thm2_vs_exact"] = float(iterations2(eps=1e-6, rate=rho)) / float(iteration_count(eps=1e-6, rate=exact))
        out.append(row)
    return out


def theorem2_rows(evals: list) -> list[dict]:
    """Rows ``{"statement", "figure"}`` for the report's summary section."""
    rows = []
    grid = [ev for ev in evals if ev.scenario.stability_limit is not None]
    rules: dict[str, object] = {}
    for ev in grid:
        rules.setdefault(ev.scenario.name.rsplit("-", 1)[0], ev)
    if rules:
        f1, f2, hit1, hit2 = [], [], 0, 0
        for ev in rules.values():
            sc, c = ev.scenario, ev.constants
            a1, a2 = step_fractions(sc, c, declared_nonnegative(sc.combination))
            f1.append(a1)
            f2.append(a2)
            hit1 += a1 >= 1 / (4 * c["T"])
            hit2 += a2 >= 1 / (4 * c["T"])
        rows.append({"statement": "largest non-vacuous step / quadratic stability limit, Theorem 1 or 1b",
                     "figure": _stat(f1)})
        rows.append({"statement": "largest non-vacuous step / quadratic stability limit, Theorem 2",
                     "figure": _stat(f2)})
        rows.append({"statement": "grid rules non-vacuous up to 1/(4T) of the stability limit: Theorem 1/1b, "
                                  "Theorem 2", "figure": f"{hit1}, {hit2} of {len(rules)}"})
    at2 = [ev for ev in grid if ev.scenario.name.endswith("-thm2") and np.isfinite(ev.bound2_rate)]
    exact = [_k2(ev) / ev.iterations(ev.exact_rate) for ev in at2 if ev.exact_rate is not None]
    if exact:
        rows.append({"statement": "at Theorem 2's own best step, iterations it needs / exact quadratic",
                     "figure": _stat(exact)})
    cert = [digits.ratio(_k2(ev), digits.certified_iterations(ev)) for ev in at2 if ev.certified_rate is not None]
    if cert:  # an interval over the certificate's bisection resolution (digits.py)
        rows.append({"statement": "at Theorem 2's own best step, iterations it needs / at the certified rate",
                     "figure": digits.spread(cert, f" ({len(cert)} rules)")})
    return rows
