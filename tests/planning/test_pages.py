"""Planner pages: who may open them, what they list, and CSV exports that spreadsheets can't run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from planning.models import Intervention
from surveys.models import Assessment, Role
from tests.factories import (
    PASSWORD,
    give_role,
    make_assessment,
    make_focal_point,
    make_reviewer,
    make_user,
)
from tests.planning.helpers import load_test_catalogue, make_scores

SCORES = {"GOV.1": 20.0, "GOV.2": 70.0, "NET.1": 40.0, "NET.2": 90.0, "SKL.1": 10.0}


class PlannerPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_catalogue()
        make_scores(make_assessment("SEN"), SCORES)
        cls.planner = make_user("planner")
        give_role(cls.planner, Role.PLANNER)
        # A focal point and a reviewer of Senegal, and a focal point of Kenya (a stranger).
        cls.focal_point = make_focal_point("SEN", "focal")
        cls.reviewer = make_reviewer("SEN", "reviewer")
        cls.stranger = make_focal_point("KEN", "stranger")
        cls.urls = [
            reverse("planning:planner-home"),
            reverse("planning:planner-country", args=["SEN"]),
            reverse("planning:planner-demand"),
            reverse("planning:catalogue"),
        ]

    def test_focal_points_reviewers_and_strangers_get_403(self) -> None:
        for user in (self.focal_point, self.reviewer, self.stranger):
            self.client.login(username=user.username, password=PASSWORD)
            for url in self.urls:
                with self.subTest(user=user.username, url=url):
                    assert self.client.get(url).status_code == 403

    def test_anonymous_visitors_are_sent_to_the_login_page(self) -> None:
        for url in self.urls:
            assert "/accounts/login/" in self.client.get(url)["Location"]

    def test_planners_and_administrators_open_every_page(self) -> None:
        admin = make_user("root", is_staff=True, is_superuser=True)
        for user in (self.planner, admin):
            self.client.login(username=user.username, password=PASSWORD)
            for url in self.urls:
                with self.subTest(user=user.username, url=url):
                    assert self.client.get(url).status_code == 200

    def test_an_unknown_country_is_404(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        url = reverse("planning:planner-country", args=["XXX"])
        assert self.client.get(url).status_code == 404

    def test_a_country_without_scores_says_so(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        html = self.client.get(reverse("planning:planner-country", args=["KEN"])).content.decode()
        assert "This country has no scored assessment yet." in html

    def test_the_country_page_links_to_the_scores_dashboard_and_pdf_of_the_round(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        html = self.client.get(reverse("planning:planner-country", args=["SEN"])).content.decode()
        assessment = Assessment.objects.get(country__alpha3="SEN")
        for url in (
            reverse("scoring:assessment-scores", args=[assessment.pk]),
            reverse("reports:country-dashboard", args=["SEN"]) + f"?round={assessment.round}",
            reverse("reports:country-pdf", args=["SEN"]) + f"?round={assessment.round}",
        ):
            assert f'href="{url}"' in html
            assert self.client.get(url).status_code == 200

    def test_the_home_page_lists_countries_with_their_weighted_gap(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        response = self.client.get(reverse("planning:planner-home"))
        html = response.content.decode()
        assert reverse("planning:planner-country", args=["SEN"]) in html
        # 0.2 × (80 + 30 + 60 + 10 + 90), with one decimal like the CSV export and the country
        # page: the same figure is written the same way everywhere.
        assert '<td class="num">54.0</td>' in html and "Weighted gap (points)" in html
        country = self.client.get(reverse("planning:planner-country", args=["SEN"]))
        assert "Weighted gap: <strong>54.0</strong>" in country.content.decode()
        exported = self.client.get(reverse("planning:planner-home"), {"format": "csv"})
        rows = list(csv.reader(io.StringIO(exported.content.decode())))
        assert rows[1][1] == "SEN" and rows[1][8] == "54.0"

    def test_the_needs_and_portfolio_tables_export_as_csv(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        url = reverse("planning:planner-country", args=["SEN"])
        needs = self.client.get(url, {"format": "csv", "table": "needs"})
        assert needs["Content-Disposition"] == 'attachment; filename="needs-SEN.csv"'
        rows = list(csv.reader(io.StringIO(needs.content.decode())))
        assert rows[0][:3] == ["rank", "indicator", "title"]
        assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
        portfolio = self.client.get(url, {"format": "csv", "table": "portfolio", "budget": 300000})
        rows = list(csv.reader(io.StringIO(portfolio.content.decode())))
        funded = {row[0] for row in rows[1:] if row[7] == "True"}
        assert funded == {"STRAT", "SKILLS"}

    def test_csv_cells_that_spreadsheets_would_run_are_neutralised(self) -> None:
        Intervention.objects.filter(code="STRAT").update(
            title={"en": '=HYPERLINK("http://evil.example","x")'}
        )
        Intervention.objects.create(
            framework_code="test_framework",
            code="AT",
            title={"en": "@SUM(A1)"},
            kind="other",
            channel="other_partner",
            targets={"GOV.2": 5},
            cost=Decimal(1000),
            duration_months=1,
        )
        self.client.login(username="planner", password=PASSWORD)
        catalogue = self.client.get(reverse("planning:catalogue"), {"format": "csv"})
        text = catalogue.content.decode()
        assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
        portfolio = self.client.get(
            reverse("planning:planner-country", args=["SEN"]),
            {"format": "csv", "table": "portfolio"},
        ).content.decode()
        assert "'=HYPERLINK" in portfolio

    def test_the_catalogue_page_filters_by_channel(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        html = self.client.get(
            reverse("planning:catalogue"), {"channel": "training_institute"}
        ).content.decode()
        assert "SKILLS · Skills course" in html
        assert "STRAT · Strategy support" not in html

    def test_the_catalogue_page_shows_french_titles_in_french(self) -> None:
        self.client.login(username="planner", password=PASSWORD)
        html = self.client.get(
            reverse("planning:catalogue"), HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
        assert "Appui à la stratégie" in html
