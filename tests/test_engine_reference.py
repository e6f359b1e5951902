"""The vectorized engine equals a slow per-problem reference of the critical-gradient rule."""

import numpy as np
import pytest

from memgd.solvers import AGGREGATIONS, Aggregation, CriticalGradients, make_quadratics, make_tilted, run

from reference_critical import run_one


def _configs(count):
    rng = np.random.default_rng(20261124)
    out = []
    for i in range(count):
        out.append(dict(
            aggregation=AGGREGATIONS[i % len(AGGREGATIONS)],
            critical_test=bool((i // len(AGGREGATIONS)) % 2),
            top_c=int(rng.integers(1, 7)),
            decay=float(rng.uniform(0.3, 1.0)),
            kappa=float(rng.choice([rng.uniform(0.1, 2.0), rng.uniform(-0.5, 0.0)])),
            alpha=float(rng.uniform(0.005, 0.06)),
            family=str(rng.choice(["quadratic", "logistic", "huber"])),
            seed=int(rng.integers(2**31)),
        ))
    return out


CONFIGS = _configs(72)  # 4 per (aggregation, critical_test) pair


def test_configs_cover_every_aggregation_and_both_tests():
    seen = {(c["aggregation"], c["critical_test"]) for c in CONFIGS}
    assert seen == {(a, t) for a in AGGREGATIONS for t in (False, True)}


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c['aggregation']}-ct{int(c['critical_test'])}-{c['family']}")
def test_engine_matches_per_problem_reference(cfg):
    rng = np.random.default_rng(cfg["seed"])
    n, d, steps = 3, 4, 60
    if cfg["family"] == "quadratic":
        problems = make_quadratics(n, d, 1.0, 10.0, rng=rng)
    else:
        problems = make_tilted(n, d, 1.0, 10.0, family=cfg["family"], rng=rng)
    x0 = problems.start_points(rng)
    rule = CriticalGradients(cfg["top_c"], cfg["decay"], critical_test=cfg["critical_test"])
    result = run(problems, rule, Aggregation(cfg["aggregation"], cfg["kappa"]), cfg["alpha"], steps,
                 x0=x0, tol=0.0, trace=True)
    for i in range(n):
        def grad(x, i=i):
            batch = np.repeat(x[None, :], n, axis=0)
            return problems.grad(batch)[i]

        xs, max_ages = run_one(grad, x0[i], cfg["alpha"], steps, top_c=cfg["top_c"], decay=cfg["decay"],
                               kappa=cfg["kappa"], aggregation=cfg["aggregation"],
                               critical_test=cfg["critical_test"])
        upto = int(result.nit[i])
        engine = result.trace.iterates[: upto + 1, i]
        scale = np.maximum(1.0, np.linalg.norm(xs[: upto + 1], axis=1))
        err = np.linalg.norm(engine - xs[: upto + 1], axis=1) / scale
        assert err.max() <= 1e-12, f"problem {i}: max relative iterate error {err.max():.2e}"
        np.testing.assert_array_equal(result.max_age[:upto, i], max_ages[:upto])
