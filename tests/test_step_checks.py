"""Every step of a run checks the rules: a rule that breaks its interface or a declaration after the door's
probe is named at the step it happens (rule, method, step, problem) with a reproducer that reruns it.

Each rule below is correct until a given step, then breaks one promise for one problem; the tests assert
the step and the problem the error names (which the rule's own definition fixes, not the code under test),
that the run stopped there, and that the reproducer raises the same error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from memgd.solvers import (
    Aggregation, CombinationConstants, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset, Status,
    make_quadratics, run,
)
from memgd.solvers.memory import empty_memory, write_slot
from memgd.solvers.step_checks import RuleStepError

N, D = 6, 4


def _problems(mu=1.0, L=10.0):
    return make_quadratics(N, D, mu, L, rng=np.random.default_rng(3))


@dataclass(frozen=True)
class HalfMean:
    """d = g + (1/2) mean(memory): s in [1, 1.5], B = 0.5, W = 1.5; optionally broken from ``at`` on for ``who``."""

    at: int = 10**9
    who: int = 0
    how: str = "nan"  # nan | negative | mass | outside | shape

    nonnegative_weights = True

    def weights(self, g, mem, active, k, rng):
        m = np.maximum(active.sum(axis=1, keepdims=True), 1)
        b = np.where(active, 0.5 / m, 0.0)
        a = np.ones(g.shape[0])
        if k >= self.at:
            if self.how == "nan":
                a[self.who] = np.nan
            elif self.how == "negative":  # s stays in [1, 1.5] and the masses within B, W: only the sign is wrong
                a[self.who] = 1.2
                b[self.who] = np.where(active[self.who], -0.1 / m[self.who], 0.0)
            elif self.how == "mass":  # memory mass 0.6 > the declared B = 0.5 (s = 1.4 and W = 1.4 stay within)
                a[self.who] = 0.8
                b[self.who] = np.where(active[self.who], 0.6 / m[self.who], 0.0)
            elif self.how == "outside":
                b[self.who] = np.where(active[self.who], b[self.who], 1e-3)
            elif self.how == "shape":
                b = b[:, :1]
        return a, b

    def declared_constants(self, capacity):
        return CombinationConstants(1.0, 1.5, 0.5, 1.5)


@dataclass(frozen=True)
class Window:
    """The last ``slots - 1`` gradients in a ring (slot ``slots - 1`` stays empty); uses the ``capacity``
    youngest, or from step ``at`` on misbehaves.  (``at`` past the door's probe, which runs 6 steps.)"""

    capacity: int = 2
    slots: int = 4
    max_age: int = 2
    at: int = 10**9
    how: str = "capacity"  # capacity | empty | age | memory

    def init(self, g0):
        return empty_memory(g0.shape[0], self.slots, g0.shape[1])

    def active(self, mem, k, rng):
        young = mem.filled & (mem.ages(k) <= self.capacity)
        if k < self.at:
            return young
        if self.how == "capacity":
            return mem.filled.copy()  # every filled slot: 3 > capacity 2
        if self.how == "empty":
            out = young.copy()
            out[1, -1] = True  # problem 1 also selects its empty last slot
            return out
        if self.how == "age":
            return mem.filled & (mem.ages(k) <= self.capacity + 1) & (mem.ages(k) > 1)  # ages 2, 3: 3 > max_age
        return young

    def insert(self, mem, g, k, rng):
        rows = np.arange(g.shape[0])
        write_slot(mem, rows, np.full(g.shape[0], k % (self.slots - 1)), g, np.linalg.norm(g, axis=1), k)
        if k + 1 >= self.at and self.how == "memory":
            return mem._replace(filled=mem.filled[:, :2])
        return mem


def _error(selection, combination, **kwargs) -> RuleStepError:
    with pytest.raises(RuleStepError) as caught:
        run(_problems(), selection, combination, 0.02, 200, **kwargs)
    return caught.value


def _reproduces(error: RuleStepError, **problems_kwargs):
    """Run the reproducer (its problems line replaced by this file's batch) and compare the error."""
    code = error.reproducer.replace("problems = ...", "problems = _problems()", 1)
    with pytest.raises(RuleStepError) as again:
        exec(code, {"_problems": _problems, "x0": None})
    assert again.value.what == error.what


@pytest.mark.parametrize("record", ["full", "summary", "final"])
def test_a_nan_weight_at_step_20_is_the_rules_fault_named_at_its_step(record, monkeypatch):
    problems = _problems()
    calls = []
    grad = type(problems).grad
    monkeypatch.setattr(type(problems), "grad", lambda self, x: calls.append(1) or grad(self, x))
    with pytest.raises(RuleStepError) as caught:
        run(problems, Fifo(2), HalfMean(at=20, who=3), 0.02, 1000, record=record)
    error = caught.value
    assert (error.step, error.problem, error.method) == (20, 3, "weights")
    assert "HalfMean(at=20, who=3, how='nan')" in str(error) and "non-finite" in str(error)
    assert "diverged" not in str(error)
    assert len(calls) <= 22  # the NaN made problem 3 diverge at step 21: the run stopped there, not at 1000
    assert "from memgd.solvers import run, Fifo" in error.reproducer and "steps=21" in error.reproducer
    _reproduces(error)


def test_the_checks_can_be_switched_off_and_then_the_nan_is_a_divergence():
    res = run(_problems(), Fifo(2), HalfMean(at=20, who=3), 0.02, 100, step_checks=False)
    assert res.status[3] == Status.DIVERGED and res.nit[3] == 21


@pytest.mark.parametrize("record", ["full", "final"])
def test_active_beyond_capacity_from_step_10_is_caught(record):
    """One slot too many, nothing else broken: "sum" has the same constants for any number of used gradients,
    and the ages 1..3 stay within max_age = 3."""
    error = _error(Window(max_age=3, at=10, how="capacity"), Aggregation("sum"), record=record)
    assert (error.step, error.problem, error.method) == (10, 0, "active")
    assert "selects 3 slots, more than its capacity = 2" in str(error)  # the ring's 3 slots are all filled
    _reproduces(error)


def test_active_selecting_an_empty_slot_is_caught():
    error = _error(Window(at=8, how="empty"), Aggregation("sum"))
    assert (error.step, error.problem, error.method) == (8, 1, "active") and "empty slot (slot 3)" in str(error)


def test_a_used_gradient_older_than_the_declared_max_age_is_caught():
    error = _error(Window(at=7, how="age"), Aggregation("sum"))
    assert (error.step, error.problem) == (7, 0)
    assert "age 3, older than its declared max_age = 2" in str(error)


def test_an_insert_returning_a_smaller_memory_is_caught():
    error = _error(Window(at=10, how="memory"), Aggregation("sum"))
    assert error.step == 9 and "insert(mem, g, k=9, rng)" in str(error) and "filled" in str(error)


@pytest.mark.parametrize("how, words", [
    ("negative", ["negative weight (b = -0.05 on slot", "nonnegative_weights = True"]),
    ("mass", ["sum(|b|) = 0.6", "declared B = 0.5", "declared_constants(capacity=2)"]),
    ("outside", ["nonzero b on slot", "not active"]),
])
def test_a_weight_breaking_a_declaration_at_step_15_is_caught(how, words):
    error = _error(Window(), HalfMean(at=15, who=2, how=how))  # 2 of 4 slots used: b has slots outside active
    assert (error.step, error.problem, error.method) == (15, 2, "weights")
    for word in words:
        assert word in str(error), (word, str(error))
    _reproduces(error)


def test_weights_of_the_wrong_shape_mid_run_are_caught():
    error = _error(Fifo(2), HalfMean(at=9, how="shape"))
    assert error.step == 9 and error.problem is None and "(6, 2)" in str(error) and "(6, 1)" in str(error)


@pytest.mark.parametrize("field, lie", [("s_lo", (1.2, 1.5, 0.5, 1.5)), ("s_hi", (1.0, 1.3, 0.5, 1.5)),
                                        ("B", (1.0, 1.5, 0.3, 1.5)), ("W", (1.0, 1.5, 0.5, 1.4))])
def test_each_declared_constant_is_checked(field, lie):
    """Fifo(2) with the "mid"-like HalfMean reaches s = 1 (empty memory) and s = 1.5, B = 0.5, W = 1.5."""

    @dataclass(frozen=True)
    class Lying(HalfMean):
        def declared_constants(self, capacity):
            return CombinationConstants(*lie)

    error = _error(Fifo(2), Lying())
    step = 0 if field == "s_lo" else 1  # s = 1 at step 0 (empty memory); the memory is used from step 1
    assert (error.step, error.problem) == (step, 0)
    assert f"declared {field} = {dict(zip(('s_lo', 's_hi', 'B', 'W'), lie))[field]!r}" in str(error)


def test_the_tolerance_is_the_rounding_of_the_sums_and_no_more():
    """s = a + sum(b) with S = 1 slot is compared to s_hi with 2 (S + 1) eps (W + |s_hi|) = 8 eps (W ~ 1)."""
    eps = np.finfo(float).eps

    @dataclass(frozen=True)
    class Over:
        excess: float

        def weights(self, g, mem, active, k, rng):
            return np.full(g.shape[0], 1.0 + self.excess), np.zeros(active.shape)

        def declared_constants(self, capacity):
            return CombinationConstants(1.0, 1.0, 0.0, 1.0 + 1e-9)

    run(_problems(), Fifo(1), Over(4 * eps), 0.02, 30)  # rounding-sized: accepted
    with pytest.raises(RuleStepError, match="above the declared s_hi"):
        run(_problems(), Fifo(1), Over(1e-12), 0.02, 30)


def test_steps_a_problem_did_not_take_are_not_checked():
    """Problem 0 reaches x* exactly at step 1 (mu = L = 1, alpha = 1: one exact Newton step) and stops; a rule
    that returns NaN for it afterwards breaks nothing the run used.  The same NaN while it runs is caught."""
    problems = make_quadratics(N, D, 1.0, 1.0, rng=np.random.default_rng(3))
    alpha = np.full(N, 0.3)
    alpha[0] = 1.0
    res = run(problems, Fifo(0), HalfMean(at=5, who=0), alpha, 40)
    assert res.status[0] == Status.CONVERGED and res.nit[0] == 1
    alpha[0] = 0.3
    with pytest.raises(RuleStepError, match="non-finite"):
        run(problems, Fifo(0), HalfMean(at=5, who=0), alpha, 40)


def test_a_generator_seed_is_reproduced_exactly():
    error = _error(RandomSubset(3, 2), HalfMean(at=12, who=4, how="negative"), rng=np.random.default_rng(11))
    assert "rng.bit_generator.state = " in error.reproducer and "import numpy as np" in error.reproducer
    _reproduces(error)


@pytest.mark.parametrize("selection, combination, attained", [
    (CriticalGradients(4, 0.7), Aggregation("mean", 2.0), "s_hi"),  # (1 + 2 * 4) / 5 once the buffer is full
    (Fifo(5), Aggregation("mean", 0.3), "W"),                        # (1 + 0.3 * 5) / 6
    (RandomSubset(4, 3), Aggregation("sum", -0.5), "s_lo"),          # 1 - 0.5 whenever memory is used
    (KeepOldest(3, max_age=5), FixedWeights(0.7, (0.3, -0.2, 0.1)), "B"),  # 0.3 + 0.2 + 0.1, always 3 used
    (Fifo(3), Aggregation("median-mean", 1.5), "s_hi"),              # (1 + 1.5) / 2
])
def test_the_shipped_rules_reach_their_declared_constants_and_pass(selection, combination, attained):
    """A declared bound that the steps attain, computed by other arithmetic than the steps' sums: the run
    passes, so the checks' tolerance absorbs that rounding (and the bound is sharp, so they are not vacuous)."""
    res = run(_problems(), selection, combination, 0.01, 150, tol=0.0, rng=2)
    declared = getattr(combination.declared_constants(selection.capacity), attained)
    realized = getattr(res.constants, attained)
    extreme = realized.min() if attained == "s_lo" else realized.max()
    assert extreme == pytest.approx(declared, rel=1e-14, abs=0)


@pytest.mark.parametrize("record", ["full", "summary", "final"])
def test_ages_older_than_the_run_are_recorded_not_wrapped(record):
    """A window pre-filled with T = 200 past gradients uses age 200 at step 0 of a 50-step run: the small age
    type chosen for 50 steps (int8) must widen, else the realized T wraps (it read 0)."""
    res = run(_problems(), KeepOldest(1, max_age=200), Aggregation("sum", 0.5), 0.001, 50, record=record)
    assert (res.constants.T == 200).all()
    if record == "full":
        assert res.max_age.max() == 200 and res.ages.max() == 200
    traced = run(_problems(), KeepOldest(1, max_age=200), Aggregation("sum", 0.5), 0.001, 5, trace=True)
    assert (traced.trace.slot_ages.max(axis=2) == 200).all()  # slot k, born k - 200, is the oldest at step k
