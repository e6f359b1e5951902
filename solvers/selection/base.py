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
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from memgd.solvers.memory import MemoryState


class SelectionRule(Protocol):
    slots: int
    capacity: int
    max_age: int | None

    def init(self, g0: np.ndarray) -> MemoryState: ...

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray: ...

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState: ...
