r"""The reference implementation's priority buffer, list order and all.

The reference (chandar-lab/CriticalGradientOptimization, ``optimizers/prioritydict.py``)
keeps its critical gradients in a Python *list* of (priority, gradient) items and
runs, on every insertion (``__setitem__``, lines 177-226, then ``_rebuild_heap``,
lines 75-81, and ``_reorder``, lines 68-73):

1. append the new item at the end of the list;
2. ``heapq.heapify`` the list (the minimum moves to position 0);
3. if the list now holds at least K = topC items, keep its *last* K items
   (``self._heap[-self.k:]``), and never re-heapify.

Step 3 drops position 0, the true minimum of the K + 1 items, so *eviction* is
exact; but the K items left are in general **not a heap** (inserting priorities
1, 5, 2, 4 with K = 3 leaves the list [4, 2, 5]).  Every look-up that assumes a
heap then reads the wrong entry: ``pokeSmallest`` and ``getMin`` return position 0
(lines 105-126), so the critical test ``||g_k|| > pokeSmallest()`` (``optim.py``
line 269) compares with an entry that need not be the smallest, and the ``min``
aggregations use a stored gradient that need not have the smallest priority.
``getMax`` returns the first largest in list order (lines 128-134), ``getMedian``
index m//2 of a stable sort of the list by priority (lines 136-139).  Decay
multiplies every priority in place of its item and keeps the order (lines 88-89).
See docs/math/critical_rule.md (oddity 10).

Consequences, compared with the documented rule
(:class:`~memgd.solvers.selection.CriticalGradients`):

- with ``critical_test=True`` the reference *rejects* a gradient whose norm lies
  between the true smallest priority and the priority at position 0, so it keeps
  fewer fresh gradients, and its critical test is no longer equivalent to
  ``critical_test=False`` (which always appends and evicts the true minimum);
- the ``min`` / ``min-mean`` aggregations use position 0's gradient.

:class:`ReferenceCriticalGradients` stores each gradient in a fixed slot (it
never moves) and keeps the list as ``mem.order[i, j]`` = slot at list position j;
:func:`heapify_positions` is ``heapq.heapify`` (CPython's algorithm, the same
comparisons, hence the same order on ties) run on every problem's list at once,
looping over the list's few positions only.  Priorities that are not >= 0 (NaN
from a diverged problem) are *not* filtered out as the reference's line 76 does:
such a problem has stopped and its later steps are discarded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.linalg import row_norms
from memgd.solvers.memory import MemoryState, empty_memory, write_slot
from memgd.solvers.validation import in_half_open_unit, integer_at_least


def heapify_positions(p: np.ndarray, ids: np.ndarray, length: int) -> None:
    """``heapq.heapify`` on the first ``length`` positions of every row, in place.

    ``p`` (n, L) holds the priorities in list order and ``ids`` (n, L) the items
    they belong to; both are permuted together.  The algorithm is CPython's: for
    each start position from ``length // 2 - 1`` down to 0, move the smaller child
    up (the right one unless ``left < right``) until a leaf, put the start item
    there, then move it up while it is ``<`` its parent.  Only ``<`` is used, as
    for the reference's ``HeapItem.__lt__``, so ties end where heapq leaves them.
    """
    rows = np.arange(p.shape[0])
    for start in range(length // 2 - 1, -1, -1):
        _sift(p, ids, rows, start, length)


def _sift(p, ids, rows, start, end):
    new_p = p[:, start].copy()
    new_id = ids[:, start].copy()
    pos = np.full(rows.shape[0], start)
    child = 2 * pos + 1
    while True:  # down to a leaf along the smaller children
        live = child < end
        if not live.any():
            break
        right = child + 1
        left_p = p[rows, np.minimum(child, end - 1)]
        right_p = p[rows, np.minimum(right, end - 1)]
        child = np.where(live & (right < end) & ~(left_p < right_p), right, child)
        src = np.minimum(child, end - 1)
        p[rows, pos] = np.where(live, p[rows, src], p[rows, pos])
        ids[rows, pos] = np.where(live, ids[rows, src], ids[rows, pos])
        pos = np.where(live, child, pos)
        child = 2 * pos + 1
    going = pos > start
    while going.any():  # then back up while smaller than the parent
        parent = np.where(going, (pos - 1) >> 1, pos)
        going &= new_p < p[rows, parent]
        p[rows, pos] = np.where(going, p[rows, parent], p[rows, pos])
        ids[rows, pos] = np.where(going, ids[rows, parent], ids[rows, pos])
        pos = np.where(going, parent, pos)
        going &= pos > start
    p[rows, pos] = new_p
    ids[rows, pos] = new_id


@dataclass(frozen=True)
class ReferenceCriticalGradients:
    """The paper's rule as the reference code runs it (module doc): list order, trim, position-0 test.

    Per step: the direction uses every stored gradient (memory before g_k's insertion);
    then, while fewer than ``top_c`` are stored, g_k is appended and the list
    heapified; once full, g_k is appended (if ``critical_test`` is off, or if
    :math:`\\|g_k\\|` exceeds the priority at list position 0), the K + 1 items are
    heapified and the first dropped; finally every priority is multiplied by ``decay``.
    """

    top_c: int = 10
    decay: float = 0.7
    critical_test: bool = True

    def __post_init__(self) -> None:
        integer_at_least("top_c", self.top_c, 0)
        object.__setattr__(self, "decay", in_half_open_unit("decay", self.decay))

    @property
    def slots(self) -> int:
        return self.top_c

    @property
    def capacity(self) -> int:
        return self.top_c

    @property
    def max_age(self) -> None:
        return None  # ages are not bounded a priori: measure them

    def init(self, g0: np.ndarray) -> MemoryState:
        n, K = g0.shape[0], self.top_c
        mem = empty_memory(n, K, g0.shape[1])
        return mem._replace(order=np.tile(np.arange(K, dtype=np.int64), (n, 1)), scale=np.ones((n, K)))

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        return mem.filled

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState:
        K = self.top_c
        if K == 0:
            return mem
        n = g.shape[0]
        gnorm = row_norms(g)
        # every problem appends unconditionally while the list is short, so all fill in lockstep
        count = int(mem.filled[0].sum())
        if count < K:
            rows = np.arange(n)
            write_slot(mem, rows, np.full(n, count), g, gnorm, k)
            mem.scale[:, count] = 1.0
            length = count + 1
            ids = mem.order[:, :length].copy()
            ids[:, count] = count
            p = np.take_along_axis(mem.priority, ids, axis=1)
            heapify_positions(p, ids, length)
            mem.order[:, :length] = ids
        else:
            listed = np.take_along_axis(mem.priority, mem.order, axis=1)
            rows = np.flatnonzero(gnorm > listed[:, 0]) if self.critical_test else np.arange(n)
            if rows.size:
                p = np.concatenate([listed[rows], gnorm[rows, None]], axis=1)
                ids = np.concatenate([mem.order[rows], np.full((rows.size, 1), K, dtype=np.int64)], axis=1)
                heapify_positions(p, ids, K + 1)
                evicted = ids[:, 0]
                kept = ids[:, 1:]
                mem.order[rows] = np.where(kept == K, evicted[:, None], kept)
                stored = evicted != K  # else g_k itself was the smallest and is dropped
                write_rows = rows[stored]
                write_slot(mem, write_rows, evicted[stored], g, gnorm, k)
                mem.scale[write_rows, evicted[stored]] = 1.0
        np.multiply(mem.priority, self.decay, out=mem.priority)
        return mem
