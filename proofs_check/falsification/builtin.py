r"""The package's own claims, registered with the falsification registry (:mod:`.core`).

Theorems 1 and 1b (any sign), Theorem 2 (nonnegative weights), the critical rule's age
theorems A, A' and B, the run comparison, the lower-bound searches and the built-in rules'
declared constants.  A theorem added to the package registers itself here the same way, in a
few lines (for a rate theorem over memory patterns, a :class:`~.rate_theorems.RateTheorem`
from its rate and edge functions).
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.falsification.checkers import DeclaredConstants, LowerBoundSearch, RunComparison
from memgd.proofs_check.falsification.core import register
from memgd.proofs_check.falsification.critical_ages import AgeTheorem, FloorTheorem
from memgd.proofs_check.falsification.rate_theorems import RateTheorem, TightCase
from memgd.theory import alpha_max, alpha_max2, best_bound, rate, rate2
from memgd.theory.pattern import Pattern


def _raises(fn, name: str) -> bool:
    """Whether ``fn()`` raises ValueError naming ``name`` (bad input refused before any work)."""
    try:
        fn()
    except ValueError as err:
        return name in str(err)
    return False


def _gradient_descent_is_tight(kappas=(1.0, 10.0, 1e3), fracs=(0.5, 1.0)) -> tuple[TightCase, ...]:
    """No memory (T = 0, B = 0): the rate 1 - alpha s mu is gradient descent's exact rate at h = mu."""
    return tuple(TightCase(k, Pattern((0,), (s,)), f, f"gradient descent, s={s:g}, kappa={k:g}, {f:g} of the edge")
                 for k in kappas for s in (1.0, 0.5) for f in fracs if not (k == 1.0 and f >= _EDGE_INSIDE))


# Theorem 1 / 1b admit the step edge 2 / ((mu + L) s_hi) itself in the mathematics, but in floating point
# only up to the relative margin STEP_MARGIN (memgd.theory.constants: the product alpha s_hi (mu + L) is
# rounded), so their tight cases are taken just inside the edge.
_EDGE_INSIDE = 1.0 - 1e-12


def _theorem_1_refusals(theorem: str):
    def probes():
        kw = dict(mu=1.0, L=10.0, alpha=0.001, s_hi=1.0, B=0.01, W=1.0, T=2)
        out = [(f"s_lo = 0 (Theorem {theorem})", np.isinf(rate(**dict(kw, s_lo=0.0), theorem=theorem))),
               (f"s_lo < 0 (Theorem {theorem})", np.isinf(rate(**dict(kw, s_lo=-0.5), theorem=theorem))),
               (f"a step beyond 2 / ((mu + L) s_hi) (Theorem {theorem})",
                np.isinf(rate(**dict(kw, s_lo=1.0, alpha=0.2), theorem=theorem))),
               ("L < mu raises naming L", _raises(lambda: rate(**dict(kw, s_lo=1.0, L=0.5), theorem=theorem), "L"))]
        if theorem == "1b":
            out.append(("2 L B >= s_lo mu (Theorem 1b)", np.isinf(rate(**dict(kw, s_lo=1.0, B=0.05), theorem="1b"))))
        return out
    return probes


def _theorem_2_refusals():
    from memgd.proofs_check.properties.bound_check import check_realized, declared_nonnegative
    from memgd.solvers import Fifo, FixedWeights, make_quadratics, run

    kw = dict(mu=1.0, L=10.0, alpha=0.005, B=0.5, W=2.0, T=1)
    signed_run = run(make_quadratics(2, 3, 1.0, 10.0, rng=np.random.default_rng(0)), Fifo(1),
                     FixedWeights(1.5, (-0.5,)), 0.005, 40, rng=0, tol=0.0)
    problems = make_quadratics(2, 3, 1.0, 10.0, rng=np.random.default_rng(0))
    bound = best_bound(**kw, s_lo=1.0, s_hi=2.0, nonnegative_weights=False)
    return [
        ("signed weights: rate2(nonnegative=False)", np.isinf(rate2(**kw, s_lo=1.0, nonnegative=False))),
        ("signed weights: best_bound never names Theorem 2", "2" not in set(np.atleast_1d(bound.theorem))),
        ("a run with a negative weight is not checked against Theorem 2",
         "2" not in set(check_realized(signed_run, problems, theorem_2=True).theorem)),
        ("FixedWeights(1.5, (-0.5,)) does not declare nonnegative weights",
         not declared_nonnegative(FixedWeights(1.5, (-0.5,)))),
        ("s_lo = 0", np.isinf(rate2(**kw, s_lo=0.0))),
        ("s_lo < 0", np.isinf(rate2(**kw, s_lo=-0.5))),
        ("L < mu raises naming L", _raises(lambda: rate2(**dict(kw, L=0.5), s_lo=1.0), "L")),
    ]


THEOREM_1 = register(RateTheorem(
    name="Theorem 1", description="any selection, any combination: r_k <= rho^k r_0 (docs/math/theorem1.md)",
    rate=lambda **c: rate(**c, theorem="1"), edge=lambda **c: alpha_max(**c, theorem="1"), signed=True, outward=True,
    refusals=_theorem_1_refusals("1"), tight=_gradient_descent_is_tight(fracs=(0.5, _EDGE_INSIDE))))

THEOREM_1B = register(RateTheorem(
    name="Theorem 1b", description="step-free memory term, 2 L B < s_lo mu (docs/math/theorem1.md)",
    rate=lambda **c: rate(**c, theorem="1b"), edge=lambda **c: alpha_max(**c, theorem="1b"), signed=True, outward=True,
    refusals=_theorem_1_refusals("1b"), tight=_gradient_descent_is_tight(fracs=(0.5, _EDGE_INSIDE))))


def _rate2(*, mu, L, alpha, s_lo, s_hi, B, W, T):
    return rate2(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T)


def _edge2(*, mu, L, s_lo, s_hi, B, W, T):
    return alpha_max2(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T)


THEOREM_2 = register(RateTheorem(
    name="Theorem 2", description="nonnegative weights, order kappa T (docs/math/theorem2.md)",
    rate=_rate2, edge=_edge2, signed=False, edge_attained=True, outward=True, refusals=_theorem_2_refusals,
    tight=_gradient_descent_is_tight(kappas=(1.0,), fracs=(0.2, 0.5))))

AGE_A = register(AgeTheorem(transient=False, name="Age theorem A",
                            description="ages <= top_c + floor(ln kappa / ln(r_lo / decay)) when r_{k+1} >= r_lo r_k"))
AGE_A_PRIME = register(AgeTheorem(transient=True, name="Age theorem A'",
                                  description="ages <= top_c + max(0, floor(ln(kappa / c) / ln(gamma / decay))) "
                                              "when r_j >= c gamma^(j-b) r_b"))
AGE_B = register(FloorTheorem())
RUN_COMPARISON = register(RunComparison())
LOWER_BOUNDS = register(LowerBoundSearch())
DECLARED = register(DeclaredConstants())
