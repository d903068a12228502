"""In a real browser: numbers typed as French writes them are saved and shown back (item 4)."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import Answer
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import make_assessment, make_focal_point
from tests.surveys.helpers import GOV_COMPLETE


def test_french_numbers_are_saved_shown_back_and_invalid_ones_are_named(
    transactional_db, sign_in
) -> None:
    focal_point = make_focal_point("SEN", "numbers_alice")
    assessment = make_assessment("SEN")
    answers_save(
        assessment=assessment,
        actor=focal_point,
        answers=[AnswerInput(code, value, "answered", "") for code, value in GOV_COMPLETE.items()],
        base_revision=0,
    )
    page = sign_in(focal_point, language="fr")
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "NET"]))
    page.locator('input[name="NET-NET.1.a"]').fill("12,5")
    # Typed with an ordinary space, as most keyboards do.
    page.locator('input[name="NET-NET.1.b"]').fill("1 50,25")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "NET.1.b" in summary.inner_text()
    assert "Saisissez un nombre, par exemple 1\u202f234,5." in summary.inner_text()
    assert Answer.objects.get(question_code="NET.1.a").value == 12.5
    page.locator('input[name="NET-NET.1.b"]').fill("150,25")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Vos réponses ont été enregistrées à").wait_for()
    assert Answer.objects.get(question_code="NET.1.b").value == 150.25
    assert page.locator('input[name="NET-NET.1.a"]').input_value() == "12,5"
    assert page.locator('input[name="NET-NET.1.b"]').input_value() == "150,25"
