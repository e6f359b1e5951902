"""The engine's faster paths give the bits of the plain formulas (the same operations in an order that
changes nothing: a sum of two terms in either order, a product by exactly 1, x + (-y) = x - y)."""

from dataclasses import dataclass

import numpy as np

from memgd.solvers import Aggregation, CriticalGradients, GradientDescent, make_quadratics, run
from memgd.solvers.combination import direction
from memgd.solvers.memory import MemoryState


def _old_direction(g, mem, a, b):
    d = a[:, None] * g
    if mem.slots and b.any():
        d += np.matmul(b[:, None, :], mem.grads)[:, 0, :]
    return d


def test_direction_is_a_g_plus_the_memory_term_bit_for_bit():
    rng = np.random.default_rng(0)
    n, S, d = 37, 5, 6
    mem = MemoryState(grads=rng.standard_normal((n, S, d)), priority=np.zeros((n, S)), norm=np.zeros((n, S)),
                      born=np.zeros((n, S), dtype=np.int64), filled=np.ones((n, S), dtype=bool))
    g = rng.standard_normal((n, d))
    for a in (np.ones(n), rng.uniform(0.1, 2.0, n), np.where(rng.random(n) < 0.5, 1.0, 0.5)):
        for b in (rng.standard_normal((n, S)), np.zeros((n, S)), np.where(rng.random((n, S)) < 0.3, 0.2, 0.0)):
            np.testing.assert_array_equal(direction(g, mem, a, b), _old_direction(g, mem, a, b))
            out = np.full((n, d), np.nan)
            assert direction(g, mem, a, b, out=out) is out
            np.testing.assert_array_equal(out, _old_direction(g, mem, a, b))


@dataclass(frozen=True)
class SlowGradientDescent(GradientDescent):
    """Gradient descent that the engine does not recognise: it runs through base.step."""


def test_the_inlined_gradient_step_equals_the_base_optimizer_step():
    P = make_quadratics(6, 5, rng=np.random.default_rng(1))
    rules = (CriticalGradients(3, 0.7), Aggregation("mean", 0.8))
    fast = run(P, *rules, np.linspace(0.01, 0.05, 6), 60, tol=0.0, trace=True)
    slow = run(P, *rules, np.linspace(0.01, 0.05, 6), 60, tol=0.0, trace=True, base=SlowGradientDescent())
    np.testing.assert_array_equal(fast.trace.iterates, slow.trace.iterates)
    np.testing.assert_array_equal(fast.distances, slow.distances)
