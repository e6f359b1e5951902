r"""How far apart two floating-point evaluations of the same mathematics may be.

Two evaluations agree bit for bit only when the same operations run in the same order on the same
inputs.  Tests assert that (``assert_array_equal``) only where it holds by construction and say why.
Elsewhere they compare within the bounds below, computed from the operands:

- **A sum whose order is free** (a BLAS product: ``@``, ``matmul``, ``dot``, ``einsum`` handing
  its work to BLAS).  Its kernel, blocking and split between threads depend on the CPU, the
  library's version, the thread count and the operands' shapes.  For any order of summation,
  the computed dot product of n-vectors satisfies (Higham, *Accuracy and Stability of
  Numerical Algorithms*, 2nd ed., section 3.1)

  .. math::  |\mathrm{fl}(x^\top y) - x^\top y| \le \gamma_n\, |x|^\top |y|, \qquad
             \gamma_n = \frac{n u}{1 - n u}, \quad u = \varepsilon / 2,

  so two evaluations differ by at most :math:`2\gamma_n |x|^\top|y|`: the number of terms times
  the unit roundoff times the sum of the terms' magnitudes (the sum's condition number times
  its value).  :func:`matmul_atol` and :func:`reordered_sum_atol`.
- **An elementwise formula** evaluated by different kernels (a SIMD loop or the C library's
  ``libm``): each basic operation is correctly rounded (half an ulp) everywhere, a
  transcendental function (``exp``, ``log``, ``power``) is within :data:`TRANSCENDENTAL_ULPS`
  of the exact value; the relative difference is at most twice the sum over operations of
  ulps times the operation's condition number.  :func:`formula_rtol`.
"""

from __future__ import annotations

import numpy as np

EPS = float(np.finfo(np.float64).eps)
U = EPS / 2  # unit roundoff of float64 (round to nearest)

#: ulps of error allowed to one evaluation of exp, log, power, expit...: NumPy's accuracy tests hold its
#: SIMD (SVML, AVX2/AVX-512) loops to 2 ulps against a correctly rounded reference; glibc's libm, the
#: fallback on other CPUs, documents at most 1 ulp for exp, log and pow on x86-64.  Two evaluations then
#: differ by at most 3 ulps; 4 leaves room for another libm.
TRANSCENDENTAL_ULPS = 4


def gamma(n: int) -> float:
    r""":math:`\gamma_n = n u / (1 - n u)`, the error factor of n rounded operations in sequence."""
    nu = n * U
    if not 0 <= nu < 1:
        raise ValueError(f"n must be >= 0 with n u < 1, got {n}")
    return nu / (1 - nu)


def reordered_sum_atol(abs_sum, terms: int) -> np.ndarray:
    r"""Largest difference between two evaluations, in any orders, of a sum of ``terms`` products.

    ``abs_sum``: the sum of the terms' absolute values (elementwise for arrays of sums), such as
    ``np.abs(a) @ np.abs(b)`` for ``a @ b``.  It is itself computed with rounding, from below by at
    most a factor :math:`1 - \gamma_n`, which the bound absorbs.
    """
    g = gamma(terms)
    return 2 * g / (1 - g) * np.asarray(abs_sum, dtype=float)


def matmul_atol(a, b) -> np.ndarray:
    r"""Bound on the difference of two evaluations of ``a @ b`` with free summation order, elementwise."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return reordered_sum_atol(np.abs(a) @ np.abs(b), a.shape[-1])


def formula_rtol(*, basic: int = 0, transcendental: int = 0, condition: float = 1.0) -> float:
    """Relative difference of two evaluations of one elementwise formula by different kernels.

    ``basic`` correctly rounded operations (+, -, *, /, sqrt; 1/2 ulp each) and ``transcendental``
    ones (:data:`TRANSCENDENTAL_ULPS` each), amplified at most ``condition`` times by the rest of
    the formula: each evaluation is within ``condition * sum(ulps) * eps`` of the exact value.
    """
    return 2 * condition * (basic * 0.5 + transcendental * TRANSCENDENTAL_ULPS) * EPS


def assert_within(actual, expected, atol, what: str = "") -> None:
    """Elementwise ``|actual - expected| <= atol`` (same shape), naming the worst element on failure."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shapes {actual.shape} and {expected.shape}"
    atol = np.broadcast_to(np.asarray(atol, dtype=float), actual.shape)
    excess = np.abs(actual - expected) - atol
    if np.any(~(excess <= 0)):
        i = np.unravel_index(np.nanargmax(np.where(np.isnan(excess), np.inf, excess)), actual.shape)
        raise AssertionError(f"{what}: {int(np.sum(~(excess <= 0)))} of {actual.size} elements differ by more than "
                             f"their rounding bound; worst at {tuple(int(j) for j in i)}: {actual[i]!r} against "
                             f"{expected[i]!r}, bound {atol[i]:.3e}")
