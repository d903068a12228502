"""The load scenario's people (locust): focal points, reviewers, planners and API clients.

Started by ``benchmarks/load/run.py`` (headless, on loopback), which passes the accounts in the
JSON file named by ``LOAD_SCENARIO`` (see scenario.py). Every request is named after the page it
opens (``endpoints.py``), so that the client's times and the server's (gunicorn's access log)
are reported side by side per page.

Focal points sign in through the sign-in form, open steps of their own draft, save a step as the
"Save draft" button does (the whole form, with its CSRF token and the revision it was built
from) and autosave as autosave.js does; now and then they sign out and in again. Reviewers open
the review workspace and their work queue, planners the dashboards and planning pages, API
clients read with a token. A request fails when its answer is not the one a person expects
(e.g. a 409 on a save, a sign-in form shown again).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

SCENARIO: dict[str, Any] = json.loads(Path(os.environ["LOAD_SCENARIO"]).read_text(encoding="utf-8"))
_focal_points = iter(SCENARIO["focal_points"])
_reviewers = itertools.cycle(SCENARIO["reviewers"])
_api_clients = iter(SCENARIO["api_clients"])


class FormFields(HTMLParser):
    """The fields a browser would submit from the first form whose class contains ``wizard``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done and "wizard" in a.get("class", "").split():
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def hidden_value(html: str, name: str) -> str:
    marker = f'name="{name}" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class SignedIn(HttpUser):
    """Someone who signs in through the sign-in form."""

    abstract = True
    wait_time = between(1, 3)
    username = password = ""

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = hidden_value(page.text, "csrfmiddlewaretoken")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}, not a redirect")

    def get(self, path: str, name: str) -> Any:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (expected 200)")
            return response


class FocalPoint(SignedIn):
    weight = 5

    def on_start(self) -> None:
        account = next(_focal_points)
        self.username, self.password = account["username"], account["password"]
        self.assessment, self.steps = account["assessment"], account["steps"]
        self.saves = 0
        self.sign_in()

    def open_step(self) -> tuple[str, list[tuple[str, str]]] | None:
        step = random.choice(self.steps)
        response = self.get(f"/assessments/{self.assessment}/edit/{step}/", "wizard step")
        return (step, form_fields(response.text)) if response.status_code == 200 else None

    def changed(self, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The form with one justification rewritten, on a question that has an answer."""
        values = dict(fields)
        answered = [
            name
            for name, _ in fields
            if name.endswith("-justification") and values.get(name.removesuffix("-justification"))
        ]
        self.saves += 1
        if answered:
            target = random.choice(answered)
            text = f"Source: annual report, checked by {self.username} (save {self.saves})."
            fields = [(n, text if n == target else v) for n, v in fields]
        return fields

    @task(4)
    def read_step(self) -> None:
        self.open_step()

    @task(2)
    def save_step(self) -> None:
        opened = self.open_step()
        if opened is None:
            return
        step, fields = opened
        data = [*self.changed(fields), ("wizard_action", "save")]
        with self.client.post(
            f"/assessments/{self.assessment}/edit/{step}/",
            data=data,
            name="wizard save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}, not a redirect")

    @task(3)
    def autosave(self) -> None:
        opened = self.open_step()
        if opened is None:
            return
        _, fields = opened
        with self.client.post(
            f"/assessments/{self.assessment}/autosave/",
            data=self.changed(fields),
            name="autosave",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or response.json().get("status") != "saved":
                response.failure(f"autosave answered {response.status_code}")

    @task(1)
    def sign_out_and_in(self) -> None:
        page = self.get("/", "home")
        with self.client.post(
            "/accounts/logout/",
            data={"csrfmiddlewaretoken": hidden_value(page.text, "csrfmiddlewaretoken")},
            name="sign out",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-out answered {response.status_code}")
        self.sign_in()


class Reviewer(SignedIn):
    weight = 2

    def on_start(self) -> None:
        account = next(_reviewers)
        self.username, self.password = account["username"], account["password"]
        self.assessments = account["assessments"]
        self.sign_in()

    @task(5)
    def workspace(self) -> None:
        self.get(f"/assessments/{random.choice(self.assessments)}/review/", "review workspace")

    @task(1)
    def work_queue(self) -> None:
        self.get("/work-queue/", "work queue")

    @task(1)
    def history(self) -> None:
        self.get(f"/assessments/{random.choice(self.assessments)}/history/", "history")


class Planner(SignedIn):
    weight = 2

    def on_start(self) -> None:
        account = SCENARIO["planners"][0]
        self.username, self.password = account["username"], account["password"]
        self.countries = account["countries"]
        self.sign_in()

    @task(2)
    def planning(self) -> None:
        self.get("/planning/", "planner home")

    @task(1)
    def country_plan(self) -> None:
        self.get(f"/planning/countries/{random.choice(self.countries)}/", "planner country")

    @task(1)
    def demand(self) -> None:
        self.get("/planning/demand/", "demand (priorities)")

    @task(1)
    def regional(self) -> None:
        self.get("/reports/regional/", "regional dashboard")

    @task(2)
    def country_dashboard(self) -> None:
        self.get(f"/reports/countries/{random.choice(self.countries)}/", "country dashboard")


class ApiClient(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        token = next(_api_clients)["token"]
        self.client.headers["Authorization"] = f"Token {token}"

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (expected 200)")

    @task(3)
    def assessments(self) -> None:
        self.get("/api/assessments/", "API assessments")

    @task(1)
    def assessment(self) -> None:
        self.get(f"/api/assessments/{random.choice(SCENARIO['assessments'])}/", "API assessment")

    @task(1)
    def scores(self) -> None:
        self.get("/api/scores/", "API scores")
