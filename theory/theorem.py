r"""Theorem 1 and variant 1b (docs/math/theorem1.md) as objects: hypotheses and conclusion.

Let :math:`r_k = \|x_k - x^\star\|`, :math:`p = 1 - \alpha s_{lo} \mu`.

**Theorem 1.** If :math:`s_{lo} > 0`, :math:`\alpha s_{hi} \le 2/(\mu+L)` and
:math:`\alpha^2 L^2 B W T < \alpha s_{lo} \mu`, then :math:`r_k \le \rho^k r_0` with
:math:`\rho` the root in :math:`(0, 1)` of

.. math:: \rho^{2T+1} = p\,\rho^{2T} + \alpha^2 L^2 B W T .

**Variant 1b.** If :math:`s_{lo} > 0`, :math:`\alpha s_{hi} \le 2/(\mu+L)` and
:math:`2 L B < s_{lo}\mu`, then :math:`r_k \le \rho_b^k r_0` with :math:`\rho_b` the root in
:math:`(0, 1)` of :math:`\rho_b^{T+1} = p\,\rho_b^{T} + 2\alpha L B`.

Both come from a delay recursion :math:`r_{k+1} \le p\, r_k + q \max_{k-D \le l \le k} r_l`
(lemma L5, with :math:`q = \alpha^2 L^2 B W T, D = 2T` for Theorem 1 and
:math:`q = 2\alpha L B, D = T` for 1b) closed by the discrete Halanay lemma L6 with its
tight rate, the root :math:`\lambda^\star` of :math:`\lambda^{D+1} = p\lambda^D + q`
(:mod:`memgd.theory.halanay`).  *Remark*: the earlier form of L6,
:math:`(p+q)^{1/(D+1)}` (:attr:`Theorem.window_rate`), is an upper bound on the root, and
loses up to a factor :math:`D + 1` in the iteration count (as :math:`q \to 0` the root tends
to :math:`p`, the old form to :math:`p^{1/(D+1)}`).  The hypotheses are kept unevaluated
(sympy would otherwise simplify ``s_lo > 0`` to ``True`` from the symbol's assumption), so
they can be lambdified and tested numerically.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, k, mu, s_hi, s_lo

#: r(k) stands for ||x_k - x*||.
r = sp.Function("r")
#: The rate, as the unknown of the characteristic equation.
RHO = sp.Symbol("rho", positive=True)

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
    """A linear-rate theorem: hypotheses, and the conclusion r_k <= rho^k r_0.

    ``p`` and ``q`` are the coefficients of the delay recursion (lemma L5) and
    ``delay`` its window D; the rate rho is the root in (0, 1) of :attr:`characteristic`
    (lemma L6), computed rounded upward by :func:`memgd.theory.halanay.halanay_root`.
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
    def characteristic(self) -> sp.Expr:
        """The polynomial rho^(D+1) - p rho^D - q, whose root in (0, 1) is the rate (lemma L6)."""
        return RHO ** (self.delay + 1) - self.p * RHO**self.delay - self.q

    @property
    def window_rate(self) -> sp.Expr:
        """The earlier, looser form of L6, (p + q)^(1/(D+1)), an upper bound on the root (a remark)."""
        return self.contraction ** (1 / (self.delay + 1))

    @property
    def conclusion(self) -> sp.Basic:
        """r_k <= rho^k r_0, as a sympy relation."""
        return sp.Le(r(k), RHO**k * r(0), evaluate=False)

    def __str__(self) -> str:
        hyps = "\n".join(f"  {sp.sstr(h)}" for h in self.hypotheses)
        D = sp.sstr(self.delay)
        return (
            f"{self.name} ({self.title}). Let r_k = ||x_k - x*||. If\n{hyps}\n"
            f"then r_k <= rho**k * r_0 for all k >= 0, with rho the root in (0, 1) of\n"
            f"  rho**({D} + 1) = p*rho**({D}) + q,  p = {sp.sstr(self.p)},  q = {sp.sstr(self.q)}\n"
            f"(at most (p + q)**(1/({D} + 1)), the earlier form of the rate)"
        )

    def latex(self) -> str:
        """The statement as a LaTeX paragraph."""
        hyps = ", ".join(f"${sp.latex(h)}$" for h in self.hypotheses)
        D = self.delay
        return (
            rf"\textbf{{{self.name}}} ({self.title}). Let $r_k = \|x_k - x^\star\|$. "
            rf"If {hyps}, then $r_k \le \rho^k r_0$ for all $k \ge 0$, with $\rho$ the root in $(0, 1)$ of "
            rf"$\rho^{{{sp.latex(D + 1)}}} = p\,\rho^{{{sp.latex(D)}}} + q$, $p = {sp.latex(self.p)}$, "
            rf"$q = {sp.latex(self.q)}$."
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
