"""run(..., record=...): every mode agrees bit for bit with "full" on what it keeps."""

import numpy as np
import pytest

from memgd.solvers import (
    Adam, AgeWeights, Aggregation, CriticalGradients, Fifo, KeepOldest, Momentum, RandomSubset, RandomWeights,
    Status, WeightDecay, make_finite_sums, make_quadratics, make_tilted, run,
)
from memgd.solvers import recording
from memgd.solvers.recording import age_dtype

ALPHA = np.array([0.02, 0.05, 0.12, 0.3, 3.0, 1e308])  # converge, run to the end or diverge (1e308: to inf)


def _cases():
    quad = lambda: make_quadratics(6, 5, 1.0, 10.0, rng=np.random.default_rng(11))  # noqa: E731
    tilt = lambda: make_tilted(6, 4, 1.0, 10.0, family="logistic", rng=np.random.default_rng(12))  # noqa: E731
    fsum = lambda: make_finite_sums(6, 4, 5, 1.0, 10.0, interpolating=False, rng=np.random.default_rng(13))  # noqa: E731
    yield "critical-sum", quad, CriticalGradients(5, 0.7), Aggregation("sum"), {}
    yield "critical-mean-random", quad, CriticalGradients(4, 0.9, replacement="random"), Aggregation("mean"), {}
    yield "critical-max-mean-proportional", tilt, CriticalGradients(3, 0.5, replacement="proportional"), \
        Aggregation("max-mean", -0.3), {}
    yield "fifo-median", quad, Fifo(3), Aggregation("median", 0.5), {}
    yield "keep-oldest-forever", quad, KeepOldest(2), Aggregation("sum"), {}
    yield "random-subset-age-weights", tilt, RandomSubset(4, 2), AgeWeights((1.0, 0.3, -0.2, 0.1, 0.05)), {}
    yield "random-weights-momentum", quad, Fifo(2), RandomWeights((0.5, 1.0), (-0.2, 0.4)), \
        dict(base=Momentum(0.5))
    yield "adam-weight-decay-direction", quad, CriticalGradients(3), Aggregation("sum"), \
        dict(base=Adam(), weight_decay=WeightDecay(0.01, "direction"))
    yield "minibatch-raw-rank", fsum, CriticalGradients(3), Aggregation("mid"), \
        dict(batch_size=2, weight_decay=WeightDecay(0.02, "gradient", "raw"))


CASES = {name: rest for name, *rest in _cases()}
SHARED = ("status", "nit", "x", "alpha", "initial_distance", "final_distance", "final_gap")


def _same_bits(a, b, what):
    """Same dtype, shape and bytes.  By construction: every mode and chunk length runs the same engine operations
    on the same arrays (the recorders only keep values, and reduce each step's row of weights with one numpy
    sum over the same contiguous S values), so no sum is reordered between the runs compared."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    assert a.tobytes() == b.tobytes(), what


def _runs(name, steps=300, tol=1e-9, **extra):
    make, sel, comb, opts = CASES[name]
    return {mode: run(make(), sel, comb, ALPHA, steps, tol=tol, rng=3, record=mode, **opts, **extra)
            for mode in recording.RECORD_MODES}


@pytest.mark.usefixtures("blas_threads")
@pytest.mark.parametrize("name", CASES)
def test_every_mode_agrees_with_full_bit_for_bit(name):
    runs = _runs(name)
    full = runs["full"]
    # the cases are only a test if their problems end in different ways
    assert Status.DIVERGED in full.statuses() and len(set(full.statuses())) >= 2
    for mode in ("summary", "final"):
        r = runs[mode]
        assert r.record == mode
        for field in SHARED:
            _same_bits(getattr(r, field), getattr(full, field), f"{mode}.{field}")
        for field in recording_constants():
            _same_bits(getattr(r.constants, field), getattr(full.constants, field), f"{mode}.constants.{field}")
        assert r.message == full.message
        assert r.gaps is None and r.ages is None and r.s is None and r.max_age is None
    _same_bits(runs["summary"].distances, full.distances, "summary.distances")
    assert runs["final"].distances is None


def recording_constants():
    return ("T", "s_lo", "s_hi", "B", "W")


def test_full_final_fields_are_the_histories_at_the_last_step():
    r = _runs("critical-sum")["full"]
    cols = np.arange(r.nit.shape[0])
    _same_bits(r.final_distance, r.distances[r.nit, cols], "final_distance")
    _same_bits(r.final_gap, r.gaps[r.nit, cols], "final_gap")
    _same_bits(r.initial_distance, r.distances[0], "initial_distance")
    diverged = r.status == int(Status.DIVERGED)
    assert diverged.any() and np.isnan(r.final_gap[diverged]).any()  # a non-finite last iterate: no gap


@pytest.mark.usefixtures("blas_threads")
def test_chunk_length_changes_no_bit(monkeypatch):
    """Step buffers of one step each (what a very large batch gets) give the same results."""
    big = _runs("critical-mean-random")
    monkeypatch.setattr(recording, "_CHUNK_BYTES", 1)
    small = _runs("critical-mean-random")
    for mode in recording.RECORD_MODES:
        for field in recording_constants():
            _same_bits(getattr(small[mode].constants, field), getattr(big[mode].constants, field), field)
    for field in ("distances", "gaps", "ages", "s", "B", "W", "max_age"):
        _same_bits(getattr(small["full"], field), getattr(big["full"], field), field)


@pytest.mark.parametrize("steps, dtype", [(1, np.int8), (128, np.int8), (129, np.int16), (1000, np.int16),
                                          (40000, np.int32)])
def test_ages_use_the_smallest_signed_integer_type(steps, dtype):
    assert age_dtype(steps) == np.dtype(dtype)
    info = np.iinfo(age_dtype(steps))
    assert info.min <= -1 and info.max >= steps - 1  # -1 (unused) and every age below K fit


def test_ages_hold_their_values_in_the_small_type():
    P = make_quadratics(2, 3, 1.0, 4.0, rng=np.random.default_rng(0))
    r = run(P, KeepOldest(2), Aggregation("sum", 0.1), 0.05, 200, tol=0.0)  # ages grow to 199 > int8
    assert r.ages.dtype == np.int16 and r.max_age.dtype == np.int16
    assert r.max_age[-1].tolist() == [199, 199] and int(r.constants.T.max()) == 199


def test_final_mode_refuses_relative_distances_and_trace_needs_full():
    P = make_quadratics(2, 3, rng=np.random.default_rng(0))
    r = run(P, Fifo(1), Aggregation("sum"), 0.05, 5, record="final")
    with pytest.raises(ValueError, match="record='full' or 'summary'"):
        r.relative_distances
    with pytest.raises(ValueError, match="trace=True needs record='full'"):
        run(P, Fifo(1), Aggregation("sum"), 0.05, 5, record="summary", trace=True)
    with pytest.raises(ValueError, match="record must be one of"):
        run(P, Fifo(1), Aggregation("sum"), 0.05, 5, record="everything")
