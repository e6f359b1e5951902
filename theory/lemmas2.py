r"""Proof steps of Theorem 2 (:mod:`memgd.theory.theorem2`) as :class:`~memgd.theory.lemmas.Lemma` objects.

Notation: :math:`y_j = x_{k-a_j}`, :math:`r = \|x_k - x^\star\|`,
:math:`F(z) = f(z) - f^\star`, :math:`D_j = \|x_k - y_j\|^2`,
:math:`Y_j = \|y_j - x^\star\|^2`, :math:`I_j = \langle g(y_j), x_k - x^\star\rangle`,
:math:`G_k = \sum_j w_{k,j}\|g(y_{k,j})\|^2`.  Inner products and squared norms are
scalar stand-ins (Gram entries), so an identity between them is an identity for
vectors of any dimension.

- T2.1 (one delayed gradient) :math:`I_j \ge F(x_k) + \frac{\lambda}{2L}\|g(y_j)\|^2
  + (1-\lambda)\frac\mu2 Y_j - \frac L2 D_j`, :math:`0 \le \lambda \le 1`;
- T2.2 (distance split) :math:`Y_j \ge (1-\theta) r^2 - (1/\theta - 1) D_j`, :math:`0<\theta\le1`;
- T2.3 (Jensen) :math:`\|\sum_j w_j g_j\|^2 \le s \sum_j w_j \|g_j\|^2` for :math:`w \ge 0`;
- T2.4 (one step) :math:`r_{k+1}^2 \le \big(1 - \alpha\mu(s_k + (1-\lambda)(s_k - \theta b_k))\big) r_k^2
  - (\alpha\lambda/L - \alpha^2 s_k) G_k + \alpha c \sum_{a_j \ge 1} w_j D_j`;
- T2.5 (window) :math:`\|x_k - x_{k-a}\|^2 \le a \sum_{i=k-a}^{k-1}\|x_{i+1}-x_i\|^2`;
- T2.6 (drift) :math:`\alpha c \sum_{a_j \ge 1} w_j D_j \le \alpha^3 c B T \sum_{i=k-T}^{k-1} s_i G_i`
  (terms with :math:`i < 0` vanish);
- T2.7 (weighted sum) multiplying T2.4 + T2.6 by :math:`\rho^{-(k+1)}` (:math:`\rho = \rho_2^2`) and
  summing, each :math:`G_i` has coefficient at most
  :math:`\rho^{-(i+1)}(\alpha/L)\lambda(\psi - 1) \le 0`, so :math:`\rho^{-K} r_K^2 \le r_0^2`.
"""

from __future__ import annotations

import sympy as sp

from memgd.theory.lemmas import Lemma, ProofStatus, _nonnegative, _zero
from memgd.theory.symbols import SLACK, B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import B_EFF, C_COEF, M_WEIGHT, PSI, RHO_SQ, THEOREM_2, lam, theta

# Gram stand-ins
f_x, f_y, f_star = sp.symbols("f_x f_y f_star", real=True)
G_xy, G_ys = sp.symbols("G_xy G_ys", real=True)           # <g(y), x - y>, <g(y), y - x*>
D_xy, D_ys, D_xs = sp.symbols("D_xy D_ys D_xs", nonnegative=True)  # ||x-y||^2, ||y-x*||^2, ||x-x*||^2
N_y = sp.Symbol("N_y", nonnegative=True)                    # ||g(y)||^2
uv = sp.Symbol("uv", real=True)                             # <x - x*, y - x>

_T2_1_CONCLUSION = (G_xy + G_ys) - (f_x - f_star) - lam * N_y / (2 * L) - (1 - lam) * mu / 2 * D_ys + L / 2 * D_xy


def _t2_1_premises() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """Gaps (>= 0) of the three interpolation inequalities used by T2.1."""
    cocoercive = f_star - f_y + G_ys - N_y / (2 * L)          # f* >= f(y) + <g(y), x*-y> + ||g(y)||^2/(2L)
    convexity = f_star - f_y + G_ys - mu / 2 * D_ys           # f* >= f(y) + <g(y), x*-y> + mu/2 ||y-x*||^2
    smoothness = f_y + G_xy + L / 2 * D_xy - f_x              # f(x) <= f(y) + <g(y), x-y> + L/2 ||x-y||^2
    return cocoercive, convexity, smoothness


# ---------------------------------------------------------------- T2.1

def _prove_t2_1() -> bool:
    """The conclusion's gap is lambda (co-coercivity gap) + (1 - lambda) (strong-convexity gap)
    + (smoothness gap): a nonnegative combination for 0 <= lambda <= 1 (identity)."""
    co, cv, sm = _t2_1_premises()
    return _zero(_T2_1_CONCLUSION - (lam * co + (1 - lam) * cv + sm))


T2_1 = Lemma(
    name="T2.1",
    title="one delayed gradient",
    statement=sp.Ge(_T2_1_CONCLUSION, 0),
    text=("<g(y), x - x*> >= f(x) - f* + lambda ||g(y)||^2/(2L) + (1 - lambda) mu/2 ||y - x*||^2 "
          "- L/2 ||x - y||^2, 0 <= lambda <= 1"),
    status=ProofStatus.PARTIAL,
    sympy_part="the conclusion is lambda x co-coercivity + (1 - lambda) x strong convexity + smoothness (identity)",
    numeric_part="the three interpolation inequalities of a mu-strongly convex L-smooth f "
                 "(checked per gradient on traced runs)",
    prove=_prove_t2_1,
)

# ---------------------------------------------------------------- T2.2

def _prove_t2_2() -> bool:
    """With u = x - x*, v = y - x: ||u+v||^2 - (1-theta)||u||^2 + (1/theta - 1)||v||^2
    = ||sqrt(theta) u + v / sqrt(theta)||^2 >= 0 (Gram identity)."""
    uu, vv = D_xs, D_xy
    lhs = (uu + 2 * uv + vv) - (1 - theta) * uu + (1 / theta - 1) * vv
    return _zero(lhs - (theta * uu + 2 * uv + vv / theta))


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
    statement=sp.Le(sp.Symbol("||d_k||^2"), sp.Symbol("s_k") * sp.Symbol("G_k")),
    text="||d_k||^2 = ||sum_j w_j g_j||^2 <= s_k sum_j w_j ||g_j||^2 = s_k G_k (w >= 0)",
    status=ProofStatus.PARTIAL,
    sympy_part="the Lagrange identity behind Jensen's inequality (4 vectors, symbolic Gram matrix)",
    numeric_part="any number of vectors (checked per step on traced runs)",
    prove=_prove_t2_3,
)

# ---------------------------------------------------------------- T2.4

_r2, _F, _dd = sp.symbols("r2 F dd", nonnegative=True)     # r_k^2, F_k, ||d_k||^2
_a0, _b1, _b2 = sp.symbols("a0 b1 b2", nonnegative=True)  # current weight, two memory weights
_I0, _I1, _I2 = sp.symbols("I0 I1 I2", real=True)         # <g(y_j), x_k - x*>
_N0, _N1, _N2 = sp.symbols("N0 N1 N2", nonnegative=True)  # ||g(y_j)||^2
_Y1, _Y2 = sp.symbols("Y1 Y2", nonnegative=True)          # ||y_j - x*||^2
_D1, _D2 = sp.symbols("D1 D2", nonnegative=True)          # ||x_k - y_j||^2
_S = _a0 + _b1 + _b2
_GK = _a0 * _N0 + _b1 * _N1 + _b2 * _N2
_EXPANSION = _r2 - 2 * alpha * (_a0 * _I0 + _b1 * _I1 + _b2 * _I2) + alpha**2 * _dd
_T2_4_RHS = ((1 - alpha * mu * (_S + (1 - lam) * (_S - theta * (_b1 + _b2)))) * _r2
             - (alpha * lam / L - alpha**2 * _S) * _GK + alpha * C_COEF * (_b1 * _D1 + _b2 * _D2))
_T2_4_STEPS = [
    (_I0, "lower", _F + lam * _N0 / (2 * L) + (1 - lam) * mu / 2 * _r2),
    (_I1, "lower", _F + lam * _N1 / (2 * L) + (1 - lam) * mu / 2 * _Y1 - L / 2 * _D1),
    (_I2, "lower", _F + lam * _N2 / (2 * L) + (1 - lam) * mu / 2 * _Y2 - L / 2 * _D2),
    (_Y1, "lower", (1 - theta) * _r2 - (1 / theta - 1) * _D1),
    (_Y2, "lower", (1 - theta) * _r2 - (1 / theta - 1) * _D2),
    (_F, "lower", mu / 2 * _r2),
    (_dd, "upper", _S * _GK),
]


def _substitute(expr: sp.Expr, var: sp.Symbol, kind: str, bound: sp.Expr) -> sp.Expr | None:
    """Replace ``var`` by a bound, keeping ``expr`` an upper bound: a lower bound where the
    (affine) coefficient of ``var`` is provably <= 0, an upper bound where it is >= 0."""
    expr = sp.expand(expr)
    if sp.degree(expr, var) > 1:
        return None
    coef = sp.diff(expr, var).subs({lam: 1 / (1 + sp.Symbol("v_l", nonnegative=True)),
                                    theta: 1 / (1 + sp.Symbol("v_t", nonnegative=True))})
    sign_ok = _nonnegative(-coef) if kind == "lower" else _nonnegative(coef)
    if not sign_ok:
        return None
    return sp.expand(expr.subs(var, bound))


def _prove_t2_4() -> bool:
    """Expansion r_{k+1}^2 = r_k^2 - 2 alpha <d_k, x_k - x*> + alpha^2 ||d_k||^2, then T2.1 for the
    current gradient (y = x: D = 0, Y = r^2) and two stored ones, T2.2 for the stored ones,
    F_k >= mu/2 r_k^2, and T2.3; each substitution is monotone (sign of its coefficient
    proved with w >= 0, 0 < lambda <= 1)."""
    expr = _EXPANSION
    for var, kind, bound in _T2_4_STEPS:
        expr = _substitute(expr, var, kind, bound)
        if expr is None:
            return False
    return _zero(_T2_4_RHS - expr)


T2_4 = Lemma(
    name="T2.4",
    title="one step",
    statement=sp.Le(sp.Symbol("r_{k+1}^2"), _T2_4_RHS),
    text=("r_{k+1}^2 <= (1 - alpha mu (s_k + (1-lambda)(s_k - theta b_k))) r_k^2 - (alpha lambda/L - alpha^2 s_k) G_k "
          "+ alpha c sum_{a_j>=1} w_j ||x_k - y_j||^2, c = L + (1-lambda) mu (1/theta - 1)"),
    status=ProofStatus.PARTIAL,
    sympy_part="composition of the expansion with T2.1, T2.2, F >= mu/2 r^2 and T2.3 "
               "(current gradient and two stored ones; the terms are additive in the slots)",
    numeric_part="the vector expansion and the premises themselves (checked per step on traced runs)",
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
    numeric_part="the general a (checked per stored gradient on traced runs)",
    prove=_prove_t2_5,
)

# ---------------------------------------------------------------- T2.6

_Dw, _bk, _tau, _Sd, _SG = sp.symbols("Dw b_k tau Sd SG", nonnegative=True)


def _prove_t2_6() -> bool:
    """Composition: sum_mem w_j D_j <= b_k tau_max Sd (T2.5 with each window inside [k-T, k-1]),
    Sd = sum ||d_i||^2 <= sum s_i G_i (T2.3), b_k <= B, tau_max <= T."""
    expr = alpha * C_COEF * _Dw
    for var, kind, bound in [(_Dw, "upper", _bk * _tau * _Sd), (_Sd, "upper", alpha**2 * _SG),
                             (_bk, "upper", B), (_tau, "upper", T)]:
        expr = _substitute(expr, var, kind, bound)
        if expr is None:
            return False
    return _zero(expr - alpha**3 * C_COEF * B * T * _SG)


T2_6 = Lemma(
    name="T2.6",
    title="drift against past gradients",
    statement=sp.Le(alpha * C_COEF * _Dw, alpha**3 * C_COEF * B * T * _SG),
    text=("alpha c sum_{a_j>=1} w_j ||x_k - y_j||^2 <= alpha^3 c B T sum_{i=max(0,k-T)}^{k-1} s_i G_i"),
    status=ProofStatus.PARTIAL,
    sympy_part="composition of T2.5, T2.3 and b_k <= B, a <= T (each substitution monotone)",
    numeric_part="the inequality on the run's actual weights and ages (per step on traced runs)",
    prove=_prove_t2_6,
)

# ---------------------------------------------------------------- T2.7

_s_i = sp.Symbol("s_i", positive=True)


def _prove_t2_7() -> bool:
    """(i) rho = rho_2^2 >= 1 - 2 alpha mu s_lo (so rho^(-T) <= M; rho > 0 when 2 alpha mu s_lo < 1);
    (ii) G_i's total coefficient: its gain -(alpha lambda/L - alpha^2 s_i) plus the T later charges
    alpha^3 c B T s_i rho^-(k-i) <= alpha^3 c B T s_i M, i.e. (alpha/L)(-lambda + alpha L s_i (1 + alpha c B T^2 M)),
    which is increasing in s_i and equals (alpha/L) lambda (psi - 1) at s_i = W."""
    v = sp.Symbol("v", nonnegative=True)
    floor = (RHO_SQ - (1 - 2 * alpha * mu * s_lo)).subs(B_EFF, sp.Symbol("b_eff", nonnegative=True))
    floor = floor.subs({lam: 1 / (1 + v), theta: 1 / (1 + sp.Symbol("v_t", nonnegative=True))})
    i = _nonnegative(floor.subs(sp.Symbol("b_eff", nonnegative=True), s_lo)) and _nonnegative(
        sp.diff(floor, sp.Symbol("b_eff", nonnegative=True)))  # floor is smallest at b_eff = s_lo (largest)
    coef = -(alpha * lam / L - alpha**2 * _s_i) + alpha**3 * C_COEF * B * T**2 * _s_i * M_WEIGHT
    ii = _zero(coef.subs(_s_i, W) - (alpha / L) * lam * (PSI - 1))
    slope = sp.diff(coef, _s_i).subs(M_WEIGHT, sp.Symbol("m", positive=True))
    iii = _nonnegative(slope.subs({lam: 1 / (1 + v), theta: 1 / (1 + sp.Symbol("v_t", nonnegative=True))}))
    return i and ii and iii


T2_7 = Lemma(
    name="T2.7",
    title="weighted sum",
    statement=THEOREM_2.conclusion,
    text=("psi <= 1 and 2 alpha mu s_lo < 1: summing rho^-(k+1) x (T2.4 + T2.6) over k < K, every G_i has a "
          "coefficient <= rho^-(i+1) (alpha/L) lambda (psi - 1) <= 0, hence r_K^2 <= rho_2^(2K) r_0^2"),
    status=ProofStatus.PARTIAL,
    sympy_part="rho_2^2 >= 1 - 2 alpha mu s_lo; G_i's coefficient is increasing in s_i and equals "
               "(alpha/L) lambda (psi - 1) at s_i = W",
    numeric_part=("the telescoping and the monotonicity s_k + (1-lambda)(s_k - theta b_k) >= "
                  "s_lo + (1-lambda)(s_lo - theta min(B, s_lo)) (elementary, docs/math/theorem2.md); "
                  "the conclusion on traced runs"),
    prove=_prove_t2_7,
)

# ---------------------------------------------------------------- claims

s = sp.Symbol("s", positive=True)
_NONE = {B: 0, T: 0, W: s, s_lo: s}


def _prove_no_memory() -> bool:
    """B = 0, T = 0, W = s_lo = s: psi = alpha L s / lambda, so lambda = alpha L s is allowed
    (when alpha L s <= 1) and rho_2^2 = 1 - 2 eta mu + eta^2 mu L with eta = alpha s."""
    eta = alpha * s
    psi_ok = _zero(PSI.subs(_NONE) - alpha * L * s / lam)
    return psi_ok and _zero(RHO_SQ.subs(_NONE).subs(lam, alpha * L * s) - (1 - 2 * eta * mu + eta**2 * mu * L))


NO_MEMORY_2 = Lemma(
    name="no memory (Theorem 2)",
    title="reduction to gradient descent",
    statement=sp.Eq(RHO_SQ.subs(_NONE).subs(lam, alpha * L * s), 1 - 2 * alpha * s * mu + (alpha * s) ** 2 * mu * L),
    text=("B = 0, T = 0, W = s_lo = s, lambda = alpha L s (admissible for alpha L s <= 1): "
          "rho_2^2 = 1 - 2 eta mu + eta^2 mu L, eta = alpha s (the classical gradient-descent bound)"),
    status=ProofStatus.SYMPY,
    sympy_part="substitution and simplification",
    prove=_prove_no_memory,
)


def _prove_psi_increasing() -> bool:
    """d log(psi)/d alpha = 1/alpha + (q + alpha q')/(1 + alpha q) with q = c B T^2 M > 0, q' >= 0,
    where 2 alpha mu s_lo < 1: the admissible steps form an interval (bisection finds alpha_max)."""
    u = sp.Symbol("u", positive=True)
    at = {alpha: 1 / (2 * mu * s_lo * (1 + u)), lam: 1 / (1 + sp.Symbol("v", nonnegative=True)),
          theta: 1 / (1 + sp.Symbol("v_t", nonnegative=True))}
    dpsi = sp.diff(PSI, alpha)
    return _nonnegative(sp.simplify(dpsi.subs(at).subs(SLACK)))


PSI_INCREASING = Lemma(
    name="psi increasing (Theorem 2)",
    title="admissible steps form an interval",
    statement=sp.Gt(sp.diff(PSI, alpha), 0),
    text="psi(alpha) is increasing on 0 < alpha < 1/(2 mu s_lo), so {alpha : psi <= 1} is an interval",
    status=ProofStatus.SYMPY,
    sympy_part="sign of d psi/d alpha at alpha = 1/(2 mu s_lo (1+u)), lambda, theta in (0, 1]",
    prove=_prove_psi_increasing,
)

PROOF_STEPS_2: tuple[Lemma, ...] = (T2_1, T2_2, T2_3, T2_4, T2_5, T2_6, T2_7)
CLAIMS_2: tuple[Lemma, ...] = (PSI_INCREASING, NO_MEMORY_2)
LEMMAS_2: tuple[Lemma, ...] = PROOF_STEPS_2 + CLAIMS_2
