"""The statements of docs/math/critical_rule.md, each against the slow per-problem models.

The models (:mod:`reference_critical`, :mod:`reference_list_buffer`,
:mod:`reference_optimizers`) are written from the reference implementation's described
behaviour with plain lists; the engine is checked against them, and where the page
makes a claim about the rule itself (the critical test's effect, eviction, the heap
order, in-place kappa, the weight-decay fixed point) the claim is checked on them.
"""

import heapq

import numpy as np
import pytest

from memgd.solvers import (
    Aggregation, CriticalGradients, GradientDescent, ReferenceAggregation, ReferenceCriticalGradients, chain,
    make_optimizer, make_quadratics, make_tilted, rmsprop_c, run, run_optimizer,
)

from reference_critical import run_one as run_rule
from reference_list_buffer import ListBuffer
from reference_optimizers import run_one as run_optimizer_model

TOL = 1e-12


def _worst(engine, model):
    scale = np.maximum(1.0, np.linalg.norm(model, axis=1))
    return float((np.linalg.norm(engine - model, axis=1) / scale).max())


def _grad_of(problems, i):
    n = problems.n

    def grad(x, *_):
        return problems.grad(np.repeat(x[None, :], n, axis=0))[i]
    return grad


# -- RMSprop_C ignores critical_test (page: item 6) -----------------------------------------

RMS = dict(aggregation="mean", top_c=5, kappa=3.0, decay=0.99, centered=True, momentum=0.5)


def _rms_setting():
    rng = np.random.default_rng(0)
    problems = make_quadratics(3, 4, 1.0, 10.0, rng=rng)
    return problems, problems.start_points(rng)


@pytest.mark.parametrize("critical_test", [True, False])
def test_reference_rmsprop_c_tests_position_0_whatever_critical_test_says(critical_test):
    """Reference mode: RMSprop_C(critical_test=False) is the reference's RMSprop_C, which never reads
    the flag; the slow model applies its test either way and the engine must match it."""
    problems, x0 = _rms_setting()
    alpha, steps = 0.01, 80
    opt = rmsprop_c(critical_test=critical_test, reference_compatible=True, **RMS)
    got = run_optimizer(problems, opt, alpha, steps, x0=x0, tol=0.0, trace=True).trace.iterates
    for i in range(problems.n):
        xs = run_optimizer_model(_grad_of(problems, i), x0[i], alpha, steps, kind="rmsprop_c",
                                 critical_test=critical_test, reference_compatible=True, **RMS)
        assert _worst(got[:, i], xs) <= TOL
    # both flags build one chain (the flag is dropped before it is built): the same operations, bit for bit
    tested = run_optimizer(problems, rmsprop_c(critical_test=True, reference_compatible=True, **RMS), alpha, steps,
                           x0=x0, tol=0.0, trace=True).trace.iterates
    np.testing.assert_array_equal(got, tested)
    # guard: honouring the flag (the reference buffer without its test, as Adam_C runs it) changes every problem
    honour = chain(ReferenceCriticalGradients(RMS["top_c"], RMS["decay"], False), opt.combination, opt.base,
                   weight_decay=opt.weight_decay)
    other = run_optimizer(problems, honour, alpha, steps, x0=x0, tol=0.0, trace=True).trace.iterates
    assert (np.abs(other - tested).max(axis=(0, 2)) > 1e-3).all()


def test_documented_rmsprop_c_keeps_the_flag():
    """Default mode: critical_test reaches the rule; with a sampled replacement it changes the run."""
    problems, x0 = _rms_setting()
    runs = {}
    for flag in (True, False):
        opt = rmsprop_c(critical_test=flag, replacement="random", **RMS)
        assert opt.selection.critical_test is flag
        runs[flag] = run_optimizer(problems, opt, 0.01, 80, x0=x0, tol=0.0, trace=True, rng=3).trace.iterates
    assert np.abs(runs[True] - runs[False]).max() > 1e-3


# -- the critical test: no effect in the documented rule, an effect in the reference ------------

def _configs(count, seed):
    rng = np.random.default_rng(seed)
    return [dict(aggregation=("sum", "mean", "min", "max-mean")[j % 4], top_c=int(rng.integers(3, 7)),
                 decay=float(rng.choice([0.99, 0.999])), kappa=1.0, alpha=float(rng.uniform(0.02, 0.06)),
                 seed=int(rng.integers(2**31))) for j in range(count)]


CT_CONFIGS = _configs(8, 41)


def test_critical_test_changes_nothing_in_the_documented_rule_and_something_in_the_reference():
    """The slow models: documented rule (true minimum, append-and-drop-the-smallest without the test)
    gives the same iterates for both flags (the same float operations either way: only which entries
    stay could differ, and it does not); the reference's list gives different ones, also where the
    aggregation does not read the list's order (sum, mean, max-mean: there only the test's look-up of
    position 0 can make the difference), in 4 and 3 of these runs."""
    differ = {True: 0, False: 0}
    for cfg in CT_CONFIGS:
        rng = np.random.default_rng(cfg["seed"])
        problems = make_tilted(2, 4, 1.0, 10.0, family="logistic", rng=rng)
        x0 = problems.start_points(rng)
        common = {k: cfg[k] for k in ("top_c", "decay", "kappa", "aggregation")}
        for i in range(2):
            grad = _grad_of(problems, i)
            runs = {(ref, ct): run_rule(grad, x0[i], cfg["alpha"], 80, critical_test=ct, reference_compatible=ref,
                                        **common)[0] for ref in (False, True) for ct in (False, True)}
            np.testing.assert_array_equal(runs[False, True], runs[False, False])
            differ[cfg["aggregation"] == "min"] += _worst(runs[True, True], runs[True, False]) > 1e-6
    assert differ[False] >= 3 and differ[True] >= 2, differ


def test_exact_tie_keeps_the_stored_gradient_for_both_flags():
    """Documented rule, a new norm equal to the smallest priority: the stored gradient stays, with the
    strict test and without it (append, then drop the smallest, the newcomer losing the tie)."""
    from reference_critical import insert
    for flag in (True, False):
        rule = CriticalGradients(2, 1.0, critical_test=flag)
        mem = rule.init(np.zeros((1, 1)))
        buffer = []
        for k, v in enumerate((2.0, 3.0, 2.0)):
            mem = rule.insert(mem, np.array([[v]]), k, None)
            insert(buffer, np.array([v]), k, 2, flag)
        assert sorted(mem.born[0].tolist()) == sorted(entry[2] for entry in buffer) == [0, 1]


# -- item 10: eviction takes the true minimum; position 0 need not be it ------------------------

def test_reference_eviction_always_takes_the_true_minimum():
    """Engine (ReferenceCriticalGradients) and list model: appending to a full list of K and trimming
    to the last K removes exactly one entry of the smallest priority among the K + 1, ties included;
    the entry at list position 0 afterwards is often not the smallest (the test's look-up)."""
    rng = np.random.default_rng(12)
    not_min_at_0 = 0
    for trial in range(200):
        K = int(rng.integers(2, 8))
        high = (4, 1000)[trial % 2]  # many ties, few ties
        norms = rng.integers(1, high, size=K + 12).astype(float)
        rule = ReferenceCriticalGradients(top_c=K, decay=1.0, critical_test=False)
        mem = rule.init(np.zeros((1, 1)))
        model = ListBuffer(K)
        for k, v in enumerate(norms):
            before = sorted(mem.priority[0][mem.filled[0]])
            mem = rule.insert(mem, np.array([[v]]), k, None)
            model.push(v, np.array([v]), k)
            after = sorted(mem.priority[0][mem.filled[0]])
            if k >= K:
                expected = sorted(before + [v])[1:]  # the K + 1 without one smallest
                assert after == expected
                listed = np.take_along_axis(mem.priority, mem.order, axis=1)[0]
                assert list(listed) == [item.p for item in model.items]
                not_min_at_0 += listed[0] > min(listed)
    assert not_min_at_0 > 100


# -- item 11: every pick aggregation compounds kappa in place ---------------------------------

@pytest.mark.parametrize("aggregation", ["min", "median", "max", "min-mean", "median-mean", "max-mean"])
def test_in_place_kappa_compounds_for_every_pick_aggregation(aggregation):
    """One stored gradient picked at steps 1, 2, 3 with kappa = 0.5 weighs 0.5, 0.25, 0.125 (halved for
    the "-mean" variants), in the engine and in the list model; sum, mid, mean scale a copy."""
    half = 0.5 if aggregation.endswith("-mean") else 1.0
    rule = ReferenceCriticalGradients(top_c=1, decay=0.5, critical_test=True)
    agg = ReferenceAggregation(aggregation, 0.5)
    big, small = np.array([[2.0, 0.0]]), np.array([[0.1, 0.0]])  # small never beats the stored priority
    mem = rule.insert(rule.init(big), big, 0, None)
    model = ListBuffer(1)
    model.push(2.0, big[0], 0)
    from reference_list_buffer import aggregate_in_place
    for k, expected in ((1, 0.5), (2, 0.25), (3, 0.125)):
        a, b = agg.weights(small, mem, rule.active(mem, k, None), k, None)
        assert float(b[0, 0]) == half * expected and float(a[0]) == half
        d, _ = aggregate_in_place(small[0], model, aggregation, 0.5, k)
        np.testing.assert_allclose(d, half * (small[0] + expected * big[0]), rtol=1e-15)
        mem = rule.insert(mem, small, k, None)
        model.offer(0.1, small[0], k, True)
    for name in ("sum", "mid", "mean"):
        assert not ReferenceAggregation(name, 0.5).in_place


# -- item 5: where weight decay after aggregation settles --------------------------------------

@pytest.mark.parametrize("aggregation,s", [("sum", 2.0), ("max", 2.0), ("mean", 1.0), ("mid", 1.0), ("min-mean", 1.0)])
def test_reference_weight_decay_fixed_point_ignores_kappa(aggregation, s):
    """Reference Adam_C / RMSprop_C add lambda x after aggregating with weight 1 whatever kappa (> 0):
    a stationary point has d = s g + lambda x = 0, with s = 2 for sum, min, median, max and s = 1 for
    the normalized aggregations; run here with gradient descent on the same selection, combination and
    weight decay (the two optimizers build the same three), for kappa 0.5 and 3 alike."""
    P = make_quadratics(2, 3, 1.0, 10.0, rng=np.random.default_rng(8))
    lam = 0.5
    x0 = P.start_points(np.random.default_rng(1))
    target = np.linalg.solve(P.A + (lam / s) * np.eye(P.d), np.matmul(P.A, P.x_star[..., None]))[..., 0]
    for kappa in (0.5, 3.0):
        pieces = [make_optimizer(name, kappa=kappa, aggregation=aggregation, top_c=3, decay=0.7, weight_decay=lam,
                                 reference_compatible=True) for name in ("adam_c", "rmsprop_c")]
        assert len({(o.selection, o.combination, o.weight_decay) for o in pieces}) == 1
        opt = pieces[0]
        gd = chain(opt.selection, opt.combination, GradientDescent(), weight_decay=opt.weight_decay)
        res = run_optimizer(P, gd, 0.03, 1500, x0=x0, tol=0.0)
        np.testing.assert_allclose(res.x, target, atol=1e-9)


# -- the sampled replacements of the documented rule ----------------------------------------------

@pytest.mark.parametrize("replacement", ["random", "proportional"])
@pytest.mark.parametrize("critical_test", [True, False])
def test_sampled_replacements_match_the_slow_model(replacement, critical_test):
    """Engine against the slow model fed the same uniforms: one per problem per step, drawn from the
    run's generator whether used or not; random = slot floor(u C), proportional by inverse CDF of
    1 - ||g_c|| / sum ||g_j||; with the test only when ||g|| beats the smallest priority."""
    n, steps, seed = 3, 60, 17
    for aggregation in ("mean", "max"):
        rng = np.random.default_rng(5)
        problems = make_tilted(n, 4, 1.0, 10.0, family="logistic", rng=rng)
        x0 = problems.start_points(rng)
        rule = CriticalGradients(4, 0.95, critical_test, replacement)
        res = run(problems, rule, Aggregation(aggregation, 1.0), 0.03, steps, x0=x0, tol=0.0, trace=True, rng=seed)
        replay = np.random.default_rng(seed)
        uniforms = np.array([replay.random(n) for _ in range(steps)])
        smallest = run(problems, CriticalGradients(4, 0.95, critical_test), Aggregation(aggregation, 1.0), 0.03,
                       steps, x0=x0, tol=0.0, trace=True)
        for i in range(n):
            xs, ages = run_rule(_grad_of(problems, i), x0[i], 0.03, steps, top_c=4, decay=0.95, kappa=1.0,
                                aggregation=aggregation, critical_test=critical_test, replacement=replacement,
                                uniforms=uniforms[:, i])
            assert _worst(res.trace.iterates[:, i], xs) <= TOL
            np.testing.assert_array_equal(res.max_age[:, i], ages)
        assert np.abs(res.trace.iterates - smallest.trace.iterates).max() > 1e-6  # the replacement acted


def test_reference_list_stays_a_heap_under_sampled_replacement():
    """The reference's random / proportional modes remove one item, append, heapify and keep all K:
    the list is a heap after every step, so position 0 (its critical test) is the true minimum.  The
    default mode's trim breaks this (the last test)."""
    rng = np.random.default_rng(3)
    broken_by_trim = 0
    for trial in range(100):
        K = int(rng.integers(2, 9))
        sampled, trimmed = ListBuffer(K), ListBuffer(K)
        for k in range(40):
            v = float(rng.uniform(0.0, 10.0))
            for buf in (sampled, trimmed):
                if not buf.full():
                    buf.push(v, np.array([v]), k)
            if sampled.full() and len(sampled.items) == K and k >= K and v > sampled.items[0].p:
                sampled.replace(int(rng.integers(K)), v, np.array([v]), k)
            if k >= K:
                trimmed.offer(v, np.array([v]), k, critical_test=False)
            for buf in (sampled, trimmed):
                buf.decay(0.9)
            assert _is_heap([item.p for item in sampled.items])
            assert sampled.items[0].p == min(item.p for item in sampled.items)
            broken_by_trim += not _is_heap([item.p for item in trimmed.items])
    assert broken_by_trim > 100


def _is_heap(p):
    return all(not p[c] < p[(c - 1) // 2] for c in range(1, len(p)))


def test_is_heap_helper_agrees_with_heapq():
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = list(rng.integers(0, 5, size=int(rng.integers(1, 9))).astype(float))
        heap = p.copy()
        heapq.heapify(heap)
        assert _is_heap(heap)
        assert _is_heap(p) == (p == heap) or _is_heap(p)  # heapify leaves a heap unchanged
        if _is_heap(p):
            assert p == heap
