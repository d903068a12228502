"""Administrators see the queue: jobs and queue entries, waiting, running, failed and done."""

from __future__ import annotations

from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from scoring.models import RunTrigger
from scoring.tasks import scoring_enqueue
from tests.factories import PASSWORD, make_assessment, make_user
from tests.scoring.helpers import FULL_ANSWERS, add_answers


class QueueAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("root", is_staff=True, is_superuser=True)
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)

    def setUp(self) -> None:
        self.client.login(username=self.admin.username, password=PASSWORD)

    def test_the_job_list_shows_failed_jobs_with_their_error(self) -> None:
        self.assessment.answers.filter(question_code="NET.1.a").update(value="not a number")
        failed = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        page = self.client.get(reverse("admin:background_job_changelist") + "?status=failed")
        assert page.status_code == 200
        change_url = reverse("admin:background_job_change", args=[failed.pk])
        assert change_url in page.content.decode()
        detail = self.client.get(change_url)
        assert "Correct the answer and recompute" in detail.content.decode()

    @override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
    def test_the_queue_lists_waiting_entries_and_shows_a_traceback(self) -> None:
        job = scoring_enqueue(assessment=self.assessment, trigger=RunTrigger.SUBMIT)
        entry = DBTaskResult.objects.get(pk=job.task_result_id)
        listing = self.client.get(
            reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=READY"
        )
        assert listing.status_code == 200 and "score_assessment" in listing.content.decode()
        DBTaskResult.objects.filter(pk=entry.pk).update(
            status="FAILED", traceback="Traceback: worker lost <script>"
        )
        detail = self.client.get(
            reverse("admin:django_tasks_database_dbtaskresult_change", args=[entry.pk])
        )
        body = detail.content.decode()
        assert "Traceback: worker lost &lt;script&gt;" in body

    def test_people_without_staff_rights_cannot_open_the_queue(self) -> None:
        self.client.logout()
        planner = make_user("planner_only")
        self.client.login(username=planner.username, password=PASSWORD)
        response = self.client.get(reverse("admin:background_job_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
