"""PEPit finite-horizon worst cases: known values, consistency with quadratics and certificates."""

from __future__ import annotations

import numpy as np
import pytest

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.certificates.patterns import aggregation_patterns
from memgd.proofs_check.certificates.pepit_worst_case import pepit_worst_case
from memgd.solvers.status import Status
from memgd.theory import critical_step
from memgd.theory.pattern import Pattern

MU, L = 1.0, 10.0


def _quadratic_worst(mu, L, alpha, pattern, N, n_h=401):
    """max over h in [mu, L] of y_N^2 / y_0^2 for the scalar recursion, history y_{-i} = y_0."""
    best = 0.0
    for h in np.linspace(mu, L, n_h):
        ys = [1.0]
        for k in range(N):
            d = sum(w * h * ys[max(k - a, 0)] for a, w in zip(pattern.ages, pattern.weights))
            ys.append(ys[-1] - alpha * d)
        best = max(best, ys[-1] ** 2)
    return best


@pytest.mark.parametrize("alpha", [0.05, 0.15])
def test_gradient_descent_worst_case_is_known(alpha):
    N = 6
    res = pepit_worst_case(MU, L, alpha, Pattern.plain(), N)
    assert res.status is Status.CONVERGED, res.reason
    exact = max(abs(1 - alpha * MU), abs(1 - alpha * L)) ** (2 * N)
    assert res.dual >= res.primal * (1 - 1e-7)  # dual not below primal beyond solver precision
    assert res.dual == pytest.approx(exact, rel=1e-5)
    assert res.rate == pytest.approx(exact ** (1 / (2 * N)), rel=1e-6)


@pytest.mark.parametrize(
    "pattern, frac",
    [(Pattern((0, 1), (1.0, 1.0)), 0.5), (Pattern((0, 2), (0.5, 0.5)), 0.8), (Pattern((0, 1, 2), (1.0, 0.5, 0.5)), 0.3)],
)
def test_worst_case_between_quadratics_and_certificate(pattern, frac):
    alpha = frac * critical_step(MU, L, pattern)
    N = 8
    res = pepit_worst_case(MU, L, alpha, pattern, N)
    assert res.status is Status.CONVERGED, res.reason
    assert res.dual >= res.primal * (1 - 1e-7)  # dual not below primal beyond solver precision
    # the class contains the quadratics: the worst case is at least theirs
    assert res.dual >= _quadratic_worst(MU, L, alpha, pattern, N) * (1 - 1e-5)
    # and a verified certificate bounds it at every horizon
    cert = certify(MU, L, alpha, pattern, tol=1e-4)
    assert cert.certified, cert.reason
    assert res.primal <= cert.bound(N) * (1 + 1e-6)


def test_shared_certificate_bounds_every_fixed_pattern_of_the_set():
    pats = aggregation_patterns("mean", 2, 2, include_empty=True)
    alpha = 0.1
    cert = certify(MU, L, alpha, pats, tol=1e-4)
    assert cert.certified
    for pat in pats:
        res = pepit_worst_case(MU, L, alpha, pat, 6)
        assert res.status is Status.CONVERGED, res.reason
        assert res.primal <= cert.bound(6) * (1 + 1e-6)


def test_gap_check_can_fail():
    """A demanding gap tolerance must be reported as a failure, not passed through."""
    res = pepit_worst_case(MU, L, 0.05, Pattern((0, 1), (1.0, 1.0)), 6, gap_tol=1e-15, retry_settings=())
    assert res.status is Status.SOLVER_FAILED
    assert "gap" in res.reason or "below" in res.reason


def test_bad_input_raises():
    with pytest.raises(ValueError):
        pepit_worst_case(MU, L, 0.05, Pattern.plain(), 0)
    with pytest.raises(ValueError):
        pepit_worst_case(L, MU, 0.05, Pattern.plain(), 3)
