"""In a real browser: autosave saves what was typed, says so, and a reload finds it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def browser_page(live_server, settings, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Plain HTTP on localhost: cookies must not require HTTPS.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context()
        yield context
        context.close()
        browser.close()
        # While Playwright's event loop runs, Django's connections are per asyncio context:
        # the test's own queries opened one that the test-database teardown cannot see, and
        # PostgreSQL refuses to drop a database with a session open.
        connections.close_all()


def test_autosave_shows_saved_at_and_a_reload_finds_the_value(
    transactional_db, live_server, browser_page, client
) -> None:
    from django.conf import settings
    from django.urls import reverse

    from surveys.models import Answer
    from tests.factories import make_assessment, make_focal_point

    focal_point = make_focal_point("SEN", "browser_alice")
    assessment = make_assessment("SEN")
    client.force_login(focal_point)
    browser_page.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = browser_page.new_page()
    url = live_server.url + reverse("surveys:wizard-step", args=[assessment.pk, "GOV"])
    page.goto(url)
    page.get_by_label("Your answer").first.fill("Typed in the browser, never submitted.")
    page.locator('input[name="GOV-GOV.1.a"][value="3"]').check()
    status = page.locator("[data-autosave-status]")
    status.filter(has_text="Saved at").wait_for(timeout=15_000)
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
    assert Answer.objects.get(assessment=assessment, question_code="GOV.1.a").value == 3

    page.reload()
    assert page.locator('textarea[name="GOV-GOV.2.a"]').input_value() == (
        "Typed in the browser, never submitted."
    )
    assert page.locator('input[name="GOV-GOV.1.a"][value="3"]').is_checked()
