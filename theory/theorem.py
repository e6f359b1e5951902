r"""Theorem 1 and variant 1b (docs/math/theorem1.md) as objects: hypotheses and conclusion.

Let :math:`r_k = \|x_k - x^\star\|`, :math:`p = 1 - \alpha s_{lo} \mu`.

**Theorem 1.** If :math:`s_{lo} > 0`, :math:`\alpha s_{hi} \le 2/(\mu+L)` and
:math:`\alpha^2 L^2 B W T < \alpha s_{lo} \mu`, then :math:`r_k \le \rho^k r_0` with

.. math:: \rho = \left(1 - \alpha s_{lo}\mu + \alpha^2 L^2 B W T\right)^{1/(2T+1)}.

**Variant 1b.** If :math:`s_{lo} > 0`, :math:`\alpha s_{hi} \le 2/(\mu+L)` and
:math:`2 L B < s_{lo}\mu`, then :math:`r_k \le \rho_b^k r_0` with

.. math:: \rho_b = \left(1 - \alpha s_{lo}\mu + 2\alpha L B\right)^{1/(T+1)}.

Both come from a delay recursion :math:`r_{k+1} \le p\, r_k + q \max_{k-D \le l \le k} r_l`
(lemma L5, with :math:`q = \alpha^2 L^2 B W T, D = 2T` for Theorem 1 and
:math:`q = 2\alpha L B, D = T` for 1b) closed by the discrete Halanay lemma L6:
:math:`\rho = (p+q)^{1/(D+1)}`.  The hypotheses are kept unevaluated (sympy would
otherwise simplify ``s_lo > 0`` to ``True`` from the symbol's assumption), so they
can be lambdified and tested numerically.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, k, mu, s_hi, s_lo

#: r(k) stands for ||x_k - x*||.
r = sp.Function("r")

#: Contraction factor of the current-gradient part (lemma L1 at step alpha s_k).
P = 1 - alpha * s_lo * mu
#: Memory perturbation of Theorem 1 (lemmas L3, L4).
Q_1 = alpha**2 * L**2 * B * W * T
#: Memory perturbation of variant 1b (lemma L3b).
Q_1B = 2 * alpha * L * B

STEP_HYPOTHESIS = sp.Le(alpha * s_hi, 2 / (mu + L), evaluate=False)
POSITIVE_SUM = sp.Gt(s_lo, 0, evaluate=False)


@dataclass(frozen=True)
class Theorem:
    """A linear-rate theorem: hypotheses, and the conclusion r_k <= rate^k r_0.

    ``p`` and ``q`` are the coefficients of the delay recursion (lemma L5) and
    ``delay`` its window D; the rate is ``(p + q) ** (1 / (delay + 1))`` (lemma L6).
    """

    name: str
    title: str
    hypotheses: tuple[sp.Basic, ...]
    p: sp.Expr
    q: sp.Expr
    delay: sp.Expr

    @property
    def contraction(self) -> sp.Expr:
        """p + q: the one-window contraction; the theorem needs it < 1."""
        return self.p + self.q

    @property
    def rate(self) -> sp.Expr:
        """rho = (p + q)^(1/(D+1))."""
        return self.contraction ** (1 / (self.delay + 1))

    @property
    def conclusion(self) -> sp.Basic:
        """r_k <= rho^k r_0, as a sympy relation."""
        return sp.Le(r(k), self.rate**k * r(0), evaluate=False)

    def __str__(self) -> str:
        hyps = "\n".join(f"  {sp.sstr(h)}" for h in self.hypotheses)
        return (
            f"{self.name} ({self.title}). Let r_k = ||x_k - x*||. If\n{hyps}\n"
            f"then r_k <= rho**k * r_0 for all k >= 0, with\n  rho = {sp.sstr(self.rate)}"
        )

    def latex(self) -> str:
        """The statement as a LaTeX paragraph."""
        hyps = ", ".join(f"${sp.latex(h)}$" for h in self.hypotheses)
        return (
            rf"\textbf{{{self.name}}} ({self.title}). Let $r_k = \|x_k - x^\star\|$. "
            rf"If {hyps}, then $r_k \le \rho^k r_0$ for all $k \ge 0$, with "
            rf"$\rho = {sp.latex(self.rate)}$."
        )


THEOREM_1 = Theorem(
    name="Theorem 1",
    title="any selection, any combination",
    hypotheses=(
        POSITIVE_SUM,
        STEP_HYPOTHESIS,
        sp.Lt(Q_1, alpha * s_lo * mu, evaluate=False),
    ),
    p=P,
    q=Q_1,
    delay=2 * T,
)

THEOREM_1B = Theorem(
    name="Theorem 1b",
    title="no step-size dependence in the memory term",
    hypotheses=(
        POSITIVE_SUM,
        STEP_HYPOTHESIS,
        sp.Lt(2 * L * B, s_lo * mu, evaluate=False),
    ),
    p=P,
    q=Q_1B,
    delay=T,
)

THEOREMS: tuple[Theorem, ...] = (THEOREM_1, THEOREM_1B)
