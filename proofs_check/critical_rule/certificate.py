r"""A posteriori certificates for a finished run of the critical rule.

Given a run of gradient descent on the critical rule's direction (engine
:class:`~memgd.solvers.CriticalGradients`, replacement ``"smallest"``, exact
gradients, no weight decay) on problems of known :math:`\mu, L`:

1. **Ages.**  The run's own per-step floor :math:`\hat r_{lo} = \min_k r_{k+1}/r_k`
   is a valid :math:`r_{lo}` for the age theorem of :mod:`.ages`; where
   :math:`\hat r_{lo} > \delta` it bounds every used age by :math:`T^*(\hat r_{lo})`,
   and the certificate checks the recorded ages against it.  Where
   :math:`\hat r_{lo} \le \delta` no age bound is claimed.  Both are taken over the
   *certified prefix* of the run: the steps before the distance first falls to
   ``floor`` :math:`\cdot r_0` (default :math:`10^{-8}`).  Below that, computed
   gradients carry absolute rounding errors comparable to their size, so
   :math:`\mu r \le \|g\| \le L r` no longer holds for them and nothing is claimed
   (a run of the :math:`\kappa = 1` quadratic driven to :math:`10^{-20} r_0` shows
   per-step ratios far below any floor there).
   Theorem A' (transients) is tried too: for rates :math:`\gamma` on a grid of
   :math:`(\delta, \max_k r_{k+1}/r_k]` (and :math:`\hat r_{lo}` itself), the run's
   transient constant :math:`c(\gamma) = \min_{b<j} r_j / (\gamma^{j-b} r_b)` makes the
   hypothesis hold, and the smallest resulting bound is kept; it is never larger
   than Theorem A's and covers runs whose few fast early steps put
   :math:`\hat r_{lo}` below the decay.
2. **Distances.**  With the realized constants (T = largest age used, s_lo, s_hi,
   B, W, all measured on the run) the run lies in the class of Theorem 1, so
   :math:`r_k \le \rho^k r_0` with :math:`\rho` from ``bound`` (default
   :func:`memgd.theory.best_bound`, Theorems 1 and 1b; any function with the same
   keyword arguments whose result is a rate or has a ``rate`` attribute can be
   plugged in, e.g. a later Theorem 2).  Checked at every recorded iterate, up to
   the floating-point resolution of a computed distance,
   :math:`64\varepsilon(\|x^*\| + r_0)`, and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.critical_rule.ages import age_bound
from memgd.proofs_check.properties.bound_check import check_envelope
from memgd.solvers import RunResult
from memgd.theory import best_bound


BoundFunction = Callable[..., object]


def bound_rate(bound: BoundFunction, **constants) -> np.ndarray:
    """The rate of ``bound(**constants)`` as a float array (``inf`` where vacuous)."""
    out = bound(**constants)
    return np.asarray(getattr(out, "rate", out), dtype=np.float64)


FLOOR = 1e-8


def certified_prefix(distances: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """(K+1, n) bool: step k is in the prefix of finite distances above ``floor`` r_0."""
    with np.errstate(invalid="ignore"):
        above = np.isfinite(distances) & (distances > floor * distances[0])
    return np.logical_and.accumulate(above, axis=0)


def step_floor(distances: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    r""":math:`\min_k r_{k+1}/r_k` over the certified prefix of each problem, (n,); NaN if no step."""
    keep = certified_prefix(distances, floor)
    both = keep[1:] & keep[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(both, distances[1:] / np.where(both, distances[:-1], 1.0), np.inf)
    low = ratio.min(axis=0)
    return np.where(np.isfinite(low), low, np.nan)


def transient_constant(distances: np.ndarray, gamma: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    r""":math:`c(\gamma) = \min_{b<j} r_j / (\gamma^{j-b} r_b)` over the certified prefix, shape of ``gamma``
    ((G, n) or (n,)); 1 where the prefix has fewer than two steps (no pair to constrain)."""
    keep = certified_prefix(distances, floor)
    g = np.asarray(gamma, dtype=np.float64)
    squeeze = g.ndim == 1
    g = np.atleast_2d(g)                                                  # (G, n)
    j = np.arange(distances.shape[0], dtype=np.float64)[None, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.where(keep, np.log(np.where(keep, distances, 1.0)), np.nan)
        s = log_r[None] - j * np.log(g)[:, None, :]                       # (G, K+1, n)
    earlier = np.maximum.accumulate(np.where(keep[None], s, -np.inf), axis=1)
    gap = np.where(keep[None, 1:], s[:, 1:] - earlier[:, :-1], np.inf)   # s_j - max_{b<j} s_b
    low = gap.min(axis=1)
    c = np.where(np.isfinite(low), np.exp(np.minimum(low, 700.0)), 1.0)
    return c[0] if squeeze else c


def transient_age_bound(distances: np.ndarray, *, decay: float, kappa: np.ndarray, top_c: int, grid: int = 64,
                        floor: float = FLOOR) -> np.ndarray:
    r"""The smallest Theorem A' bound over rates :math:`\gamma` on a grid of :math:`(\delta, \max_k r_{k+1}/r_k]`
    plus :math:`\gamma = \hat r_{lo}`, per problem; ``inf`` where no rate exceeds the decay."""
    keep = certified_prefix(distances, floor)
    both = keep[1:] & keep[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = distances[1:] / np.where(both, distances[:-1], 1.0)
    top = np.where(both, ratio, -np.inf).max(axis=0)                      # (n,)
    low = step_floor(distances, floor)
    frac = np.arange(1, grid + 1)[:, None] / grid
    gammas = np.vstack([decay + (np.maximum(top, decay) - decay) * frac, np.nan_to_num(low, nan=0.0)[None]])
    gammas = np.where(gammas > decay, gammas, decay * 0.5)               # placeholders below decay: no claim
    c = transient_constant(distances, gammas, floor)
    T = age_bound(decay=decay, r_lo=gammas, kappa=kappa, top_c=top_c, transient=c)
    return T.min(axis=0)


def prefix_max_age(ages: np.ndarray, distances: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    """(n,) largest age used at the steps k of the certified prefix (0 if none); ``ages`` is (K, n, S)."""
    keep = certified_prefix(distances, floor)[:-1]
    return np.where(keep[:, :, None], ages, 0).max(axis=(0, 2), initial=0).astype(np.float64)


def envelope_violation(distances: np.ndarray, rate: np.ndarray, x_star: np.ndarray) -> np.ndarray:
    r"""Per problem, whether some recorded :math:`r_k > \rho^k r_0` beyond the resolution
    (False where the rate is ``inf``: nothing is claimed there): the package's one run comparison,
    :func:`memgd.proofs_check.properties.bound_check.check_envelope`."""
    return check_envelope(distances, rate, x_star=x_star).violated


@dataclass(frozen=True)
class RunCertificate:
    """Per-problem results, each (n,)."""

    r_lo: np.ndarray             # measured per-step floor min r_{k+1}/r_k
    age_bound: np.ndarray        # T*(r_lo), inf where r_lo <= decay (no age bound claimed)
    max_age: np.ndarray          # largest age the run used in its certified prefix
    ages_certified: np.ndarray   # r_lo > decay, so the age theorem bounds the ages by age_bound
    ages_violated: np.ndarray    # ages_certified and max_age > age_bound (the age theorem would be wrong)
    age_bound_transient: np.ndarray   # Theorem A' over a grid of rates (<= age_bound), inf: no claim
    transient_violated: np.ndarray    # max_age > age_bound_transient where finite
    rate: np.ndarray             # bound's rate with the realized constants (inf: vacuous)
    distances_certified: np.ndarray  # rate < 1
    distances_violated: np.ndarray   # distances_certified and some r_k > rate^k r_0

    @property
    def any_violation(self) -> bool:
        return bool(self.ages_violated.any() or self.transient_violated.any() or self.distances_violated.any())


def certify_run(result: RunResult, problems, *, decay: float, top_c: int,
                bound: BoundFunction = best_bound, floor: float = FLOOR) -> RunCertificate:
    """Certify a finished run's ages (age theorem with its own floor) and distances (``bound``).

    The distance bound uses the constants of the whole run (its largest age included).
    """
    mu, L = np.asarray(problems.mu, float), np.asarray(problems.L, float)
    r_lo = step_floor(result.distances, floor)
    T_star = age_bound(decay=decay, r_lo=np.nan_to_num(r_lo, nan=0.0), kappa=L / mu, top_c=top_c)
    c = result.constants
    max_age = prefix_max_age(result.ages, result.distances, floor)
    certified = np.isfinite(T_star)
    rate = bound_rate(bound, mu=mu, L=L, alpha=result.alpha, s_lo=c.s_lo, s_hi=c.s_hi, B=c.B, W=c.W,
                      T=np.maximum(c.T, 1))
    rate = np.broadcast_to(rate, r_lo.shape)
    T_transient = transient_age_bound(result.distances, decay=decay, kappa=L / mu, top_c=top_c, floor=floor)
    return RunCertificate(r_lo=r_lo, age_bound=T_star, max_age=max_age, ages_certified=certified,
                          ages_violated=certified & (max_age > T_star),
                          age_bound_transient=T_transient, transient_violated=max_age > T_transient, rate=rate,
                          distances_certified=np.isfinite(rate),
                          distances_violated=envelope_violation(result.distances, rate, problems.x_star))
