"""The README's custom-rule example runs as printed (with fewer hypothesis examples)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"
MARKER = "<!-- tested by tests/test_readme.py: custom-rule example -->"


def _example() -> str:
    text = README.read_text()
    assert text.count(MARKER) == 1, "the README lost the custom-rule example's marker"
    block = re.match(r"\s*```python\n(.*?)\n```", text.split(MARKER, 1)[1], re.S)
    assert block is not None, "the marker must be followed by a ```python block"
    return block.group(1)


def test_the_custom_rule_example_runs_and_verifies(monkeypatch, capsys):
    code = _example()
    assert "max_examples=50" in code
    module = types.ModuleType("readme_example")  # dataclasses look their module up in sys.modules
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code.replace("max_examples=50", "max_examples=5, screen_examples=300"), str(README), "exec"), module.__dict__)
    report = module.report
    assert report.examples == 5
    assert report.a_priori_checked == 5 and report.a_posteriori_checked == 5
    assert report.smallest_slack >= 0
    # the declared age bound 2C = 4 is what the runs reach (even steps only), never more
    assert 3 <= report.realized_ranges["T"][1] <= 4
    # the rule declares nonnegative weights: Theorem 2 is checked (and its larger steps drawn)
    assert report.theorem_2_checked >= 1
    # its declared patterns: g_k + 0.3^2 g_{k-2} + 0.3^4 g_{k-4} at even steps, + 0.3 g_{k-1} + 0.3^3 g_{k-3} at odd
    patterns = module.rule_patterns(module.EvenSteps(2), module.AgeDecay(0.3)).recurrent
    assert sorted(p.ages for p in patterns) == [(0, 1, 3), (0, 2, 4)]
    for p in patterns:
        np.testing.assert_allclose(p.weights, [1.0] + [0.3**t for t in p.ages[1:]], rtol=1e-15)
    assert "5 examples" in capsys.readouterr().out
