r"""Check Theorem 1 / 1b's (and, on request, Theorem 2's) distance bound on every iterate of a run.

For each problem with realized (or declared) constants, the bound is
:math:`r_k \le C\rho^k r_0` with :math:`\rho` the smallest valid rate of Theorem 1
and 1b (:func:`memgd.theory.best_bound`; C = 1), and of Theorem 2 as well when
``theorem_2=True`` and the weights are nonnegative (C its transient constant;
docs/math/theorem2.md).  The comparison allows the floating-point resolution of a
computed distance, :math:`64\,\varepsilon (\|x^*\| + r_0)`, plus the stated error of a
numerically solved x* (``problems.x_star_error``; 0 for generated problems), and nothing
more.  A check made with estimated mu and L carries their ``constants_source``: it is then a
check against estimates, not a test of the theorem.  The *slack* at step k >= 1 is
:math:`(\rho^k r_0 - r_k) / r_0`; a
negative slack beyond the resolution where the hypotheses hold is a violation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers import RunResult
from memgd.solvers.declarations import declared_nonnegative as _declared_nonnegative
from memgd.theory.constants import best_bound

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class BoundCheck:
    rate: np.ndarray        # (n,) bound's rate, inf where vacuous
    theorem: np.ndarray     # (n,) "1", "1b" or "none"
    applies: np.ndarray     # (n,) the hypotheses hold
    min_slack: np.ndarray   # (n,) smallest (rho^k r_0 - r_k) / r_0 over recorded k (nan if vacuous)
    worst_step: np.ndarray  # (n,) the k of that smallest slack
    violated: np.ndarray    # (n,) bool: applies and the bound failed beyond resolution
    constants_source: str = "construction"  # how mu, L were obtained (problems.constants_source)

    @property
    def constants_estimated(self) -> bool:
        """Whether mu and L were estimates (then the check does not test the theorem)."""
        return self.constants_source.startswith("estimated")

    @property
    def any_violation(self) -> bool:
        return bool(self.violated.any())


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
    rate = np.broadcast_to(np.asarray(bound.rate, dtype=float), result.alpha.shape)
    transient = np.broadcast_to(np.asarray(bound.transient, dtype=float), result.alpha.shape)
    theorem = np.broadcast_to(np.asarray(bound.theorem), result.alpha.shape)
    applies = np.isfinite(rate)
    r = result.distances
    r0 = r[0]
    k = np.arange(r.shape[0])[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        envelope = np.where(applies, transient * np.where(applies, rate, 0.0) ** k, np.inf) * r0
        slack = (envelope - r) / r0
    slack = np.where(np.isfinite(r) & applies & (k >= 1), slack, np.inf)
    resolution = (64 * EPS * (np.linalg.norm(x_star, axis=1) + r0) + x_star_error) / r0
    min_slack = slack.min(axis=0)
    worst = slack.argmin(axis=0)
    violated = applies & (min_slack < -resolution)
    return BoundCheck(rate=rate, theorem=theorem, applies=applies,
                      min_slack=np.where(applies, min_slack, np.nan), worst_step=worst, violated=violated,
                      constants_source=constants_source)


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
