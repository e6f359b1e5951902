r"""The tight discrete Halanay rate: the root of :math:`\lambda^{D+1} = p\lambda^D + q`, rounded upward.

Lemma L6 (docs/math/theorem1.md): if :math:`p, q \ge 0`, :math:`p + q < 1` and
:math:`r_{k+1} \le p\,r_k + q\max_{k-D \le l \le k} r_l`, then
:math:`r_k \le \lambda^k \max_{-D \le l \le 0} r_l` for every :math:`\lambda \in (0, 1]` with

.. math:: \varphi(\lambda) = \lambda^{D+1} - p\lambda^D - q = \lambda^D(\lambda - p) - q \ \ge\ 0 .

:math:`\varphi` is negative on :math:`(0, p]` (when :math:`q > 0`), increasing on :math:`[p, 1]`
and :math:`\varphi(1) = 1 - p - q > 0`, so the admissible :math:`\lambda` are exactly
:math:`[\lambda^\star, 1]` with :math:`\lambda^\star` the unique root in :math:`(0, 1)`;
:math:`p + q < \lambda^\star \le (p+q)^{1/(D+1)}` (the old rate of L6 is the right end), and
:math:`\lambda^\star \to p` as :math:`q \to 0`.

**Rounding toward the safe side.** A rate below the true root would be a false bound, so
:func:`halanay_root` never returns one: it bisects, keeps as upper end only points where
the float evaluation proves :math:`\varphi \ge 0`, and returns the upper end.  Two margins
make "proves" hold in real arithmetic: (i) ``p`` and ``q`` are first raised by bounds on the
rounding of their own computation (:data:`P_SLACK` absolute, :data:`Q_SLACK` relative;
the root increases with both), and (ii) the test is
:math:`\mathrm{fl}(\lambda^D)\,\mathrm{fl}(\lambda - p)\,(1 - (4D + 16)u) \ge q`, where
:math:`u = 2^{-53}` and :math:`(4D+16)u` exceeds the relative error of the two rounded
operations and of ``np.power`` (at most a few ulps).  The result is at most a few ulps
above :math:`\lambda^\star`; it is ``inf`` where :math:`p + q \ge 1` after the margins
(no rate: the lemma does not apply).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Unit roundoff of float64.
UNIT = 2.0**-53
#: Absolute bound on the rounding of p = 1 - t, t = alpha s mu a product of three float64 factors, p >= 0:
#: |fl(p) - p| <= 2.02 u t + 1.01 u p <= 2.02 u (t + p = 1).
P_SLACK = 4 * UNIT
#: Relative bound on the rounding of a product of at most eight float64 factors.
Q_SLACK = 16 * UNIT
#: Bisection steps: the bracket [0, 1] halves below the float spacing of (1/2, 1).
BISECTIONS = 64


def _above(lam: np.ndarray, p: np.ndarray, q: np.ndarray, D: np.ndarray) -> np.ndarray:
    """True where the float evaluation proves lambda^D (lambda - p) >= q in real arithmetic."""
    with np.errstate(all="ignore"):
        value = np.power(lam, D) * (lam - p)
    return value * (1.0 - (4 * D + 16) * UNIT) >= q


def halanay_root(*, p: ArrayLike, q: ArrayLike, D: ArrayLike) -> float | np.ndarray:
    r"""Upper bound (a few ulps above) on the root :math:`\lambda^\star \in (0,1)` of
    :math:`\lambda^{D+1} = p\lambda^D + q`; ``inf`` where :math:`p + q \ge 1`.

    ``p`` in [0, 1], ``q >= 0``, ``D`` an integer >= 0 (arrays broadcast).  With ``q = 0`` the
    root is ``p``; with ``D = 0`` it is ``p + q``.
    """
    p_, q_, D_ = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(q, dtype=float),
                                     np.asarray(D, dtype=float))
    if np.any(~np.isfinite(p_)) or np.any(p_ < 0) or np.any(p_ > 1):
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    if np.any(~np.isfinite(q_)) or np.any(q_ < 0):
        raise ValueError(f"q must be a finite number >= 0, got {q!r}")
    if np.any(D_ < 0) or np.any(D_ != np.floor(D_)):
        raise ValueError(f"D must be an integer >= 0, got {D!r}")
    p_up = np.minimum(p_ + P_SLACK, 1.0)
    q_up = q_ * (1.0 + Q_SLACK)
    admissible = _above(np.ones_like(p_up), p_up, q_up, D_)  # phi(1) = 1 - p - q > 0, with the margins
    lo, hi = np.zeros_like(p_up), np.ones_like(p_up)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = _above(mid, p_up, q_up, D_)
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    out = np.where(admissible & (hi < 1.0), hi, np.inf)
    return out.item() if out.ndim == 0 else out


def optimal_root(*, e: ArrayLike, D: ArrayLike) -> float | np.ndarray:
    r"""The root :math:`\lambda_{opt} \in (0, 1)` of :math:`\lambda + e\lambda^D = 1` (``e > 0``), by bisection.

    Theorem 1's best step is :math:`\lambda_{opt}^D\, s_{lo}\mu/(2L^2BWT)` with
    :math:`e = (s_{lo}\mu)^2/(4L^2BWT)` (lemma "optimal step (Theorem 1)").  Only the *step* is
    taken from this root: the rate reported at that step is :func:`halanay_root` there, so any
    error here costs optimality, never validity.
    """
    e_, D_ = np.broadcast_arrays(np.asarray(e, dtype=float), np.asarray(D, dtype=float))
    lo, hi = np.zeros_like(e_), np.ones_like(e_)
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        with np.errstate(all="ignore"):
            up = mid + e_ * np.power(mid, D_) >= 1.0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    out = 0.5 * (lo + hi)
    return out.item() if out.ndim == 0 else out
