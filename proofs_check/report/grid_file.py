"""User-defined scenario grids in TOML (``python -m memgd.proofs_check --grid FILE``).

A grid file holds ``[[adversary]]`` and ``[[critical]]`` tables; each expands to
scenarios exactly as the default grid does (:func:`grid_scenarios`,
:func:`critical_rule_scenarios`), every key optional (defaults shown)::

    [[adversary]]           # keep-oldest rule at the maximum-age adversary
    # smoothness constants, each > mu (mu = 1 unless the key mu is given; mu > 0)
    L = [10, 100]
    T = [1, 2, 3]           # largest gradient age: integers 1..64
    # stored gradients: integers >= 1, or "T" for T; a C above T is skipped
    C = [1, 2, "T"]
    aggregations = ["sum", "mid", "mean"]
    # steps as fractions of the quadratic stability limit, in (0, 1)
    fractions = [0.5, 0.9]

    [[critical]]            # the paper's critical-gradient rule at alpha = 0.5 / L
    L = [10, 100]           # each > mu
    decays = [0.7, 0.99]    # in (0, 1)
    aggregations = ["sum", "mid", "mean"]
    top_c = 5               # one integer >= 1

Scenario names are unique; a name produced twice is an error.

Reading a file (:func:`read_grid`) checks every key against these ranges and refuses a grid
whose work is out of reach, each with one line naming the table and the key, before any
scenario is built or any heavy module imported: a pattern set (every subset of ages 1..T with
at most C members) larger than :data:`~memgd.proofs_check.report.pattern_sets.MAX_PATTERNS`
(1,024: C = T stops at T = 10, C = 2 at T = 44, C = 1 at T = 64) or ages above
:data:`~memgd.proofs_check.report.pattern_sets.MAX_AGE` (64).  Such rules are the class
certificates' domain (issue 20, docs/math/certificates.md).  Expanding the tables into
scenarios (:meth:`Grid.scenarios`) is then polynomial in T; nothing is computed per pattern.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from memgd.proofs_check.report.pattern_sets import GRID_AGGREGATIONS, MAX_AGE, reach_error, subset_count

if TYPE_CHECKING:
    from memgd.proofs_check.report.scenarios import Scenario

AGGREGATIONS = GRID_AGGREGATIONS
_KEYS = {"adversary": {"L", "T", "C", "aggregations", "fractions", "mu"},
         "critical": {"L", "decays", "aggregations", "top_c", "mu"}}


def _floats(table: dict, key: str, where: str, default, positive: bool = True) -> tuple[float, ...]:
    value = table.get(key, default)
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{where}: {key} must be a number or a list of numbers, got {value!r}")
    if positive and not all(v > 0 for v in values):
        raise ValueError(f"{where}: {key} must be positive, got {value!r}")
    return tuple(float(v) for v in values)


def _ints(table: dict, key: str, where: str, default, lo: int = 1, hi: int | None = None) -> tuple[int, ...]:
    value = table.get(key, default)
    values = value if isinstance(value, list) else [value]
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v >= lo and (hi is None or v <= hi) for v in values)
    if not values or not ok:
        allowed = f">= {lo}" if hi is None else f"in {lo}..{hi}"
        raise ValueError(f"{where}: {key} must be an integer {allowed} or a list of them, got {value!r}")
    return tuple(values)


def _capacities(table: dict, where: str) -> tuple[int | str, ...]:
    value = table.get("C", [1, 2, "T"])
    values = value if isinstance(value, list) else [value]
    ok = all(v == "T" or (isinstance(v, int) and not isinstance(v, bool) and v >= 1) for v in values)
    if not values or not ok:
        raise ValueError(f'{where}: C must be an integer >= 1 or "T", or a list of them, got {value!r}')
    return tuple(values)


def _aggregations(table: dict, where: str) -> tuple[str, ...]:
    value = table.get("aggregations", list(AGGREGATIONS))
    values = value if isinstance(value, list) else [value]
    bad = [v for v in values if v not in AGGREGATIONS]
    if not values or bad:
        raise ValueError(f"{where}: aggregations must be among {', '.join(AGGREGATIONS)}, got {value!r}")
    return tuple(values)


@dataclass(frozen=True)
class GridTable:
    """One checked ``[[adversary]]`` or ``[[critical]]`` table: the keyword arguments of its expansion."""

    kind: str      # "adversary" or "critical"
    where: str     # "FILE: [[kind]] #i", for messages
    params: tuple  # sorted (key, value) pairs

    def scenarios(self) -> list[Scenario]:
        from memgd.proofs_check.report.scenarios import critical_rule_scenarios, grid_scenarios

        expand = grid_scenarios if self.kind == "adversary" else critical_rule_scenarios
        return expand(**dict(self.params))


@dataclass(frozen=True)
class Grid:
    """A checked grid file: its tables, in file order."""

    source: str
    tables: tuple[GridTable, ...]

    def scenarios(self) -> list[Scenario]:
        """Every table's scenarios, in order; ValueError if a name repeats."""
        out = [s for t in self.tables for s in t.scenarios()]
        names = [s.name for s in out]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"{self.source}: scenario names repeat ({', '.join(twice[:5])}): two tables overlap")
        if not out:
            raise ValueError(f"{self.source}: the grid defines no scenario")
        return out


def _adversary(table: dict, where: str, mu: float, L: tuple[float, ...]) -> dict:
    fractions = _floats(table, "fractions", where, [0.5, 0.9])
    if max(fractions) >= 1:
        raise ValueError(f"{where}: fractions must lie in (0, 1), got {max(fractions):g}")
    ages = _ints(table, "T", where, [1, 2, 3])
    capacities = _capacities(table, where)
    pairs = [(T, C) for T in ages for C in sorted({T if c == "T" else c for c in capacities}) if C <= T]
    if not pairs:
        raise ValueError(f"{where}: no C is <= any T (C = {list(capacities)!r}, T = {list(ages)!r})")
    worst = max(pairs, key=lambda p: (p[0] > MAX_AGE, subset_count(*p), p))  # the one to name if any fails
    why = reach_error(*worst)
    if why is not None:
        raise ValueError(f"{where}: out of reach: {why}")
    return dict(L_values=L, ages=ages, capacities=capacities, aggregations=_aggregations(table, where),
                fractions=fractions, mu=mu)


def _critical(table: dict, where: str, mu: float, L: tuple[float, ...]) -> dict:
    decays = _floats(table, "decays", where, [0.7, 0.99])
    if max(decays) >= 1:
        raise ValueError(f"{where}: decays must lie in (0, 1), got {max(decays):g}")
    top_c = _ints(table, "top_c", where, 5)
    if len(top_c) != 1:
        raise ValueError(f"{where}: top_c must be one integer")
    return dict(L_values=L, decays=decays, aggregations=_aggregations(table, where), top_c=top_c[0], mu=mu)


def parse_grid(text: str, source: str = "grid") -> Grid:
    """The checked tables of a grid file's text; ValueError (one line, naming the table and key) on bad
    input or a grid out of reach.  Imports nothing heavy and builds no scenario."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{source}: not valid TOML ({err})") from None
    unknown = set(doc) - set(_KEYS)
    if unknown:
        raise ValueError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}; use [[adversary]] or [[critical]]")
    tables = []
    for kind, entries in doc.items():
        for i, table in enumerate(entries if isinstance(entries, list) else [entries], 1):
            where = f"{source}: [[{kind}]] #{i}"
            if not isinstance(table, dict):
                raise ValueError(f"{where}: must be a table of keys, got {table!r}")
            extra = set(table) - _KEYS[kind]
            if extra:
                raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; "
                                 f"allowed: {', '.join(sorted(_KEYS[kind]))}")
            mu = _floats(table, "mu", where, 1.0)
            if len(mu) != 1:
                raise ValueError(f"{where}: mu must be one number")
            L = _floats(table, "L", where, [10.0, 100.0])
            if min(L) <= mu[0]:
                raise ValueError(f"{where}: L must exceed mu = {mu[0]:g}, got {min(L):g}")
            params = (_adversary if kind == "adversary" else _critical)(table, where, mu[0], L)
            tables.append(GridTable(kind, where, tuple(sorted(params.items()))))
    if not tables:
        raise ValueError(f"{source}: the grid defines no scenario")
    return Grid(source, tuple(tables))


def read_grid(path: Path) -> Grid:
    """:func:`parse_grid` of the file at ``path``; ValueError if it cannot be read."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise ValueError(f"--grid {path}: cannot read it ({err.strerror or err})") from None
    return parse_grid(text, f"--grid {path}")


def scenarios_from_grid(text: str, source: str = "grid") -> list[Scenario]:
    """The scenarios a grid file's text defines; ValueError naming the table and key on bad input."""
    return parse_grid(text, source).scenarios()


def load_grid(path: Path) -> list[Scenario]:
    """The scenarios of the grid file at ``path``."""
    return read_grid(path).scenarios()
