"""A rule declares what it is (sign, patterns), and the theorems and bounds follow from the declaration.

A user's nonnegative rule gets Theorem 2 in ``verify_rule`` and ``rate_sweep``, and its declared patterns
give ``rate_sweep`` its certificate and exact rate without ``patterns=``; the shipped rules declare through
the same attributes; a declaration that is false is caught; ``run(None)`` is a clear TypeError.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytest

import memgd.proofs_check.properties.verify_rule as verify_module
from memgd.proofs_check import verify_rule
from memgd.proofs_check.properties.bound_check import declared_nonnegative
from memgd.proofs_check.properties.strategies import ProblemSpec
from memgd.proofs_check.sweeps import rate_sweep, rule_patterns
from memgd.solvers import (
    AgeWeights, Aggregation, CombinationConstants, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset,
    RandomWeights, ReferenceAggregation, Scripted, make_quadratics, run,
)
from memgd.solvers.declarations import declared_class, declared_patterns
from memgd.solvers.memory import empty_memory, write_slot
from memgd.solvers.rule_checks import RuleInterfaceError, RuleValueError
from memgd.solvers.step_checks import RuleStepError
from memgd.theory import Pattern, exact_rate
from memgd.theory.constants import alpha_max
from memgd.theory.constants2 import alpha_max2


@dataclass(frozen=True)
class LastTwo:
    """A user's selection: the last two gradients, both used (ages 1 and 2 from step 2 on)."""

    capacity = 2
    slots = 2
    max_age = 2

    def init(self, g0):
        return empty_memory(g0.shape[0], 2, g0.shape[1])

    def active(self, mem, k, rng):
        return mem.filled.copy()

    def insert(self, mem, g, k, rng):
        write_slot(mem, np.arange(g.shape[0]), np.full(g.shape[0], k % 2), g, np.linalg.norm(g, axis=1), k)
        return mem

    def recurrent_ages(self):
        return [(1, 2)]


@dataclass(frozen=True)
class Averaging:
    """A user's nonnegative averaging: d = (g_k + sum of the used gradients) / (m + 1)."""

    declare: bool = True

    def weights(self, g, mem, active, k, rng):
        scale = 1.0 / (active.sum(axis=1) + 1)
        return scale, np.where(active, scale[:, None], 0.0)

    def declared_constants(self, capacity):
        return CombinationConstants(1.0, 1.0, capacity / (capacity + 1), 1.0)

    @property
    def nonnegative_weights(self):
        return self.declare

    def weights_for_ages(self, ages):
        return [(1.0 / (len(ages) + 1),) * (len(ages) + 1)]


# ----------------------------------------------------------------------------- run(None)


@pytest.mark.parametrize("bad", [None, "quadratics", np.zeros((3, 2)), 5])
def test_run_refuses_a_non_problem_first_argument_with_a_type_error_before_any_work(bad):
    class Tripwire:  # a selection rule whose probe would fail: the problems are checked first
        pass

    with pytest.raises(TypeError) as caught:
        run(bad, Tripwire(), Aggregation("sum"), 0.1, 10)
    message = str(caught.value)
    assert message.startswith("problems must be a memgd.solvers.ProblemBatch")
    assert "make_quadratics" in message and "problem_from_functions" in message
    assert ("got None" in message) if bad is None else (f"got {type(bad).__name__}" in message)


# ----------------------------------------------------------------------------- the sign


@pytest.mark.parametrize("combination, nonnegative", [
    (Aggregation("sum", 1.0), True), (Aggregation("max-mean", 0.0), True), (Aggregation("mean", -0.5), False),
    (FixedWeights(1.0, (0.3, 0.0)), True), (FixedWeights(1.0, (0.3, -0.1)), False),
    (FixedWeights(-0.1, (0.3,)), False), (AgeWeights((1.0, 0.5)), True), (AgeWeights((1.0, -0.5)), False),
    (RandomWeights((0.5, 1.0), (0.0, 0.3)), True), (RandomWeights((0.5, 1.0), (-0.1, 0.3)), False),
    (ReferenceAggregation("min", 0.5), True), (ReferenceAggregation("sum", -1.0), False),
    (Averaging(), True), (Averaging(declare=False), False),
])
def test_every_rule_declares_its_sign_through_the_same_attribute(combination, nonnegative):
    assert declared_nonnegative(combination) is nonnegative
    assert getattr(combination, "nonnegative_weights") is nonnegative
    # and the declaration is true: a run's weights are all >= 0 exactly when declared (for these parameters)
    res = run(make_quadratics(3, 3, 1.0, 10.0, rng=np.random.default_rng(0)), RandomSubset(3, 2), combination,
              0.01, 40, tol=0.0, trace=True) if not isinstance(combination, ReferenceAggregation) else None
    if res is not None and nonnegative:
        assert (res.trace.a >= 0).all() and (res.trace.b >= 0).all()


def test_a_declaration_that_is_not_a_bool_is_refused_at_the_door():
    @dataclass(frozen=True)
    class Vague(Averaging):
        nonnegative_weights = "yes"

    with pytest.raises(RuleInterfaceError, match="nonnegative_weights must be a bool"):
        run(make_quadratics(2, 2, rng=np.random.default_rng(0)), LastTwo(), Vague(), 0.1, 5)


def test_a_rule_with_no_declaration_is_signed_and_still_runs():
    @dataclass(frozen=True)
    class Plain:
        def weights(self, g, mem, active, k, rng):
            return np.ones(g.shape[0]), np.zeros(active.shape)

        def declared_constants(self, capacity):
            return CombinationConstants(1.0, 1.0, 0.0, 1.0)

    assert declared_nonnegative(Plain()) is False
    assert declared_patterns(LastTwo(), Plain()).patterns is None
    run(make_quadratics(2, 2, rng=np.random.default_rng(0)), LastTwo(), Plain(), 0.1, 5)


# ----------------------------------------------------------------------------- Theorem 2 for a user's rule


def test_a_users_nonnegative_rule_gets_theorem_2_in_verify_rule():
    """Declared nonnegative, the rule's steps are drawn up to Theorem 2's admissible step (beyond Theorem 1's
    and 1b's) and checked a priori by Theorem 2; without the declaration, never beyond Theorem 1/1b's."""
    spec = ProblemSpec("quadratic", 1.0, 10.0, 3, 4, 1)
    dc = Averaging().declared_constants(2)
    kw = dict(mu=1.0, L=10.0, s_lo=dc.s_lo, s_hi=dc.s_hi, B=dc.B, W=dc.W, T=2)
    top1 = max(float(alpha_max(**kw, theorem="1")), float(alpha_max(**kw, theorem="1b")))
    top2 = float(alpha_max2(mu=1.0, L=10.0, s_lo=dc.s_lo, B=dc.B, W=dc.W, T=2))
    assert top2 > 5 * top1
    declared = verify_module.check_example(LastTwo(), Averaging(), spec, 0.9, steps=100)
    assert declared.alpha == pytest.approx(0.9 * top2) and declared.alpha > top1
    assert np.isfinite(declared.a_priori_slack) and declared.a_priori_slack >= 0
    assert np.isfinite(declared.theorem_2_slack)
    signed = verify_module.check_example(LastTwo(), Averaging(declare=False), spec, 0.9, steps=100)
    assert signed.alpha == pytest.approx(0.9 * top1)
    report = verify_rule(LastTwo(), Averaging(), max_examples=4, steps=80, screen_examples=300)
    assert report.examples == report.a_priori_checked == 4 and report.theorem_2_checked >= 1


def test_rate_sweep_gives_a_users_declared_rule_theorem_2_its_certificate_and_exact_rate():
    """No patterns= given: LastTwo + Averaging declare the pattern g_k/3 + g_{k-1}/3 + g_{k-2}/3 from step 2 on."""
    alphas = [0.02, 0.04]
    sweep = rate_sweep(LastTwo(), Averaging(), alphas=alphas, n=2, d=3, families=("quadratic",), steps=400)
    pattern = Pattern((0, 1, 2), (1 / 3, 1 / 3, 1 / 3))
    exact = sweep.bound("exact_quadratic")
    np.testing.assert_allclose(exact.values, [exact_rate(1.0, 10.0, a, pattern) for a in alphas], rtol=1e-12)
    cert = sweep.bound("certificate")
    assert cert.available.all() and (cert.values >= exact.values - 1e-9).all()
    declared = sweep.bound("theorem_declared")
    # Theorem 1/1b with s = 1, B = 2/3, W = 1, T = 2 are vacuous beyond alpha = 0.0075; Theorem 2 holds to 0.042
    assert declared.detail == ("2", "2") and np.isfinite(declared.values).all()
    signed = rate_sweep(LastTwo(), Averaging(declare=False), alphas=[0.04], n=2, d=3, families=("quadratic",),
                        steps=400, certificates=False)
    assert np.isnan(signed.bound("theorem_declared").values[0])
    # a posteriori the run's weights are measured nonnegative: Theorem 2 applies with the realized constants
    assert sweep.bound("theorem_realized").detail == ("2", "2")


# ----------------------------------------------------------------------------- patterns


@pytest.mark.parametrize("selection, combination, count", [
    (Fifo(3), Aggregation("max"), 3), (RandomSubset(4, 2), Aggregation("sum"), 11), (KeepOldest(2, max_age=5),
                                                                                   AgeWeights((1.0, 0.5)), 1),
    (Scripted(((1,), (2,), (1, 2)), max_age=2), FixedWeights(1.0, (0.5, 0.25)), 1), (LastTwo(), Aggregation("mid"), 1),
])
def test_declared_patterns_compose_across_shipped_and_user_rules(selection, combination, count):
    assert len(rule_patterns(selection, combination).recurrent) == count


def test_rules_that_cannot_declare_say_why_and_huge_sets_are_refused():
    assert "bounds no age" in declared_patterns(CriticalGradients(3), Aggregation("sum")).reason
    assert "declares no weights" in declared_patterns(Fifo(2), RandomWeights((1.0, 1.0), (0.0, 0.1))).reason
    assert "kappa^m" not in declared_patterns(Fifo(2), ReferenceAggregation("min", 2.0)).reason
    huge = declared_patterns(RandomSubset(14, 7), Aggregation("sum"))  # 9908 age sets
    assert huge.patterns is None and "more than 4096" in huge.reason


@dataclass(frozen=True)
class LyingAges(LastTwo):
    def recurrent_ages(self):
        return [(1,)]  # but it uses ages 1 and 2


def test_declared_patterns_that_a_run_does_not_keep_are_caught():
    with pytest.raises(RuleStepError) as caught:
        verify_rule(LyingAges(), Averaging(), max_examples=3, steps=40, screen_examples=300)
    error = caught.value
    assert error.step == 2 and "ages (1, 2)" in str(error) and "declared recurrent patterns" in str(error)
    assert "ProblemSpec(" in error.reproducer and "check_declared_patterns" in error.reproducer
    with pytest.raises(RuleValueError, match="declare recurrent patterns their run does not keep"):
        rate_sweep(LyingAges(), Averaging(), alphas=[0.05], n=2, d=3, families=("quadratic",), steps=50,
                   certificates=False)


# ----------------------------------------------------------------------------- verify_rule names a broken rule at once


@dataclass(frozen=True)
class NanFrom20(Averaging):
    def weights(self, g, mem, active, k, rng):
        a, b = super().weights(g, mem, active, k, rng)
        if k >= 20:
            a = a.copy()
            a[-1] = np.nan
        return a, b


@dataclass(frozen=True)
class OverCapacityFrom10(LastTwo):
    capacity = 1

    def active(self, mem, k, rng):
        return mem.filled.copy() if k >= 10 else mem.filled & (mem.ages(k) == 1)

    def recurrent_ages(self):
        return None


@pytest.mark.parametrize("selection, combination, step, method, words", [
    (LastTwo(), NanFrom20(), 20, "weights", ["NanFrom20", "non-finite"]),
    (OverCapacityFrom10(), Averaging(), 10, "active", ["OverCapacityFrom10", "2 slots, more than its capacity = 1"]),
])
def test_verify_rule_reports_a_broken_rule_at_once_with_a_reproducer(selection, combination, step, method, words,
                                                                     monkeypatch):
    calls = []
    check = verify_module.check_example
    monkeypatch.setattr(verify_module, "check_example", lambda *a, **k: calls.append(1) or check(*a, **k))
    start = time.monotonic()
    with pytest.raises(RuleStepError) as caught:
        verify_rule(selection, combination, max_examples=50, steps=60, screen_examples=300)
    assert len(calls) == 1 and time.monotonic() - start < 10  # the first example that shows it, no shrinking
    error = caught.value
    assert (error.step, error.method) == (step, method) and error.problem is not None
    for word in words:
        assert word in str(error)
    with pytest.raises(RuleStepError) as again:
        exec(error.reproducer, {})
    assert again.value.what == error.what


# ----------------------------------------------------------------------------- the declared class (for class certificates)


@pytest.mark.parametrize("selection, combination", [
    (Fifo(3), Aggregation("mean", 2.0)), (RandomSubset(4, 3), FixedWeights(0.8, (0.5, -0.3, 0.2))),
    (KeepOldest(2, max_age=4), Aggregation("max-mean", 1.0)), (Fifo(2), RandomWeights((0.2, 1.0), (-0.4, 0.6))),
    (LastTwo(), Averaging()),
])
def test_the_declared_class_contains_every_step_a_run_takes(selection, combination):
    cls = declared_class(selection, combination)
    res = run(make_quadratics(3, 3, 1.0, 10.0, rng=np.random.default_rng(1)), selection, combination, 0.01, 60,
              tol=0.0, trace=True, rng=3)
    a, b = res.trace.a, res.trace.b
    assert (cls.a_lo <= a).all() and (a <= cls.a_hi).all()
    assert cls.nonnegative == declared_nonnegative(combination)
    if cls.nonnegative:
        assert cls.a_lo >= 0 and (b >= 0).all()
    assert (np.abs(b).sum(axis=2) <= cls.B + 1e-15).all() and cls.T == selection.max_age
