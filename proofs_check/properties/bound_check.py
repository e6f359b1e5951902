r"""Check the theorems' distance bounds on every iterate of a run (Theorems 1, 1b and 2).

For each problem with realized (or declared) constants, the bound is
:math:`r_k \le C\rho^k r_0` with :math:`\rho` the smallest valid rate of Theorem 1
and 1b (:func:`memgd.theory.best_bound`; C = 1), and of Theorem 2 as well when
``theorem_2=True`` and the weights are nonnegative (C its transient constant;
docs/math/theorem2.md); :func:`check_theorem` checks one theorem alone
(:data:`THEOREM_RATES`).  Every check goes through one comparison,
:func:`check_envelope`: it allows the floating-point resolution of a computed distance,
:math:`64\,\varepsilon (\|x^*\| + r_0)`, plus the stated error of a numerically solved x*
(``problems.x_star_error``; 0 for generated problems), and nothing more.  A check made with
estimated mu and L carries their ``constants_source``: it is then a check against
estimates, not a test of the theorem.

Two slacks are reported per problem: the *slack* at step k >= 1,
:math:`(C\rho^k r_0 - r_k) / r_0` (a negative slack beyond the resolution where the
hypotheses hold is a violation), and the scale-free *exponent slack*
:math:`\ln(C\rho^k r_0 / r_k) / (k\,|\ln\rho|)`: 0 where a run follows the bound exactly
(gradient descent at h = mu against its own rate), so an envelope shifted by one step
or a rate a little too small shows, while the plain slack of any converging run tends to
0 (steps where :math:`r_k` is within the resolution of 0 are left out of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from memgd.solvers import RunResult
from memgd.solvers.declarations import declared_nonnegative as _declared_nonnegative
from memgd.theory.constants import best_bound, rate
from memgd.theory.constants2 import rate2

EPS = np.finfo(float).eps
#: ulps of (||x*|| + r_0) a computed distance may be off by (the comparison's stated resolution)
RESOLUTION_ULPS = 64


@dataclass(frozen=True)
class BoundCheck:
    rate: np.ndarray        # (n,) bound's rate, inf where vacuous
    theorem: np.ndarray     # (n,) "1", "1b", "2" or "none"
    applies: np.ndarray     # (n,) the hypotheses hold
    min_slack: np.ndarray   # (n,) smallest (C rho^k r_0 - r_k) / r_0 over recorded k (nan if vacuous)
    worst_step: np.ndarray  # (n,) the k of that smallest slack
    violated: np.ndarray    # (n,) bool: applies and the bound failed beyond resolution
    constants_source: str = "construction"  # how mu, L were obtained (problems.constants_source)
    #: (n,) smallest ln(C rho^k r_0 / r_k) / (k |ln rho|) over recorded k with r_k above the resolution
    #: (nan where vacuous or no such k); 0: the run follows the bound exactly
    exponent_slack: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def constants_estimated(self) -> bool:
        """Whether mu and L were estimates (then the check does not test the theorem)."""
        return self.constants_source.startswith("estimated")

    @property
    def any_violation(self) -> bool:
        return bool(self.violated.any())


def check_envelope(distances: np.ndarray, rate, *, x_star: np.ndarray, transient=1.0, x_star_error=0.0,
                   theorem="given", constants_source: str = "construction") -> BoundCheck:
    """Compare recorded distances (K+1, n) with the envelope C rho^k r_0 at every step k >= 1.

    ``rate`` and ``transient`` are scalars or (n,) arrays (``inf`` rate: vacuous, nothing checked);
    ``x_star_error`` bounds ||x_star - true minimizer||.  This is the one comparison every run check
    of the package makes: its step index and its tolerance are here and nowhere else.
    """
    r = np.asarray(distances, dtype=np.float64)
    n = r.shape[1]
    rate = np.broadcast_to(np.asarray(rate, dtype=float), (n,))
    transient = np.broadcast_to(np.asarray(transient, dtype=float), (n,))
    applies = np.isfinite(rate) & np.isfinite(transient)
    r0 = r[0]
    k = np.arange(r.shape[0])[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        envelope = np.where(applies, transient * np.where(applies, rate, 0.0) ** k, np.inf) * r0
        slack = (envelope - r) / r0
        resolution = (RESOLUTION_ULPS * EPS * (np.linalg.norm(x_star, axis=1) + r0) + x_star_error) / r0
        measurable = np.isfinite(r) & applies & (k >= 1)
        slack = np.where(measurable, slack, np.inf)
        above = measurable & (r > resolution * r0) & (rate > 0) & (rate < 1)
        exponent = np.where(above, np.log(envelope / np.where(above, r, 1.0)) / (k * -np.log(rate)), np.inf)
    min_slack = slack.min(axis=0)
    worst = slack.argmin(axis=0)
    violated = applies & (min_slack < -resolution)
    exp_min = exponent.min(axis=0)
    return BoundCheck(rate=rate, theorem=np.broadcast_to(np.asarray(theorem), (n,)), applies=applies,
                      min_slack=np.where(applies, min_slack, np.nan), worst_step=worst, violated=violated,
                      constants_source=constants_source,
                      exponent_slack=np.where(applies & np.isfinite(exp_min), exp_min, np.nan))


def check_distance_bound(result: RunResult, *, mu, L, x_star: np.ndarray, s_lo, s_hi, B, W, T,
                         x_star_error=0.0, constants_source: str = "construction",
                         nonnegative_weights=False) -> BoundCheck:
    """Evaluate the best valid bound at every recorded iterate of ``result``.

    Constants may be scalars (declared, a priori) or (n,) arrays (realized, a posteriori).
    ``x_star_error`` bounds ||x_star - true minimizer|| (scalar or (n,)).
    ``nonnegative_weights`` (bool or (n,)) admits Theorem 2 where True.
    """
    bound = best_bound(mu=mu, L=L, alpha=result.alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T,
                       nonnegative_weights=nonnegative_weights)
    shape = result.alpha.shape
    return check_envelope(result.distances, np.broadcast_to(np.asarray(bound.rate, dtype=float), shape),
                          x_star=x_star, transient=np.broadcast_to(np.asarray(bound.transient, dtype=float), shape),
                          x_star_error=x_star_error, theorem=np.broadcast_to(np.asarray(bound.theorem), shape),
                          constants_source=constants_source)


def _rate_1(theorem: str) -> Callable:
    def rate_of(*, mu, L, alpha, s_lo, s_hi, B, W, T, nonnegative):
        return np.asarray(rate(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T, theorem=theorem)), 1.0
    return rate_of


def _rate_2(*, mu, L, alpha, s_lo, s_hi, B, W, T, nonnegative):
    kw = dict(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative)
    rho = np.asarray(rate2(**kw))
    # transient2(**kw) is 1 where rate2 is finite, inf elsewhere: read off rho instead of solving rate2 again
    # (tests/test_screen.py checks the two agree)
    return rho, np.where(np.isfinite(rho), 1.0, np.inf)


#: Each theorem's (rate, transient C) from the constants (keyword arguments mu, L, alpha, s_lo, s_hi,
#: B, W, T, nonnegative); inf where the theorem says nothing.  A theorem added to the package adds a line.
THEOREM_RATES: dict[str, Callable] = {"1": _rate_1("1"), "1b": _rate_1("1b"), "2": _rate_2}

#: Why a theorem checked nothing on a run: its rate is inf there for one of these reasons.
VACUOUS_REASONS = ("signed weights (Theorem 2 needs nonnegative ones)", "rho >= 1 with these constants (a "
                   "hypothesis fails at this step)")


def check_theorem(result: RunResult, problems, theorem: str, constants: dict, *,
                  nonnegative=False) -> BoundCheck:
    """One theorem's bound (:data:`THEOREM_RATES`) with the given constants (scalars: declared; (n,): realized)
    at every recorded iterate of ``result``."""
    if theorem not in THEOREM_RATES:
        raise ValueError(f"theorem must be one of {sorted(THEOREM_RATES)}, got {theorem!r}")
    rho, c = THEOREM_RATES[theorem](mu=problems.mu, L=problems.L, alpha=result.alpha, nonnegative=nonnegative,
                                    **constants)
    shape = result.alpha.shape
    return check_envelope(result.distances, np.broadcast_to(rho, shape), x_star=problems.x_star,
                          transient=np.broadcast_to(c, shape), theorem=theorem, **_problem_notes(problems))


def realized_constants(result: RunResult) -> dict:
    """The (n,) constants measured on the run: s_lo, s_hi, B, W and T (T at least 1 where B > 0)."""
    c = result.constants
    T = np.where(np.asarray(c.B) > 0, np.maximum(c.T, 1), c.T)
    return dict(s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=T)


def declared_constants(combination, selection) -> dict | None:
    """The rule's declared constants (scalars), or None when the selection bounds no age."""
    if selection.max_age is None:
        return None
    dc = combination.declared_constants(selection.capacity)
    return dict(s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=selection.max_age)


def realized_nonnegative(result: RunResult) -> np.ndarray:
    """(n,) whether every weight the run used was >= 0: W_k = s_k at every step taken
    (|a| + sum |b| equals a + sum b exactly when no weight is negative), to rounding."""
    used = np.arange(result.s.shape[0])[:, None] < result.nit[None, :]
    gap = np.where(used, result.W - result.s, 0.0)
    return np.all(gap <= 1e-12 * np.maximum(np.where(used, np.abs(result.W), 0.0), 1.0), axis=0)


def declared_nonnegative(combination) -> bool:
    """Whether a combination rule declares nonnegative weights (False when it cannot say).

    Read from the rule's ``nonnegative_weights`` declaration (:mod:`memgd.solvers.declarations`),
    the same for the shipped rules (an aggregation with kappa >= 0, fixed or by-age weights
    all >= 0, random weights with lower bounds >= 0) and a user's; every run checks it at
    every step (:mod:`memgd.solvers.step_checks`).
    """
    return _declared_nonnegative(combination)


def check_realized(result: RunResult, problems, *, theorem_2: bool = False) -> BoundCheck:
    """The bound with the constants measured on the run itself (a posteriori);
    ``theorem_2`` admits Theorem 2 on problems whose run used only nonnegative weights."""
    c = result.constants
    nn = realized_nonnegative(result) if theorem_2 else False
    return check_distance_bound(result, mu=problems.mu, L=problems.L, x_star=problems.x_star,
                                s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=c.T, nonnegative_weights=nn,
                                **_problem_notes(problems))


def check_declared(result: RunResult, problems, combination, selection, *,
                   theorem_2: bool = False) -> BoundCheck | None:
    """The bound with the rule's declared constants (a priori); None if the rule bounds no age.
    ``theorem_2`` admits Theorem 2 when the rule declares nonnegative weights."""
    if selection.max_age is None:
        return None
    capacity = selection.capacity
    dc = combination.declared_constants(capacity)
    return check_distance_bound(result, mu=problems.mu, L=problems.L, x_star=problems.x_star,
                                s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=selection.max_age,
                                nonnegative_weights=theorem_2 and declared_nonnegative(combination),
                                **_problem_notes(problems))


def _problem_notes(problems) -> dict:
    return dict(x_star_error=getattr(problems, "x_star_error", 0.0),
                constants_source=getattr(problems, "constants_source", "construction"))
