"""Demand from a round's approved assessments and the matching plan, worked out by hand.

Offers (tests/planning/offer_helpers.py): O-GOV-FR covers GOV in French, 60 seats at 10 USD,
by a provider in Africa; O-GOV-EN covers GOV.1 in English and French, 100 seats at 20 USD, by
a provider in Europe. Nothing covers SKL.
"""

from __future__ import annotations

import pytest
from django.test import TestCase

from planning import matching
from planning.models import Offer
from planning.services import PlanningError
from tests.planning.offer_helpers import load_offers, make_round


class MatchingPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_offers()
        make_round()

    def plan(self, **options: object) -> matching.MatchingPlan:
        return matching.matching_plan(
            **({"round_": 2026, "framework_code": "test_framework"} | options)
        )

    def test_demand_follows_the_gaps_and_each_countrys_language_rule(self) -> None:
        snapshots = matching.round_snapshots(round_=2026, framework_code="test_framework")
        assert [s.country.alpha3 for s in snapshots] == ["KEN", "SEN"]  # France is a draft
        cells = {
            (c.country, c.indicator, c.language): c.participants
            for c in matching.round_demand(snapshots)
        }
        assert cells == {
            ("KEN", "GOV.1", "en"): 50,
            ("SEN", "GOV.1", "fr"): 80,
            ("SEN", "SKL.1", "fr"): 40,
        }

    def test_the_plan_uses_the_cheap_seats_first_and_names_what_binds(self) -> None:
        # Senegal GOV.1 (fr, 80): 60 on O-GOV-FR at 10 + 20 on O-GOV-EN at 20 = 1,000;
        # Kenya GOV.1 (en, 50) on O-GOV-EN at 20 = 1,000. SKL.1 has no offer: 40 unmet.
        plan = self.plan()
        assert plan.cost == pytest.approx(2000.0)
        assert (plan.demand, plan.placed, plan.unmet) == (170, pytest.approx(130), 40)
        assert [
            (r.region, r.indicator, r.language, r.participants, r.reason) for r in plan.unmet_rows
        ] == [("Africa", "SKL.1", "fr", 40.0, "no_offer")]
        use = {p.code: (p.seats, p.used) for p in plan.providers}
        assert use == {"P-AFR": (60, pytest.approx(60)), "P-EUR": (100, pytest.approx(70))}
        assert any("O-GOV-FR" in line for line in plan.binding)

    def test_a_budget_per_country_leaves_demand_unmet_and_says_so(self) -> None:
        # 500 USD each: Senegal 50 seats at 10; Kenya 25 at 20.
        plan = self.plan(budget_per_country=500)
        assert plan.cost == pytest.approx(1000.0)
        unmet = {(r.indicator, r.language, r.reason): r.participants for r in plan.unmet_rows}
        assert unmet == {
            ("GOV.1", "en", "budget"): pytest.approx(25),
            ("GOV.1", "fr", "budget"): pytest.approx(30),
            ("SKL.1", "fr", "no_offer"): 40,
        }
        assert any("KEN" in line and "SEN" in line for line in plan.binding)

    def test_filters_narrow_the_demand(self) -> None:
        assert self.plan(topic="SKL").demand == 40
        assert self.plan(language="en").demand == 50
        with pytest.raises(PlanningError, match="round 2026"):
            self.plan(region="Europe")
        # In person only: no offer is in person, so nothing is placed.
        assert self.plan(mode="in_person").placed == 0

    def test_the_optimum_never_does_worse_than_greedy(self) -> None:
        plan = self.plan(budget_per_country=700)
        assert plan.unmet <= plan.greedy_unmet + 1e-6
        if abs(plan.unmet - plan.greedy_unmet) < 1e-6:
            assert plan.cost <= plan.greedy_cost + 1e-6

    def test_bad_requests_get_a_clear_message(self) -> None:
        with pytest.raises(PlanningError, match="more than zero"):
            self.plan(budget_per_country=0)
        with pytest.raises(PlanningError, match="round 1999"):
            self.plan(round_=1999)
        with pytest.raises(PlanningError, match="region"):
            self.plan(region="Atlantis")
        Offer.objects.update(active=False)
        with pytest.raises(PlanningError, match="no active offer"):
            self.plan()


def test_split_by_share_keeps_the_total() -> None:
    assert matching.split_by_share(10, {"fr": 0.7, "en": 0.3}) == {"fr": 7, "en": 3}
    assert sum(matching.split_by_share(7, {"a": 1, "b": 1, "c": 1}).values()) == 7
