"""memgd.theory: the theorem, its proof steps and constants (sympy), exact quadratic rates.

Symbolic: :data:`THEOREM_1`, :data:`THEOREM_1B`, :data:`THEOREM_2`, :data:`THEOREM_S` (statements),
:data:`LEMMAS` (proof steps L1-L6 and derived claims), :data:`LEMMAS_2` (Theorem 2's
steps T2.1-T2.7 and claims), :data:`LEMMAS_S` (Theorem S's steps and claims).  Theorem S numerics
(stochastic gradients): :func:`stochastic_bound`, :func:`best_stochastic_bound`, :func:`signed_bound`.
The tight Halanay root of lemma L6: :func:`halanay_root`.  Every theorem's rate as a function of the
declared constants, for registries: :data:`THEOREM_RATES`.  Theorem 2 numerics: :func:`rate2`, :func:`transient2`,
:func:`alpha_max2`, :func:`optimal_step2`, :func:`iterations2`.  Numeric (keyword-only, vectorized): :func:`rate`,
:func:`alpha_max`, :func:`optimal_step`, :func:`rate_at_optimal_step`,
:func:`iteration_count`, :func:`best_bound`; per aggregation:
:func:`aggregation_constants`, :func:`aggregation_bounds`, :func:`promise`.
Exact rates on quadratics: :func:`exact_rate`, :func:`critical_step`.
"""

from memgd.theory.aggregations import (
    AGGREGATIONS, Constants, aggregation_bounds, aggregation_constants, aggregation_weights, promise,
)
from memgd.theory.constants import (
    Bound, alpha_max, best_bound, iteration_count, optimal_step, rate, rate_at_optimal_step,
)
from memgd.theory.constants2 import alpha_max2, iterations2, optimal_step2, rate2, transient2
from memgd.theory.constants_s import StochasticBound, best_stochastic_bound, signed_bound, stochastic_bound
from memgd.theory.halanay import halanay_root
from memgd.theory.lemmas_s import LEMMAS_S
from memgd.theory.registry import THEOREM_RATES
from memgd.theory.theorem_s import THEOREM_S
from memgd.theory.lambdify import NumpyFunction, numpy_function
from memgd.theory.lemmas2 import LEMMAS_2
from memgd.theory.lemmas import CLAIMS, LEMMAS, PROOF_STEPS, Lemma, ProofStatus
from memgd.theory.pattern import Pattern
from memgd.theory.quadratic_rate import QuadraticRate, critical_step, exact_rate, quadratic_rate
from memgd.theory.theorem import THEOREM_1, THEOREM_1B, THEOREMS, Theorem
from memgd.theory.theorem2 import THEOREM_2

__all__ = [
    "Pattern",
    "Theorem", "THEOREM_1", "THEOREM_1B", "THEOREMS", "THEOREM_2", "LEMMAS_2", "THEOREM_S", "LEMMAS_S",
    "StochasticBound", "stochastic_bound", "best_stochastic_bound", "signed_bound", "halanay_root", "THEOREM_RATES",
    "rate2", "transient2", "alpha_max2", "optimal_step2", "iterations2",
    "Lemma", "ProofStatus", "LEMMAS", "PROOF_STEPS", "CLAIMS",
    "NumpyFunction", "numpy_function",
    "Bound", "rate", "alpha_max", "optimal_step", "rate_at_optimal_step", "iteration_count", "best_bound",
    "AGGREGATIONS", "Constants", "aggregation_weights", "aggregation_constants", "aggregation_bounds", "promise",
    "QuadraticRate", "exact_rate", "quadratic_rate", "critical_step",
]
