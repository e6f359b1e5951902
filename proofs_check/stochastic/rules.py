r"""Which rules Theorem S's parts cover, and two rules that exist to test it.

Part A of Theorem S needs an **oblivious** schedule: which stored samples step k uses, and with which
weights, must not depend on the noise.  :func:`is_oblivious` says so for the built-in rules whose
choices depend only on the step count or on randomness of their own (FIFO, the maximum-age window,
scripted ages, random subsets, :class:`BlockReuse`; fixed, by-age and random weights; the ``sum``, ``mid``
and ``mean`` aggregations, whose weights depend on how many slots are used), and for a user's rule that
declares ``noise_oblivious = True``.  Everything else (the critical-gradient rule, which ranks by the noisy
norms; picking aggregations; :class:`NoiseAligned`) gets part B only.  Every built-in rule decides step
k's selection before the sample of step k is drawn, as part B requires.

- :class:`NoiseAligned`: of the last T stored gradients, keep the C whose component along a coordinate is
  largest.  It looks at the noisy gradients themselves; on the one-dimensional two-point family it is the
  selection-bias family of docs/math/theorem_s.md, whose floor does not vanish as the step does.
- :class:`BlockReuse`: use the sample computed at the end of the previous block of T steps, at every step
  of the block: each sample is reused T times, the worst oblivious reuse (its floor grows linearly in T).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers import (
    AgeWeights, Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, RandomSubset, RandomWeights, Scripted,
)
from memgd.solvers.declarations import declared_noise_oblivious
from memgd.solvers.memory import MemoryState
from memgd.solvers.selection.window import _HistoryWindow
from memgd.solvers.validation import integer_at_least

_OBLIVIOUS_AGGREGATIONS = ("sum", "mid", "mean")


@dataclass(frozen=True)
class NoiseAligned(_HistoryWindow):
    """Of the last ``max_age`` gradients (history x_{-i} = x_0), use the ``capacity`` whose ``coordinate``-th
    component is largest: a selection that looks at the noisy gradients (not oblivious; part B only)."""

    max_age: int
    capacity: int = 1
    coordinate: int = 0

    def __post_init__(self) -> None:
        integer_at_least("max_age", self.max_age, 1)
        integer_at_least("capacity", self.capacity, 0)
        integer_at_least("coordinate", self.coordinate, 0)
        if self.capacity > self.max_age:
            raise ValueError(f"capacity must be in [0, max_age={self.max_age}], got {self.capacity}")

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        if self.coordinate >= mem.grads.shape[2]:
            raise ValueError(f"coordinate must be below the dimension {mem.grads.shape[2]}, got {self.coordinate}")
        score = np.where(mem.filled, mem.grads[..., self.coordinate], -np.inf)
        rank = np.argsort(-score, axis=1, kind="stable").argsort(axis=1, kind="stable")
        return (rank < self.capacity) & mem.filled


@dataclass(frozen=True)
class BlockReuse(_HistoryWindow):
    """At step k use only the gradient of age (k mod T) + 1: the sample of the last step of the previous block
    of ``max_age`` steps, reused at every step of the block (oblivious; every sample's total weight is
    a + T b instead of a + b)."""

    max_age: int
    capacity: int = 1

    def __post_init__(self) -> None:
        integer_at_least("max_age", self.max_age, 1)
        if self.capacity != 1:
            raise ValueError(f"capacity must be 1 (one reused sample per step), got {self.capacity}")

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        return mem.filled & (mem.ages(k) == (k % self.max_age) + 1)


def is_oblivious(selection, combination) -> bool:
    """Whether the rule's schedule (sources and weights) is independent of the noise (Theorem S, part A)."""
    sel = declared_noise_oblivious(selection)
    comb = declared_noise_oblivious(combination)
    if sel is None:
        sel = isinstance(selection, (Fifo, KeepOldest, Scripted, RandomSubset, BlockReuse)) and not isinstance(
            selection, CriticalGradients)
    if comb is None:
        comb = isinstance(combination, (FixedWeights, AgeWeights, RandomWeights)) or (
            isinstance(combination, Aggregation) and combination.name in _OBLIVIOUS_AGGREGATIONS)
    return bool(sel) and bool(comb)
