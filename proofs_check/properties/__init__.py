"""Property checking: the theorem's statements evaluated on real runs, and rules tested with hypothesis.

Holds hypothesis strategies for problems and steps (``strategies``), the distance-bound and
constant checks (``bound_check``), declared patterns against a run's steps (``pattern_check``),
each proof step on a traced run (``lemma_checks``), which
assumption a run breaks (``assumptions``), the shrunk counterexamples (``counterexamples``) and
``verify_rule`` for users' own rules (``verify_rule``), which first screens many examples in
batched runs (``screen``) judged by the one function that says which bounds apply and whether they
hold (``judge``). May import :mod:`memgd.solvers`, :mod:`memgd.theory` and
:mod:`memgd.proofs_check.campaigns` (the screen's worker processes); nothing else of
:mod:`memgd.proofs_check`.
"""
