r"""The registry of falsifiable claims, the search profiles, and what a search reports.

A *claim* is a statement the package makes and can be wrong about: a theorem's rate, an age
bound, the comparison a run check makes, a lower bound's search, a rule's declared constants.
Its falsifier searches the claim's declared domain for a counterexample with one or more
*oracles* (independent computations of what the claim bounds) and reports, per oracle, how
many settings it tried, the smallest *slack* it found and where.

Slack is measured in the claim's own unit and is >= 0 exactly when the claim survives the
setting.  For a rate :math:`\rho` against a witness rate :math:`w` (an exact quadratic rate, a
switching word's rate, PEPit's per-step rate, a run's distances) the unit is the ratio of
iteration counts,

.. math:: \text{slack} = \frac{\ln w}{\ln \rho} - 1,

so a slack of 0.1 means the claim needs 1.1 times the iterations the witness needs, 0 means
the claim is attained, and a witness that diverges (:math:`w \ge 1`) has slack
:math:`\le -1`.  For an age bound the unit is steps (bound minus the largest age seen).

A falsifier also states *verdicts*: that no setting had a slack below minus its numerical
error, that the claim is attained where the mathematics says it is (so that an off-by-one or
a constant a little too small cannot hide in the slack), that inputs outside its hypotheses
are refused, and that its advertised edge is admissible.  The report turns each verdict into
a check.

Adding a claim: write a class with a ``name``, a one-line ``description``, an ``oracles``
tuple and ``run(profile, oracles) -> FalsificationResult``, and call :func:`register` on an
instance (for a rate theorem over memory patterns, :class:`RateTheorem
<memgd.proofs_check.falsification.rate_theorems.RateTheorem>` does all of it from the rate
and edge functions).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Profile:
    """How hard a search tries.  ``short``: the default test suite (seconds per claim);
    ``long``: the report (tens of seconds per claim)."""

    name: str
    examples: int          # hypothesis examples (generate + target phases)
    structured: int        # size level of the structured adversarial grid (1 small, 2 large)
    refine: int            # greedy refinement steps from the worst settings
    switching: int         # switching-word evaluations
    pepit: int             # PEPit evaluations (0: none)
    run_steps: int         # steps of each adversarial run
    seed: int = 0


PROFILES: dict[str, Profile] = {
    "short": Profile("short", examples=25, structured=1, refine=8, switching=2, pepit=0, run_steps=80),
    "long": Profile("long", examples=400, structured=2, refine=60, switching=12, pepit=3, run_steps=300),
}


def profile_named(name: str | Profile) -> Profile:
    if isinstance(name, Profile):
        return name
    if name not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}")
    return PROFILES[name]


@dataclass(frozen=True)
class Witness:
    """A slack found by an oracle, and where."""

    oracle: str
    slack: float
    where: str
    margin: float = 0.0     # the numerical error of this slack: a violation needs slack < -margin

    @property
    def violates(self) -> bool:
        return self.slack < -self.margin


@dataclass(frozen=True)
class Verdict:
    """A pass/fail statement of a falsifier (a check in the report)."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class FalsificationResult:
    claim: str
    profile: str
    tried: dict[str, int]              # oracle -> settings evaluated (non-vacuous)
    vacuous: dict[str, int]            # oracle -> settings where the claim says nothing
    smallest: dict[str, Witness]       # oracle -> smallest slack
    verdicts: tuple[Verdict, ...]
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def overall(self) -> Witness | None:
        """The smallest slack over all oracles."""
        found = [w for w in self.smallest.values() if math.isfinite(w.slack)]
        return min(found, key=lambda w: w.slack) if found else None

    @property
    def failed(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]


class SlackLog:
    """Collects the slacks of one search: counts, the smallest per oracle, every violation."""

    def __init__(self, claim: str):
        self.claim = claim
        self.tried: dict[str, int] = {}
        self.vacuous: dict[str, int] = {}
        self.smallest: dict[str, Witness] = {}
        self.violations: list[Witness] = []
        self.verdicts: list[Verdict] = []
        self.notes: list[str] = []
        self._start = time.perf_counter()

    def add(self, oracle: str, slack: float, where: str | Callable[[], str], margin: float = 0.0) -> None:
        """Record one evaluated setting (``where`` may be a callable, formatted only when needed)."""
        self.tried[oracle] = self.tried.get(oracle, 0) + 1
        best = self.smallest.get(oracle)
        worse = best is None or slack < best.slack
        violates = slack < -margin
        if worse or violates:
            w = Witness(oracle, float(slack), where() if callable(where) else where, float(margin))
            if worse:
                self.smallest[oracle] = w
            if violates:
                self.violations.append(w)

    def skip(self, oracle: str, count: int = 1) -> None:
        """Record settings where the claim is vacuous (nothing to test)."""
        self.vacuous[oracle] = self.vacuous.get(oracle, 0) + count

    def verdict(self, name: str, passed: bool, detail: str) -> None:
        self.verdicts.append(Verdict(name, bool(passed), detail))

    def no_violation_verdict(self, oracles: Iterable[str] | None = None) -> None:
        """The verdict that no setting of these oracles (default: all) had a slack below minus its margin."""
        names = list(self.tried) if oracles is None else [o for o in oracles if o in self.tried]
        bad = [w for w in self.violations if w.oracle in names]
        tried = sum(self.tried.get(o, 0) for o in names)
        if bad:
            worst = min(bad, key=lambda w: w.slack)
            detail = (f"{len(bad)} of {tried} settings violate it; worst: {worst.oracle}, slack {worst.slack:.4g} "
                      f"at {worst.where}")
        else:
            low = min((self.smallest[o] for o in names if o in self.smallest), key=lambda w: w.slack, default=None)
            detail = f"{tried} settings" + (f"; smallest slack {low.slack:.4g} ({low.oracle}) at {low.where}"
                                            if low is not None else "")
        self.verdict(f"{self.claim}: no counterexample ({', '.join(names)})", not bad and tried > 0, detail)

    def result(self, profile: str) -> FalsificationResult:
        return FalsificationResult(self.claim, profile, dict(self.tried), dict(self.vacuous), dict(self.smallest),
                                   tuple(self.verdicts), time.perf_counter() - self._start, tuple(self.notes))


def rate_slack(witness: float, bound: float) -> float:
    r"""ln(witness) / ln(bound) - 1 (iteration-count ratio minus 1); -inf for a diverging witness against
    a bound of 0, +inf for a witness of 0.  ``bound`` must be in [0, 1)."""
    if witness <= 0.0:
        return math.inf
    if bound <= 0.0:
        return -math.inf
    return math.log(witness) / math.log(bound) - 1.0


def rate_margin(witness: float, bound: float, witness_error: float) -> float:
    """The slack's numerical error when the witness rate carries an absolute error ``witness_error``:
    ``inf`` where the witness is 0 within its error (a rounding-level root cannot beat any bound, even a
    bound of 0), 0 where the bound is 0 and the witness is not."""
    if witness <= witness_error:
        return math.inf
    if not 0.0 < bound < 1.0:
        return 0.0
    return witness_error / ((witness - witness_error) * abs(math.log(bound)))


class Falsifier(Protocol):
    """What the registry holds: a named claim and its search."""

    name: str
    description: str
    oracles: tuple[str, ...]

    def run(self, profile: Profile, oracles: tuple[str, ...] | None = None) -> FalsificationResult: ...


REGISTRY: dict[str, Falsifier] = {}


def register(falsifier: Falsifier, *, replace: bool = False) -> Falsifier:
    """Add a falsifier to :data:`REGISTRY` under its name (ValueError if taken, unless ``replace``)."""
    name = getattr(falsifier, "name", None)
    if not isinstance(name, str) or not name:
        raise ValueError("a falsifier needs a non-empty string name")
    for attr in ("description", "oracles", "run"):
        if not hasattr(falsifier, attr):
            raise ValueError(f"falsifier {name!r} has no {attr!r}")
    if name in REGISTRY and not replace:
        raise ValueError(f"a falsifier named {name!r} is already registered")
    REGISTRY[name] = falsifier
    return falsifier


def falsify(name: str, profile: str | Profile = "short", oracles: Iterable[str] | None = None) -> FalsificationResult:
    """Run the registered falsifier ``name`` with a profile, optionally only some of its oracles."""
    if name not in REGISTRY:
        raise ValueError(f"name must be one of {list(REGISTRY)}, got {name!r}")
    f = REGISTRY[name]
    chosen = None
    if oracles is not None:
        chosen = tuple(oracles)
        unknown = [o for o in chosen if o not in f.oracles]
        if unknown:
            raise ValueError(f"oracles must be among {f.oracles} for {name!r}, got {unknown}")
    return f.run(profile_named(profile), chosen)


def wants(oracles: tuple[str, ...] | None, oracle: str) -> bool:
    """Whether ``oracle`` is to be run (None: all)."""
    return oracles is None or oracle in oracles


@dataclass(frozen=True)
class Tolerances:
    """Numerical errors of the oracles' witnesses (absolute, on a rate)."""

    exact: float = 1e-9        # exact quadratic rate: eigenvalues near a multiple root (quadratic_rate docs)
    switching: float = 1e-9    # a switching word's recomputed spectral radius
    pepit_relative: float = 2e-5  # PEPit's accepted primal-dual gap on omega_N (lower_bounds.pep.GAP_TOL x 2)
    tight: float = 1e-9        # how close to 0 a slack must be where the claim is attained

    extra: dict = field(default_factory=dict)


TOL = Tolerances()
