"""The critical rule's age theorem, its a priori floor and the provable map, checked on engine runs.

Hand-computed values come from the closed form
T* = top_c + floor(ln kappa / ln(r_lo / decay)) (docs/math/critical_rule_ages.md).
Comparisons with ``==`` are of integers (ages, age bounds: floors), booleans, or arrays the figure
keeps as given (no arithmetic in between).
"""

import numpy as np
import pytest

from memgd.proofs_check.critical_rule import (
    age_bound, certify_run, contraction_floor, critical_map, floor_holds, provable_region, step_floor, step_weights,
)
from memgd.solvers import Aggregation, CriticalGradients, make_quadratics, make_tilted, run

L_OVER_MU = 10.0


def test_age_bound_closed_form_by_hand():
    # ln 10 / ln 1.8 = 3.917...  ->  floor 3
    assert age_bound(decay=0.5, r_lo=0.9, kappa=10.0, top_c=5) == 8.0
    # kappa = 1: every later gradient outranks an older one, so ages <= top_c
    assert age_bound(decay=0.7, r_lo=0.71, kappa=1.0, top_c=3) == 3.0
    # (r/decay)^2 = 16 > 10 > 4 = (r/decay)^1: tau_0 = 2, T* = C + 1
    assert age_bound(decay=0.2, r_lo=0.8, kappa=10.0, top_c=4) == 5.0
    # exactly (r/decay)^2 = kappa: needs the strict inequality, so tau_0 = 3 and T* = C + 2
    assert age_bound(decay=0.25, r_lo=0.5, kappa=4.0, top_c=1) == 3.0
    assert np.isinf(age_bound(decay=0.9, r_lo=0.9, kappa=10.0, top_c=5))   # r_lo <= decay: nothing claimed
    assert np.isinf(age_bound(decay=0.9, r_lo=0.5, kappa=10.0, top_c=5))


@pytest.mark.parametrize("kwargs, name", [
    (dict(decay=1.0, r_lo=0.9, kappa=10.0, top_c=5), "decay"),
    (dict(decay=0.5, r_lo=-0.1, kappa=10.0, top_c=5), "r_lo"),
    (dict(decay=0.5, r_lo=0.9, kappa=0.5, top_c=5), "kappa"),
    (dict(decay=0.5, r_lo=0.9, kappa=10.0, top_c=0), "top_c"),
    (dict(decay=0.5, r_lo=0.9, kappa=10.0, top_c=2.5), "top_c"),
])
def test_age_bound_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        age_bound(**kwargs)


def _runs(problems, decays=(0.3, 0.5, 0.7, 0.9), aggregations=("sum", "mean", "max"), alpha_L=(0.01, 0.1, 0.5),
          top_c=3, steps=400):
    kappa = problems.L / problems.mu
    for decay in decays:
        for agg in aggregations:
            for aL in alpha_L:
                res = run(problems, CriticalGradients(top_c, decay), Aggregation(agg), aL / kappa, steps, tol=1e-12)
                yield decay, res


@pytest.mark.parametrize("family", ["quadratic", "logistic"])
def test_age_theorem_holds_on_engine_runs_and_its_log_term_is_needed(family):
    rng = np.random.default_rng(1)
    if family == "quadratic":
        P = make_quadratics(6, 6, 1.0, L_OVER_MU, spectrum_kind="two_point", rng=rng)
    else:
        P = make_tilted(6, 6, 1.0, L_OVER_MU, rng=rng)
    held = beyond_top_c = transient_only = 0
    for decay, res in _runs(P):
        cert = certify_run(res, P, decay=decay, top_c=3)
        assert not cert.ages_violated.any(), (decay, cert.max_age, cert.age_bound)
        assert not cert.transient_violated.any(), (decay, cert.max_age, cert.age_bound_transient)
        assert np.all(cert.age_bound_transient <= cert.age_bound)   # A' is never weaker than A
        assert not cert.distances_violated.any()
        held += int(cert.ages_certified.sum())
        transient_only += int((np.isfinite(cert.age_bound_transient) & ~cert.ages_certified).sum())
        beyond_top_c += int((cert.ages_certified & (cert.max_age > 3)).sum())
    assert held >= 100          # the hypothesis r_lo > decay held on most of the 216 runs: not vacuous
    assert beyond_top_c >= 10   # ages above top_c occur where the theorem applies: T* = top_c would be wrong
    assert transient_only >= 10  # A' covers runs whose own per-step floor is below the decay


def test_no_age_bound_is_claimed_where_the_floor_is_below_decay():
    # counterexample (c): kappa = 1, "mean", decay 0.99, alpha 0.5: r halves per step, far below decay
    P = make_quadratics(1, 4, 1.0, 1.0, rng=np.random.default_rng(0))
    res = run(P, CriticalGradients(2, 0.99), Aggregation("mean"), 0.5, 3000)
    cert = certify_run(res, P, decay=0.99, top_c=2)
    assert cert.r_lo[0] <= 0.99 and not cert.ages_certified[0]
    assert cert.max_age[0] > 50        # and the ages did grow far beyond top_c
    # Theorem A' still holds there, but only with a bound of the order of the run's length (1476 of 1583 steps)
    assert cert.max_age[0] <= cert.age_bound_transient[0] and cert.age_bound_transient[0] > 0.5 * res.nit[0]


def test_certificate_envelope_check_bites_with_a_wrong_bound():
    P = make_quadratics(4, 6, 1.0, L_OVER_MU, rng=np.random.default_rng(2))
    res = run(P, CriticalGradients(3, 0.5), Aggregation("sum"), 0.001, 300)
    too_fast = certify_run(res, P, decay=0.5, top_c=3, bound=lambda **kw: np.full(np.shape(kw["alpha"]), 0.5))
    assert too_fast.distances_violated.all()


def test_step_floor_is_the_smallest_ratio():
    d = np.array([[1.0, 1.0], [0.5, 0.9], [0.4, 0.9], [np.nan, 0.09]])
    np.testing.assert_allclose(step_floor(d), [0.5, 0.1])


def test_step_weights_match_the_aggregation_table():
    a, B = step_weights("mean", 3)
    np.testing.assert_allclose(a, [1, 1 / 2, 1 / 3, 1 / 4])
    np.testing.assert_allclose(B, [0, 1 / 2, 2 / 3, 3 / 4])
    a, B = step_weights("max-mean", 2)
    np.testing.assert_allclose(a, [1, 0.5, 0.5])
    np.testing.assert_allclose(B, [0, 0.5, 0.5])


def test_floor_condition_by_hand():
    # "sum", top_c = 1: |a| = 1, B = 1.  decay 0.5, kappa 10, r = 0.9: T* = 1 + 3 = 4,
    # 1 - alpha_L (1 + 0.9^-4) = 1 - alpha_L * 2.52416...; r = 0.9 needs alpha_L <= 0.1 / 2.52416 = 0.039617
    a, B = step_weights("sum", 1)
    kw = dict(r=0.9, decay=0.5, kappa=10.0, top_c=1, a_abs=a, B=B)
    assert floor_holds(alpha_L=0.0396, **kw)
    assert not floor_holds(alpha_L=0.0397, **kw)
    r, T = contraction_floor(alpha_L=0.0396, decay=0.5, kappa=10.0, top_c=1, aggregation="sum")
    assert r >= 0.9 and np.isfinite(T)
    r, T = contraction_floor(alpha_L=0.6, decay=0.5, kappa=10.0, top_c=1, aggregation="sum")
    assert np.isnan(r) and np.isinf(T)   # 1 - alpha L < decay: no floor above decay exists


def test_floor_never_exceeds_the_proven_rate():
    # r_k >= r^k r_0 (floor) and r_k <= rho^k r_0 (Theorem 1/1b with T*) together force r <= rho:
    # a cell where both are claimed and r > rho would expose a wrong proof.
    p = provable_region()
    both = p.provable
    assert both.sum() > 100
    assert np.all(p.floor[both] <= p.rate[both])


def test_map_claims_hold_on_engine_runs():
    m = critical_map(aggregations=("sum", "mean"), top_cs=(1, 3), decays=(0.5, 0.9), alpha_L=(1e-3, 0.01, 0.3, 1.0),
                     kappas=(10.0,), per_kappa=2, steps=400)
    c = m.checks
    assert c.violations == 0, c
    assert c.apriori_runs >= 8 and c.age_hypothesis_held >= 20
    prov = m.provable.provable
    assert not np.any(prov & (m.measured == 2))


def test_critical_map_figure_draws_the_computed_cells(tmp_path):
    from matplotlib.collections import QuadMesh

    from memgd.figures.critical_map import draw_critical_map
    from memgd.figures.axes import save

    m = critical_map(aggregations=("sum", "mean"), top_cs=(2,), decays=(0.5, 0.99), alpha_L=(1e-4, 0.01, 1.5),
                     kappas=(10.0,), per_kappa=1, steps=200)
    fig = draw_critical_map(m)
    for g, agg in enumerate(m.provable.aggregations):
        mesh = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == f"measured:{agg}"]
        assert len(mesh) == 1 and isinstance(mesh[0], QuadMesh)
        np.testing.assert_array_equal(np.asarray(mesh[0].get_array()).reshape(2, 3), m.measured[g, 0, :, :, 0])
        texts = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts}
        for j in range(2):
            for a in range(3):
                T = m.provable.age_bound[g, 0, j, a, 0]
                kind = "provable" if m.provable.provable[g, 0, j, a, 0] else "bounded"
                if np.isfinite(T):
                    assert texts[f"{kind}:{agg}:{j}:{a}"] == str(int(T))
                else:
                    assert not any(k.endswith(f":{agg}:{j}:{a}") for k in texts)
    # decay 0.5, alpha L = 1e-4, "sum", top_c 2, kappa 10: provable, and T* = 2 + floor(ln 10 / ln(r / 0.5))
    # with r the a priori floor: r close to 1 gives floor(2.3026 / 0.6931...) = 3, so T* = 5
    assert texts["provable:sum:0:0"] == "5"
    png, _ = save(fig, tmp_path, "critical_map")
    assert png.stat().st_size > 10_000
    from memgd.figures.cli import NAMES
    assert "critical_map" in NAMES


def test_kappa_one_runs_attain_the_age_bound_and_the_floor():
    # mu = L: ||g_k|| = L r_k, so a ratio r_{k+1}/r_k > decay makes every new gradient outrank every stored
    # one: the buffer is the last top_c steps and the largest age is exactly T* = top_c.  With "sum" the
    # stored gradients are larger than g_k, so the run contracts faster than 1 - 2 alpha L, close to the
    # a priori floor 1 - alpha L (1 + r^-T*).
    P = make_quadratics(3, 4, 1.0, 1.0, rng=np.random.default_rng(3))
    for top_c, decay, aL in ((3, 0.5, 0.01), (1, 0.7, 0.05), (5, 0.9, 0.004)):
        res = run(P, CriticalGradients(top_c, decay), Aggregation("sum"), aL, 400, tol=0.0)
        cert = certify_run(res, P, decay=decay, top_c=top_c)
        assert cert.ages_certified.all()
        np.testing.assert_array_equal(cert.age_bound, top_c)
        np.testing.assert_array_equal(cert.max_age, top_c)
        np.testing.assert_array_equal(cert.age_bound_transient, top_c)   # here c(gamma) >= 1 = kappa: max(0, .)
        r, T = contraction_floor(alpha_L=aL, decay=decay, kappa=1.0, top_c=top_c, aggregation="sum")
        assert T == top_c
        own = step_floor(res.distances)
        assert np.all(own >= r)                      # the a priori floor holds ...
        assert np.all(own < 1.0 - 2.0 * aL)          # ... and the memory term r^-T* is needed


def test_certified_prefix_stops_before_the_rounding_floor():
    # kappa = 1, top_c = 1, "sum", alpha = 0.05: e_{k+1} = 0.95 e_k - 0.05 e_{k-1}, whose dominant root
    # (0.95 + sqrt(0.95^2 - 0.2)) / 2 = 0.89395... is the a priori floor itself.  Run to 1e-20 r_0, the
    # ratios at the rounding floor fall far below it: the certificate only uses the prefix above 1e-8 r_0.
    P = make_quadratics(3, 4, 1.0, 1.0, rng=np.random.default_rng(3))
    res = run(P, CriticalGradients(1, 0.7), Aggregation("sum"), 0.05, 500, tol=0.0)
    root = (0.95 + np.sqrt(0.95**2 - 0.2)) / 2
    r, _ = contraction_floor(alpha_L=0.05, decay=0.7, kappa=1.0, top_c=1, aggregation="sum")
    assert root - 1e-3 < r <= root
    assert np.all(step_floor(res.distances, floor=0.0) < r)      # rounding breaks the floor down there
    assert np.all(step_floor(res.distances) >= r)


def test_the_bound_function_is_pluggable():
    def vacuous(**kw):
        return np.full(np.broadcast(*(np.asarray(v) for v in kw.values())).shape, np.inf)

    kw = dict(aggregations=("sum",), top_cs=(2,), decays=(0.5,), alpha_L=(1e-4, 1e-3), kappas=(10.0,))
    default, none = provable_region(**kw), provable_region(**kw, bound=vacuous)
    assert default.provable.all() and not none.provable.any()
    np.testing.assert_array_equal(default.age_bound, none.age_bound)   # the age bound does not depend on it


@pytest.mark.parametrize("kwargs, name", [
    (dict(per_kappa=0), "per_kappa"), (dict(decays=(1.0,)), "decay"), (dict(alpha_L=(0.0,)), "alpha_L"),
    (dict(kappas=(0.5,)), "kappa"), (dict(top_cs=(0,)), "top_c"), (dict(aggregations=("avg",)), "aggregation"),
])
def test_critical_map_rejects_bad_input_before_running(kwargs, name):
    with pytest.raises(ValueError, match=name):
        critical_map(**kwargs)


def test_certified_prefix_and_its_largest_age():
    from memgd.proofs_check.critical_rule import certified_prefix, prefix_max_age

    d = np.array([[1.0], [0.5], [0.1], [1e-9], [0.2]])          # falls below 1e-8 r_0 at step 3
    np.testing.assert_array_equal(certified_prefix(d)[:, 0], [True, True, True, False, False])
    ages = np.array([[[1]], [[2]], [[5]], [[9]]])                # (K = 4, n = 1, S = 1)
    assert prefix_max_age(ages, d)[0] == 5.0                     # steps 0..2 only
    np.testing.assert_allclose(step_floor(d), [0.2])             # ratios 0.5 and 0.2, not 1e-8 or 2e8


def test_transient_constant_and_bound_by_hand():
    from memgd.proofs_check.critical_rule.certificate import transient_constant

    d = np.array([[1.0], [0.5], [0.45], [0.405]])    # one fast step, then ratio 0.9
    np.testing.assert_allclose(transient_constant(d, np.array([0.9])), [0.5 / 0.9])
    assert step_floor(d)[0] == 0.5
    # gamma = 0.9, c = 0.5 / 0.9, kappa 10, decay 0.6: ln(18) / ln(1.5) = 7.13 -> T* = 2 + 7
    assert age_bound(decay=0.6, r_lo=0.9, kappa=10.0, top_c=2, transient=0.5 / 0.9) == 9.0
    assert np.isinf(age_bound(decay=0.6, r_lo=0.5, kappa=10.0, top_c=2))            # Theorem A: 0.5 < decay
    assert age_bound(decay=0.6, r_lo=0.9, kappa=2.0, top_c=2, transient=4.0) == 2.0  # kappa / c < 1: T* = C
    assert np.isinf(age_bound(decay=0.6, r_lo=0.9, kappa=2.0, top_c=2, transient=0.0))


def test_report_section_rows_checks_and_notes():
    from memgd.proofs_check.report.critical_rule import COLUMNS, critical_rule_section

    messages = []
    sec = critical_rule_section(messages.append, aggregations=("sum", "mean"), top_cs=(2,), decays=(0.5, 0.99),
                                alpha_L=(1e-4, 0.01, 1.5), kappas=(10.0, 100.0), per_kappa=1, steps=200)
    assert messages and sec.columns == COLUMNS
    assert [(r["aggregation"], r["decay"]) for r in sec.rows] == [("sum", 0.5), ("sum", 0.99), ("mean", 0.5),
                                                                   ("mean", 0.99)]
    assert len(sec.checks) == 8 and not sec.failed
    # sum, decay 0.5, top_c 2, kappa 10, alpha L 1e-4: provable (see the figure test), 1e-2 and 1.5 are not
    assert sec.rows[0]["largest provable alpha L (kappa 10)"] == 1e-4
    assert any("provable nowhere" in n for n in sec.notes) or any("provable only" in n for n in sec.notes)
