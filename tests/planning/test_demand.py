"""Cross-country demand: needs and recommended interventions by ITU region and income group.

Senegal and Kenya are both Africa / Lower-middle income, France is Europe / High income
(surveys/data/countries.csv). Equal effective weights 0.2 and target 100 throughout.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import TestCase
from django.urls import reverse

from planning import services as planning
from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_assessment, make_user
from tests.planning.helpers import load_test_catalogue, make_scores

SENEGAL = {"GOV.1": 20.0, "GOV.2": 100.0, "NET.1": 100.0, "NET.2": 100.0, "SKL.1": 100.0}
KENYA = {"GOV.1": 50.0, "GOV.2": 100.0, "NET.1": 100.0, "NET.2": 100.0, "SKL.1": 60.0}
FRANCE = {"GOV.1": 100.0, "GOV.2": 100.0, "NET.1": 90.0, "NET.2": 100.0, "SKL.1": 100.0}


class DemandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        for code, scores in (("SEN", SENEGAL), ("KEN", KENYA), ("FRA", FRANCE)):
            make_scores(make_assessment(code), scores)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)

    def demand(self, **options: object) -> planning.Demand:
        return planning.demand_build(
            **({"framework_code": "test_framework", "budget_per_country": 200_000} | options)
        )

    def test_needs_add_up_by_region_and_income_group(self) -> None:
        demand = self.demand()
        groups = {(g.region, g.income_group): g for g in demand.groups}
        africa = groups[("Africa", "Lower-middle income")]
        # Weighted gaps: Senegal 0.2 × 80 = 16; Kenya 0.2 × 50 + 0.2 × 40 = 18.
        assert africa.countries == 2
        assert africa.weighted_need == pytest.approx(34.0)
        assert africa.mean_weighted_need == pytest.approx(17.0)
        assert africa.pillar_needs["GOV"] == pytest.approx(26.0)
        assert africa.pillar_needs["SKL"] == pytest.approx(8.0)
        europe = groups[("Europe", "High income")]
        assert (europe.countries, europe.weighted_need) == (1, pytest.approx(2.0))
        assert demand.countries == 3

    def test_recommended_interventions_are_counted_and_costed(self) -> None:
        # 200k each: Senegal gets STRAT; Kenya STRAT + SKILLS-LITE (SKILLS would break the
        # budget); France nothing affordable reaches NET.1 (NET-BUILD costs 800k).
        demand = self.demand()
        rows = {row.code: row for row in demand.interventions}
        assert (rows["STRAT"].countries, rows["STRAT"].total_cost) == (2, 200_000.0)
        assert (rows["SKILLS-LITE"].countries, rows["SKILLS-LITE"].total_cost) == (1, 20_000.0)
        assert "NET-BUILD" not in rows
        africa = next(g for g in demand.groups if g.region == "Africa")
        assert (africa.recommended, africa.recommended_cost) == (3, 220_000.0)

    def test_filters_by_region_and_income_group(self) -> None:
        assert [g.region for g in self.demand(region="Europe").groups] == ["Europe"]
        only = self.demand(income_group="Lower-middle income")
        assert only.countries == 2
        assert self.demand(region="Americas").groups == ()

    def test_the_page_shows_and_exports_the_demand_tables(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        url = reverse("planning:planner-demand")
        html = self.client.get(url, {"region": "Africa", "budget": 200000}).content.decode()
        assert "Lower-middle income" in html
        assert "High income</td>" not in html
        response = self.client.get(
            url, {"region": "Africa", "budget": 200000, "format": "csv", "table": "groups"}
        )
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:5] == [
            "itu_region",
            "income_group",
            "countries",
            "weighted_need",
            "mean_weighted_need",
        ]
        assert rows[1][:4] == ["Africa", "Lower-middle income", "2", "34.0"]
        interventions = self.client.get(
            url, {"budget": 200000, "format": "csv", "table": "interventions"}
        ).content.decode()
        assert "STRAT,Strategy support,Policy and regulatory support" in interventions
