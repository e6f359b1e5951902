"""The falsification search (issue 22): every registered claim survives its short profile, and the
search can tell a false claim from a true one.

Each claim's short profile is the same search the report runs in its long profile, with fewer
settings; its verdicts (no counterexample, attained where tight, refusals, edge) are asserted
here.  That the verdicts can fail is shown by the curated mutations (tests/test_mutations.py)
and by the hand-made false theorems below, whose counterexamples are known from the issue.
"""

import math

import numpy as np
import pytest

from memgd.proofs_check.falsification import (
    PROFILES, REGISTRY, RateTheorem, Setting, TightCase, falsify, rate_slack, register,
)
from memgd.proofs_check.falsification.adversary import PatternClass, extreme_patterns
from memgd.proofs_check.falsification.core import SlackLog
from memgd.theory import Pattern, alpha_max2, exact_rate, rate2

CLAIMS = ["Theorem 1", "Theorem 1b", "Theorem 2", "Age theorem A", "Age theorem A'", "Age theorem B (a priori floor)",
          "Run check (r_k <= C rho^k r_0 at every step)", "Lower-bound searches (switching, fixed pattern, PEPit)",
          "Declared constants of the built-in rules"]


def test_the_package_registers_its_claims():
    assert list(REGISTRY)[: len(CLAIMS)] == CLAIMS


@pytest.mark.parametrize("name", CLAIMS)
def test_each_claim_survives_its_short_search(name):
    result = falsify(name, "short")
    assert result.verdicts and result.passed, [(v.name, v.detail) for v in result.failed]
    assert sum(result.tried.values()) > 0
    low = result.overall
    assert low is not None and low.where          # the smallest slack is reported with where it was found


def test_rate_theorems_search_the_whole_domain():
    """kappa from 1 (and 1 + 1e-6) to 1e4, T from 0 to 64, steps up to the edge, every admitted sign."""
    th = REGISTRY["Theorem 1"]
    grid = th.structured(1)
    kappas = {s.kappa for s in grid}
    assert {1.0, 1 + 1e-6, 1e4} <= kappas
    assert {0, 1, 64} <= {s.pattern.T for s in grid}
    assert 1.0 in {s.frac for s in grid}
    assert any(min(s.pattern.weights) < 0 for s in grid)               # signed weights, Theorem 1 admits them
    assert all(min(s.pattern.weights) >= 0 for s in REGISTRY["Theorem 2"].structured(2))


def test_slack_is_the_ratio_of_iteration_counts():
    assert rate_slack(0.9, 0.9) == 0.0
    assert rate_slack(0.81, 0.9) == pytest.approx(1.0)               # the witness needs half the iterations
    assert rate_slack(1.0, 0.9) == -1.0 and rate_slack(1.01, 0.9) < -1  # a diverging witness
    assert rate_slack(0.0, 0.5) == math.inf


def _false_theorem_2(drop):
    """Theorem 2 with the factor M dropped (issue 22's counterexample) or T in place of T^2."""
    from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
    from memgd.theory.theorem2 import C_COEF, M_WEIGHT, RHO_SQ, lam, theta
    from memgd.theory.lambdify import numpy_function

    psi = alpha * L * W * (1 + alpha * C_COEF * B * (T if drop == "T" else T**2) * (1 if drop == "M" else M_WEIGHT)) / lam
    args = (mu, L, alpha, s_lo, B, W, T, lam, theta)
    lam_grid = np.concatenate([np.geomspace(1e-3, 1, 30, endpoint=False), [1.0]])

    def rate(*, mu, L, alpha, s_lo, s_hi, B, W, T):
        kw = {k: np.asarray(v, float) for k, v in dict(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T).items()}
        nd = np.broadcast(*kw.values()).nd
        lams = lam_grid.reshape((-1,) + (1,) * nd)
        ok = numpy_function(psi, args)(**kw, **{"lambda": lams}, theta=1.0) <= 1
        rsq = numpy_function(RHO_SQ, args)(**kw, **{"lambda": lams}, theta=1.0)
        ok = ok & (2 * kw["alpha"] * kw["mu"] * kw["s_lo"] < 1) & (rsq < 1)
        return np.where(ok, np.sqrt(np.where(ok, rsq, 1.0)), np.inf).min(axis=0)

    def edge(*, mu, L, s_lo, s_hi, B, W, T):
        c = np.broadcast_arrays(*(np.asarray(v, float) for v in (mu, L, s_lo, B, W, T)))
        out = np.zeros(c[0].shape)
        for i in np.ndindex(out.shape):
            m, l_, s, b, w, t = (float(x[i]) for x in c)
            grid = np.geomspace(1e-6, 1.0, 4000) / (l_ * w)
            good = np.isfinite(rate(mu=m, L=l_, alpha=grid, s_lo=s, s_hi=s, B=b, W=w, T=t))
            out[i] = grid[good].max() if good.any() else 0.0
        return out

    return RateTheorem(name=f"false Theorem 2 ({drop})", description="", rate=rate, edge=edge, signed=False,
                       edge_attained=True, refusals=lambda: [("", True)],
                       tight=(TightCase(1.0, Pattern((0,), (1.0,)), 0.5, "gd"),))


@pytest.mark.parametrize("drop, kappa, T, alpha, exact", [
    ("M", 1.5, 1, 0.41202, 0.7862),      # issue 22: rate2 without M claims 0.7668 for d_k = g_{k-1}
    ("T", 10.0, 5, 0.031437, 1.0130),    # issue 22: with T instead of T^2, d_k = g_{k-5} diverges
])
def test_the_issues_false_theorems_are_false_at_the_issues_points(drop, kappa, T, alpha, exact):
    th = _false_theorem_2(drop)
    p = Pattern((0, T), (0.0, 1.0))
    claimed = float(np.asarray(th.rate(mu=1.0, L=kappa, alpha=alpha, s_lo=1.0, s_hi=1.0, B=1.0, W=1.0, T=T)))
    assert claimed < 1 and float(exact_rate(1.0, kappa, alpha, p)) == pytest.approx(exact, abs=1e-4)
    assert rate_slack(exact, claimed) < 0
    # the real Theorem 2 does not claim anything this strong there
    real = rate2(mu=1.0, L=kappa, alpha=alpha, s_lo=1.0, B=1.0, W=1.0, T=T)
    assert real == np.inf or real >= exact


@pytest.mark.parametrize("drop", ["M", "T"])
def test_the_structured_grid_finds_the_false_theorems(drop):
    th = _false_theorem_2(drop)
    log = SlackLog(th.name)
    th.exact_slacks(log, [s for s in REGISTRY["Theorem 2"].structured(1) if s.pattern.T <= 5])
    assert log.violations, "the grid missed a false theorem"
    assert min(w.slack for w in log.violations) < -0.05


def test_a_claim_added_later_registers_in_a_few_lines():
    name = "test: Theorem 2 at half its rate's exponent (true, looser)"
    try:
        register(RateTheorem(
            name=name, description="sqrt of Theorem 2's rate is also a valid bound",
            rate=lambda **c: np.sqrt(REGISTRY["Theorem 2"].rate(**c)), edge=REGISTRY["Theorem 2"].edge, signed=False,
            edge_attained=True, refusals=lambda: [("signed", True)], tight=()))
        with pytest.raises(ValueError, match="already registered"):
            register(REGISTRY[name])
        result = falsify(name, "short", oracles=("grid",))
        assert result.passed and result.overall.slack > 0.9       # twice the iterations: slack about 1
    finally:
        REGISTRY.pop(name, None)


def test_bad_names_and_profiles_are_refused():
    with pytest.raises(ValueError, match="name"):
        falsify("Theorem 99")
    with pytest.raises(ValueError, match="profile"):
        falsify("Theorem 2", "medium")
    with pytest.raises(ValueError, match="oracles"):
        falsify("Theorem 2", "short", oracles=("psychic",))
    assert set(PROFILES) == {"short", "long"}


def test_extreme_patterns_lie_in_their_class():
    for signed in (False, True):
        c = PatternClass(0.5, 1.5, 0.8, 2.0, 4, signed)
        pats = extreme_patterns(c)
        assert len(pats) >= 5
        for p in pats:
            assert c.s_lo - 1e-12 <= p.s <= c.s_hi + 1e-12 and p.B <= c.B + 1e-12 and p.W <= c.W + 1e-12
            assert p.T <= c.T and (signed or min(p.weights) >= 0)
        assert signed == any(min(p.weights) < 0 for p in pats)


def test_theorem_2_edge_from_the_registry_matches_alpha_max2():
    th = REGISTRY["Theorem 2"]
    p = Pattern((0, 3), (0.5, 0.5))
    assert th.top(10.0, p) == alpha_max2(mu=1.0, L=10.0, s_lo=1.0, B=0.5, W=1.0, T=3)
    assert th.step(Setting(10.0, p, 0.5)) == pytest.approx(0.5 * th.top(10.0, p))


def test_a_root_at_rounding_level_is_no_counterexample():
    """Theorem 1 at kappa = 1, alpha s = 1 and a memory weight of 1e-141 claims a rate of 1e-47; the
    eigenvalue solver returns 2.2e-16 for a root whose true modulus is 1e-70 (found by the long profile):
    a witness within its own error of 0 must not count as a violation."""
    from memgd.proofs_check.falsification.core import TOL, rate_margin

    assert rate_margin(2.220446e-16, 0.0, TOL.exact) == math.inf
    assert rate_margin(1e-5, 0.0, TOL.exact) == 0.0                  # a real root against a bound of 0 counts
    log = SlackLog("t")
    th = REGISTRY["Theorem 1"]
    th.exact_slacks(log, [Setting(1.0, Pattern((0, 1), (0.5, 6.141e-142)), 1.0)])
    assert not log.violations
