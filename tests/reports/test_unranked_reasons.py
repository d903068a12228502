"""The regional ranking says why a country has no rank ("—"), on the dashboard and in the PDF."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from reports.data import regional_report_data
from reports.pdf import regional_report_pdf
from scoring.services import score_run_create
from surveys.models import Assessment, AssessmentState, Country, Role
from tests.factories import give_role, make_user
from tests.reports.support import pdf_text, scored_assessment, scored_world, squeeze


class UnrankedReasonTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        scored_world()  # Senegal and Kenya approved and ranked together
        # Rwanda: approved and scored after the ranking was computed.
        cls.rwanda, _run = scored_assessment("RWA", seed=9)
        # Colombia: scored, but still in review.
        cls.colombia, _run = scored_assessment("COL", seed=10)
        Assessment.objects.filter(pk=cls.colombia.pk).update(state=AssessmentState.IN_REVIEW)
        cls.report = regional_report_data(
            countries=Country.objects.all(), language="en", round=2026
        )

    def test_each_unranked_country_gets_its_reason_and_ranked_ones_none(self) -> None:
        reasons = {row.alpha3: row.unranked_reason for row in self.report.rows}
        assert reasons["SEN"] == reasons["KEN"] == ""
        assert reasons["RWA"] == (
            "approved after the round's ranking was computed; it is ranked at the next one"
        )
        assert reasons["COL"] == "only approved assessments are ranked; this one is “In review”"
        assert {row.alpha3 for row in self.report.unranked} == {"RWA", "COL"}

    def test_a_country_without_an_overall_score_is_said_to_lack_data(self) -> None:
        empty = Assessment.objects.create(
            country=Country.objects.get(alpha3="ALB"),
            framework=self.rwanda.framework,
            round=2026,
            state=AssessmentState.APPROVED,
        )
        score_run_create(assessment=empty, trigger="on_demand", seed=1)
        report = regional_report_data(countries=Country.objects.all(), language="fr", round=2026)
        reasons = {row.alpha3: row.unranked_reason for row in report.rows}
        assert reasons["ALB"] == "trop peu de données pour un score global"

    def test_the_pdf_and_the_dashboard_print_the_reasons(self) -> None:
        text = squeeze(pdf_text(regional_report_pdf(self.report)))
        assert "Countries without a rank (—):" in text
        assert "Rwanda: approved after the round" in text
        planner = make_user("paula")
        give_role(planner, Role.PLANNER)
        self.client.force_login(planner)
        page = self.client.get(reverse("reports:regional-dashboard")).content.decode()
        assert "Countries without a rank (—)" in page
        assert "Colombia: only approved assessments are ranked" in page
