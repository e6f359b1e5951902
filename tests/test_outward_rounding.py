"""Computed bounds round toward the safe side, tested at exact ties (issue 22, item 3).

Each tie is built so that the exact answer is known from integer arithmetic: powers of exactly
representable ratios (3 = 0.75 / 0.25, 1.5 = 0.375 / 0.25, ...) equal to kappa, powers of 1/2
equal to eps.  The old closed forms (a plain floor or ceiling of a quotient of logarithms) are
run beside the new ones: they get some of these ties wrong, so the tests can tell.
"""

from fractions import Fraction

import numpy as np
import pytest

from memgd.proofs_check.critical_rule import age_bound, contraction_floor, floor_holds, step_weights
from memgd.proofs_check.critical_rule.ages import largest_power_within
from memgd.theory import iterations2, rate2
from memgd.theory.constants2 import alpha_max2


def _exact_ties():
    """(decay, r_lo, kappa, n) with (r_lo / decay)^n == kappa exactly in float64 and in rationals."""
    out = []
    for ratio in (1.25, 1.5, 2.0, 3.0, 5.0, 6.0, 7.0, 10.0):
        for decay in (0.5, 0.25, 0.125, 0.0625):
            r = ratio * decay
            for n in range(1, 13):
                kappa = ratio**n
                if Fraction(r) ** n != Fraction(kappa) * Fraction(decay) ** n or kappa > 1e12:
                    continue
                out.append((decay, r, kappa, n))
    return out


TIES = _exact_ties()


def test_the_tie_of_the_issue():
    # ln 243 / ln 3 = 4.999999999999999 in float64; (0.75 / 0.25)^5 = 243 exactly: T* = 1 + 5
    assert np.log(243.0) / np.log(0.75 / 0.25) < 5
    assert age_bound(decay=0.25, r_lo=0.75, kappa=243.0, top_c=1) == 6.0


def test_age_bound_at_every_exact_tie():
    d, r, k, n = (np.array(x, dtype=float) for x in zip(*TIES))
    assert len(TIES) > 200
    for top_c in (1, 3):
        got = age_bound(decay=d, r_lo=r, kappa=k, top_c=top_c)
        assert np.array_equal(got, top_c + n)          # at a tie (r/decay)^n = kappa: T* = C + n
    old = 1 + np.floor(np.log(k) / np.log(r / d))      # the plain floor of the quotient
    assert np.sum(old != 1 + n) >= 5                   # drops an age at several ties: the test can tell


def test_age_bound_just_off_the_ties():
    d, r, k, n = (np.array(x, dtype=float) for x in zip(*TIES))
    below = np.nextafter(k, 0.0)                       # kappa one ulp below (r/decay)^n: n - 1 steps suffice
    above = np.nextafter(k, np.inf)
    assert np.array_equal(age_bound(decay=d, r_lo=r, kappa=below, top_c=2), 2 + n - 1)
    assert np.array_equal(age_bound(decay=d, r_lo=r, kappa=above, top_c=2), 2 + n)


def test_largest_power_within_agrees_with_rationals_on_random_inputs():
    rng = np.random.default_rng(5)
    a = rng.uniform(0.3, 1.0, 400)
    b = a / rng.uniform(1.0001, 4.0, 400)
    k = np.exp(rng.uniform(0.0, np.log(1e4), 400))
    t = rng.uniform(0.05, 1.0, 400)
    got = largest_power_within(a, b, k, t)
    for ai, bi, ki, ti, g in zip(a, b, k, t, got):
        fa, fb, fk, ft = map(Fraction, (ai, bi, ki, ti))
        n = int(g)
        if n >= 0:
            assert fa**n * ft <= fk * fb**n                # n qualifies
        assert fa ** (n + 1) * ft > fk * fb ** (n + 1)     # n + 1 does not


def test_contraction_floor_ages_are_exact_for_the_floor_it_returns():
    r, T = contraction_floor(alpha_L=np.array([1e-4, 1e-3, 1e-2]), decay=0.5, kappa=np.array([[1.0], [243.0], [1e4]]),
                             top_c=2, aggregation="sum")
    for i in np.ndindex(r.shape):
        if np.isfinite(T[i]):
            kappa = [1.0, 243.0, 1e4][i[0]]
            fr, fd, fk = Fraction(float(r[i])), Fraction(0.5), Fraction(kappa)
            n = int(T[i]) - 2
            assert fr**n <= fk * fd**n and fr ** (n + 1) > fk * fd ** (n + 1)


def test_floor_condition_refuses_a_floor_within_rounding_of_its_boundary():
    # plain weights (m = 0 only: top_c 1 with a zero memory weight): condition r <= 1 - alpha L |a|
    a_abs, B = np.array([1.0, 1.0]), np.array([0.0, 0.0])
    edge = 1.0 - 0.25                                   # exact in float64
    assert not floor_holds(r=edge, alpha_L=0.25, decay=0.5, kappa=1.0, top_c=1, a_abs=a_abs, B=B)
    assert floor_holds(r=edge - 1e-12, alpha_L=0.25, decay=0.5, kappa=1.0, top_c=1, a_abs=a_abs, B=B)
    a_abs, B = step_weights("sum", 1)
    assert floor_holds(r=0.9, alpha_L=0.01, decay=0.5, kappa=1.0, top_c=1, a_abs=a_abs, B=B)


def test_iteration_count_at_exact_ties():
    # rho^K = eps exactly: K itself suffices, however the quotient of logs rounds
    for rho, K in ((0.5, 10), (0.25, 7), (0.5, 60), (0.75, 3)):
        eps = rho**K
        assert float(Fraction(rho) ** K) == eps                 # the tie is exact
        assert iterations2(eps=eps, rate=rho) == K
        assert iterations2(eps=np.nextafter(eps, 0.0), rate=rho) == K + 1
    # a transient: C rho^K = eps with C = 4, rho = 1/2, eps = 2^-8: K = 10
    assert iterations2(eps=2.0**-8, rate=0.5, transient=4.0) == 10


def test_iteration_count_is_never_short_on_random_inputs():
    rng = np.random.default_rng(2)
    rho = rng.uniform(0.5, 0.999, 300)
    eps = np.exp(rng.uniform(np.log(1e-9), np.log(0.5), 300))
    c = rng.uniform(1.0, 3.0, 300)
    K = iterations2(eps=eps, rate=rho, transient=c)
    for r_, e_, c_, k_ in zip(rho, eps, c, K):
        fr, fe, fc = map(Fraction, (r_, e_, c_))
        assert fc * fr ** int(k_) <= fe and fc * fr ** (int(k_) - 1) > fe


def test_theorem_2_takes_the_best_smaller_sum():
    # issue 22: rate2 is not monotone in s_lo; any s' <= s_lo is also valid, so s_lo = 1.5 is at least as good
    kw = dict(mu=1.0, L=10.0, alpha=0.036019, B=1.0, W=2.0, T=1)
    at_1, at_15 = rate2(**kw, s_lo=1.0), rate2(**kw, s_lo=1.5)
    assert np.isfinite(at_15) and at_1 < 0.982
    assert at_15 <= at_1 + 1e-9


def test_theorem_2_rate_is_monotone_in_s_lo_up_to_its_grid():
    rng = np.random.default_rng(4)
    n = 40
    L_ = rng.choice([2.0, 10.0, 100.0], n)[:, None]
    T_ = rng.integers(1, 8, n).astype(float)[:, None]
    W_ = rng.uniform(1.0, 3.0, n)[:, None]
    B_ = W_ * rng.uniform(0.0, 1.0, n)[:, None]
    a = rng.uniform(0.1, 1.0, n)[:, None] * alpha_max2(mu=1.0, L=L_, s_lo=W_, B=B_, W=W_, T=T_)
    s = W_ * np.linspace(0.05, 1.0, 25)[None, :]
    rho = np.asarray(rate2(mu=1.0, L=L_, alpha=a, s_lo=s, B=B_, W=W_, T=T_))
    assert np.isfinite(rho).all()
    assert np.all(np.diff(rho, axis=1) <= 1e-6 * (1 - rho[:, :-1]) + 1e-15)


def test_theorem_2_edge_step_has_a_finite_rate():
    for T_ in (0, 1, 3, 20, 64):
        B_ = 0.0 if T_ == 0 else 1.0
        top = alpha_max2(mu=1.0, L=100.0, s_lo=1.0, B=B_, W=2.0, T=T_)
        assert np.isfinite(rate2(mu=1.0, L=100.0, alpha=top, s_lo=1.0, B=B_, W=2.0, T=T_))
        assert rate2(mu=1.0, L=100.0, alpha=top * (1 + 1e-9), s_lo=1.0, B=B_, W=2.0, T=T_) == np.inf
