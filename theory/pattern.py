r"""A fixed memory pattern: which past gradients enter the step, with which weights.

.. math::

    d_k = \sum_{j=0}^{J} w_j \, g_{k-\tau_j}, \qquad x_{k+1} = x_k - \alpha d_k,

with :math:`\tau_0 = 0` (the current gradient) and distinct ages
:math:`1 \le \tau_j \le T` for the stored gradients.  Its constants (docs/math/method.md)
are :math:`s = \sum_j w_j`, :math:`B = \sum_{j \ge 1} |w_j|`,
:math:`W = \sum_j |w_j|` and :math:`T = \max_j \tau_j` (0 with no memory).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pattern:
    """Ages and weights of one step's combination; ``ages[0] == 0`` is the current gradient."""

    ages: tuple[int, ...]       # (J+1,) distinct, ages[0] == 0, others in 1..T
    weights: tuple[float, ...]  # (J+1,) real weights, same order as ages

    def __post_init__(self) -> None:
        ages = tuple(int(a) for a in self.ages)
        weights = tuple(float(w) for w in self.weights)
        if len(ages) == 0 or ages[0] != 0:
            raise ValueError(f"ages must start with 0 (the current gradient), got {self.ages!r}")
        if len(weights) != len(ages):
            raise ValueError(f"weights must have one entry per age ({len(ages)}), got {len(weights)}")
        if any(a < 1 for a in ages[1:]) or len(set(ages)) != len(ages):
            raise ValueError(f"ages after the first must be distinct integers >= 1, got {ages!r}")
        if not all(np.isfinite(weights)):
            raise ValueError(f"weights must be finite, got {weights!r}")
        object.__setattr__(self, "ages", ages)
        object.__setattr__(self, "weights", weights)

    @classmethod
    def plain(cls, weight: float = 1.0) -> "Pattern":
        """Gradient descent with no memory: d_k = weight * g_k."""
        return cls((0,), (weight,))

    @property
    def T(self) -> int:
        """Largest age used (0 for no memory)."""
        return max(self.ages)

    @property
    def s(self) -> float:
        """Sum of all weights."""
        return float(sum(self.weights))

    @property
    def B(self) -> float:
        """Memory mass: sum of |w_j| over stored gradients."""
        return float(sum(abs(w) for w in self.weights[1:]))

    @property
    def W(self) -> float:
        """Total mass: sum of |w_j| over all gradients."""
        return float(sum(abs(w) for w in self.weights))

    def dense_weights(self, T: int | None = None) -> np.ndarray:
        """Weights indexed by age 0..T: ``out[tau]`` multiplies g_{k-tau}; shape (T+1,)."""
        T = self.T if T is None else T
        if T < self.T:
            raise ValueError(f"T must be at least the pattern's largest age {self.T}, got {T}")
        out = np.zeros(T + 1)
        for a, w in zip(self.ages, self.weights):
            out[a] = w
        return out
