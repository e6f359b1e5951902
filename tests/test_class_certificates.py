"""Class certificates: vertices of the weight polytopes, one LMI per vertex, verification, lower bounds, mutations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from memgd.proofs_check.certificates.certify import certify
from memgd.proofs_check.certificates.certify_class import certify_class, vertex_lower_bound
from memgd.proofs_check.certificates.chordal import chordal_cliques, clique_cover
from memgd.proofs_check.certificates.class_sdp import ClassRules
from memgd.proofs_check.certificates.class_verify import check_lifted, cross_check
from memgd.proofs_check.certificates.class_model import class_model, pair_set
from memgd.proofs_check.certificates.rule_classes import aggregation_class, class_of
from memgd.proofs_check.certificates.sdp import to_normalized_units
from memgd.proofs_check.certificates.weight_classes import (
    nonnegative_class, polytope_class, signed_class, theorem2_class,
)
from memgd.proofs_check.lower_bounds.class_bounds import class_lower_bounds, levin_may_limit, pure_delay_mass
from memgd.proofs_check.report.class_certificates import class_cell_task, class_section, reverify
from memgd.solvers.combination import Aggregation
from memgd.solvers.selection.critical import CriticalGradients
from memgd.theory import Pattern, critical_step, exact_rate

MU, L = 1.0, 10.0


def _extreme(points: np.ndarray, i: int) -> bool:
    """Brute force: point i is not a convex combination of the others (an LP)."""
    others = np.delete(points, i, axis=0)
    A = np.vstack([others.T, np.ones((1, len(others)))])
    b = np.concatenate([points[i], [1.0]])
    res = linprog(np.zeros(len(others)), A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    return res.status != 0


def _box_candidates(T, lo, hi):
    grids = [np.unique(np.concatenate([np.linspace(a, b, 5), [0.0]])) for a, b in zip(lo, hi)]
    return np.array(list(itertools.product(*grids)))


@pytest.mark.parametrize("s_lo, W, B", [(1.0, 2.0, 1.0), (0.5, 2.0, 1.0), (1.5, 2.0, 1.0), (1.0, 1.0, 3.0),
                                         (1.0, 2.0, 0.0), (0.3, 0.6, 5.0)])
def test_theorem2_class_vertices_are_exactly_the_extreme_points_of_its_polytope(s_lo, W, B):
    T = 2
    c = theorem2_class(T, s_lo, W, B)
    V = c.weights
    # every vertex satisfies Theorem 2's constraints, and is extreme among the vertices
    s, b = V.sum(axis=1), V[:, 1:].sum(axis=1)
    assert np.all(V >= 0) and np.all(s >= s_lo - 1e-12) and np.all(s <= W + 1e-12) and np.all(b <= B + 1e-12)
    assert all(_extreme(V, i) for i in range(len(V)))
    # every feasible point of a fine grid of the polytope is in the hull of the vertices
    cand = _box_candidates(T, [0] * (T + 1), [W] * (T + 1))
    feas = cand[(cand.sum(axis=1) >= s_lo) & (cand.sum(axis=1) <= W) & (cand[:, 1:].sum(axis=1) <= B)]
    for w in feas[:: max(1, len(feas) // 40)]:
        assert c.contains_pattern(Pattern(tuple(range(T + 1)), tuple(w)), tol=1e-9), w


def test_nonnegative_class_has_2T_plus_2_vertices_and_signed_class_matches_brute_force():
    for T in (1, 3, 7):
        assert len(nonnegative_class(T, 0.5, 1.0, 2.0).vertices) == 2 * (T + 1)
    # signed memory set {-Bm <= m_j <= Bp, |m|_1 <= B}: brute-force vertex enumeration from the inequalities
    # (every choice of 3 independent active constraints among the 6 box and 8 l1 facets, kept when feasible)
    T = 3
    for Bm, Bp, B in ((1.0, 1.0, 1.0), (0.5, 0.5, 1.0), (0.4, 0.7, 1.0), (0.3, 0.3, 2.0)):
        rows = [(e, Bp) for e in np.eye(T)] + [(-e, Bm) for e in np.eye(T)]
        rows += [(np.array(sg, float), B) for sg in itertools.product((1, -1), repeat=T)]
        A = np.array([r[0] for r in rows])
        b = np.array([r[1] for r in rows])
        found = set()
        for idx in itertools.combinations(range(len(rows)), T):
            M = A[list(idx)]
            if abs(np.linalg.det(M)) < 1e-9:
                continue
            m = np.linalg.solve(M, b[list(idx)])
            if np.all(A @ m <= b + 1e-9):
                found.add(tuple(np.round(m, 9) + 0.0))
        c = signed_class(T, 1.0, 1.0, Bm, Bp, B)
        assert {tuple(np.round(v, 9) + 0.0) for v in c.weights[:, 1:]} == found, (Bm, Bp, B)


def test_bad_classes_raise():
    with pytest.raises(ValueError, match="a_lo"):
        nonnegative_class(2, 1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="s_lo"):
        theorem2_class(2, 0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="max_vertices"):
        signed_class(12, 1.0, 1.0, 0.1, 0.1, 1.0, max_vertices=100)
    with pytest.raises(ValueError, match="pairs"):
        certify_class(MU, L, 0.01, nonnegative_class(1, 1, 1, 1), pairs="some")
    with pytest.raises(ValueError, match="alpha"):
        certify_class(MU, L, -1.0, nonnegative_class(1, 1, 1, 1))


def test_chordal_cliques_cover_a_banded_pattern_with_full_rows_and_decompose_it():
    rng = np.random.default_rng(0)
    n = 14
    pat = np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 2
    pat[[3, 9], :] = pat[:, [3, 9]] = True
    cl = chordal_cliques(pat)
    assert clique_cover(pat, cl) and max(len(c) for c in cl) <= 2 + 3 + 1
    # a positive definite matrix with that pattern is the sum of PSD clique pieces (Agler): check by
    # building one as such a sum, then confirming the cliques cover its nonzeros
    S = np.zeros((n, n))
    for c in cl:
        Z = rng.normal(size=(len(c), len(c)))
        S[np.ix_(c, c)] += Z @ Z.T
    assert np.all(S[~np.any([np.isin(np.arange(n), c)[:, None] & np.isin(np.arange(n), c)[None, :] for c in cl],
                            axis=0)] == 0)


@pytest.fixture(scope="module")
def small_cert():
    c = theorem2_class(2, 1.0, 2.0, 1.0)
    alpha = 0.6 * levin_may_limit(L, 2, 1.0)
    cert = certify_class(MU, L, alpha, c, rtol=1e-4)
    assert cert.certified, cert.reason
    return cert


def test_class_certificate_sits_between_its_vertices_and_the_dense_certificate(small_cert):
    c, alpha = small_cert.wclass, small_cert.alpha
    # a certificate of the class is one of its vertex set (switching among vertices): never below it
    vertex_set = certify(MU, L, alpha, c.patterns(), rho_lower="quadratic", tol=1e-6)
    assert small_cert.rho >= vertex_set.rho - 1e-6
    assert small_cert.rho >= vertex_lower_bound(MU, L, alpha, c) - 1e-12
    # the unrestricted problem (all pairs, dense P) is a relaxation of the structured one: never worse
    dense = certify_class(MU, L, alpha, c, pairs="all", lag=None, rtol=1e-4)
    assert dense.certified and dense.rho <= small_cert.rho + 1e-4 * (1 - small_cert.rho_lower)


def test_a_single_vertex_class_is_the_single_pattern_certificate():
    pat = Pattern((0, 1), (1.0, 1.0))
    single = certify(MU, L, 0.05, pat, tol=1e-6)
    cls = certify_class(MU, L, 0.05, polytope_class([pat]), pairs="all", lag=None, rtol=1e-4)
    assert cls.certified and cls.rho == pytest.approx(single.rho, abs=2e-5)


def test_verification_refuses_a_missing_finsler_term_a_lower_rate_per_vertex_y_and_a_dropped_vertex(small_cert):
    cert = small_cert
    m = class_model(MU / L, 1.0, cert.alpha * L, cert.T, pairs=cert.pairs, lag=cert.lag)
    P, p, lam, nu = to_normalized_units(L, cert.P, cert.p, cert.vertex_multipliers, cert.normalization_multipliers)
    P = 0.5 * (P + P.T)
    W = cert.wclass.weights
    assert check_lifted(m, W, cert.rho, P, p, cert.finsler, lam, nu)[0] == ""
    assert "lifted decrease" in check_lifted(m, W, cert.rho, P, p, np.zeros_like(cert.finsler), lam, nu)[0]
    assert check_lifted(m, W, cert.rho - 2e-3, P, p, cert.finsler, lam, nu)[0] != ""
    per_vertex = cert.__class__(**{**cert.__dict__, "finsler": np.tile(cert.finsler, (len(W), 1))})
    assert "one Finsler vector per vertex" in reverify(per_vertex)
    dropped = cert.__class__(**{**cert.__dict__, "vertex_multipliers": cert.vertex_multipliers[:-1]})
    assert "vertices" in reverify(dropped)
    assert cross_check(MU, L, cert.alpha, cert.wclass, cert.rho, cert.P, cert.p, cert.vertex_multipliers[:-1],
                       cert.normalization_multipliers, m.pairs, m.norm_pairs, rng=np.random.default_rng(0)) != ""
    assert reverify(cert) == ""


@pytest.mark.parametrize("rules", [ClassRules(finsler="per-vertex"), ClassRules(finsler="none"),
                                   ClassRules(vertices=lambda c: c.weights[:-1])],
                         ids=["per-vertex y", "no Finsler term", "dropped vertex"])
def test_each_mutation_of_the_class_certifier_turns_the_report_section_red(rules):
    cells = [class_cell_task(2, 10.0, 0.5, rules=rules)]
    sec = class_section(cells)
    assert sec.failed, [c.name for c in sec.checks]
    sound = class_section([class_cell_task(2, 10.0, 0.5)])
    assert not sound.failed, [c.detail for c in sound.failed]


def test_lower_bounds_carry_witnesses_and_the_pure_delay_limit_is_levin_may():
    c = theorem2_class(3, 1.0, 2.0, 1.0)
    assert pure_delay_mass(c) == pytest.approx(1.0)
    assert pure_delay_mass(nonnegative_class(3, 0.5, 1.0, 1.0)) == 0.0
    lim = levin_may_limit(L, 3, 1.0)
    assert lim == pytest.approx(critical_step(MU, L, Pattern((0, 3), (0.0, 1.0))), rel=1e-9)
    lb = class_lower_bounds(MU, L, 0.5 * lim, c, n_interior=8)
    kinds = {b.kind for b in lb.bounds}
    assert {"worst vertex", "pure delay", "interior point", "switching"} <= kinds
    assert all(b.verified for b in lb.bounds)
    assert lb.best.rate == pytest.approx(max(exact_rate(MU, L, 0.5 * lim, list(c.patterns()))), abs=1e-9)


def test_class_of_maps_the_critical_rule_and_aggregations_to_their_classes():
    wc = class_of(CriticalGradients(10, 0.7), Aggregation("sum", 1.0), T=4)
    assert len(wc.vertices) == 5 and wc.nonnegative      # (1, 0) and (1, e_j)
    for m in range(1, 5):                                  # every "mean" pattern lies in its class
        pat = Pattern((0,) + tuple(range(1, m + 1)), (1 / (m + 1),) + (1 / (m + 1),) * m)
        assert aggregation_class("mean", 1.0, 4, 10).contains_pattern(pat)
    with pytest.raises(ValueError, match="max_age"):
        class_of(CriticalGradients(10, 0.7), Aggregation("sum", 1.0))
    assert pair_set(3, "neighbours") == tuple(p for p in pair_set(3, "all") if p in set(pair_set(3, "neighbours")))


def test_the_class_figure_draws_what_its_data_computed():
    from memgd.figures.class_rate_vs_T import draw_class_rate_vs_T
    from memgd.proofs_check.report.class_figure_data import rate_against_T_data

    data = rate_against_T_data(Ts=(1, 2), decays=(0.7,), n=1, steps=200)
    assert np.all(data.certified >= data.lower - 1e-9)      # never below a verified lower bound
    fig = draw_class_rate_vs_T(data)
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    assert {"certified", "theorem2", "lower", "measured"} <= set(lines)
    np.testing.assert_array_equal(lines["certified"].get_ydata(), data.certified[np.isfinite(data.certified)])
