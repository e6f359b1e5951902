"""The README's "Your own problem" example runs as printed (extracted by its marker comment)."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- own-problem-example -->"


def readme_block() -> str:
    text = README.read_text()
    match = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", text, re.S)
    assert match, f"README.md has no python block after {MARKER}"
    return match.group(1)


def test_readme_own_problem_example_runs_and_says_what_it_claims():
    scope: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_block(), "README.md:own-problem", "exec"), scope)
    problem, estimated, result = scope["problem"], scope["estimated"], scope["result"]
    # x* of the given problem: grad vanishes to the stated accuracy
    assert np.linalg.norm(scope["grad"](problem.x_star[0])) <= 1e-12
    assert problem.constants_source == "given"
    # the estimates are the Hessian's extremes at x*, inside the global bounds [1, 10]
    sech2 = 1.0 / np.cosh(estimated.x_star[0] - 1.0) ** 2
    exact = np.sort(np.diag(scope["A"]) + sech2)
    np.testing.assert_allclose([estimated.mu[0], estimated.L[0]], [exact[0], exact[-1]], rtol=1e-6)
    assert 1.0 <= estimated.mu[0] <= estimated.L[0] <= 10.0
    assert estimated.constants_estimated and "local" in out.getvalue()
    assert result.distances is not None and result.gaps is None  # record="summary"
