r"""A grid scenario's pattern set, described by its size and enumerated only when a task needs it.

A rule that keeps at most :math:`C` gradients of ages in :math:`1..T` and combines them with a
named aggregation produces, at each step, the pattern of some subset
:math:`S \subseteq \{1, \dots, T\}`, :math:`1 \le |S| \le C` (plus :math:`S = \emptyset` when the
buffer can be empty).  There are

.. math::

    |\Pi| = \sum_{m=1}^{\min(C, T)} \binom{T}{m} \;(+1)

of them: :math:`T` for :math:`C = 1`, :math:`T(T+1)/2` for :math:`C = 2`, :math:`2^T - 1` for
:math:`C = T`.  :class:`AggregationPatternSet` knows :math:`|\Pi|` from this sum, so building
and listing scenarios costs nothing per pattern; the patterns themselves
(:func:`memgd.proofs_check.certificates.patterns.aggregation_patterns`) and the quadratic
stability limit :math:`\min_{\pi \in \Pi} \alpha_c(\pi)` (one
:func:`memgd.theory.critical_step` per pattern, about 13 ms at T = 10 and 0.27 s at T = 60 on one
core) are computed on first use, inside the task that needs them.

What the report evaluates is bounded: at most :data:`MAX_PATTERNS` patterns per set and ages up
to :data:`MAX_AGE`.  Beyond that a per-pattern computation is out of reach (:math:`2^{60}`
subsets at T = 60); the class certificates (issue 20, docs/math/certificates.md) cover such
rules without enumerating their patterns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_PATTERNS = 1024  # 2^10: C = T up to T = 10; the stability limit then costs ~15 s on one core
MAX_AGE = 64         # one critical step costs 0.27 s at T = 60 and 3.5 s at T = 120 (degree T+1 roots)
GRID_AGGREGATIONS = ("sum", "mid", "mean")  # the aggregations with one weight per subset size

OUT_OF_REACH = "class certificates (issue 20, docs/math/certificates.md)"


def subset_count(T: int, C: int, *, include_empty: bool = False) -> int:
    """:math:`\\sum_{m=1}^{\\min(C,T)} \\binom{T}{m}` (+1 with the empty set), exactly, without enumerating."""
    if T < 0 or C < 0:
        raise ValueError(f"T and C must be >= 0, got T={T}, C={C}")
    return sum(math.comb(T, m) for m in range(1, min(C, T) + 1)) + int(include_empty)


def reach_error(T: int, C: int, *, include_empty: bool = False) -> str | None:
    """Why the pattern set of ages <= T, at most C of them, is out of reach; None when it is not."""
    if T > MAX_AGE:
        return (f"ages up to T = {T} (the report evaluates T <= {MAX_AGE}: each pattern's stability limit "
                f"solves a degree-{T + 1} polynomial); use the {OUT_OF_REACH}")
    n = subset_count(T, C, include_empty=include_empty)
    if n > MAX_PATTERNS:
        return (f"T = {T} with C = {C} gives {n:,} patterns per set (the report evaluates at most "
                f"{MAX_PATTERNS:,}); lower C or T, or use the {OUT_OF_REACH}")
    return None


@dataclass(frozen=True)
class AggregationPatternSet(Sequence):
    """Every pattern of ``aggregation`` (sum, mid or mean, scale ``kappa``) over subsets of ages
    1..T with at most C members (and the empty one if ``include_empty``).

    ``len()`` is :func:`subset_count` (no enumeration); iterating or indexing enumerates the
    patterns once (cached on the object), and raises ValueError when the set is out of reach.
    Equality, hashing and ``repr`` (hence task keys) use the five fields only.
    """

    aggregation: str
    T: int
    C: int
    kappa: float = 1.0
    include_empty: bool = False

    def __post_init__(self):
        if self.aggregation not in GRID_AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {', '.join(GRID_AGGREGATIONS)}, got {self.aggregation!r}")
        if isinstance(self.T, bool) or not isinstance(self.T, int) or self.T < 1:
            raise ValueError(f"T must be an integer >= 1, got {self.T!r}")
        if isinstance(self.C, bool) or not isinstance(self.C, int) or not 1 <= self.C:
            raise ValueError(f"C must be an integer >= 1, got {self.C!r}")

    def __len__(self) -> int:
        return subset_count(self.T, self.C, include_empty=self.include_empty)

    @property
    def max_age(self) -> int:
        return self.T

    @functools.cached_property
    def patterns(self) -> tuple:
        """The patterns, by subset size then lexicographically (as ``aggregation_patterns``)."""
        why = reach_error(self.T, self.C, include_empty=self.include_empty)
        if why is not None:
            raise ValueError(f"pattern set out of reach: {why}")
        from memgd.proofs_check.certificates.patterns import aggregation_patterns

        return aggregation_patterns(self.aggregation, self.T, self.C, self.kappa, include_empty=self.include_empty)

    def __getitem__(self, index):
        return self.patterns[index]

    def __iter__(self):
        return iter(self.patterns)


@functools.lru_cache(maxsize=256)
def stability_limit(patterns: Sequence, mu: float, L: float) -> float:
    """:math:`\\min_{\\pi} \\alpha_c(\\pi)`, the quadratic stability limit of the worst pattern of the set.

    Cached per process: a worker evaluating the several steps of one grid cell computes it once."""
    from memgd.theory import critical_step

    return min(critical_step(mu, L, p) for p in patterns)
