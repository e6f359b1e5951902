"""memgd.solvers: batched fixed-memory gradient methods on problems with known optima.

Knows nothing of the other memgd packages.
"""

from memgd.solvers.base_optimizers import (
    Adagrad, AdagradState, Adam, AdamState, BaseOptimizer, GradientDescent, Momentum, MomentumState, RMSprop,
    RMSpropState,
)
from memgd.solvers.comparison import DEFAULT_STEPS, ComparisonRow, compare_optimizers, format_rows
from memgd.solvers.combination import (
    AGGREGATIONS, AgeWeights, Aggregation, CombinationConstants, CombinationRule, FixedWeights, RandomWeights,
    direction,
)
from memgd.solvers.memory import MemoryState
from memgd.solvers.problems import (
    FiniteSumBatch, FunctionBatch, ProblemBatch, QuadraticBatch, TiltedBatch, make_finite_sums, make_quadratics,
    make_tilted, problem_from_functions, quadratic_problem,
)
from memgd.solvers.rates import envelope_rate, tail_rate
from memgd.solvers.rule_checks import (
    RuleCheckError, RuleInterfaceError, RuleValueError, check_combination, check_rules, check_selection,
)
from memgd.solvers.runner import RealizedConstants, RunResult, Trace, WeightDecay, run
from memgd.solvers.optimizers import (
    OPTIMIZERS, PLAIN, Optimizer, adagrad, adagrad_c, adam, adam_c, chain, make_optimizer, rmsprop, rmsprop_c,
    run_optimizer, sgd, sgd_c, sgdm, sgdm_c,
)
from memgd.solvers.reference_aggregation import ReferenceAggregation
from memgd.solvers.selection import CriticalGradients, ReferenceCriticalGradients, Fifo, KeepOldest, RandomSubset, Scripted, SelectionRule
from memgd.solvers.status import Status
from memgd.solvers.declarations import DeclaredClass, declared_class, declared_nonnegative, declared_patterns
from memgd.solvers.step_checks import RuleStepError

__all__ = [
    "run", "RunResult", "RealizedConstants", "Trace", "Status",
    "ProblemBatch", "QuadraticBatch", "TiltedBatch", "FiniteSumBatch",
    "make_quadratics", "make_tilted", "make_finite_sums",
    "FunctionBatch", "problem_from_functions", "quadratic_problem",
    "SelectionRule", "CriticalGradients", "ReferenceCriticalGradients", "ReferenceAggregation", "Fifo", "RandomSubset", "KeepOldest", "Scripted",
    "CombinationRule", "CombinationConstants", "Aggregation", "FixedWeights", "AgeWeights", "RandomWeights",
    "AGGREGATIONS", "direction", "MemoryState",
    "BaseOptimizer", "GradientDescent", "Momentum", "Adam", "RMSprop", "Adagrad",
    "MomentumState", "AdamState", "RMSpropState", "AdagradState", "WeightDecay",
    "Optimizer", "chain", "run_optimizer", "make_optimizer", "OPTIMIZERS", "PLAIN",
    "sgd", "sgdm", "adam", "rmsprop", "adagrad", "sgd_c", "sgdm_c", "adam_c", "rmsprop_c", "adagrad_c",
    "compare_optimizers", "ComparisonRow", "DEFAULT_STEPS", "format_rows",
    "tail_rate", "envelope_rate",
    "check_rules", "check_selection", "check_combination", "RuleCheckError", "RuleInterfaceError", "RuleValueError",
    "RuleStepError", "declared_nonnegative", "declared_patterns", "declared_class", "DeclaredClass",
]
