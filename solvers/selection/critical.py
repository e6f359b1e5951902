r"""The paper's critical-gradient rule as documented (the smallest priority is a true minimum).

Per step k, with :math:`g_k` the gradient and a buffer of at most ``top_c`` entries
(priority :math:`p`, gradient):

1. the direction uses every stored gradient, in the buffer *as it was before* this
   step's insertion (at step 0 the buffer is empty and the direction is g_0);
2. insertion: if the buffer holds fewer than ``top_c`` entries, add
   :math:`(\|g_k\|, g_k)`; otherwise, with the default ``replacement="smallest"``,
   :math:`g_k` replaces the entry of smallest priority iff :math:`\|g_k\| > p_{\min}`;
3. every priority is multiplied by ``decay`` after the insertion.

**critical_test.**  In this rule (the documented one: a true minimum),
skipping the test ``||g_k|| > p_min`` changes nothing for
``replacement="smallest"``: without it g_k is added and the smallest of the
top_c + 1 entries dropped, which is g_k itself whenever ``||g_k|| <= p_min`` (exact
ties are resolved in favour of the stored gradient, as the strict test does).
This does **not** hold for the reference code: its buffer is not a heap after
trimming and its test compares with list position 0, not the minimum, so there
``critical_test=True`` rejects gradients that ``False`` keeps
(:mod:`memgd.solvers.selection.reference_heap`; docs/math/critical_rule.md,
oddity 10).  In this rule the flag matters for the other replacements:

- ``"random"``: the new gradient replaces a uniformly random entry;
- ``"proportional"``: it replaces entry c with probability proportional to
  :math:`1 - \|g_c\| / \sum_j \|g_j\|` (stored norms, not decayed priorities);

and there, with ``critical_test=True``, only when :math:`\|g_k\| > p_{\min}`.
Randomness comes from the run's ``numpy.random.Generator`` (one uniform per
problem per step, drawn whether or not it is used, so runs are reproducible);
the reference's global ``random`` stream cannot be matched draw for draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memgd.solvers.linalg import row_norms
from memgd.solvers.memory import MemoryState, empty_memory, write_slot
from memgd.solvers.validation import in_half_open_unit, integer_at_least, one_of

REPLACEMENTS = ("smallest", "random", "proportional")


@dataclass(frozen=True)
class CriticalGradients:
    """Keep the ``top_c`` gradients of largest decayed norm (the paper's rule)."""

    top_c: int = 10
    decay: float = 0.7
    critical_test: bool = True
    replacement: str = "smallest"

    def __post_init__(self) -> None:
        integer_at_least("top_c", self.top_c, 0)
        object.__setattr__(self, "decay", in_half_open_unit("decay", self.decay))
        one_of("replacement", self.replacement, REPLACEMENTS)

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
        return empty_memory(g0.shape[0], self.top_c, g0.shape[1])

    def active(self, mem: MemoryState, k: int, rng: np.random.Generator) -> np.ndarray:
        return mem.filled

    def insert(self, mem: MemoryState, g: np.ndarray, k: int, rng: np.random.Generator) -> MemoryState:
        if self.top_c == 0:
            return mem
        gnorm = row_norms(g)
        if self.replacement == "smallest" and mem.filled.all():
            # the common case once warmed up (no empty slot): one argmin, no masking
            # (the smallest priority read at its argmin: a short-row min reduction costs 3x an argmin)
            victim = mem.priority.argmin(axis=1)  # the methods: no wrapper calls (the one-problem case)
            p_min = mem.priority[np.arange(g.shape[0]), victim]
            rows = (gnorm > p_min).nonzero()[0]
            # every slot is filled already: the write leaves ``filled`` as it is
            write_slot(mem, rows, victim if rows.shape[0] == g.shape[0] else victim[rows], g, gnorm, k,
                       mark_filled=False)
        else:
            count = mem.filled.sum(axis=1)
            full = count == self.top_c
            masked = np.where(mem.filled, mem.priority, np.inf)
            passes = gnorm > masked.min(axis=1)
            if self.replacement == "smallest":
                insert_full = passes
                victim = np.argmin(masked, axis=1)
            else:
                u = rng.random(g.shape[0])
                insert_full = passes if self.critical_test else np.ones_like(passes)
                if self.replacement == "random":
                    victim = np.minimum((u * self.top_c).astype(np.int64), self.top_c - 1)
                else:
                    victim = _proportional_victim(mem.norm, u)
            slot = np.where(full, victim, np.minimum(count, self.top_c - 1))
            rows = np.flatnonzero(~full | insert_full)
            write_slot(mem, rows, slot[rows], g, gnorm, k)
        np.multiply(mem.priority, self.decay, out=mem.priority)
        return mem


def _proportional_victim(norms: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Slot c drawn with probability proportional to 1 - norms_c / sum(norms), by inverse CDF.

    Falls back to uniform where every weight is zero (a single slot, or all norms zero).
    """
    total = norms.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(total > 0, 1.0 - norms / total, 1.0)
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
    cdf = np.cumsum(w, axis=1)
    target = u[:, None] * cdf[:, -1:]
    return np.minimum((cdf <= target).sum(axis=1), norms.shape[1] - 1)
