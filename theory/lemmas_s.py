r"""Proof steps of Theorem S (:mod:`memgd.theory.theorem_s`, docs/math/theorem_s.md) as lemma objects.

Notation: :math:`u_k = x_k - x^\star`, :math:`r_k = \|u_k\|`; :math:`\bar d_k = \sum_j w_{k,j}\, g(x_{i_{k,j}})`
(the direction with exact gradients), :math:`c_k` the weight on the current sample, :math:`M_k =
\sum_{t<k} \omega_{k,t}\xi_t` the memory noise (:math:`\omega_{k,t}` the weight step k puts on sample t),
:math:`d_k = \bar d_k + c_k\xi_k + M_k`; :math:`G_k = \sum_j w_{k,j}\|g(x_{i_{k,j}})\|^2`;
:math:`R_k = E r_k^2`, :math:`X_t = E\|\xi_t\|^2 \le \sigma^2 + \zeta^2 R_t`, :math:`\Gamma_k = E G_k`.
Inner products and squared norms are scalar stand-ins (Gram entries), as in :mod:`memgd.theory.lemmas2`;
expectations are stand-ins too, and a step that needs a property of the noise (a conditional mean
zero) is ``NUMERIC``: checked by Monte Carlo on seeded minibatch runs in
:mod:`memgd.proofs_check.stochastic.steps`.

- S.1 (expansion) :math:`r_{k+1}^2 = r_k^2 - 2\alpha\langle \bar d_k + c_k\xi_k + M_k, u_k\rangle + \alpha^2\|\bar d_k + c_k\xi_k + M_k\|^2`;
- S.2 (the fresh sample) :math:`E[c_k\langle\xi_k, u_k\rangle] = 0`, :math:`E\langle\xi_k, \bar d_k + M_k\rangle = 0`,
  :math:`E[c_k^2\|\xi_k\|^2] \le A^2 X_k`: the partners are :math:`F_{k-1}`-measurable;
- S.3 (Young) :math:`\|a + b\|^2 \le (1+\beta)\|a\|^2 + (1 + 1/\beta)\|b\|^2`;
- S.4 (exact-gradient part) Theorem 2's T2.4 with :math:`\alpha^2(1+\beta)` in place of :math:`\alpha^2`;
- S.5 (drift, noisy steps) :math:`\alpha c\sum_{a\ge1} w\|x_k - y\|^2 \le \alpha^3 cBT\sum_{i=k-T}^{k-1}\|d_i\|^2`
  (T2.5, T2.6 before T2.3, with the actual noisy steps);
- S.6 (step second moment) :math:`E\|d_i\|^2 \le (1+\beta) W\Gamma_i + (1 + 1/\beta)E\|M_i\|^2 + A^2X_i`;
- S.B1 (cross term, any selection) :math:`-2\alpha\langle M_k, u_k\rangle \le \alpha\gamma r_k^2 + (\alpha/\gamma)\|M_k\|^2`;
- S.B2 (selected memory noise) :math:`\|M_k\|^2 \le B\sum_t\omega_{k,t}\|\xi_t\|^2 \le B^2\sum_{t=k-T}^{k-1}\|\xi_t\|^2`;
- S.A1 (oblivious: a stored sample against the iterate) :math:`E\langle\xi_t, u_k\rangle =
  -\alpha\sum_{l=t}^{k-1}\big(\omega_{l,t}X_t + E\langle\xi_t, \bar d_l - \bar d_l^{(t)}\rangle\big)`,
  :math:`\bar d_l^{(t)}` the direction with every source after t replaced by t;
- S.A2 (gradient correlation) :math:`|\langle\xi_t, \bar d_l - \bar d_l^{(t)}\rangle| \le LW\|\xi_t\|\max_{t<m\le l}\|x_m - x_t\|`,
  and with Young at :math:`\eta = \alpha WT` the charge :math:`\alpha^3 LW^2T(T-1)B\,X + \alpha^3 LBT\sum\|d\|^2`;
- S.A3 (oblivious memory noise) :math:`E\|M_k\|^2 = \sum_t\omega_{k,t}^2X_t \le B^2\max_t X_t`;
- S.7 (one step in expectation) the composition, part A and part B;
- S.8 (weighted sum) the loads :math:`\Phi`, :math:`\Phi^{src}` and the telescoping to
  :math:`R_K \le \rho^K R_0 + \sigma^2\Phi(1-\rho^K)/(1-\rho)`;
- S.C (signed weights) :math:`r_{k+1} \le p\,r_k + q\max_{k-2T\le l\le k} r_l + e_k` pathwise, and
  :math:`r_k \le \lambda^{\star k}r_0 + \sum_{j<k}\lambda^{\star(k-1-j)}e_j`.
"""

from __future__ import annotations

import sympy as sp

from memgd.theory.lemmas import Lemma, ProofStatus, _compose, _nonnegative, _zero
from memgd.theory import lemmas2 as t2
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem import P, Q_1
from memgd.theory.theorem2 import B_EFF, C_COEF, M_WEIGHT, lam, theta
from memgd.theory.theorem_s import (
    FLOOR_A, FLOOR_B, PHI_A, PHI_A_TERMS, PHI_B, PHI_B_TERMS, PHI_SRC_A, PHI_SRC_A_TERMS, PHI_SRC_B, PHI_SRC_B_TERMS,
    PSI_A, PSI_B, RHO_A, RHO_B, S_EFF, A, C_A, C_B, beta, gamma, sigma2, zeta2,
)

_v_l = sp.Symbol("v_l", nonnegative=True)
_v_t = sp.Symbol("v_t", nonnegative=True)
_OPEN = {lam: 1 / (1 + _v_l), theta: 1 / (1 + _v_t)}   # lambda, theta in (0, 1]
_m = sp.Symbol("m_w", positive=True)                     # stand-in for M = (1 - 2 alpha mu s_lo)^(-T) >= 1
_m1 = sp.Symbol("m_1", nonnegative=True)                 # M = 1 + m_1


def _chain(expr: sp.Expr, steps) -> sp.Expr | None:
    """Substitute bounds one by one, each monotone (t2._substitute decides the sign of the coefficient)."""
    for var, kind, bound in steps:
        expr = t2._substitute(expr, var, kind, bound)
        if expr is None:
            return None
    return expr


# ---------------------------------------------------------------- S.1

_uu, _dd, _xx, _mm = sp.symbols("uu dd xx mm", nonnegative=True)   # ||u||^2, ||dbar||^2, ||xi||^2, ||M||^2
_ud, _ux, _um, _dx, _dm, _xm = sp.symbols("ud ux um dx dm xm", real=True)  # inner products
_c = sp.Symbol("c_k", nonnegative=True)


def _prove_s1() -> bool:
    """||u - alpha (dbar + c xi + M)||^2 expanded with a symbolic Gram matrix of (u, dbar, xi, M)."""
    vec = {"u": 1, "d": -alpha, "x": -alpha * _c, "m": -alpha}
    gram = {("u", "u"): _uu, ("d", "d"): _dd, ("x", "x"): _xx, ("m", "m"): _mm, ("u", "d"): _ud, ("u", "x"): _ux,
            ("u", "m"): _um, ("d", "x"): _dx, ("d", "m"): _dm, ("x", "m"): _xm}
    keys = list(vec)
    full = sum(vec[a] * vec[b] * gram.get((a, b), gram.get((b, a))) for a in keys for b in keys)
    dir_sq = _dd + _c**2 * _xx + _mm + 2 * _c * _dx + 2 * _dm + 2 * _c * _xm
    claimed = _uu - 2 * alpha * (_ud + _c * _ux + _um) + alpha**2 * dir_sq
    return _zero(full - claimed)


S_1 = Lemma(
    name="S.1", title="expansion",
    statement=sp.Eq(sp.Symbol("r_{k+1}^2"), _uu - 2 * alpha * (_ud + _c * _ux + _um) + alpha**2 * sp.Symbol("||d_k||^2")),
    text="r_{k+1}^2 = r_k^2 - 2 alpha <dbar_k + c_k xi_k + M_k, u_k> + alpha^2 ||dbar_k + c_k xi_k + M_k||^2",
    status=ProofStatus.PARTIAL,
    sympy_part="the expansion with a symbolic Gram matrix of (u_k, dbar_k, xi_k, M_k)",
    numeric_part="the split d_k = dbar_k + c_k xi_k + M_k of the engine's direction (per step on traced runs)",
    prove=_prove_s1,
)

# ---------------------------------------------------------------- S.2

S_2 = Lemma(
    name="S.2", title="the fresh sample",
    statement=sp.Eq(sp.Symbol("E[c_k <xi_k, u_k>]"), 0),
    text=("E[c_k <xi_k, u_k>] = 0, E<xi_k, dbar_k + M_k> = 0 and E[c_k^2 ||xi_k||^2] <= A^2 (sigma2 + zeta2 E r_k^2): "
          "c_k, u_k, dbar_k, M_k are decided before xi_k is drawn (tower property)"),
    status=ProofStatus.NUMERIC,
    numeric_part=("the conditional means (Monte Carlo over seeded minibatch runs, with a confidence interval) and the "
                  "variance model (exactly, from the problem's components, at every iterate)"),
)

# ---------------------------------------------------------------- S.3, S.B1


def _prove_s3() -> bool:
    """(1+beta)||a||^2 + (1+1/beta)||b||^2 - ||a+b||^2 = ||sqrt(beta) a - b / sqrt(beta)||^2 (Gram identity)."""
    aa, bb, ab = sp.Symbol("aa", nonnegative=True), sp.Symbol("bb", nonnegative=True), sp.Symbol("ab", real=True)
    gap = (1 + beta) * aa + (1 + 1 / beta) * bb - (aa + 2 * ab + bb)
    return _zero(gap - (beta * aa - 2 * ab + bb / beta))


S_3 = Lemma(
    name="S.3", title="Young split",
    statement=sp.Le(sp.Symbol("||a + b||^2"), (1 + beta) * sp.Symbol("||a||^2") + (1 + 1 / beta) * sp.Symbol("||b||^2")),
    text="||a + b||^2 <= (1 + beta) ||a||^2 + (1 + 1/beta) ||b||^2, beta > 0 (a = dbar_k, b = M_k)",
    status=ProofStatus.SYMPY,
    sympy_part="the gap is ||sqrt(beta) a - b/sqrt(beta)||^2 (Gram identity)",
    prove=_prove_s3,
)


def _prove_sb1() -> bool:
    """The gap alpha gamma ||u||^2 + (alpha/gamma) ||M||^2 - (-2 alpha <M, u>) is alpha ||sqrt(gamma) u + M/sqrt(gamma)||^2:
    with the Gram matrix of (u, M) the square expands to gamma ||u||^2 + 2 <u, M> + ||M||^2 / gamma."""
    g = sp.sqrt(gamma)
    square = g**2 * _uu + 2 * g * (1 / g) * _um + _mm / g**2
    return _zero(alpha * gamma * _uu + alpha / gamma * _mm + 2 * alpha * _um - alpha * square)


S_B1 = Lemma(
    name="S.B1", title="cross term, any selection",
    statement=sp.Le(-2 * alpha * _um, alpha * gamma * _uu + alpha / gamma * _mm),
    text="-2 alpha <M_k, u_k> <= alpha gamma r_k^2 + (alpha/gamma) ||M_k||^2 (pathwise; M_k may be biased)",
    status=ProofStatus.SYMPY,
    sympy_part="the gap is alpha ||sqrt(gamma) u_k + M_k/sqrt(gamma)||^2 (Gram identity)",
    prove=_prove_sb1,
)

# ---------------------------------------------------------------- S.4


def _prove_s4() -> bool:
    """Theorem 2's T2.4 chain with the coefficient alpha^2 (1 + beta) on ||dbar_k||^2: the same monotone
    substitutions (T2.1 for each gradient, T2.2, F >= mu/2 r^2, T2.3) give the same right side with
    alpha^2 s_k replaced by alpha^2 (1 + beta) s_k."""
    expansion = t2._r2 - 2 * alpha * (t2._a0 * t2._I0 + t2._b1 * t2._I1 + t2._b2 * t2._I2) + alpha**2 * (1 + beta) * t2._dd
    target = ((1 - alpha * mu * (t2._S + (1 - lam) * (t2._S - theta * (t2._b1 + t2._b2)))) * t2._r2
              - (alpha * lam / L - alpha**2 * (1 + beta) * t2._S) * t2._GK
              + alpha * C_COEF * (t2._b1 * t2._D1 + t2._b2 * t2._D2))
    out = _chain(expansion, t2._T2_4_STEPS)
    return out is not None and _zero(target - out)


S_4 = Lemma(
    name="S.4", title="exact-gradient part",
    statement=sp.Le(sp.Symbol("r_k^2 - 2 alpha <dbar_k, u_k> + alpha^2 (1+beta) ||dbar_k||^2"),
                    sp.Symbol("(1 - alpha mu S_k) r_k^2 - (alpha lambda/L - alpha^2 (1+beta) s_k) G_k + alpha c sum w D")),
    text=("r_k^2 - 2 alpha <dbar_k, u_k> + alpha^2 (1+beta) ||dbar_k||^2 <= (1 - alpha mu (s_k + (1-lambda)(s_k - theta b_k))) r_k^2 "
          "- (alpha lambda/L - alpha^2 (1+beta) s_k) G_k + alpha c sum_{a>=1} w ||x_k - y||^2 (Theorem 2's T2.4, w >= 0)"),
    status=ProofStatus.PARTIAL,
    sympy_part="T2.4's monotone composition with alpha^2 (1+beta) on the direction term (current and two stored gradients)",
    numeric_part="the premises T2.1-T2.3 on the exact gradients at the stored points (per step on traced runs)",
    prove=_prove_s4,
)

# ---------------------------------------------------------------- S.5, S.6

_Dw, _bk, _tau, _Sd = sp.symbols("Dw b_k tau Sd", nonnegative=True)


def _prove_s5() -> bool:
    """sum_mem w D <= b_k tau_max sum ||x_{i+1} - x_i||^2 = b_k tau alpha^2 Sd (T2.5 with the actual steps), b_k <= B,
    tau <= T: alpha c sum w D <= alpha^3 c B T Sd."""
    out = _chain(alpha * C_COEF * _Dw, [(_Dw, "upper", _bk * _tau * alpha**2 * _Sd), (_bk, "upper", B), (_tau, "upper", T)])
    return out is not None and _zero(out - alpha**3 * C_COEF * B * T * _Sd)


S_5 = Lemma(
    name="S.5", title="drift with noisy steps",
    statement=sp.Le(alpha * C_COEF * _Dw, alpha**3 * C_COEF * B * T * _Sd),
    text="alpha c sum_{a>=1} w ||x_k - y||^2 <= alpha^3 c B T sum_{i=max(0,k-T)}^{k-1} ||d_i||^2 (d_i the noisy directions)",
    status=ProofStatus.PARTIAL,
    sympy_part="composition of T2.5 (Cauchy-Schwarz over the window), b_k <= B, ages <= T",
    numeric_part="the inequality with the run's noisy steps (per step on traced runs)",
    prove=_prove_s5,
)

_Gi, _Xi, _Mi, _ci2, _si = sp.symbols("Gamma_i X_i EM_i c_i2 s_i", nonnegative=True)


def _prove_s6() -> bool:
    """E||d_i||^2 = E||dbar_i + M_i||^2 + E c_i^2 ||xi_i||^2 (S.2) <= (1+beta) E||dbar_i||^2 + (1+1/beta) E||M_i||^2 + A^2 X_i
    (S.3, c_i <= A), and ||dbar_i||^2 <= s_i G_i <= W G_i (T2.3, w >= 0)."""
    dd = sp.Symbol("Edd", nonnegative=True)
    start = (1 + beta) * dd + (1 + 1 / beta) * _Mi + _ci2 * _Xi
    out = _chain(start, [(dd, "upper", _si * _Gi), (_si, "upper", W), (_ci2, "upper", A**2)])
    return out is not None and _zero(out - ((1 + beta) * W * _Gi + (1 + 1 / beta) * _Mi + A**2 * _Xi))


S_6 = Lemma(
    name="S.6", title="second moment of a step",
    statement=sp.Le(sp.Symbol("E||d_i||^2"), (1 + beta) * W * _Gi + (1 + 1 / beta) * _Mi + A**2 * _Xi),
    text="E||d_i||^2 <= (1+beta) W Gamma_i + (1+1/beta) E||M_i||^2 + A^2 X_i",
    status=ProofStatus.PARTIAL,
    sympy_part="composition of S.3, T2.3 and c_i <= A, s_i <= W",
    numeric_part="E<xi_i, dbar_i + M_i> = 0 (S.2, Monte Carlo)",
    prove=_prove_s6,
)

# ---------------------------------------------------------------- S.B2, S.A3

_N = 4
_om = sp.symbols(f"omega0:{_N}", nonnegative=True)


def _prove_sb2() -> bool:
    """||sum omega_t xi_t||^2 <= (sum omega) sum omega_t ||xi_t||^2 is T2.3's Lagrange identity (4 vectors, a symbolic
    Gram matrix), here for the samples; then sum omega_t ||xi_t||^2 <= (sum omega) max_t ||xi_t||^2 <= B sum_t ||xi_t||^2
    (elementary)."""
    return t2._prove_t2_3()


S_B2 = Lemma(
    name="S.B2", title="selected memory noise",
    statement=sp.Le(sp.Symbol("||M_k||^2"), B**2 * sp.Symbol("sum_{t=k-T}^{k-1} ||xi_t||^2")),
    text=("||M_k||^2 <= b_k sum_t omega_kt ||xi_t||^2 <= B^2 max_{k-T<=t<k} ||xi_t||^2 <= B^2 sum_{t=k-T}^{k-1} ||xi_t||^2 "
          "(pathwise, whatever chose the samples): E||M_k||^2 <= B^2 sum_t X_t"),
    status=ProofStatus.PARTIAL,
    sympy_part="the Lagrange identity behind ||sum omega xi||^2 <= (sum omega) sum omega ||xi||^2 (4 samples)",
    numeric_part="any number of samples, max <= sum (per step on traced runs)",
    prove=_prove_sb2,
)


def _prove_sa3() -> bool:
    """sum omega_t^2 <= (sum omega_t)^2 for omega >= 0: the difference is 2 sum_{s<t} omega_s omega_t."""
    diff = sum(_om) ** 2 - sum(w**2 for w in _om)
    return _zero(diff - 2 * sum(_om[i] * _om[j] for i in range(_N) for j in range(i + 1, _N))) and _nonnegative(diff)


S_A3 = Lemma(
    name="S.A3", title="oblivious memory noise",
    statement=sp.Le(sp.Symbol("E||M_k||^2"), B**2 * sp.Symbol("max_t X_t")),
    text="oblivious selection: E||M_k||^2 = sum_t omega_kt^2 X_t <= B^2 max_t X_t (distinct samples are orthogonal)",
    status=ProofStatus.PARTIAL,
    sympy_part="sum omega_t^2 <= (sum omega_t)^2 for omega >= 0",
    numeric_part="the orthogonality E<xi_s, xi_t> = 0, s != t (Monte Carlo)",
    prove=_prove_sa3,
)

# ---------------------------------------------------------------- S.A1, S.A2

S_A1 = Lemma(
    name="S.A1", title="a stored sample against the iterate (oblivious selection)",
    statement=sp.Eq(sp.Symbol("E<xi_t, u_k>"), -alpha * sp.Symbol("sum_l (omega_lt X_t + E<xi_t, dbar_l - dbar_l^(t)>)")),
    text=("E<xi_t, u_k> = E<xi_t, x_k - x_t> = -alpha sum_{l=t}^{k-1} (omega_lt X_t + E<xi_t, dbar_l - dbar_l^(t)>): "
          "x_t, the earlier samples and dbar_l^(t) are decided before xi_t, later samples are conditionally mean zero, "
          "and the weights do not depend on the noise"),
    status=ProofStatus.NUMERIC,
    numeric_part="the orthogonality identities (Monte Carlo over seeded runs; they fail for a noise-adaptive selection)",
)

_eta, _X, _Dl, _S = sp.symbols("eta X Delta2 S", nonnegative=True)


def _prove_sa2() -> bool:
    """2 L W ||xi|| Delta <= L W (eta ||xi||^2 + Delta^2 / eta) (Young); summing over l in (t, k) (<= T - 1 terms, each
    Delta^2 <= (T-1) alpha^2 S) and the slots (omega <= B) and taking eta = alpha W T:
    alpha^2 L W [eta (T-1) B X + B (T-1)^2 alpha^2 S / eta] <= alpha^3 L W^2 T (T-1) B X + alpha^3 L B T S."""
    young = _zero((sp.Symbol("LW") * (_eta * _X + _Dl / _eta) - 2 * sp.Symbol("LW") * sp.sqrt(_X) * sp.sqrt(_Dl))
                  - sp.Symbol("LW") * (sp.sqrt(_eta) * sp.sqrt(_X) - sp.sqrt(_Dl) / sp.sqrt(_eta)) ** 2)
    charge = alpha**2 * L * W * (_eta * (T - 1) * B * _X + B * (T - 1) ** 2 * alpha**2 * _S / _eta)
    at = charge.subs(_eta, alpha * W * T)
    claimed = alpha**3 * L * W**2 * T * (T - 1) * B * _X + alpha**3 * L * B * T * _S
    gap = sp.factor(sp.expand(claimed - at))
    return young and _zero(at - (alpha**3 * L * W**2 * T * (T - 1) * B * _X + alpha**3 * L * B * (T - 1) ** 2 / T * _S)) \
        and _nonnegative(gap)


S_A2 = Lemma(
    name="S.A2", title="a stored sample against later gradients",
    statement=sp.Le(sp.Symbol("2 alpha^2 sum omega |E<xi_t, dbar_l - dbar_l^(t)>|"),
                    alpha**3 * L * W**2 * T * (T - 1) * B * _X + alpha**3 * L * B * T * _S),
    text=("|<xi_t, dbar_l - dbar_l^(t)>| <= L W ||xi_t|| max_{t<m<=l} ||x_m - x_t||, and over the slots and l in (t, k), with "
          "Young at eta = alpha W T: 2 alpha^2 sum ... <= alpha^3 L W^2 T (T-1) B max X + alpha^3 L B T sum_{i=k-T}^{k-1} E||d_i||^2"),
    status=ProofStatus.PARTIAL,
    sympy_part="Young's inequality (a square) and the charge at eta = alpha W T, with (T-1)^2/T <= T",
    numeric_part="the Lipschitz bound per (stored sample, later step) on traced runs",
    prove=_prove_sa2,
)

# ---------------------------------------------------------------- S.7 one step in expectation

_R, _Rn, _Gam, _Gbar, _Mbar, _Xbar, _Xk, _Cross, _EM, _Det, _Drift, _Sdd, _Rw = sp.symbols(
    "R Rnext Gamma Gbar Mbar Xbar X_k Cross EM Det Drift Sdd Rw", real=True)
_mx = sp.Symbol("Xmax", nonnegative=True)


def _one_step(part: str) -> tuple[sp.Expr, sp.Expr, list]:
    """(start, target, steps) of the one-step composition in expectation.  Window sums are symbols: Gbar, Mbar, Xbar
    are averages over the T steps i in [k-T, k-1] of Gamma_i, E||M_i||^2, X_i (so a sum is T times the average)."""
    cx = C_A if part == "A" else C_B
    # E r_{k+1}^2 after S.1, S.2 and S.3: the exact-gradient bracket, the cross term, the noise second moments
    start = _Det + _Cross + alpha**2 * (1 + 1 / beta) * _EM + alpha**2 * A**2 * _Xk
    det = ((1 - alpha * mu * S_EFF) * _R - (alpha * lam / L - alpha**2 * (1 + beta) * W) * _Gam + _Drift)
    drift_b = alpha**3 * C_COEF * B * T * _Sdd
    window = T * ((1 + beta) * W * _Gbar + (1 + 1 / beta) * _Mbar + A**2 * _Xbar)
    steps = [(_Det, "upper", det)]
    if part == "A":
        # S.A1 + S.A2 + reuse: 2 alpha^2 sum omega Omega X + alpha^3 L W^2 T (T-1) B X + alpha^3 L B T Sdd
        cross = (2 * alpha**2 * B * (A + (T - 1) * B) * _mx + alpha**3 * L * W**2 * T * (T - 1) * B * _mx
                 + alpha**3 * L * B * T * _Sdd)
        steps += [(_Cross, "upper", cross), (_EM, "upper", B**2 * _mx)]
    else:
        steps += [(_Cross, "upper", alpha * gamma * _R + alpha / gamma * _EM), (_EM, "upper", B**2 * T * _mx)]
    steps += [(_Drift, "upper", drift_b), (_Sdd, "upper", window)]
    c_mem = (B**2 if part == "A" else B**2 * T)
    target = ((1 - alpha * mu * S_EFF + (alpha * gamma if part == "B" else 0)) * _R
              - (alpha * lam / L - alpha**2 * (1 + beta) * W) * _Gam
              + alpha**3 * cx * B * T * window
              + alpha**2 * A**2 * _Xk)
    if part == "A":
        target += (2 * alpha**2 * B * (A + (T - 1) * B) + alpha**3 * L * W**2 * T * (T - 1) * B
                   + alpha**2 * (1 + 1 / beta) * c_mem) * _mx
    else:
        target += (alpha / gamma + alpha**2 * (1 + 1 / beta)) * c_mem * _mx
    return start, target, steps


def _prove_one_step(part: str) -> bool:
    start, target, steps = _one_step(part)
    out = _chain(start, steps)
    return out is not None and _nonnegative(sp.expand((target - out).subs(_OPEN)))


def _prove_s7() -> bool:
    """Part A and part B: every substitution monotone (signs proved with lambda, theta in (0, 1], beta, gamma > 0),
    the result equal to (or below) the stated one-step inequality."""
    return _prove_one_step("A") and _prove_one_step("B")


S_7 = Lemma(
    name="S.7", title="one step in expectation",
    statement=sp.Le(_Rn, sp.Symbol("(1 - alpha mu s_eff [+ alpha gamma]) R_k - (alpha lambda/L - alpha^2 (1+beta) W) Gamma_k "
                                   "+ alpha^3 c_X B T sum_i [...] + noise loads")),
    text=("E r_{k+1}^2 <= (1 - alpha mu s_eff [+ alpha gamma, part B]) E r_k^2 - (alpha lambda/L - alpha^2 (1+beta) W) Gamma_k "
          "+ alpha^3 c_X B T sum_{i=k-T}^{k-1} ((1+beta) W Gamma_i + (1+1/beta) E||M_i||^2 + A^2 X_i) + the noise loads of step k "
          "(c_A = c + L; c_B = c)"),
    status=ProofStatus.PARTIAL,
    sympy_part=("the composition of S.1-S.6 with S.A1-S.A3 (part A) or S.B1-S.B2 (part B) on expectation stand-ins, every "
                "substitution monotone"),
    numeric_part="the premises marked numeric (Monte Carlo and traced runs)",
    prove=_prove_s7,
)

# ---------------------------------------------------------------- S.8 weighted sum

_rho, _K = sp.Symbol("rho", positive=True), sp.Symbol("K", integer=True, positive=True)
_j = sp.Symbol("j", integer=True, nonnegative=True)


def _prove_s8() -> bool:
    """(i) each Gamma_i's total coefficient: -(alpha lambda/L - alpha^2 (1+beta) W) + T charges alpha^3 c_X B T (1+beta) W M
    = (alpha/L) lambda (psi_X - 1); (ii) the per-step loads Phi_X are the sums of the noise terms' sigma^2 coefficients and
    the per-sample loads Phi^src_X dominate them term by term (M >= 1); (iii) rho_X >= 1 - 2 alpha mu s_lo (so
    rho^-(k-t) <= M per T steps of delay); (iv) the geometric sum: sum_{k<K} rho^(K-1-k) = (1 - rho^K)/(1 - rho)."""
    ok = True
    for cx, psi in ((C_A, PSI_A), (C_B, PSI_B)):
        coef = -(alpha * lam / L - alpha**2 * (1 + beta) * W) + T * alpha**3 * cx * B * T * (1 + beta) * W * M_WEIGHT
        ok &= _zero(coef - (alpha / L) * lam * (psi - 1))
    ok &= _zero(PHI_A - sp.Add(*PHI_A_TERMS.values())) and _zero(PHI_B - sp.Add(*PHI_B_TERMS.values()))
    # the per-step load is what S.7's inequality charges: every sample variance sigma^2, the window's memory
    # second moments at their bounds (B^2 sigma^2 oblivious, B^2 T sigma^2 selected), the Gamma terms aside
    for part, phi in (("A", PHI_A), ("B", PHI_B)):
        _, target, _ = _one_step(part)
        noise = target.subs({_R: 0, _Gam: 0, _Gbar: 0})
        at = noise.subs({_Xk: sigma2, _mx: sigma2, _Xbar: sigma2,
                         _Mbar: (B**2 if part == "A" else B**2 * T) * sigma2})
        ok &= _zero(at - sigma2 * phi)
    for per_step, per_src in ((PHI_A_TERMS, PHI_SRC_A_TERMS), (PHI_B_TERMS, PHI_SRC_B_TERMS)):
        for name, term in per_step.items():
            diff = (per_src[name] - term).subs(M_WEIGHT, 1 + _m1).subs(_OPEN)
            ok &= _nonnegative(sp.expand(diff.subs({T: 1 + sp.Symbol("t1", nonnegative=True)})))
    # (iii): rho_X - (1 - 2 alpha mu s_lo) = alpha mu (2 s_lo - s_eff) + ... >= 0, s_eff <= 2 s_lo
    b_eff = sp.Symbol("b_eff", nonnegative=True)
    seff = S_EFF.subs(B_EFF, b_eff).subs(_OPEN)
    ok &= _nonnegative(sp.expand((2 * s_lo - seff).subs(b_eff, 0))) and _nonnegative(sp.diff(seff, b_eff) * -1)
    v = sp.Symbol("v", positive=True)   # rho = 1/(1 + v) in (0, 1)
    geometric = sp.summation((_rho ** (_K - 1 - _j)).subs(_rho, 1 / (1 + v)), (_j, 0, _K - 1))
    ok &= sp.simplify(geometric - ((1 - _rho**_K) / (1 - _rho)).subs(_rho, 1 / (1 + v))) == 0
    return bool(ok)


S_8 = Lemma(
    name="S.8", title="weighted sum",
    statement=sp.Le(sp.Symbol("E r_K^2"), sp.Symbol("rho^K r_0^2 + sigma2 Phi (1 - rho^K)/(1 - rho)")),
    text=("multiply S.7 by rho^-(k+1) and sum over k < K: every Gamma_i has coefficient <= rho^-(i+1) (alpha/L) lambda (psi - 1) <= 0, "
          "every zeta2 E r_t^2 is charged at most zeta2 Phi^src rho^-(t+1), every sigma2 at most sigma2 Phi per step: "
          "E r_K^2 <= rho^K r_0^2 + sigma2 Phi (1 - rho^K)/(1 - rho)"),
    status=ProofStatus.PARTIAL,
    sympy_part=("the coefficient identity (alpha/L) lambda (psi - 1), the loads term by term, rho >= 1 - 2 alpha mu s_lo, "
                "and the geometric sum"),
    numeric_part=("the telescoping itself (elementary) and the bookkeeping of which steps charge which sample "
                  "(checked by running the recursion with equality on random inputs, and the conclusion on seeded runs)"),
    prove=_prove_s8,
)

# ---------------------------------------------------------------- S.C signed weights

_E, _X2, _D2, _N2, _r, _M = sp.symbols("E_k X_k D_k N_k r_k M_k", nonnegative=True)
_Bk, _tau2 = sp.symbols("B_k tau", nonnegative=True)
_xi_w, _xi_2w = sp.symbols("xi_T xi_2T", nonnegative=True)    # max ||xi|| over [k-T, k] and [k-2T, k-1]


def _prove_sc() -> bool:
    """(i) L5 with noise: r_{k+1} <= (1 - alpha s_k mu) r_k + alpha ||e_k|| + alpha ||N_k||, ||e_k|| <= L B_k X,
    X <= alpha tau D, D <= W L M + W xi_2T (noisy directions), ||N_k|| <= W xi_T: composed to
    p r + q M + alpha W xi_T + alpha^2 L B T W xi_2T (each substitution monotone);
    (ii) the Halanay lemma with inputs: if z_{k+1} <= p z_k + q max z + e_k, then z_k <= lambda^k M + sum_j lambda^(k-1-j) e_j:
    the response to one input is a copy of L6's recursion started at 1 (identity lambda^(n+1) - p lambda^n -
    q lambda^(n-D) = lambda^(n-D) phi(lambda), as in L6)."""
    from memgd.theory.lemmas import PHI, D_, lam as lam6, p_ as p6, q_ as q6
    sig = sp.Symbol("sigma_k", nonnegative=True)
    s_k = s_lo + sig
    start = (1 - alpha * s_k * mu) * _r + alpha * _E + alpha * _N2
    bounds = [(_E, L * _Bk * _X2), (_Bk, B), (_X2, alpha * _tau2 * _D2), (_tau2, T),
              (_D2, W * L * _M + W * _xi_2w), (_N2, W * _xi_w)]
    target = P * _r + Q_1 * _M + alpha * W * _xi_w + alpha**2 * L * B * T * W * _xi_2w
    i = _compose(start, bounds, target)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    ii = _zero(lam6 ** (n + 1) - p6 * lam6**n - q6 * lam6 ** (n - D_) - lam6 ** (n - D_) * PHI)
    return i and ii


S_C = Lemma(
    name="S.C", title="signed weights, any selection (part C)",
    statement=sp.Le(sp.Symbol("E r_k"), sp.Symbol("lambda*^k r_0 + e / (1 - lambda*)")),
    text=("any signs, any selection: r_{k+1} <= p r_k + q max_{k-2T<=l<=k} r_l + alpha W max_{k-T<=t<=k} ||xi_t|| + "
          "alpha^2 L B T W max_{k-2T<=t<k} ||xi_t|| pathwise, hence r_k <= lambda*^k r_0 + sum_j lambda*^(k-1-j) e_j and "
          "E r_k <= lambda*^k r_0 + e/(1 - lambda*), e = alpha W sigma sqrt(T+1) + alpha^2 L B T W sigma sqrt(2T)"),
    status=ProofStatus.PARTIAL,
    sympy_part="the noisy L5 composition and the induction identity of the Halanay lemma with inputs",
    numeric_part=("L1-L4 themselves, the comparison principle for the max-recursion (monotone, subadditive), "
                  "E max_n ||xi|| <= sqrt(n) sigma (Jensen); the conclusion on seeded runs"),
    prove=_prove_sc,
)

# ---------------------------------------------------------------- claims

_s = sp.Symbol("s", positive=True)


def _prove_no_memory() -> bool:
    """B = 0, T = 0, A = W = s_lo = s, zeta = 0, lambda = 1: Phi_A = alpha^2 s^2, rho_A = 1 - alpha mu s, floor
    = alpha s sigma^2 / mu (SGD with step eta = alpha s: E r^2 <= (1 - eta mu)^k r_0^2 + eta sigma^2 / mu)."""
    none = {B: 0, T: 0, A: _s, W: _s, s_lo: _s, zeta2: 0, lam: 1}
    return _zero(PHI_A.subs(none) - alpha**2 * _s**2) and _zero(RHO_A.subs(none) - (1 - alpha * mu * _s)) and \
        _zero(FLOOR_A.subs(none) - alpha * _s * sigma2 / mu)


NO_MEMORY_S = Lemma(
    name="no memory (Theorem S)", title="reduction to SGD",
    statement=sp.Eq(FLOOR_A.subs({B: 0, T: 0, A: _s, W: _s, s_lo: _s, zeta2: 0, lam: 1}), alpha * _s * sigma2 / mu),
    text="B = 0, T = 0, A = W = s_lo = s, zeta = 0, lambda = 1: E r_k^2 <= (1 - eta mu)^k r_0^2 + eta sigma2/mu, eta = alpha s",
    status=ProofStatus.SYMPY,
    sympy_part="substitution and simplification",
    prove=_prove_no_memory,
)


def _prove_floor_limits() -> bool:
    """zeta = 0.  Part A: F_A / alpha -> sigma2 (A^2 + 2 A B + (2T - 1 + 1/beta) B^2) / (mu s_eff) as alpha -> 0 (the floor
    vanishes linearly).  Part B: F_B -> sigma2 B^2 T / (gamma (mu s_eff - gamma)) (gamma fixed), smallest at
    gamma = mu s_eff / 2, where it is 4 sigma2 B^2 T / (mu s_eff)^2."""
    fa = (FLOOR_A.subs(zeta2, 0) / alpha).subs(M_WEIGHT, _m)
    lim_a = sp.limit(sp.simplify(fa), alpha, 0)
    want_a = sigma2 * (A**2 + 2 * A * B + (2 * T - 1 + 1 / beta) * B**2) / (mu * S_EFF)
    fb = FLOOR_B.subs(zeta2, 0).subs(M_WEIGHT, _m)
    lim_b = sp.limit(sp.simplify(fb), alpha, 0)
    want_b = sigma2 * B**2 * T / (gamma * (mu * S_EFF - gamma))
    g = sp.Symbol("g", positive=True)
    best = sp.solve(sp.diff(want_b.subs(gamma, g), g), g)
    at = sp.simplify(want_b.subs(gamma, mu * S_EFF / 2) - 4 * sigma2 * B**2 * T / (mu * S_EFF) ** 2)
    return _zero(lim_a - want_a) and _zero(lim_b - want_b) and len(best) == 1 and _zero(best[0] - mu * S_EFF / 2) \
        and at == 0


FLOOR_LIMITS = Lemma(
    name="floors as alpha -> 0 (Theorem S)", title="part A vanishes, part B does not",
    statement=sp.Eq(sp.Symbol("lim F_B"), 4 * sigma2 * B**2 * T / (mu * S_EFF) ** 2),
    text=("zeta = 0: F_A = alpha sigma2 (A^2 + 2AB + (2T - 1 + 1/beta) B^2)/(mu s_eff) + O(alpha^2); "
          "F_B -> sigma2 B^2 T/(gamma (mu s_eff - gamma)) >= 4 sigma2 B^2 T/(mu s_eff)^2 (at gamma = mu s_eff/2)"),
    status=ProofStatus.SYMPY,
    sympy_part="limits, the minimiser in gamma and its value",
    prove=_prove_floor_limits,
)

_mT, _delta = sp.symbols("m_T delta", nonnegative=True)


def _prove_bias_family() -> bool:
    """The selection-bias family (docs/math/theorem_s.md): f = mu x^2/2 in one dimension, d_k = g_k + B g_{k-A_k} with A_k
    the age in 1..T whose stored noisy gradient is largest.  The mean e_k = E x_k obeys
    e_{k+1} <= (1 - alpha mu (1 + B)) e_k - alpha B (m_T - mu delta), m_T = E max of T samples, delta >= E max_a |x_{k-a} - x_k|;
    its fixed point is -B (m_T - mu delta) / (mu (1 + B)), so liminf E x_k^2 >= (B (m_T - mu delta) / (mu s))^2, s = 1 + B."""
    e = sp.Symbol("e", real=True)
    step = (1 - alpha * mu * (1 + B)) * e - alpha * B * (_mT - mu * _delta)
    fixed = sp.solve(sp.Eq(step, e), e)
    return len(fixed) == 1 and _zero(fixed[0] + B * (_mT - mu * _delta) / (mu * (1 + B)))


BIAS_FAMILY = Lemma(
    name="selection-bias family (Theorem S)", title="part B's floor is attained in order",
    statement=sp.Ge(sp.Symbol("liminf E r_k^2"), (B * (_mT - mu * _delta) / (mu * (1 + B))) ** 2),
    text=("keep the stored gradient whose noise is largest: E x_k -> -B (m_T - O(alpha)) / (mu s), so liminf E r_k^2 >= "
          "(B m_T / (mu s))^2 - O(alpha), with m_T = E max of T samples (0.63 sigma sqrt(T) for a two-point noise): "
          "order B^2 T sigma2 / (mu s)^2, part B's floor"),
    status=ProofStatus.PARTIAL,
    sympy_part="the fixed point of the mean recursion",
    numeric_part=("E max_a (mu x_{k-a} + xi_{k-a}) >= m_T + mu E x_k - mu delta, delta <= alpha T sup E|d| (elementary); "
                  "measured on seeded runs against part B's floor"),
    prove=_prove_bias_family,
)

PROOF_STEPS_S: tuple[Lemma, ...] = (S_1, S_2, S_3, S_4, S_5, S_6, S_B1, S_B2, S_A1, S_A2, S_A3, S_7, S_8, S_C)
CLAIMS_S: tuple[Lemma, ...] = (NO_MEMORY_S, FLOOR_LIMITS, BIAS_FAMILY)
LEMMAS_S: tuple[Lemma, ...] = PROOF_STEPS_S + CLAIMS_S
