r"""What a memory rule declares about itself, read in one place.

Besides the required constants (``declared_constants(C)`` of a combination rule:
:math:`s \in [s_{lo}, s_{hi}]`, :math:`\sum_c |b_c| \le B`, :math:`|a| + \sum_c |b_c| \le W`;
``max_age`` T and ``capacity`` C of a selection rule), a rule may declare, optionally:

combination rule
    ``nonnegative_weights: bool``: True declares :math:`a_k \ge 0` and every
    :math:`b_{k,c} \ge 0` at every step (the hypothesis of Theorem 2,
    docs/math/theorem2.md).  Absent (or False) means "cannot say": the weights are
    treated as signed.
    ``weights_for_ages(ages) -> iterable of (a, b_1, ..., b_m)``: the weight vectors a
    step may use when its used stored gradients have the ages ``ages`` (a sorted tuple
    of m distinct ages >= 1), ``b_j`` on age ``ages[j]``; one vector for a rule whose
    weights depend on the ages only, several for one that picks among them (the
    "min"/"max" aggregations); ``None``: cannot say.
selection rule
    ``recurrent_ages() -> iterable of age tuples``: the sets of ages of the used stored
    gradients; from step ``max_age`` on every step uses one of them (a generator is
    fine); ``None``: cannot say.
either rule
    ``noise_oblivious: bool``: True declares that, with stochastic gradients, the rule's
    choices (which stored gradients, which weights) never depend on the gradient noise:
    they depend on the step count or on randomness of the rule's own (Theorem S, part A,
    docs/math/theorem_s.md).  Absent means "cannot say": only part B applies.  Read by
    :func:`declared_noise_oblivious`; checked by ``verify_rule(..., batch_size=b)``.

Together the last two give the rule's *recurrent patterns* (:math:`d_k = a g_k +
\sum_j b_j g_{k-\tau_j}` with gradient descent): every step from step T on is one of
them, which is what a shared certificate and, when there is one pattern only, the
exact quadratic rate need (docs/math/certificates.md, docs/math/quadratic_rates.md).
Each pattern is a pair ``(ages, weights)`` with ``ages[0] = 0`` for the current
gradient and no zero memory weight; :class:`memgd.theory.Pattern` accepts it as is.

Every declaration is checked while the rule runs: the sign and the constants at every
step of every :func:`memgd.solvers.run` (:mod:`memgd.solvers.rule_checks`), the
patterns where the whole history is kept (:mod:`memgd.proofs_check.properties`).
"""

from __future__ import annotations

import math
from itertools import combinations, islice
from typing import Iterable, NamedTuple

#: largest number of recurrent patterns read from a declaration (more: refused with a reason)
MAX_PATTERNS = 4096

PatternTuple = tuple[tuple[int, ...], tuple[float, ...]]


def declared_nonnegative(combination) -> bool:
    """Whether a combination rule declares nonnegative weights (``nonnegative_weights``); False if absent."""
    return bool(getattr(combination, "nonnegative_weights", False))


def declared_noise_oblivious(rule) -> bool | None:
    """A rule's ``noise_oblivious`` declaration (None if absent)."""
    value = getattr(rule, "noise_oblivious", None)
    return None if value is None else bool(value)


class DeclaredPatterns(NamedTuple):
    """A rule's declared recurrent patterns, or why there are none.

    ``patterns``: the (ages, weights) pairs (see module doc), None when not declared
    or too many; ``reason``: why ``patterns`` is None ("" otherwise).
    """

    patterns: tuple[PatternTuple, ...] | None
    reason: str


def _pattern(ages: tuple[int, ...], weights) -> PatternTuple:
    w = tuple(float(v) for v in weights)
    if len(w) != len(ages) + 1:
        raise ValueError(f"weights_for_ages({ages!r}) must give (a, b_1, ..., b_{len(ages)}): "
                         f"{len(ages) + 1} weights, got {len(w)}")
    kept = [(t, v) for t, v in zip(ages, w[1:]) if v != 0.0]
    return (0,) + tuple(t for t, _ in kept), (w[0],) + tuple(v for _, v in kept)


def _age_set(ages) -> tuple[int, ...]:
    out = tuple(sorted(int(t) for t in ages))
    if len(set(out)) != len(out) or any(t < 1 for t in out):
        raise ValueError(f"recurrent_ages() must give sets of distinct ages >= 1, got {tuple(ages)!r}")
    return out


def declared_patterns(selection, combination, *, limit: int = MAX_PATTERNS) -> DeclaredPatterns:
    """The recurrent patterns of a (selection, combination) pair from their declarations.

    At most ``limit`` patterns are read (the declarations may be generators): a rule
    declaring more gets ``None`` with the reason (a certificate enumerates patterns;
    use the class certificates for such rules).
    """
    name = lambda rule: type(rule).__name__  # noqa: E731
    if getattr(selection, "max_age", None) is None:
        return DeclaredPatterns(None, f"the selection rule {name(selection)} bounds no age (max_age=None): "
                                      "no finite pattern set")
    ages_fn = getattr(selection, "recurrent_ages", None)
    sets = ages_fn() if callable(ages_fn) else None
    if sets is None:
        return DeclaredPatterns(None, f"the selection rule {name(selection)} declares no recurrent ages "
                                      "(recurrent_ages(); or pass patterns=...)")
    weights_fn = getattr(combination, "weights_for_ages", None)
    if not callable(weights_fn):
        return DeclaredPatterns(None, f"the combination rule {name(combination)} declares no weights of an age set "
                                      "(weights_for_ages(ages); or pass patterns=...)")
    found: dict[PatternTuple, None] = {}
    for ages in sets:
        S = _age_set(ages)
        choices = weights_fn(S)
        if choices is None:
            return DeclaredPatterns(None, f"the combination rule {name(combination)} cannot give the weights of "
                                          f"ages {S!r} (weights_for_ages returned None)")
        for w in islice(choices, limit + 1):
            found[_pattern(S, w)] = None
        if len(found) > limit:
            return DeclaredPatterns(None, f"the rule declares more than {limit} recurrent patterns: too many to "
                                          "certify one by one (a class certificate covers such rules)")
    if not found:
        return DeclaredPatterns(None, f"the selection rule {name(selection)} declares no recurrent age set")
    return DeclaredPatterns(tuple(found), "")


class DeclaredClass(NamedTuple):
    r"""The class of steps a rule declares: every step's weights lie in this polytope.

    ``T`` ages (None: unbounded), at most ``C`` stored gradients, :math:`s \in [s_{lo}, s_{hi}]`,
    memory mass :math:`\le B`, total mass :math:`\le W`, ``nonnegative`` weights or
    signed, and the current weight :math:`a \in [a_{lo}, a_{hi}]` implied by them:
    :math:`a = s - \sum_c b_c` with :math:`|\sum_c b_c| \le B` and :math:`|a| \le W - \sum_c |b_c| \le W`,
    so :math:`a \in [\max(s_{lo} - B, -W), \min(s_{hi} + B, W)]`, and for nonnegative
    weights :math:`a \in [\max(s_{lo} - B, 0), \min(s_{hi}, W)]`; a sum or difference is
    rounded outward (one ulp), so the float interval contains the exact one.
    """

    T: int | None
    C: int
    s_lo: float
    s_hi: float
    B: float
    W: float
    nonnegative: bool
    a_lo: float
    a_hi: float


def declared_class(selection, combination) -> DeclaredClass:
    """The polytope of step weights a (selection, combination) pair declares (see :class:`DeclaredClass`)."""
    C = int(selection.capacity)
    dc = combination.declared_constants(C)
    nonneg = declared_nonnegative(combination)
    s_lo, s_hi, B, W = (float(v) for v in dc)
    down = math.nextafter(s_lo - B, -math.inf)  # the float sum is within half an ulp: one ulp outward is safe
    if nonneg:
        a_lo, a_hi = max(down, 0.0), min(s_hi, W)
    else:
        a_lo, a_hi = max(down, -W), min(math.nextafter(s_hi + B, math.inf), W)
    T = selection.max_age
    return DeclaredClass(None if T is None else int(T), C, s_lo, s_hi, B, W, nonneg, a_lo, a_hi)


def age_subsets(T: int, C: int) -> Iterable[tuple[int, ...]]:
    """Every subset of the ages 1..T with at most C elements, smallest first (a generator)."""
    for m in range(min(C, T) + 1):
        yield from combinations(range(1, T + 1), m)

