r"""Certificates for every weight vector in a box: vertices suffice once the step is lifted.

Mathematics
-----------
Fix the ages :math:`0 = \tau_0 < \dots < \tau_J \le T` and let the weights range over a box
:math:`w \in [\ell, u] \subset \mathbb R^{J+1}`.  In the basis of
:mod:`memgd.proofs_check.certificates.lyapunov_model` the next iterate
:math:`x_{k+1} = x_k - \alpha \sum_j w_j g_{k-\tau_j}` is substituted, so the decrease matrix
:math:`Q(w)` contains :math:`S_1(w)^\top P S_1(w)` and the interpolation forms of the pairs
with :math:`x_{k+1}`: it is **quadratic** in :math:`w`, and :math:`Q(w_v) \preceq 0` at the
vertices does not imply it inside the box.

Lifting makes it affine.  Keep :math:`x_{k+1}` as a basis vector
(:math:`u^+ = (x_{k-T..k}, x_{k+1}, g_{k-T..k+1})`, :math:`n^+ = 2T + 4`); every matrix of
the decrease is then independent of :math:`w` (:math:`Q^+`), and the step is the linear
constraint :math:`c(w)^\top u^+ = 0`,
:math:`c(w) = e_{x_{k+1}} - e_{x_k} + \alpha\sum_j w_j e_{g_{k-\tau_j}}`, affine in :math:`w`.
By Finsler's lemma, for any vector :math:`y`,

.. math::

    Q^+(\lambda) + y\,c(w)^\top + c(w)\,y^\top \preceq 0
    \;\Longrightarrow\; u^{+\top} Q^+(\lambda) u^+ \le 0 \text{ whenever } c(w)^\top u^+ = 0,

which is the decrease condition of the pattern with weights :math:`w` and multipliers
:math:`\lambda`.  With :math:`P, p, y` shared and :math:`\lambda_v` per vertex, the left side
is affine in :math:`(w, \lambda)` jointly along :math:`w = \sum_v \theta_v w_v`,
:math:`\lambda = \sum_v \theta_v \lambda_v` (:math:`\theta` a convex combination) — and the
function-value equality :math:`E_1 p - \rho^2 E_0 p + a^\top\lambda = 0` is affine in
:math:`\lambda` and free of :math:`w` — so the LMIs at the :math:`2^{J+1}` vertices imply them
everywhere in the box: the certificate covers every weight vector of the box, and any
switching among them.  The normalization does not involve :math:`x_{k+1}` and is unchanged.
Sharing :math:`y` is the only restriction (a single pattern with its own :math:`y` is exactly
the unlifted condition); a thin box therefore certifies nearly the rate of its worst vertex.

Verification (float64): the lifted LMI at every vertex, the residuals, and the normalization,
by the rules of :func:`memgd.proofs_check.certificates.verify.verify`; in addition the
unlifted verifier itself is run at every vertex and at ``n_interior`` random points of the
box with the interpolated multipliers (an independent check of the argument above).
"""

from __future__ import annotations

import itertools
import time
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import interpolation_form, step_model, transient_constant
from memgd.proofs_check.certificates.sdp import to_normalized_units, to_original_units
from memgd.proofs_check.certificates.search import bisect_rate
from memgd.proofs_check.certificates.verify import verify
from memgd.solvers.status import Status
from memgd.theory.pattern import Pattern


@dataclass(frozen=True)
class WeightBox:
    """Ages and per-age weight intervals ``[lower[j], upper[j]]`` (``ages[0] == 0``)."""

    ages: tuple[int, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def __post_init__(self) -> None:
        Pattern(self.ages, self.lower)  # validates ages and finiteness
        if len(self.upper) != len(self.ages) or any(not lo <= hi for lo, hi in zip(self.lower, self.upper)):
            raise ValueError(f"need lower <= upper per age, got {self.lower!r} and {self.upper!r}")

    @property
    def T(self) -> int:
        return max(self.ages)

    def vertices(self) -> tuple[Pattern, ...]:
        """The 2^(J+1) corner patterns (degenerate intervals counted once)."""
        choices = [sorted({lo, hi}) for lo, hi in zip(self.lower, self.upper)]
        return tuple(Pattern(self.ages, w) for w in itertools.product(*choices))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` uniform weight vectors of the box, shape (n, J+1)."""
        lo, hi = np.array(self.lower), np.array(self.upper)
        return lo + (hi - lo) * rng.random((n, lo.size))


@dataclass(frozen=True)
class LiftedModel:
    """w-independent lifted decrease data (normalized units), and c(w) as c0 + sum_j w_j cw[j]."""

    n: int
    S0: np.ndarray
    S1: np.ndarray
    M: np.ndarray
    a: np.ndarray
    c0: np.ndarray
    cw: np.ndarray


def lifted_model(mu: float, L: float, alpha: float, box: WeightBox, T: int) -> LiftedModel:
    """The lifted basis u+ = (x_{k-T..k}, x_{k+1}, g_{k-T..k+1}); pairs in the order of step_model."""
    base = step_model(mu, L, alpha, Pattern(box.ages, box.lower), T)   # for pairs, E0/E1 and a only
    n = 2 * T + 4
    X = np.zeros((T + 2, n))
    G = np.zeros((T + 2, n))
    X[np.arange(T + 2), np.arange(T + 2)] = 1.0
    G[np.arange(T + 2), T + 2 + np.arange(T + 2)] = 1.0
    S0 = np.vstack([X[: T + 1], G[:T]])
    S1 = np.vstack([X[1: T + 2], G[1: T + 1]])
    zero = np.zeros(n)
    point = lambda i: (zero, zero) if i < 0 else (X[i], G[i])  # noqa: E731  (STAR is -1)
    M = np.array([interpolation_form(mu, L, *point(i), *point(j)) for i, j in base.pairs])
    c0 = X[T + 1] - X[T]
    cw = np.array([alpha * G[T - tau] for tau in box.ages])
    return LiftedModel(n, S0, S1, M, base.a, c0, cw)


@dataclass(frozen=True)
class BoxCertificate:
    """Outcome of :func:`certify_box`; numbers only when ``status is Status.CERTIFIED`` (original units)."""

    status: Status
    reason: str
    box: WeightBox
    mu: float
    L: float
    alpha: float
    T: int
    rho: float | None = None
    transient: float | None = None
    P: np.ndarray | None = None
    p: np.ndarray | None = None
    vertex_multipliers: tuple[np.ndarray, ...] | None = None
    finsler: np.ndarray | None = None          # y, normalized units
    normalization_multipliers: np.ndarray | None = None
    n_interior_checked: int = 0
    solve_time: float = 0.0

    @property
    def certified(self) -> bool:
        return self.status is Status.CERTIFIED

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """The box's vertex patterns (the certificate covers their convex hull)."""
        return self.box.vertices()


class _BoxSDP:
    def __init__(self, mu, L, alpha, box: WeightBox, T: int, margin: float):
        mu_n, alpha_n = mu / L, alpha * L
        self.lm = lm = lifted_model(mu_n, 1.0, alpha_n, box, T)
        self.vertices = box.vertices()
        base = step_model(mu_n, 1.0, alpha_n, self.vertices[0], T)
        n, ns, nN = lm.n, 2 * T + 1, base.n - 1
        self.rho2 = cp.Parameter(nonneg=True)
        self.P = cp.Variable((ns, ns), symmetric=True)
        self.p = cp.Variable(T + 1, nonneg=True)
        self.y = cp.Variable(n)
        self.nu = cp.Variable(len(base.norm_pairs), nonneg=True)
        self.lam = [cp.Variable(len(lm.M), nonneg=True) for _ in self.vertices]
        Mflat = lm.M.reshape(len(lm.M), n * n).T
        cons = []
        for v, lam in zip(self.vertices, self.lam):
            c = lm.c0 + np.asarray(v.weights) @ lm.cw
            Q = (lm.S1.T @ self.P @ lm.S1 - self.rho2 * (lm.S0.T @ self.P @ lm.S0)
                 + cp.reshape(Mflat @ lam, (n, n), order="C") + cp.outer(self.y, c) + cp.outer(c, self.y))
            cons.append(-0.5 * (Q + Q.T) - margin * np.eye(n) >> 0)
            cons.append(base.E1 @ self.p - self.rho2 * (base.E0 @ self.p) + lm.a.T @ lam == 0)
        S0r = base.S0[:, :nN]
        NM = cp.reshape(base.norm_M.reshape(len(base.norm_pairs), nN * nN).T @ self.nu, (nN, nN), order="C")
        N = S0r.T @ self.P @ S0r - np.outer(base.ek, base.ek) - NM
        cons += [0.5 * (N + N.T) - margin * np.eye(nN) >> 0, base.E0 @ self.p - base.norm_a.T @ self.nu == 0]
        self.problem = cp.Problem(cp.Minimize(0), cons)

    def solve(self, rho, solver):
        self.rho2.value = float(rho) ** 2
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
                self.problem.solve(solver=solver)
        except cp.error.SolverError:
            return None
        if self.problem.status != cp.OPTIMAL or self.P.value is None:
            return None
        f = lambda v: np.array(v.value, dtype=np.float64)  # noqa: E731
        return f(self.P), np.maximum(f(self.p), 0), [np.maximum(f(l), 0) for l in self.lam], f(self.y), \
            np.maximum(f(self.nu), 0)


def _multilinear(box: WeightBox, vertices, w: np.ndarray) -> np.ndarray:
    """Convex weights theta_v with sum theta_v w_v = w (product of per-coordinate interpolations)."""
    lo, hi = np.array(box.lower), np.array(box.upper)
    t = np.where(hi > lo, (w - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    out = []
    for v in vertices:
        at_hi = np.array(v.weights) == hi
        out.append(float(np.prod(np.where(hi > lo, np.where(at_hi, t, 1 - t), 1.0))))
    return np.array(out)


def check_box(mu, L, alpha, box: WeightBox, T, rho, P, p, lam_v, y, nu, *, rng: np.random.Generator,
              n_interior: int = 20, eig_margin: float = 1e-9, eq_tol: float = 1e-6) -> str:
    """'' if the box certificate verifies (lifted LMIs at vertices, then the unlifted verifier at
    vertices and random interior weights); else the first failure."""
    mu_n, alpha_n = mu / L, alpha * L
    lm = lifted_model(mu_n, 1.0, alpha_n, box, T)
    Pn, pn, lamn, nun = to_normalized_units(L, P, p, tuple(lam_v), nu)
    verts = box.vertices()
    base = step_model(mu_n, 1.0, alpha_n, verts[0], T)
    for v, lam in zip(verts, lamn):
        c = lm.c0 + np.asarray(v.weights) @ lm.cw
        Q = lm.S1.T @ Pn @ lm.S1 - rho**2 * (lm.S0.T @ Pn @ lm.S0) + np.tensordot(lam, lm.M, axes=1) \
            + np.outer(y, c) + np.outer(c, y)
        Q = 0.5 * (Q + Q.T)
        r = base.E1 @ pn - rho**2 * (base.E0 @ pn) + lam @ lm.a
        if np.max(np.abs(r)) > eq_tol:
            return f"vertex {v.weights}: residual {np.max(np.abs(r)):.3g}"
        Xl = np.zeros((T + 2, lm.n))
        Xl[np.arange(T + 2), np.arange(T + 2)] = 1.0
        Qe = Q + 0.5 * (Xl.T * np.maximum(r, 0.0)) @ Xl
        ev = float(np.linalg.eigvalsh(Qe)[-1]) / max(1.0, float(np.linalg.norm(Qe, 2)))
        if not ev < -eig_margin:
            return f"vertex {v.weights}: lifted decrease eigenvalue {ev:.3g} not < -{eig_margin}"
    points = [np.array(v.weights) for v in verts] + list(box.sample(rng, n_interior))
    for w in points:
        theta = _multilinear(box, verts, w)
        lam = sum(t * l for t, l in zip(theta, lam_v))
        ver = verify(mu, L, alpha, (Pattern(box.ages, tuple(w)),), T, rho, P, p, (lam,), nu, eig_margin=eig_margin,
                     eq_tol=eq_tol)
        if not ver.ok:
            return f"weights {tuple(np.round(w, 6))}: {ver.reason}"
    return ""


def certify_box(mu: float, L: float, alpha: float, box: WeightBox, *, tol: float = 1e-4, rho_lower: float = 0.0,
                rho_max: float = 1.0 - 1e-9, T: int | None = None, n_interior: int = 20, seed: int = 0,
                solver: str = "CLARABEL", margin: float = 1e-7) -> BoxCertificate:
    r"""Smallest verified :math:`\rho` (bisection to ``tol``) of one Lyapunov function for every weight in ``box``."""
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    if not (0.0 <= rho_lower < rho_max < 1.0) or not 0.0 < tol < 1.0:
        raise ValueError(f"need 0 <= rho_lower < rho_max < 1 and 0 < tol < 1, got {rho_lower!r}, {rho_max!r}, {tol!r}")
    Tw = box.T if T is None else int(T)
    if Tw < box.T:
        raise ValueError(f"T must be at least the largest age {box.T}, got {T}")
    t0 = time.perf_counter()
    sdp = _BoxSDP(mu, L, alpha, box, Tw, margin)
    best, last = None, "SDP infeasible"

    def attempt(rho: float) -> bool:
        nonlocal best, last
        sol = sdp.solve(rho, solver)
        if sol is None:
            last = f"no solution at rho={rho:.10g}"
            return False
        P, p, lam, y, nu = sol
        P, p, lam, nu = to_original_units(L, 0.5 * (P + P.T), p, tuple(lam), nu)
        P = 0.5 * (P + P.T)
        why = check_box(mu, L, alpha, box, Tw, rho, P, p, lam, y, nu, rng=np.random.default_rng(seed),
                        n_interior=n_interior)
        if why:
            last = f"verification failed at rho={rho:.10g}: {why}"
            return False
        best = (rho, P, p, lam, y, nu)
        return True

    lo, hi = rho_lower, rho_max
    base = dict(box=box, mu=float(mu), L=float(L), alpha=float(alpha), T=Tw)
    if not attempt(hi):
        return BoxCertificate(Status.NOT_CERTIFIED, last, solve_time=time.perf_counter() - t0, **base)
    lo, hi = bisect_rate(attempt, lo, hi, tol)
    rho, P, p, lam, y, nu = best
    c = transient_constant(mu, L, P, p)
    return BoxCertificate(Status.CERTIFIED, "", rho=float(rho), transient=c, P=P, p=p, vertex_multipliers=lam,
                          finsler=y, normalization_multipliers=nu, n_interior_checked=n_interior,
                          solve_time=time.perf_counter() - t0, **base)
