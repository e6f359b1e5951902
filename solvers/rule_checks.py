r"""Checks of a user's memory rules at the door: one clear error before any run.

A selection rule (:class:`memgd.solvers.SelectionRule`) and a combination rule
(:class:`memgd.solvers.CombinationRule`) are duck-typed protocols.  A rule that misses
an attribute or returns the wrong thing used to fail late and obscurely (an
``AttributeError`` deep in a check, NaN constants, an ``ExceptionGroup`` after half a
minute).  :func:`check_rules` inspects both rules and *probe-calls* them on a tiny
memory (n = 2 problems, d = 2 coordinates, a few steps), then raises one error naming
the rule, the attribute, what was expected and what it got:

- :class:`RuleInterfaceError` (a ``TypeError``): an attribute is missing, not callable,
  of the wrong type, or a method returns an object of the wrong type;
- :class:`RuleValueError` (a ``ValueError``): a value or an array is wrong (negative
  size, wrong shape or dtype, non-finite numbers, more used slots than ``capacity``).

What the interface requires (the runner relies on each item):

selection rule
    ``slots`` (int >= 0, the memory's size S), ``capacity`` (int >= 0, the most stored
    gradients one step uses, C), ``max_age`` (int >= 0 or None); ``init(g0)`` returns a
    :class:`~memgd.solvers.memory.MemoryState` with S slots for the (n, d) gradient g0;
    ``active(mem, k, rng)`` returns an (n, S) bool array selecting at most C filled slots
    per problem; ``insert(mem, g, k, rng)`` returns the memory for step k+1 (same shapes
    and dtypes).
combination rule
    ``weights(g, mem, active, k, rng)`` returns ``(a, b)``: a float array of shape (n,)
    and a float array of shape (n, S), finite, with ``b`` zero outside ``active``;
    ``declared_constants(capacity)`` returns bounds (s_lo, s_hi, B, W) (a
    :class:`~memgd.solvers.combination.CombinationConstants`) that are finite real
    numbers with s_lo <= s_hi, B >= 0 and W >= 0.  Theorem 1 further needs s_lo > 0;
    that is checked where the theorem is used (``verify_rule``), not here, since a
    rule with s_lo <= 0 may still be run.
optional declarations (:mod:`memgd.solvers.declarations`)
    ``nonnegative_weights`` a bool (the probe's weights must then be >= 0);
    ``weights_for_ages`` (combination) and ``recurrent_ages`` (selection) methods.

These probes run once, at the door; :mod:`memgd.solvers.step_checks` checks the same
things, and the declarations, at every step of every run.

The probes use their own ``numpy.random.Generator`` (the caller's stream is not
touched) and their own memory; a rule that keeps state outside its
:class:`~memgd.solvers.memory.MemoryState` (which the interface does not allow) would
see these calls.
"""

from __future__ import annotations

import numbers

import numpy as np

from memgd.solvers.combination import CombinationConstants
from memgd.solvers.memory import MemoryState, empty_memory

PROBE_PROBLEMS = 2
PROBE_DIM = 2
_PROBE_SEED = 20_221_017
_MEMORY_FIELDS = (("grads", 3, "floating"), ("priority", 2, "floating"), ("norm", 2, "floating"),
                  ("born", 2, "integer"), ("filled", 2, "bool"))


class RuleCheckError(Exception):
    """A memory rule does not follow the interface (base of the two errors below)."""


class RuleInterfaceError(RuleCheckError, TypeError):
    """A rule misses an attribute, or an attribute or a returned object has the wrong type."""


class RuleValueError(RuleCheckError, ValueError):
    """A rule's attribute or returned array has a wrong value, shape or dtype."""


def _name(rule) -> str:
    """The rule's repr, or its class name where the repr is object's default (``<... object at 0x...>``)."""
    text = repr(rule)
    if text.startswith("<") and " object at 0x" in text:
        text = type(rule).__qualname__
    return text if len(text) <= 80 else text[:77] + "..."


def _require_attributes(kind: str, rule, attributes: tuple[str, ...], methods: tuple[str, ...]) -> None:
    missing = [a for a in attributes + methods if not hasattr(rule, a)]
    if missing:
        raise RuleInterfaceError(
            f"{kind} rule {_name(rule)}: missing attribute(s) {', '.join(missing)}; a {kind} rule needs "
            f"{', '.join(attributes + tuple(m + '(...)' for m in methods))}")
    for m in methods:
        if not callable(getattr(rule, m)):
            raise RuleInterfaceError(f"{kind} rule {_name(rule)}: {m} must be a method, "
                                     f"got {type(getattr(rule, m)).__name__}")


def _optional_methods(kind: str, rule, methods: tuple[str, ...]) -> None:
    for m in methods:
        if hasattr(rule, m) and getattr(rule, m) is not None and not callable(getattr(rule, m)):
            raise RuleInterfaceError(f"{kind} rule {_name(rule)}: the optional declaration {m} must be a method, "
                                     f"got {type(getattr(rule, m)).__name__}")


def _declared_sign(rule) -> bool:
    """``nonnegative_weights`` if declared: a bool (True / False), anything else is refused."""
    value = getattr(rule, "nonnegative_weights", False)
    if not isinstance(value, (bool, np.bool_)):
        raise RuleInterfaceError(f"combination rule {_name(rule)}: nonnegative_weights must be a bool (True declares "
                                 f"every weight >= 0 at every step), got {type(value).__name__} {value!r}")
    return bool(value)


def _size(kind: str, rule, attribute: str, *, allow_none: bool = False) -> int | None:
    value = getattr(rule, attribute)
    if value is None and allow_none:
        return None
    expected = "an integer >= 0" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise RuleInterfaceError(f"{kind} rule {_name(rule)}: {attribute} must be {expected}, "
                                 f"got {type(value).__name__} {value!r}")
    if value < 0:
        raise RuleValueError(f"{kind} rule {_name(rule)}: {attribute} must be {expected}, got {value!r}")
    return int(value)


def _check_memory(rule, call: str, mem, n: int, slots: int, d: int) -> MemoryState:
    """``mem`` must be a MemoryState of ``slots`` slots for n problems in dimension d."""
    if not isinstance(mem, MemoryState):
        raise RuleInterfaceError(f"selection rule {_name(rule)}: {call} must return a "
                                 f"memgd.solvers.MemoryState, got {type(mem).__name__}"
                                 + (" (does it forget to return the memory?)" if mem is None else ""))
    for field, ndim, kind in _MEMORY_FIELDS:
        arr = getattr(mem, field)
        shape = (n, slots, d)[:ndim] if ndim == 3 else (n, slots)
        if not isinstance(arr, np.ndarray) or arr.shape != shape:
            got = arr.shape if isinstance(arr, np.ndarray) else type(arr).__name__
            raise RuleValueError(f"selection rule {_name(rule)}: {call} returned a memory whose {field} "
                                 f"must be an array of shape {shape} (n, slots={slots}{', d' if ndim == 3 else ''}), "
                                 f"got {got}")
        ok = arr.dtype == np.bool_ if kind == "bool" else (
            np.issubdtype(arr.dtype, np.integer) if kind == "integer" else arr.dtype == np.float64)
        if not ok:
            wanted = {"bool": "bool", "integer": "an integer dtype", "floating": "float64"}[kind]
            raise RuleValueError(f"selection rule {_name(rule)}: {call} returned a memory whose {field} "
                                 f"must have dtype {wanted}, got {arr.dtype}")
    return mem


def _check_active(rule, mask, mem: MemoryState, k: int, capacity: int) -> np.ndarray:
    call = f"active(mem, k={k}, rng)"
    shape = mem.filled.shape
    if not isinstance(mask, np.ndarray):
        raise RuleInterfaceError(f"selection rule {_name(rule)}: {call} must return a numpy bool array of shape "
                                 f"{shape} (n, slots), got {type(mask).__name__}")
    if mask.shape != shape or mask.dtype != np.bool_:
        raise RuleValueError(f"selection rule {_name(rule)}: {call} must return a bool array of shape {shape} "
                             f"(n, slots), got {mask.dtype} of shape {mask.shape}")
    if np.any(mask & ~mem.filled):
        raise RuleValueError(f"selection rule {_name(rule)}: {call} selects an empty slot; "
                             "it must select filled slots only (mask <= mem.filled)")
    most = int(mask.sum(axis=1).max(initial=0))
    if most > capacity:
        raise RuleValueError(f"selection rule {_name(rule)}: {call} selects {most} slots of one problem, "
                             f"more than its capacity = {capacity}")
    return mask


def _probe_gradients(n: int, d: int, steps: int) -> np.ndarray:
    """Deterministic nonzero gradients, (steps, n, d), from the probes' own generator."""
    return 1.0 + np.random.default_rng(_PROBE_SEED).random((steps, n, d))


def check_selection(rule) -> None:
    """Check a selection rule's attributes and probe it.

    Raises :class:`RuleInterfaceError` or :class:`RuleValueError` (see module doc).
    """
    _probe_selection(rule)


def _probe_selection(rule) -> tuple[MemoryState, int]:
    """The checks of :func:`check_selection`; returns the probe's memory and its next step."""
    kind = "selection"
    _require_attributes(kind, rule, ("slots", "capacity", "max_age"), ("init", "active", "insert"))
    slots = _size(kind, rule, "slots")
    capacity = _size(kind, rule, "capacity")
    _size(kind, rule, "max_age", allow_none=True)
    _optional_methods(kind, rule, ("recurrent_ages",))
    n, d = PROBE_PROBLEMS, PROBE_DIM
    steps = min(slots, 4) + 2
    grads = _probe_gradients(n, d, steps)
    rng = np.random.default_rng(_PROBE_SEED)
    mem = _check_memory(rule, "init(g0)", rule.init(grads[0].copy()), n, slots, d)
    for k in range(steps):
        _check_active(rule, rule.active(mem, k, rng), mem, k, capacity)
        mem = _check_memory(rule, f"insert(mem, g, k={k}, rng)", rule.insert(mem, grads[k].copy(), k, rng),
                            n, slots, d)
    return mem, steps


def _probe_memory(capacity: int) -> tuple[MemoryState, np.ndarray]:
    """A memory of ``capacity`` slots holding gradients of ages 1..capacity, and the all-used mask."""
    n, d = PROBE_PROBLEMS, PROBE_DIM
    mem = empty_memory(n, capacity, d)
    if capacity:
        mem.grads[:] = _probe_gradients(n, d, capacity).transpose(1, 0, 2)
        mem.norm[:] = np.linalg.norm(mem.grads, axis=2)
        mem.priority[:] = mem.norm
        mem.born[:] = -1 - np.arange(capacity)  # ages 1..capacity at step 0
        mem.filled[:] = True
    return mem, mem.filled.copy()


def _check_weights(rule, out, mem: MemoryState, active: np.ndarray, k: int, nonnegative: bool = False) -> None:
    n, S = active.shape
    call = f"weights(g, mem, active, k={k}, rng)"
    if not (isinstance(out, tuple) and len(out) == 2):
        got = f"a tuple of length {len(out)}" if isinstance(out, tuple) else type(out).__name__
        raise RuleInterfaceError(f"combination rule {_name(rule)}: {call} must return a pair (a, b) of arrays, "
                                 f"got {got}")
    for label, arr, shape in (("a", out[0], (n,)), ("b", out[1], (n, S))):
        meaning = "(n,): the weight of the current gradient" if label == "a" else "(n, slots): the memory weights"
        if not isinstance(arr, np.ndarray):
            raise RuleInterfaceError(f"combination rule {_name(rule)}: {call} must return {label} as a numpy "
                                     f"float array of shape {shape} {meaning}, got {type(arr).__name__}")
        if arr.shape != shape or not np.issubdtype(arr.dtype, np.floating):
            raise RuleValueError(f"combination rule {_name(rule)}: {call} must return {label} as a float array "
                                 f"of shape {shape} {meaning}, got {arr.dtype} of shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise RuleValueError(f"combination rule {_name(rule)}: {call} returned a non-finite {label}")
    if np.any((out[1] != 0) & ~active):
        raise RuleValueError(f"combination rule {_name(rule)}: {call} returned a nonzero b on a slot that is not "
                             "active; b must be zero outside the used slots")
    if nonnegative and (np.any(out[0] < 0) or np.any(out[1] < 0)):
        raise RuleValueError(f"combination rule {_name(rule)}: {call} returned a negative weight, but the rule "
                             "declares nonnegative_weights = True")


def check_declared_constants(rule, capacity: int) -> CombinationConstants:
    """``declared_constants(capacity)`` as floats with s_lo <= s_hi, B >= 0, W >= 0; none NaN.

    s_lo may be -inf and s_hi, B, W +inf: "no bound" (Theorems 1 and 1b are then vacuous a priori).
    """
    call = f"declared_constants(capacity={capacity})"
    out = rule.declared_constants(capacity)
    fields = ("s_lo", "s_hi", "B", "W")
    if not all(hasattr(out, f) for f in fields):
        raise RuleInterfaceError(f"combination rule {_name(rule)}: {call} must return a "
                                 f"memgd.solvers.CombinationConstants(s_lo, s_hi, B, W), got {type(out).__name__}")
    values = {}
    for f in fields:
        v = getattr(out, f)
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.floating, np.integer)):
            raise RuleInterfaceError(f"combination rule {_name(rule)}: {call}.{f} must be a real number, "
                                     f"got {type(v).__name__} {v!r}")
        # An infinite bound is an honest declaration that none exists (weights that compound
        # without limit): s_lo may be -inf, s_hi, B and W +inf; the theorem is then vacuous a priori.
        allowed_inf = -np.inf if f == "s_lo" else np.inf
        if np.isnan(float(v)) or (np.isinf(float(v)) and float(v) != allowed_inf):
            raise RuleValueError(f"combination rule {_name(rule)}: {call}.{f} must be a real number "
                                 f"(finite, or {allowed_inf} for 'no bound'), got {v!r}")
        values[f] = float(v)
    if values["s_lo"] > values["s_hi"]:
        raise RuleValueError(f"combination rule {_name(rule)}: {call} must have s_lo <= s_hi, "
                             f"got s_lo = {values['s_lo']!r} > s_hi = {values['s_hi']!r}")
    for f in ("B", "W"):
        if values[f] < 0:
            raise RuleValueError(f"combination rule {_name(rule)}: {call}.{f} bounds a mass and must be >= 0, "
                                 f"got {values[f]!r}")
    return CombinationConstants(**values)


def check_combination(rule, capacity: int, *, memory: MemoryState | None = None, k: int = 0
                      ) -> CombinationConstants:
    """Check a combination rule's attributes and probe it; return its declared constants.

    The probe calls ``weights`` at step ``k`` on ``memory`` (default: ``capacity``
    filled slots of ages 1..capacity at k = 0) with the first ``capacity`` filled
    slots used, and with none used.
    """
    kind = "combination"
    _require_attributes(kind, rule, (), ("weights", "declared_constants"))
    if isinstance(capacity, bool) or not isinstance(capacity, numbers.Integral) or capacity < 0:
        raise ValueError(f"capacity must be an integer >= 0, got {capacity!r}")
    declared = check_declared_constants(rule, int(capacity))
    nonnegative = _declared_sign(rule)
    _optional_methods(kind, rule, ("weights_for_ages",))
    mem, full = _probe_memory(int(capacity)) if memory is None else (memory, memory.filled.copy())
    # at most ``capacity`` used slots per problem: the first ones filled
    full &= np.cumsum(full, axis=1) <= capacity
    g = _probe_gradients(full.shape[0], mem.grads.shape[2], 1)[0]
    rng = np.random.default_rng(_PROBE_SEED)
    for active in (full, np.zeros_like(full)):
        _check_weights(rule, rule.weights(g.copy(), mem, active.copy(), k, rng), mem, active, k, nonnegative)
    return declared


def check_rules(selection, combination) -> CombinationConstants:
    """:func:`check_selection` then :func:`check_combination` on the selection's probe memory."""
    mem, k = _probe_selection(selection)
    return check_combination(combination, int(selection.capacity), memory=mem, k=k)
