"""Named scenarios the report checks: a memory rule, a step size and a problem class.

A scenario fixes (mu, L), a selection rule, a combination rule and a step size.
``expect`` is the outcome the empirical runs should have, when one is known: the
named scenarios must converge, or show a documented finding (the critical rule
with aggregation "mean" and decay 0.99 diverges, docs/math/critical_rule.md); grid
scenarios have ``expect=None`` and their outcome is reported, not asserted.

``pattern_set`` is the class of rules a certificate for the scenario covers:
every pattern a memory of C slots with ages at most T can produce under the
scenario's aggregation.  It includes the empty buffer (d = g) where the rule's
runs have one (a FIFO buffer's first step); the grid's runs use the maximum-age
adversary, whose ring starts filled (history x_{-i} = x_0), so its class is the
non-empty subsets: including d = g would make every set's rate at least plain
gradient descent's.

Building the scenarios costs nothing per pattern (polynomial in T): a grid scenario's
pattern set is an :class:`~memgd.proofs_check.report.pattern_sets.AggregationPatternSet`
(its size from a binomial sum), its steps at "0.5 x the stability limit" are
:class:`LimitFraction` values, and the theorems' optimal steps of every grid cell come
from one vectorized call.  The stability limit (one ``critical_step`` per pattern) is
computed on first use of :attr:`Scenario.alpha` or :attr:`Scenario.stability_limit`,
inside the task that evaluates the scenario (:func:`memgd.proofs_check.report.sections.scenario_task`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from memgd.solvers import (
    AgeWeights, Aggregation, CombinationRule, CriticalGradients, Fifo, FixedWeights, KeepOldest, Scripted,
    SelectionRule, Status,
)
from memgd.proofs_check.certificates.patterns import aggregation_patterns
from memgd.proofs_check.report.pattern_sets import AggregationPatternSet, stability_limit as set_stability_limit
from memgd.theory import Pattern, aggregation_weights, alpha_max2, optimal_step, optimal_step2, rate_at_optimal_step


@dataclass(frozen=True)
class LimitFraction:
    """A step given as ``fraction`` times the scenario's quadratic stability limit (resolved lazily)."""

    fraction: float

    def __str__(self) -> str:
        return f"{self.fraction:g} x lim"


@dataclass(frozen=True)
class Theorem2Step:
    """Theorem 2's optimal step for the scenario's declared constants (:func:`theorem2_step`), resolved lazily."""

    def __str__(self) -> str:
        return "Thm 2 best"


Step = float | LimitFraction | Theorem2Step  # a number, or a recipe resolved by Scenario.alpha


@dataclass(frozen=True)
class Scenario:
    """A rule, a step and a problem class.

    ``step_size`` is the step alpha, or a recipe for it (:class:`LimitFraction` of the stability
    limit, :class:`Theorem2Step`) evaluated on first use of :attr:`alpha`, which is always the number.  ``grid`` marks the grid's scenarios, whose
    :attr:`stability_limit` (the smallest critical step over ``pattern_set``, on
    quadratics) the report sets beside their steps.
    """

    name: str
    mu: float
    L: float
    selection: SelectionRule
    combination: CombinationRule
    step_size: Step
    steps: int = 3000
    expect: Status | None = Status.CONVERGED
    note: str = ""
    pattern_set: Sequence[Pattern] | None = None  # a tuple, or an AggregationPatternSet (enumerated on use)
    grid: bool = False

    def __post_init__(self):
        if isinstance(self.step_size, LimitFraction) and not (self.grid and self.pattern_set is not None):
            raise ValueError(f"{self.name}: a step given as a fraction of the stability limit needs a grid "
                             "scenario with a pattern set")
        if isinstance(self.step_size, Theorem2Step) and not isinstance(self.combination, Aggregation):
            raise ValueError(f"{self.name}: Theorem2Step needs an Aggregation combination")

    @functools.cached_property
    def alpha(self) -> float:
        """The step size (a :class:`LimitFraction` or :class:`Theorem2Step` is computed here, on first use)."""
        step = self.step_size
        if isinstance(step, LimitFraction):
            return step.fraction * self.stability_limit
        if isinstance(step, Theorem2Step):
            alpha = theorem2_step(self.combination, self.mu, self.L, self.selection.max_age, self.capacity)
            if alpha is None:
                raise ValueError(f"{self.name}: Theorem 2 admits no step for this rule")
            return alpha
        return float(step)

    @functools.cached_property
    def stability_limit(self) -> float | None:
        """Smallest critical step over the pattern set (quadratics), for grid scenarios; else None."""
        if not self.grid or self.pattern_set is None:
            return None
        return set_stability_limit(self.pattern_set, self.mu, self.L)

    @property
    def capacity(self) -> int:
        """Most stored gradients a step can use."""
        sel = self.selection
        return sel.capacity

    @property
    def pattern(self) -> Pattern | None:
        """The fixed (ages, weights) pattern of the steady state, when the rule has one."""
        return fixed_pattern(self.selection, self.combination)


def _weights_for_ages(ages: tuple[int, ...], combination: CombinationRule) -> tuple[float, ...] | None:
    m = len(ages)
    if isinstance(combination, Aggregation):
        if m == 0 or combination.kappa == 0.0:
            return (1.0,)  # the direction is g itself (docs/math/critical_rule.md)
        if combination.name not in ("sum", "mid", "mean"):
            return None  # picks depend on priorities: no fixed pattern
        a, b = aggregation_weights(combination.name, combination.kappa, m)
        return (float(a), *(float(v) for v in b))
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


def named_scenarios() -> list[Scenario]:
    """Hand-picked cases: plain GD, fixed windows, the adversary and the paper's rule."""
    mu, L = 1.0, 10.0
    return [
        Scenario("gd", mu, L, Fifo(0), Aggregation("sum"), 0.1, note="plain gradient descent",
                 pattern_set=(Pattern.plain(),)),
        Scenario("fifo-sum-T1", mu, L, Fifo(1), Aggregation("sum"), 0.05, note="reference case (docs/math/quadratic_rates.md)",
                 pattern_set=aggregation_patterns("sum", 1, 1, include_empty=True)),
        Scenario("fifo-mean-T3", mu, L, Fifo(3), Aggregation("mean"), 0.05,
                 pattern_set=aggregation_patterns("mean", 3, 3, include_empty=True)),
        Scenario("oldest-sum-T3C2", mu, L, KeepOldest(2, max_age=3), Aggregation("sum"), 0.002,
                 steps=6000, note="maximum-age adversary, docs/math/theorem1.md figures",
                 pattern_set=aggregation_patterns("sum", 3, 2)),  # its ring starts filled: never empty
        Scenario("critical-sum-0.7", mu, L, CriticalGradients(5, 0.7), Aggregation("sum"), 0.05),
        Scenario("critical-mean-0.7", mu, L, CriticalGradients(5, 0.7), Aggregation("mean"), 0.05),
        Scenario("critical-sum-0.99", mu, L, CriticalGradients(5, 0.99), Aggregation("sum"), 0.05,
                 steps=8000, note="slow: old large gradients linger"),
        Scenario("critical-mean-0.99", mu, L, CriticalGradients(5, 0.99), Aggregation("mean"), 0.05,
                 expect=Status.DIVERGED, note="finding: diverges (docs/math/critical_rule.md)"),
    ]


def theorem_step(aggregation: Aggregation, mu: float, L: float, T: int, C: int) -> float | None:
    """The step minimising the better of Theorem 1 / 1b for the rule's declared constants; None if none."""
    dc = aggregation.declared_constants(C)
    kw = dict(mu=mu, L=L, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=T)
    best = min(("1", "1b"), key=lambda th: rate_at_optimal_step(**kw, theorem=th))
    if not rate_at_optimal_step(**kw, theorem=best) < 1:
        return None
    return float(optimal_step(**kw, theorem=best))


def theorem2_step(aggregation: Aggregation, mu: float, L: float, T: int, C: int) -> float | None:
    """The step minimising Theorem 2 for the rule's declared constants; None if it never applies
    (signed weights, kappa < 0, or no admissible step)."""
    if aggregation.kappa < 0:
        return None
    dc = aggregation.declared_constants(C)
    step = float(optimal_step2(mu=mu, L=L, s_lo=dc.s_lo, B=dc.B, W=dc.W, T=T))
    return step if np.isfinite(step) else None


def theorem2_applies(cells: Sequence[tuple[Aggregation, float, float, int, int]]) -> list[bool]:
    """Whether :func:`theorem2_step` has a step for each ``(aggregation, mu, L, T, C)`` cell: kappa >= 0
    and some step is admissible (``alpha_max2 > 0``, one bisection on arrays over the cells; the step
    itself, a grid search of about 13 ms per cell, is computed in the scenario's task)."""
    if not cells:
        return []
    dcs = [agg.declared_constants(C) for agg, _, _, _, C in cells]
    kw = {"mu": [c[1] for c in cells], "L": [c[2] for c in cells], "T": [c[3] for c in cells],
          **{k: [getattr(dc, k) for dc in dcs] for k in ("s_lo", "B", "W")}}
    amax = np.atleast_1d(alpha_max2(**{k: np.asarray(v, dtype=float) for k, v in kw.items()}))
    return [bool(agg.kappa >= 0 and a > 0) for (agg, *_), a in zip(cells, amax)]


def capacities_for(T: int, capacities: Sequence[int | str]) -> list[int]:
    """The buffer sizes C of a grid cell with ages <= T: ``"T"`` stands for T; sizes above T are skipped."""
    return sorted({T if c == "T" else int(c) for c in capacities} & set(range(1, T + 1)))


def grid_scenarios(L_values=(10.0, 100.0), ages=(1, 2, 3), aggregations=("sum", "mid", "mean"),
                   fractions=(0.5, 0.9), mu: float = 1.0, capacities: Sequence[int | str] = (1, 2, "T")
                   ) -> list[Scenario]:
    """The default grid: any rule with ages <= T and at most C stored gradients (C in ``capacities``,
    ``"T"`` meaning T; by default C in {1, 2, T}).

    Runs use the maximum-age adversary (ages T-C+1..T); the certificate covers every
    subset.  Steps: Theorem 1's optimal step ("thm"), Theorem 2's ("thm2"), and
    ``fractions`` of the quadratic stability limit of the worst pattern in the set
    (:class:`Theorem2Step` and :class:`LimitFraction`: computed in the scenario's task).  Nothing here is per pattern:
    the cost is polynomial in T.
    """
    cells = [(Aggregation(name), mu, float(L), T, C) for L in L_values for T in ages
             for C in capacities_for(T, capacities) for name in aggregations]
    out = []
    for (agg, _, L, T, C), thm2 in zip(cells, theorem2_applies(cells)):
        patterns = AggregationPatternSet(agg.name, T, C, kappa=agg.kappa)
        thm = theorem_step(agg, mu, L, T, C)
        steps: list[tuple[str, Step]] = [("thm", thm)] if thm is not None else []
        steps += [("thm2", Theorem2Step())] if thm2 else []
        steps += [(f"{f:g}lim", LimitFraction(float(f))) for f in fractions]
        for label, step in steps:
            out.append(Scenario(
                f"L{L:g}-T{T}-C{C}-{agg.name}-{label}", mu, L, KeepOldest(C, max_age=T), agg, step,
                steps=3000, expect=None, pattern_set=patterns, grid=True,
                note={"thm": "theorem's optimal step", "thm2": "Theorem 2's optimal step"}.get(
                    label, f"{label[:-3]} x stability limit"),
            ))
    return out


def critical_rule_scenarios(L_values=(10.0, 100.0), decays=(0.7, 0.99), aggregations=("sum", "mid", "mean"),
                            top_c: int = 5, mu: float = 1.0) -> list[Scenario]:
    """The paper's rule at alpha = 0.5 / L: its ages are measured, not bounded a priori."""
    return [
        Scenario(f"L{L:g}-critical-{name}-{decay:g}", mu, L, CriticalGradients(top_c, decay), Aggregation(name),
                 0.5 / L, steps=4000, expect=None, note=f"top_c {top_c}")
        for L in L_values for decay in decays for name in aggregations
    ]


def default_scenarios() -> list[Scenario]:
    """Everything ``python -m memgd.proofs_check`` runs by default."""
    return named_scenarios() + grid_scenarios() + critical_rule_scenarios()


def quick_scenarios() -> list[Scenario]:
    """The small set ``--quick`` runs."""
    keep = {"gd", "fifo-sum-T1", "critical-sum-0.7", "critical-mean-0.99"}
    return [s for s in named_scenarios() if s.name in keep] + grid_scenarios(
        L_values=(10.0,), ages=(1, 2), aggregations=("sum",), fractions=(0.5,))
