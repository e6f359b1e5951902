"""Summary figures from certificates print only digits that every rate within the bisection's resolution shares."""

from types import SimpleNamespace

import numpy as np
import pytest

from memgd.proofs_check.report import digits
from memgd.proofs_check.report.evaluate import CERTIFICATE_RELATIVE_TOL, EPSILON
from memgd.theory import iteration_count


def _ev(rho: float, quadratic: float):
    """What digits reads of an Evaluation: its certified rate, the set's quadratic rate, iterations at a rate."""
    return SimpleNamespace(certified_rate=rho, worst_set_rate=quadratic,
                           iterations=lambda rate: float(iteration_count(eps=EPSILON, rate=rate)))


@pytest.mark.parametrize("seed", range(20))
def test_every_value_in_the_interval_rounds_to_the_printed_figure(seed):
    rng = np.random.default_rng(seed)
    centre = 10.0 ** rng.uniform(-3, 5)
    half = centre * 10.0 ** rng.uniform(-6, -1)
    lo, hi = centre - half, centre + half
    common = digits.common_rounding((lo, hi))
    if common is None:  # no common rounding even at one digit: both ends are shown
        assert digits.figure((lo, hi)).startswith("[") and digits.rounded(lo, 1) != digits.rounded(hi, 1)
        return
    text, d = common
    assert digits.figure((lo, hi)) == text
    for v in np.linspace(lo, hi, 101):
        assert digits.rounded(v, d) == text, (v, text)
    if d < digits.MAX_DIGITS:  # and one more digit would not be shared
        assert digits.rounded(lo, d + 1) != digits.rounded(hi, d + 1)


def test_a_point_keeps_three_digits_and_large_values_print_without_exponent_below_ten_thousand():
    assert digits.figure(0.0133333) == "0.0133" and digits.figure(14.0) == "14"
    assert digits.figure((986.0, 994.0)) == "990" and digits.figure((1.58e4, 1.6e4)) == "1.6e+04"
    assert digits.figure((0.352, 0.356)) == "0.4"  # 0.35 and 0.36 disagree: one digit, the one both share
    assert digits.figure((0.94, 1.06)) == "[0.94, 1.1]"


def test_two_machines_a_bisection_step_apart_print_consistent_figures():
    """The issue's case: the same certificate at rho and at rho + 0.9 tol (another machine's bisection).

    The old three-digit figures of iterations differ (5.19 against 5.21 in the issue); the interval figures
    of one are a rounding of the other's value."""
    quadratic = 0.9999
    tol = CERTIFICATE_RELATIVE_TOL * (1 - quadratic)
    thm = 828910.0  # iterations Theorem 1 needs at its best step (L = 100, T = 1, "mean")
    here, there = _ev(quadratic + 0.29 * tol, quadratic), _ev(quadratic + 0.95 * tol, quadratic)
    old = [f"{thm / ev.iterations(ev.certified_rate):.3g}" for ev in (here, there)]
    assert old[0] != old[1]  # three digits are not supported
    printed, d = digits.common_rounding(digits.ratio(thm, digits.certified_iterations(here)))
    value_there = thm / there.iterations(there.certified_rate)
    assert digits.rounded(value_there, d) == printed and d >= 2


def test_statistics_of_intervals_bound_the_statistic_of_any_values_inside():
    rng = np.random.default_rng(3)
    lows = rng.uniform(1, 10, 36)
    intervals = [(lo, lo * 1.01) for lo in lows]
    for fn in (np.median, min, max):
        lo, hi = digits.statistic(fn, intervals)
        for _ in range(50):
            inside = [rng.uniform(a, b) for a, b in intervals]
            assert lo <= fn(inside) <= hi


def test_certified_iterations_contain_the_count_at_every_rate_of_the_bracket():
    ev = _ev(0.99502, 0.995)
    tol = digits.bisection_tol(0.995)
    fewest, most = digits.certified_iterations(ev)
    counts = [ev.iterations(r) for r in np.linspace(ev.certified_rate - tol, ev.certified_rate + tol, 41)]
    assert fewest == min(counts) and most == max(counts) and fewest < most


def test_ratio_of_intervals_holds_every_quotient_of_values_inside():
    assert digits.ratio((2.0, 3.0), (4.0, 5.0)) == (0.4, 0.75)
    assert digits.ratio(10.0, (4.0, 5.0)) == (2.0, 2.5)
