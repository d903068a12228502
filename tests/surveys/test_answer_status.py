"""A value chosen while "Don't know"/"Not applicable" is selected is kept (issue 14, item 3).

Without JavaScript nothing switches the status when a value is picked; the answer used to be
stored as "Don't know" and the value dropped without a word.
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from surveys.models import Answer, AnswerStatus, StakeholderAnswer
from surveys.services.answers import AnswerInput, answers_save, framework_spec
from surveys.services.stakeholders import stakeholder_invite
from surveys.wizard.saving import build_step_form, load_answers, pillar_for_step
from tests.factories import make_assessment, make_focal_point
from tests.surveys.helpers import step_post, step_url


class AnswerStatusTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        self.spec = framework_spec(self.assessment.framework)

    def form(self, data: dict) -> object:
        form = build_step_form(
            spec=self.spec,
            pillar=pillar_for_step(self.spec, "GOV"),
            answers=load_answers(self.assessment),
            evidence_codes=set(),
            data=step_post(self.assessment, "GOV", {}, shown=[]) | data,
        )
        assert form.is_valid(), form.errors
        return {item.question_code: item for item in form.answer_inputs()}

    def save(self, code: str, value: object, status: str) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.alice,
            answers=[AnswerInput(code, value, status, "")],
            base_revision=self.assessment.revision,
        )
        self.assessment.refresh_from_db()

    def test_a_value_chosen_with_dont_know_selected_becomes_the_answer(self) -> None:
        self.save("GOV.1.b", None, AnswerStatus.DONT_KNOW)
        inputs = self.form({"GOV-GOV.1.b-status": "dont_know", "GOV-GOV.1.b": "yes"})
        assert (inputs["GOV.1.b"].status, inputs["GOV.1.b"].value) == ("answered", "yes")

    def test_a_value_chosen_with_not_applicable_selected_becomes_the_answer(self) -> None:
        inputs = self.form({"GOV-GOV.1.a-status": "not_applicable", "GOV-GOV.1.a": "2"})
        assert (inputs["GOV.1.a"].status, inputs["GOV.1.a"].value) == ("answered", 2)

    def test_choosing_dont_know_over_the_saved_value_still_in_its_box_is_dont_know(self) -> None:
        self.save("GOV.1.b", "yes", AnswerStatus.ANSWERED)
        inputs = self.form({"GOV-GOV.1.b-status": "dont_know", "GOV-GOV.1.b": "yes"})
        assert (inputs["GOV.1.b"].status, inputs["GOV.1.b"].value) == ("dont_know", None)

    def test_a_new_value_with_dont_know_selected_replaces_the_saved_value(self) -> None:
        self.save("GOV.1.b", "yes", AnswerStatus.ANSWERED)
        inputs = self.form({"GOV-GOV.1.b-status": "dont_know", "GOV-GOV.1.b": "no"})
        assert (inputs["GOV.1.b"].status, inputs["GOV.1.b"].value) == ("answered", "no")

    def test_the_wizard_stores_the_value_chosen_with_dont_know_selected(self) -> None:
        self.client.force_login(self.alice)
        self.save("GOV.1.b", None, AnswerStatus.DONT_KNOW)
        data = step_post(
            self.assessment, "GOV", {"GOV.1.b": "partial"}, statuses={"GOV.1.b": "dont_know"}
        )
        self.client.post(step_url(self.assessment, "GOV"), data | {"wizard_action": "save"})
        answer = Answer.objects.get(question_code="GOV.1.b")
        assert (answer.status, answer.value) == (AnswerStatus.ANSWERED, "partial")

    def test_the_stakeholder_page_stores_the_value_chosen_with_dont_know_selected(self) -> None:
        new = stakeholder_invite(
            assessment=self.assessment,
            actor=self.alice,
            name="Moussa",
            email="moussa@example.org",
            organisation_type="academia",
            pillars=["GOV"],
            send=False,
        )
        self.client.get(reverse("surveys:stakeholder-respond", args=[new.token]))
        self.client.post(
            reverse("surveys:stakeholder-page"),
            {"GOV-GOV.1.a-status": "dont_know", "GOV-GOV.1.a": "5"},
        )
        answer = StakeholderAnswer.objects.get(question_code="GOV.1.a")
        assert (answer.status, answer.value) == (AnswerStatus.ANSWERED, 5)
