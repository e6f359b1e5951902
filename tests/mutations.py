"""Deliberately broken proof ingredients (test-only): each must make the report's checks fail.

Every mutation is a :class:`~memgd.proofs_check.certificates.rules.ProofRules` whose step
model or transient constant is wrong in one way.  The certifier and its verifier share the
rules, so the verifier cannot catch them; the lower bounds of
:mod:`memgd.proofs_check.lower_bounds` must.
"""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import STAR, StepModel, step_model, transient_constant
from memgd.proofs_check.certificates.rules import ProofRules


def _point(model: StepModel, i: int):
    if i == STAR:
        return np.zeros(model.n), np.zeros(model.n), np.zeros(model.T + 2)
    f = np.zeros(model.T + 2)
    f[i] = 1.0
    return model.X[i], model.G[i], f


def _identity_rows(model: StepModel, points) -> tuple[list, np.ndarray, np.ndarray]:
    """Rows +E_ij and -E_ij of the quadratic-only identity f_i - f_j = <g_i + g_j, x_i - x_j> / 2."""
    pairs, Ms, As = [], [], []
    for i, j in combinations(points, 2):
        xi, gi, fi = _point(model, i)
        xj, gj, fj = _point(model, j)
        a, b = gi + gj, xi - xj
        M = -0.25 * (np.outer(a, b) + np.outer(b, a))
        for sign in (1.0, -1.0):
            pairs.append((i, j))
            Ms.append(sign * M)
            As.append(sign * (fi - fj))
    return pairs, np.array(Ms), np.array(As)


def _with_quadratic_identity(model: StepModel) -> StepModel:
    T = model.T
    pairs, M, a = _identity_rows(model, (STAR,) + tuple(range(T + 2)))
    npairs, nM, na = _identity_rows(model, (STAR,) + tuple(range(T + 1)))
    keep = list(range(model.n - 1))
    nM = nM[:, keep][:, :, keep]
    return dataclasses.replace(
        model, pairs=model.pairs + tuple(pairs), M=np.concatenate([model.M, M]), a=np.concatenate([model.a, a]),
        norm_pairs=model.norm_pairs + tuple(npairs), norm_M=np.concatenate([model.norm_M, nM]),
        norm_a=np.concatenate([model.norm_a, na]))


def quadratic_identity_rules() -> ProofRules:
    """Adds f_i - f_j = <g_i + g_j, x_i - x_j>/2 (both signs) to the interpolation set: true on quadratics only."""
    return ProofRules(model=lambda mu, L, alpha, pat, T: _with_quadratic_identity(step_model(mu, L, alpha, pat, T)))


def dropped_pair_rules(pair: tuple[int, int]) -> ProofRules:
    """Removes the ordered pair ``pair`` from the decrease's interpolation set."""

    def model(mu, L, alpha, pat, T):
        m = step_model(mu, L, alpha, pat, T)
        pi = {(STAR if i == "star" else i, STAR if j == "star" else j) for i, j in [pair]}
        keep = [k for k, pr in enumerate(m.pairs) if pr not in pi]
        return dataclasses.replace(m, pairs=tuple(m.pairs[k] for k in keep), M=m.M[keep], a=m.a[keep])

    return ProofRules(model=model)


def wrong_sign_decrease_rules() -> ProofRules:
    """The decrease uses V_{k+1} = xi_{k+1}'P xi_{k+1} - p'(F_{k+1} - f*): the function values of the
    next state enter with the wrong sign (V_k keeps the right one)."""

    def model(mu, L, alpha, pat, T):
        m = step_model(mu, L, alpha, pat, T)
        return dataclasses.replace(m, E1=-m.E1)

    return ProofRules(model=model)


def scaled_transient_rules(factor: float) -> ProofRules:
    """Reports ``factor`` times the transient constant (factor < 1: too small; the verifier keeps c >= 1)."""
    return ProofRules(transient=lambda mu, L, P, p: max(1.0, factor * transient_constant(mu, L, P, p)))


def flipped_multiplier_rules() -> ProofRules:
    """The decrease uses -I_ij >= 0: V_{k+1} - rho^2 V_k <= +sum lam I_ij (the inequality with the wrong sign)."""

    def model(mu, L, alpha, pat, T):
        m = step_model(mu, L, alpha, pat, T)
        return dataclasses.replace(m, M=-m.M, a=-m.a)

    return ProofRules(model=model)


def unit_transient_rules() -> ProofRules:
    """Reports c = 1: the bound ||x_k - x*|| <= rho^k ||x_0 - x*|| without its transient constant."""
    return ProofRules(transient=lambda mu, L, P, p: 1.0)
