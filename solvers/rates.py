r"""Linear rates measured on runs.

For distances :math:`r_0, r_1, \dots` of one problem:

- :func:`tail_rate`: the asymptotic rate, measured on the upper envelope
  :math:`E_k = \max_{k \le j < k + w} r_j` as :math:`(E_{K'} / E_{j})^{1/(K'-j)}` over the second
  half of the steps still above the floating-point floor (:math:`w` = one eighth of
  them, :math:`K' = K - w + 1`).  The envelope matters when the dominant roots are
  complex: :math:`r_k` then oscillates under :math:`c\rho^k`, and a ratio of two single
  points can land on a trough and overstate :math:`\rho`.
- :func:`envelope_rate`: :math:`\max_{k \ge k_0} (r_k / r_0)^{1/k}`; the smallest
  :math:`\rho` with :math:`r_k \le \rho^k r_0` for every :math:`k \ge k_0`.

Both take a (K+1, n) array with NaN after a problem stopped and return (n,);
NaN where fewer than ``min_steps`` usable steps exist.
"""

from __future__ import annotations

import numpy as np


def _usable(distances: np.ndarray, floor: float) -> np.ndarray:
    r0 = distances[0]
    with np.errstate(invalid="ignore"):
        return np.isfinite(distances) & (distances > floor * r0) & (r0 > 0)


def tail_rate(distances: np.ndarray, *, floor: float = 1e-11, min_steps: int = 4) -> np.ndarray:
    """Asymptotic rate over the second half of the usable steps, per problem."""
    usable = _usable(distances, floor)
    out = np.full(distances.shape[1], np.nan)
    for i in range(distances.shape[1]):  # per problem: index bookkeeping only, O(n)
        steps = np.flatnonzero(usable[:, i])
        if steps.size < min_steps:
            continue
        tail = distances[steps[steps.size // 2]: steps[-1] + 1, i]
        w = max(1, tail.size // 8)
        first, last = tail[:w].max(), tail[-w:].max()
        span = tail.size - w
        if span > 0:
            out[i] = (last / first) ** (1.0 / span)
    return out


def envelope_rate(distances: np.ndarray, *, start: int = 1, floor: float = 1e-11) -> np.ndarray:
    """Smallest rho with r_k <= rho^k r_0 for all usable k >= start, per problem."""
    usable = _usable(distances, floor)
    k = np.arange(distances.shape[0], dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(usable, distances / distances[0], np.nan)
        root = np.where(usable & (k >= start), ratio ** (1.0 / np.maximum(k, 1.0)), -np.inf)
    best = root.max(axis=0)
    return np.where(np.isfinite(best), best, np.nan)
