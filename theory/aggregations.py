r"""Theorem constants (s, B, W) of the paper's nine aggregations (docs/math/critical_rule.md).

With current gradient g, m >= 1 stored gradients :math:`g_1..g_m`, mean
:math:`\bar g = \frac1m\sum_c g_c`, sum :math:`\Sigma = \sum_c g_c`, one picked stored
gradient :math:`g_\pi` and scale :math:`\kappa` (any real):

================  =======================
aggregation       direction d
================  =======================
sum               g + kappa mean
mid               (g + kappa mean)/2
mean              (g + kappa Sigma)/(m+1)
min, median, max  g + kappa pick
min-mean,         (g + kappa pick)/2
median-mean,
max-mean
================  =======================

and its constants (a is the weight of g, b the weights of the stored gradients):

================  ===================  ===============  =====================
aggregation       s = a + sum b        B = sum |b|      W = |a| + sum |b|
================  ===================  ===============  =====================
sum               1 + kappa            |kappa|          1 + |kappa|
mid               (1 + kappa)/2        |kappa|/2        (1 + |kappa|)/2
mean              (1 + kappa m)/(m+1)  |kappa| m/(m+1)  (1 + |kappa| m)/(m+1)
min, median, max  1 + kappa            |kappa|          1 + |kappa|
min-mean,         (1 + kappa)/2        |kappa|/2        (1 + |kappa|)/2
median-mean,
max-mean
================  ===================  ===============  =====================

With an empty buffer (m = 0, the first step of the reference implementation) the
direction is g alone: s = 1, B = 0, W = 1.  Only "mean" depends on m when m >= 1.

T (the largest age) is not fixed by the aggregation: it depends on the selection
rule and its decay, so it is always an input here.  m stored gradients have distinct
ages in 1..T, hence T >= m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory.constants import Bound, best_bound

AGGREGATIONS: tuple[str, ...] = (
    "sum", "mid", "mean", "min", "median", "max", "min-mean", "median-mean", "max-mean",
)

_FULL = ("sum", "min", "median", "max")            # g + kappa * (mean or pick)
_HALF = ("mid", "min-mean", "median-mean", "max-mean")  # (g + kappa * (mean or pick)) / 2


@dataclass(frozen=True)
class Constants:
    """Constants of one step's combination (or bounds over a range of steps)."""

    s_lo: float
    s_hi: float
    B: float
    W: float


def _check_aggregation(aggregation: str, kappa: float) -> float:
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
    kappa = float(kappa)
    if not np.isfinite(kappa):
        raise ValueError(f"kappa must be a finite real number, got {kappa!r}")
    return kappa


def _check_m(name: str, m: int) -> int:
    if isinstance(m, bool) or int(m) != m or m < 0:
        raise ValueError(f"{name} must be an integer >= 0 (number of stored gradients), got {m!r}")
    return int(m)


def aggregation_weights(aggregation: str, kappa: float, m: int) -> tuple[float, tuple[float, ...]]:
    """Weight a of the current gradient and weights b_1..b_m of the stored ones."""
    kappa = _check_aggregation(aggregation, kappa)
    m = _check_m("m", m)
    if m == 0:
        return 1.0, ()
    if aggregation in ("sum", "mid"):
        scale = 1.0 if aggregation == "sum" else 0.5
        return scale, (scale * kappa / m,) * m
    if aggregation == "mean":
        return 1.0 / (m + 1), (kappa / (m + 1),) * m
    scale = 1.0 if aggregation in _FULL else 0.5
    return scale, (scale * kappa,) + (0.0,) * (m - 1)  # the picked gradient, others unused


def aggregation_constants(aggregation: str, kappa: float, m: int) -> Constants:
    """Closed-form (s, s, B, W) of one step with m stored gradients (table above)."""
    kappa = _check_aggregation(aggregation, kappa)
    m = _check_m("m", m)
    k_abs = abs(kappa)
    if m == 0:
        s, B, W = 1.0, 0.0, 1.0
    elif aggregation in _FULL:
        s, B, W = 1.0 + kappa, k_abs, 1.0 + k_abs
    elif aggregation in _HALF:
        s, B, W = (1.0 + kappa) / 2, k_abs / 2, (1.0 + k_abs) / 2
    else:  # mean
        s, B, W = (1.0 + kappa * m) / (m + 1), k_abs * m / (m + 1), (1.0 + k_abs * m) / (m + 1)
    return Constants(s, s, B, W)


def aggregation_bounds(aggregation: str, kappa: float, topC: int, *, m_min: int = 1) -> Constants:
    """Constants over a run whose buffer holds m in ``m_min..topC`` gradients:
    s_lo = min_m s(m), s_hi = max_m s(m), B = max_m B(m), W = max_m W(m).

    The default ``m_min = 1`` describes the steps after the first (buffer not
    empty); ``m_min = 0`` includes the first step d_0 = g_0, which a whole-run
    application of Theorem 1 (from k = 0) strictly requires.
    """
    topC = _check_m("topC", topC)
    m_min = _check_m("m_min", m_min)
    if m_min > topC:
        raise ValueError(f"m_min must be <= topC ({topC}), got {m_min}")
    cs = [aggregation_constants(aggregation, kappa, m) for m in range(m_min, topC + 1)]
    return Constants(
        s_lo=min(c.s_lo for c in cs), s_hi=max(c.s_hi for c in cs),
        B=max(c.B for c in cs), W=max(c.W for c in cs),
    )


def promise(*, aggregation: str, kappa: float, T: int, mu: float, L: float, alpha: ArrayLike,
            m: int | None = None, topC: int | None = None, m_min: int = 1) -> Bound:
    """What Theorem 1 / 1b promise for an aggregation at step alpha.

    Give exactly one of ``m`` (a fixed buffer size) or ``topC`` (the buffer fills
    up: m ranges over ``m_min..topC``, see :func:`aggregation_bounds`).  T is the
    largest age of a stored gradient, T >= the largest m.  Returns the
    :class:`~memgd.theory.constants.Bound` of :func:`~memgd.theory.constants.best_bound`.
    """
    if (m is None) == (topC is None):
        raise ValueError("give exactly one of m (fixed buffer size) or topC (buffer fills up to topC)")
    c = aggregation_bounds(aggregation, kappa, topC, m_min=m_min) if m is None else \
        aggregation_constants(aggregation, kappa, m)
    m_top = _check_m("m", m) if m is not None else topC
    T_arr = np.asarray(T, dtype=np.float64)
    if np.any(np.isnan(T_arr)) or np.any(T_arr < m_top):
        raise ValueError(f"T must be an integer >= m = {m_top} (stored gradients have distinct ages 1..T), got {T!r}")
    return best_bound(mu=mu, L=L, alpha=alpha, s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W, T=T)
