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
- L6 (discrete Halanay) :math:`p, q \ge 0`, :math:`p+q<1` imply
  :math:`r_k \le (p+q)^{k/(D+1)}\max_{-D\le l\le 0} r_l`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from memgd.theory.derived import ALPHA_STAR_1, ALPHA_VERTEX_1, MEMORY_LIMIT_1, STEP_LIMIT
from memgd.theory.symbols import SLACK, B, L, T, W, alpha, mu, s_hi, s_lo
from memgd.theory.theorem import P, Q_1, Q_1B, THEOREM_1, THEOREM_1B


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


def _prove_l6() -> bool:
    r"""Induction step of the Halanay lemma: with lambda^(D+1) = p + q,
    lambda^(D+1) - p lambda^D - q = p (1 - lambda^D).

    By hand: 0 < lambda <= 1 gives lambda^D <= 1, so the right side is >= 0, i.e.
    p lambda^k + q lambda^(k-D) <= lambda^(k+1); induction on k (with r_l <= M
    <= lambda^l M for -D <= l <= 0) gives r_k <= lambda^k M.
    """
    gap = lam ** (D_ + 1) - p_ * lam**D_ - q_ - p_ * (1 - lam**D_)
    return _zero(gap.subs(lam ** (D_ + 1), p_ + q_))


L6 = Lemma(
    name="L6",
    title="discrete Halanay lemma",
    statement=sp.Implies(
        p_ + q_ < 1, sp.Le(sp.Function("r")(sp.Symbol("k")), (p_ + q_) ** (sp.Symbol("k") / (D_ + 1)) * M_k)
    ),
    text="p, q >= 0, p + q < 1 imply r_k <= (p+q)^(k/(D+1)) max_{-D<=l<=0} r_l (D = 2T; D = T for 1b)",
    status=ProofStatus.PARTIAL,
    sympy_part="the induction-step identity lambda^(D+1) - p lambda^D - q = p (1 - lambda^D)",
    numeric_part="the sign 1 - lambda^D >= 0 for 0 < lambda <= 1 and the induction (elementary; see docstring)",
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


def _prove_optimal_step() -> bool:
    """argmin_alpha (p+q) is the unique critical point alpha* (second derivative > 0);
    p + q at alpha* is 1 - (s_lo mu)^2/(4 L^2 B W T) < 1; the rate (p+q)^(1/(2T+1)) is
    increasing in p+q, so on (0, STEP_LIMIT] the minimiser is min(alpha*, STEP_LIMIT)."""
    pq = P + Q_1
    critical = sp.solve(sp.diff(pq, alpha), alpha)
    convex = sp.diff(pq, alpha, 2).is_positive is True
    value = _zero(pq.subs(alpha, ALPHA_VERTEX_1) - (1 - (s_lo * mu) ** 2 / (4 * L**2 * B * W * T)))
    x = sp.Symbol("x", positive=True)
    increasing = sp.diff(x ** (1 / (2 * T + 1)), x).is_positive is True
    clipped = ALPHA_STAR_1 == sp.Min(ALPHA_VERTEX_1, STEP_LIMIT)
    return critical == [ALPHA_VERTEX_1] and convex and value and increasing and clipped


OPTIMAL_STEP = Lemma(
    name="optimal step (Theorem 1)",
    title="alpha* minimises the rate",
    statement=sp.Eq(sp.Symbol("alpha_star"), sp.Min(ALPHA_VERTEX_1, STEP_LIMIT)),
    text="alpha* = s_lo mu / (2 L^2 B W T) clipped to 2/((mu+L) s_hi) minimises Theorem 1's rate",
    status=ProofStatus.SYMPY,
    sympy_part="critical point, convexity, value at the vertex, monotonicity of x^(1/(2T+1))",
    prove=_prove_optimal_step,
)


def _prove_no_memory() -> bool:
    """B = 0, T = 0: both rates are 1 - alpha s_lo mu (gradient descent with step alpha s),
    and the memory hypotheses reduce to 0 < alpha s_lo mu and 0 < s_lo mu (true)."""
    none = {B: 0, T: 0}
    gd = 1 - alpha * s_lo * mu
    rates = all(_zero(th.rate.subs(none) - gd) for th in (THEOREM_1, THEOREM_1B))
    hyps = all(th.hypotheses[2].subs(none).doit() == sp.true for th in (THEOREM_1, THEOREM_1B))
    return rates and hyps


NO_MEMORY = Lemma(
    name="no memory",
    title="reduction to gradient descent",
    statement=sp.Eq(THEOREM_1.rate.subs({B: 0, T: 0}), 1 - alpha * s_lo * mu),
    text="with B = 0 (and so T = 0) both theorems give rho = 1 - alpha s mu, valid for alpha s_hi <= 2/(mu+L)",
    status=ProofStatus.SYMPY,
    sympy_part="substitution and simplification",
    prove=_prove_no_memory,
)

PROOF_STEPS: tuple[Lemma, ...] = (L1, L2, L3, L3B, L4, L5, L5B, L6)
CLAIMS: tuple[Lemma, ...] = (ADMISSIBLE_STEP_1, ADMISSIBLE_STEP_1B, NONNEGATIVE_P, OPTIMAL_STEP, NO_MEMORY)
LEMMAS: tuple[Lemma, ...] = PROOF_STEPS + CLAIMS
