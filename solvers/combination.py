r"""Combination rules: how the current gradient and the used memory form the direction.

.. math::

    d_k = a_k g_k + \sum_{c \in M_k} b_{k,c}\, g_{k-\tau_{k,c}}

A rule returns the weights ``a`` (n,) and ``b`` (n, S) (zero outside the used slots);
:func:`direction` forms :math:`d_k`.  Every rule also declares bounds on the
constants of docs/math/method.md over any step with at most C used gradients:
:math:`s = a + \sum_c b_c \in [s_{lo}, s_{hi}]`, :math:`\sum_c |b_c| \le B`,
:math:`|a| + \sum_c |b_c| \le W`.

The paper's nine aggregations (``kappa`` scales the memory term, m = number of
used gradients, *pick* = the used gradient of smallest / median / largest
priority, median = index m//2 when sorted by priority):

=============  ==========================================
sum            g + kappa mean(memory)
mid            (g + kappa mean(memory)) / 2
mean           (g + kappa sum(memory)) / (m + 1)
min/median/max g + kappa pick
x-mean         (g + kappa pick) / 2   (x = min, median, max)
=============  ==========================================

With an empty memory (m = 0) or ``kappa == 0`` the direction is g itself (the
reference skips aggregation then), so kappa = 0 is plain gradient descent bit
for bit.

Optional declarations (:mod:`memgd.solvers.declarations`): ``nonnegative_weights``
(every weight >= 0 at every step: Theorem 2 applies) and ``weights_for_ages(ages)``
(the weights of a step whose used gradients have those ages: the rule's patterns).
Every rule here declares both where it can: the aggregations and fixed or by-age
weights their patterns, and their sign from their parameters; random weights their
sign only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from memgd.solvers.memory import MemoryState
from memgd.solvers.validation import finite, one_of

AGGREGATIONS = ("sum", "mid", "mean", "min", "median", "max", "min-mean", "median-mean", "max-mean")


class CombinationConstants(NamedTuple):
    """Bounds over every step: s in [s_lo, s_hi], memory mass <= B, total mass <= W."""

    s_lo: float
    s_hi: float
    B: float
    W: float


class CombinationRule(Protocol):
    """What a combination rule must have; it may also declare ``nonnegative_weights: bool`` and
    ``weights_for_ages(ages)`` (module doc and :mod:`memgd.solvers.declarations`)."""

    def weights(self, g: np.ndarray, mem: MemoryState, active: np.ndarray, k: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]: ...

    def declared_constants(self, capacity: int) -> CombinationConstants: ...


def direction(g: np.ndarray, mem: MemoryState, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """d = a g + sum_c b_c mem.grads[:, c], written into ``out`` (a new (n, d) array by default).

    The memory term is one batched (n,1,S) @ (n,S,d) product written straight into ``out``, then
    a g is added: fl(m + a g), the same sum as before in the other order (exact commutativity), so
    the same bits.  A weight a = 1 is not multiplied (1.0 * g is g exactly); with no slots or every
    b zero the product is skipped and d is a g, so a memory switched off is plain gradient descent
    bit for bit.
    """
    if out is None:
        out = np.empty(g.shape)
    ones = bool((a == 1.0).all())
    if mem.slots and b.any():
        np.matmul(b[:, None, :], mem.grads, out=out[:, None, :])
        if ones:
            out += g
        else:
            out += a[:, None] * g
    elif ones:
        np.copyto(out, g)
    else:
        np.multiply(a[:, None], g, out=out)
    return out


def _constants_over_sizes(a: np.ndarray, memory_sum: np.ndarray, memory_mass: np.ndarray) -> CombinationConstants:
    """Bounds from per-size values: arrays indexed by m = 0..C."""
    s = a + memory_sum
    return CombinationConstants(float(s.min()), float(s.max()), float(memory_mass.max()),
                                float((np.abs(a) + memory_mass).max()))


@dataclass(frozen=True)
class Aggregation:
    """One of the paper's nine aggregations (see module doc)."""

    name: str = "sum"
    kappa: float = 1.0

    def __post_init__(self) -> None:
        one_of("aggregation", self.name, AGGREGATIONS)
        object.__setattr__(self, "kappa", float(finite("kappa", self.kappa)))

    @property
    def _half(self) -> bool:
        return self.name == "mid" or self.name.endswith("-mean")

    @property
    def nonnegative_weights(self) -> bool:
        """True iff kappa >= 0 (every weight is kappa or 1 times a positive scale)."""
        return self.kappa >= 0

    def weights_for_ages(self, ages: tuple[int, ...]) -> list[tuple[float, ...]]:
        """(a, b_1..b_m) for m used gradients, computed as :meth:`weights` computes them;
        a pick aggregation may pick any one of them (one vector per choice)."""
        m = len(ages)
        if self.kappa == 0.0 or m == 0:
            return [(1.0,) + (0.0,) * m]
        if self.name == "mean":
            scale = 1.0 / (m + 1)
            return [(scale,) + (self.kappa * scale,) * m]
        half = 0.5 if self._half else 1.0
        if self.name in ("sum", "mid"):
            b = self.kappa / m * half
            return [(half,) + (b,) * m]
        b = self.kappa * half
        return [(half,) + tuple(b if i == j else 0.0 for i in range(m)) for j in range(m)]

    def weights(self, g, mem, active, k, rng):
        n = g.shape[0]
        if self.kappa == 0.0 or active.shape[1] == 0:
            return np.ones(n), np.zeros(active.shape)
        m = active.sum(axis=1)
        # a = 1 scaled by ``scale`` (1, 1/2 or 1/(m+1) where memory is used); a product by
        # a scale of exactly 1 is skipped (it changes no bit)
        if self.name == "mean":
            scale = np.where(m > 0, 1.0 / (m + 1), 1.0)
            return scale, np.where(active, self.kappa, 0.0) * scale[:, None]
        if self.name in ("sum", "mid"):
            b = np.where(active, self.kappa / np.maximum(m, 1)[:, None], 0.0)
        else:
            pick = _pick(self.name.split("-")[0], mem.priority, active, m)
            rows = np.flatnonzero(m > 0)
            b = np.zeros(active.shape)
            b[rows, pick[rows]] = self.kappa
        if not self._half:
            return np.ones(n), b
        scale = np.where(m > 0, 0.5, 1.0)
        return scale, b * scale[:, None]

    def declared_constants(self, capacity: int) -> CombinationConstants:
        m = np.arange(capacity + 1)
        kap, absk = self.kappa, abs(self.kappa)
        used = (m > 0) & (kap != 0.0)
        if self.name == "mean":
            a = np.where(used, 1.0 / (m + 1), 1.0)
            mem_sum = np.where(used, m * kap / (m + 1), 0.0)
            mem_mass = np.where(used, m * absk / (m + 1), 0.0)
        else:
            half = 0.5 if self._half else 1.0
            a = np.where(used, half, 1.0)
            mem_sum = np.where(used, half * kap, 0.0)
            mem_mass = np.where(used, half * absk, 0.0)
        return _constants_over_sizes(a, mem_sum, mem_mass)


def _pick(which: str, priority: np.ndarray, active: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Slot of the used gradient with the smallest / median (index m//2 by priority) / largest priority."""
    if which == "min":
        return np.argmin(np.where(active, priority, np.inf), axis=1)
    if which == "max":
        return np.argmax(np.where(active, priority, -np.inf), axis=1)
    order = np.argsort(np.where(active, priority, np.inf), axis=1, kind="stable")
    return np.take_along_axis(order, (m // 2)[:, None], axis=1)[:, 0]


def _youngest_first_rank(mem: MemoryState, active: np.ndarray) -> np.ndarray:
    """Rank of each used slot by age, youngest = 0; unused slots get rank S."""
    key = np.where(active, -mem.born, np.iinfo(np.int64).max)
    return np.argsort(np.argsort(key, axis=1, kind="stable"), axis=1, kind="stable")


@dataclass(frozen=True)
class FixedWeights:
    r"""Fixed weights: ``current`` on g_k and ``memory[j]`` on the j-th youngest used gradient.

    With m used gradients, :math:`d = a g_k + \sum_{j<m} b_j g_{(j)}`; weights past
    ``len(memory)`` are zero.
    """

    current: float
    memory: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "current", float(finite("current", self.current)))
        object.__setattr__(self, "memory", tuple(float(w) for w in finite("memory", self.memory).ravel()))

    @property
    def nonnegative_weights(self) -> bool:
        return self.current >= 0 and all(w >= 0 for w in self.memory)

    def weights_for_ages(self, ages: tuple[int, ...]) -> list[tuple[float, ...]]:
        """The j-th youngest of the used ages gets ``memory[j]`` (0 past its end)."""
        mem = self.memory
        return [(self.current,) + tuple(mem[j] if j < len(mem) else 0.0 for j in range(len(ages)))]

    def weights(self, g, mem, active, k, rng):
        table = np.zeros(active.shape[1] + 1)
        count = min(len(self.memory), active.shape[1])
        table[:count] = self.memory[:count]
        b = np.where(active, table[_youngest_first_rank(mem, active)], 0.0)
        return np.full(g.shape[0], self.current), b

    def declared_constants(self, capacity: int) -> CombinationConstants:
        w = np.zeros(capacity)
        count = min(len(self.memory), capacity)
        w[:count] = self.memory[:count]
        mem_sum = np.concatenate([[0.0], np.cumsum(w)])
        mem_mass = np.concatenate([[0.0], np.cumsum(np.abs(w))])
        return _constants_over_sizes(np.full(capacity + 1, self.current), mem_sum, mem_mass)


@dataclass(frozen=True)
class AgeWeights:
    r"""Weights by age: ``by_age[tau]`` multiplies :math:`g_{k-\tau}`; ``by_age[0]`` is a_k.

    A used gradient older than ``len(by_age) - 1`` gets weight zero.  This is the
    engine form of a fixed pattern (ages, weights).
    """

    by_age: tuple[float, ...]

    def __post_init__(self) -> None:
        w = tuple(float(v) for v in finite("by_age", self.by_age).ravel())
        if not w:
            raise ValueError("by_age must have at least one entry (the current gradient's weight)")
        object.__setattr__(self, "by_age", w)

    @property
    def nonnegative_weights(self) -> bool:
        return all(w >= 0 for w in self.by_age)

    def weights_for_ages(self, ages: tuple[int, ...]) -> list[tuple[float, ...]]:
        w = self.by_age
        return [(w[0],) + tuple(w[t] if t < len(w) else 0.0 for t in ages)]

    def weights(self, g, mem, active, k, rng):
        table = np.asarray(self.by_age)
        ages = mem.ages(k)
        inside = active & (ages < len(table))
        b = np.where(inside, table[np.clip(ages, 0, len(table) - 1)], 0.0)
        return np.full(g.shape[0], table[0]), b

    def declared_constants(self, capacity: int) -> CombinationConstants:
        w = np.asarray(self.by_age[1:])
        a = self.by_age[0]
        # any subset of ages may be used: extreme sums take all negative / all positive weights
        return CombinationConstants(a + w[w < 0].sum(), a + w[w > 0].sum(),
                                    float(np.abs(w).sum()), abs(a) + float(np.abs(w).sum()))


@dataclass(frozen=True)
class RandomWeights:
    """Per step and problem, a ~ U[a_lo, a_hi] and each used b_c ~ U[b_lo, b_hi] independently."""

    a_bounds: tuple[float, float]
    b_bounds: tuple[float, float]

    def __post_init__(self) -> None:
        for name, (lo, hi) in (("a_bounds", self.a_bounds), ("b_bounds", self.b_bounds)):
            finite(name, (lo, hi))
            if lo > hi:
                raise ValueError(f"{name} must satisfy lower <= upper, got {(lo, hi)!r}")

    @property
    def nonnegative_weights(self) -> bool:
        """a >= a_lo and b_c >= b_lo (the draws are lo + (hi - lo) u with u >= 0)."""
        return self.a_bounds[0] >= 0 and self.b_bounds[0] >= 0

    def weights(self, g, mem, active, k, rng):
        (alo, ahi), (blo, bhi) = self.a_bounds, self.b_bounds
        a = alo + (ahi - alo) * rng.random(g.shape[0])
        b = np.where(active, blo + (bhi - blo) * rng.random(active.shape), 0.0)
        return a, b

    def declared_constants(self, capacity: int) -> CombinationConstants:
        (alo, ahi), (blo, bhi) = self.a_bounds, self.b_bounds
        top = max(abs(blo), abs(bhi))
        return CombinationConstants(alo + capacity * min(blo, 0.0), ahi + capacity * max(bhi, 0.0),
                                    capacity * top, max(abs(alo), abs(ahi)) + capacity * top)
