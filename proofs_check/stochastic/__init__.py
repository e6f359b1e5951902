"""memgd.proofs_check.stochastic: Theorem S (docs/math/theorem_s.md) on seeded minibatch runs.

- :mod:`~memgd.proofs_check.stochastic.noise`: the noise models (sigma2, zeta2) of finite-sum and softmax
  problems, exact from their components, and the two-point family of the selection-bias lower bound;
- :mod:`~memgd.proofs_check.stochastic.rules`: which rules are oblivious to the noise (part A) or only
  predictable (part B), and two rules that exist to test the theorem: :class:`NoiseAligned` (keeps the
  stored gradients whose noise points one way) and :class:`BlockReuse` (reuses one sample T times);
- :mod:`~memgd.proofs_check.stochastic.monte_carlo`: the bound checked in expectation over many seeded
  runs at once (the batch axis is the Monte Carlo axis), with a stated confidence;
- :mod:`~memgd.proofs_check.stochastic.steps`: every proof step on traced runs (pathwise steps per
  step, expectation steps by Monte Carlo);
- :mod:`~memgd.proofs_check.stochastic.selection_bias`: the noise floor of the critical rule against
  FIFO and plain SGD at equal step, against the decay and the batch size.

Imports :mod:`memgd.solvers` and :mod:`memgd.theory` only.
"""

from memgd.proofs_check.stochastic.monte_carlo import TheoremSCheck, check_theorem_s, run_copies
from memgd.proofs_check.stochastic.noise import (
    NoiseModel, finite_sum_noise_models, minibatch_factor, noise_models, noise_variance, softmax_noise_models,
    two_point_problems,
)
from memgd.proofs_check.stochastic.rules import BlockReuse, NoiseAligned, is_oblivious

__all__ = [
    "NoiseModel", "noise_models", "finite_sum_noise_models", "softmax_noise_models", "noise_variance",
    "minibatch_factor", "two_point_problems",
    "NoiseAligned", "BlockReuse", "is_oblivious",
    "TheoremSCheck", "check_theorem_s", "run_copies",
]
