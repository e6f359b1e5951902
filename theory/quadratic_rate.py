r"""Exact linear rates of a fixed memory pattern on quadratics (docs/math/quadratic_rates.md).

On :math:`f(x) = \tfrac12 (x-x^\star)^\top A (x-x^\star)` with spectrum in
:math:`[\mu, L]`, a fixed :class:`~memgd.theory.pattern.Pattern` (ages :math:`\tau_j`,
weights :math:`w_j`, :math:`\tau_0 = 0`) decouples along the eigenvectors of A; an
eigenvalue h gives the scalar recursion

.. math::

    x_{k+1} = x_k - \alpha h \sum_j w_j x_{k-\tau_j},
    \qquad \chi_h(z) = z^{T+1} - z^T + \alpha h \sum_j w_j z^{T-\tau_j}.

The exact rate is

.. math:: \rho(\alpha) = \max_{h \in [\mu, L]} \max\{|z| : \chi_h(z) = 0\},

a lower bound on the worst case over the class for that pattern (the bound of
Theorem 1 must lie above it).  The maximum over h can be interior.

Computation: roots are eigenvalues of companion matrices, batched with
``np.linalg.eigvals`` over (pattern, alpha, h); patterns of different T are padded
to a common degree (padding multiplies :math:`\chi_h` by a power of z, adding roots
at 0 only).  The max over h is taken on a uniform grid (endpoints :math:`\mu` and
:math:`L` included), then refined by a vectorized golden-section search on the two
grid cells around the grid maximum, to a bracket width of about
:math:`10^{-13}(L-\mu)`, so the maximum is located to about 1e-9 or better; every
number returned is an evaluated spectral radius, so the result never exceeds the
true maximum by more than the eigenvalue error.  Accuracy is limited by root
conditioning: near a multiple root the computed modulus can be off by about
:math:`\sqrt{\epsilon_{mach}} \approx 10^{-8}`.  A peak narrower than a grid cell
can be missed; raise ``n_grid`` if that matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from memgd.theory.pattern import Pattern
from memgd.theory.validate import check

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_MAX_ENTRIES = 4_000_000  # floats per companion batch


def _patterns(pattern: Pattern | Sequence[Pattern]) -> tuple[list[Pattern], bool]:
    if isinstance(pattern, Pattern):
        return [pattern], True
    pats = list(pattern)
    if not pats or not all(isinstance(p, Pattern) for p in pats):
        raise ValueError("pattern must be a Pattern or a non-empty sequence of Patterns")
    return pats, False


def _dense(pats: list[Pattern]) -> np.ndarray:
    """Weights by age, padded to a common T: shape (P, T+1)."""
    T = max(p.T for p in pats)
    return np.stack([p.dense_weights(T) for p in pats])


def spectral_radii(h: np.ndarray, alpha: np.ndarray, weights: np.ndarray) -> np.ndarray:
    r"""Largest root modulus of :math:`\chi_h` for every (pattern, alpha, h).

    ``weights``: (P, T+1) dense weights by age; ``alpha``: (P, A) or broadcastable;
    ``h``: (P, A, H) or broadcastable.  Returns shape (P, A, H).
    """
    P, n = weights.shape
    c = np.asarray(alpha, dtype=np.float64)[..., None] * np.asarray(h, dtype=np.float64)
    c = np.broadcast_to(c, np.broadcast_shapes(c.shape, (P, 1, 1)))  # (P, A, H): alpha h
    # monic chi_h: z^{n} + sum_{i=1..n} coef_i z^{n-i}, coef_1 = -1 + c w_0, coef_{1+t} = c w_t
    coef = c[..., None] * weights[:, None, None, :]
    coef[..., 0] -= 1.0
    out = np.empty(c.shape)
    flat_coef = coef.reshape(-1, n)
    flat_out = out.reshape(-1)
    chunk = max(1, _MAX_ENTRIES // (n * n))
    for start in range(0, flat_coef.shape[0], chunk):
        block = flat_coef[start:start + chunk]
        comp = np.zeros((block.shape[0], n, n))
        comp[:, 0, :] = -block
        if n > 1:
            idx = np.arange(n - 1)
            comp[:, idx + 1, idx] = 1.0
        flat_out[start:start + chunk] = np.abs(np.linalg.eigvals(comp)).max(axis=-1)
    return out


@dataclass(frozen=True)
class QuadraticRate:
    """Exact rate on quadratics and the eigenvalue h in [mu, L] attaining it.

    Shapes: () for one pattern and scalar alpha (Python floats), else
    (P, *alpha.shape) / alpha.shape as for :func:`exact_rate`.
    """

    rate: float | np.ndarray
    h_worst: float | np.ndarray


def quadratic_rate(mu: float, L: float, alpha: ArrayLike, pattern: Pattern | Sequence[Pattern], *,
                   n_grid: int = 257) -> QuadraticRate:
    """:func:`exact_rate` together with the maximizing eigenvalue."""
    v = check(mu=mu, L=L, alpha=alpha)
    if v["mu"].ndim or v["L"].ndim:
        raise ValueError("mu and L must be scalars")
    if int(n_grid) < 3:
        raise ValueError(f"n_grid must be an integer >= 3, got {n_grid!r}")
    pats, single = _patterns(pattern)
    a = v["alpha"]
    mu_, L_ = float(v["mu"]), float(v["L"])
    W = _dense(pats)
    P, A = len(pats), a.size
    alpha_pa = np.broadcast_to(a.reshape(1, A), (P, A))
    if L_ == mu_:
        grid = np.array([mu_])
    else:
        grid = np.linspace(mu_, L_, int(n_grid))
        grid[-1] = L_
    rad = spectral_radii(grid[None, None, :], alpha_pa, W)        # (P, A, H)
    i = rad.argmax(axis=-1)
    best = np.take_along_axis(rad, i[..., None], axis=-1)[..., 0]
    h_best = grid[i]
    if grid.size > 1:
        lo = grid[np.maximum(i - 1, 0)]
        hi = grid[np.minimum(i + 1, grid.size - 1)]
        h_ref, f_ref = _golden_max(lo, hi, alpha_pa, W, tol=1e-13 * (L_ - mu_))
        better = f_ref > best
        best = np.where(better, f_ref, best)
        h_best = np.where(better, h_ref, h_best)
    shape = (P,) + a.shape
    best = best.reshape(shape)
    h_best = h_best.reshape(shape)
    if single:
        best, h_best = best[0], h_best[0]
    if np.ndim(best) == 0:
        return QuadraticRate(float(best), float(h_best))
    return QuadraticRate(best, h_best)


def _golden_max(lo: np.ndarray, hi: np.ndarray, alpha: np.ndarray, W: np.ndarray,
                tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized golden-section maximization of the spectral radius over h in [lo, hi]
    (shapes (P, A)); returns the best evaluated point and value of each bracket."""
    a, b = lo.copy(), hi.copy()
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc = spectral_radii(c[..., None], alpha, W)[..., 0]
    fd = spectral_radii(d[..., None], alpha, W)[..., 0]
    best_h = np.where(fc >= fd, c, d)
    best_f = np.maximum(fc, fd)
    for _ in range(200):
        if np.all(b - a <= tol):
            break
        left = fc >= fd  # maximum in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        new_c = b - _GOLDEN * (b - a)
        new_d = a + _GOLDEN * (b - a)
        x = np.where(left, new_c, new_d)
        fx = spectral_radii(x[..., None], alpha, W)[..., 0]
        c, d, fc, fd = (np.where(left, new_c, d), np.where(left, c, new_d),
                        np.where(left, fx, fd), np.where(left, fc, fx))
        upd = fx > best_f
        best_h, best_f = np.where(upd, x, best_h), np.where(upd, fx, best_f)
    return best_h, best_f


def exact_rate(mu: float, L: float, alpha: ArrayLike, pattern: Pattern | Sequence[Pattern], *,
               n_grid: int = 257) -> float | np.ndarray:
    r"""Exact rate :math:`\max_{h\in[\mu,L]}` (largest root modulus of :math:`\chi_h`).

    ``pattern``: one :class:`Pattern` or a sequence of them; ``alpha``: scalar or array
    (> 0).  Returns a Python float for one pattern and a scalar alpha, an array of
    shape ``alpha.shape`` for one pattern, ``(P, *alpha.shape)`` for P patterns.

    Example (docs/math/certificates.md): ``exact_rate(1, 10, 0.05, Pattern((0, 1), (1, 1)))``
    is 0.894075..., the larger root of :math:`z^2 - 0.95 z + 0.05` (h = mu).
    """
    return quadratic_rate(mu, L, alpha, pattern, n_grid=n_grid).rate


def critical_step(mu: float, L: float, pattern: Pattern, *, ratio: float = 1.02,
                  n_grid: int = 257) -> float:
    r"""The step at which the exact rate first reaches 1: the end of the stable
    interval :math:`(0, \alpha_c)`.

    - :math:`s = \sum_j w_j \le 0`: no step is stable (:math:`\chi_h(1) = \alpha h s`
      puts a root on or outside the unit circle for every small alpha): returns 0.0.
    - :math:`s > 0`: for small alpha the roots are near :math:`1 - \alpha h s` and 0,
      so the rate is < 1; for large alpha one root escapes to infinity.  The step is
      located on a geometric scan (ratio ``ratio``) by the first alpha with rate >= 1,
      then by ``brentq`` in that scan cell.  For positive weights the stable set is
      the interval :math:`(0, \alpha_c)`; for signed weights it may not be an interval,
      and this returns the end of the *first* stable interval (an unstable window
      narrower than one scan cell could be missed).

    Since an unstable root crosses the unit circle at the same :math:`\alpha h` for
    every h, :math:`\alpha_c` is attained at h = L and does not depend on mu.
    """
    v = check(mu=mu, L=L)
    if not isinstance(pattern, Pattern):
        raise ValueError("pattern must be a Pattern")
    if not ratio > 1.0:
        raise ValueError(f"ratio must be > 1, got {ratio!r}")
    if pattern.s <= 0:
        return 0.0
    L_ = float(v["L"])

    def rate(a):  # the crossing happens at h = L (see above): the rate at h = L alone decides
        return exact_rate(L_, L_, a, pattern, n_grid=n_grid)

    a_lo = 1e-3 / (L_ * max(pattern.W, 1e-300))
    if rate(a_lo) >= 1.0:
        raise RuntimeError(f"rate >= 1 at the smallest scanned step {a_lo:g}; pattern too ill-conditioned")
    a_hi = a_lo
    while rate(a_hi) < 1.0:
        a_hi *= 4.0
        if a_hi > 1e12 * a_lo:
            return float("inf")
    n = int(np.ceil(np.log(a_hi / a_lo) / np.log(ratio))) + 1
    scan = np.geomspace(a_lo, a_hi, n)
    rates = rate(scan)
    first = int(np.argmax(rates >= 1.0))
    lo, hi = scan[first - 1], scan[first]
    return float(brentq(lambda a: rate(a) - 1.0, lo, hi, xtol=1e-15, rtol=1e-13))
