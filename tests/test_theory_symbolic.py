"""Theorem statements and the sympy proofs of the proof steps (issue 4, item 2)."""

import numpy as np
import pytest
import sympy as sp

from memgd.theory import CLAIMS, LEMMAS, PROOF_STEPS, THEOREM_1, THEOREM_1B, ProofStatus
from memgd.theory import lemmas as lm
from memgd.theory.derived import ALPHA_OPT_1, ALPHA_STAR_1, ALPHA_VERTEX_1, MEMORY_LIMIT_1, STEP_LIMIT
from memgd.theory.theorem import RHO
from memgd.theory.halanay import halanay_root
from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import PARAMETERS, B, L, T, W, alpha, d_s, mu, s_hi, s_lo


def test_theorem_1_prints_readably():
    text = str(THEOREM_1)
    assert text.startswith("Theorem 1 (")
    for piece in ("s_lo > 0", "alpha*s_hi <= 2/(L + mu)", "root in (0, 1)", "rho**(2*T + 1) = p*rho**(2*T) + q"):
        assert piece in text
    tex = THEOREM_1.latex()
    assert r"\rho^{2 T + 1}" in tex and r"s_{lo} > 0" in tex


def test_theorem_1b_statement():
    assert "2*B*L < mu*s_lo" in str(THEOREM_1B)
    rho = RHO
    assert sp.simplify(THEOREM_1B.characteristic
                       - (rho ** (T + 1) - (1 - alpha * s_lo * mu) * rho**T - 2 * alpha * L * B)) == 0
    assert sp.simplify(THEOREM_1.characteristic
                       - (rho ** (2 * T + 1) - (1 - alpha * s_lo * mu) * rho ** (2 * T) - alpha**2 * L**2 * B * W * T)) == 0
    assert sp.simplify(THEOREM_1.window_rate
                       - (1 - alpha * s_lo * mu + alpha**2 * L**2 * B * W * T) ** (1 / (2 * T + 1))) == 0


def test_hypotheses_stay_unevaluated_and_evaluate_numerically():
    # s_lo is a positive symbol; the hypothesis must not have collapsed to True.
    assert all(h not in (sp.true, sp.false) for th in (THEOREM_1, THEOREM_1B) for h in th.hypotheses)
    f = numpy_function(THEOREM_1.hypotheses[0], PARAMETERS)
    vals = dict(mu=1, L=10, alpha=0.001, s_hi=2, B=1, W=2, T=2)
    assert f(s_lo=-0.5, **vals).item() is False
    assert f(s_lo=0.5, **vals).item() is True


@pytest.mark.parametrize("lemma", [l for l in LEMMAS if l.prove is not None], ids=lambda l: l.name)
def test_sympy_proves_lemma(lemma):
    assert lemma.prove() is True


def test_status_is_consistent_with_what_is_proved():
    for lemma in LEMMAS:
        if lemma.status is ProofStatus.NUMERIC:
            assert lemma.prove is None and lemma.numeric_part and "proofs_check" in lemma.status.value
        elif lemma.status is ProofStatus.PARTIAL:
            assert lemma.prove is not None and lemma.sympy_part and lemma.numeric_part
        else:
            assert lemma.prove is not None and lemma.proved_by_sympy and not lemma.numeric_part
    assert [l.name for l in PROOF_STEPS] == ["L1", "L2", "L3", "L3b", "L4", "L5", "L5b", "L6"]
    assert "root" in lm.L6.text and "sympy" not in lm.L6.numeric_part
    assert all(c.status is ProofStatus.SYMPY for c in CLAIMS)
    assert "proofs_check" in str(lm.L3)


# ---------- the proof machinery rejects wrong statements (negative controls)

def test_composition_rejects_a_smaller_memory_term():
    bounds = [(lm.E_k, L * lm.B_k * lm.X_k), (lm.B_k, B), (lm.X_k, alpha * lm.tau * lm.D_k),
              (lm.tau, T), (lm.D_k, W * L * lm.M_k)]
    too_small_q = alpha**2 * L**2 * B * W * T / 2
    assert lm._compose(lm._L5_START, bounds, lm.P * lm.r_k + too_small_q * lm.M_k) is False
    # and a p using s_hi instead of s_lo (too optimistic) is rejected too
    p_wrong = (1 - alpha * s_hi * mu).subs(s_hi, s_lo + d_s)
    assert lm._compose(lm._L5_START, bounds, p_wrong * lm.r_k + lm.Q_1 * lm.M_k) is False


def test_split_identity_rejects_wrong_sum():
    wrong = lm.S_K * lm.g + lm.E_K + lm.g  # an extra g
    assert lm._zero(lm.D_DIRECTION - wrong) is False


# ---------- independent sympy proofs of the decidable claims

def test_admissible_step_interval_by_inequality_solver():
    solved = sp.solve_univariate_inequality(THEOREM_1.contraction < 1, alpha, relational=False)
    assert solved == sp.Interval.open(0, s_lo * mu / (L**2 * B * W * T))
    assert MEMORY_LIMIT_1 == s_lo * mu / (L**2 * B * W * T)


def test_admissible_step_1b_factorisation():
    gap = sp.factor(THEOREM_1B.contraction - 1)
    assert sp.simplify(gap - alpha * (2 * L * B - mu * s_lo)) == 0


def test_optimal_step_is_the_scaled_vertex_and_clipped():
    # the earlier form's vertex, and the tight root's best step: rho_opt^(2T) times it, clipped
    pq = THEOREM_1.contraction
    assert sp.solve(sp.Eq(sp.diff(pq, alpha), 0), alpha) == [s_lo * mu / (2 * L**2 * B * W * T)]
    assert ALPHA_VERTEX_1 == s_lo * mu / (2 * L**2 * B * W * T)
    assert sp.simplify(ALPHA_OPT_1 / ALPHA_VERTEX_1 - sp.Symbol("rho_opt", positive=True) ** (2 * T)) == 0
    assert ALPHA_STAR_1 == sp.Min(ALPHA_OPT_1, 2 / ((mu + L) * s_hi))
    assert STEP_LIMIT == 2 / ((mu + L) * s_hi)


def test_no_memory_reduces_to_gradient_descent_symbolically():
    for th in (THEOREM_1, THEOREM_1B):
        assert sp.solve(th.characteristic.subs({B: 0, T: 0}), RHO) == [1 - alpha * s_lo * mu]


def test_halanay_rate_satisfies_the_induction_numerically():
    # r_{k+1} = p r_k + q max(window) run with equality is the worst case of L5;
    # L6 says it stays below lambda*^k max(initial window), lambda* the root (halanay_root)
    rng = np.random.default_rng(0)
    for _ in range(50):
        p, q = rng.uniform(0, 1, 2)
        q = q * (1 - p)
        D = int(rng.integers(0, 6))
        r = list(rng.uniform(0, 1, D + 1))
        m0 = max(r)
        lam = halanay_root(p=p, q=q, D=D)
        assert lam <= (p + q) ** (1 / (D + 1)) + 1e-14
        for kk in range(200):
            r.append(p * r[-1] + q * max(r[-(D + 1):]))
            assert r[-1] <= lam ** (kk + 1) * m0 * (1 + 1e-12)


def test_halanay_root_is_tight_and_a_smaller_rate_fails():
    # negative control: with a constant initial window the worst-case recursion decays exactly like lambda*^k
    # (r_{k+1} = p r_k + q r_{k-D} for a decreasing sequence), so a rate 1e-4 below the root is violated
    for p, q, D in [(0.9, 0.05, 2), (0.99, 0.004, 6), (0.5, 0.3, 1), (0.0, 0.5, 3)]:
        lam = halanay_root(p=p, q=q, D=D)
        low = lam - 1e-4
        r = [1.0] * (D + 1)
        broken = False
        for kk in range(3000):
            r.append(p * r[-1] + q * max(r[-(D + 1):]))
            broken |= r[-1] > low ** (kk + 1) * (1 + 1e-12)
            assert r[-1] <= lam ** (kk + 1) * (1 + 1e-12)
        assert broken


def test_halanay_root_edges():
    assert 0.7 <= halanay_root(p=0.7, q=0.0, D=4) <= 0.7 + 4e-15
    assert 0.8 <= halanay_root(p=0.6, q=0.2, D=0) <= 0.8 + 4e-15
    assert halanay_root(p=0.6, q=0.4, D=3) == np.inf                 # p + q = 1: the lemma says nothing
    assert halanay_root(p=0.6, q=0.4 - 1e-17, D=3) == np.inf
    out = halanay_root(p=np.array([0.5, 0.9]), q=np.array([[0.05], [0.01]]), D=2)
    assert out.shape == (2, 2) and np.all((out > 0.5) & (out < 1))
    for bad in (dict(p=-0.1, q=0.1, D=1), dict(p=0.5, q=-0.1, D=1), dict(p=0.5, q=0.1, D=1.5)):
        with pytest.raises(ValueError, match=f"^{next(k for k in bad if bad[k] in (-0.1, 1.5))} must be"):
            halanay_root(**bad)


def test_halanay_root_never_below_the_exact_root():
    # exact rational arithmetic: phi(returned) >= 0 for the float inputs taken as exact rationals
    from fractions import Fraction
    rng = np.random.default_rng(3)
    for _ in range(300):
        p = float(rng.uniform(0, 1))
        q = float(rng.uniform(0, 1 - p)) * float(10 ** rng.uniform(-12, 0))
        D = int(rng.integers(0, 30))
        lam = halanay_root(p=p, q=q, D=D)
        if not np.isfinite(lam):
            continue
        L_, P_, Q_ = Fraction(lam), Fraction(p), Fraction(q)
        assert L_ ** (D + 1) - P_ * L_**D - Q_ >= 0
        # and it is tight: below by the rounding slack of p plus a few ulps, it is already below the root
        few = Fraction(lam - 8 * 2.0**-53 - 64 * np.spacing(lam))
        assert few ** (D + 1) - P_ * few**D - Q_ < 0 or few <= P_
