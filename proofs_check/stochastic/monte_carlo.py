r"""Theorem S checked in expectation: many seeded copies of one problem, run at once.

The engine's batch axis is the Monte Carlo axis: :func:`run_copies` runs ``runs`` copies of one problem
from one starting point, each with its own minibatch draws (independent rows of one seeded generator).
:func:`check_theorem_s` compares the sample mean of :math:`r_k^2` with Theorem S's bound at a few
checkpoints k:

- the bound uses the constants realized on the runs (a posteriori, as the report does for Theorem 1: the
  smallest s_lo and the largest B, W and weight A on the current sample over every step of every run),
  with the age bound T declared by the selection where it has one (``max_age``), realized otherwise; part A where the rule is oblivious to the noise, part B always; the best
  bound over the problem's noise models (:mod:`~memgd.proofs_check.stochastic.noise`);
- **violated** means: at some checkpoint the sample mean exceeds the bound by more than :math:`z` standard
  errors, :math:`z = \Phi^{-1}(1 - \delta/m)` for confidence :math:`1 - \delta` and m checkpoints (one-sided,
  Bonferroni): the probability that a true bound is declared violated is at most :math:`\delta`;
- **vacuous** means: no admissible parameter point (:math:`\rho \ge 1`), or a floor at or above
  :math:`r_0^2` (the bound says nothing the start does not); such a batch is counted as vacuous, never as held;
- **held** otherwise.

The measured floor is the mean of :math:`r_k^2` over the last quarter of the steps (with its standard
error over the runs), beside the theorem's floor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from memgd.proofs_check.properties.bound_check import realized_nonnegative
from memgd.proofs_check.stochastic.noise import noise_models
from memgd.proofs_check.stochastic.rules import is_oblivious
from memgd.solvers import run
from memgd.solvers.validation import integer_at_least, positive
from memgd.theory.constants_s import best_stochastic_bound

STATUSES = ("held", "violated", "vacuous")


def run_copies(problem, selection, combination, alpha: float, steps: int, *, runs: int, batch_size: int,
               seed: int = 0, trace: bool = False, record: str = "full", radius: float = 1.0):
    """``runs`` copies of the first problem of ``problem`` from one start (distance ``radius`` from x*, in a
    direction drawn from ``seed``), run with minibatches of ``batch_size`` and generator ``seed + 1``; returns
    (batch, result)."""
    runs = integer_at_least("runs", runs, 2)
    radius = float(positive("radius", radius))
    one = problem.take(np.zeros(1, dtype=np.int64))
    batch = problem.take(np.zeros(runs, dtype=np.int64))
    start = one.start_points(np.random.default_rng(seed), radius=radius)
    result = run(batch, selection, combination, alpha, steps, x0=np.repeat(start, runs, axis=0), rng=seed + 1,
                 tol=0.0, batch_size=batch_size, trace=trace, record=record)
    return batch, result


def rule_constants(selection, combination, result) -> tuple[dict, str]:
    """Constants for Theorem S realized on the runs (s_lo smallest; B, W largest), T declared by the selection
    where it bounds its ages; A (weight on the current sample): s_0 at step 0 (the history slots of a pre-filled
    window hold the same sample), s_k - b_k after.  The source says "T declared" or "realized"."""
    c = result.constants
    used = np.arange(result.s.shape[0])[:, None] < result.nit[None, :]
    current = np.where(used, result.s - np.where(np.arange(result.s.shape[0])[:, None] == 0, 0.0, result.B), 0.0)
    const = dict(s_lo=float(c.s_lo.min()), B=float(c.B.max()), W=float(c.W.max()), T=int(c.T.max()),
                 A=float(current.max()))
    if getattr(selection, "max_age", None) is not None:
        const["T"] = max(int(selection.max_age), const["T"])
        return const, "realized, T declared"
    return const, "realized"


@dataclass(frozen=True)
class TheoremSCheck:
    """One Monte Carlo batch against Theorem S (see the module doc)."""

    label: str
    part: str                 # "A+B" (oblivious: the better of both) or "B"
    runs: int
    steps: int
    alpha: float
    batch_size: int
    confidence: float
    checkpoints: np.ndarray   # the k checked
    mean: np.ndarray          # sample mean of r_k^2 at the checkpoints
    se: np.ndarray            # its standard error
    bound: np.ndarray         # Theorem S at the checkpoints (inf where vacuous)
    z: float
    status: str
    floor_theorem: float      # inf where vacuous
    floor_measured: float
    floor_measured_se: float
    r0_sq: float
    constants: dict = field(default_factory=dict)
    constants_source: str = "realized"
    noise: str = ""

    @property
    def floor_ratio(self) -> float:
        """Theorem's floor / measured floor (inf where vacuous)."""
        return self.floor_theorem / self.floor_measured if self.floor_measured > 0 else float("inf")

    @property
    def worst_margin(self) -> float:
        """The largest ratio (mean + z se) / bound over the checkpoints; below 1 the bound is above the upper confidence limit."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.nanmax((self.mean + self.z * self.se) / self.bound))


def check_theorem_s(problem, selection, combination, alpha: float, steps: int, *, batch_size: int, runs: int = 256,
                    seed: int = 0, confidence: float = 0.999, checkpoints: int = 8, label: str = "",
                    oblivious: bool | None = None, radius: float = 1.0, result=None, batch=None) -> TheoremSCheck:
    """Theorem S against ``runs`` seeded copies of ``problem``'s first problem (see the module doc).

    ``oblivious`` overrides :func:`~memgd.proofs_check.stochastic.rules.is_oblivious` (a negative control
    declares a noise-adaptive rule oblivious and must see the check fail).  ``result``/``batch`` reuse runs
    already made by :func:`run_copies` with the same arguments.
    """
    alpha = float(positive("alpha", alpha))
    steps = integer_at_least("steps", steps, 4)
    checkpoints = integer_at_least("checkpoints", checkpoints, 1)
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be in (0.5, 1), got {confidence!r}")
    if result is None:
        batch, result = run_copies(problem, selection, combination, alpha, steps, runs=runs, batch_size=batch_size,
                                   seed=seed, radius=radius)
    runs = result.distances.shape[1]
    obl = is_oblivious(selection, combination) if oblivious is None else bool(oblivious)
    const, source = rule_constants(selection, combination, result)
    nonneg = bool(realized_nonnegative(result).all())
    mu, L = float(batch.mu[0]), float(batch.L[0])
    r2 = result.distances ** 2
    r0_sq = float(r2[0, 0])
    ks = np.unique(np.geomspace(1, steps, checkpoints).round().astype(int))
    finite = np.isfinite(r2[ks]).all(axis=1)
    mean = np.where(finite, np.nanmean(r2[ks], axis=1), np.inf)
    se = np.where(finite, np.nanstd(r2[ks], axis=1, ddof=1) / np.sqrt(runs), 0.0)
    bounds, floors, hows = [], [], []
    for model in noise_models(batch, batch_size):
        b = best_stochastic_bound(oblivious=obl, mu=mu, L=L, alpha=alpha, s_lo=const["s_lo"], B=const["B"],
                                  W=const["W"], T=const["T"], A=const["A"], sigma2=float(model.sigma2[0]),
                                  zeta2=float(model.zeta2[0]), nonnegative=nonneg)
        bounds.append(np.asarray(b.at(ks, r0_sq), dtype=float))
        floors.append(float(b.floor))
        hows.append(model.how)
    bound = np.min(bounds, axis=0)
    best = int(np.argmin(floors))
    floor = floors[best]
    z = float(norm.ppf(1 - (1 - confidence) / len(ks)))
    tail = r2[-max(steps // 4, 1):]
    per_run = np.nanmean(tail, axis=0)
    vacuous = not np.isfinite(floor) or floor >= r0_sq
    violated = bool(np.any(mean - z * se > bound))
    status = "violated" if violated else ("vacuous" if vacuous else "held")
    return TheoremSCheck(label or f"{selection!r} / {combination!r}", "A+B" if obl else "B", runs, steps, alpha,
                         batch_size, confidence, ks, mean, se, bound, z, status, floor, float(per_run.mean()),
                         float(per_run.std(ddof=1) / np.sqrt(runs)), r0_sq, const, source, hows[best])
