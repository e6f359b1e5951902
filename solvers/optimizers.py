r"""Named optimizers: the paper's "_C" chains and their plain counterparts.

A named optimizer is a chain of pure pieces (as optax's ``chain``):

.. math::

    g_k \;\xrightarrow{\text{weight decay}}\; \text{selection (memory)}
    \;\xrightarrow{\text{combination}}\; d_k \;\xrightarrow{\text{base}}\; \delta_k,
    \qquad x_{k+1} = x_k + \delta_k .

:class:`Optimizer` only bundles them; :func:`run_optimizer` hands them to
:func:`memgd.solvers.runner.run`.  The "_C" optimizers use the paper's critical-gradient
rule (:class:`~memgd.solvers.selection.CriticalGradients`) and aggregation
(:class:`~memgd.solvers.combination.Aggregation`) with the reference defaults (decay 0.7,
top_c 10, kappa 1; aggregation "sum" for SGD_C / SGDM_C, "mean" for Adam_C and
RMSprop_C).  The step size is the run's ``alpha`` (torch's ``lr``), per problem; the
reference's default ``lr`` is 1e-3 for SGD_C and Adam_C, 1e-2 for RMSprop_C.

Two modes: the reference's behaviour and its documentation
----------------------------------------------------------
The reference implementation (chandar-lab/CriticalGradientOptimization,
``optimizers/optim.py``) departs from its own docstrings in several places.  Each
factory takes ``reference_compatible``: ``True`` reproduces the reference as it
runs; ``False`` (default) does what its documentation says.

1. **SGD_C's momentum lives inside** ``if kappa != 0``: with kappa = 0 the
   reference runs plain SGD *without* momentum, although its docstring says
   "Conventional SGD or SGD with momentum can be recovered by setting kappa=0".
   Default: the momentum buffer always applies (kappa = 0 is SGDM bit for bit).
   Reference mode: kappa = 0 drops the momentum.
2. **SGD_C has no Nesterov**: the branch is commented out (``# if nesterov``) and
   the constructor has no such argument.  Default: ``nesterov=True`` is allowed
   (torch's form :math:`d + m b`).  Reference mode: ``nesterov=True`` raises.
3. **Adam_C and RMSprop_C ignore kappa's value**: they call
   ``aggregate(grad, buf, aggr)`` without kappa, so the memory term always has
   weight 1 and kappa only switches the memory on (kappa > 0) or off.  Default:
   kappa scales the memory term as documented ("Multiplicative factor for CG
   buffer").  Reference mode: kappa > 0 acts as kappa = 1, kappa <= 0 as no memory.
4. **Adam_C and RMSprop_C with kappa = 0 crash** (``KeyError`` on the missing
   buffer; Adam_C also hits an unbound ``aggr_grad``) although their docstrings say
   kappa = 0 recovers the plain optimizer.  Both modes: kappa = 0 *is* the plain
   optimizer, bit for bit.
5. **Weight decay enters in different places**: SGD_C adds
   :math:`\lambda x` to the gradient before aggregation (so the memory stores
   decayed gradients) but ranks it by the norm of the raw gradient (``d_p_norm``
   is taken before the add); Adam_C and RMSprop_C add :math:`\lambda x` to the
   *aggregated* direction, so the memory stores raw gradients and the decay term
   escapes the aggregation's weights: a fixed point solves
   :math:`s \nabla f = -\lambda x` with s the aggregation's total weight at kappa = 1
   (item 3), whatever kappa > 0 is: s = 2 for sum, min, median, max (not the
   documented L2 penalty), s = 1 for mid, mean and the "-mean" picks.  Default,
   for every optimizer: weight decay is the documented L2 penalty, part of the gradient: the memory stores and ranks
   :math:`g + \lambda x` (the method runs on :math:`f + \tfrac\lambda2\|x\|^2`).
   Reference mode: SGD_C adds before aggregation and ranks by the raw norm;
   Adam_C / RMSprop_C add after aggregation.
6. **RMSprop_C ignores** ``critical_test`` **and** ``sampling`` (neither reaches its
   buffer): it always tests a new gradient against the priority at list position 0
   (item 10) and evicts the smallest entry.  Reference mode: ``critical_test`` is
   ignored likewise (``False`` runs as ``True``); a replacement other than "smallest"
   raises instead of being silently ignored.
7. **topC = 0 does not switch the memory off**: the buffer trims with
   ``heap[-K:]``, and ``heap[-0:]`` is the whole heap, so the buffer grows without
   bound.  Both modes: ``top_c = 0`` means no memory (an unbounded buffer is outside
   the fixed-memory class this toolkit studies).
8. **The decay check fires only for NaN**: ``if not 0.0 <= decay and not 1.0 > decay``
   is false for every number (a negative decay fails only the first comparison, a
   decay >= 1 only the second) and true for NaN.  Both modes validate decay in (0, 1].
9. **There is no Adagrad_C** in the reference.  :func:`adagrad_c` is memgd's
   extension: aggregation "mean" like the other adaptive "_C" optimizers, and in
   reference mode it follows Adam_C / RMSprop_C's conventions (items 3 and 5).
10. **The priority buffer is not a heap after trimming** (``prioritydict.py``
    lines 68-81): each insertion appends, ``heapify``-s and keeps the *last* topC
    items of the list, so position 0, which ``pokeSmallest`` and ``getMin`` read
    (lines 105-126), is often not the smallest priority.  The critical test
    (``optim.py`` line 269) then rejects gradients the documented rule accepts, and
    ``min``/``min-mean`` use a gradient that is not the smallest; eviction itself is
    exact (heapify puts the smallest of the K + 1 items first, and the trim drops
    it), so with the "smallest" replacement ``critical_test=True`` and ``False``
    differ.  Default:
    the documented rule (true minimum).  Reference mode: the list order is modelled
    exactly (:class:`~memgd.solvers.selection.ReferenceCriticalGradients`).
11. **kappa rescales the picked stored gradient in place** (``optim.py`` lines
    43-64, ``crit_buf_.mul_(kappa)`` on the tensor ``getMin``/``getMedian``/``getMax``
    return): each pick multiplies the stored gradient by kappa again, so a gradient
    picked m times enters as :math:`\kappa^m g_b`; it reaches SGD_C and SGDM_C under
    min, median, max and their "-mean" variants when kappa is not 0 or 1 (Adam_C
    and RMSprop_C pass no kappa).  Default: kappa scales the pick once, as
    documented.  Reference mode: modelled exactly
    (:class:`~memgd.solvers.reference_aggregation.ReferenceAggregation`); with a
    replacement other than "smallest" that combination raises (not modelled).

Items 10 and 11 are described in docs/math/critical_rule.md.

Things the reference does that both modes share: the first step stores g_0 and
steps along g_0 alone; priorities decay after every insertion, the first included;
the priority of a multi-tensor model (``synced``) is one norm per problem here,
since each problem's x is one vector.
"""

from __future__ import annotations

from dataclasses import dataclass, field


from memgd.solvers.base_optimizers import Adagrad, Adam, BaseOptimizer, GradientDescent, Momentum, RMSprop
from memgd.solvers.combination import Aggregation, CombinationRule
from memgd.solvers.problems.base import ProblemBatch
from memgd.solvers.reference_aggregation import ReferenceAggregation
from memgd.solvers.runner import RunResult, WeightDecay, run
from memgd.solvers.selection import CriticalGradients, ReferenceCriticalGradients, SelectionRule


@dataclass(frozen=True)
class Optimizer:
    """A chain: selection rule -> combination rule (-> weight decay) -> base optimizer.

    ``covered`` says whether Theorem 1 (docs/math/theorem1.md) covers the chain: gradient
    descent consuming :math:`d_k`, with any weight decay inside the gradient (then
    on :math:`f + \\tfrac\\lambda2\\|x\\|^2`, whose minimizer is not the batch's x*).
    """

    name: str
    selection: SelectionRule
    combination: CombinationRule
    base: BaseOptimizer
    weight_decay: WeightDecay = field(default_factory=WeightDecay)

    @property
    def covered(self) -> bool:
        inside = self.weight_decay.coeff == 0.0 or self.weight_decay.where == "gradient"
        return isinstance(self.base, GradientDescent) and inside


def chain(selection: SelectionRule, combination: CombinationRule, base: BaseOptimizer | None = None, *,
          weight_decay: WeightDecay | float = 0.0, name: str = "custom") -> Optimizer:
    """Bundle the pieces into an :class:`Optimizer` (base defaults to gradient descent)."""
    wd = weight_decay if isinstance(weight_decay, WeightDecay) else WeightDecay(weight_decay)
    return Optimizer(name, selection, combination, GradientDescent() if base is None else base, wd)


def run_optimizer(problems: ProblemBatch, optimizer: Optimizer, alpha, steps: int, **options) -> RunResult:
    """Run a named optimizer on the batch; ``options`` are :func:`memgd.solvers.runner.run`'s
    keywords (``x0``, ``rng``, ``tol``, ``blowup``, ``batch_size``, ``trace``)."""
    for key in ("base", "weight_decay"):
        if key in options:
            raise ValueError(f"{key} is part of the optimizer; build a chain to change it")
    return run(problems, optimizer.selection, optimizer.combination, alpha, steps,
               base=optimizer.base, weight_decay=optimizer.weight_decay, **options)


# -- plain optimizers (no memory) ------------------------------------------------

def _no_memory() -> tuple[CriticalGradients, Aggregation]:
    return CriticalGradients(top_c=0), Aggregation("sum", 0.0)


def _plain(name: str, base: BaseOptimizer, weight_decay: float) -> Optimizer:
    selection, combination = _no_memory()
    return Optimizer(name, selection, combination, base, WeightDecay(weight_decay))


def sgd(*, weight_decay: float = 0.0) -> Optimizer:
    r"""SGD: :math:`x_{k+1} = x_k - \alpha (g_k + \lambda x_k)`."""
    return _plain("sgd", GradientDescent(), weight_decay)


def sgdm(*, momentum: float = 0.9, dampening: float = 0.0, nesterov: bool = False,
         weight_decay: float = 0.0) -> Optimizer:
    """SGD with heavy-ball (or Nesterov) momentum, torch's form (:class:`Momentum`)."""
    return _plain("sgdm", Momentum(momentum, dampening, nesterov), weight_decay)


def adam(*, betas=(0.9, 0.999), eps: float = 1e-8, amsgrad: bool = False, weight_decay: float = 0.0) -> Optimizer:
    """Adam (:class:`Adam`), L2 weight decay in the gradient as torch's Adam."""
    return _plain("adam", Adam(tuple(betas), eps, amsgrad), weight_decay)


def rmsprop(*, rho: float = 0.99, eps: float = 1e-8, momentum: float = 0.0, centered: bool = False,
            weight_decay: float = 0.0) -> Optimizer:
    """RMSprop (:class:`RMSprop`; ``rho`` is torch's ``alpha``)."""
    return _plain("rmsprop", RMSprop(rho, eps, momentum, centered), weight_decay)


def adagrad(*, lr_decay: float = 0.0, eps: float = 1e-10, initial_accumulator_value: float = 0.0,
            weight_decay: float = 0.0) -> Optimizer:
    """Adagrad (:class:`Adagrad`)."""
    return _plain("adagrad", Adagrad(lr_decay, eps, initial_accumulator_value), weight_decay)


# -- memory-augmented ("_C") optimizers ---------------------------------------------

def _memory(kappa: float, top_c: int, decay: float, aggregation: str, critical_test: bool, replacement: str,
            *, kappa_switch: bool, reference: bool = False) -> tuple[SelectionRule, CombinationRule]:
    """The critical-gradient memory; ``kappa_switch`` is the reference Adam_C / RMSprop_C reading of kappa;
    ``reference`` models the reference's buffer list and in-place kappa (items 10, 11)."""
    selection = CriticalGradients(top_c, decay, critical_test, replacement)
    combination = Aggregation(aggregation, kappa)
    if kappa_switch:
        if combination.kappa <= 0.0:
            return _no_memory()
        combination = Aggregation(aggregation, 1.0)
    elif combination.kappa == 0.0:  # documented: the plain optimizer (a memory filled and never used)
        return _no_memory()
    if not reference:
        return selection, combination
    in_place = ReferenceAggregation(aggregation, combination.kappa)
    if replacement == "smallest":
        return ReferenceCriticalGradients(top_c, decay, critical_test), in_place
    if in_place.in_place:
        raise ValueError(f"replacement={replacement!r} with aggregation={aggregation!r} and kappa={kappa!r} has no "
                         "reference_compatible form: the reference's in-place kappa is modelled with the "
                         "'smallest' replacement only")
    return selection, combination


def _sgd_family(name, *, kappa, decay, top_c, aggregation, critical_test, replacement, weight_decay,
                momentum, dampening, nesterov, reference_compatible) -> Optimizer:
    if reference_compatible and nesterov:
        raise ValueError("nesterov=True has no reference_compatible form: the reference SGD_C has no Nesterov "
                         "(its branch is commented out)")
    selection, combination = _memory(kappa, top_c, decay, aggregation, critical_test, replacement,
                                     kappa_switch=False, reference=reference_compatible)
    heavy_ball = Momentum(momentum, dampening, nesterov)
    dropped = reference_compatible and float(kappa) == 0.0  # the reference's momentum sits inside kappa != 0
    base = heavy_ball if heavy_ball.momentum != 0.0 and not dropped else GradientDescent()
    wd = WeightDecay(weight_decay, "gradient", "raw" if reference_compatible else "stored")
    return Optimizer(name, selection, combination, base, wd)


def sgd_c(*, kappa: float = 1.0, decay: float = 0.7, top_c: int = 10, aggregation: str = "sum",
          critical_test: bool = True, replacement: str = "smallest", weight_decay: float = 0.0,
          momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False,
          reference_compatible: bool = False) -> Optimizer:
    r"""SGD_C: :math:`x_{k+1} = x_k - \alpha d_k`, :math:`d_k` = aggregation of g_k with the critical memory.

    With ``momentum > 0`` the direction feeds a heavy-ball buffer (the reference's
    SGD_C(momentum=...)).  Default mode: weight decay inside the gradient, ranked by
    the decayed gradient's norm; momentum applies for every kappa; Nesterov allowed.
    ``reference_compatible=True``: ranked by the raw gradient's norm, momentum
    dropped when kappa = 0, no Nesterov (module doc, items 1, 2, 5).
    """
    return _sgd_family("sgd_c", kappa=kappa, decay=decay, top_c=top_c, aggregation=aggregation,
                       critical_test=critical_test, replacement=replacement, weight_decay=weight_decay,
                       momentum=momentum, dampening=dampening, nesterov=nesterov,
                       reference_compatible=reference_compatible)


def sgdm_c(*, kappa: float = 1.0, decay: float = 0.7, top_c: int = 10, aggregation: str = "sum",
           critical_test: bool = True, replacement: str = "smallest", weight_decay: float = 0.0,
           momentum: float = 0.9, dampening: float = 0.0, nesterov: bool = False,
           reference_compatible: bool = False) -> Optimizer:
    """SGDM_C: the reference's SGD_C with momentum (0.9, as its experiments use); see :func:`sgd_c`."""
    return _sgd_family("sgdm_c", kappa=kappa, decay=decay, top_c=top_c, aggregation=aggregation,
                       critical_test=critical_test, replacement=replacement, weight_decay=weight_decay,
                       momentum=momentum, dampening=dampening, nesterov=nesterov,
                       reference_compatible=reference_compatible)


def _adaptive_c(name, base, *, kappa, decay, top_c, aggregation, critical_test, replacement, weight_decay,
                reference_compatible) -> Optimizer:
    selection, combination = _memory(kappa, top_c, decay, aggregation, critical_test, replacement,
                                     kappa_switch=reference_compatible, reference=reference_compatible)
    wd = WeightDecay(weight_decay, "direction" if reference_compatible else "gradient")
    return Optimizer(name, selection, combination, base, wd)


def adam_c(*, kappa: float = 1.0, decay: float = 0.7, top_c: int = 10, aggregation: str = "mean",
           critical_test: bool = True, replacement: str = "smallest", betas=(0.9, 0.999), eps: float = 1e-8,
           amsgrad: bool = False, weight_decay: float = 0.0, reference_compatible: bool = False) -> Optimizer:
    """Adam_C: Adam's moments are fed the aggregated direction d_k.

    Default mode: kappa scales the memory term; weight decay inside the gradient.
    ``reference_compatible=True``: kappa only switches the memory on (> 0, weight 1)
    or off; weight decay added after aggregation (module doc, items 3-5).
    """
    return _adaptive_c("adam_c", Adam(tuple(betas), eps, amsgrad), kappa=kappa, decay=decay, top_c=top_c,
                       aggregation=aggregation, critical_test=critical_test, replacement=replacement,
                       weight_decay=weight_decay, reference_compatible=reference_compatible)


def rmsprop_c(*, kappa: float = 1.0, decay: float = 0.7, top_c: int = 10, aggregation: str = "mean",
              critical_test: bool = True, replacement: str = "smallest", rho: float = 0.99, eps: float = 1e-8,
              momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0,
              reference_compatible: bool = False) -> Optimizer:
    """RMSprop_C: RMSprop's square average is fed the aggregated direction d_k.

    Modes as :func:`adam_c`.  In reference mode ``critical_test`` is ignored, as the
    reference RMSprop_C ignores it: a new gradient is always tested against the
    priority at list position 0, so ``critical_test=False`` runs exactly as ``True``;
    and a replacement other than "smallest" raises (the reference ignores its
    ``sampling`` too; module doc, item 6).  Default mode: ``critical_test`` as documented.
    """
    if reference_compatible and replacement != "smallest":
        raise ValueError(f"replacement={replacement!r} has no reference_compatible form: the reference RMSprop_C "
                         "ignores sampling and always replaces the smallest entry")
    tested = True if reference_compatible else critical_test  # the reference RMSprop_C never reads the flag
    return _adaptive_c("rmsprop_c", RMSprop(rho, eps, momentum, centered), kappa=kappa, decay=decay, top_c=top_c,
                       aggregation=aggregation, critical_test=tested, replacement=replacement,
                       weight_decay=weight_decay, reference_compatible=reference_compatible)


def adagrad_c(*, kappa: float = 1.0, decay: float = 0.7, top_c: int = 10, aggregation: str = "mean",
              critical_test: bool = True, replacement: str = "smallest", lr_decay: float = 0.0,
              eps: float = 1e-10, initial_accumulator_value: float = 0.0, weight_decay: float = 0.0,
              reference_compatible: bool = False) -> Optimizer:
    """Adagrad_C (memgd's extension; the reference has none): Adagrad fed d_k.

    ``reference_compatible=True`` applies Adam_C / RMSprop_C's conventions (module doc, item 9).
    """
    return _adaptive_c("adagrad_c", Adagrad(lr_decay, eps, initial_accumulator_value), kappa=kappa, decay=decay,
                       top_c=top_c, aggregation=aggregation, critical_test=critical_test, replacement=replacement,
                       weight_decay=weight_decay, reference_compatible=reference_compatible)


#: factories by name
OPTIMIZERS = {
    "sgd": sgd, "sgdm": sgdm, "adam": adam, "rmsprop": rmsprop, "adagrad": adagrad,
    "sgd_c": sgd_c, "sgdm_c": sgdm_c, "adam_c": adam_c, "rmsprop_c": rmsprop_c, "adagrad_c": adagrad_c,
}

#: the plain counterpart of each "_C" optimizer
PLAIN = {"sgd_c": "sgd", "sgdm_c": "sgdm", "adam_c": "adam", "rmsprop_c": "rmsprop", "adagrad_c": "adagrad"}


def make_optimizer(name: str, **options) -> Optimizer:
    """The named optimizer with its defaults, overridden by ``options``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](**options)
