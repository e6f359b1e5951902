r"""Theorem S for a user's rule with stochastic gradients: the part of :func:`memgd.proofs_check.verify_rule`
that runs when the rule is used with minibatch gradients (``verify_rule(..., batch_size=b)``).

Each example (drawn by hypothesis, shrunk on failure): a least-squares finite sum
(:func:`memgd.solvers.make_finite_sums`, d in 2..5, 16 components, condition number 1..``max_kappa``), a
step as a fraction of half the rule's largest admissible deterministic step, and ``runs`` seeded copies run
with minibatches of size b; Theorem S's bound is checked in expectation
(:func:`~memgd.proofs_check.stochastic.monte_carlo.check_theorem_s`).  Part A applies only when the rule is
oblivious to the noise: the built-in rules are classified by
:func:`~memgd.proofs_check.stochastic.rules.is_oblivious`; a user's rule declares it with an attribute
``noise_oblivious = True`` on its selection and its combination (a rule that declares it falsely and keeps
samples by their noise is caught when part A's bound fails).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memgd.proofs_check.stochastic.monte_carlo import TheoremSCheck, check_theorem_s
from memgd.solvers import make_finite_sums


@dataclass(frozen=True)
class StochasticExample:
    kappa: float
    d: int
    seed: int
    fraction: float
    alpha: float
    steps: int
    batch_size: int
    check: TheoremSCheck

    @property
    def problems(self) -> list[str]:
        """What went wrong (empty when the bound held or was vacuous)."""
        c = self.check
        if c.status != "violated":
            return []
        return [f"Theorem S (part {c.part}) fails in expectation: the mean of r_k^2 exceeds the bound beyond "
                f"{c.z:.2f} standard errors (upper confidence / bound {c.worst_margin:.3g}) at kappa = {self.kappa:.4g}, "
                f"alpha = {self.alpha:.4g}, b = {self.batch_size}"]

    @property
    def reproducer(self) -> str:
        return (f"problem = make_finite_sums(1, {self.d}, m=16, mu=1.0, L={self.kappa!r}, interpolating=False, "
                f"spread=0.1, rng=np.random.default_rng({self.seed}))\n"
                f"check = check_theorem_s(problem, selection, combination, {self.alpha!r}, {self.steps}, "
                f"batch_size={self.batch_size}, runs={self.check.runs}, seed={self.seed})")


def stochastic_example(selection, combination, *, kappa: float, d: int, seed: int, fraction: float, top: float,
                       batch_size: int, runs: int) -> StochasticExample:
    """Run and check one example (``top``: the rule's largest admissible deterministic step at mu = 1, L = kappa)."""
    problem = make_finite_sums(1, d, m=16, mu=1.0, L=kappa, interpolating=False, spread=0.1,
                               rng=np.random.default_rng(seed))
    alpha = fraction * 0.5 * top
    steps = int(min(np.ceil(6.0 / alpha), 3000))
    check = check_theorem_s(problem, selection, combination, alpha, steps, batch_size=min(batch_size, 16), runs=runs,
                            seed=seed, label="user rule")
    return StochasticExample(kappa, d, seed, fraction, alpha, steps, batch_size, check)


class TheoremSViolation(AssertionError):
    """Theorem S failed on an example; ``example`` is the smallest failing one found."""

    def __init__(self, example: StochasticExample):
        self.example = example
        super().__init__("; ".join(example.problems))


def verify_theorem_s(selection, combination, admissible_step, *, batch_size: int, examples: int, runs: int,
                     max_kappa: float, seed: int, shrink_seconds: float = 20.0) -> list[StochasticExample]:
    """``examples`` hypothesis-drawn examples; raises :class:`TheoremSViolation` with the smallest failing example
    hypothesis finds within ``shrink_seconds`` of shrinking when Theorem S's bound is violated."""
    seen: list[StochasticExample] = []
    failing: dict[tuple, StochasticExample] = {}
    first_failure: list[float] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow], print_blob=False)
    @given(log_kappa=st.floats(0.0, float(np.log10(max_kappa))), d=st.integers(2, 5),
           run_seed=st.integers(0, 2**31 - 1), fraction=st.floats(0.05, 0.9))
    def holds(log_kappa, d, run_seed, fraction):
        key = (log_kappa, d, run_seed, fraction)
        if first_failure and time.monotonic() - first_failure[0] > shrink_seconds:
            if key in failing:          # budget spent: replay only what is known to fail
                raise TheoremSViolation(failing[key])
            return
        kappa = float(10.0**log_kappa)
        top = admissible_step(1.0, kappa)
        if not np.isfinite(top) or top <= 0:
            return
        ex = stochastic_example(selection, combination, kappa=kappa, d=d, seed=run_seed ^ seed, fraction=fraction,
                                top=top, batch_size=batch_size, runs=runs)
        seen.append(ex)
        if ex.check.status == "violated":
            failing[key] = ex
            first_failure[:] = first_failure or [time.monotonic()]
            raise TheoremSViolation(ex)

    holds()
    return seen
