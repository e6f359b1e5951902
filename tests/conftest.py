"""Test configuration: hypothesis profiles chosen by ``HYPOTHESIS_PROFILE``.

- ``ci``: deterministic (derandomized, no example database, no deadline).
- ``dev`` (default): quick, randomized, for local iteration.
- ``thorough``: long campaigns, many examples.
"""

import os

from hypothesis import HealthCheck, settings

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
