"""Test configuration: hypothesis profiles chosen by ``HYPOTHESIS_PROFILE``.

- ``ci``: deterministic (derandomized, no example database, no deadline).
- ``dev`` (default): quick, randomized, for local iteration.
- ``thorough``: long campaigns, many examples.

And the fixture ``blas_threads``: a test that compares arrays (bit for bit where the same operations
run in the same order, else within the rounding bounds of ``tests/tolerances.py``) uses it
(``@pytest.mark.usefixtures("blas_threads")``) and runs twice, under one and under two BLAS threads
(threadpoolctl): a multithreaded BLAS splits long sums between threads and changes their last bits.
"""

import importlib
import os
import sys

import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

# The slow per-problem references live in the installed package (the vectorization benchmark compares
# against them); tests import them by their short names, as when they lived here.
for _name in ("reference_critical", "reference_list_buffer"):
    sys.modules.setdefault(_name, importlib.import_module(f"memgd.benchmarks.{_name}"))

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(params=[1, 2], ids=["blas1", "blas2"])
def blas_threads(request):
    """Run the test under ``request.param`` BLAS threads (threadpoolctl), restored after."""
    with threadpool_limits(limits=request.param, user_api="blas"):
        yield request.param
