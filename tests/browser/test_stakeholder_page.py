"""In a real browser: a stakeholder opens the invitation link, answers and saves (issue 14, 1).

Chromium sends ``Origin: null`` with a form posted from a page under ``no-referrer``, and Django's
CSRF check refuses it; the test client sends no Origin header, so only a browser shows it.
"""

from __future__ import annotations

from django.urls import reverse

from surveys.models import OrganisationType, StakeholderAnswer
from surveys.services.stakeholders import stakeholder_invite
from tests.browser.conftest import axe_violations, describe_violations
from tests.factories import make_assessment, make_focal_point


def _invite(language: str = "en"):
    focal_point = make_focal_point("SEN", f"stake_fp_{language}")
    return stakeholder_invite(
        assessment=make_assessment("SEN"),
        actor=focal_point,
        name="Aminata Diop",
        email="aminata@example.org",
        organisation_type=OrganisationType.REGULATOR,
        pillars=["GOV"],
        language=language,
        send=False,
    )


def test_a_stakeholder_opens_the_link_answers_and_saves(transactional_db, browser_context) -> None:
    new = _invite()
    page = browser_context.new_page()
    page.goto(reverse("surveys:stakeholder-respond", kwargs={"token": new.token}))
    # The token left the address bar (and so the history and any Referer header).
    assert new.token not in page.url
    page.locator('input[name="GOV-GOV.1.a"][value="4"]').check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Thank you: your answers were saved.").wait_for()
    assert StakeholderAnswer.objects.get(question_code="GOV.1.a").value == 4
    assert page.locator('input[name="GOV-GOV.1.a"][value="4"]').is_checked()


def test_the_stakeholder_page_in_french_has_no_axe_violations(
    transactional_db, browser_context
) -> None:
    new = _invite("fr")
    page = browser_context.new_page()
    page.goto(reverse("surveys:stakeholder-respond", kwargs={"token": new.token}))
    assert page.locator("html").get_attribute("lang") == "fr"
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
