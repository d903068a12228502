"""The methodology annex a reviewer can audit, on the framework page and in the country PDF
(issue 17, item 11): every choice with its reference."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from reports.data import country_report_data
from reports.pdf import country_report_pdf
from scoring.methodology import methodology_annex
from surveys.frameworks.loader import load_framework_data, load_framework_file
from surveys.frameworks.persistence import framework_load
from tests.factories import PASSWORD, country, make_user
from tests.frameworks.helpers import DEFAULT_FRAMEWORK, make_framework_data
from tests.reports.support import pdf_text, scored_world, squeeze

TOPICS = (
    "Normalisation",
    "Coverage rule",
    "Missing data",
    "Aggregation",
    "Zero scores",
    "Stages and tolerance",
    "Weights",
    "Uncertainty inputs",
    "Sample sizes",
    "Seeds and reproducibility",
)


class AnnexContentTests(TestCase):
    def test_every_choice_is_there_with_a_reference(self) -> None:
        with translation.override("en"):
            annex = methodology_annex(load_framework_file(DEFAULT_FRAMEWORK), "en")
        assert tuple(entry.topic for entry in annex) == TOPICS
        assert all(entry.choice and entry.reference for entry in annex)
        text = {entry.topic: entry.choice for entry in annex}
        assert "at least 67 % of its indicator weight" in text["Coverage rule"]
        assert "1e-09 points" in text["Stages and tolerance"]
        assert "n = 7: 1.32" in text["Weights"] and "n = 10: 1.49" in text["Weights"]
        assert "8 independent replicates" in text["Sample sizes"]
        assert "Kept: one question score of 0" in text["Zero scores"]

    def test_the_zero_remedy_and_pillar_minimums_of_the_framework_are_stated(self) -> None:
        data = make_framework_data(scoring={"zeros": "floor", "zeros_value": 2})
        data["pillars"][0]["min_coverage"] = 0.5
        spec = load_framework_data(data)
        with translation.override("en"):
            text = {entry.topic: entry.choice for entry in methodology_annex(spec, "en")}
        assert "below 2 count as 2" in text["Zero scores"]
        assert f"{spec.pillars[0].code} 50 %" in text["Coverage rule"]


class AnnexPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.framework = framework_load(
            load_framework_file(DEFAULT_FRAMEWORK), publish=True
        ).framework
        cls.member = make_user("member")

    def test_the_framework_page_shows_the_annex_in_both_languages(self) -> None:
        self.client.login(username="member", password=PASSWORD)
        url = reverse(
            "surveys:framework-detail", args=[self.framework.code, self.framework.version]
        )
        page = self.client.get(url).content.decode()
        assert "Methodology annex" in page
        for topic in TOPICS:
            assert f'<th scope="row">{topic}</th>' in page
        assert "OECD &amp; JRC (2008)" in page
        french = self.client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Annexe méthodologique" in french and "Règle de couverture" in french


class AnnexPdfTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        report = country_report_data(country=country("SEN"), language="en")
        cls.text = squeeze(pdf_text(country_report_pdf(report)))
        report_fr = country_report_data(country=country("SEN"), language="fr")
        cls.text_fr = squeeze(pdf_text(country_report_pdf(report_fr)))

    def test_the_country_pdf_carries_the_annex_with_the_runs_seed_and_sizes(self) -> None:
        run = self.world["senegal_run"]
        assert "Methodology annex" in self.text
        # Table cells wrap, so the words of one cell may be interleaved with the next column's.
        assert "Saaty" in self.text and "tolerance" in self.text
        assert f"Seed {run.seed}," in self.text and "stored with the run" in self.text
        assert "Monte Carlo" in self.text and "OECD & JRC (2008)" in self.text
        assert "Annexe méthodologique" in self.text_fr and "Graine" in self.text_fr
