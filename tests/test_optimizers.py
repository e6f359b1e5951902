"""Base optimizers and named chains: degenerate settings, hand-computed steps, reference oddities."""

import numpy as np
import pytest

from memgd.solvers import (
    PLAIN, Adagrad, Adam, Aggregation, CriticalGradients, GradientDescent, Momentum, RMSprop, WeightDecay, adam_c,
    chain, make_finite_sums, make_optimizer, make_quadratics, rmsprop_c, run_optimizer, sgd, sgd_c, sgdm, sgdm_c,
)
from memgd.solvers.comparison import DEFAULT_STEPS, compare_optimizers

STEP = {"sgd_c": 0.05, "sgdm_c": 0.002, "adam_c": 0.02, "rmsprop_c": 0.005, "adagrad_c": 0.5}


@pytest.fixture(scope="module")
def quads():
    return make_quadratics(4, 5, 1.0, 10.0, rng=np.random.default_rng(7))


def _iterates(problems, optimizer, alpha, steps=60, **options):
    x0 = problems.start_points(np.random.default_rng(3))
    return run_optimizer(problems, optimizer, alpha, steps, x0=x0, tol=0.0, trace=True, **options).trace.iterates


# -- memory switched off is the plain optimizer, bit for bit -------------------------
# Same bits by construction: with kappa = 0 or no slot the combination returns a = 1, b = 0, and
# combination.direction skips the memory product when b is all zero, so d = 1 * g = g and the base
# optimizer then runs the same operations on the same arrays as the plain one.

OFF_CASES = [(name, off, ref, wd) for name in PLAIN for off in ("kappa", "top_c")
             for ref in (False, True) for wd in (0.0, 0.3)]


@pytest.mark.usefixtures("blas_threads")
@pytest.mark.parametrize("name,off,ref,wd", OFF_CASES, ids=lambda v: str(v))
def test_memory_off_is_the_plain_optimizer_bit_for_bit(quads, name, off, ref, wd):
    switch = {"kappa": 0.0} if off == "kappa" else {"top_c": 0}
    memory_c = make_optimizer(name, reference_compatible=ref, weight_decay=wd, **switch)
    plain_name = PLAIN[name]
    if ref and off == "kappa" and name == "sgdm_c":
        plain_name = "sgd"  # the reference's momentum sits inside `if kappa != 0` (oddity 1)
    plain = make_optimizer(plain_name, weight_decay=wd)
    np.testing.assert_array_equal(_iterates(quads, memory_c, STEP[name]), _iterates(quads, plain, STEP[name]))


@pytest.mark.usefixtures("blas_threads")
@pytest.mark.parametrize("name", sorted(PLAIN))
def test_memory_off_is_plain_with_minibatch_gradients_too(name):
    P = make_finite_sums(3, 4, 6, 1.0, 10.0, interpolating=False, rng=np.random.default_rng(5))
    off = _iterates(P, make_optimizer(name, kappa=0.0), STEP[name], batch_size=2, rng=11)
    plain = _iterates(P, make_optimizer(PLAIN[name]), STEP[name], batch_size=2, rng=11)
    np.testing.assert_array_equal(off, plain)


def test_memory_changes_the_iterates(quads):
    """Guard for the identities above: with memory on, each _C optimizer differs from its plain one."""
    for name in PLAIN:
        on = _iterates(quads, make_optimizer(name), STEP[name], steps=10)
        plain = _iterates(quads, make_optimizer(PLAIN[name]), STEP[name], steps=10)
        # step 0 uses g_0 alone (empty memory: b = 0, the product skipped): the same operations, the same bits
        np.testing.assert_array_equal(on[:2], plain[:2])
        assert np.abs(on[3:] - plain[3:]).max() > 1e-6, name


# -- hand-computed steps -------------------------------------------------------------

def _one_problem():
    P = make_quadratics(1, 3, 1.0, 10.0, rng=np.random.default_rng(2))
    x0 = P.start_points(np.random.default_rng(4))
    return P, x0


def _two_steps(base, alpha):
    P, x0 = _one_problem()
    res = run_optimizer(P, chain(CriticalGradients(0), Aggregation("sum", 0.0), base), alpha, 2, x0=x0, tol=0.0,
                        trace=True)
    g0, g1 = res.trace.gradients[0, 0], res.trace.gradients[1, 0]
    steps = np.diff(res.trace.iterates[:, 0], axis=0)
    return g0, g1, steps


def test_adam_first_two_steps_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    g0, g1, steps = _two_steps(Adam((b1, b2), eps), lr)
    # step 1: m = 0.1 g0, v = 0.001 g0^2; corrected m/0.1 = g0 and sqrt(v)/sqrt(0.001) = |g0|
    np.testing.assert_allclose(steps[0], -lr * g0 / (np.abs(g0) + eps), rtol=1e-13)
    m = 0.9 * 0.1 * g0 + 0.1 * g1
    v = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
    expected = -(lr / (1 - 0.81)) * m / (np.sqrt(v) / np.sqrt(1 - 0.999**2) + eps)
    np.testing.assert_allclose(steps[1], expected, rtol=1e-13)


def test_amsgrad_uses_the_running_max_of_the_second_moment():
    """Directions chosen so the first coordinate's v falls (1 -> 0.001) and the second's rises."""
    lr, alpha = 0.01, np.array([0.01])
    d0, d1 = np.array([[1.0, 1.0]]), np.array([[0.001, 2.0]])
    results = {}
    for amsgrad in (False, True):
        base = Adam(amsgrad=amsgrad)
        _, state = base.step(d0, base.init(np.zeros((1, 2))), alpha, 0)
        results[amsgrad], _ = base.step(d1, state, alpha, 1)
    v1 = 0.001 * d0**2
    v2 = 0.999 * v1 + 0.001 * d1**2
    m = 0.09 * d0 + 0.1 * d1
    for amsgrad, v_hat in ((False, v2), (True, np.maximum(v1, v2))):
        expected = -(lr / 0.19) * m / (np.sqrt(v_hat) / np.sqrt(1 - 0.999**2) + 1e-8)
        np.testing.assert_allclose(results[amsgrad], expected, rtol=1e-13)
    assert v1[0, 0] > v2[0, 0] and v1[0, 1] < v2[0, 1]
    assert results[True][0, 0] != results[False][0, 0] and results[True][0, 1] == results[False][0, 1]


def test_rmsprop_first_steps_by_hand():
    lr, rho, eps = 0.01, 0.99, 1e-8
    g0, g1, steps = _two_steps(RMSprop(rho, eps), lr)
    # no bias correction: v1 = 0.01 g0^2, step = -lr g0 / (0.1 |g0| + eps), about -10 lr sign(g0)
    np.testing.assert_allclose(steps[0], -lr * g0 / (0.1 * np.abs(g0) + eps), rtol=1e-13)
    v2 = 0.99 * 0.01 * g0**2 + 0.01 * g1**2
    np.testing.assert_allclose(steps[1], -lr * g1 / (np.sqrt(v2) + eps), rtol=1e-13)


def test_centered_rmsprop_with_momentum_by_hand():
    lr, rho, mom = 0.01, 0.9, 0.5
    g0, g1, steps = _two_steps(RMSprop(rho, 1e-8, mom, centered=True), lr)
    s0 = np.sqrt(0.1 * g0**2 - (0.1 * g0) ** 2) + 1e-8  # = sqrt(0.09) |g0| + eps
    np.testing.assert_allclose(steps[0], -lr * g0 / s0, rtol=1e-13)
    v, avg = 0.9 * 0.1 * g0**2 + 0.1 * g1**2, 0.9 * 0.1 * g0 + 0.1 * g1
    s1 = np.sqrt(v - avg**2) + 1e-8
    np.testing.assert_allclose(steps[1], -lr * (mom * g0 / s0 + g1 / s1), rtol=1e-13)


def test_adagrad_first_steps_by_hand():
    lr, decay = 0.5, 0.2
    g0, g1, steps = _two_steps(Adagrad(lr_decay=decay), lr)
    np.testing.assert_allclose(steps[0], -lr * g0 / (np.abs(g0) + 1e-10), rtol=1e-13)
    np.testing.assert_allclose(steps[1], -(lr / 1.2) * g1 / (np.sqrt(g0**2 + g1**2) + 1e-10), rtol=1e-13)


@pytest.mark.parametrize("nesterov,dampening", [(False, 0.0), (False, 0.3), (True, 0.0)])
def test_momentum_first_steps_by_hand(nesterov, dampening):
    lr, m = 0.02, 0.9
    g0, g1, steps = _two_steps(Momentum(m, dampening, nesterov), lr)
    b0 = g0  # the first buffer is g0, undampened
    b1 = m * b0 + (1 - dampening) * g1
    np.testing.assert_allclose(steps[0], -lr * (g0 + m * b0 if nesterov else b0), rtol=1e-13)
    np.testing.assert_allclose(steps[1], -lr * (g1 + m * b1 if nesterov else b1), rtol=1e-13)


def test_states_are_new_tuples_and_inputs_are_not_mutated():
    d = np.array([[1.0, -2.0]])
    alpha = np.array([0.1])
    for base in (Momentum(), Adam(amsgrad=True), RMSprop(momentum=0.5, centered=True), Adagrad()):
        state = base.init(np.zeros((1, 2)))
        before = [np.copy(f) for f in state if isinstance(f, np.ndarray)]
        _, new = base.step(d, state, alpha, 0)
        after = [f for f in state if isinstance(f, np.ndarray)]
        for b, a in zip(before, after):
            np.testing.assert_array_equal(a, b)  # unchanged inputs: compared with their copies, no arithmetic
        assert type(new) is type(state) and new is not state
    np.testing.assert_array_equal(d, [[1.0, -2.0]])


# -- reference oddities, each mode -------------------------------------------------------

@pytest.mark.usefixtures("blas_threads")
def test_reference_adam_c_reads_kappa_only_as_a_switch(quads):
    # the reference's Adam_C / RMSprop_C read kappa > 0 as kappa = 1 and kappa <= 0 as no memory: the rule is
    # rebuilt with those values, so the same operations run and the bits agree; a kappa left in the arithmetic
    # would change them
    ref_small = _iterates(quads, adam_c(kappa=0.3, reference_compatible=True), 0.02)
    ref_one = _iterates(quads, adam_c(kappa=1.0, reference_compatible=True), 0.02)
    np.testing.assert_array_equal(ref_small, ref_one)
    documented = _iterates(quads, adam_c(kappa=0.3), 0.02)
    assert np.abs(documented - ref_one).max() > 1e-6
    ref_neg = _iterates(quads, rmsprop_c(kappa=-0.5, reference_compatible=True), 0.005)
    np.testing.assert_array_equal(ref_neg, _iterates(quads, make_optimizer("rmsprop"), 0.005))


def test_reference_sgd_c_ranks_by_the_raw_norm_and_stores_the_decayed_gradient(quads):
    """Reference mode: priority ||g||, stored gradient g + lambda x; default mode ranks what it stores."""
    x0 = quads.start_points(np.random.default_rng(3))
    raw = quads.grad(x0)
    for ref, expected_priority in ((True, raw), (False, raw + 0.5 * x0)):
        opt = sgd_c(top_c=3, weight_decay=0.5, reference_compatible=ref)
        seen = []

        class Probe(CriticalGradients):
            def active(self, mem, k, rng):  # the memory as step k sees it
                seen.append((mem.priority.copy(), mem.norm.copy(), mem.grads.copy()))
                return super().active(mem, k, rng)

        probe = chain(Probe(3, opt.selection.decay), opt.combination, opt.base, weight_decay=opt.weight_decay)
        run_optimizer(quads, probe, 0.03, 2, x0=x0, tol=0.0)
        # the run's two steps are the last two calls (run's interface check probes the rule first)
        priority, norm, grads = seen[-1]
        decay = opt.selection.decay
        np.testing.assert_allclose(priority[:, 0], decay * np.linalg.norm(expected_priority, axis=1), rtol=1e-15)
        np.testing.assert_allclose(grads[:, 0], raw + 0.5 * x0, rtol=1e-15)
        np.testing.assert_allclose(norm[:, 0], np.linalg.norm(raw + 0.5 * x0, axis=1), rtol=1e-15)


def test_weight_decay_after_aggregation_moves_the_fixed_point():
    """With weight decay added after a "sum" aggregation (kappa 1), the reference's placement for
    Adam_C / RMSprop_C, gradient descent settles where grad f = -lambda x / 2; inside the gradient
    (the default) it settles at the minimizer of f + lambda/2 ||x||^2."""
    P = make_quadratics(3, 4, 1.0, 10.0, rng=np.random.default_rng(8))
    lam = 0.5
    x0 = P.start_points(np.random.default_rng(1))

    def settles_at(effective):
        A = P.A
        target = np.linalg.solve(A + effective * np.eye(P.d), np.matmul(A, P.x_star[..., None]))[..., 0]
        return target

    for where, effective in (("gradient", lam), ("direction", lam / 2)):
        opt = chain(CriticalGradients(4, 0.7), Aggregation("sum", 1.0), GradientDescent(),
                    weight_decay=WeightDecay(lam, where))
        res = run_optimizer(P, opt, 0.04, 1500, x0=x0, tol=0.0)
        np.testing.assert_allclose(res.x, settles_at(effective), atol=1e-9)


def test_covered_only_for_gradient_descent_with_memory_or_without():
    assert sgd().covered and sgd_c().covered and sgd_c(weight_decay=0.1, reference_compatible=True).covered
    assert not sgdm().covered and not sgdm_c().covered
    for name in ("adam", "adam_c", "rmsprop", "rmsprop_c", "adagrad", "adagrad_c"):
        assert not make_optimizer(name).covered
    direction = chain(CriticalGradients(), Aggregation(), weight_decay=WeightDecay(0.1, "direction"))
    assert not direction.covered


def test_bad_input_raises_value_error_naming_the_parameter():
    with pytest.raises(ValueError, match="nesterov"):
        sgdm_c(nesterov=True, reference_compatible=True)
    with pytest.raises(ValueError, match="replacement"):
        rmsprop_c(replacement="random", reference_compatible=True)
    with pytest.raises(ValueError, match="weight_decay"):
        sgd_c(weight_decay=-1.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="momentum"):
        Momentum(momentum=1.5)
    with pytest.raises(ValueError, match="nesterov"):
        Momentum(momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("lion")
    with pytest.raises(ValueError, match="weight decay place"):
        WeightDecay(0.1, "params")
    with pytest.raises(ValueError, match="weight_decay"):
        run_optimizer(make_quadratics(1, 2, rng=np.random.default_rng(0)), sgd(), 0.1, 3, weight_decay=0.1)
    assert sgdm().base.momentum == 0.9 and sgdm_c().base.momentum == 0.9


# -- comparison -------------------------------------------------------------------------

def test_default_steps_make_each_plain_optimizer_converge_or_reach_its_documented_floor():
    P = make_quadratics(6, 10, 1.0, 10.0, rng=np.random.default_rng(0))
    rows = compare_optimizers(P, ["sgd", "sgdm", "adam", "adagrad", "rmsprop"], steps=1500)
    by = {r.name: r for r in rows}
    for name in ("sgd", "sgdm", "adam", "adagrad"):
        assert by[name].converged == 6, by[name]
    assert by["rmsprop"].diverged == 0 and by["rmsprop"].floor < 3e-3  # about 1.5 alpha (module doc)
    assert by["sgd"].covered and not by["adam"].covered
    assert set(DEFAULT_STEPS) == set(PLAIN) | set(PLAIN.values())


def test_comparison_rows_count_every_problem_and_fill_floor_only_when_unconverged():
    P = make_quadratics(5, 4, 1.0, 10.0, rng=np.random.default_rng(1))
    rows = compare_optimizers(P, ["sgd", "sgd_c"], {"sgd": 0.001}, steps=50)
    sgd_row, sgd_c_row = rows
    assert sgd_row.converged + sgd_row.max_steps + sgd_row.diverged == 5
    assert sgd_row.max_steps == 5 and np.isnan(sgd_row.iterations)
    # GD at step 0.001 shrinks r_k / r_0 to between (1 - 0.01)^k and (1 - 0.001)^k; tail k = 46..50
    assert 0.99**50 - 1e-12 <= sgd_row.floor <= 0.999**46 + 1e-12
    assert sgd_c_row.alpha == DEFAULT_STEPS["sgd_c"]
