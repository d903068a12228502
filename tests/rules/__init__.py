"""The rule × path matrix: each workflow and locking rule, tried on every path into the data.

Like the role × URL matrix (``tests/matrix/``), but for rules. A rule lives in one service;
these checks prove that every way in — the pages, autosave, the REST API, imports, the admin
and management commands — reaches that service and obeys it. ``tests/test_rule_matrix.py``
fails when a rule has no check for one of the :data:`PATHS`.

Each module here defines ``RULES``: a list of :class:`Rule`. A check receives a fresh
:class:`World` (its own database state, rolled back after) and attempts to break the rule
through its path; it asserts the attempt was refused and nothing changed. Where a path has no
way to reach the data at all, its check proves that (the URL or admin page does not exist,
or refuses), so a path added later without the rule fails here.

Adding a rule: write its checks, one per path, in the module of its area. Adding a path: add
it to :data:`PATHS` and a check to every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from surveys.models import Assessment

#: Every way data reaches the platform.
PATHS = ("page", "autosave", "api", "import", "admin", "command")


@dataclass
class World:
    """People and assessments of Senegal (and a Kenyan focal point), fresh for each check.

    ``draft`` holds one answer (GOV.1.a = 2) of the many required; ``approved`` holds an
    answer to every question (GOV.1.a = 2 among them).
    """

    focal_point: AbstractBaseUser
    reviewer: AbstractBaseUser
    administrator: AbstractBaseUser
    stranger: AbstractBaseUser
    draft: Assessment
    approved: Assessment
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, user: AbstractBaseUser | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


Check = Callable[[World], None]


@dataclass(frozen=True)
class Rule:
    name: str
    #: The rule as a user would state it, and the service that enforces it.
    statement: str
    checks: dict[str, Check]
