r"""Selection rules over a sliding window of recent gradients.

Each keeps a ring of the last S gradients (slot ``k mod S`` receives g_k) and
chooses per step which of them enter the direction:

- :class:`Fifo`: the last C gradients, all used (ages 1..C once warmed up);
- :class:`RandomSubset`: a uniformly random subset of at most C of the last T;
- :class:`KeepOldest`: the maximum-age adversary: the C oldest of the last T
  (ages T-C+1..T); with ``max_age=None`` it keeps the first C gradients forever
  (unbounded ages, outside the theorem's assumptions);
- :class:`Scripted`: an explicit list of ages per step, which expresses any
  selection rule with ages at most T.

Window rules with a bound T follow the theorem's convention for the history
before step 0: :math:`x_{-i} = x_0`, so the ring starts filled with g_0 at ages 1..T.
:class:`Fifo` starts empty, like the reference buffer.

Each declares ``recurrent_ages()`` (:mod:`memgd.solvers.declarations`): the age sets
it uses at every step from step ``max_age`` on (None for ``KeepOldest(max_age=None)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memgd.solvers.declarations import age_subsets
from memgd.solvers.linalg import row_norms
from memgd.solvers.memory import MemoryState, empty_memory, write_slot
from memgd.solvers.validation import integer_at_least


def _ring_insert(mem: MemoryState, g: np.ndarray, k: int) -> MemoryState:
    if mem.slots:
        rows = np.arange(g.shape[0])
        write_slot(mem, rows, np.full(g.shape[0], k % mem.slots), g, row_norms(g), k)
    return mem


def _prefilled_ring(g0: np.ndarray, slots: int) -> MemoryState:
    """A ring holding g_0 at ages 1..slots (the history x_{-i} = x_0); slot s holds step s - slots."""
    mem = empty_memory(g0.shape[0], slots, g0.shape[1])
    mem.grads[:] = g0[:, None, :]
    mem.norm[:] = row_norms(g0)[:, None]
    mem.priority[:] = mem.norm
    mem.born[:] = np.arange(slots) - slots
    mem.filled[:] = True
    return mem


class _HistoryWindow:
    """A ring over the last ``max_age`` gradients, pre-filled with g_0 (history x_{-i} = x_0)."""

    max_age: int

    @property
    def slots(self) -> int:
        return self.max_age

    def init(self, g0: np.ndarray) -> MemoryState:
        return _prefilled_ring(g0, self.max_age)

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState:
        return _ring_insert(mem, g, k)


@dataclass(frozen=True)
class Fifo:
    """Use the last C gradients (a sliding window, empty at the start)."""

    capacity: int

    def __post_init__(self) -> None:
        integer_at_least("capacity", self.capacity, 0)

    @property
    def slots(self) -> int:
        return self.capacity

    @property
    def max_age(self) -> int:
        return self.capacity

    def recurrent_ages(self) -> tuple[tuple[int, ...], ...]:
        """From step C on the window is full: ages 1..C."""
        return (tuple(range(1, self.capacity + 1)),)

    def init(self, g0: np.ndarray) -> MemoryState:
        return empty_memory(g0.shape[0], self.capacity, g0.shape[1])

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        return mem.filled

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState:
        return _ring_insert(mem, g, k)


@dataclass(frozen=True)
class RandomSubset(_HistoryWindow):
    """Use a uniformly random subset (size 0..C, each size equally likely) of the last T gradients."""

    max_age: int
    capacity: int

    def __post_init__(self) -> None:
        integer_at_least("max_age", self.max_age, 1)
        integer_at_least("capacity", self.capacity, 0)
        if self.capacity > self.max_age:
            raise ValueError(f"capacity must be in [0, max_age={self.max_age}], got {self.capacity}")

    def recurrent_ages(self):
        """Every subset of 1..T with at most C ages (a generator: there are many)."""
        return age_subsets(self.max_age, self.capacity)

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        n = mem.grads.shape[0]
        size = rng.integers(0, self.capacity + 1, size=n)
        rank = np.argsort(rng.random((n, self.max_age)), axis=1).argsort(axis=1)
        return rank < size[:, None]


@dataclass(frozen=True)
class KeepOldest:
    """The maximum-age adversary.

    With ``max_age=T``: use the C oldest gradients of the last T (ages T-C+1..T).
    With ``max_age=None``: store the first C gradients and keep them forever.
    """

    capacity: int
    max_age: int | None = None

    def __post_init__(self) -> None:
        integer_at_least("capacity", self.capacity, 0)
        if self.max_age is not None:
            integer_at_least("max_age", self.max_age, 1)
            if self.capacity > self.max_age:
                raise ValueError(f"capacity must be in [0, max_age={self.max_age}], got {self.capacity}")

    @property
    def slots(self) -> int:
        return self.capacity if self.max_age is None else self.max_age

    def recurrent_ages(self) -> tuple[tuple[int, ...], ...] | None:
        """Ages T-C+1..T at every step; None when the ages are not bounded."""
        if self.max_age is None:
            return None
        return (tuple(range(self.max_age - self.capacity + 1, self.max_age + 1)),)

    def init(self, g0: np.ndarray) -> MemoryState:
        if self.max_age is None:
            return empty_memory(g0.shape[0], self.capacity, g0.shape[1])
        return _prefilled_ring(g0, self.max_age)

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        if self.max_age is None:
            return mem.filled
        return mem.ages(k) > self.max_age - self.capacity

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState:
        if self.max_age is not None:
            return _ring_insert(mem, g, k)
        if k < self.capacity:
            rows = np.arange(g.shape[0])
            write_slot(mem, rows, np.full(g.shape[0], k), g, row_norms(g), k)
        return mem


@dataclass(frozen=True)
class Scripted(_HistoryWindow):
    r"""Use exactly the ages listed for each step: ``ages[k]`` is a tuple of distinct ages in 1..T.

    Steps beyond the script repeat its last entry.  Ages larger than k reach into
    the history before step 0, where :math:`g_{k-\tau} = g_0`.  Same ages for
    every problem of the batch.
    """

    ages: tuple[tuple[int, ...], ...]
    max_age: int = field(default=0)

    def __post_init__(self) -> None:
        ages = tuple(tuple(sorted(int(a) for a in step)) for step in self.ages)
        if not ages:
            raise ValueError("ages must list at least one step")
        for step in ages:
            if len(set(step)) != len(step) or any(a < 1 for a in step):
                raise ValueError(f"ages must be distinct integers >= 1 at every step, got {step!r}")
        T = max((max(step) for step in ages if step), default=0)
        if self.max_age and T > self.max_age:
            raise ValueError(f"ages must be <= max_age={self.max_age}, got an age {T}")
        object.__setattr__(self, "ages", ages)
        object.__setattr__(self, "max_age", max(int(self.max_age), T, 1))

    @property
    def capacity(self) -> int:
        """The most ages listed at one step."""
        return max(len(step) for step in self.ages)

    def recurrent_ages(self) -> tuple[tuple[int, ...], ...]:
        """The entries used from step T on: ``ages[T:]``, or the last one if the script is shorter."""
        return tuple(dict.fromkeys(self.ages[min(self.max_age, len(self.ages) - 1):]))

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        wanted = np.zeros(self.max_age + 1, dtype=bool)
        wanted[list(self.ages[min(k, len(self.ages) - 1)])] = True
        return wanted[mem.ages(k)]
