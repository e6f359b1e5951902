"""Theorem 2 (docs/math/theorem2.md): statement, sympy proof steps with negative controls,
numeric constants, and the bound against exact quadratic rates, stability limits and PEPit."""

import numpy as np
import pytest
import sympy as sp

from memgd.theory import Pattern, best_bound, critical_step, exact_rate
from memgd.theory import lemmas2 as lm2
from memgd.theory.constants2 import RHO_SQ_ROUNDING, alpha_max2, iterations2, optimal_step2, rate2, transient2
from memgd.theory.lemmas import ProofStatus, _nonnegative, _zero
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import C_COEF, PSI, RHO_SQ, THEOREM_2, lam, theta


def test_statement_prints_in_text_and_latex():
    text = str(THEOREM_2)
    assert text.startswith("Theorem 2 (nonnegative weights")
    for piece in ("w_kj >= 0", "2*alpha*mu*s_lo < 1", "rho_2 = sqrt(", "Min(B, s_lo)", "lambda <= 1"):
        assert piece in text
    tex = THEOREM_2.latex()
    assert r"\rho_2" in tex and r"\min\left(B, s_{lo}\right)" in tex
    assert all(h not in (sp.true, sp.false) for h in THEOREM_2.hypotheses)


@pytest.mark.parametrize("lemma", lm2.LEMMAS_2, ids=lambda l: l.name)
def test_sympy_proves_each_step(lemma):
    assert lemma.prove() is True
    if lemma.status is ProofStatus.PARTIAL:
        assert lemma.sympy_part and lemma.numeric_part


# ---------- negative controls: the same machinery rejects wrong steps

def test_t2_1_rejects_more_than_the_premises_give():
    co, cv, sm = lm2._t2_1_premises()
    # claiming the full smoothness gain ||g||^2/(2L) and the full strong-convexity gain at once
    greedy = lm2._T2_1_CONCLUSION - (1 - lam) * lm2.N_y / (2 * L)
    for c1, c2, c3 in ((lam, 1 - lam, 1), (1, 1, 1), (1, 0, 1)):
        assert not _zero(greedy - (c1 * co + c2 * cv + c3 * sm))
    assert not _zero(lm2._T2_1_CONCLUSION - (co + cv + sm))   # the right conclusion is not that sum


def test_t2_2_rejects_a_larger_fraction_of_the_distance():
    uu, vv = lm2.D_xs, lm2.D_xy
    lhs = (uu + 2 * lm2.uv + vv) - (1 - theta / 2) * uu + (1 / theta - 1) * vv
    assert not _zero(lhs - (theta * uu + 2 * lm2.uv + vv / theta))


def test_t2_4_rejects_a_step_without_the_distance_penalty():
    expr = lm2._EXPANSION
    for var, kind, bound in lm2._T2_4_STEPS:
        expr = lm2._substitute(expr, var, kind, bound)
    assert _zero(lm2._T2_4_RHS - expr)
    wrong = lm2._T2_4_RHS.subs(C_COEF, L)           # forgets the (1-lambda) mu (1/theta - 1) part
    assert not _zero(wrong - expr)
    assert not _nonnegative((wrong - expr).subs({lm2._r2: 0, lm2._D1: 1, lm2._D2: 0}).subs(
        {lam: sp.Rational(1, 2), theta: sp.Rational(1, 2)}))


def test_substitution_refuses_a_bound_in_the_wrong_direction():
    # a negative weight makes the coefficient of I positive: its lower bound may not be substituted
    neg = lm2._EXPANSION.subs(lm2._b1, -lm2._b1)
    assert lm2._substitute(neg, lm2._I1, "lower", lm2._F) is None


def test_t2_7_rejects_a_missing_drift_charge():
    s_i = lm2._s_i
    no_drift = -(alpha * lam / L - alpha**2 * s_i)
    assert not _zero(no_drift.subs(s_i, W) - (alpha / L) * lam * (PSI - 1))


def test_no_memory_rejects_the_wrong_gradient_descent_rate():
    s = lm2.s
    assert not _zero(RHO_SQ.subs(lm2._NONE).subs(lam, alpha * L * s) - (1 - alpha * s * mu) ** 2)


# ---------- numeric constants

def test_no_memory_is_gradient_descent_numerically():
    for s, L_ in ((1.0, 10.0), (0.5, 100.0)):
        eta = np.array([0.2, 0.5, 0.9]) / L_
        got = np.asarray(rate2(mu=1.0, L=L_, alpha=eta / s, s_lo=s, B=0.0, W=s, T=0))
        classical = np.sqrt(1 - 2 * eta + eta**2 * L_)          # lambda = alpha L s exactly
        # lambda is the root of psi = 1 raised by (T + 32) * 4 ulps, rho^2 rounded up by RHO_SQ_ROUNDING:
        # got^2 - classical^2 = eta mu (lambda - eta L) + rounding <= eta * 128 ulps + RHO_SQ_ROUNDING
        eps = np.finfo(float).eps
        assert np.all(got >= classical)                         # outward: never below the exact value
        assert np.all(got**2 - classical**2 <= eta * 160 * eps + RHO_SQ_ROUNDING + 4 * eps)
        assert transient2(mu=1.0, L=L_, alpha=0.5 / (L_ * s), s_lo=s, B=0.0, W=s, T=0) == 1.0
        # psi = alpha L s <= 1: alpha_max = 1/(L s) (the bisection's last bracket, margins included)
        assert alpha_max2(mu=1.0, L=L_, s_lo=s, B=0.0, W=s, T=0) == pytest.approx(1 / (L_ * s), rel=1e-12)


def test_explicit_step_is_admissible():
    # docs/math/theorem2.md, "Orders": alpha = min(1/(2LW), 1/(L T sqrt(2e W B)), 1/(4 mu s_lo T)) has psi <= 1
    rng = np.random.default_rng(3)
    n = 300
    L_ = rng.choice([1.0, 10.0, 1e3], n)
    s = rng.uniform(0.05, 3.0, n)
    T_ = rng.integers(1, 30, n).astype(float)
    W_ = s + rng.uniform(0.0, 2.0, n)
    B_ = np.minimum(rng.uniform(0.0, 5.0, n), W_)
    with np.errstate(divide="ignore"):
        a = np.minimum.reduce([1 / (2 * L_ * W_), 1 / (L_ * T_ * np.sqrt(2 * np.e * W_ * B_)), 1 / (4 * s * T_)])
    assert np.all(a <= alpha_max2(mu=1.0, L=L_, s_lo=s, B=B_, W=W_, T=T_))
    assert np.all(rate2(mu=1.0, L=L_, alpha=a, s_lo=s, B=B_, W=W_, T=T_) <= np.sqrt(1 - a * s) + 1e-15)


def test_signed_weights_and_nonpositive_sums_are_vacuous():
    kw = dict(mu=1.0, L=10.0, alpha=0.005, B=1.0, W=2.0, T=1)
    assert rate2(**kw, s_lo=2.0) < 1
    assert rate2(**kw, s_lo=2.0, nonnegative=False) == np.inf
    assert rate2(**kw, s_lo=-0.5) == np.inf
    assert alpha_max2(mu=1.0, L=10.0, s_lo=2.0, B=1.0, W=2.0, T=1, nonnegative=False) == 0.0


def test_rate_is_inf_beyond_alpha_max_and_finite_below():
    kw = dict(mu=1.0, L=10.0, s_lo=1.0, B=0.5, W=1.0, T=3)
    top = alpha_max2(**kw)
    assert np.isfinite(rate2(**kw, alpha=0.999 * top)) and rate2(**kw, alpha=1.001 * top) == np.inf
    best = optimal_step2(**kw)
    assert 0 < best < top
    grid = np.linspace(0.01, 0.999, 200) * top
    assert rate2(**kw, alpha=best) <= np.min(rate2(**kw, alpha=grid)) + 1e-6


def test_iterations_include_the_transient():
    assert iterations2(eps=1e-6, rate=0.9, transient=1.0) == np.ceil(np.log(1e-6) / np.log(0.9))
    assert iterations2(eps=1e-6, rate=0.9, transient=2.0) == np.ceil(np.log(1e-6 / 2) / np.log(0.9))
    assert iterations2(eps=1e-6, rate=np.inf, transient=np.inf) == np.inf
    assert iterations2(eps=1e-6, rate=0.9) == iterations2(eps=1e-6, rate=0.9, transient=1.0)


@pytest.mark.parametrize("T_", [1, 2, 3, 5, 10])
def test_never_beyond_the_pure_delay_stability_limit(T_):
    # d_k = g_{k-T}: stable only for alpha L < 2 sin(pi / (2 (2T + 1))) (Levin and May)
    L_ = 10.0
    limit = 2 * np.sin(np.pi / (2 * (2 * T_ + 1))) / L_
    top = alpha_max2(mu=1.0, L=L_, s_lo=1.0, B=1.0, W=1.0, T=T_)
    assert 0 < top < limit
    assert top / limit > 0.55   # measured 0.58-0.60 for T = 1..20: the order 1/(L T) of the limit


def test_never_faster_than_the_exact_quadratic_rate_on_nonnegative_patterns():
    rng = np.random.default_rng(7)
    worst = np.inf
    for _ in range(60):
        T_ = int(rng.integers(1, 5))
        m = int(rng.integers(1, T_ + 1))
        ages = tuple(sorted(rng.choice(np.arange(1, T_ + 1), m, replace=False)))
        w = rng.random(m + 1) * rng.choice([0.3, 1.0, 3.0])
        p = Pattern((0, *ages), tuple(w))
        L_ = float(rng.choice([10.0, 100.0]))
        kw = dict(mu=1.0, L=L_, s_lo=p.s, B=p.B, W=p.W, T=p.T)
        top = alpha_max2(**kw)
        assert top < critical_step(1.0, L_, p)
        al = np.linspace(0.02, 0.999, 9) * top
        worst = min(worst, float(np.min(rate2(**kw, alpha=al) - exact_rate(1.0, L_, al, p))))
    assert worst >= 0


def test_best_bound_names_theorem_2_only_for_nonnegative_weights():
    kw = dict(mu=1.0, L=10.0, alpha=np.array([0.001, 0.01, 0.02]), s_lo=1.0, s_hi=1.0, B=0.5, W=1.0, T=2)
    signed = best_bound(**kw)
    assert set(np.atleast_1d(signed.theorem)) <= {"1", "1b", "none"}
    both = best_bound(**kw, nonnegative_weights=True)
    assert list(both.theorem) == ["2", "2", "2"]
    assert np.all(both.rate <= np.minimum(signed.rate_1, signed.rate_1b))
    assert np.all(both.transient == 1.0)


def test_theorem_2_stays_under_pepit_worst_case_fast():
    pytest.importorskip("PEPit")
    from memgd.proofs_check.certificates.pepit_worst_case import pepit_worst_case
    p = Pattern((0, 1), (1.0, 1.0))
    kw = dict(mu=1.0, L=10.0, s_lo=p.s, B=p.B, W=p.W, T=p.T)
    a = 0.99 * alpha_max2(**kw)
    rho, c = rate2(**kw, alpha=a), transient2(**kw, alpha=a)
    res = pepit_worst_case(1.0, 10.0, a, p, 6)
    assert res.status.name == "CONVERGED"
    assert res.dual <= c**2 * rho ** (2 * 6)
    # negative control: the exact quadratic rate (no transient) is beaten by the class's worst case
    assert res.primal > exact_rate(1.0, 10.0, a, p) ** (2 * 6)


@pytest.mark.slow
@pytest.mark.parametrize("pattern", [
    Pattern((0, 1), (1.0, 1.0)), Pattern((0, 2), (0.0, 1.0)), Pattern((0, 3), (0.0, 1.0)),
    Pattern((0, 1, 3), (1.0, 0.5, 0.5)), Pattern((0, 2), (0.5, 0.5)), Pattern((0, 1, 2), (1 / 3, 1 / 3, 1 / 3)),
], ids=str)
@pytest.mark.parametrize("L_", [10.0, 100.0])
def test_theorem_2_stays_under_pepit_worst_case(pattern, L_):
    from memgd.proofs_check.certificates.pepit_worst_case import pepit_worst_case
    kw = dict(mu=1.0, L=L_, s_lo=pattern.s, B=pattern.B, W=pattern.W, T=pattern.T)
    for a in (optimal_step2(**kw), 0.999 * alpha_max2(**kw)):
        rho, c = rate2(**kw, alpha=a), transient2(**kw, alpha=a)
        for N in (5, 20):
            res = pepit_worst_case(1.0, L_, a, pattern, N)
            if res.status.name != "CONVERGED":
                continue
            assert res.primal <= c**2 * rho ** (2 * N), (a, N, res.primal, c**2 * rho ** (2 * N))


def test_the_printed_hypotheses_are_the_ones_the_numbers_use():
    """THEOREM_2.hypotheses, evaluated at lambda = theta = 1, hold exactly where psi <= 1 (a statement that
    printed psi <= 2 would still pass every other test: cosmic-ray found that survivor)."""
    from memgd.theory.lambdify import numpy_function

    args = (mu, L, alpha, s_lo, B, W, T, lam, theta)
    kw = dict(mu=1.0, L=10.0, s_lo=1.0, B=1.0, W=1.0, T=1, **{"lambda": 1.0}, theta=1.0)
    for a, holds in ((0.03, True), (0.07, False)):     # psi = 0.396 and 1.27
        psi = float(numpy_function(PSI, args)(alpha=a, **kw))
        assert (psi <= 1) == holds
        assert all(bool(numpy_function(h, args)(alpha=a, **kw)) for h in THEOREM_2.hypotheses) == holds
    # lambda and theta must lie in (0, 1]: 1.5 is refused by the statement, 0.5 admitted (psi checked apart)
    for name in ("lambda", "theta"):
        for value, ok in ((0.5, True), (1.5, False)):
            at = dict(kw, **{name: value})
            bound = [h for h in THEOREM_2.hypotheses if h.free_symbols == {lam if name == "lambda" else theta}]
            assert len(bound) == 1 and bool(numpy_function(bound[0], args)(alpha=0.03, **at)) == ok
    # s_lo > 0 is the threshold, not s_lo > 1 or s_lo > -1
    positive = [h for h in THEOREM_2.hypotheses if h.free_symbols == {s_lo}]
    assert len(positive) == 1
    assert [bool(numpy_function(positive[0], args)(alpha=0.03, **dict(kw, s_lo=v))) for v in (0.5, -0.5)] == [True, False]


def test_the_derived_roots_solve_the_step_condition():
    """lambda_min and largest_sum (used by rate2) are roots of psi = 1, derived from PSI by sympy."""
    from memgd.theory.theorem2 import lambda_min, largest_sum

    assert sp.simplify(PSI.subs(lam, lambda_min()) - 1) == 0
    root = largest_sum()
    assert root is not None and sp.simplify(PSI.subs(lam, 1).subs(s_lo, root) - 1) == 0


def test_the_conclusion_is_r_k_below_rho_2_to_the_k_times_r_0():
    from memgd.theory.symbols import k
    from memgd.theory.theorem2 import RHO_2, r

    c = THEOREM_2.conclusion
    assert isinstance(c, sp.LessThan)
    assert c.lhs == r(k) and sp.simplify(c.rhs - RHO_2**k * r(0)) == 0
