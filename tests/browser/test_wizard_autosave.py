"""In a real browser: autosave saves what was typed, says so, and a reload finds it."""

from __future__ import annotations

from django.urls import reverse

from surveys.models import Answer
from tests.browser.conftest import axe_violations, describe_violations
from tests.factories import make_assessment, make_focal_point


def test_autosave_shows_saved_at_and_a_reload_finds_the_value(transactional_db, sign_in) -> None:
    focal_point = make_focal_point("SEN", "browser_alice")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point)
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    page.get_by_label("Your answer").first.fill("Typed in the browser, never submitted.")
    page.locator('input[name="GOV-GOV.1.a"][value="3"]').check()
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for()
    assert Answer.objects.get(assessment=assessment, question_code="GOV.1.a").value == 3
    page.reload()
    assert page.locator('input[name="GOV-GOV.1.a"][value="3"]').is_checked()


def test_the_survey_step_has_no_axe_violations(transactional_db, sign_in) -> None:
    focal_point = make_focal_point("SEN", "browser_bob")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point)
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
