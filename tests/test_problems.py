"""Every generator's x* is the exact minimizer and its mu, L are the documented Hessian extremes."""

import dataclasses

import numpy as np
import pytest
from scipy.optimize import minimize

from memgd.solvers import make_finite_sums, make_quadratics, make_tilted
from memgd.solvers.problems import SPECTRA, TILTED_FAMILIES
from tolerances import assert_within, formula_rtol, matmul_atol, reordered_sum_atol


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


@pytest.mark.usefixtures("blas_threads")
@pytest.mark.parametrize("name", GENERATORS)
def test_take_selects_whole_problems(name):
    P = GENERATORS[name](np.random.default_rng(9))
    idx = [2, 0, 2]
    sub = P.take(idx)
    arrays = [f.name for f in dataclasses.fields(P) if isinstance(getattr(P, f.name), np.ndarray)]
    assert {"x_star", "mu", "L"} <= set(arrays)
    for field in arrays:  # take copies rows, no arithmetic: the same bits by construction
        np.testing.assert_array_equal(getattr(sub, field), getattr(P, field)[idx], err_msg=field)
    # the functions of the taken rows: the same sums of products over other batch shapes and memory
    # offsets, which a BLAS kernel may add in another order
    x = P.x_star + np.random.default_rng(1).standard_normal((P.n, P.d))
    assert_within(sub.grad(x[idx]), P.grad(x)[idx], _grad_atol(sub, x[idx]), f"{name} gradient")
    assert_within(sub.value(x[idx]), P.value(x)[idx], _value_atol(sub, x[idx]), f"{name} value")
    with pytest.raises(ValueError, match="indices"):
        P.take([P.n])


def _grad_atol(P, x):
    """Bound on two evaluations of P.grad(x) whose products add their terms in any order (tests/tolerances.py)."""
    if hasattr(P, "A"):  # A (x - x*); the difference itself is one correctly rounded operation, the same bits
        return matmul_atol(P.A, (x - P.x_star)[..., None])[..., 0]
    if hasattr(P, "R"):  # mu x + R^T phi'(R x) - tilt; |phi'| <= 1 (expit) or delta (clip), slope <= 1/4 or 1
        bound, lip = (1.0, 0.25) if P.family == "logistic" else (P.delta, 1.0)
        Rt = np.swapaxes(P.R, 1, 2)
        slope = np.full((P.n, P.R.shape[1], 1), bound)
        dslope = lip * matmul_atol(P.R, x[..., None]) + formula_rtol(transcendental=1) * slope
        mag = np.abs(P.mu[:, None] * x) + (np.abs(Rt) @ slope)[..., 0] + np.abs(P.tilt)
        return (matmul_atol(Rt, slope) + np.abs(Rt) @ dslope)[..., 0] + formula_rtol(basic=2) * mag
    e = (x[:, None, :] - P.centers)[..., None]  # finite sums: the mean over m of H_i (x - c_i)
    mag = (np.abs(P.H) @ np.abs(e))[..., 0]
    return (matmul_atol(P.H, e)[..., 0] + reordered_sum_atol(mag, P.m)).mean(axis=1)


def _value_atol(P, x):
    """Bound on two evaluations of P.value(x): each sum of terms in any order, products' errors carried."""
    if hasattr(P, "A"):  # 0.5 e . (A e) + f*
        e = np.abs(x - P.x_star)
        Ae = (np.abs(P.A) @ e[..., None])[..., 0]
        return 0.5 * (np.sum(e * _grad_atol(P, x), axis=1) + reordered_sum_atol(np.sum(e * Ae, axis=1), P.d)) \
            + formula_rtol(basic=3) * (0.5 * np.sum(e * Ae, axis=1) + np.abs(P.f_star))
    if hasattr(P, "R"):  # mu/2 |x|^2 + sum_j phi(t_j) - tilt . x, t = R x; phi has slope <= 1 (logistic) or delta
        t = (np.abs(P.R) @ np.abs(x)[..., None])[..., 0] + (1.0 if P.family == "logistic" else 0.0)
        phi = t if P.family == "logistic" else P.delta * t  # |phi(t)| <= |t| + log 2, or delta |t|
        dphi = (1.0 if P.family == "logistic" else P.delta) * matmul_atol(P.R, x[..., None])[..., 0]
        terms = 0.5 * P.mu * np.sum(x * x, axis=1) + phi.sum(axis=1) + np.sum(np.abs(P.tilt * x), axis=1)
        return dphi.sum(axis=1) + reordered_sum_atol(terms, P.d + P.R.shape[1]) \
            + formula_rtol(transcendental=1) * phi.sum(axis=1)
    # finite sums: the mean over m of 0.5 e_i . (H_i e_i), minus the same at x*, plus f*: both evaluated here
    total = 0.0
    for point in (x, P.x_star):
        e = np.abs(point[:, None, :] - P.centers)
        He = (np.abs(P.H) @ e[..., None])[..., 0]
        dHe = matmul_atol(P.H, (point[:, None, :] - P.centers)[..., None])[..., 0]
        quad = 0.5 * np.sum(e * He, axis=2)
        total = total + 0.5 * np.sum(e * dHe, axis=2).mean(axis=1) \
            + reordered_sum_atol(quad, P.d + P.m).mean(axis=1) + formula_rtol(basic=3) * quad.mean(axis=1)
    return total + formula_rtol(basic=2) * np.abs(P.f_star)


def test_auto_basis_is_haar_up_to_256_and_structured_above():
    from memgd.solvers.problems.spectra import resolve_basis
    assert resolve_basis("auto", 256) == "haar" and resolve_basis("auto", 257) == "dct"
    with pytest.raises(ValueError, match="basis"):
        make_quadratics(2, 3, rng=np.random.default_rng(0), basis="qr")
    a = make_quadratics(2, 8, rng=np.random.default_rng(0))
    b = make_quadratics(2, 8, rng=np.random.default_rng(0), basis="haar")
    assert a.A.tobytes() == b.A.tobytes()  # "auto" is "haar" here: the same code on the same draws, same bits


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
