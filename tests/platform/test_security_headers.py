"""Content-Security-Policy and Permissions-Policy on every HTML page (issue 16, item 4).

The attack this answers: no HTML page carried either header. Every GET entry of the role × URL
matrix is opened as someone who may see it; each HTML answer must carry both headers, the
policy must never allow inline script or style, and the page itself must contain no inline
script, ``<style>`` element, ``style`` attribute or event-handler attribute (which the browser
would then refuse: ``tests/browser/test_csp.py`` checks the main pages in Chromium).
"""

from __future__ import annotations

import re

from django.test import TestCase
from django.urls import reverse

from tests.factories import PASSWORD
from tests.matrix import ADMINISTRATOR, ANONYMOUS, Entry
from tests.test_permission_matrix import all_entries, build_world

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]+\sstyle=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE),
    "javascript: URL": re.compile(r"""(?:href|src|action)=["']?\s*javascript:""", re.IGNORECASE),
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    def open_as_someone_allowed(self, entry: Entry) -> object | None:
        """The page as a person the matrix expects to get 200, the administrator first."""
        allowed = [person for person, status in entry.expect.items() if status == 200]
        if not allowed:
            return None
        person = ADMINISTRATOR if ADMINISTRATOR in allowed else allowed[0]
        self.client.logout()
        if person != ANONYMOUS:
            user = self.world.users[person]
            assert self.client.login(username=user.username, password=PASSWORD)
        url = reverse(entry.name, kwargs=entry.kwargs(self.world)) + entry.query
        return self.client.get(url, entry.data(self.world))

    def test_every_html_page_carries_both_headers_and_nothing_inline(self) -> None:
        checked = 0
        problems: list[str] = []
        for entry in all_entries():
            if entry.method != "get" or entry.mutates:
                continue
            response = self.open_as_someone_allowed(entry)
            if response is None or not response["Content-Type"].startswith("text/html"):
                continue
            checked += 1
            policy = directives(response.get("Content-Security-Policy", ""))
            if not policy:
                problems.append(f"{entry.name}: no Content-Security-Policy")
            for name in ("script-src", "style-src", "default-src"):
                if name in policy and "'unsafe-inline'" in policy[name]:
                    problems.append(f"{entry.name}: {name} allows 'unsafe-inline'")
            if "camera=()" not in response.get("Permissions-Policy", ""):
                problems.append(f"{entry.name}: no Permissions-Policy")
            if entry.name.startswith("admin:"):
                continue  # Django's own admin templates are not ours to rewrite
            page = response.content.decode()
            for what, pattern in INLINE.items():
                found = pattern.search(page)
                if found:
                    problems.append(f"{entry.name}: {what}: {found.group(0)[:80]}")
        assert checked >= 30, checked
        assert not problems, "\n".join(problems)

    def test_the_policy_allows_only_this_site(self) -> None:
        policy = directives(self.client.get(reverse("login"))["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]

    def test_error_pages_carry_the_headers_too(self) -> None:
        response = self.client.get("/no-such-page/")
        assert response.status_code == 404
        assert "Content-Security-Policy" in response and "Permissions-Policy" in response
