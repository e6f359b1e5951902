"""Hypothesis examples that depend on the seed only, not on what the process imported.

Hypothesis (from 6.131) also draws literal constants it reads from the source of every *local*
module in ``sys.modules`` (memgd's own files in an editable install, a user's rule module, the
test files), and it caps the time spent reading them at 100 ms.  So one seed gives different
examples in a process that imported other modules first, or on a slower machine: in the report,
``verify_rule`` on the critical rule checked 8,561 bounds a posteriori after the falsification
tasks had run in the same worker and 8,560 without them.  Inside :func:`seed_only_examples` that
pool is empty, so a seed's examples are the same in every process; hypothesis's own built-in
constants (0, 1, infinities, ...) are still drawn.

This patches one private function of hypothesis (``providers._get_local_constants``) for the
duration of the block.  Where that function does not exist (a hypothesis before or after that
design), nothing is patched and :func:`seed_only_examples` yields ``False``, so callers can say
that their examples may depend on the imported modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def seed_only_examples() -> Iterator[bool]:
    """Within the block, hypothesis draws no constants from imported local modules (see module doc).

    Yields True when the pool was emptied, False when this hypothesis has no such pool to empty.
    Not thread-safe (it swaps a module attribute), like hypothesis's own global state.
    """
    try:
        from hypothesis.internal.conjecture import providers
        original = providers._get_local_constants
        empty = providers.Constants()
        cache = providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError):
        yield False
        return
    cache.clear()   # cached pools may hold constants of modules read before the block
    providers._get_local_constants = lambda: empty
    try:
        yield True
    finally:
        providers._get_local_constants = original
        cache.clear()
