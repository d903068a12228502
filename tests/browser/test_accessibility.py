"""axe-core on every main page, in English, French and Arabic: no violations (issues 14 and 21).

One test per language walks all the pages in one browser context (switching users by their
session cookie) so that the check stays fast; the failure message lists every page's
violations at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from scoring.services import score_run_create
from surveys.models import Assessment, AssessmentState, OrganisationType, Role
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.stakeholders import stakeholder_invite
from tests.browser.conftest import axe_violations, describe_violations
from tests.factories import (
    PASSWORD,
    give_role,
    make_assessment,
    make_focal_point,
    make_reviewer,
    make_user,
)
from tests.surveys.helpers import GOV_COMPLETE, NET_COMPLETE


def _world(language: str) -> dict[str, Any]:
    focal_point = make_focal_point("SEN", "axe_fatou")
    reviewer = make_reviewer("SEN", "axe_rita")
    administrator = make_user("axe_ada", is_staff=True, is_superuser=True)
    give_role(administrator, Role.ADMINISTRATOR)
    draft = make_assessment("SEN")
    answers = {**GOV_COMPLETE, "NET.1.a": "55.5", "NET.1.b": "4", "NET.2.a": "fibre"}
    answers_save(
        assessment=draft,
        actor=focal_point,
        answers=[AnswerInput(code, value, "answered", "") for code, value in answers.items()],
        base_revision=0,
    )
    in_review = make_assessment("SEN", round=2025)
    answers_save(
        assessment=in_review,
        actor=focal_point,
        answers=[AnswerInput(code, value, "answered", "") for code, value in NET_COMPLETE.items()],
        base_revision=0,
    )
    Assessment.objects.filter(pk=in_review.pk).update(state=AssessmentState.IN_REVIEW)
    score_run_create(assessment=draft, trigger="on_demand", uncertainty=False, seed=1)
    invitation = stakeholder_invite(
        assessment=draft,
        actor=focal_point,
        name="Aminata Diop",
        email="aminata@example.org",
        organisation_type=OrganisationType.REGULATOR,
        pillars=["GOV"],
        language=language,
        send=False,
    )
    return {
        "focal_point": focal_point,
        "reviewer": reviewer,
        "administrator": administrator,
        "draft": draft,
        "in_review": in_review,
        "token": invitation.token,
    }


def _pages(world: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(name, who, address) of every main page; who is None for a visitor."""
    draft, in_review = world["draft"].pk, world["in_review"].pk
    return [
        ("login", None, reverse("login")),
        ("404 page", None, "/no/such/page/"),
        ("stakeholder page", None, reverse("surveys:stakeholder-respond", args=[world["token"]])),
        ("home", "focal_point", reverse("home")),
        ("assessment page", "focal_point", reverse("surveys:assessment-detail", args=[draft])),
        ("wizard step", "focal_point", reverse("surveys:wizard-step", args=[draft, "GOV"])),
        ("review step", "focal_point", reverse("surveys:wizard-step", args=[draft, "review"])),
        ("evidence", "focal_point", reverse("surveys:evidence-list", args=[draft, "GOV.1.a"])),
        ("stakeholders", "focal_point", reverse("surveys:stakeholder-list", args=[draft])),
        ("history", "focal_point", reverse("surveys:history", args=[draft])),
        ("403 page", "reviewer", reverse("surveys:wizard-step", args=[draft, "GOV"])),
        ("review workspace", "reviewer", reverse("surveys:review", args=[in_review])),
        ("work queue", "reviewer", reverse("surveys:work-queue")),
        ("score page", "administrator", reverse("scoring:assessment-scores", args=[draft])),
        ("country dashboard", "administrator", reverse("reports:country-dashboard", args=["SEN"])),
        ("regional dashboard", "administrator", reverse("reports:regional-dashboard")),
        ("planner home", "administrator", reverse("planning:planner-home")),
        ("planner country", "administrator", reverse("planning:planner-country", args=["SEN"])),
        ("planner demand", "administrator", reverse("planning:planner-demand")),
        ("catalogue", "administrator", reverse("planning:catalogue")),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_every_main_page_has_no_axe_violations(
    transactional_db, browser_context, live_server, sign_in, language: str
) -> None:
    world = _world(language)
    found: dict[str, str] = {}
    page = None
    for name, who, address in _pages(world):
        if page is not None:
            page.close()
        browser_context.clear_cookies()
        if who is None:
            browser_context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = browser_context.new_page()
        else:
            page = sign_in(world[who], language=language)
        page.goto(address)
        assert page.locator("html").get_attribute("lang") == language, name
        violations = axe_violations(page)
        if violations:
            found[name] = describe_violations(violations)
    # The CSRF failure page: a sign-in form sent without its cookie.
    browser_context.clear_cookies()
    browser_context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(reverse("login"))
    browser_context.clear_cookies(name="csrftoken")
    page.locator('input[name="username"]').fill("axe_fatou")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.locator("h1").wait_for()
    violations = axe_violations(page)
    if violations:
        found["CSRF page"] = describe_violations(violations)
    assert found == {}, "\n".join(f"{name}:\n{text}" for name, text in found.items())
