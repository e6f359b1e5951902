"""Property checking: the theorem's statements evaluated on real runs, and rules tested with hypothesis.

Holds hypothesis strategies for problems and steps (``strategies``), the distance-bound and
constant checks (``bound_check``), declared patterns against a run's steps (``pattern_check``),
each proof step on a traced run (``lemma_checks``), which
assumption a run breaks (``assumptions``), the shrunk counterexamples (``counterexamples``) and
``verify_rule`` for users' own rules (``verify_rule``). May import :mod:`memgd.solvers` and
:mod:`memgd.theory`; nothing else of :mod:`memgd.proofs_check`.
"""
