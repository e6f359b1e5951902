"""Rate sweeps of any rule: the numbers are right, the patterns are the engine's, the figure draws them.

Independent references: plain gradient descent's tight rate max(|1 - alpha mu|, |1 - alpha L|)
(also Theorem 1 with B = 0: 1 - alpha mu); the pattern d = g_k + g_{k-1}'s exact rate, the
larger root of z^2 - (1 - alpha mu) z + alpha mu (h = mu, docs/math/certificates.md's 0.894076 at
alpha = 0.05).  The patterns a rule is said to use are compared with the weights and ages the
engine actually applied (traced runs).  The figure's lines are compared bit for bit with the sweep's
arrays: matplotlib keeps the arrays it is given, no arithmetic runs in between.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import memgd.proofs_check.sweeps.rates as sweep_module
from memgd.figures import draw_rate_sweep, plot_memory_sweep, plot_rate_sweep
from memgd.proofs_check.properties.pattern_check import check_declared_patterns
from memgd.proofs_check.report.figure_data import REFERENCE_PATTERN, scripted_rule
from memgd.proofs_check.sweeps import BOUND_NAMES, memory_sweep, rate_sweep, rule_patterns
from memgd.solvers import (
    AgeWeights, Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, Momentum, RandomSubset,
    RandomWeights, Scripted, make_quadratics, run,
)
from memgd.theory import Pattern, exact_rate
from memgd.theory.constants2 import rate2

MU, L = 1.0, 10.0
SMALL = dict(n=3, d=4, steps=1500, families=("quadratic",))


def _gd_rate(alpha):
    return max(abs(1 - alpha * MU), abs(1 - alpha * L))


def _reference_exact(alpha):
    p = 1 - alpha * MU
    return (p + math.sqrt(p * p - 4 * alpha * MU)) / 2


@pytest.fixture(scope="module")
def gd_sweep():
    return rate_sweep(Fifo(0), Aggregation("sum"), alphas=[0.02, 0.1, 0.19], **SMALL)


@pytest.fixture(scope="module")
def pattern_sweep():
    selection, combination = scripted_rule(REFERENCE_PATTERN)
    return rate_sweep(selection, combination, alphas=[0.005, 0.05], **SMALL)


def test_plain_gradient_descent_matches_its_closed_forms(gd_sweep):
    expected = np.array([_gd_rate(a) for a in gd_sweep.alpha])
    np.testing.assert_allclose(gd_sweep.bound("exact_quadratic").values, expected, rtol=0, atol=1e-12)
    # T = 0 certificates equal gradient descent's tight rate (searched to cert_tol = 1e-6)
    cert = gd_sweep.bound("certificate").values
    assert np.all(cert >= expected - 1e-9) and np.all(cert <= expected + 2e-6)
    # quadratics with the endpoints mu and L in their spectrum attain the rate
    np.testing.assert_allclose(gd_sweep.empirical, expected, atol=1e-6)
    # Theorem 1 with B = 0, s = 1, T = 0: rho = 1 - alpha mu where alpha <= 2/(mu + L); vacuous beyond
    theorem = gd_sweep.bound("theorem_declared")
    assert theorem.values[0] == pytest.approx(1 - 0.02 * MU, abs=1e-12)
    assert theorem.values[1] == pytest.approx(1 - 0.1 * MU, abs=1e-12)
    assert np.isnan(theorem.values[2]) and "vacuous" in theorem.notes[2]  # 0.19 > 2/11


def test_a_fixed_pattern_matches_the_exact_rate_and_the_reference_figure(pattern_sweep):
    expected = np.array([_reference_exact(a) for a in pattern_sweep.alpha])
    exact = pattern_sweep.bound("exact_quadratic").values
    np.testing.assert_allclose(exact, expected, atol=1e-9)
    assert exact[1] == pytest.approx(0.894076, abs=1e-6)
    np.testing.assert_allclose(exact, exact_rate(MU, L, pattern_sweep.alpha, REFERENCE_PATTERN), rtol=0, atol=0)
    cert = pattern_sweep.bound("certificate").values
    assert np.all(cert >= expected - 1e-9) and np.all(cert <= expected + 1e-5)  # tight for one pattern
    np.testing.assert_allclose(pattern_sweep.empirical, expected, atol=1e-4)
    # a posteriori, the run's constants are the pattern's own (s = 2, B = 1, W = 2, T = 1): Theorem 1 gives
    # the root of rho^3 = 0.99 rho^2 + 0.005 at alpha = 0.005 (the README's 0.99505; the earlier form of L6 gave
    # 0.995^(1/3) = 0.99833); the weights (1, 1) are nonnegative, so Theorem 2 is admitted and, smaller, chosen:
    # the README's 0.99062 (with the exact smallest lambda; the old lambda grid gave 0.99065)
    realized = pattern_sweep.bound("theorem_realized")
    assert realized.detail[0] == "2" and realized.values[0] < 0.995 ** (1 / 3) - 1e-3
    assert realized.values[0] == float(rate2(mu=MU, L=L, alpha=0.005, s_lo=2.0, B=1.0, W=2.0, T=1, nonnegative=True))
    assert round(realized.values[0], 5) == 0.99062
    # a priori, AgeWeights((1, 1)) declares nonnegative weights and that any subset of its ages may be used
    # (s_lo = 1, s_hi = 2, B = 1, W = 2, T = 1): Theorem 1/1b are vacuous at alpha = 0.005, Theorem 2 is not;
    # at alpha = 0.05 all three are
    declared = pattern_sweep.bound("theorem_declared")
    assert declared.detail[0] == "2"
    assert declared.values[0] == float(rate2(mu=MU, L=L, alpha=0.005, s_lo=1.0, B=1.0, W=2.0, T=1, nonnegative=True))
    assert np.isnan(declared.values[1]) and "vacuous" in declared.notes[1] and "2" in declared.notes[1]


def test_unknown_patterns_and_other_optimizers_give_reasons_never_numbers():
    crit = rate_sweep(CriticalGradients(2, 0.7), Aggregation("sum"), alphas=[0.01], **SMALL)
    for name in ("theorem_declared", "certificate", "exact_quadratic"):
        assert np.isnan(crit.bound(name).values).all()
        assert crit.bound(name).reason.startswith("not available")
    assert "bounds no age" in crit.bound("theorem_declared").reason
    mom = rate_sweep(Fifo(1), Aggregation("sum"), alphas=[0.01], base=Momentum(0.5), certificates=False, **SMALL)
    for name in ("theorem_declared", "theorem_realized", "certificate", "exact_quadratic"):
        assert np.isnan(mom.bound(name).values).all() and "gradient descent" in mom.bound(name).reason
    assert np.isfinite(mom.empirical).all()


def test_the_lower_bound_column_is_reserved_and_empty(gd_sweep):
    col = gd_sweep.bound("lower_bound")
    assert np.isnan(col.values).all() and col.reason.startswith("not available")
    assert set(gd_sweep.bounds) == set(BOUND_NAMES)
    assert all(row["lower_bound"] is None for row in gd_sweep.table())


def test_memory_sweep_over_the_maximum_age_adversary():
    sweep = memory_sweep(lambda m: (KeepOldest(m, max_age=2), Aggregation("sum")), [0, 1, 2], alpha=0.02, **SMALL)
    exact = sweep.bound("exact_quadratic").values
    assert exact[0] == pytest.approx(_gd_rate(0.02), abs=1e-12)  # C = 0: gradient descent
    # C = 1: the oldest of ages 1..2 only, d = g_k + g_{k-2}
    assert exact[1] == pytest.approx(float(exact_rate(MU, L, 0.02, Pattern((0, 2), (1.0, 1.0)))), abs=0)
    np.testing.assert_allclose(sweep.empirical, exact, atol=1e-4)
    assert list(sweep.values) == [0, 1, 2] and sweep.variable == "memory"


# ----------------------------------------------------------------------------- the patterns are the engine's


def _observed(selection, combination, steps=12):
    P = make_quadratics(2, 3, MU, L, rng=np.random.default_rng(4))
    res = run(P, selection, combination, 0.01, steps, tol=0.0, trace=True, rng=5)
    out = []
    for k in range(steps):
        for i in range(P.n):
            b, ages = res.trace.b[k, i], res.trace.slot_ages[k, i]
            used = np.flatnonzero(b != 0)
            order = used[np.argsort(ages[used])]
            out.append((k, (0, *(int(a) for a in ages[order])), (float(res.trace.a[k, i]), *b[order])))
    return out


def _contains(patterns, ages, weights):
    return any(p.ages == ages and np.allclose(p.weights, weights, rtol=1e-15, atol=0) for p in patterns)


@pytest.mark.parametrize("selection, combination", [
    (Fifo(3), Aggregation("sum")), (Fifo(2), Aggregation("mean", 0.5)), (Fifo(2), Aggregation("mid")),
    (Fifo(3), Aggregation("max")), (Fifo(2), FixedWeights(1.0, (0.4, -0.2))),
    (Fifo(3), AgeWeights((1.0, 0.3, 0.0, 0.2))), (KeepOldest(2, max_age=3), Aggregation("sum")),
    (KeepOldest(2, max_age=3), Aggregation("median-mean")), (RandomSubset(3, 2), Aggregation("sum")),
    (Scripted(((1,), (2, 3), (1, 3)), max_age=3), FixedWeights(1.0, (0.5, 0.25))),
    (Scripted(((1,), (2,), (1, 2), (2,)), max_age=2), Aggregation("mean", 2.0)),
    (Fifo(1), Aggregation("sum", 0.0)),
])
def test_declared_patterns_hold_every_step_the_engine_takes_from_max_age_on(selection, combination):
    """The declarations' contract: every step k >= max_age is one of the recurrent patterns (traced weights,
    to the last bits: the declarations compute the weights as the engine does)."""
    known = rule_patterns(selection, combination)
    observed = _observed(selection, combination)
    for k, ages, weights in observed:
        if k >= selection.max_age:
            assert _contains(known.recurrent, ages, weights), (k, ages, weights, known.recurrent)
            if known.steady is not None:
                assert _contains((known.steady,), ages, weights), (k, ages, weights, known.steady)
    P = make_quadratics(2, 3, MU, L, rng=np.random.default_rng(4))
    check = check_declared_patterns(run(P, selection, combination, 0.01, 12, tol=0.0, rng=5), selection, combination)
    assert check.holds and check.checked == 2 * (12 - selection.max_age)


def test_rules_without_known_patterns_say_why():
    for selection, combination, words in (
        (CriticalGradients(2, 0.7), Aggregation("sum"), "bounds no age"),
        (KeepOldest(2), Aggregation("sum"), "bounds no age"),
        (Fifo(2), RandomWeights((1.0, 1.0), (0.0, 0.5)), "declares no weights"),
    ):
        known = rule_patterns(selection, combination)
        assert known.patterns is None and known.steady is None and words in known.reason


# ----------------------------------------------------------------------------- the figure


def _line(fig: Figure, gid: str):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_the_figure_draws_exactly_the_computed_numbers(pattern_sweep):
    fig = draw_rate_sweep(pattern_sweep)
    emp = _line(fig, "empirical")
    np.testing.assert_array_equal(emp.get_xdata(), pattern_sweep.alpha)
    np.testing.assert_array_equal(emp.get_ydata(), pattern_sweep.empirical)
    for name in BOUND_NAMES:
        col = pattern_sweep.bound(name)
        gids = [a.get_gid() for ax in fig.axes for a in ax.get_children()]
        if col.available.any():
            line = _line(fig, f"bound:{name}")
            np.testing.assert_array_equal(line.get_xdata(), pattern_sweep.values)
            np.testing.assert_array_equal(line.get_ydata(), col.values)  # NaN where not available: a gap
        else:
            assert f"bound:{name}" not in gids
    note = _line(fig, "not_available").get_text()
    assert "lower bound over the class" in note and "not computed yet" in note
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_legend() is not None


def test_plot_calls_return_the_data_and_its_figure():
    sweep, fig = plot_rate_sweep(Fifo(1), Aggregation("sum"), alphas=[0.01, 0.05], certificates=False, **SMALL)
    np.testing.assert_array_equal(_line(fig, "bound:exact_quadratic").get_ydata(),
                                  sweep.bound("exact_quadratic").values)
    # Fifo(1) + sum is d = g_k + g_{k-1} once its memory is filled: the reference pattern's rate
    np.testing.assert_allclose(sweep.bound("exact_quadratic").values, [_reference_exact(a) for a in (0.01, 0.05)],
                               atol=1e-9)
    sweep, fig = plot_memory_sweep(lambda m: (Fifo(m), Aggregation("sum")), [0, 1], alpha=0.05, certificates=False,
                                   **SMALL)
    np.testing.assert_array_equal(_line(fig, "empirical").get_xdata(), [0.0, 1.0])


# ----------------------------------------------------------------------------- bad input, before any run


@pytest.fixture
def no_runs(monkeypatch):
    def trip(*args, **kwargs):
        raise AssertionError("a run started before the input was checked")

    monkeypatch.setattr(sweep_module, "run", trip)


@pytest.mark.parametrize("kwargs, words", [
    (dict(alphas=[]), "alphas"), (dict(alphas=[0.01, -1.0]), "alphas"), (dict(alphas=[[0.01]]), "alphas"),
    (dict(steps=3), "steps"), (dict(problems="quadratics"), "problems"), (dict(families=("bogus",)), "families"),
    (dict(mu=2.0, L=1.0), "L must be >= mu"), (dict(n=0), "n"), (dict(patterns=["x"]), "patterns"),
])
def test_rate_sweep_refuses_bad_input_before_any_run(kwargs, words, no_runs):
    with pytest.raises(ValueError, match=words):
        rate_sweep(Fifo(1), Aggregation("sum"), **kwargs)


@pytest.mark.parametrize("factory, sizes, words", [
    ("Fifo", [1], "factory"), (lambda m: Fifo(m), [1], r"factory\(1\) must return"),
    (lambda m: (Fifo(m), Aggregation("sum")), [1, -1], "sizes"), (lambda m: (Fifo(m), Aggregation("sum")), [], "sizes"),
])
def test_memory_sweep_refuses_bad_input_before_any_run(factory, sizes, words, no_runs):
    with pytest.raises(ValueError, match=words):
        memory_sweep(factory, sizes, alpha=0.01)
    with pytest.raises(ValueError, match="alpha"):
        memory_sweep(lambda m: (Fifo(m), Aggregation("sum")), [1], alpha=0.0)
