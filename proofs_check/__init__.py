"""memgd.proofs_check: checks of the theorem on runs, certificates, property tests, the report."""

from proofs_check.bound_check import BoundCheck, check_declared, check_distance_bound, check_realized
from proofs_check.verify import RuleViolation, VerifyReport, verify_rule

__all__ = [
    "verify_rule", "RuleViolation", "VerifyReport",
    "BoundCheck", "check_distance_bound", "check_realized", "check_declared",
]
