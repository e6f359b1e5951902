"""Falsification: search each claim of the package for a counterexample over its whole declared domain.

Every theorem (1, 1b, 2, the critical rule's age theorems A, A' and B) and every claim a check
makes (the run comparison, the lower-bound searches, the built-in rules' declared constants)
is registered in :data:`REGISTRY` with a falsifier: hypothesis-driven and structured
adversarial settings over the declared domain (kappa from 1 to 1e4, near 1 included; ages up
to 64; every sign of weight the claim admits, and one it does not, which must be refused;
steps up to the claim's own edge), judged by oracles (exact quadratic rates, switching words,
PEPit, greedy adversarial runs checked by the report's own comparison).  :func:`falsify` runs
one with a profile (``"short"`` in the default tests, ``"long"`` in the report) and returns the
settings tried, the smallest slack found and where, and pass/fail verdicts: no counterexample,
attained where the mathematics says it is tight, refusals, the advertised edge.

A claim added later registers itself in a few lines (:func:`register`; for a rate theorem
over memory patterns a :class:`RateTheorem` from its rate and edge functions).

May import :mod:`memgd.solvers`, :mod:`memgd.theory` and the other subpackages of
:mod:`memgd.proofs_check` except the report, which imports it.
"""

from memgd.proofs_check.falsification.core import (
    PROFILES, REGISTRY, FalsificationResult, Profile, SlackLog, Verdict, Witness, falsify, rate_slack, register,
)
from memgd.proofs_check.falsification.rate_theorems import RateTheorem, Setting, TightCase
from memgd.proofs_check.falsification.adversary import PatternClass, extreme_patterns, greedy_run
from memgd.proofs_check.falsification import builtin  # noqa: F401  (registers the package's claims)

__all__ = [
    "REGISTRY", "PROFILES", "Profile", "register", "falsify", "FalsificationResult", "Verdict", "Witness", "SlackLog",
    "rate_slack", "RateTheorem", "Setting", "TightCase", "PatternClass", "extreme_patterns", "greedy_run",
]
