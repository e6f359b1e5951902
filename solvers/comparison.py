r"""Named optimizers side by side on one batch of problems.

:func:`compare_optimizers` runs each named optimizer from the same starting points
(and, for minibatch runs, the same seed) and summarizes each as a
:class:`ComparisonRow`: how many problems reached :math:`r_k \le \text{tol}\, r_0`
and in how many steps (median over those), and for the others the *floor*: the
median over problems of the median relative distance :math:`r_k / r_0` over the
last 10% of the steps.  ``covered`` says whether Theorem 1 covers the optimizer
(gradient descent consuming the combined direction: ``sgd`` and ``sgd_c`` without
momentum); for the others a convergence or a failure is an observation only.

:data:`DEFAULT_STEPS` are constant steps for mu = 1, L = 10 problems, one per
family so that each "_C" optimizer runs at its plain counterpart's step.  Each
plain optimizer converges there on quadratics (d = 10), except RMSprop, which with
a constant step stalls at a floor proportional to the step (about 1.5 alpha r_0:
its square average forgets past gradients at rate rho = 0.99, so the effective
step grows as the gradient shrinks); 0.001 keeps that floor near 1e-3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.optimizers import make_optimizer, run_optimizer
from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.status import Status
from memgd.solvers.validation import integer_at_least, positive

#: constant steps (torch's lr) for mu = 1, L = 10 problems; see the module doc
DEFAULT_STEPS = {
    "sgd": 0.1, "sgd_c": 0.1,          # 1/L
    "sgdm": 0.01, "sgdm_c": 0.01,      # torch's form: effective step lr / (1 - 0.9) = 1/L
    "adam": 0.01, "adam_c": 0.01,
    "rmsprop": 0.001, "rmsprop_c": 0.001,
    "adagrad": 1.0, "adagrad_c": 1.0,  # divides by sqrt(sum d^2) ~ |g_0|: a unit-scale step
}


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    alpha: float
    covered: bool          # Theorem 1 applies (gradient descent on the combined direction)
    converged: int         # problems with r_k <= tol r_0
    max_steps: int         # problems still above tol after all steps
    diverged: int          # problems stopped by a blow-up or a non-finite iterate
    iterations: float      # median steps to tol over the converged problems (NaN if none)
    floor: float           # median over the unconverged, undiverged problems of the median r_k / r_0
                           # over the last 10% of the steps (NaN if none)
    max_age: int           # largest age of a stored gradient used, over the batch

    @property
    def status_counts(self) -> dict[str, int]:
        return {"converged": self.converged, "max_steps": self.max_steps, "diverged": self.diverged}


def compare_optimizers(problems: ProblemBatch, names, alpha_by_name=None, steps: int = 3000, *, tol: float = 1e-8,
                       rng=0, batch_size: int | None = None, x0: np.ndarray | None = None,
                       options_by_name=None) -> list[ComparisonRow]:
    """One :class:`ComparisonRow` per name, in order.

    Parameters
    ----------
    names : optimizer names (keys of :data:`memgd.solvers.optimizers.OPTIMIZERS`)
    alpha_by_name : step per name (scalar or (n,)); missing names use :data:`DEFAULT_STEPS`
    steps, tol : as :func:`memgd.solvers.runner.run`
    rng : integer seed: draws the common starting points (unless ``x0``) and seeds each run's minibatches
    batch_size : minibatch size for finite sums (None: full gradients)
    options_by_name : keyword options per name for :func:`memgd.solvers.optimizers.make_optimizer`
    """
    steps = integer_at_least("steps", steps, 1)
    if not isinstance(rng, (int, np.integer)) or isinstance(rng, bool):
        raise ValueError(f"rng must be an integer seed (each optimizer reuses it), got {rng!r}")
    alpha_by_name = dict(alpha_by_name or {})
    options_by_name = dict(options_by_name or {})
    if x0 is None:
        x0 = problems.start_points(np.random.default_rng([int(rng), 1]))
    rows = []
    for name in names:
        optimizer = make_optimizer(name, **options_by_name.get(name, {}))
        if name not in alpha_by_name and name not in DEFAULT_STEPS:
            raise ValueError(f"no step for {name!r}: give it in alpha_by_name")
        alpha = positive("alpha", alpha_by_name.get(name, DEFAULT_STEPS.get(name)))
        result = run_optimizer(problems, optimizer, alpha, steps, x0=x0, rng=int(rng), tol=tol,
                               batch_size=batch_size)
        rows.append(_row(name, float(np.median(alpha)), optimizer.covered, result, steps))
    return rows


def _row(name, alpha, covered, result, steps) -> ComparisonRow:
    status = result.status
    conv = status == int(Status.CONVERGED)
    div = status == int(Status.DIVERGED)
    rest = ~conv & ~div
    tail = max(1, int(np.ceil(0.1 * steps)))
    rel = result.relative_distances[-tail:, rest]
    floor = float(np.median(np.median(rel, axis=0))) if rest.any() else float("nan")
    return ComparisonRow(
        name=name, alpha=alpha, covered=covered,
        converged=int(conv.sum()), max_steps=int(rest.sum()), diverged=int(div.sum()),
        iterations=float(np.median(result.nit[conv])) if conv.any() else float("nan"),
        floor=floor, max_age=int(result.constants.T.max(initial=0)),
    )


def format_rows(rows) -> str:
    """A plain-text table of the rows."""
    lines = [f"{'optimizer':<10} {'alpha':>7} {'covered':>7} {'conv/max/div':>12} {'iters':>7} "
             f"{'floor':>9} {'max age':>7}"]
    for r in rows:
        counts = f"{r.converged}/{r.max_steps}/{r.diverged}"
        iters = "-" if np.isnan(r.iterations) else f"{r.iterations:.0f}"
        floor = "-" if np.isnan(r.floor) else f"{r.floor:.2e}"
        lines.append(f"{r.name:<10} {r.alpha:>7g} {str(r.covered):>7} {counts:>12} {iters:>7} {floor:>9} "
                     f"{r.max_age:>7}")
    return "\n".join(lines)
