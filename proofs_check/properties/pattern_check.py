r"""Check a rule's declared recurrent patterns against the steps a run took.

A rule that declares its patterns (:mod:`memgd.solvers.declarations`: the selection's
``recurrent_ages()`` and the combination's ``weights_for_ages``) promises that every step
from step T = ``max_age`` on is one of them.  On a run kept with ``record="full"`` each
step k >= T that problem i took (k < nit_i) is compared with the declaration: the ages of
its used stored gradients (those with b != 0) must be the memory ages of a declared
pattern, and the step's :math:`s_k = a_k + \sum_c b_{k,c}`, :math:`B_k = \sum_c |b_{k,c}|`
and :math:`W_k = |a_k| + B_k` that pattern's, up to the rounding of a sum of S + 1 terms
(:math:`2(S+1)\varepsilon(W_k + |\cdot|)`, as in :mod:`memgd.solvers.step_checks`).
Three sums do not pin every weight down, but a pattern with other ages, another current
weight or another memory mass is caught.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from memgd.solvers import RunResult
from memgd.solvers.declarations import declared_patterns

EPS = np.finfo(float).eps


class PatternCheck(NamedTuple):
    """How many steps were compared with the declared patterns, and the first that matched none."""

    checked: int                  # steps (k, i) compared
    failure: tuple | None         # (k, i, ages, s, B, W) of the earliest step matching no pattern, or None

    @property
    def holds(self) -> bool:
        return self.failure is None

    def describe(self) -> str:
        if self.failure is None:
            return f"every one of {self.checked} steps is a declared recurrent pattern"
        k, i, ages, s, B, W = self.failure
        return (f"step {k} of problem {i} uses the stored gradients of ages {ages} with s = {s!r}, B = {B!r}, "
                f"W = {W!r}: none of the declared recurrent patterns (recurrent_ages() with weights_for_ages), "
                "which every step from step max_age on must be")


def check_declared_patterns(result: RunResult, selection, combination) -> PatternCheck | None:
    """Compare every step k >= max_age of ``result`` with the declared patterns; None if none are declared.

    ``result`` must keep the per-step histories (``record="full"``).
    """
    declared = declared_patterns(selection, combination)
    if declared.patterns is None:
        return None
    if result.ages is None:
        raise ValueError("checking declared patterns needs the per-step ages: run with record='full'")
    K, n, S = result.ages.shape
    k = np.arange(K)[:, None]
    checked = (k >= selection.max_age) & (k < result.nit[None, :])
    count = int(checked.sum())
    if not count:
        return PatternCheck(0, None)
    rows = np.sort(result.ages[checked].astype(np.int64), axis=1)  # (N, S), -1 (unused) first
    fitting = [(ages[1:], w) for ages, w in declared.patterns if len(ages) - 1 <= S]
    pattern_rows = np.array([[-1] * (S - len(ages)) + sorted(ages) for ages, _ in fitting], dtype=np.int64)
    pattern_rows = pattern_rows.reshape(len(fitting), S)
    inverse = _row_ids(np.concatenate([pattern_rows, rows]))
    pattern_id, step_id = inverse[:len(fitting)], inverse[len(fitting):]
    s, B, W = result.s[checked], result.B[checked], result.W[checked]
    tol = 2 * (S + 1) * EPS
    ok = np.zeros(count, dtype=bool)
    # patterns sharing one age set (rare) are compared layer by layer: one per age set at a time
    layers: list[dict[int, tuple[float, float, float]]] = []
    for pid, (_, w) in zip(pattern_id, fitting):
        values = (float(sum(w)), float(sum(abs(v) for v in w[1:])), float(sum(abs(v) for v in w)))
        layer = next((d for d in layers if int(pid) not in d), None)
        if layer is None:
            layer = {}
            layers.append(layer)
        layer[int(pid)] = values
    size = int(inverse.max()) + 1
    for layer in layers:
        table = np.full((size, 3), np.nan)
        for pid, values in layer.items():
            table[pid] = values
        want = table[step_id]
        close = [np.abs(got - want[:, j]) <= tol * (W + np.abs(want[:, j])) for j, got in enumerate((s, B, W))]
        ok |= close[0] & close[1] & close[2]
    if ok.all():
        return PatternCheck(count, None)
    first = int(np.argmin(ok))  # rows of result[checked] are in (k, i) order: the earliest step first
    kk, ii = (int(v) for v in np.argwhere(checked)[first])
    ages = tuple(int(t) for t in rows[first] if t >= 0)
    return PatternCheck(count, (kk, ii, ages, float(s[first]), float(B[first]), float(W[first])))


def _row_ids(rows: np.ndarray) -> np.ndarray:
    """An id per row of an (N, S) integer array, equal ids for equal rows (as ``np.unique(axis=0)``'s inverse).

    Rows of small integers >= -1 are read as numbers in base (largest + 2) when that fits in
    an int64: one 1-d ``unique`` instead of a lexicographic sort of the rows."""
    if rows.size == 0:
        return np.zeros(rows.shape[0], dtype=np.int64)
    base = int(rows.max()) + 2
    if rows.min() >= -1 and rows.shape[1] * np.log2(base) < 62:
        keys = (rows + 1) @ (base ** np.arange(rows.shape[1], dtype=np.int64))
        return np.unique(keys, return_inverse=True)[1].ravel()
    return np.unique(rows, axis=0, return_inverse=True)[1].ravel()
