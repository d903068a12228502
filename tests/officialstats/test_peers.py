"""Peers: the country dashboard and PDF place the country among its region and income group."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from reports.peers import placement
from scoring.services import score_run_create
from surveys.models import AssessmentState, Role
from tests.factories import give_role, make_assessment, make_focal_point, make_user
from tests.officialstats.helpers import make_linked_framework, make_source
from tests.reports.support import pdf_text, squeeze
from tests.scoring.helpers import FULL_ANSWERS, add_answers

SCORES = (
    "SEN,Senegal,Africa,Lower-middle income,idi_score,ICT Development Index,score,2024,50.4,,\n"
    "GHA,Ghana,Africa,Lower-middle income,idi_score,ICT Development Index,score,2024,65.0,,\n"
    "KEN,Kenya,Africa,Lower-middle income,idi_score,ICT Development Index,score,2024,55.5,,\n"
    "FRA,France,Europe,High income,idi_score,ICT Development Index,score,2024,91.0,,\n"
)


def test_placement_ranks_the_best_first_and_counts_ties_half() -> None:
    assert placement(60.6, [40.8, 60.6, 69.8], higher_is_better=True) == (2, 50.0)
    assert placement(2.0, [1.0, 2.0, 2.0, 9.0], higher_is_better=False) == (2, 50.0)


class PeerDashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from tests.officialstats.helpers import DEMO_ROWS

        make_source(DEMO_ROWS + SCORES)
        cls.assessment = make_assessment(
            "SEN", framework=make_linked_framework(), state=AssessmentState.APPROVED
        )
        add_answers(cls.assessment, FULL_ANSWERS)
        score_run_create(assessment=cls.assessment, trigger="on_demand", seed=7)
        # alice: Senegal's focal point; bob: Kenya's; carol: planner of every country.
        cls.alice = make_focal_point("SEN", "alice")
        cls.bob = make_focal_point("KEN", "bob")
        cls.carol = make_user("carol")
        give_role(cls.carol, Role.PLANNER)

    def test_the_country_dashboard_places_the_country_with_rank_percentile_and_source(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("reports:country-dashboard", args=["SEN"]))
        content = page.content.decode()
        assert "Peers in official statistics" in content
        # Internet use: Senegal 60.6 among Africa's 40.8, 60.6, 69.8 (Kenya's 2021 value).
        assert "Region: Africa (3)" in content and "rank 2 of 3" in content
        assert '<td class="num">50</td>' in content  # percentile: better than 1 of 2 peers
        # The index score of the same source is placed too: 50.4 is last of three in Africa.
        assert "ICT Development Index" in content and "rank 3 of 3" in content
        assert "Source: Demo statistics, Demo statistics office." in content
        assert 'id="peers-1"' in content

    def test_the_country_pdf_shows_the_peers_section_with_its_source(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("reports:country-pdf", args=["SEN"]), {"lang": "en"})
        text = squeeze(pdf_text(response.content))
        assert "Peers in official statistics" in text
        assert "Source: Demo statistics, Demo statistics office." in text

    def test_the_regional_dashboard_shows_the_distribution_of_the_region(self):
        self.client.force_login(self.carol)
        page = self.client.get(reverse("reports:regional-dashboard"), {"region": "Africa"})
        content = page.content.decode()
        assert "Distribution in official statistics" in content
        assert (
            "Region: Africa (3)" in content
            and "Europe"
            not in content.split("Distribution in official statistics")[1].split("</section>")[0]
        )

    def test_a_focal_point_of_another_country_sees_no_peers_of_it(self):
        self.client.force_login(self.bob)
        assert (
            self.client.get(reverse("reports:country-dashboard", args=["SEN"])).status_code == 404
        )

    def test_the_french_pdf_speaks_french_about_peers(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("reports:country-pdf", args=["SEN"]), {"lang": "fr"})
        text = squeeze(pdf_text(response.content))
        assert "Comparaison avec les pairs dans les statistiques officielles" in text
        assert "Région : Afrique (3)" in text
