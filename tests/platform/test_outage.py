"""A database outage answers 503 "try again in a moment" in the user's language, rendered
without the database, and the platform recovers by itself when the database is back
(issue 16 §6).

The outage is made two ways: the connection refuses every query (both engines; the test client
re-raises any exception that escapes, so a 503 page that touched the database would fail the
test), and on PostgreSQL for real: the server address stops answering, and the backend of the
app's kept connection is terminated as a restart would.
"""

from __future__ import annotations

import json
from unittest import mock

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import RequestFactory, TestCase, TransactionTestCase

from tests.factories import make_focal_point

HTML = {"accept": "text/html,application/xhtml+xml"}


def database_down():
    """Every query fails as if the server were unreachable."""
    refused = OperationalError("connection refused: is the server running?")
    return mock.patch.object(connection, "ensure_connection", side_effect=refused)


class OutagePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_outage")

    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_a_page_during_an_outage_is_a_503_in_the_site_design(self) -> None:
        with database_down():
            response = self.client.get("/assessments/", headers=HTML)
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert response["Cache-Control"] == "no-store"
        self.assertContains(response, "Please try again in a moment.", status_code=503)
        self.assertContains(response, '<header class="site-header">', status_code=503)
        self.assertContains(response, 'href="/assessments/">Try again</a>', status_code=503)

    def test_the_page_is_in_the_users_language(self) -> None:
        with database_down():
            response = self.client.get("/assessments/", headers={**HTML, "accept-language": "fr"})
        assert response.status_code == 503
        self.assertContains(response, '<html lang="fr"', status_code=503)
        self.assertContains(response, "Veuillez réessayer dans un instant.", status_code=503)

    def test_a_save_during_an_outage_is_a_503_not_a_500(self) -> None:
        with database_down():
            response = self.client.post("/assessments/", {"anything": "1"}, headers=HTML)
        assert response.status_code == 503

    def test_api_clients_and_health_checks_get_json(self) -> None:
        with database_down():
            api = self.client.get("/api/assessments/")
            health = self.client.get("/healthz")
        for response in (api, health):
            assert response.status_code == 503
            assert response["Content-Type"] == "application/json"
            assert "try again in a moment" in json.loads(response.content)["detail"]

    def test_the_next_request_after_the_outage_succeeds(self) -> None:
        with database_down():
            assert self.client.get("/assessments/", headers=HTML).status_code == 503
        assert self.client.get("/assessments/", headers=HTML).status_code == 200

    def test_other_errors_are_not_disguised_as_outages(self) -> None:
        with (
            mock.patch("surveys.views.home.connection.cursor", side_effect=ValueError("bug")),
            pytest.raises(ValueError, match="bug"),
        ):
            self.client.get("/healthz")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a real server outage needs PostgreSQL (CI runs the suite on it too)",
)
class PostgresqlOutageTests(TransactionTestCase):
    def setUp(self) -> None:
        self.client.force_login(make_focal_point("SEN", "alice_pg_outage"))

    def test_an_unreachable_server_gives_503_then_recovers_without_restart(self) -> None:
        real_port = connection.settings_dict["PORT"]
        connection.close()
        connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
        try:
            response = self.client.get("/assessments/", headers=HTML)
        finally:
            connection.close()
            connection.settings_dict["PORT"] = real_port
        assert response.status_code == 503
        self.assertContains(response, "try again in a moment", status_code=503)
        assert self.client.get("/assessments/", headers=HTML).status_code == 200

    def test_a_terminated_connection_is_replaced_on_the_next_request(self) -> None:
        assert self.serve("/assessments/") == 200
        killed_pid = connection.connection.info.backend_pid
        # What a server restart does to every open connection.
        with _other_connection() as other:
            other.execute("SELECT pg_terminate_backend(%s)", [killed_pid])
        assert self.serve("/assessments/") == 200
        assert connection.connection.info.backend_pid != killed_pid

    def serve(self, path: str) -> int:
        """One request through Django's real WSGI handler, which (unlike the test client) runs
        the start-of-request connection checks that CONN_HEALTH_CHECKS relies on."""
        environ = RequestFactory().get(path, headers=HTML).environ
        environ["HTTP_COOKIE"] = self.client.cookies.output(header="", sep=";").strip()
        status: list[int] = []
        body = WSGIHandler()(environ, lambda line, headers, *_: status.append(int(line[:3])))
        b"".join(body)
        return status[0]


def _other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    )
