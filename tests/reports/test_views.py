"""Dashboards and PDF downloads: what each user sees, and that the charts are the report's."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from surveys.models import Role
from tests.factories import PASSWORD, give_role, make_focal_point, make_user
from tests.reports.support import pdf_text, scored_world, squeeze


class DashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        # alice: focal point of Senegal; bob: focal point of Kenya; carol: planner (all).
        cls.alice = make_focal_point("SEN", "alice")
        cls.bob = make_focal_point("KEN", "bob")
        cls.carol = make_user("carol")
        give_role(cls.carol, Role.PLANNER)

    def _login(self, user) -> None:
        assert self.client.login(username=user.username, password=PASSWORD)

    def test_country_dashboard_shows_scores_and_accessible_svg_charts_with_data_tables(self):
        self._login(self.alice)
        response = self.client.get(reverse("reports:country-dashboard", args=["SEN"]))
        assert response.status_code == 200
        content = response.content.decode()
        assert content.count('role="img"') >= 3
        assert 'aria-labelledby="radar-chart-title radar-chart-desc"' in content
        assert "Values shown in the chart" in content
        overall = self.world["senegal_run"].scores.get(level="overall")
        assert f"{overall.score:.1f}" in content
        assert reverse("reports:country-pdf", args=["SEN"]) + "?lang=fr" in content

    def test_country_pdf_downloads_in_the_language_asked(self):
        self._login(self.alice)
        response = self.client.get(reverse("reports:country-pdf", args=["SEN"]), {"lang": "fr"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="SEN-2026-fr.pdf"' in response["Content-Disposition"]
        assert "Synthèse" in squeeze(pdf_text(response.content))

    def test_a_focal_point_of_another_country_gets_404(self):
        self._login(self.bob)
        assert (
            self.client.get(reverse("reports:country-dashboard", args=["SEN"])).status_code == 404
        )
        assert self.client.get(reverse("reports:country-pdf", args=["SEN"])).status_code == 404

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.client.get(reverse("reports:country-dashboard", args=["SEN"]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_bad_language_or_round_is_a_400(self):
        self._login(self.alice)
        url = reverse("reports:country-pdf", args=["SEN"])
        assert self.client.get(url, {"lang": "xx"}).status_code == 400
        assert self.client.get(url, {"round": "soon"}).status_code == 400

    def test_a_round_without_scores_gives_404_for_the_pdf_and_a_message_on_the_page(self):
        self._login(self.alice)
        assert (
            self.client.get(reverse("reports:country-pdf", args=["SEN"]), {"round": 2030})
        ).status_code == 404
        page = self.client.get(reverse("reports:country-dashboard", args=["SEN"]), {"round": 2030})
        assert page.status_code == 200 and b"No scores to show yet" in page.content

    def test_dashboards_say_which_method_choice_moves_the_score_and_the_ranking(self):
        self._login(self.carol)
        content = self.client.get(reverse("reports:country-dashboard", args=["SEN"])).content
        section = content.decode().split('id="influence-heading"')[1].split("</section>")[0]
        assert "What moves the overall score" in section
        assert "Averaging within pillars (arithmetic or geometric)" in section
        content = self.client.get(reverse("reports:regional-dashboard")).content.decode()
        section = content.split('id="ranking-influence-heading"')[1].split("</section>")[0]
        assert "What moves the ranking" in section and "Weights of the pillars" in section

    def test_regional_dashboard_shows_only_the_countries_the_user_may_see(self):
        self._login(self.alice)
        content = self.client.get(reverse("reports:regional-dashboard")).content.decode()
        assert "Senegal" in content and "Kenya" not in content
        self._login(self.carol)
        content = self.client.get(reverse("reports:regional-dashboard")).content.decode()
        assert "Senegal" in content and "Kenya" in content
        assert 'id="heat-map-1"' in content and 'id="rank-chart"' in content

    def test_regional_filters_narrow_the_ranking(self):
        self._login(self.carol)
        response = self.client.get(reverse("reports:regional-dashboard"), {"region": "Europe"})
        assert response.status_code == 200
        assert b"No country in this scope has scores for this round." in response.content

    def test_regional_pdf_downloads_for_a_planner(self):
        self._login(self.carol)
        response = self.client.get(reverse("reports:regional-pdf"), {"lang": "fr"})
        assert response.status_code == 200
        text = squeeze(pdf_text(response.content))
        assert "Sénégal" in text and "Kenya" in text


class FrenchDashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.alice = make_focal_point("SEN", "alice")

    def test_dashboard_words_come_from_the_reports_catalogue_in_french(self):
        assert self.client.login(username="alice", password=PASSWORD)
        url = reverse("reports:country-dashboard", args=["SEN"])
        content = self.client.get(url, headers={"accept-language": "fr"}).content.decode()
        assert "Tableau de bord : Sénégal" in content
        assert "Valeurs représentées dans le graphique" in content
        assert "Télécharger le rapport (PDF)" in content
