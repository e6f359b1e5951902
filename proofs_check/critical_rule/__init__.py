"""The paper's critical-gradient rule: when its ages are bounded, and where it provably converges.

Holds the age theorem and its a priori floor (``ages``), a posteriori certificates of
a finished run's ages and distances (``certificate``) and the map over (aggregation,
top_c, decay, alpha L, kappa) of where the rule provably converges, measurably
converges or diverges (``region``).  May import :mod:`memgd.solvers`, :mod:`memgd.theory` and
the run comparison of :mod:`memgd.proofs_check.properties.bound_check`; nothing else of
:mod:`memgd.proofs_check`.  The mathematics is in
``docs/math/critical_rule_ages.md``.
"""

from memgd.proofs_check.critical_rule.ages import age_bound, contraction_floor, floor_holds, step_weights
from memgd.proofs_check.critical_rule.certificate import (
    FLOOR, RunCertificate, certified_prefix, certify_run, prefix_max_age, step_floor,
)
from memgd.proofs_check.critical_rule.region import (
    MEASURED, CriticalMap, ProvableRegion, RunChecks, critical_map, provable_region,
)

__all__ = [
    "age_bound", "contraction_floor", "floor_holds", "step_weights",
    "FLOOR", "RunCertificate", "certified_prefix", "certify_run", "prefix_max_age", "step_floor",
    "MEASURED", "CriticalMap", "ProvableRegion", "RunChecks", "critical_map", "provable_region",
]
