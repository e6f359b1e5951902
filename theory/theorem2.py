r"""Theorem 2: a rate of order :math:`\kappa T` for nonnegative weights (docs/math/theorem2.md).

Setting (docs/math/method.md): :math:`x_{k+1} = x_k - \alpha d_k`,
:math:`d_k = \sum_j w_{k,j}\, g(x_{k-a_{k,j}})` with ages :math:`0 \le a_{k,j} \le T`
(:math:`a = 0`: the current gradient), history :math:`x_{-i} = x_0`; every weight is
**nonnegative**, :math:`s_k = \sum_j w_{k,j} \ge s_{lo}`, memory mass
:math:`b_k = \sum_{a_{k,j} \ge 1} w_{k,j} \le B`, and :math:`s_k \le W`.  Let
:math:`r_k = \|x_k - x^\star\|`.  For free parameters :math:`\lambda, \theta \in (0, 1]` let

.. math::

    c = L + (1-\lambda)\mu(1/\theta - 1), \quad M = (1 - 2\alpha\mu s_{lo})^{-T}, \quad
    \psi = \frac{\alpha L W\,(1 + \alpha c B T^2 M)}{\lambda}.

**Theorem 2.** If all weights are nonnegative, :math:`s_{lo} > 0`,
:math:`2\alpha\mu s_{lo} < 1` and :math:`\psi \le 1`, then for every :math:`K \ge 0`

.. math::

    r_K \le \rho_2^K r_0, \qquad
    \rho_2^2 = 1 - \alpha\mu\big(s_{lo} + (1-\lambda)(s_{lo} - \theta\min(B, s_{lo}))\big).

With :math:`\lambda = 1` the condition is :math:`\alpha L W (1 + \alpha L B T^2 M) \le 1`,
i.e. roughly :math:`\alpha \le \min\big(1/(2LW),\ 1/(2LT\sqrt{WB})\big)`, and
:math:`\rho_2^2 = 1 - \alpha\mu s_{lo}`: the iteration count is
:math:`O(\kappa (W + T\sqrt{WB})/s_{lo})`, of order :math:`\kappa T` (Theorem 1:
:math:`\kappa^2 T^2`).  With :math:`B = 0, T = 0` and :math:`\lambda = \alpha L s` it is the
classical gradient-descent bound :math:`\rho^2 = 1 - 2\eta\mu + \eta^2\mu L`, :math:`\eta = \alpha s`
(lemma "no memory" of :mod:`memgd.theory.lemmas2`).

Signed weights are outside Theorem 2: a negative weight needs an *upper* bound on
:math:`\langle g(y), x - x^\star\rangle`, which has no :math:`\kappa`-free form
(docs/math/theorem2.md, "What breaks for signed weights").

The proof steps are :data:`memgd.theory.lemmas2.LEMMAS_2`; the numeric constants are in
:mod:`memgd.theory.constants2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, k, mu, s_lo

#: Share of the smoothness gain ||g||^2/(2L) used (lemma T2.1); any value in (0, 1].
lam = sp.Symbol("lambda", positive=True)
#: Parameter of the distance split (lemma T2.2); any value in (0, 1].
theta = sp.Symbol("theta", positive=True)
r = sp.Function("r")

#: Coefficient of the squared memory distances in the one-step inequality (lemma T2.4).
C_COEF = L + (1 - lam) * mu * (1 / theta - 1)
#: Bound on rho^(-T) (lemma T2.7), valid for rho^2 >= 1 - 2 alpha mu s_lo.
M_WEIGHT = (1 - 2 * alpha * mu * s_lo) ** (-T)
#: Step condition: psi <= 1.
PSI = alpha * L * W * (1 + alpha * C_COEF * B * T**2 * M_WEIGHT) / lam
#: Bound on the memory mass of a step: b_k <= B and b_k <= s_k (nonnegative weights).
B_EFF = sp.Min(B, s_lo)
#: Contraction of the squared distance per step.
RHO_SQ = 1 - alpha * mu * (s_lo + (1 - lam) * (s_lo - theta * B_EFF))
#: Rate for the distance r_k.
RHO_2 = sp.sqrt(RHO_SQ)


@lru_cache(maxsize=None)
def lambda_min() -> sp.Expr:
    """The smallest admissible lambda at given (theta, s_lo): the root of psi = 1 in lambda.

    psi decreases in lambda and rho_2 increases with it, so this is the best lambda for that theta.
    Derived from :data:`PSI` by sympy (on first use), so it follows any change of the step condition.
    """
    return sp.solve(sp.Eq(PSI, 1), lam)[0]


@lru_cache(maxsize=None)
def largest_sum() -> sp.Expr | None:
    """The s_lo at which psi(lambda = 1) = 1 (psi increases with s_lo through M), derived from :data:`PSI`;
    None when psi does not depend on s_lo."""
    roots = sp.solve(sp.Eq(PSI.subs(lam, 1), 1), s_lo)
    return roots[0] if len(roots) == 1 else None


@dataclass(frozen=True)
class Theorem2:
    """Theorem 2: hypotheses and the conclusion r_K <= rho_2^K r_0."""

    name: str = "Theorem 2"
    title: str = "nonnegative weights, rate of order kappa T"
    hypotheses: tuple[sp.Basic, ...] = (
        sp.Gt(s_lo, 0, evaluate=False),
        sp.Lt(2 * alpha * mu * s_lo, 1, evaluate=False),
        sp.Le(PSI, 1, evaluate=False),
        sp.Le(lam, 1, evaluate=False),
        sp.Le(theta, 1, evaluate=False),
    )
    rate_squared: sp.Expr = RHO_SQ
    rate: sp.Expr = RHO_2

    @property
    def conclusion(self) -> sp.Basic:
        """r_k <= rho_2^k r_0, as a sympy relation."""
        return sp.Le(r(k), self.rate**k * r(0), evaluate=False)

    def __str__(self) -> str:
        hyps = "\n".join(f"  {sp.sstr(h)}" for h in self.hypotheses)
        return (
            f"{self.name} ({self.title}). Let r_k = ||x_k - x*||. If every weight w_kj >= 0 "
            f"(then W = s_hi), lambda and theta are in (0, 1], and\n{hyps}\n"
            f"then r_k <= rho_2**k * r_0 for all k >= 0, with\n  rho_2 = {sp.sstr(self.rate)}"
        )

    def latex(self) -> str:
        """The statement as a LaTeX paragraph."""
        hyps = ", ".join(f"${sp.latex(h)}$" for h in self.hypotheses)
        return (
            rf"\textbf{{{self.name}}} ({self.title}). Let $r_k = \|x_k - x^\star\|$. If every weight is "
            rf"nonnegative, $\lambda, \theta \in (0, 1]$ and {hyps}, then $r_k \le \rho_2^k r_0$ for all "
            rf"$k \ge 0$, with $\rho_2 = {sp.latex(self.rate)}$."
        )


THEOREM_2 = Theorem2()
