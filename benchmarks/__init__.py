"""memgd benchmarks: ``python -m memgd.benchmarks`` runs them all (``--quick``, ``--only NAME``, ``--json PATH``).

Speed is measured here, as ratios and exponents from one process, never by timed tests.
See BENCHMARKS.md for the latest figures.
"""
