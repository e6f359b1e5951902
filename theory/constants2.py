r"""Theorem 2's constants as vectorized NumPy functions (keyword-only, broadcasting).

The expressions are those of :mod:`memgd.theory.theorem2`, lambdified by
:func:`memgd.theory.lambdify.numpy_function`.  Theorem 2 holds for every
:math:`\lambda, \theta \in (0, 1]` and, since any :math:`s' \in (0, s_{lo}]` is also a lower
bound on the sums :math:`s_k`, with :math:`s'` in place of :math:`s_{lo}`.  The rate is not
monotone in :math:`s_{lo}` (a larger :math:`s_{lo}` contracts faster but enlarges
:math:`M = (1 - 2\alpha\mu s_{lo})^{-T}` in the step condition), so the functions here take
the best admissible triple :math:`(\lambda, \theta, s')` among explicit candidates:

- :math:`s'`: the largest :math:`s^\dagger \le s_{lo}` with :math:`\psi(\lambda{=}1) \le 1`
  (:func:`largest_admissible_sum`; :math:`\psi` increases with :math:`s'`), and the fractions
  :data:`S_FRACTIONS` of it;
- :math:`\theta`: the grid :data:`THETAS` (1 included);
- :math:`\lambda`: for each :math:`(\theta, s')` the smallest admissible one,
  ``memgd.theory.theorem2.lambda_min`` (:math:`\psi` decreases in :math:`\lambda` and
  :math:`\rho_2^2` increases with it), raised by a few ulps and capped at 1.

Every number returned is the bound at one such triple, checked in float64 and rounded
outward: :math:`\psi \le 1 - m` with a margin :math:`m` bounding the rounding of
:math:`\psi` (:func:`psi_margin`), and :math:`\rho_2^2` raised by :data:`RHO_SQ_ROUNDING`
before the square root, itself rounded up by one ulp.

- :func:`rate2`: :math:`\rho_2` for the distance; ``inf`` where no triple satisfies the
  hypotheses or the weights are not all nonnegative;
- :func:`transient2`: the constant C of :math:`r_K \le C\rho_2^K r_0`: 1 where the rate is
  finite (Theorem 2 has no transient), ``inf`` elsewhere; kept so callers treat every
  theorem alike;
- :func:`alpha_max2`: the largest step at which :func:`rate2` is finite (bisection; the
  returned step has a finite rate).  As :math:`s' \to 0` the condition tends to
  :math:`\alpha L W (1 + \alpha L B T^2) \le 1`, so this is close to that root, where the rate
  is close to 1;
- :func:`optimal_step2`: the step minimising :math:`\rho_2` on a geometric grid of
  :math:`(0, \alpha_{max}]` refined once (a numeric search: any step it returns is admissible;
  it may miss the exact minimiser by the grid's resolution);
- :func:`iterations2`: :math:`K(\varepsilon)` with a transient constant, rounded up (the
  returned K satisfies :math:`C\rho^K \le \varepsilon` in float64 with a margin).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from memgd.theory.lambdify import NumpyFunction, numpy_function
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import PSI, RHO_SQ, lam, lambda_min, largest_sum, theta
from memgd.theory.validate import as_output, check

#: theta values tried by :func:`rate2` (1 included).
THETAS = np.concatenate([np.geomspace(1e-3, 1.0, 24, endpoint=False), [1.0]])
#: fractions of the largest admissible s' tried by :func:`rate2` (1 included).
S_FRACTIONS = np.concatenate([np.geomspace(1e-2, 1.0, 24, endpoint=False), [1.0]])
#: absolute rounding allowance added to a computed rho_2^2 (its terms: below 10 ulps of 1).
RHO_SQ_ROUNDING = 16 * np.finfo(np.float64).eps
_EPS = np.finfo(np.float64).eps
_ARGS = (mu, L, alpha, s_lo, B, W, T, lam, theta)
_LAMBDA_ARGS = (mu, L, alpha, s_lo, B, W, T, theta)
_BISECTIONS = 48


@lru_cache(maxsize=64)
def _fn(expr, args: tuple) -> NumpyFunction:
    """numpy_function(expr, args), built once per expression (the expressions are looked up at call time)."""
    return numpy_function(expr, args)


@lru_cache(maxsize=64)
def _raw(expr, args: tuple):
    """The lambdified ``expr`` with positional arguments ``args`` (the inner loops call it directly)."""
    return sp.lambdify(args, expr, modules="numpy")


def psi_margin(T: ArrayLike) -> np.ndarray:
    r"""Relative rounding bound of a computed :math:`\psi`: the power :math:`M` carries about
    :math:`T` ulps, the other 20 or so operations one each; :math:`(T + 32)\varepsilon`."""
    return (np.asarray(T, dtype=np.float64) + 32.0) * _EPS


def _psi_ok(v: dict, lam_: ArrayLike, theta_: ArrayLike, s: ArrayLike) -> np.ndarray:
    """psi(lambda, theta, s') <= 1 - margin and 0 < s', 2 alpha mu s' < 1, in float64 (elementwise)."""
    s = np.asarray(s, dtype=np.float64)
    with np.errstate(all="ignore"):
        psi = np.asarray(_raw(PSI, _ARGS)(v["mu"], v["L"], v["alpha"], s, v["B"], v["W"], v["T"],
                                          np.asarray(lam_, dtype=np.float64), np.asarray(theta_, dtype=np.float64)),
                         dtype=np.float64)
    return ((s > 0) & (2 * v["alpha"] * v["mu"] * s < 1) & np.isfinite(psi)
            & (psi <= 1 - psi_margin(v["T"])))


def largest_admissible_sum(v: dict) -> np.ndarray:
    r"""The largest :math:`s' \in (0, s_{lo}]` with :math:`\psi(\lambda{=}1, s') \le 1 - m`; 0 where none
    (or :math:`s_{lo} \le 0`).

    :math:`\psi` increases with :math:`s'`: the root of :math:`\psi(\lambda{=}1) = 1`
    (``memgd.theory.theorem2.largest_sum``) is tried, lowered until the rounded check passes (by a
    few ulps, then by larger factors near the edge); where the step condition has no closed-form root
    in s', bisection (lower end of the bracket).
    """
    shape = np.broadcast_shapes(*(np.shape(a) for a in v.values()))
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    top = np.where(v["s_lo"] > 0, np.minimum(v["s_lo"], (0.5 - _EPS) / (v["alpha"] * v["mu"])), 0.0)
    out = np.where(_psi_ok(v, 1.0, 1.0, top), top, 0.0)
    psi_0 = _fn(PSI, _ARGS)(**dict(v, s_lo=0.0), **{"lambda": 1.0}, theta=1.0)
    todo = (out == 0) & (top > 0) & (psi_0 <= 1 - psi_margin(v["T"]))   # psi(s' -> 0) > 1: no s' at all
    root = largest_sum()
    if root is not None and todo.any():
        s_star = _fn(root, _LAMBDA_ARGS[:-1])(**v)
        s_star = np.where(np.isfinite(s_star), np.clip(s_star, 0.0, top), 0.0)
        # lowered until the rounded check passes: by ulps first, then (near the edge, where the root's
        # cancellation costs digits) by larger factors; a lower s' is admissible, only less good
        for f in (4, 64, 1024, 2**20, 2**30, 2**40, 2**45, 2**49, 2**51):
            cand = s_star * (1 - f * psi_margin(v["T"]))
            good = todo & (cand > 0) & _psi_ok(v, 1.0, 1.0, cand)
            out, todo = np.where(good, cand, out), todo & ~good
            if not todo.any():
                break
    if todo.any() and root is not None:   # the smallest useful sum, as in _finite_at
        cand = np.minimum(top, 64 * _EPS / (v["alpha"] * v["mu"]))
        good = todo & _psi_ok(v, 1.0, 1.0, cand)
        out, todo = np.where(good, cand, out), todo & ~good
    if todo.any() and root is None:
        lo, hi = np.zeros(shape), top.copy()
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            good = _psi_ok(v, 1.0, 1.0, mid)
            lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
        out = np.where(todo, lo, out)
    return out


def _best(v: dict, nn: np.ndarray) -> np.ndarray:
    """min over the candidate triples (lambda, theta, s') of rho_2 (inf where none is admissible)."""
    shape = np.broadcast_shapes(*(a.shape for a in v.values()), nn.shape)
    nd = len(shape)
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    s_top = largest_admissible_sum(v)
    s_ = S_FRACTIONS.reshape((-1, 1) + (1,) * nd) * s_top[None, None]          # (S, 1, *shape)
    th_ = THETAS.reshape((1, -1) + (1,) * nd)                                     # (1, Th, 1...)
    kw = {k: a[None, None] for k, a in v.items()}
    lam_min = _fn(lambda_min(), _LAMBDA_ARGS)(**dict(kw, s_lo=s_), theta=th_)
    bump = 1.0 + 4.0 * psi_margin(kw["T"])
    lam_ = np.where(np.isfinite(lam_min) & (lam_min > 0), np.minimum(lam_min * bump, 1.0), 1.0)
    ok = _psi_ok(kw, lam_, th_, s_)
    rho_sq = _fn(RHO_SQ, _ARGS)(**dict(kw, s_lo=s_), **{"lambda": lam_}, theta=th_) + RHO_SQ_ROUNDING
    ok = ok & np.isfinite(rho_sq) & (rho_sq < 1)
    rho = np.nextafter(np.sqrt(np.where(ok, np.maximum(rho_sq, 0.0), 1.0)), np.inf)
    best = np.where(ok & (rho < 1), rho, np.inf).min(axis=(0, 1))
    return np.where(nn & (v["s_lo"] > 0), best, np.inf)


def rate2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
          T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""Theorem 2's rate :math:`\rho_2` for :math:`r_k`, best over the candidate :math:`(\lambda, \theta, s')`
    (module doc), rounded outward; ``inf`` where vacuous or where ``nonnegative`` is False (signed
    weights: Theorem 2 says nothing).  Never increases when ``s_lo`` grows by more than the
    fraction grid's spacing (a larger ``s_lo`` only adds candidates up to that resolution)."""
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T)
    return as_output(_best(v, np.asarray(nonnegative, dtype=bool)))


def transient2(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike,
               T: ArrayLike, nonnegative: ArrayLike = True) -> float | np.ndarray:
    r"""The constant C of :math:`r_K \le C\rho_2^K r_0`: 1.0 where :func:`rate2` is finite, ``inf`` elsewhere."""
    rho = np.asarray(rate2(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative))
    return as_output(np.where(np.isfinite(rho), 1.0, np.inf))


def alpha_max2(*, mu: ArrayLike, L: ArrayLike, s_lo: ArrayLike, B: ArrayLike, W: ArrayLike, T: ArrayLike,
               nonnegative: ArrayLike = True, iterations: int = 48) -> float | np.ndarray:
    r"""Largest step at which :func:`rate2` is finite (0.0 where none: s_lo <= 0 or signed weights).

    Bisection over :math:`(0, 1/(LW))` (:math:`\psi \ge \alpha L W` rules out larger steps) on
    ``_finite_at``; the returned step is the lower end of the final bracket, where
    :func:`rate2` is finite.
    """
    v = check(mu=mu, L=L, s_lo=s_lo, B=B, W=W, T=T)
    nn = np.asarray(nonnegative, dtype=bool)
    shape = np.broadcast_shapes(*(a.shape for a in v.values()), nn.shape)
    v = {k: np.broadcast_to(a, shape) for k, a in v.items()}
    pos = (v["s_lo"] > 0) & nn
    lo = np.zeros(shape)
    hi = 1.0 / (v["L"] * np.where(pos, v["W"], 1.0))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        good = _finite_at(dict(v, alpha=mid))
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return as_output(np.where(pos, lo, 0.0))


def _finite_at(v: dict) -> np.ndarray:
    r"""Whether :func:`rate2` is finite, from one of its candidates: :math:`\theta = \lambda = 1` at
    :math:`s' = \min(s_{lo}, 64\varepsilon/(\alpha\mu))`, the smallest sum at which the rounded
    :math:`\rho_2^2 = 1 - \alpha\mu s'` stays below 1 (:math:`\psi` increases with :math:`s'`, so a larger
    admissible :math:`s^\dagger` exists, and :func:`rate2`'s candidates there are at least as good)."""
    s_need = np.minimum(v["s_lo"], 64 * _EPS / (v["alpha"] * v["mu"]))
    return (v["s_lo"] > 0) & _psi_ok(v, 1.0, 1.0, s_need)


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
    (0 when :math:`C \le \varepsilon`; ``inf`` for a vacuous rate), never below the true value.

    The quotient of logarithms can land just below an integer at an exact tie
    (:math:`\rho^K = \varepsilon/C`), so its ceiling is only a first guess: K is the smallest of
    guess - 1, guess, ... with :math:`C\rho^K \le \varepsilon`, decided in float64 where the computed
    power is farther from :math:`\varepsilon` than its rounding (:math:`(K + 4)` ulps) and in exact
    rational arithmetic otherwise (exponents up to :data:`EXACT_EXPONENT_LIMIT`; beyond, the
    larger K).
    """
    v = check(eps=eps)
    e, r_, c = np.broadcast_arrays(v["eps"], np.asarray(rate, dtype=float), np.asarray(transient, dtype=float))
    inside = (r_ > 0) & (r_ < 1) & np.isfinite(c)
    rr, cc = np.where(inside, r_, 0.5), np.where(inside, c, 1.0)
    with np.errstate(all="ignore"):
        guess = np.maximum(np.ceil(np.log(e / cc) / np.log(rr)) - 1, 0.0)
    k = np.array(guess, dtype=np.float64)
    for i in map(tuple, np.argwhere(inside & (cc > e))):
        k[i] = _smallest_power_below(float(rr[i]), float(cc[i]), float(e[i]), float(guess[i]))
    k = np.where(inside, np.where(cc > e, k, 0.0), np.where(r_ == 0, 1.0, np.inf))
    return as_output(k)


#: exponents up to which a near-tie of C rho^K with eps is decided in exact rational arithmetic
EXACT_EXPONENT_LIMIT = 4096


def _smallest_power_below(rho: float, c: float, eps: float, start: float) -> float:
    """The smallest K >= start with c rho^K <= eps (start is at most one below the answer)."""
    k = start
    while True:
        value = c * rho ** k
        margin = (k + 4) * _EPS * value
        if value + margin <= eps:
            return k
        if value - margin <= eps and k <= EXACT_EXPONENT_LIMIT:
            if Fraction(c) * Fraction(rho) ** int(k) <= Fraction(eps):
                return k
        k += 1.0
