"""memgd.proofs_check: checks of the theorem on runs, certificates, property tests, the report.

- :func:`verify_rule`: property-test a user's memory rule against Theorem 1 / 1b.
- :func:`certify`: a float64-verified SDP rate certificate over a set of patterns.
- :func:`pepit_worst_case`: PEPit's tight N-step worst case of one pattern.
- :func:`check_lemmas`: every proof step L1-L5 evaluated on a traced run.
- :func:`rate_sweep`, :func:`memory_sweep`: any rule's empirical rates beside every bound that applies.
- :mod:`memgd.proofs_check.properties.strategies`: hypothesis strategies to use in your own tests.
- :mod:`memgd.proofs_check.falsification`: each theorem and each check's claim searched for a
  counterexample over its declared domain; :mod:`memgd.proofs_check.mutants`: curated mutations
  of the package and the harness showing each is caught.
"""

from memgd.proofs_check.properties.bound_check import BoundCheck, check_declared, check_distance_bound, check_realized
from memgd.proofs_check.certificates.certify import Certificate, certify
from memgd.proofs_check.properties.lemma_checks import LemmaCheck, check_lemmas
from memgd.proofs_check.certificates.patterns import aggregation_patterns, aggregation_weights, fixed_age_weights, patterns_for_subsets
from memgd.proofs_check.certificates.pepit_worst_case import PEPitResult, pepit_worst_case
from memgd.proofs_check.properties.verify_rule import RuleViolation, VerifyReport, verify_rule
from memgd.proofs_check.properties import strategies
from memgd.proofs_check.certificates.verify import Verification, verify
from memgd.proofs_check.sweeps import RateSweep, memory_sweep, rate_sweep

__all__ = [
    "verify_rule", "RuleViolation", "VerifyReport",
    "certify", "Certificate", "verify", "Verification",
    "patterns_for_subsets", "aggregation_patterns", "aggregation_weights", "fixed_age_weights",
    "pepit_worst_case", "PEPitResult",
    "check_lemmas", "LemmaCheck",
    "BoundCheck", "check_distance_bound", "check_realized", "check_declared",
    "rate_sweep", "memory_sweep", "RateSweep",
]
