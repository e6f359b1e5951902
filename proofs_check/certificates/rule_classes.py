r"""The weight class of a rule: which polytope every step of a (selection, combination) pair lies in.

Mathematics
-----------
A step of the paper's aggregations with :math:`m` stored gradients (:math:`0 \le m \le C`,
:math:`m \le T`) has current weight :math:`a_m` and memory weights of one sign summing to
:math:`b_m` (:mod:`memgd.theory.aggregations`).  For :math:`\kappa \ge 0` every such step lies in
the age-mass class (:mod:`memgd.proofs_check.certificates.weight_classes`) whose polygon is the
convex hull of the points :math:`(a_m, b_m)`: the memory mass may sit on any ages.  So

- ``sum``, ``min``, ``median``, ``max``: :math:`(1, 0)` and :math:`(1, \kappa)`: exactly the
  nonnegative class with :math:`a = 1`, :math:`B = \kappa` (the hull of the rule's patterns,
  since one stored gradient can carry the whole mass);
- ``mid`` and the ``-mean`` picks: :math:`(1, 0)` and :math:`(1/2, \kappa/2)`;
- ``mean``: :math:`(1, 0)` and :math:`(1/(m+1), \kappa m/(m+1))` for :math:`m \le C`, a polygon
  larger than the hull of the rule's patterns (which spread the mass evenly): sound, possibly
  looser.

For :math:`\kappa < 0` the memory weights are :math:`\le 0`; the rule then lies in the signed class
with :math:`a \in [\min a_m, \max a_m]`, per-age bounds :math:`|\kappa| \max_m a_m` and
memory mass :math:`\max_m |b_m|` (a superset).

Any other combination rule with declared constants (:math:`s \in [s_{lo}, s_{hi}]`, memory mass
:math:`\le B`) and nonnegative weights lies in Theorem 2's class
:func:`~memgd.proofs_check.certificates.weight_classes.theorem2_class` ``(T, s_lo, s_hi, B)``.

Seam for declared rules: a combination rule may provide ``weight_class(T, capacity)`` returning a
:class:`~memgd.proofs_check.certificates.weight_classes.WeightClass`; :func:`class_of` uses it
first.  Any other rule declaring ``nonnegative_weights`` (:mod:`memgd.solvers.declarations`) gets
Theorem 2's class of its declared constants.
"""

from __future__ import annotations

from memgd.proofs_check.certificates.weight_classes import (
    WeightClass, age_mass_class, signed_class, theorem2_class,
)
from memgd.solvers.combination import Aggregation
from memgd.solvers.declarations import declared_nonnegative
from memgd.theory import aggregation_weights


def aggregation_class(name: str, kappa: float, T: int, capacity: int) -> WeightClass:
    """The class of a named aggregation with at most ``capacity`` stored gradients of ages <= T (module doc)."""
    if int(T) < 1 or int(capacity) < 1:
        raise ValueError(f"need T >= 1 and capacity >= 1, got T={T!r}, capacity={capacity!r}")
    points = []
    for m in range(0, min(int(capacity), int(T)) + 1):
        a, b = aggregation_weights(name, kappa, m)
        points.append((float(a), float(sum(b))))
    if kappa >= 0:
        return age_mass_class(T, points, name=f"{name} (kappa {kappa:g}) class",
                              description=f"aggregation {name!r}, kappa {kappa:g}, at most {capacity} stored "
                                          f"gradients of ages 1..{T}")
    a_vals = [a for a, _ in points]
    per_age = abs(kappa) * max(a_vals)
    return signed_class(T, min(a_vals), max(a_vals), per_age, per_age, max(abs(b) for _, b in points))


def class_of(selection, combination, T: int | None = None) -> WeightClass:
    """The weight class of a (selection rule, combination rule) pair (module doc).

    ``T``: the age bound; by default the selection rule's ``max_age`` (the critical rule declares none:
    pass the realized T).  Raises ``ValueError`` when neither gives one or the combination declares nothing usable.
    """
    T = getattr(selection, "max_age", None) if T is None else T
    if T is None:
        raise ValueError("T: the selection rule bounds no ages (max_age is None); pass the realized largest age")
    capacity = int(getattr(selection, "capacity"))
    declared = getattr(combination, "weight_class", None)
    if callable(declared):
        return declared(int(T), capacity)
    if isinstance(combination, Aggregation):
        return aggregation_class(combination.name, combination.kappa, int(T), capacity)
    if declared_nonnegative(combination) and hasattr(combination, "declared_constants"):
        c = combination.declared_constants(capacity)
        if c.s_lo > 0:
            return theorem2_class(int(T), c.s_lo, c.s_hi, c.B)
    raise ValueError(f"no weight class known for {type(combination).__name__}: declare weight_class(T, capacity) "
                     "on the rule, or give its class directly")
