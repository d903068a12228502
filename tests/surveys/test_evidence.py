"""Evidence: type by content, size limit, storage outside the web root, guarded downloads."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from surveys.models import AssessmentState, AuditEvent, Evidence
from surveys.services.answers import AssessmentLocked
from surveys.services.evidence import (
    EvidenceError,
    evidence_add_file,
    evidence_add_url,
    evidence_delete,
    evidence_path,
)
from tests.factories import make_assessment, make_focal_point, make_reviewer
from tests.matrix.surveys import PNG

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


class EvidenceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.carol = make_reviewer("SEN", "carol")
        cls.kim = make_focal_point("KEN", "kim")

    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="evidence-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.enterContext(override_settings(EVIDENCE_ROOT=self.root))
        self.assessment = make_assessment("SEN")
        self.client.force_login(self.alice)

    def upload(self, name: str, content: bytes, **extra):
        url = reverse("surveys:evidence-list", args=[self.assessment.pk, "GOV.1.a"])
        return self.client.post(url, {"file": SimpleUploadedFile(name, content), **extra})

    def stored_files(self) -> list[Path]:
        return [path for path in self.root.rglob("*") if path.is_file()]

    def test_a_pdf_is_stored_outside_the_web_root_with_its_hash_and_audited(self) -> None:
        response = self.upload("report.pdf", PDF, description="Annual report")
        self.assertRedirects(
            response, reverse("surveys:evidence-list", args=[self.assessment.pk, "GOV.1.a"])
        )
        evidence = Evidence.objects.get()
        assert evidence.content_type == "application/pdf"
        assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
        assert evidence.size == len(PDF)
        assert evidence.original_name == "report.pdf"
        path = evidence_path(evidence)
        assert path.read_bytes() == PDF
        assert self.root in path.parents
        assert Path(settings.STATIC_ROOT).resolve() not in path.parents
        assert "report" not in path.name
        event = AuditEvent.objects.get(action="evidence_add")
        assert event.old_value is None
        assert event.new_value["sha256"] == evidence.sha256

    def test_disguised_files_are_refused_by_content_whatever_their_name(self) -> None:
        for name, content in [
            ("report.pdf", WINDOWS_EXECUTABLE),
            ("photo.png", ELF_EXECUTABLE),
            ("page.pdf", HTML),
            ("empty.pdf", b""),
        ]:
            response = self.upload(name, content)
            assert response.status_code == 400, name
        self.assertContains(response, "", status_code=400)
        assert not Evidence.objects.exists()
        assert self.stored_files() == []

    def test_the_refusal_says_why(self) -> None:
        response = self.upload("report.pdf", WINDOWS_EXECUTABLE)
        self.assertContains(response, "type is read from the file", status_code=400)

    def test_files_over_the_configured_size_are_refused(self) -> None:
        with override_settings(EVIDENCE_MAX_BYTES=len(PDF) - 1):
            response = self.upload("report.pdf", PDF)
        self.assertContains(response, "larger than", status_code=400)
        assert not Evidence.objects.exists()
        assert self.stored_files() == []

    def test_web_addresses_must_be_http_or_https(self) -> None:
        url = reverse("surveys:evidence-list", args=[self.assessment.pk, "GOV.1.a"])
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org/x",
            "example.org",
            "data:text/html,x",
        ]:
            response = self.client.post(url, {"url": bad})
            assert response.status_code == 400, bad
        response = self.client.post(url, {"url": "https://example.org/law.pdf"})
        assert response.status_code == 302
        assert Evidence.objects.get().url == "https://example.org/law.pdf"

    def test_downloads_are_attachments_for_people_who_may_see_the_assessment(self) -> None:
        self.upload("strategy.png", PNG)
        evidence = Evidence.objects.get()
        url = reverse("surveys:evidence-download", args=[evidence.pk])
        for user in (self.alice, self.carol):
            self.client.force_login(user)
            response = self.client.get(url)
            assert response.status_code == 200
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content) == PNG
        self.client.force_login(self.kim)
        assert self.client.get(url).status_code == 404
        self.client.logout()
        assert self.client.get(url).status_code == 302

    def test_deleting_evidence_removes_its_file_after_commit_and_is_audited(self) -> None:
        self.upload("report.pdf", PDF)
        evidence = Evidence.objects.get()
        path = evidence_path(evidence)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("surveys:evidence-delete", args=[evidence.pk]))
        assert response.status_code == 302
        assert not Evidence.objects.exists()
        assert not path.exists()
        assert AuditEvent.objects.get(action="evidence_delete").old_value["name"] == "report.pdf"

    def test_a_locked_assessment_accepts_no_uploads_and_no_deletions(self) -> None:
        kept = evidence_add_url(
            assessment=self.assessment,
            question_code="GOV.1.a",
            url="https://example.org/",
            actor=self.alice,
        )
        self.assessment.state = AssessmentState.SUBMITTED
        self.assessment.save()
        response = self.upload("report.pdf", PDF)
        self.assertContains(response, "This assessment is locked", status_code=400)
        assert Evidence.objects.count() == 1
        assert self.stored_files() == []
        self.client.post(reverse("surveys:evidence-delete", args=[kept.pk]))
        assert Evidence.objects.filter(pk=kept.pk).exists()
        with pytest.raises(AssessmentLocked):
            evidence_add_file(
                assessment=self.assessment,
                question_code="GOV.1.a",
                upload=SimpleUploadedFile("r.pdf", PDF),
                actor=self.alice,
            )
        with pytest.raises(AssessmentLocked):
            evidence_delete(evidence=kept, actor=self.alice)

    def test_reviewers_cannot_upload(self) -> None:
        self.client.force_login(self.carol)
        assert self.upload("report.pdf", PDF).status_code == 403
        assert not Evidence.objects.exists()

    def test_a_stored_path_cannot_point_outside_the_evidence_folder(self) -> None:
        evidence = Evidence(assessment=self.assessment, kind="file", stored_path="../../etc/passwd")
        with pytest.raises(EvidenceError):
            evidence_path(evidence)

    def test_evidence_for_an_unknown_question_is_refused(self) -> None:
        with pytest.raises(EvidenceError):
            evidence_add_url(
                assessment=self.assessment,
                question_code="NOPE",
                url="https://example.org/",
                actor=self.alice,
            )
