"""Test configuration: hypothesis profiles chosen by ``HYPOTHESIS_PROFILE``.

- ``ci``: deterministic (derandomized, no example database, no deadline).
- ``dev`` (default): quick, randomized, for local iteration.
- ``thorough``: long campaigns, many examples.
"""

import importlib
import os
import sys

from hypothesis import HealthCheck, settings

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
