"""Verified lower bounds (quadratic, switching, PEPit) and the report's false-certificate checks.

The mutation tests build certifiers on a deliberately broken proof (``tests/mutations.py``)
and show that the report's own judge (:func:`memgd.proofs_check.report.sandwich.judge`,
the function ``evaluate`` uses) fails on each, while it passes on the real certifier.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from memgd.proofs_check.certificates.certify import certify, make_certifier
from memgd.proofs_check.certificates.patterns import aggregation_patterns
from memgd.proofs_check.lower_bounds.pep import pep_lower_bound
from memgd.proofs_check.lower_bounds.quadratic import (
    QuadraticWitness, fixed_pattern_lower_bound, switching_lower_bound, verify_witness, word_radius,
)
from memgd.proofs_check.report.sandwich import judge, lower_bounds
from memgd.solvers.status import Status
from memgd.theory import critical_step, exact_rate
from memgd.theory.pattern import Pattern

sys.path.insert(0, str(Path(__file__).parent))
import mutations  # noqa: E402

MU, L = 1.0, 10.0
# the issue's unsound case: the quadratic-only identity certifies 0.76733 here
ISSUE_PATTERN, ISSUE_ALPHA = Pattern((0, 1), (0.963, 0.259)), 0.2273


def _brute_force_switching(mu, L, alpha, patterns, max_period, n_h):
    """max over an h grid and all words up to max_period of rho(A_w)^(1/|w|), by enumeration."""
    T = max(p.T for p in patterns)
    best = 0.0
    for h in np.linspace(mu, L, n_h):
        mats = []
        for pat in patterns:
            A = np.zeros((T + 1, T + 1))
            A[0, :] = -alpha * h * pat.dense_weights(T)
            A[0, 0] += 1.0
            A[1:, :-1] += np.eye(T)
            mats.append(A)
        for p in range(1, max_period + 1):
            for seq in itertools.product(range(len(mats)), repeat=p):
                M = np.eye(T + 1)
                for i in seq:
                    M = mats[i] @ M
                best = max(best, float(np.abs(np.linalg.eigvals(M)).max()) ** (1.0 / p))
    return best


# ---------------------------------------------------------------- quadratic and switching bounds


def test_fixed_pattern_bound_is_the_exact_rate_with_its_eigenvalue():
    pat = Pattern((0, 1), (1.0, 1.0))
    w = fixed_pattern_lower_bound(MU, L, 0.05, pat)
    assert w.verified and w.word == (0,)
    assert w.rate == pytest.approx((0.95 + np.sqrt(0.95**2 - 0.2)) / 2, rel=1e-12)  # root of z^2 - 0.95 z + 0.05 (h = mu)
    assert w.h == pytest.approx(MU)
    # gradient descent: max(|1 - alpha mu|, |1 - alpha L|)
    gd = fixed_pattern_lower_bound(MU, L, 0.15, Pattern.plain())
    assert gd.rate == pytest.approx(0.85, rel=1e-12) and gd.h == pytest.approx(MU)


@pytest.mark.parametrize("agg, T, C, frac", [("sum", 2, 1, 0.5), ("sum", 3, 1, 0.5), ("mean", 2, 2, 0.9)])
def test_switching_search_matches_enumeration(agg, T, C, frac):
    pats = aggregation_patterns(agg, T, C)
    alpha = frac * min(critical_step(MU, L, p) for p in pats)
    w = switching_lower_bound(MU, L, alpha, pats, max_length=4)
    brute = _brute_force_switching(MU, L, alpha, pats, 4, 19)
    assert w.verified
    assert w.rate >= brute - 1e-12            # the search is at least as good as enumeration on a coarser grid
    assert w.rate >= max(exact_rate(MU, L, alpha, list(pats))) - 1e-15
    assert w.rate == pytest.approx(word_radius(alpha, w.h, pats, w.word), rel=1e-12)


def test_switching_is_strictly_worse_than_every_single_pattern():
    """Issue 11: ages {1}, {2}, {3} with weights (1, 1) switch to 0.9645 against 0.9324 for each alone."""
    pats = aggregation_patterns("sum", 3, 1)
    alpha = 0.5 * min(critical_step(MU, L, p) for p in pats)
    w = switching_lower_bound(MU, L, alpha, pats)
    single = max(exact_rate(MU, L, alpha, list(pats)))
    assert w.verified and len(w.word) > 1
    assert w.rate > single + 0.03


def test_a_forged_witness_is_refused():
    pat = Pattern((0, 1), (1.0, 1.0))
    w = fixed_pattern_lower_bound(MU, L, 0.05, pat)
    forged = QuadraticWitness(w.kind, w.rate + 1e-3, w.h, w.word, w.patterns, True)
    assert not verify_witness(MU, L, 0.05, forged).verified
    outside = QuadraticWitness(w.kind, w.rate, 2 * L, w.word, w.patterns, True)
    assert not verify_witness(MU, L, 0.05, outside).verified


def test_bad_input_raises():
    with pytest.raises(ValueError):
        switching_lower_bound(MU, L, 0.05, [])
    with pytest.raises(ValueError):
        switching_lower_bound(MU, L, 0.05, [Pattern.plain()], max_length=0)
    with pytest.raises(ValueError):
        pep_lower_bound(MU, L, 0.05, [Pattern.plain()], (1,))
    with pytest.raises(ValueError):
        pep_lower_bound(MU, L, 0.05, [Pattern.plain()], (0,), (0,))


# ---------------------------------------------------------------- PEPit bound


def test_pep_bound_of_gradient_descent_is_known():
    b = pep_lower_bound(MU, L, 0.15, [Pattern.plain()], (0,), (2, 4))  # max(|1 - 0.15|, |1 - 1.5|) = 0.85
    assert all(v == pytest.approx(0.85 ** (2 * n), rel=1e-5) for n, v in zip(b.horizons, b.values))
    assert b.per_step_rate == pytest.approx(0.85, rel=1e-5)


def test_pep_of_a_switching_word_is_at_least_its_quadratic():
    """PEPit's worst case of a word contains the quadratic at the witness h: omega_N >= y_N^2."""
    pats = aggregation_patterns("sum", 3, 1)
    alpha = 0.5 * min(critical_step(MU, L, p) for p in pats)
    w = switching_lower_bound(MU, L, alpha, pats)
    N = 8
    b = pep_lower_bound(MU, L, alpha, pats, w.word, (N,))
    assert b.values[0] is not None
    ys = [1.0]
    for k in range(N):
        pat = pats[w.word[k % len(w.word)]]
        ys.append(ys[-1] - alpha * w.h * sum(wt * ys[max(k - a, 0)] for a, wt in zip(pat.ages, pat.weights)))
    assert b.values[0] >= ys[-1] ** 2 * (1 - 1e-6)


# ---------------------------------------------------------------- the judge on the real certifier


@pytest.fixture(scope="module")
def issue_bounds():
    return lower_bounds(MU, L, ISSUE_ALPHA, [ISSUE_PATTERN])


def _failed(cert, bounds):
    return [c for c in judge("case", cert, bounds) if not c.passed]


def test_real_certifier_passes_the_report_checks(issue_bounds):
    cert = certify(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert cert.certified
    checks = judge("case", cert, issue_bounds)
    assert len(checks) >= 4 and all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


def test_real_certifier_passes_on_a_switching_set():
    pats = aggregation_patterns("sum", 2, 1)
    alpha = 0.5 * min(critical_step(MU, L, p) for p in pats)
    cert = certify(MU, L, alpha, pats, tol=1e-4)
    bounds = lower_bounds(MU, L, alpha, pats, horizons=(1, 5))
    checks = judge("set", cert, bounds)
    assert cert.certified and any("switching" in c.name for c in checks)
    assert all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


# ---------------------------------------------------------------- mutations: the checks can fail


def test_quadratic_only_identity_is_a_false_certificate(issue_bounds):
    """Issue 11's case: certified 0.76733, at the quadratic rate, while the class is far slower."""
    cert = make_certifier(mutations.quadratic_identity_rules())(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert cert.certified and cert.rho < 0.768  # the broken proof verifies against its own model
    failed = _failed(cert, issue_bounds)
    assert any("PEPit" in c.name and "false certificate" in c.detail for c in failed)


def test_unit_transient_constant_is_a_false_certificate(issue_bounds):
    cert = make_certifier(mutations.unit_transient_rules())(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert cert.certified and cert.transient == 1.0
    failed = _failed(cert, issue_bounds)
    assert any("PEPit" in c.name and "N=1:" in c.detail for c in failed)


def test_dropped_interpolation_pair_fails_the_completeness_check(issue_bounds):
    """Dropping I(x_{k-1}, x_k) leaves the proof sound but too weak: no certificate where one exists."""
    cert = make_certifier(mutations.dropped_pair_rules((0, 1)))(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert not cert.certified
    assert any("single pattern certified" in c.name for c in _failed(cert, issue_bounds))


def test_wrong_sign_in_the_decrease_is_a_false_certificate(issue_bounds):
    cert = make_certifier(mutations.wrong_sign_decrease_rules())(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert cert.certified and cert.rho < 0.5
    failed = _failed(cert, issue_bounds)
    assert any(c.name.endswith("certificate >= fixed pattern lower bound") for c in failed)
    assert any("PEPit" in c.name for c in failed)


def test_wrong_sign_of_the_interpolation_terms_fails_the_completeness_check(issue_bounds):
    cert = make_certifier(mutations.flipped_multiplier_rules())(MU, L, ISSUE_ALPHA, ISSUE_PATTERN, tol=1e-5)
    assert not cert.certified
    assert any("single pattern certified" in c.name for c in _failed(cert, issue_bounds))


# ---------------------------------------------------------------- the whole per-scenario evaluation


@pytest.fixture(scope="module")
def issue_scenario():
    from memgd.proofs_check.report.scenarios import Scenario
    from memgd.solvers import FixedWeights, KeepOldest

    return Scenario("issue-case", MU, L, KeepOldest(1, max_age=1), FixedWeights(0.963, (0.259,)), ISSUE_ALPHA,
                    steps=300, expect=None, pattern_set=(ISSUE_PATTERN,))


@pytest.mark.parametrize("mutation, expected", [
    (None, None),
    ("quadratic_identity_rules", "a false certificate"),   # only PEPit can see it: the rate equals the quadratic one
    ("unit_transient_rules", "a false certificate"),
    ("wrong_sign_decrease_rules", "a false certificate"),
    ("dropped_pair", "no certificate"),                    # sound but too weak: the completeness check
])
def test_report_evaluation_fails_exactly_on_broken_certifiers(issue_scenario, mutation, expected, monkeypatch):
    """``evaluate`` (the report's per-scenario unit) on a certifier built on a broken proof."""
    from memgd.proofs_check.report import evaluate as ev_mod

    if mutation == "dropped_pair":
        monkeypatch.setattr(ev_mod, "certify", make_certifier(mutations.dropped_pair_rules((0, 1))))
    elif mutation is not None:
        monkeypatch.setattr(ev_mod, "certify", make_certifier(getattr(mutations, mutation)()))
    ev = ev_mod.evaluate(issue_scenario, n=2, d=3, lower_bound_horizons=(1, 10))
    failed = [c for c in ev.checks if not c.passed]
    if mutation is None:
        assert ev.certificate.certified and not failed, [c.detail for c in failed]
        assert any("PEPit" in c.name for c in ev.checks) and any("lower bound" in c.name for c in ev.checks)
    else:
        assert any(expected in c.detail for c in failed), [(c.name, c.detail) for c in failed]
