"""The verification report: rows per scenario, checks with verdicts, and writers.

A row is a flat mapping of column name to value (numbers, strings or None for
"not available"); checks are pass/fail with a detail line.  Writers render the
same rows as a terminal table, Markdown and JSON, so the three never disagree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class Section:
    """A titled table of rows plus the checks made while building it."""

    title: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def format_value(value) -> str:
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


def render_text(sections: list[Section]) -> str:
    out = []
    for sec in sections:
        out.append(f"== {sec.title} ==")
        out.extend(sec.intro)
        cells = _table(sec.columns, sec.rows)
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(sec.columns)]
        out.append("  ".join(c.ljust(w) for c, w in zip(sec.columns, widths)))
        out.append("  ".join("-" * w for w in widths))
        out.extend("  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells)
        out.extend(f"  note: {n}" for n in sec.notes)
        out.extend(f"  FAILED {c.name}: {c.detail}" for c in sec.failed)
        out.append("")
    return "\n".join(out)


def render_markdown(sections: list[Section]) -> str:
    out = ["# memgd verification report", ""]
    for sec in sections:
        out += [f"## {sec.title}", ""]
        if sec.intro:
            out += ["```", *sec.intro, "```", ""]
        out.append("| " + " | ".join(sec.columns) + " |")
        out.append("|" + "---|" * len(sec.columns))
        out += ["| " + " | ".join(r) + " |" for r in _table(sec.columns, sec.rows)]
        out.append("")
        out += [f"- {n}" for n in sec.notes]
        passed = sum(c.passed for c in sec.checks)
        out.append(f"- checks: {passed} of {len(sec.checks)} passed")
        out += [f"- **FAILED** {c.name}: {c.detail}" for c in sec.failed]
        out.append("")
    return "\n".join(out)


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def render_json(sections: list[Section]) -> str:
    doc = {
        "sections": [
            {
                "title": s.title,
                "intro": s.intro,
                "columns": s.columns,
                "rows": [{k: _jsonable(v) for k, v in r.items()} for r in s.rows],
                "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in s.checks],
                "notes": s.notes,
            }
            for s in sections
        ],
        "passed": all(not s.failed for s in sections),
    }
    return json.dumps(doc, indent=2)


def write_report(sections: list[Section], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / "report.md", out / "report.json"
    md.write_text(render_markdown(sections))
    js.write_text(render_json(sections))
    return md, js
