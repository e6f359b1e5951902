r"""Proof steps of Theorem 2 (:mod:`memgd.theory.theorem2`) as :class:`~memgd.theory.lemmas.Lemma` objects.

Notation: :math:`y_j = x_{k-a_j}`, :math:`r = \|x_k - x^\star\|`,
:math:`F(z) = f(z) - f^\star`, :math:`D_j = \|x_k - y_j\|^2`,
:math:`Y_j = \|y_j - x^\star\|^2`, :math:`I_j = \langle g(y_j), x_k - x^\star\rangle`.
Inner products and squared norms are scalar stand-ins (Gram entries), so an
identity between them is an identity for vectors of any dimension.

- T2.1 (one delayed gradient) :math:`I_j \ge F(x_k) + \tfrac\mu2 Y_j - \tfrac L2 D_j`;
- T2.2 (distance split) :math:`Y_j \ge (1-\theta) r^2 - (1/\theta - 1) D_j`, :math:`0<\theta\le1`;
- T2.3 (Jensen) :math:`\|\sum_j w_j g_j\|^2 \le s \sum_j w_j \|g_j\|^2` for :math:`w \ge 0`, and
  :math:`\|g(z)\|^2 \le 2 L F(z)`;
- T2.4 (one step) :math:`r_{k+1}^2 \le (1 - \alpha\mu(s_k - \theta b_k)) r_k^2 - 2\alpha s_k F_k
  + \alpha c_\theta \sum_{a_j \ge 1} w_j D_j + \alpha^2 \|d_k\|^2`;
- T2.5 (window) :math:`\|x_k - x_{k-a}\|^2 \le a \sum_{i=k-a}^{k-1}\|x_{i+1}-x_i\|^2`;
- T2.6 (charges) the last two terms of T2.4 are at most :math:`\sum_l E_{k,l} F_l` with
  :math:`E_{k,l} \ge 0` supported on :math:`k-2T \le l \le k`, and
  :math:`\sum_k E_{k,l} \le E = 2\alpha^2 L W R (1 + \alpha c_\theta B T^2)`;
- T2.7 (weighted sum) multiplying T2.4 by :math:`\rho^{-(k+1)}` and summing gives the theorem.
"""

from __future__ import annotations

import sympy as sp

from memgd.theory.lemmas import Lemma, ProofStatus, _nonnegative, _zero
from memgd.theory.symbols import SLACK, B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import (
    B_EFF, C_THETA, E_TOTAL, M_WEIGHT, PHI, R, RHO_SQ, THEOREM_2, TRANSIENT, TRANSIENT_F, theta,
)

# Gram stand-ins
f_x, f_y, f_star = sp.symbols("f_x f_y f_star", real=True)
G_xy, G_ys = sp.symbols("G_xy G_ys", real=True)           # <g(y), x - y>, <g(y), y - x*>
D_xy, D_ys, D_xs = sp.symbols("D_xy D_ys D_xs", nonnegative=True)  # ||x-y||^2, ||y-x*||^2, ||x-x*||^2
uv = sp.Symbol("uv", real=True)                             # <x - x*, y - x>


# ---------------------------------------------------------------- T2.1

def _prove_t2_1() -> bool:
    """The conclusion's gap is the sum of the two premises' gaps:
    strong convexity f* >= f(y) + <g(y), x*-y> + mu/2 ||y-x*||^2 and
    smoothness f(x) <= f(y) + <g(y), x-y> + L/2 ||x-y||^2."""
    convexity = f_star - f_y + G_ys - mu / 2 * D_ys
    smoothness = f_y + G_xy + L / 2 * D_xy - f_x
    conclusion = (G_xy + G_ys) - (f_x - f_star) - mu / 2 * D_ys + L / 2 * D_xy
    return _zero(conclusion - (convexity + smoothness))


T2_1 = Lemma(
    name="T2.1",
    title="one delayed gradient",
    statement=sp.Ge(G_xy + G_ys, f_x - f_star + mu / 2 * D_ys - L / 2 * D_xy),
    text="<g(y), x - x*> >= f(x) - f* + mu/2 ||y - x*||^2 - L/2 ||x - y||^2",
    status=ProofStatus.PARTIAL,
    sympy_part="the conclusion is the sum of the strong-convexity and smoothness inequalities (identity)",
    numeric_part="the two premises for a mu-strongly convex L-smooth f (checked per slot on traced runs)",
    prove=_prove_t2_1,
)

# ---------------------------------------------------------------- T2.2

def _prove_t2_2() -> bool:
    """With u = x - x*, v = y - x: ||u+v||^2 - (1-theta)||u||^2 + (1/theta - 1)||v||^2
    = ||sqrt(theta) u + v / sqrt(theta)||^2 >= 0 (Gram identity)."""
    uu, vv = D_xs, D_xy
    lhs = (uu + 2 * uv + vv) - (1 - theta) * uu + (1 / theta - 1) * vv
    square = theta * uu + 2 * uv + vv / theta
    return _zero(lhs - square)


T2_2 = Lemma(
    name="T2.2",
    title="distance split",
    statement=sp.Ge(D_ys, (1 - theta) * D_xs - (1 / theta - 1) * D_xy),
    text="||y - x*||^2 >= (1 - theta) ||x - x*||^2 - (1/theta - 1) ||x - y||^2, 0 < theta <= 1",
    status=ProofStatus.SYMPY,
    sympy_part="the gap is the squared norm ||sqrt(theta)(x - x*) + (y - x)/sqrt(theta)||^2 (Gram identity)",
    prove=_prove_t2_2,
)

# ---------------------------------------------------------------- T2.3

_N = 4
_w = sp.symbols(f"w0:{_N}", nonnegative=True)
_G = sp.Matrix(_N, _N, lambda i, j: sp.Symbol(f"G{min(i, j)}{max(i, j)}", real=True))


def _prove_t2_3() -> bool:
    """Lagrange identity for 4 vectors (Gram matrix G):
    s sum w_i ||g_i||^2 - ||sum w_i g_i||^2 = 1/2 sum_ij w_i w_j ||g_i - g_j||^2 >= 0."""
    s = sum(_w)
    lhs = s * sum(_w[i] * _G[i, i] for i in range(_N)) - sum(
        _w[i] * _w[j] * _G[i, j] for i in range(_N) for j in range(_N))
    rhs = sp.Rational(1, 2) * sum(_w[i] * _w[j] * (_G[i, i] + _G[j, j] - 2 * _G[i, j])
                                  for i in range(_N) for j in range(_N))
    return _zero(lhs - rhs)


T2_3 = Lemma(
    name="T2.3",
    title="direction norm",
    statement=sp.Le(sp.Symbol("||d||^2"), s_lo * sp.Symbol("sum_j w_j ||g_j||^2")),
    text="||sum_j w_j g_j||^2 <= s sum_j w_j ||g_j||^2 (w >= 0, s = sum w), and ||g(z)||^2 <= 2 L (f(z) - f*)",
    status=ProofStatus.PARTIAL,
    sympy_part="the Lagrange identity behind Jensen's inequality (4 vectors, symbolic Gram matrix)",
    numeric_part="the identity for any number of vectors, and ||g(z)||^2 <= 2L (f(z) - f*) (smoothness); "
                 "both checked on traced runs",
    prove=_prove_t2_3,
)

# ---------------------------------------------------------------- T2.4

_r2, _F, _dd = sp.symbols("r2 F dd", nonnegative=True)  # r_k^2, F_k, ||d_k||^2
_a0, _b1, _b2 = sp.symbols("a0 b1 b2", nonnegative=True)  # current weight, two memory weights
_I0, _I1, _I2 = sp.symbols("I0 I1 I2", real=True)         # <g(y_j), x_k - x*>
_Y1, _Y2 = sp.symbols("Y1 Y2", nonnegative=True)          # ||y_j - x*||^2
_D1, _D2 = sp.symbols("D1 D2", nonnegative=True)          # ||x_k - y_j||^2
_EXPANSION = _r2 - 2 * alpha * (_a0 * _I0 + _b1 * _I1 + _b2 * _I2) + alpha**2 * _dd
_T2_4_RHS = ((1 - alpha * mu * (_a0 + _b1 + _b2 - theta * (_b1 + _b2))) * _r2 - 2 * alpha * (_a0 + _b1 + _b2) * _F
             + alpha * C_THETA * (_b1 * _D1 + _b2 * _D2) + alpha**2 * _dd)


def _lower(expr: sp.Expr, var: sp.Symbol, bound: sp.Expr) -> sp.Expr | None:
    """Substitute ``var >= bound`` into ``expr`` (affine in var with coefficient sympy proves <= 0)."""
    expr = sp.expand(expr)
    if sp.degree(expr, var) > 1 or not _nonnegative(-sp.diff(expr, var)):
        return None
    return sp.expand(expr.subs(var, bound))


def _prove_t2_4() -> bool:
    """Expansion r_{k+1}^2 = r_k^2 - 2 alpha <d_k, x_k - x*> + alpha^2 ||d_k||^2, then T2.1
    for the current gradient (y = x: D = 0, Y = r^2) and two stored ones, then T2.2 for
    the stored ones; each substitution is monotone (coefficient <= 0 since w >= 0)."""
    expr = _EXPANSION
    steps = [(_I0, _F + mu / 2 * _r2), (_I1, _F + mu / 2 * _Y1 - L / 2 * _D1), (_I2, _F + mu / 2 * _Y2 - L / 2 * _D2),
             (_Y1, (1 - theta) * _r2 - (1 / theta - 1) * _D1), (_Y2, (1 - theta) * _r2 - (1 / theta - 1) * _D2)]
    for var, bound in steps:
        expr = _lower(expr, var, bound)
        if expr is None:
            return False
    return _zero(_T2_4_RHS - expr)


T2_4 = Lemma(
    name="T2.4",
    title="one step",
    statement=sp.Le(sp.Symbol("r_{k+1}^2"), _T2_4_RHS),
    text=("r_{k+1}^2 <= (1 - alpha mu (s_k - theta b_k)) r_k^2 - 2 alpha s_k F_k "
          "+ alpha c_theta sum_{a_j>=1} w_j ||x_k - y_j||^2 + alpha^2 ||d_k||^2, c_theta = L + mu (1/theta - 1)"),
    status=ProofStatus.PARTIAL,
    sympy_part="composition of the expansion with T2.1 and T2.2 (current gradient and two stored ones; "
               "the terms are additive in the slots)",
    numeric_part="the vector expansion and the premises T2.1, T2.2 (checked per step on traced runs)",
    prove=_prove_t2_4,
)

# ---------------------------------------------------------------- T2.5

_delta = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"P{min(i, j)}{max(i, j)}", real=True))


def _prove_t2_5() -> bool:
    """Cauchy-Schwarz for 3 steps: 3 sum ||delta_i||^2 - ||sum delta_i||^2
    = sum_{i<j} ||delta_i - delta_j||^2 (Gram identity)."""
    n = 3
    lhs = n * sum(_delta[i, i] for i in range(n)) - sum(_delta[i, j] for i in range(n) for j in range(n))
    rhs = sum(_delta[i, i] + _delta[j, j] - 2 * _delta[i, j] for i in range(n) for j in range(i + 1, n))
    return _zero(lhs - rhs)


T2_5 = Lemma(
    name="T2.5",
    title="window drift",
    statement=sp.Le(sp.Symbol("||x_k - x_{k-a}||^2"), sp.Symbol("a") * sp.Symbol("sum ||x_{i+1} - x_i||^2")),
    text="||x_k - x_{k-a}||^2 <= a sum_{i=k-a}^{k-1} ||x_{i+1} - x_i||^2 (steps before 0 are zero: x_{-i} = x_0)",
    status=ProofStatus.PARTIAL,
    sympy_part="the Cauchy-Schwarz identity for three steps (symbolic Gram matrix)",
    numeric_part="the general a (checked per slot on traced runs)",
    prove=_prove_t2_5,
)

# ---------------------------------------------------------------- T2.6

def _prove_t2_6() -> bool:
    """E = (charge of alpha^2 ||d_k||^2: 2 alpha^2 L W per unit of weight on g_l, at most R units)
    + (charge of the drift: alpha c_theta * (B T) * alpha^2 * 2 L W per unit of weight, each
    ||d_i||^2 counted by T steps k, at most R units); and R >= the reuse of g_l (its current
    weight <= W plus at most T memory weights <= B)."""
    direct = 2 * alpha**2 * L * W * R
    drift = alpha * C_THETA * (B * T) * alpha**2 * (2 * L * W) * T * R
    return _zero(E_TOTAL - (direct + drift)) and _zero(R - (W + T * B))


T2_6 = Lemma(
    name="T2.6",
    title="charges on function values",
    statement=sp.Le(sp.Symbol("sum_k E_kl"), E_TOTAL),
    text=("alpha c_theta sum_mem w ||x_k - y||^2 + alpha^2 ||d_k||^2 <= sum_l E_kl F_l with E_kl >= 0 for "
          "k-2T <= l <= k, and sum_k E_kl <= 2 alpha^2 L W R (1 + alpha c_theta B T^2), R = W + T B"),
    status=ProofStatus.PARTIAL,
    sympy_part="the total charge is the sum of the two counted contributions",
    numeric_part="the counting (T2.3, T2.5 and the reuse bound) on the run's actual weights and ages "
                 "(per step and in total, on traced runs)",
    prove=_prove_t2_6,
)

# ---------------------------------------------------------------- T2.7

def _prove_t2_7() -> bool:
    """(i) rho_theta >= 1 - 2 alpha mu s_lo (so rho^(-2T) <= M and rho > 0 when 2 alpha mu s_lo < 1):
    the difference alpha mu s_lo (theta + phi) is >= 0;
    (ii) the per-step factor after spending the leftover gain: (1 - alpha mu (s_lo - theta min(B, s_lo)))
    - (2 alpha s_lo (1 - phi)) (mu / 2) equals rho_theta;
    (iii) the charges of the T history indices (g_l = g_0, l < 0) add 2 T alpha s_lo phi F_0."""
    u = sp.Symbol("u", positive=True)
    v = sp.Symbol("v", nonnegative=True)
    floor = (RHO_SQ - (1 - 2 * alpha * mu * s_lo)).subs(B_EFF, sp.Symbol("b_eff", nonnegative=True))
    floor = floor.subs(M_WEIGHT, sp.Symbol("m", positive=True)).subs(theta, 1 / (1 + v)).subs(SLACK)
    i = _nonnegative(floor)
    ii = _zero((1 - alpha * mu * (s_lo - theta * B_EFF)) - 2 * alpha * s_lo * (1 - PHI) * mu / 2 - RHO_SQ)
    iii = _zero(TRANSIENT_F - T * M_WEIGHT * E_TOTAL)
    return i and ii and iii


T2_7 = Lemma(
    name="T2.7",
    title="weighted sum",
    statement=THEOREM_2.conclusion,
    text=("phi <= 1 and 2 alpha mu s_lo < 1: summing rho^-(k+1) x (T2.4 + T2.6) over k < K gives "
          "r_K^2 <= rho_theta^K (r_0^2 + 2 T alpha s_lo phi F_0)"),
    status=ProofStatus.PARTIAL,
    sympy_part="rho_theta >= 1 - 2 alpha mu s_lo; the factor identity; the history charge",
    numeric_part="the telescoping (elementary, docs/math/theorem2.md) and the conclusion on traced runs",
    prove=_prove_t2_7,
)

# ---------------------------------------------------------------- claims

s = sp.Symbol("s", positive=True)
_NONE = {B: 0, T: 0, W: s, s_lo: s}


def _prove_no_memory() -> bool:
    """B = 0, T = 0, W = s_lo = s: rho_theta = 1 - 2 eta mu + eta^2 mu L with eta = alpha s
    (the classical gradient-descent bound), for every theta, and the transient is 1."""
    eta = alpha * s
    return _zero(RHO_SQ.subs(_NONE) - (1 - 2 * eta * mu + eta**2 * mu * L)) and _zero(TRANSIENT.subs(_NONE) - 1)


def _prove_phi_increasing() -> bool:
    """d log(phi)/d alpha > 0 where 2 alpha mu s_lo < 1 (so the admissible steps form an interval
    and bisection finds alpha_max): substitute alpha = 1/(2 mu s_lo (1 + u)), u > 0."""
    u = sp.Symbol("u", positive=True)
    c = C_THETA * B * T**2
    terms = (1 / alpha, c / (1 + alpha * c), 4 * T * mu * s_lo / (1 - 2 * alpha * mu * s_lo))
    log_phi = (sp.log(alpha * L * W * R / s_lo) + sp.log(1 + alpha * c)
               - 2 * T * sp.log(1 - 2 * alpha * mu * s_lo))
    same = _zero(sp.expand_log(sp.log(PHI), force=True) - sp.expand_log(log_phi, force=True))
    identity = _zero(sp.diff(log_phi, alpha) - sum(terms))
    at = {alpha: 1 / (2 * mu * s_lo * (1 + u)), theta: 1 / (1 + sp.Symbol("v", nonnegative=True))}
    return same and identity and all(_nonnegative(t.subs(at).subs(SLACK)) for t in terms)


PHI_INCREASING = Lemma(
    name="phi increasing (Theorem 2)",
    title="admissible steps form an interval",
    statement=sp.Gt(sp.diff(PHI, alpha), 0),
    text="phi(alpha) is increasing on 0 < alpha < 1/(2 mu s_lo), so {alpha : phi <= 1} is an interval",
    status=ProofStatus.SYMPY,
    sympy_part="sign of d log(phi)/d alpha at alpha = 1/(2 mu s_lo (1+u))",
    prove=_prove_phi_increasing,
)

NO_MEMORY_2 = Lemma(
    name="no memory (Theorem 2)",
    title="reduction to gradient descent",
    statement=sp.Eq(RHO_SQ.subs(_NONE), 1 - 2 * alpha * s * mu + (alpha * s) ** 2 * mu * L),
    text="B = 0, T = 0, W = s_lo = s: rho_theta = 1 - 2 eta mu + eta^2 mu L (eta = alpha s) for every theta; transient 1",
    status=ProofStatus.SYMPY,
    sympy_part="substitution and simplification",
    prove=_prove_no_memory,
)

PROOF_STEPS_2: tuple[Lemma, ...] = (T2_1, T2_2, T2_3, T2_4, T2_5, T2_6, T2_7)
CLAIMS_2: tuple[Lemma, ...] = (PHI_INCREASING, NO_MEMORY_2)
LEMMAS_2: tuple[Lemma, ...] = PROOF_STEPS_2 + CLAIMS_2
