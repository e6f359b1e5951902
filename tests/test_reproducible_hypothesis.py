"""One seed, the same hypothesis examples, whatever the process imported before.

Hypothesis draws literal constants from the source of local modules in ``sys.modules``; a module
full of unusual floats imported between two runs changes the examples of the second run unless
``seed_only_examples`` empties that pool (proofs_check/properties/reproducible_hypothesis.py).
"""

import importlib
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from memgd.proofs_check.properties.reproducible_hypothesis import seed_only_examples


def _drawn(seed: int) -> list[float]:
    seen: list[float] = []

    @settings(max_examples=200, database=None, deadline=None)
    @given(x=st.floats(0.0, 1.0))
    def record(x):
        seen.append(x)

    record._hypothesis_internal_use_seed = seed
    record()
    return seen


def _import_module_of_constants(tmp_path, name: str) -> None:
    # a local module (outside site-packages and the standard library) whose literals hypothesis reads
    literals = ", ".join(f"0.{7919 * i + 104729:d}" for i in range(1, 200))
    (tmp_path / f"{name}.py").write_text(f"CONSTANTS = ({literals},)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_imported_constants_change_hypothesis_examples_and_the_block_removes_that(tmp_path):
    with seed_only_examples() as patched:
        before = _drawn(7)
    unprotected_before = _drawn(7)
    _import_module_of_constants(tmp_path, "memgd_test_many_constants")
    unprotected_after = _drawn(7)
    with seed_only_examples():
        after = _drawn(7)
    assert patched, "this hypothesis has no local-constant pool to empty: the guarantee is not available"
    assert before == after                       # the seed alone decides the examples
    assert unprotected_before != unprotected_after  # the dependence the block removes is real here
