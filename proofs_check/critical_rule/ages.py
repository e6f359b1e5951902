r"""How old the critical rule's gradients can get: the age theorem and its a priori floor.

**The rule as an order.**  The critical rule (replacement ``"smallest"``, either
``critical_test``) stores :math:`g_b` with priority :math:`\|g_b\|` and multiplies
every priority by ``decay`` :math:`=\delta` after each step, so at step k the entry
born at b has priority :math:`\|g_b\|\delta^{k-b}`; :math:`g_k` replaces the entry of
smallest priority iff :math:`\|g_k\| > p_{\min}`.  Dividing every priority by
:math:`\delta^k` turns this into the time-invariant key :math:`q_b = \|g_b\|\delta^{-b}`:
the buffer used at step k is the set of the ``top_c`` largest keys among
:math:`q_0, \dots, q_{k-1}` (ties kept by the earlier gradient).

**Age theorem.**  Let f be :math:`\mu`-strongly convex and L-smooth
(:math:`\kappa = L/\mu`), :math:`r_k = \|x_k - x^*\| > 0`, and suppose the run satisfies
:math:`r_{l+1} \ge r_{lo}\, r_l` for every step l before K, with :math:`r_{lo} > \delta`.
Then every stored gradient used at a step k <= K has age at most

.. math::

    T^* = C + \Bigl\lfloor \frac{\ln\kappa}{\ln(r_{lo}/\delta)} \Bigr\rfloor
    \qquad (C = \texttt{top\_c}).

Proof: :math:`\mu r \le \|\nabla f(x)\| \le L r` gives, for j > b,
:math:`q_j / q_b \ge \kappa^{-1}(r_{lo}/\delta)^{j-b} > 1` as soon as
:math:`j - b \ge \tau_0 = \lfloor \ln\kappa/\ln(r_{lo}/\delta)\rfloor + 1`.  The C
gradients born at :math:`b+\tau_0, \dots, b+\tau_0+C-1` all outrank :math:`g_b`, so once
they are all born (step :math:`k \ge b + \tau_0 + C`) the buffer, which holds the C
largest keys, cannot hold :math:`g_b`.  The full proof is in
``docs/math/critical_rule_ages.md``.

**Theorem A' (transients).**  The same proof gives, under
:math:`r_j \ge c\, r_{lo}^{\,j-b} r_b` for all b < j < K (some c > 0, :math:`r_{lo} > \delta`),
ages at most :math:`C + \max(0, \lfloor \ln(\kappa/c)/\ln(r_{lo}/\delta) \rfloor)`: a run
whose early steps contract fast (small per-step ratios) but whose distances stay
within a constant of a slower geometric rate is still covered.

**A priori floor.**  With every age at most T and :math:`r_{l+1} \ge r\, r_l` before k
(:math:`r \le 1`), :math:`r_{k+1} \ge r_k - \alpha\|d_k\| \ge
r_k\,\bigl(1 - \alpha L (|a_k| + r^{-T}\textstyle\sum_c |b_{k,c}|)\bigr)`.  So any
:math:`r \in (\delta, 1]` with

.. math::

    r \le 1 - \alpha L \max_{0 \le m \le C}\bigl(|a(m)| + B(m)\, r^{-T^*(r)}\bigr)

is, by induction on k, a valid per-step floor for *every* run of the rule with that
aggregation on *every* f of the class, and :math:`T^*(r)` bounds its ages a priori.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory import aggregation_weights


def _check_unit(name: str, value: ArrayLike, *, upper_open: bool) -> np.ndarray:
    v = np.asarray(value, dtype=np.float64)
    bad = ~np.isfinite(v) | (v <= 0) | ((v >= 1) if upper_open else (v > 1))
    if np.any(bad):
        rng = "(0, 1)" if upper_open else "(0, 1]"
        raise ValueError(f"{name} must lie in {rng}, got {value!r}")
    return v


def _check_top_c(top_c: ArrayLike) -> np.ndarray:
    c = np.asarray(top_c)
    if c.dtype.kind not in "iu" and not (c.dtype.kind == "f" and np.all(c == np.round(c))):
        raise ValueError(f"top_c must be an integer >= 1, got {top_c!r}")
    c = c.astype(np.int64)
    if np.any(c < 1):
        raise ValueError(f"top_c must be an integer >= 1, got {top_c!r}")
    return c


def age_bound(*, decay: ArrayLike, r_lo: ArrayLike, kappa: ArrayLike, top_c: ArrayLike,
              transient: ArrayLike = 1.0) -> np.ndarray:
    r""":math:`T^* = C + \max(0, \lfloor \ln(\kappa/c) / \ln(r_{lo}/\delta) \rfloor)`; ``inf`` where
    :math:`r_{lo} \le \delta`.

    ``transient`` is the constant :math:`c > 0` of the hypothesis
    :math:`r_j \ge c\, r_{lo}^{\,j-b}\, r_b` for all b < j (Theorem A' of the module doc;
    Theorem A is c = 1, where the max with 0 never matters since :math:`\kappa \ge 1`;
    c = 0 claims nothing).  Broadcasts its arguments; returns a float array (``inf`` marks
    "no bound claimed").
    ``r_lo`` is any positive number (a run whose distances grow has :math:`r_{lo} > 1`);
    ``kappa = L / mu >= 1``.
    """
    d = _check_unit("decay", decay, upper_open=True)
    r = np.asarray(r_lo, dtype=np.float64)
    if np.any(np.isnan(r) | (r < 0)):
        raise ValueError(f"r_lo must be a number >= 0, got {r_lo!r}")
    k = np.asarray(kappa, dtype=np.float64)
    if np.any(~np.isfinite(k) | (k < 1)):
        raise ValueError(f"kappa must be a finite number >= 1 (L / mu), got {kappa!r}")
    t = np.asarray(transient, dtype=np.float64)
    if np.any(np.isnan(t) | (t < 0)):
        raise ValueError(f"transient must be a number >= 0 (0: no claim), got {transient!r}")
    c = _check_top_c(top_c)
    d, r, k, t, c = np.broadcast_arrays(d, r, k, t, c)
    holds = (r > d) & np.isfinite(t) & (t > 0)
    extra = np.maximum(largest_power_within(np.where(holds, r, 2.0), np.where(holds, d, 1.0), k,
                                            np.where(holds, t, 1.0)), 0.0)
    return np.where(holds, c + extra, np.inf).astype(np.float64)


#: exponents up to which a near-tie is decided in exact rational arithmetic (beyond: the safe side)
EXACT_EXPONENT_LIMIT = 4096


def largest_power_within(ratio_num: np.ndarray, ratio_den: np.ndarray, kappa: np.ndarray,
                         transient: np.ndarray) -> np.ndarray:
    r"""The largest integer :math:`n` with :math:`(a/b)^n \le \kappa/c`, i.e.
    :math:`\lfloor \ln(\kappa/c) / \ln(a/b) \rfloor`, rounded outward (never below the true value).

    ``a = ratio_num > b = ratio_den > 0``.  The quotient of logarithms is computed in float64
    with an error bound derived from the operations (each logarithm within one ulp of its
    value, the division ``a/b`` within half an ulp, whose logarithm then moves by at most
    :math:`\varepsilon`, times a safety factor 4).  Where the floor of the quotient is the
    same at both ends of that error interval it is the answer.  Where it is not (an exact or
    near tie such as :math:`\ln 243 / \ln 3`, computed as 4.999999999999999), the integer is
    decided exactly: :math:`(a/b)^n \le \kappa/c \iff a^n c \le \kappa b^n` in rational
    arithmetic on the float64 inputs (``fractions.Fraction``), for exponents up to
    :data:`EXACT_EXPONENT_LIMIT`; beyond it the larger candidate (the safe side of an age
    bound) is returned.  Shapes broadcast; returns float64 (may be negative).
    """
    a, b, k, t = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                       (ratio_num, ratio_den, kappa, transient)))
    eps = np.finfo(np.float64).eps
    with np.errstate(divide="ignore", invalid="ignore"):
        log_k, log_t, den = np.log(k), np.log(t), np.log(a / b)
        num = log_k - log_t
        x = num / den
        err_num = eps * (np.abs(log_k) + np.abs(log_t) + np.abs(num))
        err_den = eps * (1.0 + np.abs(den))
        err = 4.0 * (err_num / den + np.abs(x) * (err_den / den + eps))
    lo, hi = np.floor(x - err), np.floor(x + err)
    out = np.array(hi, dtype=np.float64)
    for i in map(tuple, np.argwhere(lo != hi)):
        out[i] = _decide_exactly(float(a[i]), float(b[i]), float(k[i]), float(t[i]), lo[i], hi[i])
    return out


def _decide_exactly(a: float, b: float, kappa: float, t: float, lo: float, hi: float) -> float:
    """The largest n in [lo, hi] with a^n t <= kappa b^n, exactly (hi when undecidable cheaply)."""
    if hi > EXACT_EXPONENT_LIMIT or lo < -EXACT_EXPONENT_LIMIT:
        return hi
    fa, fb, fk, ft = (Fraction(v) for v in (a, b, kappa, t))
    n = int(hi)
    while n > lo:
        if (fa ** n * ft <= fk * fb ** n) if n >= 0 else (ft * fb ** -n <= fk * fa ** -n):
            return float(n)
        n -= 1
    return float(lo)


def step_weights(aggregation: str, top_c: int, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`|a(m)|` and :math:`B(m) = \sum_c |b_c(m)|` of the aggregation for m = 0..top_c stored gradients."""
    a, B = np.empty(top_c + 1), np.empty(top_c + 1)
    for m in range(top_c + 1):
        a_m, b_m = aggregation_weights(aggregation, scale, m)
        a[m], B[m] = abs(a_m), float(np.sum(np.abs(b_m)))
    return a, B


def floor_holds(*, r: ArrayLike, alpha_L: ArrayLike, decay: ArrayLike, kappa: ArrayLike, top_c: int,
                a_abs: np.ndarray, B: np.ndarray) -> np.ndarray:
    r"""Whether :math:`r` satisfies the a priori floor condition (module doc), elementwise, rounded outward.

    The right-hand side is computed in float64; :math:`r` must clear it by a margin bounding its
    rounding error (:data:`FLOOR_MARGIN_ULPS` ulps per operation), and :math:`T^*(r)` is exact
    (:func:`age_bound`), so a True answer holds for the exact values.

    ``a_abs``, ``B``: (top_c + 1,) weights of :func:`step_weights`.
    """
    r = np.asarray(r, dtype=np.float64)
    T = age_bound(decay=decay, r_lo=r, kappa=kappa, top_c=top_c)
    finite = np.isfinite(T) & (r <= 1)
    aL = np.asarray(alpha_L, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):   # r^{-T*} may overflow: the condition then fails
        growth = np.where(finite, r, 1.0) ** -np.where(finite, T, 0.0)   # r^{-T*} >= 1
        worst = np.max(a_abs + np.where(B > 0, B * growth[..., None], 0.0), axis=-1)
        lhs = 1.0 - aL * worst
        # outward: the computed right-hand side is within this of the exact one (the weights' sums,
        # one power, one product and one subtraction, each a few ulps), so r must clear it by that much
        margin = FLOOR_MARGIN_ULPS * np.finfo(np.float64).eps * (aL * worst * (top_c + 4) + 1.0)
    return finite & (r <= lhs - margin)


#: ulps of rounding allowed for in the a priori floor condition (times the operation count)
FLOOR_MARGIN_ULPS = 4.0


def contraction_floor(*, alpha_L: ArrayLike, decay: ArrayLike, kappa: ArrayLike, top_c: int, aggregation: str,
                      scale: float = 1.0, grid: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    r"""The largest grid point :math:`r \in (\delta, 1)` satisfying the a priori floor, and :math:`T^*(r)`.

    The grid is :math:`r = \delta + (1-\delta)\,i/\text{grid}`, i = 1..grid-1, per cell; every
    returned r is checked by :func:`floor_holds` (rounded outward), so it is a valid floor (a finer grid can only
    find a larger one).  Where no grid point qualifies: r = NaN, T = inf (no a priori
    bound claimed).  Returns arrays of the broadcast shape of ``alpha_L``, ``decay``, ``kappa``.
    """
    a_abs, B = step_weights(aggregation, top_c, scale)
    aL, d, k = np.broadcast_arrays(np.asarray(alpha_L, float), _check_unit("decay", decay, upper_open=True),
                                   np.asarray(kappa, float))
    if np.any(~np.isfinite(aL) | (aL <= 0)):
        raise ValueError(f"alpha_L must be a positive number, got {alpha_L!r}")
    frac = np.arange(1, grid) / grid
    r = d[..., None] + (1.0 - d[..., None]) * frac                       # (..., grid-1)
    ok = floor_holds(r=r, alpha_L=aL[..., None], decay=d[..., None], kappa=k[..., None], top_c=top_c,
                     a_abs=a_abs, B=B)
    any_ok = ok.any(axis=-1)
    last = ok.shape[-1] - 1 - np.argmax(ok[..., ::-1], axis=-1)           # largest qualifying index
    r_best = np.where(any_ok, np.take_along_axis(r, last[..., None], axis=-1)[..., 0], np.nan)
    T = np.where(any_ok, age_bound(decay=d, r_lo=np.where(any_ok, r_best, 1.0), kappa=k, top_c=top_c), np.inf)
    return r_best, T


__all__: Sequence[str] = ("age_bound", "largest_power_within", "step_weights", "floor_holds", "contraction_floor")
