r"""The fixed patterns a memory rule uses, when it declares them.

With gradient descent, a step of a memory rule is a pattern (:class:`memgd.theory.Pattern`):
:math:`d_k = a\,g_k + \sum_{\tau \in S_k} b_\tau\, g_{k-\tau}`.  A *certificate* shared by a
finite set of patterns bounds the rate of every rule whose steps lie in that set
(docs/math/certificates.md); when the rule applies one pattern at every step from some
step on, the *exact quadratic rate* of that pattern is the rule's asymptotic rate on
quadratics (docs/math/quadratic_rates.md).

Both come from the rules' declarations (:mod:`memgd.solvers.declarations`), the same for
the shipped rules and a user's: the selection rule's ``recurrent_ages()`` (the age sets
used from step ``max_age`` on) and the combination rule's ``weights_for_ages(ages)``.
The shipped window rules (:class:`~memgd.solvers.Fifo`, :class:`~memgd.solvers.KeepOldest`
with a bound, :class:`~memgd.solvers.RandomSubset`, :class:`~memgd.solvers.Scripted`) and
combinations (:class:`~memgd.solvers.Aggregation`, a pick aggregation giving one pattern
per age it may pick, :class:`~memgd.solvers.FixedWeights`, :class:`~memgd.solvers.AgeWeights`)
declare them; the critical-gradient rule (unbounded ages), random weights and a rule
without the declarations give ``patterns=None`` with the reason.

Ages with weight exactly zero are dropped from a pattern (they do not change the
iteration).
"""

from __future__ import annotations

from dataclasses import dataclass

from memgd.solvers.declarations import declared_patterns
from memgd.theory import Pattern


@dataclass(frozen=True)
class RulePatterns:
    """What is known of a rule's patterns.

    ``patterns`` and ``recurrent``: the patterns every step from step ``max_age`` on
    uses (None when unknown), which are all an asymptotic rate depends on (a warm-up
    pattern, like Fifo's first steps with a partly filled memory, is not among them);
    ``steady``: the one pattern used at every step from some step on (None when the rule
    keeps switching or it is unknown); ``reason``: why ``patterns`` or ``steady`` is None
    ("" otherwise).
    """

    patterns: tuple[Pattern, ...] | None
    recurrent: tuple[Pattern, ...] | None
    steady: Pattern | None
    reason: str


def rule_patterns(selection, combination) -> RulePatterns:
    """The recurrent patterns of a (selection, combination) pair with gradient descent (see module doc)."""
    declared = declared_patterns(selection, combination)
    if declared.patterns is None:
        return RulePatterns(None, None, None, declared.reason)
    recurrent = tuple(Pattern(ages, weights) for ages, weights in declared.patterns)
    if len(recurrent) == 1:
        return RulePatterns(recurrent, recurrent, recurrent[0], "")
    return RulePatterns(recurrent, recurrent, None,
                        f"the rule switches among {len(recurrent)} recurrent patterns: no fixed pattern")
