"""Bad input raises ValueError naming the parameter and its allowed range."""

import numpy as np
import pytest

from memgd.solvers import Aggregation, CriticalGradients, Fifo, KeepOldest, Scripted, make_quadratics, make_tilted, run


@pytest.fixture
def P():
    return make_quadratics(2, 3, rng=np.random.default_rng(0))


@pytest.mark.parametrize("kwargs, name", [
    (dict(mu=0.0), "mu"), (dict(mu=-1.0), "mu"), (dict(mu=2.0, L=1.0), "L"),
    (dict(mu=np.nan), "mu"), (dict(L=np.inf), "L"), (dict(n=0), "n"), (dict(d=0), "d"),
    (dict(spectrum_kind="cauchy"), "spectrum"), (dict(mu=[1.0, 2.0, 3.0]), "mu"),
])
def test_bad_problem_parameters(kwargs, name):
    args = dict(n=2, d=3, mu=1.0, L=10.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        make_quadratics(args.pop("n"), args.pop("d"), args.pop("mu"), args.pop("L"),
                        rng=np.random.default_rng(0), **args)


def test_bad_tilted_family():
    with pytest.raises(ValueError, match="family"):
        make_tilted(2, 3, family="cubic", rng=np.random.default_rng(0))


@pytest.mark.parametrize("decay", [0.0, -0.5, 1.5, np.nan])
def test_decay_outside_half_open_unit_interval(decay):
    with pytest.raises(ValueError, match=r"decay must be in \(0, 1\]"):
        CriticalGradients(5, decay)


@pytest.mark.parametrize("make, name", [
    (lambda: CriticalGradients(-1, 0.5), "top_c"), (lambda: CriticalGradients(2.5, 0.5), "top_c"),
    (lambda: CriticalGradients(3, 0.5, replacement="lifo"), "replacement"),
    (lambda: Fifo(-2), "capacity"), (lambda: KeepOldest(4, max_age=2), "capacity"),
    (lambda: Scripted(((0,),)), "ages"), (lambda: Scripted(((1, 1),)), "ages"),
    (lambda: Aggregation("median-max"), "aggregation"), (lambda: Aggregation("sum", np.nan), "kappa"),
])
def test_bad_rule_parameters(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("alpha", [0.0, -0.1, np.nan, [0.1, 0.1, 0.1]])
def test_bad_step_size(P, alpha):
    with pytest.raises(ValueError, match="alpha"):
        run(P, Fifo(1), Aggregation("sum"), alpha, 5)


@pytest.mark.parametrize("kwargs, name", [
    (dict(steps=0), "steps"), (dict(steps=2.5), "steps"),
    (dict(x0=np.zeros((3, 3))), "x0"), (dict(x0=np.full((2, 3), np.nan)), "x0"),
    (dict(tol=-1.0), "tol"), (dict(blowup=0.0), "blowup"), (dict(rng="seed"), "rng"),
])
def test_bad_run_arguments(P, kwargs, name):
    args = dict(steps=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        run(P, Fifo(1), Aggregation("sum"), 0.1, args.pop("steps"), **args)
