"""The shipped example (examples/logistic_breast_cancer.py) runs, small, and says what it should."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "logistic_breast_cancer.py"


@pytest.fixture(scope="module")
def example():
    pytest.importorskip("sklearn", reason="scikit-learn (the 'examples' extra) is not installed")
    return runpy.run_path(str(EXAMPLE))


def test_breast_cancer_comparison_small(example):
    rows, P = example["compare"](lam=0.1, steps=300, starts=1)
    assert len(rows) == len(example["RULES"]) * len(example["STEPS_TIMES_L"])
    assert P.constants_source.startswith("global bounds") and not P.constants_estimated
    by = {(r["rule"], r["alpha_L"]): r for r in rows}
    # the theorem is checked where its hypotheses hold, and holds there
    assert not any(r["violated"] or r.get("declared_violated", False) for r in rows)
    for rule in ("plain GD", "FIFO C=5, sum", "critical C=10, sum", "keep-oldest C=5, T=10, sum"):
        small = by[(rule, 0.001)]
        assert small["applies"] and small["holds"], rule
        assert small["measured"] <= small["bound"]
    # ages that grow with the run (T = steps - 1): no bound applies
    forever = by[("keep-oldest C=2 forever, mean", 1.0)]
    assert forever["T"] == 299 and not forever["applies"]
    # plain GD at alpha = 1/L: rate at most max(|1 - alpha mu|, |1 - alpha L|) = 1 - mu/L
    gd = by[("plain GD", 1.0)]
    assert gd["measured"] <= 1 - P.mu[0] / P.L[0] + 1e-9
    table = example["format_table"](rows)
    assert "does not apply" in table and "holds" in table and "VIOLATED" not in table
