r"""Finite pattern sets: every buffer content a memory of size C over ages 1..T can hold.

A selection rule with buffer size :math:`C` and ages bounded by :math:`T` uses at each
step a subset :math:`S \subseteq \{1, \dots, T\}`, :math:`|S| \le C`, of stored gradients,
combined with the current one by the combination rule:
:math:`d_k = a(S) g_k + \sum_{\tau \in S} b_\tau(S) g_{k-\tau}`.  The set of all such
patterns is what a shared certificate (:func:`memgd.proofs_check.certificates.certify.certify`) must
cover for the rate to hold "regardless of which gradients are selected".

In code terms: a *weights function* maps the stored ages ``S`` (a sorted tuple) to the
weights ``(a, b_1, ..., b_m)`` of ``(0, *S)``; :func:`patterns_for_subsets` enumerates.
The aggregations of docs/math/critical_rule.md (kappa scales the memory term, m = |S|):

=============  ==========================================  ==========================
name           direction                                   weights (current, each stored)
=============  ==========================================  ==========================
sum            g + kappa mean(stored)                      (1, kappa/m)
mid            (g + kappa mean(stored)) / 2                (1/2, kappa/(2m))
mean           (g + kappa sum(stored)) / (m+1)             (1/(m+1), kappa/(m+1))
min/median/max g + kappa pick (one stored gradient)        (1, kappa), m = 1
*-mean         (g + kappa pick) / 2                        (1/2, kappa/2), m = 1
=============  ==========================================  ==========================

With an empty buffer (the first step) the reference code steps along g alone, so the
empty pattern of every named aggregation is :math:`d = g` (``Pattern.plain(1.0)``).
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable

from memgd.theory.pattern import Pattern

WeightsFn = Callable[[tuple[int, ...]], tuple[float, ...]]

from memgd.theory import aggregations as _agg

_PICK = ("min", "median", "max", "min-mean", "median-mean", "max-mean")
AGGREGATIONS = _agg.AGGREGATIONS


def aggregation_weights(name: str, kappa: float = 1.0) -> WeightsFn:
    """Weights function of a named aggregation (weights from :func:`memgd.theory.aggregation_weights`).

    Pick aggregations use exactly one stored gradient: the function accepts one age.
    """
    if name not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {name!r}")
    k = float(kappa)

    def fn(stored: tuple[int, ...]) -> tuple[float, ...]:
        m = len(stored)
        if name in _PICK and m > 1:
            raise ValueError(f"aggregation {name!r} uses exactly one stored gradient, got {m}")
        a, b = _agg.aggregation_weights(name, k, m)
        return (float(a),) + tuple(float(v) for v in b)

    return fn


def fixed_age_weights(weights_by_age: dict[int, float], current: float = 1.0) -> WeightsFn:
    """Weights function giving a stored gradient of age tau the weight ``weights_by_age[tau]``."""
    w = {int(a): float(v) for a, v in weights_by_age.items()}

    def fn(stored: tuple[int, ...]) -> tuple[float, ...]:
        missing = [a for a in stored if a not in w]
        if missing:
            raise ValueError(f"no weight given for ages {missing}")
        return (float(current),) + tuple(w[a] for a in stored)

    return fn


def patterns_for_subsets(
    T: int, C: int, weights_fn: WeightsFn, *, include_empty: bool = False, sizes: tuple[int, ...] | None = None
) -> tuple[Pattern, ...]:
    """Patterns of every subset S of ages 1..T with 1 <= |S| <= C (and S = {} if ``include_empty``).

    ``sizes`` restricts the subset sizes (e.g. ``(1,)`` for pick aggregations).  The
    order is by size, then lexicographic; duplicates (same ages and weights) are dropped.
    """
    if T < 0 or C < 0:
        raise ValueError(f"T and C must be >= 0, got T={T}, C={C}")
    allowed = range(1, min(C, T) + 1) if sizes is None else [s for s in sizes if 1 <= s <= min(C, T)]
    out: list[Pattern] = []
    if include_empty:
        out.append(Pattern((0,), tuple(weights_fn(()))))
    for m in allowed:
        for S in combinations(range(1, T + 1), m):
            out.append(Pattern((0,) + S, tuple(weights_fn(S))))
    seen: dict[Pattern, None] = dict.fromkeys(out)
    if not seen:
        raise ValueError(f"no pattern: T={T}, C={C}, sizes={sizes}, include_empty={include_empty}")
    return tuple(seen)


def aggregation_patterns(
    name: str, T: int, C: int, kappa: float = 1.0, *, include_empty: bool = False
) -> tuple[Pattern, ...]:
    """All patterns of a named aggregation with buffer size C and ages 1..T."""
    sizes = (1,) if name in _PICK else None
    return patterns_for_subsets(T, C, aggregation_weights(name, kappa), include_empty=include_empty, sizes=sizes)
