r"""Base optimizers: what turns the direction d_k into a step.

A base optimizer is a pair of pure functions over batched arrays,
``init(x0) -> state`` and ``step(d, state, alpha, k) -> (delta, state)``, and the
runner sets :math:`x_{k+1} = x_k + \delta_k`.  The memory-augmented ("_C")
optimizers are a selection rule and a combination rule feeding one of these.

- :class:`GradientDescent`: :math:`\delta_k = -\alpha d_k` (the method the theorem covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class BaseOptimizer(Protocol):
    def init(self, x0: np.ndarray) -> Any: ...

    def step(self, d: np.ndarray, state: Any, alpha: np.ndarray, k: int) -> tuple[np.ndarray, Any]: ...


@dataclass(frozen=True)
class GradientDescent:
    r""":math:`x_{k+1} = x_k - \alpha d_k`; stateless."""

    def init(self, x0: np.ndarray) -> None:
        return None

    def step(self, d, state, alpha, k):
        return -(alpha[:, None] * d), state
