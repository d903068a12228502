"""The country dashboard is computed once per state of what it shows, then kept."""

from __future__ import annotations

import pickle
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from officialstats.models import (
    OfficialValue,
    SourceEconomy,
    SourceIndicator,
    StatisticsSource,
)
from planning import services as planning
from planning.models import Intervention
from reports import country_page
from reports.data import country_report_data, priorities
from scoring.services import score_run_create
from surveys.models import Assessment, AssessmentState, Country, Role
from tests.factories import PASSWORD, give_role, make_focal_point, make_user
from tests.reports.support import scored_world

LOCAL_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
}


@override_settings(CACHES=LOCAL_CACHE)
class CountryDashboardCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        # alice: focal point of Senegal; bob: focal point of Kenya; carol: planner (all).
        cls.alice = make_focal_point("SEN", "alice")
        cls.bob = make_focal_point("KEN", "bob")
        cls.carol = make_user("carol")
        give_role(cls.carol, Role.PLANNER)
        cls.url = reverse("reports:country-dashboard", args=["SEN"])

    def setUp(self) -> None:
        cache.clear()

    def views_of(self, user, count: int = 2, **headers: str) -> tuple[int, list[str], list[int]]:
        """How many times the charts were drawn, the pages' text and each view's query count."""
        assert self.client.login(username=user.username, password=PASSWORD)
        pages, queries = [], []
        with mock.patch.object(
            country_page, "country_charts", wraps=country_page.country_charts
        ) as draw:
            for _ in range(count):
                with CaptureQueriesContext(connection) as captured:
                    response = self.client.get(self.url, headers=headers)
                assert response.status_code == 200
                pages.append(response.content.decode())
                queries.append(len(captured.captured_queries))
        return draw.call_count, pages, queries

    def test_the_second_view_draws_nothing_and_says_when_the_page_was_computed(self) -> None:
        draws, pages, queries = self.views_of(self.alice)
        assert draws == 1
        assert queries[1] < queries[0] - 5
        assert "again whenever scores change" in pages[1]
        main = [page[page.index("<main") :] for page in pages]
        assert main[0] == main[1]
        assert main[1].count('role="img"') >= 3

    def test_a_new_score_run_gives_new_figures(self) -> None:
        _draws, pages, _queries = self.views_of(self.alice, count=1)
        old_run = self.world["senegal_run"].pk
        new_run = score_run_create(
            assessment=self.world["senegal"], trigger="on_demand", uncertainty=False
        )
        draws, new_pages, _queries = self.views_of(self.alice, count=1)
        assert draws == 1
        assert f"score run {old_run} of" in pages[0]
        assert f"score run {new_run.pk} of" in new_pages[0]

    def test_a_changed_catalogue_or_statistic_or_assessment_state_is_shown_at_once(self) -> None:
        self.views_of(self.alice, count=1)
        intervention = Intervention.objects.filter(active=True).first()
        intervention.cost += 1
        intervention.save()
        assert self.views_of(self.alice, count=1)[0] == 1
        source = StatisticsSource.objects.create(code="test-x", name="X", year=2024)
        OfficialValue.objects.create(
            indicator=SourceIndicator.objects.create(source=source, code="x", name="X"),
            economy=SourceEconomy.objects.create(source=source, iso3="SEN", name="Senegal"),
            year=2024,
            value=1.0,
        )
        assert self.views_of(self.alice, count=1)[0] == 1
        Assessment.objects.filter(pk=self.world["senegal"].pk).update(
            state=AssessmentState.IN_REVIEW
        )
        assert self.views_of(self.alice, count=1)[0] == 1
        assert self.views_of(self.alice, count=1)[0] == 0

    def test_a_reader_of_another_country_is_refused_even_when_the_page_is_kept(self) -> None:
        self.views_of(self.carol, count=1)
        assert self.client.login(username="bob", password=PASSWORD)
        with mock.patch.object(cache, "get", wraps=cache.get) as read:
            assert self.client.get(self.url).status_code == 404
        assert not any(
            str(call.args[0]).startswith("country-dashboard") for call in read.mock_calls
        )

    def test_readers_who_see_different_countries_do_not_share_a_kept_page(self) -> None:
        draws_planner, _pages, _queries = self.views_of(self.carol, count=1)
        draws_focal_point, _pages, _queries = self.views_of(self.alice, count=1)
        assert (draws_planner, draws_focal_point) == (1, 1)

    def test_arabic_is_kept_apart_from_english(self) -> None:
        draws_english, english, _queries = self.views_of(self.alice, count=1)
        draws_arabic, arabic, _queries = self.views_of(self.alice, **{"accept-language": "ar"})
        assert (draws_english, draws_arabic) == (1, 1)
        assert 'dir="rtl"' in arabic[1] and 'dir="rtl"' not in english[0]
        assert arabic[0][arabic[0].index("<main") :] == arabic[1][arabic[1].index("<main") :]
        assert "<svg" in arabic[1]

    def test_the_kept_page_holds_svg_text_and_no_reportlab_drawing(self) -> None:
        page, _computed_at = country_page.kept_country_page(
            country=Country.objects.get(alpha3="SEN"), round=None, language="en", scope="all"
        )
        assert isinstance(page["radar"], country_page.KeptChart)
        assert page["radar"].svg.startswith("<svg")
        assert b"reportlab" not in pickle.dumps(page)


@override_settings(CACHES=LOCAL_CACHE)
class ReportPortfolioCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()

    def setUp(self) -> None:
        cache.clear()

    def test_the_portfolio_is_solved_once_per_score_run(self) -> None:
        senegal = Country.objects.get(alpha3="SEN")
        with mock.patch.object(
            priorities, "country_portfolio", wraps=planning.country_portfolio
        ) as solve:
            first = country_report_data(country=senegal, language="en")
            second = country_report_data(country=senegal, language="en")
            assert solve.call_count == 1
            assert first.portfolio == second.portfolio and first.portfolio
            assert first.portfolio_gain == second.portfolio_gain
            score_run_create(
                assessment=self.world["senegal"], trigger="on_demand", uncertainty=False
            )
            country_report_data(country=senegal, language="en")
            assert solve.call_count == 2
