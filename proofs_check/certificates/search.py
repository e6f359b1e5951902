r"""The pieces every certificate search shares: checking its setting, and bisection on the rate.

A certificate search asks one question per solve, "is there a verified certificate at rate
:math:`\rho`?", whose answer is monotone in :math:`\rho` (a certificate at :math:`\rho` is one
at every larger rate).  :func:`bisect_rate` narrows ``[lo, hi]`` (no certificate known at
``lo``, one verified at ``hi``) until it is shorter than ``tol``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from memgd.theory.pattern import Pattern


def checked_setting(mu: float, L: float, alpha: float, tol: float, rho_lo: float, rho_hi: float,
                    patterns: Sequence[Pattern], T: int | None, *, lo_name: str = "rho_min",
                    hi_name: str = "rho_max") -> int:
    """Raise ``ValueError`` for a bad search setting; return the window T (at least the largest age)."""
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    if not (0.0 < tol < 1.0):
        raise ValueError(f"tol must lie in (0, 1), got {tol!r}")
    if not (0.0 <= rho_lo < rho_hi < 1.0):
        raise ValueError(f"need 0 <= {lo_name} < {hi_name} < 1, got {rho_lo!r}, {rho_hi!r}")
    largest = max(p.T for p in patterns)
    window = largest if T is None else int(T)
    if window < largest:
        raise ValueError(f"T must be at least the largest age {largest}, got {T}")
    return window


def bisect_rate(attempt: Callable[[float], bool], lo: float, hi: float, tol: float) -> tuple[float, float]:
    """Halve ``[lo, hi]`` until ``hi - lo <= tol``, keeping ``attempt(hi)`` true; returns ``(lo, hi)``."""
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if attempt(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi
