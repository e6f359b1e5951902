"""A broken custom rule fails at once, with one error naming the rule, the attribute and what was expected.

Each mistake of issue 13 (a selection rule without ``capacity``, an ``insert`` that forgets
to return the memory, ``weights`` of the wrong shape, non-finite declared constants, every
bad ``verify_rule`` argument) is made here, and the tests assert both the message and that
nothing ran: ``verify_rule``'s examples and the engine's run are replaced by tripwires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytest

import memgd.proofs_check.properties.verify_rule as verify_module
from memgd.proofs_check import verify_rule
from memgd.solvers import (
    Aggregation, CombinationConstants, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset, Scripted,
    make_quadratics, run,
)
from memgd.solvers.memory import empty_memory, write_slot
from memgd.solvers.rule_checks import (
    RuleCheckError, RuleInterfaceError, RuleValueError, check_combination, check_declared_constants, check_rules,
    check_selection,
)


@dataclass(frozen=True)
class LastGradients:
    """A correct user selection rule: the last ``capacity`` gradients (a ring)."""

    capacity: int = 2

    @property
    def slots(self) -> int:
        return self.capacity

    @property
    def max_age(self) -> int:
        return self.capacity

    def init(self, g0):
        return empty_memory(g0.shape[0], self.capacity, g0.shape[1])

    def active(self, mem, k, rng):
        return mem.filled.copy()

    def insert(self, mem, g, k, rng):
        rows = np.arange(g.shape[0])
        write_slot(mem, rows, np.full(g.shape[0], k % self.capacity), g, np.linalg.norm(g, axis=1), k)
        return mem


class NoCapacity:
    """The README's old interface list: slots, max_age, init, active, insert, but no capacity."""

    slots, max_age = 2, 2
    init, active, insert = LastGradients.init, LastGradients.active, LastGradients.insert


class ForgetsToReturn(LastGradients):
    def insert(self, mem, g, k, rng):
        super().insert(mem, g, k, rng)  # stores, but returns None


class ActiveAsIntegers(LastGradients):
    def active(self, mem, k, rng):
        return mem.filled.astype(int)


@dataclass(frozen=True)
class ActiveTooMany(LastGradients):
    """Declares capacity 1 but keeps and uses two slots."""

    capacity: int = 1

    @property
    def slots(self) -> int:
        return 2

    def init(self, g0):
        return empty_memory(g0.shape[0], 2, g0.shape[1])

    def insert(self, mem, g, k, rng):
        rows = np.arange(g.shape[0])
        write_slot(mem, rows, np.full(g.shape[0], k % 2), g, np.linalg.norm(g, axis=1), k)
        return mem


class WrongShapeWeights:
    """b of shape (n,) instead of (n, slots)."""

    def weights(self, g, mem, active, k, rng):
        return np.ones(g.shape[0]), np.zeros(g.shape[0])

    def declared_constants(self, capacity):
        return CombinationConstants(1.0, 1.0, 0.0, 1.0)


class WeightsOutsideActive(WrongShapeWeights):
    def weights(self, g, mem, active, k, rng):
        return np.ones(g.shape[0]), np.full(active.shape, 0.1)


class NanConstants(WrongShapeWeights):
    def weights(self, g, mem, active, k, rng):
        return np.ones(g.shape[0]), np.zeros(active.shape)

    def declared_constants(self, capacity):
        return CombinationConstants(float("nan"), 1.0, 0.0, 1.0)


class UpsideDownConstants(NanConstants):
    def declared_constants(self, capacity):
        return CombinationConstants(2.0, 1.0, 0.0, 1.0)


class NoDeclaredConstants:
    def weights(self, g, mem, active, k, rng):
        return np.ones(g.shape[0]), np.zeros(active.shape)


@pytest.fixture
def tripwires(monkeypatch):
    """Fail the test if verify_rule runs any example or the engine takes a step."""
    calls = []

    def trip(*args, **kwargs):
        calls.append(args)
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(verify_module, "check_example", trip)
    monkeypatch.setattr(verify_module, "run", trip)
    return calls


GOOD = (LastGradients(), FixedWeights(1.0, (0.3, -0.2)))

# (selection, combination, error type, words the message must contain)
BROKEN_RULES = [
    pytest.param(NoCapacity(), GOOD[1], RuleInterfaceError, ["selection rule NoCapacity:", "capacity", "missing"],
                 id="missing-capacity"),
    pytest.param(ForgetsToReturn(), GOOD[1], RuleInterfaceError,
                 ["insert(mem, g, k=0, rng)", "must return", "MemoryState", "got NoneType", "forget"],
                 id="insert-returns-None"),
    pytest.param(ActiveAsIntegers(), GOOD[1], RuleValueError, ["active(", "bool", "int64"], id="active-not-bool"),
    pytest.param(ActiveTooMany(), GOOD[1], RuleValueError, ["active(", "2 slots", "capacity = 1"],
                 id="active-over-capacity"),
    pytest.param(GOOD[0], WrongShapeWeights(), RuleValueError, ["combination rule", "weights(", "b", "(2, 2)", "(2,)"],
                 id="weights-wrong-shape"),
    pytest.param(GOOD[0], WeightsOutsideActive(), RuleValueError, ["weights(", "not active"],
                 id="weights-outside-active"),
    pytest.param(GOOD[0], NanConstants(), RuleValueError, ["declared_constants(capacity=2)", "s_lo", "real number", "nan"],
                 id="nan-declared-constants"),
    pytest.param(GOOD[0], UpsideDownConstants(), RuleValueError, ["s_lo <= s_hi"], id="s_lo-above-s_hi"),
    pytest.param(GOOD[0], NoDeclaredConstants(), RuleInterfaceError, ["declared_constants", "missing"],
                 id="missing-declared-constants"),
]


@pytest.mark.parametrize("selection, combination, error, words", BROKEN_RULES)
def test_verify_rule_names_the_mistake_before_any_example(selection, combination, error, words, tripwires):
    start = time.monotonic()
    with pytest.raises(error) as caught:
        verify_rule(selection, combination, max_examples=50)
    assert time.monotonic() - start < 1.0
    assert tripwires == []
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)
    assert isinstance(caught.value, RuleCheckError)


@pytest.mark.parametrize("selection, combination, error, words", BROKEN_RULES)
def test_run_names_the_mistake_before_any_step(selection, combination, error, words, monkeypatch):
    problems = make_quadratics(2, 3, 1.0, 10.0, rng=np.random.default_rng(0))

    def no_oracle(self, x):
        raise AssertionError("the run took a step before the rules were checked")

    monkeypatch.setattr(type(problems), "grad", no_oracle)
    with pytest.raises(error) as caught:
        run(problems, selection, combination, 0.01, 10)
    for word in words:
        assert word in str(caught.value)


def test_the_errors_are_the_standard_types():
    with pytest.raises(TypeError):
        check_selection(NoCapacity())
    with pytest.raises(ValueError):
        check_combination(NanConstants(), 2)


@pytest.mark.parametrize("selection", [
    Fifo(0), Fifo(3), KeepOldest(2), KeepOldest(2, max_age=3), RandomSubset(3, 2), CriticalGradients(4, 0.7),
    CriticalGradients(2, 0.9, critical_test=False, replacement="proportional"), Scripted(((1,), (1, 3)), max_age=3),
    LastGradients(),
])
@pytest.mark.parametrize("combination", [
    Aggregation("sum"), Aggregation("median-mean", 0.5), Aggregation("mean", 0.0), FixedWeights(1.0, (0.3, -0.2)),
])
def test_every_shipped_rule_passes_the_checks(selection, combination):
    declared = check_rules(selection, combination)
    assert declared == combination.declared_constants(selection.capacity)


@pytest.mark.usefixtures("blas_threads")
def test_the_probes_leave_the_callers_generator_alone():
    """RandomSubset draws from the run's generator: a probe drawing from it would shift every draw."""
    problems = make_quadratics(3, 4, 1.0, 10.0, rng=np.random.default_rng(1))
    gen = np.random.default_rng(7)
    state = gen.bit_generator.state
    check_rules(RandomSubset(3, 2), Aggregation("sum"))
    assert gen.bit_generator.state == state
    by_generator = run(problems, RandomSubset(3, 2), Aggregation("sum"), 0.02, 40, rng=np.random.default_rng(7))
    by_seed = run(problems, RandomSubset(3, 2), Aggregation("sum"), 0.02, 40, rng=7)
    # the same draws feed the same code: the same bits (a shifted stream would change the subsets used)
    np.testing.assert_array_equal(by_generator.distances, by_seed.distances)


# ---------------------------------------------------------------------------- verify_rule's arguments

BAD_ARGUMENTS = [
    pytest.param(dict(steps=0), ["steps", ">= 1", "0"], id="steps=0"),
    pytest.param(dict(steps=2.5), ["steps", "integer"], id="steps-float"),
    pytest.param(dict(max_examples=0), ["max_examples", ">= 1"], id="max_examples=0"),
    pytest.param(dict(families=("bogus",)), ["families", "'quadratic'", "'logistic'", "'huber'", "'finite_sum'",
                                             "unknown: 'bogus'"], id="families-bogus"),
    pytest.param(dict(families=()), ["families", "non-empty"], id="families-empty"),
    pytest.param(dict(families="quadratic"), ["families", "not a string"], id="families-string"),
    pytest.param(dict(max_kappa=0.5), ["max_kappa", ">= 1", "0.5"], id="max_kappa=0.5"),
    pytest.param(dict(max_kappa=float("inf")), ["max_kappa", "finite"], id="max_kappa=inf"),
    pytest.param(dict(seed=-1), ["seed", ">= 0"], id="seed=-1"),
    pytest.param(dict(shrink_seconds=-1.0), ["shrink_seconds", ">= 0"], id="shrink_seconds<0"),
    pytest.param(dict(screen_examples=-1), ["screen_examples", ">= 0"], id="screen_examples<0"),
    pytest.param(dict(screen_examples=2.5), ["screen_examples", "integer"], id="screen_examples=2.5"),
]


@pytest.mark.parametrize("kwargs, words", BAD_ARGUMENTS)
def test_each_bad_verify_rule_argument_is_named_before_any_work(kwargs, words, tripwires):
    start = time.monotonic()
    with pytest.raises(ValueError) as caught:
        verify_rule(*GOOD, **kwargs)
    assert time.monotonic() - start < 1.0
    assert tripwires == []
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_arguments_are_checked_before_the_rules():
    """A bad argument and a broken rule together: the argument is reported (all of them come first)."""
    with pytest.raises(ValueError, match="steps"):
        verify_rule(NoCapacity(), GOOD[1], steps=0)


def test_a_correct_user_rule_still_verifies():
    report = verify_rule(*GOOD, max_examples=5, screen_examples=300)
    assert report.examples == 5 and report.a_priori_checked == 5


class NoUpperBound(NanConstants):
    """Weights that may compound without limit declare +inf: an honest 'no bound'."""

    def declared_constants(self, capacity):
        return CombinationConstants(0.5, float("inf"), float("inf"), float("inf"))


class NegativeInfiniteMass(NanConstants):
    def declared_constants(self, capacity):
        return CombinationConstants(1.0, 1.0, float("-inf"), 1.0)


def test_infinite_upper_constants_mean_no_bound_but_a_mass_cannot_be_minus_infinity():
    constants = check_declared_constants(NoUpperBound(), 2)
    assert constants.s_hi == constants.B == constants.W == float("inf")
    with pytest.raises(RuleValueError, match=r"declared_constants\(capacity=2\)\.B must be a real number"):
        check_declared_constants(NegativeInfiniteMass(), 2)
