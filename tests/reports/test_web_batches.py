"""Report batches from the web: a planner starts one, follows it, downloads the ZIP; it expires."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from datetime import timedelta

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from background.models import Job, JobStatus
from background.services import jobs_prune
from reports.data import country_report_data
from reports.pdf import country_report_pdf
from surveys.models import Role
from tests.factories import PASSWORD, country, give_role, make_user
from tests.reports.support import scored_world

RESULTS = tempfile.mkdtemp(prefix="batches-")


@override_settings(RESULTS_ROOT=RESULTS, REPORT_BATCH_PROCESSES=1, REPORT_BATCH_KEEP_HOURS=5)
class WebReportBatchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.planner = make_user("batch_planner")
        give_role(cls.planner, Role.PLANNER)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(RESULTS, ignore_errors=True)
        super().tearDownClass()

    def setUp(self) -> None:
        self.client.login(username=self.planner.username, password=PASSWORD)

    def start(self, **data: object):
        return self.client.post(reverse("reports:batch-create"), data, follow=True)

    def test_a_planner_downloads_one_zip_of_the_chosen_reports(self) -> None:
        response = self.start(round=2026, languages=["en", "fr"])
        page = response.content.decode()
        assert "4 reports are ready." in page
        job = Job.objects.get(kind="report_batch")
        assert job.status == JobStatus.DONE and job.created_by == self.planner
        assert (job.progress_done, job.progress_total) == (4, 4)
        download = self.client.get(reverse("reports:batch-download", kwargs={"pk": job.pk}))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/zip"
        assert f"reports-2026-{job.pk}.zip" in download["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
        assert sorted(archive.namelist()) == [
            "KEN-2026-en.pdf",
            "KEN-2026-fr.pdf",
            "SEN-2026-en.pdf",
            "SEN-2026-fr.pdf",
        ]
        single = country_report_pdf(country_report_data(country=country("SEN"), language="fr"))
        assert archive.read("SEN-2026-fr.pdf") == single

    def test_chosen_countries_limit_the_batch(self) -> None:
        self.start(round=2026, countries=["KEN"], languages=["en"])
        job = Job.objects.get(kind="report_batch")
        assert job.result["reports"] == 1
        assert job.result["file"] == f"batches/{job.pk}.zip"

    def test_the_zip_is_kept_for_the_configured_time_then_pruned(self) -> None:
        self.start(round=2026, languages=["en"])
        job = Job.objects.get(kind="report_batch")
        kept = job.expires_at - timezone.now()
        assert timedelta(hours=4, minutes=59) < kept <= timedelta(hours=5)
        Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert jobs_prune(days=14)["files"] == 1
        detail = reverse("reports:batch-detail", kwargs={"pk": job.pk})
        assert "has expired" in self.client.get(detail).content.decode()
        download = self.client.get(reverse("reports:batch-download", kwargs={"pk": job.pk}))
        assert download.status_code == 302 and download["Location"] == detail

    def test_without_a_language_nothing_starts_and_the_form_says_why(self) -> None:
        response = self.start(round=2026)
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert not Job.objects.exists()

    def test_a_round_without_scores_is_refused(self) -> None:
        response = self.start(round=1999, languages=["en"])
        assert "Select a valid choice." in response.content.decode()
        assert not Job.objects.exists()

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
    def test_while_it_is_prepared_the_page_shows_progress_and_a_second_click_joins_it(self):
        first = self.start(round=2026, languages=["en"])
        second = self.start(round=2026, languages=["en"])
        assert Job.objects.count() == 1
        assert first.redirect_chain == second.redirect_chain
        page = second.content.decode()
        assert "The reports are being prepared." in page
        assert "<progress" in page and "job-progress.js" in page

    def test_pruning_a_batch_job_before_its_zip_expires_deletes_the_zip_too(self) -> None:
        from background.files import result_path

        self.start(round=2026, languages=["en"])
        job = Job.objects.get(kind="report_batch")
        path = result_path(job.result["file"])
        assert path.exists()
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=30))
        jobs_prune(days=14)
        assert not Job.objects.filter(pk=job.pk).exists()
        assert not path.exists()
