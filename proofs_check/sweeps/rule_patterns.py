r"""The fixed patterns a named memory rule uses, when they are known a priori.

With gradient descent, a step of a memory rule is a pattern (:class:`memgd.theory.Pattern`):
:math:`d_k = a\,g_k + \sum_{\tau \in S_k} b_\tau\, g_{k-\tau}`.  A *certificate* shared by a
finite set of patterns bounds the rate of every rule whose steps lie in that set
(docs/math/certificates.md); when the rule applies one pattern at every step from some
step on, the *exact quadratic rate* of that pattern is the rule's asymptotic rate on
quadratics (docs/math/quadratic_rates.md).  This module derives both from the rules'
definitions (not from runs), for:

- selections :class:`~memgd.solvers.Fifo` (C) -- age sets :math:`\{1..m\}`, m = 0..C, then
  :math:`\{1..C\}` for ever; :class:`~memgd.solvers.KeepOldest` (C, max_age=T) --
  :math:`\{T-C+1..T\}` at every step; :class:`~memgd.solvers.RandomSubset` (T, C) -- every
  subset of 1..T of size at most C; :class:`~memgd.solvers.Scripted` -- the script's entries,
  its last one for ever;
- combinations :class:`~memgd.solvers.Aggregation` (a pick aggregation uses one stored
  gradient chosen by priority, so every single age of the set is possible),
  :class:`~memgd.solvers.FixedWeights` (j-th youngest age gets ``memory[j]``) and
  :class:`~memgd.solvers.AgeWeights` (age tau gets ``by_age[tau]``).

Ages with weight exactly zero are dropped from a pattern (they do not change the
iteration).  Anything else (the critical-gradient rule, whose ages are unbounded;
random weights; a user's rule) gives ``patterns=None`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from memgd.proofs_check.certificates.patterns import aggregation_weights
from memgd.solvers import AgeWeights, Aggregation, Fifo, FixedWeights, KeepOldest, RandomSubset, Scripted
from memgd.theory import Pattern

_PICK = ("min", "median", "max", "min-mean", "median-mean", "max-mean")


@dataclass(frozen=True)
class RulePatterns:
    """What is known of a rule's patterns.

    ``patterns``: every pattern a step can use (None when unknown); ``recurrent``: those
    used at infinitely many steps (a warm-up pattern, like Fifo's first steps with a
    partly filled memory, is not), which are all an asymptotic rate depends on;
    ``steady``: the one pattern used at every step from some step on (None when the rule
    keeps switching or it is unknown); ``reason``: why ``patterns`` or ``steady`` is None
    ("" otherwise).
    """

    patterns: tuple[Pattern, ...] | None
    recurrent: tuple[Pattern, ...] | None
    steady: Pattern | None
    reason: str


def _age_sets(selection) -> tuple[list[tuple[int, ...]], tuple[int, ...] | None, str]:
    """(every used age set, the steady set or None, reason) for the named selections."""
    if isinstance(selection, Fifo):
        C = selection.capacity
        return [tuple(range(1, m + 1)) for m in range(C + 1)], tuple(range(1, C + 1)), ""
    if isinstance(selection, KeepOldest):
        if selection.max_age is None:
            return [], None, "KeepOldest(max_age=None) keeps its gradients for ever: ages are not bounded"
        T, C = selection.max_age, selection.capacity
        ages = tuple(range(T - C + 1, T + 1))
        return [ages], ages, ""
    if isinstance(selection, RandomSubset):
        T, C = selection.max_age, selection.capacity
        sets = [S for m in range(C + 1) for S in combinations(range(1, T + 1), m)]
        return sets, (() if C == 0 else None), "" if C == 0 else "RandomSubset switches at random among its subsets"
    if isinstance(selection, Scripted):
        sets = list(dict.fromkeys(selection.ages))
        return sets, selection.ages[-1], ""
    name = type(selection).__name__
    if name == "CriticalGradients":
        return [], None, "the critical-gradient rule bounds no age: no finite pattern set"
    return [], None, f"the patterns of the selection rule {name} are not known (pass patterns=...)"


def _weights_fn(combination):
    """(weights of an age set -> (a, b_1..b_m), picks one age, reason)."""
    if isinstance(combination, Aggregation):
        if combination.kappa == 0.0:
            return (lambda S: (1.0,) + (0.0,) * len(S)), False, ""
        return aggregation_weights(combination.name, combination.kappa), combination.name in _PICK, ""
    if isinstance(combination, FixedWeights):
        mem = combination.memory
        return (lambda S: (combination.current,) + tuple(mem[j] if j < len(mem) else 0.0 for j in range(len(S)))), \
            False, ""
    if isinstance(combination, AgeWeights):
        w = combination.by_age
        return (lambda S: (w[0],) + tuple(w[t] if t < len(w) else 0.0 for t in S)), False, ""
    name = type(combination).__name__
    if name == "RandomWeights":
        return None, False, "RandomWeights draws its weights at random: no finite pattern set"
    return None, False, f"the weights of the combination rule {name} are not known as patterns (pass patterns=...)"


def _pattern(S: tuple[int, ...], weights: tuple[float, ...]) -> Pattern:
    kept = [(t, w) for t, w in zip(S, weights[1:]) if w != 0.0]
    return Pattern((0,) + tuple(t for t, _ in kept), (weights[0],) + tuple(w for _, w in kept))


def rule_patterns(selection, combination) -> RulePatterns:
    """The patterns of a (selection, combination) pair with gradient descent (see module doc)."""
    sets, steady_set, why_sel = _age_sets(selection)
    fn, picks, why_comb = _weights_fn(combination)
    if fn is None or not sets:
        return RulePatterns(None, None, None, why_sel or why_comb)

    def patterns_of(age_sets) -> tuple[Pattern, ...]:
        out: list[Pattern] = []
        for S in age_sets:
            choices = [(t,) for t in S] if picks and S else [S]
            out.extend(_pattern(c, tuple(fn(c))) for c in choices)
        return tuple(dict.fromkeys(out))

    patterns = patterns_of(sets)
    recurrent = patterns if steady_set is None else patterns_of([steady_set])
    steady, reason = None, why_sel
    if steady_set is not None:
        if len(recurrent) > 1:
            reason = f"the {combination.name!r} aggregation picks one stored gradient by priority: no fixed pattern"
        else:
            steady = recurrent[0]
    return RulePatterns(patterns, recurrent, steady, reason)
