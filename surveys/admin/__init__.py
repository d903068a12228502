"""Admin registrations, one module per area."""

from surveys.admin import (
    core,  # noqa: F401
    review,  # noqa: F401
)

# isort: split
from surveys.admin import (
    frameworks,  # noqa: F401
    tokens,  # noqa: F401, E402
)
