"""memgd: check the convergence theory of memory-augmented gradient methods.

This root package (``__version__``, the ``memgd`` command in :mod:`memgd.cli`) has its source
in the repository's ``cli/`` folder: the checkout holds no ``memgd/`` folder, which would
shadow an installed memgd for Python started in the checkout's root.  The installed
namespace maps the repository's top-level folders:

- :mod:`memgd.solvers` (``solvers/``): the vectorized engine, problems, memory rules, optimizers;
- :mod:`memgd.theory` (``theory/``): the theorems and their constants in sympy, exact quadratic rates;
- :mod:`memgd.proofs_check` (``proofs_check/``): checks on runs, certificates, property tests, the report;
- :mod:`memgd.figures` (``figures/``): drawing only;
- :mod:`memgd.benchmarks` (``benchmarks/``): speed figures as ratios measured in one run.

``solvers`` and ``theory`` import nothing else of memgd; ``proofs_check`` uses both;
``figures`` draws what ``proofs_check`` computes.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("memgd")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
