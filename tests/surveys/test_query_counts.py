"""Rendering and saving a wizard step take a bounded number of SQL queries, the same for a
small framework (13 questions) and a large generated one (7 pillars × 40 questions)."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from surveys.frameworks.spec import QuestionType
from surveys.models import Answer
from tests.factories import make_assessment, make_focal_point
from tests.framework_fixtures import load_generated_framework
from tests.surveys.helpers import step_post, step_url

# Session, user, roles, assessment, draft, answers, evidence, reviewer queries (2) and a
# little slack for the other features' per-request costs.
RENDER_CEILING = 15
SAVE_CEILING = 30


def complete_answers(pillar) -> dict[str, str]:
    answers = {}
    for question in pillar.questions:
        if question.type is QuestionType.MATURITY:
            answers[question.code] = "3"
        elif question.type is QuestionType.PERCENTAGE:
            answers[question.code] = "50"
        else:
            answers[question.code] = "yes"
    return answers


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.small = make_assessment("SEN", round=2026)
        cls.large = make_assessment("SEN", round=2027, framework=load_generated_framework())

    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def count(self, function) -> int:
        function()  # warm caches (framework spec, templates)
        with CaptureQueriesContext(connection) as context:
            function()
        return len(context.captured_queries)

    def render(self, assessment, step: str):
        def go():
            assert self.client.get(step_url(assessment, step)).status_code == 200

        return go

    def save(self, assessment, step: str, answers: dict):
        def go():
            assessment.refresh_from_db()
            # Alternate two values so that every save really changes every answer.
            flipped = {
                code: ("4" if value == "3" else "3") if value in ("3", "4") else value
                for code, value in answers.items()
            }
            answers.update(flipped)
            data = step_post(assessment, step, answers, action="save")
            assert self.client.post(step_url(assessment, step), data).status_code == 302

        return go

    def test_rendering_a_step_does_not_depend_on_the_number_of_questions(self) -> None:
        small = self.count(self.render(self.small, "GOV"))
        large = self.count(self.render(self.large, "P0"))
        assert small == large
        assert large <= RENDER_CEILING

    def test_saving_a_step_does_not_depend_on_the_number_of_questions(self) -> None:
        small_answers = {"GOV.1.a": "3", "GOV.1.b": "yes", "GOV.1.c": "yes", "GOV.2.c": "yes"}
        spec = self.large.framework.spec
        large_answers = complete_answers(spec.pillars[0])
        small = self.count(self.save(self.small, "GOV", small_answers))
        large = self.count(self.save(self.large, "P0", large_answers))
        assert Answer.objects.filter(assessment=self.large).count() >= 30
        assert small == large
        assert large <= SAVE_CEILING

    def test_the_review_page_does_not_depend_on_the_number_of_questions(self) -> None:
        small = self.count(self.render(self.small, "review"))
        large = self.count(self.render(self.large, "review"))
        assert small == large
