"""Dimension 1: the generators, the runner, the recorders and the rates accept d = 1."""

import numpy as np
import pytest

from memgd.solvers import (
    Aggregation, CriticalGradients, Fifo, Status, envelope_rate, make_finite_sums, make_quadratics, make_tilted, run,
    tail_rate,
)
from memgd.solvers.problems import SPECTRA


@pytest.mark.parametrize("kind", SPECTRA)
def test_one_dimensional_quadratics_have_their_curvature_in_mu_L_and_honest_flags(kind):
    P = make_quadratics(50, 1, 0.5, 4.0, spectrum_kind=kind, rng=np.random.default_rng(0))
    h = P.hessian(P.x_star)[:, 0, 0]
    assert P.A.shape == (50, 1, 1) and np.all((h >= 0.5) & (h <= 4.0))
    np.testing.assert_array_equal(P.grad(P.x_star), 0.0)  # A (x* - x*) = A 0: exact zeros, in any order
    # one eigenvalue cannot be both mu and L: the flags say bounds unless every problem attains them
    assert P.mu_exact == bool(np.all(h == 0.5)) and P.L_exact == bool(np.all(h == 4.0))
    assert not (P.mu_exact and P.L_exact)


def test_mu_equal_L_in_dimension_one_is_exact():
    P = make_quadratics(3, 1, 2.0, 2.0, rng=np.random.default_rng(0))
    assert P.mu_exact and P.L_exact
    # d = 1: A = q lambda q with q = +-1, products exact; the Hessian is lambda = mu = L itself
    np.testing.assert_array_equal(P.hessian(P.x_star)[:, 0, 0], 2.0)


@pytest.mark.parametrize("family, mu_attained", [("logistic", False), ("huber", True)])
def test_one_dimensional_tilted_problems(family, mu_attained):
    P = make_tilted(4, 1, 1.0, 6.0, family=family, rng=np.random.default_rng(1), scale=2.0)
    assert P.mu_exact == mu_attained and P.L_exact
    np.testing.assert_allclose(P.grad(P.x_star), 0.0, atol=1e-12)
    np.testing.assert_allclose(P.hessian(np.zeros((4, 1)))[:, 0, 0], 6.0, rtol=1e-12)  # L at 0
    far = P.hessian(np.full((4, 1), 5.0))[:, 0, 0]  # |r x| >= 10: beyond huber's delta, logistic's sigma' < 1e-4
    if mu_attained:
        np.testing.assert_array_equal(far, 1.0)  # mu + r (0) r: beyond delta the curvature is exactly 0
    else:
        assert np.all(far > 1.0) and np.all(far < 1.0 + 1e-6)  # only approached
    for x in np.linspace(-5, 5, 11):
        h = P.hessian(np.full((4, 1), x))[:, 0, 0]
        assert np.all((h >= 1.0) & (h <= 6.0 + 1e-12))


def test_one_dimensional_finite_sums():
    P = make_finite_sums(3, 1, 4, 1.0, 5.0, interpolating=False, rng=np.random.default_rng(2))
    np.testing.assert_allclose(P.grad(P.x_star), 0.0, atol=1e-12)
    assert np.all(P.H > 0)
    res = run(P, Fifo(2), Aggregation("sum"), 0.05, 20, batch_size=2, tol=0.0)
    assert res.x.shape == (3, 1) and res.distances.shape == (21, 3)


def test_gradient_descent_in_dimension_one_follows_the_closed_form():
    """f = h/2 (x - x*)^2: r_k = |1 - alpha h|^k r_0 exactly (up to rounding)."""
    P = make_quadratics(4, 1, 1.0, 10.0, rng=np.random.default_rng(3))
    h = P.A[:, 0, 0]
    alpha = np.array([0.01, 0.03, 0.05, 0.07])  # |1 - alpha h| >= 0.3: no exact landing on x* in 20 steps
    res = run(P, Fifo(0), Aggregation("sum"), alpha, 20, tol=0.0)
    k = np.arange(21)[:, None]
    np.testing.assert_allclose(res.relative_distances, np.abs(1 - alpha * h) ** k, rtol=1e-10)
    np.testing.assert_allclose(tail_rate(res.distances), np.abs(1 - alpha * h), rtol=1e-8)
    np.testing.assert_allclose(envelope_rate(res.distances), np.abs(1 - alpha * h), rtol=1e-8)


@pytest.mark.parametrize("record", ["full", "summary", "final"])
def test_memory_rules_run_in_dimension_one(record):
    P = make_quadratics(5, 1, 1.0, 10.0, rng=np.random.default_rng(4))
    res = run(P, CriticalGradients(3, 0.7), Aggregation("mean"), 0.05, 3000, record=record)
    assert res.statuses() == [Status.CONVERGED] * 5
    assert np.all(res.final_distance <= 1e-10 * res.initial_distance)
    assert np.all(res.constants.T >= 1)
