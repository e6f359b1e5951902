r"""The lifted step of a weight class, with a chosen set of interpolation pairs and Lyapunov pattern.

Mathematics
-----------
Basis (lifted, :mod:`memgd.proofs_check.certificates.weight_box`): the :math:`n = 2T + 4`
vectors :math:`u^+ = (x_{k-T}, \dots, x_k, x_{k+1},\ g_{k-T}, \dots, g_k, g_{k+1})`, relative to
:math:`x_\star`; point :math:`m = 0..T+1` is iterate :math:`k - T + m`, and :math:`\star` the
minimizer.  Every matrix of the decrease :math:`V_{k+1} - \rho^2 V_k + \sum \lambda_{ij} I_{ij}`
is then independent of the weights, and the step :math:`x_{k+1} = x_k - \alpha\sum_\tau w_\tau
g_{k-\tau}` is the linear constraint :math:`c(w)^\top u^+ = 0`,

.. math::

    c(w) = e_{x_{k+1}} - e_{x_k} + \alpha \sum_{\tau=0}^{T} w_\tau\, e_{g_{k-\tau}}
         = c_0 + \sum_\tau w_\tau\, c_\tau ,

affine in :math:`w` (docs/math/certificates.md, "Classes of rules").

**Interpolation pairs.**  The interpolation inequalities :math:`I_{ij} \ge 0` hold for every
function of the class and every ordered pair of points.  A certificate may use any subset:
fewer inequalities give the S-procedure fewer terms :math:`\lambda_{ij} I_{ij}` to add, so
every certificate found with a subset is a certificate with all pairs (set the other
multipliers to zero) — sound, possibly looser, never wrong.  :func:`pair_set` offers

- ``"all"``: every ordered pair of :math:`\{\star, 0, \dots, T+1\}` (:math:`(T+3)(T+2)`);
- ``"neighbours"``: the pairs with :math:`x_\star` and between consecutive iterates
  (:math:`(\star, m), (m, \star), (m, m+1), (m+1, m)`: :math:`4T + 6`), which is what makes the
  LMIs banded;
- ``"neighbours+last"``: these and every pair with :math:`x_k` or :math:`x_{k+1}` (the
  smoothness inequalities between the current iterate and a delayed one that Theorem 2's
  proof uses).

The normalization :math:`V_k \ge \|x_k - x_\star\|^2` uses the same kind of set on the points
:math:`\{\star, 0, \dots, T\}`.

**Lyapunov pattern.**  :math:`V_k = \xi_k^\top P \xi_k + p^\top F_k` with
:math:`\xi_k = (x_{k-T..k}, g_{k-T..k-1})`.  ``lag=None`` lets :math:`P` be any symmetric
matrix; ``lag = l`` allows only the entries between state vectors at most :math:`l` steps apart
in time, plus the whole row of :math:`x_k` (a Lyapunov–Krasovskii-like function: a restriction,
so sound and possibly looser).  With ``"neighbours"`` pairs and a lag, each vertex LMI is banded
plus the few full rows of :math:`c(w)`'s support, so its clique decomposition
(:mod:`memgd.proofs_check.certificates.chordal`) has cliques of size :math:`O(l)`.

In code terms: :func:`class_model` (cached) returns a :class:`LiftedClassModel` (normalized
or original units, as passed); :meth:`LiftedClassModel.decrease_pattern` and
:meth:`~LiftedClassModel.normalization_pattern` give the structural nonzeros of the LMIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import STAR, interpolation_form

PAIR_SETS = ("all", "neighbours", "neighbours+last")


def pair_set(top: int, kind: str) -> tuple[tuple[int, int], ...]:
    """Ordered pairs among the points STAR, 0..top (module doc); ``top = T + 1`` for the decrease."""
    if kind not in PAIR_SETS:
        raise ValueError(f"pairs must be one of {PAIR_SETS}, got {kind!r}")
    pts = (STAR,) + tuple(range(top + 1))
    if kind == "all":
        return tuple(permutations(pts, 2))
    keep = set()
    for m in range(top + 1):
        keep |= {(STAR, m), (m, STAR)}
        if m < top:
            keep |= {(m, m + 1), (m + 1, m)}
    if kind == "neighbours+last":
        for last in {top, top - 1} - {-1}:
            for m in range(top + 1):
                if m != last:
                    keep |= {(last, m), (m, last)}
    return tuple(p for p in permutations(pts, 2) if p in keep)  # in the order of lyapunov_model


def lyapunov_mask(T: int, lag: int | None) -> np.ndarray:
    """Allowed entries of P on the state (x_{k-T..k}, g_{k-T..k-1}): all, or |time difference| <= lag plus x_k's row."""
    ns = 2 * T + 1
    if lag is None:
        return np.ones((ns, ns), dtype=bool)
    if int(lag) < 0:
        raise ValueError(f"lag must be None or an integer >= 0, got {lag!r}")
    t = np.concatenate([np.arange(T + 1), np.arange(T)])
    mask = np.abs(t[:, None] - t[None, :]) <= int(lag)
    mask[T, :] = mask[:, T] = True
    return mask


@dataclass(frozen=True)
class LiftedClassModel:
    """Weight-free data of the lifted decrease and of the normalization (all arrays float64, read-only)."""

    T: int
    n: int                        # 2T + 4 lifted basis vectors
    X: np.ndarray                 # (T+2, n) x at point m
    G: np.ndarray                 # (T+2, n) g at point m
    s0: np.ndarray                # (2T+1,) basis index of each state vector in xi_k
    s1: np.ndarray                # (2T+1,) basis index of each state vector in xi_{k+1}
    E0: np.ndarray                # (T+2, T+1) places p on F_k
    E1: np.ndarray                # (T+2, T+1) places p on F_{k+1}
    pairs: tuple[tuple[int, int], ...]
    M: np.ndarray                 # (n_pairs, n, n) quadratic part of I_ij
    a: np.ndarray                 # (n_pairs, T+2) function-value part of I_ij
    c0: np.ndarray                # (n,)
    cw: np.ndarray                # (T+1, n): c(w) = c0 + w @ cw
    norm_keep: np.ndarray         # (2T+2,) lifted indices of the normalization sub-basis (no x_{k+1}, g_{k+1})
    norm_pairs: tuple[tuple[int, int], ...]
    norm_M: np.ndarray            # (n_norm, 2T+2, 2T+2)
    norm_a: np.ndarray            # (n_norm, T+2)
    mask: np.ndarray              # (2T+1, 2T+1) allowed entries of P

    @property
    def S0(self) -> np.ndarray:
        S = np.zeros((2 * self.T + 1, self.n))
        S[np.arange(S.shape[0]), self.s0] = 1.0
        return S

    @property
    def S1(self) -> np.ndarray:
        S = np.zeros((2 * self.T + 1, self.n))
        S[np.arange(S.shape[0]), self.s1] = 1.0
        return S

    def c(self, w: np.ndarray) -> np.ndarray:
        """c(w) = c0 + sum_tau w_tau c_tau: the step x_{k+1} = x_k - alpha sum w g as c(w)'u+ = 0."""
        return self.c0 + np.asarray(w, dtype=np.float64) @ self.cw

    def decrease_pattern(self, w: np.ndarray) -> np.ndarray:
        """Structural nonzeros of the decrease LMI at weights ``w`` (P pattern, pairs, Finsler rows, diagonal)."""
        m = self.mask
        pat = np.zeros((self.n, self.n), dtype=bool)
        for s in (self.s0, self.s1):
            pat[np.ix_(s, s)] |= m
        pat |= np.any(self.M != 0.0, axis=0)
        supp = np.flatnonzero(self.c(w))
        pat[supp, :] = pat[:, supp] = True
        pat |= np.eye(self.n, dtype=bool)
        return pat

    def normalization_pattern(self) -> np.ndarray:
        """Structural nonzeros of the normalization LMI on the sub-basis (x_{k-T..k}, g_{k-T..k})."""
        k = len(self.norm_keep)
        pos = {int(b): i for i, b in enumerate(self.norm_keep)}
        s = np.array([pos[int(b)] for b in self.s0])
        pat = np.zeros((k, k), dtype=bool)
        pat[np.ix_(s, s)] |= self.mask
        pat |= np.any(self.norm_M != 0.0, axis=0)
        pat |= np.eye(k, dtype=bool)
        return pat

    @property
    def ek(self) -> np.ndarray:
        """x_k on the normalization sub-basis."""
        e = np.zeros(len(self.norm_keep))
        e[self.T] = 1.0
        return e


@lru_cache(maxsize=32)
def _cached(mu: float, L: float, alpha: float, T: int, pairs: str, lag: int | None) -> LiftedClassModel:
    n = 2 * T + 4
    X = np.zeros((T + 2, n))
    G = np.zeros((T + 2, n))
    X[np.arange(T + 2), np.arange(T + 2)] = 1.0
    G[np.arange(T + 2), T + 2 + np.arange(T + 2)] = 1.0
    xs, gs = np.arange(T + 2), T + 2 + np.arange(T + 2)
    s0 = np.concatenate([xs[: T + 1], gs[:T]])
    s1 = np.concatenate([xs[1: T + 2], gs[1: T + 1]])
    E0 = np.zeros((T + 2, T + 1))
    E1 = np.zeros((T + 2, T + 1))
    E0[np.arange(T + 1), np.arange(T + 1)] = 1.0
    E1[np.arange(1, T + 2), np.arange(T + 1)] = 1.0
    zero = np.zeros(n)

    def point(i: int):
        if i == STAR:
            return zero, zero, np.zeros(T + 2)
        f = np.zeros(T + 2)
        f[i] = 1.0
        return X[i], G[i], f

    def parts(prs):
        Ms, As = [], []
        for i, j in prs:
            xi, gi, fi = point(i)
            xj, gj, fj = point(j)
            Ms.append(interpolation_form(mu, L, xi, gi, xj, gj))
            As.append(fi - fj)
        return np.array(Ms).reshape(len(prs), n, n), np.array(As).reshape(len(prs), T + 2)

    prs = pair_set(T + 1, pairs)
    M, a = parts(prs)
    nprs = pair_set(T, pairs)
    nM, na = parts(nprs)
    keep = np.concatenate([xs[: T + 1], gs[: T + 1]])
    nM = nM[:, keep][:, :, keep]
    c0 = X[T + 1] - X[T]
    cw = np.array([alpha * G[T - tau] for tau in range(T + 1)])
    model = LiftedClassModel(T, n, X, G, s0, s1, E0, E1, prs, M, a, c0, cw, keep, nprs, nM, na,
                             lyapunov_mask(T, lag))
    for arr in (X, G, s0, s1, E0, E1, M, a, c0, cw, keep, nM, na, model.mask):
        arr.setflags(write=False)
    return model


def class_model(mu: float, L: float, alpha: float, T: int, *, pairs: str = "neighbours",
                lag: int | None = 1) -> LiftedClassModel:
    """The lifted model on a window of T (module doc); ``mu < L``, ``alpha > 0`` in the units wanted."""
    if not (np.isfinite(mu) and np.isfinite(L) and 0.0 < mu < L):
        raise ValueError(f"need 0 < mu < L (finite), got mu={mu!r}, L={L!r}")
    if not (np.isfinite(alpha) and alpha > 0.0):
        raise ValueError(f"alpha must be finite and > 0, got {alpha!r}")
    if int(T) < 0:
        raise ValueError(f"T must be >= 0, got {T!r}")
    if pairs not in PAIR_SETS:
        raise ValueError(f"pairs must be one of {PAIR_SETS}, got {pairs!r}")
    if lag is not None and int(lag) < 0:
        raise ValueError(f"lag must be None or an integer >= 0, got {lag!r}")
    return _cached(float(mu), float(L), float(alpha), int(T), pairs, None if lag is None else int(lag))
