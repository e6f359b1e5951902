"""The rounding bounds of tests/tolerances.py hold on real kernel changes, and are tight enough to catch errors."""

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tolerances import EPS, assert_within, formula_rtol, gamma, matmul_atol, reordered_sum_atol


def test_the_bound_covers_a_change_of_blas_thread_count():
    """One and two BLAS threads may split a long dot product differently (OpenBLAS 0.3.31 does: the 8 sums
    below differ by up to 2e-12), always within 2 gamma_n |x|.|y|."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 8, 200_001))
    with threadpool_limits(limits=1, user_api="blas"):
        one = np.array([x @ y for x, y in zip(X, Y)])
    with threadpool_limits(limits=2, user_api="blas"):
        two = np.array([x @ y for x, y in zip(X, Y)])
    bound = reordered_sum_atol(np.sum(np.abs(X * Y), axis=1), X.shape[1])
    assert_within(one, two, bound, "x . y, 1 and 2 threads")
    assert_within(one, [math.fsum(x * y) for x, y in zip(X, Y)], bound / 2, "against the correctly rounded sums")
    assert_within(np.abs(X[:2]) @ np.abs(Y[0]), np.sum(np.abs(X[:2] * Y[0]), axis=1),
                  matmul_atol(X[:2], Y[0]), "matmul_atol is the same bound")
    # not vacuous: a result wrong by a few bounds fails
    with pytest.raises(AssertionError, match="1 of 8 elements"):
        assert_within(one + np.where(np.arange(8) == 5, 3 * bound, 0.0), two, bound, "perturbed")


def test_the_sum_bound_is_n_ulps_of_the_magnitudes():
    assert gamma(0) == 0.0 and gamma(10) == pytest.approx(10 * EPS / 2, rel=1e-14, abs=0)
    assert reordered_sum_atol(1.0, 1000) == pytest.approx(1000 * EPS, rel=1e-12, abs=0)
    with pytest.raises(ValueError, match="n must be"):
        gamma(int(2 / EPS))


def test_simd_exp_and_libm_exp_differ_within_the_formula_bound():
    """NumPy's vectorized exp against the C library's, one at a time: a few differ, each within 2 x 4 ulps."""
    x = np.linspace(-20.0, 20.0, 100_001)
    simd = np.exp(x)
    libm = np.array([math.exp(t) for t in x.tolist()])
    assert_within(simd, libm, formula_rtol(transcendental=1) * np.abs(libm), "exp")


def test_a_cancelling_sum_keeps_the_rounding_of_its_terms():
    """x . y = 0 exactly here, yet each evaluation rounds its terms: the bound scales with |x| . |y|, not |x . y|."""
    x, y = np.array([[1.0, -1.0, 1e-3]]), np.array([3.0, 3.0, 0.0])
    assert (x @ y)[0] == 0.0
    assert matmul_atol(x, y)[0] == pytest.approx(2 * gamma(3) / (1 - gamma(3)) * 6.0, rel=1e-15, abs=0)
