"""verify_rule's screen: many examples in batched runs, judged as the hypothesis path judges one, failures
shrunk by hypothesis (proofs_check/properties/screen.py, judge.py, strategies.ExampleSpace)."""

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes

import memgd.proofs_check.properties.verify_rule as verify_module
from memgd.proofs_check import RuleViolation, verify_rule
from memgd.proofs_check.properties.bound_check import check_declared, check_realized
from memgd.proofs_check.properties.judge import judge
from memgd.proofs_check.properties.screen import draw, screen
from memgd.proofs_check.properties.strategies import FAMILIES, MUS, ExampleSpace
from memgd.proofs_check.properties.verify_rule import check_example
from memgd.solvers import (
    Aggregation, CriticalGradients, Fifo, FixedWeights, KeepOldest, make_quadratics, make_tilted, run,
)
from memgd.solvers.problems import SPECTRA
from memgd.proofs_check.properties.bound_check import THEOREM_RATES

KEEP, MID = KeepOldest(2, max_age=3), Aggregation("mid")


def test_the_numpy_sample_and_hypothesis_draw_the_same_coordinates_from_one_description():
    space = ExampleSpace(max_kappa=100.0)
    sample = space.sample(4000, np.random.default_rng(0))
    for c in space.coordinates:  # every coordinate spans its declared range, and only it
        values = sample[c.name]
        assert values.min() >= c.low and values.max() <= c.high
        assert values.max() - values.min() >= 0.9 * (c.high - c.low)
    specs = [space.example(space.values(sample, j))[0] for j in range(4000)]
    assert {s.family for s in specs} == set(FAMILIES) and {s.d for s in specs} == set(range(2, 7))
    assert {s.mu for s in specs} == set(MUS) and max(s.L / s.mu for s in specs) <= 100.0 * (1 + 1e-15)
    assert {s.spectrum for s in specs if s.family == "quadratic"} == set(SPECTRA)
    assert {s.spectrum for s in specs if s.family != "quadratic"} == {"uniform"}
    seen = []

    @seed(1)
    @settings(max_examples=300, database=None, derandomize=False)
    @given(example=space.strategy())
    def collect(example):
        seen.append(example)
    collect()
    assert {e[0].family for e in seen} == set(FAMILIES) and {e[0].d for e in seen} == set(range(2, 7))
    for spec, fraction, run_seed in seen:
        assert 0.02 <= fraction <= 0.98 and 0 <= run_seed < 2**31 and 1.0 <= spec.L / spec.mu <= 100.0 * (1 + 1e-15)


def test_hypothesis_replays_a_sampled_example_from_its_choices():
    """The screen hands a failing example to hypothesis as the choices its strategy makes to draw it."""
    space = ExampleSpace()
    sample = space.sample(30, np.random.default_rng(3))
    for j in range(30):
        values = space.values(sample, j)
        db, first = InMemoryExampleDatabase(), []
        db.save(verify_module.DATABASE_KEY + b".secondary", choices_to_bytes(space.choices(values)))

        @settings(max_examples=1, database=db, derandomize=False)
        @given(example=space.strategy())
        def replay(example):
            first.append(example)
        replay._hypothesis_internal_use_seed = 0
        replay._hypothesis_internal_database_key = verify_module.DATABASE_KEY
        replay()
        assert first[0] == space.example(values)  # the stored example runs first


@pytest.mark.parametrize("selection, combination", [
    (KEEP, MID), (Fifo(2), FixedWeights(1.0, (0.3, -0.2))), (CriticalGradients(3, 0.7), Aggregation("sum")),
])
def test_judge_equals_the_four_bound_checks_it_replaces(selection, combination):
    """Bitwise: the judge evaluates the same theory functions on the same values (once per distinct row
    instead of once per problem, elementwise) and makes the same comparison."""
    P = make_quadratics(40, 4, 1.0, 10 ** np.random.default_rng(0).uniform(0, 3, 40), rng=np.random.default_rng(1))
    r = run(P, selection, combination, 0.3 / P.L, 200, rng=1)
    old = [check_realized(r, P), check_declared(r, P, combination, selection),
           check_realized(r, P, theorem_2=True), check_declared(r, P, combination, selection, theorem_2=True)]
    checks = judge(r, P, selection, combination).checks
    assert len(checks) == len(old)
    for (label, _, new), o in zip(checks, old):
        if o is None:
            assert new is None and selection.max_age is None
            continue
        for field in ("rate", "theorem", "min_slack", "worst_step", "violated", "applies"):
            np.testing.assert_array_equal(getattr(new, field), getattr(o, field), err_msg=f"{label} {field}")


def test_the_screen_judges_each_example_as_its_own_run_does():
    """Batched and alone, the same verdicts and the same slacks up to rounding (the batch's problems take
    the same steps from the same start points; the bounds are the same functions of the same constants)."""
    selection, combination = Fifo(2), FixedWeights(1.0, (0.3, -0.2))
    space = ExampleSpace(max_kappa=100.0)
    result = screen(selection, combination, space, 60, steps=120, seed=5,
                    check_one=lambda *a, **k: check_example(selection, combination, *a, **k))
    assert result.mode == "batched" and result.runs < 60 and result.screened == 60
    for j in range(60):
        spec, fraction, run_seed = result.drawn.examples[j]
        alone = check_example(selection, combination, spec, fraction, steps=120, seed=run_seed ^ 5)
        assert bool(alone.problems) == bool(result.failed[j])
        for got, want in ((result.a_posteriori_slack[j], alone.a_posteriori_slack),
                          (result.a_priori_slack[j], alone.a_priori_slack)):
            assert np.isnan(got) == np.isnan(want)
            assert np.isnan(want) or abs(got - want) <= 1e-12
        assert result.realized["T"][j] == alone.realized["T"]


def _rare_bug(monkeypatch, where, power=8):
    """Every registered theorem's rate raised to ``power`` (that many times the claimed progress) where
    ``where(mu, L)``: a wrong theorem, planted where the package's checks read the theorems."""
    for name, true_rate in list(THEOREM_RATES.items()):
        def wrong(*, _true=true_rate, **kw):
            rho, c = _true(**kw)
            rho = np.asarray(rho)
            return np.where(where(np.asarray(kw["mu"]), np.asarray(kw["L"])), rho ** power, rho), c
        monkeypatch.setitem(THEOREM_RATES, name, wrong)


def test_a_planted_violation_is_shrunk_to_the_reproducer_hypothesis_alone_finds(monkeypatch):
    _rare_bug(monkeypatch, lambda mu, L: np.ones(np.shape(L), dtype=bool))
    rule = (Fifo(1), FixedWeights(1.0, (0.2,)))
    with pytest.raises(RuleViolation) as alone:
        verify_rule(*rule, max_examples=30, steps=60, screen_examples=0, shrink_seconds=30)
    with pytest.raises(RuleViolation) as screened:
        verify_rule(*rule, max_examples=30, steps=60, screen_examples=200, shrink_seconds=30)
    a, b = alone.value.example, screened.value.example
    assert (a.spec, a.fraction, a.seed) == (b.spec, b.fraction, b.seed)
    assert a.spec.n == 1 and a.spec.d == 2 and a.spec.family == FAMILIES[0]  # shrunk, not the first failure


def test_a_rare_violation_the_hypothesis_examples_miss_is_found_by_the_screen_and_shrunk(monkeypatch):
    _rare_bug(monkeypatch, lambda mu, L: (L / mu > 300.0), power=8)
    rule = (Fifo(1), FixedWeights(1.0, (0.2,)))
    verify_rule(*rule, max_examples=5, steps=60, screen_examples=0, seed=2)  # 5 examples miss it
    with pytest.raises(RuleViolation) as caught:
        verify_rule(*rule, max_examples=5, steps=60, screen_examples=300, seed=2, shrink_seconds=30)
    spec = caught.value.example.spec
    assert spec.L / spec.mu > 300.0 and spec.n == 1 and spec.d == 2
    assert "bound (Theorem" in str(caught.value) and "ProblemSpec(" in caught.value.example.reproducer
    assert caught.value.example.spec.L / caught.value.example.spec.mu < 1000.0  # shrunk toward the boundary


@dataclass(frozen=True)
class SmallBatchesOnly(FixedWeights):
    """A combination rule written for a few problems at a time: it refuses batches of more than 3."""

    def weights(self, g, mem, active, k, rng):
        if g.shape[0] > 3:
            raise ValueError("this rule handles at most 3 problems")
        return super().weights(g, mem, active, k, rng)


def test_a_rule_that_cannot_run_batches_is_screened_one_example_at_a_time_and_says_so():
    report = verify_rule(Fifo(1), SmallBatchesOnly(1.0, (0.2,)), max_examples=3, steps=40, screen_examples=12)
    assert report.screen_mode == "per example" and report.screened == 12
    assert "runs of one example each" in report.screen and "ValueError" in report.screen
    assert "ms per example" in report.screen and report.screened_a_posteriori_checked == 12


def test_a_bug_in_the_rule_found_in_a_batch_is_raised_as_its_own_example_raises_it(monkeypatch):
    """A rule that breaks its declarations: the batch's error is reproduced on the example alone
    (a ProblemSpec reproducer), not reported as a batch or as a rule that cannot run batches."""
    from memgd.solvers.step_checks import RuleStepError

    @dataclass(frozen=True)
    class Lies(FixedWeights):
        def declared_constants(self, capacity):
            dc = super().declared_constants(capacity)
            return dc._replace(s_hi=dc.s_lo, W=dc.s_lo)  # s = 1.2 is above s_hi = 1.0 when memory is used

    with pytest.raises(RuleStepError) as caught:
        verify_rule(Fifo(1), Lies(1.0, (0.2,)), max_examples=3, steps=40, screen_examples=50)
    assert "ProblemSpec(" in caught.value.reproducer and "s_hi" in str(caught.value)


def test_draw_is_reproducible_and_seeded():
    space = ExampleSpace()
    assert draw(space, 50, 7).examples == draw(space, 50, 7).examples
    assert draw(space, 50, 7).examples != draw(space, 50, 8).examples


def test_the_screen_gives_the_same_bits_in_one_process_or_two():
    """Every group's run draws from its own seed, so where it runs changes nothing."""
    selection, combination = CriticalGradients(2, 0.7), Aggregation("mean")
    args = dict(steps=80, seed=4, check_one=lambda *a, **k: check_example(selection, combination, *a, **k))
    one = screen(selection, combination, ExampleSpace(), 80, workers=1, **args)
    two = screen(selection, combination, ExampleSpace(), 80, workers=2, **args)
    assert (one.workers, two.workers) == (1, 2) and one.runs == two.runs > 1
    for field in ("failed", "a_priori_slack", "a_posteriori_slack", "theorem_2_slack"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field))
    for key in one.realized:
        np.testing.assert_array_equal(one.realized[key], two.realized[key])


def test_the_registrys_theorem_2_transient_is_transient2():
    """bound_check reads Theorem 2's transient off its rate (one rate2 solve, not two): the same values as
    memgd.theory.transient2, finite and vacuous cases alike."""
    from memgd.theory.constants2 import transient2

    rng = np.random.default_rng(0)
    n = 400
    kw = dict(mu=np.ones(n), L=10 ** rng.uniform(0, 3, n), alpha=10 ** rng.uniform(-4, -0.5, n),
              s_lo=rng.uniform(0.2, 1.0, n), B=rng.uniform(0, 1, n), T=rng.integers(1, 6, n).astype(float))
    kw["W"] = kw["s_lo"] + 2 * kw["B"]
    nn = rng.random(n) < 0.8
    rho, c = THEOREM_RATES["2"](**kw, s_hi=kw["W"], nonnegative=nn)
    assert np.isfinite(rho).any() and np.isinf(rho).any()
    np.testing.assert_array_equal(c, transient2(**kw, nonnegative=nn))
