"""Priority of a country's gaps: criteria from scores and catalogue, weights from the planner."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from planning import services as planning
from surveys.models import Role
from tests.factories import PASSWORD, country, give_role, make_assessment, make_user
from tests.planning.helpers import load_test_catalogue, make_scores

SCORES = {"GOV.1": 20.0, "GOV.2": 70.0, "NET.1": 40.0, "NET.2": 90.0, "SKL.1": None}
WEIGHTS = {"GOV.1": 0.1, "GOV.2": 0.4, "NET.1": 0.2, "NET.2": 0.2, "SKL.1": 0.1}


class PriorityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        load_test_catalogue()
        make_scores(cls.assessment, SCORES, weights=WEIGHTS)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)

    def needs(self, **options: object) -> planning.CountryNeeds:
        snapshot = planning.latest_snapshot(country("SEN"))
        return planning.country_needs(
            snapshot=snapshot,
            interventions=planning.active_interventions("test_framework"),
            **options,
        )

    def ranked_codes(self, needs: planning.CountryNeeds) -> list[str]:
        return [row.indicator.code for row in needs.rows]

    def test_the_ranking_follows_the_gap_when_only_gap_size_counts(self) -> None:
        needs = self.needs(
            criteria_weights={"gap_size": 1, "importance": 0, "urgency": 0, "feasibility": 0}
        )
        assert self.ranked_codes(needs) == ["GOV.1", "NET.1", "GOV.2", "NET.2"]

    def test_the_ranking_changes_when_the_planner_weights_importance(self) -> None:
        needs = self.needs(
            criteria_weights={"gap_size": 0, "importance": 1, "urgency": 0, "feasibility": 0}
        )
        assert self.ranked_codes(needs)[0] == "GOV.2"

    def test_topsis_ranks_the_same_gaps_with_scores_in_0_1(self) -> None:
        needs = self.needs(method="topsis")
        assert needs.method == "topsis"
        assert sorted(self.ranked_codes(needs)) == ["GOV.1", "GOV.2", "NET.1", "NET.2"]
        assert all(0 <= row.priority <= 1 for row in needs.rows)

    def test_indicators_without_data_are_listed_apart_not_ranked(self) -> None:
        needs = self.needs()
        assert [ind.code for ind in needs.insufficient] == ["SKL.1"]
        assert "SKL.1" not in self.ranked_codes(needs)

    def test_urgency_is_relative_gap_times_the_stage_factor(self) -> None:
        # GOV.1: gap 80 of target 100 at stage "opportunistic" (2nd of 5): 0.8 × (1 − 1/5).
        rows = {row.indicator.code: row for row in self.needs().rows}
        assert rows["GOV.1"].urgency == pytest.approx(0.8 * 0.8)
        assert rows["NET.2"].urgency == pytest.approx(0.1 * 0.2)

    def test_feasibility_comes_from_the_cheapest_intervention(self) -> None:
        # Median catalogue cost 125,000; STRAT costs 100,000 over 6 months.
        rows = {row.indicator.code: row for row in self.needs().rows}
        assert rows["GOV.1"].cheapest == "STRAT"
        assert rows["GOV.1"].feasibility == pytest.approx(125_000 / 225_000 * 12 / 18)
        assert rows["GOV.2"].feasibility == 0.0

    def test_criteria_weights_must_not_all_be_zero(self) -> None:
        with pytest.raises(planning.PlanningError, match="greater than zero"):
            self.needs(criteria_weights=dict.fromkeys(planning.GAP_CRITERIA, 0))

    def test_the_page_ranking_changes_when_the_planner_submits_other_weights(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        url = reverse("planning:planner-country", args=["SEN"])
        by_gap = self.client.get(
            url,
            {
                "weight_gap_size": 1,
                "weight_importance": 0,
                "weight_urgency": 0,
                "weight_feasibility": 0,
            },
        )
        by_importance = self.client.get(
            url,
            {
                "weight_gap_size": 0,
                "weight_importance": 1,
                "weight_urgency": 0,
                "weight_feasibility": 0,
                "method": "topsis",
            },
        )
        assert self._first_need(by_gap.content.decode()) == "GOV.1"
        assert self._first_need(by_importance.content.decode()) == "GOV.2"

    def test_the_page_refuses_all_zero_weights_with_a_message(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        response = self.client.get(
            reverse("planning:planner-country", args=["SEN"]),
            dict.fromkeys([f"weight_{name}" for name in planning.GAP_CRITERIA], 0),
        )
        assert "At least one criteria weight must be above zero." in response.content.decode()

    @staticmethod
    def _first_need(html: str) -> str:
        table = html.split('id="needs"', 1)[1]
        return table.split('<th scope="row">', 1)[1].split(" ·", 1)[0]
