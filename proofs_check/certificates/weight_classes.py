r"""Classes of combination rules as polytopes of weight vectors, and their vertices.

Mathematics
-----------
A step with ages up to :math:`T` uses the dense weights :math:`w = (w_0, \dots, w_T)`
(:math:`w_\tau` multiplies :math:`g_{k-\tau}`); write :math:`b = \sum_{\tau \ge 1} w_\tau`
for the memory mass when the memory weights are nonnegative.  A *class* is a polytope
:math:`\mathcal W \subset \mathbb R^{T+1}`: a rule belongs to it when every step's weights
lie in :math:`\mathcal W`, whichever ages are selected and however the weights change.
A class certificate (:mod:`memgd.proofs_check.certificates.certify_class`) needs the
vertices of :math:`\mathcal W` only (the decrease LMI is affine in :math:`w` once the step
is lifted), so each class below comes with its vertex set, derived here.

**Age-mass classes** (nonnegative memory weights):
:math:`\mathcal W = \{w : w_1, \dots, w_T \ge 0,\ (w_0, b) \in \Pi\}` for a convex polygon
:math:`\Pi` of the plane (current weight, memory mass).  Its vertices are

.. math::

    \begin{aligned}
    &\{(w_0, 0, \dots, 0) : (w_0, 0) \text{ a vertex of } \Pi\} \\
    &\quad\cup\; \{(w_0, b\,e_j) : (w_0, b) \text{ a vertex of } \Pi,\ b > 0,\ j = 1..T\}.
    \end{aligned}

*Proof.* A point with two positive memory weights is the midpoint of two points of
:math:`\mathcal W` that move mass between those ages (same :math:`(w_0, b)`), so a vertex
has its mass on one age: :math:`(w_0, b e_j)`.  If :math:`(w_0, b)` is a convex combination
of points of :math:`\Pi`, then :math:`(w_0, b e_j)` is the same combination of the points
:math:`(w_0', b' e_j) \in \mathcal W`, so :math:`(w_0, b)` must be a vertex of :math:`\Pi`.
Conversely, if :math:`(w_0, b e_j) = \sum_i \theta_i w^{(i)}` with :math:`w^{(i)} \in \mathcal W`,
the projections :math:`(w^{(i)}_0, b^{(i)})` average to a vertex of :math:`\Pi`, hence all equal
it, and nonnegative memory weights averaging to zero off age :math:`j` are zero there:
every :math:`w^{(i)} = (w_0, b e_j)`. ∎

- :func:`nonnegative_class` (issue 20's class (a)): :math:`\Pi = [a_{lo}, a_{hi}] \times [0, B]`,
  so :math:`2(T+1)` vertices :math:`\{a_{lo}, a_{hi}\} \times \{0, B e_1, \dots, B e_T\}`.
- :func:`theorem2_class` (class (b), exactly the set Theorem 2 covers,
  docs/math/theorem2.md): every weight nonnegative, :math:`s = w_0 + b \in [s_{lo}, W]`,
  :math:`b \le B`, i.e. :math:`\Pi = \{w_0 \ge 0,\ 0 \le b \le B,\ s_{lo} \le w_0 + b \le W\}`.
  Its vertices: :math:`(s_{lo}, 0)`, :math:`(W, 0)`, and, with :math:`B' = \min(B, W)`:
  :math:`(W - B', B')`; :math:`(\max(s_{lo} - B', 0), B')`; and :math:`(0, s_{lo})` when
  :math:`s_{lo} < B'` — from 2 (no memory, :math:`B = 0`) to :math:`2 + 3T` vertices.
  Theorem 2 bounds no single weight, so its class contains the pure delay
  :math:`d_k = B' g_{k-T}` whenever :math:`s_{lo} \le B'`.
- :func:`age_mass_class`: any polygon, given by its vertices (e.g. the segment from
  :math:`(1, 0)` to :math:`(1/(C+1), \kappa C/(C+1))` that contains every "mean" pattern).

**Rules with at most C stored gradients.** A rule whose every step has current weight in
:math:`[a_{lo}, a_{hi}]`, nonnegative memory weights and memory mass at most :math:`B` uses,
at each step, a point of :func:`nonnegative_class`; however many gradients it stores. A
certificate of the class covers the convex hull of the rule's patterns because it covers the
whole polytope, which contains them; the hull equals the polytope when the rule can put the
mass :math:`B` on any single age at both :math:`a_{lo}` and :math:`a_{hi}` (the "sum"
aggregation, for instance), and is smaller otherwise (then the class certificate is sound but
may be looser than one for the hull).

**Signed class** (:func:`signed_class`, class (c)): :math:`w_0 \in [a_{lo}, a_{hi}]` and the
memory part :math:`m` in :math:`K = \{-B_- \le m_j \le B_+,\ \|m\|_1 \le B\}` (Theorem 2 does not
cover it).  :math:`\mathcal W` is a product, so its vertices are
:math:`\{a_{lo}, a_{hi}\} \times \mathrm{vert}(K)`.  A point :math:`m \in K` is a vertex iff
either :math:`\|m\|_1 < B` and every coordinate is at a bound (:math:`-B_-` or :math:`B_+`), or
:math:`\|m\|_1 = B` and at most one coordinate is neither 0 nor at a bound.  (Perturbing
:math:`m \pm \epsilon d`: coordinates at a bound must keep :math:`d_j = 0`; with
:math:`\|m\|_1 = B`, zero coordinates must too, since they raise the norm in both directions,
and the free nonzero ones must satisfy :math:`\sum_j \mathrm{sign}(m_j) d_j = 0`, which has a
nonzero solution iff there are two or more.)  With :math:`B_\pm \ge B` these are the
:math:`2T` points :math:`\pm B e_j` (a cross-polytope); tighter per-age bounds give more
vertices (their number is computed and refused above ``max_vertices``).

**User polytopes** (:func:`polytope_class`, class (d)): any finite list of weight vectors; the
certificate covers their convex hull (points that are not extreme only cost LMIs).

In code terms: every constructor returns a :class:`WeightClass` (its vertices, as dense
weights and as :class:`~memgd.theory.pattern.Pattern`), and :meth:`WeightClass.interior`
draws random convex combinations (the multipliers are interpolated with the same weights).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from math import factorial
from typing import Sequence

import numpy as np

from memgd.theory.pattern import Pattern

MAX_VERTICES = 4096


@dataclass(frozen=True)
class WeightClass:
    """A polytope of dense weight vectors ``(w_0, ..., w_T)``, given by ``vertices``."""

    name: str
    T: int
    vertices: tuple[tuple[float, ...], ...]
    description: str = ""
    theorem2: tuple[float, float, float] | None = None   # (s_lo, W, B) when this is Theorem 2's class

    def __post_init__(self) -> None:
        if int(self.T) < 0:
            raise ValueError(f"T must be >= 0, got {self.T!r}")
        if not self.vertices:
            raise ValueError("a class needs at least one vertex")
        if any(len(v) != self.T + 1 for v in self.vertices):
            raise ValueError(f"every vertex must have T + 1 = {self.T + 1} weights")
        if not np.all(np.isfinite(np.asarray(self.vertices, dtype=np.float64))):
            raise ValueError("vertex weights must be finite")

    @property
    def weights(self) -> np.ndarray:
        """(V, T+1) array of the vertices."""
        return np.asarray(self.vertices, dtype=np.float64)

    @property
    def nonnegative(self) -> bool:
        """True when every weight of every vertex (hence of the class) is >= 0."""
        return bool(np.all(self.weights >= 0))

    def patterns(self) -> tuple[Pattern, ...]:
        """The vertices as patterns (ages with a nonzero memory weight; the current weight always kept)."""
        return tuple(_pattern(v) for v in self.weights)

    def interior(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` random points: convex weights theta (n, V) (Dirichlet(1)) and the points theta @ vertices (n, T+1)."""
        theta = rng.dirichlet(np.ones(len(self.vertices)), size=int(n))
        return theta, theta @ self.weights

    def contains_pattern(self, pattern: Pattern, *, tol: float = 1e-12) -> bool:
        """Whether ``pattern`` (ages up to T) is a convex combination of the vertices (an LP)."""
        from scipy.optimize import linprog

        if pattern.T > self.T:
            return False
        V = self.weights
        w = pattern.dense_weights(self.T)
        A_eq = np.vstack([V.T, np.ones((1, len(V)))])
        b_eq = np.concatenate([w, [1.0]])
        res = linprog(np.zeros(len(V)), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        return bool(res.status == 0 and np.max(np.abs(A_eq @ res.x - b_eq)) <= tol * max(1.0, np.abs(V).max()))


def describe_weights(w: Sequence[float]) -> str:
    """The nonzero weights of a dense vector, e.g. ``"w0=1, w16=1"`` (``w_tau`` multiplies g_{k-tau})."""
    parts = [f"w{t}={float(v):.6g}" for t, v in enumerate(w) if v != 0.0]
    return ", ".join(parts) if parts else "all zero"


def _pattern(w: np.ndarray) -> Pattern:
    ages = (0,) + tuple(int(t) for t in np.flatnonzero(w[1:]) + 1)
    return Pattern(ages, tuple(float(w[a]) for a in ages))


def _check_T(T: int) -> int:
    if isinstance(T, bool) or int(T) != T or int(T) < 0:
        raise ValueError(f"T must be an integer >= 0, got {T!r}")
    return int(T)


def _finite(**values: float) -> None:
    for k, v in values.items():
        if not np.isfinite(v):
            raise ValueError(f"{k} must be finite, got {v!r}")


def hull_2d(points: Sequence[tuple[float, float]], *, tol: float = 1e-12) -> tuple[tuple[float, float], ...]:
    """Extreme points of a finite planar set, counter-clockwise (monotone chain; collinear points dropped).

    Handles degenerate sets: a segment gives its two ends, a point itself."""
    pts = sorted({(float(a), float(b)) for a, b in points})
    if len(pts) <= 2:
        return tuple(pts)
    scale = max(1.0, max(abs(c) for p in pts for c in p))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= tol * scale * scale:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= tol * scale * scale:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return tuple(dict.fromkeys(hull))


def age_mass_vertices(T: int, polygon: Sequence[tuple[float, float]]) -> tuple[tuple[float, ...], ...]:
    """Vertices of {w : w_1..w_T >= 0, (w_0, sum_{j>=1} w_j) in conv(polygon)} (module doc)."""
    T = _check_T(T)
    out = []
    for w0, b in hull_2d(polygon):
        if b == 0.0 or T == 0:
            out.append((w0,) + (0.0,) * T)
        else:
            for j in range(1, T + 1):
                w = [0.0] * (T + 1)
                w[0], w[j] = w0, b
                out.append(tuple(w))
    return tuple(dict.fromkeys(out))


def age_mass_class(T: int, polygon: Sequence[tuple[float, float]], *, name: str = "age-mass class",
                   description: str = "") -> WeightClass:
    """Nonnegative memory weights with (current weight, memory mass) in the convex hull of ``polygon``."""
    pts = [(float(a), float(b)) for a, b in polygon]
    if not pts:
        raise ValueError("polygon needs at least one point (w_0, b)")
    for a, b in pts:
        _finite(w_0=a, b=b)
        if b < 0:
            raise ValueError(f"memory mass b must be >= 0 in every polygon point, got {b!r}")
    T = _check_T(T)
    if T == 0 and any(b > 0 for _, b in pts):
        raise ValueError("T = 0 has no memory: every polygon point needs b = 0")
    return WeightClass(name, T, age_mass_vertices(T, pts), description or f"(w_0, b) in conv{hull_2d(pts)}")


def nonnegative_class(T: int, a_lo: float, a_hi: float, B: float) -> WeightClass:
    """Current weight in [a_lo, a_hi], memory weights >= 0 on ages 1..T, memory mass <= B: 2(T+1) vertices."""
    T = _check_T(T)
    _finite(a_lo=a_lo, a_hi=a_hi, B=B)
    if not a_lo <= a_hi:
        raise ValueError(f"need a_lo <= a_hi, got a_lo={a_lo!r}, a_hi={a_hi!r}")
    if not B >= 0:
        raise ValueError(f"B (memory mass) must be >= 0, got {B!r}")
    if T == 0 and B > 0:
        raise ValueError("T = 0 has no memory: B must be 0")
    poly = [(a_lo, 0.0), (a_hi, 0.0), (a_lo, B), (a_hi, B)]
    return age_mass_class(T, poly, name="nonnegative class",
                          description=f"a in [{a_lo:g}, {a_hi:g}], w_j >= 0 on ages 1..{T}, sum w_j <= {B:g}")


def theorem2_polygon(s_lo: float, W: float, B: float) -> tuple[tuple[float, float], ...]:
    """Vertices of {w_0 >= 0, 0 <= b <= B, s_lo <= w_0 + b <= W} (module doc), counter-clockwise."""
    Bp = min(B, W)
    pts = [(s_lo, 0.0), (W, 0.0)]
    if Bp > 0:
        pts += [(W - Bp, Bp), (max(s_lo - Bp, 0.0), Bp)]
        if s_lo < Bp:
            pts.append((0.0, s_lo))
    return hull_2d(pts)


def theorem2_class(T: int, s_lo: float, W: float, B: float) -> WeightClass:
    """Exactly the weights Theorem 2 covers: all >= 0, s in [s_lo, W], memory mass <= B, ages <= T."""
    T = _check_T(T)
    _finite(s_lo=s_lo, W=W, B=B)
    if not 0 < s_lo <= W:
        raise ValueError(f"need 0 < s_lo <= W, got s_lo={s_lo!r}, W={W!r}")
    if not B >= 0:
        raise ValueError(f"B (memory mass) must be >= 0, got {B!r}")
    if T == 0 and B > 0:
        raise ValueError("T = 0 has no memory: B must be 0")
    return WeightClass("Theorem 2's class", T, age_mass_vertices(T, theorem2_polygon(s_lo, W, B)),
                       f"all weights >= 0, s in [{s_lo:g}, {W:g}], memory mass <= {B:g}, ages <= {T}",
                       theorem2=(float(s_lo), float(W), float(B)))


def _signed_memory_count(T: int, Bm: float, Bp: float, B: float) -> int:
    """Number of vertices of K = {-Bm <= m_j <= Bp, |m|_1 <= B} (module doc), without listing them."""
    n = 0
    for n_p in range(T + 1):
        for n_m in range(T + 1 - n_p):
            used = n_p * Bp + n_m * Bm
            if used > B:
                continue
            ways = factorial(T) // (factorial(n_p) * factorial(n_m) * factorial(T - n_p - n_m))
            r = B - used
            if n_p + n_m == T:
                n += ways                   # every coordinate at a bound (|m|_1 <= B)
            elif r == 0:
                n += ways                   # |m|_1 = B, the rest zero
            else:
                signs = (r < Bp) + (r < Bm)
                n += ways * (T - n_p - n_m) * signs
    return n


def signed_memory_vertices(T: int, Bm: float, Bp: float, B: float) -> list[np.ndarray]:
    """The vertices of K = {-Bm <= m_j <= Bp, |m|_1 <= B} (Bm, Bp, B > 0), each an array of length T."""
    out = []
    for n_p in range(T + 1):
        for n_m in range(T + 1 - n_p):
            used = n_p * Bp + n_m * Bm
            if used > B:
                continue
            r = B - used
            rest = T - n_p - n_m
            for pos in itertools.combinations(range(T), n_p):
                others = [j for j in range(T) if j not in pos]
                for neg in itertools.combinations(others, n_m):
                    m = np.zeros(T)
                    m[list(pos)] = Bp
                    m[list(neg)] = -Bm
                    if rest == 0 or r == 0:
                        out.append(m)
                        continue
                    free = [j for j in others if j not in neg]
                    for j in free:
                        for sign, bound in ((1.0, Bp), (-1.0, Bm)):
                            if r < bound:
                                v = m.copy()
                                v[j] = sign * r
                                out.append(v)
    return out


def signed_class(T: int, a_lo: float, a_hi: float, B_minus: float, B_plus: float, B: float, *,
                 max_vertices: int = MAX_VERTICES) -> WeightClass:
    """Current weight in [a_lo, a_hi]; memory weights in [-B_minus, B_plus] per age, total |memory| <= B."""
    T = _check_T(T)
    _finite(a_lo=a_lo, a_hi=a_hi, B_minus=B_minus, B_plus=B_plus, B=B)
    if not a_lo <= a_hi:
        raise ValueError(f"need a_lo <= a_hi, got a_lo={a_lo!r}, a_hi={a_hi!r}")
    if not (B_minus > 0 and B_plus > 0 and B > 0):
        raise ValueError(f"need B_minus > 0, B_plus > 0 and B > 0 (use nonnegative_class for B_minus = 0), "
                         f"got {B_minus!r}, {B_plus!r}, {B!r}")
    if T < 1:
        raise ValueError(f"a signed memory class needs T >= 1, got {T!r}")
    count = _signed_memory_count(T, B_minus, B_plus, B) * (1 if a_lo == a_hi else 2)
    if count > max_vertices:
        raise ValueError(f"the signed class T={T}, B_minus={B_minus:g}, B_plus={B_plus:g}, B={B:g} has {count} "
                         f"vertices, more than max_vertices={max_vertices}: per-age bounds well below B give "
                         "combinatorially many; raise max_vertices or the per-age bounds")
    mem = signed_memory_vertices(T, B_minus, B_plus, B)
    verts = [tuple([float(a)] + [float(x) for x in m]) for a in sorted({a_lo, a_hi}) for m in mem]
    return WeightClass("signed class", T, tuple(dict.fromkeys(verts)),
                       f"a in [{a_lo:g}, {a_hi:g}], memory weights in [-{B_minus:g}, {B_plus:g}] per age on ages "
                       f"1..{T}, sum |w_j| <= {B:g}")


def polytope_class(vertices: Sequence[Sequence[float]] | Sequence[Pattern], T: int | None = None, *,
                   name: str = "user polytope") -> WeightClass:
    """The convex hull of the given weight vectors (dense, length T+1) or patterns."""
    items = list(vertices)
    if not items:
        raise ValueError("vertices must be a non-empty list of weight vectors or patterns")
    if all(isinstance(v, Pattern) for v in items):
        Tw = max(p.T for p in items) if T is None else _check_T(T)
        if Tw < max(p.T for p in items):
            raise ValueError(f"T must be at least the largest age {max(p.T for p in items)}, got {T}")
        dense = [tuple(float(x) for x in p.dense_weights(Tw)) for p in items]
    else:
        dense = [tuple(float(x) for x in v) for v in items]
        lengths = {len(v) for v in dense}
        if len(lengths) != 1:
            raise ValueError(f"every weight vector must have the same length, got lengths {sorted(lengths)}")
        Tw = lengths.pop() - 1
        if T is not None and _check_T(T) != Tw:
            raise ValueError(f"T={T} does not match the vectors' length {Tw + 1}")
    return WeightClass(name, Tw, tuple(dict.fromkeys(dense)), f"convex hull of {len(set(dense))} weight vectors")


__all__ = ["WeightClass", "nonnegative_class", "theorem2_class", "theorem2_polygon", "age_mass_class",
           "age_mass_vertices", "signed_class", "signed_memory_vertices", "polytope_class", "hull_2d",
           "MAX_VERTICES", "describe_weights"]
