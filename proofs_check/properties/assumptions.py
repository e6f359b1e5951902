r"""Which hypothesis of Theorem 1 / 1b a run or a rule breaks, in words.

Theorem 1 needs, with the run's constants (docs/math/method.md):

- (A1) :math:`s_{lo} > 0`: every step's weights sum to a positive number;
- (A2) :math:`\alpha s_{hi} \le 2/(\mu + L)`;
- (A3) :math:`\alpha^2 L^2 B W T < \alpha s_{lo} \mu`: the memory term is small enough;
- (A4) bounded ages: T is finite over the whole run (a rule that keeps a gradient
  forever has T growing with k, and no fixed T covers it).

Variant 1b replaces (A3) with :math:`2 L B < s_{lo} \mu`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Violation:
    code: str     # "A1".."A4", or "1b" for variant 1b's memory condition
    message: str


def broken_assumptions(*, mu: float, L: float, alpha: float, s_lo: float, s_hi: float, B: float, W: float,
                       T: float, ages_bounded: bool = True) -> list[Violation]:
    """Hypotheses of Theorem 1 that fail (empty list: Theorem 1 applies)."""
    out = []
    if not s_lo > 0:
        out.append(Violation("A1", f"s_lo = {s_lo:.4g} <= 0: some step's weights do not sum to a positive number"))
    if not alpha * s_hi <= 2.0 / (mu + L):
        out.append(Violation("A2", f"alpha s_hi = {alpha * s_hi:.4g} > 2/(mu+L) = {2.0 / (mu + L):.4g}"))
    if not alpha * alpha * L * L * B * W * T < alpha * s_lo * mu:
        out.append(Violation("A3", f"alpha^2 L^2 B W T = {alpha**2 * L**2 * B * W * T:.4g} >= "
                                   f"alpha s_lo mu = {alpha * s_lo * mu:.4g}: step beyond the admissible maximum"))
    if not ages_bounded:
        out.append(Violation("A4", f"ages are not bounded: the largest age reached {T:g} and grows with the run"))
    return out


def ages_grow_without_bound(max_age_per_step: np.ndarray) -> bool:
    """Heuristic for one problem's (K,) largest-age history: the age of the oldest used
    gradient equals k - const over the last half of the run (a gradient kept forever)."""
    ages = max_age_per_step[max_age_per_step >= 0]
    if ages.size < 8:
        return False
    tail = ages[ages.size // 2:]
    return bool(np.all(np.diff(tail) == 1))
