"""An indicator made only of free-text questions has no score by design: the country report and
its gap charts leave it out instead of calling it "insufficient data"."""

from __future__ import annotations

import yaml
from django.test import TestCase

from reports.data import country_report_data
from reports.figures import country_charts
from scoring.services import score_run_create
from surveys.frameworks.loader import load_framework_data
from surveys.frameworks.persistence import framework_load
from surveys.models import AssessmentState
from tests.factories import country, make_assessment
from tests.framework_fixtures import SMALL_FRAMEWORK
from tests.scoring.helpers import FULL_ANSWERS, add_answers

FREE_TEXT_INDICATOR = {
    "code": "GOV.3",
    "title": {"en": "Initiatives", "fr": "Initiatives"},
    "questions": [
        {
            "code": "GOV.3.a",
            "type": "text",
            "text": {"en": "Describe the initiatives.", "fr": "Décrivez les initiatives."},
        }
    ],
}


class FreeTextIndicatorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        data = yaml.safe_load(SMALL_FRAMEWORK.read_text(encoding="utf-8"))
        data["code"] = "freetext"
        data["pillars"][0]["indicators"].append(FREE_TEXT_INDICATOR)
        framework = framework_load(load_framework_data(data), publish=True).framework
        assessment = make_assessment("SEN", framework=framework, state=AssessmentState.APPROVED)
        add_answers(assessment, FULL_ANSWERS | {"GOV.3.a": "Coding clubs in 40 schools."})
        score_run_create(assessment=assessment, trigger="on_demand", seed=1)
        cls.spec = framework.spec
        cls.report = country_report_data(country=country("SEN"), language="en")

    def test_the_free_text_indicator_is_left_out_and_scored_ones_kept(self) -> None:
        assert not self.spec.indicators_by_code["GOV.3"].scored
        listed = {line.code for section in self.report.pillars for line in section.indicators}
        assert listed == {i.code for i in self.spec.indicators if i.scored}

    def test_the_gap_chart_shows_no_insufficient_data_for_a_free_text_answer(self) -> None:
        chart = country_charts(self.report).indicator_gaps["GOV"]
        labels = [row[0] for row in chart.table.rows]
        assert "Initiatives" not in labels and labels, labels
        assert all("insufficient data" not in row for row in chart.table.rows)
        # The free-text answer itself is still in the report's answers.
        answers = {
            line.question_code: line.answer for s in self.report.pillars for line in s.answers
        }
        assert answers["GOV.3.a"] == "Coding clubs in 40 schools."
