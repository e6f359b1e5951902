r"""Theorem 2's constants as vectorized NumPy functions (keyword-only, broadcasting).

The expressions are those of :mod:`memgd.theory.theorem2`, lambdified by
:func:`memgd.theory.lambdify.numpy_function`.  Theorem 2 holds for every
:math:`\theta \in (0, 1]`; the functions here take the best :math:`\theta` of a fixed
grid (:data:`THETAS`, plus :math:`\theta = 1`), so every number they return is the
bound at one admissible :math:`\theta`, never an extrapolation.

- :func:`rate2`: :math:`\rho_2 = \sqrt{\rho_\theta}` for the distance; ``inf`` where no
  :math:`\theta` satisfies the hypotheses or the weights are not all nonnegative;
- :func:`transient2`: the constant :math:`C` at that same :math:`\theta`
  (:math:`r_K \le C \rho_2^K r_0`);
- :func:`alpha_max2`: the supremum of the admissible steps,
  :math:`\sup\{\alpha : \varphi(\alpha, \theta{=}1) < 1,\ 2\alpha\mu s_{lo} < 1\}` (an interval: lemma
  "phi increasing"), found by bisection;
- :func:`optimal_step2`: the step minimising :math:`\rho_2` on a geometric grid of
  :math:`(0, \alpha_{max})` refined once (a numeric search: any step it returns is admissible,
  it may miss the exact minimiser by the grid's resolution).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import PHI, RHO_SQ, TRANSIENT, theta
from memgd.theory.validate import as_output, check

#: theta values tried by :func:`rate2` (theta = 1 included).
THETAS = np.concatenate([np.geomspace(1e-3, 1.0, 48, endpoint=False), [1.0]])
_ARGS = (mu, L, alpha, s_lo, B, W, T, theta)


def _values(mu, L, alpha, s_lo, B, W, T, nonnegative):
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T)
    nn = np.asarray(nonnegative, dtype=bool)
    return v, nn


def _per_theta(v: dict, th: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rho_2, transient, valid) on a leading theta axis."""
    shape = np.broadcast_shapes(*(a.shape for a in v.values()))
    th = th.reshape((-1,) + (1,) * len(shape))
    kw = {k: np.asarray(a)[None] for k, a in v.items()}
    phi = numpy_function(PHI, _ARGS)(**kw, theta=th)
    rho_sq = numpy_function(RHO_SQ, _ARGS)(**kw, theta=th)
    trans = numpy_function(TRANSIENT, _ARGS)(**kw, theta=th)
    ok = ((kw["s_lo"] > 0) & (2 * kw["alpha"] * kw["mu"] * kw["s_lo"] < 1) & np.isfinite(phi) & (phi <= 1)
          & np.isfinite(rho_sq) & (rho_sq >= 0) & (rho_sq < 1))
    with np.errstate(invalid="ignore"):
        rho = np.sqrt(np.where(ok, rho_sq, 1.0))
    return np.where(ok, rho, np.inf), np.where(ok, trans, np.inf), ok


def _best(v: dict, nn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rho, trans, _ = _per_theta(v, THETAS)
    i = np.argmin(rho, axis=0)
    best = np.take_along_axis(rho, i[None], axis=0)[0]
    c = np.take_along_axis(trans, i[None], axis=0)[0]
    best = np.where(nn, best, np.inf)
    return best, np.where(np.isfinite(best), c, np.inf), THETAS[i]


def rate2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
          T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""Theorem 2's rate :math:`\rho_2` for :math:`r_k` (best theta of :data:`THETAS`);
    ``inf`` where vacuous or where ``nonnegative`` is False (signed weights: Theorem 2 says nothing)."""
    v, nn = _values(mu, L, alpha, s_lo, B, W, T, nonnegative)
    return as_output(_best(v, nn)[0])


def transient2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
               T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""The constant :math:`C \ge 1` of :math:`r_K \le C\rho_2^K r_0` at :func:`rate2`'s theta; ``inf`` if vacuous."""
    v, nn = _values(mu, L, alpha, s_lo, B, W, T, nonnegative)
    return as_output(_best(v, nn)[1])


def alpha_max2(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike, T: ArrayLike,
               nonnegative: ArrayLike = True, iterations: int = 200) -> float | np.ndarray:
    r"""Supremum of the steps at which Theorem 2 is non-vacuous (0.0 where none: s_lo <= 0 or signed weights).

    Bisection on :math:`\varphi(\alpha, 1) < 1` over :math:`(0, 1/(2\mu s_{lo}))`.
    """
    v = check(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T)
    nn = np.asarray(nonnegative, dtype=bool)
    shape = np.broadcast_shapes(*(a.shape for a in v.values()), nn.shape)
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    pos = v["s_lo"] > 0
    s = np.where(pos, v["s_lo"], 1.0)
    lo = np.zeros(shape)
    hi = 1.0 / (2 * v["mu"] * s)
    phi = numpy_function(PHI, _ARGS)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        kw = dict(v, s_lo=s)
        good = phi(**kw, alpha=mid, theta=1.0) < 1
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return as_output(np.where(pos & nn, lo, 0.0))


def optimal_step2(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike, T: ArrayLike,
                  nonnegative: ArrayLike = True, points: int = 96) -> float | np.ndarray:
    r"""A step minimising :func:`rate2` (geometric grid over :math:`(0, \alpha_{max})`, refined once);
    ``nan`` where no step is admissible."""
    amax = np.asarray(alpha_max2(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative))
    v = {k: np.asarray(a, dtype=float) for k, a in dict(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T).items()}
    shape = amax.shape
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    ok = amax > 0
    top = np.where(ok, amax, 1.0)
    lo_f, hi_f = np.full(shape, 1e-4), np.ones(shape)
    best = np.full(shape, np.nan)
    for _ in range(2):
        fr = np.exp(np.linspace(0.0, 1.0, points)[:, None] * np.log(hi_f / lo_f).ravel()[None]
                    + np.log(lo_f).ravel()[None]).reshape((points,) + shape) * (1 - 1e-9)
        a = fr * top[None]
        rho = np.asarray(rate2(**{k: x[None] for k, x in v.items()}, alpha=a))
        i = np.argmin(rho, axis=0)
        best = np.take_along_axis(a, i[None], axis=0)[0]
        f = np.take_along_axis(fr, i[None], axis=0)[0]
        step = (hi_f / lo_f) ** (1.0 / (points - 1))
        lo_f, hi_f = f / step, np.minimum(f * step, 1.0)
    return as_output(np.where(ok, best, np.nan))


def iterations2(*, eps: ArrayLike, rate: ArrayLike, transient: ArrayLike) -> float | np.ndarray:
    r"""Smallest K with :math:`C\rho^K \le \varepsilon`: :math:`\lceil \log(\varepsilon/C)/\log\rho \rceil`
    (0 when :math:`C \le \varepsilon`; ``inf`` for a vacuous rate)."""
    v = check(eps=eps)
    r_ = np.asarray(rate, dtype=float)
    c = np.asarray(transient, dtype=float)
    e, r_, c = np.broadcast_arrays(v["eps"], r_, c)
    inside = (r_ > 0) & (r_ < 1) & np.isfinite(c)
    with np.errstate(all="ignore"):
        k = np.ceil(np.log(e / np.where(inside, c, 1.0)) / np.log(np.where(inside, r_, 0.5)))
    k = np.where(inside, np.maximum(k, 0.0), np.where(r_ == 0, 1.0, np.inf))
    return as_output(k)
