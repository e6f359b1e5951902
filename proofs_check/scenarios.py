"""Named scenarios the report checks: a memory rule, a step size and a problem class.

A scenario fixes (mu, L), a selection rule, a combination rule and a step size.
``expect`` is the outcome the empirical runs should have: most scenarios satisfy
the theorem's assumptions and must converge; some are documented findings outside
them (for example the critical rule with aggregation "mean" and decay 0.99, which
DESIGN section 5 reports diverging) and must show that outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from solvers import (
    AgeWeights, Aggregation, CombinationRule, CriticalGradients, Fifo, FixedWeights, KeepOldest, Scripted,
    SelectionRule, Status,
)
from theory import Pattern


@dataclass(frozen=True)
class Scenario:
    name: str
    mu: float
    L: float
    selection: SelectionRule
    combination: CombinationRule
    alpha: float
    steps: int = 3000
    expect: Status = Status.CONVERGED
    note: str = ""

    @property
    def capacity(self) -> int:
        """Most stored gradients a step can use."""
        sel = self.selection
        return getattr(sel, "capacity", getattr(sel, "top_c", sel.slots))

    @property
    def pattern(self) -> Pattern | None:
        """The fixed (ages, weights) pattern of the steady state, when the rule has one."""
        return fixed_pattern(self.selection, self.combination)


def _weights_for_ages(ages: tuple[int, ...], combination: CombinationRule) -> tuple[float, ...] | None:
    m = len(ages)
    if isinstance(combination, Aggregation):
        kap = combination.kappa
        if m == 0 or kap == 0.0:
            return (1.0,)
        if combination.name == "sum":
            return (1.0,) + (kap / m,) * m
        if combination.name == "mid":
            return (0.5,) + (kap / (2 * m),) * m
        if combination.name == "mean":
            return (1.0 / (m + 1),) + (kap / (m + 1),) * m
        return None  # picks depend on priorities: no fixed pattern
    if isinstance(combination, FixedWeights):
        w = list(combination.memory[:m]) + [0.0] * max(0, m - len(combination.memory))
        return (combination.current, *w)
    if isinstance(combination, AgeWeights):
        table = combination.by_age
        return (table[0], *(table[a] if a < len(table) else 0.0 for a in ages))
    return None


def fixed_pattern(selection: SelectionRule, combination: CombinationRule) -> Pattern | None:
    """Steady-state pattern of rules whose used ages are fixed after warm-up; else None."""
    if isinstance(selection, Fifo):
        ages = tuple(range(1, selection.capacity + 1))
    elif isinstance(selection, KeepOldest) and selection.max_age is not None:
        ages = tuple(range(selection.max_age - selection.capacity + 1, selection.max_age + 1))
    elif isinstance(selection, Scripted) and len(set(selection.ages)) == 1:
        ages = selection.ages[0]
    else:
        return None
    weights = _weights_for_ages(ages, combination)
    if weights is None:
        return None
    kept = [(a, w) for a, w in zip((0, *ages), weights) if a == 0 or w != 0.0]
    return Pattern(tuple(a for a, _ in kept), tuple(w for _, w in kept))


def default_scenarios() -> list[Scenario]:
    """A small default set covering plain GD, fixed windows, the adversary and the paper's rule."""
    mu, L = 1.0, 10.0
    return [
        Scenario("gd", mu, L, Fifo(0), Aggregation("sum"), 0.1, note="plain gradient descent"),
        Scenario("fifo-sum-T1", mu, L, Fifo(1), Aggregation("sum"), 0.05, note="DESIGN reference case"),
        Scenario("fifo-mean-T3", mu, L, Fifo(3), Aggregation("mean"), 0.05),
        Scenario("oldest-sum-T3C2", mu, L, KeepOldest(2, max_age=3), Aggregation("sum"), 0.002,
                 steps=6000, note="maximum-age adversary, DESIGN section 2 figures"),
        Scenario("critical-sum-0.7", mu, L, CriticalGradients(5, 0.7), Aggregation("sum"), 0.05),
        Scenario("critical-mean-0.7", mu, L, CriticalGradients(5, 0.7), Aggregation("mean"), 0.05),
        Scenario("critical-sum-0.99", mu, L, CriticalGradients(5, 0.99), Aggregation("sum"), 0.05,
                 steps=8000, note="slow: old large gradients linger"),
        Scenario("critical-mean-0.99", mu, L, CriticalGradients(5, 0.99), Aggregation("mean"), 0.05,
                 expect=Status.DIVERGED, note="finding: diverges (DESIGN section 5)"),
    ]


def quick_scenarios() -> list[Scenario]:
    """The subset ``--quick`` runs."""
    keep = {"gd", "fifo-sum-T1", "critical-sum-0.7", "critical-mean-0.99"}
    return [s for s in default_scenarios() if s.name in keep]
