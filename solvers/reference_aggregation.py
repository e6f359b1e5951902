r"""The reference implementation's ``aggregate``, with its look-ups and in-place kappa.

Same nine aggregations as :class:`~memgd.solvers.combination.Aggregation`, with two
differences that reproduce the reference (chandar-lab/CriticalGradientOptimization,
``optimizers/optim.py`` lines 18-67, ``optimizers/prioritydict.py`` lines 121-139):

1. **Picks read the buffer's list** (``mem.order``, kept by
   :class:`~memgd.solvers.selection.ReferenceCriticalGradients`): ``min`` is the
   item at list position 0 (``getMin``), which after the reference's trim need not
   have the smallest priority; ``max`` the first item of largest priority in list
   order; ``median`` item m//2 of a stable sort of the list by priority.
   (docs/math/critical_rule.md, oddity 10.)
2. **kappa rescales the picked stored gradient in place** (``crit_buf_.mul_(kappa)``
   on the tensor ``getMin``/``getMedian``/``getMax`` return, lines 43-64), so the
   stored tensor of a slot picked for the m-th time is :math:`\kappa^m g_b` and the
   direction is

   .. math:: d_k = g_k + \kappa^{m}\, g_b \quad(\text{halved for the "-mean" variants}).

   ``sum``, ``mid`` and ``mean`` scale a clone (``gradMean``/``gradSum``), so they are
   unaffected.  The memory keeps :math:`g_b` itself and the factor
   :math:`\kappa^m` in ``mem.scale`` (reset to 1 when the slot is rewritten); the
   weight ``b`` returned is the true coefficient :math:`\kappa^m` of :math:`g_b`,
   so the realized constants s, B, W of docs/math/method.md are honest: for
   :math:`|\kappa| > 1` they grow without bound (the picked direction diverges like
   :math:`\kappa^m`), for :math:`|\kappa| < 1` the memory term vanishes.
   (docs/math/critical_rule.md, oddity 11.)

Only SGD_C passes kappa to ``aggregate``; Adam_C and RMSprop_C use kappa = 1,
for which the rescaling changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.combination import AGGREGATIONS, Aggregation, CombinationConstants
from memgd.solvers.memory import MemoryState
from memgd.solvers.validation import finite, one_of

PICKS = ("min", "median", "max")


@dataclass(frozen=True)
class ReferenceAggregation:
    """One of the nine aggregations as the reference computes it (module doc).

    Needs the memory of :class:`~memgd.solvers.selection.ReferenceCriticalGradients`
    (its list order and per-slot scale).
    """

    name: str = "sum"
    kappa: float = 1.0

    def __post_init__(self) -> None:
        one_of("aggregation", self.name, AGGREGATIONS)
        object.__setattr__(self, "kappa", float(finite("kappa", self.kappa)))

    @property
    def _which(self) -> str:
        return self.name.split("-")[0]

    @property
    def in_place(self) -> bool:
        """Whether picks rescale the stored gradient (a pick aggregation with kappa not in {0, 1})."""
        return self._which in PICKS and self.kappa not in (0.0, 1.0)

    @property
    def nonnegative_weights(self) -> bool:
        """True iff kappa >= 0 (weights 1 or 1/2 on g_k, kappa^m times a positive scale on the memory)."""
        return self.kappa >= 0

    def weights_for_ages(self, ages: tuple[int, ...]):
        """As :class:`Aggregation`, except with in-place kappa (the weight kappa^m depends on the history: None)."""
        return None if self.in_place else Aggregation(self.name, self.kappa).weights_for_ages(ages)

    def weights(self, g: np.ndarray, mem: MemoryState, active: np.ndarray, k: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        if self._which not in PICKS or self.kappa == 0.0 or active.shape[1] == 0:
            return Aggregation(self.name, self.kappa).weights(g, mem, active, k, rng)
        if mem.order is None or mem.scale is None:
            raise ValueError("ReferenceAggregation needs the reference buffer's memory "
                             "(ReferenceCriticalGradients keeps its list order and scales)")
        n = g.shape[0]
        m = active.sum(axis=1)
        rows = np.flatnonzero(m > 0)
        slot = _list_pick(self._which, mem, active, m)[rows]
        mem.scale[rows, slot] *= self.kappa  # the reference's crit_buf_.mul_(kappa), on the stored tensor
        b = np.zeros(active.shape)
        b[rows, slot] = mem.scale[rows, slot]
        if self.name.endswith("-mean"):
            scale = np.where(m > 0, 0.5, 1.0)
            return scale, b * scale[:, None]
        return np.ones(n), b

    def declared_constants(self, capacity: int) -> CombinationConstants:
        """Bounds over every step; with in-place kappa the memory weight is kappa^m, m >= 1.

        For :math:`|\\kappa| > 1` the weight is unbounded (infinite constants); for
        :math:`0 < \\kappa < 1` it lies in :math:`(0, \\kappa]`, for
        :math:`-1 \\le \\kappa < 0` in :math:`[\\kappa, \\kappa^2]`.
        """
        if not self.in_place:
            return Aggregation(self.name, self.kappa).declared_constants(capacity)
        if capacity == 0:
            return CombinationConstants(1.0, 1.0, 0.0, 1.0)
        half = 0.5 if self.name.endswith("-mean") else 1.0
        kap = self.kappa
        if abs(kap) > 1.0:
            lo = half * (1.0 + kap) if kap > 0 else -np.inf
            return CombinationConstants(min(1.0, lo), np.inf, np.inf, np.inf)
        w_lo, w_hi = (0.0, kap) if kap > 0 else (kap, kap * kap)
        s_lo, s_hi = min(1.0, half * (1.0 + w_lo)), max(1.0, half * (1.0 + w_hi))
        return CombinationConstants(s_lo, s_hi, half * abs(kap), max(1.0, half * (1.0 + abs(kap))))


def _list_pick(which: str, mem: MemoryState, active: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Slot picked by getMin (list position 0), getMax (first largest) or getMedian (m//2 of a stable sort)."""
    order = mem.order
    if which == "min":
        return order[:, 0]
    listed = np.take_along_axis(mem.priority, order, axis=1)
    used = np.take_along_axis(active, order, axis=1)
    if which == "max":
        position = np.argmax(np.where(used, listed, -np.inf), axis=1)
    else:
        ranked = np.argsort(np.where(used, listed, np.inf), axis=1, kind="stable")
        position = np.take_along_axis(ranked, (m // 2)[:, None], axis=1)[:, 0]
    return np.take_along_axis(order, position[:, None], axis=1)[:, 0]
