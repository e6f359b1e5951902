"""Theorem 2 inside verify_rule: checked over its own range of steps, and a wrong rate is caught."""

import numpy as np
import pytest

from memgd.proofs_check import RuleViolation, verify_rule
from memgd.solvers import Aggregation, FixedWeights, KeepOldest
from memgd.proofs_check.properties.bound_check import THEOREM_RATES


def test_theorem_2_is_checked_for_nonnegative_rules():
    report = verify_rule(KeepOldest(2, max_age=3), Aggregation("mid"), max_examples=15, screen_examples=300)
    assert report.theorem_2_checked > 0
    assert report.smallest_slack >= 0
    assert "Theorem 2 on" in str(report)


def test_signed_rules_never_get_theorem_2():
    report = verify_rule(KeepOldest(1, max_age=2), FixedWeights(1.0, (-0.3,)), max_examples=10, screen_examples=300)
    assert report.theorem_2_checked == 0


def test_a_too_fast_theorem_2_is_caught(monkeypatch):
    true_rate = THEOREM_RATES["2"]

    def too_fast(**kw):
        rho, c = true_rate(**kw)
        return np.asarray(rho) ** 8, c   # eight times the claimed progress per step
    monkeypatch.setitem(THEOREM_RATES, "2", too_fast)  # where every run check reads the theorems
    with pytest.raises(RuleViolation) as caught:
        verify_rule(KeepOldest(2, max_age=3), Aggregation("mid"), max_examples=15, shrink_seconds=3.0, screen_examples=300)
    assert any("Theorem 2" in p for p in caught.value.example.problems)
