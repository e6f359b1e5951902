r"""The problem families Theorem S is checked and measured on (each one problem; copies are Monte Carlo runs).

- ``"least squares"``: :func:`memgd.solvers.make_finite_sums` (d = 5, m = 16 components, mu = 1, L = 10,
  not interpolating, offsets of size ``spread`` = 0.1): noise whose variance grows with the distance (zeta > 0);
- ``"logistic"``: two-class softmax regression (:func:`memgd.solvers.problems.softmax.make_softmax`) on
  m = 64 synthetic rows of 3 Gaussian features with labels from a noisy linear model, l2 = 0.1: mu = 0.1
  exactly, L an upper bound;
- ``"two-point"``: the one-dimensional selection-bias family (:func:`~memgd.proofs_check.stochastic.noise.two_point_problems`),
  curvature mu everywhere (the worst curvature for a noise floor) and a two-point noise.

Every family is built from a seed, so a check is reproducible; :data:`STEPS` gives the steps alpha L used.
"""

from __future__ import annotations

import numpy as np

from memgd.proofs_check.stochastic.noise import two_point_problems
from memgd.solvers import make_finite_sums
from memgd.solvers.problems.softmax import make_softmax

FAMILIES = ("least squares", "logistic", "two-point")
#: alpha L of the report's checks, per family.
STEPS = {"least squares": (0.1, 0.05), "logistic": (0.1,), "two-point": (0.02, 0.005)}
#: distance of the start from x*: far enough that the theorem's floors stay below r_0^2 (non-vacuous).
RADIUS = {"least squares": 1.0, "logistic": 10.0, "two-point": 1.0}
#: steps per run: RELAXATIONS / (alpha mu), so the transient is negligible in the last quarter.
RELAXATIONS = {"least squares": 6.0, "logistic": 6.0, "two-point": 10.0}


def family_problem(family: str, *, seed: int = 0, spread: float = 0.1):
    """One problem of the named family (a batch of size 1)."""
    rng = np.random.default_rng(seed)
    if family == "least squares":
        return make_finite_sums(1, 5, m=16, mu=1.0, L=10.0, interpolating=False, spread=spread, rng=rng)
    if family == "logistic":
        X = rng.standard_normal((64, 3))
        y = (X @ np.array([1.0, -0.5, 0.25]) + 0.5 * rng.standard_normal(64) > 0).astype(np.int64)
        return make_softmax(X, y, l2=0.1, classes=2)
    if family == "two-point":
        return two_point_problems(1)
    raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
