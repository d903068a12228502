"""Every URL of the project × every kind of user: who gets what.

See tests/matrix/__init__.py for how to add entries for new views.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix
from surveys.models import Role
from tests.factories import PASSWORD, country, give_role, make_assessment, make_user
from tests.matrix import (
    ADMINISTRATOR,
    ANONYMOUS,
    FOCAL_POINT,
    LOGIN,
    NO_ROLE,
    PLANNER,
    REVIEWER,
    STRANGER_FOCAL_POINT,
    STRANGER_REVIEWER,
    Entry,
    World,
)

# Django admin's own pages are protected by its staff check; the matrix samples admin:index.
IGNORED_NAMESPACES = {"admin"}


def all_entries() -> list[Entry]:
    entries: list[Entry] = []
    for module_info in pkgutil.iter_modules(tests.matrix.__path__):
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        entries.extend(getattr(module, "ENTRIES", []))
    return entries


def project_url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every named URL pattern, namespaced; unnamed patterns are reported as errors."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in IGNORED_NAMESPACES:
                continue
            names |= project_url_names(pattern, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern):
            names.add(f"{prefix}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")
    return names


def build_world() -> World:
    users = {ANONYMOUS: None}
    users[FOCAL_POINT] = make_user("focal_a")
    give_role(users[FOCAL_POINT], Role.FOCAL_POINT, country("SEN"))
    users[REVIEWER] = make_user("reviewer_a")
    give_role(users[REVIEWER], Role.REVIEWER, country("SEN"))
    users[PLANNER] = make_user("planner")
    give_role(users[PLANNER], Role.PLANNER)
    users[ADMINISTRATOR] = make_user("admin", is_staff=True, is_superuser=True)
    users[NO_ROLE] = make_user("nobody")
    users[STRANGER_FOCAL_POINT] = make_user("focal_b")
    give_role(users[STRANGER_FOCAL_POINT], Role.FOCAL_POINT, country("KEN"))
    users[STRANGER_REVIEWER] = make_user("reviewer_b")
    give_role(users[STRANGER_REVIEWER], Role.REVIEWER, country("KEN"))
    assessment = make_assessment("SEN")
    world = World(users=users, assessment=assessment)
    for module_info in pkgutil.iter_modules(tests.matrix.__path__):
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        setup = getattr(module, "setup_world", None)
        if setup:
            setup(world)
    return world


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    def test_every_url_pattern_has_a_matrix_entry(self) -> None:
        covered = {entry.name for entry in all_entries()}
        missing = sorted(project_url_names() - covered)
        assert not missing, f"URL patterns without a permission-matrix entry: {missing}"

    def test_matrix_entries_name_existing_urls(self) -> None:
        stale = sorted({e.name for e in all_entries()} - project_url_names() - {"admin:index"})
        assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"

    def test_each_user_gets_the_expected_answer(self) -> None:
        failures = []
        for entry in all_entries():
            for person, expected in entry.expect.items():
                with self.subTest(url=entry.name, person=person):
                    got = self._request(entry, person)
                    if not _matches(got, expected):
                        failures.append(f"{entry.name} as {person}: expected {expected}, got {got}")
        assert not failures, "\n".join(failures)

    def _request(self, entry: Entry, person: str) -> int | str:
        world = self.world
        if entry.mutates:
            # Run state-changing requests inside a savepoint we roll back, so each user sees the
            # same starting state.
            from django.db import transaction

            sid = transaction.savepoint()
        self.client.logout()
        user = world.users[person]
        if user is not None:
            assert self.client.login(username=user.username, password=PASSWORD)
        url = reverse(entry.name, kwargs=entry.kwargs(world)) + entry.query
        response = getattr(self.client, entry.method)(url, entry.data(world))
        if entry.mutates:
            transaction.savepoint_rollback(sid)
        if response.status_code == 302 and "/accounts/login/" in response["Location"]:
            return LOGIN
        return response.status_code


def _matches(got: int | str, expected: int | str) -> bool:
    return got == expected


@pytest.mark.parametrize("route", ["/no-such-page/"])
def test_unknown_url_is_404(client, route: str) -> None:
    assert client.get(route).status_code == 404
