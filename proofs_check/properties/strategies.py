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


#: mu drawn from these (then L = mu kappa)
MUS = (0.1, 1.0, 4.0)
#: the bounds of a step fraction (strictly inside (0, 1))
FRACTION_BOUNDS = (0.02, 0.98)
#: run seeds are drawn from 0..RUN_SEEDS-1
RUN_SEEDS = 2**31


@dataclass(frozen=True)
class Coordinate:
    """One drawn coordinate of an example: an integer in [low, high] or a float in [low, high].

    The same description gives hypothesis's strategy (:meth:`strategy`: ``st.integers`` /
    ``st.floats``, one choice each, which hypothesis shrinks toward ``low``) and a NumPy sample
    (:meth:`draw`: uniform over the same range).
    """

    name: str
    kind: str  # "int" or "float"
    low: float
    high: float

    def strategy(self) -> st.SearchStrategy:
        """``st.integers(low, high)`` or ``st.floats(low, high)``."""
        if self.kind == "int":
            return st.integers(int(self.low), int(self.high))
        return st.floats(float(self.low), float(self.high))

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` values, uniform on the integers (or the interval) from ``low`` to ``high``."""
        if self.kind == "int":
            return rng.integers(int(self.low), int(self.high), size=size, endpoint=True, dtype=np.int64)
        return rng.uniform(float(self.low), float(self.high), size=size)

    def value(self, x):
        """``x`` as a Python int or float (a hypothesis choice)."""
        return int(x) if self.kind == "int" else float(x)


@dataclass(frozen=True)
class ExampleSpace:
    r"""The distribution of ``verify_rule``'s examples, described once for hypothesis and NumPy.

    An example is (problem spec, step fraction, run seed): a family (index into ``families``),
    :math:`\log_{10}\kappa` uniform on :math:`[0, \log_{10}\kappa_{max}]`, mu from :data:`MUS`,
    n in 1..``max_n``, d in 2..``max_d``, the problems' seed, the spectrum (quadratics only), the
    step fraction and the run's seed.  :meth:`strategy` draws them with hypothesis (one choice per
    coordinate, in ``coordinates`` order; the spectrum is drawn for every family and used by
    quadratics only, so every example has the same choices and hypothesis shrinks each coordinate
    alone: a shrink to another family shifts no later choice);
    :meth:`sample` draws many at once with NumPy from the same ranges; both build the example
    with :meth:`example`, and :meth:`choices` gives the choice sequence hypothesis would make for
    a sampled example (so hypothesis can replay and shrink it).
    """

    families: tuple[str, ...] = FAMILIES
    max_kappa: float = 1e3
    max_n: int = 3
    max_d: int = 6

    @property
    def coordinates(self) -> tuple[Coordinate, ...]:
        """The drawn coordinates, in the order hypothesis draws them."""
        return (
            Coordinate("family", "int", 0, len(self.families) - 1),
            Coordinate("log_kappa", "float", 0.0, math.log10(self.max_kappa)),
            Coordinate("mu", "int", 0, len(MUS) - 1),
            Coordinate("n", "int", 1, self.max_n),
            Coordinate("d", "int", 2, self.max_d),
            Coordinate("seed", "int", 0, 2**32 - 1),
            Coordinate("spectrum", "int", 0, len(SPECTRA) - 1),  # used by quadratics only
            Coordinate("fraction", "float", *FRACTION_BOUNDS),
            Coordinate("run_seed", "int", 0, RUN_SEEDS - 1),
        )

    def example(self, values: dict) -> tuple[ProblemSpec, float, int]:
        """(spec, fraction, run_seed) from drawn coordinate values."""
        family = self.families[int(values["family"])]
        mu = MUS[int(values["mu"])]
        spec = ProblemSpec(family=family, mu=mu, L=mu * float(10.0 ** float(values["log_kappa"])),
                           n=int(values["n"]), d=int(values["d"]), seed=int(values["seed"]),
                           spectrum=SPECTRA[int(values["spectrum"])] if family == "quadratic" else "uniform")
        return spec, float(values["fraction"]), int(values["run_seed"])

    def strategy(self) -> st.SearchStrategy[tuple[ProblemSpec, float, int]]:
        """Hypothesis's (spec, fraction, run_seed), one choice per drawn coordinate."""
        coords = self.coordinates

        @st.composite
        def examples(draw):
            values = {}
            for c in coords:
                values[c.name] = draw(c.strategy())
            return self.example(values)
        return examples()

    def sample(self, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``count`` examples' coordinate values, each (count,), uniform over the same ranges."""
        return {c.name: c.draw(rng, count) for c in self.coordinates}

    def values(self, sample: dict[str, np.ndarray], i: int) -> dict:
        """Example ``i`` of a :meth:`sample` as plain Python values."""
        return {c.name: c.value(sample[c.name][i]) for c in self.coordinates}

    def choices(self, values: dict) -> tuple:
        """The choice sequence :meth:`strategy` makes to draw the example with these values."""
        by_name = {c.name: c for c in self.coordinates}
        return tuple(by_name[c.name].value(values[c.name]) for c in self.coordinates)


def problem_specs(families=FAMILIES, max_kappa: float = 1e3, max_n: int = 3, max_d: int = 6):
    """A problem spec drawn as :class:`ExampleSpace` draws it (family, kappa, mu, n, d, seed, spectrum)."""
    space = ExampleSpace(tuple(families), float(max_kappa), max_n, max_d)
    return space.strategy().map(lambda example: example[0])


def step_fractions(low: float = FRACTION_BOUNDS[0], high: float = FRACTION_BOUNDS[1]) -> st.SearchStrategy[float]:
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
