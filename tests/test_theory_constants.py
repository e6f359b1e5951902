"""Numeric constants of Theorem 1 / 1b, the worked example of docs/math/theorem1.md, bad inputs, lambdify (issue 4, items 3-4)."""

import math

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize_scalar

from memgd import theory
from memgd.theory import (
    AGGREGATIONS, Pattern, aggregation_bounds, aggregation_constants, aggregation_weights, alpha_max,
    best_bound, exact_rate, iteration_count, optimal_step, promise, rate, rate_at_optimal_step,
)
from memgd.theory import derived
from memgd.theory.constants import window_rate
from memgd.theory.lambdify import cache_info, numpy_function
from memgd.theory.symbols import PARAMETERS, eps
from memgd.theory.theorem import THEOREM_1, THEOREM_1B
from tolerances import formula_rtol

# docs/math/theorem1.md example: mu = 1, L = 10, "sum" with kappa = 1: d = g + mean(stored),
# so a = 1, b_c = 1/m: s = 2, B = 1, W = 2 (worked out by hand, independent of the code).
SUM_K1 = dict(mu=1.0, L=10.0, s_lo=2.0, s_hi=2.0, B=1.0, W=2.0)


# ---------- the worked example's figures (docs/math/theorem1.md, computed there by hand)

def test_design_theorem_1_vacuous_above_0_005():
    # alpha^2 L^2 B W T < alpha s mu  <=>  alpha < s mu / (L^2 B W T) = 2 / (100 * 2 * 2) = 0.005,
    # and the step hypothesis alpha <= 2 / (11 * 2) = 0.0909 does not bind.
    assert alpha_max(**SUM_K1, T=2) == pytest.approx(0.005, rel=1e-14)
    r = rate(**SUM_K1, T=2, alpha=np.array([0.0049, 0.004999, 0.005001, 0.0051, 0.05, 0.1]))
    assert np.all(np.isfinite(r[:2])) and np.all(r[:2] < 1)
    assert np.all(np.isinf(r[2:]))


def test_design_variant_1b_never_applies():
    # 2 L B = 20 > s mu = 2
    alphas = np.geomspace(1e-8, 0.09, 50)
    assert np.all(np.isinf(rate(**SUM_K1, T=2, alpha=alphas, theorem="1b")))
    assert alpha_max(**SUM_K1, T=2, theorem="1b") == 0.0
    assert math.isnan(optimal_step(**SUM_K1, T=2, theorem="1b"))


def _polynomial_root(p: float, q: float, D: int) -> float:
    """The root in (0, 1) of x^(D+1) - p x^D - q, by numpy's companion-matrix eigenvalues (independent of
    memgd's bisection), polished by two Newton steps in extended precision."""
    coeffs = [1.0, -p] + [0.0] * (D - 1) + [-q] if D >= 1 else [1.0, -(p + q)]
    roots = np.roots(coeffs)
    x = max(r.real for r in roots if abs(r.imag) < 1e-9 and 0 < r.real < 1)
    x = np.longdouble(x)
    for _ in range(2):
        x -= (x ** (D + 1) - p * x**D - q) / ((D + 1) * x**D - D * p * x ** max(D - 1, 0))
    return float(x)


def test_design_rate_at_0_002_T3():
    # p = 1 - 0.002*2 = 0.996, q = 0.002^2 * 100 * 1 * 2 * 3 = 0.0024; rho is the root of
    # rho^7 = 0.996 rho^6 + 0.0024 (lemma L6); the earlier form (p+q)^(1/7) = 0.9984^(1/7) ~ 0.99977 bounds it above
    r = rate(**SUM_K1, T=3, alpha=0.002)
    root = _polynomial_root(0.996, 0.0024, 6)
    assert root <= r <= root + 1e-14  # rounded upward, by a few ulps at most
    assert round(r, 5) == 0.99842
    assert window_rate(**SUM_K1, T=3, alpha=0.002) == pytest.approx(0.9984 ** (1 / 7), rel=1e-14)
    assert promise(aggregation="sum", kappa=1, m=2, T=3, mu=1, L=10, alpha=0.002).rate == r


@pytest.mark.parametrize("seed", range(4))
def test_rate_is_the_root_rounded_upward(seed):
    # against an independent root (numpy.roots + Newton in long double) over random parameters, T up to 40
    rng = np.random.default_rng(seed)
    for _ in range(25):
        mu = 1.0
        L = float(10 ** rng.uniform(0, 3))
        T = int(rng.integers(1, 41))
        s, B = float(rng.uniform(0.5, 2)), float(rng.uniform(0.01, 1.5))
        W = max(B, s) + float(rng.uniform(0, 1))
        kw = dict(mu=mu, L=L, s_lo=s, s_hi=s, B=B, W=W, T=T)
        a = float(alpha_max(**kw)) * float(rng.uniform(0.01, 0.99))
        r = rate(**kw, alpha=a)
        p, q = 1 - a * s * mu, a**2 * L**2 * B * W * T
        root = _polynomial_root(p, q, 2 * T)
        assert root <= r <= root + 1e-13 + 64 * np.finfo(float).eps
        assert p + q < r <= window_rate(**kw, alpha=a)  # between the lemma's two ends


def test_design_exact_rate_converges_up_to_0_1():
    # "although the method converges up to alpha of about 0.1" (pattern g_k + g_{k-1})
    p = Pattern((0, 1), (1.0, 1.0))
    assert exact_rate(1, 10, 0.099, p) < 1 < exact_rate(1, 10, 0.101, p)


# ---------- reductions and internal consistency

@pytest.mark.parametrize("s", [0.5, 1.0, 2.0])
def test_no_memory_is_gradient_descent(s):
    alphas = np.linspace(0.001, 2 / (11 * s), 40)[:-1]
    bnd = best_bound(mu=1.0, L=10.0, alpha=alphas, s_lo=s, s_hi=s, B=0.0, W=s, T=0)
    # the root of rho = p, rounded upward by the rounding bound of p (16 ulps of 1): never below
    for r_ in (bnd.rate, bnd.rate_1b):
        assert np.all(r_ >= 1 - alphas * s) and np.all(r_ <= 1 - alphas * s + 4e-15)
    # a step exactly at the float step limit is treated as outside it (the safe side of a rounded product)
    edge = best_bound(mu=1.0, L=10.0, alpha=2 / (11 * s), s_lo=s, s_hi=s, B=0.0, W=s, T=0)
    assert edge.rate == math.inf
    # the theorem is tight without memory: GD's exact rate on quadratics is the same
    ex = exact_rate(1.0, 10.0, alphas, Pattern.plain(s))
    np.testing.assert_allclose(ex, 1 - alphas * s, rtol=0, atol=1e-12)
    assert alpha_max(mu=1.0, L=10.0, s_lo=s, s_hi=s, B=0.0, W=s, T=0) == pytest.approx(2 / (11 * s))
    assert optimal_step(mu=1.0, L=10.0, s_lo=s, s_hi=s, B=0.0, W=s, T=0) == pytest.approx(2 / (11 * s))


def test_rate_below_one_exactly_when_admissible():
    rng = np.random.default_rng(1)
    n = 2000
    kw = dict(mu=rng.uniform(0.1, 1, n))
    kw["L"] = kw["mu"] * rng.uniform(1, 30, n)
    kw["s_lo"] = rng.uniform(-0.5, 2, n)
    kw["s_hi"] = kw["s_lo"] + rng.uniform(0, 1, n)
    kw["B"] = rng.uniform(0, 0.2, n)
    kw["W"] = np.maximum(kw["B"], np.maximum(abs(kw["s_lo"]), abs(kw["s_hi"]))) + rng.uniform(0, 1, n)
    kw["T"] = rng.integers(1, 6, n)
    for th in ("1", "1b"):
        amax = alpha_max(**kw, theorem=th)
        a = amax * rng.uniform(0.01, 0.999, n)
        ok = amax > 0
        r = rate(**kw, alpha=np.where(ok, a, 1e-3), theorem=th)
        assert np.all((r[ok] < 1) & (r[ok] >= 0))
        assert np.all(np.isinf(r[~ok]))
        beyond = rate(**kw, alpha=np.where(ok, amax * 1.001, 1e-3), theorem=th)
        assert np.all(np.isinf(beyond))  # vacuous, never a number >= 1
    assert np.any(alpha_max(**kw, theorem="1b") > 0) and np.any(alpha_max(**kw, theorem="1b") == 0)


def test_optimal_step_minimises_the_rate():
    kw = dict(mu=1.0, L=10.0, s_lo=2.0, s_hi=2.0, B=1.0, W=2.0, T=3)
    a_star = optimal_step(**kw)
    # below the earlier form's vertex s mu / (2 L^2 B W T) by the factor rho_opt^(2T) (lemma "optimal step")
    assert a_star < 2 / (2 * 100 * 1 * 2 * 3)
    res = minimize_scalar(lambda a: rate(**kw, alpha=a), bounds=(1e-6, alpha_max(**kw) * 0.999),
                          method="bounded", options={"xatol": 1e-12})
    assert res.x == pytest.approx(a_star, rel=1e-3)
    assert rate_at_optimal_step(**kw) == rate(**kw, alpha=a_star)
    assert rate_at_optimal_step(**kw) <= res.fun + 1e-15
    # rho_opt + e rho_opt^6 = 1 with e = 4 / (4 * 100 * 2 * 3): the best rate, independently
    e = 4 / (4 * 100 * 2 * 3)
    rho_opt = max(r.real for r in np.roots([e, 0, 0, 0, 0, 1, -1]) if abs(r.imag) < 1e-12 and 0 < r.real < 1)
    assert rate_at_optimal_step(**kw) == pytest.approx(rho_opt, abs=1e-12)
    # clipped case: tiny memory, the vertex lies beyond 2/((mu+L) s_hi)
    kw2 = dict(mu=1.0, L=10.0, s_lo=1.0, s_hi=1.5, B=1e-4, W=1.5, T=1)
    assert optimal_step(**kw2) == pytest.approx(2 / (11 * 1.5), rel=1e-15)
    grid = np.linspace(1e-4, 2 / (11 * 1.5), 2001)[:-1]
    assert rate_at_optimal_step(**kw2) <= np.min(rate(**kw2, alpha=grid))


def test_best_bound_picks_the_smaller_valid():
    kw = dict(mu=1.0, L=10.0, s_lo=1.0, s_hi=1.0, B=0.01, W=1.01, T=1)
    alphas = np.array([1e-3, 0.01, 0.05, 0.18])
    b = best_bound(**kw, alpha=alphas)
    r1, rb = rate(**kw, alpha=alphas), rate(**kw, alpha=alphas, theorem="1b")
    # best_bound calls rate() with these same arguments and takes the minimum (exact): the same bits
    np.testing.assert_array_equal(b.rate, np.minimum(r1, rb))
    assert set(b.theorem) <= {"1", "1b"}
    for i in range(alphas.size):
        assert b.theorem[i] == ("1b" if rb[i] < r1[i] else "1")
    none = best_bound(**{**kw, "s_lo": -1.0}, alpha=0.01)
    assert none.theorem == "none" and none.rate == math.inf and none.vacuous


def test_iteration_count():
    for r, e in [(0.9, 1e-3), (0.99977, 1e-6), (0.3, 0.9), (0.999999, 1e-9)]:
        K = iteration_count(eps=e, rate=r)
        assert r**K <= e * (1 + 1e-12) and r ** (K - 1) > e
    # an exact tie (0.5^2 = 0.25 exactly) rounds toward the safe side: one more, never one fewer
    assert iteration_count(eps=0.25, rate=0.5) in (2, 3)
    assert iteration_count(eps=0.125, rate=0.5) >= 3
    assert iteration_count(eps=1e-3, rate=math.inf) == math.inf
    assert iteration_count(eps=1e-3, rate=1.0) == math.inf
    assert iteration_count(eps=2.0, rate=0.9) == 0
    assert iteration_count(eps=1e-3, rate=0.0) == 1
    # worked example (docs/math/theorem1.md): about 17 times more iterations than the exact rate 0.99599 needs
    ratio = iteration_count(eps=1e-8, rate=0.99977) / iteration_count(eps=1e-8, rate=0.99599)
    assert 16.5 < ratio < 18


@pytest.mark.usefixtures("blas_threads")
def test_vectorized_broadcasting_shapes():
    out = rate(mu=1.0, L=np.array([[10.0], [20.0]]), alpha=np.array([1e-4, 2e-4, 3e-4]),
               s_lo=2.0, s_hi=2.0, B=1.0, W=2.0, T=2)
    assert out.shape == (2, 3)
    # one element of a broadcast evaluation against the scalar one: numpy may run a vectorized power on the
    # array and libm's on the scalar.  (1 - a s mu + a^2 L^2 B W T)^(1/(2T+1)): 7 basic operations and a power;
    # the inner sum is 1 - 6e-4 + 1.4e-4, condition about 1, which the 1/5 power only shrinks
    scalar = rate(mu=1.0, L=20.0, alpha=3e-4, s_lo=2.0, s_hi=2.0, B=1.0, W=2.0, T=2)
    assert abs(out[1, 2] - scalar) <= formula_rtol(basic=7, transcendental=1) * scalar
    assert isinstance(rate(**SUM_K1, T=2, alpha=1e-3), float)


# ---------- bad inputs

GOOD = dict(mu=1.0, L=10.0, alpha=0.001, s_lo=2.0, s_hi=2.0, B=1.0, W=2.0, T=2)


@pytest.mark.parametrize("name,value", [
    ("mu", 0.0), ("mu", -1.0), ("mu", float("nan")), ("mu", float("inf")),
    ("L", 0.5), ("L", float("inf")), ("L", float("nan")),
    ("alpha", 0.0), ("alpha", -0.1), ("alpha", float("nan")), ("alpha", np.array([0.1, -1.0])),
    ("s_lo", float("nan")), ("s_hi", 1.0), ("B", -0.1), ("W", 0.9), ("W", 1.5),
    ("T", -1), ("T", 1.5), ("T", float("nan")),
])
def test_bad_input_raises_naming_parameter(name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be"):
        rate(**{**GOOD, name: value})
    if name != "alpha":
        with pytest.raises(ValueError, match=rf"^{name} must be"):
            alpha_max(**{k: v for k, v in {**GOOD, name: value}.items() if k != "alpha"})


def test_memory_without_age_is_rejected():
    with pytest.raises(ValueError, match=r"^T must be an integer >= 1 where B > 0"):
        rate(**{**GOOD, "T": 0})


def test_other_bad_inputs():
    with pytest.raises(ValueError, match=r"^theorem must be"):
        rate(**GOOD, theorem="2")
    with pytest.raises(ValueError, match=r"^eps must be"):
        iteration_count(eps=0.0, rate=0.5)
    with pytest.raises(ValueError, match=r"^alpha must be"):
        exact_rate(1.0, 10.0, 0.0, Pattern.plain())
    with pytest.raises(ValueError, match=r"^L must be"):
        exact_rate(1.0, 0.5, 0.1, Pattern.plain())
    with pytest.raises(ValueError, match=r"^mu must be"):
        theory.critical_step(float("nan"), 10.0, Pattern.plain())
    with pytest.raises(ValueError, match=r"^aggregation must be one of"):
        aggregation_constants("median-max", 1.0, 2)
    with pytest.raises(ValueError, match=r"^m must be an integer >= 0"):
        aggregation_constants("sum", 1.0, -1)
    with pytest.raises(ValueError, match=r"^kappa must be"):
        aggregation_constants("sum", float("nan"), 1)
    with pytest.raises(ValueError, match=r"^T must be an integer >= m"):
        promise(aggregation="sum", kappa=1, m=3, T=2, mu=1, L=10, alpha=1e-3)
    with pytest.raises(ValueError, match=r"exactly one of m"):
        promise(aggregation="sum", kappa=1, m=3, topC=3, T=3, mu=1, L=10, alpha=1e-3)


# ---------- lambdify helper

EXPRESSIONS = {
    "window_rate_1": THEOREM_1.window_rate, "window_rate_1b": THEOREM_1B.window_rate,
    "alpha_max_1": derived.ALPHA_MAX_1, "alpha_vertex_1": derived.ALPHA_VERTEX_1, "excess_1": derived.EXCESS_1,
    "p": THEOREM_1.p, "q_1": THEOREM_1.q, "q_1b": THEOREM_1B.q,
}


@pytest.mark.parametrize("key", sorted(EXPRESSIONS))
def test_lambdified_agrees_with_evalf(key):
    expr = EXPRESSIONS[key]
    f = numpy_function(expr, PARAMETERS)
    rng = np.random.default_rng(abs(hash(key)) % 2**32)
    for _ in range(12):
        vals = {"mu": rng.uniform(0.1, 2)}
        vals["L"] = vals["mu"] * rng.uniform(1, 20)
        vals["s_lo"] = rng.uniform(0.2, 2)
        vals["s_hi"] = vals["s_lo"] + rng.uniform(0, 1)
        vals["B"] = rng.uniform(0.001, 0.1)
        vals["W"] = max(vals["B"], vals["s_hi"]) + rng.uniform(0, 1)
        vals["T"] = int(rng.integers(1, 6))
        limit = min(vals["s_lo"] * vals["mu"] / (vals["L"] ** 2 * vals["B"] * vals["W"] * vals["T"]),
                    2 / ((vals["mu"] + vals["L"]) * vals["s_hi"]))
        vals["alpha"] = limit * rng.uniform(0.05, 0.95)
        subs = {s: (sp.Integer(vals[s.name]) if s.name == "T" else sp.Float(vals[s.name], 30)) for s in PARAMETERS}
        exact = float(expr.subs(subs).evalf(30))
        assert f(**vals).item() == pytest.approx(exact, rel=1e-13)


def test_iteration_expression_agrees_with_evalf():
    f = numpy_function(derived.ITERATIONS, (eps, derived.rho))
    for e, r in [(1e-6, 0.9), (0.3, 0.999), (1e-12, 0.5)]:
        exact = float(derived.ITERATIONS.subs({eps: sp.Float(e, 30), derived.rho: sp.Float(r, 30)}).evalf(30))
        assert f(eps=e, rho=r).item() == pytest.approx(exact, rel=1e-13)


def test_lambdify_cache_is_keyed_by_expression():
    x = sp.Symbol("x_cache_test", positive=True)
    before = cache_info()
    f2 = numpy_function(2 * x, (x,))
    f3 = numpy_function(3 * x, (x,))  # a "changed derivation" must not reuse f2's function
    assert f2(x_cache_test=1.5).item() == 3.0 and f3(x_cache_test=1.5).item() == 4.5
    numpy_function(2 * x, (x,))(x_cache_test=np.array([1.0, 2.0]))
    after = cache_info()
    assert after.misses == before.misses + 2 and after.hits >= before.hits + 1
    with pytest.raises(TypeError):
        f2(1.5)  # positional arguments are not accepted
    with pytest.raises(TypeError):
        f2(x=1.5)


# ---------- aggregations

def _hand_weights(aggregation, kappa, m):
    """Weights written from docs/math/critical_rule.md's formulas (independent of memgd.theory.aggregations)."""
    mean = [kappa / m] * m
    pick = [kappa] + [0.0] * (m - 1)
    table = {
        "sum": (1.0, mean), "mid": (0.5, [b / 2 for b in mean]),
        "mean": (1 / (m + 1), [kappa / (m + 1)] * m),
        "min": (1.0, pick), "median": (1.0, pick), "max": (1.0, pick),
        "min-mean": (0.5, [b / 2 for b in pick]), "median-mean": (0.5, [b / 2 for b in pick]),
        "max-mean": (0.5, [b / 2 for b in pick]),
    }
    return table[aggregation]


@pytest.mark.parametrize("aggregation", AGGREGATIONS)
@pytest.mark.parametrize("kappa", [1.0, 0.3, -0.5, 2.0])
def test_aggregation_constants_match_weights(aggregation, kappa):
    for m in range(1, 7):
        a, b = _hand_weights(aggregation, kappa, m)
        c = aggregation_constants(aggregation, kappa, m)
        assert c.s_lo == c.s_hi == pytest.approx(a + sum(b), abs=1e-15)
        assert c.B == pytest.approx(sum(abs(x) for x in b), abs=1e-15)
        assert c.W == pytest.approx(abs(a) + sum(abs(x) for x in b), abs=1e-15)
        a2, b2 = aggregation_weights(aggregation, kappa, m)
        assert a2 == pytest.approx(a) and np.allclose(b2, b)
    assert aggregation_constants(aggregation, kappa, 0) == theory.Constants(1.0, 1.0, 0.0, 1.0)


def test_mean_aggregation_bounds_over_buffer_sizes():
    # s(m) = (1 + 2m)/(m+1): 1.5 at m = 1 up to 21/11 at m = 10; B(m) = 2m/(m+1) <= 20/11
    c = aggregation_bounds("mean", 2.0, 10)
    assert (c.s_lo, c.s_hi, c.B, c.W) == pytest.approx((1.5, 21 / 11, 20 / 11, 21 / 11))
    c0 = aggregation_bounds("mean", 2.0, 10, m_min=0)  # first step d_0 = g_0 included
    assert c0.s_lo == 1.0
    c_half = aggregation_bounds("mean", 0.5, 10)  # s decreases with m when kappa < 1
    assert (c_half.s_lo, c_half.s_hi) == pytest.approx((6 / 11, 0.75))
    assert aggregation_bounds("sum", 1.0, 10) == aggregation_constants("sum", 1.0, 3)


def test_promise_for_adam_style_mean_topc10():
    b = promise(aggregation="mean", kappa=1, topC=10, T=10, mu=1, L=10, alpha=np.array([1e-4, 1e-2]))
    # kappa = 1: s = 1 for every m, B = W-... = 10/11 at m = 10, W = 1
    expected = rate(mu=1, L=10, alpha=np.array([1e-4, 1e-2]), s_lo=1, s_hi=1, B=10 / 11, W=1, T=10)
    np.testing.assert_allclose(b.rate_1, expected)
    assert np.isinf(b.rate[1])


def test_first_step_makes_design_example_vacuous():
    # The reference implementation's first step is d_0 = g_0 (empty buffer): s = 1 there.
    # Whole-run constants for "sum", kappa = 1 are then s_lo = 1, s_hi = 2, B = 1, W = 2, and
    # at alpha = 0.002, T = 3: p + q = 1 - 0.002 + 0.0024 = 1.0004 >= 1, so Theorem 1 is vacuous;
    # the worked example's 0.99842 (docs/math/theorem1.md) is the steady-state figure (buffer non-empty, m >= 1).
    c = aggregation_bounds("sum", 1.0, 2, m_min=0)
    assert (c.s_lo, c.s_hi, c.B, c.W) == (1.0, 2.0, 1.0, 2.0)
    whole = promise(aggregation="sum", kappa=1, topC=2, m_min=0, T=3, mu=1, L=10, alpha=0.002)
    assert whole.theorem == "none" and whole.rate == math.inf
    steady = promise(aggregation="sum", kappa=1, topC=2, T=3, mu=1, L=10, alpha=0.002)
    assert round(steady.rate, 5) == 0.99842
    # whole-run admissible steps: alpha < s_lo mu / (L^2 B W T) = 1 / (100 * 2 * 3)
    assert alpha_max(mu=1, L=10, s_lo=1, s_hi=2, B=1, W=2, T=3) == pytest.approx(1 / 600)


def test_the_numeric_step_hypothesis_is_the_statements():
    """Theorem 1's printed step hypothesis, its derived limit and the numeric check agree: the limit is the
    statement's right side over s_hi, a step just inside it is admitted and one just outside refused (the
    numeric check is a separate line of code, so a mutation of either shows here)."""
    import sympy as sp

    from memgd.theory.derived import STEP_LIMIT
    from memgd.theory.symbols import s_hi
    from memgd.theory.theorem import STEP_HYPOTHESIS

    assert sp.simplify(STEP_HYPOTHESIS.rhs / s_hi - STEP_LIMIT) == 0
    kw = dict(mu=1.0, L=10.0, s_lo=1.0, s_hi=1.5, B=0.0, W=1.5, T=0)
    limit = 2.0 / ((kw["mu"] + kw["L"]) * kw["s_hi"])
    assert np.isfinite(rate(**kw, alpha=limit * (1 - 1e-12)))
    assert np.isinf(rate(**kw, alpha=limit * (1 + 1e-12)))
