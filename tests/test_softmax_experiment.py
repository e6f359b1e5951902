"""Softmax regression with L2 (a problem family on data) and the paper's convergence experiment, small."""

import numpy as np
import pytest

from memgd.solvers import make_optimizer, run_optimizer
from memgd.solvers.problems import make_softmax


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3))
    y = rng.integers(0, 3, 40)
    return X, y, make_softmax(X, y, l2=0.1, n=2)


def test_x_star_is_stationary_and_gradient_matches_values(small):
    X, y, P = small
    assert np.linalg.norm(P.grad(P.x_star), axis=1).max() <= 1e-12
    x = P.x_star + 0.3 * np.random.default_rng(0).standard_normal(P.x_star.shape)
    g = P.grad(x)
    h = 1e-6
    for j in (0, 5, P.d - 1):
        e = np.zeros_like(x)
        e[:, j] = h
        fd = (P.value(x + e) - P.value(x - e)) / (2 * h)
        np.testing.assert_allclose(fd, g[:, j], rtol=0, atol=1e-8)
    assert np.all(P.value(x) > P.f_star)


def test_mu_is_the_l2_weight_exactly_and_L_bounds_the_hessian(small):
    X, y, P = small
    for scale in (0.0, 1.0, 5.0):
        x = P.x_star + scale * np.random.default_rng(1).standard_normal(P.x_star.shape)
        eig = np.linalg.eigvalsh(P.hessian(x))
        np.testing.assert_allclose(eig[:, 0], P.mu, rtol=1e-9)
        assert np.all(eig[:, -1] <= P.L * (1 + 1e-12))
        fd = (P.grad(x + 1e-6 * np.eye(P.d)[3]) - P.grad(x - 1e-6 * np.eye(P.d)[3])) / 2e-6
        np.testing.assert_allclose(fd, P.hessian(x)[:, :, 3], atol=1e-7)


def test_full_minibatch_is_the_gradient_and_bad_input_raises(small):
    X, y, P = small
    x = P.x_star + 0.1
    np.testing.assert_allclose(P.minibatch_grad(x, P.m, np.random.default_rng(0)), P.grad(x), atol=1e-14)
    with pytest.raises(ValueError, match="l2"):
        make_softmax(X, y, l2=0.0)
    with pytest.raises(ValueError, match="labels"):
        make_softmax(X, y[:-1])
    with pytest.raises(ValueError, match="batch_size"):
        P.minibatch_grad(x, P.m + 1, np.random.default_rng(0))


def test_sgd_c_converges_linearly_on_softmax_with_full_gradients(small):
    X, y, P = small
    res = run_optimizer(P, make_optimizer("sgd_c"), 1.0 / (2 * P.L[0]), 3000, tol=1e-10)
    assert np.all(res.nit < 3000)  # converged to 1e-10 r_0


@pytest.fixture(scope="module")
def experiment():
    pytest.importorskip("sklearn")
    from memgd.proofs_check.report.convergence_experiment import Settings, convergence_data

    settings = Settings(lrs=(1e-1, 1e-2), seeds=(1, 2), epochs=2, rows=120, l2=0.5, full_steps=100,
                        optimizers=(("sgd", None), ("sgd_c", "sum")))
    return convergence_data(settings)


def test_convergence_experiment_small_version(experiment):
    from memgd.proofs_check.report.convergence_experiment import convergence_section

    result = experiment
    assert result.gaps.shape == (2, 3, 2, 2) and result.accuracy.shape == (2, 2, 2)
    assert np.all(np.isfinite(result.gaps)) and np.all(result.gaps[:, -1] < result.gaps[:, 0])
    assert result.mu == 0.5 and result.L_at_x_star <= result.L
    assert len(result.theory) == 4 and all(t.T >= result.settings.top_c for t in result.theory)
    sec = convergence_section(lambda m: None, result=result)
    assert len(sec.rows) == 4
    assert sec.checks and not sec.failed, [c.detail for c in sec.failed]


def test_convergence_figure_draws_every_optimizer(experiment):
    from memgd.figures.convergence_experiment import draw_convergence_experiment

    fig = draw_convergence_experiment(experiment)
    gids = {line.get_gid() for ax in fig.axes for line in ax.get_lines()}
    assert {"gap:sgd", "gap:sgd_c/sum", "sweep:sgd", "distance:sgd:0.1", "noise:0.1"} <= gids
    assert sum(g.startswith("full:") for g in gids) == 4


def test_scrambled_labels_learn_nothing_about_digits(experiment):
    """Labels drawn apart from their rows (the reference's loading) give near-chance test accuracy."""
    assert experiment.scrambled_accuracy <= 0.35 < float(np.max(experiment.accuracy))


def test_without_scikit_learn_the_library_imports_and_the_section_says_why(monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    from memgd.proofs_check.report.convergence_experiment import convergence_section

    sec = convergence_section(lambda m: None)
    assert "not available" in sec.title and "memgd[examples]" in sec.rows[0]["reason"]
    assert not sec.checks
