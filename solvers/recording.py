r"""What a run keeps: the recorders behind ``run(..., record=...)``.

A run of K steps on n problems with S memory slots produces, per step k and problem i,
the distance :math:`r_k = \|x_k - x^*\|`, the gap :math:`f(x_k) - f^*`, the step's
constants :math:`s_k = a_k + \sum_c b_{k,c}`, :math:`B_k = \sum_c |b_{k,c}|`,
:math:`W_k = |a_k| + B_k` and the age of every used slot.  The realized constants of
the run (docs/math/method.md) are their extremes over the steps the problem took
(:math:`k < \text{nit}_i`):

.. math::

    T = \max_k \max_{c \text{ used}} \tau_{k,c}, \quad
    s_{lo} = \min_k s_k, \quad s_{hi} = \max_k s_k, \quad
    B = \max_k B_k, \quad W = \max_k W_k.

Three modes keep different parts, from three small pieces (distance, gap and step
records), each with ``put`` and ``finish``:

=======  ===================  ================  ==============================
mode     distances            gaps              step constants and ages
=======  ===================  ================  ==============================
full     (K+1, n) history     (K+1, n) history  s, B, W (K, n), ages (K, n, S)
summary  (K+1, n) history     last value (n,)   running extremes (n,)
final    first and last (n,)  last value (n,)   running extremes (n,)
=======  ===================  ================  ==============================

Minima and maxima are exact operations and every per-step value is computed by the
same reductions in every mode, so the modes agree bit for bit on what they share.
Ages are stored in the smallest signed integer type holding -1 (unused) and every age
below K (:func:`age_dtype`), widened when a memory holds older gradients (a window
pre-filled with T > K ages).

The chunks also feed the run's per-step rule checks (:mod:`memgd.solvers.step_checks`),
which reuse the values computed here.
"""

from __future__ import annotations

import numpy as np

RECORD_MODES = ("full", "summary", "final")

#: bytes the step buffers may take (a, b, used and born over the buffered steps): about an L2 cache, so
#: each step's copies and each chunk's reductions stay in cache (16 MB buffers cost 6% of a memory step
#: at n = 1024, S = 10, against 512 KB; the chunk length changes no bit)
_CHUNK_BYTES = 1 << 19
_MAX_CHUNK = 64


def age_dtype(steps: int) -> np.dtype:
    """Smallest signed integer type holding -1 and every age 0..steps-1 (ages are below K)."""
    return np.min_scalar_type(-max(int(steps), 1))


class StepChunks:
    """Per-step weights buffered over a few steps, reduced one chunk at a time.

    Each step copies a (n,), b, the used mask and the slots' birth steps (n, S) into
    a chunk buffer; a flush computes, for the buffered steps, s = a + sum_c b_c,
    B = sum_c |b_c|, W = |a| + B and the age k - born of every slot with
    used & (b != 0) (else -1), and hands them to ``sink(k0, s, B, W, ages)``.  The
    reductions run over contiguous rows of S, as a per-step ``b.sum(axis=1)`` would, so
    the chunk length changes no bit.  The chunk is at most 64 steps and its buffers
    at most about 512 KB.

    With an ``audit`` (:class:`memgd.solvers.step_checks.StepAudit`) every chunk is also
    checked, with the values computed for the sink.
    """

    def __init__(self, steps: int, n: int, S: int, sink, ages_type: np.dtype, audit=None):
        per_step = 8 * n + 17 * n * S  # a, b, used, born
        chunk = int(np.clip(_CHUNK_BYTES // max(per_step, 1), 1, min(_MAX_CHUNK, steps)))
        self.chunk = chunk
        self.audit = audit
        if chunk > 1:  # a chunk of one step is reduced straight from the step's arrays: no buffers
            self.a = np.empty((chunk, n))
            self.b = np.empty((chunk, n, S))
            self.used = np.empty((chunk, n, S), dtype=bool)
            self.born = np.empty((chunk, n, S), dtype=np.int64)
        self.sink = sink
        self.ages_type = np.dtype(ages_type)
        self.start = 0  # first step held in the buffers
        self.count = 0

    def add(self, k: int, a, b, used, born) -> None:
        if self.chunk == 1:
            self._reduce(k, a[None], b[None], used[None], born[None])
            self.start = k + 1
            return
        j = self.count
        self.a[j] = a
        self.b[j] = b
        self.used[j] = used
        self.born[j] = born
        self.count = j + 1
        if self.count == self.chunk:
            self.flush()

    def flush(self) -> None:
        m, k0 = self.count, self.start
        if m:
            self._reduce(k0, self.a[:m], self.b[:m], self.used[:m], self.born[:m])
        self.start, self.count = k0 + m, 0

    def _reduce(self, k0: int, a, b, used, born) -> None:
        m = a.shape[0]
        b_mass = np.abs(b).sum(axis=2)
        s = np.add(a, b.sum(axis=2))
        W = np.add(np.abs(a), b_mass)
        nonzero = b != 0
        inside = used & nonzero
        if b.size and k0 + m - 1 - born.min() > np.iinfo(self.ages_type).max:
            self.ages_type = np.promote_types(self.ages_type, age_dtype(k0 + m - born.min()))
        ages = np.full(b.shape, -1, dtype=self.ages_type)
        # k - born written straight into the small age type where used (no int64 temporary; the values fit)
        np.subtract(np.arange(k0, k0 + m)[:, None, None], born, out=ages, where=inside, casting="unsafe")
        if self.audit is not None:
            self.audit(k0, a, b, used, nonzero, ages, s, b_mass, W)
        self.sink(k0, s, b_mass, W, ages)


def step_max_age(ages: np.ndarray) -> np.ndarray:
    """Largest used age per step and problem, 0 where none is used; (m, n, S) -> (m, n)."""
    return np.maximum(ages.max(axis=2, initial=-1), 0)


# -- distances ---------------------------------------------------------------------------

class DistanceHistory:
    """Keeps r_k for every step: (K+1, n), NaN after a problem stopped."""

    def __init__(self, steps: int, r0: np.ndarray):
        self.dist = np.full((steps + 1, r0.shape[0]), np.nan)
        self.dist[0] = r0

    def put(self, k: int, row: np.ndarray, live) -> None:
        """``row`` = r_k (NaN where the step failed or the problem had stopped); ``live``
        the problems that were running (None: all)."""
        self.dist[k] = row

    def finish(self, nit: np.ndarray) -> dict:
        last = self.dist[nit, np.arange(nit.shape[0])]
        return dict(distances=self.dist, initial_distance=self.dist[0].copy(), final_distance=last)


class LastDistance:
    """Keeps r_0 and the distance at each problem's last step only."""

    def __init__(self, steps: int, r0: np.ndarray):
        self.r0 = r0.copy()
        self.last = r0.copy()

    def put(self, k: int, row: np.ndarray, live) -> None:
        self.last = row.copy() if live is None else np.where(live, row, self.last)

    def finish(self, nit: np.ndarray) -> dict:
        return dict(distances=None, initial_distance=self.r0, final_distance=self.last)


# -- gaps --------------------------------------------------------------------------------

class GapHistory:
    """Keeps f(x_k) - f* for every step: (K+1, n), NaN where not recorded."""

    def __init__(self, steps: int, n: int):
        self.gaps = np.full((steps + 1, n), np.nan)

    def put(self, k: int, gap: np.ndarray, pending) -> None:
        """``gap`` of x_k for the problems in ``pending`` (True: all)."""
        self.gaps[k] = gap if pending is True else np.where(pending, gap, np.nan)

    def finish(self, nit: np.ndarray, final_distance: np.ndarray) -> dict:
        return dict(gaps=self.gaps, final_gap=self.gaps[nit, np.arange(nit.shape[0])])


class LastGap:
    """Keeps the gap at each problem's last iterate only.

    The gap of x_k is recorded iff the step to x_k succeeded, that is iff r_k is not NaN;
    otherwise the last recorded gap belongs to an earlier iterate and the final gap is NaN.
    """

    def __init__(self, steps: int, n: int):
        self.last = np.full(n, np.nan)

    def put(self, k: int, gap: np.ndarray, pending) -> None:
        self.last = gap.copy() if pending is True else np.where(pending, gap, self.last)

    def finish(self, nit: np.ndarray, final_distance: np.ndarray) -> dict:
        return dict(gaps=None, final_gap=np.where(np.isnan(final_distance), np.nan, self.last))


# -- step constants and ages ---------------------------------------------------------------

class StepHistory:
    """Keeps s, B, W (K, n) and the ages (K, n, S) of every step; constants after the run."""

    def __init__(self, steps: int, n: int, S: int):
        self.steps = steps
        self.s = np.full((steps, n), np.nan)
        self.B = np.full((steps, n), np.nan)
        self.W = np.full((steps, n), np.nan)
        self.ages = np.full((steps, n, S), -1, dtype=age_dtype(steps))

    def __call__(self, k0, s, B, W, ages) -> None:
        rows = slice(k0, k0 + s.shape[0])
        self.s[rows] = s
        self.B[rows] = B
        self.W[rows] = W
        if ages.dtype.itemsize > self.ages.dtype.itemsize:  # older gradients than K steps: widen
            self.ages = self.ages.astype(ages.dtype)
        self.ages[rows] = ages

    def finish(self, nit: np.ndarray) -> dict:
        used_steps = np.arange(self.steps)[:, None] < nit[None, :]
        skipped = ~used_steps
        for hist in (self.s, self.B, self.W):
            hist[skipped] = np.nan
        self.ages[skipped] = -1
        max_age = np.where(used_steps, step_max_age(self.ages), -1).astype(self.ages.dtype)
        constants = dict(
            T=np.where(used_steps, max_age, 0).max(axis=0, initial=0).astype(np.int64),
            s_lo=np.where(used_steps, self.s, np.inf).min(axis=0),
            s_hi=np.where(used_steps, self.s, -np.inf).max(axis=0),
            B=np.where(used_steps, self.B, 0.0).max(axis=0),
            W=np.where(used_steps, self.W, 0.0).max(axis=0),
        )
        return dict(max_age=max_age, ages=self.ages, s=self.s, B=self.B, W=self.W, constants=constants)


class RunningConstants:
    """Keeps only the running extremes T, s_lo, s_hi, B, W (n,) over the steps taken.

    Step k of problem i counts iff k < nit_i.  At a flush every step held was taken by
    every problem still running, and the stopped problems' ``nit`` is already final, so
    the mask is read from ``nit`` as it stands (the run updates it in place).
    """

    def __init__(self, steps: int, n: int, S: int, nit: np.ndarray):
        self.nit = nit
        self.T = np.zeros(n, dtype=np.int64)
        self.s_lo = np.full(n, np.inf)
        self.s_hi = np.full(n, -np.inf)
        self.B_max = np.zeros(n)
        self.W_max = np.zeros(n)

    def __call__(self, k0, s, B, W, ages) -> None:
        used = np.arange(k0, k0 + s.shape[0])[:, None] < self.nit[None, :]
        self.T = np.maximum(self.T, np.where(used, step_max_age(ages), 0).max(axis=0))
        self.s_lo = np.minimum(self.s_lo, np.where(used, s, np.inf).min(axis=0))
        self.s_hi = np.maximum(self.s_hi, np.where(used, s, -np.inf).max(axis=0))
        self.B_max = np.maximum(self.B_max, np.where(used, B, 0.0).max(axis=0))
        self.W_max = np.maximum(self.W_max, np.where(used, W, 0.0).max(axis=0))

    def finish(self, nit: np.ndarray) -> dict:
        constants = dict(T=self.T, s_lo=self.s_lo, s_hi=self.s_hi, B=self.B_max, W=self.W_max)
        return dict(max_age=None, ages=None, s=None, B=None, W=None, constants=constants)


# -- the three modes ----------------------------------------------------------------------

class Recorder:
    """One run's recorder: a distance piece, a gap piece and a step piece (see module doc).

    The run calls :meth:`distance` and :meth:`gap` as values arrive, :meth:`memory` once
    the memory's size S is known (first step), :meth:`weights` every step, and
    :meth:`finish` with the final step counts ``nit``.
    """

    def __init__(self, mode: str, steps: int, r0: np.ndarray, nit: np.ndarray):
        if mode not in RECORD_MODES:
            raise ValueError(f"record must be one of {list(RECORD_MODES)}, got {mode!r}")
        self.mode, self.steps, self.nit = mode, steps, nit
        n = r0.shape[0]
        self._distance = (LastDistance if mode == "final" else DistanceHistory)(steps, r0)
        self._gap = (GapHistory if mode == "full" else LastGap)(steps, n)
        self._step = None
        self._chunks = None

    def memory(self, n: int, S: int, audit=None) -> None:
        """The memory's size S, once known; ``audit`` checks every step (:mod:`memgd.solvers.step_checks`)."""
        if self.mode == "full":
            self._step = StepHistory(self.steps, n, S)
        else:
            self._step = RunningConstants(self.steps, n, S, self.nit)
        self._chunks = StepChunks(self.steps, n, S, self._step, age_dtype(self.steps), audit)

    def distance(self, k: int, row: np.ndarray, live=None) -> None:
        self._distance.put(k, row, live)

    def gap(self, k: int, gap: np.ndarray, pending) -> None:
        self._gap.put(k, gap, pending)

    def weights(self, k: int, a, b, used, born) -> None:
        self._chunks.add(k, a, b, used, born)

    def flush(self) -> None:
        """Reduce (and check) the steps buffered so far, now."""
        self._chunks.flush()

    def finish(self) -> dict:
        """The RunResult fields this mode keeps (None for the others)."""
        self._chunks.flush()
        out = self._distance.finish(self.nit)
        out.update(self._gap.finish(self.nit, out["final_distance"]))
        out.update(self._step.finish(self.nit))
        return out
