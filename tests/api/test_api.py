"""The REST API: token authentication, visibility, filters, writes through the services, schema.

People: ``focal`` (focal point of Senegal, may edit), ``reviewer`` (Senegal), ``planner``
(reads everything, changes nothing), ``stranger`` (focal point of Kenya: sees only Kenya).
"""

from __future__ import annotations

from typing import Any

from django.test import TestCase
from rest_framework.test import APIClient

from scoring.models import ScoreRun
from scoring.services import score_run_create
from surveys.models import Answer, Assessment, AssessmentState, AuditEvent, Role
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.workflow import missing_answers
from tests.factories import (
    PASSWORD,
    complete_answers,
    give_role,
    make_api_token,
    make_assessment,
    make_focal_point,
    make_reviewer,
    make_user,
)
from tests.scoring.helpers import FULL_ANSWERS, add_answers


class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.reviewer = make_reviewer("SEN")
        cls.planner = make_user()
        give_role(cls.planner, Role.PLANNER)
        cls.stranger = make_focal_point("KEN")
        cls.senegal = make_assessment("SEN")
        cls.kenya = make_assessment("KEN", round=2025)
        cls.tokens = {
            user.pk: make_api_token(user)
            for user in (cls.focal, cls.reviewer, cls.planner, cls.stranger)
        }

    def client_for(self, user: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[user.pk]}")
        return client

    def url(self, assessment: Assessment, suffix: str = "") -> str:
        return f"/api/assessments/{assessment.pk}/{suffix}"


class AuthenticationAndVisibilityTests(ApiTestCase):
    def test_without_a_token_the_api_answers_401(self) -> None:
        response = APIClient().get("/api/assessments/")
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"

    def test_a_wrong_token_is_refused(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert client.get("/api/assessments/").status_code == 401

    def test_a_stranger_from_another_country_sees_only_their_country(self) -> None:
        client = self.client_for(self.stranger)
        listed = client.get("/api/assessments/").json()
        assert [row["country"] for row in listed["results"]] == ["KEN"]
        assert client.get("/api/assessments/?country=SEN").json()["results"] == []

    def test_a_stranger_gets_404_on_every_detail_of_another_country(self) -> None:
        answers_save(
            assessment=self.senegal,
            actor=self.focal,
            answers=[AnswerInput("GOV.1.b", "yes")],
            base_revision=0,
        )
        answer = Answer.objects.get(assessment=self.senegal)
        client = self.client_for(self.stranger)
        for url in (
            self.url(self.senegal),
            self.url(self.senegal, "answers/"),
            self.url(self.senegal, "scores/"),
            self.url(self.senegal, "gaps/"),
            f"/api/answers/{answer.pk}/",
            "/api/countries/SEN/",
        ):
            with self.subTest(url=url):
                assert client.get(url).status_code == 404
        assert client.get("/api/answers/").json()["results"] == []
        patch = client.patch(
            self.url(self.senegal, "answers/"),
            {"base_revision": 1, "answers": [{"question_code": "GOV.1.b", "value": "no"}]},
            format="json",
        )
        assert patch.status_code == 404
        assert (
            client.post(self.url(self.senegal, "transition/"), {"action": "submit"}).status_code
            == 404
        )

    def test_planners_read_every_country(self) -> None:
        rows = self.client_for(self.planner).get("/api/assessments/").json()["results"]
        assert {row["country"] for row in rows} == {"SEN", "KEN"}


class FilterTests(ApiTestCase):
    def test_assessments_filter_by_round_country_region_and_state(self) -> None:
        client = self.client_for(self.planner)

        def countries(query: str) -> list[str]:
            return [
                row["country"] for row in client.get(f"/api/assessments/?{query}").json()["results"]
            ]

        assert countries("round=2025") == ["KEN"]
        assert countries("country=sen") == ["SEN"]
        assert sorted(countries("region=Africa")) == ["KEN", "SEN"]
        assert countries("region=Europe") == []
        assert sorted(countries("state=draft")) == ["KEN", "SEN"]
        assert countries("state=approved") == []

    def test_bad_filter_values_are_400_not_server_errors(self) -> None:
        client = self.client_for(self.planner)
        for query in (
            "round=abc",
            "round=99999999999999999999",
            "country=S%00N",
            "region=Mars",
            "state=x",
        ):
            with self.subTest(query=query):
                assert client.get(f"/api/assessments/?{query}").status_code == 400

    def test_pages_have_a_size_the_client_may_choose_within_a_limit(self) -> None:
        response = self.client_for(self.planner).get("/api/countries/?page_size=5").json()
        assert response["count"] > 200 and len(response["results"]) == 5
        assert "page=2" in response["next"]


class AnswerWriteTests(ApiTestCase):
    def patch(self, user: Any, body: dict[str, Any], method: str = "patch") -> Any:
        client = self.client_for(user)
        return getattr(client, method)(self.url(self.senegal, "answers/"), body, format="json")

    def test_a_focal_point_saves_answers_through_the_answers_service(self) -> None:
        response = self.patch(
            self.focal,
            {
                "base_revision": 0,
                "answers": [
                    {"question_code": "GOV.1.a", "value": 3, "justification": "Adopted"},
                    {"question_code": "SKL.1.b", "status": "dont_know"},
                ],
            },
        )
        assert response.status_code == 200, response.json()
        assert response.json()["revision"] == 1 and response.json()["changed"] == [
            "GOV.1.a",
            "SKL.1.b",
        ]
        assert AuditEvent.objects.filter(assessment=self.senegal, object_ref="GOV.1.a").exists()

    def test_put_replaces_the_whole_set_and_patch_only_the_answers_given(self) -> None:
        self.patch(
            self.focal, {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 3}]}
        )
        self.patch(
            self.focal,
            {"base_revision": 1, "answers": [{"question_code": "GOV.1.b", "value": "no"}]},
        )
        assert set(Answer.objects.values_list("question_code", flat=True)) == {"GOV.1.a", "GOV.1.b"}
        response = self.patch(
            self.focal,
            {"base_revision": 2, "answers": [{"question_code": "NET.1.a", "value": 10}]},
            "put",
        )
        assert response.status_code == 200
        assert set(Answer.objects.values_list("question_code", flat=True)) == {"NET.1.a"}

    def test_an_outdated_revision_is_a_409_listing_what_changed(self) -> None:
        self.patch(
            self.focal, {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 3}]}
        )
        response = self.patch(
            self.focal, {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 1}]}
        )
        assert response.status_code == 409
        body = response.json()
        assert body["current_revision"] == 1 and body["changes"][0]["question_code"] == "GOV.1.a"
        assert "Nothing was saved" in body["detail"]

    def test_a_locked_assessment_is_a_409_with_a_clear_message(self) -> None:
        Assessment.objects.filter(pk=self.senegal.pk).update(state=AssessmentState.APPROVED)
        response = self.patch(
            self.focal, {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 3}]}
        )
        assert response.status_code == 409
        assert (
            response.json()["state"] == "approved"
            and "cannot be changed" in response.json()["detail"]
        )
        assert not Answer.objects.exists()

    def test_people_who_may_read_but_not_edit_get_403(self) -> None:
        for user in (self.reviewer, self.planner):
            response = self.patch(user, {"base_revision": 0, "answers": []})
            assert response.status_code == 403
            assert "focal points" in response.json()["detail"]

    def test_invalid_values_are_400_per_question_and_nothing_is_written(self) -> None:
        response = self.patch(
            self.focal,
            {
                "base_revision": 0,
                "answers": [
                    {"question_code": "GOV.1.a", "value": 3},
                    {"question_code": "NET.1.b", "value": 999},
                    {"question_code": "NOPE", "value": 1},
                ],
            },
        )
        assert response.status_code == 400
        assert response.json()["answers"] == {
            "NET.1.b": "Enter a number of at most 200.",
            "NOPE": "There is no such question in this framework.",
        }
        assert not Answer.objects.exists()

    def test_a_question_given_twice_in_one_write_is_refused(self) -> None:
        body = {"base_revision": 0, "answers": [{"question_code": "GOV.1.a", "value": 1}] * 2}
        assert self.patch(self.focal, body).status_code == 400


class TransitionTests(ApiTestCase):
    def post(self, user: Any, action: str, **extra: Any) -> Any:
        return self.client_for(user).post(
            self.url(self.senegal, "transition/"), {"action": action, **extra}, format="json"
        )

    def test_the_workflow_runs_through_the_api_with_the_same_rules(self) -> None:
        assert self.post(self.reviewer, "submit").status_code == 403
        refused = self.post(self.focal, "submit")
        assert refused.status_code == 409
        assert refused.json()["missing"] == [
            question.code for question in missing_answers(self.senegal)
        ]
        assert "GOV.1.a" in refused.json()["missing"]
        self.senegal.refresh_from_db()
        assert self.senegal.state == AssessmentState.DRAFT
        complete_answers(self.senegal)
        response = self.post(self.focal, "submit")
        assert response.status_code == 200 and response.json()["state"] == "submitted"
        assert self.post(self.focal, "submit").status_code == 409  # already submitted
        assert self.post(self.reviewer, "approve", password=PASSWORD).status_code == 409
        assert self.post(self.reviewer, "start_review").json()["state"] == "in_review"
        assert self.post(self.reviewer, "approve", password=PASSWORD).json()["state"] == "approved"

    def test_an_unknown_action_is_400(self) -> None:
        assert self.post(self.focal, "publish").status_code == 400


class ScoreTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_answers(cls.senegal, FULL_ANSWERS)
        cls.score_run = score_run_create(assessment=cls.senegal, trigger="on_demand", seed=3)

    def test_scores_come_from_the_latest_run_with_intervals(self) -> None:
        client = self.client_for(self.reviewer)
        rows = client.get(self.url(self.senegal, "scores/?level=overall")).json()
        assert len(rows) == 1 and rows[0]["run"] == self.score_run.pk
        assert rows[0]["interval_low"] <= rows[0]["score"] <= rows[0]["interval_high"]
        listed = client.get("/api/scores/?level=pillar&country=SEN").json()["results"]
        assert {row["code"] for row in listed} == {"GOV", "NET", "SKL"}

    def test_a_newer_run_replaces_the_older_one_in_the_lists(self) -> None:
        newer = score_run_create(assessment=self.senegal, trigger="on_demand", uncertainty=False)
        rows = self.client_for(self.reviewer).get("/api/scores/?level=overall").json()["results"]
        assert [row["run"] for row in rows] == [newer.pk]

    def test_gaps_are_indicators_below_target_largest_first(self) -> None:
        rows = self.client_for(self.reviewer).get(self.url(self.senegal, "gaps/")).json()
        gaps = [row["gap"] for row in rows]
        assert gaps == sorted(gaps, reverse=True) and all(gap > 0 for gap in gaps)
        assert self.client_for(self.reviewer).get("/api/gaps/?country=SEN").json()["count"] == len(
            rows
        )

    def test_sensitivity_lists_what_moves_the_overall_score_largest_first(self) -> None:
        client = self.client_for(self.reviewer)
        rows = client.get(self.url(self.senegal, "sensitivity/")).json()
        run = ScoreRun.objects.filter(assessment=self.senegal).latest("created_at", "pk")
        stored = run.uncertainty["sensitivity"]["outputs"][str(self.senegal.pk)]
        assert {row["input"] for row in rows} == set(stored) and rows
        assert [row["total"] for row in rows] == sorted(
            (values["total"] for values in stored.values()), reverse=True
        )
        assert all(row["run"] == run.pk for row in rows)
        french = client.get(self.url(self.senegal, "sensitivity/"), HTTP_ACCEPT_LANGUAGE="fr")
        assert "Pondération des piliers" in {row["label"] for row in french.json()}

    def test_priorities_are_for_planners(self) -> None:
        assert self.client_for(self.focal).get("/api/priorities/").status_code == 403
        response = self.client_for(self.planner).get("/api/priorities/?country=SEN")
        assert response.status_code == 200
        ranks = [row["rank"] for row in response.json()["results"]]
        assert ranks == list(range(1, len(ranks) + 1)) and ranks
        assert self.client_for(self.planner).get("/api/priorities/?method=magic").status_code == 400


class SchemaTests(ApiTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.focal)

    def test_the_openapi_schema_describes_every_endpoint(self) -> None:
        response = self.client.get("/api/schema/?format=json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        for path in ("/api/assessments/{id}/answers/", "/api/priorities/", "/api/gaps/"):
            assert path in schema["paths"]

    def test_the_interactive_documentation_loads_nothing_from_a_cdn(self) -> None:
        page = self.client.get("/api/docs/").content.decode()
        assert "swagger-ui" in page and "drf_spectacular_sidecar" in page
        assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
