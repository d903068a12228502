"""The regional dashboard is computed once per state of the scores and reader's scope."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from reports import regional_page
from scoring.services import score_run_create
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_reviewer, make_user
from tests.reports.support import scored_world

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@override_settings(CACHES=LOCAL_CACHE)
class RegionalDashboardCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.planner = make_user("cache_planner")
        give_role(cls.planner, Role.PLANNER)
        cls.kenyan = make_reviewer("KEN", "kenyan_reviewer")
        cls.url = reverse("reports:regional-dashboard")

    def setUp(self) -> None:
        cache.clear()

    def views_of(self, user, count: int = 2) -> tuple[int, list[str]]:
        self.client.login(username=user.username, password=PASSWORD)
        pages = []
        with mock.patch.object(
            regional_page, "regional_report_data", wraps=regional_page.regional_report_data
        ) as build:
            for _ in range(count):
                response = self.client.get(self.url)
                assert response.status_code == 200
                pages.append(response.content.decode())
        return build.call_count, pages

    def test_the_second_view_is_read_from_the_cache_and_says_when_it_was_computed(self) -> None:
        builds, pages = self.views_of(self.planner)
        assert builds == 1
        assert "again whenever scores change" in pages[1]
        assert pages[0][pages[0].index("<main") :] == pages[1][pages[1].index("<main") :]

    def test_a_new_score_run_is_shown_at_once(self) -> None:
        self.views_of(self.planner)
        score_run_create(assessment=self.world["kenya"], trigger="on_demand", uncertainty=False)
        builds, _pages = self.views_of(self.planner, count=1)
        assert builds == 1

    def test_a_reader_of_one_country_never_gets_the_page_kept_for_a_planner(self) -> None:
        _builds, planner_pages = self.views_of(self.planner, count=1)
        assert "Senegal" in planner_pages[0]
        builds, pages = self.views_of(self.kenyan, count=1)
        assert builds == 1
        assert "Kenya" in pages[0] and "Senegal" not in pages[0]
