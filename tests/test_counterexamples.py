"""Counterexamples outside the theorem's assumptions, shipped as explicit regression cases.

The explicit parameters are the minimal ones the searches of
:mod:`memgd.proofs_check.properties.counterexamples` found; each test checks the bad outcome happens
and that the toolkit names the broken assumption.  The property at the end is the
theorem read backwards: a run that diverges must break some assumption.
"""

import numpy as np
from hypothesis import example, given, target
from hypothesis import strategies as st

from memgd.proofs_check.properties.assumptions import broken_assumptions
from memgd.proofs_check.properties.counterexamples import _diagnose, _quadratic
from memgd.solvers import Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, Status, run


def codes(res, P):
    return {v.code for v in _diagnose(res, P)}


def test_a_step_beyond_the_stability_limit_diverges_and_breaks_A2():
    P = _quadratic(1.0)
    res = run(P, Fifo(0), Aggregation("sum"), 3.0, 400)
    assert res.status[0] == Status.DIVERGED
    assert "A2" in codes(res, P)


def test_b_keep_oldest_forever_settles_at_a_wrong_point_and_breaks_A4():
    # d_k = g_k + g_0 forever: the fixed point has grad f(x) = -g_0, i.e. x - x* = -(x_0 - x*),
    # so the distance settles at exactly r_0 = 1
    P = _quadratic(10.0)
    res = run(P, KeepOldest(1), Aggregation("sum", 1.0), 0.05, 800, tol=0.0)
    assert res.status[0] == Status.MAX_STEPS
    assert abs(res.distances[-1, 0] - 1.0) < 1e-9
    assert "A4" in codes(res, P)


def test_c_critical_mean_with_decay_099_diverges_where_gradient_descent_converges():
    P = _quadratic(1.0)  # kappa = 1: the best-conditioned quadratic there is
    mem = run(P, CriticalGradients(2, 0.99), Aggregation("mean"), 0.5, 3000)
    gd = run(P, Fifo(0), Aggregation("sum"), 0.5, 3000)
    assert mem.status[0] == Status.DIVERGED and gd.status[0] == Status.CONVERGED
    assert mem.constants.T[0] > 50  # old gradients linger: the realized T is large
    assert "A3" in codes(mem, P)


def test_d_weights_summing_to_a_negative_number_diverge_and_break_A1():
    P = _quadratic(10.0)
    res = run(P, Fifo(1), FixedWeights(1.0, (-2.0,)), 0.1, 3000)
    assert res.status[0] == Status.DIVERGED
    assert "A1" in codes(res, P)


@example(a=1.0, b=-2.0, alpha_L=1.0, age=1)
@example(a=1.0, b=1.0, alpha_L=1.5, age=3)
@given(a=st.floats(0.1, 2.0), b=st.floats(-3.0, 3.0), alpha_L=st.floats(0.01, 3.0), age=st.integers(1, 4))
def test_a_run_that_diverges_breaks_some_assumption(a, b, alpha_L, age):
    P = _quadratic(10.0)
    res = run(P, KeepOldest(1, max_age=age), FixedWeights(a, (b,)), alpha_L / 10.0, 600, tol=1e-8)
    final = res.distances[res.nit[0], 0]
    target(float(np.log(final)) if np.isfinite(final) else 50.0, label="log final distance")
    if res.status[0] == Status.DIVERGED:
        c = res.constants
        broken = broken_assumptions(mu=1.0, L=10.0, alpha=alpha_L / 10.0, s_lo=c.s_lo[0], s_hi=c.s_hi[0],
                                    B=c.B[0], W=c.W[0], T=c.T[0])
        assert broken, f"no assumption broken yet the run ended {res.message[0]}"
