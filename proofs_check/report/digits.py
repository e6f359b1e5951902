r"""The digits a summary figure can print: those that every value its inputs allow would print alike.

A figure made from a certificate is known only to the certificate's resolution.  The rate
:math:`\rho` comes from a bisection that stops when the bracket is shorter than
:math:`\mathrm{tol} = 10^{-3}(1 - \rho_{quad})` (``CERTIFICATE_RELATIVE_TOL`` of the gap
below 1, :mod:`~memgd.proofs_check.report.evaluate`): the smallest certifiable rate lies in the
last bracket, and another machine (another BLAS or SIMD kernel in the solver) may stop at any
rate of it.  So every :math:`\rho` is taken as the interval :math:`[\rho - \mathrm{tol},
\rho + \mathrm{tol}]`, and everything computed from it as an interval:

- iterations at the certified rate, :math:`K = \lceil \ln(1/\varepsilon) / \ln(1/\rho) \rceil`,
  :func:`certified_iterations` (at both ends of the rate's interval, so the ceiling is inside);
  the transient :math:`c` is left out: it is solved at the bracket's upper end, right above the
  threshold where :math:`c` grows without bound, and a step of the bracket moves it by a factor
  of ten (:math:`\rho = 0.9999`: :math:`c` from 10 to 97), far beyond any solver tolerance;
- tightness :math:`(1 - \rho) / (1 - \rho_{low})`, :func:`tightness_interval` (the verified lower
  bound :math:`\rho_{low}`, an exact quadratic or switching rate, is determined to rounding);
- ratios, medians, minima and maxima of intervals: each is monotone in every argument, so its
  interval is its value at the ends (:func:`ratio`, :func:`statistic`).

:func:`figure` prints an interval with the most significant digits (at most 3, the report's
``.3g``) at which both ends round to the same text: any value within the tolerances prints that
text or a shorter rounding of it, never a contradicting digit.  Deterministic figures (a point
interval) keep 3 digits.  Assumed: the solver's yes/no answers are monotone in :math:`\rho` (a
failed solve below a feasible one would move the bracket), and discrete outcomes (whether a
certificate verifies at all, or is pattern-dependent) are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Interval = tuple[float, float]
MAX_DIGITS = 3


def bisection_tol(quadratic_rate: float) -> float:
    """The certificate search's resolution at a pattern set whose largest exact quadratic rate is given."""
    from memgd.proofs_check.report.evaluate import CERTIFICATE_RELATIVE_TOL  # evaluate imports sandwich, which uses this

    return CERTIFICATE_RELATIVE_TOL * max(1.0 - quadratic_rate, 1e-9)


def certified_iterations(ev) -> Interval:
    """K at the certified rate of evaluation ``ev`` (transient left out), over rho +- tol: (fewest, most)."""
    rho, tol = ev.certified_rate, bisection_tol(ev.worst_set_rate)
    return (ev.iterations(max(rho - tol, 0.0)), ev.iterations(min(rho + tol, np.nextafter(1.0, 0.0))))


def tightness_interval(rho: float, low: float, tol: float) -> Interval:
    """(1 - rho) / (1 - low) over rho +- tol."""
    return ((1.0 - rho - tol) / (1.0 - low), (1.0 - rho + tol) / (1.0 - low))


def ratio(numerator: Interval | float, denominator: Interval | float) -> Interval:
    """numerator / denominator for positive intervals."""
    n = numerator if isinstance(numerator, tuple) else (numerator, numerator)
    d = denominator if isinstance(denominator, tuple) else (denominator, denominator)
    return (n[0] / d[1], n[1] / d[0])


def statistic(fn: Callable[[Sequence[float]], float], intervals: Sequence[Interval]) -> Interval:
    """``fn`` (median, min, max: nondecreasing in each argument) of values known to lie in ``intervals``."""
    return (float(fn([i[0] for i in intervals])), float(fn([i[1] for i in intervals])))


def rounded(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, as ``g`` prints it but without an exponent below 10^4."""
    text = f"{value:.{digits}g}"
    if "e+" in text and abs(float(text)) < 1e4:
        text = str(int(float(text)))
    return text


def common_rounding(interval: Interval | float) -> tuple[str, int] | None:
    """(text, significant digits): the most digits (at most 3) at which both ends round alike; None if none."""
    lo, hi = interval if isinstance(interval, tuple) else (interval, interval)
    for digits in range(MAX_DIGITS, 0, -1):
        a, b = rounded(lo, digits), rounded(hi, digits)
        if a == b:
            return a, digits
    return None


def figure(interval: Interval | float) -> str:
    """The interval's common rounding (:func:`common_rounding`); ``[lo, hi]`` at two digits if there is none."""
    common = common_rounding(interval)
    if common is not None:
        return common[0]
    lo, hi = interval
    return f"[{rounded(lo, 2)}, {rounded(hi, 2)}]"


def spread(intervals: Sequence[Interval], suffix: str = "") -> str:
    """``median M, range A to B`` of values known to lie in ``intervals``, each printed by :func:`figure`."""
    return (f"median {figure(statistic(np.median, intervals))}, range {figure(statistic(min, intervals))} "
            f"to {figure(statistic(max, intervals))}{suffix}")
