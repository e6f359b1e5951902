"""The vectorized "_C" chains equal a slow per-problem reference of the reference implementation's steps."""

import numpy as np
import pytest

from memgd.solvers import AGGREGATIONS, make_finite_sums, make_optimizer, make_quadratics, make_tilted, run_optimizer

from reference_optimizers import run_one

KINDS = ("sgd_c", "sgdm_c", "adam_c", "rmsprop_c", "adagrad_c")
STEPS = {"sgd_c": (0.01, 0.05), "sgdm_c": (0.001, 0.004), "adam_c": (0.005, 0.03), "rmsprop_c": (0.001, 0.01),
         "adagrad_c": (0.1, 1.0)}


def _configs(count):
    rng = np.random.default_rng(20260311)
    out = []
    for i in range(count):
        kind = KINDS[i % 5]
        ref = bool((i // 5) % 2)
        cfg = dict(
            kind=kind, reference_compatible=ref,
            weight_decay=float(rng.uniform(0.05, 0.5)) if (i // 10) % 2 else 0.0,
            stochastic=bool((i // 20) % 2),
            aggregation=AGGREGATIONS[i % len(AGGREGATIONS)],
            kappa=float(rng.choice([rng.uniform(0.2, 1.5), rng.uniform(0.2, 1.5), -0.3, 0.0])),
            top_c=int(rng.integers(1, 7)), decay=float(rng.uniform(0.3, 0.99)),
            critical_test=bool(rng.integers(2)),
            alpha=float(rng.uniform(*STEPS[kind])),
            family=str(rng.choice(["quadratic", "logistic"])), seed=int(rng.integers(2**31)),
        )
        options = {}
        if kind in ("sgd_c", "sgdm_c"):
            options["momentum"] = float(rng.uniform(0.5, 0.9)) if kind == "sgdm_c" else 0.0
            nesterov = kind == "sgdm_c" and not ref and bool(rng.integers(2))
            options["nesterov"] = nesterov
            options["dampening"] = 0.0 if nesterov else float(rng.choice([0.0, 0.3]))
        elif kind == "adam_c":
            options["betas"] = (float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999)))
            options["amsgrad"] = bool(rng.integers(2))
        elif kind == "rmsprop_c":
            options["rho"] = float(rng.uniform(0.8, 0.999))
            options["centered"] = bool(rng.integers(2))
            options["momentum"] = float(rng.choice([0.0, rng.uniform(0.1, 0.8)]))
        else:
            options["lr_decay"] = float(rng.choice([0.0, rng.uniform(0.01, 0.5)]))
            options["eps"] = float(rng.choice([1e-10, 1e-6]))
        cfg["options"] = options
        out.append(cfg)
    return out


CONFIGS = _configs(80)


def test_configs_cover_every_optimizer_mode_weight_decay_and_gradient_kind():
    seen = {(c["kind"], c["reference_compatible"], c["weight_decay"] > 0, c["stochastic"]) for c in CONFIGS}
    assert len(seen) == 5 * 2 * 2 * 2
    assert {c["aggregation"] for c in CONFIGS} == set(AGGREGATIONS)
    assert {c["kappa"] for c in CONFIGS} >= {0.0, -0.3}


def _oracles(cfg, problems, n, m, batch, steps):
    """Per-problem gradient callables grad(x, k) matching the engine's draws."""
    if not cfg["stochastic"]:
        def full(i):
            return lambda x, k: problems.grad(np.repeat(x[None, :], n, axis=0))[i]
        return [full(i) for i in range(n)]
    # replay the run's generator: one (n, m) uniform draw per step, first `batch` of the argsort
    replay = np.random.default_rng(cfg["seed"])
    picks = [np.argsort(replay.random((n, m)), axis=1)[:, :batch] for _ in range(steps)]

    def mini(i):
        def grad(x, k):
            idx = picks[k][i]
            return np.mean([problems.H[i, j] @ (x - problems.centers[i, j]) for j in idx], axis=0)
        return grad
    return [mini(i) for i in range(n)]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c['kind']}-ref{int(c['reference_compatible'])}"
                         f"-wd{int(c['weight_decay'] > 0)}-st{int(c['stochastic'])}-{c['aggregation']}")
def test_chain_matches_per_problem_reference(cfg):
    rng = np.random.default_rng(cfg["seed"] + 1)
    n, d, steps, m, batch = 3, 4, 50, 6, 2
    if cfg["stochastic"]:
        problems = make_finite_sums(n, d, m, 1.0, 10.0, interpolating=False, rng=rng)
    elif cfg["family"] == "quadratic":
        problems = make_quadratics(n, d, 1.0, 10.0, rng=rng)
    else:
        problems = make_tilted(n, d, 1.0, 10.0, family="logistic", rng=rng)
    x0 = problems.start_points(rng)
    common = {k: cfg[k] for k in ("kappa", "top_c", "decay", "aggregation", "critical_test", "weight_decay",
                                  "reference_compatible")}
    optimizer = make_optimizer(cfg["kind"], **common, **cfg["options"])
    result = run_optimizer(problems, optimizer, cfg["alpha"], steps, x0=x0, tol=0.0, rng=cfg["seed"], trace=True,
                           batch_size=batch if cfg["stochastic"] else None)
    for i, grad in enumerate(_oracles(cfg, problems, n, m, batch, steps)):
        xs = run_one(grad, x0[i], cfg["alpha"], steps, kind=cfg["kind"], **common, **cfg["options"])
        upto = int(result.nit[i])
        assert upto >= 10, f"problem {i} stopped at step {upto}: the comparison would be vacuous"
        engine = result.trace.iterates[: upto + 1, i]
        scale = np.maximum(1.0, np.linalg.norm(xs[: upto + 1], axis=1))
        err = np.linalg.norm(engine - xs[: upto + 1], axis=1) / scale
        assert err.max() <= 1e-12, f"problem {i}: max relative iterate error {err.max():.2e}"
