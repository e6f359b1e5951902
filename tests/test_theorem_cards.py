"""The theorem cards (docs/theorems/) print the theory's own sympy objects.

docs/_cards.py typesets each statement with ``sympy.latex`` of the expressions in
``memgd.theory``; these tests change a theorem's expression (a mutated copy, the module is not
touched) and check that the card changes with it, so a card cannot keep showing a statement
the code no longer makes.
"""

import dataclasses
import re
import sys
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))

import _cards  # noqa: E402
from memgd.theory import THEOREM_1, THEOREM_1B, THEOREM_2, THEOREM_S  # noqa: E402
from memgd.theory.symbols import B, L, T, W, alpha, mu, s_lo  # noqa: E402
from memgd.theory.theorem import RHO  # noqa: E402


def test_theorem1_card_prints_the_theorem_objects():
    card = _cards.theorem1_statement(THEOREM_1)
    for expr in (THEOREM_1.p, THEOREM_1.q, *THEOREM_1.hypotheses):
        assert _cards.tex(expr) in card
    # the characteristic equation read off the object: rho^(2T+1) = p rho^(2T) + q
    eq = _cards.characteristic_equation(THEOREM_1)
    p, q = sp.symbols("p q")
    assert sp.expand(eq.lhs - eq.rhs - (RHO ** (2 * T + 1) - p * RHO ** (2 * T) - q)) == 0


def test_mutating_theorem1_changes_its_card():
    card = _cards.theorem1_statement(THEOREM_1)
    wrong_q = dataclasses.replace(THEOREM_1, q=alpha**2 * L**2 * B * W * T**2)  # T^2: a false theorem
    assert _cards.theorem1_statement(wrong_q) != card
    assert _cards.tex(alpha**2 * L**2 * B * W * T**2) in _cards.theorem1_statement(wrong_q)
    wrong_delay = dataclasses.replace(THEOREM_1, delay=T)  # window T instead of 2T
    assert _cards.tex(_cards.characteristic_equation(wrong_delay)) in _cards.theorem1_statement(wrong_delay)
    assert _cards.theorem1_statement(wrong_delay) != card
    weaker = dataclasses.replace(THEOREM_1, hypotheses=THEOREM_1.hypotheses[:2])  # memory hypothesis dropped
    assert _cards.tex(THEOREM_1.hypotheses[2]) not in _cards.theorem1_statement(weaker)


def test_a_characteristic_not_of_the_halanay_form_is_shown_unabridged():
    # a characteristic that is not rho^(D+1) - p rho^D - q cannot be abridged to that form
    odd = dataclasses.replace(THEOREM_1B, delay=T)

    class Odd(type(odd)):
        @property
        def characteristic(self):
            return RHO ** (self.delay + 1) - self.p * RHO ** self.delay - 2 * self.q

    shown = Odd(**{f.name: getattr(odd, f.name) for f in dataclasses.fields(odd)})
    eq = _cards.characteristic_equation(shown)
    assert eq.rhs == 0 and sp.expand(eq.lhs - shown.characteristic) == 0


def test_mutating_theorem2_changes_its_card():
    card = _cards.theorem2_statement(THEOREM_2)
    assert _cards.tex(THEOREM_2.rate_squared) in card
    faster = dataclasses.replace(THEOREM_2, rate_squared=1 - 2 * alpha * mu * s_lo)
    assert _cards.tex(1 - 2 * alpha * mu * s_lo) in _cards.theorem2_statement(faster)
    assert _cards.theorem2_statement(faster) != card


def test_theorem_s_card_reads_the_floor_and_refuses_a_changed_one():
    card = _cards.theorem_s_statement(THEOREM_S)
    from memgd.theory import theorem_s as ts

    for term in ts.PHI_A_SHOWN.values():
        assert _cards.tex(term) in card
    part = dataclasses.replace(ts.PART_A, floor=2 * ts.FLOOR_A)   # a floor the card's abridgement would misstate
    mutated = dataclasses.replace(THEOREM_S, parts=(part, ts.PART_B))
    try:
        _cards.theorem_s_statement(mutated)
    except ValueError as err:
        assert "floor" in str(err)
    else:
        raise AssertionError("a changed floor must not be printed as sigma^2 Phi / (1 - rho)")


def _unbroken(lines: list[str]) -> list[str]:
    """The display's lines joined with the alignment marks the card adds (``&``, ``{}``, ``\\quad``) taken out,
    split into words: sympy's LaTeX of the whole statement, if the card only broke it into lines."""
    return " ".join(re.sub(r"\s*(\{\})?\s*&\s*(\\quad)?\s*(\{\})?\s*", " ", line) for line in lines).split()


def test_a_long_statement_is_its_own_latex_broken_into_lines_that_fit():
    """Lemma T2.4 (117 visible symbols, 1415 px on one line) is printed over lines, term by term, each line
    within the budget unless it holds one term alone; the lines are exactly sympy's LaTeX of the statement."""
    from memgd.theory.lemmas2 import T2_4

    stmt = T2_4.statement
    lines = _cards.display_lines(stmt)
    assert len(lines) >= 3
    assert _unbroken(lines) == _cards.tex(stmt).split()
    pieces = [_cards.tex(term) for _, term in _cards.terms(stmt.rhs)]
    assert len(pieces) == 3
    for line in lines:
        assert sum(p in line for p in pieces) == 1 or _cards.visible_length(line) <= _cards.LINE_SYMBOLS
    block = _cards.display(stmt)
    assert block.count("\\begin{aligned}") == 1 and all(line in block for line in lines)
    # the signed terms are the statement's right-hand side
    assert sp.expand(sum(-t if s == "-" else t for s, t in _cards.terms(stmt.rhs)) - stmt.rhs) == 0


def test_short_statements_stay_on_one_line_and_other_shapes_break_faithfully():
    from memgd.theory.lemmas2 import T2_1, T2_2, T2_6

    assert _cards.display_lines(T2_2.statement) == [_cards.tex(T2_2.statement)]
    assert "aligned" not in _cards.display(T2_2.statement)
    lhs_sum = _cards.display_lines(T2_1.statement, budget=20)    # a long sum >= 0: broken on the left
    assert len(lhs_sum) > 1 and lhs_sum[-1].endswith("\\geq 0")
    assert _unbroken(lhs_sum) == _cards.tex(T2_1.statement).split()
    products = _cards.display_lines(T2_6.statement, budget=30)   # no sum on either side: before the relation
    assert len(products) == 2 and "\\leq" in products[1] and "\\leq" not in products[0]
    assert _unbroken(products) == _cards.tex(T2_6.statement).split()


def _all_proof_steps():
    from memgd.theory.lemmas import L1, L2, L3, L3B, L4, L5, L5B, L6
    from memgd.theory.lemmas2 import T2_1, T2_2, T2_3, T2_4, T2_5, T2_6, T2_7
    from memgd.theory.lemmas_s import PROOF_STEPS_S
    return [L1, L2, L3, L3B, L4, L5, L5B, L6, T2_1, T2_2, T2_3, T2_4, T2_5, T2_6, T2_7, *PROOF_STEPS_S]


# what sympy prints for a symbol named by a formula in words: bars, words for Greek letters or
# operators, an "E" glued to a bracket, a parenthesised superscript
_WORDS_LEFT = re.compile(r"\|\||(?<![\\A-Za-z])(alpha|beta|gamma|lambda|mu|omega|xi|rho|sigma|dbar|sum|max)"
                         r"(?![A-Za-z])|(?<![\\A-Za-z])E(?=[<\[|])|\^\(")


def test_every_proof_step_reads_as_mathematics_not_as_words():
    """Steps whose sides the theory keeps as one descriptive symbol (``"E||d_i||^2"``) are typeset
    as a norm, an expectation, Greek letters: no bars, words or parenthesised superscripts left."""
    for lemma in _all_proof_steps():
        text = _cards.tex(lemma.statement)
        assert not _WORDS_LEFT.search(text), (lemma.name, text)
        assert text.count("{") == text.count("}"), (lemma.name, text)
    assert _cards.readable_name("E||d_i||^2") == r"\mathbb{E}\,\lVert d_i \rVert ^2"
    assert _cards.readable_name("lambda*^k") == r"{\lambda^*}^k"       # never a double superscript
    assert _cards.readable_name("2 alpha <dbar_k, u_k>") == r"2 \alpha \langle \bar{d}_k, u_k \rangle"
