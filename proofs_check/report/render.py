"""The verification report: rows per scenario, checks with verdicts, and writers.

A row is a flat mapping of column name to value (numbers, strings, None or
:class:`Unavailable` for "not available"); checks are pass/fail with a detail line.
Writers render the same rows as Markdown, JSON and a terminal view, so they never
disagree.

JSON convention (``report.json``): a cell is a number, a string, a boolean or
``null``; a number column never holds a string.  Every ``null`` cell has its reason
beside it, in the row's ``"_reasons"`` object under the same column name: the
:class:`Unavailable` reason, ``"infinite"`` for +inf (a vacuous bound, an
iteration count that never reaches epsilon), ``"-infinite"``, ``"not a number"``
for NaN, ``"not available"`` for None.

The terminal view fits the terminal's width (:func:`terminal_width`; 100 columns when
the output is not a terminal) and every table keeps its column headers.  The first of
these that fits is printed:

1. the full table, only its headers wrapped inside their columns;
2. the full table, its text cells wrapped too (a number or a name is never split);
3. fewer columns, with only headers wrapped, then with cells wrapped: the section's
   ``narrow`` columns (listed by priority: the last ones are dropped first, the rest
   keep the table's order), or without a ``narrow`` list the table's first columns;
   a line says how many of all the columns are shown (all are in report.md and
   report.json).

Titles, notes and failed checks are wrapped, never cut.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Unavailable:
    """A cell with no value: ``short`` is shown in tables, ``reason`` goes into the JSON beside a null."""

    reason: str
    short: str = "-"

    def __str__(self) -> str:
        return self.short


TERMINAL_WIDTH = 100  # when the output is not a terminal
MIN_WIDTH = 40        # narrower terminals get 40-column lines (wrapped by the terminal)


def terminal_width() -> int:
    """The terminal's columns (``shutil.get_terminal_size``: ``COLUMNS``, then the terminal), at least
    :data:`MIN_WIDTH`; :data:`TERMINAL_WIDTH` when there is no terminal."""
    columns = shutil.get_terminal_size((TERMINAL_WIDTH, 24)).columns
    return max(MIN_WIDTH, columns) if columns > 0 else TERMINAL_WIDTH


@dataclass
class Section:
    """A titled table of rows plus the checks made while building it."""

    title: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    narrow: list[str] | None = None  # columns for the terminal when the full table is too wide
    partial: str = ""                # why the section is incomplete (an interrupted run), else ""

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def format_value(value) -> str:
    if isinstance(value, Unavailable):
        return value.short
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.3e}"
        return f"{value:.5f}".rstrip("0").rstrip(".") if abs(value) < 1 or value != int(value) else f"{value:.0f}"
    return str(value)


def _table(columns: list[str], rows: list[dict]) -> list[list[str]]:
    return [[format_value(row.get(c)) for c in columns] for row in rows]


SEPARATOR = "  "
NAME_WIDTH = 24  # a cell without spaces up to this long (a scenario name, a number) is never split


def _min_width(texts: list[str]) -> int:
    """Narrowest a column can be: its longest word (a cell without spaces is one word, up to NAME_WIDTH)."""
    words = [w for t in texts for w in (t.split() if " " in t else [t])]
    return max([1] + [min(len(w), NAME_WIDTH) for w in words])


def _widths(columns: list[str], cells: list[list[str]], width: int, wrap_cells: bool) -> list[int] | None:
    """Column widths whose sum with separators is at most ``width``, or None: each column gets its
    natural width, capped at the largest common cap that fits, never below its narrowest (the
    longest word of its header, and without ``wrap_cells`` its longest cell)."""
    natural = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    if wrap_cells:
        least = [min(n, _min_width([c] + [r[i] for r in cells])) for i, (c, n) in enumerate(zip(columns, natural))]
    else:
        least = [max([_min_width([c])] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    room = width - len(SEPARATOR) * (len(columns) - 1)
    if sum(least) > room:
        return None
    if sum(natural) <= room:
        return natural
    lo, hi = 0, max(natural)  # largest cap with sum(max(least, min(natural, cap))) <= room
    while lo < hi:
        cap = (lo + hi + 1) // 2
        if sum(max(m, min(n, cap)) for m, n in zip(least, natural)) <= room:
            lo = cap
        else:
            hi = cap - 1
    return [max(m, min(n, lo)) for m, n in zip(least, natural)]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _lay_out(columns: list[str], cells: list[list[str]], widths: list[int]) -> list[str]:
    """Header, rule and rows; a cell wider than its column continues on the next lines (and then the
    rows are separated by blank lines)."""
    def lines(row: list[str]) -> list[str]:
        parts = [_wrap(v, w) for v, w in zip(row, widths)]
        height = max(len(p) for p in parts)
        return [SEPARATOR.join((p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, widths)).rstrip()
                for k in range(height)]

    body = [lines(r) for r in cells]
    if any(len(b) > 1 for b in body):  # wrapped rows: a blank line between rows keeps them apart
        body = [b + [""] for b in body[:-1]] + body[-1:]
    return lines(columns) + [SEPARATOR.join("-" * w for w in widths)] + [x for b in body for x in b]


def fit_table(columns: list[str], rows: list[dict], width: int = TERMINAL_WIDTH,
              narrow: list[str] | None = None) -> list[str]:
    """The table as lines of at most ``width`` characters, with its column headers (the module's
    docstring gives the order of the attempts)."""
    ranked = [c for c in (narrow or []) if c in columns] or columns
    fewer = [[c for c in columns if c in ranked[:k]] for k in range(len(ranked), 0, -1)]
    for shown, wrap_cells in [(columns, False), (columns, True), *((f, False) for f in fewer),
                              *((f, True) for f in fewer)]:
        cells = _table(shown, rows)
        widths = _widths(shown, cells, width, wrap_cells)
        if widths is not None:
            note = [] if len(shown) == len(columns) else _wrap(
                f"({len(shown)} of {len(columns)} columns; all in report.md and report.json)", width)
            return note + _lay_out(shown, cells, widths)
    raise ValueError(f"width must be at least {NAME_WIDTH}, got {width}")  # one column of NAME_WIDTH fits


def _indented(text: str, width: int, first: str = "  ", rest: str = "      ") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


def checks_line(sec: Section) -> str:
    """"checks: p of n passed", or that the section makes none (its figures come from other sections)."""
    if not sec.checks:
        return "checks: none in this section"
    return f"checks: {len(sec.checks) - len(sec.failed)} of {len(sec.checks)} passed"


def render_text(sections: list[Section], width: int = TERMINAL_WIDTH) -> str:
    """The terminal view: every line at most ``width`` characters, every table with its headers."""
    out = []
    for sec in sections:
        out += _wrap(f"== {sec.title} ==", width)
        if sec.partial:
            out += _indented(f"PARTIAL: {sec.partial}", width, "", "  ")
        if sec.rows:
            out += fit_table(sec.columns, sec.rows, width, sec.narrow)
        for n in sec.notes:
            out += _indented(f"note: {n}", width)
        out.append(f"  {checks_line(sec)}")
        for c in sec.failed:
            out += _indented(f"FAILED {c.name}: {c.detail}", width)
        out.append("")
    return "\n".join(out)


def markdown_table(sec: Section) -> list[str]:
    out = ["| " + " | ".join(sec.columns) + " |", "|" + "---|" * len(sec.columns)]
    return out + ["| " + " | ".join(r) + " |" for r in _table(sec.columns, sec.rows)]


README_BEGIN = "<!-- generated by: python -m memgd.proofs_check --update-readme README.md (begin) -->"
README_END = "<!-- generated (end) -->"


def update_readme(path: Path, sec: Section) -> None:
    """Replace the block between the README markers by ``sec`` as a Markdown table."""
    text = path.read_text()
    if README_BEGIN not in text or README_END not in text:
        raise ValueError(f"{path} has no generated block: add the lines {README_BEGIN!r} and {README_END!r}")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    path.write_text(head + README_BEGIN + "\n" + "\n".join(markdown_table(sec)) + "\n" + README_END + tail)


def render_markdown(sections: list[Section], metadata: dict | None = None) -> str:
    out = ["# memgd verification report", ""]
    if metadata and metadata.get("partial"):
        out += [f"**PARTIAL REPORT**: {metadata['partial']}", ""]
    for sec in sections:
        out += [f"## {sec.title}", ""]
        if sec.partial:
            out += [f"**PARTIAL**: {sec.partial}", ""]
        if sec.intro:
            out += ["```", *sec.intro, "```", ""]
        out += markdown_table(sec)
        out.append("")
        out += [f"- {n}" for n in sec.notes]
        out.append(f"- {checks_line(sec)}")
        out += [f"- **FAILED** {c.name}: {c.detail}" for c in sec.failed]
        out.append("")
    if metadata:
        out += ["## Metadata", "", "```json", json.dumps(metadata, indent=1), "```", ""]
    return "\n".join(out)


def json_row(row: dict) -> dict:
    """The row with every non-number value of a number cell replaced by null, its reason in ``"_reasons"``."""
    out, reasons = {}, {}
    for column, value in row.items():
        reason = None
        if isinstance(value, Unavailable):
            reason = value.reason
        elif value is None:
            reason = "not available"
        elif isinstance(value, float) and not math.isfinite(value):
            reason = "not a number" if math.isnan(value) else ("infinite" if value > 0 else "-infinite")
        elif isinstance(value, (np.floating, np.integer, np.bool_)):
            value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                reason = "not a number" if math.isnan(value) else ("infinite" if value > 0 else "-infinite")
        if reason is not None:
            out[column], reasons[column] = None, reason
        else:
            out[column] = value
    if reasons:
        out["_reasons"] = reasons
    return out


def section_json(s: Section) -> dict:
    return {
        "title": s.title,
        "partial": s.partial or None,
        "intro": s.intro,
        "columns": s.columns,
        "rows": [json_row(r) for r in s.rows],
        "checks_passed": len(s.checks) - len(s.failed),
        "checks_total": len(s.checks),
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in s.checks],
        "notes": s.notes,
    }


def render_json(sections: list[Section], metadata: dict | None = None) -> str:
    doc = {
        "conventions": "null cells carry their reason in the row's \"_reasons\" object under the same column name",
        "sections": [section_json(s) for s in sections],
        "passed": all(not s.failed for s in sections),
        "partial": bool(metadata and metadata.get("partial")),
        "metadata": metadata or {},
    }
    return json.dumps(doc, indent=2, allow_nan=False)


def check_writable(out: Path) -> None:
    """Create ``out`` and write (then remove) a probe file in it; ValueError naming the folder if that fails."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".memgd-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise ValueError(f"--out {out}: cannot write there ({err.strerror or err})") from None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_report(sections: list[Section], out: Path, metadata: dict | None = None) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "report.md", out / "report.json"
    _write_atomic(md, render_markdown(sections, metadata))
    _write_atomic(js, render_json(sections, metadata))
    return md, js
