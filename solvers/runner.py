r"""The batched run loop: fixed-memory gradient methods on a batch of problems.

Per step k, for every problem of the batch at once:

.. math::

    g_k &= \nabla f(x_k) \quad\text{(or a minibatch estimate)}\\
    d_k &= a_k g_k + \textstyle\sum_{c \in M_k} b_{k,c}\, g_{k-\tau_{k,c}}
          \quad\text{(memory before } g_k \text{ is stored)}\\
    x_{k+1} &= x_k + \delta_k, \qquad \delta_k = \text{base optimizer}(d_k)
             \;(= -\alpha d_k \text{ for gradient descent})

The loop runs over iterations only; problems, memory slots and coordinates are
array axes.  A problem stops with a status when its relative distance
:math:`r_k / r_0` falls to ``tol`` (converged) or exceeds ``blowup``, or its
iterate is not finite (diverged); its later entries in the histories are NaN.
Nothing is raised for an outcome; ``ValueError`` only for bad input.

**Weight decay** (:class:`WeightDecay`, coefficient :math:`\lambda`) enters in one
of two places.  ``where="gradient"``: every gradient becomes
:math:`g_k + \lambda x_k` before the memory sees it (the method then runs on
:math:`f + \tfrac{\lambda}{2}\|x\|^2`, still in the class of docs/math/method.md);
the selection rule ranks it by its own norm, or with ``rank_by="raw"`` by
:math:`\|g_k\|` before the decay term (the reference SGD_C).
``where="direction"``: the memory stores raw gradients and
:math:`d_k \leftarrow d_k + \lambda x_k` after aggregation (the reference Adam_C
and RMSprop_C).  Either way the distances are still measured to the ``x*`` of f.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from memgd.solvers.base_optimizers import BaseOptimizer, GradientDescent
from memgd.solvers.combination import CombinationRule, direction
from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.rule_checks import check_rules
from memgd.solvers.recording import RECORD_MODES, Recorder, age_dtype
from memgd.solvers.selection.base import SelectionRule
from memgd.solvers.status import Status
from memgd.solvers.step_checks import RunCall, StepAudit, step_types_ok
from memgd.solvers.validation import batch_array, integer_at_least, nonnegative, one_of, per_problem, positive


WEIGHT_DECAY_PLACES = ("gradient", "direction")
WEIGHT_DECAY_RANKS = ("stored", "raw")


@dataclass(frozen=True)
class WeightDecay:
    """L2 weight decay: coefficient and where it enters (see module doc).

    ``rank_by`` only matters for ``where="gradient"``: ``"stored"`` ranks a gradient
    by the norm of what the memory stores (:math:`g + \\lambda x`), ``"raw"`` by
    :math:`\\|g\\|`.  With ``where="direction"`` the memory stores raw gradients.
    """

    coeff: float = 0.0
    where: str = "gradient"
    rank_by: str = "stored"

    def __post_init__(self) -> None:
        object.__setattr__(self, "coeff", float(nonnegative("weight_decay", self.coeff)))
        one_of("weight decay place", self.where, WEIGHT_DECAY_PLACES)
        one_of("weight decay rank_by", self.rank_by, WEIGHT_DECAY_RANKS)


def _resolve_weight_decay(weight_decay) -> WeightDecay:
    if weight_decay is None:
        return WeightDecay()
    if isinstance(weight_decay, WeightDecay):
        return weight_decay
    return WeightDecay(weight_decay)


class RealizedConstants(NamedTuple):
    """Constants of docs/math/method.md measured on each problem's run, each (n,)."""

    T: np.ndarray     # largest age used (0 if no stored gradient was used)
    s_lo: np.ndarray  # min_k (a_k + sum_c b_kc)
    s_hi: np.ndarray  # max_k (a_k + sum_c b_kc)
    B: np.ndarray     # max_k sum_c |b_kc|
    W: np.ndarray     # max_k (|a_k| + sum_c |b_kc|)


class Trace(NamedTuple):
    """Full per-step record (only with ``trace=True``); NaN after a problem stopped."""

    iterates: np.ndarray    # (K+1, n, d) x_k
    gradients: np.ndarray   # (K, n, d)   g_k as the memory sees it (stochastic if minibatch; + lambda x_k
                            #             where weight decay enters the gradient)
    directions: np.ndarray  # (K, n, d)   d_k
    a: np.ndarray           # (K, n)      weight of g_k
    b: np.ndarray           # (K, n, S)   weights of the memory slots
    slot_ages: np.ndarray   # (K, n, S)   age of each slot at step k (-1 where unfilled), smallest integer dtype


@dataclass(frozen=True)
class RunResult:
    """Outcome of one batched run; arrays have the problem on their last or first axis as noted.

    What ``record`` kept (:mod:`memgd.solvers.recording`): ``"full"`` fills every field;
    ``"summary"`` leaves ``gaps``, ``max_age``, ``ages``, ``s``, ``B`` and ``W`` as None;
    ``"final"`` also ``distances``.  ``constants``, ``status``, ``nit``, ``message``,
    ``x``, ``initial_distance``, ``final_distance`` and ``final_gap`` are always there.
    """

    distances: np.ndarray | None   # (K+1, n) ||x_k - x*||, NaN after the problem stopped
    gaps: np.ndarray | None        # (K+1, n) f(x_k) - f*
    max_age: np.ndarray | None     # (K, n) largest age used at step k (0 for none; -1 after stop)
    ages: np.ndarray | None        # (K, n, S) age of every used slot (-1 where unused), smallest integer dtype
    s: np.ndarray | None           # (K, n) a_k + sum_c b_kc
    B: np.ndarray | None           # (K, n) sum_c |b_kc|
    W: np.ndarray | None           # (K, n) |a_k| + sum_c |b_kc|
    constants: RealizedConstants
    status: np.ndarray      # (n,) Status codes
    nit: np.ndarray         # (n,) steps taken
    message: tuple[str, ...]
    x: np.ndarray           # (n, d) final iterates
    alpha: np.ndarray       # (n,) step sizes
    trace: Trace | None = None
    record: str = "full"
    initial_distance: np.ndarray | None = None  # (n,) r_0
    final_distance: np.ndarray | None = None    # (n,) r_nit (NaN if the last step gave a non-finite iterate)
    final_gap: np.ndarray | None = None         # (n,) f(x_nit) - f* (NaN likewise)
    constants_source: str = "construction"      # the problems' mu, L: how obtained (estimated ones are flagged)

    @property
    def relative_distances(self) -> np.ndarray:
        """r_k / r_0, (K+1, n); needs ``record="full"`` or ``"summary"``."""
        if self.distances is None:
            raise ValueError(f"relative_distances needs per-step distances: run with record='full' or 'summary' "
                             f"(this run kept record={self.record!r}; see final_distance / initial_distance)")
        return self.distances / self.distances[0]

    def statuses(self) -> list[Status]:
        return [Status(int(s)) for s in self.status]


def _check_problems(problems) -> None:
    """``problems`` must be a ProblemBatch: a clear TypeError before any work, not an AttributeError later."""
    if not isinstance(problems, ProblemBatch):
        raise TypeError(
            f"problems must be a memgd.solvers.ProblemBatch (n problems with known optima: make_quadratics, "
            f"make_tilted, make_finite_sums, problem_from_functions, quadratic_problem, or a subclass of your own), "
            "got " + ("None" if problems is None else type(problems).__name__ + (f" {problems!r}" if np.isscalar(problems)
                                                                               else "")))


def _run_call(problems, alpha, rng_arg, start_state: dict | None, x0, options: dict) -> RunCall:
    """What a reproducer of this run needs (:mod:`memgd.solvers.step_checks`): the seed, or the
    generator's state before the run drew anything."""
    defaults = dict(tol=1e-10, blowup=1e8, batch_size=None, base=None, weight_decay=None, record="full")
    text = "".join(f", {name}={value!r}" for name, value in options.items() if value != defaults[name])
    return RunCall(f"{type(problems).__name__} with n={problems.n}, d={problems.d}", alpha,
                   int(rng_arg) if start_state is None else start_state, x0 is not None, text)


def _resolve_rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}")


def run(
    problems: ProblemBatch,
    selection: SelectionRule,
    combination: CombinationRule,
    alpha,
    steps: int,
    *,
    x0: np.ndarray | None = None,
    rng: np.random.Generator | int | None = 0,
    tol: float = 1e-10,
    blowup: float = 1e8,
    batch_size: int | None = None,
    base: BaseOptimizer | None = None,
    trace: bool = False,
    weight_decay: WeightDecay | float | None = None,
    record: str = "full",
    step_checks: bool = True,
) -> RunResult:
    """Run a fixed-memory gradient method on every problem of the batch.

    Parameters
    ----------
    problems : a :class:`~memgd.solvers.problems.ProblemBatch` (n problems in dimension d)
    selection, combination : the memory rules (see :mod:`memgd.solvers.selection`, :mod:`memgd.solvers.combination`)
    alpha : step size > 0, scalar or (n,)
    steps : number of iterations K >= 1
    x0 : (n, d) starting points; default: distance 1 from x* in a random direction
    rng : Generator or integer seed (default 0); every random draw of the run uses it
    tol : stop a problem when r_k <= tol r_0 (0 runs every step)
    blowup : declare divergence when r_k > blowup r_0
    batch_size : use minibatch gradients of this size (finite-sum problems only)
    base : base optimizer consuming d_k (default gradient descent)
    trace : also record iterates, gradients, directions and weights
    weight_decay : a :class:`WeightDecay` or its coefficient (>= 0, entering the gradient);
        default none
    record : what the result keeps (:mod:`memgd.solvers.recording`): ``"full"`` (default) every
        per-step history; ``"summary"`` the distances r_k per step, the last gap and the realized
        constants; ``"final"`` only the final state, first and last distances and gap, and the
        realized constants (computed on the fly).  Shared fields agree bit for bit across modes.
    step_checks : check the rules at every step (default; :mod:`memgd.solvers.step_checks`): their
        outputs' shapes, capacity, finiteness, and their declared constants, sign and ages.  A rule
        that breaks them raises :class:`~memgd.solvers.step_checks.RuleStepError` naming the rule, the
        method, the step and the problem, with a reproducer.  False skips them (for benchmarks).

    ``TypeError`` if ``problems`` is not a ProblemBatch, ``ValueError`` for a bad parameter and
    :class:`~memgd.solvers.rule_checks.RuleCheckError` for a broken rule, all before any step.
    """
    _check_problems(problems)
    rng_arg = rng
    given = dict(tol=tol, blowup=blowup, batch_size=batch_size, base=base, weight_decay=weight_decay, record=record)
    declared = check_rules(selection, combination)  # a user's rule fails here, at once, naming what is wrong
    n, d = problems.n, problems.d
    alpha = positive("alpha", per_problem("alpha", alpha, n))
    steps = integer_at_least("steps", steps, 1)
    tol = float(nonnegative("tol", tol))
    blowup = float(positive("blowup", blowup))
    rng = _resolve_rng(rng)
    start_state = rng.bit_generator.state if step_checks and not isinstance(rng_arg, (int, np.integer)) else None
    one_of("record", record, RECORD_MODES)
    if trace and record != "full":
        raise ValueError(f"trace=True needs record='full', got record={record!r}")
    if batch_size is not None and not hasattr(problems, "minibatch_grad"):
        raise ValueError(f"batch_size needs a finite-sum problem batch, got {type(problems).__name__}")
    base = GradientDescent() if base is None else base
    plain_gd = type(base) is GradientDescent
    alpha_col = alpha[:, None]
    wd = _resolve_weight_decay(weight_decay)
    decayed_gradient = wd.coeff != 0.0 and wd.where == "gradient"
    decayed_direction = wd.coeff != 0.0 and wd.where == "direction"
    rank_raw = decayed_gradient and wd.rank_by == "raw"
    x = problems.start_points(rng) if x0 is None else batch_array("x0", x0, (n, d)).copy()

    def oracle(point):
        if batch_size is None:
            return problems.grad(point)
        return problems.minibatch_grad(point, batch_size, rng)

    def gap_values(point, g_raw):
        # f(x_k) - f*; with exact gradients the quadratics reuse g_k = grad f(x_k) (one matvec fewer)
        value = problems.value(point) if g_raw is None else problems.value_from_grad(point, g_raw)
        return value - problems.f_star

    r0 = problems.distance(x)
    if np.any(r0 == 0):
        raise ValueError("x0 must differ from x* for every problem (distance 0 makes rates undefined)")

    K = steps
    status = np.full(n, int(Status.MAX_STEPS))
    nit = np.full(n, K)
    rec = Recorder(record, K, r0, nit)
    audit = None
    if step_checks:
        audit = StepAudit(selection, combination, declared, nit, _run_call(problems, alpha, rng_arg, start_state, x0, given))
    running = np.ones(n, dtype=bool)
    all_running = True
    blow_r = blowup * r0
    tol_r = tol * r0
    # the fast path's divergence threshold, capped so that an infinite r_{k+1} never passes it
    blow_cap = np.minimum(blow_r, np.finfo(float).max)
    # problems whose gap f(x_k) - f* is still to be recorded, at the next oracle call
    # (``True`` for all of them, ``None`` for none)
    pending = True
    # "summary" and "final" keep the last iterate's gap only: it is computed after the loop, from the
    # last x of each problem (the same operations on the same point as at its last step: the same bits;
    # where the last step failed, x is the iterate before and the recorder reports NaN)
    gap_history = record == "full"
    exact = batch_size is None
    mem = None
    opt_state = base.init(x)
    tr = None
    if trace:
        tr = Trace(np.full((K + 1, n, d), np.nan), np.full((K, n, d), np.nan), np.full((K, n, d), np.nan),
                   np.full((K, n), np.nan), None, None)
        tr.iterates[0] = x

    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(K):
            g_raw = oracle(x)
            if pending is not None and gap_history:
                rec.gap(k, gap_values(x, g_raw if exact else None), pending)
            g = g_raw + wd.coeff * x if decayed_gradient else g_raw
            if mem is None:
                mem = selection.init(g)
                if audit is not None:
                    audit.memory(n, int(selection.slots), d)
                    audit.memory_returned(k, mem, "init")
                S = mem.slots
                shape = (n, S)
                rec.memory(n, S, audit)
                if trace:
                    tr = tr._replace(b=np.full((K, n, S), np.nan), slot_ages=np.full((K, n, S), -1, dtype=age_dtype(K)))
            used = selection.active(mem, k, rng)
            a, b = combination.weights(g, mem, used, k, rng)
            if audit is not None:
                if not step_types_ok(used, a, b, n, shape):
                    audit.step_types(k, used, a, b, mem)
                if used is not mem.filled and (used > mem.filled).any():
                    audit.empty_slots(k, used, mem.filled, running)
            dk = direction(g, mem, a, b)
            if decayed_direction:
                dk = dk + wd.coeff * x
            if trace:
                live = running[:, None]
                tr.gradients[k] = np.where(live, g, np.nan)
                tr.directions[k] = np.where(live, dk, np.nan)
                tr.a[k] = np.where(running, a, np.nan)
                tr.b[k] = np.where(live, b, np.nan)
                tr = _trace_ages(tr, k, np.where(live & mem.filled, mem.ages(k), -1))
            rec.weights(k, a, b, used, mem.born)
            if rank_raw:
                new_mem = _insert_ranked_by_raw(selection, mem, g_raw, g, k, rng)
            else:
                new_mem = selection.insert(mem, g, k, rng)
            if audit is not None and new_mem is not mem:
                audit.memory_returned(k, new_mem)
            mem = new_mem
            if plain_gd:  # x + (-(alpha d)) is x - alpha d exactly: one pass fewer, the same bits
                x_new = x - alpha_col * dk
            else:
                delta, opt_state = base.step(dk, opt_state, alpha, k)
                x_new = x + delta
            r_new = problems.distance(x_new)

            # r_{k+1} finite implies x_{k+1} finite (x* is finite), so one test covers both
            if all_running and ((r_new <= blow_cap) & (r_new > tol_r)).all():
                # every problem still runs, none stops now: no masking
                x = x_new
                rec.distance(k + 1, r_new)
                pending = True
                if trace:
                    tr.iterates[k + 1] = x_new
                continue

            finite = np.isfinite(x_new).all(axis=1) & np.isfinite(r_new)
            diverged = running & (~finite | (r_new > blow_r))
            converged = running & ~diverged & (r_new <= tol_r)
            step_ok = running & finite
            x = np.where(step_ok[:, None], x_new, x)
            rec.distance(k + 1, np.where(step_ok, r_new, np.nan), running)
            pending = step_ok if step_ok.any() else None
            if trace:
                tr.iterates[k + 1] = np.where(step_ok[:, None], x_new, np.nan)
            status[diverged] = int(Status.DIVERGED)
            status[converged] = int(Status.CONVERGED)
            nit[diverged | converged] = k + 1
            if audit is not None and diverged.any():
                rec.flush()  # a rule's non-finite weight is named at its step, not as the method's divergence
            running &= ~(diverged | converged)
            all_running = bool(running.all())
            if not running.any():
                break
        if not gap_history:  # only the last iterate's gap is kept: computed once, at each problem's last x
            rec.gap(k + 1, gap_values(x, None), True)
        elif pending is not None:  # the gap at the last iterate
            rec.gap(k + 1, gap_values(x, None), pending)

    kept = rec.finish()
    constants = RealizedConstants(**kept.pop("constants"))
    r_first, r_last = kept["initial_distance"], kept["final_distance"]
    source = getattr(problems, "constants_source", "construction")
    note = f" [mu, L {source}]" if source.startswith("estimated") else ""
    messages = tuple(_message(Status(int(status[i])), int(nit[i]), r_first[i], r_last[i], tol, blowup) + note
                     for i in range(n))
    return RunResult(constants=constants, status=status, nit=nit, message=messages, x=x, alpha=alpha, trace=tr,
                     record=record, constants_source=source, **kept)


def _trace_ages(tr: Trace, k: int, row: np.ndarray) -> Trace:
    """Store step k's slot ages in the trace, widening its integer type for gradients older than K steps."""
    if row.size and row.max() > np.iinfo(tr.slot_ages.dtype).max:
        tr = tr._replace(slot_ages=tr.slot_ages.astype(np.promote_types(tr.slot_ages.dtype, age_dtype(row.max() + 1))))
    tr.slot_ages[k] = row
    return tr


def _insert_ranked_by_raw(selection, mem, g_raw, g, k, rng):
    """Let the rule decide and rank with the raw gradient, then store the decayed one.

    Every rule writes g_k with ``born = k`` (:func:`memgd.solvers.memory.write_slot`), so
    the slots written now are exactly those born at k; their gradient and stored
    norm become those of ``g`` (the reference's proportional replacement weighs
    stored tensors), their priority stays ``||g_raw||``.
    """
    mem = selection.insert(mem, g_raw, k, rng)
    rows, slots = np.nonzero(mem.filled & (mem.born == k))
    mem.grads[rows, slots] = g[rows]
    mem.norm[rows, slots] = np.linalg.norm(g[rows], axis=1)
    return mem


def _message(status: Status, nit: int, r0: float, last: float, tol: float, blowup: float) -> str:
    if status is Status.CONVERGED:
        return f"converged: r_k <= {tol:g} r_0 at step {nit}"
    if status is Status.DIVERGED:
        if np.isfinite(last):
            return f"diverged at step {nit}: r_k = {last:.3g} > {blowup:g} r_0"
        return f"diverged at step {nit}: non-finite iterate"
    return f"max_steps: ran {nit} steps, r_K / r_0 = {last / r0:.3g}"
