"""Problem batches with known optima: quadratics, tilted non-quadratics, finite sums, softmax
regression on data, your own functions (:mod:`~memgd.solvers.problems.user`) and logistic regression
on real data (:mod:`~memgd.solvers.problems.datasets`)."""

from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.problems.finite_sum import FiniteSumBatch, make_finite_sums
from memgd.solvers.problems.quadratic import QuadraticBatch, make_quadratics
from memgd.solvers.problems.softmax import SoftmaxBatch, make_softmax
from memgd.solvers.problems.spectra import SPECTRA, orthogonal_bases, spectrum
from memgd.solvers.problems.tilted import TILTED_FAMILIES, TiltedBatch, make_tilted
from memgd.solvers.problems.user import FunctionBatch, problem_from_functions, quadratic_problem
from memgd.solvers.problems.datasets import LogisticRegressionBatch, breast_cancer, logistic_regression

__all__ = [
    "ProblemBatch", "QuadraticBatch", "TiltedBatch", "FiniteSumBatch", "SoftmaxBatch", "make_softmax",
    "make_quadratics", "make_tilted", "make_finite_sums",
    "SPECTRA", "TILTED_FAMILIES", "spectrum", "orthogonal_bases",
    "FunctionBatch", "problem_from_functions", "quadratic_problem",
    "LogisticRegressionBatch", "logistic_regression", "breast_cancer",
]
