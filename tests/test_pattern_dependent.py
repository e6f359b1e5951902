"""Pattern-dependent certificates: sound (verified, above every lower bound), and tighter on switching sets."""

from __future__ import annotations

import numpy as np
import pytest

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.certificates.pattern_dependent import certify_pattern_dependent, verify_pattern_dependent
from memgd.proofs_check.certificates.patterns import aggregation_patterns
from memgd.proofs_check.lower_bounds.quadratic import switching_lower_bound
from memgd.proofs_check.report.sandwich import judge, lower_bounds
from memgd.theory import critical_step

MU, L = 1.0, 10.0


@pytest.fixture(scope="module")
def case():
    pats = aggregation_patterns("sum", 2, 1)  # one stored gradient of age 1 or 2, weights (1, 1)
    alpha = 0.5 * min(critical_step(MU, L, p) for p in pats)
    common = certify(MU, L, alpha, pats, tol=1e-5)
    sw = switching_lower_bound(MU, L, alpha, pats)
    pd = certify_pattern_dependent(MU, L, alpha, pats, tol=1e-5, rho_lower=sw.rate, rho_max=common.rho)
    assert common.certified and pd.certified, pd.reason
    return pats, alpha, common, sw, pd


def test_pattern_dependent_is_tighter_than_common_and_above_the_switching_bound(case):
    pats, alpha, common, sw, pd = case
    assert sw.rate - 1e-12 <= pd.rho < common.rho - 0.01  # 0.9041 against 0.9190, switching bound 0.8941
    bounds = lower_bounds(MU, L, alpha, pats, horizons=(1, 2, 5))
    checks = judge("pd", pd, bounds)
    assert checks and all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


def _reverify(pd, **changes):
    args = dict(rho=pd.rho, Ps=list(pd.node_P), ps=list(pd.node_p), lams=dict(pd.edge_multipliers), nus=list(pd.node_nu))
    args.update(changes)
    return verify_pattern_dependent(pd.mu, pd.L, pd.alpha, pd.patterns, pd.T, args["rho"], args["Ps"], args["ps"],
                                    args["lams"], args["nus"])[0]


def test_verifier_accepts_the_certificate_and_rejects_tampering(case):
    pd = case[4]
    ok = _reverify(pd)
    assert ok.ok and ok.transient == pytest.approx(pd.transient)
    assert not _reverify(pd, rho=pd.rho - 1e-3).ok
    assert not _reverify(pd, Ps=list(reversed(pd.node_P)), ps=list(reversed(pd.node_p))).ok
    lams = dict(pd.edge_multipliers)
    lams[(0, 1)] = np.zeros_like(lams[(0, 1)])
    assert not _reverify(pd, lams=lams).ok


def test_lyapunov_functions_decrease_along_a_switched_quadratic_run(case):
    """On f = h x^2 / 2 at the switching witness h, V_{pi_k}(xi_{k+1}) <= rho^2 V_{pi_{k-1}}(xi_k) along a random word."""
    pats, alpha, _, sw, pd = case
    rng = np.random.default_rng(0)
    T, h = pd.T, sw.h
    seq = rng.integers(len(pats), size=60)
    xs, gs = [1.0], [h * 1.0]
    for k, j in enumerate(seq):
        d = sum(w * gs[max(k - a, 0)] for a, w in zip(pats[j].ages, pats[j].weights))
        xs.append(xs[-1] - alpha * d)
        gs.append(h * xs[-1])

    def V(i, k):
        idx = [max(k - T + m, 0) for m in range(T + 1)]
        z = np.array([xs[t] for t in idx] + [gs[t] for t in idx[:-1]])
        f = np.array([0.5 * h * xs[t] ** 2 for t in idx])
        return float(z @ pd.node_P[i] @ z + pd.node_p[i] @ f)

    for k in range(1, len(seq)):
        prev, cur = seq[k - 1], seq[k]
        assert V(cur, k + 1) <= pd.rho ** 2 * V(prev, k) * (1 + 1e-9) + 1e-300
        assert V(prev, k) >= xs[k] ** 2 * (1 - 1e-9)


def test_order_two_graph_is_tighter_still_and_sound(case):
    """One Lyapunov function per word of the last two patterns: 0.8959 against 0.9041 (order one)."""
    pats, alpha, common, sw, pd = case
    pd2 = certify_pattern_dependent(MU, L, alpha, pats, tol=1e-5, rho_lower=sw.rate, rho_max=pd.rho, order=2)
    assert pd2.certified, pd2.reason
    assert sw.rate - 1e-12 <= pd2.rho < pd.rho - 0.005
    assert len(pd2.node_P) == 4 and len(pd2.edge_multipliers) == 8
    checks = judge("pd2", pd2, lower_bounds(MU, L, alpha, pats, horizons=(1, 2, 5)))
    assert checks and all(c.passed for c in checks), [c.detail for c in checks if not c.passed]
    ok, _ = verify_pattern_dependent(pd2.mu, pd2.L, pd2.alpha, pats, pd2.T, pd2.rho, list(pd2.node_P), list(pd2.node_p),
                                     dict(pd2.edge_multipliers), list(pd2.node_nu), order=2)
    assert ok.ok
    # the same numbers read as an order-one certificate do not even have the right shape
    assert not verify_pattern_dependent(pd2.mu, pd2.L, pd2.alpha, pats, pd2.T, pd2.rho, list(pd2.node_P),
                                        list(pd2.node_p), dict(pd2.edge_multipliers), list(pd2.node_nu))[0].ok
