"""Approval locks answers and evidence on every path until an administrator reopens it.

Paths: the answers service (the wizard, autosave, the API and imports all write through
``answers_save``), the evidence services (uploads, web addresses, removal), the autosave
endpoint, and the admin.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import Answer, AssessmentState, AuditEvent, Evidence
from surveys.services.answers import AnswerInput, AssessmentLocked, answers_save
from surveys.services.evidence import evidence_add_file, evidence_add_url, evidence_delete
from surveys.services.workflow import assessment_transition
from tests.factories import complete_answers
from tests.review.support import ReviewTestCase, make_in_state

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ApprovalLocksEveryPathTests(ReviewTestCase):
    def setUp(self) -> None:
        self.assessment = make_in_state(AssessmentState.DRAFT, round=2040)
        answers_save(
            assessment=self.assessment,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 2, justification="Adopted in 2023.")],
            base_revision=0,
        )
        self.evidence = evidence_add_url(
            assessment=self.assessment,
            question_code="GOV.1.a",
            url="https://example.org/strategy.pdf",
            actor=self.alice,
        )
        complete_answers(self.assessment)
        for action, actor in [
            ("submit", self.alice),
            ("start_review", self.rita),
            ("approve", self.rita),
        ]:
            assessment_transition(assessment=self.assessment, action=action, actor=actor)
        self.assessment.refresh_from_db()

    def test_answers_cannot_be_saved_once_approved(self) -> None:
        with pytest.raises(AssessmentLocked):
            answers_save(
                assessment=self.assessment,
                actor=self.alice,
                answers=[AnswerInput("GOV.1.a", 5)],
                base_revision=self.assessment.revision,
            )
        assert Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a").value == 2

    def test_evidence_cannot_be_added_or_removed_once_approved(self) -> None:
        upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
        with pytest.raises(AssessmentLocked):
            evidence_add_file(
                assessment=self.assessment,
                question_code="GOV.1.a",
                upload=upload,
                actor=self.alice,
            )
        with pytest.raises(AssessmentLocked):
            evidence_add_url(
                assessment=self.assessment,
                question_code="GOV.1.a",
                url="https://example.org/other",
                actor=self.alice,
            )
        with pytest.raises(AssessmentLocked):
            evidence_delete(evidence=self.evidence, actor=self.alice)
        assert list(Evidence.objects.filter(assessment=self.assessment)) == [self.evidence]

    def test_autosave_answers_423_once_approved(self) -> None:
        self.client.force_login(self.alice)
        prefix = f"assessment_{self.assessment.pk}"
        response = self.client.post(
            reverse("surveys:autosave", kwargs={"pk": self.assessment.pk}),
            {
                f"{prefix}-current_step": "GOV",
                "base_revision": self.assessment.revision,
                "GOV-GOV.1.a": "5",
            },
        )
        assert response.status_code == 423
        assert Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a").value == 2

    def test_the_admin_cannot_change_answers_or_evidence(self) -> None:
        self.client.force_login(self.ada)
        answer = Answer.objects.get(assessment=self.assessment, question_code="GOV.1.a")
        change = reverse("admin:surveys_answer_change", args=[answer.pk])
        assert self.client.post(change, {"value": "5"}).status_code == 403
        delete = reverse("admin:surveys_answer_delete", args=[answer.pk])
        assert self.client.post(delete, {"post": "yes"}).status_code == 403
        evidence_change = reverse("admin:surveys_evidence_change", args=[self.evidence.pk])
        assert self.client.post(evidence_change, {"url": "https://evil"}).status_code == 403
        evidence_delete_url = reverse("admin:surveys_evidence_delete", args=[self.evidence.pk])
        assert self.client.post(evidence_delete_url, {"post": "yes"}).status_code == 403
        answer.refresh_from_db()
        assert answer.value == 2
        assert Evidence.objects.filter(pk=self.evidence.pk).exists()

    def test_reopening_unlocks_and_the_change_is_audited(self) -> None:
        assessment_transition(
            assessment=self.assessment, action="reopen", actor=self.ada, message="New census."
        )
        self.assessment.refresh_from_db()
        answers_save(
            assessment=self.assessment,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 3, justification="Adopted in 2023.")],
            base_revision=self.assessment.revision,
        )
        change = AuditEvent.objects.filter(
            assessment=self.assessment, object_type="answer", field="value"
        ).first()
        assert (change.old_value, change.new_value, change.actor) == (2, 3, self.alice)
