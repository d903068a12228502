"""Suite-wide test configuration."""

from collections.abc import Iterator

import pytest
from django.utils import translation
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


@pytest.fixture(autouse=True)
def default_language_after_each_test() -> Iterator[None]:
    """Back to the default language after every test.

    A test-client request in French leaves French active in the thread (LocaleMiddleware
    activates it and nothing deactivates it), so the next test would read French messages.
    """
    yield
    translation.deactivate()
