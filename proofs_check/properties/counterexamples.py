r"""Counterexamples outside the theorem's assumptions, found and shrunk by hypothesis.

Each search draws parameters, runs the method, and keeps the *smallest* parameters
(hypothesis's shrinking) for which the stated bad outcome happens; the result names
the assumption of Theorem 1 the example breaks (:mod:`memgd.proofs_check.properties.assumptions`).

(a) a step beyond the stability limit: plain gradient descent with
    :math:`\alpha > 2/L` diverges (breaks A2);
(b) unbounded ages: "keep oldest" forever with aggregation "sum" converges to a
    wrong point, where :math:`\nabla f(x) = -\kappa\,\mathrm{mean}(\text{stored})` (breaks A4);
(c) the critical-gradient rule with aggregation "mean" and decay 0.9 or 0.99
    diverges on a well-conditioned quadratic at a step where plain gradient descent
    converges (docs/math/critical_rule.md; its ages grow: breaks A3 for the realized T);
(d) a combination with :math:`s_{lo} \le 0` (breaks A1) diverges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st

from memgd.proofs_check.properties.assumptions import Violation, ages_grow_without_bound, broken_assumptions
from memgd.proofs_check.properties.reproducible_hypothesis import seed_only_examples
from memgd.solvers import Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, Status, make_quadratics, run


@dataclass(frozen=True)
class Counterexample:
    label: str            # "a".."d"
    title: str
    parameters: dict      # the minimal parameters found
    outcome: str          # what happened, in words with figures
    broken: list[Violation]


def _search_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _quadratic(L: float, seed: int = 0):
    return make_quadratics(1, 4, 1.0, L, rng=np.random.default_rng(seed))


def _diagnose(result, problems, i: int = 0) -> list[Violation]:
    c = result.constants
    return broken_assumptions(mu=float(problems.mu[i]), L=float(problems.L[i]), alpha=float(result.alpha[i]),
                              s_lo=float(c.s_lo[i]), s_hi=float(c.s_hi[i]), B=float(c.B[i]), W=float(c.W[i]),
                              T=float(c.T[i]), ages_bounded=not ages_grow_without_bound(result.max_age[:, i]))


def step_beyond_stability(max_examples: int = 200) -> Counterexample:
    """(a) the smallest (L, alpha L) with which gradient descent diverges."""
    params = st.fixed_dictionaries({"L": st.floats(1.0, 100.0), "alpha_L": st.floats(0.1, 4.0)})

    def diverges(p):
        P = _quadratic(p["L"])
        return run(P, Fifo(0), Aggregation("sum"), p["alpha_L"] / p["L"], 400).status[0] == Status.DIVERGED

    with seed_only_examples():
        p = find(params, diverges, settings=_search_settings(max_examples))
    P = _quadratic(p["L"])
    res = run(P, Fifo(0), Aggregation("sum"), p["alpha_L"] / p["L"], 400)
    return Counterexample("a", "step beyond the stability limit diverges", p,
                          f"gradient descent with alpha L = {p['alpha_L']:.4g} > 2 diverges at step {int(res.nit[0])}",
                          _diagnose(res, P))


def keep_oldest_forever(max_examples: int = 100) -> Counterexample:
    """(b) "keep oldest" forever converges to a point other than x*; reports the distance."""
    params = st.fixed_dictionaries({"C": st.integers(1, 4), "kappa": st.floats(0.05, 2.0),
                                    "alpha_L": st.floats(0.05, 0.9)})
    L = 10.0

    def final_run(p):
        return run(_quadratic(L), KeepOldest(p["C"]), Aggregation("sum", p["kappa"]), p["alpha_L"] / L, 800, tol=0.0)

    def settles_wrong(p):
        r = final_run(p).distances[:, 0]
        return bool(np.isfinite(r[-1]) and r[-1] > 1e-3 and abs(r[-1] - r[-2]) < 1e-12 * r[-1])

    with seed_only_examples():
        p = find(params, settles_wrong, settings=_search_settings(max_examples))
    P = _quadratic(L)
    res = final_run(p)
    return Counterexample("b", "unbounded ages converge to a wrong point", {**p, "L": L},
                          f"settles at ||x - x*|| = {res.distances[-1, 0]:.4g} (r_0 = 1), "
                          f"oldest gradient age {int(res.constants.T[0])}", _diagnose(res, P))


def critical_mean_diverges(max_examples: int = 100) -> Counterexample:
    """(c) critical rule, aggregation "mean", decay 0.9 or 0.99, diverging where GD converges."""
    params = st.fixed_dictionaries({"decay": st.sampled_from([0.9, 0.99]), "top_c": st.integers(2, 10),
                                    "L": st.floats(1.0, 10.0), "alpha_L": st.floats(0.05, 1.0)})

    def diverges_where_gd_converges(p):
        P = _quadratic(p["L"])
        alpha = p["alpha_L"] / p["L"]
        mem = run(P, CriticalGradients(p["top_c"], p["decay"]), Aggregation("mean"), alpha, 3000)
        gd = run(P, Fifo(0), Aggregation("sum"), alpha, 3000)
        return mem.status[0] == Status.DIVERGED and gd.status[0] == Status.CONVERGED

    with seed_only_examples():
        p = find(params, diverges_where_gd_converges, settings=_search_settings(max_examples))
    P = _quadratic(p["L"])
    alpha = p["alpha_L"] / p["L"]
    res = run(P, CriticalGradients(p["top_c"], p["decay"]), Aggregation("mean"), alpha, 3000)
    return Counterexample("c", 'critical rule, "mean", high decay diverges where GD converges', p,
                          f"diverges at step {int(res.nit[0])} with ages up to {int(res.constants.T[0])}; "
                          f"plain GD at the same step converges", _diagnose(res, P))


def nonpositive_weight_sum(max_examples: int = 100) -> Counterexample:
    """(d) d = a g_k + b g_{k-1} with a + b <= 0 diverges."""
    params = st.fixed_dictionaries({"a": st.floats(0.1, 2.0), "b": st.floats(-3.0, 0.0),
                                    "alpha_L": st.floats(0.01, 1.0)}).filter(lambda p: p["a"] + p["b"] <= 0)
    L = 10.0

    def diverges(p):
        P = _quadratic(L)
        return run(P, Fifo(1), FixedWeights(p["a"], (p["b"],)), p["alpha_L"] / L, 3000).status[0] == Status.DIVERGED

    with seed_only_examples():
        p = find(params, diverges, settings=_search_settings(max_examples))
    P = _quadratic(L)
    res = run(P, Fifo(1), FixedWeights(p["a"], (p["b"],)), p["alpha_L"] / L, 3000)
    return Counterexample("d", "weights summing to s <= 0 diverge", {**p, "L": L},
                          f"s = a + b = {p['a'] + p['b']:.4g}; diverges at step {int(res.nit[0])}", _diagnose(res, P))


SEARCHES = (step_beyond_stability, keep_oldest_forever, critical_mean_diverges, nonpositive_weight_sum)


def find_all() -> list[Counterexample]:
    return [search() for search in SEARCHES]
