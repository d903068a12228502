"""The matching page keeps its plan (robustness samples included): a second view solves nothing.

A new plan is computed when the parameters, the offers or the demand rules change.
"""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse

from planning import matching
from planning.models import Offer
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_user
from tests.planning.offer_helpers import load_offers, make_round

# Tests otherwise run without a cache (tests/planning/test_plan_cache.py does the same).
LOCAL_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-matching-throttle",
    },
}


@override_settings(CACHES=LOCAL_CACHE)
class KeptMatchingPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_offers()
        make_round()
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)

    def setUp(self) -> None:
        cache.clear()
        self.client.login(username="planner", password=PASSWORD)

    def solves_for(self, query: dict[str, str]) -> tuple[int, str]:
        """Engine solves made by one view of the matching page, and the page."""
        with mock.patch.object(matching, "match_offers", wraps=matching.match_offers) as spy:
            response = self.client.get(reverse("planning:matching-plan"), query)
        self.assertEqual(response.status_code, 200)
        return spy.call_count, response.content.decode()

    def test_a_second_view_solves_nothing_and_shows_the_same_plan(self) -> None:
        first, page = self.solves_for({})
        # The plan and its robustness samples (planning.matching.ROBUSTNESS_SAMPLES).
        self.assertGreater(first, 1)
        self.assertIn("O-GOV-FR", page)
        again, page_again = self.solves_for({})
        self.assertEqual(again, 0)
        self.assertIn("O-GOV-FR", page_again)
        self.assertIn("Seats are full on O-GOV-FR.", page_again)

    def test_new_parameters_or_a_changed_offer_solve_again(self) -> None:
        self.solves_for({})
        changed_parameters, _ = self.solves_for({"same_region": "on"})
        self.assertGreater(changed_parameters, 0)
        offer = Offer.objects.get(code="O-GOV-FR")
        offer.seats += 5
        offer.save()
        changed_offer, _ = self.solves_for({})
        self.assertGreater(changed_offer, 0)
        self.assertEqual(self.solves_for({})[0], 0)

    def test_the_api_and_the_regional_report_read_the_kept_plan(self) -> None:
        """The API and the report's section use the same kept plan as the page (no samples)."""
        from reports.matching_section import matching_section_data

        def report_section() -> object:
            return matching_section_data(
                round_=2026,
                framework_code="test_framework",
                region="",
                countries=("SEN",),
                language="en",
            )

        for ask in (
            lambda: self.client.get(reverse("api-matching-plan")).json(),
            report_section,
        ):
            with mock.patch.object(matching, "match_offers", wraps=matching.match_offers) as spy:
                first = ask()
                self.assertGreater(spy.call_count, 0)
                spy.reset_mock()
                self.assertEqual(ask(), first)
                self.assertEqual(spy.call_count, 0)
