"""Imports above IMPORT_BACKGROUND_BYTES: the request stages the file and returns; a worker
previews or applies it; a page follows the job and offers to apply a clean preview."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from background.models import Job, JobStatus
from scoring.models import IndicatorStatistic
from surveys.models import Answer
from tests.exchange.helpers import csv_bytes
from tests.factories import PASSWORD, make_assessment, make_focal_point, make_user

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ANSWERS = csv_bytes([["question_code", "value"], ["GOV.1.a", "3"]])


@override_settings(IMPORT_BACKGROUND_BYTES=10)
class LargeAnswersImportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal = make_focal_point("SEN")
        cls.assessment = make_assessment("SEN")
        cls.stranger = make_focal_point("KEN")
        cls.url = reverse("exchange:answers-import", kwargs={"pk": cls.assessment.pk})

    def setUp(self) -> None:
        self.client.login(username=self.focal.username, password=PASSWORD)

    def upload(self, data: bytes, **fields: str):
        return self.client.post(
            self.url, {"file": SimpleUploadedFile("answers.csv", data), **fields}
        )

    def test_a_large_preview_runs_in_the_background_then_the_same_file_is_applied(self) -> None:
        response = self.upload(ANSWERS, dry_run="on")
        job = Job.objects.get(kind="import")
        assert response.status_code == 302
        assert response["Location"] == reverse("exchange:import-detail", args=[job.pk])
        page = self.client.get(response["Location"]).content.decode()
        assert "Preview: nothing has been written yet" in page
        assert not Answer.objects.exists()
        assert f'action="{self.url}"' in page  # "Apply" goes back through the import page
        applied = self.client.post(self.url, {"token": job.result["token"]})
        apply_job = Job.objects.exclude(pk=job.pk).get(kind="import")
        assert applied["Location"] == reverse("exchange:import-detail", args=[apply_job.pk])
        assert apply_job.status == JobStatus.DONE and apply_job.result["applied"]
        assert Answer.objects.get().value == 3
        # The staged file is used once.
        assert self.client.post(self.url, {"token": job.result["token"]}).status_code == 404

    @override_settings(TASKS=DATABASE_QUEUE)
    def test_the_upload_returns_at_once_and_the_page_shows_progress(self) -> None:
        response = self.upload(ANSWERS, dry_run="on")
        job = Job.objects.get(kind="import")
        assert job.status == JobStatus.WAITING and job.created_by == self.focal
        page = self.client.get(response["Location"]).content.decode()
        assert "The file is being imported." in page and "<progress" in page
        assert '<meta http-equiv="refresh" content="5">' in page

    def test_a_file_with_errors_lists_them_and_writes_nothing(self) -> None:
        data = csv_bytes([["question_code", "value"], ["GOV.1.a", "9"], ["ZZZ", "1"]])
        response = self.upload(data, dry_run="on")
        page = self.client.get(response["Location"]).content.decode()
        assert "2 problems: nothing was written" in page
        assert "ZZZ" in page and "Apply these changes" not in page
        assert not Answer.objects.exists()

    def test_small_files_are_still_imported_in_the_request(self) -> None:
        with override_settings(IMPORT_BACKGROUND_BYTES=1024 * 1024):
            response = self.upload(ANSWERS, dry_run="on")
        assert response.status_code == 200
        assert not Job.objects.exists()

    def test_a_stranger_cannot_follow_the_import(self) -> None:
        response = self.upload(ANSWERS, dry_run="on")
        self.client.login(username=self.stranger.username, password=PASSWORD)
        assert self.client.get(response["Location"]).status_code == 404


@override_settings(IMPORT_BACKGROUND_BYTES=10)
class LargeStatisticsImportTests(TestCase):
    def test_an_administrator_applies_a_large_statistics_file_in_the_background(self) -> None:
        make_assessment("SEN")  # publishes the framework the statistics are for
        admin = make_user(is_superuser=True, is_staff=True)
        self.client.login(username=admin.username, password=PASSWORD)
        data = csv_bytes(
            [
                ["country", "code", "year", "value", "source"],
                ["SEN", "NET.1.a", "2024", "58", "ITU"],
            ]
        )
        url = reverse("exchange:statistics-import")
        response = self.client.post(url, {"file": SimpleUploadedFile("s.csv", data)})
        job = Job.objects.get(kind="import")
        assert response.status_code == 302 and job.status == JobStatus.DONE
        assert IndicatorStatistic.objects.get().value == 58
        assert "Imported" in self.client.get(response["Location"]).content.decode()
