r"""Does keeping large-norm gradients raise the noise floor?  Measured at equal step.

For a family (:mod:`~memgd.proofs_check.stochastic.problems`) and a minibatch size b, at one step alpha,
the floor :math:`\lim E r_k^2` of

- plain SGD (no memory), and SGD at the doubled step (the memory rules below have s = 2: their effective
  step is 2 alpha),
- FIFO over the last C gradients with the ``sum`` aggregation (an oblivious selection),
- the paper's critical-gradient rule (top C by decayed norm, ``sum``) for several decays,

each estimated as the mean of :math:`r_k^2` over the last third of the steps of ``runs`` seeded copies,
with its standard error over the copies.  Part of a floor is a shift of the mean iterate: the *bias part*
:math:`\|\overline{x_K} - x^\star\|^2` (mean over the copies' last iterates, minus its own sampling
variance, floor/runs), which a selection that keeps noise pointing one way creates and an oblivious one
does not.  :func:`selection_bias_data` gathers the grid the figure (:func:`memgd.figures.selection_bias.draw_selection_bias`)
draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.proofs_check.stochastic.monte_carlo import run_copies
from memgd.proofs_check.stochastic.problems import family_problem
from memgd.solvers import Aggregation, CriticalGradients, Fifo


@dataclass(frozen=True)
class Floor:
    rule: str
    decay: float          # nan for rules without a decay
    batch_size: int
    alpha: float
    floor: float          # mean r_k^2 over the last third
    se: float
    bias: float           # ||mean x_K - x*||^2 - floor / runs (>= 0 clipped)
    max_age: int


def _floor(problem, selection, alpha, steps, runs, batch_size, seed, label, decay=float("nan")) -> Floor:
    batch, result = run_copies(problem, selection, Aggregation("sum"), alpha, steps, runs=runs, batch_size=batch_size,
                               seed=seed, record="summary")
    r2 = result.distances ** 2
    per_run = r2[-max(steps // 3, 1):].mean(axis=0)
    floor = float(per_run.mean())
    offset = (result.x - batch.x_star).mean(axis=0)
    bias = max(float(offset @ offset) - floor / runs, 0.0)
    return Floor(label, decay, batch_size, alpha, floor, float(per_run.std(ddof=1) / np.sqrt(runs)), bias,
                 int(result.constants.T.max()))


def floor_measurements(family: str, *, batch_sizes=(1, 4), decays=(0.7, 0.99), alpha_L: float = 0.1, top_c: int = 2,
                       steps: int = 1500, runs: int = 128, seed: int = 0) -> list[Floor]:
    """The floors of SGD (at alpha and 2 alpha), FIFO(top_c) and critical(top_c, decay) for each batch size."""
    problem = family_problem(family, seed=seed)
    alpha = alpha_L / float(problem.L[0])
    out = []
    for b in batch_sizes:
        out.append(_floor(problem, Fifo(0), alpha, steps, runs, b, seed, "SGD"))
        out.append(_floor(problem, Fifo(0), 2 * alpha, steps, runs, b, seed, "SGD, step 2 alpha"))
        out.append(_floor(problem, Fifo(top_c), alpha, steps, runs, b, seed, f"FIFO({top_c})"))
        for decay in decays:
            out.append(_floor(problem, CriticalGradients(top_c, decay), alpha, steps, runs, b, seed,
                              f"critical({top_c}, {decay:g})", decay))
    return out


@dataclass(frozen=True)
class SelectionBiasData:
    families: tuple[str, ...]
    batch_sizes: tuple[int, ...]
    decays: tuple[float, ...]
    floors: dict          # family -> list[Floor]
    alpha_L: float
    top_c: int
    runs: int
    steps: int

    def floor(self, family: str, rule: str, batch_size: int) -> Floor:
        return next(f for f in self.floors[family] if f.rule == rule and f.batch_size == batch_size)

    def ratio(self, family: str, decay: float, batch_size: int) -> float:
        """critical / FIFO floor at one decay and batch size."""
        crit = next(f for f in self.floors[family] if f.decay == decay and f.batch_size == batch_size)
        return crit.floor / self.floor(family, f"FIFO({self.top_c})", batch_size).floor


def selection_bias_data(*, families=("least squares", "logistic"), batch_sizes=(1, 2, 4, 8),
                        decays=(0.5, 0.7, 0.9, 0.99), alpha_L: float = 0.1, top_c: int = 2, steps: int = 1500,
                        runs: int = 128, seed: int = 0) -> SelectionBiasData:
    """The grid of the selection-bias figure."""
    floors = {f: floor_measurements(f, batch_sizes=batch_sizes, decays=decays, alpha_L=alpha_L, top_c=top_c,
                                    steps=steps, runs=runs, seed=seed) for f in families}
    return SelectionBiasData(tuple(families), tuple(batch_sizes), tuple(decays), floors, alpha_L, top_c, runs, steps)
