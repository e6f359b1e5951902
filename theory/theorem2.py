r"""Theorem 2: a rate of order :math:`\kappa T` for nonnegative weights (docs/math/theorem2.md).

Setting (docs/math/method.md): :math:`x_{k+1} = x_k - \alpha d_k`,
:math:`d_k = \sum_j w_{k,j}\, g(x_{k-a_{k,j}})` with ages :math:`0 \le a_{k,j} \le T`
(:math:`a = 0`: the current gradient), history :math:`x_{-i} = x_0`; every weight is
**nonnegative**, :math:`s_k = \sum_j w_{k,j} \in [s_{lo}, s_{hi}]`, memory mass
:math:`b_k = \sum_{a_{k,j} \ge 1} w_{k,j} \le B`, and :math:`s_k \le W`.  Let
:math:`r_k = \|x_k - x^\star\|`, :math:`F_k = f(x_k) - f^\star`, and for a free
parameter :math:`\theta \in (0, 1]`

.. math::

    R = W + T B, \quad c_\theta = L + \mu(1/\theta - 1), \quad
    M = (1 - 2\alpha\mu s_{lo})^{-2T}, \quad
    \varphi = \frac{\alpha L W R\,(1 + \alpha c_\theta B T^2)\, M}{s_{lo}}.

**Theorem 2.** If all weights are nonnegative, :math:`s_{lo} > 0`,
:math:`2\alpha\mu s_{lo} < 1` and :math:`\varphi \le 1`, then for every :math:`K \ge 0`

.. math::

    r_K^2 \le \rho_\theta^K \left(r_0^2 + 2T\alpha s_{lo}\varphi F_0\right), \qquad
    \rho_\theta = 1 - \alpha\mu\big(2 s_{lo} - \theta \min(B, s_{lo}) - \varphi s_{lo}\big),

hence :math:`r_K \le C\, \rho_2^K r_0` with :math:`\rho_2 = \sqrt{\rho_\theta}` and
:math:`C = \sqrt{1 + \alpha s_{lo}\varphi L T}` (:math:`F_0 \le L r_0^2/2`).

At the step :math:`\alpha \approx s_{lo}/(L W R)` the rate is
:math:`1 - \Theta(\alpha s_{lo}\mu)` and the iteration count
:math:`O(\kappa W R / s_{lo}^2) = O(\kappa W (W + TB)/s_{lo}^2)`: order :math:`\kappa T`
(Theorem 1: :math:`\kappa^2 T^2`).  With :math:`B = 0, T = 0` it is the classical
gradient-descent bound :math:`r_{k+1}^2 \le (1 - 2\eta\mu + \eta^2\mu L) r_k^2` for every :math:`\theta`,
:math:`\eta = \alpha s` (lemma "no memory" of :mod:`memgd.theory.lemmas2`).

Signed weights are outside Theorem 2: a negative weight needs an *upper* bound on
:math:`\langle g(y), x - x^\star\rangle`, which has no :math:`\kappa`-free
function-value form (docs/math/theorem2.md, "What breaks for signed weights").

The proof steps are :data:`memgd.theory.lemmas2.LEMMAS_2`; the numeric constants are in
:mod:`memgd.theory.constants2`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, k, mu, s_lo

#: Free parameter of the distance split (lemma T2.2); any value in (0, 1] gives a valid bound.
theta = sp.Symbol("theta", positive=True)
#: f(x_0) - f* (the transient term).
F0 = sp.Symbol("F_0", nonnegative=True)
r = sp.Function("r")

#: Reuse mass: total weight one gradient can receive over all steps (lemma T2.6).
R = W + T * B
#: Coefficient of the squared memory distances in the one-step inequality (lemma T2.4).
C_THETA = L + mu * (1 / theta - 1)
#: Bound on rho^(-2T) (lemma T2.7), valid for rho >= 1 - 2 alpha mu s_lo.
M_WEIGHT = (1 - 2 * alpha * mu * s_lo) ** (-2 * T)
#: Total charge on one F_l over all steps (lemma T2.6).
E_TOTAL = 2 * alpha**2 * L * W * R * (1 + alpha * C_THETA * B * T**2)
#: Fraction of the function-value gain 2 alpha s_lo F_l spent on the memory charges.
PHI = E_TOTAL * M_WEIGHT / (2 * alpha * s_lo)
#: Bound on the memory mass b_k of a step: b_k <= B and b_k <= s_k (nonnegative weights).
B_EFF = sp.Min(B, s_lo)
#: Contraction of the squared distance per step.
RHO_SQ = 1 - alpha * mu * (2 * s_lo - theta * B_EFF - PHI * s_lo)
#: Rate for the distance r_k.
RHO_2 = sp.sqrt(RHO_SQ)
#: Transient: r_K^2 <= RHO_SQ^K (r_0^2 + TRANSIENT_F F_0).
TRANSIENT_F = 2 * T * alpha * s_lo * PHI
#: Transient constant C for r_K <= C rho_2^K r_0 (with F_0 <= L r_0^2 / 2).
TRANSIENT = sp.sqrt(1 + alpha * s_lo * PHI * L * T)


@dataclass(frozen=True)
class Theorem2:
    """Theorem 2: hypotheses and the conclusion r_K^2 <= rho^K (r_0^2 + c F_0)."""

    name: str = "Theorem 2"
    title: str = "nonnegative weights, rate of order kappa T"
    hypotheses: tuple[sp.Basic, ...] = (
        sp.Gt(s_lo, 0, evaluate=False),
        sp.Lt(2 * alpha * mu * s_lo, 1, evaluate=False),
        sp.Le(PHI, 1, evaluate=False),
        sp.Le(theta, 1, evaluate=False),
    )
    rate_squared: sp.Expr = RHO_SQ
    rate: sp.Expr = RHO_2
    transient: sp.Expr = TRANSIENT

    @property
    def conclusion(self) -> sp.Basic:
        """r_k^2 <= rho_theta^k (r_0^2 + 2 T alpha s_lo phi F_0), as a sympy relation."""
        return sp.Le(r(k) ** 2, self.rate_squared**k * (r(0) ** 2 + TRANSIENT_F * F0), evaluate=False)

    def __str__(self) -> str:
        hyps = "\n".join(f"  {sp.sstr(h)}" for h in self.hypotheses)
        return (
            f"{self.name} ({self.title}). Let r_k = ||x_k - x*||, F_0 = f(x_0) - f*. "
            f"If every weight w_kj >= 0, theta in (0, 1] and\n{hyps}\n"
            f"then r_k**2 <= rho_theta**k * (r_0**2 + {sp.sstr(TRANSIENT_F)} * F_0) for all k >= 0, with\n"
            f"  rho_theta = {sp.sstr(self.rate_squared)}\n"
            f"so r_k <= C * rho_2**k * r_0 with rho_2 = sqrt(rho_theta), C = {sp.sstr(self.transient)}"
        )

    def latex(self) -> str:
        """The statement as a LaTeX paragraph."""
        hyps = ", ".join(f"${sp.latex(h)}$" for h in self.hypotheses)
        return (
            rf"\textbf{{{self.name}}} ({self.title}). Let $r_k = \|x_k - x^\star\|$, "
            rf"$F_0 = f(x_0) - f^\star$. If every weight is nonnegative, $\theta \in (0, 1]$ and {hyps}, "
            rf"then $r_k^2 \le \rho_\theta^k \left(r_0^2 + {sp.latex(TRANSIENT_F)} F_0\right)$ for all $k \ge 0$, "
            rf"with $\rho_\theta = {sp.latex(self.rate_squared)}$; hence "
            rf"$r_k \le C \rho_2^k r_0$, $\rho_2 = \sqrt{{\rho_\theta}}$, $C = {sp.latex(self.transient)}$."
        )


THEOREM_2 = Theorem2()
