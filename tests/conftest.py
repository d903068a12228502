"""Suite-wide test configuration."""

from hypothesis import HealthCheck, settings

# The suite runs on shared, noisy machines: hypothesis's per-example deadline would turn a busy
# neighbour into a failure that says nothing about the code. Example counts stay bounded.
settings.register_profile(
    "suite",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("suite")
