r"""Theorem 2's constants as vectorized NumPy functions (keyword-only, broadcasting).

The expressions are those of :mod:`memgd.theory.theorem2`, lambdified by
:func:`memgd.theory.lambdify.numpy_function`.  Theorem 2 holds for every
:math:`\lambda, \theta \in (0, 1]`; the functions here take the best pair of a fixed
grid (:data:`LAMBDAS` x :data:`THETAS`, both including 1), so every number they return
is the bound at one admissible pair, never an extrapolation.

- :func:`rate2`: :math:`\rho_2` for the distance; ``inf`` where no pair satisfies the
  hypotheses or the weights are not all nonnegative;
- :func:`transient2`: the constant C of :math:`r_K \le C\rho_2^K r_0`: 1 where the rate is
  finite (Theorem 2 has no transient), ``inf`` elsewhere; kept so callers treat every
  theorem alike;
- :func:`alpha_max2`: the largest admissible step, :math:`\max\{\alpha : \psi(\alpha, \lambda{=}1) \le 1,
  2\alpha\mu s_{lo} < 1\}` (an interval: lemma "psi increasing"; :math:`\lambda = 1` gives the
  weakest condition), found by bisection;
- :func:`optimal_step2`: the step minimising :math:`\rho_2` on a geometric grid of
  :math:`(0, \alpha_{max}]` refined once (a numeric search: any step it returns is admissible;
  it may miss the exact minimiser by the grid's resolution);
- :func:`iterations2`: :math:`K(\varepsilon)` with a transient constant.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import PSI, RHO_SQ, lam, theta
from memgd.theory.validate import as_output, check

#: lambda values tried by :func:`rate2` (1 included).
LAMBDAS = np.concatenate([np.geomspace(1e-3, 1.0, 40, endpoint=False), [1.0]])
#: theta values tried by :func:`rate2` (1 included).
THETAS = np.concatenate([np.geomspace(1e-3, 1.0, 16, endpoint=False), [1.0]])
_ARGS = (mu, L, alpha, s_lo, B, W, T, lam, theta)


def _best(v: dict, nn: np.ndarray) -> np.ndarray:
    """min over the (lambda, theta) grid of rho_2 (inf where inadmissible); leading grid axes."""
    shape = np.broadcast_shapes(*(a.shape for a in v.values()), nn.shape)
    nd = len(shape)
    lam_ = LAMBDAS.reshape((-1, 1) + (1,) * nd)
    th_ = THETAS.reshape((1, -1) + (1,) * nd)
    kw = {k: np.asarray(a)[None, None] for k, a in v.items()}
    psi = numpy_function(PSI, _ARGS)(**kw, **{"lambda": lam_}, theta=th_)
    rho_sq = numpy_function(RHO_SQ, _ARGS)(**kw, **{"lambda": lam_}, theta=th_)
    ok = ((kw["s_lo"] > 0) & (2 * kw["alpha"] * kw["mu"] * kw["s_lo"] < 1) & np.isfinite(psi) & (psi <= 1)
          & np.isfinite(rho_sq) & (rho_sq >= 0) & (rho_sq < 1))
    rho = np.where(ok, np.sqrt(np.where(ok, rho_sq, 1.0)), np.inf)
    best = rho.min(axis=(0, 1))
    return np.where(nn, best, np.inf)


def rate2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
          T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""Theorem 2's rate :math:`\rho_2` for :math:`r_k` (best pair of the grid); ``inf`` where vacuous
    or where ``nonnegative`` is False (signed weights: Theorem 2 says nothing)."""
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T)
    return as_output(_best(v, np.asarray(nonnegative, dtype=bool)))


def transient2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
               T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""The constant C of :math:`r_K \le C\rho_2^K r_0`: 1.0 where :func:`rate2` is finite, ``inf`` elsewhere."""
    rho = np.asarray(rate2(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative))
    return as_output(np.where(np.isfinite(rho), 1.0, np.inf))


def alpha_max2(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike, T: ArrayLike,
               nonnegative: ArrayLike = True, iterations: int = 200) -> float | np.ndarray:
    r"""Largest step at which Theorem 2 applies (0.0 where none: s_lo <= 0 or signed weights).

    Bisection on :math:`\psi(\alpha, \lambda = 1) \le 1` over :math:`(0, 1/(2\mu s_{lo}))`; the
    returned step satisfies it (the lower end of the final bracket).
    """
    v = check(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T)
    nn = np.asarray(nonnegative, dtype=bool)
    shape = np.broadcast_shapes(*(a.shape for a in v.values()), nn.shape)
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    pos = v["s_lo"] > 0
    s = np.where(pos, v["s_lo"], 1.0)
    lo = np.zeros(shape)
    hi = 1.0 / (2 * v["mu"] * s)
    psi = numpy_function(PSI, _ARGS)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        good = psi(**dict(v, s_lo=s), alpha=mid, **{"lambda": 1.0}, theta=1.0) <= 1
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return as_output(np.where(pos & nn, lo, 0.0))


def optimal_step2(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike, T: ArrayLike,
                  nonnegative: ArrayLike = True, points: int = 64) -> float | np.ndarray:
    r"""A step minimising :func:`rate2` (geometric grid over :math:`(0, \alpha_{max}]`, refined once);
    ``nan`` where no step is admissible."""
    amax = np.asarray(alpha_max2(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative))
    shape = amax.shape
    v = {k: np.broadcast_to(np.asarray(a, dtype=float), shape)
         for k, a in dict(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T).items()}
    ok = amax > 0
    top = np.where(ok, amax, 1.0)
    lo_f, hi_f = np.full(shape, 1e-4), np.ones(shape)
    best = np.full(shape, np.nan)
    for _ in range(2):
        grid = np.linspace(0.0, 1.0, points).reshape((points,) + (1,) * len(shape))
        fr = np.exp(np.log(lo_f)[None] + grid * np.log(hi_f / lo_f)[None])
        a = fr * top[None]
        rho = np.asarray(rate2(**{k: x[None] for k, x in v.items()}, alpha=a))
        i = np.argmin(rho, axis=0)
        best = np.take_along_axis(a, i[None], axis=0)[0]
        f = np.take_along_axis(fr, i[None], axis=0)[0]
        step = (hi_f / lo_f) ** (1.0 / (points - 1))
        lo_f, hi_f = f / step, np.minimum(f * step, 1.0)
    return as_output(np.where(ok, best, np.nan))


def iterations2(*, eps: ArrayLike, rate: ArrayLike, transient: ArrayLike = 1.0) -> float | np.ndarray:
    r"""Smallest K with :math:`C\rho^K \le \varepsilon`: :math:`\lceil \log(\varepsilon/C)/\log\rho \rceil`
    (0 when :math:`C \le \varepsilon`; ``inf`` for a vacuous rate)."""
    v = check(eps=eps)
    e, r_, c = np.broadcast_arrays(v["eps"], np.asarray(rate, dtype=float), np.asarray(transient, dtype=float))
    inside = (r_ > 0) & (r_ < 1) & np.isfinite(c)
    with np.errstate(all="ignore"):
        k = np.ceil(np.log(e / np.where(inside, c, 1.0)) / np.log(np.where(inside, r_, 0.5)))
    k = np.where(inside, np.maximum(k, 0.0), np.where(r_ == 0, 1.0, np.inf))
    return as_output(k)
