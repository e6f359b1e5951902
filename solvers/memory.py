r"""The gradient memory: a fixed number of slots per problem.

At step k the memory holds up to S stored gradients per problem.  Slot ``c`` of
problem ``i`` holds :math:`g_{b}` computed at step :math:`b` = ``born[i, c]``, so its
age at step k is :math:`\tau = k - b \ge 1`.  ``priority`` is the (decayed) value a
selection rule ranks slots by; ``norm`` is :math:`\|g_b\|` at insertion.

The arrays are allocated once per run and written in place, one slot per
problem per step: the state is owned by the run that created it.

Two optional arrays serve the reference implementation's buffer
(:mod:`memgd.solvers.selection.reference_heap`): ``order[i, j]`` is the slot at
position j of the reference's priority *list* (its look-ups read list positions),
and ``scale[i, c]`` is the factor the stored tensor of slot c carries after the
reference's in-place rescaling by kappa (1 when written).  Other rules leave them None.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class MemoryState(NamedTuple):
    grads: np.ndarray     # (n, S, d) stored gradients
    priority: np.ndarray  # (n, S) ranking key (critical rule: decayed norm)
    norm: np.ndarray      # (n, S) norm of the stored gradient at insertion
    born: np.ndarray      # (n, S) int64, step at which the gradient was computed
    filled: np.ndarray    # (n, S) bool, slot holds a gradient
    order: np.ndarray | None = None  # (n, S) int64, slot at each position of the reference's list
    scale: np.ndarray | None = None  # (n, S) factor carried by each stored tensor (in-place kappa)

    @property
    def slots(self) -> int:
        return self.grads.shape[1]

    def ages(self, k: int) -> np.ndarray:
        """Age of every slot at step k, shape (n, S); meaningless where not filled."""
        return k - self.born


def empty_memory(n: int, slots: int, d: int) -> MemoryState:
    """A memory of ``slots`` empty slots per problem."""
    return MemoryState(
        grads=np.zeros((n, slots, d)),
        priority=np.zeros((n, slots)),
        norm=np.zeros((n, slots)),
        born=np.zeros((n, slots), dtype=np.int64),
        filled=np.zeros((n, slots), dtype=bool),
    )


def write_slot(mem: MemoryState, rows: np.ndarray, slot: np.ndarray, g: np.ndarray,
               gnorm: np.ndarray, k: int, *, mark_filled: bool = True) -> None:
    """Store ``g[rows]`` (computed at step k) into ``slot`` of each problem in ``rows``, in place.

    ``rows`` are distinct problem indices in increasing order (as ``np.flatnonzero`` gives).
    ``mark_filled=False`` skips setting ``filled`` (for a caller that knows the slots are filled).
    """
    if rows.shape[0] == g.shape[0]:  # then rows = 0..n-1: write g itself, no gathering copies
        g_rows, norm_rows = g, gnorm
    else:
        g_rows, norm_rows = g[rows], gnorm[rows]
    if (rows.shape[0] >= 16 and mem.grads.flags.c_contiguous and mem.priority.flags.c_contiguous
            and mem.norm.flags.c_contiguous and mem.born.flags.c_contiguous and mem.filled.flags.c_contiguous):
        # one flat index into (n*S)-row views: cheaper than five (rows, slot) pair indexings
        flat = rows * mem.grads.shape[1] + slot
        mem.grads.reshape(-1, mem.grads.shape[2])[flat] = g_rows
        mem.priority.reshape(-1)[flat] = norm_rows
        mem.norm.reshape(-1)[flat] = norm_rows
        mem.born.reshape(-1)[flat] = k
        if mark_filled:
            mem.filled.reshape(-1)[flat] = True
        return
    mem.grads[rows, slot] = g_rows
    mem.priority[rows, slot] = norm_rows
    mem.norm[rows, slot] = norm_rows
    mem.born[rows, slot] = k
    if mark_filled:
        mem.filled[rows, slot] = True
