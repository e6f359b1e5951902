r"""Derived constants of Theorem 1 and 1b, as sympy expressions.

With :math:`p = 1 - \alpha s_{lo}\mu`, :math:`q = \alpha^2 L^2 B W T`, :math:`c = L^2BWT`, and the
rate :math:`\rho(\alpha)` the root in :math:`(0, 1)` of
:math:`F(\rho, \alpha) = \rho^{2T}(\rho - 1 + \alpha s_{lo}\mu) - c\alpha^2 = 0` (lemma L6):

- admissible steps, Theorem 1: a root below 1 exists iff :math:`p + q < 1`, i.e.
  :math:`\alpha < s_{lo}\mu/(L^2 B W T)`, and the step hypothesis
  :math:`\alpha \le 2/((\mu+L) s_{hi})`, so
  :math:`\alpha_{max} = \min\big(s_{lo}\mu/(L^2 B W T),\; 2/((\mu+L)s_{hi})\big)`
  (the first bound strict, the second attained);
- admissible steps, 1b: every :math:`\alpha \le 2/((\mu+L)s_{hi})` when
  :math:`2LB < s_{lo}\mu`, none otherwise;
- optimal step, Theorem 1: :math:`F` is concave in :math:`\alpha`, so the steps with
  :math:`\rho(\alpha) \le \rho` form an interval and :math:`\rho(\alpha)` is unimodal; its minimum
  is the smallest :math:`\rho` with :math:`\max_\alpha F(\rho, \alpha) \ge 0`:
  :math:`\rho_{opt} + e\rho_{opt}^{2T} = 1` with :math:`e = (s_{lo}\mu)^2/(4L^2BWT)`, at
  :math:`\alpha_{opt} = \rho_{opt}^{2T} s_{lo}\mu/(2L^2BWT)`; clipped to the step limit
  (lemma "optimal step (Theorem 1)");
- optimal step, 1b: the rate decreases in :math:`\alpha` (lemma "optimal step (Theorem 1b)"),
  so the best step is the largest, :math:`2/((\mu+L)s_{hi})`;
- iteration count: :math:`r_K \le \rho^K r_0 \le \varepsilon r_0` once
  :math:`K \ge \log\varepsilon / \log\rho` (the ceiling is applied numerically, rounded up).

Lemma-style proofs of these facts are in :mod:`memgd.theory.lemmas`.
"""

from __future__ import annotations

import sympy as sp

from memgd.theory.symbols import B, L, T, W, eps, mu, s_hi, s_lo

#: Largest step allowed by the step hypothesis alpha s_hi <= 2/(mu+L).
STEP_LIMIT = 2 / ((mu + L) * s_hi)
#: Steps below this give p + q < 1 in Theorem 1 (strict).
MEMORY_LIMIT_1 = s_lo * mu / (L**2 * B * W * T)
#: Supremum of Theorem 1's admissible steps.
ALPHA_MAX_1 = sp.Min(MEMORY_LIMIT_1, STEP_LIMIT)
#: Supremum of 1b's admissible steps when 2 L B < s_lo mu (no step otherwise).
ALPHA_MAX_1B = STEP_LIMIT
#: Vertex of Theorem 1's p + q in alpha (the best step of the earlier form of L6).
ALPHA_VERTEX_1 = s_lo * mu / (2 * L**2 * B * W * T)
#: e = (s_lo mu)^2 / (4 L^2 B W T): the best rate rho_opt solves rho + e rho^(2T) = 1.
EXCESS_1 = (s_lo * mu) ** 2 / (4 * L**2 * B * W * T)
#: The best rate of Theorem 1 before clipping, as the unknown of rho + e rho^(2T) = 1.
RHO_OPT = sp.Symbol("rho_opt", positive=True)
#: Equation of the best rate: rho_opt + e rho_opt^(2T) - 1 = 0.
OPTIMAL_RATE_EQUATION = RHO_OPT + EXCESS_1 * RHO_OPT ** (2 * T) - 1
#: The step attaining rho_opt: rho_opt^(2T) times the vertex.
ALPHA_OPT_1 = RHO_OPT ** (2 * T) * ALPHA_VERTEX_1
#: Best admissible step of Theorem 1 (given rho_opt).
ALPHA_STAR_1 = sp.Min(ALPHA_OPT_1, STEP_LIMIT)
#: Best admissible step of 1b.
ALPHA_STAR_1B = STEP_LIMIT

rho = sp.Symbol("rho", positive=True)
#: Real-valued iteration count log(eps)/log(rho); K(eps) is its ceiling.
ITERATIONS = sp.log(eps) / sp.log(rho)
