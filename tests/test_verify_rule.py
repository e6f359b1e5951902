"""verify_rule used as a researcher would: on a rule defined outside the package."""

from dataclasses import dataclass

import numpy as np
import pytest

from memgd.proofs_check import verify_rule
from memgd.solvers import CombinationConstants, Fifo, FixedWeights
from memgd.solvers.memory import MemoryState, empty_memory, write_slot
from memgd.solvers.step_checks import RuleStepError


@dataclass(frozen=True)
class EveryOtherGradient:
    """A user's selection rule: keep the gradients of even steps only, at most ``capacity``,
    and use those younger than ``max_age``."""

    capacity: int = 2
    max_age: int = 4

    @property
    def slots(self) -> int:
        return self.capacity

    def init(self, g0):
        return empty_memory(g0.shape[0], self.capacity, g0.shape[1])

    def active(self, mem: MemoryState, k, rng):
        return mem.filled & (mem.ages(k) <= self.max_age)

    def insert(self, mem, g, k, rng):
        if k % 2 == 0:
            rows = np.arange(g.shape[0])
            write_slot(mem, rows, np.full(g.shape[0], (k // 2) % self.capacity), g, np.linalg.norm(g, axis=1), k)
        return mem


def test_a_users_rule_passes_and_the_report_says_what_was_checked():
    report = verify_rule(EveryOtherGradient(), FixedWeights(1.0, (0.3, -0.2)), max_examples=25)
    assert report.examples == 25
    assert report.a_priori_checked == 25 and report.a_posteriori_checked == 25
    assert report.smallest_slack >= 0
    assert report.realized_ranges["T"][1] <= 4
    # before hypothesis, 10,000 examples screened in batched runs (this rule declares its age bound: every
    # screened example gets its a priori bound too)
    assert report.screened == 10_000 and report.screen_mode == "batched"
    assert report.screened_a_priori_checked == report.screened_a_posteriori_checked == 10_000
    assert "screened 10000 examples" in str(report) and "batched runs" in str(report)


@dataclass(frozen=True)
class Overclaiming:
    """A combination that declares s = 1 but actually steps with 0.1 g: its declared
    bound rho = 1 - alpha mu is faster than the method, so the property must fail."""

    def weights(self, g, mem, active, k, rng):
        return np.full(g.shape[0], 0.1), np.zeros(active.shape)

    def declared_constants(self, capacity):
        return CombinationConstants(1.0, 1.0, 0.0, 1.0)


def test_a_rule_that_misdeclares_its_constants_is_caught_at_once_with_a_reproducer():
    """The run checks every step against the declared constants: the lie is the rule's bug, raised on the
    first example (no shrinking), with a reproducer that rebuilds the drawn problems and fails the same way."""
    with pytest.raises(RuleStepError) as caught:
        verify_rule(Fifo(0), Overclaiming(), max_examples=20, shrink_seconds=3.0)
    error = caught.value
    assert (error.step, error.problem, error.method) == (0, 0, "weights")
    assert "Overclaiming()" in str(error) and "s = a + sum(b) = 0.1" in str(error) and "s_lo = 1.0" in str(error)
    assert "ProblemSpec(" in error.reproducer
    with pytest.raises(RuleStepError) as again:
        exec(error.reproducer, {})
    assert again.value.what == error.what


def test_no_admissible_step_is_a_value_error():
    with pytest.raises(ValueError, match="admissible"):
        verify_rule(Fifo(1), FixedWeights(1.0, (-1.5,)), max_examples=5)
