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

The terminal view fits :data:`TERMINAL_WIDTH` columns: a section whose full table
is wider shows only its ``narrow`` columns (the full table is in the Markdown and
JSON), and longer lines are cut.
"""

from __future__ import annotations

import json
import math
import os
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


TERMINAL_WIDTH = 100


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


def _text_table(columns: list[str], rows: list[dict]) -> list[str]:
    cells = _table(columns, rows)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    return out + ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]


def _clip(line: str, width: int = TERMINAL_WIDTH) -> str:
    return line if len(line) <= width else line[:width - 3] + "..."


def checks_line(sec: Section) -> str:
    """"checks: p of n passed", or that the section makes none (its figures come from other sections)."""
    if not sec.checks:
        return "checks: none in this section"
    return f"checks: {len(sec.checks) - len(sec.failed)} of {len(sec.checks)} passed"


def render_text(sections: list[Section], width: int = TERMINAL_WIDTH) -> str:
    """The terminal view: every line at most ``width`` characters; wide tables shrink to ``narrow`` columns."""
    out = []
    for sec in sections:
        out += textwrap.wrap(f"== {sec.title} ==", width)
        if sec.partial:
            out.append(f"PARTIAL: {sec.partial}")
        table = _text_table(sec.columns, sec.rows)
        if table and max(map(len, table)) > width:
            columns = [c for c in (sec.narrow or []) if c in sec.columns]
            if columns:
                table = _text_table(columns, sec.rows)
                out.append(f"({len(columns)} of {len(sec.columns)} columns; all in report.md and report.json)")
            else:  # no narrow choice: one wrapped "a: b, c" entry per row
                table = [line for r in _table(sec.columns, sec.rows)
                         for line in textwrap.wrap(f"{r[0]}: {', '.join(r[1:])}", width, subsequent_indent="    ")]
        out += table
        out += [f"  note: {n}" for n in sec.notes]
        out.append(f"  {checks_line(sec)}")
        out += [f"  FAILED {c.name}: {c.detail}" for c in sec.failed]
        out.append("")
    return "\n".join(_clip(line, width) for line in out)


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
