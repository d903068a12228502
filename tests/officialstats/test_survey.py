"""Official values in the questionnaire: shown beside linked questions, used in one action."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Answer, Assessment
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import make_assessment, make_focal_point, make_reviewer
from tests.officialstats.helpers import make_linked_framework, make_source
from tests.surveys.helpers import step_post, step_url


class OfficialValueInSurveyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # alice is Senegal's focal point; kim is Kenya's.
        cls.alice = make_focal_point("SEN", "alice")
        cls.kim = make_focal_point("KEN", "kim")
        make_source()

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN", framework=make_linked_framework(), round=2026)
        self.client.force_login(self.alice)

    def test_the_step_shows_the_latest_official_value_with_year_source_and_flags(self) -> None:
        page = self.client.get(step_url(self.assessment, "NET"))
        self.assertContains(page, "Official value:")
        self.assertContains(page, "60.6 %")
        self.assertContains(page, "in 2022")  # not 2021's 58.0
        self.assertContains(page, "estimate by Demo statistics office")
        self.assertContains(page, 'href="https://example.org/demo"')
        self.assertContains(page, 'value="official:NET.1.a"', count=1)  # only the linked one

    def test_a_round_before_the_value_does_not_see_it(self) -> None:
        earlier = make_assessment("SEN", framework=make_linked_framework(), round=2021)
        page = self.client.get(step_url(earlier, "NET"))
        self.assertContains(page, "58 %")
        self.assertNotContains(page, "60.6")

    def test_using_it_fills_answer_and_justification_and_keeps_what_was_typed(self) -> None:
        data = step_post(
            self.assessment,
            "NET",
            {"NET.1.a": "", "NET.1.b": "7"},
            action="official:NET.1.a",
        )
        response = self.client.post(step_url(self.assessment, "NET"), data)
        self.assertRedirects(
            response, step_url(self.assessment, "NET") + "#q-NET.1.a", fetch_redirect_response=False
        )
        answers = {a.question_code: a for a in Answer.objects.filter(assessment=self.assessment)}
        assert answers["NET.1.a"].value == 60.6
        justification = answers["NET.1.a"].justification
        assert justification.startswith("Official value from Demo statistics (Demo statistics")
        assert "60.6 in 2022" in justification and "estimate by" in justification
        assert answers["NET.1.b"].value == 7  # typed on the same step, saved too

    def test_the_focal_point_may_give_another_value_with_a_justification(self) -> None:
        data = step_post(
            self.assessment,
            "NET",
            {"NET.1.a": "64"},
            action="save",
            justifications={"NET.1.a": "National household survey 2024"},
        )
        self.client.post(step_url(self.assessment, "NET"), data)
        answer = Answer.objects.get(assessment=self.assessment, question_code="NET.1.a")
        assert (answer.value, answer.justification) == (64, "National household survey 2024")

    def test_a_far_answer_without_justification_gets_a_reminder(self) -> None:
        reminder = "Your answer differs from the official value"
        data = step_post(self.assessment, "NET", {"NET.1.a": "90"}, action="save")
        self.client.post(step_url(self.assessment, "NET"), data)
        self.assertContains(self.client.get(step_url(self.assessment, "NET")), reminder)
        self.assessment.refresh_from_db()  # the next post is based on the saved revision
        data = step_post(
            self.assessment,
            "NET",
            {"NET.1.a": "90"},
            action="save",
            justifications={"NET.1.a": "Operators' subscriber data 2024"},
        )
        self.client.post(step_url(self.assessment, "NET"), data)
        self.assertNotContains(self.client.get(step_url(self.assessment, "NET")), reminder)

    def test_using_an_official_value_a_question_does_not_have_is_refused(self) -> None:
        data = step_post(self.assessment, "NET", {"NET.1.b": "7"}, action="official:NET.1.b")
        response = self.client.post(step_url(self.assessment, "NET"), data)
        assert response.status_code == 400
        assert not Answer.objects.filter(assessment=self.assessment).exists()

    def test_a_focal_point_of_another_country_cannot_use_it(self) -> None:
        self.client.force_login(self.kim)
        data = step_post(self.assessment, "NET", {}, action="official:NET.1.a")
        response = self.client.post(step_url(self.assessment, "NET"), data)
        assert response.status_code in (403, 404)
        assert not Answer.objects.filter(assessment=self.assessment).exists()

    def test_the_step_reads_official_values_in_one_query(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            self.client.get(step_url(self.assessment, "NET"))
        statistics = [q for q in captured.captured_queries if "officialstats_" in q["sql"]]
        assert len(statistics) == 1


class OfficialValueReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # carol reviews Senegal; dave reviews Kenya.
        cls.carol = make_reviewer("SEN", "carol")
        cls.dave = make_reviewer("KEN", "dave")
        make_source()
        cls.assessment = make_assessment("SEN", framework=make_linked_framework(), round=2026)

    def answer(self, value: float, justification: str = "") -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.carol,
            answers=[AnswerInput("NET.1.a", value, "answered", justification)],
            base_revision=Assessment.objects.get(pk=self.assessment.pk).revision,
        )

    def review_page(self) -> str:
        self.client.force_login(self.carol)
        return self.client.get(
            reverse("surveys:review", args=[self.assessment.pk])
        ).content.decode()

    def test_reviewers_see_an_answer_beyond_the_threshold_side_by_side(self) -> None:
        self.answer(80.0, "Operator survey")
        page = self.review_page()
        assert "Answers and official statistics" in page
        assert "further than 10% from the official value" in page
        row = page[page.index('<tr class="differs">') :].split("</tr>")[0]
        assert "80 %" in row and "60.6 (2022)" in row and "19.4" in row and "differs" in row

    def test_an_answer_within_the_threshold_is_not_marked(self) -> None:
        self.answer(62.0)  # 1.4 from 60.6: within 10% (6.06)
        page = self.review_page()
        assert "60.6 (2022)" in page and 'class="differs"' not in page

    def test_a_reviewer_of_another_country_gets_no_comparison(self) -> None:
        self.client.force_login(self.dave)
        response = self.client.get(reverse("surveys:review", args=[self.assessment.pk]))
        assert response.status_code in (403, 404)
