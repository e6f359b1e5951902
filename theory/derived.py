r"""Derived constants of Theorem 1 and 1b, as sympy expressions.

With :math:`p = 1 - \alpha s_{lo}\mu` and :math:`q = \alpha^2 L^2 B W T`:

- admissible steps, Theorem 1: :math:`p + q < 1 \iff \alpha < s_{lo}\mu/(L^2 B W T)`, and
  the step hypothesis :math:`\alpha \le 2/((\mu+L) s_{hi})`, so
  :math:`\alpha_{max} = \min\big(s_{lo}\mu/(L^2 B W T),\; 2/((\mu+L)s_{hi})\big)`
  (the first bound strict, the second attained);
- admissible steps, 1b: every :math:`\alpha \le 2/((\mu+L)s_{hi})` when
  :math:`2LB < s_{lo}\mu`, none otherwise;
- optimal step, Theorem 1: :math:`p+q` is a convex parabola in :math:`\alpha` with vertex
  :math:`\alpha^\star = s_{lo}\mu/(2L^2BWT)`; the rate is increasing in :math:`p+q`, so
  the best admissible step is :math:`\min(\alpha^\star, 2/((\mu+L)s_{hi}))`, where
  :math:`p + q = 1 - (s_{lo}\mu)^2/(4L^2BWT) < 1` at the vertex;
- optimal step, 1b: :math:`p + q_b = 1 - \alpha(s_{lo}\mu - 2LB)` decreases in
  :math:`\alpha`, so the best step is the largest, :math:`2/((\mu+L)s_{hi})`;
- iteration count: :math:`r_K \le \rho^K r_0 \le \varepsilon r_0` once
  :math:`K \ge \log\varepsilon / \log\rho`, so :math:`K(\varepsilon) = \lceil \log\varepsilon/\log\rho \rceil`
  (the ceiling is applied numerically).

Lemma-style proofs of these facts are in :mod:`memgd.theory.lemmas`.
"""

from __future__ import annotations

import sympy as sp

from memgd.theory.symbols import B, L, T, W, alpha, eps, mu, s_hi, s_lo
from memgd.theory.theorem import THEOREM_1, THEOREM_1B

#: Largest step allowed by the step hypothesis alpha s_hi <= 2/(mu+L).
STEP_LIMIT = 2 / ((mu + L) * s_hi)
#: Steps below this give p + q < 1 in Theorem 1 (strict).
MEMORY_LIMIT_1 = s_lo * mu / (L**2 * B * W * T)
#: Supremum of Theorem 1's admissible steps.
ALPHA_MAX_1 = sp.Min(MEMORY_LIMIT_1, STEP_LIMIT)
#: Supremum of 1b's admissible steps when 2 L B < s_lo mu (no step otherwise).
ALPHA_MAX_1B = STEP_LIMIT
#: Vertex of Theorem 1's p + q in alpha.
ALPHA_VERTEX_1 = s_lo * mu / (2 * L**2 * B * W * T)
#: Best admissible step of Theorem 1.
ALPHA_STAR_1 = sp.Min(ALPHA_VERTEX_1, STEP_LIMIT)
#: Best admissible step of 1b.
ALPHA_STAR_1B = STEP_LIMIT
#: Theorem 1's rate at its best step.
RHO_STAR_1 = THEOREM_1.rate.subs(alpha, ALPHA_STAR_1)
#: 1b's rate at its best step.
RHO_STAR_1B = THEOREM_1B.rate.subs(alpha, ALPHA_STAR_1B)

rho = sp.Symbol("rho", positive=True)
#: Real-valued iteration count log(eps)/log(rho); K(eps) is its ceiling.
ITERATIONS = sp.log(eps) / sp.log(rho)
