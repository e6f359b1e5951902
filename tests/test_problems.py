"""Every generator's x* is the exact minimizer and its mu, L are the documented Hessian extremes."""

import numpy as np
import pytest
from scipy.optimize import minimize

from memgd.solvers import make_finite_sums, make_quadratics, make_tilted
from memgd.solvers.problems import SPECTRA, TILTED_FAMILIES


def _generators():
    for kind in SPECTRA:
        yield f"quadratic-{kind}", lambda rng, kind=kind: make_quadratics(4, 5, 0.5, 20.0, spectrum_kind=kind, rng=rng)
    for family in TILTED_FAMILIES:
        yield f"tilted-{family}", lambda rng, f=family: make_tilted(4, 5, 0.5, 20.0, family=f, rng=rng, scale=2.0)
    # the structured basis used for large d (basis="auto" above d = 256), here forced at small d
    yield "quadratic-dct", lambda rng: make_quadratics(4, 5, 0.5, 20.0, rng=rng, basis="dct")
    for family in TILTED_FAMILIES:
        yield f"tilted-{family}-dct", lambda rng, f=family: make_tilted(4, 6, 0.5, 20.0, family=f, rng=rng, scale=2.0,
                                                                         basis="dct")
    for interp in (True, False):
        yield f"finite-sum-interp{int(interp)}", lambda rng, i=interp: make_finite_sums(4, 5, 6, 0.5, 20.0, interpolating=i, rng=rng)


GENERATORS = dict(_generators())


@pytest.mark.parametrize("name", GENERATORS)
def test_gradient_vanishes_at_x_star(name):
    P = GENERATORS[name](np.random.default_rng(1))
    assert np.linalg.norm(P.grad(P.x_star), axis=1).max() < 1e-10


@pytest.mark.parametrize("name", GENERATORS)
def test_x_star_is_the_minimizer_found_by_scipy(name):
    P = GENERATORS[name](np.random.default_rng(2))
    for i in range(P.n):
        def f(z, i=i):
            x = np.repeat(z[None], P.n, axis=0)
            return P.value(x)[i]

        def g(z, i=i):
            x = np.repeat(z[None], P.n, axis=0)
            return P.grad(x)[i]

        start = P.x_star[i] + np.random.default_rng(i).standard_normal(P.d)
        found = minimize(f, start, jac=g, method="BFGS", options={"gtol": 1e-12, "maxiter": 2000})
        assert np.linalg.norm(found.x - P.x_star[i]) < 1e-6
        assert found.fun >= P.f_star[i] - 1e-12
        assert abs(f(P.x_star[i]) - P.f_star[i]) < 1e-12


@pytest.mark.parametrize("name", GENERATORS)
def test_hessian_spectrum_lies_in_mu_L(name):
    rng = np.random.default_rng(3)
    P = GENERATORS[name](rng)
    for scale in (0.0, 0.3, 3.0):
        x = P.x_star + scale * rng.standard_normal((P.n, P.d))
        eig = np.linalg.eigvalsh(P.hessian(x))
        assert np.all(eig[:, 0] >= P.mu - 1e-10)
        assert np.all(eig[:, -1] <= P.L + 1e-10)


@pytest.mark.parametrize("name", GENERATORS)
def test_mu_and_L_are_attained_where_documented_exact(name):
    rng = np.random.default_rng(4)
    P = GENERATORS[name](rng)
    assert P.mu_exact and P.L_exact
    where = np.zeros((P.n, P.d)) if name.startswith("tilted") else P.x_star  # tilted: L attained at 0
    eig = np.linalg.eigvalsh(P.hessian(where))
    np.testing.assert_allclose(eig[:, 0], P.mu, rtol=1e-10)
    np.testing.assert_allclose(eig[:, -1], P.L, rtol=1e-10)


def test_hessian_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(5)
    for P in (make_tilted(2, 4, 1.0, 8.0, family="logistic", rng=rng), make_quadratics(2, 4, 1.0, 8.0, rng=rng)):
        x = P.x_star + rng.standard_normal((P.n, P.d))
        h = 1e-6
        fd = np.stack([(P.grad(x + h * e) - P.grad(x - h * e)) / (2 * h) for e in np.eye(P.d)], axis=2)
        np.testing.assert_allclose(P.hessian(x), fd, atol=1e-6)


def test_gradient_matches_finite_differences_of_the_value():
    rng = np.random.default_rng(6)
    for make in GENERATORS.values():
        P = make(rng)
        x = P.x_star + rng.standard_normal((P.n, P.d))
        h = 1e-6
        fd = np.stack([(P.value(x + h * e) - P.value(x - h * e)) / (2 * h) for e in np.eye(P.d)], axis=1)
        np.testing.assert_allclose(P.grad(x), fd, atol=1e-5)


def test_minibatch_gradient_is_unbiased_and_exact_at_full_batch():
    rng = np.random.default_rng(7)
    P = make_finite_sums(3, 4, 5, 1.0, 10.0, interpolating=False, rng=rng)
    x = P.x_star + rng.standard_normal((3, 4))
    np.testing.assert_allclose(P.minibatch_grad(x, P.m, rng), P.grad(x), atol=1e-12)
    # averaging over every 2-subset equally often: draw many, compare the mean
    draws = np.mean([P.minibatch_grad(x, 2, rng) for _ in range(4000)], axis=0)
    spread = np.linalg.norm(P.grad(x)) / np.sqrt(4000)
    assert np.linalg.norm(draws - P.grad(x)) < 10 * spread


def test_interpolating_components_all_vanish_at_x_star_and_general_ones_do_not():
    rng = np.random.default_rng(8)
    for interp in (True, False):
        P = make_finite_sums(2, 4, 6, 1.0, 10.0, interpolating=interp, rng=rng)
        comp = np.matmul(P.H, (P.x_star[:, None, :] - P.centers)[..., None])[..., 0]
        largest = np.linalg.norm(comp, axis=2).max()
        assert (largest < 1e-12) == interp


@pytest.mark.parametrize("name", GENERATORS)
def test_take_selects_whole_problems(name):
    P = GENERATORS[name](np.random.default_rng(9))
    sub = P.take([2, 0, 2])
    x = P.x_star + np.random.default_rng(1).standard_normal((P.n, P.d))
    np.testing.assert_array_equal(sub.grad(x[[2, 0, 2]]), P.grad(x)[[2, 0, 2]])
    np.testing.assert_array_equal(sub.value(x[[2, 0, 2]]), P.value(x)[[2, 0, 2]])
    np.testing.assert_array_equal(sub.mu, P.mu[[2, 0, 2]])
    with pytest.raises(ValueError, match="indices"):
        P.take([P.n])


def test_auto_basis_is_haar_up_to_256_and_structured_above():
    from memgd.solvers.problems.spectra import resolve_basis
    assert resolve_basis("auto", 256) == "haar" and resolve_basis("auto", 257) == "dct"
    with pytest.raises(ValueError, match="basis"):
        make_quadratics(2, 3, rng=np.random.default_rng(0), basis="qr")
    a = make_quadratics(2, 8, rng=np.random.default_rng(0))
    b = make_quadratics(2, 8, rng=np.random.default_rng(0), basis="haar")
    assert a.A.tobytes() == b.A.tobytes()


@pytest.mark.parametrize("make", [
    lambda rng: make_quadratics(2, 300, 0.5, 20.0, rng=rng),
    lambda rng: make_tilted(2, 300, 0.5, 20.0, rng=rng),
])
def test_large_dimension_structured_basis_keeps_mu_and_L_exact(make):
    P = make(np.random.default_rng(10))
    where = np.zeros((P.n, P.d))  # L attained at 0 for the tilted problems; constant Hessian for quadratics
    eig = np.linalg.eigvalsh(P.hessian(where))
    np.testing.assert_allclose(eig[:, 0], P.mu, rtol=1e-12)
    np.testing.assert_allclose(eig[:, -1], P.L, rtol=1e-12)
    assert np.linalg.norm(P.grad(P.x_star), axis=1).max() < 1e-10
    # dense directions: no eigenvector (quadratics) or linear form (tilted) concentrates on a few coordinates
    vecs = np.linalg.eigh(P.A)[1] if hasattr(P, "A") else P.R / np.linalg.norm(P.R, axis=2, keepdims=True)
    assert np.abs(vecs).max() < 0.5
