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

The names are imported on first use (PEP 562): ``python -m memgd.proofs_check`` checks its
arguments before cvxpy, PEPit, sympy or hypothesis are loaded, so a usage error costs
well under a second.
"""

from __future__ import annotations

import importlib

# public name -> module that defines it
_EXPORTS = {
    "BoundCheck": "properties.bound_check", "check_declared": "properties.bound_check",
    "check_distance_bound": "properties.bound_check", "check_realized": "properties.bound_check",
    "Certificate": "certificates.certify", "certify": "certificates.certify",
    "LemmaCheck": "properties.lemma_checks", "check_lemmas": "properties.lemma_checks",
    "aggregation_patterns": "certificates.patterns", "aggregation_weights": "certificates.patterns",
    "fixed_age_weights": "certificates.patterns", "patterns_for_subsets": "certificates.patterns",
    "PEPitResult": "certificates.pepit_worst_case", "pepit_worst_case": "certificates.pepit_worst_case",
    "RuleViolation": "properties.verify_rule", "VerifyReport": "properties.verify_rule",
    "verify_rule": "properties.verify_rule",
    "Verification": "certificates.verify", "verify": "certificates.verify",
    "RateSweep": "sweeps", "memory_sweep": "sweeps", "rate_sweep": "sweeps",
}
_SUBMODULES = {"strategies": "properties.strategies"}

__all__ = [
    "verify_rule", "RuleViolation", "VerifyReport",
    "certify", "Certificate", "verify", "Verification",
    "patterns_for_subsets", "aggregation_patterns", "aggregation_weights", "fixed_age_weights",
    "pepit_worst_case", "PEPitResult",
    "check_lemmas", "LemmaCheck",
    "BoundCheck", "check_distance_bound", "check_realized", "check_declared",
    "rate_sweep", "memory_sweep", "RateSweep",
]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{_SUBMODULES[name]}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
