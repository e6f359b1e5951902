"""Theorem 2's proof steps T2.1-T2.7 hold on real runs, and the checks can fail."""

import dataclasses

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from memgd.proofs_check.properties import lemma_checks2
from memgd.proofs_check.properties.bound_check import check_realized, realized_nonnegative
from memgd.proofs_check.properties.lemma_checks2 import LEMMAS_2, check_lemmas_2
from memgd.proofs_check.properties.strategies import memory_rules, problem_specs
from memgd.solvers import Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, make_quadratics, run
from memgd.theory.constants2 import alpha_max2


@given(rule=memory_rules(), spec=problem_specs(families=("quadratic", "logistic", "huber"), max_kappa=200.0),
       fraction=st.floats(0.05, 1.5), lam=st.sampled_from([0.05, 0.5, 1.0]), theta=st.sampled_from([0.1, 0.5, 1.0]),
       seed=st.integers(0, 2**31 - 1))
def test_every_step_holds_on_every_step(rule, spec, fraction, lam, theta, seed):
    selection, combination = rule
    problems = spec.build()
    T = selection.max_age if selection.max_age is not None else max(selection.slots, 1)
    dc = combination.declared_constants(selection.capacity)
    top = alpha_max2(mu=spec.mu, L=spec.L, s_lo=max(dc.s_lo, 1e-3), B=dc.B, W=max(dc.W, 1e-3), T=T)
    alpha = fraction * (top if top > 0 else 0.05 / spec.L)
    res = run(problems, selection, combination, alpha, 150, rng=seed, trace=True)
    checks = check_lemmas_2(res, problems, lam=lam, theta=theta)
    assert set(checks) == set(LEMMAS_2)
    for name, c in checks.items():
        assert c.holds, f"{name}: slack {c.min_slack:.3e} at (step, problem) {c.where}"


def _nonneg_run(P, alpha=0.005, steps=300):
    return run(P, KeepOldest(2, max_age=3), Aggregation("mid"), alpha, steps, trace=True)


def test_the_conclusion_is_checked_where_the_hypotheses_hold():
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(1))
    checks = check_lemmas_2(_nonneg_run(P), P)
    assert checks["T2.7"].checked == 3 * 300 and checks["T2.4"].checked == 3 * 300
    assert all(c.holds for c in checks.values())
    # signed weights: the theorem's steps are not claimed, nothing is counted
    signed = run(P, Fifo(1), FixedWeights(1.0, (-0.3,)), 0.005, 100, trace=True)
    assert not realized_nonnegative(signed).any()
    assert check_lemmas_2(signed, P)["T2.7"].checked == 0


def test_an_understated_smoothness_constant_is_caught():
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(2))
    liar = dataclasses.replace(P, L=P.L / 4)
    checks = check_lemmas_2(run(liar, CriticalGradients(3, 0.7), Aggregation("sum"), 0.003, 200, trace=True), liar)
    assert not checks["T2.1"].holds and not checks["T2.4"].holds


def test_an_overstated_strong_convexity_is_caught():
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(2))
    liar = dataclasses.replace(P, mu=P.mu * 3)
    checks = check_lemmas_2(run(liar, Fifo(2), Aggregation("sum"), 0.003, 200, trace=True), liar)
    assert not checks["T2.1"].holds and not checks["T2.4"].holds


def test_an_understated_memory_mass_is_caught():
    # the maximum-age adversary makes the drift bound T2.6 tight (slack 0 at its worst step)
    P = make_quadratics(2, 4, 1.0, 10.0, rng=np.random.default_rng(3))
    res = run(P, KeepOldest(1, max_age=3), Aggregation("sum"), 0.02, 60, trace=True)
    assert check_lemmas_2(res, P)["T2.6"].holds
    c = res.constants
    for cheat in (c._replace(B=c.B / 2), c._replace(T=c.T - 1)):
        assert not check_lemmas_2(dataclasses.replace(res, constants=cheat), P)["T2.6"].holds


def test_a_faster_claimed_rate_is_caught(monkeypatch):
    from memgd.theory.symbols import alpha, mu, s_lo
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(1))
    res = _nonneg_run(P, alpha=0.015)
    assert check_lemmas_2(res, P, theta=1.0)["T2.7"].holds
    monkeypatch.setattr(lemma_checks2, "RHO_SQ", lemma_checks2.RHO_SQ - 4 * alpha * mu * s_lo)
    assert not check_lemmas_2(res, P, theta=1.0)["T2.7"].holds


def test_realized_theorem_2_bound_holds_and_is_named():
    P = make_quadratics(4, 5, 1.0, 10.0, rng=np.random.default_rng(4))
    res = run(P, KeepOldest(1, max_age=2), Aggregation("sum"), 0.01, 500)
    bc = check_realized(res, P, theorem_2=True)
    assert list(bc.theorem) == ["2"] * 4 and not bc.any_violation and np.all(bc.min_slack >= 0)
    assert list(check_realized(res, P).theorem) == ["none"] * 4   # Theorems 1 / 1b are vacuous there


def test_untraced_runs_and_bad_theta_are_refused():
    P = make_quadratics(1, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="trace"):
        check_lemmas_2(run(P, Fifo(1), Aggregation("sum"), 0.01, 5), P)
    res = run(P, Fifo(1), Aggregation("sum"), 0.01, 5, trace=True)
    with pytest.raises(ValueError, match="theta"):
        check_lemmas_2(res, P, theta=0.0)
    with pytest.raises(ValueError, match="lam"):
        check_lemmas_2(res, P, lam=1.5)
