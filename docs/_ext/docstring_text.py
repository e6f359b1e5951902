"""Sphinx extension: read memgd's plain-text notation in docstrings as text, not as RST markup.

memgd's docstrings write norms and absolute values as ``|x|`` and shapes as
``(P, *alpha.shape)`` in running text, and a few module docstrings hold a simple table
whose first column overflows its border.  Docutils reads ``|x|`` as a substitution
reference, a lone ``*`` as the start of emphasis, and the tables as malformed, so the
API pages would fail the ``-W`` build.  Rather than silencing those warnings (which
would hide real ones), this hook rewrites the docstring text before it is parsed:

- a ``|`` outside inline literals, roles (``:math:`...```) and directive or literal
  blocks is escaped (``\\|``), so it prints as a bar;
- a ``*`` opening no emphasis on its line (an odd count of unescaped stars outside
  literals) is escaped;
- a simple table (a block of ``===  ===`` border lines) is shown as a literal block,
  as it is written in the source.

Text inside ``.. math::`` and other directive blocks, ``::`` literal blocks and inline
``...``/roles is left untouched, so LaTeX such as ``\\|x\\|`` is never altered.
The source files are not changed; the lead may fix the docstrings themselves and drop
this hook (``tests`` do not depend on it).
"""

from __future__ import annotations

import re

_BORDER = re.compile(r"^\s*=+(\s+=+)+\s*$")
# inline literals ``...``, roles :name:`...`, interpreted text `...`
_PROTECTED = re.compile(r"``.+?``|:[a-zA-Z:+-]+:`[^`]*`|`[^`]*`_{0,2}")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _escape_text(segment: str) -> str:
    segment = re.sub(r"(?<!\\)\|", r"\\|", segment)
    return segment


def _fix_line(line: str) -> str:
    bullet = re.match(r"^\s*[*-] ", line)  # a list item's star is no emphasis: keep the prefix as is
    prefix, line = (bullet.group(0), line[bullet.end():]) if bullet else ("", line)
    parts, last = [], 0
    for m in _PROTECTED.finditer(line):
        parts.append(("text", line[last:m.start()]))
        parts.append(("code", m.group(0)))
        last = m.end()
    parts.append(("text", line[last:]))
    stars = sum(len(re.findall(r"(?<!\\)\*", t)) for kind, t in parts if kind == "text")
    out = [prefix]
    for kind, t in parts:
        if kind == "text":
            t = _escape_text(t)
            if stars % 2 == 1:
                t = re.sub(r"(?<!\\)\*", r"\\*", t)
        out.append(t)
    return "".join(out)


def _tables_as_literal(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _BORDER.match(lines[i]):
            borders = [j for j in range(i, len(lines)) if _BORDER.match(lines[j])]
            # a simple table: its borders are the next 2 or 3 border lines with no blank line between
            end = i
            for j in range(i + 1, len(lines)):
                if not lines[j].strip():
                    break
                if _BORDER.match(lines[j]):
                    end = j
            if end > i and borders:
                ind = " " * _indent(lines[i])
                out += [ind + "::", ""] + [ind + "    " + l.strip("\n") for l in lines[i:end + 1]] + [""]
                i = end + 1
                continue
        out.append(lines[i])
        i += 1
    return out


def fix_docstring_lines(lines: list[str]) -> list[str]:
    """The rewritten docstring (see module doc); a pure function of the lines."""
    lines = _tables_as_literal(lines)
    out: list[str] = []
    block_indent: int | None = None  # inside a directive / literal block deeper than this
    for line in lines:
        if block_indent is not None:
            if not line.strip() or _indent(line) > block_indent:
                out.append(line)
                continue
            block_indent = None
        stripped = line.strip()
        if stripped.startswith(".. ") or stripped.endswith("::"):
            block_indent = _indent(line)
            if stripped.startswith(".. "):  # directive line itself (e.g. ".. math:: x"): leave as is
                out.append(line)
                continue
        if stripped.startswith(("|", "+-", "+=")):  # a grid table or line block: leave as is
            out.append(line)
            continue
        out.append(_fix_line(line))
    return out


def _process(app, what, name, obj, options, lines):
    lines[:] = fix_docstring_lines(lines)


def setup(app):
    app.connect("autodoc-process-docstring", _process, priority=400)  # before napoleon (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
