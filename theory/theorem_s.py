r"""Theorem S: stochastic gradients, stored and reused, selected by any rule (docs/math/theorem_s.md).

**Setting.** :math:`f` is :math:`\mu`-strongly convex and :math:`L`-smooth with minimiser
:math:`x^\star`; :math:`g = \nabla f`, :math:`u_k = x_k - x^\star`, :math:`r_k = \|u_k\|`.  At step
:math:`k` the oracle returns :math:`\hat g_k = g(x_k) + \xi_k`; the method stores these noisy
gradients and steps :math:`x_{k+1} = x_k - \alpha d_k`, :math:`d_k = \sum_j w_{k,j}\,\hat g_{i_{k,j}}`,
with sources :math:`k - T \le i_{k,j} \le k` (history: sources before 0 are 0) and **nonnegative**
weights.  Constants: :math:`s_{lo} \le s_k = \sum_j w_{k,j} \le W`; memory mass (sources
:math:`< k`) :math:`\le B`; weight on the current sample :math:`c_k \le A` (:math:`A \le W`).
:math:`F_{k-1}` is everything computed before :math:`\xi_k` is drawn (iterates up to
:math:`x_k`, samples up to :math:`\xi_{k-1}`, the rule's own randomness up to step :math:`k`).

**Noise (N).** :math:`E[\xi_k \mid F_{k-1}] = 0` and
:math:`E[\|\xi_k\|^2 \mid F_{k-1}] \le \sigma^2 + \zeta^2 r_k^2` (a minibatch of size b drawn
without replacement from m samples: :math:`\sigma^2, \zeta^2` times :math:`(m-b)/(b(m-1)) \le 1/b`).

**Selection.** *Predictable* (part B): the sources and weights of step :math:`k` are
:math:`F_{k-1}`-measurable: they may look at every earlier noisy gradient (the
critical-gradient rule keeps large norms), not at :math:`\xi_k`.  *Oblivious* (part A): the
whole schedule is independent of the noise (FIFO, fixed ages, random subsets drawn
independently).

Free parameters :math:`\lambda, \theta \in (0, 1]` (as Theorem 2), :math:`\beta > 0`, and (part B)
:math:`\gamma > 0`.  With Theorem 2's :math:`c = L + (1-\lambda)\mu(1/\theta - 1)`,
:math:`M = (1 - 2\alpha\mu s_{lo})^{-T}` and :math:`s_{eff} = s_{lo} + (1-\lambda)(s_{lo} - \theta\min(B, s_{lo}))`,
let, for part X in {A, B} with :math:`c_A = c + L`, :math:`c_B = c`,

.. math::

    \begin{aligned}
    \psi_X &= \frac{\alpha L W (1+\beta)\,(1 + \alpha c_X B T^2 M)}{\lambda}, \\
    \rho_X &= 1 - \alpha\mu s_{eff} + [\alpha\gamma]_B + \zeta^2 \Phi^{src}_X, \qquad
    F_X = \frac{\sigma^2 \Phi_X}{1 - \rho_X},
    \end{aligned}

with the per-step noise loads :math:`\Phi_X` and per-sample loads :math:`\Phi^{src}_X` below
(:data:`PHI_A`, :data:`PHI_SRC_A`, :data:`PHI_B`, :data:`PHI_SRC_B`).

**Theorem S.** Under (N), nonnegative weights, :math:`s_{lo} > 0`, :math:`2\alpha\mu s_{lo} < 1`,
:math:`\psi_X \le 1` and :math:`\rho_X < 1`, for every :math:`K \ge 0`

.. math:: E\, r_K^2 \le \rho_X^K\, r_0^2 + F_X\,(1 - \rho_X^K) \le \rho_X^K r_0^2 + F_X,

where part **A** holds for oblivious selection and part **B** for every predictable selection.
As :math:`\alpha \to 0`: :math:`F_A = \alpha\sigma^2\big(A^2 + 2AB + (2T - 1 + 1/\beta)B^2\big)/(\mu s_{eff}) + O(\alpha^2)`
vanishes, while :math:`F_B \to \sigma^2 B^2 T/(\gamma(\mu s_{eff} - \gamma))` (at best
:math:`4\sigma^2 B^2 T/(\mu s_{eff})^2`) does not; the selection-bias family of
docs/math/theorem_s.md shows that part B's floor is attained in order.

**Part C (signed weights, any selection, first moment).** With Theorem 1's constants and rate
:math:`\lambda^\star` (lemma L6), :math:`\zeta = 0` and only :math:`E\|\xi_k\|^2 \le \sigma^2` (no
martingale needed), :math:`E\, r_K \le \lambda^{\star K} r_0 + \bar e/(1 - \lambda^\star)` with
:math:`\bar e = \alpha W\sigma\sqrt{T+1} + \alpha^2 L B T W \sigma\sqrt{2T}`: a floor of order
:math:`W\sigma\sqrt{T}/(\mu s_{lo})` that does not vanish as :math:`\alpha \to 0`.

The proof steps are :data:`memgd.theory.lemmas_s.LEMMAS_S`; numbers in
:mod:`memgd.theory.constants_s`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, k, mu, s_lo
from memgd.theory.theorem2 import B_EFF, C_COEF, M_WEIGHT, lam, theta

#: sigma^2 and zeta^2 of the noise model E||xi_k||^2 <= sigma^2 + zeta^2 r_k^2.
sigma2 = sp.Symbol("sigma2", nonnegative=True)
zeta2 = sp.Symbol("zeta2", nonnegative=True)
#: Largest weight on the current sample (A <= W).
A = sp.Symbol("A", positive=True)
#: Young parameter splitting ||dbar + M||^2 (S.3) and the cross term (part B, S.5).
beta = sp.Symbol("beta", positive=True)
gamma = sp.Symbol("gamma", positive=True)

#: Effective contraction weight (Theorem 2's): s_lo + (1 - lambda)(s_lo - theta min(B, s_lo)).
S_EFF = s_lo + (1 - lam) * (s_lo - theta * B_EFF)
#: Drift coefficients: part B Theorem 2's c; part A adds L for the correlation of a stored sample
#: with later gradients (lemma S.A2).
C_A = C_COEF + L
C_B = C_COEF

#: Step conditions.
PSI_A = alpha * L * W * (1 + beta) * (1 + alpha * C_A * B * T**2 * M_WEIGHT) / lam
PSI_B = alpha * L * W * (1 + beta) * (1 + alpha * C_B * B * T**2 * M_WEIGHT) / lam

# The loads are written with the placeholders c_A, c_B (drift coefficients) and M (the shift bound), which
# print readably; the expressions used everywhere else have them substituted.
_cA, _cB, _M = sp.symbols("c_A c_B M", positive=True)
_PLACEHOLDERS = {_cA: C_A, _cB: C_B, _M: M_WEIGHT}

#: Part A, per-step noise load (coefficient of sigma^2 in one step), term by term (lemma S.7).
PHI_A_SHOWN = {
    "current sample": alpha**2 * A**2,
    "reuse correlation": 2 * alpha**2 * B * (A + (T - 1) * B),
    "gradient correlation": alpha**3 * L * W**2 * T * (T - 1) * B,
    "memory second moment": alpha**2 * (1 + 1 / beta) * B**2,
    "drift, current samples": alpha**3 * _cA * B * T**2 * A**2,
    "drift, memory samples": alpha**3 * _cA * (1 + 1 / beta) * B**3 * T**2,
}
#: Part A, per-sample load (coefficient of zeta^2 E r_t^2 summed over every step that charges sample t,
#: with the shift factor rho^-(k-t) <= M per T steps of delay).
PHI_SRC_A_SHOWN = {
    "current sample": alpha**2 * A**2,
    "reuse correlation": alpha**2 * (2 * A * T * B + T**2 * B**2) * _M,
    "gradient correlation": alpha**3 * L * W**2 * T**2 * (T - 1) * B * _M,
    "memory second moment": alpha**2 * (1 + 1 / beta) * T * B**2 * _M,
    "drift, current samples": alpha**3 * _cA * B * T**2 * A**2 * _M,
    "drift, memory samples": alpha**3 * _cA * (1 + 1 / beta) * B**3 * T**3 * _M**2,
}
#: Part B, the same loads (lemma S.7).
PHI_B_SHOWN = {
    "current sample": alpha**2 * A**2,
    "memory cross term and second moment": (alpha / gamma + alpha**2 * (1 + 1 / beta)) * B**2 * T,
    "drift, current samples": alpha**3 * _cB * B * T**2 * A**2,
    "drift, memory samples": alpha**3 * _cB * (1 + 1 / beta) * B**3 * T**3,
}
PHI_SRC_B_SHOWN = {
    "current sample": alpha**2 * A**2,
    "memory cross term and second moment": (alpha / gamma + alpha**2 * (1 + 1 / beta)) * B**2 * T * _M,
    "drift, current samples": alpha**3 * _cB * B * T**2 * A**2 * _M,
    "drift, memory samples": alpha**3 * _cB * (1 + 1 / beta) * B**3 * T**3 * _M**2,
}


def _actual(terms: dict) -> dict:
    return {name: term.subs(_PLACEHOLDERS) for name, term in terms.items()}


PHI_A_TERMS, PHI_SRC_A_TERMS = _actual(PHI_A_SHOWN), _actual(PHI_SRC_A_SHOWN)
PHI_B_TERMS, PHI_SRC_B_TERMS = _actual(PHI_B_SHOWN), _actual(PHI_SRC_B_SHOWN)
PHI_A = sp.Add(*PHI_A_TERMS.values())
PHI_SRC_A = sp.Add(*PHI_SRC_A_TERMS.values())
PHI_B = sp.Add(*PHI_B_TERMS.values())
PHI_SRC_B = sp.Add(*PHI_SRC_B_TERMS.values())

#: Contraction of E r_k^2 per step.
RHO_A = 1 - alpha * mu * S_EFF + zeta2 * PHI_SRC_A
RHO_B = 1 - alpha * mu * S_EFF + alpha * gamma + zeta2 * PHI_SRC_B
#: Noise floors.
FLOOR_A = sigma2 * PHI_A / (1 - RHO_A)
FLOOR_B = sigma2 * PHI_B / (1 - RHO_B)

#: Part C (signed weights): the per-step noise input of the distance recursion, in expectation.
sigma = sp.Symbol("sigma", nonnegative=True)
NOISE_C = alpha * W * sigma * sp.sqrt(T + 1) + alpha**2 * L * B * T * W * sigma * sp.sqrt(2 * T)

r = sp.Function("r")
E = sp.Function("E")


@dataclass(frozen=True)
class TheoremSPart:
    """One part of Theorem S: hypotheses, rate (of E r_k^2) and floor."""

    name: str
    title: str
    selection: str
    hypotheses: tuple[sp.Basic, ...]
    rate_squared: sp.Expr
    floor: sp.Expr
    step_condition: sp.Expr

    @property
    def conclusion(self) -> sp.Basic:
        rho = self.rate_squared
        return sp.Le(E(r(k) ** 2), rho**k * r(0) ** 2 + self.floor * (1 - rho**k), evaluate=False)


def _common(psi: sp.Expr, rho: sp.Expr) -> tuple[sp.Basic, ...]:
    return (sp.Gt(s_lo, 0, evaluate=False), sp.Lt(2 * alpha * mu * s_lo, 1, evaluate=False),
            sp.Le(psi, 1, evaluate=False), sp.Lt(rho, 1, evaluate=False),
            sp.Le(lam, 1, evaluate=False), sp.Le(theta, 1, evaluate=False))


PART_A = TheoremSPart("Theorem S, part A", "oblivious selection: the floor vanishes with the step",
                      "the schedule (sources and weights) is independent of the noise",
                      _common(PSI_A, RHO_A), RHO_A, FLOOR_A, PSI_A)
PART_B = TheoremSPart("Theorem S, part B", "any predictable selection, including one that looks at the noisy gradients",
                      "the sources and weights of step k are decided before xi_k is drawn",
                      _common(PSI_B, RHO_B) + (sp.Gt(gamma, 0, evaluate=False),), RHO_B, FLOOR_B, PSI_B)


@dataclass(frozen=True)
class TheoremS:
    """Theorem S (parts A, B, and C for signed weights), printable."""

    parts: tuple[TheoremSPart, ...] = (PART_A, PART_B)
    name: str = "Theorem S"

    def __str__(self) -> str:
        def terms(shown: dict) -> str:
            return "\n".join(f"      {name}: {sp.sstr(t)}" for name, t in shown.items())

        return "\n".join([
            "Theorem S (stochastic gradients, stored and reused, selected by any rule). Let r_k = ||x_k - x*||. The oracle "
            "returns g(x_k) + xi_k with E[xi_k | past] = 0 and E[||xi_k||^2 | past] <= sigma2 + zeta2 r_k^2; every weight "
            "w_kj >= 0, on samples of age <= T; s_lo <= s_k <= W, memory mass <= B, weight on the current sample <= A <= W.",
            "Free parameters: lambda, theta in (0, 1], beta > 0, gamma > 0 (part B). With c = L + (1-lambda) mu (1/theta - 1), "
            "c_A = c + L, c_B = c, M = (1 - 2 alpha mu s_lo)^(-T), s_eff = s_lo + (1-lambda)(s_lo - theta min(B, s_lo)):",
            "  psi_X = alpha L W (1 + beta) (1 + alpha c_X B T^2 M) / lambda",
            "  rho_A = 1 - alpha mu s_eff + zeta2 Phi_src_A,   rho_B = 1 - alpha mu s_eff + alpha gamma + zeta2 Phi_src_B",
            "  F_X = sigma2 Phi_X / (1 - rho_X), the loads being sums of",
            "    Phi_A (per step):", terms(PHI_A_SHOWN), "    Phi_src_A (per sample):", terms(PHI_SRC_A_SHOWN),
            "    Phi_B (per step):", terms(PHI_B_SHOWN), "    Phi_src_B (per sample):", terms(PHI_SRC_B_SHOWN),
            "If s_lo > 0, 2 alpha mu s_lo < 1, psi_X <= 1 and rho_X < 1, then for every k >= 0",
            "  E r_k^2 <= rho_X^k r_0^2 + F_X (1 - rho_X^k),",
            "with X = A when the selection and weights are independent of the noise (oblivious: FIFO, fixed ages, "
            "independent random subsets), and X = B for any selection decided before xi_k is drawn (e.g. the "
            "critical-gradient rule, which looks at the noisy gradients).",
            "As alpha -> 0 (zeta2 = 0): F_A -> 0 linearly; F_B -> sigma2 B^2 T / (gamma (mu s_eff - gamma)) >= "
            "4 sigma2 B^2 T / (mu s_eff)^2, attained in order by a selection that keeps the samples whose noise is largest.",
            "Part C (signed weights, any selection, zeta2 = 0, E||xi_k||^2 <= sigma^2): E r_k <= lambda*^k r_0 + e/(1 - lambda*), "
            f"lambda* Theorem 1's rate, e = {sp.sstr(NOISE_C)}.",
        ])


THEOREM_S = TheoremS()
