"""Without JavaScript (issue 14, items 2, 3 and 12): the focal point's work is never lost.

Every test here runs in a browser context with JavaScript turned off.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from surveys.models import Answer, AnswerStatus
from tests.browser.test_answer_status import _dont_know_saved
from tests.browser.test_session_end import _sign_in_on_the_form
from tests.factories import make_assessment, make_focal_point


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {"java_script_enabled": False}


def test_a_step_saved_after_the_session_ended_is_saved_after_signing_in(
    transactional_db, sign_in
) -> None:
    focal_point = make_focal_point("SEN", "nojs_session_alice")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point)
    step = reverse("surveys:wizard-step", args=[assessment.pk, "GOV"])
    page.goto(step)
    Session.objects.all().delete()
    page.locator('input[name="GOV-GOV.1.a"][value="4"]').check()
    page.locator("details.justification summary").first.click()
    page.locator('textarea[name="GOV-GOV.1.a-justification"]').fill("Typed before it expired")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("They are kept: sign in again and they will be saved.").wait_for()
    _sign_in_on_the_form(page, "nojs_session_alice")
    page.get_by_text("they have been saved now").wait_for()
    assert page.url.endswith(step)
    answer = Answer.objects.get(assessment=assessment, question_code="GOV.1.a")
    assert (answer.value, answer.justification) == (4, "Typed before it expired")
    assert page.locator('input[name="GOV-GOV.1.a"][value="4"]').is_checked()


def test_the_value_chosen_with_dont_know_selected_is_saved(transactional_db, sign_in) -> None:
    focal_point, assessment = _dont_know_saved("nojs_status_bob")
    page = sign_in(focal_point)
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    page.locator('input[name="GOV-GOV.1.b"][value="partial"]').check()
    assert page.locator('input[name="GOV-GOV.1.b-status"][value="dont_know"]').is_checked()
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Your answers were saved at").wait_for()
    answer = Answer.objects.get(assessment=assessment, question_code="GOV.1.b")
    assert (answer.status, answer.value) == (AnswerStatus.ANSWERED, "partial")
    assert page.locator('input[name="GOV-GOV.1.b-status"][value="answered"]').is_checked()


def test_the_focal_points_journey_fill_save_review_and_submit(transactional_db, sign_in) -> None:
    focal_point = make_focal_point("SEN", "nojs_journey_fatou")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point, language="fr")
    page.goto(reverse("surveys:assessment-detail", args=[assessment.pk]))
    page.get_by_role("link", name="Commencer le questionnaire").click()
    # Government: a maturity level, choices; "Save draft" first, then onwards.
    page.locator('input[name="GOV-GOV.1.a"][value="3"]').check()
    page.locator('input[name="GOV-GOV.1.b"][value="yes"]').check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Vos réponses ont été enregistrées à").wait_for()
    # GOV.1.c appears only after GOV.1.b was saved as "yes" (no script shows it earlier).
    page.locator('input[name="GOV-GOV.1.c"][value="partial"]').check()
    page.locator('input[name="GOV-GOV.2.c"][value="no"]').check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # Connectivity: numbers as French writes them, a choice and a checkbox.
    page.locator('input[name="NET-NET.1.a"]').fill("55,5")
    page.locator('input[name="NET-NET.1.b"]').fill("4")
    page.locator('input[name="NET-NET.2.a"][value="fibre"]').check()
    page.locator('input[name="NET-NET.2.b"][value="fibre"]').check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # Skills applies because GOV.1.a is at least 2.
    page.locator('input[name="SKL-SKL.1.a"][value="yes"]').check()
    page.locator('input[name="SKL-SKL.1.b"]').fill("20")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # The review step lists the answers in words; submitting needs the confirmation.
    review = page.locator("main")
    review.get_by_text("55,5 %").wait_for()
    page.locator('input[name="review-confirm"]').check()
    page.locator('main form button[type="submit"]').last.click()
    page.get_by_text("L'évaluation a été soumise pour examen").wait_for()
    assessment.refresh_from_db()
    assert assessment.state == "submitted"
    saved = {a.question_code: a.value for a in Answer.objects.filter(assessment=assessment)}
    assert saved["NET.1.a"] == 55.5 and saved["GOV.1.a"] == 3 and saved["SKL.1.b"] == 20
