"""The role × URL permission matrix.

Every URL pattern of the project must have an entry in one of this package's modules
(``ENTRIES`` lists); ``tests/test_permission_matrix.py`` fails for a URL without one, and checks
each entry for an anonymous visitor, every role of country A, and users of country B.

Add entries for new views in the module of their area (core, surveys, review, scoring,
reports, api). Expected values are HTTP status codes, or ``LOGIN`` for a redirect to the
login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOGIN = "login"  # redirect to the login page

# The people of the matrix. Country A is Senegal, country B is Kenya.
ANONYMOUS = "anonymous"
FOCAL_POINT = "focal_point_a"
REVIEWER = "reviewer_a"
PLANNER = "planner"
ADMINISTRATOR = "administrator"
NO_ROLE = "no_role"
STRANGER_FOCAL_POINT = "focal_point_b"
STRANGER_REVIEWER = "reviewer_b"
EVERYONE = [
    ANONYMOUS,
    FOCAL_POINT,
    REVIEWER,
    PLANNER,
    ADMINISTRATOR,
    NO_ROLE,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
]
SIGNED_IN = [person for person in EVERYONE if person != ANONYMOUS]
# Users with no role for country A: its objects do not exist for them.
OUTSIDERS: dict[str, int | str] = {NO_ROLE: 404, STRANGER_FOCAL_POINT: 404, STRANGER_REVIEWER: 404}


@dataclass
class World:
    """Objects the entries point at; built once per test class."""

    users: dict[str, Any]
    assessment: Any  # country A, draft
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    name: str
    expect: dict[str, int | str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""
    # Some entries change state (e.g. a transition); they run on a fresh world per user.
    mutates: bool = False


def same_for(people: list[str], status: int | str) -> dict[str, int | str]:
    return dict.fromkeys(people, status)


def logged_in_readers(status: int = 200) -> dict[str, int | str]:
    """Typical read page of country A: anonymous → login, A's people and global roles see it,
    users without a role for A get 404."""
    return {
        ANONYMOUS: LOGIN,
        FOCAL_POINT: status,
        REVIEWER: status,
        PLANNER: status,
        ADMINISTRATOR: status,
        NO_ROLE: 404,
        STRANGER_FOCAL_POINT: 404,
        STRANGER_REVIEWER: 404,
    }
