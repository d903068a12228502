"""The published score beside its interval (issue 17, item 8).

When the published method is arithmetic and the analysis also tries geometric means, most
recomputed scores are lower: the published score can sit above the 95th percentile (26.76
against [0, 26.05]). The page must say so, and say what the interval covers.
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from charts import score_interval_chart
from reports.data import country_report_data
from reports.pdf import country_report_pdf
from scoring.models import RunTrigger, Score, ScoreLevel
from scoring.services import score_run_create
from tests.factories import PASSWORD, country, make_assessment, make_reviewer
from tests.reports.support import pdf_text, scored_world, squeeze
from tests.scoring.helpers import FULL_ANSWERS, add_answers


class OutsideIntervalTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        cls.score_run = score_run_create(
            assessment=cls.assessment, trigger=RunTrigger.SUBMIT, seed=7
        )
        cls.reviewer = make_reviewer("SEN")

    def page(self, language: str = "en") -> str:
        self.client.login(username=self.reviewer.username, password=PASSWORD)
        url = reverse("scoring:assessment-scores", kwargs={"pk": self.assessment.pk})
        return self.client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    def overall(self) -> Score:
        return Score.objects.get(run=self.score_run, level=ScoreLevel.OVERALL)

    def test_the_issue_example_is_above_its_interval(self) -> None:
        row = Score(score=26.76, interval_low=0.0, interval_high=26.05)
        assert row.outside_interval == "above"
        assert Score(score=10.0, interval_low=12.0, interval_high=30.0).outside_interval == "below"
        assert Score(score=26.07, interval_low=0.0, interval_high=26.05).outside_interval == ""
        assert Score(score=None, interval_low=0.0, interval_high=1.0).outside_interval == ""

    def test_the_page_says_when_the_published_score_is_above_its_range(self) -> None:
        assert "published score above this range" not in self.page()
        row = self.overall()
        Score.objects.filter(pk=row.pk).update(
            interval_low=0.0, interval_high=row.score - 0.71, interval_median=row.score / 2
        )
        page = self.page()
        assert "published score above this range" in page
        assert "It covers only these method choices" in page
        assert "score publié au-dessus de cette fourchette" in self.page("fr")


class OutsideIntervalPdfTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()

    def test_the_country_pdf_says_when_the_published_score_is_above_its_range(self) -> None:
        run = self.world["senegal_run"]
        row = Score.objects.get(run=run, level=ScoreLevel.OVERALL)
        report = country_report_data(country=country("SEN"), language="en")
        assert "lies above this range" not in squeeze(pdf_text(country_report_pdf(report)))
        Score.objects.filter(pk=row.pk).update(interval_low=0.0, interval_high=row.score - 0.71)
        report = country_report_data(country=country("SEN"), language="en")
        assert report.overall.outside_interval == "above"
        text = squeeze(pdf_text(country_report_pdf(report)))
        assert "The published score lies above this range" in text

    def test_a_pillar_outside_its_range_is_said_so_in_its_section(self) -> None:
        run = self.world["senegal_run"]
        row = Score.objects.filter(run=run, level=ScoreLevel.PILLAR, score__isnull=False).first()
        Score.objects.filter(pk=row.pk).update(
            interval_low=row.score + 1.0,
            interval_median=row.score + 3.0,
            interval_high=row.score + 5.0,
        )
        report = country_report_data(country=country("SEN"), language="en")
        text = squeeze(pdf_text(country_report_pdf(report)))
        assert "The published score lies below this range" in text


def test_the_interval_chart_draws_a_published_score_outside_its_whisker() -> None:
    # The issue's example: 26.76 against [0, 26.05]. The chart used to refuse it, so the
    # country PDF could not be built in exactly the case this issue is about.
    chart = score_interval_chart(["Senegal"], [26.76], [0.0], [26.05])
    assert chart.table.rows == (("Senegal", "26.8", "0.0", "26.1"),)
