"""Problem batches with known optima: quadratics, tilted non-quadratics, finite sums."""

from solvers.problems.base import ProblemBatch
from solvers.problems.finite_sum import FiniteSumBatch, make_finite_sums
from solvers.problems.quadratic import QuadraticBatch, make_quadratics
from solvers.problems.spectra import SPECTRA, orthogonal_bases, spectrum
from solvers.problems.tilted import TILTED_FAMILIES, TiltedBatch, make_tilted

__all__ = [
    "ProblemBatch", "QuadraticBatch", "TiltedBatch", "FiniteSumBatch",
    "make_quadratics", "make_tilted", "make_finite_sums",
    "SPECTRA", "TILTED_FAMILIES", "spectrum", "orthogonal_bases",
]
