"""The batch-of-problems interface every generator implements.

A batch holds ``n`` independent problems in dimension ``d``.  Arrays carry the
problem on their leading axis: points are ``(n, d)``, values ``(n,)``.  Every
problem knows its exact minimizer ``x_star``, its optimal value ``f_star`` and
its curvature constants ``mu`` and ``L``; ``mu_exact`` / ``L_exact`` say whether
those are the exact extreme Hessian eigenvalues over R^d or only bounds.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from memgd.solvers.linalg import row_norms


@dataclass(frozen=True, kw_only=True)
class ProblemBatch(ABC):
    """A batch of mu-strongly convex, L-smooth problems with known optima."""

    x_star: np.ndarray  # (n, d) exact minimizers
    f_star: np.ndarray  # (n,)   optimal values
    mu: np.ndarray      # (n,)   strong-convexity constants
    L: np.ndarray       # (n,)   smoothness constants

    #: whether ``mu`` / ``L`` are attained Hessian eigenvalues (True) or bounds
    mu_exact: bool = True
    L_exact: bool = True
    #: how ``mu`` and ``L`` were obtained: ``"construction"`` (generated problems: exact or
    #: valid bounds), ``"given"``, a stated global bound, or ``"estimated (...)"`` (then every
    #: result depending on them says so: :attr:`constants_estimated`)
    constants_source: str = "construction"
    #: (n,) bound on ||x_star - true minimizer|| (0 where x_star is exact by construction)
    x_star_error: np.ndarray | float = 0.0

    @property
    def constants_estimated(self) -> bool:
        """Whether mu and L are numerical estimates rather than known bounds."""
        return self.constants_source.startswith("estimated")

    @property
    def n(self) -> int:
        return self.x_star.shape[0]

    @property
    def d(self) -> int:
        return self.x_star.shape[1]

    @abstractmethod
    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for each problem; ``x`` is (n, d), returns (n,)."""

    @abstractmethod
    def grad(self, x: np.ndarray) -> np.ndarray:
        """grad f(x) for each problem; (n, d) -> (n, d)."""

    @abstractmethod
    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Hessian (or a generalized Hessian where f is only C^1,1); (n, d) -> (n, d, d)."""

    def value_from_grad(self, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        """f(x) given ``g = grad(x)`` (the exact gradient at the same x).

        Batches whose value reuses the gradient (quadratics: one matvec fewer) override
        this; the default ignores ``g``.  A subclass overriding :meth:`value` or
        :meth:`grad` must keep the two consistent.
        """
        return self.value(x)

    def take(self, indices) -> "ProblemBatch":
        """The batch made of problems ``indices`` (any integer index array; repeats allowed).

        Every array field carries the problem on its leading axis, so this indexes them all.
        """
        idx = np.asarray(indices, dtype=np.int64)
        if idx.ndim != 1 or idx.size == 0 or idx.min() < -self.n or idx.max() >= self.n:
            raise ValueError(f"indices must be a non-empty 1-d array of problem indices in [0, {self.n}), got {indices!r}")
        changes = {f.name: v[idx] for f in dataclasses.fields(self)
                   if isinstance(v := getattr(self, f.name), np.ndarray)}
        return dataclasses.replace(self, **changes)

    def distance(self, x: np.ndarray) -> np.ndarray:
        """||x - x*|| for each problem; (n, d) -> (n,)."""
        return row_norms(x - self.x_star)

    def start_points(self, rng: np.random.Generator, radius: float = 1.0) -> np.ndarray:
        """Points at distance exactly ``radius`` from x*, in uniformly random directions."""
        u = rng.standard_normal((self.n, self.d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        return self.x_star + radius * u
