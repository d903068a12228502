"""In a real browser: the main pages still work under the Content-Security-Policy (issue 16).

Every page is opened in Chromium with a listener for ``securitypolicyviolation`` events and
the console; the wizard autosaves, the dashboards draw their charts, the API documentation
renders Swagger UI, and not one violation is reported.
"""

from __future__ import annotations

# Collected in the page before any of its own script runs (Playwright's init scripts are not
# subject to the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def open_page(context, url: str, console: list[str]):
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.goto(url)
    return page


def test_the_main_pages_report_no_csp_violation(
    transactional_db, live_server, browser_context, sign_in
) -> None:
    from django.urls import reverse

    from scoring.services import score_run_create
    from surveys.models import Answer
    from tests.factories import make_assessment, make_focal_point, make_user
    from tests.scoring.helpers import FULL_ANSWERS, add_answers

    focal_point = make_focal_point("SEN", "csp_focal")
    administrator = make_user("csp_admin", is_staff=True, is_superuser=True)
    scored = make_assessment("SEN", round=2025)
    add_answers(scored, FULL_ANSWERS)
    score_run_create(assessment=scored, trigger="on_demand", uncertainty=False, seed=1)
    draft = make_assessment("SEN")
    console: list[str] = []
    violations: dict[str, list[str]] = {}

    browser_context.add_init_script(RECORD_VIOLATIONS)
    sign_in(focal_point).close()
    page = open_page(
        browser_context,
        live_server.url + reverse("surveys:wizard-step", args=[draft.pk, "GOV"]),
        console,
    )
    page.locator('input[name="GOV-GOV.1.a"][value="3"]').check()
    page.locator("[data-autosave-status]").filter(has_text="Saved at").wait_for(timeout=15_000)
    assert Answer.objects.get(assessment=draft, question_code="GOV.1.a").value == 3
    violations["wizard"] = page.evaluate("window.__violations")

    browser_context.clear_cookies()
    sign_in(administrator).close()
    charted = {
        "country dashboard": reverse("reports:country-dashboard", kwargs={"alpha3": "SEN"}),
        "regional dashboard": reverse("reports:regional-dashboard"),
        "scores": reverse("scoring:assessment-scores", kwargs={"pk": scored.pk}),
    }
    for name, path in charted.items():
        page = open_page(browser_context, live_server.url + path, console)
        chart = page.locator("svg[role=img]").first
        chart.wait_for(timeout=15_000)
        # Drawn with its colours: presentation attributes apply where style attributes would not.
        # A blocked style attribute would leave every shape the default black.
        coloured = chart.evaluate(
            "svg => [...svg.querySelectorAll('[fill]:not([fill=none])')]"
            ".some(node => !['rgb(0, 0, 0)', 'none'].includes(getComputedStyle(node).fill))"
        )
        assert coloured, name
        violations[name] = page.evaluate("window.__violations")

    for name, path in {
        "planning": reverse("planning:planner-home"),
        "api tokens": reverse("surveys:api-tokens"),
        "home": reverse("home"),
    }.items():
        page = open_page(browser_context, live_server.url + path, console)
        page.wait_for_load_state("load")
        violations[name] = page.evaluate("window.__violations")

    page = open_page(browser_context, live_server.url + reverse("api-docs"), console)
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
    violations["api docs"] = page.evaluate("window.__violations")

    assert not console, console
    assert all(not found for found in violations.values()), violations
