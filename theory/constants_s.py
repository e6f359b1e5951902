r"""Theorem S's numbers (docs/math/theorem_s.md): vectorized, keyword-only, every bound valid.

Theorem S holds for every choice of its free parameters :math:`\lambda, \theta \in (0, 1]`,
:math:`\beta > 0` and (part B) :math:`\gamma > 0`; :func:`stochastic_bound` evaluates it on a fixed
grid of them (:data:`LAMBDAS_S`, :data:`THETAS_S`, :data:`BETAS`, :data:`GAMMA_FRACTIONS`: 1 included
in the first two) and keeps, for each question asked, the best admissible point, so every number
it returns is the theorem at one admissible parameter point, never an extrapolation:

- ``StochasticBound.at`` (the bound on :math:`E r_k^2` at given k: the smallest over the grid of
  :math:`\rho^k r_0^2 + F(1-\rho^k)`),
- ``StochasticBound.floor`` (the smallest :math:`F` over admissible points),
- :attr:`StochasticBound.rate` (the smallest :math:`\sqrt\rho`, whatever its floor).

Rounding: the floor and the bound are raised by a relative :data:`FLOOR_MARGIN` (a few hundred ulps:
sums of at most a dozen positive products and one division by :math:`1 - \rho`, whose rounding is
relative to :math:`1 - \rho` itself; points with :math:`1 - \rho < 10^{-12}` are dropped).
``inf`` means the theorem says nothing (no admissible point).  Part C (signed weights) is
:func:`signed_bound`, on :math:`E r_k`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from memgd.theory.constants import rate as rate_1
from memgd.theory import symbols as sym
from memgd.theory.lambdify import numpy_function
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo
from memgd.theory.theorem2 import lam, theta
from memgd.theory.theorem_s import (
    NOISE_C, PHI_A, PHI_B, PHI_SRC_A, PHI_SRC_B, PSI_A, PSI_B, S_EFF, A, beta, gamma, sigma, sigma2, zeta2,
)
from memgd.theory.validate import as_output, check

LAMBDAS_S = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0])
THETAS_S = np.array([0.02, 0.1, 0.3, 0.6, 1.0])
BETAS = np.geomspace(1e-3, 10.0, 13)
#: gamma as a fraction of mu s_lo (part B's cross-term parameter).
GAMMA_FRACTIONS = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
FLOOR_MARGIN = 512 * 2.0**-53
PARTS = ("A", "B")

_ARGS = (mu, L, alpha, s_lo, B, W, T, A, sigma2, zeta2, lam, theta, beta, gamma)


@dataclass(frozen=True)
class StochasticBound:
    """Theorem S at one step size (arrays broadcast over the inputs' shape).

    ``rho`` and ``floor`` are (G, ...) over the admissible grid points (inf where inadmissible);
    ``part`` is "A" or "B".
    """

    part: str
    rho: np.ndarray
    floor_grid: np.ndarray

    @property
    def vacuous(self) -> np.ndarray | bool:
        return as_output(~np.isfinite(self.rho).any(axis=0))

    @property
    def floor(self) -> float | np.ndarray:
        """Smallest floor F over admissible points (inf if none)."""
        return as_output(self.floor_grid.min(axis=0))

    @property
    def rate(self) -> float | np.ndarray:
        """The rate of sqrt(E r_k^2) towards the floor, the smallest sqrt(rho) over admissible points."""
        return as_output(np.sqrt(self.rho.min(axis=0)))

    def at(self, k: ArrayLike, r0_sq: ArrayLike) -> float | np.ndarray:
        """Bound on E r_k^2: min over the grid of rho^k r0^2 + F (1 - rho^k); ``k`` and ``r0_sq`` broadcast
        against the inputs' shape (e.g. k of shape (K, 1) against n problems)."""
        rho = np.moveaxis(self.rho, 0, -1)
        fl = np.moveaxis(self.floor_grid, 0, -1)
        kk = np.asarray(k, dtype=float)[..., None]
        r0 = np.asarray(r0_sq, dtype=float)[..., None]
        ok = np.isfinite(rho)
        with np.errstate(all="ignore"):
            pk = np.power(np.where(ok, rho, 0.5), kk)
            value = np.where(ok, pk * r0 + fl * (1 - pk), np.inf)
        return as_output(value.min(axis=-1) * (1 + FLOOR_MARGIN))


def _grid(part: str):
    lam_, th_, be_, ga_ = np.meshgrid(LAMBDAS_S, THETAS_S, BETAS, GAMMA_FRACTIONS if part == "B" else [1.0],
                                      indexing="ij")
    return lam_.ravel(), th_.ravel(), be_.ravel(), ga_.ravel()


def stochastic_bound(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, B: ArrayLike,
                     W: ArrayLike, T: ArrayLike, sigma2: ArrayLike, zeta2: ArrayLike = 0.0,
                     A: ArrayLike | None = None, part: str = "B", nonnegative: ArrayLike = True) -> StochasticBound:
    r"""Theorem S, part ``"A"`` (oblivious selection) or ``"B"`` (any predictable selection).

    ``A`` is the largest weight on the current sample (default W, always valid).  ``nonnegative``
    False (signed weights) makes the bound vacuous: use :func:`signed_bound`.  Bad input raises
    ``ValueError`` naming the parameter.
    """
    if part not in PARTS:
        raise ValueError(f"part must be 'A' (oblivious selection) or 'B' (any predictable selection), got {part!r}")
    v = check(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T)
    s2 = np.asarray(sigma2, dtype=float)
    z2 = np.asarray(zeta2, dtype=float)
    if np.any(~np.isfinite(s2)) or np.any(s2 < 0):
        raise ValueError(f"sigma2 must be a finite number >= 0 (the noise variance at x*), got {sigma2!r}")
    if np.any(~np.isfinite(z2)) or np.any(z2 < 0):
        raise ValueError(f"zeta2 must be a finite number >= 0 (the noise variance's growth with r^2), got {zeta2!r}")
    a_ = v["W"] if A is None else np.asarray(A, dtype=float)
    if np.any(~np.isfinite(a_)) or np.any(a_ < 0) or np.any(a_ > np.asarray(v["W"]) * (1 + 1e-12)):
        raise ValueError(f"A must be a number in [0, W] (the largest weight on the current sample), got {A!r}")
    nn = np.asarray(nonnegative, dtype=bool)
    shape = np.broadcast_shapes(*(np.shape(x) for x in v.values()), s2.shape, z2.shape, np.shape(a_), nn.shape)
    vals = {k_: np.broadcast_to(x, shape)[None] for k_, x in v.items()}
    vals.update(sigma2=np.broadcast_to(s2, shape)[None], zeta2=np.broadcast_to(z2, shape)[None],
                A=np.broadcast_to(np.maximum(a_, 1e-300), shape)[None])
    lam_, th_, be_, ga_ = (g.reshape((-1,) + (1,) * len(shape)) for g in _grid(part))
    s_pos = np.where(vals["s_lo"] > 0, vals["s_lo"], 1.0)
    gam = ga_ * vals["mu"] * s_pos if part == "B" else np.ones_like(ga_)
    kw = dict(vals, s_lo=s_pos, theta=th_, beta=be_, gamma=gam, **{"lambda": lam_})
    psi = numpy_function(PSI_A if part == "A" else PSI_B, _ARGS)(**kw)
    phi = numpy_function(PHI_A if part == "A" else PHI_B, _ARGS)(**kw)
    src = numpy_function(PHI_SRC_A if part == "A" else PHI_SRC_B, _ARGS)(**kw)
    seff = numpy_function(S_EFF, _ARGS)(**kw)
    a, m = vals["alpha"], vals["mu"]
    rho = 1 - a * m * seff + (a * gam if part == "B" else 0.0) + vals["zeta2"] * src
    gap = 1 - rho
    ok = ((vals["s_lo"] > 0) & nn[None] & (2 * a * m * vals["s_lo"] < 1) & np.isfinite(psi) & (psi <= 1)
          & np.isfinite(rho) & (rho >= 0) & (gap > 1e-12))
    with np.errstate(all="ignore"):
        floor = np.where(ok, vals["sigma2"] * phi / np.where(ok, gap, 1.0), np.inf) * (1 + FLOOR_MARGIN)
    return StochasticBound(part, np.where(ok, rho * (1 + FLOOR_MARGIN), np.inf), floor)


def best_stochastic_bound(*, oblivious: ArrayLike = False, **kw) -> StochasticBound:
    """Theorem S with the best valid part: B always, A too where the selection is ``oblivious``."""
    b = stochastic_bound(part="B", **kw)
    obl = np.asarray(oblivious, dtype=bool)
    if not obl.any():
        return b
    a = stochastic_bound(part="A", **kw)
    # both grids stacked; part A's points count only where the selection is oblivious
    rho = np.concatenate([b.rho, np.where(obl, a.rho, np.inf)], axis=0)
    fl = np.concatenate([b.floor_grid, np.where(obl, a.floor_grid, np.inf)], axis=0)
    return StochasticBound("A+B", rho, fl)


def signed_bound(*, mu: ArrayLike, L: ArrayLike, alpha: ArrayLike, s_lo: ArrayLike, s_hi: ArrayLike,
                 B: ArrayLike, W: ArrayLike, T: ArrayLike, sigma2: ArrayLike) -> tuple:
    r"""Part C (any signs, any selection): ``(rate, floor)`` with :math:`E r_k \le \text{rate}^k r_0 + \text{floor}`;
    rate is Theorem 1's (or 1b's, the better), floor :math:`\bar e/(1 - \text{rate})`; inf where vacuous."""
    kw = dict(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T)
    lam_ = np.minimum(np.asarray(rate_1(**kw, theorem="1")), np.asarray(rate_1(**kw, theorem="1b")))
    v = check(**kw)
    s = np.sqrt(np.asarray(sigma2, dtype=float))
    e = numpy_function(NOISE_C, (sym.mu, sym.L, sym.alpha, sym.B, sym.W, sym.T, sigma))(mu=v["mu"], L=v["L"], alpha=v["alpha"], B=v["B"],
                                                                   W=v["W"], T=v["T"], sigma=s)
    with np.errstate(all="ignore"):
        floor = np.where(np.isfinite(lam_), e / (1 - lam_), np.inf) * (1 + FLOOR_MARGIN)
    return as_output(lam_), as_output(floor)
