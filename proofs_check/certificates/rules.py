r"""The ingredients of a certificate's proof, gathered so that the SDP and the verifier share them.

A certificate rests on two pieces of mathematics (:mod:`memgd.proofs_check.certificates.lyapunov_model`):

- the *step model*: the Gram-matrix description of one step, in particular the
  interpolation inequalities :math:`I_{ij} \ge 0` that every function of the class satisfies
  and the order of time in the decrease :math:`V_{k+1} - \rho^2 V_k`;
- the *transient constant* :math:`c` with :math:`V_0 \le c\,\|x_0 - x_\star\|^2`.

:data:`CLASS_RULES` holds the sound ones.  The SDP builder, the float64 verifier and
:func:`memgd.proofs_check.certificates.certify.make_certifier` take a :class:`ProofRules`,
so that a test can hand them a deliberately broken ingredient (an inequality that holds only
on quadratics, a dropped pair, a wrong constant, a reversed decrease) and show that the
report's checks then fail: verification against the *same* model cannot catch a wrong
model; only the lower bounds of :mod:`memgd.proofs_check.lower_bounds` can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from memgd.proofs_check.certificates.lyapunov_model import StepModel, step_model, transient_constant
from memgd.theory.pattern import Pattern

ModelFn = Callable[[float, float, float, Pattern, int], StepModel]
TransientFn = Callable[[float, float, np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class ProofRules:
    """``model(mu, L, alpha, pattern, T)`` builds the step model; ``transient(mu, L, P, p)`` gives c."""

    model: ModelFn = step_model
    transient: TransientFn = transient_constant


CLASS_RULES = ProofRules()
