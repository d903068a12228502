"""Admin registrations, one module per area."""

from surveys.admin import core  # noqa: F401
