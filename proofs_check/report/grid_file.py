"""User-defined scenario grids in TOML (``python -m memgd.proofs_check --grid FILE``).

A grid file holds ``[[adversary]]`` and ``[[critical]]`` tables; each expands to
scenarios exactly as the default grid does (:func:`grid_scenarios`,
:func:`critical_rule_scenarios`), every key optional::

    [[adversary]]                 # keep-oldest rule at the maximum-age adversary, C in {1, 2, T}
    L = [10, 100]                 # smoothness constants (mu = 1 unless ``mu`` is given)
    T = [1, 2, 3]                 # largest gradient age
    aggregations = ["sum", "mid", "mean"]
    fractions = [0.5, 0.9]        # steps as fractions of the quadratic stability limit

    [[critical]]                  # the paper's critical-gradient rule at alpha = 0.5 / L
    L = [10, 100]
    decays = [0.7, 0.99]
    aggregations = ["sum", "mid", "mean"]
    top_c = 5

Scenario names are unique; a name produced twice is an error.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from memgd.proofs_check.report.scenarios import Scenario, critical_rule_scenarios, grid_scenarios

AGGREGATIONS = ("sum", "mid", "mean")
_KEYS = {"adversary": {"L", "T", "aggregations", "fractions", "mu"},
         "critical": {"L", "decays", "aggregations", "top_c", "mu"}}


def _floats(table: dict, key: str, where: str, default, positive: bool = True) -> tuple[float, ...]:
    value = table.get(key, default)
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{where}: {key} must be a number or a list of numbers, got {value!r}")
    if positive and not all(v > 0 for v in values):
        raise ValueError(f"{where}: {key} must be positive, got {value!r}")
    return tuple(float(v) for v in values)


def _ints(table: dict, key: str, where: str, default, lo: int = 1) -> tuple[int, ...]:
    value = table.get(key, default)
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) and v >= lo for v in values):
        raise ValueError(f"{where}: {key} must be an integer >= {lo} or a list of them, got {value!r}")
    return tuple(values)


def _aggregations(table: dict, where: str) -> tuple[str, ...]:
    value = table.get("aggregations", list(AGGREGATIONS))
    values = value if isinstance(value, list) else [value]
    bad = [v for v in values if v not in AGGREGATIONS]
    if not values or bad:
        raise ValueError(f"{where}: aggregations must be among {', '.join(AGGREGATIONS)}, got {value!r}")
    return tuple(values)


def scenarios_from_grid(text: str, source: str = "grid") -> list[Scenario]:
    """The scenarios a grid file's text defines; ValueError naming the table and key on bad input."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{source}: not valid TOML ({err})") from None
    unknown = set(doc) - set(_KEYS)
    if unknown:
        raise ValueError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}; use [[adversary]] or [[critical]]")
    out: list[Scenario] = []
    for kind, tables in doc.items():
        for i, table in enumerate(tables if isinstance(tables, list) else [tables], 1):
            where = f"{source}: [[{kind}]] #{i}"
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
            if kind == "adversary":
                fractions = _floats(table, "fractions", where, [0.5, 0.9])
                if max(fractions) >= 1:
                    raise ValueError(f"{where}: fractions must lie in (0, 1), got {max(fractions):g}")
                out += grid_scenarios(L_values=L, ages=_ints(table, "T", where, [1, 2, 3]),
                                      aggregations=_aggregations(table, where), fractions=fractions, mu=mu[0])
            else:
                decays = _floats(table, "decays", where, [0.7, 0.99])
                if max(decays) >= 1:
                    raise ValueError(f"{where}: decays must lie in (0, 1), got {max(decays):g}")
                top_c = _ints(table, "top_c", where, 5)
                if len(top_c) != 1:
                    raise ValueError(f"{where}: top_c must be one integer")
                out += critical_rule_scenarios(L_values=L, decays=decays, aggregations=_aggregations(table, where),
                                               top_c=top_c[0], mu=mu[0])
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"{source}: scenario names repeat ({', '.join(twice[:5])}): two tables overlap")
    if not out:
        raise ValueError(f"{source}: the grid defines no scenario")
    return out


def load_grid(path: Path) -> list[Scenario]:
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise ValueError(f"--grid {path}: cannot read it ({err.strerror or err})") from None
    return scenarios_from_grid(text, f"--grid {path}")
