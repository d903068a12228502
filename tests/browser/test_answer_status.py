"""In a real browser: a value chosen while "Don't know" is selected is saved (issue 14, item 3)."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import Answer, AnswerStatus
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import make_assessment, make_focal_point


def _dont_know_saved(username: str):
    focal_point = make_focal_point("SEN", username)
    assessment = make_assessment("SEN")
    answers_save(
        assessment=assessment,
        actor=focal_point,
        answers=[AnswerInput("GOV.1.b", None, AnswerStatus.DONT_KNOW, "")],
        base_revision=0,
    )
    return focal_point, assessment


def test_choosing_a_value_selects_answer_and_dont_know_clears_it(transactional_db, sign_in) -> None:
    focal_point, assessment = _dont_know_saved("status_alice")
    page = sign_in(focal_point)
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    dont_know = page.locator('input[name="GOV-GOV.1.b-status"][value="dont_know"]')
    answered = page.locator('input[name="GOV-GOV.1.b-status"][value="answered"]')
    yes = page.locator('input[name="GOV-GOV.1.b"][value="yes"]')
    assert dont_know.is_checked()
    yes.check()
    assert answered.is_checked()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Your answers were saved at").wait_for()
    answer = Answer.objects.get(assessment=assessment, question_code="GOV.1.b")
    assert (answer.status, answer.value) == (AnswerStatus.ANSWERED, "yes")
    page.locator('input[name="GOV-GOV.1.b-status"][value="dont_know"]').check()
    assert not page.locator('input[name="GOV-GOV.1.b"][value="yes"]').is_checked()
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for()
    answer.refresh_from_db()
    assert (answer.status, answer.value) == (AnswerStatus.DONT_KNOW, None)
