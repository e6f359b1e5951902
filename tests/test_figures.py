"""Figures: the drawn numbers are the computed ones, and the computed ones are right.

Each figure is drawn from small data (coarse grids, few runs).  For every figure the
plotted arrays are read back from the matplotlib artists (found by ``gid``) and
compared with :mod:`memgd.proofs_check.report.figure_data`, and at least one point is checked
against an independent computation (a closed form or the theorem's formula).  The read-back is
compared bit for bit: matplotlib keeps the arrays it is given (or the same selection of them), no
arithmetic runs between the data and the artist.
"""

import math

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure

from memgd.figures import draw_critical_ages, draw_distance, draw_rate_vs_memory, draw_rate_vs_step, draw_stability_map
from memgd.figures.axes import save
from memgd.figures.cli import NAMES, main
from memgd.proofs_check.report import figure_data as fd
from memgd.solvers import Status
from memgd.theory import Pattern


def artist(fig: Figure, gid: str):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def assert_labelled(fig: Figure, panels: int) -> None:
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == panels
    for ax in titled:  # a panel sharing an axis may leave its label to a sibling
        xs, ys = ax.get_shared_x_axes().get_siblings(ax), ax.get_shared_y_axes().get_siblings(ax)
        assert any(a.get_xlabel().strip() for a in xs) and any(a.get_ylabel().strip() for a in ys), ax.get_title()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    assert legends and all(t.get_text().strip() for lg in legends for t in lg.get_texts())


def assert_saved(fig: Figure, tmp_path, name: str) -> None:
    png, svg = save(fig, tmp_path, name)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()[:2000] and svg.stat().st_size > 10_000


# ----------------------------------------------------------------------------- figure 1


@pytest.fixture(scope="module")
def distance():
    return fd.distance_data(steps=300, n=2, d=6)


def test_distance_figure_draws_the_measured_curves_and_envelopes(distance, tmp_path):
    fig = draw_distance(distance)
    assert_labelled(fig, 1)
    for c in distance.curves:
        line = artist(fig, f"measured:{c.label}")
        np.testing.assert_array_equal(line.get_xdata(), distance.steps)
        np.testing.assert_array_equal(line.get_ydata(), c.measured)
        for kind, env in (("analytic", c.analytic_envelope), ("certified", c.certified_envelope)):
            if env is None:
                assert not [a for a in fig.axes[0].lines if a.get_gid() == f"{kind}:{c.label}"]
            else:
                np.testing.assert_array_equal(artist(fig, f"{kind}:{c.label}").get_ydata(), env)
    assert_saved(fig, tmp_path, "distance_to_optimum")


def test_distance_envelopes_are_the_theorem_and_hold_on_the_runs(distance):
    a = distance.alpha
    # default step: half of Theorem 1's admissible step for T = 3, s_lo = 1 (first step d_0 = g_0), B = 1, W = 2
    assert a == pytest.approx(0.5 * 1.0 / (10.0**2 * 1 * 2 * 3))
    fifo1 = next(c for c in distance.curves if c.label == "Fifo(1)")
    # Theorem 1, T = 1, by hand: the root of rho^3 = p rho^2 + q, p = 1 - a s_lo mu, q = a^2 L^2 B W T
    p, q = 1 - a * 1 * 1, a**2 * 10.0**2 * 1 * 2 * 1
    rho = max(r.real for r in np.roots([1.0, -p, 0.0, -q]) if abs(r.imag) < 1e-12)
    np.testing.assert_allclose(fifo1.analytic_envelope, rho ** distance.steps, rtol=1e-11)
    bounded = [c for c in distance.curves if c.T is not None]
    assert len(bounded) == 4
    for c in bounded:
        # the envelopes are guarantees: every measured distance lies below both
        assert np.all(c.measured <= c.analytic_envelope * (1 + 1e-12))
        assert np.all(c.measured <= c.certified_envelope * (1 + 1e-9))
        # no certificate can beat plain GD's rate 1 - alpha mu: the empty pattern is in the set
        assert c.certified_rate >= 1 - a * 1.0 - 1e-12
    critical = distance.curves[-1]
    assert critical.T is None and critical.analytic_envelope is None and critical.certified_envelope is None


# ----------------------------------------------------------------------------- figure 2


@pytest.fixture(scope="module")
def rate_step():
    return fd.rate_vs_step_data(n_alpha=3, alpha_min=0.005, extra_alphas=(0.005, 0.05), n=2, steps=800,
                                n_fine=60)


def test_rate_vs_step_draws_the_four_rates(rate_step, tmp_path):
    d = rate_step
    fig = draw_rate_vs_step(d)
    assert_labelled(fig, 2)
    for suffix in ("", ":zoom"):
        exact = artist(fig, "exact" + suffix)
        np.testing.assert_array_equal(exact.get_xdata(), d.alpha_fine)
        np.testing.assert_array_equal(exact.get_ydata(), d.exact_fine)
        emp, cert = artist(fig, "empirical" + suffix), artist(fig, "certified" + suffix)
        ok = np.isfinite(d.certified)
        np.testing.assert_array_equal(cert.get_xdata(), d.alpha[ok])
        np.testing.assert_array_equal(cert.get_ydata(), d.certified[ok])
        np.testing.assert_array_equal(emp.get_ydata(), d.empirical[np.isfinite(d.empirical)])
        analytic = artist(fig, "analytic" + suffix)
        assert np.all(np.isfinite(analytic.get_ydata()))
        np.testing.assert_array_equal(analytic.get_ydata(), d.analytic_fine[np.isfinite(d.analytic_fine)])
    assert_saved(fig, tmp_path, "rate_vs_step")


def test_rate_vs_step_numbers_match_closed_forms(rate_step):
    d = rate_step
    assert d.alpha_critical == pytest.approx(0.1, rel=1e-9)  # z^2 - (1 - aL) z + aL: |z| = 1 at aL = 1
    assert d.alpha_vacuous == pytest.approx(0.01)            # s mu / (L^2 B W T) = 2 / (100 * 2)
    i = int(np.flatnonzero(np.isclose(d.alpha_fine, 0.05))[0])
    # docs/math/certificates.md: larger root of z^2 - 0.95 z + 0.05 (h = mu)
    assert d.exact_fine[i] == pytest.approx((0.95 + math.sqrt(0.95**2 - 0.2)) / 2, abs=1e-10)
    j = int(np.flatnonzero(np.isclose(d.alpha_fine, 0.005))[0])
    # Theorem 1: the root of rho^3 = p rho^2 + q, p = 1 - 0.005 * 2, q = 0.005^2 * 100 * 1 * 2 * 1 (lemma L6)
    root = max(r.real for r in np.roots([1.0, -(1 - 0.005 * 2), 0.0, -(0.005**2 * 100 * 2)]) if abs(r.imag) < 1e-12)
    assert d.analytic_fine[j] == pytest.approx(root, rel=1e-12)
    assert np.all(np.isinf(d.analytic[d.alpha >= d.alpha_vacuous]))
    ok = np.isfinite(d.certified)
    assert ok.sum() >= 3
    # a certificate over the class can't beat the rate attained on a quadratic; measured runs can't either
    assert np.all(d.certified[ok] >= d.exact[ok] - 1e-9) and np.all(d.certified[ok] <= d.exact[ok] + 1e-4)
    assert np.all(d.empirical <= d.exact + 1e-3) and np.all(d.empirical >= d.exact - 2e-2)


# ----------------------------------------------------------------------------- figure 3


@pytest.fixture(scope="module")
def memory():
    return fd.rate_vs_memory_data(alphas=(0.05,), T_max=3, T_for_C=3, cert_max_T=2)


def test_rate_vs_memory_draws_every_sweep(memory, tmp_path):
    fig = draw_rate_vs_memory(memory)
    assert_labelled(fig, 2)
    for ax in fig.axes:  # the stretched rate axis says so
        if ax.get_title():
            assert "log_{10}(1-" in ax.get_ylabel()
    for sw in memory.sweeps:
        tag = f"{sw.variable}:{sw.alpha:g}"
        for name in ("adversary", "worst_subset"):
            line = artist(fig, f"{name}:{tag}")
            np.testing.assert_array_equal(line.get_xdata(), sw.values)
            np.testing.assert_array_equal(line.get_ydata(), getattr(sw, name))
        ok = np.isfinite(sw.certified)
        np.testing.assert_array_equal(artist(fig, f"certified:{tag}").get_ydata(), sw.certified[ok])
        assert artist(fig, f"analytic:{tag}").get_ydata().size == 0  # vacuous at alpha = 0.05
    assert_saved(fig, tmp_path, "rate_vs_memory")


def test_rate_vs_memory_numbers(memory):
    by_T, by_C = memory.sweeps
    assert by_T.adversary[0] == pytest.approx((0.95 + math.sqrt(0.95**2 - 0.2)) / 2, abs=1e-10)
    assert fd.adversary_pattern("sum", 3, 2) == Pattern((0, 2, 3), (1.0, 0.5, 0.5))
    for sw in memory.sweeps:
        assert np.all(sw.worst_subset >= sw.adversary - 1e-12)  # the adversary is one of the subsets
        ok = np.isfinite(sw.certified)
        assert np.array_equal(sw.attempted, sw.T <= 2)
        assert np.all(sw.certified[ok] >= sw.worst_subset[ok] - 1e-9)
        assert np.all(np.isinf(sw.analytic))  # alpha = 0.05 > s mu / (L^2 B W T) = 0.01 / T


# ----------------------------------------------------------------------------- figure 4


@pytest.fixture(scope="module")
def stability():
    return fd.stability_map_data(Ts=(1, 2), n_b=9, n_alpha=12, n_grid=17)


def test_stability_map_draws_the_rates_and_the_boundary(stability, tmp_path):
    fig = draw_stability_map(stability)
    assert_labelled(fig, 2)
    lo, hi = stability.clip
    for p in stability.panels:
        mesh = artist(fig, f"rate:T={p.T}")
        assert isinstance(mesh, QuadMesh)
        np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(p.rate.shape), np.clip(p.rate, lo, hi))
        boundary = artist(fig, f"admissible:T={p.T}")
        np.testing.assert_array_equal(boundary.get_xdata(), p.admissible_alpha_L)
        np.testing.assert_array_equal(boundary.get_ydata(), p.b)
        artist(fig, f"rate=1:T={p.T}")
    assert_saved(fig, tmp_path, "stability_map")


def test_stability_map_numbers(stability):
    for p in stability.panels:
        a = p.alpha_L / 10.0
        # b = 0 is plain gradient descent: max(|1 - alpha mu|, |1 - alpha L|)
        np.testing.assert_allclose(p.rate[0], np.maximum(np.abs(1 - a), np.abs(1 - 10 * a)), atol=1e-10)
        i = int(np.flatnonzero(p.b == 1.0)[0])
        # b = 1: s = 2, B = 1, W = 2: alpha_max = min(s mu / (L^2 B W T), 2 / ((mu + L) s)) = 0.01 / T
        assert p.admissible_alpha_L[i] == pytest.approx(0.1 / p.T)


def test_drawing_on_given_axes_and_wrong_axes_count(stability):
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert draw_stability_map(stability, ax=list(axes)) is fig
    with pytest.raises(ValueError, match="2 Axes"):
        draw_stability_map(stability, ax=axes[0])
    assert isinstance(axes[0], Axes)


# ----------------------------------------------------------------------------- figure 5


@pytest.fixture(scope="module")
def critical():
    return fd.critical_ages_data(decays=(0.5, 0.99), n=2, steps=400)


def test_critical_ages_figure(critical, tmp_path):
    fig = draw_critical_ages(critical)
    assert_labelled(fig, 2)
    for g, agg in enumerate(critical.aggregations):
        np.testing.assert_array_equal(artist(fig, f"largest:{agg}").get_xdata(), critical.decays)
        np.testing.assert_array_equal(artist(fig, f"largest:{agg}").get_ydata(), critical.largest_age[g])
        np.testing.assert_array_equal(artist(fig, f"median:{agg}").get_ydata(), critical.median_age[g])
    ce = critical.counterexample
    np.testing.assert_array_equal(artist(fig, "counterexample:memory").get_ydata(), ce.memory)
    np.testing.assert_array_equal(artist(fig, "counterexample:gd").get_ydata(), ce.gd)
    assert_saved(fig, tmp_path, "critical_ages")


def test_critical_ages_numbers(critical):
    assert np.all(critical.largest_age >= critical.median_age)
    assert np.all(critical.largest_age[:, -1] > critical.largest_age[:, 0])  # decay 0.99 keeps gradients longer
    ce = critical.counterexample
    assert ce.memory_status is Status.DIVERGED and ce.gd_status is Status.CONVERGED and ce.memory_T > 50
    # kappa = 1 (A = I): gradient descent at alpha = 0.5 halves the distance exactly every step
    k = np.arange(ce.gd_nit + 1)
    np.testing.assert_allclose(ce.gd[k], 0.5**k, rtol=1e-9, atol=1e-14)  # atol: resolution of x_k - x*
    assert ce.gd_rate == 0.5


# ----------------------------------------------------------------------------- command line


def test_cli_writes_png_and_svg_and_reports_progress(tmp_path, capsys):
    assert main(["--quick", "--only", "stability_map", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "stability_map.png").stat().st_size > 10_000
    assert (tmp_path / "stability_map.svg").stat().st_size > 10_000
    err = capsys.readouterr().err
    assert "[1/1] stability_map" in err and "stability_map.svg" in err
    assert set(NAMES) >= {"distance_to_optimum", "rate_vs_step", "rate_vs_memory", "stability_map", "critical_ages",
                          "reference_oddities", "critical_map", "sandwich"}


def test_cli_rejects_an_unknown_figure(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--only", "nope"])
    assert info.value.code == 2


# ----------------------------------------------------------------------------- readability (issue 15)


def test_distance_figure_says_which_measured_curves_coincide(distance):
    fig = draw_distance(distance)
    curves = distance.curves
    for i, c in enumerate(curves):
        label = artist(fig, f"measured:{c.label}").get_label()
        earlier = [d for d in curves[:i]
                   if np.allclose(d.measured[np.isfinite(d.measured) & np.isfinite(c.measured)],
                                  c.measured[np.isfinite(d.measured) & np.isfinite(c.measured)], rtol=1e-6, atol=0)]
        assert ("lies on" in label) == bool(earlier), label
    markers = [artist(fig, f"measured:{c.label}").get_marker() for c in curves]
    assert len(set(markers)) == len(curves)  # every rule stays visible where curves coincide


def test_stability_map_draws_the_slow_contours(stability):
    fig = draw_stability_map(stability)
    for p in stability.panels:
        slow = artist(fig, f"rate=0.9,0.99:T={p.T}")
        np.testing.assert_array_equal(slow.levels, [0.9, 0.99])


def test_rate_vs_step_draws_theorem_2_above_the_exact_rate(rate_step):
    d = rate_step
    th2 = np.isfinite(d.theorem2_fine)
    assert th2.any() and not th2.all()                      # vacuous near the stability limit
    assert np.all(d.theorem2_fine[th2] >= d.exact_fine[th2])
    # non-vacuous on a wider range than Theorem 1/1b
    assert d.alpha_fine[th2].max() > d.alpha_fine[np.isfinite(d.analytic_fine)].max()
    fig = draw_rate_vs_step(d)
    line = artist(fig, "theorem2")
    np.testing.assert_array_equal(line.get_ydata(), d.theorem2_fine[th2])
