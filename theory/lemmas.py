r"""Proof steps L1-L6 of Theorem 1 (docs/math/theorem1.md) and the derived claims, as objects.

Each :class:`Lemma` carries its statement as a sympy relation on scalar stand-ins
(``r_k`` for :math:`\|x_k - x^\star\|`, ``M_k`` for a window maximum of :math:`r`,
...), a plain-text statement, and a :class:`ProofStatus`:

- ``SYMPY``: the statement is an identity or a decidable inequality and
  :meth:`Lemma.prove` has sympy prove it (``simplify(lhs - rhs) == 0``, interval
  solving, or sign analysis under the symbols' assumptions);
- ``PARTIAL``: sympy proves the algebraic core named in ``sympy_part``; the rest,
  named in ``numeric_part``, is an analytic step (triangle inequality, Lipschitz
  gradients, induction) argued in the docstring and checked numerically on
  trajectories in ``proofs_check``;
- ``NUMERIC``: nothing for sympy to decide (norm inequalities over R^d); left to
  ``proofs_check``.

The steps, with :math:`e_k = \sum_c b_{k,c}(g_{k-\tau} - g_k)`:

- L1 :math:`\|x - \eta\nabla f(x) - x^\star\| \le \max(|1-\eta\mu|, |1-\eta L|)\,\|x - x^\star\|`, :math:`0 \le \eta \le 2/L`;
- L2 :math:`d_k = s_k g_k + e_k`, :math:`s_k = a_k + \sum_c b_{k,c}`;
- L3 :math:`\|e_k\| \le L\sum_c |b_{k,c}|\,\|x_k - x_{k-\tau}\|`;  L3b :math:`\|e_k\| \le 2LB\max_{k-T\le l\le k} r_l`;
- L4 :math:`\|x_k - x_{k-\tau}\| \le \alpha\tau\max_{k-\tau\le i<k}\|d_i\|` and :math:`\|d_i\| \le WL\max_{i-T\le l\le i} r_l`;
- L5 :math:`r_{k+1} \le p\,r_k + q\max_{k-2T\le l\le k} r_l`, :math:`p = 1-\alpha s_{lo}\mu`, :math:`q = \alpha^2L^2BWT`;
  L5b the same with :math:`q = 2\alpha LB` over :math:`k-T \le l \le k`;
- L6 (discrete Halanay, tight rate) :math:`p, q \ge 0`, :math:`p+q<1` imply
  :math:`r_k \le \lambda^{\star k}\max_{-D\le l\le 0} r_l`, :math:`\lambda^\star` the root in (0, 1) of
  :math:`\lambda^{D+1} = p\lambda^D + q`; :math:`p + q < \lambda^\star \le (p+q)^{1/(D+1)}`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from memgd.theory.derived import (
    ALPHA_OPT_1, ALPHA_STAR_1, ALPHA_VERTEX_1, EXCESS_1, MEMORY_LIMIT_1, OPTIMAL_RATE_EQUATION, RHO_OPT,
    STEP_LIMIT,
)
from memgd.theory.symbols import SLACK, B, L, T, W, alpha, mu, s_hi, s_lo
from memgd.theory.theorem import P, Q_1, Q_1B, RHO, THEOREM_1, THEOREM_1B


class ProofStatus(enum.Enum):
    SYMPY = "proved by sympy"
    PARTIAL = "algebraic core proved by sympy; analytic part left to numeric checks in proofs_check"
    NUMERIC = "not decidable by sympy; left to numeric checks in proofs_check"


@dataclass(frozen=True)
class Lemma:
    """A named proof step: statement (sympy), text, and how it is established."""

    name: str
    title: str
    statement: sp.Basic
    text: str
    status: ProofStatus
    sympy_part: str = ""
    numeric_part: str = ""
    prove: Callable[[], bool] | None = None  # runs the sympy proof of ``sympy_part``

    @property
    def proved_by_sympy(self) -> bool:
        """True when sympy proves the whole statement."""
        return self.status is ProofStatus.SYMPY

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.title}): {self.text}", f"  [{self.status.value}]"]
        if self.sympy_part:
            lines.append(f"  sympy: {self.sympy_part}")
        if self.numeric_part:
            lines.append(f"  numeric: {self.numeric_part}")
        return "\n".join(lines)

    def latex(self) -> str:
        return rf"\textbf{{{self.name}}} ({self.title}): ${sp.latex(self.statement)}$"


# ---------------------------------------------------------------- helpers

def _nonnegative(expr: sp.Expr) -> bool:
    """True iff sympy's sign analysis decides ``expr >= 0`` from the assumptions."""
    return sp.factor(sp.together(sp.expand(expr))).is_nonnegative is True


def _zero(expr: sp.Expr) -> bool:
    """True iff sympy simplifies ``expr`` to exactly 0."""
    return sp.simplify(sp.expand(expr)) == 0


# stand-ins for norms (all nonnegative)
eta = sp.Symbol("eta", positive=True)
u = sp.Symbol("u", nonnegative=True)          # step slack: eta = 2/((mu+L)(1+u))
r_x = sp.Symbol("r_x", nonnegative=True)      # ||x - x*||
r_step = sp.Symbol("r_step", nonnegative=True)  # ||x - eta grad f(x) - x*||
r_k = sp.Symbol("r_k", nonnegative=True)
r_next = sp.Symbol("r_k+1", nonnegative=True)
M_k = sp.Symbol("M_k", nonnegative=True)      # max of r over the lemma's window
E_k = sp.Symbol("E_k", nonnegative=True)      # ||e_k||
X_k = sp.Symbol("X_k", nonnegative=True)      # max_c ||x_k - x_{k-tau_c}||
D_k = sp.Symbol("D_k", nonnegative=True)      # max_{k-T<=i<k} ||d_i||
B_k = sp.Symbol("B_k", nonnegative=True)      # sum_c |b_kc| <= B
tau = sp.Symbol("tau", positive=True, integer=True)  # an age, tau <= T
sigma = sp.Symbol("sigma", nonnegative=True)  # s_k = s_lo + sigma
s_k = s_lo + sigma

# L2's objects: C stored gradients G[c] with weights b[c]
C = sp.Symbol("C", positive=True, integer=True)
c = sp.Idx("c")
b = sp.IndexedBase("b")
G = sp.IndexedBase("G")
g, a = sp.symbols("g a", real=True)
D_DIRECTION = a * g + sp.Sum(b[c] * G[c], (c, 1, C))
S_K = a + sp.Sum(b[c], (c, 1, C))
E_K = sp.Sum(b[c] * (G[c] - g), (c, 1, C))


# ---------------------------------------------------------------- L1

def _prove_l1() -> bool:
    """For 0 < eta <= 2/(mu+L): max(|1-eta mu|, |1-eta L|) = 1 - eta mu, and the
    scalar core 1 - eta h = (1-t)(1-eta mu) + t(1-eta L) for h = (1-t) mu + t L."""
    at = {eta: 2 / ((mu + L) * (1 + u))}
    c_mu = (1 - eta * mu).subs(at).subs(SLACK)
    c_L = (1 - eta * L).subs(at).subs(SLACK)
    corollary = _nonnegative(c_mu) and _nonnegative(c_mu - c_L) and _nonnegative(c_mu + c_L)
    t = sp.Symbol("t", nonnegative=True)
    h = (1 - t) * mu + t * L
    core = _zero((1 - t) * (1 - eta * mu) + t * (1 - eta * L) - (1 - eta * h))
    return corollary and core


L1 = Lemma(
    name="L1",
    title="gradient-step contraction",
    statement=sp.Le(r_step, sp.Max(sp.Abs(1 - eta * mu), sp.Abs(1 - eta * L)) * r_x),
    text="||x - eta grad f(x) - x*|| <= max(|1 - eta mu|, |1 - eta L|) ||x - x*|| for 0 <= eta <= 2/L",
    status=ProofStatus.PARTIAL,
    sympy_part=(
        "for 0 < eta <= 2/(mu+L) the factor max(|1-eta mu|, |1-eta L|) equals 1 - eta mu >= 0 "
        "(the form L5 uses); 1 - eta h is the convex combination of 1 - eta mu and 1 - eta L"
    ),
    numeric_part=(
        "the vector inequality for a general mu-strongly convex L-smooth f "
        "(x - eta grad f(x) - x* = (I - eta H)(x - x*) with an averaged Hessian H, spectrum in [mu, L])"
    ),
    prove=_prove_l1,
)

# ---------------------------------------------------------------- L2

def _prove_l2() -> bool:
    """a g + sum_c b_c G_c == (a + sum_c b_c) g + sum_c b_c (G_c - g) for symbolic C."""
    return _zero(D_DIRECTION - (S_K * g + E_K))


L2 = Lemma(
    name="L2",
    title="split",
    statement=sp.Eq(D_DIRECTION, S_K * g + E_K),
    text="d_k = s_k g_k + e_k, s_k = a_k + sum_c b_kc, e_k = sum_c b_kc (g_{k-tau} - g_k)",
    status=ProofStatus.SYMPY,
    sympy_part="the identity, for a symbolic number C of stored gradients (linear, so componentwise)",
    prove=_prove_l2,
)

# ---------------------------------------------------------------- L3, L3b, L4

L3 = Lemma(
    name="L3",
    title="memory error",
    statement=sp.Le(E_k, L * B_k * X_k),
    text="||e_k|| <= L sum_c |b_kc| ||x_k - x_{k-tau}|| (so <= L B max_c ||x_k - x_{k-tau_c}||)",
    status=ProofStatus.NUMERIC,
    numeric_part="triangle inequality and L-Lipschitz gradients in R^d",
)

L3B = Lemma(
    name="L3b",
    title="memory error, step-free",
    statement=sp.Le(E_k, 2 * L * B * M_k),
    text="||e_k|| <= sum_c |b_kc| (||g_{k-tau}|| + ||g_k||) <= 2 L B max_{k-T<=l<=k} r_l",
    status=ProofStatus.NUMERIC,
    numeric_part="triangle inequality and ||grad f(x)|| <= L ||x - x*||",
)

L4 = Lemma(
    name="L4",
    title="drift over a window",
    statement=sp.And(sp.Le(X_k, alpha * tau * D_k), sp.Le(D_k, W * L * M_k)),
    text=(
        "||x_k - x_{k-tau}|| <= alpha tau max_{k-tau<=i<k} ||d_i||, and "
        "||d_i|| <= W L max_{i-T<=l<=i} r_l (history x_{-i} = x_0)"
    ),
    status=ProofStatus.NUMERIC,
    numeric_part="telescoping x_k - x_{k-tau} = -alpha sum d_i, triangle inequality, Lipschitz gradients",
)

# ---------------------------------------------------------------- L5, L5b

def _compose(start: sp.Expr, bounds: list[tuple[sp.Symbol, sp.Expr]], target: sp.Expr) -> bool:
    """Sympy proof that ``start <= target`` after substituting the upper bounds in order.

    Each substitution ``var <= bound`` is monotone: ``start`` is affine in ``var``
    with a coefficient sympy proves nonnegative.  Finally ``target - start >= 0``.
    """
    expr = sp.expand(start)
    for var, bound in bounds:
        if sp.degree(expr, var) > 1 or not _nonnegative(sp.diff(expr, var)):
            return False
        expr = sp.expand(expr.subs(var, bound))
    return _nonnegative(target - expr)


# L1 + L2 + triangle inequality: r_{k+1} <= (1 - alpha s_k mu) r_k + alpha ||e_k||
_L5_START = (1 - alpha * s_k * mu) * r_k + alpha * E_k


def _prove_l5() -> bool:
    """Compose L1 (factor 1 - alpha s_k mu), L3 (E <= L B_k X, B_k <= B), L4
    (X <= alpha tau D, tau <= T, D <= W L M) into r_{k+1} <= p r_k + q M."""
    bounds = [(E_k, L * B_k * X_k), (B_k, B), (X_k, alpha * tau * D_k), (tau, T), (D_k, W * L * M_k)]
    return _compose(_L5_START, bounds, P * r_k + Q_1 * M_k)


def _prove_l5b() -> bool:
    """Compose L1 and L3b (E <= 2 L B M) into r_{k+1} <= p r_k + 2 alpha L B M."""
    return _compose(_L5_START, [(E_k, 2 * L * B * M_k)], P * r_k + Q_1B * M_k)


_L5_NUMERIC = (
    "the triangle inequality r_{k+1} <= ||x_k - alpha s_k g_k - x*|| + alpha ||e_k|| (from L2), "
    "and the premises L1 (at eta = alpha s_k <= 2/(mu+L)), L3, L4 themselves"
)

L5 = Lemma(
    name="L5",
    title="delay recursion",
    statement=sp.Le(r_next, P * r_k + Q_1 * M_k),
    text="r_{k+1} <= p r_k + q max_{k-2T<=l<=k} r_l, p = 1 - alpha s_lo mu, q = alpha^2 L^2 B W T",
    status=ProofStatus.PARTIAL,
    sympy_part=(
        "composition of the bounds of L1, L3, L4 (each substitution monotone; "
        "final gap alpha mu (s_k - s_lo) r_k >= 0)"
    ),
    numeric_part=_L5_NUMERIC,
    prove=_prove_l5,
)

L5B = Lemma(
    name="L5b",
    title="delay recursion, step-free memory term",
    statement=sp.Le(r_next, P * r_k + Q_1B * M_k),
    text="r_{k+1} <= p r_k + 2 alpha L B max_{k-T<=l<=k} r_l",
    status=ProofStatus.PARTIAL,
    sympy_part="composition of the bounds of L1 and L3b",
    numeric_part=_L5_NUMERIC,
    prove=_prove_l5b,
)

# ---------------------------------------------------------------- L6

lam = sp.Symbol("lambda", positive=True)
p_, q_ = sp.symbols("p q", nonnegative=True)
D_ = sp.Symbol("D", integer=True, nonnegative=True)
_k = sp.Symbol("k", integer=True, nonnegative=True)
#: phi(lambda) = lambda^(D+1) - p lambda^D - q: L6 holds for every lambda in (0, 1] with phi >= 0.
PHI = lam ** (D_ + 1) - p_ * lam**D_ - q_


def _prove_l6() -> bool:
    r"""The tight discrete Halanay lemma, algebraic core.

    (i) induction step: lambda^(k+1) - p lambda^k - q lambda^(k-D) = lambda^(k-D) phi(lambda), so
        phi(lambda) >= 0 gives p lambda^k + q max_{k-D<=l<=k} lambda^l <= lambda^(k+1) (for lambda <= 1
        the window maximum is lambda^(k-D));
    (ii) phi is increasing on [p, 1]: phi'(p + t) = lambda^(D-1) (D t + lambda) >= 0;
    (iii) phi(p) = -q <= 0 and phi(1) = 1 - p - q > 0: one root lambda* in (p, 1), and phi >= 0
        exactly on [lambda*, 1];
    (iv) the earlier rate lambda_0 = (p+q)^(1/(D+1)) has phi(lambda_0) = p (1 - lambda_0^D) >= 0, so
        lambda* <= lambda_0; and phi(p + q) = q ((p+q)^D - 1) <= 0, so lambda* >= p + q.

    By hand: with M = max_{-D<=l<=0} r_l, r_l <= M <= lambda^l M for l <= 0; if r_l <= lambda^l M up to
    k, then r_{k+1} <= p lambda^k M + q lambda^(k-D) M <= lambda^(k+1) M by (i).
    """
    step = _zero(lam ** (_k + 1) - p_ * lam**_k - q_ * lam ** (_k - D_) - lam ** (_k - D_) * PHI)
    t = sp.Symbol("t", nonnegative=True)
    slope = sp.diff(PHI, lam)
    increasing = _zero(slope - lam ** (D_ - 1) * (D_ * (lam - p_) + lam)) and \
        (lam ** (D_ - 1) * (D_ * t + lam)).is_nonnegative is True
    ends = _zero(PHI.subs(lam, 1) - (1 - p_ - q_)) and _zero(sp.expand(PHI.subs(lam, p_) + q_))
    lam0 = sp.Symbol("lambda_0", positive=True)  # lambda_0^(D+1) = p + q
    old = _zero(sp.powsimp(sp.expand(PHI.subs(lam, lam0))).subs(lam0 ** (D_ + 1), p_ + q_) - p_ * (1 - lam0**D_))
    below = _zero(sp.expand(PHI.subs(lam, p_ + q_) - q_ * ((p_ + q_) ** D_ - 1)))
    return step and increasing and ends and old and below


L6 = Lemma(
    name="L6",
    title="discrete Halanay lemma, tight rate",
    statement=sp.Implies(
        sp.And(p_ + q_ < 1, sp.Ge(PHI, 0), sp.Le(lam, 1)),
        sp.Le(sp.Function("r")(_k), lam**_k * M_k)),
    text=("p, q >= 0, p + q < 1 imply r_k <= lambda*^k max_{-D<=l<=0} r_l, lambda* the root in (0, 1) of "
          "lambda^(D+1) = p lambda^D + q (p + q < lambda* <= (p+q)^(1/(D+1)); D = 2T; D = T for 1b)"),
    status=ProofStatus.PARTIAL,
    sympy_part=("the induction-step identity lambda^(k+1) - p lambda^k - q lambda^(k-D) = lambda^(k-D) phi(lambda); "
                "phi increasing on [p, 1] with phi(p) = -q, phi(1) = 1 - p - q; phi((p+q)^(1/(D+1))) = "
                "p (1 - (p+q)^(D/(D+1))) >= 0 and phi(p + q) = q ((p+q)^D - 1) <= 0"),
    numeric_part=("the induction itself (elementary; see docstring) and the upward rounding of the root "
                  "(memgd.theory.halanay, tested against exact rational arithmetic)"),
    prove=_prove_l6,
)

# ---------------------------------------------------------------- derived claims

def _prove_admissible_1() -> bool:
    """alpha > 0: p + q - 1 = alpha L^2 B W T (alpha - alpha_mem), with a positive factor;
    and sympy's inequality solver returns exactly (0, alpha_mem)."""
    identity = _zero(P + Q_1 - 1 - alpha * L**2 * B * W * T * (alpha - MEMORY_LIMIT_1))
    factor_positive = (alpha * L**2 * B * W * T).is_positive is True
    solved = sp.solve_univariate_inequality(P + Q_1 < 1, alpha, relational=False)
    return identity and factor_positive and solved == sp.Interval.open(0, MEMORY_LIMIT_1)


ADMISSIBLE_STEP_1 = Lemma(
    name="admissible step (Theorem 1)",
    title="p + q < 1 iff alpha < alpha_max",
    statement=sp.Equivalent(P + Q_1 < 1, alpha < MEMORY_LIMIT_1),
    text="for alpha > 0: 1 - alpha s_lo mu + alpha^2 L^2 B W T < 1  iff  alpha < s_lo mu / (L^2 B W T)",
    status=ProofStatus.SYMPY,
    sympy_part="factorisation with a positive factor, and solve_univariate_inequality",
    prove=_prove_admissible_1,
)


def _prove_admissible_1b() -> bool:
    """p + q_b - 1 = -alpha (s_lo mu - 2 L B), alpha > 0: sign set by s_lo mu - 2 L B."""
    return _zero(P + Q_1B - 1 + alpha * (s_lo * mu - 2 * L * B)) and alpha.is_positive is True


ADMISSIBLE_STEP_1B = Lemma(
    name="admissible step (Theorem 1b)",
    title="p + q_b < 1 iff 2 L B < s_lo mu",
    statement=sp.Equivalent(P + Q_1B < 1, 2 * L * B < s_lo * mu),
    text="for alpha > 0: 1 - alpha s_lo mu + 2 alpha L B < 1  iff  2 L B < s_lo mu",
    status=ProofStatus.SYMPY,
    sympy_part="factorisation with the positive factor alpha",
    prove=_prove_admissible_1b,
)


def _prove_nonnegative_p() -> bool:
    """Step hypothesis alpha s_hi <= 2/(mu+L) and s_hi >= s_lo > 0 give p >= 0."""
    at = {alpha: STEP_LIMIT / (1 + u)}
    return _nonnegative(P.subs(at).subs(SLACK))


NONNEGATIVE_P = Lemma(
    name="p >= 0",
    title="the rate is real",
    statement=sp.Implies(sp.Le(alpha * s_hi, 2 / (mu + L)), sp.Ge(P, 0)),
    text="alpha s_hi <= 2/(mu+L) with s_hi >= s_lo > 0 implies p = 1 - alpha s_lo mu >= 0, so 0 <= p+q < 1",
    status=ProofStatus.SYMPY,
    sympy_part="sign analysis with L = mu + delta_L, s_hi = s_lo + delta_s, alpha = 2/((mu+L) s_hi (1+u))",
    prove=_prove_nonnegative_p,
)


_c1 = L**2 * B * W * T
#: F(rho, alpha) = rho^(2T) (rho - p) - q: Theorem 1's rate at alpha is its root in rho (lemma L6).
F_RATE_1 = RHO ** (2 * T) * (RHO - P) - Q_1


def _prove_optimal_step() -> bool:
    """Theorem 1's best step.  (i) F(rho, alpha) is concave in alpha (d2F/dalpha2 = -2 L^2 B W T), so
    for each rho in (0, 1) the steps with rate <= rho, {alpha : F(rho, alpha) >= 0}, form an interval: the
    rate is unimodal in alpha; (ii) the maximum of F over alpha is at alpha = rho^(2T) s_lo mu / (2 L^2 B W T)
    with value rho^(2T) (rho + e rho^(2T) - 1), e = (s_lo mu)^2 / (4 L^2 B W T); (iii) h(rho) = rho +
    e rho^(2T) - 1 increases from -1 at 0 to e > 0 at 1, so the smallest rate is its root rho_opt, at
    alpha_opt = rho_opt^(2T) x vertex; (iv) on (0, alpha_opt] the rate is nonincreasing (unimodal with its
    minimum there), so the best admissible step is min(alpha_opt, 2/((mu+L) s_hi))."""
    concave = _zero(sp.diff(F_RATE_1, alpha, 2) + 2 * _c1)
    crit = sp.solve(sp.diff(F_RATE_1, alpha), alpha)
    at = RHO ** (2 * T) * s_lo * mu / (2 * _c1)
    critical = len(crit) == 1 and _zero(crit[0] - at) and _zero(at - ALPHA_OPT_1.subs(RHO_OPT, RHO))
    value = _zero(F_RATE_1.subs(alpha, at) - RHO ** (2 * T) * OPTIMAL_RATE_EQUATION.subs(RHO_OPT, RHO))
    h = OPTIMAL_RATE_EQUATION
    increasing = sp.diff(h, RHO_OPT).is_positive is True
    ends = h.subs(RHO_OPT, 0) == -1 and _zero(h.subs(RHO_OPT, 1) - EXCESS_1) and EXCESS_1.is_positive is True
    clipped = ALPHA_STAR_1 == sp.Min(ALPHA_OPT_1, STEP_LIMIT)
    return concave and critical and value and increasing and ends and clipped


OPTIMAL_STEP = Lemma(
    name="optimal step (Theorem 1)",
    title="alpha* minimises the rate",
    statement=sp.Eq(sp.Symbol("alpha_star"), sp.Min(ALPHA_OPT_1, STEP_LIMIT)),
    text=("alpha* = rho_opt^(2T) s_lo mu / (2 L^2 B W T) clipped to 2/((mu+L) s_hi) minimises Theorem 1's rate, "
          "rho_opt the root of rho + (s_lo mu)^2 rho^(2T) / (4 L^2 B W T) = 1"),
    status=ProofStatus.SYMPY,
    sympy_part="concavity of F in alpha, its maximiser and maximum, monotonicity of rho + e rho^(2T) - 1",
    prove=_prove_optimal_step,
)

#: F_b(rho, alpha) = rho^T (rho - p) - 2 alpha L B: 1b's rate at alpha is its root in rho.
F_RATE_1B = RHO**T * (RHO - P) - Q_1B


def _prove_optimal_step_1b() -> bool:
    """1b's rate decreases in alpha: alpha dF_b/dalpha - rho^T (1 - rho) = F_b, so at the root dF_b/dalpha =
    rho^T (1 - rho) / alpha > 0, while dF_b/drho > 0 there (L6 (ii)); hence drho/dalpha < 0 and the best
    step is the largest, 2/((mu+L) s_hi)."""
    identity = _zero(alpha * sp.diff(F_RATE_1B, alpha) - RHO**T * (1 - RHO) - F_RATE_1B)
    v = sp.Symbol("v", nonnegative=True)
    positive = _nonnegative((RHO**T * (1 - RHO) / alpha).subs(RHO, 1 / (1 + v)))
    return identity and positive


OPTIMAL_STEP_1B = Lemma(
    name="optimal step (Theorem 1b)",
    title="the largest step minimises the rate",
    statement=sp.Eq(sp.Symbol("alpha_star_b"), STEP_LIMIT),
    text="1b's rate decreases in alpha, so alpha* = 2/((mu+L) s_hi)",
    status=ProofStatus.SYMPY,
    sympy_part="alpha dF_b/dalpha - rho^T (1 - rho) = F_b (identity) and its sign at the root",
    prove=_prove_optimal_step_1b,
)


def _prove_no_memory() -> bool:
    """B = 0, T = 0: both characteristic equations read rho - (1 - alpha s_lo mu) = 0 (gradient descent
    with step alpha s), and the memory hypotheses reduce to 0 < alpha s_lo mu and 0 < s_lo mu (true)."""
    none = {B: 0, T: 0}
    gd = 1 - alpha * s_lo * mu
    rates = all(sp.solve(th.characteristic.subs(none), RHO) == [gd] for th in (THEOREM_1, THEOREM_1B))
    hyps = all(th.hypotheses[2].subs(none).doit() == sp.true for th in (THEOREM_1, THEOREM_1B))
    return rates and hyps


NO_MEMORY = Lemma(
    name="no memory",
    title="reduction to gradient descent",
    statement=sp.Eq(THEOREM_1.characteristic.subs({B: 0, T: 0}), RHO - (1 - alpha * s_lo * mu)),
    text="with B = 0 (and so T = 0) both theorems give rho = 1 - alpha s mu, valid for alpha s_hi <= 2/(mu+L)",
    status=ProofStatus.SYMPY,
    sympy_part="substitution and simplification",
    prove=_prove_no_memory,
)

PROOF_STEPS: tuple[Lemma, ...] = (L1, L2, L3, L3B, L4, L5, L5B, L6)
CLAIMS: tuple[Lemma, ...] = (ADMISSIBLE_STEP_1, ADMISSIBLE_STEP_1B, NONNEGATIVE_P, OPTIMAL_STEP, OPTIMAL_STEP_1B,
                             NO_MEMORY)
LEMMAS: tuple[Lemma, ...] = PROOF_STEPS + CLAIMS
