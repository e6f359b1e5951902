"""One outcome code shared by every runner in memgd.

A run that does not converge is an *outcome*, not an error: runners return a
result carrying a :class:`Status` per problem and never raise for it.  Only bad
input raises ``ValueError``.
"""

from enum import IntEnum


class Status(IntEnum):
    """Outcome of one run, one certificate or one check."""

    CONVERGED = 0       # reached the requested tolerance
    MAX_STEPS = 1       # ran all steps without reaching the tolerance
    DIVERGED = 2        # a non-finite value or a blow-up stopped the run
    CERTIFIED = 3       # a certificate verified a posteriori in float64
    NOT_CERTIFIED = 4   # no verified certificate (infeasible, or failed verification)
    SOLVER_FAILED = 5   # the numerical solver reported failure or inaccuracy
    VIOLATED = 6        # a checked inequality failed where its assumptions hold
    HOLDS = 7           # a checked inequality held at every point examined
