"""Autosave: the JSON endpoint behind static/js/autosave.js."""

from __future__ import annotations

from django.test import Client, TestCase
from django.urls import reverse

from surveys.models import Answer, AssessmentState, WizardDraft
from surveys.services.answers import AnswerInput, answers_save
from tests.factories import make_assessment, make_focal_point, make_reviewer
from tests.surveys.helpers import step_post


class AutosaveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.bob = make_focal_point("SEN", "bob")
        cls.carol = make_reviewer("SEN", "carol")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        self.url = reverse("surveys:autosave", args=[self.assessment.pk])
        self.client.force_login(self.alice)

    def autosave(self, answers: dict, **options):
        self.assessment.refresh_from_db()
        data = step_post(self.assessment, "GOV", answers, **options)
        del data["wizard_action"]
        return self.client.post(self.url, data)

    def test_valid_answers_are_saved_and_the_time_and_revision_returned(self) -> None:
        response = self.autosave({"GOV.1.a": "2", "GOV.2.a": "Notes"})
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "saved"
        assert body["revision"] == 1
        assert body["changed"] == ["GOV.1.a", "GOV.2.a"]
        assert body["message"].startswith("Saved at ")
        assert Answer.objects.get(question_code="GOV.1.a").value == 2

    def test_invalid_values_are_reported_kept_in_the_draft_and_not_stored(self) -> None:
        response = self.autosave({"GOV.1.a": "9", "GOV.2.b": "31/12/2024"})
        body = response.json()
        assert set(body["errors"]) == {"GOV.1.a", "GOV.2.b"}
        assert not Answer.objects.exists()
        draft = WizardDraft.objects.get(assessment=self.assessment)
        step_data = draft.data[f"wizard_assessment_{self.assessment.pk}"]["step_data"]["GOV"]
        assert step_data["GOV-GOV.2.b"] == ["31/12/2024"]

    def test_an_outdated_revision_gets_409_with_who_changed_what(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("GOV.1.a", 5)],
            base_revision=0,
        )
        response = self.autosave({"GOV.1.a": "1"}, revision=0)
        assert response.status_code == 409
        body = response.json()
        assert body["revision"] == 1
        assert body["changes"][0]["question_code"] == "GOV.1.a"
        assert body["changes"][0]["changed_by"] == "Bob"
        assert Answer.objects.get().value == 5

    def test_a_co_editor_saving_another_pillar_does_not_stop_autosave(self) -> None:
        answers_save(
            assessment=self.assessment,
            actor=self.bob,
            answers=[AnswerInput("NET.1.a", 40)],
            base_revision=0,
        )
        response = self.autosave({"GOV.1.a": "1"}, revision=0)
        assert response.status_code == 200
        assert response.json()["revision"] == 2  # the page now builds on Bob's save too
        stored = {a.question_code: a.value for a in Answer.objects.all()}
        assert stored == {"GOV.1.a": 1, "NET.1.a": 40}

    def test_a_locked_assessment_refuses_autosave(self) -> None:
        self.assessment.state = AssessmentState.SUBMITTED
        self.assessment.save()
        response = self.autosave({"GOV.1.a": "1"})
        assert response.status_code == 423
        assert "cannot be changed" in response.json()["message"]
        assert not Answer.objects.exists()
        assert not WizardDraft.objects.exists()

    def test_the_endpoint_is_csrf_protected(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        data = step_post(self.assessment, "GOV", {"GOV.1.a": "1"})
        assert client.post(self.url, data).status_code == 403
        assert not Answer.objects.exists()

    def test_incomplete_posts_and_other_methods_are_refused(self) -> None:
        assert self.client.post(self.url, {"base_revision": "0"}).status_code == 400
        data = step_post(self.assessment, "GOV", {"GOV.1.a": "1"})
        data[f"assessment_{self.assessment.pk}-current_step"] = "NOPE"
        assert self.client.post(self.url, data).status_code == 400
        assert self.client.get(self.url).status_code == 405
        assert not Answer.objects.exists()

    def test_reviewers_cannot_autosave(self) -> None:
        self.client.force_login(self.carol)
        assert self.autosave({"GOV.1.a": "1"}).status_code == 403
        assert not Answer.objects.exists()
