"""Exact rates on quadratics (issue 4, item 5) and Theorem 1 against them (item 6)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

from memgd.theory import Pattern, alpha_max, best_bound, critical_step, exact_rate, quadratic_rate, rate


# ---------- independent references (test code only)

def measured_rate(pattern, alpha, hs, n_burn=3000, n_meas=20000, seed=0):
    """Rate of x_{k+1} = x_k - alpha H sum_j w_j x_{k-tau_j} on diagonal H = diag(hs), from the
    growth of the state-window norm over a long window (renormalised each step)."""
    T = pattern.T
    w = pattern.dense_weights()
    hs = np.asarray(hs, dtype=float)
    X = np.random.default_rng(seed).standard_normal((T + 1, hs.size))  # rows: x_k, x_{k-1}, ...
    log_growth = 0.0
    for it in range(n_burn + n_meas):
        new = X[0] - alpha * hs * (w @ X)
        X = np.vstack([new[None], X[:-1]])
        n = np.linalg.norm(X)
        X /= n
        if it >= n_burn:
            log_growth += math.log(n)
    return math.exp(log_growth / n_meas)


def random_pattern(rng, T_max=4, signed=False):
    T = int(rng.integers(1, T_max + 1))
    others = sorted(rng.choice(np.arange(1, T + 1), size=int(rng.integers(1, T + 1)), replace=False))
    if T not in others:
        others[-1] = T
    lo = -0.5 if signed else 0.05
    weights = [float(rng.uniform(0.3, 1.5))] + [float(rng.uniform(lo, 1.0)) for _ in others]
    return Pattern((0, *others), tuple(weights))


# ---------- reference figures

def test_reference_figure_0_89408():
    # docs/math/certificates.md: mu=1, L=10, weights (1, 1) on ages (0, 1), alpha = 0.05.  At h the
    # polynomial is z^2 - (1 - 0.05h) z + 0.05h; at h = mu = 1 its larger root is
    # (0.95 + sqrt(0.95^2 - 0.2))/2; at h = L = 10 the roots have modulus sqrt(0.5) < that.
    expected = (0.95 + math.sqrt(0.95**2 - 0.2)) / 2
    got = exact_rate(1.0, 10.0, 0.05, Pattern((0, 1), (1.0, 1.0)))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, abs=1e-12)
    assert round(got, 5) == 0.89408


def test_critical_step_of_reference_pattern_is_one_over_L():
    # z = e^{i theta} is a root when alpha h = (1 - e^{i theta}) / (1 + e^{-i theta})
    # = -i e^{i theta} tan(theta/2), real positive only at theta = pi/2, value 1: alpha_c = 1/L.
    assert critical_step(1.0, 10.0, Pattern((0, 1), (1.0, 1.0))) == pytest.approx(0.1, rel=1e-10)
    assert critical_step(0.01, 10.0, Pattern((0, 1), (1.0, 1.0))) == pytest.approx(0.1, rel=1e-10)


@pytest.mark.parametrize("w", [1.0, 0.5, 2.0])
def test_no_memory_rate_is_gd(w):
    alphas = np.array([0.01, 0.05, 2 / 11 / w, 0.15 / w, 0.25 / w])
    expected = np.maximum(abs(1 - alphas * w * 1.0), abs(1 - alphas * w * 10.0))
    np.testing.assert_allclose(exact_rate(1.0, 10.0, alphas, Pattern.plain(w)), expected, atol=1e-13)
    # zero-weight memory slots change nothing (they add roots at 0 only)
    padded = Pattern((0, 3), (w, 0.0))
    np.testing.assert_allclose(exact_rate(1.0, 10.0, alphas, padded), expected, atol=1e-12)
    assert critical_step(1.0, 10.0, Pattern.plain(w)) == pytest.approx(2 / (10.0 * w), rel=1e-10)


def test_batched_equals_one_by_one():
    rng = np.random.default_rng(3)
    pats = [random_pattern(rng, signed=bool(i % 2)) for i in range(6)]
    alphas = np.array([[0.001, 0.01], [0.03, 0.06]])
    batch = exact_rate(0.5, 8.0, alphas, pats)
    assert batch.shape == (6, 2, 2)
    for i, p in enumerate(pats):
        for j in np.ndindex(alphas.shape):
            assert batch[(i, *j)] == pytest.approx(exact_rate(0.5, 8.0, float(alphas[j]), p), abs=1e-14)


def test_max_over_h_beats_a_fine_grid_of_np_roots():
    # independent: np.roots on a 4001-point grid of h; the refined max must be >= every
    # grid value (up to root accuracy) and not far above the grid max.
    rng = np.random.default_rng(4)
    for _ in range(8):
        p = random_pattern(rng, signed=True)
        mu, L = 1.0, float(rng.uniform(2, 30))
        alpha = 0.3 / (L * p.W)
        best = 0.0
        for h in np.linspace(mu, L, 4001):
            coeffs = np.zeros(p.T + 2)
            coeffs[0], coeffs[1] = 1.0, -1.0
            coeffs[1:] += alpha * h * p.dense_weights()
            best = max(best, np.abs(np.roots(coeffs)).max())
        got = exact_rate(mu, L, alpha, p)
        assert best - 1e-10 <= got <= best + 1e-5


def _np_root_radius(p, alpha, h):
    coeffs = np.zeros(p.T + 2)
    coeffs[0], coeffs[1] = 1.0, -1.0
    coeffs[1:] += alpha * h * p.dense_weights()
    return np.abs(np.roots(coeffs)).max()


def test_interior_maximum_is_found_to_1e_9():
    # A positive-weight pattern whose spectral radius has a hump in alpha*h near 1.33
    # (found by scanning; endpoints h = 0.9 and 1.7 sit about 0.02 lower).  Independent
    # reference: np.roots on a grid, then scipy's bounded scalar search around its argmax.
    p = Pattern((0, 1, 2), (1.0, 0.25, 0.08))
    mu, L, alpha = 0.9, 1.7, 1.0
    hs = np.linspace(mu, L, 2001)
    vals = [_np_root_radius(p, alpha, h) for h in hs]
    i = int(np.argmax(vals))
    assert 0 < i < hs.size - 1
    ref = minimize_scalar(lambda h: -_np_root_radius(p, alpha, h), bounds=(hs[i - 1], hs[i + 1]),
                          method="bounded", options={"xatol": 1e-12})
    res = quadratic_rate(mu, L, alpha, p)
    assert mu < res.h_worst < L
    assert res.rate > max(vals[0], vals[-1]) + 0.01
    assert res.rate == pytest.approx(-ref.fun, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_exact_rate_matches_long_simulation(seed):
    rng = np.random.default_rng(100 + seed)
    p = random_pattern(rng, signed=seed % 2 == 1)
    assert p.s > 0  # random_pattern keeps w_0 >= 0.3 above the negative weights' total
    mu, L = 1.0, float(rng.uniform(3, 20))
    alpha = float(rng.uniform(0.2, 0.9)) * critical_step(mu, L, p)
    res = quadratic_rate(mu, L, alpha, p)
    hs = np.concatenate([[mu, L, res.h_worst], np.linspace(mu, L, 64)])
    assert measured_rate(p, alpha, hs, seed=seed) == pytest.approx(res.rate, abs=1e-3)
    # the worst eigenvalue alone already shows the rate
    assert measured_rate(p, alpha, [res.h_worst], seed=seed) == pytest.approx(res.rate, abs=1e-3)


def theta_critical_step(L, p, n=200001):
    """Independent critical step: roots cross |z| = 1 at z = e^{i theta} where
    alpha h = (1 - e^{i theta}) / sum_j w_j e^{-i theta tau_j} is real and positive;
    alpha_c = (smallest such value) / L."""
    ages, w = np.array(p.ages), np.array(p.weights)

    def a(th):
        return (1 - np.exp(1j * th)) / np.sum(w * np.exp(-1j * np.multiply.outer(th, ages)), axis=-1)

    th = np.linspace(1e-6, np.pi, n)
    im = a(th).imag
    cands = [a(np.array([np.pi]))[0].real] if abs(a(np.array([np.pi]))[0].imag) < 1e-12 else []
    for i in np.nonzero(np.sign(im[:-1]) * np.sign(im[1:]) < 0)[0]:
        t = brentq(lambda x: a(np.array([x]))[0].imag, th[i], th[i + 1], xtol=1e-15)
        val = a(np.array([t]))[0]
        if abs(val.imag) < 1e-9 * abs(val):  # a genuine crossing, not a pole
            cands.append(val.real)
    pos = [c for c in cands if c > 0]
    return min(pos) / L


@pytest.mark.parametrize("seed", range(5))
def test_critical_step_matches_unit_circle_crossing(seed):
    rng = np.random.default_rng(200 + seed)
    p = random_pattern(rng)
    L = float(rng.uniform(2, 30))
    ac = critical_step(1.0, L, p)
    assert ac == pytest.approx(theta_critical_step(L, p), rel=1e-7)
    assert exact_rate(1.0, L, 0.999 * ac, p) < 1 <= exact_rate(1.0, L, 1.001 * ac, p)


def test_critical_step_without_positive_sum_is_zero():
    assert critical_step(1.0, 10.0, Pattern((0, 1), (1.0, -1.0))) == 0.0
    assert critical_step(1.0, 10.0, Pattern((0, 2), (0.5, -1.0))) == 0.0
    assert exact_rate(1.0, 10.0, 1e-3, Pattern((0, 2), (0.5, -1.0))) > 1


def test_design_gap_at_0_002():
    # worked example (docs/math/theorem1.md): at alpha = 0.002 (sum, kappa = 1, T = 3, C = 2) Theorem 1 gives 0.99842 (the
    # root of rho^7 = 0.996 rho^6 + 0.0024). Any pattern of that rule with T = 3 has an exact rate below it.
    for ages in [(0, 1, 3), (0, 2, 3)]:
        p = Pattern(ages, (1.0, 0.5, 0.5))
        bound = rate(mu=1, L=10, alpha=0.002, s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)
        assert round(bound, 5) == 0.99842
        assert exact_rate(1.0, 10.0, 0.002, p) < 0.9961


# ---------- property: Theorem 1 / 1b bound the exact quadratic rate

@st.composite
def patterns(draw, T_max=5):
    T = draw(st.integers(1, T_max))
    others = draw(st.lists(st.integers(1, T), min_size=1, max_size=T, unique=True))
    if T not in others:
        others.append(T)
    others.sort()
    w0 = draw(st.floats(0.05, 2.0))
    ws = draw(st.lists(st.floats(-1.0, 1.5), min_size=len(others), max_size=len(others)))
    scale = draw(st.sampled_from([1.0, 0.1, 0.003]))  # small memory makes variant 1b applicable
    return Pattern((0, *others), (w0, *(scale * w for w in ws)))


@given(p=patterns(), mu=st.floats(0.05, 1.0), cond=st.floats(1.0, 50.0),
       frac=st.floats(0.01, 0.999), theorem=st.sampled_from(["1", "1b"]))
def test_exact_rate_never_exceeds_theorem_bound(p, mu, cond, frac, theorem):
    L = mu * cond
    kw = dict(mu=mu, L=L, s_lo=p.s, s_hi=p.s, B=p.B, W=p.W, T=p.T)
    amax = alpha_max(**kw, theorem=theorem)
    assume(amax > 0)
    alpha = frac * amax
    bound = rate(**kw, alpha=alpha, theorem=theorem)
    assert bound < 1
    exact = exact_rate(mu, L, alpha, p)
    assert exact <= bound + 1e-12, (p, alpha, exact, bound)
    best = best_bound(**kw, alpha=alpha)
    assert exact <= best.rate + 1e-12
