"""memgd.proofs_check.sweeps: rates of any memory rule swept over step sizes or memory sizes.

It holds :func:`rate_sweep` (one rule, several steps) and :func:`memory_sweep` (a family
of rules indexed by a memory size, one step), which measure the empirical rate of any
(selection, combination, base optimizer) on a batch of problems and put beside it every
bound that applies, each marked "not available" with its reason where it does not;
:func:`rule_patterns` says which fixed patterns a named rule can use (the input of the
certificates and of the exact quadratic rate).  It may import :mod:`memgd.solvers`,
:mod:`memgd.theory`, :mod:`memgd.proofs_check.certificates` and
:mod:`memgd.proofs_check.report.empirical`; never :mod:`memgd.figures`, which draws its
results (:func:`memgd.figures.draw_rate_sweep`).
"""

from memgd.proofs_check.sweeps.rule_patterns import RulePatterns, rule_patterns
from memgd.proofs_check.sweeps.rates import BOUND_NAMES, BoundColumn, RateSweep, memory_sweep, rate_sweep

__all__ = ["rate_sweep", "memory_sweep", "RateSweep", "BoundColumn", "BOUND_NAMES", "rule_patterns", "RulePatterns"]
