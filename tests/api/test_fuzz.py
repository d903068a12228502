"""API fuzzing: schemathesis generates requests from the OpenAPI schema; none may be a 5xx.

Every operation of /api/schema/ is exercised against the WSGI application inside the test
transaction, with the token of a user who may do everything (administrator and focal point of
the assessment's country, so writes and transitions run too), with a bounded number of
examples so the whole run stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from django.test import TestCase
from django.test.client import ClientHandler
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from scoring.services import score_run_create
from surveys.models import Role
from tests.factories import give_role, make_api_token, make_assessment, make_focal_point
from tests.scoring.helpers import FULL_ANSWERS, add_answers

EXAMPLES_PER_OPERATION = 12
_HANDLER = ClientHandler(enforce_csrf_checks=False)


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """A WSGI app over the test client's handler, which keeps the test transaction's database
    connection open (the production handler closes it after every request)."""
    response = _HANDLER(environ)
    headers = list(response.items())
    headers += [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return response


class ApiFuzzTests(TestCase):
    def test_no_generated_request_causes_a_server_error(self) -> None:
        user = make_focal_point("SEN")
        give_role(user, Role.ADMINISTRATOR)
        assessment = make_assessment("SEN")
        add_answers(assessment, FULL_ANSWERS)
        score_run_create(assessment=assessment, trigger="on_demand", uncertainty=False)
        headers = {"Authorization": f"Token {make_api_token(user)}"}
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", wsgi_app, headers=headers
        )
        failures: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 15

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                check()
            except Exception as error:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.label}: {error}")
        assert not failures, "\n\n".join(failures)
