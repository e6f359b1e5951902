"""What a selection rule is.

A selection rule decides which past gradients the memory keeps and which of the
kept ones enter each step's direction.  Per step k the runner calls

1. ``active(mem, k, rng)``: a (n, S) bool mask of the slots whose gradients enter
   the direction d_k (the memory *before* g_k is stored);
2. ``insert(mem, g, k, rng)``: store g_k (in place) and return the memory for k+1.

``init(g0)`` allocates the memory from the first gradient (rules that pre-fill
the history with x_{-i} = x_0 use it).  ``max_age`` is the a-priori bound on ages
(None when the rule does not bound them, like the critical-gradient rule);
``capacity`` is the most stored gradients one step uses (C); ``slots`` the memory's
size (at least C: a window over the last T gradients has T slots).

A rule may also declare ``recurrent_ages()``: the sets of ages (sorted tuples) of the
used gradients, one of which every step from step ``max_age`` on uses, or None when it
cannot say (:mod:`memgd.solvers.declarations`); with a combination rule's
``weights_for_ages`` they give the rule's patterns, for certificates and exact rates.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from memgd.solvers.memory import MemoryState


class SelectionRule(Protocol):
    """What a selection rule must have; it may also declare ``recurrent_ages()`` (module doc)."""

    slots: int
    capacity: int
    max_age: int | None

    def init(self, g0: np.ndarray) -> MemoryState: ...

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray: ...

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState: ...
