"""The report's property section runs verify_rule (screen, then hypothesis) per built-in pair and turns red
when a bound fails (the sizes are cut here; the report uses verify_rule's defaults)."""

import functools

import numpy as np

import memgd.proofs_check.report.properties as properties
from memgd.proofs_check.properties.verify_rule import verify_rule
from memgd.proofs_check.properties.bound_check import THEOREM_RATES


def _small(monkeypatch, pairs):
    monkeypatch.setattr(properties, "verify_rule", functools.partial(verify_rule, screen_examples=150,
                                                                     max_examples=5, steps=60))
    monkeypatch.setattr(properties, "PAIRS", {k: properties.PAIRS[k] for k in pairs})


def test_the_section_checks_each_pair_and_counts_what_it_checked(monkeypatch):
    _small(monkeypatch, ["KeepOldest(2, max_age=3) + mid", "CriticalGradients(3, 0.7) + sum"])
    sec = properties.properties_section()
    assert len(sec.rows) == 2 and len(sec.checks) == 2 and not sec.failed
    keep, critical = sec.rows
    assert keep["screened"] == 150 and keep["hypothesis examples"] == 5
    assert keep["a priori checked"] == 155  # ages bounded: every example has an a priori bound
    assert critical["a priori checked"] == 0 and critical["a posteriori checked"] > 0  # unbounded ages
    assert keep["Theorem 2 checked"] > 0 and "in 1 process" in sec.checks[0].detail


def test_a_false_bound_turns_the_section_red(monkeypatch):
    _small(monkeypatch, ["Fifo(2) + FixedWeights(1, (0.3, -0.2))"])
    for name, true_rate in list(THEOREM_RATES.items()):  # every theorem claims 8 times its progress
        monkeypatch.setitem(THEOREM_RATES, name,
                            lambda _true=true_rate, **kw: (np.asarray(_true(**kw)[0]) ** 8, _true(**kw)[1]))
    sec = properties.properties_section()
    assert len(sec.failed) == 1 and sec.rows[0]["result"] == "VIOLATION"
    assert "minimal reproducer" in sec.failed[0].detail
