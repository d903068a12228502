"""Every role's journey in real Chromium, in English and in French.

The focal point fills the whole default framework over two sittings, attaches evidence, invites a
stakeholder and submits; the reviewer raises a query and returns the assessment; the focal point
finds the query from the home page, replies beside the question and resubmits; the reviewer
approves after confirming with the password; the administrator reopens with a reason. The
planner builds a portfolio under a budget and downloads the country and regional PDFs.

Pages are driven the way a person does (links, buttons, the login form); controls are found by
name and value rather than by their words, so one test serves both languages, and each page is
checked to be in the language asked for.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from surveys.models import Answer, Assessment, AssessmentState, Country, Evidence, Query, Role
from tests.factories import PASSWORD, give_role, make_focal_point, make_reviewer, make_user

LANGUAGES = ["en", "fr"]
DEFAULT_FRAMEWORK = Path(settings.BASE_DIR) / "frameworks" / "dcna-2026.yaml"
DEFAULT_CATALOGUE = Path(settings.BASE_DIR) / "frameworks" / "dcna-2026-interventions.yaml"

# Fills every question of the step shown: "answered", then a value fitting each question type
# (whole numbers fit every numeric range of the default framework and need no decimal sign).
FILL_STEP = """() => {
  for (const block of document.querySelectorAll('form.wizard fieldset.question')) {
    const answered = block.querySelector('input[type=radio][name$="-status"][value=answered]');
    if (answered) answered.checked = true;
    const radios = [...block.querySelectorAll('input[type=radio]:not([name$="-status"])')];
    if (radios.length && !radios.some((r) => r.checked)) {
      radios[Math.min(2, radios.length - 1)].checked = true;
    }
    const boxes = [...block.querySelectorAll('input[type=checkbox]')];
    if (boxes.length && !boxes.some((b) => b.checked)) boxes[0].checked = true;
    for (const input of block.querySelectorAll('input[type=text]')) {
      if (!input.value) input.value = '42';
    }
    for (const input of block.querySelectorAll('input[type=date]')) {
      if (!input.value) input.value = '2024-05-01';
    }
    for (const area of block.querySelectorAll('textarea:not([name$="-justification"])')) {
      if (!area.value) area.value = 'Written in the browser.';
    }
  }
}"""


def _default_framework() -> Any:
    from planning.catalogue import catalogue_load, read_catalogue_file
    from surveys.frameworks.loader import load_framework_file
    from surveys.frameworks.persistence import framework_load

    framework = framework_load(load_framework_file(DEFAULT_FRAMEWORK), publish=True).framework
    catalogue_load(catalogue=read_catalogue_file(DEFAULT_CATALOGUE))
    return framework


def log_in(context: Any, server: str, username: str, language: str) -> Any:
    """A new page signed in through the login form, in ``language`` (as the switcher sets it)."""
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server}])
    page = context.new_page()
    page.goto(reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    assert page.locator("html").get_attribute("lang") == language
    return page


def log_out(page: Any) -> None:
    page.locator(f"form[action='{reverse('logout')}'] button").click()
    page.wait_for_load_state()
    page.close()


def submit_for_review(page: Any, assessment: Assessment) -> None:
    """From the review step: confirm the answers were checked, then submit."""
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, "review"]))
    page.check("#id_review-confirm")
    page.locator("main form button[type=submit]:not([name])").last.click()
    page.wait_for_load_state()


def start_review(page: Any, assessment: Assessment) -> None:
    url = reverse("surveys:transition", args=[assessment.pk, "start_review"])
    page.locator(f"form[action='{url}'] button").first.click()
    page.wait_for_load_state()


def state_of(assessment: Assessment) -> str:
    assessment.refresh_from_db()
    return assessment.state


def fill_steps_until(page: Any, last_step: str) -> None:
    """Answer each step and press "Save and continue" until ``last_step`` is done."""
    while True:
        step = page.locator("form.wizard").get_attribute("data-step")
        for _attempt in range(3):
            page.evaluate(FILL_STEP)
            page.locator("button[name=wizard_action][value=next]").click()
            page.wait_for_load_state()
            # A step that reveals more questions (show_if) comes back once to answer them.
            if page.locator("#error-summary").count() == 0:
                break
        else:
            raise AssertionError(f"step {step} kept refusing: {page.locator('#error-summary')}")
        if step == last_step:
            return


@pytest.mark.parametrize("language", LANGUAGES)
def test_focal_point_reviewer_and_administrator_journey(
    transactional_db: Any, live_server: Any, browser_context: Any, language: str
) -> None:
    framework = _default_framework()
    focal_point = make_focal_point("SEN", f"focal_{language}")
    reviewer = make_reviewer("SEN", f"reviewer_{language}")
    make_user(f"admin_{language}", is_staff=True, is_superuser=True)
    assessment = Assessment.objects.create(
        country=Country.objects.get(alpha3="SEN"), framework=framework, round=2026
    )
    pillars = [pillar.code for pillar in framework.spec.pillars]
    half = pillars[len(pillars) // 2 - 1]
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"])

    # First sitting: from the home page into the survey, half the pillars, then sign out.
    page = log_in(browser_context, live_server.url, focal_point.username, language)
    page.locator(
        f"main a[href='{reverse('surveys:assessment-detail', args=[assessment.pk])}']"
    ).first.click()
    page.locator(f"a[href='{reverse('surveys:wizard', args=[assessment.pk])}']").click()
    fill_steps_until(page, half)
    answered_first = Answer.objects.filter(assessment=assessment).count()
    assert answered_first >= 20
    # Evidence on a question of the first pillar, through the question's own button.
    page.goto(reverse("surveys:wizard-step", args=[assessment.pk, pillars[0]]))
    page.locator("button[name=wizard_action][value^='evidence:']").first.click()
    page.fill("#id_url", "https://example.org/national-ict-survey-2024.pdf")
    page.fill("#id_description", "ICT household survey 2024")
    page.locator("main form[enctype] button[type=submit]").click()
    page.get_by_role("link", name="ICT household survey 2024").wait_for()
    log_out(page)

    # Second sitting: the survey resumes with what was saved; the other pillars, then submit.
    page = log_in(browser_context, live_server.url, focal_point.username, language)
    detail = reverse("surveys:assessment-detail", args=[assessment.pk])
    page.locator(f"main a[href='{detail}']").first.click()
    page.locator(f"a[href='{reverse('surveys:wizard', args=[assessment.pk])}']").click()
    page.wait_for_load_state()
    # What the first sitting saved is there (the first question of the first pillar).
    page.locator(f".steps-full button[value={pillars[0]}]").click()
    first = page.locator(f"input[name='{pillars[0]}-{pillars[0]}.1.a']")
    assert first.input_value() == "42"
    # On to the first pillar not answered yet, from the step list.
    page.locator(f".steps-full button[value={pillars[len(pillars) // 2]}]").click()
    page.wait_for_load_state()
    fill_steps_until(page, pillars[-1])
    assert page.url.endswith(reverse("surveys:wizard-step", args=[assessment.pk, "review"]))
    assert Evidence.objects.filter(assessment=assessment).count() == 1

    # Invite a stakeholder: the link is shown once, on this server's address, and copies.
    page.goto(reverse("surveys:stakeholder-list", args=[assessment.pk]))
    page.fill("#id_name", "Aminata Diallo")
    page.fill("#id_email", "aminata@example.org")
    page.select_option("#id_organisation_type", "academia")
    page.locator("input[name=pillars]").first.check()
    page.locator("main form.stacked button[type=submit]").click()
    link = page.locator("#invitation-link").input_value()
    assert link.startswith(live_server.url + "/s/")
    page.locator("button[data-copy=invitation-link]").click()
    page.locator("[data-copy-status]").filter(has_text=re.compile(".+")).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link

    submit_for_review(page, assessment)
    assert state_of(assessment) == AssessmentState.SUBMITTED
    log_out(page)

    # The reviewer starts the review, raises a query and returns, after a confirmation page.
    page = log_in(browser_context, live_server.url, reviewer.username, language)
    page.goto(reverse("surveys:work-queue"))
    page.locator(f"a[href='{reverse('surveys:review', args=[assessment.pk])}']").first.click()
    start_review(page, assessment)
    question = f"{pillars[0]}.1.a"
    question_id = "#q-" + question.replace(".", "\\.")
    card = page.locator(question_id)
    card.locator("summary").click()
    card.locator("textarea[name=text]").fill("Which survey year is this figure from?")
    card.locator("form[action$='/queries/'] button").click()
    return_url = reverse("surveys:transition", args=[assessment.pk, "return"])
    page.locator(f"a[href='{return_url}']").first.click()
    assert page.locator("[data-open-queries]").get_attribute("data-open-queries") == "1"
    page.fill("#id_message", "Please check the query.")
    page.locator("main form.stacked button[type=submit]").click()
    page.wait_for_url(f"**{reverse('surveys:review', args=[assessment.pk])}")
    assert state_of(assessment) == AssessmentState.RETURNED
    log_out(page)

    # The focal point finds the query from the home page, replies beside it and resubmits.
    page = log_in(browser_context, live_server.url, focal_point.username, language)
    page.locator("a.query-count").first.click()
    page.locator("#open-queries a").first.click()
    thread = page.locator(f"{question_id} .question-queries")
    thread.locator("textarea").fill("The 2024 household survey.")
    thread.locator("button[form^=reply-form]").click()
    page.wait_for_url(f"**#q-{question}")
    assert Query.objects.get(assessment=assessment).messages.count() == 2
    submit_for_review(page, assessment)
    assert state_of(assessment) == AssessmentState.RESUBMITTED
    log_out(page)

    # The reviewer sees the reply, resolves the query and approves, signing with the password.
    page = log_in(browser_context, live_server.url, reviewer.username, language)
    page.goto(reverse("surveys:work-queue"))
    page.locator(
        f"a[href='{reverse('surveys:review', args=[assessment.pk])}#decision-queries']"
    ).click()
    start_review(page, assessment)
    assert "The 2024 household survey." in page.locator("#decision-queries").inner_text()
    page.locator("form[action$='/resolve/'] button").first.click()
    approve_url = reverse("surveys:transition", args=[assessment.pk, "approve"])
    page.locator(f"a[href='{approve_url}']").last.click()  # the one after the answers
    assert page.locator("[data-open-queries]").get_attribute("data-open-queries") == "0"
    page.fill("#id_password", "not my password")
    page.locator("main form.stacked button[type=submit]").click()
    page.locator("p.message.error[role=alert]").wait_for()
    assert state_of(assessment) == AssessmentState.IN_REVIEW
    page.fill("#id_password", PASSWORD)
    page.locator("main form.stacked button[type=submit]").click()
    page.wait_for_url(f"**{reverse('surveys:review', args=[assessment.pk])}")
    assert state_of(assessment) == AssessmentState.APPROVED
    log_out(page)

    # The administrator reopens with a written reason, signed too.
    page = log_in(browser_context, live_server.url, f"admin_{language}", language)
    page.goto(reverse("surveys:review", args=[assessment.pk]))
    page.locator(
        f"a[href='{reverse('surveys:transition', args=[assessment.pk, 'reopen'])}']"
    ).first.click()
    page.fill("#id_message", "The connectivity figures were revised.")
    page.fill("#id_password", PASSWORD)
    page.locator("main form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert state_of(assessment) == AssessmentState.RETURNED
    assert assessment.transitions.latest("created_at").message == (
        "The connectivity figures were revised."
    )


def _scored_round(framework: Any) -> Assessment:
    """Senegal and Kenya approved with generated answers, scored and ranked together."""
    from demo.loader import generated_answers
    from scoring.services import score_cohort_create, score_run_create
    from surveys.services.answers import answers_save

    actor = make_user("seeder")
    assessments = []
    for alpha3, capacity in (("SEN", 0.5), ("KEN", 0.6)):
        assessment = Assessment.objects.create(
            country=Country.objects.get(alpha3=alpha3),
            framework=framework,
            round=2026,
        )
        answers_save(
            assessment=assessment,
            actor=actor,
            answers=generated_answers(framework.spec, alpha3, capacity, 2026),
            base_revision=0,
        )
        Assessment.objects.filter(pk=assessment.pk).update(state=AssessmentState.APPROVED)
        score_run_create(assessment=assessment, trigger="on_demand", seed=1)
        assessments.append(assessment)
    score_cohort_create(
        framework=framework, round=2026, assessments=assessments, seed=1, samples=100
    )
    return assessments[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_planner_builds_a_portfolio_and_downloads_the_country_and_regional_pdfs(
    transactional_db: Any, live_server: Any, browser_context: Any, language: str
) -> None:
    framework = _default_framework()
    _scored_round(framework)
    planner = make_user(f"planner_{language}")
    give_role(planner, Role.PLANNER)
    page = log_in(browser_context, live_server.url, planner.username, language)
    page.locator(f"a[href='{reverse('planning:planner-home')}']").first.click()
    page.locator(f"a[href='{reverse('planning:planner-country', args=['SEN'])}']").first.click()
    budget = 150_000
    page.fill("#id_budget", str(budget))
    page.locator("form.plan-form button[type=submit]").click()
    page.locator("#portfolio").wait_for()
    summary = page.locator("#portfolio + p").inner_text()
    cost = int(re.sub(r"[^\d]", "", re.search(r"(\d[\d\s\u202f\u00a0.,]*)\s*USD", summary)[1]))
    assert 0 < cost <= budget, summary

    with page.expect_download() as country_pdf:
        page.locator(f"a[href^='{reverse('reports:country-pdf', args=['SEN'])}']").click()
    assert Path(country_pdf.value.path()).read_bytes().startswith(b"%PDF")

    page.goto(reverse("reports:regional-dashboard"))
    with page.expect_download() as regional_pdf:
        page.locator(f"a[href^='{reverse('reports:regional-pdf')}'][lang={language}]").click()
    reader = PdfReader(regional_pdf.value.path())
    assert reader.trailer["/Root"]["/Lang"] == language
