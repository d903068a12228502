"""Field conditions in real Chromium: phones at 390 px, in English, French and Arabic, and the
stakeholder's personal link."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from surveys.models import AssessmentState, Query, QueryMessage, Role, StakeholderAnswer
from surveys.services.stakeholders import stakeholder_invite
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)
from tests.factories import give_role, make_assessment, make_focal_point, make_reviewer, make_user
from tests.planning.helpers import load_test_catalogue
from tests.reports.support import scored_world

LANGUAGES = ["en", "fr", "ar"]


def _world() -> dict[str, Any]:
    """Scored and ranked Senegal and Kenya, a returned Senegal round with an open query and a
    stakeholder, one in review, and a person for each role."""
    world = scored_world()
    load_test_catalogue()
    focal_point = make_focal_point("SEN", "phone_focal")
    reviewer = make_reviewer("SEN", "phone_reviewer")
    planner = make_user("phone_planner")
    give_role(planner, Role.PLANNER)
    admin = make_user("phone_admin", is_staff=True, is_superuser=True)
    returned = make_assessment("SEN", round=2027, state=AssessmentState.RETURNED)
    query = Query.objects.create(assessment=returned, question_code="GOV.1.a", opened_by=reviewer)
    QueryMessage.objects.create(query=query, author=reviewer, text="Which budget line funds it?")
    stakeholder_invite(
        assessment=returned,
        actor=focal_point,
        name="Aminata Diallo",
        email="aminata@example.org",
        organisation_type="academia",
        pillars=["GOV"],
        send=False,
    )
    in_review = make_assessment("SEN", round=2028, state=AssessmentState.IN_REVIEW)
    return world | {
        "focal_point": focal_point,
        "reviewer": reviewer,
        "planner": planner,
        "admin": admin,
        "returned": returned,
        "in_review": in_review,
    }


def _pages(world: dict[str, Any]) -> list[tuple[str, str]]:
    """(who, address) of the main pages of every role."""
    returned, in_review = world["returned"].pk, world["in_review"].pk
    approved = world["senegal"].pk
    return [
        ("focal_point", reverse("home")),
        ("focal_point", reverse("surveys:assessment-list")),
        ("focal_point", reverse("surveys:assessment-detail", args=[returned])),
        ("focal_point", reverse("surveys:wizard-step", args=[returned, "GOV"])),
        ("focal_point", reverse("surveys:wizard-step", args=[returned, "review"])),
        ("focal_point", reverse("surveys:stakeholder-list", args=[returned])),
        ("focal_point", reverse("surveys:evidence-list", args=[returned, "GOV.1.a"])),
        ("focal_point", reverse("surveys:history", args=[returned])),
        ("focal_point", reverse("surveys:work-queue")),
        ("reviewer", reverse("surveys:review", args=[in_review])),
        ("reviewer", reverse("surveys:transition", args=[in_review, "approve"])),
        ("reviewer", reverse("surveys:work-queue")),
        ("planner", reverse("planning:planner-home")),
        ("planner", reverse("planning:planner-country", args=["SEN"])),
        ("planner", reverse("planning:planner-demand")),
        ("planner", reverse("planning:catalogue")),
        ("planner", reverse("scoring:assessment-scores", args=[approved])),
        ("planner", reverse("reports:country-dashboard", args=["SEN"])),
        ("planner", reverse("reports:regional-dashboard")),
        ("admin", reverse("surveys:transition", args=[approved, "reopen"])),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_main_page_scrolls_sideways_on_a_phone(
    transactional_db: Any, sign_in: Any, language: str
) -> None:
    world = _world()
    pages: dict[str, Any] = {}
    too_wide = []
    for who, address in _pages(world):
        if who not in pages:
            pages[who] = sign_in(world[who], language=language)
            pages[who].set_viewport_size(PHONE)
        page = pages[who]
        response = page.goto(address)
        assert response.status == 200, address
        assert page.locator("html").get_attribute("lang") == language
        if overflow := horizontal_overflow(page):
            too_wide.append(f"{address}: {overflow} px")
    assert too_wide == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_step_list_collapses_on_a_phone_and_shows_open_queries_per_pillar(
    transactional_db: Any, sign_in: Any, language: str
) -> None:
    world = _world()
    page = sign_in(world["focal_point"], language=language)
    page.set_viewport_size(PHONE)
    page.goto(reverse("surveys:wizard-step", args=[world["returned"].pk, "NET"]))
    compact = page.locator("nav.wizard-steps details.steps-compact")
    assert compact.is_visible() and not page.locator(".steps-full").is_visible()
    assert compact.get_attribute("open") is None
    step_list_height = compact.bounding_box()["height"]
    assert step_list_height < PHONE["height"] / 8
    compact.locator("summary").click()
    government = compact.locator("li", has=page.locator("button[value=GOV]"))
    assert government.locator("[data-open-queries]").get_attribute("data-open-queries") == "1"
    page.set_viewport_size(DESKTOP)
    assert page.locator(".steps-full").is_visible() and not compact.is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stakeholder_answers_through_the_personal_link(
    transactional_db: Any, browser_context: Any, live_server: Any, language: str
) -> None:
    focal_point = make_focal_point("SEN", "link_focal")
    assessment = make_assessment("SEN")
    invitation = stakeholder_invite(
        assessment=assessment,
        actor=focal_point,
        name="Moussa Ba",
        email="moussa@example.org",
        organisation_type="academia",
        pillars=["GOV"],
        language=language,
        send=False,
        base_url=live_server.url,
    )
    page = browser_context.new_page()  # no account: the link is all the stakeholder has
    page.goto(invitation.link)
    assert page.locator("html").get_attribute("lang") == language
    page.locator("input[name='GOV-GOV.1.a'][value='3']").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert StakeholderAnswer.objects.filter(
        invitation=invitation.invitation, question_code="GOV.1.a"
    ).exists(), page.locator("body").inner_text()[:800]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_query_and_invitation_pages_have_no_axe_violations(
    transactional_db: Any, sign_in: Any, language: str
) -> None:
    world = _world()
    returned, in_review = world["returned"].pk, world["in_review"].pk
    Query.objects.create(assessment_id=in_review, question_code="GOV.1.a")
    checked = []
    focal_point = sign_in(world["focal_point"], language=language)
    for address in (
        reverse("home"),
        reverse("surveys:assessment-detail", args=[returned]),
        reverse("surveys:wizard-step", args=[returned, "GOV"]),
    ):
        focal_point.goto(address)
        checked.append((address, axe_violations(focal_point)))
    focal_point.goto(reverse("surveys:stakeholder-list", args=[returned]))
    focal_point.fill("#id_name", "Moussa Ba")
    focal_point.fill("#id_email", "moussa@example.org")
    focal_point.locator("input[name=pillars]").first.check()
    focal_point.locator("main form.stacked button[type=submit]").click()
    focal_point.locator("#invitation-link").wait_for()
    checked.append(("invitation created", axe_violations(focal_point)))
    reviewer = sign_in(world["reviewer"], language=language)
    for address in (
        reverse("surveys:work-queue"),
        reverse("surveys:review", args=[in_review]),
        reverse("surveys:transition", args=[in_review, "approve"]),
        reverse("surveys:transition", args=[in_review, "return"]),
    ):
        reviewer.goto(address)
        checked.append((address, axe_violations(reviewer)))
    found = {where: describe_violations(v) for where, v in checked if v}
    assert found == {}


def test_arabic_pages_run_right_to_left_without_sideways_scrolling_on_a_desktop(
    transactional_db: Any, sign_in: Any
) -> None:
    world = _world()
    pages: dict[str, Any] = {}
    too_wide = []
    for who, address in _pages(world):
        if who not in pages:
            pages[who] = sign_in(world[who], language="ar")
            pages[who].set_viewport_size(DESKTOP)
        page = pages[who]
        response = page.goto(address)
        assert response.status == 200, address
        assert page.locator("html").get_attribute("dir") == "rtl", address
        if overflow := horizontal_overflow(page):
            too_wide.append(f"{address}: {overflow} px")
    assert too_wide == []
    # Mirrored header: the site's name starts at the right edge, the language switcher is left
    # of it.
    page = pages["focal_point"]
    page.goto(reverse("home"))
    brand = page.locator(".site-header .brand").bounding_box()
    switcher = page.locator(".site-header form.language").bounding_box()
    assert brand["x"] + brand["width"] > DESKTOP["width"] * 0.75
    assert switcher["x"] < brand["x"]
