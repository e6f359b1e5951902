r"""Where the critical rule provably converges, where it measurably converges, where it diverges.

The map's axes: aggregation (the paper's nine, memory scale 1), buffer size
C = ``top_c``, ``decay`` :math:`\delta`, step :math:`\alpha L` and condition number
:math:`\kappa = L/\mu` (:math:`\mu = 1`).

- **provable** (for every f of the class and every start): the a priori floor of
  :mod:`.ages` gives some :math:`r > \delta`, hence ages at most :math:`T^*(r)`, and the
  bound function (default :func:`memgd.theory.best_bound`, Theorems 1/1b) with
  T = T*, the aggregation's constants over m = 0..C stored gradients
  (:func:`memgd.theory.aggregation_bounds`) and this step gives :math:`\rho < 1`.
- **measured**: engine runs of :class:`~memgd.solvers.CriticalGradients` (the
  documented-intent rule) with that aggregation on quadratics (uniform and
  two-point spectra, d = 10): ``converged`` if every run reached ``tol`` within the
  steps, ``diverged`` if some run diverged (blow-up) or ended farther than it
  started, ``decreasing`` otherwise (ended closer than it started but not at ``tol``:
  too slow to tell within the steps).

Every run is also checked: the a posteriori certificates of :mod:`.certificate`
(age theorem with the run's own floor, its transient-tolerant form, Theorem 1/1b
with realized constants) and,
in provable cells, the a priori claims themselves (the run's per-step ratio stays
above the floor r, its ages at most T*(r), its distances under
:math:`\rho^k r_0`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from memgd.proofs_check.critical_rule.ages import contraction_floor
from memgd.proofs_check.critical_rule.certificate import (
    BoundFunction, bound_rate, certify_run, envelope_violation, step_floor,
)
from memgd.solvers import Aggregation, CriticalGradients, Status, make_quadratics, run
from memgd.solvers.validation import integer_at_least
from memgd.theory import AGGREGATIONS, aggregation_bounds, best_bound

MEASURED = ("converged", "decreasing", "diverged")

DECAYS = (0.3, 0.5, 0.7, 0.9, 0.99)
ALPHA_L = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 0.6, 1.0, 1.5)
KAPPAS = (10.0, 100.0)
TOP_CS = (1, 5, 10)


@dataclass(frozen=True)
class ProvableRegion:
    """A priori results; arrays (G, C, D, A, K) over aggregations, top_cs, decays, alpha_L, kappas."""

    aggregations: tuple[str, ...]
    top_cs: tuple[int, ...]
    decays: np.ndarray
    alpha_L: np.ndarray
    kappas: np.ndarray
    floor: np.ndarray       # a priori per-step floor r (NaN: none found)
    age_bound: np.ndarray   # T*(floor) (inf: no a priori age bound)
    rate: np.ndarray        # bound's rate with T = T* (inf: vacuous or no age bound)

    @property
    def provable(self) -> np.ndarray:
        return np.isfinite(self.rate) & (self.rate < 1)


def provable_region(*, aggregations: Sequence[str] = AGGREGATIONS, top_cs: Sequence[int] = TOP_CS,
                    decays: Sequence[float] = DECAYS, alpha_L: Sequence[float] = ALPHA_L,
                    kappas: Sequence[float] = KAPPAS, bound: BoundFunction = best_bound,
                    grid: int = 2000) -> ProvableRegion:
    """The a priori map (closed forms, vectorized over decay, step and kappa)."""
    d = np.asarray(decays, float)[:, None, None]
    aL = np.asarray(alpha_L, float)[None, :, None]
    k = np.asarray(kappas, float)[None, None, :]
    shape = (len(aggregations), len(top_cs), d.shape[0], aL.shape[1], k.shape[2])
    floor, T, rate = np.full(shape, np.nan), np.full(shape, np.inf), np.full(shape, np.inf)
    for g, agg in enumerate(aggregations):
        for c, top_c in enumerate(top_cs):
            r, t = contraction_floor(alpha_L=aL, decay=d, kappa=k, top_c=top_c, aggregation=agg, grid=grid)
            const = aggregation_bounds(agg, 1.0, top_c, m_min=0)
            has = np.isfinite(t)
            kk = np.broadcast_to(k, t.shape)
            rho = bound_rate(bound, mu=np.ones(t.shape), L=kk, alpha=np.broadcast_to(aL, t.shape) / kk,
                             s_lo=const.s_lo, s_hi=const.s_hi, B=const.B, W=const.W, T=np.where(has, t, 1.0))
            floor[g, c], T[g, c], rate[g, c] = r, t, np.where(has, rho, np.inf)
    return ProvableRegion(tuple(aggregations), tuple(int(c) for c in top_cs), np.asarray(decays, float),
                          np.asarray(alpha_L, float), np.asarray(kappas, float), floor, T, rate)


@dataclass(frozen=True)
class RunChecks:
    """Counts of the checks made on the runs (each over problems)."""

    runs: int = 0
    age_hypothesis_held: int = 0        # runs whose own floor exceeds decay (age theorem applies)
    age_violations: int = 0             # of those, ages above T*(own floor)
    transient_held: int = 0             # runs with a finite Theorem A' bound (transient-tolerant)
    transient_violations: int = 0       # of those, ages above it
    distance_certified: int = 0         # runs with a non-vacuous realized-constant bound
    distance_violations: int = 0
    apriori_runs: int = 0               # runs in provable cells
    apriori_floor_violations: int = 0   # per-step ratio below the a priori floor
    apriori_age_violations: int = 0     # ages above the a priori T*
    apriori_distance_violations: int = 0  # distances above rho(T*)^k r_0
    provable_but_diverged: int = 0      # provable cells measured "diverged"
    largest_age_fraction: float = 0.0   # max of (largest age / T*(own floor)) where the age theorem applies
    largest_age_unclaimed: int = 0      # largest age in runs where it does not (own floor <= decay)

    def __add__(self, other: "RunChecks") -> "RunChecks":
        """Counts add up; the ``largest_*`` fields take the larger."""
        out = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        out["largest_age_fraction"] = max(self.largest_age_fraction, other.largest_age_fraction)
        out["largest_age_unclaimed"] = max(self.largest_age_unclaimed, other.largest_age_unclaimed)
        return RunChecks(**out)

    @property
    def violations(self) -> int:
        return (self.age_violations + self.transient_violations + self.distance_violations + self.apriori_floor_violations
                + self.apriori_age_violations + self.apriori_distance_violations + self.provable_but_diverged)


@dataclass(frozen=True)
class CriticalMap:
    """The provable region, the measured outcomes (G, C, D, A, K) and the run checks."""

    provable: ProvableRegion
    measured: np.ndarray        # int index into MEASURED
    largest_age: np.ndarray     # largest age used in the cell's runs
    checks: RunChecks
    problems_per_cell: int
    steps: int


def _problems(kappas: np.ndarray, n_alpha: int, per_kappa: int, d: int, seed: int):
    """Problems in (alpha, kappa, problem) order, alternating uniform and two-point spectra;
    the same problems for every step (and every rule, with the same seed)."""
    rng = np.random.default_rng(seed)
    L = np.repeat(kappas, per_kappa)
    both = _concat([make_quadratics(L.size, d, 1.0, L, spectrum_kind=kind, rng=rng)
                    for kind in ("uniform", "two_point")])
    p = np.arange(per_kappa)
    index = (p % 2) * L.size + np.arange(kappas.size)[:, None] * per_kappa + p      # (kappa, problem)
    return both.take(np.tile(index.ravel(), n_alpha))


def _concat(batches):
    """One batch holding the problems of ``batches`` (same type and dimension) in order."""
    first = batches[0]
    changes = {f.name: np.concatenate([getattr(b, f.name) for b in batches])
               for f in dataclasses.fields(first) if isinstance(getattr(first, f.name), np.ndarray)}
    return dataclasses.replace(first, **changes)


def measure_cell_block(provable: ProvableRegion, g: int, c: int, j: int, *, per_kappa: int, d: int, steps: int,
                       tol: float, seed: int, bound: BoundFunction) -> tuple[np.ndarray, np.ndarray, RunChecks]:
    """One engine run over all (alpha_L, kappa) cells of aggregation g, top_c c, decay j."""
    agg, top_c, decay = provable.aggregations[g], provable.top_cs[c], float(provable.decays[j])
    A, K = provable.alpha_L.size, provable.kappas.size
    P = _problems(provable.kappas, A, per_kappa, d, seed)
    alpha = np.repeat(provable.alpha_L[:, None] / provable.kappas[None, :], per_kappa, axis=1).ravel()
    res = run(P, CriticalGradients(top_c, decay), Aggregation(agg), alpha, steps, tol=tol, rng=seed)
    shape = (A, K, per_kappa)
    cert = certify_run(res, P, decay=decay, top_c=top_c, bound=bound)
    status = res.status.reshape(shape)
    final = res.distances[res.nit, np.arange(P.n)].reshape(shape)
    grew = ~(final < res.distances[0].reshape(shape))
    diverged = ((status == Status.DIVERGED) | (grew & (status != Status.CONVERGED))).any(axis=2)
    converged = (status == Status.CONVERGED).all(axis=2)
    measured = np.where(diverged, 2, np.where(converged, 0, 1))
    largest = cert.max_age.reshape(shape).max(axis=2)

    # a priori claims, in provable cells
    def per_problem(cells: np.ndarray) -> np.ndarray:   # (A, K) -> (A * K * per_kappa,)
        return np.repeat(cells[:, :, None], per_kappa, axis=2).ravel()

    prov = provable.provable[g, c, j]                                    # (A, K)
    in_prov = per_problem(prov)
    floor, T_star = per_problem(provable.floor[g, c, j]), per_problem(provable.age_bound[g, c, j])
    rho = per_problem(provable.rate[g, c, j])
    own = step_floor(res.distances)
    checks = RunChecks(
        runs=P.n,
        age_hypothesis_held=int(cert.ages_certified.sum()),
        age_violations=int(cert.ages_violated.sum()),
        transient_held=int(np.isfinite(cert.age_bound_transient).sum()),
        transient_violations=int(cert.transient_violated.sum()),
        distance_certified=int(cert.distances_certified.sum()),
        distance_violations=int(cert.distances_violated.sum()),
        apriori_runs=int(in_prov.sum()),
        apriori_floor_violations=int((in_prov & (own < floor)).sum()),
        apriori_age_violations=int((in_prov & (cert.max_age > T_star)).sum()),
        apriori_distance_violations=int(envelope_violation(res.distances, np.where(in_prov, rho, np.inf),
                                                           P.x_star).sum()),
        provable_but_diverged=int((prov & (measured == 2)).sum()),
        largest_age_fraction=float(np.max(cert.max_age / cert.age_bound, where=cert.ages_certified, initial=0.0)),
        largest_age_unclaimed=int(np.max(cert.max_age, where=~cert.ages_certified, initial=0)),
    )
    return measured, largest, checks


def critical_map(*, aggregations: Sequence[str] = AGGREGATIONS, top_cs: Sequence[int] = TOP_CS,
                 decays: Sequence[float] = DECAYS, alpha_L: Sequence[float] = ALPHA_L,
                 kappas: Sequence[float] = KAPPAS, per_kappa: int = 2, d: int = 10, steps: int = 1200,
                 tol: float = 1e-6, seed: int = 0, bound: BoundFunction = best_bound,
                 progress: Callable[[str], None] | None = None) -> CriticalMap:
    """The provable region and one engine run per (aggregation, top_c, decay) over all steps and kappas.

    ``per_kappa`` quadratics per (alpha L, kappa) cell (alternating uniform and two-point spectra, in
    dimension ``d``), ``steps`` iterations, stopping at ``tol`` r_0.
    """
    integer_at_least("per_kappa", per_kappa, 1)
    integer_at_least("d", d, 2)
    integer_at_least("steps", steps, 1)
    prov = provable_region(aggregations=aggregations, top_cs=top_cs, decays=decays, alpha_L=alpha_L,
                           kappas=kappas, bound=bound)
    shape = prov.rate.shape
    measured, largest = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    checks = RunChecks()
    for g, agg in enumerate(prov.aggregations):
        if progress is not None:
            progress(f"critical rule map: aggregation {agg}")
        for c in range(len(prov.top_cs)):
            for j in range(prov.decays.size):
                m, a, ch = measure_cell_block(prov, g, c, j, per_kappa=per_kappa, d=d, steps=steps, tol=tol,
                                              seed=seed, bound=bound)
                measured[g, c, j], largest[g, c, j] = m, a
                checks = checks + ch
    return CriticalMap(prov, measured, largest, checks, per_kappa, steps)
