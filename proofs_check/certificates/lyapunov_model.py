r"""The linear algebra of one step of a fixed memory pattern, in Gram-matrix form.

This module holds no solver: it says which vectors describe one step, how the
Lyapunov state and the interpolation inequalities are written on them, and how a
candidate certificate turns into the matrices whose signs prove a rate.  Both the
SDP builder (:mod:`memgd.proofs_check.certificates.sdp`) and the float64 verifier
(:mod:`memgd.proofs_check.certificates.verify`) use it.

Mathematics
-----------
Fix a window length :math:`T` and a pattern with dense weights :math:`w_0..w_T`
(``w[tau]`` multiplies :math:`g_{k-\tau}`).  Everything is relative to the minimizer
(:math:`x_\star = 0`, :math:`g_\star = 0`, :math:`f_\star = 0`).  One step is described
by the :math:`n = 2T + 3` *basis vectors*

.. math::

    u = (x_{k-T}, \dots, x_k,\; g_{k-T}, \dots, g_k, g_{k+1}),

because :math:`x_{k+1} = x_k - \alpha \sum_\tau w_\tau g_{k-\tau}` is a combination of
them, and by the :math:`T + 2` function values :math:`F = (f_{k-T}, \dots, f_{k+1})`.
Any scalar quadratic in the vectors is :math:`\mathrm{tr}(M G)` with :math:`G` the Gram
matrix of :math:`u`; we write it as the symmetric ``(n, n)`` matrix :math:`M`.

The *points* are :math:`\star` and the window offsets :math:`m = 0..T+1`
(:math:`m` stands for iterate :math:`k - T + m`; :math:`m = T + 1` is :math:`x_{k+1}`).

Interpolation (Taylor, Hendrickx, Glineur 2017, Thm. 4): a set of triples
:math:`(x_i, g_i, f_i)` is interpolable by a :math:`\mu`-strongly convex,
:math:`L`-smooth function iff for all :math:`i \ne j`

.. math::

    \begin{aligned}
    I_{ij} = f_i - f_j - \langle g_j, x_i - x_j\rangle
      &- \frac{1}{2(1-\mu/L)}\Big(\tfrac1L\|g_i-g_j\|^2 + \mu\|x_i-x_j\|^2 \\
      &\qquad\qquad - \tfrac{2\mu}{L}\langle g_j - g_i, x_j - x_i\rangle\Big) \;\ge\; 0 .
    \end{aligned}

Lyapunov function on the state :math:`\xi_k = (x_{k-T..k}, g_{k-T..k-1})` (size
:math:`2T+1`) and :math:`F_k = (f_{k-T..k})`:
:math:`V_k = \xi_k^\top P \xi_k + p^\top F_k`.  With selection matrices
:math:`S_0 \xi_k = \xi_k`, :math:`S_1 \xi_{k+1}` written on :math:`u`, the decrease
condition for multipliers :math:`\lambda_{ij} \ge 0` reads

.. math::

    \begin{aligned}
    V_{k+1} - \rho^2 V_k + \sum \lambda_{ij} I_{ij} &= u^\top Q u + r^\top F, \\
    Q &= S_1^\top P S_1 - \rho^2 S_0^\top P S_0 + \sum \lambda_{ij} M_{ij}, \\
    r &= E_1 p - \rho^2 E_0 p + \sum \lambda_{ij} a_{ij},
    \end{aligned}

and the normalization :math:`V_k - \|x_k\|^2 - \sum \nu_{ij} I_{ij} = u'^\top N u' + r_N^\top F`
on the points :math:`\{\star, 0..T\}` and the sub-basis :math:`u'` without
:math:`g_{k+1}` (size :math:`2T+2`).  A certificate needs :math:`Q \preceq 0`,
:math:`r = 0`, :math:`N \succeq 0`, :math:`r_N = 0`, :math:`\lambda, \nu, p \ge 0`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

import numpy as np

from memgd.theory.pattern import Pattern

STAR = -1  # index of the minimizer among the points


def _sym(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Matrix of the bilinear form <a u, b u> as a symmetric matrix: (a b' + b a') / 2."""
    return 0.5 * (np.outer(a, b) + np.outer(b, a))


@dataclass(frozen=True)
class StepModel:
    """One step of one pattern on a window of length T (all arrays float64).

    Index conventions: basis vector ``x(m) = m`` for m = 0..T and ``g(m) = T + 1 + m``
    for m = 0..T+1, so n = 2T + 3.  Points are STAR and m = 0..T+1.
    """

    T: int
    n: int                          # 2T + 3 basis vectors
    X: np.ndarray                   # (T+2, n) coefficients of x at point m on the basis
    G: np.ndarray                   # (T+2, n) coefficients of g at point m
    S0: np.ndarray                  # (2T+1, n) state xi_k on the basis
    S1: np.ndarray                  # (2T+1, n) state xi_{k+1} on the basis
    E0: np.ndarray                  # (T+2, T+1) places p on F_k = (f_{k-T..k})
    E1: np.ndarray                  # (T+2, T+1) places p on F_{k+1} = (f_{k+1-T..k+1})
    pairs: tuple[tuple[int, int], ...]      # ordered pairs (i, j) of all T+3 points
    M: np.ndarray                   # (n_pairs, n, n) quadratic part of I_ij
    a: np.ndarray                   # (n_pairs, T+2) linear (function-value) part of I_ij
    norm_pairs: tuple[tuple[int, int], ...]  # pairs among STAR, 0..T
    norm_M: np.ndarray              # (n_norm_pairs, n-1, n-1) on the sub-basis without g_{k+1}
    norm_a: np.ndarray              # (n_norm_pairs, T+2)
    ek: np.ndarray                  # (n-1,) coefficient of x_k on the sub-basis


def interpolation_form(
    mu: float, L: float, xi: np.ndarray, gi: np.ndarray, xj: np.ndarray, gj: np.ndarray
) -> np.ndarray:
    """Quadratic part (symmetric matrix) of I_ij for points given by basis coefficients."""
    c = 1.0 / (2.0 * (1.0 - mu / L))
    dx = xi - xj
    dg = gi - gj
    return -_sym(gj, dx) - c * (np.outer(dg, dg) / L + mu * np.outer(dx, dx) - (2.0 * mu / L) * _sym(dg, dx))


def _check_class(mu: float, L: float, alpha: float) -> None:
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be a finite positive step, got {alpha!r}")


@lru_cache(maxsize=256)
def _step_model_cached(mu: float, L: float, alpha: float, weights: tuple[float, ...],
                       only: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]] | None = None) -> StepModel:
    """``only``: (pairs, normalization pairs) to keep, in this order (default: every ordered pair)."""
    T = len(weights) - 1
    n = 2 * T + 3
    npts = T + 2
    w = np.asarray(weights, dtype=np.float64)

    def xb(m: int) -> int:
        return m

    def gb(m: int) -> int:
        return T + 1 + m

    X = np.zeros((npts, n))
    G = np.zeros((npts, n))
    for m in range(T + 1):
        X[m, xb(m)] = 1.0
    X[T + 1, xb(T)] = 1.0
    for tau in range(T + 1):
        X[T + 1, gb(T - tau)] -= alpha * w[tau]
    for m in range(T + 2):
        G[m, gb(m)] = 1.0

    S0 = np.zeros((2 * T + 1, n))
    S1 = np.zeros((2 * T + 1, n))
    for m in range(T + 1):
        S0[m] = X[m]
        S1[m] = X[m + 1]
    for m in range(T):
        S0[T + 1 + m] = G[m]
        S1[T + 1 + m] = G[m + 1]
    E0 = np.zeros((npts, T + 1))
    E1 = np.zeros((npts, T + 1))
    for m in range(T + 1):
        E0[m, m] = 1.0
        E1[m + 1, m] = 1.0

    def point(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if i == STAR:
            return np.zeros(n), np.zeros(n), np.zeros(npts)
        f = np.zeros(npts)
        f[i] = 1.0
        return X[i], G[i], f

    def pair_parts(pairs):
        Ms, As = [], []
        for i, j in pairs:
            xi, gi, fi = point(i)
            xj, gj, fj = point(j)
            Ms.append(interpolation_form(mu, L, xi, gi, xj, gj))
            As.append(fi - fj)
        return np.array(Ms), np.array(As)

    pts = (STAR,) + tuple(range(T + 2))
    pairs = tuple(permutations(pts, 2)) if only is None else tuple(only[0])
    M, a = pair_parts(pairs)
    norm_pts = (STAR,) + tuple(range(T + 1))
    norm_pairs = tuple(permutations(norm_pts, 2)) if only is None else tuple(only[1])
    nM, na = pair_parts(norm_pairs)
    keep = [i for i in range(n) if i != gb(T + 1)]
    nM = nM[:, keep][:, :, keep]
    ek = np.zeros(n - 1)
    ek[xb(T)] = 1.0
    for arr in (X, G, S0, S1, E0, E1, M, a, nM, na, ek):
        arr.setflags(write=False)
    return StepModel(T, n, X, G, S0, S1, E0, E1, pairs, M, a, norm_pairs, nM, na, ek)


def step_model(mu: float, L: float, alpha: float, pattern: Pattern, T: int | None = None) -> StepModel:
    """Model of one step of ``pattern`` on a window of length ``T`` (default: the pattern's T)."""
    _check_class(mu, L, alpha)
    T = pattern.T if T is None else int(T)
    w = tuple(float(v) for v in pattern.dense_weights(T))
    return _step_model_cached(float(mu), float(L), float(alpha), w)


def decrease_parts(
    model: StepModel, rho: float, P: np.ndarray, p: np.ndarray, lam: np.ndarray,
    P_next: np.ndarray | None = None, p_next: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, r) of the decrease condition: V'_{k+1} - rho^2 V_k + sum lam I = u'Qu + r'F.

    V_k uses (P, p); V'_{k+1} uses (P_next, p_next), by default the same (a common Lyapunov
    function; pattern-dependent certificates pass the next pattern's pair)."""
    rho2 = rho * rho
    P1 = P if P_next is None else P_next
    p1 = p if p_next is None else p_next
    Q = model.S1.T @ P1 @ model.S1 - rho2 * (model.S0.T @ P @ model.S0) + np.tensordot(lam, model.M, axes=1)
    r = model.E1 @ p1 - rho2 * (model.E0 @ p) + lam @ model.a
    return 0.5 * (Q + Q.T), r


def normalization_parts(
    model: StepModel, P: np.ndarray, p: np.ndarray, nu: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(N, r_N) of the normalization: V_k - ||x_k||^2 - sum nu I = u''Nu' + r_N'F."""
    S0 = model.S0[:, [i for i in range(model.n) if i != model.n - 1]]
    N = S0.T @ P @ S0 - np.outer(model.ek, model.ek) - np.tensordot(nu, model.norm_M, axes=1)
    r = model.E0 @ p - nu @ model.norm_a
    return 0.5 * (N + N.T), r


def initial_state_map(T: int) -> np.ndarray:
    """(2T+1, 2) matrix A with xi_0 = A (x_0, g_0) for the history x_{-i} = x_0, g_{-i} = g_0."""
    A = np.zeros((2 * T + 1, 2))
    A[: T + 1, 0] = 1.0
    A[T + 1 :, 1] = 1.0
    return A


def transient_constant(mu: float, L: float, P: np.ndarray, p: np.ndarray) -> float:
    r"""A constant c with :math:`V_0 \le c \|x_0 - x_\star\|^2` for every function of the class.

    With the history :math:`x_{-i} = x_0`, :math:`V_0 = z^\top Q z + s f_0` with
    :math:`z = (x_0, g_0)`, :math:`Q = A^\top P A`, :math:`s = \sum p \ge 0`.  The
    inequality :math:`I_{0\star} \ge 0` gives
    :math:`f_0 \le \langle g_0, x_0\rangle - \frac{1}{2(1-\mu/L)}(\|g_0\|^2/L + \mu\|x_0\|^2
    - \frac{2\mu}{L}\langle g_0, x_0\rangle)`, and :math:`\langle g_0 - \mu x_0, g_0 - L x_0\rangle \le 0`
    (from :math:`I_{0\star} + I_{\star 0} \ge 0`) puts :math:`g_0 = \beta x_0 + \gamma v`
    (:math:`v \perp x_0`, :math:`\|x_0\| = 1`) in the disc
    :math:`(\beta - \tfrac{\mu+L}{2})^2 + \gamma^2 \le (\tfrac{L-\mu}{2})^2`.  The bound is a
    function of :math:`\beta` and :math:`\beta^2 + \gamma^2` only, linear in the latter, so
    its maximum over the disc is attained at :math:`\gamma = 0`, :math:`\beta = h \in [\mu, L]`:
    :math:`c = \max_{h \in [\mu, L]} q(h)`, a scalar quadratic, maximized exactly.
    Requires ``p >= 0``.
    """
    P = np.asarray(P, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if np.any(p < 0):
        raise ValueError("transient_constant needs p >= 0")
    T = (P.shape[0] - 1) // 2
    A = initial_state_map(T)
    Q = A.T @ P @ A
    s = float(np.sum(p))
    cc = 1.0 / (2.0 * (1.0 - mu / L))
    # f0 bound as a 2x2 form on (x0, g0): <g,x> - cc(|g|^2/L + mu|x|^2 - 2 mu/L <g,x>)
    Fb = np.array([[-cc * mu, 0.5 + cc * mu / L], [0.5 + cc * mu / L, -cc / L]])
    R = Q + s * Fb
    R = 0.5 * (R + R.T)
    # q(h) = R00 + 2 R01 h + R11 (beta^2 + gamma^2) at gamma = 0, beta = h
    cands = [mu, L]
    if R[1, 1] < 0:
        hv = -R[0, 1] / R[1, 1]
        if mu < hv < L:
            cands.append(hv)
    vals = [R[0, 0] + 2 * R[0, 1] * h + R[1, 1] * h * h for h in cands]
    c = max(vals)
    return float(c + 1e-12 * (abs(c) + np.abs(R).sum() * L * L))
