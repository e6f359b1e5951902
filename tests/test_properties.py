"""Theorem 1 / 1b hold for arbitrary selection and combination rules (property tests).

Examples per property come from the hypothesis profile (``ci``: 60, derandomized).
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from memgd.proofs_check.properties.strategies import (
    memory_rules, problem_specs, selection_rules, step_fractions, aggregations,
)
from memgd.proofs_check.properties.verify_rule import check_example


@given(rule=memory_rules(bounded_only=True), spec=problem_specs(), fraction=step_fractions(),
       seed=st.integers(0, 2**31 - 1))
def test_bound_holds_a_priori_and_a_posteriori_for_bounded_age_rules(rule, spec, fraction, seed):
    selection, combination = rule
    example = check_example(selection, combination, spec, fraction, steps=200, seed=seed)
    assert example is not None  # strategies only draw rules with declared s_lo > 0
    assert not example.problems, example.problems
    # the a priori check ran: bounded ages and an admissible step drawn inside the limit
    assert np.isfinite(example.a_priori_slack)


@given(selection=selection_rules(bounded_only=False), combination=aggregations(0.0, 2.0),
       spec=problem_specs(), fraction=step_fractions(), seed=st.integers(0, 2**31 - 1))
def test_bound_holds_a_posteriori_for_every_named_rule(selection, combination, spec, fraction, seed):
    example = check_example(selection, combination, spec, fraction, steps=200, seed=seed)
    assert example is not None
    assert not example.problems, example.problems


@given(spec=problem_specs(families=("logistic", "huber")), fraction=step_fractions(),
       decay=st.sampled_from([0.5, 0.7, 0.9, 0.99]), critical_test=st.booleans(),
       top_c=st.integers(1, 6), name=st.sampled_from(["sum", "mid", "mean", "max"]))
def test_bound_holds_for_the_critical_rule_on_non_quadratic_problems(spec, fraction, decay, critical_test,
                                                                       top_c, name):
    from memgd.solvers import Aggregation, CriticalGradients
    example = check_example(CriticalGradients(top_c, decay, critical_test), Aggregation(name, 1.0), spec,
                            fraction, steps=200)
    assert not example.problems, example.problems
