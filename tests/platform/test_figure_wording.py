"""One figure, one wording (issue 14, item 11(d)): on the demo, the pages that show the same
score, gap, amount of money or count word it identically, in English and in French.

Users compared the score page, the dashboards and the planner's pages and found one gap as
"29.3", "29.25" and "29.3 pts", and one amount as "1000000 USD" and "USD 1,000,000". Every page
now writes figures through :mod:`surveys.figures`; these tests read the figures from the
database, word them with those formatters, and look for exactly that wording on every page that
shows them — and for none of the old ones.
"""

from __future__ import annotations

import re
from html import unescape
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from demo.loader import DEMO_PASSWORD
from planning import services as planning
from reports.data import country_report_data
from surveys import figures
from surveys.models import Assessment, AssessmentState, Country

LANGUAGES = ("en", "fr")
CATALOGUE = str(Path(settings.BASE_DIR) / "frameworks" / "dcna-2026-interventions.yaml")


def page_text(html: str) -> str:
    """The page as words, with the markup of a figure and its unit out of the way."""
    # Only markup whitespace is collapsed: the no-break spaces inside figures are part of them.
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@override_settings(DEBUG=True)
class FigureWordingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
            # The intervention catalogue, as `make run` loads it, so the plans have a portfolio.
            call_command("load_catalogue", CATALOGUE, stdout=StringIO())
        cls.senegal = Assessment.objects.get(country__alpha3="SEN", round=2026)
        cls.returned = Assessment.objects.get(state=AssessmentState.RETURNED, country__alpha3="COL")

    def get(self, username: str, url: str, language: str) -> str:
        self.client.logout()
        assert self.client.login(username=username, password=DEMO_PASSWORD)
        self.client.cookies["django_language"] = language
        response = self.client.get(url, follow=True)
        assert response.status_code == 200, url
        return page_text(response.content.decode())

    def test_the_overall_score_and_gap_read_the_same_on_the_score_page_and_dashboards(
        self,
    ) -> None:
        for language in LANGUAGES:
            with self.subTest(language=language):
                report = country_report_data(
                    country=Country.objects.get(alpha3="SEN"), language=language, round=2026
                )
                score = figures.score_text(report.overall.score, language)
                gap = figures.points_text(report.overall.gap, language)
                pages = {
                    "score page": self.get(
                        "planner",
                        reverse("scoring:assessment-scores", args=[self.senegal.pk]),
                        language,
                    ),
                    "country dashboard": self.get(
                        "planner", reverse("reports:country-dashboard", args=["SEN"]), language
                    ),
                }
                for name, text in pages.items():
                    assert f" {score} " in text, (name, score)
                    assert f" {gap} " in text, (name, gap)
                regional = self.get("planner", reverse("reports:regional-dashboard"), language)
                assert f" {score} " in regional
                # The old wordings: bare gaps, two decimals, abbreviations.
                for text in [*pages.values(), regional]:
                    assert " pts" not in text
                assert re.search(r"\b\d+[.,]\d\d points?\b", " ".join(pages.values())) is None

    def test_the_planners_pages_word_the_weighted_gap_score_money_and_gain_alike(self) -> None:
        for language in LANGUAGES:
            with self.subTest(language=language):
                snapshot = next(
                    s
                    for s in planning.latest_snapshots(language=language)
                    if s.country.alpha3 == "SEN"
                )
                weighted_gap = figures.points_text(snapshot.weighted_gap, language)
                score = figures.score_text(snapshot.overall, language)
                home = self.get("planner", reverse("planning:planner-home"), language)
                country = self.get(
                    "planner", reverse("planning:planner-country", args=["SEN"]), language
                )
                for text in (home, country):
                    assert f" {weighted_gap} " in text
                    assert f" {score} " in text
                report = country_report_data(
                    country=Country.objects.get(alpha3="SEN"), language=language, round=2026
                )
                dashboard = self.get(
                    "planner", reverse("reports:country-dashboard", args=["SEN"]), language
                )
                # The portfolio under the same budget: its cost and gain on both pages.
                cost = figures.money_text(report.portfolio_cost, language)
                gain = figures.points_text(report.portfolio_gain, language)
                assert report.portfolio_cost > 0
                for text in (dashboard, country):
                    assert f" {cost} " in text, cost
                    assert f" {gain}" in text, gain
                assert not re.search(r"\b\d{5,} USD\b", country)  # amounts are grouped

    def test_open_queries_and_answered_questions_read_the_same_for_focal_point_and_reviewer(
        self,
    ) -> None:
        for language in LANGUAGES:
            with self.subTest(language=language):
                open_queries = figures.open_queries_text(1, language)
                home = self.get("focal.col", "/", language)
                wizard = self.get(
                    "focal.col", reverse("surveys:wizard", args=[self.returned.pk]), language
                )
                workspace = self.get(
                    "reviewer.col", reverse("surveys:review", args=[self.returned.pk]), language
                )
                for name, text in {"home": home, "wizard": wizard, "review": workspace}.items():
                    assert f" {open_queries}" in text, (name, open_queries)
                answered = re.escape(figures.answered_text(999, 999, language)).replace(
                    "999", r"\d+"
                )
                assert re.search(answered, workspace), answered

    def test_formatters_follow_each_languages_symbols_and_plurals(self) -> None:
        assert figures.points_text(1.0, "en") == "1.0 points"
        assert figures.points_text(1.5, "fr") == "1,5 point"
        assert figures.points_text(2.0, "fr") == "2,0 points"
        assert figures.money_text(1250000, "fr") == "1\u00a0250\u00a0000\u00a0USD"
        assert figures.money_text(1250000, "en") == "USD 1,250,000"
        assert figures.open_queries_text(2, "es") == "2 consultas abiertas"
        assert figures.countries_text(1, "fr") == "1 pays"
        assert figures.participants_text(119.6, "en") == "120 participants"
        assert figures.score_text(None, "ar") == figures.NO_VALUE
        assert figures.points_text(float("nan"), "en") == figures.NO_VALUE
