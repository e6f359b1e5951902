"""The proof's steps L1-L5 hold on real runs, and the checks can fail."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memgd.proofs_check.properties.lemma_checks import LEMMAS, RESOLUTION, check_lemmas, window_max
from memgd.proofs_check.properties.strategies import memory_rules, problem_specs
from memgd.solvers import Aggregation, CriticalGradients, Fifo, make_quadratics, run


def test_window_max_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    values = rng.random((37, 3))
    lo = rng.integers(-5, 40, size=(50, 3))
    hi = rng.integers(-5, 40, size=(50, 3))
    got = window_max(values, lo, hi)
    for q in range(50):
        for j in range(3):
            a, b = max(lo[q, j], 0), min(hi[q, j], 36)
            want = values[a:b + 1, j].max() if b >= a else 0.0
            assert got[q, j] == want


@given(rule=memory_rules(), spec=problem_specs(families=("quadratic", "logistic", "huber")),
       alpha_L=st.floats(0.005, 0.3), seed=st.integers(0, 2**31 - 1))
def test_every_lemma_holds_on_every_step(rule, spec, alpha_L, seed):
    selection, combination = rule
    problems = spec.build()
    res = run(problems, selection, combination, alpha_L / spec.L, 120, rng=seed, trace=True)
    checks = check_lemmas(res, problems)
    assert set(checks) == set(LEMMAS)
    for name, c in checks.items():
        assert c.holds, f"{name}: slack {c.min_slack:.3e} at (step, problem) {c.where}"


def test_lemmas_are_checked_where_their_hypotheses_hold():
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(1))
    res = run(P, Fifo(2), Aggregation("sum"), 0.02, 200, trace=True)
    checks = check_lemmas(res, P)
    assert checks["L5"].checked == 3 * 200  # alpha s_hi = 0.04 <= 2/11 and s_lo = 1 > 0: every step
    assert checks["L4a"].checked > 0 and checks["L1"].checked == 600


def test_an_understated_smoothness_constant_is_caught():
    # claim L = 2.5 for problems whose Hessian reaches 10: ||g_k - g_{k-tau}|| <= L ||x_k - x_{k-tau}|| breaks
    P = make_quadratics(3, 5, 1.0, 10.0, rng=np.random.default_rng(2))
    liar = dataclasses.replace(P, L=P.L / 4)
    res = run(liar, CriticalGradients(3, 0.7), Aggregation("sum"), 0.02, 200, trace=True)
    checks = check_lemmas(res, liar)
    assert not checks["L3"].holds and checks["L3"].min_slack < -100 * RESOLUTION
    assert not checks["L4b"].holds


def test_untraced_runs_are_refused():
    P = make_quadratics(1, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="trace"):
        check_lemmas(run(P, Fifo(1), Aggregation("sum"), 0.01, 5), P)
