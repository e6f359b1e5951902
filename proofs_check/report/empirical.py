r"""Empirical side of a scenario: run it on generated problems and measure.

For each problem family (quadratics with a uniform spectrum, tilted logistic and
Huber problems) a batch is generated with the scenario's (mu, L) and run from
distance 1.  Reported per scenario: the worst asymptotic rate over problems
(:func:`memgd.solvers.tail_rate`), the worst envelope rate
:math:`\max_k (r_k/r_0)^{1/k}`, the largest gradient age seen, and the outcome
counts.  The overall outcome is DIVERGED if any problem diverged, else MAX_STEPS
if any did not converge, else CONVERGED.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.report.scenarios import Scenario
from memgd.solvers import ProblemBatch, RunResult, Status, envelope_rate, make_quadratics, make_tilted, run, tail_rate

FAMILIES = ("quadratic", "logistic", "huber")


@dataclass(frozen=True)
class Empirical:
    worst_tail_rate: float
    worst_envelope_rate: float
    max_age: int
    outcome: Status
    counts: dict[str, int]
    by_family: dict[str, RunResult]
    problems: dict[str, ProblemBatch]
    family_tail_rates: dict[str, float]  # worst asymptotic rate per family


def make_problems(family: str, mu: float, L: float, n: int, d: int, rng: np.random.Generator):
    if family == "quadratic":
        return make_quadratics(n, d, mu, L, rng=rng)
    return make_tilted(n, d, mu, L, family=family, rng=rng)


def run_scenario(scenario: Scenario, *, n: int = 8, d: int = 10, seed: int = 0,
                 families=FAMILIES) -> Empirical:
    rng = np.random.default_rng(seed)
    results, batches = {}, {}
    for family in families:
        batches[family] = make_problems(family, scenario.mu, scenario.L, n, d, rng)
        results[family] = run(batches[family], scenario.selection, scenario.combination, scenario.alpha,
                              scenario.steps, rng=rng, tol=1e-10)
    status = np.concatenate([r.status for r in results.values()])
    dists = np.concatenate([r.distances for r in results.values()], axis=1)
    counts = {s.name.lower(): int(np.sum(status == s)) for s in (Status.CONVERGED, Status.MAX_STEPS, Status.DIVERGED)}
    if counts["diverged"]:
        outcome = Status.DIVERGED
    elif counts["max_steps"]:
        outcome = Status.MAX_STEPS
    else:
        outcome = Status.CONVERGED
    return Empirical(
        worst_tail_rate=_worst(tail_rate(dists)),
        worst_envelope_rate=_worst(envelope_rate(dists)),
        max_age=int(max(r.constants.T.max() for r in results.values())),
        outcome=outcome,
        counts=counts,
        by_family=results,
        problems=batches,
        family_tail_rates={f: _worst(tail_rate(r.distances)) for f, r in results.items()},
    )


def _worst(rates: np.ndarray) -> float:
    """Largest finite rate, NaN if there is none."""
    finite = rates[np.isfinite(rates)]
    return float(finite.max()) if finite.size else float("nan")
