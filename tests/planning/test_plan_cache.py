"""The planner's country plan is computed once per score run, catalogue and parameters."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from planning import services as planning
from planning.models import Intervention
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_assessment, make_user
from tests.planning.helpers import load_test_catalogue, make_scores

SCORES = {"GOV.1": 20.0, "GOV.2": 70.0, "NET.1": 40.0, "NET.2": 90.0, "SKL.1": 10.0}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@override_settings(CACHES=LOCAL_CACHE)
class CountryPlanCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        cls.assessment = make_assessment("SEN")
        make_scores(cls.assessment, SCORES)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)
        cls.url = reverse("planning:planner-country", args=["SEN"])

    def setUp(self) -> None:
        cache.clear()
        self.client.login(username=self.planner.username, password=PASSWORD)

    def solves(self, *queries: str) -> tuple[int, list[str]]:
        """How many times the portfolio is solved over GETs of the page with ``queries``."""
        pages = []
        with mock.patch.object(
            planning, "country_portfolio", wraps=planning.country_portfolio
        ) as solver:
            for query in queries:
                response = self.client.get(self.url + query)
                assert response.status_code == 200
                pages.append(response.content.decode())
        return solver.call_count, pages

    def test_the_second_view_reads_the_kept_plan_and_says_when_it_was_computed(self) -> None:
        count, pages = self.solves("", "")
        assert count == 1
        assert "Computed " in pages[1] and "recomputed when either changes" in pages[1]
        assert pages[0].count("<tr") == pages[1].count("<tr")

    def test_other_parameters_are_another_plan(self) -> None:
        count, _pages = self.solves("?budget=100000", "?budget=200000", "?budget=100000")
        assert count == 2

    def test_a_new_score_run_makes_the_plan_stale(self) -> None:
        count, _pages = self.solves("")
        make_scores(self.assessment, {**SCORES, "GOV.1": 60.0})
        count_after, _pages = self.solves("")
        assert (count, count_after) == (1, 1)

    def test_a_catalogue_change_makes_the_plan_stale(self) -> None:
        self.solves("")
        intervention = Intervention.objects.filter(active=True).first()
        intervention.cost = intervention.cost + 1
        intervention.save()
        count, _pages = self.solves("")
        assert count == 1
        Intervention.objects.filter(pk=intervention.pk).update(active=False)
        count, _pages = self.solves("")
        assert count == 1

    def test_each_language_has_its_own_plan(self) -> None:
        self.solves("")
        with mock.patch.object(
            planning, "country_portfolio", wraps=planning.country_portfolio
        ) as solver:
            self.client.get(self.url, HTTP_ACCEPT_LANGUAGE="fr")
        assert solver.call_count == 1


@override_settings(CACHES=LOCAL_CACHE)
class DemandCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        cls.senegal = make_assessment("SEN")
        make_scores(cls.senegal, SCORES)
        make_scores(make_assessment("KEN", framework=cls.senegal.framework), SCORES)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)

    def setUp(self) -> None:
        cache.clear()
        self.client.login(username=self.planner.username, password=PASSWORD)

    def solves(self, query: str) -> tuple[int, str]:
        url = reverse("planning:planner-demand") + query
        with mock.patch.object(
            planning, "country_portfolio", wraps=planning.country_portfolio
        ) as solver:
            response = self.client.get(url)
        assert response.status_code == 200
        return solver.call_count, response.content.decode()

    def test_each_country_s_portfolio_is_solved_once_and_the_page_stays_the_same(self) -> None:
        code = self.senegal.framework.code
        first_count, first = self.solves(f"?framework={code}&budget=500000")
        second_count, second = self.solves(f"?framework={code}&budget=500000")
        assert (first_count, second_count) == (2, 0)
        # The same figures, read from the kept portfolios.
        assert first[first.index("<main") :] == second[second.index("<main") :]

    def test_a_new_run_of_one_country_solves_that_country_only(self) -> None:
        code = self.senegal.framework.code
        self.solves(f"?framework={code}&budget=500000")
        make_scores(self.senegal, {**SCORES, "NET.1": 10.0})
        count, _page = self.solves(f"?framework={code}&budget=500000")
        assert count == 1
