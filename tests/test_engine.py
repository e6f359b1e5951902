"""Behaviour of the batched runner and the selection / combination rules."""

import warnings

import numpy as np
import pytest

from memgd.solvers import (
    AGGREGATIONS, AgeWeights, Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset,
    RandomWeights, Scripted, Status, make_quadratics, make_tilted, run,
)


@pytest.fixture
def quads():
    return make_quadratics(6, 5, 1.0, 10.0, rng=np.random.default_rng(11))


# Same bits by construction: kappa = 0 (or no slot) gives a = 1, b = 0, and combination.direction skips the
# memory product when b is all zero, so both runs compute d = 1 * g and the same steps.
@pytest.mark.usefixtures("blas_threads")
@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_kappa_zero_is_plain_gradient_descent_bit_for_bit(quads, aggregation):
    plain = run(quads, Fifo(0), Aggregation("sum", 1.0), 0.07, 80, tol=0.0, trace=True)
    zero = run(quads, CriticalGradients(5, 0.7), Aggregation(aggregation, 0.0), 0.07, 80, tol=0.0, trace=True)
    np.testing.assert_array_equal(zero.trace.iterates, plain.trace.iterates)
    np.testing.assert_array_equal(zero.distances, plain.distances)


@pytest.mark.usefixtures("blas_threads")
def test_empty_memory_is_plain_gradient_descent_bit_for_bit(quads):
    plain = run(quads, Fifo(0), Aggregation("sum", 1.0), 0.07, 50, tol=0.0, trace=True)
    empty = run(quads, CriticalGradients(0, 0.7), Aggregation("mean", 1.0), 0.07, 50, tol=0.0, trace=True)
    np.testing.assert_array_equal(empty.trace.iterates, plain.trace.iterates)


def test_gradient_descent_matches_closed_form_iterates(quads):
    alpha, K = 0.05, 40
    res = run(quads, Fifo(0), Aggregation("sum"), alpha, K, tol=0.0, trace=True)
    e0 = res.trace.iterates[0] - quads.x_star
    step = np.eye(quads.d) - alpha * quads.A  # x_{k+1} - x* = (I - alpha A)(x_k - x*)
    expected = [e0]
    for _ in range(K):
        expected.append(np.matmul(step, expected[-1][..., None])[..., 0])
    np.testing.assert_allclose(res.trace.iterates - quads.x_star, np.array(expected), atol=1e-13)


def test_gradient_descent_rate_is_max_of_one_minus_alpha_mu_and_alpha_L_minus_one():
    P = make_quadratics(4, 6, 1.0, 10.0, rng=np.random.default_rng(3), spectrum_kind="two_point")
    for alpha in (0.05, 0.15):
        res = run(P, Fifo(0), Aggregation("sum"), alpha, 400, tol=0.0, x0=P.x_star + 1.0 / np.sqrt(6))
        from memgd.solvers import tail_rate
        assert np.allclose(tail_rate(res.distances), max(abs(1 - alpha), abs(1 - 10 * alpha)), atol=1e-3)


@pytest.mark.usefixtures("blas_threads")
def test_same_seed_same_results_bit_for_bit():
    # one process, the same code on the same inputs and draws: the same operations in the same order
    def once():
        rng = np.random.default_rng(99)
        P = make_tilted(5, 4, 1.0, 20.0, family="huber", rng=rng)
        return run(P, CriticalGradients(3, 0.8, replacement="proportional", critical_test=False),
                   RandomWeights((0.5, 1.0), (-0.1, 0.3)), 0.02, 70, rng=rng, tol=0.0)

    first, second = once(), once()
    np.testing.assert_array_equal(first.distances, second.distances)
    np.testing.assert_array_equal(first.ages, second.ages)
    third = run(make_quadratics(3, 4, rng=np.random.default_rng(5)), RandomSubset(4, 2), Aggregation("sum"), 0.02, 30, rng=7)
    fourth = run(make_quadratics(3, 4, rng=np.random.default_rng(5)), RandomSubset(4, 2), Aggregation("sum"), 0.02, 30, rng=7)
    np.testing.assert_array_equal(third.distances, fourth.distances)


def test_fifo_uses_ages_one_to_c(quads):
    res = run(quads, Fifo(3), Aggregation("sum"), 0.01, 10, tol=0.0)
    for k in range(10):
        used = sorted(set(res.ages[k, 0][res.ages[k, 0] >= 0]))
        assert used == list(range(1, min(k, 3) + 1))


def test_keep_oldest_with_bound_uses_the_c_oldest_ages(quads):
    res = run(quads, KeepOldest(2, max_age=5), Aggregation("sum"), 0.01, 12, tol=0.0)
    for k in range(12):
        assert sorted(res.ages[k, 0][res.ages[k, 0] >= 0]) == [4, 5]


def test_keep_oldest_forever_has_growing_ages(quads):
    res = run(quads, KeepOldest(2), Aggregation("sum"), 0.01, 30, tol=0.0)
    assert res.max_age[-1, 0] == 30 - 1
    assert res.constants.T[0] == 29


def test_scripted_rule_uses_exactly_the_listed_ages_including_history_before_step_zero(quads):
    script = ((1,), (2, 3), (), (1, 4))
    res = run(quads, Scripted(script), FixedWeights(1.0, (0.2, 0.2)), 0.01, 6, tol=0.0, trace=True)
    for k in range(6):
        want = list(script[min(k, 3)])
        assert sorted(res.ages[k, 0][res.ages[k, 0] >= 0]) == want
    # at step 0 every stored gradient is g_0 (history x_{-i} = x_0): d_0 = (1 + 0.2) g_0
    np.testing.assert_allclose(res.trace.directions[0], 1.2 * res.trace.gradients[0], rtol=1e-14)


def test_age_weights_reproduce_a_fixed_pattern_recursion():
    # scalar check: d_k = g_k + 0.5 g_{k-2}, on f = h x^2 / 2
    P = make_quadratics(1, 2, 2.0, 2.0, rng=np.random.default_rng(0), diagonal=True)
    res = run(P, Scripted(((2,),)), AgeWeights((1.0, 0.0, 0.5)), 0.1, 20, tol=0.0, trace=True,
              x0=P.x_star + np.array([[1.0, 0.0]]))
    e = [1.0, 1.0, 1.0]  # e_{-2}, e_{-1}, e_0
    for _ in range(20):
        e.append(e[-1] - 0.1 * 2.0 * (e[-1] + 0.5 * e[-3]))
    np.testing.assert_allclose(res.trace.iterates[:, 0, 0] - P.x_star[0, 0], e[2:], atol=1e-14)


def test_random_subset_never_exceeds_capacity_or_max_age(quads):
    res = run(quads, RandomSubset(max_age=5, capacity=2), Aggregation("sum"), 0.01, 40, tol=0.0)
    used = (res.ages >= 0).sum(axis=2)
    assert used.max() == 2 and used.min() == 0
    assert res.ages.max() == 5


@pytest.mark.parametrize("combination", [
    *(Aggregation(name, kappa) for name in AGGREGATIONS for kappa in (0.7, -0.3)),
    FixedWeights(0.9, (0.3, -0.1, 0.2)), AgeWeights((1.0, 0.2, -0.3, 0.4)),
    RandomWeights((0.5, 1.5), (-0.2, 0.4)),
], ids=repr)
@pytest.mark.parametrize("selection", [CriticalGradients(3, 0.9), Fifo(3), RandomSubset(3, 3), KeepOldest(3, 3)],
                         ids=repr)
def test_declared_constants_bound_the_realized_ones(combination, selection):
    P = make_quadratics(4, 3, 1.0, 5.0, rng=np.random.default_rng(2))
    res = run(P, selection, combination, 0.01, 25, tol=0.0)
    declared = combination.declared_constants(3)
    c = res.constants
    assert np.all(c.s_lo >= declared.s_lo - 1e-12) and np.all(c.s_hi <= declared.s_hi + 1e-12)
    assert np.all(c.B <= declared.B + 1e-12) and np.all(c.W <= declared.W + 1e-12)


@pytest.mark.parametrize("name", AGGREGATIONS)
def test_aggregation_constants_are_attained_with_a_full_buffer(name):
    # with C = 3 used gradients, s, B, W take the closed forms of docs/math/critical_rule.md
    P = make_quadratics(2, 3, 1.0, 5.0, rng=np.random.default_rng(4))
    kappa = 0.6
    res = run(P, Fifo(3), Aggregation(name, kappa), 0.01, 10, tol=0.0)
    half = 0.5 if (name == "mid" or name.endswith("-mean")) else 1.0
    if name == "mean":
        s, B = (1 + 3 * kappa) / 4, 3 * kappa / 4
    else:
        s, B = half * (1 + kappa), half * kappa
    np.testing.assert_allclose(res.s[5:], s, rtol=1e-14)
    np.testing.assert_allclose(res.B[5:], B, rtol=1e-14)
    np.testing.assert_allclose(res.s[0], 1.0)  # empty buffer: d = g


def test_divergence_stops_the_problem_with_a_status_and_no_warnings():
    P = make_quadratics(3, 4, 1.0, 10.0, rng=np.random.default_rng(1))
    alpha = np.array([0.05, 0.5, 5.0])  # stable, unstable, violently unstable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = run(P, Fifo(0), Aggregation("sum"), alpha, 2000)
    assert res.statuses() == [Status.CONVERGED, Status.DIVERGED, Status.DIVERGED]
    assert "diverged" in res.message[1]
    assert np.all(np.isfinite(res.x))
    assert np.all(np.isnan(res.distances[res.nit[2] + 1:, 2]))
    assert res.nit[2] < res.nit[1] < 2000


def test_converged_problem_stops_at_the_tolerance():
    P = make_quadratics(2, 4, 1.0, 10.0, rng=np.random.default_rng(1))
    res = run(P, Fifo(0), Aggregation("sum"), 0.1, 1000, tol=1e-6)
    assert res.statuses() == [Status.CONVERGED] * 2
    for i in range(2):
        k = res.nit[i]
        assert res.distances[k, i] <= 1e-6 * res.distances[0, i] < res.distances[k - 1, i]


def test_stochastic_run_needs_a_finite_sum():
    P = make_quadratics(2, 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="batch_size"):
        run(P, Fifo(1), Aggregation("sum"), 0.1, 5, batch_size=2)


@pytest.mark.parametrize("selection", [
    CriticalGradients(3, 0.9), CriticalGradients(2, 0.5, replacement="random"), Fifo(3), RandomSubset(4, 2),
    KeepOldest(2, max_age=4), KeepOldest(3), Scripted(((1,), (1, 3), ()), max_age=3),
], ids=repr)
def test_declared_capacity_bounds_the_gradients_a_step_uses(selection):
    P = make_quadratics(3, 4, 1.0, 5.0, rng=np.random.default_rng(8))
    res = run(P, selection, Aggregation("sum"), 0.01, 30, tol=0.0)
    used = (res.ages >= 0).sum(axis=2)
    assert used.max() == selection.capacity  # reached, and never exceeded
    assert selection.slots >= selection.capacity
