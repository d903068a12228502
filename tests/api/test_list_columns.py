"""The assessment list reads only the columns it shows (found by the load scenario,
benchmarks/load/: every row decoded the whole framework definition, ~130 kB of JSON)."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from surveys.models import Role
from tests.factories import give_role, make_api_token, make_assessment, make_user


class AssessmentListColumnTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.planner = make_user()
        give_role(cls.planner, Role.PLANNER)
        cls.assessments = [make_assessment(alpha3) for alpha3 in ("SEN", "KEN", "RWA")]
        cls.token = make_api_token(cls.planner)

    def get(self, path: str) -> tuple[object, list[str]]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        return response, [q["sql"] for q in queries.captured_queries]

    def test_the_list_shows_each_framework_without_loading_its_definition(self) -> None:
        response, sql = self.get("/api/assessments/")
        assert response.status_code == 200
        rows = response.json()["results"]
        framework = self.assessments[0].framework
        assert {(r["framework"], r["framework_version"]) for r in rows} == {
            (framework.code, str(framework.version))
        }
        assert len(rows) == 3
        assert not any('"definition"' in statement for statement in sql)

    def test_one_assessment_still_reads_everything(self) -> None:
        response, _ = self.get(f"/api/assessments/{self.assessments[0].pk}/")
        assert response.status_code == 200
        assert response.json()["framework"] == self.assessments[0].framework.code
