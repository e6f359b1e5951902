"""Theorem cards: a theorem's statement and proof steps, typeset from memgd's own sympy objects.

The pages under ``docs/theorems/`` call these functions in executed cells, so the LaTeX a
reader sees is ``sympy.latex`` of the very expressions :mod:`memgd.theory` proves things
about and lambdifies into the numeric bounds: change a theorem's expression in the code
and its card changes at the next build (``tests/test_theorem_cards.py`` checks exactly
that).  Nothing here computes mathematics; it only prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import sympy as sp


def tex(expr) -> str:
    """``sympy.latex`` of an expression or relation (the one source of every formula on a card).

    Terms in sympy's "old" order (the constant first), and the distance function r(k) written as
    the pages write it, r_k.
    """
    from memgd.theory.theorem_s import sigma2, zeta2

    expr = expr.xreplace({sigma2: sp.Symbol("sigma") ** 2, zeta2: sp.Symbol("zeta") ** 2})
    names = {s: readable_name(s.name) for s in expr.free_symbols if _DESCRIPTIVE.search(s.name)}
    text = sp.latex(expr, order="old", symbol_names=names)
    for arg in ("k", "0"):
        text = text.replace(rf"r{{\left({arg} \right)}}", f"r_{arg}")
        text = text.replace(rf"r^{{2}}{{\left({arg} \right)}}", f"r_{arg}^{{2}}")
    return text.replace(r"E{\left(r_k^{2} \right)}", r"\mathbb{E}\, r_k^{2}")


#: A symbol whose name is a formula in words (a proof step's side the theory keeps as one symbol,
#: e.g. ``"E||d_i||^2"``): sympy would print its bars and spaces literally, so it is translated.
_DESCRIPTIVE = re.compile(r"[ |<]")
_GREEK = ("alpha", "beta", "gamma", "Gamma", "delta", "eta", "theta", "kappa", "lambda", "mu", "xi", "rho",
          "sigma", "zeta", "psi", "Phi", "omega")


def readable_name(name: str) -> str:
    """LaTeX for a symbol whose name is a formula written in words: ``||v||`` a norm, ``<a, b>``
    an inner product, ``E`` an expectation, ``dbar`` the averaged direction, Greek letters by
    name, ``sum``/``max`` operators, multi-letter subscripts braced, other words as text."""
    t = name.replace("[...]", r"[\dots]")
    t = re.sub(r"\|\|(.+?)\|\|", r"\\lVert \1 \\rVert ", t)
    t = re.sub(r"<([^<>]+)>", r"\\langle \1 \\rangle ", t)
    t = re.sub(r"(?<![A-Za-z])dbar(?![A-Za-z])", r"\\bar{d}", t)
    t = re.sub(r"\^\(([^()]+)\)", r"^{(\1)}", t)
    t = re.sub(r"\b(noise loads)\b", r"\\text{\1}", t)
    t = re.sub(r"(?<![\\A-Za-z])(sum|max)(?![A-Za-z])", r"\\\1", t)
    t = re.sub(r"(?<![A-Za-z])(sigma|zeta)2(?![0-9])", r"\1^2", t)
    t = re.sub(r"(?<![\\A-Za-z])(" + "|".join(_GREEK) + r")\*", r"{\\\1^*}", t)
    t = re.sub(r"(?<![\\A-Za-z])(" + "|".join(_GREEK) + r")(?![A-Za-z])", r"\\\1 ", t)
    t = re.sub(r"_([A-Za-z0-9]{2,})", r"_{\1}", t)
    t = re.sub(r"(?<![\\A-Za-z])E(?=\s|\[|\\l)", r"\\mathbb{E}\\,", t)
    return re.sub(r"\s+", " ", t).strip()


#: Longest line of a display, in visible symbols (:func:`visible_length`).  The text column is
#: 736 px wide; sympy's LaTeX of the theorems renders at 11 to 14 px per visible symbol (measured
#: on the built cards: Lemma T2.4 at 117 symbols was 1415 px wide, T2.6 at 46 was 620 px), so 45
#: symbols keep a line under about 630 px.
LINE_SYMBOLS = 45

_RELATIONS = {"==": "=", "<=": r"\leq", ">=": r"\geq", "<": "<", ">": ">", "!=": r"\neq"}


def visible_length(text: str) -> int:
    """Rough count of the symbols a LaTeX string shows: a command counts one, sizing commands
    (``\\left``, ``\\right``), braces, scripts' carets and spaces none."""
    text = re.sub(r"\\(left|right)\b", "", text)
    text = re.sub(r"\\[a-zA-Z]+", "X", text)
    return len(re.sub(r"[{}\s^_]", "", text))


def terms(expr) -> list[tuple[str, sp.Basic]]:
    """The terms of a sum in the order ``tex`` prints them, each with the sign printed before it
    ("" for the first, then "+" or "-"; a "-" term is returned negated, as sympy prints it)."""
    from sympy.core.function import _coeff_isneg
    from sympy.printing.latex import LatexPrinter

    out = []
    for i, term in enumerate(LatexPrinter({"order": "old"})._as_ordered_terms(expr, order="old")):
        if i == 0:
            out.append(("", term))
        elif _coeff_isneg(term):
            out.append(("-", -term))
        else:
            out.append(("+", term))
    return out


def _packed(pieces: list[tuple[str, sp.Basic]], budget: int, first_budget: int | None = None) -> list[str]:
    """Signed terms packed greedily into lines of at most ``budget`` visible symbols (the first line
    ``first_budget``; a term longer than its line gets a line of its own)."""
    lines: list[str] = []
    for sign, term in pieces:
        piece = f"{sign} {tex(term)}".strip()
        room = first_budget if len(lines) == 1 and first_budget is not None else budget
        if lines and visible_length(lines[-1] + piece) <= room:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


def display_lines(expr, budget: int = LINE_SYMBOLS) -> list[str]:
    """The lines of an expression's display: one line when it fits in ``budget`` visible symbols;
    otherwise a relation is broken between the terms of its longer side (when that side is a
    sum), or before the relation sign.  Lines are rows of an ``aligned`` environment (``&`` marks
    the alignment point); every term is ``tex`` of a term of the expression, so the lines still
    print the theory's own sympy object."""
    text = tex(expr)
    if visible_length(text) <= budget or not isinstance(expr, sp.core.relational.Relational) \
            or expr.rel_op not in _RELATIONS:
        return [text]
    op = _RELATIONS[expr.rel_op]
    lhs, rhs = tex(expr.lhs), tex(expr.rhs)
    long_rhs = visible_length(rhs) >= visible_length(lhs)
    side = expr.rhs if long_rhs else expr.lhs
    if not isinstance(side, sp.Add):
        return [f"& {lhs}", rf"& \quad {op} {rhs}"]
    if long_rhs:   # lhs <= t1 + t2 / + t3 ...: continuation rows aligned with the first term
        head = f"{lhs} {op}"
        first, *rest = _packed(terms(expr.rhs), budget, first_budget=budget - visible_length(head))
        return [f"{head} {{}}& {first}"] + [f"& {{}} {line}" for line in rest]
    *body, last = _packed(terms(expr.lhs), budget - visible_length(rhs) - 2)   # t1 + t2 / + t3 >= rhs
    return [f"& {line}" if i == 0 else rf"& \quad {{}} {line}" for i, line in enumerate(body)] + \
           [rf"& \quad {{}} {last} {op} {rhs}" if body else f"& {last} {op} {rhs}"]


def display(expr) -> str:
    """A display-math block of one expression, broken over aligned lines when it is too wide for
    the text column (:func:`display_lines`)."""
    lines = display_lines(expr)
    if len(lines) == 1:
        return f"\n$$\n{lines[0]}\n$$\n"
    body = " \\\\\n".join(lines)
    return f"\n$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$\n"


def hypotheses(hyps: Iterable[sp.Basic], first: int = 1, prefix: str = "H") -> str:
    """Numbered hypotheses, one display each: **H1**, **H2**, ..."""
    return "\n".join(f"**{prefix}{i}.** ${tex(h)}$\n" for i, h in enumerate(hyps, start=first))


def characteristic_equation(theorem) -> sp.Basic:
    """The rate's equation of Theorem 1/1b written with p and q: rho^(D+1) = p rho^D + q.

    Read off the theorem's own ``characteristic`` (rho^(D+1) - p rho^D - q): if that expression
    is not of this form any more, the equation is shown as ``characteristic = 0`` unabridged.
    """
    from memgd.theory.theorem import RHO

    p, q = sp.symbols("p q")
    D = theorem.delay
    abridged = sp.expand(theorem.characteristic.subs(theorem.q, q).subs(theorem.p, p))
    if sp.expand(abridged - (RHO ** (D + 1) - p * RHO**D - q)) == 0:
        return sp.Eq(RHO ** (D + 1), p * RHO**D + q, evaluate=False)
    return sp.Eq(theorem.characteristic, 0, evaluate=False)


def theorem1_statement(theorem, first: int = 1) -> str:
    """Statement of Theorem 1 or 1b (a :class:`memgd.theory.Theorem`): hypotheses, conclusion, rate."""
    return "\n\n".join([
        f"If\n\n{hypotheses(theorem.hypotheses, first)}",
        f"then for every $k \\ge 0$\n{display(theorem.conclusion)}",
        f"where $\\rho$ is the unique root in $(0, 1)$ of\n{display(characteristic_equation(theorem))}",
        f"with\n\n$$\np = {tex(theorem.p)}, \\qquad q = {tex(theorem.q)}\n$$\n",
    ])


def theorem2_statement(theorem, first: int = 1) -> str:
    """Statement of Theorem 2: its definitions (c, M, psi), hypotheses and rate."""
    from memgd.theory.theorem2 import C_COEF, M_WEIGHT, PSI

    psi, rho2 = sp.symbols("psi rho_2", positive=True)
    hyps = [h.xreplace({PSI: psi}) for h in theorem.hypotheses]
    return "\n\n".join([
        "For parameters $\\lambda, \\theta \\in (0, 1]$ let",
        f"$$\nc = {tex(C_COEF)}, \\qquad M = {tex(M_WEIGHT)},\n$$",
        f"$$\n\\psi = {tex(PSI)}.\n$$",
        f"If every weight is nonnegative and\n\n{hypotheses(hyps, first)}",
        f"then for every $k \\ge 0$\n{display(theorem.conclusion.xreplace({theorem.rate: rho2}))}",
        f"with\n\n{display(sp.Eq(rho2**2, theorem.rate_squared, evaluate=False))}",
    ])


def theorem_s_statement(theorem, first: int = 1) -> str:
    """Statement of Theorem S, part by part: hypotheses, rate of E r_k^2, floor, and the noise loads."""
    from memgd.theory import theorem_s as ts

    loads = {  # the noise loads each part's rate and floor are built from
        "A": (ts.PHI_A, ts.PHI_SRC_A, ts.PHI_A_SHOWN, ts.PHI_SRC_A_SHOWN),
        "B": (ts.PHI_B, ts.PHI_SRC_B, ts.PHI_B_SHOWN, ts.PHI_SRC_B_SHOWN),
    }
    s_eff = sp.Symbol("s_eff", positive=True)
    out = [f"With Theorem 2's $c$ and $M$, let\n{display(sp.Eq(s_eff, ts.S_EFF, evaluate=False))}"]
    n = first
    for part in theorem.parts:
        key = part.name[-1]
        phi_e, src_e, per_step, per_sample = loads[key]
        psi_e, rho_e, floor_e = part.step_condition, part.rate_squared, part.floor
        psi, rho, F, phi, src = sp.symbols(f"psi_{key} rho_{key} F_{key} Phi_{key} Phi^src_{key}")
        names = {rho_e: rho, psi_e: psi}
        hyps = [h.xreplace(names) for h in part.hypotheses]
        # F_X = sigma^2 Phi_X / (1 - rho_X), read off the floor's expression (and checked to be that)
        if sp.expand(floor_e * (1 - rho_e) - ts.sigma2 * phi_e) != 0:
            raise ValueError(f"{part.name}: the floor is no longer sigma2 Phi / (1 - rho); update the card")
        floor_shown = sp.Mul(ts.sigma2, phi, sp.Pow(sp.Add(1, -rho, evaluate=False), -1, evaluate=False),
                             evaluate=False)
        conclusion = part.conclusion.subs(floor_e, F).xreplace(names)
        rows = [f"| term | per step, $\\Phi_{key}$ | per sample, $\\Phi^{{src}}_{key}$ |", "|---|---|---|"]
        for name, term in per_step.items():
            rows.append(f"| {name} | ${tex(term)}$ | ${tex(per_sample[name])}$ |")
        out += [
            f"**{part.name}** ({part.title}). Selection: {part.selection}. With",
            display(sp.Eq(psi, psi_e.xreplace({ts.C_A if key == 'A' else ts.C_B: sp.Symbol(f'c_{key}')}),
                          evaluate=False)),
            display(sp.Eq(rho, rho_e.xreplace({ts.S_EFF: s_eff, src: src, src_e: src}), evaluate=False)),
            display(sp.Eq(F, floor_shown, evaluate=False)),
            f"where $\\Phi_{key}$ and $\\Phi^{{src}}_{key}$ are the sums of the noise loads below, if\n",
            hypotheses(hyps, n),
            f"then for every $k \\ge 0$\n{display(conclusion)}",
            "\n".join(rows), "",
        ]
        n += len(part.hypotheses)
    return "\n".join(out)


def proof_status(lemma) -> str:
    """What sympy decides for a proof step, by running its ``prove()`` now."""
    if lemma.prove is None:
        return "nothing for sympy to decide (a norm inequality in $\\mathbb{R}^d$)"
    return "**proved by sympy**" if lemma.prove() else "**sympy proof FAILED**"


def proof_steps(lemmas: Iterable, checked: Mapping[str, str], arguments: Mapping[str, str] | None = None) -> str:
    """Each proof step: its statement (sympy), the argument (text), its sympy status, and where runs check it.

    ``checked`` maps a lemma's name to Markdown saying where it is evaluated on runs (a check
    function, a report section); a step absent from it says so.  ``arguments`` maps a name to
    the step's argument in words (optional).
    """
    blocks = []
    for lemma in lemmas:
        lines = [f"**{lemma.name}: {lemma.title}.**", display(lemma.statement)]
        if arguments and lemma.name in arguments:
            lines.append(f"*Argument.* {arguments[lemma.name]}\n")
        if lemma.sympy_part:
            lines.append(f"*What sympy proves:* {lemma.sympy_part}.\n")
        if lemma.numeric_part:
            lines.append(f"*What is left to checks on runs:* {lemma.numeric_part}.\n")
        lines.append(f"*Status now:* {proof_status(lemma)} ({lemma.status.value}). "
                     f"*Checked on runs:* {checked.get(lemma.name, 'not evaluated on runs (algebra only)')}.\n")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
