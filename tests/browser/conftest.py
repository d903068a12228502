"""Real Chromium through Playwright: shared fixtures for the browser tests.

Every test under ``tests/browser/`` is marked ``browser`` and skipped, with the reason shown, where
``/usr/bin/chromium`` is missing. One Chromium runs per test module; each test gets a fresh
browser context (cookies, storage) on the live server. When a test fails, a screenshot and the HTML
of every page it had open are written under ``var/browser-artifacts/`` and the path is printed in
the failure report, so CI shows where to look.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

CHROMIUM = Path("/usr/bin/chromium")
# As root in a container, without the network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "browser-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = pytest.mark.skip(
        reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    )
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(missing)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Fixtures read the outcome of the call phase to decide whether to keep artifacts.
    setattr(item, "report_" + report.when, report)
    if report.when == "call" and report.failed and "browser_context" in item.fixturenames:
        report.sections.append(
            ("browser artifacts", f"screenshots and HTML in {artifact_folder(item)}")
        )
    return report


def artifact_folder(item: pytest.Item) -> Path:
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.nodeid)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the module's tests."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # themselves are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        from django.db import connections

        # While Playwright's event loop runs, Django's connections are per asyncio context: the
        # tests' own queries opened one that the test-database teardown cannot see, and
        # PostgreSQL refuses to drop a database with a session open.
        connections.close_all()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context_options() -> dict[str, Any]:
    """Extra options of the test's browser context; a module overrides this fixture, e.g.
    ``{"java_script_enabled": False}`` for journeys without JavaScript."""
    return {}


@pytest.fixture
def browser_context(
    chromium: Any,
    live_server: Any,
    settings: Any,
    request: pytest.FixtureRequest,
    context_options: dict[str, Any],
) -> Iterator[Any]:
    """A fresh browser context on the live server (desktop size); artifacts kept on failure."""
    # Plain HTTP on localhost: cookies must not require HTTPS.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP, **context_options)
    context.set_default_timeout(15_000)
    yield context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _keep_artifacts(context, request.node)
    context.close()


def _keep_artifacts(context: Any, node: pytest.Item) -> None:
    folder = artifact_folder(node)
    folder.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(context.pages):
        try:
            page.screenshot(path=str(folder / f"page{number}.png"), full_page=True)
            (folder / f"page{number}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - a closed page must not hide the real failure
            (folder / f"page{number}.error.txt").write_text(str(error), encoding="utf-8")


@pytest.fixture
def sign_in(browser_context: Any, live_server: Any) -> Any:
    """``sign_in(user, language="en")``: a new page of the test's context, signed in as ``user``.

    The session is made directly (signing in through the form is tested on its own); the language
    cookie sets the interface language as the switcher would.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def signed_in_page(user: Any, *, language: str = "en") -> Any:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        browser_context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session.session_key,
                    "url": live_server.url,
                },
                {
                    "name": django_settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                },
            ]
        )
        return browser_context.new_page()

    return signed_in_page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands (rule id, impact, nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return list(results.response["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violation and element, for assertion messages."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']}")
    return "\n".join(lines)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits the viewport)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
