r"""Hypothesis strategies for testing memory rules against the theory.

Public: import them in your own tests.  All sizes are bounded so that one example
runs in milliseconds.

- :func:`problem_specs`: a problem family, (mu, L) with condition number 1..1e3,
  batch size, dimension and seed; ``spec.build()`` makes the batch.
- :func:`condition_numbers`: log-uniform on [1, max_kappa].
- :func:`age_scripts` / :func:`scripted_rules`: per-step ages up to T, at most C of
  them, time-varying (expresses any selection rule with bounded ages).
- :func:`signed_fixed_weights`, :func:`signed_age_weights`, :func:`bounded_random_weights`:
  combination rules with signed weights and declared :math:`s_{lo} > 0`.
- :func:`step_fractions`: a step as a fraction of the theorem's admissible maximum.
- :func:`selection_rules`, :func:`combination_rules`: every named rule of
  :mod:`solvers` (the critical-gradient rule in all its settings included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from memgd.solvers import (
    AGGREGATIONS, AgeWeights, Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, ProblemBatch,
    RandomSubset, RandomWeights, Scripted, make_finite_sums, make_quadratics, make_tilted,
)
from memgd.solvers.problems import SPECTRA
from memgd.solvers.selection import REPLACEMENTS

FAMILIES = ("quadratic", "logistic", "huber", "finite_sum")


@dataclass(frozen=True)
class ProblemSpec:
    """Everything needed to regenerate a problem batch exactly (a reproducer)."""

    family: str
    mu: float
    L: float
    n: int
    d: int
    seed: int
    spectrum: str = "uniform"

    def build(self) -> ProblemBatch:
        rng = np.random.default_rng(self.seed)
        if self.family == "quadratic":
            return make_quadratics(self.n, self.d, self.mu, self.L, spectrum_kind=self.spectrum, rng=rng)
        if self.family == "finite_sum":
            return make_finite_sums(self.n, self.d, 4, self.mu, self.L, interpolating=False, rng=rng)
        return make_tilted(self.n, self.d, self.mu, self.L, family=self.family, rng=rng)


def condition_numbers(max_kappa: float = 1e3) -> st.SearchStrategy[float]:
    """kappa = L / mu, log-uniform on [1, max_kappa]."""
    return st.floats(0.0, math.log10(max_kappa)).map(lambda e: float(10.0**e))


@st.composite
def problem_specs(draw, families=FAMILIES, max_kappa: float = 1e3, max_n: int = 3, max_d: int = 6):
    family = draw(st.sampled_from(families))
    kappa = draw(condition_numbers(max_kappa))
    mu = draw(st.sampled_from([0.1, 1.0, 4.0]))
    return ProblemSpec(
        family=family, mu=mu, L=mu * kappa,
        n=draw(st.integers(1, max_n)), d=draw(st.integers(2, max_d)),
        seed=draw(st.integers(0, 2**32 - 1)),
        spectrum=draw(st.sampled_from(SPECTRA)) if family == "quadratic" else "uniform",
    )


def step_fractions(low: float = 0.02, high: float = 0.98) -> st.SearchStrategy[float]:
    """A step as a fraction of the admissible maximum (strictly inside (0, 1))."""
    return st.floats(low, high)


def age_scripts(max_age: int, capacity: int, max_steps: int = 12) -> st.SearchStrategy[tuple]:
    """Per-step tuples of distinct ages in 1..max_age, at most ``capacity`` per step."""
    step = st.sets(st.integers(1, max_age), max_size=capacity).map(lambda s: tuple(sorted(s)))
    return st.lists(step, min_size=1, max_size=max_steps).map(tuple)


@st.composite
def scripted_rules(draw, max_T: int = 4, max_C: int = 3):
    T = draw(st.integers(1, max_T))
    C = draw(st.integers(0, min(max_C, T)))
    return Scripted(draw(age_scripts(T, C)), max_age=T)


@st.composite
def signed_fixed_weights(draw, capacity: int):
    """FixedWeights with signed memory weights whose absolute sum is below ``current``: s_lo > 0."""
    current = draw(st.floats(0.25, 2.0))
    raw = draw(st.lists(st.floats(-1.0, 1.0), min_size=capacity, max_size=capacity))
    share = draw(st.floats(0.0, 0.95))
    mass = sum(abs(w) for w in raw)
    memory = tuple(w * share * current / mass for w in raw) if mass > 0 else tuple(raw)
    return FixedWeights(current, memory)


@st.composite
def signed_age_weights(draw, max_age: int):
    """AgeWeights over ages 0..max_age with signed memory weights and s_lo > 0."""
    fixed = draw(signed_fixed_weights(max_age))
    return AgeWeights((fixed.current, *fixed.memory))


@st.composite
def bounded_random_weights(draw, capacity: int):
    """RandomWeights whose declared s_lo is positive (negative memory weights allowed)."""
    a_lo = draw(st.floats(0.3, 1.0))
    a_hi = a_lo + draw(st.floats(0.0, 1.0))
    b_lo = -draw(st.floats(0.0, 0.9)) * a_lo / max(capacity, 1)
    b_hi = draw(st.floats(0.0, 1.0))
    return RandomWeights((a_lo, a_hi), (b_lo, b_hi))


def aggregations(kappa_low: float = 0.0, kappa_high: float = 2.0):
    return st.builds(Aggregation, st.sampled_from(AGGREGATIONS), st.floats(kappa_low, kappa_high))


@st.composite
def selection_rules(draw, max_T: int = 4, max_C: int = 3, bounded_only: bool = False):
    """Any named selection rule; with ``bounded_only`` only those declaring a finite max_age."""
    T = draw(st.integers(1, max_T))
    C = draw(st.integers(0, min(max_C, T)))
    choices = ["fifo", "random_subset", "keep_oldest", "scripted"]
    if not bounded_only:
        choices += ["critical", "keep_oldest_forever"]
    kind = draw(st.sampled_from(choices))
    if kind == "fifo":
        return Fifo(C)
    if kind == "random_subset":
        return RandomSubset(T, C)
    if kind == "keep_oldest":
        return KeepOldest(C, max_age=T)
    if kind == "scripted":
        return Scripted(draw(age_scripts(T, C)), max_age=T)
    if kind == "keep_oldest_forever":
        return KeepOldest(max(C, 1))
    return CriticalGradients(
        top_c=max(C, 1), decay=draw(st.sampled_from([0.5, 0.7, 0.9, 0.99, 1.0])),
        critical_test=draw(st.booleans()), replacement=draw(st.sampled_from(REPLACEMENTS)),
    )


def combination_rules(capacity: int, max_age: int):
    """Any combination rule with declared s_lo > 0 for a memory of ``capacity`` slots."""
    return st.one_of(
        aggregations(), signed_fixed_weights(capacity), signed_age_weights(max_age),
        bounded_random_weights(capacity),
    )


@st.composite
def memory_rules(draw, max_T: int = 4, max_C: int = 3, bounded_only: bool = False):
    """A (selection, combination) pair."""
    selection = draw(selection_rules(max_T, max_C, bounded_only))
    capacity = selection.capacity
    max_age = selection.max_age if selection.max_age is not None else selection.slots
    return selection, draw(combination_rules(capacity, max_age))
