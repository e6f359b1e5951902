r"""Float64 verification of a class certificate: the lifted LMIs at every vertex, then the unlifted verifier.

Mathematics
-----------
Given numbers only — :math:`\rho`, :math:`P`, :math:`p`, the Finsler vector :math:`y`, multipliers
:math:`\lambda_v` per vertex and :math:`\nu` — :func:`check_lifted` rebuilds, for every vertex
:math:`w_v` of the class, the lifted decrease matrix
:math:`Q_v = S_1^\top P S_1 - \rho^2 S_0^\top P S_0 + \sum \lambda_{v,ij} M_{ij} + y c(w_v)^\top + c(w_v) y^\top`
(:mod:`memgd.proofs_check.certificates.class_sdp`) and the normalization, with the rules of
:func:`memgd.proofs_check.certificates.verify.verify`: exact signs of :math:`p, \lambda, \nu`;
function-value residuals :math:`r` absorbed through :math:`0 \le f_i - f_\star \le \tfrac L2\|x_i - x_\star\|^2`
(here :math:`x_{k+1}` is a basis vector, so its term is added like the others); eigenvalues clear
``eig_margin`` times the matrix norm.  This is the proof: by the convexity argument of
:mod:`~memgd.proofs_check.certificates.class_sdp`, it certifies every weight vector of the
polytope and any switching among them.

:func:`cross_check` then tests that argument with independent code: the *unlifted* verifier
(:func:`~memgd.proofs_check.certificates.verify.verify`, built on
:mod:`~memgd.proofs_check.certificates.lyapunov_model`, which knows nothing of lifting or
Finsler) at every vertex of the class and at random interior points
:math:`w = \sum_v \theta_v w_v` with the interpolated multipliers
:math:`\lambda = \sum_v \theta_v \lambda_v` (on the certificate's pairs: the others carry zero multipliers).  It takes the vertices from the class itself, so a
certifier that dropped one is refused.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.certificates.class_model import LiftedClassModel
from memgd.proofs_check.certificates.lyapunov_model import _step_model_cached, transient_constant
from memgd.proofs_check.certificates.rules import ProofRules
from memgd.proofs_check.certificates.verify import verify
from memgd.proofs_check.certificates.weight_classes import WeightClass, describe_weights
from memgd.theory.pattern import Pattern


def _scale(M: np.ndarray) -> float:
    return max(1.0, float(np.linalg.norm(M, 2)))


def check_lifted(model: LiftedClassModel, vertices: np.ndarray, rho: float, P: np.ndarray, p: np.ndarray,
                 y: np.ndarray, lam: tuple[np.ndarray, ...], nu: np.ndarray, *, eig_margin: float = 1e-9,
                 eq_tol: float = 1e-6) -> tuple[str, float, float, float]:
    """'' if the lifted certificate verifies (normalized units), else the first failure; and
    (largest scaled decrease eigenvalue, smallest scaled normalization eigenvalue, largest residual).

    ``y`` is one vector (the sound proof) or one row per vertex (only a mutated certifier makes that)."""
    m, T = model, model.T
    V = len(vertices)
    worst, max_res = -np.inf, 0.0

    def out(reason, ne=np.nan):
        return reason, worst, ne, max_res

    if not (np.isfinite(rho) and 0.0 < rho < 1.0):
        return out(f"rho must lie in (0, 1), got {rho!r}")
    if len(lam) != V:
        return out(f"need one multiplier vector per vertex ({V}), got {len(lam)}")
    arrays = (P, p, y, nu) + tuple(lam)
    if not all(np.all(np.isfinite(a)) for a in arrays):
        return out("non-finite entries")
    if not np.array_equal(P, P.T):
        return out("P is not symmetric")
    if np.any(P[~m.mask] != 0.0):
        return out("P has entries outside its declared pattern")
    if np.any(p < 0) or np.any(nu < 0) or any(np.any(v < 0) for v in lam):
        return out("a multiplier or an entry of p is negative")
    Y = np.broadcast_to(np.asarray(y, dtype=np.float64), (V, m.n))
    S0, S1 = m.S0, m.S1
    base = S1.T @ P @ S1 - rho ** 2 * (S0.T @ P @ S0)
    fv = m.E1 @ p - rho ** 2 * (m.E0 @ p)
    for v in range(V):
        lv = np.asarray(lam[v], dtype=np.float64)
        if lv.shape != (len(m.pairs),):
            return out(f"vertex {v}: expected {len(m.pairs)} multipliers, got {lv.shape}")
        c = m.c(vertices[v])
        Q = base + np.tensordot(lv, m.M, axes=1) + np.outer(Y[v], c) + np.outer(c, Y[v])
        Q = 0.5 * (Q + Q.T)
        r = fv + lv @ m.a
        max_res = max(max_res, float(np.max(np.abs(r))))
        if np.max(np.abs(r)) > eq_tol:
            return out(f"vertex {v}: function-value residual {np.max(np.abs(r)):.3g} > {eq_tol}")
        Qe = Q + 0.5 * (m.X.T * np.maximum(r, 0.0)) @ m.X
        ev = float(np.linalg.eigvalsh(Qe)[-1]) / _scale(Qe)
        worst = max(worst, ev)
        if not ev < -eig_margin:
            return out(f"vertex {v} ({describe_weights(vertices[v])}): lifted decrease eigenvalue {ev:.3g} "
                       f"(scaled) not < -{eig_margin}")
    keep = m.norm_keep
    pos = {int(b): i for i, b in enumerate(keep)}
    S0n = np.zeros((2 * T + 1, len(keep)))
    S0n[np.arange(2 * T + 1), [pos[int(b)] for b in m.s0]] = 1.0
    if nu.shape != (len(m.norm_pairs),):
        return out(f"expected {len(m.norm_pairs)} normalization multipliers, got {nu.shape}")
    N = S0n.T @ P @ S0n - np.outer(m.ek, m.ek) - np.tensordot(nu, m.norm_M, axes=1)
    N = 0.5 * (N + N.T)
    rN = m.E0[: T + 1] @ p - nu @ m.norm_a[:, : T + 1]
    max_res = max(max_res, float(np.max(np.abs(rN))))
    if np.max(np.abs(rN)) > eq_tol:
        return out(f"normalization residual {np.max(np.abs(rN)):.3g} > {eq_tol}")
    Xn = np.eye(len(keep))[: T + 1]                      # x at points 0..T on the sub-basis
    Ne = N - 0.5 * (Xn.T * np.maximum(-rN, 0.0)) @ Xn
    ne = float(np.linalg.eigvalsh(Ne)[0]) / _scale(Ne)
    if not ne > eig_margin:
        return out(f"normalization eigenvalue {ne:.3g} (scaled) not > {eig_margin}", ne)
    return "", worst, ne, max_res


def _rules_on(pairs: tuple, norm_pairs: tuple) -> ProofRules:
    """The unlifted step model (:mod:`~memgd.proofs_check.certificates.lyapunov_model`) on the certificate's
    pairs only, uncached (interior points have fresh weights).  Pairs outside the certificate carry zero
    multipliers, so leaving them out changes no matrix of the check, only its cost."""

    def model(mu, L, alpha, pattern, T):
        return _step_model_cached.__wrapped__(float(mu), float(L), float(alpha),
                                              tuple(float(v) for v in pattern.dense_weights(T)), (pairs, norm_pairs))

    return ProofRules(model=model, transient=transient_constant)


def cross_check(mu: float, L: float, alpha: float, wclass: WeightClass, rho: float, P: np.ndarray, p: np.ndarray,
                lam: tuple[np.ndarray, ...], nu: np.ndarray, pairs: tuple, norm_pairs: tuple, *,
                rng: np.random.Generator, n_interior: int = 20, eig_margin: float = 1e-9) -> str:
    """'' if the unlifted verifier accepts the certificate (original units) at every vertex of ``wclass``
    and at ``n_interior`` random interior points with interpolated multipliers; else the first failure."""
    T = wclass.T
    W = wclass.weights
    if len(lam) != len(W):
        return f"the certificate has multipliers for {len(lam)} vertices, the class has {len(W)}"
    rules = _rules_on(tuple(pairs), tuple(norm_pairs))
    lam = np.array([np.asarray(v, dtype=np.float64) for v in lam])
    theta, inside = wclass.interior(rng, n_interior)
    thetas = np.vstack([np.eye(len(W)), theta])
    points = np.vstack([W, inside])
    pats = wclass.patterns()
    for k, (th, w) in enumerate(zip(thetas, points)):
        pat = pats[k] if k < len(W) else Pattern(tuple(range(T + 1)), tuple(w))
        ver = verify(mu, L, alpha, (pat,), T, rho, P, p, (th @ lam,), nu, eig_margin=eig_margin, rules=rules)
        if not ver.ok:
            where = "vertex" if k < len(W) else "interior point"
            return f"unlifted verifier at {where} ({describe_weights(np.round(w, 6))}): {ver.reason}"
    return ""
