"""In a real browser: nothing typed is lost when the session ends (issue 14, item 2).

The session is ended on the server (as an expiry, an idle time-out or signing out elsewhere
would), while the page stays open with what was typed.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.urls import reverse

from surveys.models import Answer
from tests.factories import PASSWORD, make_assessment, make_focal_point


def _sign_in_on_the_form(page, username: str) -> None:
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()


def test_autosave_says_the_session_ended_and_saves_after_signing_in_in_a_new_tab(
    transactional_db, sign_in
) -> None:
    focal_point = make_focal_point("SEN", "session_alice")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point)
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    Session.objects.all().delete()
    page.locator('input[name="GOV-GOV.1.a"][value="3"]').check()
    alert = page.locator("[data-session-ended]")
    alert.wait_for(state="visible")
    assert "session has ended" in alert.inner_text()
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Sign in again (opens in a new tab)").click()
    sign_in_tab = opened.value
    _sign_in_on_the_form(sign_in_tab, "session_alice")
    sign_in_tab.get_by_role("heading", name="You are signed in again").wait_for()
    sign_in_tab.close()
    page.bring_to_front()
    page.get_by_role("button", name="Save now").click()
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for()
    assert alert.is_hidden()
    assert Answer.objects.get(assessment=assessment, question_code="GOV.1.a").value == 3


def test_a_csrf_failure_page_in_french_shows_what_was_typed_and_back_keeps_it(
    transactional_db, sign_in, browser_context
) -> None:
    focal_point = make_focal_point("SEN", "session_bob")
    assessment = make_assessment("SEN")
    page = sign_in(focal_point, language="fr")
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
    Session.objects.all().delete()
    browser_context.clear_cookies(name="csrftoken")
    page.locator('input[name="GOV-GOV.1.a"][value="2"]').check()
    page.locator("details.justification summary").first.click()
    page.locator('textarea[name="GOV-GOV.1.a-justification"]').fill("Plan national 2024")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("heading", name="Votre page avait expiré : rien n'a été enregistré").wait_for()
    assert "Plan national 2024" in page.locator("dl.typed-values").inner_text()
    assert not Answer.objects.exists()
    # The way back: sign in again and land on the same step.
    page.get_by_role("link", name="Reconnectez-vous").click()
    _sign_in_on_the_form(page, "session_bob")
    page.get_by_role("heading", name="Gouvernement", exact=True).wait_for()
    assert page.url.endswith(reverse("surveys:wizard-step", args=[assessment.pk, "GOV"]))
