"""Problems from user functions and real data: x*, mu, L as stated, estimates flagged everywhere."""

import re
import sys

import numpy as np
import pytest

from memgd.proofs_check.properties.bound_check import check_realized
from memgd.solvers import Aggregation, CriticalGradients, Fifo, Status, run
from memgd.solvers.problems import (
    FunctionBatch, LogisticRegressionBatch, logistic_regression, problem_from_functions, quadratic_problem,
)
from memgd.solvers.problems import datasets
from memgd.solvers.problems.user import detect_batched


def _spd(d, lo, hi, seed):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    eig = np.linspace(lo, hi, d)
    A = (q * eig) @ q.T
    return 0.5 * (A + A.T), eig


def _toy_data(seed=0, m=80, p=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, p)) @ np.diag(np.linspace(0.5, 2.0, p))
    y = (X @ rng.standard_normal(p) + 0.5 * rng.standard_normal(m) > 0).astype(int)
    return X, y


def test_quadratic_problem_has_exact_constants_and_minimizer():
    A, eig = _spd(6, 0.5, 8.0, 0)
    b = np.arange(6.0)
    P = quadratic_problem(A, b, c=2.0)
    np.testing.assert_allclose(P.mu, 0.5, rtol=1e-12)
    np.testing.assert_allclose(P.L, 8.0, rtol=1e-12)
    np.testing.assert_allclose(A @ P.x_star[0], b, atol=1e-12)  # grad of 1/2 x'Ax - b'x vanishes
    x = np.random.default_rng(1).standard_normal((1, 6))
    user_f = 0.5 * x[0] @ A @ x[0] - b @ x[0] + 2.0
    np.testing.assert_allclose(P.value(x), user_f, rtol=1e-12)
    assert P.constants_source.startswith("exact")
    with pytest.raises(ValueError, match="positive definite"):
        quadratic_problem(-A, b)
    with pytest.raises(ValueError, match="symmetric"):
        quadratic_problem(A + np.triu(np.ones((6, 6)), 1), b)


@pytest.mark.parametrize("batched", [True, False])
def test_estimated_constants_of_a_quadratic_match_its_eigenvalues_and_are_flagged(batched):
    A, eig = _spd(8, 0.3, 5.0, 2)
    b = np.linspace(-1, 1, 8)
    if batched:
        value = lambda X: 0.5 * np.einsum("ni,ij,nj->n", X, A, X) - X @ b  # noqa: E731
        grad = lambda X: X @ A - b  # noqa: E731
    else:
        value = lambda x: 0.5 * x @ A @ x - b @ x  # noqa: E731
        grad = lambda x: A @ x - b  # noqa: E731
    P = problem_from_functions(value, grad, np.zeros(8), estimate=True)
    assert isinstance(P, FunctionBatch) and P.n == 1 and P.d == 8
    assert detect_batched(value, grad, np.zeros((1, 8))) == batched
    # central differences of a linear gradient are exact up to rounding: Lanczos gets the extremes
    np.testing.assert_allclose(P.mu, 0.3, rtol=1e-7)
    np.testing.assert_allclose(P.L, 5.0, rtol=1e-7)
    np.testing.assert_allclose(P.x_star[0], np.linalg.solve(A, b), atol=1e-10)
    assert P.constants_estimated and "Lanczos" in P.constants_source and "local" in P.constants_source
    assert "||grad f(x*)||" in P.x_star_method and P.x_star_error[0] < 1e-10
    res = run(P, Fifo(2), Aggregation("sum"), 0.05, 400)
    assert res.constants_source == P.constants_source
    assert all("estimated" in m for m in res.message)
    check = check_realized(res, P)
    assert check.constants_estimated and check.constants_source == P.constants_source


def test_given_constants_are_flagged_given_and_bad_combinations_refused():
    A, _ = _spd(4, 1.0, 3.0, 3)
    value, grad = (lambda x: 0.5 * x @ A @ x), (lambda x: A @ x)
    P = problem_from_functions(value, grad, np.ones(4), mu=1.0, L=3.0)
    assert P.constants_source == "given" and not P.constants_estimated
    np.testing.assert_allclose(P.x_star, 0.0, atol=1e-12)
    res = run(P, Fifo(1), Aggregation("sum"), 0.1, 50)
    assert not any("estimated" in m for m in res.message)
    with pytest.raises(ValueError, match="estimate=True"):
        problem_from_functions(value, grad, np.ones(4), mu=1.0, L=3.0, estimate=True)
    with pytest.raises(ValueError, match="estimate=True"):
        problem_from_functions(value, grad, np.ones(4))
    with pytest.raises(ValueError, match="L must be >= mu"):
        problem_from_functions(value, grad, np.ones(4), mu=3.0, L=1.0)
    with pytest.raises(ValueError, match="batched"):
        problem_from_functions(lambda x: np.ones(3), grad, np.ones(4), mu=1.0, L=3.0)


def test_local_estimates_of_a_logistic_regression_lie_inside_its_global_bounds():
    """At x* the Hessian's extremes are inside [lambda, lambda + ||X||^2/(4m)], and mu is
    overstated there: the reason estimated constants are flagged."""
    X, y = _toy_data()
    P = logistic_regression(X, y, [0.05, 0.5])
    Q = problem_from_functions(P.value, P.grad, np.zeros((2, P.d)), estimate=True, batched=True)
    np.testing.assert_allclose(Q.x_star, P.x_star, atol=1e-9)
    assert np.all(Q.mu > P.mu) and np.all(Q.L < P.L)  # local values: mu too large, L too small globally
    exact = np.linalg.eigvalsh(P.hessian(P.x_star))
    np.testing.assert_allclose(Q.mu, exact[:, 0], rtol=1e-6)
    np.testing.assert_allclose(Q.L, exact[:, -1], rtol=1e-6)


def test_logistic_regression_gradient_hessian_and_global_bounds():
    X, y = _toy_data(1)
    P = logistic_regression(X, y, [0.01, 0.2], gtol=1e-12)
    assert isinstance(P, LogisticRegressionBatch) and P.d == X.shape[1] + 1  # intercept column
    rng = np.random.default_rng(2)
    w = rng.standard_normal((2, P.d))
    h = 1e-6
    E = np.eye(P.d)
    fd_grad = np.stack([(P.value(w + h * e) - P.value(w - h * e)) / (2 * h) for e in E], axis=1)
    np.testing.assert_allclose(P.grad(w), fd_grad, atol=1e-7)
    fd_hess = np.stack([(P.grad(w + h * e) - P.grad(w - h * e)) / (2 * h) for e in E], axis=2)
    np.testing.assert_allclose(P.hessian(w), fd_hess, atol=1e-7)
    np.testing.assert_allclose(P.hvp(w, w), np.einsum("nij,nj->ni", P.hessian(w), w), rtol=1e-12)
    # L attained at w = 0; every Hessian inside [lambda, L]; mu = lambda as stated
    np.testing.assert_allclose(np.linalg.eigvalsh(P.hessian(np.zeros((2, P.d))))[:, -1], P.L, rtol=1e-12)
    for scale in (0.1, 1.0, 10.0):
        eig = np.linalg.eigvalsh(P.hessian(scale * rng.standard_normal((2, P.d))))
        assert np.all(eig[:, 0] >= P.mu * (1 - 1e-12)) and np.all(eig[:, -1] <= P.L * (1 + 1e-12))
    np.testing.assert_array_equal(P.mu, [0.01, 0.2])
    assert np.linalg.norm(P.grad(P.x_star), axis=1).max() <= 1e-12
    assert P.constants_source.startswith("global bounds") and not P.constants_estimated
    sub = P.take([1, 1, 0])
    np.testing.assert_array_equal(sub.lam, [0.2, 0.2, 0.01])
    np.testing.assert_array_equal(sub.grad(P.x_star[[1, 1, 0]]), P.grad(P.x_star)[[1, 1, 0]])


def test_function_batch_take_reindexes_the_batched_functions():
    X, y = _toy_data(3)
    P = logistic_regression(X, y, [0.05, 0.5])
    Q = problem_from_functions(P.value, P.grad, np.zeros((2, P.d)), mu=P.mu, L=P.L, batched=True)
    sub = Q.take([1, 0, 1])
    w = np.random.default_rng(4).standard_normal((3, P.d))
    np.testing.assert_allclose(sub.grad(w), P.take([1, 0, 1]).grad(w), rtol=1e-13)
    np.testing.assert_allclose(sub.value(w), P.take([1, 0, 1]).value(w), rtol=1e-13)


def test_theorem_holds_on_logistic_regression_with_its_global_bounds():
    X, y = _toy_data(5)
    P = logistic_regression(X, y, 0.5).take([0, 0, 0])
    res = run(P, Fifo(2), Aggregation("mean", 1.0), 0.2 / P.L, 3000, tol=1e-8)
    assert res.statuses() == [Status.CONVERGED] * 3
    check = check_realized(res, P)
    assert check.applies.all() and not check.any_violation


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"memgd\[examples\]"):
        datasets.breast_cancer()


def test_breast_cancer_problem():
    pytest.importorskip("sklearn", reason="scikit-learn (the 'examples' extra) is not installed")
    P = datasets.breast_cancer([0.01, 0.1])
    assert (P.n, P.d) == (2, 31) and P.X.shape == (569, 31)
    np.testing.assert_allclose(P.X[:, :30].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(P.X[:, :30].std(axis=0), 1.0, rtol=1e-12)
    assert np.linalg.norm(P.grad(P.x_star), axis=1).max() <= 1e-12
    res = run(P, CriticalGradients(10, 0.7), Aggregation("sum"), 0.5 / P.L, 200, record="final")
    assert np.all(res.final_distance < res.initial_distance)


# -- refused input: concave, kinked, a gradient that is not f's, mu and L the gradient contradicts --------

A_OWN = np.diag([1.0, 4.0, 9.0])  # the README's own problem: Hessian A + diag(sech^2(x - 1)) in (1, 10]


def _own_value(x):
    return 0.5 * x @ A_OWN @ x + np.sum(np.log(np.cosh(x - 1.0)))


def _own_grad(x):
    return A_OWN @ x + np.tanh(x - 1.0)


@pytest.mark.parametrize("x0", [np.ones(3), np.zeros(3)], ids=["downhill", "at-the-maximum"])
@pytest.mark.parametrize("constants", [dict(mu=1.0, L=9.0), dict(estimate=True)], ids=["given", "estimated"])
def test_a_concave_function_is_refused(x0, constants):
    """Before the fix the solve of -1/2 x'Ax returned its maximum 0 as x*; started at the maximum
    the solve does not move, so only the curvature around x0 can tell."""
    with pytest.raises(ValueError, match=r"is -\d[\d.]* between x0 - h v and x0 \+ h v .*negative: f is not convex"):
        problem_from_functions(lambda x: -0.5 * x @ A_OWN @ x, lambda x: -A_OWN @ x, x0, **constants)


def test_a_solve_that_ends_above_f_x0_is_refused(monkeypatch):
    """The descent check on its own (the curvature checks, which refuse this f first, switched off):
    the Newton polish takes a concave quadratic to its maximum."""
    from memgd.solvers.problems import user

    monkeypatch.setattr(user, "check_point", lambda *args, **kwargs: None)
    monkeypatch.setattr(user, "check_path", lambda *args, **kwargs: None)
    with pytest.raises(ValueError, match=r"ended at f\(x\*\) = (\S+) > f\(x0\) = -7: f is not convex") as err:
        user.problem_from_functions(lambda x: -0.5 * x @ A_OWN @ x, lambda x: -A_OWN @ x, np.ones(3), mu=1.0, L=9.0)
    assert abs(float(re.search(r"f\(x\*\) = (\S+) >", str(err.value)).group(1))) < 1e-12  # the maximum, f = 0


@pytest.mark.parametrize("L", [2.0, 1e6])
def test_a_kink_is_refused_whatever_L_is_claimed(L):
    """f = 1/2 ||x||^2 + |x_1 - 1/2| is 1-strongly convex with its minimizer on the kink: the
    solver's iterates close in on it from both sides, and their secant curvature grows like
    2 / |step| (the gradient jumps by 2 across the kink), past any L."""
    def value(x):
        return 0.5 * x @ x + abs(x[0] - 0.5)

    def grad(x):
        return x + np.array([np.sign(x[0] - 0.5), 0.0, 0.0])

    with pytest.raises(ValueError, match=r"of the x\* solve, above the given L = .*a kink"):
        problem_from_functions(value, grad, np.ones(3), mu=1.0, L=L)


@pytest.mark.parametrize("constants, words", [
    # along g(0) / ||g(0)|| = -(1, 1, 1) / sqrt(3): v'H(0)v = (1 + 4 + 9) / 3 + sech^2(1)
    (dict(mu=1.0, L=5.0), f"is {14 / 3 + 1 / np.cosh(1.0) ** 2:.6g} between x0 - h v and x0 + h v (v: the gradient's "
                          "direction (random where grad vanishes)), above the given L = 5"),
    # along the Hessian's bottom eigenvector e_1 at 0: 1 + sech^2(1)
    (dict(mu=1.5, L=10.0), f"is {1 + 1 / np.cosh(1.0) ** 2:.6g} between x0 - h v and x0 + h v (v: the Hessian's "
                           "approximate bottom eigenvector), below the given mu = 1.5"),
])
def test_constants_the_gradient_contradicts_are_refused_with_the_measured_curvature(constants, words):
    """The README's own problem with L or mu misstated: the message gives the curvature measured,
    here the Hessian's along the probe (the secant over +-h differs by O(h^2) ~ 1e-10)."""
    with pytest.raises(ValueError) as err:
        problem_from_functions(_own_value, _own_grad, np.zeros(3), **constants)
    assert words in str(err.value)


@pytest.mark.parametrize("grad", [
    lambda x: A_OWN @ x + np.tanh(x + 1.0),         # a sign slip inside
    lambda x: 2.0 * (A_OWN @ x + np.tanh(x - 1.0)),  # twice the gradient (its curvature within L = 20)
], ids=["sign-slip", "doubled"])
def test_a_gradient_that_is_not_f_s_is_refused(grad):
    with pytest.raises(ValueError, match=r"grad is not the gradient of value at x0"):
        problem_from_functions(_own_value, grad, np.zeros(3), mu=1.0, L=20.0)


@pytest.mark.parametrize("d, kappa, far", [(1, 1.0, 0.0), (5, 1e3, 1e3), (40, 1e7, 1e6)])
def test_quadratics_with_attained_bounds_pass_far_from_the_origin(d, kappa, far):
    """mu and L equal to A's extreme eigenvalues (attained along the probes at x* to rounding),
    f = 1/2 x'Ax - b'x written out with x* = c far away (the rounding of g grows with L ||c||):
    the rounding allowances must cover it, and the solve must land on c."""
    from memgd.solvers.problems import make_quadratics

    rng = np.random.default_rng(7)
    Q = make_quadratics(2, d, 1.0, kappa, spectrum_kind="uniform", rng=rng)
    c = far * rng.standard_normal((2, d))
    b = np.einsum("nij,nj->ni", Q.A, c)
    P = problem_from_functions(lambda X: 0.5 * np.einsum("ni,nij,nj->n", X, Q.A, X) - np.einsum("ni,ni->n", b, X),
                               lambda X: np.einsum("nij,nj->ni", Q.A, X) - b,
                               c + rng.standard_normal((2, d)), mu=Q.mu, L=Q.L, batched=True)
    assert np.all(np.linalg.norm(P.x_star - c, axis=1) <= P.x_star_error + 1e-12 * (1 + far) * kappa)


@pytest.mark.parametrize("family", ["logistic", "huber"])
def test_tilted_problems_with_their_exact_constants_pass(family):
    """Non-quadratic problems whose mu and L hold globally by construction (the Huber family's
    curvature equals L on a whole region), started near and far from x*."""
    from memgd.solvers.problems import make_tilted

    rng = np.random.default_rng(8)
    for d, kappa in [(1, 10.0), (20, 1e4)]:
        P = make_tilted(2, d, 1.0, kappa, family=family, rng=rng, scale=0.1)
        for spread in (0.0, 10.0):
            x0 = P.x_star + spread * rng.standard_normal((2, d))
            problem_from_functions(P.value, P.grad, x0, mu=P.mu, L=P.L, batched=True)


def test_a_curvature_jump_inside_mu_L_passes_at_the_edge_of_the_gradient_check():
    """f = 1/2 c(x_1) x_1^2 + mu/2 (x_2 - 1)^2 with c = L for x_1 > 0, mu otherwise: C^1, mu-strongly
    convex and L-smooth, its curvature jumping at x_1 = 0.  Along e_1 at x0 = 0 (the probe's top
    eigenvector: the difference Hessian there is (L + mu)/2 along e_1) f(h e_1) - f(-h e_1) -
    <g(0), 2 h e_1> = (L - mu) h^2 / 2 exactly, the end of the interval the bounds allow."""
    mu, L = 1.0, 10.0

    def value(x):
        return 0.5 * (L if x[0] > 0 else mu) * x[0] ** 2 + 0.5 * mu * (x[1] - 1.0) ** 2

    def grad(x):
        return np.array([(L if x[0] > 0 else mu) * x[0], mu * (x[1] - 1.0)])

    P = problem_from_functions(value, grad, np.zeros(2), mu=mu, L=L)
    np.testing.assert_allclose(P.x_star[0], [0.0, 1.0], atol=1e-12)
    with pytest.raises(ValueError, match="below the given mu = 2"):  # the flat side contradicts mu = 2
        problem_from_functions(value, grad, np.zeros(2), mu=2.0, L=L)
