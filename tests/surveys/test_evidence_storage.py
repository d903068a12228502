"""Evidence storage under faults: a full or read-only folder, a failed commit, a crash that
leaves a file behind, and web addresses that must not become redirects (issue 16 §5).

Faults are injected where the operating system would raise them (``os.open``, ``os.fsync``,
``Path.unlink``) or where the database would (the audit write inside the transaction).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.test import TestCase, override_settings
from django.urls import reverse

from surveys.models import AuditEvent, Evidence
from surveys.services.evidence import evidence_add_file, evidence_add_url, evidence_path
from tests.factories import make_assessment, make_focal_point, make_reviewer

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class EvidenceStorageFaultTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_storage")
        cls.carol = make_reviewer("SEN", "carol_storage")

    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="evidence-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.enterContext(override_settings(EVIDENCE_ROOT=self.root))
        self.assessment = make_assessment("SEN")
        self.client.force_login(self.alice)
        self.list_url = reverse("surveys:evidence-list", args=[self.assessment.pk, "GOV.1.a"])

    def upload(self):
        return self.client.post(self.list_url, {"file": SimpleUploadedFile("law.pdf", PDF)})

    def stored_files(self) -> list[Path]:
        return [path for path in self.root.rglob("*") if path.is_file()]

    def assert_nothing_stored(self) -> None:
        assert not Evidence.objects.exists()
        assert self.stored_files() == []
        assert not AuditEvent.objects.filter(action="evidence_add").exists()

    def test_a_full_folder_gives_a_clear_message_and_keeps_nothing(self) -> None:
        # The disk fills up while the file is flushed: the part already written is removed.
        full = OSError(errno.ENOSPC, "No space left on device")
        with mock.patch("surveys.services.evidence.os.fsync", side_effect=full):
            response = self.upload()
        self.assertContains(response, "the storage for documents is full", status_code=400)
        self.assertContains(response, "Nothing was saved", status_code=400)
        self.assert_nothing_stored()

    def test_a_read_only_folder_gives_a_clear_message(self) -> None:
        read_only = OSError(errno.EROFS, "Read-only file system")
        with mock.patch("surveys.services.evidence.os.open", side_effect=read_only):
            response = self.upload()
        self.assertContains(response, "the storage for documents is read-only", status_code=400)
        self.assert_nothing_stored()

    def test_the_message_is_in_french_for_a_french_user(self) -> None:
        read_only = OSError(errno.EACCES, "Permission denied")
        with mock.patch("surveys.services.evidence.os.open", side_effect=read_only):
            response = self.client.post(
                self.list_url,
                {"file": SimpleUploadedFile("law.pdf", PDF)},
                headers={"accept-language": "fr"},
            )
        self.assertContains(response, "en lecture seule", status_code=400)

    def test_a_failed_commit_leaves_no_file_behind(self) -> None:
        with (
            mock.patch(
                "surveys.services.evidence._audit", side_effect=DatabaseError("connection lost")
            ),
            pytest.raises(DatabaseError),
        ):
            evidence_add_file(
                assessment=self.assessment,
                question_code="GOV.1.a",
                upload=SimpleUploadedFile("law.pdf", PDF),
                actor=self.alice,
            )
        self.assert_nothing_stored()

    def test_a_committed_row_always_has_its_file_on_disk(self) -> None:
        synced: list[int] = []
        real_fsync = os.fsync

        def record(descriptor: int) -> None:
            synced.append(descriptor)
            real_fsync(descriptor)

        with mock.patch("surveys.services.evidence.os.fsync", side_effect=record):
            evidence = evidence_add_file(
                assessment=self.assessment,
                question_code="GOV.1.a",
                upload=SimpleUploadedFile("law.pdf", PDF),
                actor=self.alice,
            )
        assert synced, "the file was not flushed to disk before its row was committed"
        assert evidence_path(evidence).read_bytes() == PDF

    def test_a_file_that_cannot_be_removed_does_not_fail_the_removal(self) -> None:
        self.upload()
        evidence = Evidence.objects.get()
        with (
            mock.patch.object(Path, "unlink", side_effect=OSError(errno.EROFS, "Read-only")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(reverse("surveys:evidence-delete", args=[evidence.pk]))
        assert response.status_code == 302
        assert not Evidence.objects.exists()
        assert len(self.stored_files()) == 1  # left for evidence_orphans


class OrphanCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_orphans")

    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="evidence-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.enterContext(override_settings(EVIDENCE_ROOT=self.root))
        assessment = make_assessment("SEN")
        self.kept = evidence_add_file(
            assessment=assessment,
            question_code="GOV.1.a",
            upload=SimpleUploadedFile("kept.pdf", PDF),
            actor=self.alice,
        )
        # What a worker killed between writing the file and committing its row leaves behind.
        self.orphan = self.root / str(assessment.pk) / "0123456789abcdef.pdf"
        self.orphan.write_bytes(PDF)
        an_hour_ago = time.time() - 3700
        os.utime(self.orphan, (an_hour_ago, an_hour_ago))
        # An upload still in progress: its row is not committed yet.
        self.in_flight = self.root / str(assessment.pk) / "fedcba9876543210.pdf"
        self.in_flight.write_bytes(PDF)

    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("evidence_orphans", *args, stdout=out)
        return out.getvalue()

    def test_a_dry_run_lists_orphans_and_removes_nothing(self) -> None:
        output = self.run_command()
        assert f"Would remove orphan file {self.orphan}" in output
        assert "1 orphan file(s) (dry run" in output
        assert "1 recent file(s) skipped" in output
        assert self.orphan.exists() and self.in_flight.exists()

    def test_delete_removes_only_old_orphans(self) -> None:
        output = self.run_command("--delete")
        assert f"Removed orphan file {self.orphan}" in output
        assert not self.orphan.exists()
        assert self.in_flight.exists()
        assert evidence_path(self.kept).read_bytes() == PDF

    def test_rows_whose_file_is_missing_are_reported_not_deleted(self) -> None:
        evidence_path(self.kept).unlink()
        output = self.run_command("--delete", "--min-age-minutes", "0")
        assert f"Missing file for evidence #{self.kept.pk} (kept.pdf" in output
        assert Evidence.objects.filter(pk=self.kept.pk).exists()
        assert not self.in_flight.exists()


class UrlEvidenceIsALinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice_links")
        cls.assessment = make_assessment("SEN")
        cls.evidence = evidence_add_url(
            assessment=cls.assessment,
            question_code="GOV.1.a",
            url="https://attacker.example/login?next=<b>x</b>",
            actor=cls.alice,
        )

    def test_the_download_address_shows_the_link_instead_of_redirecting(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("surveys:evidence-download", args=[self.evidence.pk]))
        assert response.status_code == 200
        assert "Location" not in response
        self.assertContains(response, "a web address outside this platform")
        self.assertContains(
            response,
            '<a href="https://attacker.example/login?next=&lt;b&gt;x&lt;/b&gt;" '
            'rel="noopener noreferrer nofollow">',
        )
