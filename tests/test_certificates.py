"""Lyapunov SDP certificates: agreement with known rates, soundness, verification that can fail."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from memgd.proofs_check.certificates.certify import Certificate, certify
from memgd.proofs_check.certificates.lyapunov_model import initial_state_map, step_model, transient_constant
from memgd.proofs_check.certificates.patterns import aggregation_patterns, fixed_age_weights, patterns_for_subsets
from memgd.proofs_check.certificates.verify import verify
from memgd.proofs_check.report.sandwich import is_false, lower_bounds
from memgd.solvers.status import Status
from memgd.theory import critical_step, exact_rate
from memgd.theory.pattern import Pattern

MU, L = 1.0, 10.0
REF = Pattern((0, 1), (1.0, 1.0))  # docs/math/certificates.md reference: alpha = 0.05, exact rate 0.89408


@pytest.fixture(scope="module")
def ref_cert() -> Certificate:
    cert = certify(MU, L, 0.05, REF, tol=1e-5)
    assert cert.status is Status.CERTIFIED, cert.reason
    return cert


# ---------------------------------------------------------------- known rates


@pytest.mark.parametrize("alpha", [0.02, 0.1, 0.15, 0.19])
def test_no_memory_certifies_gradient_descent_rate(alpha):
    cert = certify(MU, L, alpha, Pattern.plain(), tol=1e-5)
    gd = max(abs(1 - alpha * MU), abs(1 - alpha * L))
    assert cert.status is Status.CERTIFIED, cert.reason
    assert gd - 1e-12 <= cert.rho <= gd + 1e-4


def test_reference_case_matches_quadratic_rate(ref_cert):
    q = exact_rate(MU, L, 0.05, REF)
    assert abs(q - 0.89408) < 1e-5
    assert q <= ref_cert.rho <= q + 1e-3
    assert abs(ref_cert.rho - 0.89408) < 1e-3
    assert 1.0 <= ref_cert.transient < 10.0


def test_without_function_values_is_not_better(ref_cert):
    no_f = certify(MU, L, 0.05, REF, tol=1e-5, use_function_values=False)
    assert no_f.certified and np.all(no_f.p == 0.0)
    assert no_f.rho >= ref_cert.rho - 1e-5
    # only the f-free pair sums I_ij + I_ji (co-coercivity): the prototype's 0.920
    pair = certify(MU, L, 0.05, REF, tol=1e-5, pairwise_only=True)
    assert pair.certified
    assert pair.rho >= no_f.rho
    assert abs(pair.rho - 0.920) < 1e-3


# ---------------------------------------------------------------- soundness


@pytest.mark.parametrize(
    "pattern, factor",
    [(Pattern.plain(), 1.25), (REF, 1.1), (Pattern((0, 1, 2), (1.0, 0.5, 0.5)), 1.2)],
)
def test_unstable_step_is_not_certified(pattern, factor):
    alpha = factor * critical_step(MU, L, pattern)
    assert exact_rate(MU, L, alpha, pattern) > 1.0
    cert = certify(MU, L, alpha, pattern)
    assert cert.status is Status.NOT_CERTIFIED
    assert cert.rho is None and cert.P is None and cert.reason
    with pytest.raises(ValueError):
        cert.bound(3)


@pytest.mark.parametrize(
    "pattern, alpha",
    [(REF, 0.05), (Pattern((0, 2), (1.0, 1.0)), 0.03), (Pattern((0, 1, 3), (0.5, 0.25, 0.25)), 0.1)],
)
def test_no_certificate_below_quadratic_rate(pattern, alpha):
    """The quadratic rate is a lower bound on the worst case: nothing below it may verify."""
    q = exact_rate(MU, L, alpha, pattern)
    cert = certify(MU, L, alpha, pattern, rho_max=q - 2e-4, tol=1e-3)
    assert not cert.certified


def test_shared_certificate_is_at_least_each_individual():
    pats = aggregation_patterns("sum", 2, 2)
    alpha = 0.04
    singles = [certify(MU, L, alpha, p, tol=1e-4) for p in pats]
    shared = certify(MU, L, alpha, pats, tol=1e-4)
    assert all(c.certified for c in singles) and shared.certified
    assert shared.rho >= max(c.rho for c in singles) - 1e-4
    assert len(shared.multipliers) == len(pats)


def _switching_lower_bound(mu, L, alpha, patterns, T, max_period, n_h=41):
    """max over h and over periodic switching sequences of rho(A_p...A_1)^(1/p) on scalar quadratics."""
    best = 0.0
    for h in np.linspace(mu, L, n_h):
        mats = []
        for pat in patterns:
            w = pat.dense_weights(T)
            A = np.zeros((T + 1, T + 1))  # state (y_k, y_{k-1}, ..., y_{k-T})
            A[0, 0] = 1.0
            A[0, :] -= alpha * h * w
            A[1:, :-1] += np.eye(T)
            mats.append(A)
        for p in range(1, max_period + 1):
            for seq in itertools.product(range(len(mats)), repeat=p):
                M = np.eye(T + 1)
                for i in seq:
                    M = mats[i] @ M
                best = max(best, float(np.abs(np.linalg.eigvals(M)).max()) ** (1.0 / p))
    return best


@pytest.mark.parametrize("agg, alpha", [("sum", 0.05), ("mean", 0.1)])
def test_shared_certificate_dominates_switching_on_quadratics(agg, alpha):
    """Any periodic switching on a quadratic must converge no slower than... the certificate allows."""
    pats = aggregation_patterns(agg, 2, 2, include_empty=True)
    cert = certify(MU, L, alpha, pats, tol=1e-4)
    assert cert.certified
    jsr_lb = _switching_lower_bound(MU, L, alpha, pats, 2, max_period=4)
    assert jsr_lb >= max(exact_rate(MU, L, alpha, list(pats))) - 1e-12
    assert cert.rho >= jsr_lb - 1e-9


# ------------------------------------------------- the proof on real functions


def _logcosh_problem(d, rng):
    """f(x) = sum_i mu z_i^2/2 + (L - mu) log cosh(z_i), z = R x: mu-strongly convex, L-smooth, x* = 0, f* = 0."""
    R, _ = np.linalg.qr(rng.standard_normal((d, d)))

    def f(x):
        z = R @ x
        # log cosh z = log1p(2 sinh^2(z/2)): no cancellation near the minimizer
        return float(np.sum(MU * z**2 / 2 + (L - MU) * np.log1p(2.0 * np.sinh(z / 2) ** 2)))

    def grad(x):
        z = R @ x
        return R.T @ (MU * z + (L - MU) * np.tanh(z))

    return f, grad


def _run(f, grad, x0, alpha, schedule, T):
    """Iterates, gradients, values of the switched method with history x_{-i} = x_0."""
    xs, gs = [x0], [grad(x0)]
    for k, pat in enumerate(schedule):
        d = sum(w * gs[max(k - a, 0)] for a, w in zip(pat.ages, pat.weights))
        xs.append(xs[-1] - alpha * d)
        gs.append(grad(xs[-1]))
    return xs, gs, [f(x) for x in xs]


def _V(cert, xs, gs, fs, k):
    """V_k and the size of its terms (for a floating-point tolerance)."""
    T = cert.T
    idx = [max(k - T + m, 0) for m in range(T + 1)]
    state = [xs[i] for i in idx] + [gs[i] for i in idx[:-1]]
    Z = np.array(state)
    F = np.array([fs[i] for i in idx])
    norms = np.linalg.norm(Z, axis=1)
    size = float(np.abs(cert.P) @ norms @ norms + np.abs(cert.p) @ np.abs(F))
    return float(np.sum(cert.P * (Z @ Z.T)) + cert.p @ F), size


def test_lyapunov_decreases_along_switched_runs_on_a_non_quadratic():
    rng = np.random.default_rng(0)
    pats = aggregation_patterns("sum", 2, 2, include_empty=True)
    alpha = 0.05
    cert = certify(MU, L, alpha, pats, tol=1e-4)
    assert cert.certified
    f, grad = _logcosh_problem(4, rng)
    for trial in range(20):
        x0 = rng.standard_normal(4) * 10.0 ** rng.uniform(-2, 1)
        schedule = [pats[i] for i in rng.integers(len(pats), size=40)]
        xs, gs, fs = _run(f, grad, x0, alpha, schedule, cert.T)
        V, size = zip(*[_V(cert, xs, gs, fs, k) for k in range(len(xs) - 1)])
        r2 = [float(x @ x) for x in xs[:-1]]
        r0 = r2[0]
        for k in range(len(V) - 1):
            assert V[k] >= r2[k] - 1e-12 * size[k]
            assert V[k + 1] <= cert.rho**2 * V[k] + 1e-12 * (size[k] + size[k + 1])
        assert V[0] <= cert.transient * r0 * (1 + 1e-12)
        assert np.all(np.array(r2) <= cert.bound(np.arange(len(r2))) * r0 * (1 + 1e-9))


def test_interpolation_inequalities_hold_on_real_points():
    """Each I_ij of the model is >= 0 when the basis vectors come from an actual step."""
    rng = np.random.default_rng(1)
    f, grad = _logcosh_problem(3, rng)
    pat = Pattern((0, 1, 3), (0.5, 0.3, 0.2))
    T, alpha = 3, 0.1
    model = step_model(MU, L, alpha, pat, T)
    mins = []
    for _ in range(30):
        xw = [rng.standard_normal(3) * 3 for _ in range(T + 1)]
        gw = [grad(x) for x in xw]
        x_next = xw[-1] - alpha * sum(w * gw[T - a] for a, w in zip(pat.ages, pat.weights))
        U = np.array(xw + gw + [grad(x_next)])
        G = U @ U.T
        F = np.array([f(x) for x in xw] + [f(x_next)])
        # the model's x_{k+1} is the real one
        assert np.allclose(model.X[-1] @ U, x_next)
        vals = np.einsum("pij,ij->p", model.M, G) + model.a @ F
        mins.append(vals.min() / max(1.0, np.abs(G).max()))
    assert min(mins) >= -1e-12


def test_transient_constant_bounds_V0_and_is_the_class_supremum(ref_cert):
    rng = np.random.default_rng(2)
    f, grad = _logcosh_problem(2, rng)
    A = initial_state_map(ref_cert.T)
    worst = 0.0
    for _ in range(200):
        x0 = rng.standard_normal(2) * 10.0 ** rng.uniform(-2, 1)
        z = A @ np.array([x0, grad(x0)])
        V0 = float(np.sum(ref_cert.P * (z @ z.T)) + ref_cert.p.sum() * f(x0))
        worst = max(worst, V0 / float(x0 @ x0))
    assert worst <= ref_cert.transient
    # on the class, g_0 = h x_0 with f_0 anywhere up to l(h) = h - (h^2 + mu L - 2 mu h) / (2 (L - mu))
    # (two-point interpolation); V_0 is largest there, so c is this supremum, not more
    hs = np.linspace(MU, L, 20001)
    Q = initial_state_map(ref_cert.T).T @ ref_cert.P @ initial_state_map(ref_cert.T)
    quad = Q[0, 0] + 2 * Q[0, 1] * hs + Q[1, 1] * hs**2
    ell = hs - (hs**2 + MU * L - 2 * MU * hs) / (2 * (L - MU))
    assert np.all(ell >= hs / 2 - 1e-12)  # f_0 = h/2 on the quadratic is inside the interval
    sup = float(np.max(quad + ref_cert.p.sum() * ell))
    assert sup <= ref_cert.transient <= sup * (1 + 1e-6)


# ---------------------------------------------------------------- verification can fail


def _reverify(cert, **changes):
    c = dataclasses.replace(cert, **changes)
    return verify(c.mu, c.L, c.alpha, c.patterns, c.T, c.rho, c.P, c.p, c.multipliers, c.normalization_multipliers)


def test_verifier_accepts_the_returned_certificate(ref_cert):
    v = _reverify(ref_cert)
    assert v.ok and v.max_eig_decrease < 0 < v.min_eig_normalization
    assert v.transient == pytest.approx(ref_cert.transient)


def test_verifier_rejects_scaled_down_P(ref_cert):
    v = _reverify(ref_cert, P=0.5 * ref_cert.P, p=0.5 * ref_cert.p,
                  multipliers=tuple(0.5 * m for m in ref_cert.multipliers),
                  normalization_multipliers=0.5 * ref_cert.normalization_multipliers)
    assert not v.ok and "normalization" in v.reason


def test_verifier_rejects_a_negative_multiplier(ref_cert):
    lam = ref_cert.multipliers[0].copy()
    lam[int(np.argmax(lam))] *= -1
    v = _reverify(ref_cert, multipliers=(lam,))
    assert not v.ok and "negative" in v.reason


def test_verifier_rejects_a_smaller_rho(ref_cert):
    assert not _reverify(ref_cert, rho=ref_cert.rho - 0.01).ok
    assert not _reverify(ref_cert, rho=ref_cert.rho - 1e-4).ok


def test_verifier_rejects_a_different_step_or_pattern(ref_cert):
    assert not _reverify(ref_cert, alpha=0.06).ok
    assert not _reverify(ref_cert, patterns=(Pattern((0, 1), (1.0, 1.3)),)).ok


def test_verifier_rejects_equality_residuals(ref_cert):
    v = _reverify(ref_cert, p=ref_cert.p + np.array([0.0, 1e-3]))
    assert not v.ok and "residual" in v.reason


def test_inaccurate_solver_is_never_a_certificate():
    """SCS reports 'optimal' below the true rate; verification must refuse it."""
    q = exact_rate(MU, L, 0.05, REF)
    cert = certify(MU, L, 0.05, REF, solver="SCS", rho_max=q - 5e-4, tol=1e-3)
    assert not cert.certified
    assert cert.n_rejected + cert.n_solver_failed + (cert.rho_infeasible is not None) >= 1


# ---------------------------------------------------------------- small grid against exact rates


@pytest.mark.parametrize("L_", [10.0, 100.0])
@pytest.mark.parametrize("T", [1, 2])
def test_small_grid_no_false_certificates(L_, T):
    cases = [aggregation_patterns("sum", T, T), aggregation_patterns("mean", T, T),
             (Pattern((0, T), (1.0, 0.5)),)]
    for pats in cases:
        a_c = min(critical_step(MU, L_, p) for p in pats)
        for frac in (0.3, 0.8):
            alpha = frac * a_c
            q = float(np.max(exact_rate(MU, L_, alpha, list(pats))))
            cert = certify(MU, L_, alpha, pats, tol=1e-4)
            if cert.certified:
                assert cert.rho >= q - 1e-12, (pats, alpha)
                # and above the verified switching bound of the set (issue 11's definition, PEPit aside)
                assert not is_false(cert, lower_bounds(MU, L_, alpha, pats, horizons=())), (pats, alpha)
            if len(pats) == 1 and frac < 0.5:  # fixed pattern, moderate step: near the quadratic rate
                assert cert.certified, cert.reason
                assert (1 - cert.rho) >= 0.9 * (1 - q), (pats, alpha, cert.rho, q)


# ---------------------------------------------------------------- patterns and inputs


def test_pattern_enumeration_counts_and_weights():
    pats = aggregation_patterns("sum", 3, 2, kappa=2.0)
    assert len(pats) == 3 + 3
    assert Pattern((0, 1, 3), (1.0, 1.0, 1.0)) in pats
    mean = aggregation_patterns("mean", 2, 2, include_empty=True)
    assert mean[0] == Pattern.plain(1.0) and Pattern((0, 1, 2), (1 / 3, 1 / 3, 1 / 3)) in mean
    assert len(aggregation_patterns("max", 4, 3)) == 4
    fixed = patterns_for_subsets(2, 2, fixed_age_weights({1: 0.5, 2: -0.25}))
    assert fixed[-1] == Pattern((0, 1, 2), (1.0, 0.5, -0.25))
    with pytest.raises(ValueError):
        aggregation_patterns("nope", 2, 2)


@pytest.mark.parametrize(
    "kwargs",
    [dict(mu=0.0), dict(mu=10.0), dict(alpha=-0.1), dict(tol=0.0), dict(T=0), dict(rho_max=1.0)],
)
def test_bad_input_raises(kwargs):
    args = dict(mu=MU, L=L, alpha=0.05, patterns=REF) | kwargs
    with pytest.raises(ValueError):
        certify(args.pop("mu"), args.pop("L"), args.pop("alpha"), args.pop("patterns"), **args)


def test_transient_constant_refuses_negative_p():
    with pytest.raises(ValueError):
        transient_constant(MU, L, np.eye(3), np.array([-1.0, 0.0]))
