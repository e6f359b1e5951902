"""Choosing scenarios on the command line: one-line descriptions, ``--filter`` and name suggestions.

A filter is ``KEY=VALUE[,KEY=VALUE...]``; a scenario passes when every key matches.
Keys: ``L``, ``mu``, ``T`` (largest age, for rules that bound it), ``C`` (stored
gradients), ``agg`` (aggregation), ``rule`` (fifo, keepoldest, criticalgradients,
scripted) and ``name`` (a shell pattern such as ``*-thm``).
"""

from __future__ import annotations

import difflib
import fnmatch
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # this module stays light: the command line parses filters before heavy imports
    from memgd.proofs_check.report.scenarios import Scenario


def attributes(sc: Scenario) -> dict[str, object]:
    return {"L": sc.L, "mu": sc.mu, "T": sc.selection.max_age, "C": sc.capacity,
            "agg": getattr(sc.combination, "name", type(sc.combination).__name__.lower()),
            "rule": type(sc.selection).__name__.lower(), "name": sc.name}


FILTER_KEYS = ("L", "mu", "T", "C", "agg", "rule", "name")


def describe(sc: Scenario, width: int = 100) -> str:
    """One line of at most ``width`` characters: name, L, T, C, aggregation, step and the scenario's note.

    A step given by a recipe (a fraction of the stability limit, Theorem 2's best step) is shown as
    the recipe: listing computes nothing per pattern."""
    a = attributes(sc)
    T = a["T"] if a["T"] is not None else "meas"
    step = f"{sc.step_size:<8.3g}" if isinstance(sc.step_size, (int, float)) else f"{sc.step_size!s:<8}"
    line = f"{sc.name:<24} L={sc.L:<4g} T={T:<4} C={a['C']:<2} {a['agg']:<4} alpha={step}"
    line = f"{line} {sc.note}".rstrip() if sc.note else line.rstrip()
    return line if len(line) <= width else line[:width - 3] + "..."


def parse_filter(text: str) -> dict[str, str]:
    """``"L=100,T=3"`` -> ``{"L": "100", "T": "3"}``; ValueError for a malformed part or an unknown key."""
    out = {}
    for part in (p.strip() for p in text.split(",")):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise ValueError(f"--filter: {part!r} is not KEY=VALUE (example: --filter L=100,T=3)")
        if key not in FILTER_KEYS:
            close = difflib.get_close_matches(key, FILTER_KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"--filter: unknown key {key!r}{hint}; keys: {', '.join(FILTER_KEYS)}")
        out[key] = value
    return out


def _matches(value, wanted: str) -> bool:
    if isinstance(value, str):
        return fnmatch.fnmatchcase(value, wanted)
    if value is None:
        return wanted.lower() in ("none", "measured")
    try:
        return math.isclose(float(value), float(wanted), rel_tol=1e-12)
    except ValueError:
        return False


def apply_filter(scenarios: list[Scenario], wanted: dict[str, str]) -> list[Scenario]:
    return [sc for sc in scenarios if all(_matches(attributes(sc)[k], v) for k, v in wanted.items())]


def pick(scenarios: list[Scenario], names: list[str]) -> list[Scenario]:
    """The named scenarios, in the given order; ValueError suggesting the closest names for an unknown one."""
    known = {s.name: s for s in scenarios}
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=4, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise ValueError(f"--scenario: unknown scenario {name!r}{hint} (--list shows all {len(known)})")
    return [known[n] for n in names]
